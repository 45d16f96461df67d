"""A published group's public page: its times, every session with changes, and its feed."""
import datetime as dt

import pytest
from sqlalchemy import select

from nortime.db import db
from nortime.demo import load_demo
from nortime.models import Course, Group, GroupSlot, Learner, Placement, Plan, Provider, SessionChange, Teacher, Venue


@pytest.fixture
def groups(app):
    """One published and one draft group of the demo's municipal provider, Mondays 18:00."""
    with app.app_context():
        load_demo(learners=3)
        provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
        course = db.session.scalar(select(Course).where(Course.slug == "mtvo-a2"))
        venue = db.session.scalar(select(Venue).where(Venue.slug == "finnsnes-vo"))
        teacher = db.session.scalar(select(Teacher).where(Teacher.provider_id == provider.id))
        learner = db.session.scalars(select(Learner)).first()
        for status, key in (("published", "a2-finnsnes-1"), ("draft", "a2-finnsnes-draft")):
            plan = Plan(provider=provider, term=course.term, status=status,
                        published_at=dt.datetime(2026, 12, 1) if status == "published" else None)
            group = Group(plan=plan, key=key, course=course, venue=venue, teacher=teacher)
            group.slots = [GroupSlot(day="mon", weekday=0, start=dt.time(18, 0))]
            db.session.add_all([plan, group])
            db.session.flush()
            db.session.add(Placement(plan_id=plan.id, group=group, learner=learner, attendable_share=1.0))
        published = db.session.scalar(select(Group).where(Group.key == "a2-finnsnes-1"))
        published.changes = [SessionChange(occurrence_date=dt.date(2027, 1, 18), kind="cancelled", reason="Uvær")]
        db.session.commit()
        return {"learner": learner.name, "teacher": teacher.name}


def test_published_group_page_lists_every_session(client, groups):
    page = client.get("/groups/mtvo/a2-finnsnes-1?lang=en").get_data(as_text=True)
    assert "Norsk A2" in page and "Senja voksenopplæring" in page and groups["teacher"] in page
    # Mondays from 11 Jan to 7 Jun 2027 are 22; closed: 22 Feb (winter break), 22 and 29 Mar
    # (Easter break, Easter Monday) and 17 May.
    assert page.count('class="session-') == 18
    assert page.count('class="session-cancelled"') == 1 and "Uvær" in page
    assert "/feeds/group/mtvo/a2-finnsnes-1.ics" in page and "webcal://" in page
    assert groups["learner"] not in page  # a public page never names learners


def test_draft_and_unknown_groups_are_not_found(client, groups):
    assert client.get("/groups/mtvo/a2-finnsnes-draft").status_code == 404
    assert client.get("/groups/mtvo/nope").status_code == 404
    assert client.get("/groups/fu-nord/a2-finnsnes-1").status_code == 404


def test_home_links_to_the_group_page_and_the_feed_links_back(client, groups):
    assert 'href="/groups/mtvo/a2-finnsnes-1"' in client.get("/").get_data(as_text=True)
    feed = client.get("/feeds/group/mtvo/a2-finnsnes-1.ics").get_data(as_text=True).replace("\r\n ", "")
    assert "/groups/mtvo/a2-finnsnes-1" in feed
