"""A published timetable built straight in the database (no solver run).

Term 2026-10-05..2027-04-16 in Europe/Oslo spans both DST changes
(2026-10-25 and 2027-03-28). Group "a2-finnsnes-1" meets Monday 18:00 and
Thursday 17:30 for 150 minutes; Christmas and Easter are closed; one session
is cancelled, one moved within its week and one moved past the next
occurrence of its series. Names carry æøå, Arabic, commas, semicolons,
backslashes and newlines.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

CLOSED = [dt.date(2026, 12, 21) + dt.timedelta(days=n) for n in range(12)] + [
    dt.date(2027, 3, 22) + dt.timedelta(days=n) for n in range(8)]
CANCELLED_DAY = dt.date(2026, 11, 12)  # Thursday
MOVED_NEAR_DAY = dt.date(2027, 2, 1)  # Monday -> Tuesday 19:00
MOVED_FAR_DAY = dt.date(2027, 3, 4)  # Thursday -> Tuesday 9 March, past Monday 8 March
COURSE_NAME = "Norsk A2, kveld; \\del 1\\ – مرحبا"
VENUE_NAME = "Senja voksenopplæring; Rom \"Ø\", 2. etg"
VENUE_ADDRESS = "Storgata 1, 9300 Finnsnes\nInngang bak\\gården"
TEACHER_NAME = "Åse Ødegård-Øvrebø"
CANCEL_REASON = "Ferja går ikke; storm, beklager\\"


@dataclass
class Timetable:
    provider_id: int
    plan_id: int
    group_id: int
    learner_id: int
    teacher_id: int
    venue_id: int
    learner_token: str
    teacher_token: str
    group_key: str = "a2-finnsnes-1"
    provider_slug: str = "nord"
    venue_slug: str = "senja-vo"
    municipality: str = "5530"


def build_timetable() -> Timetable:
    """Create the fixture's rows (inside an app context) and publish the plan."""
    from nortime.db import db
    from nortime.models import (
        CandidateSlot, ClosedDate, Course, FeedToken, Group, GroupSlot, Learner, Municipality, Place,
        Placement, Plan, Provider, SessionChange, Teacher, Term, Venue,
    )

    db.session.add(Municipality(number="5530", name="Senja"))
    db.session.add(Place(id="finnsnes", name="Finnsnes", municipality_number="5530", lat=69.2297, lon=17.9812))
    provider = Provider(slug="nord", name="Nord Språk, Senja")
    term = Term(provider=provider, name="Høst/Vår 2026–27", first_day=dt.date(2026, 10, 5),
                last_day=dt.date(2027, 4, 16), timezone="Europe/Oslo")
    term.closed_dates = [ClosedDate(day=day, reason="ferie") for day in CLOSED]
    term.slots = [CandidateSlot(day="mon", start=dt.time(18)), CandidateSlot(day="thu", start=dt.time(17, 30))]
    venue = Venue(slug="senja-vo", provider=provider, name=VENUE_NAME, address=VENUE_ADDRESS,
                  place_id="finnsnes", rooms=2)
    course = Course(slug="nord-a2", provider=provider, term=term, name=COURSE_NAME, level="A2",
                    sessions_per_week=2, session_minutes=150)
    teacher = Teacher(slug="ase", provider=provider, name=TEACHER_NAME, language="nb",
                      home_place_id="finnsnes", levels="A1,A2")
    learner = Learner(provider=provider, name="Olena Kowalska", email="olena@example.org", language="en",
                      home_place_id="finnsnes", level="A2")
    plan = Plan(provider=provider, term=term, status="published", published_at=dt.datetime(2026, 9, 20, 12))
    group = Group(plan=plan, key="a2-finnsnes-1", course=course, venue=venue, teacher=teacher, sessions=50)
    group.slots = [GroupSlot(day="mon", weekday=0, start=dt.time(18)),
                   GroupSlot(day="thu", weekday=3, start=dt.time(17, 30))]
    group.changes = [
        SessionChange(occurrence_date=CANCELLED_DAY, kind="cancelled", reason=CANCEL_REASON),
        SessionChange(occurrence_date=MOVED_NEAR_DAY, kind="moved", reason="Lærer på kurs",
                      new_start=dt.datetime(2027, 2, 2, 19), new_end=dt.datetime(2027, 2, 2, 21, 30)),
        SessionChange(occurrence_date=MOVED_FAR_DAY, kind="moved", reason="Stengt bygg",
                      new_start=dt.datetime(2027, 3, 9, 18), new_end=dt.datetime(2027, 3, 9, 20, 30)),
    ]
    db.session.add_all([provider, term, venue, course, teacher, learner, plan, group])
    db.session.flush()
    db.session.add(Placement(plan_id=plan.id, group=group, learner=learner, attendable_share=0.9))
    learner_token = FeedToken(owner_kind="learner", learner_id=learner.id)
    teacher_token = FeedToken(owner_kind="teacher", teacher_id=teacher.id)
    db.session.add_all([learner_token, teacher_token])
    db.session.commit()
    return Timetable(provider.id, plan.id, group.id, learner.id, teacher.id, venue.id,
                     learner_token.token, teacher_token.token)
