"""CSV for spreadsheets, safe against formula injection (OWASP "CSV injection").

Excel and LibreOffice run a cell that starts with =, +, -, @, tab or CR as a
formula: a venue named `=HYPERLINK("https://evil.example", "Open")` would
become a live link in a coordinator's spreadsheet. Such text cells get a
leading apostrophe, which the spreadsheet shows as plain text. Numbers are
left alone, also negative ones written as text ("-3", "-2.5"), since they are
not formulas and must stay numbers.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def safe_cell(value):
    """The value as a spreadsheet should read it: text that could start a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(rows: Iterable[Iterable], delimiter: str = ",") -> str:
    """Rows as CSV text (CRLF line ends, no BOM), every cell through safe_cell. Every CSV export uses this.

    `delimiter` ";" is the form Norwegian Excel opens by double-click."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", delimiter=delimiter)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()
