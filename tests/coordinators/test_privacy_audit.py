"""All tables of the dashboard read together, as a determined reader would, on the demo region.

Numbers that two tables share (the region's totals, "not placed" per municipality) are one cell
here; a cell counts as shown when any table shows it. Working line by line from everything shown,
no hidden count of people above zero may come out, and shared numbers must agree.
"""
from __future__ import annotations

import datetime as dt
import random

from nortime.services.count_tables import TOTAL

from .test_tables import worked_out

PEOPLE = ("signed_up", "placed", "waiting", "not_placed", "attending")
REGION_TABLES = ("region", "municipality", "level", "provider", "rota", "venue")


def hand_plans(seed: int) -> None:
    """A published plan per demo provider: groups of up to 12 by level, the rest not placed, some attendance."""
    from nortime.db import db
    from nortime.models import Attendance, Group, GroupSlot, Learner, Placement, Plan, Provider, Unplacement

    rng = random.Random(seed)
    for provider in db.session.query(Provider).order_by(Provider.id):
        term = provider.terms[0]
        plan = Plan(provider=provider, term=term, status="published", published_at=dt.datetime(2026, 12, 1))
        db.session.add(plan)
        db.session.flush()
        learners = db.session.query(Learner).filter_by(provider_id=provider.id).order_by(Learner.id).all()
        rng.shuffle(learners)
        for number, course in enumerate(provider.courses):
            members = [learner for learner in learners if learner.level == course.level][:rng.randint(3, 12)]
            if len(members) < 5:
                continue
            venue = (course.venues or provider.venues)[number % len(course.venues or provider.venues)]
            group = Group(plan=plan, key=f"g{number}", course=course, venue=venue, sessions=0,
                          slots=[GroupSlot(day="tue", weekday=1, start=dt.time(18, 0))])
            db.session.add(group)
            db.session.flush()
            for learner in members:
                learners.remove(learner)
                db.session.add(Placement(plan_id=plan.id, group_id=group.id, learner_id=learner.id))
                if rng.random() < 0.6:
                    db.session.add(Attendance(group_id=group.id, occurrence_date=dt.date(2027, 1, 12),
                                              learner_id=learner.id, present=True))
        for learner in learners[: len(learners) * 3 // 4]:  # the rest stay waiting
            db.session.add(Unplacement(plan_id=plan.id, learner_id=learner.id, reasons=[
                {"code": rng.choice(["rota_conflict", "no_venue_in_reach", "group_full"]), "details": {}}]))
    db.session.commit()


def shared(table_key: str, row: str, column: str) -> tuple:
    """One name for a number, whichever table shows it."""
    if row == TOTAL and table_key in REGION_TABLES and column in PEOPLE:
        return ("region", column)
    if table_key == "unplaced" and row == TOTAL:
        return ("region", "not_placed") if column == "all" else ("not placed in", column)
    if table_key == "municipality" and column == "not_placed":
        return ("not placed in", row)
    return (table_key, row, column)


def test_no_hidden_count_can_be_worked_out_across_tables(demo_app):
    from nortime.services.counting import region_counts

    with demo_app.test_request_context("/?lang=en"):
        hand_plans(seed=4)  # a region where one table's complement would otherwise show in another
        counts = region_counts()
    tables = {"region": counts.headline, **counts.tables}
    values, shown_anywhere, hidden_somewhere, people, lines = {}, set(), set(), set(), []
    for key, table in tables.items():
        for (row, column), value in table._values().items():
            cell = shared(key, row, column)
            assert values.setdefault(cell, value) == value, (cell, key)  # shared numbers agree
            (hidden_somewhere if (row, column) in table.hidden else shown_anywhere).add(cell)
        people |= {shared(key, row, column) for row, column in table._people_cells()}
        lines += [[shared(key, row, column) for row, column in line] for line in table._lines()]
    assert values[("region", "placed")] > 20 and values[("region", "not_placed")] > 10  # a real test region
    assert hidden_somewhere & shown_anywhere == set()  # hidden in one table means hidden in all
    hidden = hidden_somewhere
    known = worked_out(values, lines, hidden)
    assert {cell for cell in hidden if cell in known and values[cell] > 0} == set()
    assert all(values[cell] >= 5 for cell in people - hidden)
