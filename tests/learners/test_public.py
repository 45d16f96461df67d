"""The home page lists municipalities, venues, courses and published times, with a clear sign-up action."""
import datetime as dt

from sqlalchemy import select

from nortime.db import db
from nortime.models import Group, GroupSlot, Plan, Provider, Term, Venue


def test_home_lists_the_region_and_invites_to_sign_up(region, client):
    page = client.get("/?lang=en").data.decode()
    for text in ("Senja", "Målselv", "Midt-Troms voksenopplæring Finnsnes", "Levels:", 'href="/signup"',
                 "Sign up for a course", 'href="/privacy"'):
        assert text in page
    assert "No courses here yet." in page  # Målselv has no venue in this region


def test_home_shows_published_times(region, client):
    with region.app_context():
        provider = db.session.scalars(select(Provider).where(Provider.slug == "mtvo")).one()
        term = db.session.scalars(select(Term).where(Term.provider_id == provider.id)).one()
        venue = db.session.scalars(select(Venue).where(Venue.slug == "finnsnes-vo")).one()
        plan = Plan(provider=provider, term=term, status="published", published_at=dt.datetime(2027, 1, 1))
        group = Group(plan=plan, key="g1", course=provider.courses[0], venue=venue)
        group.slots = [GroupSlot(day="tue", weekday=1, start=dt.time(18, 0))]
        db.session.add_all([plan, group])
        db.session.commit()
    page = client.get("/?lang=en").data.decode()
    assert 'Tuesday at <bdi dir="ltr">18:00</bdi>' in page  # CLDR wording, the time kept left to right


def test_privacy_page_in_every_language(region, client):
    for language in ("nb", "en", "pl", "lt", "uk", "ar"):
        page = client.get(f"/privacy?lang={language}")
        assert page.status_code == 200 and f'lang="{language}"' in page.data.decode()
    assert "Datatilsynet" in client.get("/privacy?lang=en").data.decode()
