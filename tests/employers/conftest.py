"""A small world for employers (issue 21), built row by row.

Region: Husøy, Finnsnes, Setermoen. Provider Alpha with a published plan for
January 2026 (group G1 at Finnsnes, Mon+Wed 18:00, 120 minutes), and Alpha's
venue at Finnsnes. Employers: the fish plant (Husøy, fish) with the team
"Natt" on the cod-season rota and code HUSY-2027; the nursing home (Finnsnes,
health) with the team "Avdeling 2" (code OMSG-2027).

Workers of "Natt": `consenting` (6, placed in G1, four marked present on 5 Jan)
and `silent` (2, placed, no consent). The nursing home has one consenting
worker (`nurse`), not placed.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

TERM_FIRST, TERM_LAST = dt.date(2026, 1, 5), dt.date(2026, 1, 30)
PASSWORD = "correct horse 1"


def build_world() -> SimpleNamespace:
    from werkzeug.security import generate_password_hash

    from nortime.db import db
    from nortime.models import (Attendance, Course, Employer, Group, GroupSlot, JoinCode, Learner, Municipality,
                                Place, Placement, Plan, Provider, Team, Term, TravelTime, User, Venue, utcnow)
    from nortime.rota_presets import build_rota

    for number, name, place in (("5530", "Senja", "husoy"), ("5531", "Finnsnes kommune", "finnsnes"),
                                ("5520", "Bardu", "setermoen")):
        db.session.add(Municipality(number=number, name=name))
        db.session.add(Place(id=place, name=place.title(), municipality_number=number, lat=69.0, lon=18.0))
    db.session.flush()
    db.session.add_all([TravelTime(from_place_id="husoy", to_place_id="finnsnes", minutes=70),
                        TravelTime(from_place_id="finnsnes", to_place_id="setermoen", minutes=75),
                        TravelTime(from_place_id="husoy", to_place_id="setermoen", minutes=140)])
    alpha = Provider(slug="alpha", name="Alpha")
    beta = Provider(slug="beta", name="Beta")
    db.session.add_all([alpha, beta])
    db.session.flush()
    term = Term(provider=alpha, name="Januar 2026", first_day=TERM_FIRST, last_day=TERM_LAST, timezone="Europe/Oslo")
    hall = Venue(slug="finnsnes-hall", provider=alpha, name="Finnsnes hall", place_id="finnsnes")
    course = Course(slug="alpha-a1", provider=alpha, term=term, name="Norsk A1", level="A1", session_minutes=120)
    db.session.add_all([term, hall, course])
    fish = Employer(slug="fiskebruket", name="Husøy Fiskebruk", place_id="husoy", sector="fish")
    home = Employer(slug="omsorgssenter", name="Finnsnes omsorgssenter", place_id="finnsnes", sector="health")
    db.session.add_all([fish, home])
    db.session.flush()
    cod = build_rota("fish_cod_season", TERM_FIRST)
    night = Team(employer_id=fish.id, name="Natt", rota_method="fish_cod_season",
                 rota_anchor=dt.date.fromisoformat(cod["start"]), rota_cycle=cod["cycle"], rota_answers={},
                 days_off="sun", rota_from=TERM_FIRST)
    ward = Team(employer_id=home.id, name="Avdeling 2", rota_method=None, days_off="")
    db.session.add_all([night, ward])
    db.session.flush()
    db.session.add_all([JoinCode(code="HUSY-2027", team_id=night.id), JoinCode(code="OMSG-2027", team_id=ward.id)])
    counter = iter(range(1, 1000))

    def learner(team, consent: bool) -> Learner:
        number = next(counter)
        person = Learner(provider=alpha, name=f"Arbeider Nummer{number}", phone=f"+479000{number:04d}",
                         home_place_id="husoy", level="A1", employer_id=team.employer_id, team_id=team.id,
                         employer_consent_at=utcnow() if consent else None)
        db.session.add(person)
        return person

    consenting = [learner(night, True) for _ in range(6)]
    silent = [learner(night, False) for _ in range(2)]
    nurse = learner(ward, True)
    plan = Plan(provider=alpha, term=term, status="published", published_at=dt.datetime(2025, 12, 1))
    db.session.add(plan)
    db.session.flush()
    group = Group(plan=plan, key="g1", course=course, venue=hall, sessions=0)
    group.slots = [GroupSlot(day="mon", weekday=0, start=dt.time(18)), GroupSlot(day="wed", weekday=2,
                                                                                  start=dt.time(18))]
    db.session.add(group)
    db.session.flush()
    for person in consenting + silent:
        db.session.add(Placement(plan_id=plan.id, group_id=group.id, learner_id=person.id))
    for person in consenting[:4] + silent:
        db.session.add(Attendance(group_id=group.id, occurrence_date=dt.date(2026, 1, 5), learner_id=person.id,
                                  present=True))
    password = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    users = {"fish_staff": User(email="fisk@example.org", role="employer", employer_id=fish.id, password_hash=password),
             "home_staff": User(email="omsorg@example.org", role="employer", employer_id=home.id,
                                password_hash=password),
             "coordinator": User(email="koord@example.org", role="coordinator", password_hash=password),
             "alpha_staff": User(email="alpha@example.org", role="provider_staff", provider_id=alpha.id,
                                 password_hash=password),
             "beta_staff": User(email="beta@example.org", role="provider_staff", provider_id=beta.id,
                                password_hash=password)}
    db.session.add_all(users.values())
    db.session.commit()
    return SimpleNamespace(
        fish=fish.id, home=home.id, night=night.id, ward=ward.id, alpha=alpha.id, beta=beta.id, group=group.id,
        consenting=[p.id for p in consenting], silent=[p.id for p in silent], nurse=nurse.id,
        silent_names=[p.name for p in silent], consenting_names=[p.name for p in consenting],
        nurse_name=nurse.name, users=SimpleNamespace(**{key: SimpleNamespace(id=u.id, email=u.email)
                                                       for key, u in users.items()}))


@pytest.fixture
def world(app):
    with app.app_context():
        return build_world()


def signed_in(client, user):
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client
