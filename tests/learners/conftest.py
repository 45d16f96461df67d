"""Fixtures for the learner pages: a small region, a local SMTP server, a stored learner."""
from __future__ import annotations

import datetime as dt

import pytest

from ..gunicorn import free_port


class Inbox:
    """Messages a real aiosmtpd server on 127.0.0.1 received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def region(app):
    """Two places in two municipalities, both providers with a venue, a term with slots and courses."""
    seed_region(app)
    return app


@pytest.fixture(scope="module")
def shared_region(tmp_path_factory):
    """One app with the small region for a whole module, for tests that store nothing (validation).

    Saves creating a database per test; the tables are emptied at the end as the root conftest does.
    """
    import os

    from sqlalchemy import text

    from nortime import create_app
    from nortime.db import db

    folder = tmp_path_factory.mktemp("shared") / "instance"
    folder.mkdir()
    url = os.environ.get("NORTIME_TEST_DATABASE_URL") or f"sqlite:///{folder / 'test.sqlite'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NORTIME_INSTANCE_PATH", str(folder))
        for variable in ("NORTIME_DATABASE_URL", "NORTIME_SECRET_KEY", "NORTIME_REDIS_URL"):
            patch.delenv(variable, raising=False)
        app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "SERVER_NAME": "nortime.test",
                          "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
    seed_region(app)
    yield app
    with app.app_context():
        db.session.remove()
        if os.environ.get("NORTIME_TEST_DATABASE_URL"):
            names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


def seed_region(app):
    from nortime.db import db
    from nortime.models import (CandidateSlot, Course, Municipality, Place, Provider, Term, TravelTime, Venue,
                                VenueOpening)

    with app.app_context():
        db.session.add_all([Municipality(number="5530", name="Senja"), Municipality(number="5524", name="Målselv")])
        db.session.add_all([
            Place(id="finnsnes", name="Finnsnes", municipality_number="5530", lat=69.2297, lon=17.9812),
            Place(id="silsand", name="Silsand", municipality_number="5530", lat=69.2420, lon=17.9410),
            Place(id="moen", name="Moen", municipality_number="5524", lat=69.1306, lon=18.6060),
        ])
        db.session.flush()
        db.session.add_all([TravelTime(from_place_id="finnsnes", to_place_id="silsand", minutes=8),
                            TravelTime(from_place_id="finnsnes", to_place_id="moen", minutes=45)])
        for slug, name, venue_slug in (("mtvo", "Midt-Troms voksenopplæring", "finnsnes-vo"),
                                        ("fu-nord", "Folkeuniversitetet Nord", "finnsnes-fu")):
            provider = Provider(slug=slug, name=name)
            term = Term(provider=provider, name="Vår 2027", first_day=dt.date(2027, 1, 11),
                        last_day=dt.date(2027, 6, 11))
            term.slots = [CandidateSlot(day=day, start=dt.time(18, 0)) for day in ("mon", "tue", "wed", "thu")]
            term.slots.append(CandidateSlot(day="sat", start=dt.time(10, 0)))
            venue = Venue(slug=venue_slug, provider=provider, name=f"{name} Finnsnes",
                          address="Storgata 22, 9300 Finnsnes", place_id="finnsnes", rooms=2)
            venue.openings = [VenueOpening(days="mon,tue,wed,thu,sat", opens=dt.time(9, 0), closes=dt.time(22, 0))]
            db.session.add_all([provider, term, venue])
            for level in ("A1", "A2", "B1", "B2"):
                db.session.add(Course(slug=f"{slug}-{level.lower()}", provider=provider, term=term,
                                      name=f"Norsk {level}", level=level, sessions_per_week=2,
                                      session_minutes=120, min_group=3, max_group=12, min_attendance=0.75))
        db.session.commit()


@pytest.fixture
def learner_token(region):
    """A stored learner (health care three-week rota) in Silsand; returns the access token."""
    from nortime.db import db
    from nortime.models import Learner, Provider, Rota
    from nortime.rota_presets import build_rota

    with region.app_context():
        provider = db.session.query(Provider).filter_by(slug="mtvo").one()
        rota = build_rota("health_3week", dt.date(2027, 1, 11))
        learner = Learner(provider=provider, name="Anna Nowak", email="anna@example.org", language="pl",
                          home_place_id="silsand", level="A2", max_travel_minutes=30)
        learner.rota = Rota(preset="health_3week", anchor=dt.date.fromisoformat(rota["start"]), cycle=rota["cycle"])
        db.session.add(learner)
        db.session.commit()
        return learner.access_token
