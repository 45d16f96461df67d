"""Independent engines read the learner's feed exactly as nortime's own timetable says.

Each engine's (start UTC, end UTC, STATUS, SUMMARY) rows must equal those of
`group_sessions` for the fixture term: both DST changes, the closed weeks,
a cancelled session and two moved ones (one past a neighbouring occurrence).
"""
from __future__ import annotations

import re

import pytest

import feed_engines as engines


@pytest.fixture
def learner_feed(served_feed):
    text, expected = served_feed
    assert len(expected) == 49 and sum(row[2] == "CANCELLED" for row in expected) == 1
    return text, expected


def test_strict_ical_agrees(learner_feed):
    text, expected = learner_feed
    assert engines.with_ical(text) == expected


def test_strict_ical_would_reject_a_local_until(learner_feed):
    """The strict engine is a real check: UNTIL without Z after a TZID DTSTART is refused."""
    text, _ = learner_feed
    local_until = re.sub(r"UNTIL=(\d{8}T\d{6})Z", r"UNTIL=\1", text)
    assert local_until != text
    with pytest.raises(Exception):
        engines.with_ical(local_until)


def test_vobject_agrees(learner_feed):
    text, expected = learner_feed
    assert engines.with_vobject(text) == expected


@pytest.mark.parametrize("tz", ["UTC", "Asia/Tokyo"])
def test_icaljs_agrees_in_any_process_zone(learner_feed, tz):
    if not engines.icaljs_available():
        pytest.skip("ical.js not installed: run `make test-tools` (needs node and npm)")
    text, expected = learner_feed
    rows, zones = engines.with_icaljs(text, tz)
    assert zones == ["Europe/Oslo"]
    assert rows == expected


def test_libical_agrees(learner_feed):
    if not engines.libical_available():
        pytest.skip("libical's GObject bindings (Debian gir1.2-ical-3.0, python3-gi) are not installed")
    text, expected = learner_feed
    rows, zones = engines.with_libical(text)
    assert zones == ["Europe/Oslo"]
    assert rows == expected
