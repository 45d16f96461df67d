"""Attendance: who was present at each session, and what a learner has attended.

Registering twice never overwrites silently: a changed tick becomes an
AttendanceCorrection (was, now, who, when) next to the updated record.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from ..db import db
from ..models import Attendance, AttendanceCorrection, Group, Learner, Plan, SessionChange, User
from .plans import is_live, of_live_plans
from .timetable import Session, group_sessions


class AttendanceError(ValueError):
    """Attendance cannot be taken as asked; the message says why, in the user's language."""


@dataclass(frozen=True)
class AttendedSession:
    occurrence_date: dt.date
    course: str
    venue: str
    minutes: int


@dataclass(frozen=True)
class SheetLine:
    learner_id: int
    name: str
    present: bool | None  # None: not registered yet
    phone: str | None = None

    @property
    def first_name(self) -> str:
        """What a teacher's class list shows: the first name only."""
        return self.name.split()[0] if self.name.split() else self.name


@dataclass(frozen=True)
class CorrectionLine:
    learner_name: str
    was_present: bool
    now_present: bool
    corrected_at: dt.datetime
    corrected_by: str


@dataclass(frozen=True)
class Sheet:
    group: Group
    session: Session
    lines: tuple[SheetLine, ...]
    corrections: tuple[CorrectionLine, ...]

    @property
    def registered(self) -> bool:
        return any(line.present is not None for line in self.lines)


@dataclass(frozen=True)
class Recorded:
    created: int
    corrected: int
    unchanged: int


def groups_for(user: User) -> list[Group]:
    """The published groups whose attendance `user` may take: a teacher's own, their provider's for staff,
    or all for an administrator."""
    query = of_live_plans(select(Group))
    if user.role == "teacher":
        query = query.where(Group.teacher_id == user.teacher_id, Group.teacher_id.isnot(None))
    elif user.role != "admin":
        query = query.where(Plan.provider_id == user.provider_id)
    return list(db.session.scalars(query.order_by(Plan.provider_id, Group.key)))


def group_for(user: User, group_id: int) -> Group | None:
    """The published group if `user` may take its attendance; None otherwise (the view answers 404)."""
    group = db.session.get(Group, group_id)
    if group is None or not is_live(group.plan):
        return None
    if user.role == "teacher" and (user.teacher_id is None or group.teacher_id != user.teacher_id):
        return None
    if user.role != "admin" and group.plan.provider_id != user.provider_id:
        return None
    return group


def find_session(group: Group, day: dt.date) -> Session | None:
    return next((session for session in group_sessions(group) if session.occurrence_date == day), None)


def on_the_list(group: Group, records: dict) -> list[Learner]:
    """The group's placed learners, leaving out those who withdrew (unless already registered for the session)."""
    return [placement.learner for placement in group.placements
            if placement.learner.withdrawn_at is None or placement.learner_id in records]


def class_list(group: Group) -> list[SheetLine]:
    """The group's learners now (not withdrawn), by name, with their phone numbers; nothing registered."""
    placed = sorted(on_the_list(group, {}), key=lambda learner: learner.name.casefold())
    return [SheetLine(learner.id, learner.name, None, learner.phone) for learner in placed]


def sheet(group: Group, session: Session) -> Sheet:
    """The attendance list of one session: the group's placed learners and what is registered."""
    records = {record.learner_id: record for record in db.session.scalars(
        select(Attendance).where(Attendance.group_id == group.id, Attendance.occurrence_date == session.occurrence_date))}
    placed = sorted(on_the_list(group, records), key=lambda learner: learner.name.casefold())
    lines = tuple(SheetLine(learner.id, learner.name,
                            records[learner.id].present if learner.id in records else None, learner.phone)
                  for learner in placed)
    names = {learner.id: learner.name for learner in placed}
    corrections = []
    if records:
        by_record = {record.id: record for record in records.values()}
        for correction in db.session.scalars(
                select(AttendanceCorrection).where(AttendanceCorrection.attendance_id.in_(by_record))
                .order_by(AttendanceCorrection.corrected_at, AttendanceCorrection.id)):
            record = by_record[correction.attendance_id]
            who = db.session.get(User, correction.corrected_by_id) if correction.corrected_by_id else None
            corrections.append(CorrectionLine(names.get(record.learner_id) or _("A learner no longer in the group"),
                                              correction.was_present, correction.now_present,
                                              correction.corrected_at, (who.name or who.email) if who else ""))
    return Sheet(group, session, lines, tuple(corrections))


def has_started(session: Session, now: dt.datetime | None = None) -> bool:
    """Whether the session's start (in the term's zone) has come; `now` is aware (default: this moment)."""
    return session.start <= (now or dt.datetime.now(dt.timezone.utc))


def record_attendance(group: Group, day: dt.date, present_ids: set[int], user: User | None,
                      now: dt.datetime | None = None) -> Recorded:
    """Register who was present at the group's session on `day`; everyone on the list not ticked was absent.

    A learner whose mark changes gets an AttendanceCorrection; raises
    AttendanceError for a cancelled, unknown or not yet started session, or a learner not in the group.
    """
    session = find_session(group, day)
    if session is None:
        raise AttendanceError(_("The group has no session on %(day)s.", day=day.isoformat()))
    if session.status == "cancelled":
        raise AttendanceError(_("The session on %(day)s is cancelled, so it takes no attendance.", day=day.isoformat()))
    if not has_started(session, now):
        raise AttendanceError(_("The session on %(day)s has not started yet (it starts at %(time)s); "
                                "attendance can be registered from then.", day=day.isoformat(),
                                time=session.start.strftime("%H:%M")))
    records = {record.learner_id: record for record in db.session.scalars(
        select(Attendance).where(Attendance.group_id == group.id, Attendance.occurrence_date == day))}
    placed = {learner.id for learner in on_the_list(group, records)}
    if present_ids - placed:
        raise AttendanceError(_("Only learners placed in this group can be marked present."))
    user_id = user.id if user is not None else None
    created = corrected = unchanged = 0
    for learner_id in sorted(placed):
        present = learner_id in present_ids
        record = records.get(learner_id)
        if record is None:
            db.session.add(Attendance(group_id=group.id, occurrence_date=day, learner_id=learner_id,
                                      present=present, recorded_by_id=user_id))
            created += 1
        elif record.present != present:
            db.session.add(AttendanceCorrection(attendance_id=record.id, was_present=record.present,
                                                now_present=present, corrected_by_id=user_id))
            record.present = present
            corrected += 1
        else:
            unchanged += 1
    db.session.commit()
    return Recorded(created, corrected, unchanged)


def attended_sessions(learner: Learner) -> list[AttendedSession]:
    """The sessions the learner was marked present at, oldest first, with their length in minutes."""
    rows = db.session.execute(
        select(Attendance.occurrence_date, Group).join(Group, Group.id == Attendance.group_id)
        .where(Attendance.learner_id == learner.id, Attendance.present.is_(True))
        .order_by(Attendance.occurrence_date)).all()
    result = []
    for day, group in rows:
        change = db.session.scalar(select(SessionChange).where(
            SessionChange.group_id == group.id, SessionChange.occurrence_date == day))
        minutes = group.course.session_minutes
        if change is not None and change.kind == "moved":
            minutes = int((change.new_end - change.new_start).total_seconds() // 60)
        result.append(AttendedSession(day, group.course.name, group.venue.name, minutes))
    return result


def attended_hours(learner: Learner) -> float:
    """Hours of teaching the learner was present at, to one decimal."""
    return round(sum(session.minutes for session in attended_sessions(learner)) / 60, 1)


def registered_dates(group: Group) -> set[dt.date]:
    """The dates of the group's sessions that have attendance registered."""
    return set(db.session.scalars(select(Attendance.occurrence_date).where(Attendance.group_id == group.id).distinct()))


def sessions_on(groups: list[Group], day: dt.date) -> list[tuple[Group, Session]]:
    """The groups' sessions that take place on `day` (by their actual start, moved ones included), by time."""
    found = [(group, session) for group in groups for session in group_sessions(group)
             if session.start.date() == day]
    return sorted(found, key=lambda pair: pair[1].start)
