"""Workplace rooms employers offer to this provider: accept one before the optimizer may use it (issue 21)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth import role_required
from ..db import db
from ..models import Venue
from ..services import employers as service
from . import bp
from .views import STAFF, provider_or_404


@bp.route("/workplaces", methods=["GET", "POST"])
@role_required(*STAFF)
def workplaces():
    provider = provider_or_404()
    if request.method == "POST":
        venue = db.session.get(Venue, int(request.form.get("venue", "0") or 0)) \
            if request.form.get("venue", "").isdecimal() else None
        if venue is None or venue.provider_id != provider.id or venue.employer_id is None:
            abort(404)
        accept = request.form.get("action") == "accept"
        service.accept_workplace(venue, provider, accept)
        flash(_("%(room)s is accepted: the optimizer may plan classes there.", room=venue.name) if accept else
              _("%(room)s is not used for planning.", room=venue.name), "info")
        return redirect(url_for("providers.workplaces"))
    offered = db.session.scalars(select(Venue).where(Venue.provider_id == provider.id, Venue.employer_id.is_not(None))
                                 .order_by(Venue.name)).all()
    return render_template("providers/workplaces.html", offered=offered)
