"""Reading and validating a problem document (spec: solver/README.md, format version 1).

`read_problem` turns the JSON document into frozen domain objects, or raises
`InvalidProblem` listing every error found, each with the JSON path of the
offending field and what would be accepted there.

Choices the spec leaves open, made here:
- `format` may be absent; when present it must be "nortime.problem/1".
- A place's `name` defaults to its id and `municipality` to "".
- A venue window may end at "24:00" (open until midnight); every other clock
  time is 00:00-23:59.
- Busy instants may carry seconds ("2027-02-01T16:00:30"); the start is
  rounded down and the end up to whole minutes, so nothing busy is lost.
- Unknown extra fields (a learner's "name", a group's "sessions") are ignored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from solver.config import WEIGHT_NAMES

FORMAT = "nortime.problem/1"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()

DEFAULT_BUFFER_MINUTES = 30
DEFAULT_PRIORITY = 1
DEFAULT_MAX_TRAVEL_MINUTES = 60
DEFAULT_MIN_ATTENDANCE = 0.75
DEFAULT_ROOMS = 1

# Sanity limits: generous for real use, small enough to catch typos (minutes vs hours).
MAX_BUFFER_MINUTES = 24 * 60
MAX_SESSION_MINUTES = 12 * 60
MAX_TERM_DAYS = 400
EVENING_FROM = 16 * 60  # weekday slots are evening slots (spec: 16:00 or later)

_CLOCK_CACHE: dict[str, int] = {}  # valid "HH:MM" -> minutes (at most 1,440 entries)
_CLOCK = re.compile(r"(\d{2}):(\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?")


# ----------------------------------------------------------------------------
# Domain objects


@dataclass(frozen=True)
class Slot:
    """A candidate weekly start time: weekday 0..6 (Monday = 0), minutes after local midnight."""

    day: int
    start: int

    @property
    def label(self) -> str:
        return f"{WEEKDAYS[self.day]} {format_clock(self.start)}"

    def to_json(self) -> dict:
        return {"day": WEEKDAYS[self.day], "start": format_clock(self.start)}


@dataclass(frozen=True)
class Window:
    """Weekly opening or availability window; minutes after midnight, end > start (same day)."""

    days: frozenset[int]
    start: int
    end: int

    def contains(self, day: int, start: int, minutes: int) -> bool:
        """True when a session on `day` from `start` lasting `minutes` lies inside this window."""
        return day in self.days and self.start <= start and start + minutes <= self.end


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    municipality: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Venue:
    id: str
    name: str
    place: str
    rooms: int
    open: tuple[Window, ...]
    seats: int | None = None      # learners a room seats; None: no limit but the course's max_group


@dataclass(frozen=True)
class Course:
    id: str
    name: str
    level: str
    sessions_per_week: int
    session_minutes: int
    min_group: int
    max_group: int
    min_attendance: float
    venues: tuple[str, ...]  # resolved: absent in the document -> every venue id


@dataclass(frozen=True)
class Teacher:
    id: str
    name: str
    home: str
    levels: frozenset[str]
    max_sessions_per_week: int
    available: tuple[Window, ...]


@dataclass(frozen=True)
class Shift:
    """A shift on one rota day; minutes after midnight. end <= start: it ends the next day."""

    start: int
    end: int

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    @property
    def label(self) -> str:
        return f"{format_clock(self.start)}-{format_clock(self.end)}"


AWAY = "away"


@dataclass(frozen=True)
class Rota:
    """cycle[i] describes every day start + i + k*len(cycle), for all integers k."""

    start: date
    cycle: tuple[tuple[Shift, ...] | str, ...]

    def day(self, when: date) -> tuple[Shift, ...] | str:
        """The cycle entry for `when` (a tuple of shifts, or "away")."""
        return self.cycle[(when - self.start).days % len(self.cycle)]


@dataclass(frozen=True)
class Busy:
    """A one-off unavailable interval, naive local wall-clock time, end > start."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Learner:
    id: str
    home: str
    level: str
    max_travel_minutes: int
    buffer_minutes: int
    priority: int
    rota: Rota | None
    busy: tuple[Busy, ...]
    prefer_days: frozenset[int]


@dataclass(frozen=True)
class Term:
    first_day: date
    last_day: date
    closed: frozenset[date]


@dataclass(frozen=True)
class CurrentGroup:
    id: str
    course: str
    venue: str
    teacher: str | None
    slots: tuple[Slot, ...]
    learners: tuple[str, ...]
    locked: bool


@dataclass(frozen=True)
class Problem:
    timezone: str
    term: Term
    places: tuple[Place, ...]
    travel_minutes: tuple[tuple[str, str, int], ...]
    slots: tuple[Slot, ...]
    venues: tuple[Venue, ...]
    courses: tuple[Course, ...]
    teachers: tuple[Teacher, ...]
    learners: tuple[Learner, ...]
    current_groups: tuple[CurrentGroup, ...]
    locked_learners: frozenset[str]
    weights: Mapping[str, int]        # overrides of config.Weights by name

    def max_group(self, course: int, venue: int | None) -> int:
        """Learners a group of `course` at `venue` may hold: its `max_group`, or fewer when the room seats fewer."""
        seats = self.venues[venue].seats if venue is not None else None
        most = self.courses[course].max_group
        return most if seats is None else min(most, seats)


class InvalidProblem(ValueError):
    """The document is not a valid problem; `errors` lists {"path", "message"} for each fault."""

    def __init__(self, errors: list[dict]):
        self.errors = list(errors)
        shown = "; ".join(f"{e['path']}: {e['message']}" for e in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"invalid problem: {shown}{more}")


# ----------------------------------------------------------------------------
# Clock times and weekdays


def parse_clock(text: Any, *, allow_24: bool = False) -> int:
    """Minutes after midnight for "HH:MM" (00:00-23:59; "24:00" only when allow_24)."""
    if isinstance(text, str):
        known = _CLOCK_CACHE.get(text)  # a big problem repeats the same few shift times
        if known is not None:
            return known
    match = _CLOCK.fullmatch(text) if isinstance(text, str) else None
    if match:
        hours, minutes = int(match[1]), int(match[2])
        if hours < 24 and minutes < 60:
            _CLOCK_CACHE[text] = hours * 60 + minutes
            return hours * 60 + minutes
        if allow_24 and hours == 24 and minutes == 0:
            return 24 * 60
    accepted = "00:00 to 24:00" if allow_24 else "00:00 to 23:59"
    raise ValueError(f"{text!r} is not a time; use HH:MM from {accepted}")


def format_clock(minutes: int) -> str:
    """"HH:MM" for minutes after midnight (0..1440)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_day(text: Any) -> int:
    """Weekday index 0..6 for "mon".."sun"."""
    if isinstance(text, str) and text in WEEKDAYS:
        return WEEKDAYS.index(text)
    raise ValueError(f"{text!r} is not a weekday; use one of {', '.join(WEEKDAYS)}")


def parse_date(text: Any) -> date:
    """A date from "YYYY-MM-DD"."""
    if isinstance(text, str) and _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(f"{text!r} is not a date; use YYYY-MM-DD, e.g. 2027-01-11")


def _parse_local_datetime(text: Any, *, round_up: bool) -> datetime:
    match = _DATETIME.fullmatch(text) if isinstance(text, str) else None
    if match:
        try:
            day = date.fromisoformat(match[1])
            minute = parse_clock(f"{match[2]}:{match[3]}")
            seconds = int(match[4] or 0)
            if seconds < 60:
                if round_up and seconds:
                    minute += 1
                return datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute)
        except ValueError:
            pass
    raise ValueError(
        f"{text!r} is not a local date and time; use YYYY-MM-DDTHH:MM, e.g. 2027-02-01T16:00"
    )


# ----------------------------------------------------------------------------
# The reader: every check appends to `errors` and returns None when the value is unusable.


class _Reader:
    def __init__(self) -> None:
        self.errors: list[dict] = []
        # Ids seen so far (valid or not), for checking references from later sections.
        self.place_ids: set[str] = set()
        self.venue_ids: set[str] = set()
        self.venue_order: dict[str, int] = {}
        self.course_ids: set[str] = set()
        self.teacher_ids: set[str] = set()
        self.learner_ids: set[str] = set()

    def error(self, path: str, message: str) -> None:
        self.errors.append({"path": path, "message": message})

    def parse(self, func: Callable[[Any], Any], value: Any, path: str) -> Any:
        if value is ...:  # missing and already reported by field()
            return None
        try:
            return func(value)
        except ValueError as exc:
            self.error(path, str(exc))
            return None

    # -- generic shapes

    def obj(self, value: Any, path: str) -> Mapping | None:
        if value is ...:  # missing and already reported by field()
            return None
        if isinstance(value, Mapping):
            return value
        self.error(path, f"expected an object, got {_kind(value)}")
        return None

    def array(self, value: Any, path: str) -> Sequence | None:
        if value is ...:  # missing and already reported by field()
            return None
        if isinstance(value, (list, tuple)):
            return value
        self.error(path, f"expected a list, got {_kind(value)}")
        return None

    def field(self, parent: Mapping, key: str, path: str, default: Any = ...) -> Any:
        """parent[key]; a missing required field is an error (returns ...).

        An optional field given as null counts as left out.
        """
        if key in parent and (parent[key] is not None or default is ...):
            return parent[key]
        if default is ...:
            self.error(_join(path, key), "is missing; this field is required")
        return default

    def text(self, value: Any, path: str, *, nonempty: bool = True) -> str | None:
        if value is ...:  # missing and already reported by field()
            return None
        if isinstance(value, str) and (value.strip() or not nonempty):
            return value
        self.error(path, f"expected a non-empty string, got {_kind(value)}")
        return None

    def integer(self, value: Any, path: str, low: int, high: int | None = None) -> int | None:
        if value is ...:  # missing and already reported by field()
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                self.error(path, f"expected a whole number, got {_kind(value)}")
                return None
        if value < low or (high is not None and value > high):
            upper = f" and at most {high}" if high is not None else ""
            self.error(path, f"{value} is out of range; use a whole number at least {low}{upper}")
            return None
        return value

    def number(self, value: Any, path: str, low: float, high: float) -> float | None:
        if value is ...:  # missing and already reported by field()
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.error(path, f"expected a number, got {_kind(value)}")
            return None
        if not low <= value <= high:
            self.error(path, f"{value} is out of range; use a number from {low} to {high}")
            return None
        return float(value)

    def ident(self, value: Any, path: str, seen: set[str], what: str) -> str | None:
        if value is ...:  # missing and already reported by field()
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"expected a non-empty string id, got {_kind(value)}")
            return None
        if value in seen:
            self.error(path, f"duplicate {what} id {value!r}; ids must be unique")
            return None
        seen.add(value)
        return value

    def ref(self, value: Any, path: str, known: Mapping | set, what: str) -> str | None:
        if value is ...:  # missing and already reported by field()
            return None
        if not isinstance(value, str):
            self.error(path, f"expected the id of a {what}, got {_kind(value)}")
            return None
        if value not in known:
            self.error(path, f"unknown {what} {value!r}; use the id of one of the problem's {what}s")
            return None
        return value

    def days(self, value: Any, path: str, *, allow_empty: bool) -> frozenset[int] | None:
        items = self.array(value, path)
        if items is None:
            return None
        parsed = [self.parse(parse_day, item, f"{path}[{i}]") for i, item in enumerate(items)]
        if any(day is None for day in parsed):
            return None
        if not parsed and not allow_empty:
            self.error(path, "list at least one weekday (mon..sun)")
            return None
        return frozenset(parsed)

    def window(self, value: Any, path: str) -> Window | None:
        item = self.obj(value, path)
        if item is None:
            return None
        days = self.days(self.field(item, "days", path), _join(path, "days"), allow_empty=False)
        start = self.parse(parse_clock, self.field(item, "from", path), _join(path, "from"))
        end = self.parse(
            lambda t: parse_clock(t, allow_24=True), self.field(item, "to", path), _join(path, "to")
        )
        if start is not None and end is not None and end <= start:
            self.error(
                _join(path, "to"),
                f"{format_clock(end)} is not after {format_clock(start)}; a window ends later "
                "the same day (use 24:00 for midnight)",
            )
            return None
        if days is None or start is None or end is None:
            return None
        return Window(days=days, start=start, end=end)

    def windows(self, value: Any, path: str) -> tuple[Window, ...]:
        items = self.array(value, path) or ()
        parsed = [self.window(item, f"{path}[{i}]") for i, item in enumerate(items)]
        return tuple(w for w in parsed if w is not None)

    def slot(self, value: Any, path: str) -> Slot | None:
        item = self.obj(value, path)
        if item is None:
            return None
        day = self.parse(parse_day, self.field(item, "day", path), _join(path, "day"))
        start = self.parse(parse_clock, self.field(item, "start", path), _join(path, "start"))
        if day is None or start is None:
            return None
        if day < 5 and start < EVENING_FROM:
            self.error(
                _join(path, "start"),
                f"{format_clock(start)} on {WEEKDAYS[day]} is not an evening; weekday slots "
                "start at 16:00 or later (weekend slots may start at any time)",
            )
            return None
        return Slot(day=day, start=start)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else "a long string"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__


# ----------------------------------------------------------------------------
# Sections of the document


def _read_timezone(r: _Reader, doc: Mapping) -> str | None:
    value = r.field(doc, "timezone", "")
    if value is ...:
        return None
    if isinstance(value, str) and value.strip():
        try:
            ZoneInfo(value)
            return value
        except (ZoneInfoNotFoundError, ValueError):
            pass
    r.error("timezone", f"{_kind(value)} is not a known IANA time zone; use e.g. \"Europe/Oslo\"")
    return None


def _read_term(r: _Reader, doc: Mapping) -> Term | None:
    raw = r.field(doc, "term", "")
    if raw is ...:
        return None
    term = r.obj(raw, "term")
    if term is None:
        return None
    first = r.parse(parse_date, r.field(term, "first_day", "term"), "term.first_day")
    last = r.parse(parse_date, r.field(term, "last_day", "term"), "term.last_day")
    closed_raw = r.array(r.field(term, "closed", "term", []), "term.closed") or ()
    closed = [r.parse(parse_date, d, f"term.closed[{i}]") for i, d in enumerate(closed_raw)]
    if first is None or last is None:
        return None
    if last < first:
        r.error("term.last_day", f"{last} is before first_day {first}; the term must end on or after it starts")
        return None
    if (last - first).days >= MAX_TERM_DAYS:
        r.error("term.last_day", f"the term lasts {(last - first).days + 1} days; at most {MAX_TERM_DAYS} are allowed")
        return None
    return Term(first_day=first, last_day=last, closed=frozenset(d for d in closed if d is not None))


def _read_places(r: _Reader, doc: Mapping) -> dict[str, Place]:
    places: dict[str, Place] = {}
    seen: set[str] = set()
    for i, raw in enumerate(r.array(r.field(doc, "places", "", []), "places") or ()):
        path = f"places[{i}]"
        item = r.obj(raw, path)
        if item is None:
            continue
        pid = r.ident(r.field(item, "id", path), _join(path, "id"), seen, "place")
        name = r.text(r.field(item, "name", path, pid), _join(path, "name")) if pid else None
        municipality = r.field(item, "municipality", path, "")
        if not isinstance(municipality, str):
            r.error(_join(path, "municipality"),
                    f"expected a four-digit municipality number as a string, got {_kind(municipality)}")
        lat = r.number(r.field(item, "lat", path), _join(path, "lat"), -90, 90)
        lon = r.number(r.field(item, "lon", path), _join(path, "lon"), -180, 180)
        if pid and name is not None and isinstance(municipality, str) and lat is not None and lon is not None:
            places[pid] = Place(id=pid, name=name, municipality=municipality, lat=lat, lon=lon)
        elif pid:
            seen.add(pid)  # keep references to it from cascading into "unknown place" errors
    r.place_ids = seen
    return places


def _read_travel(r: _Reader, doc: Mapping) -> tuple[tuple[str, str, int], ...]:
    pairs: dict[frozenset, tuple[str, str, int]] = {}
    for i, raw in enumerate(r.array(r.field(doc, "travel_minutes", "", []), "travel_minutes") or ()):
        path = f"travel_minutes[{i}]"
        item = r.array(raw, path)
        if item is None:
            continue
        if len(item) != 3:
            r.error(path, f"expected [place, place, minutes], got a list of {len(item)} items")
            continue
        a = r.ref(item[0], f"{path}[0]", r.place_ids, "place")
        b = r.ref(item[1], f"{path}[1]", r.place_ids, "place")
        minutes = r.integer(item[2], f"{path}[2]", 0, 24 * 60)
        if a is None or b is None or minutes is None:
            continue
        key = frozenset((a, b))
        if a == b and minutes != 0:
            r.error(f"{path}[2]", f"travel from {a!r} to itself must be 0 minutes, got {minutes}")
        elif key in pairs and pairs[key][2] != minutes:
            r.error(path, f"{a!r}-{b!r} is listed twice with different minutes "
                          f"({pairs[key][2]} and {minutes}); list each pair once")
        else:
            pairs[key] = (a, b, minutes)
    return tuple(pairs.values())


def _read_slots(r: _Reader, doc: Mapping) -> tuple[Slot, ...]:
    slots: list[Slot] = []
    for i, raw in enumerate(r.array(r.field(doc, "slots", "", []), "slots") or ()):
        slot = r.slot(raw, f"slots[{i}]")
        if slot is None:
            continue
        if slot in slots:
            r.error(f"slots[{i}]", f"{slot.label} is listed twice; list each slot once")
            continue
        slots.append(slot)
    return tuple(slots)


def _read_venues(r: _Reader, doc: Mapping) -> tuple[Venue, ...]:
    venues: list[Venue] = []
    seen: set[str] = set()
    for i, raw in enumerate(r.array(r.field(doc, "venues", "", []), "venues") or ()):
        path = f"venues[{i}]"
        item = r.obj(raw, path)
        if item is None:
            continue
        vid = r.ident(r.field(item, "id", path), _join(path, "id"), seen, "venue")
        if vid:
            r.venue_order[vid] = len(r.venue_order)  # "every venue" keeps the document's order
        name = r.text(r.field(item, "name", path, vid), _join(path, "name")) if vid else None
        place = r.ref(r.field(item, "place", path), _join(path, "place"), r.place_ids, "place")
        rooms = r.integer(r.field(item, "rooms", path, DEFAULT_ROOMS), _join(path, "rooms"), 1, 1000)
        windows = r.windows(r.field(item, "open", path), _join(path, "open"))
        seats = r.field(item, "seats", path, None)
        if seats is not None:
            seats = r.integer(seats, _join(path, "seats"), 1, 10000)
            if seats is None:
                continue
        if vid and name is not None and place is not None and rooms is not None:
            venues.append(Venue(id=vid, name=name, place=place, rooms=rooms, open=windows, seats=seats))
    r.venue_ids = seen
    return tuple(venues)


def _read_courses(r: _Reader, doc: Mapping) -> tuple[Course, ...]:
    courses: list[Course] = []
    seen: set[str] = set()
    for i, raw in enumerate(r.array(r.field(doc, "courses", "", []), "courses") or ()):
        path = f"courses[{i}]"
        item = r.obj(raw, path)
        if item is None:
            continue
        cid = r.ident(r.field(item, "id", path), _join(path, "id"), seen, "course")
        name = r.text(r.field(item, "name", path, cid), _join(path, "name")) if cid else None
        level = r.text(r.field(item, "level", path), _join(path, "level"))
        per_week = r.integer(r.field(item, "sessions_per_week", path), _join(path, "sessions_per_week"), 1, 7)
        minutes = r.integer(
            r.field(item, "session_minutes", path), _join(path, "session_minutes"), 1, MAX_SESSION_MINUTES
        )
        min_group = r.integer(r.field(item, "min_group", path), _join(path, "min_group"), 1)
        max_group = r.integer(r.field(item, "max_group", path), _join(path, "max_group"), 1)
        if min_group is not None and max_group is not None and max_group < min_group:
            r.error(_join(path, "max_group"),
                    f"{max_group} is below min_group {min_group}; use a number at least {min_group}")
            max_group = None
        attendance = r.number(
            r.field(item, "min_attendance", path, DEFAULT_MIN_ATTENDANCE), _join(path, "min_attendance"), 0.0, 1.0
        )
        venues_raw = r.field(item, "venues", path, None)
        venues: tuple[str, ...] | None
        if venues_raw is None:
            venues = tuple(sorted(r.venue_ids, key=r.venue_order.get))
        else:
            listed = r.array(venues_raw, _join(path, "venues"))
            refs = [r.ref(v, f"{path}.venues[{j}]", r.venue_ids, "venue") for j, v in enumerate(listed or ())]
            venues = tuple(dict.fromkeys(refs)) if listed is not None and None not in refs else None
            if listed is not None and not listed:
                r.error(_join(path, "venues"), "list at least one venue id, or leave the field out for every venue")
                venues = None
        values = (cid, name, level, per_week, minutes, min_group, max_group, attendance, venues)
        if None not in values:
            courses.append(Course(*values))
    r.course_ids = seen
    return tuple(courses)


def _read_teachers(r: _Reader, doc: Mapping) -> tuple[Teacher, ...]:
    teachers: list[Teacher] = []
    seen: set[str] = set()
    for i, raw in enumerate(r.array(r.field(doc, "teachers", "", []), "teachers") or ()):
        path = f"teachers[{i}]"
        item = r.obj(raw, path)
        if item is None:
            continue
        tid = r.ident(r.field(item, "id", path), _join(path, "id"), seen, "teacher")
        name = r.text(r.field(item, "name", path, tid), _join(path, "name")) if tid else None
        home = r.ref(r.field(item, "home", path), _join(path, "home"), r.place_ids, "place")
        levels_raw = r.array(r.field(item, "levels", path), _join(path, "levels"))
        levels = [r.text(v, f"{path}.levels[{j}]") for j, v in enumerate(levels_raw or ())]
        most = r.integer(
            r.field(item, "max_sessions_per_week", path), _join(path, "max_sessions_per_week"), 0, 100
        )
        available = r.windows(r.field(item, "available", path), _join(path, "available"))
        if None not in (tid, name, home, most, levels_raw) and None not in levels:
            teachers.append(Teacher(tid, name, home, frozenset(levels), most, available))
    r.teacher_ids = seen
    return tuple(teachers)


def _read_shift(r: _Reader, value: Any, path: str) -> Shift | None:
    item = r.array(value, path)
    if item is None:
        return None
    if len(item) != 2:
        r.error(path, f"expected a shift [\"HH:MM\", \"HH:MM\"], got a list of {len(item)} items")
        return None
    start = r.parse(parse_clock, item[0], f"{path}[0]")
    end = r.parse(parse_clock, item[1], f"{path}[1]")
    if start is None or end is None:
        return None
    return Shift(start=start, end=end)


def _read_rota(r: _Reader, value: Any, path: str) -> Rota | None:
    item = r.obj(value, path)
    if item is None:
        return None
    start = r.parse(parse_date, r.field(item, "start", path), _join(path, "start"))
    cycle_raw = r.array(r.field(item, "cycle", path), _join(path, "cycle"))
    if cycle_raw is None:
        return None
    if not cycle_raw:
        r.error(_join(path, "cycle"), "the cycle is empty; list at least one day ([] for a day off)")
        return None
    cycle: list = []
    for d, day in enumerate(cycle_raw):
        dpath = f"{path}.cycle[{d}]"
        if day == AWAY:
            cycle.append(AWAY)
            continue
        if not isinstance(day, (list, tuple)):
            r.error(dpath, f"expected a list of shifts ([] when off) or \"away\", got {_kind(day)}")
            cycle.append(None)
            continue
        cycle.append(tuple(_read_shift(r, s, f"{dpath}[{j}]") for j, s in enumerate(day)))
    if start is None or any(d is None or (d != AWAY and None in d) for d in cycle):
        return None
    return Rota(start=start, cycle=tuple(cycle))


def _read_busy(r: _Reader, value: Any, path: str) -> tuple[Busy, ...] | None:
    items = r.array(value, path)
    if items is None:
        return None
    busy: list[Busy] = []
    ok = True
    for i, raw in enumerate(items):
        bpath = f"{path}[{i}]"
        item = r.obj(raw, bpath)
        if item is None:
            ok = False
            continue
        start = r.parse(
            lambda t: _parse_local_datetime(t, round_up=False), r.field(item, "start", bpath), _join(bpath, "start")
        )
        end = r.parse(
            lambda t: _parse_local_datetime(t, round_up=True), r.field(item, "end", bpath), _join(bpath, "end")
        )
        if start is None or end is None:
            ok = False
            continue
        if end <= start:
            r.error(_join(bpath, "end"), f"{end:%Y-%m-%dT%H:%M} is not after start {start:%Y-%m-%dT%H:%M}; "
                                         "an interval must end after it starts")
            ok = False
            continue
        busy.append(Busy(start=start, end=end))
    return tuple(busy) if ok else None


def _read_learners(r: _Reader, doc: Mapping) -> tuple[Learner, ...]:
    learners: list[Learner] = []
    seen: set[str] = set()
    for i, raw in enumerate(r.array(r.field(doc, "learners", "", []), "learners") or ()):
        path = f"learners[{i}]"
        item = r.obj(raw, path)
        if item is None:
            continue
        lid = r.ident(r.field(item, "id", path), _join(path, "id"), seen, "learner")
        home = r.ref(r.field(item, "home", path), _join(path, "home"), r.place_ids, "place")
        level = r.text(r.field(item, "level", path), _join(path, "level"))
        travel = r.integer(
            r.field(item, "max_travel_minutes", path, DEFAULT_MAX_TRAVEL_MINUTES),
            _join(path, "max_travel_minutes"), 0, 24 * 60,
        )
        buffer = r.integer(
            r.field(item, "buffer_minutes", path, DEFAULT_BUFFER_MINUTES),
            _join(path, "buffer_minutes"), 0, MAX_BUFFER_MINUTES,
        )
        priority = r.integer(r.field(item, "priority", path, DEFAULT_PRIORITY), _join(path, "priority"), 1, 1000)
        rota_raw = r.field(item, "rota", path, None)
        rota = _read_rota(r, rota_raw, _join(path, "rota")) if rota_raw is not None else None
        busy = _read_busy(r, r.field(item, "busy", path, []), _join(path, "busy"))
        prefer = r.days(r.field(item, "prefer_days", path, []), _join(path, "prefer_days"), allow_empty=True)
        rota_ok = rota_raw is None or rota is not None
        if None not in (lid, home, level, travel, buffer, priority, busy, prefer) and rota_ok:
            learners.append(Learner(lid, home, level, travel, buffer, priority, rota, busy, prefer))
    r.learner_ids = seen
    return tuple(learners)


def _read_current(r: _Reader, doc: Mapping, slots: tuple[Slot, ...]) -> tuple[tuple[CurrentGroup, ...], frozenset[str]]:
    raw = r.field(doc, "current", "", None)
    if raw is None:
        return (), frozenset()
    current = r.obj(raw, "current")
    if current is None:
        return (), frozenset()
    groups: list[CurrentGroup] = []
    seen: set[str] = set()
    placed: dict[str, str] = {}
    for i, graw in enumerate(r.array(r.field(current, "groups", "current", []), "current.groups") or ()):
        path = f"current.groups[{i}]"
        item = r.obj(graw, path)
        if item is None:
            continue
        gid = r.ident(r.field(item, "id", path), _join(path, "id"), seen, "group")
        course = r.ref(r.field(item, "course", path), _join(path, "course"), r.course_ids, "course")
        venue = r.ref(r.field(item, "venue", path), _join(path, "venue"), r.venue_ids, "venue")
        teacher_raw = r.field(item, "teacher", path, None)
        teacher = (
            r.ref(teacher_raw, _join(path, "teacher"), r.teacher_ids, "teacher") if teacher_raw is not None else None
        )
        slot_list = r.array(r.field(item, "slots", path), _join(path, "slots"))
        group_slots = []
        for j, s in enumerate(slot_list or ()):
            slot = r.slot(s, f"{path}.slots[{j}]")
            if slot is not None and slot not in slots:
                r.error(f"{path}.slots[{j}]",
                        f"{slot.label} is not one of the problem's slots; use a slot listed in \"slots\"")
                slot = None
            group_slots.append(slot)
        learner_list = r.array(r.field(item, "learners", path, []), _join(path, "learners"))
        members = []
        for j, lid in enumerate(learner_list or ()):
            lpath = f"{path}.learners[{j}]"
            member = r.ref(lid, lpath, r.learner_ids, "learner")
            if member is not None and member in placed:
                r.error(lpath, f"learner {member!r} is already in group {placed[member]!r}; "
                               "a learner is in at most one group")
                member = None
            if member is not None and gid:
                placed[member] = gid
            members.append(member)
        locked = r.field(item, "locked", path, False)
        if not isinstance(locked, bool):
            r.error(_join(path, "locked"), f"expected true or false, got {_kind(locked)}")
            locked = None
        if (
            None not in (gid, course, venue, slot_list, learner_list, locked)
            and (teacher_raw is None or teacher is not None)
            and None not in group_slots
            and None not in members
        ):
            groups.append(CurrentGroup(gid, course, venue, teacher, tuple(group_slots), tuple(members), locked))
    locked_raw = r.array(r.field(current, "locked", "current", []), "current.locked") or ()
    locked_learners = {r.ref(lid, f"current.locked[{j}]", r.learner_ids, "learner") for j, lid in enumerate(locked_raw)}
    return tuple(groups), frozenset(lid for lid in locked_learners if lid is not None)


def _read_weights(r: _Reader, doc: Mapping) -> Mapping[str, int]:
    """Overrides of `config.Weights` by name: known names, whole numbers (see solver/README.md)."""
    raw = r.field(doc, "weights", "", {})
    weights = r.obj(raw, "weights")
    if weights is None:
        return MappingProxyType({})
    parsed = {}
    for key, value in weights.items():
        path = f"weights.{key}"
        if key not in WEIGHT_NAMES:
            r.error(path, f"{key!r} is not a weight; use one of {', '.join(WEIGHT_NAMES)}")
            continue
        number = r.number(value, path, 0.0, 1e9)
        if number is None:
            continue
        if not number.is_integer():
            r.error(path, f"{value} is not a whole number; weights are whole numbers (scale the weights "
                          "of a tier up together, e.g. 2 and 5 rather than 0.4 and 1)")
            continue
        parsed[key] = int(number)
    return MappingProxyType(parsed)


# ----------------------------------------------------------------------------


def _check_seats(r: _Reader, venues: tuple[Venue, ...], courses: tuple[Course, ...]) -> None:
    """A room that seats fewer than a course's min_group could never hold its group: say so."""
    for i, venue in enumerate(venues):
        if venue.seats is None:
            continue
        for course in courses:
            if venue.id in course.venues and venue.seats < course.min_group:
                r.error(f"venues[{i}].seats", f"{venue.seats} seats are fewer than course {course.id}'s min_group "
                        f"{course.min_group}; give at least {course.min_group} or leave {venue.id} out of the "
                        f"course's venues")


def read_problem(doc: Mapping) -> Problem:
    """Validate a problem document completely and return it as domain objects.

    Raises InvalidProblem with every error found (path + what would be accepted).
    """
    r = _Reader()
    if not isinstance(doc, Mapping):
        r.error("", f"expected the problem as a JSON object, got {_kind(doc)}")
        raise InvalidProblem(r.errors)
    fmt = doc.get("format", FORMAT)
    if fmt != FORMAT:
        r.error("format", f"{_kind(fmt)} is not supported; use \"{FORMAT}\"")
    timezone = _read_timezone(r, doc)
    term = _read_term(r, doc)
    places = _read_places(r, doc)
    travel = _read_travel(r, doc)
    slots = _read_slots(r, doc)
    venues = _read_venues(r, doc)
    courses = _read_courses(r, doc)
    teachers = _read_teachers(r, doc)
    learners = _read_learners(r, doc)
    groups, locked = _read_current(r, doc, slots)
    weights = _read_weights(r, doc)
    _check_seats(r, venues, courses)
    if r.errors:
        raise InvalidProblem(r.errors)
    return Problem(
        timezone=timezone,
        term=term,
        places=tuple(places.values()),
        travel_minutes=travel,
        slots=slots,
        venues=venues,
        courses=courses,
        teachers=teachers,
        learners=learners,
        current_groups=groups,
        locked_learners=locked,
        weights=weights,
    )
