"""The layout check at 360 px (plain helpers, no fixtures).

axe-core judges markup and colours, not the layout a phone shows. ``measure(page)`` looks at the
page as rendered at ``PHONE`` width and reports three kinds of problem:

- **overflow**: the document is wider than the viewport, an element sticks out of it, or an
  element scrolls sideways (WCAG 1.4.10 Reflow: no scrolling in two directions at 320 CSS px;
  we measure at 360);
- **clipped**: a line of text that its scroll container (any ancestor with ``overflow`` other
  than ``visible``) or the viewport cuts off;
- **small target**: a link, button or form control smaller than 24 × 24 px (WCAG 2.2 SC 2.5.8),
  unless it is a link inside a sentence (the SC's inline exception);
- **broken word**: a word of up to ``MAX_WORD`` letters split across two lines where there is no
  space, hyphen, dash, slash or soft hyphen (a cooperative's name that does not fit its line).

Hidden things are not measured: ``display: none``, ``hidden``, closed ``<details>``, text made
visually hidden for screen readers (clipped to 1 px) and skip links moved off the screen.
"""

from dataclasses import dataclass, field

#: The width the layout is measured at (a small phone) and the height of its viewport.
PHONE = {"width": 360, "height": 740}
#: WCAG 2.2 SC 2.5.8 Target Size (Minimum), level AA.
MIN_TARGET = 24
#: Words up to this length must not be split: "Wohnungsgenossenschaft" (22 letters), the longest
#: word of a cooperative's name. Longer compounds ("Betriebskostenabrechnung" in a heading) are
#: left to the browser's hyphenation (``hyphens: auto`` with the page's ``lang``), which phones
#: have and the test's Chromium (without hyphenation dictionaries) has not.
MAX_WORD = 22

KINDS = ("overflow", "clipped", "small_target", "broken_word")

_MEASURE = r"""
([minTarget, maxWord]) => {
  const view = document.documentElement.clientWidth;
  const problems = [];
  const slack = 0.5;  // sub-pixel rounding

  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    const classes = [...el.classList].slice(0, 2);
    if (classes.length) name += "." + classes.join(".");
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").replace(/\s+/g, " ").trim();
    return text ? `${name} "${text.slice(0, 40)}"` : name;
  };
  const add = (kind, el, detail) => problems.push({kind, target: describe(el), detail});

  // Visually hidden for screen readers: clipped to (at most) 1 px, on the element or an ancestor.
  const hiddenHelper = new Map();
  const isHiddenHelper = (el) => {
    if (!el || el === document.documentElement) return false;
    if (hiddenHelper.has(el)) return hiddenHelper.get(el);
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    let hidden = (style.clip !== "auto" && style.position === "absolute")
      || style.clipPath.startsWith("inset(50%")
      || (rect.width <= 1 && rect.height <= 1 && style.overflow !== "visible");
    hidden = hidden || isHiddenHelper(el.parentElement);
    hiddenHelper.set(el, hidden);
    return hidden;
  };
  const shown = (el) => el.checkVisibility({visibilityProperty: true, checkVisibilityCSS: true}) && !isHiddenHelper(el);
  // Moved out of sight to the left (the skip link until it has the focus).
  const offscreen = (rect) => rect.right <= 0 || rect.bottom <= 0 && rect.top < -1000;

  // 1. Overflow: the document, elements sticking out, elements that scroll sideways.
  const root = document.documentElement;
  const meta = document.querySelector("meta[name=viewport]");
  if (!meta || !/width\s*=\s*device-width/.test(meta.content)) {
    problems.push({kind: "overflow", target: "document",
      detail: "no <meta name=viewport content=width=device-width>: a phone lays the page out 980 px wide"});
  }
  if (root.scrollWidth > view + slack) {
    problems.push({kind: "overflow", target: "document", detail: `${root.scrollWidth} px wide, viewport ${view} px`});
  }
  const sticksOut = new Set();
  for (const el of document.body.querySelectorAll("*")) {
    if (!shown(el)) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0 || offscreen(rect)) continue;
    if (rect.right > view + slack || rect.left < -slack) {
      sticksOut.add(el);
      // Report where it starts: the element whose parent still fits.
      if (!sticksOut.has(el.parentElement)) {
        add("overflow", el, `from ${Math.round(rect.left)} to ${Math.round(rect.right)} px, viewport ${view} px`);
      }
    }
    const style = getComputedStyle(el);
    if (["auto", "scroll"].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1) {
      add("overflow", el, `scrolls sideways: ${el.scrollWidth} px of content in ${el.clientWidth} px`);
    }
  }

  // 2. Text cut off by a scroll container (overflow other than visible) or by the viewport.
  const clippers = (el) => {
    const boxes = [];
    for (let a = el; a && a !== root && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      const x = style.overflowX !== "visible", y = style.overflowY !== "visible";
      if (!x && !y) continue;
      const r = a.getBoundingClientRect();
      const left = r.left + a.clientLeft, top = r.top + a.clientTop;
      boxes.push({el: a, x, y, left, top, right: left + a.clientWidth, bottom: top + a.clientHeight});
    }
    return boxes;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const reported = new Set();
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.data.trim() || !el || reported.has(el) || !shown(el)) continue;
    if (el.closest("svg, select, textarea, script, style, noscript, template")) continue;
    range.selectNodeContents(node);
    const lines = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
    if (!lines.length || lines.every(offscreen)) continue;
    let detail = null;
    for (const line of lines) {
      if (line.right > view + slack || line.left < -slack) {
        detail = `by the viewport: text from ${Math.round(line.left)} to ${Math.round(line.right)} px`;
        break;
      }
      for (const box of clippers(el)) {
        const outX = box.x && (line.right > box.right + slack || line.left < box.left - slack);
        const outY = box.y && (line.bottom > box.bottom + slack || line.top < box.top - slack);
        if (outX || outY) {
          detail = `by ${describe(box.el).split(" ")[0]} (overflow ${getComputedStyle(box.el).overflow})`;
          break;
        }
      }
      if (detail) break;
    }
    if (detail) {
      reported.add(el);
      add("clipped", el, detail);
    }
  }

  // 3. Words broken in the middle (not at a space, hyphen, dash or slash), e.g. a long name
  // that does not fit its line. Text that may break anywhere (overflow-wrap: anywhere, such
  // as secret keys) is left out.
  const wordWalker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const brokenIn = new Set();
  for (let node = wordWalker.nextNode(); node; node = wordWalker.nextNode()) {
    const el = node.parentElement;
    if (!node.data.trim() || !el || brokenIn.has(el) || !shown(el)) continue;
    if (el.closest("svg, select, textarea, script, style, noscript, template")) continue;
    const style = getComputedStyle(el);
    if (style.overflowWrap === "anywhere" || style.wordBreak === "break-all") continue;
    // The line of a character (its last box: a hyphen drawn at a soft hyphen belongs to the
    // character after it).
    const lineOf = (start) => {
      range.setStart(node, start);
      range.setEnd(node, start + 1);
      const boxes = [...range.getClientRects()].filter((r) => r.width > 0);
      return boxes.length ? boxes[boxes.length - 1].top : null;
    };
    for (const match of node.data.matchAll(/[^\s\-\u00ad\u200b\u2010\u2011\u2013\u2014\/]{4,}/g)) {
      if (match[0].length > maxWord) continue;
      const first = lineOf(match.index), last = lineOf(match.index + match[0].length - 1);
      if (first !== null && last !== null && Math.abs(first - last) > 2) {
        brokenIn.add(el);
        add("broken_word", el, `"${match[0]}" is split across lines`);
        break;
      }
    }
  }

  // 4. Targets under 24 x 24 px, except links in a sentence (inline exception of SC 2.5.8).
  const targets = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex='-1'])";
  const block = (el) => {
    let b = el.parentElement;
    while (b && ["inline", "contents"].includes(getComputedStyle(b).display)) b = b.parentElement;
    return b;
  };
  // Text of the block around a target that is not itself in a target (nor hidden).
  const plainText = (b) => {
    let text = "";
    const w = document.createTreeWalker(b, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      const parent = n.parentElement;
      if (parent && !parent.closest(targets) && shown(parent)) text += n.data;
    }
    return text;
  };
  const inSentence = (el) => getComputedStyle(el).display === "inline" && /[\p{L}\p{N}]/u.test(plainText(block(el)));
  for (const el of document.body.querySelectorAll(targets)) {
    if (!shown(el)) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0 || offscreen(rect)) continue;
    if (rect.width + slack >= minTarget && rect.height + slack >= minTarget) continue;
    if (inSentence(el)) continue;
    add("small_target", el, `${Math.round(rect.width * 10) / 10} × ${Math.round(rect.height * 10) / 10} px`);
  }
  return {width: view, problems};
}
"""


@dataclass
class LayoutResult:
    """The layout of one page state at ``PHONE`` width."""

    state: str
    path: str
    width: int = PHONE["width"]
    problems: list = field(default_factory=list)

    def count(self, kind):
        return sum(1 for problem in self.problems if problem["kind"] == kind)

    def describe(self):
        lines = [f"{self.state} ({self.path}, {self.width} px):"]
        lines += [f"  [{p['kind']}] {p['target']}: {p['detail']}" for p in self.problems]
        return "\n".join(lines)


#: Every page state measured in this test session (printed by the browser conftest).
RESULTS: list[LayoutResult] = []


def measure(page, state, path):
    """Measure the page at ``PHONE`` width, then give it back its viewport."""
    original = page.viewport_size
    try:
        page.set_viewport_size(PHONE)
        outcome = page.evaluate(_MEASURE, [MIN_TARGET, MAX_WORD])
    finally:
        if original:
            page.set_viewport_size(original)
    return LayoutResult(state=state, path=path, width=outcome["width"], problems=outcome["problems"])


def summary_lines(results):
    """The table of ``results`` and the closing ``pages=… overflow=… clipped=… small_targets=…`` line."""
    headers = ("page state", "path", "width", "overflow", "clipped", "small targets", "broken words")
    rows = [(r.state, r.path, str(r.width), *(str(r.count(kind)) for kind in KINDS)) for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells):
        return " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    lines = [line(headers), "-+-".join("-" * width for width in widths)]
    lines += [line(row) for row in rows]
    lines += [problem for r in results if r.problems for problem in r.describe().splitlines()]
    totals = {kind: sum(r.count(kind) for r in results) for kind in KINDS}
    lines.append(
        f"pages={len(results)} overflow={totals['overflow']} clipped={totals['clipped']} "
        f"small_targets={totals['small_target']} broken_words={totals['broken_word']}"
    )
    return lines
