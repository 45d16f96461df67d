"""Attendance registration that writes: what a save does, corrections, and the learner's figures."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select


def records(app, group_id: int, day: str) -> dict[int, bool]:
    from nortime.db import db
    from nortime.models import Attendance

    with app.app_context():
        return {row.learner_id: row.present for row in db.session.scalars(
            select(Attendance).where(Attendance.group_id == group_id,
                                     Attendance.occurrence_date == dt.date.fromisoformat(day)))}


def corrections(app) -> list[tuple[int, bool, bool, int | None]]:
    from nortime.db import db
    from nortime.models import Attendance, AttendanceCorrection

    with app.app_context():
        return [(record.learner_id, correction.was_present, correction.now_present, correction.corrected_by_id)
                for correction, record in db.session.execute(
                    select(AttendanceCorrection, Attendance).join(Attendance)
                    .order_by(AttendanceCorrection.id))]


def test_first_save_registers_everyone_present_or_absent(app, region, staff, sign_in):
    client = sign_in(staff.alpha_staff)
    g1 = region.learners.g1
    response = client.post(f"/coordinator/attendance/group/{region.g1}/2026-01-12",
                           data={"present": [str(g1[0]), str(g1[1])]})
    assert response.status_code == 302
    saved = records(app, region.g1, "2026-01-12")
    # Everyone on G1's list gets a record; the learner who withdrew is no longer on it.
    assert {learner for learner, present in saved.items() if present} == {g1[0], g1[1]}
    assert set(saved) == set(g1) | {region.learners.cross} and corrections(app) == []


def test_a_second_save_logs_each_change_as_a_correction(app, region, staff, sign_in):
    client = sign_in(staff.alpha_staff)
    g1 = region.learners.g1
    url = f"/coordinator/attendance/group/{region.g1}/2026-01-05"
    # Recorded in the fixture: g1[0..3] present, g1[4..5] absent. Now g1[3] was absent after all, g1[4] present.
    response = client.post(url, data={"present": [str(g1[0]), str(g1[1]), str(g1[2]), str(g1[4]),
                                                  str(region.learners.withdrawn)]})
    assert response.status_code == 302
    saved = records(app, region.g1, "2026-01-05")
    assert saved[g1[3]] is False and saved[g1[4]] is True and saved[g1[0]] is True
    logged = {(learner, was, now) for learner, was, now, _ in corrections(app)}
    assert {(g1[3], True, False), (g1[4], False, True)} <= logged
    assert all(by == staff.alpha_staff.id for *_, by in corrections(app))
    page = client.get(url + "?lang=en").text
    assert "Corrections" in page


def test_saving_the_same_ticks_again_changes_nothing(app, region, staff, sign_in):
    client = sign_in(staff.beta_staff)
    g3 = region.learners.g3
    url = f"/coordinator/attendance/group/{region.g3}/2026-01-08"
    client.post(url, data={"present": [str(g3[0]), str(g3[1])]})
    assert corrections(app) == []


def test_attended_sessions_and_hours_for_the_learners_page(app, region):
    from nortime.db import db
    from nortime.models import Group, Learner, User
    from nortime.services.attendance import attended_hours, attended_sessions, record_attendance

    with app.test_request_context("/?lang=en"):
        group = db.session.get(Group, region.g2)
        learner = db.session.get(Learner, region.learners.g2[0])
        # Present on the 6th (90 min) in the fixture; now also at the session moved to the 14th (120 min).
        record_attendance(group, dt.date(2026, 1, 13), {learner.id}, None)
        sessions = attended_sessions(learner)
        assert [(s.occurrence_date, s.minutes, s.course, s.venue) for s in sessions] == [
            (dt.date(2026, 1, 6), 90, "Norsk B1", "Bardufoss hall"),
            (dt.date(2026, 1, 13), 120, "Norsk B1", "Bardufoss hall")]
        assert attended_hours(learner) == 3.5
        absent = db.session.get(Learner, region.learners.g1[5])
        assert attended_sessions(absent) == [] and attended_hours(absent) == 0
        assert db.session.scalar(select(User).limit(1)) is None  # no staff were needed for this


def test_new_attendance_feeds_the_counts(app, region):
    from nortime.db import db
    from nortime.models import Group
    from nortime.services.attendance import record_attendance
    from nortime.services.counting import region_counts

    with app.test_request_context("/?lang=en"):
        before = region_counts().headline.total.values["attending"]
        group = db.session.get(Group, region.g1)
        g1 = region.learners.g1
        record_attendance(group, dt.date(2026, 1, 12), {g1[4], g1[5]}, None)
        assert region_counts().headline.total.values["attending"] == before + 2 == 13


def test_todays_sessions_come_first(app, region, staff, sign_in, monkeypatch):
    import nortime.coordinators.attendance as pages

    monkeypatch.setattr(pages, "local_today", lambda: dt.date(2026, 1, 12))
    client = sign_in(staff.alpha_staff)
    page = client.get("/coordinator/attendance/?lang=en").text
    today = page.split("All groups")[0]
    assert f"/coordinator/attendance/group/{region.g1}/2026-01-12" in today
    assert f"/group/{region.g2}/" not in today  # G2 meets on Tuesdays
