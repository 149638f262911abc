"""Read the marked blocks of ``docs/quickstart.md`` and apply them to a site made by ``wagtail start``.

A block is marked by an HTML comment on the line before its fence::

    <!-- quickstart:installed_apps -->
    ```python
    INSTALLED_APPS = [ ... ]
    ```

Markers: ``install`` (pip lines), ``installed_apps``, ``middleware`` and ``settings`` (Python for
the settings module), ``urls`` (Python for the root URLconf), ``run`` (``python manage.py ...``
lines, run in the site in the order of the page).

Applying a Python block does what the page tells a reader to do:

- a list assignment (``INSTALLED_APPS = [...]``, ``MIDDLEWARE = [...]``) is merged into the
  site's list: each entry the site lacks goes right after the entry before it on the page (or,
  when there is none, right before the entry after it), so "paste above the Wagtail apps" and
  "right after AuthenticationMiddleware" come out as written;
- any other statement of a settings block is added to the settings module as it is;
- in a URLconf block, imports the module lacks are added, and each ``path(...)`` the module lacks
  is inserted right before the entry that follows it on the page (e.g. the catch-all).
"""

import ast
import re
from dataclasses import dataclass

MARKED_BLOCK = re.compile(
    r"^<!--\s*quickstart:(?P<marker>[a-z_]+)\s*-->\s*\n```(?P<lang>[a-z]*)[^\n]*\n(?P<code>.*?)^```\s*$",
    re.MULTILINE | re.DOTALL,
)
SETTINGS_MARKERS = ("installed_apps", "middleware", "settings")


class QuickstartError(AssertionError):
    """The page and the site do not fit together (a block cannot be applied as written)."""


@dataclass
class Block:
    marker: str
    lang: str
    code: str


def marked_blocks(markdown):
    """The marked blocks of the page, in order."""
    return [Block(m["marker"], m["lang"], m["code"]) for m in MARKED_BLOCK.finditer(markdown)]


def commands(blocks, marker="run"):
    """The command lines of the ``marker`` blocks (comments and blank lines dropped)."""
    lines = []
    for block in blocks:
        if block.marker != marker:
            continue
        for line in block.code.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                lines.append(line)
    return lines


def _top_level_list(source, name):
    """The value of the last top-level ``name = [...]`` of ``source`` (a list of literals)."""
    value = None
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            value = node.value
        elif isinstance(node, ast.AugAssign | ast.AnnAssign) and getattr(node.target, "id", None) == name:
            raise QuickstartError(f"{name} is changed in place in the site's settings; cannot merge")
    if value is None:
        raise QuickstartError(f"the site's settings have no {name}")
    return list(ast.literal_eval(value))


def merge_entries(current, wanted):
    """``current`` with the entries of ``wanted`` it lacks, placed as described in the module docstring."""
    result = list(current)
    for index, entry in enumerate(wanted):
        if entry in result:
            continue
        before = [e for e in wanted[:index] if e in result]
        after = [e for e in wanted[index + 1 :] if e in result]
        if before:
            result.insert(result.index(before[-1]) + 1, entry)
        elif after:
            result.insert(result.index(after[0]), entry)
        else:
            raise QuickstartError(f"no entry of the page's block is in the site: where does {entry!r} go?")
    return result


def apply_settings_block(settings_source, code):
    """The settings module's source with the block applied (appended at the end, so it wins)."""
    additions = []
    for node in ast.parse(code).body:
        is_list = isinstance(node, ast.Assign) and isinstance(node.value, ast.List)
        if is_list and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            wanted = [ast.literal_eval(element) for element in node.value.elts]
            merged = merge_entries(
                _top_level_list(settings_source + "\n" + "\n".join(additions), name), wanted
            )
            additions.append(f"{name} = [\n" + "".join(f"    {entry!r},\n" for entry in merged) + "]")
        else:
            additions.append(ast.get_source_segment(code, node))
    return (
        settings_source.rstrip("\n")
        + "\n\n# --- applied from docs/quickstart.md ---\n"
        + "\n".join(additions)
        + "\n"
    )


def _normal(node):
    return ast.unparse(node)


def apply_urls_block(urls_source, code):
    """The URLconf's source with the block applied."""
    lines = urls_source.splitlines()
    module = ast.parse(urls_source)
    present_imports = {_normal(node) for node in module.body if isinstance(node, ast.Import | ast.ImportFrom)}
    present_calls = {}  # normalised call -> first line number (1-based) in the module
    for node in ast.walk(module):
        if isinstance(node, ast.List):
            for element in node.elts:
                present_calls.setdefault(_normal(element), element.lineno)
    new_imports, insertions = [], []
    for node in ast.parse(code).body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            if _normal(node) not in present_imports:
                new_imports.append(_normal(node))
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.List):
            elements = [_normal(element) for element in node.value.elts]
            for index, element in enumerate(elements):
                if element in present_calls:
                    continue
                after = [e for e in elements[index + 1 :] if e in present_calls]
                if not after:
                    raise QuickstartError(f"no entry after {element} on the page is in the site's urls.py")
                # The page's own text of the entry, as a reader would paste it.
                insertions.append(
                    (present_calls[after[0]], ast.get_source_segment(code, node.value.elts[index]))
                )
        else:
            raise QuickstartError(f"cannot apply to urls.py: {_normal(node)}")
    # Insert from the bottom up so that earlier line numbers stay right.
    # Same anchor: later entries first, so the earlier ones end up above them, as on the page.
    for _index, (lineno, element) in sorted(
        enumerate(insertions), key=lambda i: (i[1][0], i[0]), reverse=True
    ):
        anchor = lines[lineno - 1]
        indent = anchor[: len(anchor) - len(anchor.lstrip())]
        lines.insert(lineno - 1, f"{indent}{element},")
    if new_imports:
        last_import = max(
            (node.end_lineno for node in module.body if isinstance(node, ast.Import | ast.ImportFrom)),
            default=0,
        )
        lines[last_import:last_import] = new_imports
    return "\n".join(lines) + "\n"
