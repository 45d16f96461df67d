"""The small-number rule on its own (no database): primary and complementary suppression, CSV, JSON."""
from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from nortime.services.count_tables import TOTAL, Column, CountTable, HiddenTexts, Row, csv_bytes, suppress, to_csv, to_json

TEXTS = HiddenTexts(fewer="fewer than 5", hidden="hidden")
PEOPLE = (Column("signed_up", "Signed up"), Column("placed", "Placed"), Column("waiting", "Waiting"))


def table(rows: dict[str, tuple[int, int, int]], total: tuple[int, int, int] | None = None, **extra) -> CountTable:
    made = tuple(Row(key, key.title(), dict(zip(("signed_up", "placed", "waiting"), values))) for key, values in rows.items())
    if total is None:
        total = tuple(sum(values[i] for values in rows.values()) for i in range(3))
    return CountTable("test", "Test", "Area", PEOPLE, made,
                      total=Row(TOTAL, "Total", dict(zip(("signed_up", "placed", "waiting"), total))),
                      parts={"signed_up": ("placed", "waiting")},
                      additive=frozenset(("signed_up", "placed", "waiting")), **extra)


def test_cells_under_five_are_hidden_and_zero_too():
    counted = table({"north": (20, 15, 5), "south": (30, 26, 4)}, total=(50, 41, 9))
    assert counted.is_small(counted.rows[1], "waiting")
    assert not counted.is_small(counted.rows[0], "waiting")  # 5 is not under 5
    five = table({"north": (20, 15, 5), "south": (30, 25, 5)})
    assert five.hidden == frozenset() and five.value(five.rows[0], "waiting") == 5
    empty = table({"north": (20, 20, 0), "south": (30, 20, 10)})
    assert empty.is_small(empty.rows[0], "waiting")


def test_a_lone_hidden_cell_in_a_row_takes_the_smallest_other_part_with_it():
    # south: 30 = 26 + 4; with 4 hidden, 26 would give it away: 30 - 26.
    counted = table({"north": (20, 15, 5), "south": (30, 26, 4)}, total=(50, 41, 9))
    south = counted.rows[1]
    assert counted.is_hidden(south, "placed") and not counted.is_small(south, "placed")
    # ...and then the columns: north's placed and waiting go too (placed 15 + 26 = 41; waiting 5 + 4 = 9).
    north = counted.rows[0]
    assert counted.is_hidden(north, "placed") and counted.is_hidden(north, "waiting")
    assert counted.value(north, "signed_up") == 20 and counted.value(south, "signed_up") == 30


def test_no_line_is_left_with_exactly_one_hidden_cell_unless_it_is_empty():
    counted = table({"a": (12, 9, 3), "b": (40, 33, 7), "c": (8, 8, 0), "d": (25, 21, 4)})
    values = counted._values()
    lone = [[cell for cell in line if cell in counted.hidden] for line in counted._lines()]
    assert [cells for cells in lone if len(cells) == 1] == [[("c", "waiting")]] and values[("c", "waiting")] == 0


def test_a_single_row_hides_its_total_with_it():
    values = {("a", "x"): 3, (TOTAL, "x"): 3}
    hidden = suppress(values, [[("a", "x"), (TOTAL, "x")]], set(values))
    assert hidden == {("a", "x"), (TOTAL, "x")}


def test_forced_cells_are_hidden_and_complemented():
    counted = table({"north": (20, 14, 6), "south": (30, 24, 6)}, forced=frozenset({(TOTAL, "waiting")}))
    assert counted.is_hidden(counted.total, "waiting") and not counted.is_small(counted.total, "waiting")
    assert counted.is_hidden(counted.total, "placed")  # else 50 - 38 gives waiting back


def test_hours_are_not_people_and_stay_shown():
    columns = (Column("people", "People"), Column("hours", "Hours", people=False, decimals=1))
    counted = CountTable("t", "T", "Week", columns, (Row("w1", "Week 1", {"people": 2, "hours": 1.5}),))
    assert counted.value(counted.rows[0], "people") is None
    assert counted.value(counted.rows[0], "hours") == 1.5


def test_csv_has_bom_header_and_the_hidden_texts():
    counted = table({"north": (20, 15, 5), "south": (30, 26, 4)}, total=(50, 41, 9))
    data = csv_bytes(to_csv(counted, TEXTS, "Total"))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Area", "Signed up", "Placed", "Waiting"]
    assert rows[1:] == [["North", "20", "hidden", "hidden"], ["South", "30", "hidden", "fewer than 5"],
                        ["Total", "50", "41", "9"]]


def test_json_gives_hidden_cells_as_null():
    counted = table({"north": (20, 15, 5), "south": (30, 26, 4)}, total=(50, 41, 9))
    data = to_json(counted, TEXTS)
    south = data["rows"][1]
    assert south["values"] == {"signed_up": 30, "placed": None, "waiting": None}
    assert south["fewer_than_5"] == ["waiting"] and sorted(south["hidden"]) == ["placed", "waiting"]
    assert data["total"]["values"]["placed"] == 41


def test_an_empty_cell_reads_fewer_than_five_but_hides_nothing_else():
    # north: 20 = 20 + 0. Working out the 0 tells nothing about anybody, so 20 placed stays shown.
    counted = table({"north": (20, 20, 0), "south": (30, 20, 10)})
    assert counted.hidden == {("north", "waiting")} and counted.small == {("north", "waiting")}


def worked_out(values, lines, hidden) -> set:
    """Every cell a reader can work out line by line, starting from the shown cells."""
    known = set(values) - set(hidden)
    changed = True
    while changed:
        changed = False
        for line in lines:
            unknown = [cell for cell in line if cell not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                changed = True
    return known


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=1, max_size=6), st.booleans())
@settings(max_examples=120, deadline=None)
def test_no_hidden_person_can_be_worked_out_from_a_table(rows, force_total):
    def values(placed: int, waiting: int) -> dict:
        return {"signed_up": placed + waiting, "placed": placed, "waiting": waiting}

    counted = CountTable("t", "T", "Area", PEOPLE,
                         tuple(Row(f"r{index}", f"R{index}", values(*row)) for index, row in enumerate(rows)),
                         total=Row(TOTAL, "Total", values(sum(r[0] for r in rows), sum(r[1] for r in rows))),
                         parts={"signed_up": ("placed", "waiting")},
                         additive=frozenset(("signed_up", "placed", "waiting")),
                         forced=frozenset({(TOTAL, "waiting")}) if force_total else frozenset())
    cells = counted._values()
    known = worked_out(cells, counted._lines(), counted.hidden)
    assert {cell for cell in counted.hidden if cell in known and cells[cell] > 0} == set()
    assert all(cells[cell] >= 5 for cell in set(cells) - counted.hidden)
