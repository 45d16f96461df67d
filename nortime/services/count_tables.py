"""Count tables and the small-number rule that keeps people unrecognisable in them.

The rule (the same on the dashboard, in CSV downloads and on the command line):

1. Primary: every cell that counts people and holds fewer than 5 (0 included)
   is shown as "fewer than 5". Hours are not people and are never hidden.
   An empty cell needs no protection of its own (nobody is in it), so it
   never makes another number hide, even where it could be worked out.
2. Complementary: a table lists "lines" of cells that add up, e.g. signed up
   = placed + waiting + not placed in one row, or the rows of a column adding
   up to the total row. No line may leave exactly one cell unknown, because
   the shown cells would give it away; when one does, its smallest shown cell
   is hidden too (shown as "hidden", since it may well be 5 or more), and so
   on until no line does (an unknown empty cell excepted, see 1).
3. Numbers that several tables share (the region's totals, which every
   breakdown repeats; "not placed" per municipality, in the municipality
   table and under the reasons) are hidden in all of them or in none; see
   `nortime.services.counting.consistent_tables`.

What the rule does not promise: safety against reasoning beyond sums along
lines, e.g. from "all cells are non-negative" or from comparing two
breakdowns by different attributes (municipality and level are never
crossed in one table, so their margins alone rarely pin anybody down).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..spreadsheet import csv_text

SMALL = 5
TOTAL = "__total__"

Cell = tuple[str, str]  # (row key, column key)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    people: bool = True  # counts of people fall under the small-number rule
    decimals: int = 0


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    values: Mapping[str, float]


@dataclass
class CountTable:
    """A table of counts with the small-number rule applied (see the module docstring).

    `parts` maps a column to the columns that add up to it within a row;
    `additive` names the columns whose rows add up to the total row.
    """

    key: str
    caption: str
    row_header: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    total: Row | None = None
    parts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    additive: frozenset[str] = frozenset()
    forced: frozenset[Cell] = frozenset()
    hidden: frozenset[Cell] = field(init=False)
    small: frozenset[Cell] = field(init=False)  # hidden because under SMALL; the rest of `hidden` are complements

    def __post_init__(self) -> None:
        values = self._values()
        self.hidden = frozenset(suppress(values, self._lines(), self._people_cells(), self.forced))
        self.small = frozenset(cell for cell in self.hidden if values[cell] < SMALL)

    def all_rows(self) -> tuple[Row, ...]:
        return self.rows + ((self.total,) if self.total is not None else ())

    def is_hidden(self, row: Row, column: Column | str) -> bool:
        key = column if isinstance(column, str) else column.key
        return (row.key, key) in self.hidden

    def is_small(self, row: Row, column: Column | str) -> bool:
        key = column if isinstance(column, str) else column.key
        return (row.key, key) in self.small

    def value(self, row: Row, column: Column | str) -> float | None:
        """The number in a cell, or None when the rule hides it."""
        key = column if isinstance(column, str) else column.key
        return None if (row.key, key) in self.hidden else row.values.get(key, 0)

    def _values(self) -> dict[Cell, float]:
        return {(row.key, column.key): row.values.get(column.key, 0)
                for row in self.all_rows() for column in self.columns}

    def _people_cells(self) -> set[Cell]:
        people = {column.key for column in self.columns if column.people}
        return {(row.key, key) for row in self.all_rows() for key in people}

    def _lines(self) -> list[list[Cell]]:
        lines = []
        for row in self.all_rows():
            for whole, parts in self.parts.items():
                lines.append([(row.key, part) for part in parts] + [(row.key, whole)])
        if self.total is not None:
            for key in self.additive:
                lines.append([(row.key, key) for row in self.rows] + [(TOTAL, key)])
        return lines


def suppress(values: Mapping[Cell, float], lines: Iterable[list[Cell]], people: set[Cell],
             forced: Iterable[Cell] = ()) -> set[Cell]:
    """The cells to hide: people cells under SMALL, `forced`, and complements (module docstring).

    Promise: working line by line from the shown cells (a line with one
    unknown cell gives that cell away), a reader can work out no hidden cell
    except empty ones. An empty cell is "fewer than 5" too, but nobody can be
    recognised in it, so it never makes another number hide. In each line the
    last cell is the line's total; a complement is taken from the shown parts
    first (smallest first), the total only when no part is shown.
    """
    hidden = {cell for cell in people if values[cell] < SMALL} | (set(forced) & set(values))
    unknown = set(hidden)  # cells whose number a reader cannot work out
    # Forced cells stay unknown, unless empty: an empty total could be worked out in its own table too.
    pinned = {cell for cell in set(forced) & set(values) if values[cell] > 0}
    lines = [line for line in lines if all(cell in people for cell in line)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            unknown_here = [cell for cell in line if cell in unknown]
            if len(unknown_here) != 1:
                continue
            changed = True
            cell = unknown_here[0]
            if values[cell] == 0 and cell not in pinned:
                unknown.discard(cell)
                continue
            shown = [other for other in line if other not in hidden]
            if shown:
                complement = min([other for other in shown if other != line[-1]] or shown, key=lambda c: values[c])
                hidden.add(complement)
                unknown.add(complement)
            else:
                # Only worked-out empty cells are left beside it: they stay unknown from now on.
                for other in line:
                    if other in hidden and other not in unknown:
                        unknown.add(other)
                        pinned.add(other)
    return hidden


@dataclass(frozen=True)
class HiddenTexts:
    """What a hidden cell says: under 5, or hidden as a complement (in the user's language)."""

    fewer: str
    hidden: str


def display(table: CountTable, row: Row, column: Column, texts: HiddenTexts, number) -> str:
    """A cell as text: `texts.fewer`/`texts.hidden` when hidden, else `number(value, decimals)`."""
    value = table.value(row, column)
    if value is None:
        return texts.fewer if table.is_small(row, column) else texts.hidden
    return number(value, column.decimals)


def plain_number(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}" if decimals else str(int(value))


def to_csv(table: CountTable, texts: HiddenTexts, total_label: str, delimiter: str = ",") -> str:
    """The table as CSV text: a header row, one line per row, the total last; no BOM (see csv_bytes).

    Labels that could start a spreadsheet formula are neutralised (spreadsheet.csv_text); `delimiter`
    ";" gives the form Norwegian Excel opens by double-click (its list separator).
    """
    header = [table.row_header] + [column.label for column in table.columns]
    return csv_text([header] + [[total_label if row.key == TOTAL else row.label]
                                + [display(table, row, column, texts, plain_number) for column in table.columns]
                                for row in table.all_rows()], delimiter=delimiter)


def csv_bytes(text: str) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens æøå and Arabic correctly."""
    return "\ufeff".encode() + text.encode("utf-8")


def to_json(table: CountTable, texts: HiddenTexts) -> dict:
    """The table as JSON-ready data; hidden cells are null and listed under "hidden"."""
    def row_json(row: Row) -> dict:
        return {"key": row.key if row.key != TOTAL else "total", "label": row.label,
                "values": {column.key: table.value(row, column) for column in table.columns},
                "hidden": [column.key for column in table.columns if table.is_hidden(row, column)],
                "fewer_than_5": [column.key for column in table.columns if table.is_small(row, column)]}

    return {"table": table.key, "caption": table.caption, "row_header": table.row_header,
            "columns": [{"key": column.key, "label": column.label} for column in table.columns],
            "rows": [row_json(row) for row in table.rows],
            "total": row_json(table.total) if table.total is not None else None,
            "hidden_means": {"small": texts.fewer, "complement": texts.hidden}}
