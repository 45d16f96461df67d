"""Provider pages for the live plan after publishing: who waits (with the groups that fit), adding someone
to a published group by hand, and the record of every change (services/waiting_list.py)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import role_required
from ..ids import row_id
from ..models import Group, Learner
from ..services import offers, waiting_list
from ..services.plans import current_live_plan
from ..services.seats import SeatError, seat_learner
from . import bp
from .views import STAFF, own, provider_or_404


@bp.route("/waiting")
@role_required(*STAFF)
def waiting():
    provider = provider_or_404()
    found = waiting_list.waiting(provider, request.args.get("page", 1, type=int))
    return render_template("providers/waiting.html", found=found)


@bp.route("/waiting/<int:learner_id>/add", methods=["POST"])
@role_required(*STAFF)
def waiting_add(learner_id: int):
    """Put a waiting learner into a group of the live plan: the same checks as any seat; an override
    (a group that does not fit them) needs a reason and is recorded with it."""
    learner = own(Learner, learner_id)
    group = own(Group, row_id(request.form.get("group_id")) or 0)
    plan = current_live_plan(provider_or_404())
    if plan is None or group.plan_id != plan.id:
        abort(404)
    try:
        seat_learner(group, learner, by=current_user.id, reason=request.form.get("reason", ""),
                     override=request.form.get("override") == "1")
    except SeatError as error:
        flash(_("%(name)s cannot join %(group)s: %(why)s", name=learner.name, group=group.key, why=str(error)),
              "error")
        return redirect(url_for("providers.waiting", page=request.form.get("page", 1, type=int)))
    flash(_("%(name)s is now in %(group)s.", name=learner.name, group=group.key), "info")
    return redirect(url_for("providers.waiting", page=request.form.get("page", 1, type=int)))


@bp.route("/changes")
@role_required(*STAFF)
def changes():
    provider = provider_or_404()
    return render_template("providers/changes.html", rows=waiting_list.changes(provider),
                           reason_text=offers.reason_text)
