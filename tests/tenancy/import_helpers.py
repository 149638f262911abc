"""Builders for the import tests: small CSV exports written to a temp dir."""

import os
import shutil

from wagtail_tenantportal.tenancy.services import ImportFile, import_master_data

DATA = os.path.join(os.path.dirname(__file__), "data")
EXPORT = os.path.join(DATA, "export")


def export_dir(tmp_path):
    """A copy of the sample export (two companies, all seven files) that a test may change."""
    target = tmp_path / "export"
    shutil.copytree(EXPORT, target)
    return target


def export_files(directory, *kinds):
    """ImportFiles of ``directory`` (all files, or only ``kinds``)."""
    names = sorted(name for name in os.listdir(directory) if name.endswith(".csv"))
    files = [ImportFile.from_path(os.path.join(directory, name)) for name in names]
    return [f for f in files if not kinds or f.kind in kinds]


def write_csv(directory, name, text, encoding="utf-8", bom=False):
    """Write ``text`` (lines with real newlines) as ``name`` and return its ImportFile."""
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path = directory / name
    path.write_bytes(data)
    return ImportFile.from_path(path)


def replace_in(directory, name, old, new):
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def drop_lines(directory, name, *needles):
    path = directory / name
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not any(needle in line for needle in needles)]
    assert len(kept) < len(lines)
    path.write_text("".join(kept), encoding="utf-8")


def run_import(files, **kwargs):
    return import_master_data(files, **kwargs)


def counts_of(result):
    return {kind: (c.created, c.updated, c.unchanged, c.rejected) for kind, c in result.counts.items()}


def messages(result):
    return [(e.file, e.line, e.message) for e in result.errors]
