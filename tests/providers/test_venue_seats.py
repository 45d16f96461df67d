"""A room's seats (issue 16): the demo's small room, the problem document, the seat limit and the venue page."""
from __future__ import annotations

from sqlalchemy import select

from nortime.db import db
from nortime.models import Course, Group, Provider, Venue
from nortime.services import planning
from nortime.services.seats import seat_limit
from solver.problem import read_problem


def test_the_demos_small_room_reaches_the_optimizer_and_caps_the_seat_limit(demo_app):
    with demo_app.app_context():
        dyroy = db.session.scalar(select(Venue).where(Venue.name == "Dyrøy skole"))
        assert dyroy.seats == 8
        provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
        problem = planning.build_problem(provider, planning.current_term(provider))
        entries = {entry["id"]: entry for entry in problem["venues"]}
        assert entries[dyroy.slug]["seats"] == 8
        assert all("seats" not in entry for slug, entry in entries.items() if slug != dyroy.slug)
        parsed = read_problem(problem)
        v = [venue.id for venue in parsed.venues].index(dyroy.slug)
        course = next(c for c in provider.courses if c.max_group > 8)
        c = [x.id for x in parsed.courses].index(course.slug)
        assert parsed.max_group(c, v) == 8
        assert seat_limit(Group(course=course, venue=dyroy)) == 8
        other = next(venue for venue in provider.venues if venue.seats is None)
        assert seat_limit(Group(course=course, venue=other)) == course.max_group


def test_the_venue_page_edits_the_seats_and_an_empty_field_means_no_limit(demo_app, make_user, login):
    with demo_app.app_context():
        provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
        dyroy = db.session.scalar(select(Venue).where(Venue.name == "Dyrøy skole"))
        venue_id, provider_id = dyroy.id, provider.id
    client = login(make_user("provider_staff", provider=provider_id))
    page = client.get(f"/provider/venues/{venue_id}").get_data(as_text=True)
    assert 'name="seats"' in page and 'value="8"' in page
    form = {"name": "Dyrøy skole", "place": "brostadbotn", "rooms": "1", "openings": "mon-fri 16:00-22:00"}
    assert client.post(f"/provider/venues/{venue_id}", data=form | {"seats": "0"}).status_code == 400
    # Below mtvo's min_group of 5: no group could meet there; the page says so and stores nothing.
    small = client.post(f"/provider/venues/{venue_id}?lang=en", data=form | {"seats": "4"})
    assert small.status_code == 400 and "needs at least 5 learners in a group" in small.get_data(as_text=True)
    with demo_app.app_context():
        assert db.session.get(Venue, venue_id).seats == 8
    assert client.post(f"/provider/venues/{venue_id}", data=form | {"seats": "10"}).status_code == 302
    with demo_app.app_context():
        assert db.session.get(Venue, venue_id).seats == 10
    assert client.post(f"/provider/venues/{venue_id}", data=form | {"seats": ""}).status_code == 302
    with demo_app.app_context():
        assert db.session.get(Venue, venue_id).seats is None
