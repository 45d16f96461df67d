"""Provider pages for setting up: term and closed dates, candidate slots, venues, courses, teachers, CSV import."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..auth import role_required
from ..db import db
from ..models import LEVELS, WEEKDAYS, CandidateSlot, Course, Place, Teacher, Venue
from ..services import setup
from ..services.planning import current_term
from . import bp
from .views import STAFF, own, provider_or_404


def _places():
    return [(place.id, place.name) for place in db.session.scalars(db.select(Place).order_by(Place.name))]


def _form_values() -> dict:
    values = {key: value for key, value in request.form.items() if key != "csrf_token"}
    for key in ("venues", "levels"):
        if key in request.form:
            values[key] = request.form.getlist(key)
    return values


def _edit(template_title, fields, values, errors, action_label):
    return render_template("providers/edit.html", title=template_title, fields=fields, values=values,
                           errors=errors, action_label=action_label), 400 if errors else 200


# --- term and slots -------------------------------------------------------------------

TERM_FIELDS = [
    {"name": "name", "label": _l("Name"), "type": "text"},
    {"name": "first_day", "label": _l("First day"), "type": "date"},
    {"name": "last_day", "label": _l("Last day"), "type": "date"},
    {"name": "timezone", "label": _l("Time zone"), "type": "text"},
    {"name": "closed", "label": _l("Closed dates"), "type": "textarea",
     "help": _l("One per line: 2027-05-17 Constitution Day, or a break: 2027-02-22..2027-02-26 Winter break. "
                "Leave empty to fill in Norway's public holidays and the Troms school breaks.")},
]


@bp.route("/term", methods=["GET", "POST"])
@role_required(*STAFF)
def term():
    provider = provider_or_404()
    existing = current_term(provider)
    errors = {}
    if request.method == "POST":
        values = _form_values()
        try:
            saved = setup.save_term(provider, values, existing)
        except setup.SetupError as error:
            errors = error.errors
        else:
            flash(_("The term is saved with %(n)d closed dates.", n=len(saved.closed_dates)), "info")
            return redirect(url_for("providers.term"))
    elif existing is not None:
        values = {"name": existing.name, "first_day": existing.first_day.isoformat(),
                  "last_day": existing.last_day.isoformat(), "timezone": existing.timezone,
                  "closed": "\n".join(f"{c.day.isoformat()} {c.reason}" for c in existing.closed_dates)}
    else:
        values = {"timezone": "Europe/Oslo"}
    return render_template("providers/term.html", fields=TERM_FIELDS, values=values, errors=errors, term=existing,
                           weekdays=WEEKDAYS), 400 if errors else 200


@bp.route("/slots", methods=["POST"])
@role_required(*STAFF)
def add_slot():
    provider = provider_or_404()
    existing = current_term(provider)
    if existing is None:
        flash(_("Set up a term first."), "error")
        return redirect(url_for("providers.term"))
    try:
        setup.add_slot(existing, request.form.get("day", ""), request.form.get("start", ""))
    except setup.SetupError as error:
        flash("; ".join(error.errors.values()), "error")
    return redirect(url_for("providers.term") + "#slots")


@bp.route("/slots/<int:slot_id>/delete", methods=["POST"])
@role_required(*STAFF)
def delete_slot(slot_id: int):
    slot = db.session.get(CandidateSlot, slot_id)
    provider = provider_or_404()
    if slot is None or slot.term.provider_id != provider.id:
        from flask import abort

        abort(404)
    setup.remove_slot(slot)
    return redirect(url_for("providers.term") + "#slots")


# --- venues -------------------------------------------------------------------------------


def venue_fields():
    return [
        {"name": "name", "label": _l("Name"), "type": "text"},
        {"name": "address", "label": _l("Address"), "type": "text"},
        {"name": "place", "label": _l("Place"), "type": "select", "choices": _places()},
        {"name": "rooms", "label": _l("Rooms (sessions at the same time)"), "type": "number"},
        {"name": "seats", "label": _l("Seats per room"), "type": "number",
         "help": _l("Leave empty when the room seats every course's largest group.")},
        {"name": "openings", "label": _l("Open"), "type": "textarea",
         "help": _l("One window per line: mon-thu 16:00-22:00, sat 09:00-16:00")},
    ]


@bp.route("/venues")
@role_required(*STAFF)
def venues():
    provider = provider_or_404()
    return render_template("providers/list.html", title=_("Venues"), new_url=url_for("providers.venue_new"),
                           rows=[(url_for("providers.venue_edit", venue_id=v.id), v.name,
                                  f"{v.place.name} · {setup.format_windows(v.openings)}") for v in provider.venues])


@bp.route("/venues/<int:venue_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def venue_edit(venue_id: int | None = None):
    provider = provider_or_404()
    venue = own(Venue, venue_id) if venue_id else None
    values, errors = {}, {}
    if request.method == "POST":
        values = _form_values()
        try:
            setup.save_venue(provider, values, venue)
        except setup.SetupError as error:
            errors = error.errors
        else:
            flash(_("The venue is saved."), "info")
            return redirect(url_for("providers.venues"))
    elif venue is not None:
        values = {"name": venue.name, "address": venue.address, "place": venue.place_id, "rooms": venue.rooms,
                  "seats": venue.seats if venue.seats is not None else "", "openings": setup.format_windows(venue.openings)}
    else:
        values = {"rooms": 1, "openings": "mon-thu 16:00-22:00"}
    return _edit(_("Venue"), venue_fields(), values, errors, _("Save venue"))


bp.add_url_rule("/venues/new", "venue_new", venue_edit, methods=["GET", "POST"])


# --- courses ------------------------------------------------------------------------------


def course_fields(provider):
    return [
        {"name": "name", "label": _l("Name"), "type": "text"},
        {"name": "level", "label": _l("Level"), "type": "select", "choices": [(level, level) for level in LEVELS]},
        {"name": "sessions_per_week", "label": _l("Sessions a week"), "type": "number"},
        {"name": "session_minutes", "label": _l("Minutes a session"), "type": "number"},
        {"name": "min_group", "label": _l("Smallest group"), "type": "number"},
        {"name": "max_group", "label": _l("Largest group"), "type": "number"},
        {"name": "min_attendance", "label": _l("Attendance required (%)"), "type": "number"},
        {"name": "venues", "label": _l("Venues (none ticked: all)"), "type": "checkboxes",
         "choices": [(venue.slug, venue.name) for venue in provider.venues]},
    ]


@bp.route("/courses")
@role_required(*STAFF)
def courses():
    provider = provider_or_404()
    return render_template("providers/list.html", title=_("Courses"), new_url=url_for("providers.course_new"),
                           rows=[(url_for("providers.course_edit", course_id=c.id), c.name,
                                  f"{c.level} · {c.sessions_per_week} × {c.session_minutes} min · "
                                  f"{c.min_group}–{c.max_group}") for c in provider.courses])


@bp.route("/courses/<int:course_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def course_edit(course_id: int | None = None):
    provider = provider_or_404()
    course = own(Course, course_id) if course_id else None
    the_term = course.term if course else current_term(provider)
    if the_term is None:
        flash(_("Set up a term first."), "error")
        return redirect(url_for("providers.term"))
    values, errors = {}, {}
    if request.method == "POST":
        values = _form_values()
        try:
            setup.save_course(provider, the_term, values, course)
        except setup.SetupError as error:
            errors = error.errors
        else:
            flash(_("The course is saved."), "info")
            return redirect(url_for("providers.courses"))
    elif course is not None:
        values = {"name": course.name, "level": course.level, "sessions_per_week": course.sessions_per_week,
                  "session_minutes": course.session_minutes, "min_group": course.min_group,
                  "max_group": course.max_group, "min_attendance": round(course.min_attendance * 100),
                  "venues": [venue.slug for venue in course.venues]}
    else:
        values = {"level": "A2", "sessions_per_week": 2, "session_minutes": 120, "min_group": 5, "max_group": 12,
                  "min_attendance": 75, "venues": []}
    return _edit(_("Course"), course_fields(provider), values, errors, _("Save course"))


bp.add_url_rule("/courses/new", "course_new", course_edit, methods=["GET", "POST"])


# --- teachers ------------------------------------------------------------------------------


def teacher_fields():
    return [
        {"name": "name", "label": _l("Name"), "type": "text"},
        {"name": "email", "label": _l("E-mail"), "type": "email"},
        {"name": "home", "label": _l("Lives in"), "type": "select", "choices": _places()},
        {"name": "levels", "label": _l("Levels taught"), "type": "checkboxes",
         "choices": [(level, level) for level in LEVELS]},
        {"name": "max_sessions_per_week", "label": _l("At most sessions a week"), "type": "number"},
        {"name": "available", "label": _l("Available"), "type": "textarea",
         "help": _l("One window per line: mon-fri 16:00-22:00, sat 09:00-15:00")},
    ]


@bp.route("/teachers")
@role_required(*STAFF)
def teachers():
    provider = provider_or_404()
    return render_template("providers/list.html", title=_("Teachers"), new_url=url_for("providers.teacher_new"),
                           rows=[(url_for("providers.teacher_edit", teacher_id=t.id), t.name,
                                  f"{t.levels.replace(',', ' ')} · {t.home_place.name} · "
                                  f"≤ {t.max_sessions_per_week}/week") for t in provider.teachers])


@bp.route("/teachers/<int:teacher_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def teacher_edit(teacher_id: int | None = None):
    provider = provider_or_404()
    teacher = own(Teacher, teacher_id) if teacher_id else None
    values, errors = {}, {}
    if request.method == "POST":
        values = _form_values()
        try:
            setup.save_teacher(provider, values, teacher)
        except setup.SetupError as error:
            errors = error.errors
        else:
            flash(_("The teacher is saved."), "info")
            return redirect(url_for("providers.teachers"))
    elif teacher is not None:
        values = {"name": teacher.name, "email": teacher.email or "", "home": teacher.home_place_id,
                  "levels": teacher.level_list, "max_sessions_per_week": teacher.max_sessions_per_week,
                  "available": setup.format_windows(teacher.availability)}
    else:
        values = {"levels": [], "max_sessions_per_week": 6, "available": "mon-fri 16:00-22:00"}
    return _edit(_("Teacher"), teacher_fields(), values, errors, _("Save teacher"))


bp.add_url_rule("/teachers/new", "teacher_new", teacher_edit, methods=["GET", "POST"])


# --- CSV import ------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@role_required(*STAFF)
def import_csv():
    """Upload → a preview of what would be added, updated or left alone; only "confirm" stores it."""
    provider = provider_or_404()
    report, text, kind = None, "", request.form.get("kind", "learners")
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        text = setup.decode_csv(upload.read()) if upload and upload.filename else request.form.get("text", "")
        if kind not in ("learners", "teachers"):
            kind = "learners"
        if not text.strip():
            flash(_("Choose a CSV file to import."), "error")
            status = 400
        else:
            confirmed = request.form.get("confirm") == "1"
            report = setup.import_csv(provider, kind, text, import_valid=request.form.get("import_valid") == "1",
                                      store=confirmed)
            if report.imported:
                flash(_("%(added)d added and %(updated)d updated; %(unchanged)d were already up to date.",
                        added=len(report.added), updated=len(report.updated), unchanged=len(report.unchanged)),
                      "info")
            elif confirmed and not report.rejected:
                flash(_("Nothing to import: everyone in the file is already up to date."), "info")
    return render_template("providers/import.html", report=report, text=text, kind=kind,
                           learner_columns=setup.LEARNER_COLUMNS, teacher_columns=setup.TEACHER_COLUMNS), status
