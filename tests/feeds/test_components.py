"""Single components, without the app: VTIMEZONE rules and calendar names."""
from __future__ import annotations

import datetime as dt

import pytest


def test_vtimezone_follows_the_eu_rule_for_other_european_zones():
    from nortime.feeds.calendar import vtimezone

    zone = vtimezone("Europe/Helsinki", range(2026, 2028))
    daylight, standard = zone.subcomponents
    assert daylight["TZOFFSETFROM"].td == dt.timedelta(hours=2)
    assert daylight["TZOFFSETTO"].td == dt.timedelta(hours=3)
    # Local time of the 01:00 UTC change, before it: 03:00 in Helsinki's winter.
    assert daylight.decoded("DTSTART") == dt.datetime(1970, 3, 29, 3, 0)
    assert standard.decoded("DTSTART") == dt.datetime(1970, 10, 25, 4, 0)


def test_vtimezone_without_daylight_saving_has_one_observance():
    from nortime.feeds.calendar import vtimezone

    zone = vtimezone("Asia/Tokyo", range(2026, 2028))
    assert [component.name for component in zone.subcomponents] == ["STANDARD"]
    assert "RRULE" not in zone.subcomponents[0]


def test_vtimezone_refuses_a_zone_it_would_describe_wrongly():
    from nortime.feeds.calendar import vtimezone

    with pytest.raises(ValueError, match="America/New_York"):
        vtimezone("America/New_York", range(2026, 2028))


@pytest.mark.parametrize("raw, clean", [
    ("Norsk A2, kveld; del\\1\nny", "Norsk A2 kveld del 1 ny"),
    ("  Senja   voksenopplæring\r\n", "Senja voksenopplæring"),
    ("مرحبا: nortime", "مرحبا: nortime"),
])
def test_calendar_name_sanitised(raw, clean):
    from nortime.feeds.calendar import calendar_name

    assert calendar_name(raw) == clean
