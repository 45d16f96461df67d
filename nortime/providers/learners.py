"""Provider pages for learners: the list with search, a learner's page, editing for them, their link.

Every learner is looked up through `own()`: another provider's learner answers 404.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth import role_required
from ..db import db
from ..coordinators.attendance import local_today
from ..i18n import LANGUAGES
from ..models import LEVELS, Learner
from ..services import staff_learners
from ..services.setup import SetupError
from . import bp
from .setup_views import _places
from .views import STAFF, own, provider_or_404


@bp.route("/learners")
@role_required(*STAFF)
def learners():
    provider = provider_or_404()
    found = staff_learners.list_learners(provider, request.args.get("q", ""), request.args.get("status", ""),
                                         request.args.get("sort", "name"), request.args.get("page", 1, type=int))
    return render_template("providers/learners.html", found=found, statuses=staff_learners.STATUSES,
                           sorts=staff_learners.SORTS, status_label=staff_learners.status_label)


@bp.route("/learners/<int:learner_id>")
@role_required(*STAFF)
def learner(learner_id: int):
    row = own(Learner, learner_id)
    return render_template("providers/learner.html", view=staff_learners.staff_view(row, local_today()))


def learner_fields():
    return [
        {"name": "name", "label": _l("Name"), "type": "text"},
        {"name": "email", "label": _l("E-mail"), "type": "email"},
        {"name": "phone", "label": _l("Phone"), "type": "tel"},
        {"name": "language", "label": _l("Language"), "type": "select", "choices": list(LANGUAGES.items())},
        {"name": "home", "label": _l("Lives in"), "type": "select", "choices": _places()},
        {"name": "level", "label": _l("Level"), "type": "select", "choices": [(level, level) for level in LEVELS]},
        {"name": "max_travel_minutes", "label": _l("Longest trip (minutes)"), "type": "number"},
        {"name": "buffer_minutes", "label": _l("Minutes needed between work and class"), "type": "number"},
        {"name": "priority", "label": _l("Priority (1 to 10)"), "type": "number"},
        {"name": "reason", "label": _l("Why the change (kept in the log)"), "type": "textarea"},
    ]


def _edit_values(row: Learner) -> dict:
    return {"name": row.name, "email": row.email or "", "phone": row.phone or "", "language": row.language,
            "home": row.home_place_id, "level": row.level, "max_travel_minutes": row.max_travel_minutes,
            "buffer_minutes": row.buffer_minutes, "priority": row.priority, "reason": ""}


@bp.route("/learners/<int:learner_id>/edit", methods=["GET", "POST"])
@role_required(*STAFF)
def learner_edit(learner_id: int):
    row = own(Learner, learner_id)
    errors = {}
    values = _edit_values(row)
    if request.method == "POST":
        values = {key: value for key, value in request.form.items() if key != "csrf_token"}
        try:
            changes = staff_learners.edit_learner(row, values, current_user, values.get("reason", ""))
        except SetupError as error:
            errors = error.errors
        else:
            flash(_("Saved: %(fields)s.", fields=", ".join(changes)) if changes else _("Nothing was changed."),
                  "info")
            return redirect(url_for("providers.learner", learner_id=row.id))
    return render_template("providers/edit.html", title=_("Change %(name)s's details", name=row.name),
                           fields=learner_fields(), values=values, errors=errors,
                           action_label=_("Save the change")), 400 if errors else 200


@bp.route("/learners/<int:learner_id>/link", methods=["POST"])
@role_required(*STAFF)
def learner_link(learner_id: int):
    row = own(Learner, learner_id)
    channel = staff_learners.send_personal_link(row, current_user)
    if channel:
        flash(_("The personal link is on its way to %(address)s.", address=row.email if channel == "email"
                else row.phone), "info")
    else:
        flash(_("The link was not sent: the learner has no e-mail address or phone number that we can send to."),
              "error")
    return redirect(url_for("providers.learner", learner_id=row.id))


@bp.route("/learners/<int:learner_id>/merge", methods=["POST"])
@role_required(*STAFF)
def learner_merge(learner_id: int):
    """Fold another record of the same person (`duplicate`) into this one."""
    row = own(Learner, learner_id)
    duplicate = own(Learner, request.form.get("duplicate", type=int) or 0)
    try:
        staff_learners.merge_learners(row, duplicate, current_user, request.form.get("reason", ""))
    except staff_learners.MergeError as error:
        if db.session.get(Learner, learner_id) is None:  # this very record was merged away meanwhile
            return render_template("error.html", title=_("Learners"), message=str(error)), 409
        flash(str(error), "error")
        return render_template("providers/learner.html", view=staff_learners.staff_view(row, local_today())), 400
    flash(_("The two records are now one."), "info")
    return redirect(url_for("providers.learner", learner_id=row.id))
