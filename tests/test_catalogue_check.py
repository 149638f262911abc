"""scripts/check_catalogue.py on tiny fake catalogues and a tiny fake package."""

import importlib.util
import shutil
from pathlib import Path

import polib
import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_catalogue.py"
_spec = importlib.util.spec_from_file_location("check_catalogue", SCRIPT)
check_catalogue = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_catalogue)

HEADER = """\
msgid ""
msgstr ""
"Project-Id-Version: fake\\n"
"Language: de\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"""

COMPLETE = (
    HEADER
    + """
msgid "Contract"
msgstr "Vertrag"

#, python-format
msgid "Hello %(name)s"
msgstr "Guten Tag, %(name)s"

msgctxt "unit kind"
msgid "Flat"
msgstr "Wohnung"

#, python-format
msgid "%(count)s row"
msgid_plural "%(count)s rows"
msgstr[0] "%(count)s Zeile"
msgstr[1] "%(count)s Zeilen"
"""
)


def write_catalogue(directory, text, compile_from=None):
    """Write django.po and a django.mo compiled from ``compile_from`` (default: the same text)."""
    po_path = directory / "django.po"
    po_path.write_text(text, encoding="utf-8")
    source = directory / "source.po"
    source.write_text(compile_from if compile_from is not None else text, encoding="utf-8")
    polib.pofile(str(source)).save_as_mofile(str(directory / "django.mo"))
    return po_path


def errors_for(tmp_path, text, **kwargs):
    """The errors of the polib-based checks (the same with and without GNU gettext installed)."""
    return check_catalogue.check_po(write_catalogue(tmp_path, text, **kwargs), use_msgfmt=False).errors


def test_complete_catalogue_passes(tmp_path):
    report = check_catalogue.check_po(write_catalogue(tmp_path, COMPLETE))
    assert report.errors == []
    assert report.ok


def test_missing_translation_fails(tmp_path):
    text = COMPLETE.replace('msgstr "Vertrag"', 'msgstr ""')
    assert errors_for(tmp_path, text) == ["untranslated: 'Contract'"]


def test_missing_plural_form_fails(tmp_path):
    text = COMPLETE.replace('msgstr[1] "%(count)s Zeilen"', 'msgstr[1] ""')
    assert errors_for(tmp_path, text) == ["untranslated: '%(count)s row' / plural '%(count)s rows'"]


def test_fuzzy_entry_fails(tmp_path):
    text = COMPLETE.replace('msgctxt "unit kind"', '#, fuzzy\nmsgctxt "unit kind"')
    assert errors_for(tmp_path, text) == ["fuzzy: 'Flat' (context 'unit kind')"]


def test_obsolete_entries_are_ignored(tmp_path):
    text = COMPLETE + '\n#~ msgid "Old"\n#~ msgstr ""\n'
    assert errors_for(tmp_path, text) == []


def test_lost_placeholder_fails(tmp_path):
    text = COMPLETE.replace('"Guten Tag, %(name)s"', '"Guten Tag, %(nome)s"')
    (error,) = errors_for(tmp_path, text)
    assert error.startswith("placeholders of 'Hello %(name)s' differ")


def test_stale_mo_fails(tmp_path):
    older = COMPLETE.replace('msgstr "Vertrag"', 'msgstr "Kontrakt"')
    (error,) = errors_for(tmp_path, COMPLETE, compile_from=older)
    assert "django.mo is stale, 1 messages differ ('Contract')" in error


def test_missing_mo_fails(tmp_path):
    po_path = write_catalogue(tmp_path, COMPLETE)
    (tmp_path / "django.mo").unlink()
    (error,) = check_catalogue.check_po(po_path, use_msgfmt=False).errors
    assert "django.mo is missing" in error


def test_wrong_header_fails(tmp_path):
    text = COMPLETE.replace('"Language: de\\n"', '"Language: en\\n"').replace(
        "nplurals=2; plural=(n != 1);", "nplurals=1; plural=0;"
    )
    assert errors_for(tmp_path, text) == [
        "header Language is 'en', expected 'de'",
        "header Plural-Forms is 'nplurals=1; plural=0;', expected 'nplurals=2; plural=(n != 1);'",
    ]


def test_unparsable_catalogue_fails(tmp_path):
    po_path = tmp_path / "django.po"
    po_path.write_text(HEADER + '\nmsgid "Contract"\nthis is not a catalogue\n', encoding="utf-8")
    (error,) = check_catalogue.check_po(po_path).errors
    assert "cannot be parsed" in error


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext not installed")
def test_msgfmt_catches_what_polib_lets_through(tmp_path):
    text = COMPLETE.replace('msgstr "Vertrag"', 'msgstr "Vertrag')  # unterminated string
    errors = check_catalogue.check_po(write_catalogue(tmp_path, text, compile_from=COMPLETE)).errors
    assert any(e.startswith("msgfmt --check failed") and "end-of-line within string" in e for e in errors)


def test_main_exit_status(tmp_path, capsys):
    good = write_catalogue(tmp_path, COMPLETE)
    assert check_catalogue.main(["--po", str(good), "--skip-source"]) == 0
    assert "OK" in capsys.readouterr().out
    write_catalogue(tmp_path, COMPLETE.replace('msgstr "Vertrag"', 'msgstr ""'))
    assert check_catalogue.main(["--po", str(good), "--skip-source"]) == 1
    assert "error: untranslated: 'Contract'" in capsys.readouterr().out


def test_fill_entries_translates_only_unfinished_entries(tmp_path):
    target = polib.pofile(
        HEADER
        + """
msgid "Contract"
msgstr ""

#, fuzzy
#| msgid "Hello"
msgid "Hello %(name)s"
msgstr "Hallo"

msgctxt "unit kind"
msgid "Flat"
msgstr "Appartement"

msgid "%(count)s row"
msgid_plural "%(count)s rows"
msgstr[0] ""
msgstr[1] ""

msgid "Not in any fragment"
msgstr ""
"""
    )
    fragment = tmp_path / "fragment.po"
    fragment.write_text(
        COMPLETE + '\n#, fuzzy\nmsgid "Not in any fragment"\nmsgstr "Unsicher"\n', encoding="utf-8"
    )
    assert check_catalogue.fill_entries(target, check_catalogue.translations_in([fragment])) == 3
    by_id = {entry.msgid: entry for entry in target}
    assert by_id["Contract"].msgstr == "Vertrag"
    assert by_id["Hello %(name)s"].msgstr == "Guten Tag, %(name)s"
    assert not by_id["Hello %(name)s"].fuzzy
    assert by_id["Hello %(name)s"].previous_msgid is None
    assert by_id["Flat"].msgstr == "Appartement"  # finished entries are left alone
    assert by_id["%(count)s row"].msgstr_plural == {0: "%(count)s Zeile", 1: "%(count)s Zeilen"}
    assert by_id["Not in any fragment"].msgstr == ""  # fuzzy entries of a fragment are not used


needs_gettext = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in check_catalogue.GETTEXT_TOOLS), reason="GNU gettext not installed"
)


@pytest.fixture
def fake_package(tmp_path):
    package = tmp_path / "fakepkg"
    (package / "templates" / "fakepkg").mkdir(parents=True)
    (package / "migrations").mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(
        "from django.utils.translation import gettext_lazy as _, pgettext_lazy\n"
        "CONTRACT = _('Contract')\n"
        "FLAT = pgettext_lazy('unit kind', 'Flat')\n"
    )
    (package / "templates" / "fakepkg" / "page.html").write_text(
        "{% load i18n %}<h1>{% translate 'Your contracts' %}</h1>"
    )
    # migrations are not scanned
    (package / "migrations" / "0001_initial.py").write_text(
        "from django.utils.translation import gettext_lazy as _\nX = _('Only in a migration')\n"
    )
    return package


@needs_gettext
def test_source_keys_cover_python_and_templates(fake_package):
    assert check_catalogue.source_keys(fake_package) == {
        ("", "Contract", ""),
        ("unit kind", "Flat", ""),
        ("", "Your contracts", ""),
    }
    assert not (fake_package / "locale").exists()  # worked on a copy


@needs_gettext
def test_msgids_missing_from_the_catalogue_fail_and_obsolete_ones_warn(tmp_path, fake_package):
    po_path = write_catalogue(tmp_path, COMPLETE)
    report = check_catalogue.check_against_source(po_path, fake_package)
    assert report.errors == ["missing from the catalogue: 'Your contracts'"]
    assert report.warnings == [
        "obsolete (not in the source any more): '%(count)s row' / plural '%(count)s rows'",
        "obsolete (not in the source any more): 'Hello %(name)s'",
    ]


@needs_gettext
def test_update_creates_a_german_catalogue(fake_package):
    check_catalogue.update_catalogue(fake_package)
    po_path = fake_package / check_catalogue.PO_RELATIVE
    po = polib.pofile(str(po_path))
    assert po.metadata["Language"] == "de"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert not po.metadata_is_fuzzy
    assert {e.msgid for e in po} == {"Contract", "Flat", "Your contracts"}
    assert po_path.with_suffix(".mo").exists()
    # untranslated entries are reported by the check
    assert "untranslated: 'Contract'" in check_catalogue.check_po(po_path, use_msgfmt=False).errors


@needs_gettext
def test_update_fills_from_fragments_and_keeps_translations(tmp_path, fake_package):
    fragment = tmp_path / "fragment.po"
    fragment.write_text(
        HEADER + '\nmsgid "Your contracts"\nmsgstr "Ihre Verträge"\n\nmsgid "Contract"\nmsgstr "Vertrag"\n',
        encoding="utf-8",
    )
    check_catalogue.update_catalogue(fake_package, fill_from=[fragment])
    po_path = fake_package / check_catalogue.PO_RELATIVE
    assert check_catalogue.check_po(po_path, use_msgfmt=False).errors == [
        "untranslated: 'Flat' (context 'unit kind')"
    ]
    # a second run (makemessages merges into the existing catalogue) keeps the translations
    check_catalogue.update_catalogue(fake_package)
    translated = {e.msgid: e.msgstr for e in polib.pofile(str(po_path)) if e.translated()}
    assert translated == {"Your contracts": "Ihre Verträge", "Contract": "Vertrag"}
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    assert {e.msgid: e.msgstr for e in mo if e.msgid} == translated
