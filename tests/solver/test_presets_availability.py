"""What each preset means for a learner: attendable shares worked out by hand.

Venue at Finnsnes, learner at Silsand (8 minutes), buffer 30, two-hour
sessions, presets anchored on Monday 2027-01-11 (a winter term, no DST change).
"""

from datetime import date, timedelta

import pytest

from solver.availability import compute_availability
from nortime.rota_presets import build_rota
from solver.problem import read_problem

ANCHOR = date(2027, 1, 11)


def attendable(make_doc, preset_id, weeks, slot):
    last = ANCHOR + timedelta(days=7 * weeks - 1)
    doc = make_doc(first_day=ANCHOR.isoformat(), last_day=last.isoformat(), slots=[slot],
                   rota=build_rota(preset_id, ANCHOR))
    availability = compute_availability(read_problem(doc))
    return int(availability.attendable[0, 0, 0, 0]), int(availability.total[0])


@pytest.mark.parametrize("preset_id, weeks, slot, expected", [
    # Office 08:00-16:00: 16:38 is the earliest start after work.
    ("office", 4, ("mon", "17:00"), (4, 4)),
    ("office", 4, ("mon", "16:30"), (0, 4)),
    # Evening weeks (14:00-22:00) block Monday evenings every other week.
    ("two_shift", 4, ("mon", "18:00"), (2, 4)),
    # Saturday day shifts in the third week of three.
    ("health_3week", 6, ("sat", "10:00"), (4, 6)),
    # Working every second weekend.
    ("health_2week", 4, ("sun", "12:00"), (2, 4)),
    # 10-day cycle over 10 weeks: each cycle day falls on a Monday once; the two afternoons block.
    ("continuous_3shift", 10, ("mon", "18:00"), (8, 10)),
    # Away Monday to Friday one week in four.
    ("army_field_week", 4, ("wed", "17:00"), (3, 4)),
    # Away the first 14 days of 42: the first two Saturdays.
    ("offshore_14_28", 6, ("sat", "10:00"), (4, 6)),
    # 12-hour days 07:00-19:00 for 14 days of 35.
    ("land_14_21", 5, ("tue", "18:00"), (3, 5)),
    # Weekend shop work leaves weekday evenings free and weekends taken.
    ("weekend_retail", 3, ("thu", "18:00"), (3, 3)),
    ("weekend_retail", 3, ("sat", "19:00"), (3, 3)),  # the Saturday shift ends 18:00, 38 minutes is enough
    ("weekend_retail", 3, ("sun", "12:00"), (0, 3)),
    # Cod season: afternoon to 01:00 Monday to Saturday; Sundays free.
    ("fish_cod_season", 3, ("tue", "18:00"), (0, 3)),
    ("fish_cod_season", 3, ("sun", "10:00"), (3, 3)),
])
def test_preset_shares(make_doc, preset_id, weeks, slot, expected):
    assert attendable(make_doc, preset_id, weeks, slot) == expected
