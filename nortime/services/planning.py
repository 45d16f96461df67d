"""Planning: the ONLY place that turns database rows into a solver problem, and a solution back into rows.

JSON ids in a problem built here:
- places: Place.id (a slug such as "finnsnes"); venues, courses, teachers: their `slug`;
- learners: "L" + the database id (`learner_key`), so "L17" is Learner 17;
- groups: Group.key, the solver's group id, kept across re-plans so feeds keep their UIDs.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from sqlalchemy import select

from ..db import db
from ..models import (
    Course,
    Group,
    GroupSlot,
    Learner,
    Place,
    Placement,
    Plan,
    Provider,
    SolveRun,
    Teacher,
    Term,
    TravelTime,
    Unplacement,
    Venue,
    WEEKDAYS,
)

FORMAT = "nortime.problem/1"
LEARNER_PREFIX = "L"
USABLE_STATUSES = ("optimal", "feasible")


class PlanningError(ValueError):
    """A planning step cannot go on; the message says why and what to do."""


# --- ids ------------------------------------------------------------------------


def learner_key(learner: Learner | int) -> str:
    return f"{LEARNER_PREFIX}{getattr(learner, 'id', learner)}"


def learner_id(key: str) -> int | None:
    """The database id behind a learner's JSON id, or None when it is not one of ours (e.g. a preview)."""
    if isinstance(key, str) and key.startswith(LEARNER_PREFIX) and key[len(LEARNER_PREFIX):].isdigit():
        return int(key[len(LEARNER_PREFIX):])
    return None


def clock(value: dt.time) -> str:
    return value.strftime("%H:%M")


def _days(text: str) -> list[str]:
    return [day for day in text.split(",") if day]


# --- terms and plans ----------------------------------------------------------


def current_term(provider: Provider, today: dt.date | None = None) -> Term | None:
    """The provider's term that is running or comes next; else its latest term."""
    today = today or dt.date.today()
    terms = sorted(provider.terms, key=lambda term: term.first_day)
    for term in terms:
        if term.last_day >= today:
            return term
    return terms[-1] if terms else None


def published_plan(provider: Provider, term: Term) -> Plan | None:
    return db.session.scalar(select(Plan).where(Plan.provider_id == provider.id, Plan.term_id == term.id,
                                                Plan.status == "published").order_by(Plan.published_at.desc()))


def draft_plan(provider: Provider, term: Term) -> Plan | None:
    return db.session.scalar(select(Plan).where(Plan.provider_id == provider.id, Plan.term_id == term.id,
                                                Plan.status == "draft").order_by(Plan.id.desc()))


def active_learners(provider: Provider) -> list[Learner]:
    """Learners signed up with this provider who have not withdrawn."""
    return list(db.session.scalars(select(Learner).where(Learner.provider_id == provider.id,
                                                         Learner.withdrawn_at.is_(None)).order_by(Learner.id)))


# --- problem -----------------------------------------------------------------------


def learner_json(learner: Learner) -> dict:
    """One learner in the solver's JSON form (id "L<id>")."""
    entry = {
        "id": learner_key(learner),
        "home": learner.home_place_id,
        "level": learner.level,
        "max_travel_minutes": learner.max_travel_minutes,
        "buffer_minutes": learner.buffer_minutes,
        "priority": learner.priority,
        "busy": [{"start": busy.start.strftime("%Y-%m-%dT%H:%M"), "end": busy.end.strftime("%Y-%m-%dT%H:%M")}
                 for busy in learner.busy_periods],
        "prefer_days": _days(learner.preferred_days or ""),
    }
    if learner.rota is not None:
        entry["rota"] = {"start": learner.rota.anchor.isoformat(), "cycle": learner.rota.cycle}
    return entry


def venue_json(venue: Venue) -> dict:
    return {"id": venue.slug, "name": venue.name, "place": venue.place_id, "rooms": venue.rooms,
            "open": [{"days": _days(window.days), "from": clock(window.opens), "to": clock(window.closes)}
                     for window in venue.openings]}


def course_json(course: Course) -> dict:
    entry = {"id": course.slug, "name": course.name, "level": course.level,
             "sessions_per_week": course.sessions_per_week, "session_minutes": course.session_minutes,
             "min_group": course.min_group, "max_group": course.max_group,
             "min_attendance": course.min_attendance}
    if course.venues:  # none listed means every venue of the provider
        entry["venues"] = [venue.slug for venue in course.venues]
    return entry


def teacher_json(teacher: Teacher) -> dict:
    return {"id": teacher.slug, "name": teacher.name, "home": teacher.home_place_id,
            "levels": teacher.level_list, "max_sessions_per_week": teacher.max_sessions_per_week,
            "available": [{"days": _days(window.days), "from": clock(window.start), "to": clock(window.end)}
                          for window in teacher.availability]}


def group_json(group: Group, learner_keys: set[str] | None = None) -> dict:
    """A group in the shape of the solution's groups (used for `current`)."""
    members = [learner_key(p.learner_id) for p in group.placements]
    if learner_keys is not None:
        members = [key for key in members if key in learner_keys]
    return {"id": group.key, "course": group.course.slug, "venue": group.venue.slug,
            "teacher": group.teacher.slug if group.teacher is not None else None,
            "slots": [{"day": slot.day, "start": clock(slot.start)} for slot in group.slots],
            "learners": members, "locked": bool(group.locked), "sessions": group.sessions}


def current_json(plan: Plan | None, learner_keys: set[str], slot_labels: set[tuple[str, str]],
                 course_slugs: set[str]) -> dict:
    """The plan as `current`: its groups and locked learners, minus what no longer exists.

    A withdrawn learner leaves their group; a group on a slot that is no longer a
    candidate slot (or of a course no longer offered) cannot be kept and is left out.
    """
    if plan is None:
        return {"groups": [], "locked": []}
    groups = []
    for group in plan.groups:
        entry = group_json(group, learner_keys)
        if group.course.slug not in course_slugs:
            continue
        if any((slot["day"], slot["start"]) not in slot_labels for slot in entry["slots"]):
            continue
        if entry["teacher"] is None:
            del entry["teacher"]
        del entry["sessions"]
        groups.append(entry)
    kept = {key for entry in groups for key in entry["learners"]}
    locked = sorted((learner_key(p.learner_id) for group in plan.groups for p in group.placements
                     if p.locked and learner_key(p.learner_id) in kept), key=learner_id)
    return {"groups": groups, "locked": locked}


def build_problem(provider: Provider, term: Term, *, extra_learners: Iterable[Mapping] = (),
                  base_plan: Plan | None | bool = True) -> dict:
    """The solver problem for `provider`'s `term`, straight from the database.

    `extra_learners` are learner JSON dicts not stored yet (a sign-up preview);
    their ids must not start with "L" followed by digits only.
    `base_plan` is the plan to keep stable (`current`): by default the published
    plan; pass a draft to re-run it with minimal changes, or None for a fresh start.
    """
    if term.provider_id != provider.id:
        raise PlanningError(f"term {term.id} belongs to another provider")
    if base_plan is True:
        base_plan = published_plan(provider, term)
    places = db.session.scalars(select(Place).order_by(Place.id)).all()
    travel = db.session.scalars(select(TravelTime).order_by(TravelTime.from_place_id, TravelTime.to_place_id)).all()
    courses = [course for course in provider.courses if course.term_id == term.id]
    learners = [learner_json(learner) for learner in active_learners(provider)]
    learners += [dict(extra) for extra in extra_learners]
    slots = [{"day": slot.day, "start": clock(slot.start)} for slot in
             sorted(term.slots, key=lambda slot: (WEEKDAYS.index(slot.day), slot.start))]
    return {
        "format": FORMAT,
        "timezone": term.timezone,
        "term": {"first_day": term.first_day.isoformat(), "last_day": term.last_day.isoformat(),
                 "closed": [closed.day.isoformat() for closed in term.closed_dates]},
        "places": [{"id": place.id, "name": place.name, "municipality": place.municipality_number,
                    "lat": place.lat, "lon": place.lon} for place in places],
        "travel_minutes": [[pair.from_place_id, pair.to_place_id, pair.minutes] for pair in travel],
        "slots": slots,
        "venues": [venue_json(venue) for venue in provider.venues],
        "courses": [course_json(course) for course in courses],
        "teachers": [teacher_json(teacher) for teacher in provider.teachers],
        "learners": learners,
        "current": current_json(base_plan or None, {entry["id"] for entry in learners},
                                {(slot["day"], slot["start"]) for slot in slots},
                                {course.slug for course in courses}),
        "weights": {},
    }


# --- solution -------------------------------------------------------------------


def _by_slug(rows) -> dict:
    return {row.slug: row for row in rows}


def plan_from_solution(provider: Provider, term: Term, problem: Mapping, solution: Mapping,
                       *, run: SolveRun | None = None) -> Plan:
    """A draft plan (added and flushed, not committed) holding the solution's groups, placements and unplaced learners.

    Learners of the problem that are not (or no longer) this provider's learners are skipped.
    """
    if solution.get("status") not in USABLE_STATUSES:
        errors = "; ".join(f"{e.get('path', '')}: {e.get('message', '')}" for e in solution.get("errors", []))
        raise PlanningError(f"the optimizer found no timetable (status {solution.get('status')!r})"
                            + (f": {errors}" if errors else ""))
    courses = _by_slug(course for course in provider.courses if course.term_id == term.id)
    venues = _by_slug(provider.venues)
    teachers = _by_slug(provider.teachers)
    ours = {learner.id for learner in active_learners(provider)}
    current = problem.get("current") or {}
    locked_groups = {entry["id"] for entry in current.get("groups", []) if entry.get("locked")}
    locked_learners = set(current.get("locked", []))
    attendance = solution.get("attendance") or {}
    plan = Plan(provider=provider, term=term, status="draft", solve_run_id=run.id if run is not None else None)
    db.session.add(plan)
    db.session.flush()  # placements refer to the plan by id
    for entry in solution.get("groups", []):
        course, venue = courses.get(entry["course"]), venues.get(entry["venue"])
        if course is None or venue is None:
            raise PlanningError(f"group {entry['id']}: course {entry['course']!r} or venue {entry['venue']!r} "
                                "is not one of this provider's; was the solution made for another problem?")
        teacher = teachers.get(entry.get("teacher")) if entry.get("teacher") else None
        group = Group(key=entry["id"], course=course, venue=venue, teacher=teacher,
                      locked=entry["id"] in locked_groups, sessions=int(entry.get("sessions") or 0))
        for slot in entry["slots"]:
            group.slots.append(GroupSlot(day=slot["day"], weekday=WEEKDAYS.index(slot["day"]),
                                         start=dt.time.fromisoformat(slot["start"])))
        for key in entry.get("learners", []):
            number = learner_id(key)
            if number in ours:
                group.placements.append(Placement(plan_id=plan.id, learner_id=number, attendable_share=attendance.get(key),
                                                   locked=key in locked_learners))
        plan.groups.append(group)
    for entry in solution.get("unplaced", []):
        number = learner_id(entry["learner"])
        if number in ours:
            plan.unplaced.append(Unplacement(learner_id=number, reasons=list(entry.get("reasons", []))))
    return plan


def apply_solution(run: SolveRun) -> Plan:
    """Turn a finished run's solution into the provider's draft plan (replacing an older draft); commits."""
    if run.solution is None:
        raise PlanningError(f"solve run {run.id} has no solution yet")
    provider, term = db.session.get(Provider, run.provider_id), db.session.get(Term, run.term_id)
    try:
        for old in db.session.scalars(select(Plan).where(Plan.provider_id == provider.id, Plan.term_id == term.id,
                                                         Plan.status == "draft")):
            db.session.delete(old)
        db.session.flush()
        plan = plan_from_solution(provider, term, run.problem or {}, run.solution, run=run)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return plan


def publish(plan: Plan, **options) -> Plan:
    """Make a draft the live timetable (see services.publishing.publish)."""
    from .publishing import publish as publish_plan

    return publish_plan(plan, **options)
