"""Attendance pages that only read: who may see which group, which dates have a session, refusals.

All on one shared region (nothing here writes; refused saves must not either, and are checked).
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from .conftest import signed_in


def records(app, group_id: int, day: str) -> dict[int, bool]:
    from nortime.db import db
    from nortime.models import Attendance

    with app.app_context():
        return {row.learner_id: row.present for row in db.session.scalars(
            select(Attendance).where(Attendance.group_id == group_id,
                                     Attendance.occurrence_date == dt.date.fromisoformat(day)))}


def test_staff_see_their_own_groups_only(region_app):
    client = signed_in(region_app.test_client(), region_app.staff.alpha_staff)
    listing = client.get("/coordinator/attendance/?lang=en").text
    assert f"/coordinator/attendance/group/{region_app.region.g1}" in listing
    assert f"/coordinator/attendance/group/{region_app.region.g2}" in listing
    assert f"/coordinator/attendance/group/{region_app.region.g3}" not in listing
    assert f"/coordinator/attendance/group/{region_app.region.g0}" not in listing  # archived plan


@pytest.mark.parametrize("path", ["/coordinator/attendance/group/{g3}", "/coordinator/attendance/group/{g3}/2026-01-08"])
def test_another_providers_group_is_not_found(region_app, path):
    client = signed_in(region_app.test_client(), region_app.staff.alpha_staff)
    url = path.format(g3=region_app.region.g3)
    assert client.get(url).status_code == 404
    assert client.post(url, data={"present": []}).status_code in (404, 405)
    assert records(region_app, region_app.region.g3, "2026-01-08") == {region_app.region.learners.g3[0]: True, region_app.region.learners.g3[1]: True,
                                                     region_app.region.learners.g3[2]: False, region_app.region.learners.g3[3]: False}


def test_an_archived_group_is_not_found_even_for_its_provider(region_app):
    client = signed_in(region_app.test_client(), region_app.staff.alpha_staff)
    assert client.get(f"/coordinator/attendance/group/{region_app.region.g0}").status_code == 404


def test_coordinators_do_not_take_attendance(region_app):
    client = signed_in(region_app.test_client(), region_app.staff.coordinator)
    assert client.get(f"/coordinator/attendance/group/{region_app.region.g1}/2026-01-12").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(region_app):
    response = region_app.test_client().get(f"/coordinator/attendance/group/{region_app.region.g1}/2026-01-12")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_list_shows_the_groups_learners(region_app):
    from nortime.db import db
    from nortime.models import Learner

    client = signed_in(region_app.test_client(), region_app.staff.beta_staff)
    page = client.get(f"/coordinator/attendance/group/{region_app.region.g3}/2026-01-15?lang=en").text
    with region_app.app_context():
        for learner_id in region_app.region.learners.g3:
            assert db.session.get(Learner, learner_id).name in page
    assert page.count('type="checkbox" name="present"') == 4


def test_a_cancelled_session_takes_no_attendance(region_app):
    client = signed_in(region_app.test_client(), region_app.staff.alpha_staff)
    url = f"/coordinator/attendance/group/{region_app.region.g1}/2026-01-07"
    page = client.get(url + "?lang=en")
    assert page.status_code == 200 and "cancelled" in page.text and 'name="present"' not in page.text
    response = client.post(url, data={"present": [str(region_app.region.learners.g1[0])]})
    assert response.status_code == 409
    assert records(region_app, region_app.region.g1, "2026-01-07") == {}


@pytest.mark.parametrize("day", ["2026-01-19", "2026-01-06", "2026-02-02", "yesterday"])
def test_a_date_without_a_session_is_not_found(region_app, day):
    # 19 January is closed, the 6th is a Tuesday (G1 meets Mon+Wed), 2 February is after the term.
    client = signed_in(region_app.test_client(), region_app.staff.alpha_staff)
    assert client.get(f"/coordinator/attendance/group/{region_app.region.g1}/{day}").status_code == 404


def test_only_the_groups_learners_can_be_ticked(region_app):
    client = signed_in(region_app.test_client(), region_app.staff.alpha_staff)
    response = client.post(f"/coordinator/attendance/group/{region_app.region.g1}/2026-01-12",
                           data={"present": [str(region_app.region.learners.g2[0])]})
    assert response.status_code == 400
    assert records(region_app, region_app.region.g1, "2026-01-12") == {}


def test_an_administrator_may_take_any_groups_attendance(region_app):
    client = signed_in(region_app.test_client(), region_app.staff.admin)
    assert client.get(f"/coordinator/attendance/group/{region_app.region.g3}/2026-01-15").status_code == 200
    assert client.get(f"/coordinator/attendance/group/{region_app.region.g1}").status_code == 200


def test_a_moved_session_is_listed_by_its_new_day(region_app):
    client = signed_in(region_app.test_client(), region_app.staff.alpha_staff)
    page = client.get(f"/coordinator/attendance/group/{region_app.region.g2}?lang=en").text
    assert f"/coordinator/attendance/group/{region_app.region.g2}/2026-01-13" in page and "2026-01-14" in page


def test_a_learner_who_withdrew_leaves_the_list_but_keeps_what_was_registered(region_app):
    from nortime.db import db
    from nortime.models import Learner

    with region_app.app_context():
        name = db.session.get(Learner, region_app.region.learners.withdrawn).name
    client = signed_in(region_app.test_client(), region_app.staff.alpha_staff)
    group = region_app.region.g1
    assert name in client.get(f"/coordinator/attendance/group/{group}/2026-01-05").text
    assert name not in client.get(f"/coordinator/attendance/group/{group}/2026-01-12").text
