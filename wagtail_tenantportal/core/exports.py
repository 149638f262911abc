"""Spreadsheet exports (CSV, XLSX): cells that a spreadsheet would run as a formula.

Tenants and the ERP write free text (subjects, names, meter locations). A cell beginning
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel and LibreOffice
as a formula (CSV injection, OWASP), e.g. ``=HYPERLINK("https://evil.example","Details")``.
Every export of the package passes its cells through :func:`neutralise_formula`, which
puts a single quote in front (OWASP's recommendation): the spreadsheet shows the text
as typed and never evaluates it. Numbers (``-12,5``) stay numbers.
"""

import re

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# A plain number with sign, digits, decimal and thousands separators and an exponent.
_NUMBER = re.compile(r"[+-]?(?:\d[\d.,]*|[.,]\d+)(?:[eE][+-]?\d+)?")


def neutralise_formula(value):
    """``value`` as a spreadsheet cell that is never a formula: a string beginning with one of
    :data:`FORMULA_PREFIXES` gets a leading ``'`` unless it is a plain number; other values
    are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_row(values):
    """A list of the cells of ``values``, each through :func:`neutralise_formula`."""
    return [neutralise_formula(value) for value in values]
