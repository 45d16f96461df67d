"""Fixtures for the feed tests: the published timetable of feed_fixture.py."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

# --import-mode=importlib keeps test folders off sys.path; the fixture data and
# the independent parsers are shared by several test files.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from feed_fixture import Timetable, build_timetable  # noqa: E402


@pytest.fixture
def timetable(app) -> Timetable:
    with app.app_context():
        return build_timetable()
