"""Setting up a provider: term (with closed dates), candidate slots, venues, courses, teachers; CSV import.

Every save function takes plain values (from a form, the CLI or a CSV row),
validates all of them and raises SetupError with one message per field, so
the user sees everything that needs fixing at once.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ..demo.school_calendar import closed_days

from ..db import db
from ..models import (
    LEVELS,
    WEEKDAYS,
    CandidateSlot,
    ClosedDate,
    Course,
    Group,
    Learner,
    Place,
    Provider,
    Rota,
    Teacher,
    TeacherAvailability,
    Term,
    Venue,
    VenueOpening,
)
from ..phones import e164_or_none


class SetupError(ValueError):
    """Invalid input: `errors` maps each field to what is wrong and what would be accepted."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = dict(errors)


# --- parsing small values ----------------------------------------------------------


def slugify(text: str) -> str:
    from ..demo import slugify as demo_slugify

    return demo_slugify(text).replace(".", "-")


def unique_slug(model, text: str, own_id: int | None = None) -> str:
    base = slugify(text) or "item"
    slug, number = base, 1
    while True:
        found = db.session.scalar(select(model).where(model.slug == slug))
        if found is None or found.id == own_id:
            return slug
        number += 1
        slug = f"{base}-{number}"


def parse_days(text: str) -> list[str]:
    """"mon,wed", "mon-fri" or "sat sun" -> weekday codes in order; ValueError says what is accepted."""
    days: set[int] = set()
    for part in re.split(r"[,\s]+", (text or "").strip().lower()):
        if not part:
            continue
        if "-" in part:
            first, _sep, last = part.partition("-")
            if first not in WEEKDAYS or last not in WEEKDAYS:
                raise ValueError(f"{part!r} is not a range of days; write e.g. mon-fri")
            a, b = WEEKDAYS.index(first), WEEKDAYS.index(last)
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        elif part in WEEKDAYS:
            days.add(WEEKDAYS.index(part))
        else:
            raise ValueError(f"{part!r} is not a day; use mon, tue, wed, thu, fri, sat, sun")
    if not days:
        raise ValueError("name at least one day, e.g. mon,wed or mon-fri")
    return [WEEKDAYS[i] for i in sorted(days)]


def parse_time(text: str) -> dt.time:
    try:
        return dt.time.fromisoformat((text or "").strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a time; write HH:MM, e.g. 18:00") from None


def parse_windows(text: str) -> list[tuple[list[str], dt.time, dt.time]]:
    """Weekly windows, one per line or separated by ';': "mon-thu 16:00-22:00"."""
    windows = []
    for part in re.split(r"[;\n]+", text or ""):
        part = part.strip()
        if not part:
            continue
        match = re.fullmatch(r"(.+?)\s+(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})", part)
        if match is None:
            raise ValueError(f"{part!r}: write days and times like 'mon-thu 16:00-22:00'")
        start, end = parse_time(match[2].zfill(5)), parse_time(match[3].zfill(5))
        if end <= start:
            raise ValueError(f"{part!r}: the window must end after it starts, on the same day")
        windows.append((parse_days(match[1]), start, end))
    return windows


def format_windows(rows) -> str:
    return "\n".join(f"{row.days} {_start(row):%H:%M}-{_end(row):%H:%M}" for row in rows)


def _start(row):
    return getattr(row, "opens", None) or row.start


def _end(row):
    return getattr(row, "closes", None) or row.end


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def _int(errors: dict, name: str, value, low: int, high: int) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors[name] = _("write a whole number from %(low)d to %(high)d", low=low, high=high)
        return None
    if not low <= number <= high:
        errors[name] = _("write a whole number from %(low)d to %(high)d", low=low, high=high)
        return None
    return number


def _text(errors: dict, name: str, value, *, required: bool = True, limit: int = 120) -> str:
    text = (value or "").strip()
    if required and not text:
        errors[name] = _("this cannot be empty")
    elif len(text) > limit:
        errors[name] = _("use at most %(n)d characters", n=limit)
    return text


def find_place(text: str) -> Place | None:
    """A place by id ("finnsnes") or name ("Finnsnes"), case-insensitive."""
    text = (text or "").strip()
    return db.session.get(Place, text) or db.session.scalar(
        select(Place).where(func.lower(Place.name) == text.lower()))


def _place(errors: dict, name: str, value) -> Place | None:
    place = find_place(value)
    if place is None:
        known = ", ".join(db.session.scalars(select(Place.id).order_by(Place.id)))
        errors[name] = _("%(value)s is not a known place; use one of %(known)s", value=value or "''", known=known)
    return place


def create_provider(slug: str, name: str) -> Provider:
    errors = {}
    name = _text(errors, "name", name)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,58}", slug or ""):
        errors["slug"] = _("use 2 to 59 lower-case letters, digits and hyphens, e.g. senja-vo")
    elif db.session.scalar(select(Provider).where(Provider.slug == slug)) is not None:
        errors["slug"] = _("a provider with this slug exists already")
    if errors:
        raise SetupError(errors)
    provider = Provider(slug=slug, name=name)
    db.session.add(provider)
    db.session.commit()
    return provider


# --- term, closed dates and slots ----------------------------------------------------


def default_closed_dates(first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
    """Norwegian public holidays, Troms school breaks, Christmas Eve and New Year's Eve inside first..last."""
    return closed_days(first, last)


def parse_closed_dates(text: str) -> list[tuple[dt.date, str]]:
    """Lines "YYYY-MM-DD reason" (or "YYYY-MM-DD..YYYY-MM-DD reason" for a break)."""
    closed: dict[dt.date, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        when, _sep, reason = line.partition(" ")
        first_text, _dots, last_text = when.partition("..")
        try:
            first = parse_date(first_text)
            last = parse_date(last_text) if last_text else first
        except ValueError as error:
            raise ValueError(f"line {number}: {error}") from None
        if last < first:
            raise ValueError(f"line {number}: the break ends before it starts")
        day = first
        while day <= last:
            closed[day] = reason.strip()[:120]
            day += dt.timedelta(days=1)
    return sorted(closed.items())


def save_term(provider: Provider, values: Mapping, term: Term | None = None) -> Term:
    """Create or update a term. values: name, first_day, last_day, timezone, closed (text; empty -> defaults)."""
    errors: dict[str, str] = {}
    name = _text(errors, "name", values.get("name"), limit=80)
    first = last = None
    try:
        first = parse_date(values.get("first_day"))
    except ValueError as error:
        errors["first_day"] = str(error)
    try:
        last = parse_date(values.get("last_day"))
    except ValueError as error:
        errors["last_day"] = str(error)
    if first and last and last < first:
        errors["last_day"] = _("the last day must not be before the first day")
    zone = (values.get("timezone") or "Europe/Oslo").strip()
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = _("%(zone)s is not a time zone; use e.g. Europe/Oslo", zone=zone)
    closed_text = values.get("closed")
    closed = []
    if closed_text and closed_text.strip():
        try:
            closed = parse_closed_dates(closed_text)
        except ValueError as error:
            errors["closed"] = str(error)
    elif first and last and not errors:
        closed = default_closed_dates(first, last)
    if errors:
        raise SetupError(errors)
    if term is None:
        term = Term(provider=provider)
        db.session.add(term)
    term.name, term.first_day, term.last_day, term.timezone = name, first, last, zone
    term.closed_dates = [ClosedDate(day=day, reason=reason) for day, reason in closed if first <= day <= last]
    db.session.flush()
    db.session.commit()
    return term


def add_slot(term: Term, day: str, start: str) -> CandidateSlot:
    errors = {}
    if day not in WEEKDAYS:
        errors["day"] = _("use one of mon, tue, wed, thu, fri, sat, sun")
    try:
        clock = parse_time(start)
    except ValueError as error:
        errors["start"] = str(error)
        clock = None
    if not errors and day in WEEKDAYS[:5] and clock < dt.time(16):
        errors["start"] = _("on weekdays, sessions start at 16:00 or later (the learners work in the day)")
    if not errors and any(slot.day == day and slot.start == clock for slot in term.slots):
        errors["start"] = _("this slot exists already")
    if errors:
        raise SetupError(errors)
    slot = CandidateSlot(day=day, start=clock)
    term.slots.append(slot)
    db.session.commit()
    return slot


def remove_slot(slot: CandidateSlot) -> None:
    db.session.delete(slot)
    db.session.commit()


# --- venues, courses, teachers ------------------------------------------------------------


def save_venue(provider: Provider, values: Mapping, venue: Venue | None = None) -> Venue:
    """values: name, address, place, rooms, seats (optional), openings ("mon-thu 16:00-22:00; sat 09:00-16:00")."""
    errors: dict[str, str] = {}
    name = _text(errors, "name", values.get("name"))
    address = _text(errors, "address", values.get("address"), required=False, limit=200)
    place = _place(errors, "place", values.get("place"))
    rooms = _int(errors, "rooms", values.get("rooms") or 1, 1, 50)
    seats = values.get("seats")
    seats = None if seats is None or not str(seats).strip() else _int(errors, "seats", seats, 1, 500)
    if seats is not None:
        # A room that seats fewer than a course's smallest group could never hold it: the optimizer refuses it.
        for course in provider.courses:
            if seats < course.min_group and (not course.venues or venue in course.venues):
                errors["seats"] = _("%(course)s needs at least %(n)d learners in a group: give at least %(n)d "
                                    "seats, or take this venue off the course.", course=course.name,
                                    n=course.min_group)
                break
    try:
        windows = parse_windows(values.get("openings", ""))
        if not windows:
            errors["openings"] = _("give at least one opening window, e.g. mon-thu 16:00-22:00")
    except ValueError as error:
        errors["openings"] = str(error)
    if errors:
        raise SetupError(errors)
    if venue is None:
        venue = Venue(provider=provider, slug=unique_slug(Venue, f"{provider.slug}-{name}"))
        db.session.add(venue)
    groups, before = _seat_limits(Group.venue_id == venue.id) if venue.id is not None else ([], {})
    venue.name, venue.address, venue.place_id, venue.rooms, venue.seats = name, address, place.id, rooms, seats
    venue.openings = [VenueOpening(days=",".join(days), opens=start, closes=end) for days, start, end in windows]
    db.session.commit()
    _pass_on_seat_changes(groups, before)
    return venue


def _seat_limits(condition) -> tuple[list[Group], dict[int, int]]:
    """The groups meeting `condition` and how many each may hold now (before a course or room changes)."""
    from .seats import seat_limit

    groups = list(db.session.scalars(select(Group).where(condition)))
    return groups, {group.id: seat_limit(group) for group in groups}


def _pass_on_seat_changes(groups: list[Group], before: dict[int, int]) -> None:
    """After a course's max_group or a room's seats changed: seats gained in published groups go to the
    waiting list; seats lost end the newest offers they leave no seat for."""
    from .offers import capacity_lowered, capacity_raised
    from .seats import seat_limit

    raised = [group.id for group in groups if seat_limit(group) > before[group.id]]
    lowered = [group.id for group in groups if seat_limit(group) < before[group.id]]
    if raised:
        capacity_raised(raised)
    if lowered:
        capacity_lowered(lowered)


def save_course(provider: Provider, term: Term, values: Mapping, course: Course | None = None) -> Course:
    """values: name, level, sessions_per_week, session_minutes, min_group, max_group, min_attendance (%), venues (slugs)."""
    errors: dict[str, str] = {}
    name = _text(errors, "name", values.get("name"))
    level = (values.get("level") or "").strip().upper()
    if level not in LEVELS:
        errors["level"] = _("use one of %(levels)s", levels=", ".join(LEVELS))
    per_week = _int(errors, "sessions_per_week", values.get("sessions_per_week"), 1, 7)
    minutes = _int(errors, "session_minutes", values.get("session_minutes"), 30, 360)
    smallest = _int(errors, "min_group", values.get("min_group"), 1, 100)
    largest = _int(errors, "max_group", values.get("max_group"), 1, 100)
    if smallest and largest and largest < smallest:
        errors["max_group"] = _("the largest group must not be smaller than the smallest")
    attendance = _int(errors, "min_attendance", values.get("min_attendance"), 1, 100)
    chosen = values.get("venues") or []
    if isinstance(chosen, str):
        chosen = [slug for slug in re.split(r"[,\s]+", chosen) if slug]
    own = {venue.slug: venue for venue in provider.venues}
    unknown = [slug for slug in chosen if slug not in own]
    if unknown:
        errors["venues"] = _("%(unknown)s: not your venues; use %(known)s", unknown=", ".join(unknown),
                             known=", ".join(own) or "-")
    if errors:
        raise SetupError(errors)
    groups, before = _seat_limits(Group.course_id == course.id) if course is not None else ([], {})
    if course is None:
        course = Course(provider=provider, term=term, slug=unique_slug(Course, f"{provider.slug}-{name}"))
        db.session.add(course)
    course.name, course.level, course.sessions_per_week, course.session_minutes = name, level, per_week, minutes
    course.min_group, course.max_group, course.min_attendance = smallest, largest, attendance / 100
    course.venues = [own[slug] for slug in chosen]
    db.session.commit()
    _pass_on_seat_changes(groups, before)
    return course


def save_teacher(provider: Provider, values: Mapping, teacher: Teacher | None = None, *,
                 commit: bool = True) -> Teacher:
    """values: name, email, home, levels ("A1 A2"), max_sessions_per_week, available (windows)."""
    errors: dict[str, str] = {}
    name = _text(errors, "name", values.get("name"))
    email = _text(errors, "email", values.get("email"), required=False, limit=200)
    if email and "@" not in email:
        errors["email"] = _("write an e-mail address such as name@example.org")
    home = _place(errors, "home", values.get("home"))
    levels = values.get("levels") or []
    if isinstance(levels, str):
        levels = [level.upper() for level in re.split(r"[,\s]+", levels) if level]
    if not levels or any(level not in LEVELS for level in levels):
        errors["levels"] = _("name the levels taught, from %(levels)s", levels=", ".join(LEVELS))
    most = _int(errors, "max_sessions_per_week", values.get("max_sessions_per_week") or 6, 0, 40)
    try:
        windows = parse_windows(values.get("available", ""))
    except ValueError as error:
        errors["available"] = str(error)
    if errors:
        raise SetupError(errors)
    if teacher is None:
        teacher = Teacher(provider=provider, slug=unique_slug(Teacher, f"{provider.slug}-{name}"))
        db.session.add(teacher)
    teacher.name, teacher.email, teacher.home_place_id = name, email or None, home.id
    teacher.levels = ",".join(level for level in LEVELS if level in levels)
    teacher.max_sessions_per_week = most
    teacher.availability = [TeacherAvailability(days=",".join(days), start=start, end=end)
                            for days, start, end in windows]
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return teacher


# --- CSV import -------------------------------------------------------------------------------

LEARNER_COLUMNS = ("name", "email", "phone", "language", "home", "level", "preset", "anchor", "week",
                   "max_travel_minutes", "buffer_minutes", "priority", "prefer_days")
TEACHER_COLUMNS = ("name", "email", "home", "levels", "max_sessions_per_week", "available")
LANGUAGE_CODES = ("nb", "en", "pl", "lt", "uk", "ar")


@dataclass
class ImportReport:
    """What an import does, or would do, row by row.

    `accepted` rows are valid (line, summary), `rejected` have errors (line, errors). Of the accepted,
    `added` are new people, `updated` are people already known (same name, and the same e-mail or phone)
    whose details differ (line, summary, fields), `unchanged` are known with the same details.
    `imported` counts the rows saved (added + updated); 0 for a preview.
    """

    kind: str
    accepted: list[tuple[int, str]] = field(default_factory=list)
    rejected: list[tuple[int, list[str]]] = field(default_factory=list)
    imported: int = 0
    missing_columns: list[str] = field(default_factory=list)
    added: list[tuple[int, str]] = field(default_factory=list)
    updated: list[tuple[int, str, list[str]]] = field(default_factory=list)
    unchanged: list[tuple[int, str]] = field(default_factory=list)


def decode_csv(data: bytes) -> str:
    """The text of a CSV file as Excel writes it: UTF-8 with or without a BOM, else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(header: str) -> str:
    """The separator the header line uses most: ";" (Norwegian Excel), "," or a tab."""
    return max((";", ",", "\t"), key=header.count) if any(c in header for c in ";,\t") else ","


def _rows(text: str, required: tuple[str, ...], report: ImportReport):
    text = text.lstrip("\ufeff")
    header = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=_delimiter(header))
    try:
        headers = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    except csv.Error:
        report.rejected.append((1, [_unreadable_line()]))
        return []
    reader.fieldnames = headers
    report.missing_columns = [name for name in required if name not in headers]
    if report.missing_columns:
        return []
    rows, line = [], 1
    try:
        for line, row in enumerate(reader, start=2):
            if any((value or "").strip() for value in row.values() if isinstance(value, str)):
                rows.append((line, {key: (value or "").strip() for key, value in row.items() if key}))
    except csv.Error:  # a cell over csv.field_size_limit(), mostly an unclosed quote: the rest cannot be read
        report.rejected.append((line + 1, [_unreadable_line()]))
    return rows


def _unreadable_line() -> str:
    return _("this line cannot be read: a cell is longer than %(limit)d characters; check that every quote (\") "
             "is closed", limit=csv.field_size_limit())


def learner_details(errors: dict, values: Mapping, default_language: str = "") -> tuple:
    """A learner's name, e-mail, phone, language, home place and level, checked (a CSV row or a staff form);
    what is wrong goes into `errors` by field."""
    name = _text(errors, "name", values.get("name"))
    email = _text(errors, "email", values.get("email"), required=False, limit=200) or None
    phone = _text(errors, "phone", values.get("phone"), required=False, limit=40) or None
    if email and "@" not in email:
        errors["email"] = _("write an e-mail address such as name@example.org")
    if not email and not phone:
        errors["email"] = _("give an e-mail address or a phone number")
    if phone:
        phone = e164_or_none(phone)
        if phone is None:
            errors["phone"] = _("write a phone number such as 912 34 567, or + and the country code, like +48 600 100 200")
    language = (values.get("language") or default_language).strip().lower()
    if language not in LANGUAGE_CODES:
        errors["language"] = _("use one of %(codes)s", codes=", ".join(LANGUAGE_CODES))
    home = _place(errors, "home", values.get("home"))
    level = (values.get("level") or "").strip().upper()
    if level not in LEVELS:
        errors["level"] = _("use one of %(levels)s", levels=", ".join(LEVELS))
    return name, email, phone, language, home, level


def _learner_from_row(provider: Provider, row: Mapping) -> Learner:
    from ..rota_presets import PRESETS, build_rota

    errors: dict[str, str] = {}
    name, email, phone, language, home, level = learner_details(errors, row, default_language="nb")
    travel = _int(errors, "max_travel_minutes", row.get("max_travel_minutes") or 60, 0, 300)
    buffer = _int(errors, "buffer_minutes", row.get("buffer_minutes") or 30, 0, 240)
    priority = _int(errors, "priority", row.get("priority") or 1, 1, 10)
    week = _int(errors, "week", row.get("week") or 0, 0, 52)
    prefer = []
    if row.get("prefer_days"):
        try:
            prefer = parse_days(row["prefer_days"])
        except ValueError as error:
            errors["prefer_days"] = str(error)
    preset = (row.get("preset") or "none").strip()
    rota = None
    if preset not in PRESETS:
        errors["preset"] = _("use one of %(presets)s", presets=", ".join(PRESETS))
    elif preset != "none":
        try:
            anchor = parse_date(row.get("anchor"))
            rota = build_rota(preset, anchor, week=week or 0)
        except ValueError as error:
            errors["anchor"] = str(error)
    if errors:
        raise SetupError(errors)
    learner = Learner(provider=provider, name=name, email=email, phone=phone, language=language,
                      home_place_id=home.id, level=level, max_travel_minutes=travel, buffer_minutes=buffer,
                      priority=priority, preferred_days=",".join(prefer))
    if rota is not None:
        learner.rota = Rota(preset=preset, anchor=dt.date.fromisoformat(rota["start"]), cycle=rota["cycle"])
    return learner


LEARNER_FIELDS = ("name", "email", "phone", "language", "home_place_id", "level", "max_travel_minutes",
                  "buffer_minutes", "priority", "preferred_days")


def same_person_keys(name: str, email: str | None, phone: str | None) -> list[tuple]:
    """The keys under which a person counts as already known: the same name and the same e-mail or phone."""
    person = " ".join((name or "").casefold().split())
    keys = []
    if email:
        keys.append((person, "email", email.strip().lower()))
    digits = re.sub(r"[^0-9]", "", e164_or_none(phone) or phone) if phone else ""
    if len(digits) >= 5:
        keys.append((person, "phone", digits[-8:]))
    return keys


def _known_learners(provider: Provider) -> dict[tuple, Learner]:
    known = {}
    for learner in db.session.scalars(select(Learner).where(Learner.provider_id == provider.id)
                                      .order_by(Learner.id)):
        for key in same_person_keys(learner.name, learner.email, learner.phone):
            known.setdefault(key, learner)
    return known


def _learner_changes(existing: Learner, new: Learner) -> dict[str, object]:
    """The fields (and the rota) in which the imported row differs from the stored learner."""
    changes = {name: getattr(new, name) for name in LEARNER_FIELDS
               if getattr(new, name) not in (None, "") and getattr(new, name) != getattr(existing, name)}
    if new.rota is not None and (existing.rota is None or (existing.rota.preset, existing.rota.anchor,
                                                           existing.rota.cycle) != (new.rota.preset,
                                                                                    new.rota.anchor,
                                                                                    new.rota.cycle)):
        changes["rota"] = new.rota
    return changes


def _teacher_changes(existing: Teacher, values: Mapping) -> list[str]:
    changed = []
    if (values.get("email") or None) != existing.email:
        changed.append("email")
    if find_place(values.get("home")).id != existing.home_place_id:
        changed.append("home")
    levels = {level.upper() for level in re.split(r"[,\s]+", values.get("levels") or "") if level}
    if levels != set(existing.level_list):
        changed.append("levels")
    if int(values.get("max_sessions_per_week") or 6) != existing.max_sessions_per_week:
        changed.append("max_sessions_per_week")
    windows = [(",".join(days), start, end) for days, start, end in parse_windows(values.get("available", ""))]
    if windows != [(row.days, row.start, row.end) for row in existing.availability]:
        changed.append("available")
    return changed


def import_csv(provider: Provider, kind: str, text: str, *, import_valid: bool = False,
               store: bool = True) -> ImportReport:
    """Validate every row of a learners or teachers CSV and match it with the people already known.

    New people are added, known ones (see `same_person_keys`; teachers by name) updated where their
    details differ, and the rest left alone, so importing the same file again adds nobody. With
    `store` False nothing is saved (a preview). Rows are saved only when every row is valid, or
    when `import_valid` is set; then only the valid ones. All in one transaction.
    """
    report = ImportReport(kind)
    if kind == "learners":
        rows = _rows(text, ("name", "home", "level"), report)
    elif kind == "teachers":
        rows = _rows(text, ("name", "home", "levels"), report)
    else:
        raise ValueError(f"kind must be learners or teachers, not {kind!r}")
    if report.missing_columns:
        return report
    if store:
        # Take the provider's row for writing before reading who is known, so that two imports at once
        # run one after the other and the second finds the first one's people (SQLite and PostgreSQL).
        db.session.execute(update(Provider).where(Provider.id == provider.id).values(name=Provider.name))
    known = _known_learners(provider) if kind == "learners" else {
        teacher.name.casefold(): teacher for teacher in provider.teachers}
    work = []  # (existing or None, item, changes)
    seen: dict[tuple, int] = {}
    seen_teachers: set[str] = set()
    for line, row in rows:
        try:
            if kind == "learners":
                item = _learner_from_row(provider, row)
                keys = same_person_keys(item.name, item.email, item.phone)
                twice = next((seen[key] for key in keys if key in seen), None)
                if twice is not None:
                    raise SetupError({"name": _("the same person is on line %(line)d", line=twice)})
                seen.update({key: line for key in keys})
                existing = next((known[key] for key in keys if key in known), None)
                changes = _learner_changes(existing, item) if existing is not None else None
                summary = f"{item.name} ({item.level}, {item.home_place_id}, {item.rota.preset if item.rota else 'none'})"
            else:
                item = _teacher_values(row, seen_teachers)
                existing = known.get(item["name"].strip().casefold())
                changes = _teacher_changes(existing, item) if existing is not None else None
                summary = f"{item['name']} ({item['levels']}, {item['home']})"
        except SetupError as error:
            report.rejected.append((line, [f"{name}: {message}" for name, message in error.errors.items()]))
            continue
        report.accepted.append((line, summary))
        if existing is None:
            report.added.append((line, summary))
        elif changes:
            report.updated.append((line, summary, list(changes)))
        else:
            report.unchanged.append((line, summary))
        work.append((existing, item, changes))
    if not store or (report.rejected and not import_valid):
        return report
    try:
        for existing, item, changes in work:
            if kind == "learners" and existing is None:
                db.session.add(item)
            elif kind == "learners" and changes:
                for name, value in changes.items():
                    if name != "rota":
                        setattr(existing, name, value)
                if "rota" in changes:  # changed in place: a learner has one rota row
                    rota = changes["rota"]
                    if existing.rota is None:
                        existing.rota = Rota(preset=rota.preset, anchor=rota.anchor, cycle=rota.cycle)
                    else:
                        existing.rota.preset, existing.rota.anchor, existing.rota.cycle = \
                            rota.preset, rota.anchor, rota.cycle
            elif kind == "teachers" and (existing is None or changes):
                save_teacher(provider, item, existing, commit=False)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    report.imported = len(report.added) + len(report.updated)
    return report


def _teacher_values(row: Mapping, seen: set[str]) -> dict:
    """Check a teacher row without saving it (save_teacher commits), so a file with errors saves nothing."""
    errors: dict[str, str] = {}
    values = dict(row)
    _text(errors, "name", row.get("name"))
    _place(errors, "home", row.get("home"))
    levels = [level.upper() for level in re.split(r"[,\s]+", row.get("levels") or "") if level]
    if not levels or any(level not in LEVELS for level in levels):
        errors["levels"] = _("name the levels taught, from %(levels)s", levels=", ".join(LEVELS))
    _int(errors, "max_sessions_per_week", row.get("max_sessions_per_week") or 6, 0, 40)
    try:
        parse_windows(row.get("available", ""))
    except ValueError as error:
        errors["available"] = str(error)
    if (row.get("name") or "").lower() in seen:
        errors["name"] = _("this teacher appears twice in the file")
    if errors:
        raise SetupError(errors)
    seen.add((row.get("name") or "").lower())
    return values
