"""The Midt-Troms demo: realistic, complete, seeded and idempotent."""
import datetime as dt
from collections import Counter

from sqlalchemy import func, select

from nortime.db import db
from nortime.demo import load_demo
from nortime.models import (ClosedDate, Course, Learner, Municipality, Place, Provider, Teacher, Term,
                            TravelTime, Venue)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_builds_the_region(app):
    with app.app_context():
        report = load_demo(learners=80, seed=3)
        assert report.created
        assert {m.number for m in db.session.scalars(select(Municipality))} == {
            "5520", "5522", "5524", "5526", "5528", "5530"}
        assert count(Place) == 13
        assert db.session.get(TravelTime, ("finnsnes", "sorreisa")).minutes == 15
        # Ten venues of the providers' own, and the fish plant's canteen offered as a workplace room (issue 21).
        assert count(Provider) == 2 and count(Venue) == 11 and count(Teacher) == 25
        assert sorted(c.level for c in db.session.scalars(select(Course))) == sorted(["A1", "A2", "B1", "B2"] * 2)
        assert count(Learner) == 80
        for venue in db.session.scalars(select(Venue)):
            assert venue.openings, venue.name
            assert all(opening.opens >= dt.time(9) for opening in venue.openings)


def test_demo_term_closes_holidays_and_breaks(app):
    with app.app_context():
        load_demo(learners=10)
        term = db.session.scalars(select(Term)).first()
        closed = {c.day: c.reason for c in db.session.scalars(select(ClosedDate).where(ClosedDate.term_id == term.id))}
        assert dt.date(2027, 5, 17) in closed  # Constitution Day and Whit Monday together in 2027
        assert dt.date(2027, 3, 25) in closed and dt.date(2027, 3, 29) in closed  # Easter
        assert all(dt.date(2027, 2, 22) + dt.timedelta(days=i) in closed for i in range(5))  # winter break
        assert dt.date(2027, 1, 12) not in closed
        assert all(term.first_day <= day <= term.last_day for day in closed)
        assert len(term.slots) == 26
        assert {slot.day for slot in term.slots} == {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}


def test_demo_learners_have_contacts_and_mixed_rotas(app):
    with app.app_context():
        load_demo(learners=150, seed=1)
        learners = db.session.scalars(select(Learner)).all()
        assert all(learner.email or learner.phone for learner in learners)
        presets = Counter(learner.rota.preset if learner.rota else "none" for learner in learners)
        assert {"two_shift", "health_3week", "continuous_3shift", "army_field_week", "office"} <= set(presets)
        assert presets.most_common(1)[0][1] < len(learners) / 2
        assert len({learner.access_token for learner in learners}) == len(learners)
        # Fish-plant places have fish rotas; the army garrisons have field weeks.
        by_home = Counter((learner.home_place_id, learner.rota.preset if learner.rota else "none") for learner in learners)
        assert any(preset in ("two_shift", "fish_cod_season") for (home, preset) in by_home if home in ("husoy", "gryllefjord"))


def test_demo_is_seeded_and_idempotent(app, runner):
    first = runner.invoke(args=["demo", "--learners", "40", "--seed", "7"])
    assert first.exit_code == 0 and "Loaded the Midt-Troms demo" in first.output
    with app.app_context():
        names = [learner.name for learner in db.session.scalars(select(Learner).order_by(Learner.id))]
    second = runner.invoke(args=["demo", "--learners", "40", "--seed", "7"])
    assert second.exit_code == 0 and "nothing changed" in second.output
    with app.app_context():
        assert count(Learner) == 40 and count(Provider) == 2
    from nortime.demo.synthetic import midt_troms_problem

    assert names == [entry["name"] for entry in midt_troms_problem(learners=40, seed=7)["learners"]]
