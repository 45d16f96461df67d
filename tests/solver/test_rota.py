"""Rota days repeat both ways from the anchor; wall-clock times become real instants (solver.clock)."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from solver.clock import LocalClock, wall_minute, wall_minute_of, wall_to_datetime
from solver.problem import AWAY, Rota, Shift

UTC_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def zoneinfo_minute(zone: str, moment: datetime) -> int:
    """UTC minute of a naive local time by zoneinfo's own rule (fold=0)."""
    return int((moment.replace(tzinfo=ZoneInfo(zone)) - UTC_EPOCH).total_seconds() // 60)


def test_rota_days_repeat_forward_and_backward_from_the_start():
    night = (Shift(21 * 60 + 45, 7 * 60 + 45),)
    rota = Rota(start=date(2027, 1, 13), cycle=(night, (), AWAY))
    assert rota.day(date(2027, 1, 13)) == night
    assert rota.day(date(2027, 1, 15)) == AWAY
    assert rota.day(date(2027, 1, 16)) == night
    assert rota.day(date(2027, 1, 12)) == AWAY  # the day before the anchor is the cycle's last day
    assert rota.day(date(2026, 1, 13) + timedelta(days=3 * 100)) == rota.day(date(2026, 1, 13))


@pytest.mark.parametrize("zone, day", [
    ("Europe/Oslo", date(2026, 10, 25)), ("Europe/Oslo", date(2027, 3, 28)),
    ("America/New_York", date(2026, 11, 1)), ("America/New_York", date(2027, 3, 14)),
    ("Australia/Lord_Howe", date(2027, 4, 4)), ("Australia/Lord_Howe", date(2026, 10, 4)),
    ("Asia/Tokyo", date(2027, 1, 11)),
])
def test_every_minute_of_a_changeover_day_matches_zoneinfo(zone, day):
    clock = LocalClock.for_span(zone, day - timedelta(days=30), day + timedelta(days=30))
    midnight = datetime.combine(day, datetime.min.time())
    walls = np.arange(wall_minute(day), wall_minute(day) + 2 * 1440)
    expected = [zoneinfo_minute(zone, midnight + timedelta(minutes=m)) for m in range(2 * 1440)]
    assert clock.to_utc(walls).tolist() == expected


def test_gap_and_overlap_rule():
    clock = LocalClock.for_span("Europe/Oslo", date(2026, 10, 1), date(2027, 4, 30))
    utc = datetime(1970, 1, 1)
    # 02:30 on 2027-03-28 does not exist: read with winter time, it is 01:30 UTC (03:30 summer time).
    assert utc + timedelta(minutes=clock.utc_of(date(2027, 3, 28), 150)) == datetime(2027, 3, 28, 1, 30)
    # 02:30 on 2026-10-25 happens twice: the first, in summer time, is 00:30 UTC.
    assert utc + timedelta(minutes=clock.utc_of(date(2026, 10, 25), 150)) == datetime(2026, 10, 25, 0, 30)


@pytest.mark.parametrize("night_of, hours", [(date(2026, 10, 24), 11), (date(2027, 3, 27), 9),
                                             (date(2027, 1, 16), 10)])
def test_a_2145_0745_night_lasts_as_long_as_the_clocks_say(night_of, hours):
    clock = LocalClock.for_span("Europe/Oslo", night_of - timedelta(days=3), night_of + timedelta(days=3))
    start = clock.utc_of(night_of, 21 * 60 + 45)
    end = clock.utc_of(night_of + timedelta(days=1), 7 * 60 + 45)
    assert end - start == hours * 60


def test_wall_minutes_round_trip():
    moment = datetime(2027, 3, 28, 2, 30)
    assert wall_to_datetime(wall_minute_of(moment)) == moment
    assert wall_minute(date(1970, 1, 2), 1) == 1441


def test_the_clock_is_exact_across_a_whole_school_year():
    clock = LocalClock.for_span("Europe/Oslo", date(2026, 8, 17), date(2027, 6, 18))
    assert len(clock.thresholds) == 2
    for day in (date(2026, 8, 17), date(2026, 12, 24), date(2027, 6, 18)):
        moment = datetime.combine(day, datetime.min.time()) + timedelta(hours=18)
        assert clock.utc_of(day, 18 * 60) == zoneinfo_minute("Europe/Oslo", moment)
