"""Provider staff find learners, see their page, edit for them (logged), send their link; never another provider's."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from nortime.db import db
from nortime.models import Learner, LearnerEdit, Placement, Provider, Unplacement
from nortime.services import publishing

from .conftest import in_english


def publish_demo_plan(app, groups: int = 2) -> int:
    """The id of a published plan made from a hand solution (placed, unplaced) for the demo's mtvo."""
    from .test_publishing import _draft

    with app.test_request_context("/?lang=en"):
        return publishing.publish(_draft(groups=groups)).id


def learner_ids(app, provider_id):
    with app.app_context():
        return list(db.session.scalars(select(Learner.id).where(Learner.provider_id == provider_id)
                                       .order_by(Learner.id)))


def listed_ids(page: bytes) -> list[int]:
    return [int(n) for n in re.findall(rb'href="/provider/learners/(\d+)"', page)]


def test_the_list_shows_only_the_providers_own_learners(demo_app, providers, staff, login, client):
    login(staff)
    in_english(client)
    response = client.get("/provider/learners?status=&page=1")
    assert response.status_code == 200
    mine = set(learner_ids(demo_app, providers[0]))
    shown = listed_ids(response.data)
    assert shown and set(shown) <= mine
    total = int(re.search(rb"(\d+) learners found", response.data)[1])
    assert total == len(mine)


def test_search_by_name_phone_and_email_finds_the_learner(demo_app, providers, staff, login, client):
    with demo_app.app_context():
        learner = db.session.get(Learner, learner_ids(demo_app, providers[0])[3])
        learner.name, learner.email, learner.phone = "Zofia Wiśniewska-Qwerty", "zofia.w@example.org", "+47 912 34 567"
        db.session.commit()
        wanted = learner.id
    login(staff)
    for query in ("wiśniewska-qw", "QWERTY", "zofia.w@example", "91234", "912 34"):
        response = client.get("/provider/learners", query_string={"q": query})
        assert listed_ids(response.data) == [wanted], query


def test_search_never_finds_another_providers_learner(demo_app, providers, other_staff, login, client):
    with demo_app.app_context():
        learner = db.session.get(Learner, learner_ids(demo_app, providers[0])[0])
        learner.name = "Unik Navnesen"
        db.session.commit()
    login(other_staff)
    response = client.get("/provider/learners", query_string={"q": "Unik Navnesen"})
    assert response.status_code == 200 and listed_ids(response.data) == []


def test_status_filters_follow_the_published_plan(demo_app, providers, staff, login, client):
    plan_id = publish_demo_plan(demo_app)
    with demo_app.app_context():
        placed = set(db.session.scalars(select(Placement.learner_id).where(Placement.plan_id == plan_id)))
        unplaced = set(db.session.scalars(select(Unplacement.learner_id).where(Unplacement.plan_id == plan_id)))
        provider = db.session.get(Provider, providers[0])
        late = Learner(provider_id=provider.id, name="Late Joiner", email="late@example.org",
                       home_place_id="finnsnes", level="A2")
        db.session.add(late)
        gone = db.session.get(Learner, sorted(unplaced)[0])
        gone.withdrawn_at = gone.created_at
        db.session.commit()
        late_id, gone_id = late.id, gone.id
    login(staff)

    def everyone(status):
        ids, page = [], 1
        while True:
            response = client.get("/provider/learners", query_string={"status": status, "page": page})
            found = listed_ids(response.data)
            ids += found
            if b'rel="next"' not in response.data:
                return set(ids)
            page += 1

    assert everyone("placed") == placed
    assert everyone("unplaced") == unplaced - {gone_id}
    assert everyone("new") == {late_id}
    assert everyone("waiting") == (unplaced - {gone_id}) | {late_id}
    assert everyone("withdrawn") == {gone_id}


def test_the_list_is_paged_and_sorted_on_the_server(demo_app, providers, staff, login, client):
    login(staff)
    first = listed_ids(client.get("/provider/learners?sort=name").data)
    second = listed_ids(client.get("/provider/learners?sort=name&page=2").data)
    assert len(first) == 50 and second and not set(first) & set(second)
    with demo_app.app_context():
        names = [db.session.get(Learner, i).name.lower() for i in first + second]
        newest = listed_ids(client.get("/provider/learners?sort=newest").data)
        assert newest[0] == max(learner_ids(demo_app, providers[0]))
    assert names == sorted(names)


def test_the_learners_page_shows_details_rota_group_and_reasons(demo_app, providers, staff, login, client):
    plan_id = publish_demo_plan(demo_app)
    with demo_app.app_context():
        placement = db.session.scalars(select(Placement).where(Placement.plan_id == plan_id)).first()
        unplaced = db.session.scalars(select(Unplacement).where(Unplacement.plan_id == plan_id)).first()
        placed_id, group_key, unplaced_id = placement.learner_id, placement.group.key, unplaced.learner_id
        has_rota = placement.learner.rota is not None
    login(staff)
    in_english(client)
    page = client.get(f"/provider/learners/{placed_id}")
    assert page.status_code == 200
    assert group_key.encode() in page.data and b"Share of sessions the rota allows" in page.data
    if has_rota:
        assert page.data.count(b'<th scope="row">') == 4  # four weeks of the rota
    page = client.get(f"/provider/learners/{unplaced_id}")
    assert b'id="reasons"' in page.data


def test_staff_edit_for_the_learner_and_the_edit_is_logged(demo_app, providers, staff, login, client):
    learner_id = learner_ids(demo_app, providers[0])[0]
    login(staff)
    in_english(client)
    form = client.get(f"/provider/learners/{learner_id}/edit")
    assert form.status_code == 200
    with demo_app.app_context():
        learner = db.session.get(Learner, learner_id)
        values = {"name": learner.name, "email": learner.email or "", "phone": "+47 40000000",
                  "language": learner.language, "home": learner.home_place_id, "level": "B1",
                  "max_travel_minutes": "123", "buffer_minutes": learner.buffer_minutes, "priority": learner.priority}
    refused = client.post(f"/provider/learners/{learner_id}/edit", data={**values, "reason": ""})
    assert refused.status_code == 400 and b"this cannot be empty" in refused.data
    response = client.post(f"/provider/learners/{learner_id}/edit",
                           data={**values, "reason": "She phoned: new number, passed B1 test"})
    assert response.status_code == 302
    with demo_app.app_context():
        learner = db.session.get(Learner, learner_id)
        assert (learner.phone, learner.level, learner.max_travel_minutes) == ("+4740000000", "B1", 123)
        edit = db.session.scalars(select(LearnerEdit).where(LearnerEdit.learner_id == learner_id)).one()
        assert edit.user_id == staff.id and edit.reason == "She phoned: new number, passed B1 test"
        assert set(edit.changes) == {"phone", "level", "max_travel_minutes"}
        assert edit.changes["level"][1] == "B1"
    page = client.get(f"/provider/learners/{learner_id}")
    assert b"She phoned" in page.data


def test_bad_input_changes_nothing(demo_app, providers, staff, login, client):
    learner_id = learner_ids(demo_app, providers[0])[0]
    login(staff)
    response = client.post(f"/provider/learners/{learner_id}/edit",
                           data={"name": "X", "email": "", "phone": "", "language": "xx", "home": "nowhere",
                                 "level": "Z9", "max_travel_minutes": "-3", "buffer_minutes": "0",
                                 "priority": "1", "reason": "test"})
    assert response.status_code == 400
    with demo_app.app_context():
        assert db.session.get(Learner, learner_id).name != "X"
        assert db.session.scalar(select(func.count()).select_from(LearnerEdit)) == 0


def test_sending_the_link_again_queues_it_in_the_outbox_and_logs_it(demo_app, providers, staff, login, client):
    from nortime.models import Message

    learner_id = learner_ids(demo_app, providers[0])[0]
    demo_app.config.update(SMS_BACKEND="console", MAIL_SERVER=None)
    with demo_app.app_context():  # reachable by SMS only
        db.session.get(Learner, learner_id).phone = "+4791234567"
        db.session.commit()
    login(staff)
    in_english(client)
    response = client.post(f"/provider/learners/{learner_id}/link", follow_redirects=True)
    assert response.status_code == 200 and b"on its way" in response.data
    with demo_app.app_context():
        learner = db.session.get(Learner, learner_id)
        messages = list(db.session.scalars(select(Message).where(Message.learner_id == learner_id)))
        assert [m.kind for m in messages] == ["link"] and learner.access_token in messages[0].body
        edits = list(db.session.scalars(select(LearnerEdit).where(LearnerEdit.learner_id == learner_id)))
        assert [e.action for e in edits] == ["link_sent"]


def test_sending_the_link_again_without_mail_or_sms_says_so(demo_app, providers, staff, login, client):
    learner_id = learner_ids(demo_app, providers[0])[0]
    demo_app.config.update(SMS_BACKEND="off", MAIL_SERVER=None)
    login(staff)
    in_english(client)
    response = client.post(f"/provider/learners/{learner_id}/link", follow_redirects=True)
    assert response.status_code == 200 and b"The link was not sent" in response.data


@pytest.mark.parametrize("path", ["/provider/learners/{id}", "/provider/learners/{id}/edit"])
def test_another_providers_learner_answers_404(demo_app, providers, other_staff, login, client, path):
    learner_id = learner_ids(demo_app, providers[0])[0]
    login(other_staff)
    assert client.get(path.format(id=learner_id)).status_code == 404
    assert client.post(path.format(id=learner_id) if path.endswith("edit") else
                       f"/provider/learners/{learner_id}/link", data={"reason": "x"}).status_code == 404


def test_coordinators_and_anonymous_visitors_cannot_see_learners(demo_app, make_user, login, client):
    assert client.get("/provider/learners").status_code == 302
    login(make_user("coordinator"))
    assert client.get("/provider/learners").status_code == 403


def test_a_learners_staff_page_leads_to_the_messages_sent_to_them(demo_app, providers, staff, login, client):
    from nortime.models import Message

    first, second = learner_ids(demo_app, providers[0])[:2]
    demo_app.config.update(SMS_BACKEND="console", MAIL_SERVER=None)
    with demo_app.app_context():
        for learner_id in (first, second):
            db.session.get(Learner, learner_id).phone = "+4791234567"
        db.session.commit()
    login(staff)
    in_english(client)
    client.post(f"/provider/learners/{first}/link")
    client.post(f"/provider/learners/{second}/link")
    page = client.get(f"/provider/learners/{first}").get_data(as_text=True)
    assert f'href="/provider/messages?learner={first}"' in page
    listed = client.get(f"/provider/messages?learner={first}").get_data(as_text=True)
    with demo_app.app_context():
        tokens = {i: db.session.get(Learner, i).access_token for i in (first, second)}
        assert db.session.scalar(select(func.count()).select_from(Message)) == 2
    with demo_app.app_context():
        first_name, second_name = (db.session.get(Learner, i).name for i in (first, second))
    assert first_name in listed and (second_name == first_name or second_name not in listed)
    assert tokens[first] not in listed  # staff see that a link went, not the link itself
