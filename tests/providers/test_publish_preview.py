"""Before publishing, staff see who is placed, moved or removed and which groups change; then they confirm."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from nortime.db import db
from nortime.models import Plan, Teacher
from nortime.services import publishing
from nortime.services.publish_preview import preview

from .conftest import in_english


def make_draft(app) -> int:
    from .test_review import _draft

    return _draft(app)


def test_the_first_publish_places_everyone_in_the_draft(demo_app):
    draft_id = make_draft(demo_app)
    with demo_app.test_request_context():
        draft = db.session.get(Plan, draft_id)
        change = preview(draft, None)
        placed = {p.learner_id for g in draft.groups for p in g.placements}
        assert {learner.id for learner in change.placed} == placed
        assert change.moved == change.removed == [] and change.staying == 0
        assert {group.key for group in change.groups} == {group.key for group in draft.groups}


def test_moves_removals_and_group_changes_are_told_apart(demo_app):
    live_id = make_draft(demo_app)
    with demo_app.test_request_context("/?lang=en"):
        publishing.publish(db.session.get(Plan, live_id))
    draft_id = make_draft(demo_app)
    with demo_app.test_request_context():
        live, draft = db.session.get(Plan, live_id), db.session.get(Plan, draft_id)
        first, second = draft.groups[0], draft.groups[1]
        mover = first.placements[0]
        removed = second.placements[0]
        mover.group_id = second.id
        db.session.delete(removed)
        second.slots[0].start = dt.time(20, 30)
        other = db.session.scalar(select(Teacher).where(Teacher.provider_id == draft.provider_id,
                                                        Teacher.id != first.teacher_id))
        first.teacher_id = other.id
        db.session.commit()
        db.session.expire_all()
        draft = db.session.get(Plan, draft_id)
        change = preview(draft, db.session.get(Plan, live_id))
        assert [l.id for l in change.moved] == [mover.learner_id]
        assert [l.id for l in change.removed] == [removed.learner_id]
        assert change.placed == []
        by_key = {group.key: group for group in change.groups}
        assert by_key[second.key].time_changes and not by_key[second.key].teacher_changes
        assert by_key[first.key].teacher_changes and not by_key[first.key].time_changes
        assert [l.id for l in by_key[second.key].joining] == [mover.learner_id]
        assert {l.id for l in by_key[first.key].leaving} == {mover.learner_id}
        assert {l.id for l in by_key[second.key].leaving} == {removed.learner_id}


def test_namesakes_are_told_apart_by_their_number(demo_app, staff, login):
    draft_id = make_draft(demo_app)
    with demo_app.test_request_context():
        draft = db.session.get(Plan, draft_id)
        a, b = draft.groups[0].placements[0].learner, draft.groups[1].placements[0].learner
        a.name = b.name = "Anna Nowak"
        db.session.commit()
        ids = (a.id, b.id)
    client = in_english(login(staff))
    page = client.get(f"/provider/plans/{draft_id}/publish").get_data(as_text=True)
    for learner_id in ids:
        assert f'href="/provider/learners/{learner_id}"' in page and f"#{learner_id}" in page


def test_publishing_needs_the_confirmation(demo_app, staff, login):
    draft_id = make_draft(demo_app)
    client = in_english(login(staff))
    page = client.get(f"/provider/plans/{draft_id}/publish")
    assert page.status_code == 200 and 'data-count="placed"' in page.get_data(as_text=True)
    refused = client.post(f"/provider/plans/{draft_id}/publish")
    assert refused.status_code == 400 and "tick the box to confirm" in refused.get_data(as_text=True)
    with demo_app.test_request_context():
        assert db.session.get(Plan, draft_id).status == "draft"
    assert client.post(f"/provider/plans/{draft_id}/publish", data={"confirm": "1"}).status_code == 302
    with demo_app.test_request_context():
        assert db.session.get(Plan, draft_id).status == "published"


def test_another_providers_plan_cannot_be_previewed_or_published(demo_app, other_staff, login):
    draft_id = make_draft(demo_app)
    client = login(other_staff)
    assert client.get(f"/provider/plans/{draft_id}/publish").status_code == 404
    assert client.post(f"/provider/plans/{draft_id}/publish", data={"confirm": "1"}).status_code == 404
