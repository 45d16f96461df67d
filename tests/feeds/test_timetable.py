"""nortime.services.timetable: sessions of published groups, in real local time."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from feed_fixture import CANCELLED_DAY, CLOSED, MOVED_FAR_DAY, MOVED_NEAR_DAY

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.timezone.utc


def load(app, timetable):
    from nortime.db import db
    from nortime.models import Group, Learner

    return db.session.get(Group, timetable.group_id), db.session.get(Learner, timetable.learner_id)


def test_sessions_keep_local_time_across_both_dst_changes(app, timetable):
    from nortime.services.timetable import group_sessions

    with app.app_context():
        group, _ = load(app, timetable)
        sessions = {s.occurrence_date: s for s in group_sessions(group)}
    before, after = sessions[dt.date(2026, 10, 22)], sessions[dt.date(2026, 10, 26)]
    assert (before.start.astimezone(UTC).hour, after.start.astimezone(UTC).hour) == (15, 17)
    spring = sessions[dt.date(2027, 4, 1)]
    assert spring.start.astimezone(UTC) == dt.datetime(2027, 4, 1, 15, 30, tzinfo=UTC)
    assert spring.end - spring.start == dt.timedelta(minutes=150)


def test_closed_dates_are_left_out_and_changes_applied(app, timetable):
    from nortime.services.timetable import group_sessions

    with app.app_context():
        group, _ = load(app, timetable)
        sessions = group_sessions(group)
    days = [s.occurrence_date for s in sessions]
    assert not set(days) & set(CLOSED)
    assert all(day.weekday() in (0, 3) for day in days)
    assert days[0] == dt.date(2026, 10, 5) and days[-1] == dt.date(2027, 4, 15)
    by_day = {s.occurrence_date: s for s in sessions}
    assert by_day[CANCELLED_DAY].status == "cancelled" and "storm" in by_day[CANCELLED_DAY].reason
    moved = by_day[MOVED_NEAR_DAY]
    assert moved.status == "moved"
    assert moved.start == dt.datetime(2027, 2, 2, 19, tzinfo=OSLO)
    far = by_day[MOVED_FAR_DAY]
    assert (far.status, far.start, far.end) == ("moved", dt.datetime(2027, 3, 9, 18, tzinfo=OSLO),
                                                dt.datetime(2027, 3, 9, 20, 30, tzinfo=OSLO))
    assert [s.start for s in sessions] == sorted(s.start for s in sessions)


def test_learner_sessions_only_from_published_plans(app, timetable):
    from nortime.db import db
    from nortime.models import Plan
    from nortime.services.plans import current_live_plan
    from nortime.services.timetable import group_sessions, learner_sessions, published_group_for

    with app.app_context():
        group, learner = load(app, timetable)
        assert published_group_for(learner).id == group.id
        assert current_live_plan(timetable.provider_id).id == timetable.plan_id
        assert learner_sessions(learner) == group_sessions(group) and len(group_sessions(group)) > 40
        db.session.get(Plan, timetable.plan_id).status = "draft"
        db.session.commit()
        assert published_group_for(learner) is None
        assert learner_sessions(learner) == []
        assert current_live_plan(timetable.provider_id) is None


def test_feed_urls_use_base_url_never_the_request_host(app, timetable):
    from nortime.db import db
    from nortime.models import Venue
    from nortime.services.timetable import feed_urls

    with app.app_context():
        _, learner = load(app, timetable)
        venue = db.session.get(Venue, timetable.venue_id)
        with app.test_request_context("/", base_url="https://attacker.example"):
            urls = feed_urls("venue", venue)
        assert urls == {"webcal": "webcal://nortime.test/feeds/venue/senja-vo.ics",  # SERVER_NAME without BASE_URL
                        "https": "http://nortime.test/feeds/venue/senja-vo.ics",
                        "download": "http://nortime.test/feeds/venue/senja-vo.ics?download=1"}
        app.config["BASE_URL"] = "https://nortime.example.org/"
        private = feed_urls("learner", learner)
    assert private["https"] == f"https://nortime.example.org/feeds/l/{timetable.learner_token}.ics"
    assert private["webcal"].startswith("webcal://nortime.example.org/feeds/l/")
