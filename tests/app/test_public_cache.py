"""Public pages are cached like the feeds, per language, and publishing invalidates them."""
import datetime as dt

import pytest
from sqlalchemy import select, text

from nortime.db import db
from nortime.models import (
    CandidateSlot, Course, Group, GroupSlot, Learner, Municipality, Place, Placement, Plan, Provider, Teacher,
    TeacherAvailability, Term, Venue, VenueOpening,
)


@pytest.fixture
def draft(app):
    """A provider with one venue and a draft plan of one group that keeps every hard rule, nothing published yet."""
    with app.app_context():
        db.session.add(Municipality(number="5530", name="Senja"))
        db.session.add(Place(id="finnsnes", name="Finnsnes", municipality_number="5530", lat=69.23, lon=17.98))
        provider = Provider(slug="nord", name="Nord Språk")
        term = Term(provider=provider, name="Vår", first_day=dt.date(2027, 1, 4), last_day=dt.date(2027, 6, 18))
        term.slots = [CandidateSlot(day="tue", start=dt.time(18))]
        venue = Venue(slug="senja-vo", provider=provider, name="Senja voksenopplæring", place_id="finnsnes")
        venue.openings = [VenueOpening(days="tue", opens=dt.time(16), closes=dt.time(22))]
        course = Course(slug="nord-a2", provider=provider, term=term, name="Norsk A2 kveld", level="A2",
                        sessions_per_week=1, min_group=1)
        teacher = Teacher(slug="nord-kari", provider=provider, name="Kari", home_place_id="finnsnes", levels="A2")
        teacher.availability = [TeacherAvailability(days="tue", start=dt.time(16), end=dt.time(22))]
        learner = Learner(provider=provider, name="Ola", email="ola@example.org", home_place_id="finnsnes",
                          level="A2")
        plan = Plan(provider=provider, term=term, status="draft")
        group = Group(plan=plan, key="a2-finnsnes-1", course=course, venue=venue, teacher=teacher, sessions=20)
        group.slots = [GroupSlot(day="tue", weekday=1, start=dt.time(18))]
        db.session.add_all([provider, term, venue, course, teacher, learner, plan, group])
        db.session.flush()
        db.session.add(Placement(plan_id=plan.id, group=group, learner_id=learner.id))
        db.session.commit()
        return plan.id


def rename_venue_behind_the_apps_back(app, name):
    """As another worker or a database console would: no ORM event in this process."""
    with app.app_context():
        db.session.execute(text("UPDATE venues SET name = :name"), {"name": name})
        db.session.commit()
        db.session.remove()


def publish(app, plan_id):
    from nortime.services.publishing import publish as publish_plan

    with app.app_context():
        publish_plan(db.session.get(Plan, plan_id), notify=False)
        db.session.remove()


def test_the_home_page_is_cached_until_something_is_published(app, client, draft):
    first = client.get("/?lang=en").get_data(as_text=True)
    assert "Senja voksenopplæring" in first and "Norsk A2 kveld" not in first
    rename_venue_behind_the_apps_back(app, "Finnsnes læringssenter")
    assert client.get("/?lang=en").get_data(as_text=True) == first  # served from the cache
    publish(app, draft)
    after = client.get("/?lang=en").get_data(as_text=True)
    assert "Finnsnes læringssenter" in after and "Norsk A2 kveld" in after


def test_each_language_has_its_own_page(client, draft):
    english = client.get("/?lang=en").get_data(as_text=True)
    norwegian = client.get("/?lang=nb").get_data(as_text=True)
    assert 'lang="en"' in english and 'lang="nb"' in norwegian
    assert client.get("/?lang=en").get_data(as_text=True) == english


def test_a_group_page_appears_when_published_and_follows_the_next_publish(app, client, draft):
    address = "/groups/nord/a2-finnsnes-1?lang=en"
    assert client.get(address).status_code == 404  # a draft's group is not public, and 404 is not cached
    publish(app, draft)
    page = client.get(address)
    assert page.status_code == 200 and "Senja voksenopplæring" in page.get_data(as_text=True)
    rename_venue_behind_the_apps_back(app, "Finnsnes læringssenter")
    assert "Senja voksenopplæring" in client.get(address).get_data(as_text=True)
    with app.app_context():  # the next plan: a copy of the published one, published in its turn
        old = db.session.get(Plan, draft)
        plan = Plan(provider_id=old.provider_id, term_id=old.term_id, status="draft")
        group = Group(plan=plan, key="a2-finnsnes-1", course_id=old.groups[0].course_id,
                      venue_id=old.groups[0].venue_id, teacher_id=old.groups[0].teacher_id, sessions=20)
        group.slots = [GroupSlot(day="tue", weekday=1, start=dt.time(18))]
        db.session.add_all([plan, group])
        db.session.flush()
        db.session.add(Placement(plan_id=plan.id, group=group, learner_id=old.groups[0].placements[0].learner_id))
        db.session.commit()
        next_plan = plan.id
        db.session.remove()
    publish(app, next_plan)
    assert "Finnsnes læringssenter" in client.get(address).get_data(as_text=True)


def test_a_flashed_message_is_not_served_to_others(app, client, draft):
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Your details are deleted.")]
    assert "Your details are deleted." in client.get("/?lang=en").get_data(as_text=True)
    assert "Your details are deleted." not in app.test_client().get("/?lang=en").get_data(as_text=True)
