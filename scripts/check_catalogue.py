#!/usr/bin/env python
"""Check the German catalogue of wagtail_tenantportal, or regenerate it with ``--update``.

The check (``make catalogue``, part of ``make test``) fails when

1. ``django.po`` does not parse or compile, its header is not German (Language, Plural-Forms),
   or the committed ``django.mo`` holds other translations than a fresh compile of the ``.po``;
2. an entry is untranslated or fuzzy, or a translation drops or invents a placeholder;
3. a msgid of the package's Python code or templates is missing from the catalogue (found by
   running Django's ``makemessages`` on a temporary copy of the package). Entries no longer in
   the source are reported as warnings.

Part 3 needs GNU gettext (``xgettext``). Without it the part is skipped with a note, except
with ``CI=true``: then the script installs gettext with apt-get when running as root, and fails
otherwise.

``--update`` (``make messages``) runs ``makemessages`` over the package in place (Python and
templates; migrations, static files and tests are left out), fixes the header of a new
catalogue and compiles ``django.mo``. With ``--fill-from a.po b.po ...`` it also fills
untranslated and fuzzy entries from other catalogues (translators' fragments), matched
exactly.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "wagtail_tenantportal"
LANGUAGE = "de"
PO_RELATIVE = Path("locale") / LANGUAGE / "LC_MESSAGES" / "django.po"

# The one definition of what makemessages scans: the check and `make messages` both use it.
MAKEMESSAGES_OPTIONS = {
    "locale": [LANGUAGE],
    "domain": "django",
    "extensions": ["html", "txt", "py"],
    "ignore_patterns": ["migrations", "static", "tests", "locale"],
    "no_location": True,
    "no_obsolete": True,
    "verbosity": 0,
}

GETTEXT_TOOLS = ("xgettext", "msguniq", "msgmerge", "msgattrib")

HEADER = {
    "Project-Id-Version": "wagtail-tenantportal",
    "Language": LANGUAGE,
    "Last-Translator": "wagtail-tenantportal contributors",
    "Language-Team": "German",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=2; plural=(n != 1);",
}
HEADER_COMMENT = (
    "German translation of wagtail-tenantportal.\n"
    "This file is distributed under the same license as the wagtail-tenantportal package."
)

# %(name)s, %s, %d, %.2f ... (not %%); and {name} for python-brace-format.
PERCENT_PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]+)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")
BRACE_PLACEHOLDER = re.compile(r"(?<!\{)\{(?P<name>[^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")


@dataclass
class Report:
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors

    def extend(self, other):
        self.errors += other.errors
        self.warnings += other.warnings
        self.notes += other.notes

    def print(self, stream=None):
        stream = stream or sys.stdout
        for note in self.notes:
            print(f"note: {note}", file=stream)
        for warning in self.warnings:
            print(f"warning: {warning}", file=stream)
        for error in self.errors:
            print(f"error: {error}", file=stream)


def entry_key(entry):
    """What identifies a message: context, msgid and (for plurals) msgid_plural."""
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def describe(key):
    msgctxt, msgid, msgid_plural = key
    text = repr(msgid)
    if msgid_plural:
        text += f" / plural {msgid_plural!r}"
    if msgctxt:
        text += f" (context {msgctxt!r})"
    return text


def mo_mapping(mo):
    """The content of a compiled catalogue: metadata and key -> translation(s)."""
    messages = {}
    for entry in mo:
        key = (entry.msgctxt or "", entry.msgid)
        if entry.msgid_plural:
            messages[key] = (entry.msgid_plural, tuple(sorted(entry.msgstr_plural.items())))
        else:
            messages[key] = entry.msgstr
    return dict(mo.metadata), messages


def _placeholders(text, flags):
    names = []
    if "python-format" in flags:
        names += [("%", m.group("name") or "", m.group(0)[-1]) for m in PERCENT_PLACEHOLDER.finditer(text)]
    if "python-brace-format" in flags:
        names += [("{}", m.group("name"), "") for m in BRACE_PLACEHOLDER.finditer(text)]
    return names


def check_placeholders(entry):
    """Errors for translations that lose or invent placeholders of a format string."""
    flags = set(entry.flags)
    if not flags & {"python-format", "python-brace-format"}:
        return []
    errors = []
    if entry.msgid_plural:
        allowed = {
            p[:2] for p in _placeholders(entry.msgid, flags) + _placeholders(entry.msgid_plural, flags)
        }
        for index, msgstr in sorted(entry.msgstr_plural.items()):
            invented = {p[:2] for p in _placeholders(msgstr, flags)} - allowed
            if invented:
                errors.append(
                    f"msgstr[{index}] of {describe(entry_key(entry))} uses unknown placeholders {sorted(invented)}"
                )
        return errors
    source = sorted(_placeholders(entry.msgid, flags))
    target = sorted(_placeholders(entry.msgstr, flags))
    if source != target:
        errors.append(
            f"placeholders of {describe(entry_key(entry))} differ: "
            f"{[p[0] + p[1] for p in source]} in the msgid, {[p[0] + p[1] for p in target]} in the msgstr"
        )
    return errors


def check_header(po):
    errors = []
    if po.metadata_is_fuzzy:
        errors.append("the header is marked fuzzy (msgfmt would drop it, and with it Plural-Forms)")
    if po.metadata.get("Language") != LANGUAGE:
        errors.append(f"header Language is {po.metadata.get('Language')!r}, expected {LANGUAGE!r}")
    plural_forms = po.metadata.get("Plural-Forms", "").replace(" ", "")
    if plural_forms.rstrip(";") != HEADER["Plural-Forms"].replace(" ", "").rstrip(";"):
        errors.append(
            f"header Plural-Forms is {po.metadata.get('Plural-Forms')!r}, expected {HEADER['Plural-Forms']!r}"
        )
    if "charset=utf-8" not in po.metadata.get("Content-Type", "").lower():
        errors.append("header Content-Type must declare charset=UTF-8")
    return errors


def check_po(po_path, mo_path=None, use_msgfmt=True):
    """Parts 1 and 2: the .po parses, compiles, is complete and matches the committed .mo.

    ``use_msgfmt``: also run ``msgfmt --check`` when GNU gettext is installed.
    """
    report = Report()
    po_path = Path(po_path)
    mo_path = Path(mo_path) if mo_path else po_path.with_suffix(".mo")
    try:
        po = polib.pofile(str(po_path), encoding="utf-8", check_for_duplicates=True)
    except (OSError, ValueError) as exc:
        report.errors.append(f"{po_path} cannot be parsed: {exc}")
        return report
    report.errors += check_header(po)

    for entry in po:
        if entry.obsolete:
            continue
        key = describe(entry_key(entry))
        if entry.fuzzy:
            report.errors.append(f"fuzzy: {key}")
        elif not entry.translated():
            report.errors.append(f"untranslated: {key}")
        else:
            report.errors += check_placeholders(entry)

    if use_msgfmt:
        report.errors += _msgfmt_check(po_path, report)

    with tempfile.TemporaryDirectory() as tmp:
        fresh_path = Path(tmp) / "fresh.mo"
        try:
            po.save_as_mofile(str(fresh_path))
            fresh = polib.mofile(str(fresh_path))
        except (OSError, ValueError) as exc:
            report.errors.append(f"{po_path} does not compile: {exc}")
            return report
    if not mo_path.exists():
        report.errors.append(f"{mo_path} is missing: run `make messages` (or compilemessages) and commit it")
        return report
    try:
        committed = polib.mofile(str(mo_path))
    except (OSError, ValueError) as exc:
        report.errors.append(f"{mo_path} cannot be read: {exc}")
        return report
    fresh_meta, fresh_messages = mo_mapping(fresh)
    committed_meta, committed_messages = mo_mapping(committed)
    stale = sorted(
        key
        for key in set(fresh_messages) | set(committed_messages)
        if fresh_messages.get(key) != committed_messages.get(key)
    )
    if stale or fresh_meta != committed_meta:
        shown = ", ".join(repr(msgid) for _ctx, msgid in stale[:10])
        more = f" and {len(stale) - 10} more" if len(stale) > 10 else ""
        what = f"{len(stale)} messages differ ({shown}{more})" if stale else "the header differs"
        report.errors.append(
            f"{mo_path} is stale, {what}: run `make messages` (or compilemessages) and commit it"
        )
    return report


def _msgfmt_check(po_path, report):
    """msgfmt --check validates format strings and the header more strictly; used when installed."""
    msgfmt = shutil.which("msgfmt")
    if not msgfmt:
        report.notes.append(
            "msgfmt not installed: compiled with polib only (install gettext for stricter checks)"
        )
        return []
    result = subprocess.run(  # noqa: S603 (fixed program and arguments)
        [msgfmt, "--check", "-o", os.devnull, str(po_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        return [f"msgfmt --check failed:\n{result.stderr.strip()}"]
    if result.stderr.strip():
        report.warnings.append(f"msgfmt --check: {result.stderr.strip()}")
    return []


def _configure_django():
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=True)


def run_makemessages(package_dir):
    """Run makemessages for German in ``package_dir`` (its ``locale/`` dir is created if needed)."""
    from django.core.management import call_command
    from django.core.management.commands.makemessages import Command as MakeMessages

    _configure_django()
    package_dir = Path(package_dir)
    (package_dir / "locale").mkdir(exist_ok=True)
    cwd = os.getcwd()
    os.chdir(package_dir)  # makemessages scans the working directory
    try:
        call_command(MakeMessages(), **MAKEMESSAGES_OPTIONS)
    finally:
        os.chdir(cwd)


def source_keys(package_dir):
    """The message keys found in the Python code and templates of ``package_dir``.

    Works on a temporary copy, so the package and its catalogue are left untouched.
    """
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / Path(package_dir).name
        shutil.copytree(package_dir, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "*.pyc"))
        run_makemessages(copy)
        pot = copy / PO_RELATIVE
        if not pot.exists():  # no msgids at all
            return set()
        return {entry_key(e) for e in polib.pofile(str(pot)) if not e.obsolete}


def check_against_source(po_path, package_dir):
    """Part 3: every msgid of the source is in the catalogue; leftovers are warnings."""
    report = Report()
    try:
        po = polib.pofile(str(po_path), encoding="utf-8")
    except (OSError, ValueError) as exc:
        report.errors.append(f"{po_path} cannot be parsed: {exc}")
        return report
    catalogue = {entry_key(e) for e in po if not e.obsolete}
    source = source_keys(package_dir)
    for key in sorted(source - catalogue):
        report.errors.append(f"missing from the catalogue: {describe(key)}")
    for key in sorted(catalogue - source):
        report.warnings.append(f"obsolete (not in the source any more): {describe(key)}")
    if source - catalogue:
        report.notes.append("add the missing msgids with `make messages`, then translate them")
    return report


def ensure_gettext(report, ci):
    """True when xgettext and friends are available (installing them in CI when possible)."""
    if all(shutil.which(tool) for tool in GETTEXT_TOOLS):
        return True
    if not ci:
        report.notes.append(
            "GNU gettext (xgettext) is not installed: the check against the source was skipped. "
            "Install gettext (apt-get install gettext) to run it; CI runs it always."
        )
        return False
    apt_get = shutil.which("apt-get")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and apt_get:
        print("installing gettext with apt-get (CI)", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        install = [apt_get, "install", "-y", "--no-install-recommends", "gettext"]
        # fixed programs and arguments; `apt-get update` only when the package lists are stale
        if subprocess.run(install, env=env, check=False).returncode:  # noqa: S603
            subprocess.run([apt_get, "update"], env=env, check=False)  # noqa: S603
            subprocess.run(install, env=env, check=False)  # noqa: S603
        if all(shutil.which(tool) for tool in GETTEXT_TOOLS):
            return True
    report.errors.append(
        "GNU gettext (xgettext) is required with CI=true but is not installed and could not be installed"
    )
    return False


def translations_in(paths):
    """Key -> translation (msgstr, or {index: msgstr} for plurals) of the finished entries of ``paths``.

    Untranslated, fuzzy and obsolete entries are skipped; a later file wins over an earlier one.
    """
    found = {}
    for path in paths:
        for entry in polib.pofile(str(path), encoding="utf-8"):
            if entry.obsolete or entry.fuzzy or not entry.translated():
                continue
            found[entry_key(entry)] = dict(entry.msgstr_plural) if entry.msgid_plural else entry.msgstr
    return found


def fill_entries(po, translations):
    """Translate the unfinished entries of ``po`` (untranslated or fuzzy) found in ``translations``.

    Finished entries are left alone. Returns the number of entries filled.
    """
    filled = 0
    for entry in po:
        if entry.obsolete or (entry.translated() and not entry.fuzzy):
            continue
        value = translations.get(entry_key(entry))
        if value is None:
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {int(index): text for index, text in value.items()}
        else:
            entry.msgstr = value
        if entry.fuzzy:
            entry.flags.remove("fuzzy")
        entry.previous_msgctxt = entry.previous_msgid = entry.previous_msgid_plural = None
        filled += 1
    return filled


def update_catalogue(package_dir, fill_from=()):
    """`make messages`: makemessages in place, fix the header of a new catalogue, compile the .mo.

    ``fill_from``: PO files (translators' fragments, a compendium) whose translations fill
    entries that are untranslated or fuzzy after the merge, matched exactly by context, msgid
    and plural msgid.
    """
    package_dir = Path(package_dir)
    po_path = package_dir / PO_RELATIVE
    run_makemessages(package_dir)
    po = polib.pofile(str(po_path), encoding="utf-8", wrapwidth=79)
    placeholders = (
        "",
        "FULL NAME <EMAIL@ADDRESS>",
        "LANGUAGE <LL@li.org>",
        "PACKAGE VERSION",
        "nplurals=INTEGER; plural=EXPRESSION;",
    )
    changed = po.metadata_is_fuzzy or "SOME DESCRIPTIVE TITLE" in (po.header or "")
    for name, value in HEADER.items():
        if po.metadata.get(name, "") in placeholders or (
            name in ("Language", "Plural-Forms") and po.metadata.get(name) != value
        ):
            po.metadata[name] = value
            changed = True
    if po.metadata.get("PO-Revision-Date", "").startswith("YEAR"):
        po.metadata["PO-Revision-Date"] = po.metadata.get("POT-Creation-Date", "")
        changed = True
    if changed:
        po.header = HEADER_COMMENT
        po.metadata_is_fuzzy = 0
    filled = fill_entries(po, translations_in(fill_from)) if fill_from else 0
    if changed or filled:
        po.save(str(po_path))
    po.save_as_mofile(str(po_path.with_suffix(".mo")))
    untranslated = [e for e in po if not e.obsolete and (e.fuzzy or not e.translated())]
    note = f", {filled} filled from {len(fill_from)} file(s)" if fill_from else ""
    print(f"{po_path}: {len(po)} entries{note}, {len(untranslated)} to translate")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--package", default=str(PACKAGE_DIR), help="package directory (default: %(default)s)"
    )
    parser.add_argument(
        "--po", help="catalogue to check (default: <package>/locale/de/LC_MESSAGES/django.po)"
    )
    parser.add_argument("--update", action="store_true", help="regenerate the catalogue and compile it")
    parser.add_argument(
        "--fill-from",
        nargs="+",
        default=[],
        metavar="PO",
        help="with --update: fill untranslated and fuzzy entries from these PO files (exact matches)",
    )
    parser.add_argument(
        "--skip-source", action="store_true", help="skip the completeness check against the source"
    )
    args = parser.parse_args(argv)
    ci = os.environ.get("CI", "").lower() == "true"
    package_dir = Path(args.package)
    po_path = Path(args.po) if args.po else package_dir / PO_RELATIVE

    if args.update:
        if not all(shutil.which(tool) for tool in GETTEXT_TOOLS):
            print("error: `make messages` needs GNU gettext (e.g. apt-get install gettext)", file=sys.stderr)
            return 1
        update_catalogue(package_dir, fill_from=args.fill_from)
        return 0

    if not po_path.exists():
        print(f"error: {po_path} does not exist: run `make messages`", file=sys.stderr)
        return 1
    report = check_po(po_path)
    if not args.skip_source and ensure_gettext(report, ci):
        report.extend(check_against_source(po_path, package_dir))
    report.print()
    if report.ok:
        print(f"catalogue {po_path.name} ({LANGUAGE}): OK")
        return 0
    print(f"catalogue check failed with {len(report.errors)} error(s)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
