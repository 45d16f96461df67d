"""safe_cell: text that a spreadsheet would run as a formula is neutralised; numbers stay numbers."""
from __future__ import annotations

import csv
import io

import pytest

from nortime.spreadsheet import csv_text, safe_cell


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
                                  "@SUM(A1)", "\t=1+1", "\r=1+1", "-", "=", "+47 123"])
def test_formula_text_is_neutralised(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-3, -2.5, 0, 7, "-3", "-2.5", "+4", "12", "Finnsnes", "", "fewer than 5",
                                   "Ål = 3", "مرحبا"])
def test_numbers_and_plain_text_are_left_alone(value):
    assert safe_cell(value) == value


def test_csv_text_applies_it_to_every_cell():
    text = csv_text([["Venue", "Change"], ["=cmd", -3], ["Finnsnes", "-3"]])
    assert list(csv.reader(io.StringIO(text))) == [["Venue", "Change"], ["'=cmd", "-3"], ["Finnsnes", "-3"]]
    assert text.endswith("\r\n")


def test_every_csv_export_goes_through_csv_text():
    """Issue 16: one CSV writer, so no export can skip the neutralising (spreadsheet.csv_text)."""
    import re
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "nortime"
    writers = {str(path.relative_to(package)) for path in package.rglob("*.py")
               if re.search(r"csv\.(writer|DictWriter)\(", path.read_text())}
    assert writers == {"spreadsheet.py"}
