"""Attendance registration for provider staff and teachers, phone-first (/coordinator/attendance).

Staff see their own provider's groups only; any other group answers 404, as
if it did not exist.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import role_required
from ..services import attendance as service
from ..services.timetable import group_sessions

bp = Blueprint("attendance", __name__, url_prefix="/attendance")
TAKERS = ("provider_staff", "teacher")  # the roles that register attendance (administrators too)


@bp.errorhandler(403)
def not_a_taker(error):
    """Other roles learn who takes attendance and get a way back, in their language."""
    from ..auth import home_for

    return render_template("coordinators/attendance_forbidden.html", back=home_for(current_user)), 403


def local_today() -> dt.date:
    """Today where the courses are (the app's TIMEZONE), not on the server's clock."""
    return dt.datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def own_group(group_id: int):
    group = service.group_for(current_user, group_id)
    if group is None:
        abort(404)
    return group


@bp.route("/")
@role_required(*TAKERS)
def groups():
    mine = service.groups_for(current_user)
    return render_template("coordinators/attendance_groups.html", groups=mine,
                           today=service.sessions_on(mine, local_today()))


@bp.route("/group/<int:group_id>")
@role_required(*TAKERS)
def sessions(group_id: int):
    group = own_group(group_id)
    all_sessions = group_sessions(group)
    today = local_today()
    # Open at the session nearest today, where a teacher most likely wants to be.
    upcoming = next((session for session in all_sessions if session.occurrence_date >= today), None)
    registered = service.registered_dates(group)
    return render_template("coordinators/attendance_sessions.html", group=group, sessions=all_sessions,
                           upcoming=upcoming, registered=registered, class_list=service.class_list(group),
                           teacher_view=current_user.role == "teacher")


@bp.route("/group/<int:group_id>/<day>", methods=["GET", "POST"])
@role_required(*TAKERS)
def session(group_id: int, day: str):
    group = own_group(group_id)
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        abort(404)
    found = service.find_session(group, date)
    if found is None:
        abort(404)
    status = 200
    if request.method == "POST":
        ticked = {int(value) for value in request.form.getlist("present") if value.isdecimal()}
        try:
            result = service.record_attendance(group, date, ticked, current_user)
        except service.AttendanceError as error:
            flash(str(error), "error")
            status = 409 if found.status == "cancelled" or not service.has_started(found) else 400
        else:
            flash(_("Attendance saved: %(created)d registered, %(corrected)d corrected, %(unchanged)d unchanged.",
                    created=result.created, corrected=result.corrected, unchanged=result.unchanged), "info")
            return redirect(url_for(".session", group_id=group.id, day=date.isoformat()))
    return render_template("coordinators/attendance_session.html", sheet=service.sheet(group, found),
                           started=service.has_started(found), teacher_view=current_user.role == "teacher"), status


PRINT_SESSIONS = 8  # columns of the group's sign-in sheet: what fits across an A4 page


@bp.route("/group/<int:group_id>/print")
@role_required(*TAKERS)
def print_group(group_id: int):
    """The group's class list and a sign-in sheet for its next sessions, for paper (A4)."""
    group = own_group(group_id)
    today = local_today()
    held = [session for session in group_sessions(group) if session.status != "cancelled"]
    # The next sessions; after the term, its first ones (a sheet to copy for a similar group).
    coming = [session for session in held if session.occurrence_date >= today][:PRINT_SESSIONS] \
        or held[:PRINT_SESSIONS]
    return render_template("coordinators/print_group.html", group=group, lines=service.class_list(group),
                           sessions=coming, teacher_view=current_user.role == "teacher")


@bp.route("/group/<int:group_id>/<day>/print")
@role_required(*TAKERS)
def print_session(group_id: int, day: str):
    """The sign-in sheet of one session: a line to sign per learner."""
    group = own_group(group_id)
    try:
        found = service.find_session(group, dt.date.fromisoformat(day))
    except ValueError:
        found = None
    if found is None:
        abort(404)
    return render_template("coordinators/print_session.html", group=group, session=found,
                           lines=service.class_list(group), teacher_view=current_user.role == "teacher")
