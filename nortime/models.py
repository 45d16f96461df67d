"""nortime's data model, in the words of the domain.

The region (municipalities, places, driving minutes) is shared by everyone.
A provider owns venues, teachers, terms and courses. Learners sign up with a
home place, a level and their work rota. A solve run turns all of that into a
plan (draft, then published) made of groups and placements; session changes
cancel or move single occurrences of a published group.
"""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    text,
    false,
)
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import db

LEVELS = ("A1", "A2", "B1", "B2", "C1")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ROLES = ("provider_staff", "coordinator", "admin", "teacher", "employer")
SECTORS = ("fish", "health", "industry", "defence", "construction", "retail", "hospitality", "transport", "other")
PLAN_STATUSES = ("draft", "published", "archived")
RUN_STATUSES = ("queued", "running", "done", "failed")
CHANGE_KINDS = ("cancelled", "moved")


def new_token() -> str:
    """An unguessable URL-safe token with 256 bits of randomness."""
    return secrets.token_urlsafe(32)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# --- The region ----------------------------------------------------------


class Municipality(db.Model):
    __tablename__ = "municipalities"
    number: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    places: Mapped[list[Place]] = relationship(back_populates="municipality", order_by="Place.name")


class Place(db.Model):
    __tablename__ = "places"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # a slug, e.g. "finnsnes"
    name: Mapped[str] = mapped_column(String(80))
    municipality_number: Mapped[str] = mapped_column(ForeignKey("municipalities.number"))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    municipality: Mapped[Municipality] = relationship(back_populates="places")

    __table_args__ = (
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
    )


class TravelTime(db.Model):
    """Driving minutes between two places, either direction (stored once per pair)."""

    __tablename__ = "travel_times"
    from_place_id: Mapped[str] = mapped_column(ForeignKey("places.id"), primary_key=True)
    to_place_id: Mapped[str] = mapped_column(ForeignKey("places.id"), primary_key=True)
    minutes: Mapped[int] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("minutes >= 0", name="minutes_non_negative"),)


# --- Employers (issue 21) ------------------------------------------------


class Employer(db.Model):
    """A business whose workers take part: its teams share a rota, and it may offer a workplace room."""

    __tablename__ = "employers"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    place_id: Mapped[str] = mapped_column(ForeignKey("places.id"))
    sector: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    place: Mapped[Place] = relationship()
    teams: Mapped[list[Team]] = relationship(back_populates="employer", order_by="Team.name",
                                             cascade="all, delete-orphan")

    __table_args__ = (CheckConstraint(_in("sector", SECTORS), name="sector_known"),)


class Team(db.Model):
    """A team sharing one rota (the solver's JSON form, as Rota.cycle), entered once by the employer."""

    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    rota_method: Mapped[str | None] = mapped_column(String(40))  # a preset id, "custom" or None (no rota)
    rota_anchor: Mapped[dt.date | None] = mapped_column(Date)
    rota_cycle: Mapped[list | None] = mapped_column(JSON)
    rota_answers: Mapped[dict | None] = mapped_column(JSON)  # the preset step's answers, to pre-fill sign-up
    days_off: Mapped[str] = mapped_column(String(40), default="")  # "sat,sun"
    # When the rota in force began (a new season); counts up so that each change is told once.
    rota_from: Mapped[dt.date | None] = mapped_column(Date)
    rota_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # A change that starts later: {"method", "rota", "answers"} from `next_rota_from` on (applied by a daily command).
    next_rota: Mapped[dict | None] = mapped_column(JSON)
    next_rota_from: Mapped[dt.date | None] = mapped_column(Date)
    employer: Mapped[Employer] = relationship(back_populates="teams")
    join_codes: Mapped[list[JoinCode]] = relationship(back_populates="team", cascade="all, delete-orphan",
                                                      order_by="JoinCode.created_at")

    __table_args__ = (UniqueConstraint("employer_id", "name"),)

    @property
    def rota(self) -> dict | None:
        if not self.rota_cycle or self.rota_anchor is None:
            return None
        return {"start": self.rota_anchor.isoformat(), "cycle": self.rota_cycle}


class JoinCode(db.Model):
    """The code on the canteen poster: signing up with it fills in the employer, the team and the rota."""

    __tablename__ = "join_codes"
    code: Mapped[str] = mapped_column(String(20), primary_key=True)  # upper case, e.g. "HUSY-2027"
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)  # the last day it works
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    team: Mapped[Team] = relationship(back_populates="join_codes")


# --- Providers and what they own ----------------------------------------


class Provider(db.Model):
    __tablename__ = "providers"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    venues: Mapped[list[Venue]] = relationship(back_populates="provider", order_by="Venue.name")
    teachers: Mapped[list[Teacher]] = relationship(back_populates="provider", order_by="Teacher.name")
    terms: Mapped[list[Term]] = relationship(back_populates="provider", order_by="Term.first_day")
    courses: Mapped[list[Course]] = relationship(back_populates="provider", order_by="Course.level")


class Venue(db.Model):
    __tablename__ = "venues"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200), default="")
    place_id: Mapped[str] = mapped_column(ForeignKey("places.id"))
    rooms: Mapped[int] = mapped_column(Integer, default=1)
    seats: Mapped[int | None] = mapped_column(Integer, nullable=True)  # learners a room seats; None: no limit
    # A workplace room an employer offers: the optimizer may use it only once the provider accepted it.
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"))
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    provider: Mapped[Provider] = relationship(back_populates="venues")
    employer: Mapped[Employer | None] = relationship()
    place: Mapped[Place] = relationship()
    openings: Mapped[list[VenueOpening]] = relationship(
        back_populates="venue", cascade="all, delete-orphan", order_by="VenueOpening.id"
    )

    __table_args__ = (CheckConstraint("rooms >= 1", name="rooms_positive"),
                      CheckConstraint("seats IS NULL OR seats >= 1", name="seats_positive"))


class VenueOpening(db.Model):
    """A weekly window in which a venue is open: some weekdays, from..to."""

    __tablename__ = "venue_openings"
    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    days: Mapped[str] = mapped_column(String(40))  # "mon,tue,wed"
    opens: Mapped[dt.time] = mapped_column(Time)
    closes: Mapped[dt.time] = mapped_column(Time)
    venue: Mapped[Venue] = relationship(back_populates="openings")

    __table_args__ = (CheckConstraint("closes > opens", name="closes_after_opens"),)


class Term(db.Model):
    __tablename__ = "terms"
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    name: Mapped[str] = mapped_column(String(80))
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Oslo")
    provider: Mapped[Provider] = relationship(back_populates="terms")
    closed_dates: Mapped[list[ClosedDate]] = relationship(
        back_populates="term", cascade="all, delete-orphan", order_by="ClosedDate.day"
    )
    slots: Mapped[list[CandidateSlot]] = relationship(
        back_populates="term", cascade="all, delete-orphan", order_by="CandidateSlot.id"
    )

    __table_args__ = (CheckConstraint("last_day >= first_day", name="last_after_first"),)


class ClosedDate(db.Model):
    """A date in a term without classes (public holiday, school break), with the reason."""

    __tablename__ = "closed_dates"
    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(120), default="")
    term: Mapped[Term] = relationship(back_populates="closed_dates")

    __table_args__ = (UniqueConstraint("term_id", "day"),)


class CandidateSlot(db.Model):
    """A weekly start time the optimizer may choose for a group's session."""

    __tablename__ = "candidate_slots"
    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"))
    day: Mapped[str] = mapped_column(String(3))
    start: Mapped[dt.time] = mapped_column(Time)
    term: Mapped[Term] = relationship(back_populates="slots")

    __table_args__ = (
        UniqueConstraint("term_id", "day", "start"),
        CheckConstraint(_in("day", WEEKDAYS), name="day_known"),
    )


course_venues = Table(
    "course_venues",
    db.Model.metadata,
    Column("course_id", ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    Column("venue_id", ForeignKey("venues.id", ondelete="CASCADE"), primary_key=True),
)


class Course(db.Model):
    __tablename__ = "courses"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id"))
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(2))
    sessions_per_week: Mapped[int] = mapped_column(Integer, default=2)
    session_minutes: Mapped[int] = mapped_column(Integer, default=120)
    min_group: Mapped[int] = mapped_column(Integer, default=5)
    max_group: Mapped[int] = mapped_column(Integer, default=12)
    min_attendance: Mapped[float] = mapped_column(Float, default=0.75)
    provider: Mapped[Provider] = relationship(back_populates="courses")
    term: Mapped[Term] = relationship()
    # Empty means every venue of the provider.
    venues: Mapped[list[Venue]] = relationship(secondary=course_venues, order_by="Venue.name")

    __table_args__ = (
        CheckConstraint(_in("level", LEVELS), name="level_known"),
        CheckConstraint("sessions_per_week BETWEEN 1 AND 7", name="sessions_per_week_range"),
        CheckConstraint("session_minutes > 0", name="session_minutes_positive"),
        CheckConstraint("min_group >= 1 AND max_group >= min_group", name="group_size_range"),
        CheckConstraint("min_attendance > 0 AND min_attendance <= 1", name="min_attendance_range"),
    )


class Teacher(db.Model):
    __tablename__ = "teachers"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="nb")
    home_place_id: Mapped[str] = mapped_column(ForeignKey("places.id"))
    levels: Mapped[str] = mapped_column(String(20))  # "A1,A2"
    max_sessions_per_week: Mapped[int] = mapped_column(Integer, default=6)
    provider: Mapped[Provider] = relationship(back_populates="teachers")
    home_place: Mapped[Place] = relationship()
    availability: Mapped[list[TeacherAvailability]] = relationship(
        back_populates="teacher", cascade="all, delete-orphan", order_by="TeacherAvailability.id"
    )

    __table_args__ = (CheckConstraint("max_sessions_per_week >= 0", name="max_sessions_non_negative"),)

    @property
    def level_list(self) -> list[str]:
        return [level for level in self.levels.split(",") if level]


class TeacherAvailability(db.Model):
    __tablename__ = "teacher_availability"
    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id", ondelete="CASCADE"))
    days: Mapped[str] = mapped_column(String(40))
    start: Mapped[dt.time] = mapped_column(Time)
    end: Mapped[dt.time] = mapped_column(Time)
    teacher: Mapped[Teacher] = relationship(back_populates="availability")

    __table_args__ = (CheckConstraint('"end" > start', name="end_after_start"),)


# --- Learners ---------------------------------------------------------------


class Learner(db.Model):
    __tablename__ = "learners"
    id: Mapped[int] = mapped_column(primary_key=True)
    # The personal page lives at a secret link made from this token.
    access_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"))
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(200), index=True)
    phone: Mapped[str | None] = mapped_column(String(40), index=True)
    language: Mapped[str] = mapped_column(String(8), default="nb")
    home_place_id: Mapped[str] = mapped_column(ForeignKey("places.id"))
    level: Mapped[str] = mapped_column(String(2))
    max_travel_minutes: Mapped[int] = mapped_column(Integer, default=60)
    buffer_minutes: Mapped[int] = mapped_column(Integer, default=30)
    priority: Mapped[int] = mapped_column(Integer, default=1)
    preferred_days: Mapped[str] = mapped_column(String(40), default="")
    consent_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Opted in to a reminder the day before the first session and a message when a session is cancelled or moved.
    session_messages: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Joined with a team's code (issue 21); the employer sees them only with `employer_consent_at` set.
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id", ondelete="SET NULL"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    employer_consent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    provider: Mapped[Provider | None] = relationship()
    employer: Mapped[Employer | None] = relationship()
    team: Mapped[Team | None] = relationship()
    home_place: Mapped[Place] = relationship()
    rota: Mapped[Rota | None] = relationship(
        back_populates="learner", cascade="all, delete-orphan", uselist=False
    )
    busy_periods: Mapped[list[BusyPeriod]] = relationship(
        back_populates="learner", cascade="all, delete-orphan", order_by="BusyPeriod.start"
    )

    __table_args__ = (
        CheckConstraint(_in("level", LEVELS), name="level_known"),
        CheckConstraint("max_travel_minutes >= 0", name="max_travel_non_negative"),
        CheckConstraint("buffer_minutes >= 0", name="buffer_non_negative"),
        CheckConstraint("priority >= 1", name="priority_positive"),
        CheckConstraint("email IS NOT NULL OR phone IS NOT NULL", name="contact_given"),
        {"sqlite_autoincrement": True},  # a deleted learner's id is never given to someone else
    )


class Rota(db.Model):
    """A learner's repeating work pattern: a cycle of days anchored at a date.

    `cycle` has the solver's JSON form: each day is a list of [from, to] shifts,
    an empty list when off, or "away".
    """

    __tablename__ = "rotas"
    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), unique=True)
    preset: Mapped[str | None] = mapped_column(String(40))
    anchor: Mapped[dt.date] = mapped_column(Date)
    cycle: Mapped[list] = mapped_column(JSON)
    learner: Mapped[Learner] = relationship(back_populates="rota")


class BusyPeriod(db.Model):
    """A one-off interval in which a learner cannot come (local wall-clock time)."""

    __tablename__ = "busy_periods"
    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    start: Mapped[dt.datetime] = mapped_column(DateTime)
    end: Mapped[dt.datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(String(200), default="")
    learner: Mapped[Learner] = relationship(back_populates="busy_periods")

    __table_args__ = (CheckConstraint('"end" > start', name="end_after_start"),)


# --- Planning ----------------------------------------------------------------


class SolveRun(db.Model):
    """One run of the optimizer: what it was given, how it went, what it answered."""

    __tablename__ = "solve_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id"))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    purpose: Mapped[str] = mapped_column(String(20), default="plan")  # plan, what-if
    time_limit: Mapped[float] = mapped_column(Float, default=30.0)
    progress: Mapped[dict | None] = mapped_column(JSON)  # {"elapsed":..,"placed":..,"bound":..}
    problem: Mapped[dict | None] = mapped_column(JSON)
    solution: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    job_id: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (CheckConstraint(_in("status", RUN_STATUSES), name="status_known"),)


class Plan(db.Model):
    """A timetable for one provider's term: a draft under review, or the published one."""

    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id"))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    solve_run_id: Mapped[int | None] = mapped_column(ForeignKey("solve_runs.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    provider: Mapped[Provider] = relationship()
    term: Mapped[Term] = relationship()
    solve_run: Mapped[SolveRun | None] = relationship()
    groups: Mapped[list[Group]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Group.key"
    )
    unplaced: Mapped[list[Unplacement]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Unplacement.id"
    )

    __table_args__ = (
        CheckConstraint(_in("status", PLAN_STATUSES), name="status_known"),
        # One live plan per provider and term (see services/plans.py).
        Index("uq_plans_one_published", "provider_id", "term_id", unique=True,
              postgresql_where=text("status = 'published'"), sqlite_where=text("status = 'published'")),
    )


class Group(db.Model):
    """A group of a course at a venue with a teacher, meeting in weekly slots."""

    __tablename__ = "groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    # The solver's group id; stays the same across re-plans, so feeds keep their UIDs.
    key: Mapped[str] = mapped_column(String(120))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"))
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teachers.id"))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    plan: Mapped[Plan] = relationship(back_populates="groups")
    course: Mapped[Course] = relationship()
    venue: Mapped[Venue] = relationship()
    teacher: Mapped[Teacher | None] = relationship()
    slots: Mapped[list[GroupSlot]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupSlot.weekday"
    )
    placements: Mapped[list[Placement]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="Placement.id"
    )
    changes: Mapped[list[SessionChange]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="SessionChange.occurrence_date"
    )

    __table_args__ = (UniqueConstraint("plan_id", "key"),)


class GroupSlot(db.Model):
    __tablename__ = "group_slots"
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    day: Mapped[str] = mapped_column(String(3))
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday, for ordering
    start: Mapped[dt.time] = mapped_column(Time)
    group: Mapped[Group] = relationship(back_populates="slots")

    __table_args__ = (
        UniqueConstraint("group_id", "day"),
        CheckConstraint(_in("day", WEEKDAYS), name="day_known"),
    )


class Placement(db.Model):
    """A learner placed in a group of a plan (at most one group per plan)."""

    __tablename__ = "placements"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    attendable_share: Mapped[float | None] = mapped_column(Float)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when a changed rota or changed details stopped the group from fitting; cleared when it fits again.
    misfit_since: Mapped[dt.datetime | None] = mapped_column(DateTime)
    group: Mapped[Group] = relationship(back_populates="placements")
    learner: Mapped[Learner] = relationship()

    __table_args__ = (UniqueConstraint("plan_id", "learner_id"),)


class Unplacement(db.Model):
    """A learner the plan could not place, with the optimizer's reasons (spec codes)."""

    __tablename__ = "unplacements"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    reasons: Mapped[list] = mapped_column(JSON)
    plan: Mapped[Plan] = relationship(back_populates="unplaced")
    learner: Mapped[Learner] = relationship()

    __table_args__ = (UniqueConstraint("plan_id", "learner_id"),)


class SessionChange(db.Model):
    """One occurrence of a group's session cancelled or moved, with the reason."""

    __tablename__ = "session_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    occurrence_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))
    new_start: Mapped[dt.datetime | None] = mapped_column(DateTime)  # local wall-clock
    new_end: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    group: Mapped[Group] = relationship(back_populates="changes")
    # A code from services.session_reasons.REASONS (learners read it translated); `reason` is then a note.
    reason_code: Mapped[str] = mapped_column(String(30), default="", server_default="")

    __table_args__ = (
        UniqueConstraint("group_id", "occurrence_date"),
        CheckConstraint(_in("kind", CHANGE_KINDS), name="kind_known"),
        CheckConstraint(
            "kind = 'cancelled' OR (new_start IS NOT NULL AND new_end IS NOT NULL AND new_end > new_start)",
            name="moved_has_times",
        ),
    )


# --- Calendar feeds ----------------------------------------------------------


class FeedToken(db.Model):
    """The secret in a private feed's URL; a revoked token answers 410 Gone."""

    __tablename__ = "feed_tokens"
    token: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_token)
    owner_kind: Mapped[str] = mapped_column(String(10))  # learner, teacher
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("learners.id", ondelete="SET NULL"))
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teachers.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (CheckConstraint(_in("owner_kind", ("learner", "teacher")), name="owner_kind_known"),)


class CalendarSeries(db.Model):
    """What a feed last published for one series UID, so SEQUENCE only grows."""

    __tablename__ = "calendar_series"
    uid: Mapped[str] = mapped_column(String(120), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    fingerprint: Mapped[str] = mapped_column(String(64))
    last_modified: Mapped[dt.datetime] = mapped_column(DateTime)


# --- Attendance ----------------------------------------------------------------


class Attendance(db.Model):
    """Whether a placed learner was present at one occurrence of a group's session."""

    __tablename__ = "attendance"
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    occurrence_date: Mapped[dt.date] = mapped_column(Date)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    present: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (UniqueConstraint("group_id", "occurrence_date", "learner_id"),)


class AttendanceCorrection(db.Model):
    """A change to an attendance record: nothing is overwritten silently."""

    __tablename__ = "attendance_corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    attendance_id: Mapped[int] = mapped_column(ForeignKey("attendance.id", ondelete="CASCADE"))
    was_present: Mapped[bool] = mapped_column(Boolean)
    now_present: Mapped[bool] = mapped_column(Boolean)
    corrected_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


# --- Accounts ------------------------------------------------------------------


class User(UserMixin, db.Model):
    """A staff account: provider staff (one provider), coordinator (region) or administrator."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    provider: Mapped[Provider | None] = relationship()
    # A teacher's account is linked to their Teacher record: they see that teacher's groups only.
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teachers.id", ondelete="SET NULL"))
    teacher: Mapped[Teacher | None] = relationship()
    # An employer's staff account sees that employer's teams and counts only.
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"))
    employer: Mapped[Employer | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role_known"),
        CheckConstraint("role != 'provider_staff' OR provider_id IS NOT NULL", name="staff_has_provider"),
        CheckConstraint("role != 'employer' OR employer_id IS NOT NULL", name="employer_staff_has_employer"),
        {"sqlite_autoincrement": True},  # nor a deleted account's id (sessions carry it)
    )
    # Each session remembers the generation it was opened in; logging out or a new password
    # counts up, which ends every session of the account (the cookie alone no longer suffices).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class SignupDraft(db.Model):
    """The answers of an unfinished sign-up or rota change, kept on the server (issue 16).

    The visitor's session cookie holds only the random `id`; drafts not touched for
    SIGNUP_DRAFT_HOURS are deleted (services/drafts.py).
    """

    __tablename__ = "signup_drafts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


# --- Changes to plans ------------------------------------------------------------

PLAN_CHANGE_KINDS = ("published", "seated", "left")


class PlanChange(db.Model):
    """A change to a plan made by a person or a service: who, when, what, why.

    "published": the plan became live. "seated": a learner was put into
    `group_id` (from `from_group_id`, or from no group), with `override` when a
    member of staff placed them although the group does not fit them. "left": a
    learner left `from_group_id` without a new group (withdrew, or was deleted:
    then `learner_id` is empty, so the record keeps nothing about them).
    """

    __tablename__ = "plan_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    from_group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    override: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (CheckConstraint(_in("kind", PLAN_CHANGE_KINDS), name="kind_known"),)


OFFER_STATES = ("open", "accepted", "declined", "lapsed", "withdrawn")


class Offer(db.Model):
    """A seat of a live plan's group held for one waiting learner until `expires_at` (services/offers.py).

    While open and not expired it counts as a taken seat everywhere seats are
    counted, so a held seat is never given twice. A learner has at most one open
    offer (a partial unique index).
    """

    __tablename__ = "offers"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    group: Mapped[Group] = relationship()
    learner: Mapped[Learner] = relationship()

    __table_args__ = (
        CheckConstraint(_in("state", OFFER_STATES), name="state_known"),
        Index("uq_offers_one_open", "learner_id", unique=True,
              postgresql_where=text("state = 'open'"), sqlite_where=text("state = 'open'")),
    )


# --- Messages ---------------------------------------------------------------------


MESSAGE_CHANNELS = ("email", "sms")
MESSAGE_STATES = ("queued", "sending", "sent", "failed")


class Message(db.Model):
    """One e-mail or SMS to a learner in the outbox: written by a request, delivered by a worker.

    `idempotency_key` names what the message is about (e.g. "placed:<plan>:<learner>:sms"), so the
    same message is never queued twice; it also travels with the message (SMTP Message-ID, the
    gateway's reference) so that a gateway can drop a repeated delivery.
    """

    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(5))
    recipient: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    # When the session the message is about starts (UTC): such an SMS may go during quiet hours.
    session_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint(_in("channel", MESSAGE_CHANNELS), name="channel_known"),
        CheckConstraint(_in("state", MESSAGE_STATES), name="state_known"),
        db.Index("ix_messages_due", "state", "next_attempt_at"),
    )


# --- Staff's work on learners ------------------------------------------------------


class LearnerEdit(db.Model):
    """Something staff did to a learner's record: who, when, what changed and why (kept through merges)."""

    __tablename__ = "learner_edits"
    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))  # edit, merge, link_sent
    changes: Mapped[dict] = mapped_column(JSON, default=dict)  # {field: [before, after]}
    reason: Mapped[str] = mapped_column(String(300), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[User | None] = relationship()
