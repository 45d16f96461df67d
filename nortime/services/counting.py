"""How many people take part: the region's counts, without anybody's name.

Definitions (the dashboard, the CSV downloads and `flask counts` all use these):

- signed up: a learner who has not withdrawn.
- placed: placed in the currently published plan of their own provider.
- not placed: the published plan of their provider considered them and left
  them out (an Unplacement, with the optimizer's reasons).
- waiting: signed up, but no published plan has considered them yet.
  So signed up = placed + waiting + not placed, in every row.
- attending: signed up and marked present at one session or more.
- teaching hours: sessions of published groups, cancelled ones left out,
  each as long as it lasts (a moved session by its new times); delivered
  hours count the sessions that have ended.

Every table comes back with the small-number rule applied (see
`nortime.services.count_tables`); only counts ever leave this module.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .count_tables import TOTAL, Column, CountTable, Row
from ..db import db
from ..models import (Attendance, Course, Employer, Group, Learner, Municipality, Place, Placement, Plan, Provider,
                      Rota, Term, Unplacement, Venue)
from .plans import current_live_plans
from .timetable import group_sessions

REASON_ORDER = ("rota_conflict", "no_venue_in_reach", "no_course_at_level", "group_full", "too_few_for_group",
                "no_teacher", "locked_out", "unknown")
STATUSES = ("placed", "waiting", "not_placed")


@dataclass(frozen=True)
class LearnerFacts:
    """What counting needs to know about one learner: never a name or a contact."""

    learner_id: int
    provider_id: int | None
    municipality: str
    level: str
    rota_type: str  # a preset id, "none" (no shift work) or "custom"
    status: str  # placed | waiting | not_placed
    venue_id: int | None  # of their published group, when placed
    main_reason: str | None  # the first reason code, when not placed
    attending: bool
    employer_id: int | None = None  # joined with an employer's code (issue 21)
    team_id: int | None = None
    employer_may_see: bool = False  # the worker consented to their employer seeing that they take part


@dataclass(frozen=True)
class WeekFigures:
    monday: dt.date
    participants: frozenset[int]  # learners placed in a group that meets that week
    attending: frozenset[int]
    sessions: int
    minutes: int


@dataclass
class RegionCounts:
    """The region's figures as tables; `headline` is the region's one-row total."""

    headline: CountTable
    tables: dict[str, CountTable]
    what_if: CountTable | None
    planned_hours: float
    delivered_hours: float
    municipality_names: dict[str, str] = field(default_factory=dict)


# --- Labels ---------------------------------------------------------------------


def people_columns() -> tuple[Column, ...]:
    return (Column("signed_up", _("Signed up")), Column("placed", _("Placed")), Column("waiting", _("Waiting")),
            Column("not_placed", _("Not placed")), Column("attending", _("Attending")))


def rota_label(rota_type: str) -> str:
    labels = {
        "none": _("No shift work"), "custom": _("Own rota"), "office": _("Office days"),
        "two_shift": _("Two shifts"), "health_3week": _("Health care, three weeks"),
        "health_2week": _("Health care, two weeks"), "continuous_3shift": _("Three shifts, continuous"),
        "army_field_week": _("Army with field weeks"), "offshore_14_28": _("Offshore 14/28"),
        "land_14_21": _("Land plant 14/21"), "weekend_retail": _("Weekend retail"),
        "fish_cod_season": _("Fish, cod season"),
    }
    return labels.get(rota_type, rota_type)


def reason_label(code: str) -> str:
    labels = {
        "no_course_at_level": _("No course at their level"), "no_venue_in_reach": _("No venue within reach"),
        "rota_conflict": _("Work rota clashes with the times"), "group_full": _("Groups full"),
        "too_few_for_group": _("Too few for a group"), "no_teacher": _("No teacher"),
        "locked_out": _("Kept out by locked groups"), "unknown": _("Reason not given"),
    }
    return labels.get(code, code)


def week_label(monday: dt.date) -> str:
    return _("Week %(number)d", number=monday.isocalendar().week)


# --- Facts ------------------------------------------------------------------------


def learner_facts(plans: dict[int, Plan]) -> list[LearnerFacts]:
    """One LearnerFacts per signed-up learner (names are never read)."""
    plan_ids = [plan.id for plan in plans.values()]
    # By (learner, plan): a learner may sit in another provider's plan too, which must not count.
    placed = {(learner_id, plan_id): venue_id for learner_id, plan_id, venue_id in db.session.execute(
        select(Placement.learner_id, Placement.plan_id, Group.venue_id).join(Group, Group.id == Placement.group_id)
        .where(Placement.plan_id.in_(plan_ids)))}
    unplaced = {(learner_id, plan_id): reasons for learner_id, plan_id, reasons in db.session.execute(
        select(Unplacement.learner_id, Unplacement.plan_id, Unplacement.reasons)
        .where(Unplacement.plan_id.in_(plan_ids)))}
    attending = set(db.session.scalars(select(Attendance.learner_id).where(Attendance.present.is_(True)).distinct()))
    rows = db.session.execute(
        select(Learner.id, Learner.provider_id, Learner.level, Place.municipality_number, Rota.id, Rota.preset,
               Learner.employer_id, Learner.team_id, Learner.employer_consent_at)
        .join(Place, Place.id == Learner.home_place_id).outerjoin(Rota, Rota.learner_id == Learner.id)
        .where(Learner.withdrawn_at.is_(None)))
    facts = []
    for learner_id, provider_id, level, municipality, rota_id, preset, employer_id, team_id, consent_at in rows:
        # Only the learner's own provider's published plan decides their status.
        own = (learner_id, plans[provider_id].id) if provider_id in plans else None
        status, venue_id, reason = "waiting", None, None
        if own in placed:
            status, venue_id = "placed", placed[own]
        elif own in unplaced:
            status, reason = "not_placed", main_reason(unplaced[own])
        rota_type = "none" if rota_id is None else (preset or "custom")
        facts.append(LearnerFacts(learner_id, provider_id, municipality, level, rota_type, status, venue_id,
                                  reason, learner_id in attending, employer_id, team_id, consent_at is not None))
    return facts


def main_reason(reasons) -> str:
    """The first reason code the optimizer gave (its most telling), read defensively."""
    if isinstance(reasons, list):
        for reason in reasons:
            if isinstance(reason, dict) and isinstance(reason.get("code"), str):
                return reason["code"]
    return "unknown"


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class GroupSessions:
    """One published group's sessions and who is placed in it (expanded once per count)."""

    venue_id: int
    learner_ids: frozenset[int]
    sessions: tuple


def plan_sessions(plans: dict[int, Plan]) -> list[GroupSessions]:
    """Every published group with its sessions, loaded in a handful of queries."""
    groups = db.session.scalars(
        select(Group).where(Group.plan_id.in_([plan.id for plan in plans.values()]))
        .options(selectinload(Group.slots), selectinload(Group.changes), selectinload(Group.course),
                 selectinload(Group.plan).selectinload(Plan.term).selectinload(Term.closed_dates)))
    members: dict[int, set[int]] = defaultdict(set)
    for group_id, learner_id in db.session.execute(
            select(Placement.group_id, Placement.learner_id).where(Placement.plan_id.in_([p.id for p in plans.values()]))):
        members[group_id].add(learner_id)
    return [GroupSessions(group.venue_id, frozenset(members[group.id]), tuple(group_sessions(group)))
            for group in groups]


def week_figures(plans: dict[int, Plan], facts: list[LearnerFacts], now: dt.datetime,
                 groups: list[GroupSessions]) -> tuple[list[WeekFigures], float, float]:
    """Per week of the term(s): who is placed in a group that meets, who attended, sessions and minutes.

    Also the planned and delivered teaching hours of the published plans.
    """
    signed_up = {fact.learner_id for fact in facts}
    placed = {fact.learner_id for fact in facts if fact.status == "placed"}
    participants: dict[dt.date, set[int]] = defaultdict(set)
    sessions: Counter[dt.date] = Counter()
    minutes: Counter[dt.date] = Counter()
    planned = delivered = 0.0
    first_days, last_days = [], []
    for plan in plans.values():
        first_days.append(plan.term.first_day)
        last_days.append(plan.term.last_day)
    for group in groups:
        placed_here = group.learner_ids & placed
        for session in group.sessions:
            if session.status == "cancelled":
                continue
            week = monday_of(session.start.date())
            length = (session.end - session.start).total_seconds() / 60
            participants[week] |= placed_here
            sessions[week] += 1
            minutes[week] += length
            planned += length
            if session.end <= now:
                delivered += length
    attended: dict[dt.date, set[int]] = defaultdict(set)
    for learner_id, day in db.session.execute(
            select(Attendance.learner_id, Attendance.occurrence_date).where(Attendance.present.is_(True))):
        if learner_id in signed_up:
            attended[monday_of(day)].add(learner_id)
    if not first_days:
        return [], 0.0, 0.0
    weeks = []
    monday = monday_of(min(first_days))
    while monday <= max(last_days):
        weeks.append(WeekFigures(monday, frozenset(participants[monday]), frozenset(attended[monday]),
                                 sessions[monday], int(minutes[monday])))
        monday += dt.timedelta(days=7)
    return weeks, planned / 60, delivered / 60


# --- Tables -----------------------------------------------------------------------


def status_values(facts: list[LearnerFacts]) -> dict[str, int]:
    counts = Counter(fact.status for fact in facts)
    return {"signed_up": len(facts), "placed": counts["placed"], "waiting": counts["waiting"],
            "not_placed": counts["not_placed"], "attending": sum(fact.attending for fact in facts)}


def headline_table(facts: list[LearnerFacts], forced: frozenset = frozenset()) -> CountTable:
    return CountTable("region", _("The region"), _("Area"), people_columns(),
                      rows=(), total=Row(TOTAL, _("Total"), status_values(facts)),
                      parts={"signed_up": STATUSES}, forced=forced)


def breakdown_table(key: str, caption: str, row_header: str, facts: list[LearnerFacts], attribute,
                    labels: dict, forced: frozenset) -> CountTable:
    """Learners grouped by `attribute(fact)`; every key of `labels` gets a row, in the order given."""
    grouped: dict[object, list[LearnerFacts]] = {label_key: [] for label_key in labels}
    for fact in facts:
        grouped.setdefault(attribute(fact), []).append(fact)
    rows = tuple(Row(str(group_key), labels.get(group_key, str(group_key)), status_values(members))
                 for group_key, members in grouped.items())
    return CountTable(key, caption, row_header, people_columns(), rows,
                      total=Row(TOTAL, _("Total"), status_values(facts)), parts={"signed_up": STATUSES},
                      additive=frozenset(("signed_up", "placed", "waiting", "not_placed", "attending")),
                      forced=forced)


def venue_table(facts: list[LearnerFacts], now: dt.datetime, forced: frozenset,
                groups: list[GroupSessions]) -> CountTable:
    """Placed learners, sessions and teaching hours per venue of the published plans."""
    venues = {venue.id: venue for venue in db.session.scalars(select(Venue).order_by(Venue.name))}
    placed = Counter(fact.venue_id for fact in facts if fact.status == "placed")
    signed_up = {fact.learner_id for fact in facts}
    attending: dict[int, set[int]] = defaultdict(set)
    for learner_id, venue_id in db.session.execute(
            select(Attendance.learner_id, Group.venue_id).join(Group, Group.id == Attendance.group_id)
            .where(Attendance.present.is_(True))):
        if learner_id in signed_up:
            attending[venue_id].add(learner_id)
    planned: Counter[int] = Counter()
    delivered: Counter[int] = Counter()
    for group in groups:
        for session in group.sessions:
            if session.status != "cancelled":
                length = (session.end - session.start).total_seconds() / 3600
                planned[group.venue_id] += length
                delivered[group.venue_id] += length if session.end <= now else 0
    used = [venue for venue_id, venue in venues.items() if placed[venue_id] or planned[venue_id] or attending[venue_id]]
    columns = (Column("placed", _("Placed")), Column("attending", _("Attending")),
               Column("planned_hours", _("Teaching hours planned"), people=False, decimals=1),
               Column("delivered_hours", _("Teaching hours delivered"), people=False, decimals=1))

    def values(venue_ids) -> dict[str, float]:
        ids = set(venue_ids)
        return {"placed": sum(placed[i] for i in ids),
                "attending": len(set().union(*(attending[i] for i in ids))) if ids else 0,
                "planned_hours": round(sum(planned[i] for i in ids), 1),
                "delivered_hours": round(sum(delivered[i] for i in ids), 1)}

    rows = tuple(Row(venue.slug, venue.name, values([venue.id])) for venue in used)
    # A learner may have attended at two venues, so only "placed" adds up over the rows.
    return CountTable("venue", _("Participants by venue"), _("Venue"), columns, rows,
                      total=Row(TOTAL, _("Total"), values(venues)), additive=frozenset(("placed",)),
                      forced=forced)


def week_table(weeks: list[WeekFigures]) -> CountTable:
    columns = (Column("participants", _("Participants")), Column("attending", _("Attending")),
               Column("sessions", _("Sessions"), people=False),
               Column("hours", _("Teaching hours"), people=False, decimals=1))
    rows = tuple(Row(week.monday.isoformat(), week_label(week.monday),
                     {"participants": len(week.participants), "attending": len(week.attending),
                      "sessions": week.sessions, "hours": round(week.minutes / 60, 1)}) for week in weeks)
    return CountTable("week", _("Participants week by week"), _("Week"), columns, rows)


def unplaced_table(facts: list[LearnerFacts], municipality_names: dict[str, str], forced: frozenset) -> CountTable:
    """Not-placed learners: one row per main reason, one column per home municipality, and the total."""
    left_out = [fact for fact in facts if fact.status == "not_placed"]
    numbers = sorted({fact.municipality for fact in left_out}, key=lambda number: municipality_names.get(number, number))
    columns = tuple(Column(number, municipality_names.get(number, number)) for number in numbers) + (
        Column("all", _("All municipalities")),)

    def values(members: list[LearnerFacts]) -> dict[str, int]:
        counts = Counter(fact.municipality for fact in members)
        return {**{number: counts[number] for number in numbers}, "all": len(members)}

    by_reason: dict[str, list[LearnerFacts]] = defaultdict(list)
    for fact in left_out:
        by_reason[fact.main_reason or "unknown"].append(fact)
    # A fixed order: sorting by size would tell which hidden (small) count is the larger.
    ordered = sorted(by_reason.items(), key=lambda item: (REASON_ORDER.index(item[0]) if item[0] in REASON_ORDER
                                                         else len(REASON_ORDER), item[0]))
    rows = tuple(Row(code, reason_label(code), values(members)) for code, members in ordered)
    return CountTable("unplaced", _("Not placed, by main reason and home municipality"), _("Main reason"),
                      columns, rows, total=Row(TOTAL, _("Total"), values(left_out)),
                      parts={"all": tuple(numbers)}, additive=frozenset(column.key for column in columns),
                      forced=forced)


def what_if_table(plans: dict[int, Plan]) -> CountTable | None:
    """The optimizer's what-if signals: per unused slot, how many not placed it would suit; None when absent.

    Read defensively: the solution's optional `what_if` list may be missing or hold entries of another shape.
    """
    venues = {venue.slug: venue.name for venue in db.session.scalars(select(Venue))}
    courses = {course.slug: course.name for course in db.session.scalars(select(Course))}
    rows = []
    for plan in plans.values():
        solution = plan.solve_run.solution if plan.solve_run is not None else None
        signals = solution.get("what_if") if isinstance(solution, dict) else None
        if not isinstance(signals, list):
            continue
        for number, signal in enumerate(signals):
            if not isinstance(signal, dict):
                continue
            gain = what_if_gain(signal)
            if gain is None:
                continue
            label = what_if_label(signal, venues, courses)
            rows.append(Row(f"{plan.provider.slug}-{number}", f"{plan.provider.name}: {label}", {"would_place": gain}))
    if not rows:
        return None
    # Largest first, but the small (hidden) ones last by name, so that their order tells nothing.
    rows.sort(key=lambda row: (-row.values["would_place"], "") if row.values["would_place"] >= 5 else (0, row.label))
    return CountTable("what_if", _("What an extra slot would do"), _("Extra slot"),
                      (Column("would_place", _("Not placed now, could come then")),), tuple(rows[:15]))


def what_if_gain(signal: dict) -> int | None:
    """How many not-placed learners the signal says an extra slot would suit (the solver writes "learners": n)."""
    for key in ("learners", "would_place", "placed", "gain"):
        value = signal.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            return int(value)
        if isinstance(value, list):
            return len(value)
    return None


def what_if_label(signal: dict, venues: dict[str, str], courses: dict[str, str]) -> str:
    from ..i18n import WEEKDAY_INDEX, weekday_name

    slot = signal.get("slot")
    parts = []
    if isinstance(slot, dict) and slot.get("day") in WEEKDAY_INDEX:
        parts.append(f"{weekday_name(slot['day'])} {slot.get('start', '')}".strip())
    elif isinstance(slot, str):
        parts.append(slot)
    for key, names in (("venue", venues), ("course", courses)):
        if isinstance(signal.get(key), str):
            parts.append(names.get(signal[key], signal[key]))
    return ", ".join(parts) or _("Unnamed slot")


# --- The front door -------------------------------------------------------------


def region_counts(now: dt.datetime | None = None) -> RegionCounts:
    """Every table of the coordinators' dashboard, with the small-number rule applied."""
    now = now or dt.datetime.now(dt.timezone.utc)
    plans = current_live_plans()
    facts = learner_facts(plans)
    municipality_names = dict(db.session.execute(select(Municipality.number, Municipality.name)).tuples().all())
    groups = plan_sessions(plans)
    weeks, planned_hours, delivered_hours = week_figures(plans, facts, now, groups)
    headline, tables = consistent_tables(facts, municipality_names, now, groups)
    tables["week"] = week_table(weeks)
    return RegionCounts(headline, tables, what_if_table(plans), round(planned_hours, 1), round(delivered_hours, 1),
                        municipality_names)


def consistent_tables(facts: list[LearnerFacts], municipality_names: dict[str, str], now: dt.datetime,
                      groups: list[GroupSessions]) -> tuple[CountTable, dict[str, CountTable]]:
    """The headline and the breakdowns, with every number that two tables share hidden in both or neither.

    The region's totals appear in every breakdown, and "not placed" per
    municipality both in the municipality table and under the reasons. A cell
    one table hides (say, as a complement) is forced hidden in the others, and
    the tables are worked out again, until they agree (hidden cells only grow).
    """
    from ..models import LEVELS

    providers = dict(db.session.execute(select(Provider.id, Provider.name).order_by(Provider.name)).tuples().all())
    provider_labels: dict = {**providers}
    if any(fact.provider_id is None for fact in facts):
        provider_labels[None] = _("No provider chosen")
    rota_types = sorted({fact.rota_type for fact in facts}, key=lambda rota: rota_label(rota))
    # Employers and their sectors (issue 21): every employer gets a row, and so do people without one.
    from .employers import sector_labels

    employer_rows = db.session.execute(select(Employer.id, Employer.name, Employer.sector).order_by(Employer.name)).all()
    employer_labels: dict = {employer_id: name for employer_id, name, _sector in employer_rows}
    employer_labels[None] = _("No employer given")
    sectors = {employer_id: sector for employer_id, _name, sector in employer_rows}
    sector_labels_here: dict = {**{sector: label for sector, label in sector_labels().items()
                                   if sector in set(sectors.values())}}
    sector_labels_here[None] = _("No employer given")
    municipalities = dict(sorted(municipality_names.items(), key=lambda item: item[1]))
    region_hidden: set[str] = set()  # headline columns to hide
    not_placed_hidden: set[str] = set()  # municipality numbers whose "not placed" to hide
    while True:
        headline = headline_table(facts, frozenset((TOTAL, key) for key in region_hidden))
        totals = frozenset(cell for cell in headline.hidden)
        tables = {
            "municipality": breakdown_table(
                "municipality", _("Participants by home municipality"), _("Municipality"), facts,
                lambda fact: fact.municipality, municipalities,
                totals | {(number, "not_placed") for number in not_placed_hidden}),
            "level": breakdown_table("level", _("Participants by level"), _("Level"), facts,
                                     lambda fact: fact.level, {level: level for level in LEVELS}, totals),
            "venue": venue_table(facts, now, totals & {(TOTAL, "placed"), (TOTAL, "attending")}, groups),
            "provider": breakdown_table("provider", _("Participants by provider"), _("Provider"), facts,
                                        lambda fact: fact.provider_id, provider_labels, totals),
            "rota": breakdown_table("rota", _("Participants by work rota"), _("Work rota"), facts,
                                    lambda fact: fact.rota_type, {rota: rota_label(rota) for rota in rota_types},
                                    totals),
            "employer": breakdown_table("employer", _("Participants by employer"), _("Employer"), facts,
                                        lambda fact: fact.employer_id, employer_labels, totals),
            "sector": breakdown_table("sector", _("Participants by sector"), _("Sector"), facts,
                                      lambda fact: sectors.get(fact.employer_id), sector_labels_here, totals),
        }
        municipality_not_placed = {row for row, column in tables["municipality"].hidden if column == "not_placed"}
        tables["unplaced"] = unplaced_table(
            facts, municipality_names,
            frozenset({(TOTAL, "all")} if (TOTAL, "not_placed") in totals else set())
            | {(TOTAL, number) for number in municipality_not_placed})
        wanted_region = {column for row, column in totals}
        for table in tables.values():
            wanted_region |= {column for row, column in table.hidden
                              if row == TOTAL and column in headline.total.values}
        if (TOTAL, "all") in tables["unplaced"].hidden:
            wanted_region.add("not_placed")
        wanted_not_placed = municipality_not_placed | {
            column for row, column in tables["unplaced"].hidden if row == TOTAL and column != "all"}
        if wanted_region == {column for row, column in totals} and wanted_not_placed == municipality_not_placed:
            return headline, tables
        region_hidden |= wanted_region
        not_placed_hidden |= wanted_not_placed
