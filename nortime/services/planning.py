"""Planning: the ONLY place that turns database rows into a solver problem, and a solution back into rows.

JSON ids in a problem built here:
- places: Place.id (a slug such as "finnsnes"); venues, courses, teachers: their `slug`;
- learners: "L" + the database id (`learner_key`), so "L17" is Learner 17;
- groups: Group.key, the solver's group id, kept across re-plans so feeds keep their UIDs.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..db import db
from ..models import (
    Course,
    Group,
    GroupSlot,
    Learner,
    Place,
    Placement,
    Plan,
    PlanChange,
    Provider,
    SolveRun,
    Teacher,
    Term,
    TravelTime,
    Unplacement,
    Venue,
    WEEKDAYS,
    utcnow,
)
from .rota_days import clock_text
from .plans import live_plan, lock_term

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
    if isinstance(key, str) and key.startswith(LEARNER_PREFIX) and key[len(LEARNER_PREFIX):].isdecimal():
        return int(key[len(LEARNER_PREFIX):])
    return None


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


def draft_plan(provider: Provider, term: Term) -> Plan | None:
    return db.session.scalar(select(Plan).where(Plan.provider_id == provider.id, Plan.term_id == term.id,
                                                Plan.status == "draft").order_by(Plan.id.desc()))


def active_learners(provider: Provider) -> list[Learner]:
    """Learners signed up with this provider who have not withdrawn."""
    return list(db.session.scalars(
        select(Learner).where(Learner.provider_id == provider.id, Learner.withdrawn_at.is_(None))
        .options(selectinload(Learner.rota), selectinload(Learner.busy_periods)).order_by(Learner.id)))


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


def usable_venue(venue: Venue) -> bool:
    """The provider's own venue, or an employer's workplace room the provider accepted (issue 21)."""
    return venue.employer_id is None or venue.accepted_at is not None


def venue_json(venue: Venue) -> dict:
    entry = {"id": venue.slug, "name": venue.name, "place": venue.place_id, "rooms": venue.rooms,
             "open": [{"days": _days(window.days), "from": clock_text(window.opens), "to": clock_text(window.closes)}
                      for window in venue.openings]}
    if venue.seats is not None:
        entry["seats"] = venue.seats
    return entry


def course_json(course: Course) -> dict:
    entry = {"id": course.slug, "name": course.name, "level": course.level,
             "sessions_per_week": course.sessions_per_week, "session_minutes": course.session_minutes,
             "min_group": course.min_group, "max_group": course.max_group,
             "min_attendance": course.min_attendance}
    if course.venues:  # none listed means every venue of the provider
        entry["venues"] = [venue.slug for venue in course.venues if usable_venue(venue)]
    return entry


def teacher_json(teacher: Teacher) -> dict:
    return {"id": teacher.slug, "name": teacher.name, "home": teacher.home_place_id,
            "levels": teacher.level_list, "max_sessions_per_week": teacher.max_sessions_per_week,
            "available": [{"days": _days(window.days), "from": clock_text(window.start), "to": clock_text(window.end)}
                          for window in teacher.availability]}


def group_json(group: Group, learner_keys: set[str] | None = None) -> dict:
    """A group in the shape of the solution's groups (used for `current`)."""
    members = [learner_key(p.learner_id) for p in group.placements]
    if learner_keys is not None:
        members = [key for key in members if key in learner_keys]
    return {"id": group.key, "course": group.course.slug, "venue": group.venue.slug,
            "teacher": group.teacher.slug if group.teacher is not None else None,
            "slots": [{"day": slot.day, "start": clock_text(slot.start)} for slot in group.slots],
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


def with_locks_of(current: dict, other: dict) -> dict:
    """`current` (the published plan's) with the locked groups and learners of `other` (a draft's), as staff left them.

    A re-run of a draft while a plan is published keeps the published plan, which is what learners
    were told, and not the draft, whose changes would otherwise count as the status quo (issue 15).
    A locked draft group replaces the published group of its key; a locked learner sits in their
    draft group, which takes the draft's slots, venue and teacher (they were locked in on those).
    """
    groups = {entry["id"]: dict(entry, learners=list(entry["learners"])) for entry in current["groups"]}
    fixed = set(other["locked"]) | {key for entry in other["groups"] if entry.get("locked")
                                    for key in entry["learners"]}
    for entry in groups.values():
        entry["learners"] = [key for key in entry["learners"] if key not in fixed]
    for entry in other["groups"]:
        mine = [key for key in entry["learners"] if key in fixed]
        kept = groups.get(entry["id"])
        if entry.get("locked") or (mine and kept is None):
            groups[entry["id"]] = dict(entry, learners=mine)
        elif mine:
            kept.update({field: entry[field] for field in ("course", "venue", "slots")})
            kept.pop("teacher", None)
            kept.update({"teacher": entry["teacher"]} if "teacher" in entry else {})
            kept["learners"] += mine
    placed = {key for entry in groups.values() for key in entry["learners"]}
    locked = sorted((set(current["locked"]) | set(other["locked"])) & placed, key=lambda key: (learner_id(key) or 0, key))
    return {"groups": [entry for entry in groups.values() if entry["learners"] or entry.get("locked")],
            "locked": locked}


def build_problem(provider: Provider, term: Term, *, extra_learners: Iterable[Mapping] = (),
                  base_plan: Plan | None | bool = True, locks_from: Plan | None = None) -> dict:
    """The solver problem for `provider`'s `term`, straight from the database.

    `extra_learners` are learner JSON dicts not stored yet (a sign-up preview);
    their ids must not start with "L" followed by digits only.
    `base_plan` is the plan to keep stable (`current`): by default the published
    plan; pass a draft to re-run it with minimal changes, or None for a fresh start.
    `locks_from`: a draft whose locked groups and learners join `base_plan`'s (`with_locks_of`).
    """
    if base_plan is True:
        base_plan = live_plan(provider, term)
    problem = problem_frame(provider, term)
    learners = [learner_json(learner) for learner in active_learners(provider)]
    learners += [dict(extra) for extra in extra_learners]
    problem["learners"] = learners
    known = ({entry["id"] for entry in learners}, {(slot["day"], slot["start"]) for slot in problem["slots"]},
             {course["id"] for course in problem["courses"]})
    problem["current"] = current_json(base_plan or None, *known)
    if locks_from is not None and locks_from is not base_plan:
        problem["current"] = with_locks_of(problem["current"], current_json(locks_from, *known))
    return problem


def problem_frame(provider: Provider, term: Term, *, teachers: bool = True, venues: Iterable[Venue] | None = None,
                  courses: Iterable[Course] | None = None) -> dict:
    """Everything of the problem but its learners (empty) and `current` (nothing published).

    `teachers=False` leaves the teachers out (who can attend what does not depend on them);
    `venues` and `courses` narrow the problem to those of the provider's (e.g. the groups' own).
    """
    if term.provider_id != provider.id:
        raise PlanningError(f"term {term.id} belongs to another provider")
    places = db.session.scalars(select(Place).order_by(Place.id)).all()
    travel = db.session.scalars(select(TravelTime).order_by(TravelTime.from_place_id, TravelTime.to_place_id)).all()
    courses = [course for course in (provider.courses if courses is None else courses) if course.term_id == term.id]
    # A workplace room is usable once a provider accepted it; a group's own venue (`venues`) is always kept.
    venues = [venue for venue in provider.venues if usable_venue(venue)] if venues is None else list(venues)
    slots = [{"day": slot.day, "start": clock_text(slot.start)} for slot in
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
        "venues": [venue_json(venue) for venue in venues],
        "courses": [course_json(course) for course in courses],
        "teachers": [teacher_json(teacher) for teacher in provider.teachers] if teachers else [],
        "learners": [],
        "current": {"groups": [], "locked": []},
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
        if entry.get("teacher") and teacher is None:
            raise PlanningError(f"group {entry['id']}: teacher {entry['teacher']!r} is not one of this provider's")
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
        lock_term(term)  # a publish of the old draft goes first or waits; the live plan is never deleted
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


def import_solution(provider: Provider, term: Term, solution: object, *, user_id: int | None = None) -> Plan:
    """A solution made elsewhere (an upload) becomes the draft, once it keeps every hard rule; commits.

    It is checked against the problem as it is now (learners, rotas, the live plan's locks);
    PlanningError lists the broken rules, and then nothing is stored.
    """
    problem = build_problem(provider, term)
    broken = solution_violations(problem, solution)
    if broken:
        raise PlanningError(violations_text(broken))
    now = utcnow()
    run = SolveRun(provider_id=provider.id, term_id=term.id, status="done", purpose="import", problem=problem,
                   solution=solution, created_by_id=user_id, started_at=now, finished_at=now)
    db.session.add(run)
    db.session.flush()
    return apply_solution(run)


# --- hard rules ------------------------------------------------------------------------


def solution_violations(problem: Mapping, solution: object) -> list:
    """The hard rules `solution` breaks for `problem` (solver.verify); [] when it keeps them all."""
    from solver import verify

    return verify(problem, solution)


def plan_violations(plan: Plan) -> list:
    """The hard rules the plan breaks, judged on the database as it is now.

    The plan is its own `current`, so its locks hold by definition. A learner staff
    placed with an override (a PlanChange with a reason) is not held to the rules
    about fitting the group: level, travel and attendable share.
    """
    problem = build_problem(plan.provider, plan.term, base_plan=plan)
    keys = {entry["id"] for entry in problem["learners"]}
    groups = []
    for group in plan.groups:
        entry = group_json(group, keys)
        entry.pop("sessions")
        groups.append(entry)
    overridden = {learner_key(number) for number in db.session.scalars(
        select(PlanChange.learner_id).where(PlanChange.plan_id == plan.id, PlanChange.override.is_(True)))}
    return [violation for violation in solution_violations(problem, {"groups": groups})
            if not (violation.learner in overridden and violation.rule in OVERRIDABLE_RULES)]


OVERRIDABLE_RULES = ("level", "travel", "attendable_share")
SHOWN_VIOLATIONS = 5


def rule_title(code: str) -> str:
    """A hard rule's name in the reader's language (codes: solver/rules.py)."""
    titles = {
        "problem": _("Set-up"), "format": _("File format"), "unknown_id": _("Unknown name"),
        "pattern": _("Weekly times"), "room": _("Rooms"), "teacher": _("Teacher"), "travel": _("Travel"),
        "level": _("Level"), "group_size": _("Group size"), "attendable_share": _("Rota"),
        "one_group": _("One group each"), "lock": _("Locked"), "figures": _("Figures"),
    }
    return titles.get(code, code)


def violations_text(violations: list) -> str:
    """The broken rules in a few lines: the rule's name translated, the optimizer's detail as it wrote it."""
    lines = [f"{rule_title(v.rule)}: {v.message}" for v in violations[:SHOWN_VIOLATIONS]]
    text = _("Hard rules broken: %(n)d.", n=len(violations)) + " " + " ".join(lines)
    if len(violations) > SHOWN_VIOLATIONS:
        text += " " + _("Not shown: %(n)d more.", n=len(violations) - SHOWN_VIOLATIONS)
    return text


# --- adjusting a draft ------------------------------------------------------------


def move_problems(plan: Plan, learner: Learner, group: Group) -> tuple[list[str], float | None]:
    """Why `learner` cannot go into `group` (empty when they can), and their attendable share there.

    The seat count here is a first look; `seats.seat_learner` checks it again under a lock.
    """
    from .seats import seat_limit

    problems = placing_problems(plan, learner, group)
    if problems:
        return problems, None
    if len(group.placements) >= seat_limit(group):
        problems.append(_("Capacity: the group is full (%(n)d of %(max)d).", n=len(group.placements),
                          max=seat_limit(group)))
    fit, share = fit_problems(plan, learner, group)
    return problems + fit, share


def placing_problems(plan: Plan, learner: Learner, group: Group) -> list[str]:
    """What rules out the move whatever the fit: another plan or provider, the same group, a lock elsewhere."""
    if learner.provider_id != plan.provider_id or group.plan_id != plan.id:
        return [_("This learner or group does not belong to this plan.")]
    current = placement_of(plan, learner)
    if current is not None and current.group_id == group.id:
        return [_("%(name)s is in this group already.", name=learner.name)]
    if current is not None and current.locked:
        return [_("%(name)s is locked in group %(group)s; unlock them first.",
                  name=learner.name, group=current.group.key)]
    return []


def fit_problems(plan: Plan, learner: Learner, group: Group) -> tuple[list[str], float]:
    """Whether the group suits the learner (level, travel, rota), and their attendable share there.

    The answer is `fitting.group_fits`' (the one rule for every path that seats someone):
    the share counts the group's sessions from today on (all of them before the term starts).
    """
    from .fitting import group_fits

    fit = group_fits(plan, [learner], [group.id], share_for_all=True)[learner.id, group.id]
    problems = []
    course = group.course
    if not fit.level_ok:
        problems.append(_("Level: %(name)s is at %(level)s, the group learns %(course_level)s.",
                          name=learner.name, level=learner.level, course_level=course.level))
    if not fit.in_reach:
        problems.append(_("Reach: %(venue)s is %(minutes)d minutes from %(home)s; %(name)s travels at most "
                          "%(max)d minutes.", venue=group.venue.name, minutes=fit.travel_minutes,
                          home=learner.home_place.name, name=learner.name, max=learner.max_travel_minutes))
    if not fit.sessions:
        problems.append(_("Rota: the group has no sessions left this term."))
    elif not fit.rota_ok:
        problems.append(_("Rota: %(name)s can come to %(share)d %% of the sessions; the course needs %(need)d %%.",
                          name=learner.name, share=round(fit.share * 100), need=round(course.min_attendance * 100)))
    return problems, fit.share


def placement_of(plan: Plan, learner: Learner) -> Placement | None:
    """The learner's placement in the plan, if any."""
    return db.session.scalar(select(Placement).where(Placement.plan_id == plan.id,
                                                     Placement.learner_id == learner.id))


def set_locked(item: Group | Placement, locked: bool) -> None:
    """Lock a group (kept exactly as it is) or a learner (kept in their group) for the next re-run of a draft."""
    plan = item.plan if isinstance(item, Group) else item.group.plan
    if plan.status != "draft":
        raise PlanningError(_("Only a draft can be adjusted; this plan is %(status)s.", status=plan.status))
    item.locked = locked
    db.session.commit()


# --- what-if -------------------------------------------------------------------------

WHAT_IF_KINDS = ("slot", "venue_day", "teacher")
WHAT_IF_TEACHER = "what-if-teacher"


def what_if_problem(problem: Mapping, change: Mapping) -> dict:
    """A copy of `problem` with one thing added: a slot, a venue open on one more day, or one more teacher.

    change: {"kind": "slot", "day", "start"} | {"kind": "venue_day", "venue", "day", "from", "to"}
            | {"kind": "teacher", "level", "home"}. Raises PlanningError naming the field.
    """
    import copy

    from solver.problem import InvalidProblem, read_problem

    doc = copy.deepcopy(dict(problem))
    kind = change.get("kind")
    if kind == "slot":
        slot = {"day": change.get("day"), "start": change.get("start")}
        if slot in doc["slots"]:
            raise PlanningError(_("slot: %(day)s %(start)s is a candidate slot already", day=slot["day"],
                                  start=slot["start"]))
        doc["slots"].append(slot)
    elif kind == "venue_day":
        venue = next((v for v in doc["venues"] if v["id"] == change.get("venue")), None)
        if venue is None:
            raise PlanningError(_("venue: %(venue)s is not one of your venues", venue=change.get("venue")))
        venue["open"].append({"days": [change.get("day")], "from": change.get("from"), "to": change.get("to")})
    elif kind == "teacher":
        homes = {place["id"] for place in doc["places"]}
        if change.get("home") not in homes:
            raise PlanningError(_("home: %(home)s is not a known place", home=change.get("home")))
        doc["teachers"].append({
            "id": WHAT_IF_TEACHER, "name": "What-if teacher", "home": change["home"],
            "levels": [change.get("level")], "max_sessions_per_week": 6,
            "available": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "16:00", "to": "23:00"},
                          {"days": ["sat", "sun"], "from": "08:00", "to": "20:00"}]})
    else:
        raise PlanningError(_("kind: choose one of %(kinds)s", kinds=", ".join(WHAT_IF_KINDS)))
    try:
        read_problem(doc)
    except InvalidProblem as error:
        raise PlanningError("; ".join(f"{e['path']}: {e['message']}" for e in error.errors)) from None
    return doc
