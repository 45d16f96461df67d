"""The personal page at /me/<token>, the edit steps behind it, and "send my link again"."""
from __future__ import annotations

import functools
import hashlib
import json

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import limiter
from ..links import personal_link
from ..page_cache import cached_page
from ..phones import e164_or_none
from ..services import enrollment, learner_page, signup
from ..services.seats import GroupFull, SeatError
from . import bp
from .flow import Flow
from .forms import ActionForm, DeleteForm, LostLinkForm
from .views import _register, about_form, render_check


def contact_key() -> str:
    """The rate-limit key of a link request: the e-mail address or number asked for, hashed (never stored plain)."""
    text = (request.form.get("contact") or "").strip().lower()
    contact = text if "@" in text else (e164_or_none(text) or text)
    return "contact:" + hashlib.sha256(contact.encode()).hexdigest()


def learner_or_404(token: str):
    learner = learner_page.learner_by_token(token)
    if learner is None:
        abort(404)
    g.learner_language = learner.language  # before anything asks for the locale
    return learner


@bp.app_template_filter("day_and_month")
def day_and_month(day, weekday: bool = False) -> str:
    """"torsdag 14. januar" / "Thursday 14 January": the date written the reader's way, without the year."""
    from babel.dates import format_skeleton
    from flask_babel import get_locale

    locale = str(get_locale() or "nb")
    return format_skeleton(_closest_skeleton("MMMMEEEEd" if weekday else "MMMd", locale), day, locale=locale)


@functools.lru_cache(maxsize=64)
def _closest_skeleton(skeleton: str, locale: str) -> str:
    """The locale's own skeleton nearest to `skeleton`: Babel's search took most of a personal page's time."""
    from babel import Locale
    from babel.dates import match_skeleton

    skeletons = Locale.parse(locale).datetime_skeletons
    return skeleton if skeleton in skeletons else match_skeleton(skeleton, skeletons) or skeleton


@bp.after_request
def private_pages(response):
    # The secret link must not leak to other sites or linger in caches.
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if request.path.startswith("/me/") or request.path.startswith("/signup"):
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("X-Robots-Tag", "noindex")
    return response


@bp.get("/me/<token>")
def me(token):
    learner = learner_or_404(token)
    from .offers import refresh_offers

    refresh_offers(learner)  # lapses and passes on what is due before the page shows it

    def build():
        return render_template("learners/me.html", learner=learner, status=learner_page.status_of(learner),
                               form=ActionForm(), link=personal_link(learner),
                               enrollment=enrollment.enrollment_of(learner))

    # Per learner and the digest of their own rows; what other rows show moves the cache version.
    return cached_page(("me", learner.id, learner_page.page_fingerprint(learner)), build)


@bp.get("/me/<token>/welcome")
def welcome(token):
    learner = learner_or_404(token)
    sent = request.args.get("sent")
    sent_to = learner.email if sent == "email" else learner.phone if sent == "sms" else None
    return render_template("learners/welcome.html", learner=learner, link=personal_link(learner), sent_to=sent_to,
                           enrollment=enrollment.enrollment_of(learner), form=ActionForm())


@bp.post("/me/<token>/join")
def join(token):
    """Take a seat in a published group at once; 409 with the groups that still fit when it cannot be had."""
    learner = learner_or_404(token)
    form = ActionForm()
    if not form.validate():
        abort(400)
    group_id = request.form.get("group_id", "")
    try:
        enrollment.join(learner, int(group_id) if group_id.isdecimal() else None)
    except SeatError as error:
        message = _("Someone else took the last seat in this group just now.") if isinstance(error, GroupFull) \
            else str(error)
        return render_template("learners/join_refused.html", learner=learner, message=message, form=ActionForm(),
                               enrollment=enrollment.enrollment_of(learner)), 409
    flash(_("You have joined the group. The lessons are on your page and in your calendar."), "success")
    return redirect(url_for("learners.me", token=token))


@bp.route("/me/<token>/details", methods=["GET", "POST"])
def edit_about(token):
    learner = learner_or_404(token)
    form = about_form(signup.about_of(learner) if request.method == "GET" else None)
    if form.validate_on_submit():
        fit = signup.save_about(learner, signup.about_answers(form))
        flash(_("Your details are saved."), "success")
        if fit is not None and not fit.fits:
            flash(group_fit_sentence(fit, saved=True), "error")
        return redirect(url_for("learners.me", token=token))
    return render_template("learners/about.html", form=form, step=None, flow=Flow("edit", token, learner.id),
                           action=url_for("learners.edit_about", token=token), learner=learner), \
        200 if not form.errors else 422


def _edit_step(step):
    def view(token, **values):
        learner = learner_or_404(token)
        return step(Flow("edit", token, learner.id), learner=learner, **values)

    view.__name__ = f"edit_{step.__name__}"
    return view


_register("edit", "/me/<token>", _edit_step)


@bp.route("/me/<token>/rota/check", methods=["GET", "POST"])
def edit_check(token):
    learner = learner_or_404(token)
    flow = Flow("edit", token, learner.id)
    draft = flow.draft()
    if "rota" not in draft:
        return redirect(flow.url("rota"))
    form = ActionForm()
    if request.method == "POST" and form.validate():
        rota_state = draft["rota"]
        fit = signup.save_rota(learner, rota_state.get("rota"), rota_state.get("method"), draft.get("busy") or [])
        flow.clear()
        flash(_("Your rota is saved. The next plan uses it."), "success")
        if fit is not None:
            flash(group_fit_sentence(fit, saved=True), "success" if fit.fits else "error")
        return redirect(url_for("learners.me", token=token))
    return render_check(flow, draft, form, step=None, learner=learner)


def group_fit_sentence(fit, saved: bool = False) -> str:
    """Whether her group still fits a changed rota (`fitting.GroupFit`), in one sentence with the shares:
    before saving (the rota preview) or, with `saved`, after."""
    from flask_babel import format_percent

    share, needed = format_percent(fit.share), format_percent(fit.min_share)
    if fit.fits:
        return _("Your group still fits your rota: you can come to %(share)s of its coming lessons (%(needed)s needed).",
                 share=share, needed=needed)
    if saved:
        return _("Your group no longer fits: you can come to %(share)s of its coming lessons, and %(needed)s are "
                 "needed. You keep your place for now; your page shows the groups that fit.",
                 share=share, needed=needed)
    return _("With this rota you can come to only %(share)s of your group's coming lessons, and %(needed)s are "
             "needed. You keep your place for now; once you save, your page shows the groups that fit.",
             share=share, needed=needed)


bp.add_app_template_global(group_fit_sentence, "group_fit_sentence")


@bp.route("/me/<token>/withdraw", methods=["GET", "POST"])
def withdraw(token):
    learner = learner_or_404(token)
    form = ActionForm()
    if request.method == "POST" and form.validate():
        if request.form.get("undo"):
            learner_page.come_back(learner)
            flash(_("Welcome back. You are on the list again."), "success")
        else:
            learner_page.withdraw(learner)
            flash(_("You have left the course list. Your details are kept until you delete them."), "success")
        return redirect(url_for("learners.me", token=token))
    return render_template("learners/withdraw.html", learner=learner, form=form)


@bp.get("/me/<token>/data.json")
def download(token):
    learner = learner_or_404(token)
    body = json.dumps(learner_page.export_data(learner), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="nortime-my-data.json"'})


@bp.route("/me/<token>/delete", methods=["GET", "POST"])
def delete(token):
    learner = learner_or_404(token)
    form = DeleteForm()
    if form.validate_on_submit():
        learner_page.delete_learner(learner)
        Flow("edit", token, learner.id).clear()
        return redirect(url_for("learners.deleted"))
    return render_template("learners/delete.html", learner=learner, form=form), 200 if not form.errors else 422


@bp.get("/deleted")
def deleted():
    return render_template("learners/deleted.html")


@bp.route("/me", methods=["GET", "POST"])
@limiter.limit("5 per hour;20 per day", methods=["POST"])
@limiter.limit("3 per hour;6 per day", key_func=contact_key, methods=["POST"])
def lost_link():
    form = LostLinkForm()
    if form.validate_on_submit():
        learner_page.resend_links(form.contact.data)
        return redirect(url_for("learners.lost_link_sent"))
    return render_template("learners/lost.html", form=form), 200 if not form.errors else 422


@bp.errorhandler(429)
def too_many_requests(error):
    return render_template("learners/too_many.html"), 429


@bp.get("/me/sent")
def lost_link_sent():
    return render_template("learners/lost_sent.html")


