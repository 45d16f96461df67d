"""A seat offered from the waiting list, on the personal page: accept or decline (services/offers.py)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..services import offers
from ..services.fitting import fitting_groups
from ..services.plans import current_live_plan
from ..services.seats import SeatError
from . import bp
from .forms import ActionForm
from .page import learner_or_404


@bp.app_template_global("open_offers")
def open_offers(learner):
    """The learner's offers that still hold a seat (read only; lapses are passed on by the page's view)."""
    return offers.open_offers(learner)


@bp.post("/me/<token>/offers/<int:offer_id>/accept")
def accept_offer(token, offer_id: int):
    learner = learner_or_404(token)
    if not ActionForm().validate():
        flash(_("The form ran out. Please try again."), "error")
        return redirect(url_for("learners.me", token=token))
    try:
        placement = offers.accept(learner, offer_id)
    except offers.OfferError as error:
        flash(str(error), "error")
        return redirect(url_for("learners.me", token=token))
    except offers.SeatTaken as error:
        # Someone else took the last seat at the same moment: say so, and show what is left.
        plan = current_live_plan(learner.provider_id)
        alternatives = fitting_groups(plan, learner) if plan is not None else []
        return render_template("learners/offer_taken.html", learner=learner, why=str(error),
                               alternatives=alternatives), 409
    except SeatError as error:
        flash(_("The seat could not be given to you: %(why)s", why=str(error)), "error")
        return redirect(url_for("learners.me", token=token))
    flash(_("You have a place in %(course)s at %(venue)s. Welcome!", course=placement.group.course.name,
            venue=placement.group.venue.name), "success")
    return redirect(url_for("learners.me", token=token))


@bp.post("/me/<token>/offers/<int:offer_id>/decline")
def decline_offer(token, offer_id: int):
    learner = learner_or_404(token)
    if not ActionForm().validate():
        flash(_("The form ran out. Please try again."), "error")
        return redirect(url_for("learners.me", token=token))
    try:
        offers.decline(learner, offer_id)
    except offers.OfferError as error:
        flash(str(error), "error")
    else:
        flash(_("You said no to the seat. You stay on the waiting list."), "success")
    return redirect(url_for("learners.me", token=token))


def refresh_offers(learner) -> None:
    """Before the personal page shows offers: seats of lapsed offers go on to the next learner."""
    if learner.withdrawn_at is None:
        offers.refresh(current_live_plan(learner.provider_id))

