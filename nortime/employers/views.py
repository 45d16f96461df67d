"""Employer pages: views parse the request, call one service, render."""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth import role_required
from ..db import db
from ..models import WEEKDAYS, Employer, JoinCode, Place, Provider, Team
from ..learners.texts import shift_name
from ..rota_presets import PRESETS
from ..services import employers as service
from ..services import signup
from ..services.count_tables import csv_bytes, to_csv
from ..services.employer_counts import employer_counts
from ..services.rota_days import weeks_from
from . import bp


def own_employer() -> Employer:
    """The logged-in account's employer; other staff have no employer pages."""
    employer = db.session.get(Employer, current_user.employer_id) if current_user.employer_id else None
    if employer is None:
        abort(403)
    return employer


def own_team(team_id: int) -> Team:
    team = db.session.get(Team, team_id)
    if team is None or team.employer_id != own_employer().id:
        abort(404)
    return team


def own_code(team: Team, code: str) -> JoinCode:
    join_code = db.session.get(JoinCode, service.normal_code(code))
    if join_code is None or join_code.team_id != team.id:
        abort(404)
    return join_code


def rota_methods() -> list[tuple[str, str]]:
    from ..learners.texts import preset_name

    return ([(preset_id, preset_name(preset_id)) for preset_id in PRESETS if preset_id != "none"]
            + [("custom", _("Build your rota day by day")), ("ics", _("A roster file (.ics)")),
               ("none", _("No shifts (day work)"))])


def custom_weeks() -> int:
    raw = request.values.get("weeks", "1")
    return int(raw) if raw.isdecimal() and 1 <= int(raw) <= signup.MAX_CUSTOM_WEEKS else 1


@bp.after_request
def private(response):
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/")
@role_required("employer")
def index():
    from ..coordinators.views import cell_text, hidden_texts, row_label

    employer = own_employer()
    counts = employer_counts(employer)
    return render_template("employers/index.html", employer=employer, counts=counts, cell_text=cell_text,
                           row_label=row_label, texts=hidden_texts())


@bp.route("/tables/<key>.csv")
@role_required("employer")
def table_csv(key: str):
    from ..coordinators.views import hidden_texts

    table = employer_counts(own_employer()).tables.get(key)
    if table is None:
        abort(404)
    delimiter = ";" if request.args.get("sep") == "semicolon" else ","
    return Response(csv_bytes(to_csv(table, hidden_texts(), _("Total"), delimiter)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="nortime-employer-{key}.csv"'})


def rota_answers_from_form(method: str) -> dict[str, str]:
    preset = PRESETS.get(method)
    keys = ["week", "first_day"] + ([f"{shift}_{end}" for shift in preset.shift_names for end in ("from", "to")]
                                    if preset else [])
    if method == "custom":  # the learners' day-by-day builder's answers
        keys = ["week", "weeks"] + [f"{part}_{i}" for i in range(custom_weeks() * 7) for part in ("kind", "from", "to")]
    defaults = default_answers(method)  # a field the form did not send (not one left empty) keeps its default
    return {key: request.form.get(key, defaults.get(key, ""))[:40] for key in keys}


def default_answers(method: str) -> dict[str, str]:
    preset = PRESETS.get(method)
    answers = {"week": "1", "first_day": signup.today().isoformat(), "weeks": str(custom_weeks())}
    for shift in (preset.shift_names if preset else ()):
        answers[f"{shift}_from"], answers[f"{shift}_to"] = preset.default_times[shift]
    return answers


def read_rota(method: str) -> tuple[dict | None, dict[str, str]]:
    """The team's rota from the form; a roster file is read as a learner's is (same limits, same messages)."""
    roster = None
    if method == "ics":
        from ..learners.roster_import import MAX_BYTES, RosterError, roster_from_ics_within
        from ..learners.views import ROSTER_ERRORS

        upload = request.files.get("roster")
        try:
            if upload is None or not upload.filename:
                raise RosterError("missing")
            roster = roster_from_ics_within(current_app.config["ROSTER_IMPORT_SECONDS"],
                                            upload.stream.read(MAX_BYTES + 1),
                                            current_app.config.get("TIMEZONE", "Europe/Oslo"), signup.today()).rota()
        except RosterError as problem:
            return None, {"roster": ROSTER_ERRORS[problem.code](problem.params)}
    return service.team_rota(method, rota_answers_from_form(method), roster)


@bp.route("/teams/new", methods=["GET", "POST"])
@role_required("employer")
def new_team():
    employer = own_employer()
    method = request.values.get("method", "")
    errors: dict[str, str] = {}
    if request.method == "POST" and request.form.get("step") == "save":
        rota, errors = read_rota(method)
        if not errors:
            try:
                team = service.create_team(employer, request.form.get("name", ""), rota,
                                           request.form.getlist("days_off"))
            except service.EmployerError as error:
                errors["name"] = str(error)
            else:
                return redirect(url_for("employers.team", team_id=team.id))
    answers = rota_answers_from_form(method) if request.method == "POST" else default_answers(method)
    for key, value in default_answers(method).items():
        answers[key] = answers.get(key) or value
    return render_template("employers/team_form.html", employer=employer, team=None, method=method,
                           methods=rota_methods(), preset=PRESETS.get(method), answers=answers, errors=errors,
                           shift_name=shift_name, weeks=custom_weeks(), max_weeks=signup.MAX_CUSTOM_WEEKS,
                           weekdays=WEEKDAYS, name=request.form.get("name", ""),
                           days_off=request.form.getlist("days_off")), 422 if errors else 200


@bp.route("/teams/<int:team_id>")
@role_required("employer")
def team(team_id: int):
    team = own_team(team_id)
    rota = team.rota
    weeks = weeks_from(rota["cycle"], dt.date.fromisoformat(rota["start"]), signup.today(), 4) if rota else []
    return render_template("employers/team.html", employer=team.employer, team=team, weeks=weeks,
                           today=signup.today())


@bp.route("/teams/<int:team_id>/rota", methods=["GET", "POST"])
@role_required("employer")
def team_rota(team_id: int):
    team = own_team(team_id)
    method = request.values.get("method", "")
    errors: dict[str, str] = {}
    if request.method == "POST" and request.form.get("step") == "save":
        rota, errors = read_rota(method)
        starts_on = signup.parse_date(request.form.get("starts_on"))
        if not errors:
            try:
                service.change_team_rota(team, rota, starts_on)
            except service.EmployerError as error:
                errors["starts_on"] = str(error)
            else:
                # No count of workers: it would include those who never let their employer see them.
                flash(_("The new rota is saved and reaches the team's workers on %(day)s.",
                        day=max(starts_on, signup.today()).isoformat()), "info")
                return redirect(url_for("employers.team", team_id=team.id))
    answers = rota_answers_from_form(method) if request.method == "POST" else default_answers(method)
    for key, value in default_answers(method).items():
        answers[key] = answers.get(key) or value
    return render_template("employers/team_form.html", employer=team.employer, team=team, method=method,
                           methods=rota_methods(), preset=PRESETS.get(method), answers=answers, errors=errors,
                           shift_name=shift_name, weeks=custom_weeks(), max_weeks=signup.MAX_CUSTOM_WEEKS,
                           weekdays=WEEKDAYS, starts_on=request.form.get("starts_on", signup.today().isoformat()),
                           name=team.name, days_off=team.days_off.split(",")), 422 if errors else 200


@bp.route("/teams/<int:team_id>/codes", methods=["POST"])
@role_required("employer")
def new_code(team_id: int):
    team = own_team(team_id)
    expires = request.form.get("expires_on", "").strip()
    expires_on = signup.parse_date(expires) if expires else None
    try:
        if expires and expires_on is None:
            raise service.EmployerError(_("expires: write a date like 2027-06-30"))
        join_code = service.new_join_code(team, request.form.get("code", "").strip() or None, expires_on)
    except service.EmployerError as error:
        flash(str(error), "error")
    else:
        flash(_("New join code: %(code)s", code=join_code.code), "info")
    return redirect(url_for("employers.team", team_id=team.id))


@bp.route("/teams/<int:team_id>/codes/<code>/revoke", methods=["POST"])
@role_required("employer")
def revoke_code(team_id: int, code: str):
    team = own_team(team_id)
    service.revoke_join_code(own_code(team, code))
    flash(_("The code %(code)s no longer works.", code=code), "info")
    return redirect(url_for("employers.team", team_id=team.id))


@bp.route("/teams/<int:team_id>/codes/<code>/poster")
@role_required("employer")
def poster(team_id: int, code: str):
    import segno

    from ..links import absolute

    team = own_team(team_id)
    join_code = own_code(team, code)
    link = absolute("employers_public.join", code=join_code.code)
    qr = segno.make(link, error="m").svg_inline(scale=6, title=_("QR code for %(link)s", link=link))
    return render_template("employers/poster.html", employer=team.employer, team=team, code=join_code,
                           link=link, qr=qr)


@bp.route("/workplace", methods=["GET", "POST"])
@role_required("employer")
def workplace():
    employer = own_employer()
    providers = db.session.scalars(select(Provider).order_by(Provider.name)).all()
    places = db.session.scalars(select(Place).order_by(Place.name)).all()
    error = None
    form = request.form
    if request.method == "POST":
        provider = next((p for p in providers if p.slug == form.get("provider")), None)
        try:
            if provider is None:
                raise service.EmployerError(_("provider: choose the course provider to offer the room to"))
            rooms = int(form.get("rooms", "")) if form.get("rooms", "").isdecimal() else 0
            service.offer_workplace(employer, provider, form.get("name", ""), form.get("place", ""), rooms,
                                    [(form.getlist("days"), form.get("opens", ""), form.get("closes", ""))],
                                    form.get("address", ""))
        except service.EmployerError as error_:
            error = str(error_)
        else:
            flash(_("The room is offered. The provider accepts it before classes can be planned there."), "info")
            return redirect(url_for("employers.workplace"))
    from ..models import Venue

    offered = db.session.scalars(select(Venue).where(Venue.employer_id == employer.id).order_by(Venue.name)).all()
    return render_template("employers/workplace.html", employer=employer, providers=providers, places=places,
                           offered=offered, error=error, form=form, weekdays=WEEKDAYS), 422 if error else 200
