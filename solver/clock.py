"""Local wall-clock time to real instants, vectorised, for one IANA time zone.

Every date and clock time in a problem is local wall-clock time. Inside the
solver an instant is an integer number of minutes since 1970-01-01 00:00 UTC
("UTC minute"), so daylight-saving changes are real: a 21:45-07:45 night over
the last Sunday of October lasts 11 hours, over the last Sunday of March 9.

A wall time is first written as "wall minutes" (minutes since 1970-01-01
00:00 on the local calendar, as if there were no offsets) and then converted.

Rule for wall times that do not exist or exist twice (same as Python's
zoneinfo with fold=0): a time in the spring-forward gap uses the offset from
before the change (02:30 on 2027-03-28 in Oslo is 01:30 UTC, i.e. 03:30
summer time); a time in the autumn overlap means its first occurrence
(02:30 on 2026-10-25 is 00:30 UTC, summer time).

Nothing here depends on the machine's own time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, timedelta, timezone as dt_timezone
from zoneinfo import ZoneInfo

import numpy as np

MINUTES_PER_DAY = 24 * 60
EPOCH = date(1970, 1, 1)
EPOCH_ORDINAL = EPOCH.toordinal()
_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)
_SCAN_STEP = 180  # minutes; real zones never change offset twice within 3 hours


def wall_minute(day: date, minute: int = 0) -> int:
    """Wall minutes for `minute` after local midnight on `day`."""
    return (day.toordinal() - EPOCH_ORDINAL) * MINUTES_PER_DAY + minute


def wall_minute_of(moment: datetime) -> int:
    """Wall minutes of a naive local datetime (seconds are dropped)."""
    return wall_minute(moment.date(), moment.hour * 60 + moment.minute)


def wall_to_datetime(minutes: int) -> datetime:
    """The naive local datetime of a wall-minute number."""
    return datetime(1970, 1, 1) + timedelta(minutes=int(minutes))


def _offset_minutes(zone: ZoneInfo, utc_minute: int) -> int:
    moment = _UTC_EPOCH + timedelta(minutes=utc_minute)
    return int(moment.astimezone(zone).utcoffset().total_seconds() // 60)


@dataclass(frozen=True, eq=False)
class LocalClock:
    """Converts wall minutes to UTC minutes in one zone; exact for dates in the span it was built for.

    Outside that span the offset at the nearest edge is used.
    """

    timezone: str
    thresholds: np.ndarray  # int64 [T]: wall minute from which offsets[i + 1] applies
    offsets: np.ndarray  # int64 [T + 1]: minutes east of UTC

    @classmethod
    def for_span(cls, timezone: str, first: date, last: date) -> "LocalClock":
        """A clock exact for every wall time from `first` 00:00 to `last` 24:00 (and a day either side)."""
        # Cached: a learner page asks for one learner's availability at a time.
        return _clock_for_span(timezone, first, last)

    @classmethod
    def _scan(cls, timezone: str, first: date, last: date) -> "LocalClock":
        zone = ZoneInfo(timezone)
        lo = wall_minute(first - timedelta(days=2))
        hi = wall_minute(last + timedelta(days=3))
        offsets = [_offset_minutes(zone, lo)]
        thresholds: list[int] = []
        prev_minute = lo
        for minute in range(lo + _SCAN_STEP, hi + _SCAN_STEP, _SCAN_STEP):
            offset = _offset_minutes(zone, minute)
            if offset != offsets[-1]:
                # Bisect for the first UTC minute with the new offset.
                a, b = prev_minute, minute
                while b - a > 1:
                    mid = (a + b) // 2
                    if _offset_minutes(zone, mid) == offset:
                        b = mid
                    else:
                        a = mid
                # fold=0: wall times before T + max(old, new) still use the old offset.
                thresholds.append(b + max(offsets[-1], offset))
                offsets.append(offset)
            prev_minute = minute
        return cls(
            timezone=timezone,
            thresholds=np.asarray(thresholds, dtype=np.int64),
            offsets=np.asarray(offsets, dtype=np.int64),
        )

    def to_utc(self, wall: np.ndarray | int) -> np.ndarray | int:
        """UTC minutes for wall minutes (array or scalar)."""
        index = np.searchsorted(self.thresholds, wall, side="right")
        result = np.asarray(wall, dtype=np.int64) - self.offsets[index]
        return int(result) if np.ndim(result) == 0 else result

    def utc_of(self, day: date, minute: int = 0) -> int:
        """UTC minute of `minute` after local midnight on `day`."""
        return self.to_utc(wall_minute(day, minute))


@lru_cache(maxsize=32)
def _clock_for_span(timezone: str, first: date, last: date) -> LocalClock:
    clock = LocalClock._scan(timezone, first, last)
    clock.thresholds.flags.writeable = False  # shared between callers
    clock.offsets.flags.writeable = False
    return clock
