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


@pytest.fixture(scope="session")
def served_feed(tmp_path_factory):
    """(learner feed text, expected rows) served once per run by an app of its own on SQLite.

    Only the parser tests share it: they read the text and change nothing.
    The expected rows come from `group_sessions`, nortime's own timetable.
    """
    import datetime as dt

    from feed_fixture import COURSE_NAME
    from nortime import create_app
    from nortime.db import db
    from nortime.models import Group
    from nortime.services.timetable import group_sessions

    folder = tmp_path_factory.mktemp("served_feed")
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                      "SERVER_NAME": "nortime.test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'feed.sqlite'}",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        timetable = build_timetable()
        response = app.test_client().get(f"/feeds/l/{timetable.learner_token}.ics")
        assert response.status_code == 200
        sessions = group_sessions(db.session.get(Group, timetable.group_id))
        db.session.remove()
        db.engine.dispose()
    utc = dt.timezone.utc

    def iso(moment):
        return moment.astimezone(utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    expected = sorted((iso(s.start), iso(s.end), "CANCELLED" if s.status == "cancelled" else "CONFIRMED",
                       ("Cancelled: " if s.status == "cancelled" else "") + COURSE_NAME) for s in sessions)
    return response.get_data(as_text=True), expected
