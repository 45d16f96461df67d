"""A small region built row by row, whose every count was worked out by hand.

Term 2026-01-05 (Mon) .. 2026-01-30 (Fri), Monday 19 January closed.

Municipalities: Senja (5530), Målselv (5524), Bardu (5520).
Providers: Alpha (venues Finnsnes in Senja, Bardufoss in Målselv), Beta (Setermoen in Bardu).

Published plans: Alpha's (groups G1 A1 at Finnsnes Mon+Wed 18:00, 120 min;
G2 B1 at Bardufoss Tue 18:00, 90 min) and Beta's (G3 A2 at Setermoen Thu
17:00, 60 min). G1's Wednesday 7 January is cancelled; G2's Tuesday
13 January is moved to Wednesday 14 January 18:00-20:00 (120 min).
Alpha also has an archived plan (group G0 at Finnsnes) that must count for nothing.

Learners (signed up unless said otherwise):
- Senja, Alpha: g1[0..5] placed in G1, level A1 (g1[0..2] offshore_14_28, g1[3..5] no rota);
  senja_unplaced[0..1] not placed (rota_conflict), A1, offshore_14_28;
  senja_waiting: B1, no rota, only in the archived plan -> waiting;
  withdrawn: placed in G1 and marked present, but withdrawn -> counts nowhere.
- Senja, Beta: cross: A2, no rota, placed in G1 by Alpha's plan -> waiting (not their provider's plan).
- Målselv, Alpha: g2[0..4] placed in G2, B1, health_3week; malselv_unplaced[0..2] not placed
  (too_few_for_group first), B2, a rota without preset (custom).
- Bardu, Beta: g3[0..3] placed in G3, A2, no rota; bardu_unplaced: no_venue_in_reach, A2, no rota.
- Bardu, no provider: loose, A1, no rota -> waiting.

Attendance: G1 on 5 Jan: g1[0..3] present, g1[4..5] absent (+ withdrawn present);
G2 on 6 Jan: all five present; G3 on 8 Jan: g3[0..1] present, g3[2..3] absent.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

TERM_FIRST, TERM_LAST = dt.date(2026, 1, 5), dt.date(2026, 1, 30)


def build_region() -> SimpleNamespace:
    from nortime.db import db
    from nortime.models import (Attendance, ClosedDate, Course, Group, GroupSlot, Learner, Municipality, Place,
                                Placement, Plan, Provider, Rota, SessionChange, SolveRun, Term, Unplacement, Venue)

    ids = SimpleNamespace()
    for number, name, place in (("5530", "Senja", "finnsnes"), ("5524", "Målselv", "bardufoss"),
                                ("5520", "Bardu", "setermoen")):
        db.session.add(Municipality(number=number, name=name))
        db.session.add(Place(id=place, name=place.title(), municipality_number=number, lat=69.0, lon=18.0))
    db.session.flush()
    alpha, beta = Provider(slug="alpha", name="Alpha"), Provider(slug="beta", name="Beta")
    db.session.add_all([alpha, beta])
    db.session.flush()
    terms = {}
    for provider in (alpha, beta):
        term = Term(provider=provider, name="Januar 2026", first_day=TERM_FIRST, last_day=TERM_LAST,
                    timezone="Europe/Oslo", closed_dates=[ClosedDate(day=dt.date(2026, 1, 19), reason="Closed")])
        db.session.add(term)
        terms[provider.slug] = term
    finnsnes = Venue(slug="finnsnes-hall", provider=alpha, name="Finnsnes hall", place_id="finnsnes")
    bardufoss = Venue(slug="bardufoss-hall", provider=alpha, name="Bardufoss hall", place_id="bardufoss")
    setermoen = Venue(slug="setermoen-hall", provider=beta, name="Setermoen hall", place_id="setermoen")
    db.session.add_all([finnsnes, bardufoss, setermoen])
    a1 = Course(slug="alpha-a1", provider=alpha, term=terms["alpha"], name="Norsk A1", level="A1", session_minutes=120)
    b1 = Course(slug="alpha-b1", provider=alpha, term=terms["alpha"], name="Norsk B1", level="B1",
                sessions_per_week=1, session_minutes=90)
    a2 = Course(slug="beta-a2", provider=beta, term=terms["beta"], name="Norsk A2", level="A2",
                sessions_per_week=1, session_minutes=60)
    db.session.add_all([a1, b1, a2])
    db.session.flush()

    counter = iter(range(1, 1000))

    def learner(provider, place, level, rota=None, **extra) -> Learner:
        number = next(counter)
        person = Learner(provider=provider, name=f"Person Nummer{number}", email=f"person{number}@example.org",
                         home_place_id=place, level=level, **extra)
        if rota is not None:
            person.rota = Rota(preset=None if rota == "custom" else rota, anchor=TERM_FIRST,
                               cycle=[[["07:00", "15:00"]], [], []])
        db.session.add(person)
        return person

    g1 = [learner(alpha, "finnsnes", "A1", "offshore_14_28" if index < 3 else None) for index in range(6)]
    senja_unplaced = [learner(alpha, "finnsnes", "A1", "offshore_14_28") for _ in range(2)]
    senja_waiting = learner(alpha, "finnsnes", "B1")
    withdrawn = learner(alpha, "finnsnes", "A1", withdrawn_at=dt.datetime(2026, 1, 10))
    cross = learner(beta, "finnsnes", "A2")
    g2 = [learner(alpha, "bardufoss", "B1", "health_3week") for _ in range(5)]
    malselv_unplaced = [learner(alpha, "bardufoss", "B2", "custom") for _ in range(3)]
    g3 = [learner(beta, "setermoen", "A2") for _ in range(4)]
    bardu_unplaced = learner(beta, "setermoen", "A2")
    loose = learner(None, "setermoen", "A1")
    db.session.flush()

    alpha_run = SolveRun(provider_id=alpha.id, term_id=terms["alpha"].id, status="done", solution={
        "format": "nortime.solution/1", "what_if": [
            {"slot": {"day": "sat", "start": "10:00"}, "venue": "finnsnes-hall", "course": "alpha-a1", "learners": 7},
            {"slot": "sun 12:00", "would_place": ["L1", "L2"]},
            "not a signal", {"slot": {"day": "mon", "start": "16:00"}}]})
    beta_run = SolveRun(provider_id=beta.id, term_id=terms["beta"].id, status="done",
                        solution={"format": "nortime.solution/1"})
    db.session.add_all([alpha_run, beta_run])
    db.session.flush()
    published = dt.datetime(2025, 12, 1)
    archived = Plan(provider=alpha, term=terms["alpha"], status="archived", published_at=dt.datetime(2025, 11, 1))
    alpha_plan = Plan(provider=alpha, term=terms["alpha"], status="published", published_at=published,
                      solve_run=alpha_run)
    beta_plan = Plan(provider=beta, term=terms["beta"], status="published", published_at=published, solve_run=beta_run)
    db.session.add_all([archived, alpha_plan, beta_plan])
    db.session.flush()

    def group(plan, key, course, venue, slots) -> Group:
        made = Group(plan=plan, key=key, course=course, venue=venue, sessions=0)
        made.slots = [GroupSlot(day=day, weekday=("mon", "tue", "wed", "thu", "fri").index(day),
                                start=dt.time.fromisoformat(start)) for day, start in slots]
        db.session.add(made)
        db.session.flush()
        return made

    def place(plan, in_group, people) -> None:
        for person in people:
            db.session.add(Placement(plan_id=plan.id, group_id=in_group.id, learner_id=person.id))

    group0 = group(archived, "g0", a1, finnsnes, [("fri", "18:00")])
    place(archived, group0, [senja_waiting])
    group1 = group(alpha_plan, "g1", a1, finnsnes, [("mon", "18:00"), ("wed", "18:00")])
    group2 = group(alpha_plan, "g2", b1, bardufoss, [("tue", "18:00")])
    group3 = group(beta_plan, "g3", a2, setermoen, [("thu", "17:00")])
    place(alpha_plan, group1, g1 + [withdrawn, cross])
    place(alpha_plan, group2, g2)
    place(beta_plan, group3, g3)

    def unplace(plan, people, *codes) -> None:
        for person in people:
            db.session.add(Unplacement(plan_id=plan.id, learner_id=person.id,
                                       reasons=[{"code": code, "message": code, "details": {}} for code in codes]))

    unplace(alpha_plan, senja_unplaced, "rota_conflict")
    unplace(alpha_plan, malselv_unplaced, "too_few_for_group", "rota_conflict")
    unplace(beta_plan, [bardu_unplaced], "no_venue_in_reach")
    db.session.add(SessionChange(group_id=group1.id, occurrence_date=dt.date(2026, 1, 7), kind="cancelled",
                                 reason="Teacher ill"))
    db.session.add(SessionChange(group_id=group2.id, occurrence_date=dt.date(2026, 1, 13), kind="moved",
                                 new_start=dt.datetime(2026, 1, 14, 18, 0), new_end=dt.datetime(2026, 1, 14, 20, 0)))

    def mark(in_group, day, people, present) -> None:
        for person in people:
            db.session.add(Attendance(group_id=in_group.id, occurrence_date=day, learner_id=person.id, present=present))

    mark(group1, dt.date(2026, 1, 5), g1[:4] + [withdrawn], True)
    mark(group1, dt.date(2026, 1, 5), g1[4:], False)
    mark(group2, dt.date(2026, 1, 6), g2, True)
    mark(group3, dt.date(2026, 1, 8), g3[:2], True)
    mark(group3, dt.date(2026, 1, 8), g3[2:], False)
    db.session.commit()

    def id_list(people):
        return [person.id for person in people]

    return SimpleNamespace(
        alpha=alpha.id, beta=beta.id, g0=group0.id, g1=group1.id, g2=group2.id, g3=group3.id,
        alpha_plan=alpha_plan.id, beta_plan=beta_plan.id, alpha_run=alpha_run.id,
        learners=SimpleNamespace(g1=id_list(g1), g2=id_list(g2), g3=id_list(g3), withdrawn=withdrawn.id,
                                 cross=cross.id, senja_waiting=senja_waiting.id, loose=loose.id),
        names=[person.name for person in g1 + g2 + g3 + senja_unplaced + malselv_unplaced
               + [senja_waiting, withdrawn, cross, bardu_unplaced, loose]],
    )


def root_conftest():
    """tests/conftest.py as pytest loaded it (its make_app keeps the PostgreSQL schema state)."""
    target = Path(__file__).resolve().parents[1] / "conftest.py"
    for module in list(sys.modules.values()):
        if getattr(module, "__file__", None) and Path(module.__file__).resolve() == target:
            return module
    raise RuntimeError("tests/conftest.py is not loaded")


def add_staff(app) -> SimpleNamespace:
    """A coordinator, an administrator and one staff account per provider (password "correct horse 1")."""
    from werkzeug.security import generate_password_hash

    from nortime.db import db
    from nortime.models import Provider, User

    with app.app_context():
        providers = {provider.slug: provider.id for provider in db.session.query(Provider)}
        # Few iterations: the hash's strength is not under test, and tests should stay quick.
        password = generate_password_hash("correct horse 1", method="pbkdf2:sha256:1000")
        users = {"coordinator": User(email="coordinator@example.org", name="Coordinator", role="coordinator",
                                     password_hash=password),
                 "admin": User(email="admin@example.org", name="Admin", role="admin", password_hash=password),
                 "alpha_staff": User(email="alpha@example.org", name="Alpha Staff", role="provider_staff",
                                     provider_id=providers["alpha"], password_hash=password),
                 "beta_staff": User(email="beta@example.org", name="Beta Staff", role="provider_staff",
                                    provider_id=providers["beta"], password_hash=password)}
        db.session.add_all(users.values())
        db.session.commit()
        return SimpleNamespace(**{key: SimpleNamespace(id=user.id, email=user.email) for key, user in users.items()})


def signed_in(client, user, password: str = "correct horse 1"):
    """The client, logged in through the login form (the shared `login` fixture sets no session
    identifier, which Flask-Login's "strong" session protection then rejects)."""
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.text
    return client


@pytest.fixture(scope="module")
def region_app(tmp_path_factory):
    """One app with the hand-counted region and staff accounts for a whole test module (read-only tests)."""
    root = root_conftest()
    with pytest.MonkeyPatch.context() as monkeypatch:
        app = root.make_app(tmp_path_factory.mktemp("region"), monkeypatch)
        with app.app_context():
            app.region = build_region()
        app.staff = add_staff(app)
        yield app
        root.empty_all_tables(app)


@pytest.fixture
def region(app):
    """The hand-counted region (see the module docstring); returns the ids tests need."""
    with app.app_context():
        return build_region()


@pytest.fixture
def staff(app, region):
    """Staff accounts on the per-test region."""
    return add_staff(app)


@pytest.fixture
def sign_in(client):
    return lambda user: signed_in(client, user)


@pytest.fixture(scope="module")
def counts(region_app):
    """The region's counts as the dashboard computes them, in English, after the term."""
    from flask_babel import force_locale

    from nortime.services.counting import region_counts

    with region_app.test_request_context("/?lang=en"), force_locale("en"):
        return region_counts(now=dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc))
