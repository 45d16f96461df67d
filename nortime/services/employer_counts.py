"""What an employer sees of its people (issue 21): counts per team and month, and consenting names.

Only workers who joined with one of the employer's codes AND consented
("my employer may see that I take part") are counted or named; the others are
not there at all, not even as a number. The coordinators' small-number rule
(services/count_tables) applies to every count of people.

- signed up: consenting workers who have not withdrawn.
- placed: in a group of their provider's published plan (per month: a group
  that meets that month).
- attending: marked present at one session or more (per month: that month).
- hours delivered: hours of the sessions at which the workers were marked
  present, added up over the workers (not people, never hidden).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from ..db import db
from ..models import Attendance, Course, Employer, Group, Learner, Team
from .count_tables import TOTAL, Column, CountTable, Row
from .counting import learner_facts, plan_sessions
from .plans import current_live_plans


@dataclass(frozen=True)
class ConsentingWorker:
    name: str
    team: str
    placed: bool


@dataclass
class EmployerCounts:
    teams: CountTable
    months: CountTable
    workers: list[ConsentingWorker]

    @property
    def tables(self) -> dict[str, CountTable]:
        return {"team": self.teams, "month": self.months}


def columns() -> tuple[Column, ...]:
    return (Column("signed_up", _("Signed up")), Column("placed", _("Placed")), Column("attending", _("Attending")),
            Column("hours", _("Hours delivered"), people=False, decimals=1))


def month_label(month: dt.date) -> str:
    return format_date(month, "MMMM y")


def employer_counts(employer: Employer) -> EmployerCounts:
    """The employer's counts, small numbers hidden; names of consenting workers only."""
    plans = current_live_plans()
    facts = [fact for fact in learner_facts(plans) if fact.employer_id == employer.id and fact.employer_may_see]
    ours = {fact.learner_id: fact for fact in facts}
    teams = {team.id: team.name for team in db.session.scalars(
        select(Team).where(Team.employer_id == employer.id).order_by(Team.name))}
    hours: dict[int, float] = defaultdict(float)  # by learner
    month_hours: dict[dt.date, float] = defaultdict(float)
    month_attending: dict[dt.date, set[int]] = defaultdict(set)
    if ours:
        for learner_id, day, minutes in db.session.execute(
                select(Attendance.learner_id, Attendance.occurrence_date, Course.session_minutes)
                .join(Group, Group.id == Attendance.group_id).join(Course, Course.id == Group.course_id)
                .where(Attendance.present.is_(True), Attendance.learner_id.in_(list(ours)))):
            month = day.replace(day=1)
            hours[learner_id] += minutes / 60
            month_hours[month] += minutes / 60
            month_attending[month].add(learner_id)
    month_placed: dict[dt.date, set[int]] = defaultdict(set)
    for group in plan_sessions(plans) if ours else []:
        members = group.learner_ids & set(ours)
        if members:
            for session in group.sessions:
                if session.status != "cancelled":
                    month_placed[session.start.date().replace(day=1)] |= members

    def values(members) -> dict[str, float]:
        members = list(members)
        return {"signed_up": len(members), "placed": sum(fact.status == "placed" for fact in members),
                "attending": sum(fact.attending for fact in members),
                "hours": round(sum(hours[fact.learner_id] for fact in members), 1)}

    by_team: dict = {team_id: [] for team_id in teams}
    for fact in facts:
        by_team.setdefault(fact.team_id, []).append(fact)
    rows = tuple(Row(str(team_id), teams.get(team_id) or _("No team"), values(members))
                 for team_id, members in by_team.items() if team_id in teams or members)
    team_table = CountTable("team", _("Your people by team"), _("Team"), columns(), rows,
                            total=Row(TOTAL, _("Total"), values(facts)),
                            additive=frozenset(("signed_up", "placed", "attending")))
    months = sorted(set(month_placed) | set(month_attending) | set(month_hours))
    month_rows = tuple(Row(month.isoformat()[:7], month_label(month),
                           {"placed": len(month_placed[month]), "attending": len(month_attending[month]),
                            "hours": round(month_hours[month], 1)}) for month in months)
    month_table = CountTable("month", _("Your people month by month"), _("Month"), columns()[1:], month_rows)
    workers = []
    if ours:
        for learner_id, name, team_id in db.session.execute(
                select(Learner.id, Learner.name, Learner.team_id).where(Learner.id.in_(list(ours)))):
            workers.append(ConsentingWorker(name, teams.get(team_id, ""), ours[learner_id].status == "placed"))
    workers.sort(key=lambda worker: (worker.team, worker.name))
    return EmployerCounts(team_table, month_table, workers)
