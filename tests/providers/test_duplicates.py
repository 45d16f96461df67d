"""Two records of the same person are flagged, and staff merge them keeping the placement and the history."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from nortime.db import db
from nortime.models import Attendance, FeedToken, Learner, LearnerEdit, Placement, Plan, Unplacement

from .conftest import in_english
from .test_staff_learners import learner_ids, listed_ids, publish_demo_plan


def twin(app, original_id: int, **changes) -> int:
    """A second record of the same person (as a second sign-up makes it)."""
    with app.app_context():
        original = db.session.get(Learner, original_id)
        copy = Learner(provider_id=original.provider_id, name=original.name.upper(), email=original.email,
                       phone=changes.get("phone"), home_place_id=original.home_place_id, level=original.level)
        db.session.add(copy)
        db.session.commit()
        return copy.id


def test_the_same_name_and_contact_are_flagged_on_the_list_and_the_page(demo_app, providers, staff, login, client):
    first = learner_ids(demo_app, providers[0])[5]
    second = twin(demo_app, first)
    login(staff)
    in_english(client)
    assert set(listed_ids(client.get("/provider/learners?status=duplicate").data)) == {first, second}
    page = client.get(f"/provider/learners/{first}").get_data(as_text=True)
    assert 'id="duplicates"' in page and f'name="duplicate" value="{second}"' in page


def test_a_namesake_with_other_contact_details_is_not_flagged(demo_app, providers, staff, login, client):
    first = learner_ids(demo_app, providers[0])[5]
    with demo_app.app_context():
        original = db.session.get(Learner, first)
        db.session.add(Learner(provider_id=original.provider_id, name=original.name, email="someone.else@example.org",
                               home_place_id=original.home_place_id, level=original.level))
        db.session.commit()
    login(staff)
    assert listed_ids(client.get("/provider/learners?status=duplicate").data) == []


def test_merging_keeps_the_placement_and_the_history(demo_app, providers, staff, login, client):
    plan_id = publish_demo_plan(demo_app)
    with demo_app.app_context():
        placed = db.session.scalars(select(Placement).where(Placement.plan_id == plan_id)).first()
        placed_id, group_id = placed.learner_id, placed.group_id
    duplicate = twin(demo_app, placed_id, phone="+47 99 88 77 66")
    with demo_app.app_context():
        # The duplicate was in the plan too (not placed), and has attendance and a calendar link.
        keep_unplaced = db.session.scalar(select(Unplacement).where(Unplacement.learner_id == placed_id))
        assert keep_unplaced is None
        db.session.add(Unplacement(plan_id=plan_id, learner_id=duplicate, reasons=[]))
        db.session.add(Attendance(group_id=group_id, occurrence_date=dt.date(2027, 1, 12), learner_id=duplicate,
                                  present=True))
        db.session.add(FeedToken(owner_kind="learner", learner_id=duplicate, token="t" * 40))
        db.session.add(LearnerEdit(learner_id=duplicate, user_id=staff.id, action="edit", changes={}, reason="old"))
        db.session.commit()
    login(staff)
    in_english(client)
    refused = client.post(f"/provider/learners/{placed_id}/merge", data={"duplicate": duplicate, "reason": ""})
    assert refused.status_code == 400 and "Say why" in refused.get_data(as_text=True)
    response = client.post(f"/provider/learners/{placed_id}/merge",
                           data={"duplicate": duplicate, "reason": "Signed up twice, same phone call"})
    assert response.status_code == 302
    with demo_app.app_context():
        assert db.session.get(Learner, duplicate) is None
        keep = db.session.get(Learner, placed_id)
        assert keep.phone == "+47 99 88 77 66"  # filled in from the duplicate
        assert db.session.scalar(select(Placement.group_id).where(Placement.plan_id == plan_id,
                                                                  Placement.learner_id == placed_id)) == group_id
        assert db.session.scalar(select(func.count()).select_from(Unplacement)
                                 .where(Unplacement.learner_id == placed_id)) == 0
        assert db.session.scalar(select(Attendance.learner_id).where(
            Attendance.occurrence_date == dt.date(2027, 1, 12))) == placed_id
        assert db.session.scalar(select(FeedToken.learner_id).where(FeedToken.token == "t" * 40)) == placed_id
        log = db.session.scalars(select(LearnerEdit).where(LearnerEdit.learner_id == placed_id)
                                 .order_by(LearnerEdit.id)).all()
        assert [edit.action for edit in log] == ["edit", "merge"]
        assert log[-1].changes["merged"] == [duplicate, placed_id] and log[-1].user_id == staff.id


def test_an_unplaced_record_takes_the_duplicates_placement(demo_app, providers, staff, login, client):
    plan_id = publish_demo_plan(demo_app)
    with demo_app.app_context():
        placed = db.session.scalars(select(Placement).where(Placement.plan_id == plan_id)).first()
        placed_id, group_id = placed.learner_id, placed.group_id
    keep = twin(demo_app, placed_id)  # the newer record is kept; the placed one is the duplicate
    login(staff)
    assert client.post(f"/provider/learners/{keep}/merge", data={"duplicate": placed_id, "reason": "same"}).status_code == 302
    with demo_app.app_context():
        assert db.session.scalar(select(Placement.group_id).where(Placement.learner_id == keep)) == group_id


def test_merging_another_providers_learner_or_itself_is_refused(demo_app, providers, staff, other_staff, login, client):
    mine = learner_ids(demo_app, providers[0])[0]
    theirs = learner_ids(demo_app, providers[1])[0]
    login(staff)
    assert client.post(f"/provider/learners/{mine}/merge", data={"duplicate": theirs, "reason": "x"}).status_code == 404
    assert client.post(f"/provider/learners/{mine}/merge", data={"duplicate": mine, "reason": "x"}).status_code == 400
    login(other_staff)
    assert client.post(f"/provider/learners/{mine}/merge", data={"duplicate": theirs, "reason": "x"}).status_code == 404
    with demo_app.app_context():
        assert db.session.get(Learner, mine) is not None and db.session.get(Learner, theirs) is not None


def test_signing_up_twice_is_flagged(demo_app, providers, make_user, login, client):
    from nortime.services.signup import create_learner, new_nonce

    about = {"name": "Oksana Bondar", "email": "oksana@example.org", "phone": "", "language": "uk",
             "home": "finnsnes", "level": "A2", "travel": "45", "right": "yes", "days": []}
    with demo_app.test_request_context():
        first, _ = create_learner({"about": about}, new_nonce())
        second, _ = create_learner({"about": {**about, "email": "OKSANA@example.org"}}, new_nonce())
        ids = {first.id, second.id}
        provider_id = first.provider_id
    login(make_user("provider_staff", provider=provider_id))
    assert ids <= set(listed_ids(client.get("/provider/learners?status=duplicate").data))


def _staff_client(app, staff):
    """A browser of its own, logged in as `staff`: several members of staff at once."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"], session["lang"] = str(staff.id), True, "en"
    return client


def test_two_duplicates_merged_into_one_record_at_once_leave_it_one_placement(demo_app, providers, staff):
    """Each merge reads where the kept record is placed, then moves the duplicate's placement: under a lock."""
    from .conftest import in_threads

    plan_id = publish_demo_plan(demo_app)
    with demo_app.app_context():
        placed = db.session.scalars(select(Placement).where(Placement.plan_id == plan_id)
                                    .order_by(Placement.id)).all()[:2]
        first, second = (placement.learner_id for placement in placed)
    keep = twin(demo_app, first)  # a third record, not in the plan

    def merge(duplicate):
        client = _staff_client(demo_app, staff)
        return lambda: client.post(f"/provider/learners/{keep}/merge",
                                   data={"duplicate": duplicate, "reason": "The same person, says the office"}).status_code

    results = in_threads(demo_app, merge(first), merge(second))
    assert results == [302, 302], results
    with demo_app.app_context():
        assert db.session.get(Learner, first) is None and db.session.get(Learner, second) is None
        assert db.session.scalar(select(func.count()).select_from(Placement).where(
            Placement.plan_id == plan_id, Placement.learner_id == keep)) == 1
        assert db.session.scalar(select(func.count()).select_from(LearnerEdit).where(
            LearnerEdit.learner_id == keep, LearnerEdit.action == "merge")) == 2


def test_crossed_merges_of_the_same_two_records_keep_exactly_one(demo_app, providers, staff):
    """Two members of staff merge A into B and B into A at the same moment: one wins, the other is told."""
    from .conftest import in_threads

    plan_id = publish_demo_plan(demo_app)
    with demo_app.app_context():
        first = db.session.scalars(select(Placement.learner_id).where(Placement.plan_id == plan_id)).first()
    second = twin(demo_app, first, phone="+47 99 88 77 66")

    def merge(keep, duplicate):
        client = _staff_client(demo_app, staff)
        return lambda: client.post(f"/provider/learners/{keep}/merge",
                                   data={"duplicate": duplicate, "reason": "Signed up twice"})

    results = in_threads(demo_app, merge(first, second), merge(second, first))
    statuses = sorted(response.status_code for response in results)
    assert statuses[0] == 302 and 400 <= statuses[1] < 500, statuses
    with demo_app.app_context():
        left = [learner_id for learner_id in (first, second) if db.session.get(Learner, learner_id) is not None]
        assert len(left) == 1
        assert db.session.scalar(select(Placement.learner_id).where(Placement.plan_id == plan_id,
                                                                    Placement.learner_id.in_((first, second)))) == left[0]
