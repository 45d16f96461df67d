"""Sign-up: from the answers of the steps (kept in the session) to a stored learner.

Which provider a learner belongs to is decided by one question they can
answer: whether they have the right to free Norwegian training (refugees and
family members do). "Yes" or "not sure" goes to the municipal adult
education ("mtvo"), which checks the right; "no" goes to the paid evening
courses ("fu-nord"). SIGNUP_PROVIDERS in the config can map the answers to
other provider slugs.

Nothing is stored before `create_learner`; it is idempotent per nonce (the
nonce becomes the learner's access token, so a double submission finds the
learner the first one made).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..rota_presets import PRESETS, build_rota

from ..db import db
from .rota_days import AWAY, RotaDay, clock_text, weeks_from
from ..models import BusyPeriod, Learner, Municipality, Provider, Rota, new_token, utcnow

DEFAULT_PROVIDERS = {"yes": "mtvo", "unsure": "mtvo", "no": "fu-nord"}
PREVIEW_ID = "signup-preview"
MAX_CUSTOM_WEEKS = 6
BUSY_ROWS = 3
LEVEL_UNKNOWN_MEANS = "A1"


CLOCK_PATTERN = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def parse_clock(text: str | None) -> int | None:
    """Minutes after midnight for "HH:MM" (00:00-23:59), else None."""
    text = (text or "").strip()
    return int(text[:2]) * 60 + int(text[3:]) if CLOCK_PATTERN.match(text) else None


def parse_date(text: str | None) -> dt.date | None:
    """A date from "YYYY-MM-DD", else None."""
    text = (text or "").strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def today() -> dt.date:
    return dt.date.today()


def this_monday(day: dt.date | None = None) -> dt.date:
    day = day or today()
    return day - dt.timedelta(days=day.weekday())


# --- the region -------------------------------------------------------------


def place_groups() -> dict[str, list[tuple[str, str]]]:
    """The region's places grouped by municipality name, for the home-place list."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for municipality in db.session.scalars(select(Municipality).order_by(Municipality.name)):
        if municipality.places:
            groups[municipality.name] = [(place.id, place.name) for place in municipality.places]
    return groups


def provider_for(right: str) -> Provider | None:
    """The provider the answer to "right to free training?" leads to (see the module docstring)."""
    slugs = {**DEFAULT_PROVIDERS, **(current_app.config.get("SIGNUP_PROVIDERS") or {})}
    provider = db.session.scalars(select(Provider).where(Provider.slug == slugs.get(right, ""))).first()
    return provider or db.session.scalars(select(Provider).order_by(Provider.id)).first()


# --- the answers -----------------------------------------------------------------


def about_answers(form) -> dict:
    """The about-you step's answers as plain JSON for the session."""
    return {
        "name": form.name.data.strip(),
        "email": (form.email.data or "").strip() or None,
        "phone": (form.phone.data or "").strip() or None,
        "language": form.language.data,
        "home": form.home.data,
        "right": form.right.data,
        "level": form.level.data,
        "travel": int(form.travel.data),
        "days": list(form.days.data or []),
        "session_messages": bool(form.session_messages.data),
    }


def about_of(learner: Learner) -> dict:
    """A stored learner's details in the same form (for the edit page)."""
    right = next((answer for answer, slug in DEFAULT_PROVIDERS.items()
                  if learner.provider is not None and slug == learner.provider.slug), "unsure")
    return {"name": learner.name, "email": learner.email or "", "phone": learner.phone or "",
            "language": learner.language, "home": learner.home_place_id, "right": right,
            "level": learner.level, "travel": learner.max_travel_minutes,
            "days": [day for day in (learner.preferred_days or "").split(",") if day],
            "session_messages": bool(learner.session_messages)}


def level_of(answer: str) -> str:
    return LEVEL_UNKNOWN_MEANS if answer == "unknown" else answer


# --- the rota --------------------------------------------------------------------


def _normal_clock(text: str) -> str | None:
    """A worker's "HH:MM" answer written the solver's way, or None when it is not a time."""
    minutes = parse_clock(text)
    return None if minutes is None else clock_text(minutes)


def rota_from_preset(preset_id: str, answers: Mapping[str, str]) -> tuple[dict | None, dict[str, str]]:
    """The rota from a preset, the worker's shift times and where they are in the cycle; or errors by field.

    answers: "<shift>_from", "<shift>_to" per shift name; "week" (1-based, for
    presets that follow the calendar week) or "first_day" (YYYY-MM-DD, else).
    """
    preset = PRESETS.get(preset_id)
    errors: dict[str, str] = {}
    if preset is None:
        return None, {"preset": _("This rota does not exist. Go back and choose one from the list.")}
    times = {}
    for shift in preset.shift_names:
        start, end = _normal_clock(answers.get(f"{shift}_from", "")), _normal_clock(answers.get(f"{shift}_to", ""))
        for key, value in ((f"{shift}_from", start), (f"{shift}_to", end)):
            if value is None:
                errors[key] = _("Write the time as hours and minutes, like 07:30 or 22:00.")
        if start and end and start == end:
            errors[f"{shift}_to"] = _("A shift cannot start and end at the same time.")
        times[shift] = (start, end)
    anchor = today()
    week = 0
    if preset.weekly:
        cycle_weeks = max(1, preset.cycle_days // 7)
        raw = str(answers.get("week", "1"))
        if not raw.isdecimal() or not 1 <= int(raw) <= cycle_weeks:
            errors["week"] = _("Choose a week from 1 to %(count)s.", count=cycle_weeks)
        else:
            week = int(raw) - 1
    elif preset.pattern:
        first = parse_date(answers.get("first_day", ""))
        if first is None:
            errors["first_day"] = _("Write a date like 2027-01-11.")
        elif abs((first - today()).days) > 366:
            errors["first_day"] = _("Choose a date within one year from today.")
        else:
            anchor = first
    if errors:
        return None, errors
    return build_rota(preset_id, anchor, times=times or None, week=week), {}


def preset_answers_of(rota: Rota | None, preset_id: str) -> dict[str, str]:
    """The preset step's answers that rebuild a stored rota made from this preset (empty when it was not)."""
    preset = PRESETS.get(preset_id)
    if rota is None or preset is None or rota.preset != preset_id or len(rota.cycle) != len(preset.pattern):
        return {}
    answers: dict[str, str] = {}
    for names, day in zip(preset.pattern, rota.cycle):
        if names == AWAY or day == AWAY:
            continue
        for name, shift in zip(names, day):
            answers.setdefault(f"{name}_from", shift[0])
            answers.setdefault(f"{name}_to", shift[1])
    if preset.weekly:
        weeks = max(1, preset.cycle_days // 7)
        answers["week"] = str((this_monday() - rota.anchor).days // 7 % weeks + 1)
    else:
        # The first day of the current period: the latest start of the cycle on or before today.
        length = len(rota.cycle)
        answers["first_day"] = (today() - dt.timedelta(days=(today() - rota.anchor).days % length)).isoformat()
    return answers


def rota_from_custom(answers: Mapping[str, str], weeks: int) -> tuple[dict | None, dict[str, str]]:
    """A rota built day by day: "kind_<i>" (off, shift, away), "from_<i>", "to_<i>", and "week" (this week's number).

    Each error names the week and the day it is about.
    """
    from ..i18n import weekday_name

    errors: dict[str, str] = {}
    cycle: list = []
    for index in range(weeks * 7):
        where = {"week": index // 7 + 1, "day": weekday_name(index % 7)}
        kind = answers.get(f"kind_{index}") or "off"
        if kind == "off":
            cycle.append([])
        elif kind == "away":
            cycle.append(AWAY)
        elif kind == "shift":
            start, end = _normal_clock(answers.get(f"from_{index}", "")), _normal_clock(answers.get(f"to_{index}", ""))
            if start is None:
                errors[f"from_{index}"] = _("Week %(week)s, %(day)s: write when the shift starts, like 07:30.", **where)
            if end is None:
                errors[f"to_{index}"] = _("Week %(week)s, %(day)s: write when the shift ends, like 15:30.", **where)
            if start and end and start == end:
                errors[f"to_{index}"] = _("Week %(week)s, %(day)s: a shift cannot start and end at the same time.",
                                          **where)
            cycle.append([[start, end]])
        else:
            errors[f"kind_{index}"] = _("Week %(week)s, %(day)s: choose day off, work or away.", **where)
            cycle.append([])
    raw = str(answers.get("week", "1"))
    if not raw.isdecimal() or not 1 <= int(raw) <= weeks:
        errors["week"] = _("Choose a week from 1 to %(count)s.", count=weeks)
    if not errors and all(day == AWAY for day in cycle):
        errors["cycle"] = _("In this rota you are away every day, so you could never come to a class. Check the days.")
    if errors:
        return None, errors
    start = this_monday() - dt.timedelta(days=7 * (int(raw) - 1))
    return {"start": start.isoformat(), "cycle": cycle}, {}


def custom_answers_of(rota: Mapping | None) -> dict[str, str]:
    """The day-by-day builder's answers that rebuild a rota of whole weeks (empty for another rota).

    So that "my rota is a little different" starts from the rota chosen or stored, not from blank days.
    """
    if not rota or not rota.get("cycle") or len(rota["cycle"]) % 7 or len(rota["cycle"]) > 7 * MAX_CUSTOM_WEEKS:
        return {}
    cycle = rota["cycle"]
    answers = {"weeks": str(len(cycle) // 7)}
    for index, day in enumerate(cycle):
        if day == AWAY:
            answers[f"kind_{index}"] = "away"
        elif day:
            answers[f"kind_{index}"] = "shift"
            answers[f"from_{index}"], answers[f"to_{index}"] = day[0][0], day[0][1]
        else:
            answers[f"kind_{index}"] = "off"
    start = dt.date.fromisoformat(str(rota["start"]))
    answers["week"] = str((this_monday() - start).days // 7 % (len(cycle) // 7) + 1)
    return answers


def busy_from_rows(answers: Mapping[str, str]) -> tuple[list[dict], dict[str, str]]:
    """One-off busy times from rows "busy_date_<i>", "busy_from_<i>", "busy_to_<i>" (times optional: whole day)."""
    busy, errors = [], {}
    for row in range(BUSY_ROWS):
        raw_day = (answers.get(f"busy_date_{row}") or "").strip()
        raw_from = (answers.get(f"busy_from_{row}") or "").strip()
        raw_to = (answers.get(f"busy_to_{row}") or "").strip()
        if not (raw_day or raw_from or raw_to):
            continue
        day = parse_date(raw_day)
        if day is None:
            errors[f"busy_date_{row}"] = _("Write a date like 2027-01-11.")
            continue
        if not today() <= day <= today() + dt.timedelta(days=730):
            errors[f"busy_date_{row}"] = _("Choose a date from today and up to two years ahead.")
            continue
        if not raw_from and not raw_to:
            start, end = dt.datetime.combine(day, dt.time()), dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
        else:
            begin, finish = parse_clock(raw_from), parse_clock(raw_to)
            if begin is None:
                errors[f"busy_from_{row}"] = _("Write the time as hours and minutes, like 07:30 or 22:00.")
            if finish is None:
                errors[f"busy_to_{row}"] = _("Write the time as hours and minutes, like 07:30 or 22:00.")
            if begin is None or finish is None:
                continue
            if finish <= begin:
                errors[f"busy_to_{row}"] = _("The end must be later than the start.")
                continue
            start = dt.datetime.combine(day, dt.time(begin // 60, begin % 60))
            end = dt.datetime.combine(day, dt.time(finish // 60, finish % 60))
        busy.append({"start": start.strftime("%Y-%m-%dT%H:%M"), "end": end.strftime("%Y-%m-%dT%H:%M")})
    return busy, errors


def busy_for_display(item: Mapping) -> tuple[dt.date, str | None, str | None]:
    """(date, from, to) of a busy interval; the times are None for a whole day."""
    start, end = dt.datetime.fromisoformat(item["start"]), dt.datetime.fromisoformat(item["end"])
    if start.time() == dt.time() and end - start == dt.timedelta(days=1):
        return start.date(), None, None
    return start.date(), start.strftime("%H:%M"), end.strftime("%H:%M")


# --- the preview ------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyTimes:
    """What a group would meet every week: one start per weekday, e.g. Tuesday and Thursday 18:00."""
    slots: tuple[tuple[str, str], ...]  # ("tue", "18:00"), in week order
    share: float  # of the term's lessons at these times, the part the learner's rota and busy days allow


@dataclass(frozen=True)
class CourseOption:
    """One course at one venue, as the learner would meet it, and whether she can attend enough of it."""
    course: str
    level: str
    venue: str
    sessions_per_week: int
    minutes_away: int  # driving time from home, one way
    in_reach: bool  # within the learner's travel time
    min_share: float  # the course's minimum attendable share
    fitting: tuple[WeeklyTimes, ...] = ()  # weekly times she can attend enough of, best first
    best: WeeklyTimes | None = None  # the best weekly times, fitting or not

    @property
    def fits(self) -> bool:
        return bool(self.fitting)


@dataclass(frozen=True)
class Preview:
    weeks: list[list[RotaDay]]
    options: list[CourseOption] = field(default_factory=list)  # in reach first, fitting first, nearest first
    term_name: str | None = None
    checked: bool = False  # False when the course times could not be checked (no term, no course at the level)
    max_travel: int = 0

    @property
    def in_reach(self) -> list[CourseOption]:
        return [option for option in self.options if option.in_reach]

    @property
    def fitting(self) -> list[CourseOption]:
        return [option for option in self.options if option.fits]

    @property
    def nearest_out_of_reach(self) -> CourseOption | None:
        return min((o for o in self.options if not o.in_reach), key=lambda o: o.minutes_away, default=None)


def draft_learner_json(about: Mapping, rota: Mapping | None, busy: list) -> dict:
    """The learner not yet stored, in the solver's JSON form (id PREVIEW_ID)."""
    entry = {"id": PREVIEW_ID, "home": about["home"], "level": level_of(about["level"]),
             "max_travel_minutes": int(about["travel"]), "buffer_minutes": 30, "priority": 1,
             "busy": list(busy or []), "prefer_days": list(about.get("days") or [])}
    if rota:
        entry["rota"] = {"start": rota["start"], "cycle": rota["cycle"]}
    return entry


def course_options(provider: Provider, learner: Mapping) -> tuple[list[CourseOption], str | None, bool]:
    """Every course of the learner's level at every venue: how far, and which weekly times she can attend enough of.

    The weekly times are those a group of the course could meet (one candidate slot
    per day, as many days as the course meets a week, within the venue's hours).
    """
    from itertools import combinations

    from solver.availability import compute_availability
    from solver.problem import InvalidProblem, read_problem
    from solver.travel import travel_matrix

    from .planning import build_problem, current_term

    term = current_term(provider)
    if term is None:
        return [], None, False
    try:
        problem = read_problem(build_problem(provider, term, extra_learners=[learner]))
    except (InvalidProblem, ValueError):
        current_app.logger.warning("sign-up preview: the provider's problem does not read", exc_info=True)
        return [], term.name, False
    index = next((i for i, entry in enumerate(problem.learners) if entry.id == PREVIEW_ID), None)
    courses = [course for course in problem.courses if course.level == learner["level"]]
    if index is None or not courses or not problem.slots:
        return [], term.name, False
    places, travel = travel_matrix(problem)
    home = places[learner["home"]]
    availability = compute_availability(problem, [index])
    venues = {venue.id: v for v, venue in enumerate(problem.venues)}
    options = []
    for course in courses:
        for venue_id in course.venues:
            v = venues[venue_id]
            venue = problem.venues[v]
            minutes = int(travel[home, places[venue.place]])
            in_reach = minutes <= learner["max_travel_minutes"]
            weekly = []
            if in_reach:
                open_slots = [s for s, slot in enumerate(problem.slots)
                              if any(w.contains(slot.day, slot.start, course.session_minutes) for w in venue.open)]
                for combo in combinations(open_slots, course.sessions_per_week):
                    if len({problem.slots[s].day for s in combo}) < len(combo):
                        continue
                    times = tuple((problem.slots[s].to_json()["day"], problem.slots[s].to_json()["start"])
                                  for s in sorted(combo, key=lambda s: (problem.slots[s].day, problem.slots[s].start)))
                    weekly.append(WeeklyTimes(times, availability.share(0, v, course.session_minutes, combo)))
            weekly.sort(key=lambda w: -w.share)
            fitting = tuple(w for w in weekly if w.share + 1e-9 >= course.min_attendance)
            options.append(CourseOption(course.name, course.level, venue.name, course.sessions_per_week, minutes,
                                        in_reach, course.min_attendance, fitting, weekly[0] if weekly else None))
    options.sort(key=lambda o: (not o.in_reach, not o.fits, o.minutes_away, o.course))
    return options, term.name, True


def preview(about: Mapping, rota: Mapping | None, busy: list, provider: Provider | None) -> Preview:
    """Four weeks of the rota from this week, and which courses' weekly times it lets the learner attend."""
    first = today()
    cycle = rota["cycle"] if rota else []
    start = dt.date.fromisoformat(rota["start"]) if rota else first
    weeks = weeks_from(cycle, start, first, 4)
    if provider is None:
        return Preview(weeks)
    options, term_name, checked = course_options(provider, draft_learner_json(about, rota, busy))
    return Preview(weeks, options, term_name, checked, int(about["travel"]))


# --- storing ------------------------------------------------------------------------


def apply_about(learner: Learner, about: Mapping) -> None:
    provider = provider_for(about["right"])
    learner.provider_id = provider.id if provider is not None else None
    learner.name = about["name"]
    learner.email = about.get("email") or None
    learner.phone = about.get("phone") or None
    learner.language = about["language"]
    learner.home_place_id = about["home"]
    learner.level = level_of(about["level"])
    learner.max_travel_minutes = int(about["travel"])
    learner.preferred_days = ",".join(about.get("days") or [])
    learner.session_messages = bool(about.get("session_messages"))


def save_about(learner: Learner, about: Mapping):
    """A stored learner changed their details (the personal page): apply, re-check their group, commit.

    Returns `enrollment.recheck_placement`'s answer: their published group's fit now (None: no group).
    """
    from .enrollment import recheck_placement

    apply_about(learner, about)
    fit = recheck_placement(learner)
    db.session.commit()
    return fit


def save_rota(learner: Learner, rota: Mapping | None, method: str | None, busy: list):
    """A stored learner changed their rota and busy times: apply, re-check their group, commit.

    Returns `enrollment.recheck_placement`'s answer: their published group's fit now (None: no group).
    """
    from .enrollment import recheck_placement

    apply_rota(learner, rota, method, busy)
    fit = recheck_placement(learner)
    db.session.commit()
    return fit


def apply_rota(learner: Learner, rota: Mapping | None, method: str | None, busy: list) -> None:
    """Replace the learner's rota and one-off busy times."""
    if rota:
        anchor = dt.date.fromisoformat(rota["start"])
        if learner.rota is None:
            learner.rota = Rota(preset=method, anchor=anchor, cycle=rota["cycle"])
        else:
            learner.rota.preset, learner.rota.anchor, learner.rota.cycle = method, anchor, rota["cycle"]
    else:
        learner.rota = None
    learner.busy_periods = [BusyPeriod(start=dt.datetime.fromisoformat(b["start"]),
                                       end=dt.datetime.fromisoformat(b["end"]), note="") for b in busy]


def create_learner(draft: Mapping, nonce: str) -> tuple[Learner, bool]:
    """Store the sign-up once per nonce: (learner, True) the first time, (the same learner, False) after."""
    existing = db.session.scalars(select(Learner).where(Learner.access_token == nonce)).first()
    if existing is not None:
        return existing, False
    learner = Learner(access_token=nonce, consent_at=utcnow())
    apply_about(learner, draft["about"])
    rota = draft.get("rota") or {}
    apply_rota(learner, rota.get("rota"), rota.get("method"), draft.get("busy") or [])
    from .employers import apply_join  # employers builds team rotas with this module's builders

    apply_join(learner, draft.get("join"))
    db.session.add(learner)
    try:
        db.session.commit()
    except IntegrityError:  # the same nonce, submitted twice at once
        db.session.rollback()
        return db.session.scalars(select(Learner).where(Learner.access_token == nonce)).one(), False
    return learner, True


def new_nonce() -> str:
    return new_token()

