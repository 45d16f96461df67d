"""Teachers' own accounts: their groups and class lists only, attendance for sessions that have started.

On the per-test region (see conftest): Alpha's G1 (Mon+Wed 18:00) gets teacher Kari; G2 gets another
teacher; Beta's G3 none. Kari's account sees G1 and nothing else.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from .conftest import signed_in

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def teachers(app, region, staff):
    """Kari teaches G1, Per teaches G2; Kari has a teacher account (password "correct horse 1")."""
    from nortime.auth import create_user
    from nortime.db import db
    from nortime.models import Group, Learner, Provider, Teacher

    with app.test_request_context():
        alpha = db.session.get(Provider, region.alpha)
        kari = Teacher(slug="alpha-kari", provider=alpha, name="Kari Lærer", home_place_id="finnsnes", levels="A1")
        per = Teacher(slug="alpha-per", provider=alpha, name="Per Lærer", home_place_id="finnsnes", levels="B1")
        db.session.add_all([kari, per])
        db.session.flush()
        db.session.get(Group, region.g1).teacher_id = kari.id
        db.session.get(Group, region.g2).teacher_id = per.id
        learner = db.session.get(Learner, region.learners.g1[0])
        learner.name, learner.phone = "Amina Hassan Ali", "+47 912 00 001"
        db.session.commit()
        user = create_user("kari@example.org", "teacher", "correct horse 1", teacher=kari)
        return SimpleNamespace(kari=SimpleNamespace(id=user.id, email=user.email), kari_id=kari.id)


def test_a_teacher_sees_only_their_own_groups(app, region, teachers, client):
    signed_in(client, teachers.kari)
    listing = client.get("/coordinator/attendance/?lang=en").text
    assert f"/coordinator/attendance/group/{region.g1}" in listing
    assert f"/coordinator/attendance/group/{region.g2}" not in listing
    assert f"/coordinator/attendance/group/{region.g3}" not in listing
    assert client.get(f"/coordinator/attendance/group/{region.g1}").status_code == 200


@pytest.mark.parametrize("path", ["/coordinator/attendance/group/{g2}", "/coordinator/attendance/group/{g2}/2026-01-06",
                                  "/coordinator/attendance/group/{g3}", "/coordinator/attendance/group/{g3}/2026-01-08"])
def test_other_groups_are_not_found_for_a_teacher(app, region, teachers, client, path):
    signed_in(client, teachers.kari)
    url = path.format(g2=region.g2, g3=region.g3)
    assert client.get(url).status_code == 404
    assert client.post(url, data={"present": []}).status_code in (404, 405)


@pytest.mark.parametrize("path", ["/provider/", "/provider/learners", f"/provider/learners/1", "/provider/plans/1",
                                  "/provider/plans/1/publish", "/provider/import", "/provider/teachers",
                                  "/coordinator/", "/coordinator/tables/municipality.csv"])
def test_a_teacher_sees_no_plan_and_no_counts(app, region, teachers, client, path):
    signed_in(client, teachers.kari)
    assert client.get(path).status_code in (403, 404)


def test_a_teacher_logs_in_to_their_attendance_page(app, region, teachers, client):
    client.post("/logout")
    response = client.post("/login", data={"email": teachers.kari.email, "password": "correct horse 1"})
    assert response.headers["Location"].endswith("/coordinator/attendance/")


def test_the_class_list_shows_first_names_and_phone_numbers(app, region, teachers, client):
    signed_in(client, teachers.kari)
    page = client.get(f"/coordinator/attendance/group/{region.g1}?lang=en").text
    assert "Amina" in page and "Hassan Ali" not in page
    assert 'href="tel:+4791200001"' in page
    sheet = client.get(f"/coordinator/attendance/group/{region.g1}/2026-01-12?lang=en").text
    assert "Amina" in sheet and "Hassan Ali" not in sheet and 'name="present"' in sheet


def test_a_teacher_takes_attendance_and_corrections_are_logged(app, region, teachers, client):
    from nortime.db import db
    from nortime.models import Attendance, AttendanceCorrection

    signed_in(client, teachers.kari)
    url = f"/coordinator/attendance/group/{region.g1}/2026-01-12"
    present = region.learners.g1[:2]
    assert client.post(url, data={"present": present}).status_code == 302
    assert client.post(url, data={"present": present[:1]}).status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(Attendance).where(Attendance.group_id == region.g1,
                                                           Attendance.occurrence_date == dt.date(2026, 1, 12))).all()
        assert {row.learner_id for row in rows if row.present} == {present[0]}
        correction = db.session.scalars(select(AttendanceCorrection)).one()
        assert correction.corrected_by_id == teachers.kari.id and not correction.now_present


def test_attendance_is_refused_for_a_session_that_has_not_started(app, region, staff, client):
    from nortime.db import db
    from nortime.models import Attendance, Group
    from nortime.services.attendance import AttendanceError, record_attendance

    before = dt.datetime(2026, 1, 12, 17, 59, tzinfo=OSLO)
    after = dt.datetime(2026, 1, 12, 18, 0, tzinfo=OSLO)
    with app.test_request_context("/?lang=en"):
        group = db.session.get(Group, region.g1)
        with pytest.raises(AttendanceError, match="has not started yet"):
            record_attendance(group, dt.date(2026, 1, 12), set(), None, now=before)
        assert db.session.scalars(select(Attendance).where(Attendance.occurrence_date == dt.date(2026, 1, 12))).all() == []
        assert record_attendance(group, dt.date(2026, 1, 12), set(), None, now=after).created > 0


def test_the_page_refuses_a_future_session(app, region, staff, client, monkeypatch):
    """A session two months ahead (here: the term moved into the future) takes no attendance."""
    from nortime.db import db
    from nortime.models import Attendance, ClosedDate, Term

    with app.app_context():
        term = db.session.scalars(select(Term).where(Term.provider_id == region.alpha)).first()
        shift = (dt.date.today() + dt.timedelta(days=60)) - term.first_day
        shift = dt.timedelta(days=shift.days - shift.days % 7)  # keep the weekdays
        term.first_day, term.last_day = term.first_day + shift, term.last_day + shift
        for closed in term.closed_dates:
            closed.day = closed.day + shift
        db.session.commit()
        day = (dt.date(2026, 1, 12) + shift).isoformat()
    signed_in(client, staff.alpha_staff)
    page = client.get(f"/coordinator/attendance/group/{region.g1}/{day}?lang=en")
    assert page.status_code == 200 and 'id="not-started"' in page.text and 'name="present"' not in page.text
    refused = client.post(f"/coordinator/attendance/group/{region.g1}/{day}?lang=en",
                          data={"present": region.learners.g1[:1]})
    assert refused.status_code == 409 and "has not started yet" in refused.text
    with app.app_context():
        assert db.session.scalars(select(Attendance).where(
            Attendance.occurrence_date == dt.date.fromisoformat(day))).all() == []


def test_a_coordinator_gets_a_translated_explanation_with_a_way_back(app, region, staff, client):
    signed_in(client, staff.coordinator)
    for language, words in (("en", "does not register attendance"), ("nb", "registrerer ikke oppmøte")):
        response = client.get(f"/coordinator/attendance/?lang={language}")
        assert response.status_code == 403
        assert words in response.text and 'href="/coordinator/"' in response.text


def test_staff_have_a_menu_link_to_attendance(app, region, staff, client):
    signed_in(client, staff.alpha_staff)
    assert 'href="/coordinator/attendance/"' in client.get("/provider/term?lang=en").text


def test_create_user_links_a_teacher_account(app, region, teachers, runner):
    result = runner.invoke(args=["create-user", "--email", "per@example.org", "--role", "teacher",
                                 "--teacher", "alpha-per", "--password", "correct horse 2"])
    assert result.exit_code == 0, result.output
    from nortime.db import db
    from nortime.models import Teacher, User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "per@example.org"))
        assert user.teacher_id == db.session.scalar(select(Teacher.id).where(Teacher.slug == "alpha-per"))
        assert user.provider_id == region.alpha
    missing = runner.invoke(args=["create-user", "--email", "x@example.org", "--role", "teacher",
                                  "--password", "correct horse 2"])
    assert missing.exit_code != 0 and "teacher" in missing.output
    unknown = runner.invoke(args=["create-user", "--email", "y@example.org", "--role", "teacher",
                                  "--teacher", "nobody", "--password", "correct horse 2"])
    assert unknown.exit_code != 0 and "nobody" in unknown.output


def test_a_teacher_prints_first_names_of_their_own_group_only(app, region, teachers, client):
    signed_in(client, teachers.kari)
    page = client.get(f"/coordinator/attendance/group/{region.g1}/print?lang=en").text
    assert "Amina" in page and "Hassan Ali" not in page and "+47 912 00 001" in page
    assert client.get(f"/coordinator/attendance/group/{region.g2}/print").status_code == 404
