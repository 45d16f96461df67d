"""Workers' side of employers (issue 21): sign up with a join code, and say what the employer may see."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import limiter
from ..learners.forms import ActionForm
from ..services import employers as service

bp = Blueprint("employers_public", __name__)


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])  # codes are short: guessing them must stay slow
def join():
    from ..learners.views import SIGNUP

    form = ActionForm()
    code = request.values.get("code", "")
    error = None
    if request.method == "POST" and form.validate():
        try:
            team = service.team_for_code(code)
        except service.EmployerError as problem:
            error = str(problem)
        else:
            SIGNUP.clear()
            SIGNUP.save(**service.join_answers(team))
            flash(_("Welcome from %(team)s at %(employer)s. Your rota is filled in; you can still change it.",
                    team=team.name, employer=team.employer.name), "success")
            return redirect(url_for("learners.signup_about"))
    return render_template("employers/join.html", form=form, code=service.normal_code(code), error=error), \
        422 if error else 200


@bp.route("/me/<token>/employer", methods=["GET", "POST"])
def consent(token):
    from ..learners.page import learner_or_404

    learner = learner_or_404(token)
    form = ActionForm()
    if learner.employer_id is None:
        return redirect(url_for("learners.me", token=token))
    if request.method == "POST" and form.validate():
        action = request.form.get("action")
        if action == "leave":
            service.leave_team(learner)
            flash(_("You are no longer on your employer's team here. Your employer sees nothing about you."),
                  "success")
        else:
            service.set_consent(learner, action == "allow")
            flash(_("Your employer may now see that you take part.") if action == "allow" else
                  _("Your employer sees nothing about you from now on."), "success")
        return redirect(url_for("learners.me", token=token))
    return render_template("employers/consent.html", learner=learner, form=form)


@bp.after_request
def private_pages(response):
    # As the learners' own pages: the secret link must not leak nor linger in caches.
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("X-Robots-Tag", "noindex")
    return response
