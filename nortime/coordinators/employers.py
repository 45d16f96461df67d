"""Coordinators (and administrators) register employers and invite their staff (issue 21)."""
from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth import create_user, role_required
from ..db import db
from ..models import SECTORS, Employer, Place, User
from ..services import employers as service
from . import bp


@bp.route("/employers", methods=["GET", "POST"])
@role_required("coordinator")
def employers():
    error = None
    invited = None
    form = request.form
    if request.method == "POST":
        try:
            if form.get("action") == "invite":
                employer = db.session.scalar(select(Employer).where(Employer.slug == form.get("employer", "")))
                if employer is None:
                    raise service.EmployerError(_("employer: choose the employer"))
                # The same staff accounts as everyone's; the first password is handed over once, in person.
                password = secrets.token_urlsafe(12)
                try:
                    user = create_user(form.get("email", ""), "employer", password, name=form.get("name", "")[:120],
                                       employer=employer)
                except ValueError as problem:
                    raise service.EmployerError(str(problem)) from None
                invited = (user.email, password)
            else:
                employer = service.create_employer(form.get("name", ""), form.get("place", ""), form.get("sector", ""))
                flash(_("%(name)s is registered. Invite its staff below.", name=employer.name), "info")
                return redirect(url_for("coordinators.employers"))
        except service.EmployerError as problem:
            error = str(problem)
    rows = db.session.scalars(select(Employer).order_by(Employer.name)).all()
    staff = {employer.id: [] for employer in rows}
    for user in db.session.scalars(select(User).where(User.role == "employer").order_by(User.email)):
        staff.setdefault(user.employer_id, []).append(user.email)
    places = db.session.scalars(select(Place).order_by(Place.name)).all()
    return render_template("coordinators/employers.html", employers=rows, staff=staff, places=places,
                           sectors=[(sector, service.sector_labels()[sector]) for sector in SECTORS], error=error,
                           invited=invited, form=form), 422 if error else 200
