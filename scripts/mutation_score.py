"""The mutation score of each module `make mutation` mutated (docs/testing.md).

Reads mutmut's results (``mutants/<module>.py.meta``) and prints, per module, the mutants
killed (a test failed, or the run timed out), survived and without tests, and the score:
killed / all. Exits 1 if a module scores below ``--minimum`` (default 90 %) or has mutants
that were not checked, so the target fails loudly. ``--survivors`` lists the survivors.
"""

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

KILLED = {1, 3, 36, -24, 24, 152, 255, 37}  # test failed or internal error, timeouts, type check
SURVIVED = {0}
NO_TESTS = {5, 33}


def classify(code):
    if code in KILLED:
        return "killed"
    if code in SURVIVED:
        return "survived"
    if code in NO_TESTS:
        return "no tests"
    if code is None:
        return "not checked"
    return "suspicious"


def results(root):
    for meta in sorted(Path(root).rglob("*.py.meta")):
        module = meta.relative_to(root).as_posix()[: -len(".meta")]
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        yield module, {name: classify(code) for name, code in codes.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default="mutants", help="mutmut's folder (default: mutants)")
    parser.add_argument(
        "--minimum", type=float, default=90.0, help="lowest acceptable score per module, in %%"
    )
    parser.add_argument("--survivors", action="store_true", help="list the mutants that were not killed")
    args = parser.parse_args(argv)
    failed = False
    rows = list(results(args.root))
    if not rows:
        print(f"No mutmut results under {args.root}/: run `make mutation` first.")
        return 1
    print(f"{'module':<48} {'mutants':>7} {'killed':>7} {'survived':>8} {'no tests':>8} {'score':>7}")
    for module, outcome in rows:
        counts = Counter(outcome.values())
        total = len(outcome)
        score = 100.0 * counts["killed"] / total if total else 100.0
        print(
            f"{module:<48} {total:>7} {counts['killed']:>7} {counts['survived']:>8} "
            f"{counts['no tests']:>8} {score:>6.1f}%"
        )
        if score < args.minimum or counts["not checked"] or counts["suspicious"]:
            failed = True
        if args.survivors:
            for name, status in sorted(outcome.items()):
                if status != "killed":
                    print(f"    {status:<11} {name}")
    if failed:
        print(f"A module scored below {args.minimum:.0f} % or has unchecked mutants.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
