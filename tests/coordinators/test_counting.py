"""Counts of the hand-counted region (tests/coordinators/conftest.py), before and after the small-number rule."""
from __future__ import annotations

COLUMNS = ("signed_up", "placed", "waiting", "not_placed", "attending")


def raw(table) -> dict[str, tuple]:
    """{row label: the raw numbers in column order}, total included."""
    return {row.label: tuple(row.values[column.key] for column in table.columns) for row in table.all_rows()}


def shown(table) -> dict[str, tuple]:
    """{row label: numbers after the rule, None where hidden}."""
    return {row.label: tuple(table.value(row, column) for column in table.columns) for row in table.all_rows()}


def test_the_region_in_one_row(counts):
    assert raw(counts.headline) == {"Total": (24, 15, 3, 6, 11)}


def test_by_home_municipality(counts):
    assert raw(counts.tables["municipality"]) == {
        "Bardu": (6, 4, 1, 1, 2), "Målselv": (8, 5, 0, 3, 5), "Senja": (10, 6, 2, 2, 4), "Total": (24, 15, 3, 6, 11)}


def test_by_level_lists_every_level(counts):
    assert raw(counts.tables["level"]) == {
        "A1": (9, 6, 1, 2, 4), "A2": (6, 4, 1, 1, 2), "B1": (6, 5, 1, 0, 5), "B2": (3, 0, 0, 3, 0),
        "C1": (0, 0, 0, 0, 0), "Total": (24, 15, 3, 6, 11)}


def test_by_provider_with_the_learner_who_chose_none(counts):
    assert raw(counts.tables["provider"]) == {
        "Alpha": (17, 11, 1, 5, 9), "Beta": (6, 4, 1, 1, 2), "No provider chosen": (1, 0, 1, 0, 0),
        "Total": (24, 15, 3, 6, 11)}


def test_by_rota_type(counts):
    assert raw(counts.tables["rota"]) == {
        "Health care, three weeks": (5, 5, 0, 0, 5), "No shift work": (11, 7, 3, 1, 3),
        "Offshore 14/28": (5, 3, 0, 2, 3), "Own rota": (3, 0, 0, 3, 0), "Total": (24, 15, 3, 6, 11)}


def test_by_venue_with_teaching_hours(counts):
    # Finnsnes: Mondays 5, 12, 26 and Wednesdays 14, 21, 28 (the 7th cancelled, the 19th closed) x 2 h.
    # Bardufoss: Tuesdays 6, 20, 27 x 1.5 h + the moved 13th, 2 h. Setermoen: four Thursdays x 1 h.
    assert raw(counts.tables["venue"]) == {
        "Bardufoss hall": (5, 5, 6.5, 6.5), "Finnsnes hall": (6, 4, 12.0, 12.0), "Setermoen hall": (4, 2, 4.0, 4.0),
        "Total": (15, 11, 22.5, 22.5)}
    assert counts.planned_hours == 22.5 and counts.delivered_hours == 22.5


def test_delivered_hours_count_only_sessions_that_have_ended(region_app):
    import datetime as dt

    from nortime.services.counting import region_counts

    with region_app.test_request_context("/?lang=en"):
        # By Wednesday 7 January 12:00 only Monday 5th (2 h) and Tuesday 6th (1.5 h) have been taught.
        early = region_counts(now=dt.datetime(2026, 1, 7, 11, 0, tzinfo=dt.timezone.utc))
    assert early.delivered_hours == 3.5 and early.planned_hours == 22.5


def test_week_by_week(counts):
    # The cross-provider learner sits in G1's placements but is not placed by their own provider: 15, not 16.
    assert raw(counts.tables["week"]) == {
        "Week 2": (15, 11, 3, 4.5), "Week 3": (15, 0, 4, 7.0), "Week 4": (15, 0, 3, 4.5), "Week 5": (15, 0, 4, 6.5)}


def test_not_placed_by_main_reason_and_municipality(counts):
    table = counts.tables["unplaced"]
    assert [column.label for column in table.columns] == ["Bardu", "Målselv", "Senja", "All municipalities"]
    assert raw(table) == {
        "Too few for a group": (0, 3, 0, 3), "Work rota clashes with the times": (0, 0, 2, 2),
        "No venue within reach": (1, 0, 0, 1), "Total": (1, 3, 2, 6)}


def test_what_if_signals_are_read_defensively(counts):
    rows = {row.label: row.values["would_place"] for row in counts.what_if.rows}
    assert rows == {"Alpha: Saturday 10:00, Finnsnes hall, Norsk A1": 7, "Alpha: sun 12:00": 2}
    assert counts.what_if.value(counts.what_if.rows[1], "would_place") is None


def test_the_rule_on_the_municipality_table(counts):
    # By hand: the region hides waiting (3) and, to protect it, not placed (6). Bardu's placed (4) is
    # alone in its column, so Målselv's placed (5), the smaller of the other two, is hidden with it.
    assert shown(counts.headline) == {"Total": (24, 15, None, None, 11)}
    assert shown(counts.tables["municipality"]) == {
        "Bardu": (6, None, None, None, None), "Målselv": (8, None, None, None, 5),
        "Senja": (10, 6, None, None, None), "Total": (24, 15, None, None, 11)}
    table = counts.tables["municipality"]
    malselv = table.rows[1]
    assert not table.is_small(malselv, "placed") and table.is_small(malselv, "waiting")


def test_no_learner_data_leaves_the_service(counts):
    # Only numbers and category labels: no names, e-mail addresses or learner ids in any table.
    for table in [counts.headline, *counts.tables.values()]:
        for row in table.all_rows():
            assert "Person" not in row.label and "@" not in row.label
            assert all(isinstance(value, (int, float)) for value in row.values.values())


def test_row_order_gives_no_hidden_count_away(counts):
    # Reasons come in a fixed order, not by size: 3 (too few) and 1 (no venue) are both hidden.
    assert [row.key for row in counts.tables["unplaced"].rows] == ["rota_conflict", "no_venue_in_reach",
                                                                   "too_few_for_group"]
    # What-if: shown numbers largest first, hidden ones after, by name.
    assert [row.values["would_place"] for row in counts.what_if.rows] == [7, 2]
