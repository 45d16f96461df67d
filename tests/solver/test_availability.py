"""Hand-checked availability answers, one rule at a time.

Unless a test says otherwise: venue at Finnsnes, learner at Silsand (8 minutes
away), buffer 30, so a session needs 38 minutes clear on both sides.
"""

from datetime import date

import numpy as np
import pytest

from solver.availability import compute_availability, occurrence_conflicts, slot_occurrences
from solver.problem import Slot, read_problem


def matrix(doc):
    """attendable[k=0, s] and total[s] for the only learner at the only venue."""
    availability = compute_availability(read_problem(doc))
    return availability.attendable[0, 0, 0].tolist(), availability.total.tolist()


def rota(start, *days):
    return {"start": start, "cycle": [list(d) if d != "away" else d for d in days]}


# -- occurrences -------------------------------------------------------------


def test_occurrences_are_every_matching_weekday_of_the_term_minus_closed_dates(make_doc):
    doc = make_doc(first_day="2027-01-11", last_day="2027-02-07", closed=["2027-01-23", "2027-01-24"])
    problem = read_problem(doc)
    assert slot_occurrences(problem, Slot(day=5, start=600)) == [
        date(2027, 1, 16), date(2027, 1, 30), date(2027, 2, 6)]
    assert slot_occurrences(problem, Slot(day=6, start=600)) == [
        date(2027, 1, 17), date(2027, 1, 31), date(2027, 2, 7)]


def test_occurrences_include_the_first_and_last_day(make_doc):
    problem = read_problem(make_doc(first_day="2027-01-16", last_day="2027-01-30"))
    assert slot_occurrences(problem, Slot(day=5, start=600)) == [
        date(2027, 1, 16), date(2027, 1, 23), date(2027, 1, 30)]


def test_closed_dates_lower_the_total_and_the_attendable_count(make_doc):
    attendable, total = matrix(make_doc(closed=["2027-01-23"]))
    assert total == [3]
    assert attendable == [3]


def test_no_rota_and_no_busy_time_means_every_occurrence_is_attendable(make_doc):
    assert matrix(make_doc()) == ([4], [4])


# -- the gap rule ------------------------------------------------------------


@pytest.mark.parametrize("shift_end, attendable", [("09:22", 4), ("09:23", 0)])
def test_a_gap_of_exactly_buffer_plus_travel_before_the_session_is_enough(make_doc, shift_end, attendable):
    # Session Saturdays 10:00; the shift ends 38 minutes before (09:22) or 37 minutes before (09:23).
    doc = make_doc(rota=rota("2027-01-11", *[[]] * 5, [["06:00", shift_end]], []))
    assert matrix(doc) == ([attendable], [4])


@pytest.mark.parametrize("shift_start, attendable", [("12:38", 4), ("12:37", 0)])
def test_a_gap_of_exactly_buffer_plus_travel_after_the_session_is_enough(make_doc, shift_start, attendable):
    # Session 10:00-12:00; the shift starts 38 or 37 minutes after it ends.
    doc = make_doc(rota=rota("2027-01-11", *[[]] * 5, [[shift_start, "20:00"]], []))
    assert matrix(doc) == ([attendable], [4])


def test_travel_counts_only_for_the_venue_it_leads_to(make_doc):
    # Living at the venue's own place needs only the buffer: 30 minutes.
    doc = make_doc(learner_home="finnsnes", rota=rota("2027-01-11", *[[]] * 5, [["06:00", "09:30"]], []))
    assert matrix(doc) == ([4], [4])
    doc = make_doc(learner_home="finnsnes", rota=rota("2027-01-11", *[[]] * 5, [["06:00", "09:31"]], []))
    assert matrix(doc) == ([0], [4])


def test_zero_buffer_and_zero_travel_allow_a_session_that_touches_a_shift(make_doc):
    doc = make_doc(buffer=0, travel=0, rota=rota("2027-01-11", *[[]] * 5, [["06:00", "10:00"], ["12:00", "16:00"]], []))
    assert matrix(doc) == ([4], [4])
    doc = make_doc(buffer=0, travel=0, rota=rota("2027-01-11", *[[]] * 5, [["06:00", "10:01"]], []))
    assert matrix(doc) == ([0], [4])


def test_a_longer_session_can_lose_occurrences_a_shorter_one_keeps(make_doc):
    doc = make_doc(rota=rota("2027-01-11", *[[]] * 5, [["13:07", "20:00"]], []))
    doc["courses"].append(dict(doc["courses"][0], id="long", session_minutes=150))
    availability = compute_availability(read_problem(doc))
    assert availability.durations == (120, 150)
    assert availability.attendable[0, 0, :, 0].tolist() == [4, 0]
    assert availability.share(0, 0, 120, [0]) == 1.0
    assert availability.share(0, 0, 150, [0]) == 0.0


# -- rota cycles -------------------------------------------------------------


def test_a_two_week_cycle_blocks_every_other_week(make_doc):
    # Saturday work in the first week of each 14-day cycle starting Monday 2027-01-11.
    week = [[]] * 5 + [[["08:00", "16:00"]], []]
    doc = make_doc(rota=rota("2027-01-11", *week, *[[]] * 7))
    problem = read_problem(doc)
    conflicts = occurrence_conflicts(problem, "L1", "vo", problem.slots[0], 120)
    assert [ok for _, ok, _ in conflicts] == [False, True, False, True]
    assert conflicts[0][2] == "shift 08:00-16:00"
    assert matrix(doc) == ([2], [4])


def test_an_anchor_after_the_term_repeats_backwards(make_doc):
    # Same rota as above, anchored six cycles later (2027-04-19): the term sees the same weeks.
    week = [[]] * 5 + [[["08:00", "16:00"]], []]
    doc = make_doc(rota=rota("2027-04-19", *week, *[[]] * 7))
    problem = read_problem(doc)
    assert [ok for _, ok, _ in occurrence_conflicts(problem, "L1", "vo", problem.slots[0], 120)] == [
        False, True, False, True]
    # One week later the pattern flips.
    doc = make_doc(rota=rota("2027-04-26", *week, *[[]] * 7))
    assert matrix(doc) == ([2], [4])
    problem = read_problem(doc)
    assert [ok for _, ok, _ in occurrence_conflicts(problem, "L1", "vo", problem.slots[0], 120)] == [
        True, False, True, False]


def test_an_away_day_blocks_its_own_date_only_from_midnight_to_midnight(make_doc):
    # Away on Fridays: a Saturday 10:00 session has 10 hours clear; a Saturday 00:20 session does not.
    doc = make_doc(slots=[("sat", "10:00"), ("sat", "00:20"), ("sat", "00:38")],
                   rota=rota("2027-01-11", [], [], [], [], "away", [], []))
    attendable, total = matrix(doc)
    assert total == [4, 4, 4]
    assert attendable == [4, 0, 4]
    problem = read_problem(doc)
    assert occurrence_conflicts(problem, "L1", "vo", problem.slots[1], 120)[0][2] == "away the day before"


def test_a_session_on_an_away_day_is_not_attendable(make_doc):
    doc = make_doc(rota=rota("2027-01-11", [], [], [], [], [], "away", []))
    assert matrix(doc) == ([0], [4])
    problem = read_problem(doc)
    assert occurrence_conflicts(problem, "L1", "vo", problem.slots[0], 120)[0][2] == "away"


def test_a_night_shift_starting_the_day_before_the_term_counts(make_doc):
    # Term starts Saturday 2027-01-16; nights Friday 21:45 -> Saturday 07:45, the first one before the term.
    doc = make_doc(first_day="2027-01-16", last_day="2027-01-30", slots=[("sat", "08:23"), ("sat", "08:22")],
                   rota=rota("2027-01-11", [], [], [], [], [["21:45", "07:45"]], [], []))
    attendable, total = matrix(doc)
    assert total == [3, 3]
    assert attendable == [3, 0]
    problem = read_problem(doc)
    first = occurrence_conflicts(problem, "L1", "vo", problem.slots[1], 120)[0]
    assert first == (date(2027, 1, 16), False, "shift 21:45-07:45 the day before")


def test_a_shift_of_equal_start_and_end_lasts_a_whole_day(make_doc):
    # Saturday 12:00 -> Sunday 12:00: a Sunday session needs to start 38 minutes after it ends.
    doc = make_doc(slots=[("sun", "12:37"), ("sun", "12:38")],
                   rota=rota("2027-01-11", [], [], [], [], [], [["12:00", "12:00"]], []))
    assert matrix(doc) == ([0, 4], [4, 4])


def test_busy_intervals_block_only_their_own_dates(make_doc):
    doc = make_doc(busy=[("2027-01-23T11:00", "2027-01-23T13:00"), ("2027-02-06T12:37", "2027-02-06T13:00")])
    problem = read_problem(doc)
    conflicts = occurrence_conflicts(problem, "L1", "vo", problem.slots[0], 120)
    assert [ok for _, ok, _ in conflicts] == [True, False, True, False]
    assert conflicts[1][2] == "busy 2027-01-23 11:00-13:00"
    assert matrix(doc) == ([2], [4])


# -- daylight saving -----------------------------------------------------------


def test_autumn_night_shift_lasts_eleven_hours_and_still_ends_at_0745(make_doc):
    # Nights every Saturday 21:45 -> Sunday 07:45. On 2026-10-25 clocks go back at 03:00.
    doc = make_doc(first_day="2026-10-12", last_day="2026-11-08", slots=[("sun", "08:23"), ("sun", "08:22")],
                   rota=rota("2026-10-12", [], [], [], [], [], [["21:45", "07:45"]], []))
    attendable, total = matrix(doc)
    assert total == [4, 4]
    assert attendable == [4, 0]  # the DST night ends 07:45 local like the others


def test_spring_night_shift_lasts_nine_hours_and_still_ends_at_0745(make_doc):
    doc = make_doc(first_day="2027-03-15", last_day="2027-04-11", slots=[("sun", "08:23"), ("sun", "08:22")],
                   rota=rota("2027-03-15", [], [], [], [], [], [["21:45", "07:45"]], []))
    assert matrix(doc) == ([4, 0], [4, 4])


def test_a_real_hour_disappears_in_spring(make_doc):
    # Session Sunday 01:00-02:00 local; a shift starts 03:00 local, one wall hour after it ends.
    # On 2027-03-28 02:00 jumps to 03:00: the session ends the instant the shift starts.
    doc = make_doc(first_day="2027-03-15", last_day="2027-04-11", slots=[("sun", "01:00")], minutes=60,
                   buffer=60, travel=0, learner_home="finnsnes",
                   rota=rota("2027-03-15", [], [], [], [], [], [], [["03:00", "05:00"]]))
    problem = read_problem(doc)
    assert [(d.isoformat(), ok) for d, ok, _ in occurrence_conflicts(problem, "L1", "vo", problem.slots[0], 60)] == [
        ("2027-03-21", True), ("2027-03-28", False), ("2027-04-04", True), ("2027-04-11", True)]
    assert matrix(doc) == ([3], [4])
    doc["learners"][0]["buffer_minutes"] = 0
    assert matrix(doc) == ([4], [4])


def test_a_real_hour_appears_in_autumn(make_doc):
    # Session Sunday 01:00-02:00; the shift starts 03:00 local: 60 real minutes later on ordinary
    # Sundays, 120 on 2026-10-25 when 03:00 summer time becomes 02:00 again.
    doc = make_doc(first_day="2026-10-12", last_day="2026-11-08", slots=[("sun", "01:00")], minutes=60,
                   buffer=90, travel=0, learner_home="finnsnes",
                   rota=rota("2026-10-12", [], [], [], [], [], [], [["03:00", "05:00"]]))
    problem = read_problem(doc)
    ok = [(d.isoformat(), ok) for d, ok, _ in occurrence_conflicts(problem, "L1", "vo", problem.slots[0], 60)]
    assert ok == [("2026-10-18", False), ("2026-10-25", True), ("2026-11-01", False), ("2026-11-08", False)]
    assert matrix(doc) == ([1], [4])


def test_an_ambiguous_autumn_time_means_its_first_occurrence(make_doc):
    # 02:30 on 2026-10-25 happens twice; the rule takes the first (summer time, 00:30 UTC),
    # so a shift from 02:30 is only 30 real minutes after a 01:00-02:00 session.
    doc = make_doc(first_day="2026-10-19", last_day="2026-10-25", slots=[("sun", "01:00")], minutes=60,
                   buffer=30, travel=0, learner_home="finnsnes",
                   rota=rota("2026-10-19", [], [], [], [], [], [], [["02:30", "05:00"]]))
    assert matrix(doc) == ([1], [1])
    doc["learners"][0]["buffer_minutes"] = 31
    assert matrix(doc) == ([0], [1])


def test_share_over_several_slots_is_attendable_over_all_occurrences(make_doc):
    doc = make_doc(slots=[("sat", "10:00"), ("sun", "10:00")], closed=["2027-01-17"],
                   rota=rota("2027-01-11", [], [], [], [], [], [], [["08:00", "16:00"]]))
    availability = compute_availability(read_problem(doc))
    assert availability.total.tolist() == [4, 3]
    assert availability.attendable[0, 0, 0].tolist() == [4, 0]
    assert availability.share(0, 0, 120, [0, 1]) == pytest.approx(4 / 7)
    assert availability.share(0, 0, 120, []) == 0.0


def test_learner_subset_rows_follow_the_requested_order(make_doc):
    doc = make_doc()
    doc["learners"].append(dict(doc["learners"][0], id="L2",
                                rota=rota("2027-01-11", [], [], [], [], [], [["08:00", "16:00"]], [])))
    problem = read_problem(doc)
    both = compute_availability(problem)
    only_second = compute_availability(problem, learner_indexes=[1])
    assert only_second.learner_indexes == (1,)
    assert np.array_equal(only_second.attendable[0], both.attendable[1])
    assert both.attendable[:, 0, 0, 0].tolist() == [4, 0]


def test_conflicts_for_an_unknown_learner_or_venue_say_which(make_doc):
    problem = read_problem(make_doc())
    with pytest.raises(KeyError, match="unknown learner 'L9'"):
        occurrence_conflicts(problem, "L9", "vo", problem.slots[0], 120)
    with pytest.raises(KeyError, match="unknown venue 'x'"):
        occurrence_conflicts(problem, "L1", "x", problem.slots[0], 120)


def test_a_slot_with_no_occurrence_in_the_term_has_nothing_to_attend(make_doc):
    # Term Monday to Thursday: the Saturday slot never meets, the Monday one meets once.
    doc = make_doc(first_day="2027-01-11", last_day="2027-01-14", slots=[("sat", "10:00"), ("mon", "18:00")])
    availability = compute_availability(read_problem(doc))
    assert availability.total.tolist() == [0, 1]
    assert availability.attendable[0, 0, 0].tolist() == [0, 1]
    assert availability.share(0, 0, 120, [0]) == 0.0
    assert availability.share(0, 0, 120, [0, 1]) == 1.0
