"""Sign-up and the rota steps. Views parse the request, call one service, render."""
from __future__ import annotations

import datetime as dt

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..rota_presets import PRESETS

from ..extensions import limiter
from ..page_cache import cached_page
from ..services import signup
from ..services.rota_days import weeks_from
from . import bp
from .flow import Flow
from .forms import AboutForm, ActionForm, ConfirmForm, RotaChoiceForm, UploadForm
from .roster_import import MAX_BYTES, MAX_WEEKS, RosterError, roster_from_ics_within
from .rota_cycle import COMMON_PERIODS, rota_of
from .texts import FIRST_DAY_TEXT, group_days, group_times, preset_description, preset_name, shift_name, weekly_times

SIGNUP = Flow("signup")
bp.add_app_template_filter(weekly_times, "weekly_times")
bp.add_app_template_global(group_times, "group_times")
bp.add_app_template_global(group_days, "group_days")
CUSTOM = "custom"
UPLOAD = "upload"


def about_form(data: dict | None = None) -> AboutForm:
    form = AboutForm(data=data or None, places=signup.place_groups())
    if request.method == "GET" and not data:
        from flask_babel import get_locale

        form.language.data = str(get_locale())
        form.travel.data = "30"
    return form


# --- step 1: about you --------------------------------------------------------


@bp.route("/signup", methods=["GET", "POST"])
def signup_about():
    draft = SIGNUP.draft()
    if request.method == "GET" and not draft:  # a new visitor: the same page for everyone in this language
        return cached_page("signup", lambda: render_template(
            "learners/about.html", form=about_form(), step=1, flow=SIGNUP, action=url_for("learners.signup_about")))
    form = about_form(draft.get("about") if request.method == "GET" else None)
    if form.validate_on_submit():
        SIGNUP.save(about=signup.about_answers(form))
        # Joined with a team's code: the team's rota is the answer already (it can still be changed from the check).
        return redirect(SIGNUP.url("busy" if draft.get("join") and "rota" in draft else "rota"))
    return render_template("learners/about.html", form=form, step=1, flow=SIGNUP,
                           action=url_for("learners.signup_about")), 200 if not form.errors else 422


# --- the rota steps, shared with the edit flow ------------------------------------


def rota_methods():
    methods = [(preset_id, preset_name(preset_id)) for preset_id in PRESETS if preset_id != "none"]
    methods += [(CUSTOM, _("My rota is different: I build it day by day")),
                (UPLOAD, _("I have my roster as a calendar file (.ics)")),
                ("none", preset_name("none"))]
    return methods


def need_about(flow: Flow):
    if flow.kind == "signup" and not flow.draft().get("about"):
        return redirect(flow.url("about"))
    return None


def rota_choice(flow: Flow, learner=None):
    if (back := need_about(flow)) is not None:
        return back
    methods = rota_methods()
    current = (flow.draft().get("rota") or {}).get("method")
    if current is None and learner is not None and learner.rota is not None:
        current = learner.rota.preset
    form = RotaChoiceForm(methods=methods, data={"method": current} if request.method == "GET" else None)
    if form.validate_on_submit():
        method = form.method.data
        if method == CUSTOM:
            return redirect(flow.url("rota_custom"))
        if method == UPLOAD:
            return redirect(flow.url("rota_upload"))
        if method == "none":
            flow.save(rota={"method": "none", "rota": None})
            return redirect(flow.url("busy"))
        return redirect(flow.url("rota_preset", preset_id=method))
    descriptions = {preset_id: preset_description(preset_id) for preset_id in PRESETS}
    descriptions[CUSTOM] = _("Tell us day by day: day off, work (with times) or away, for up to six weeks.")
    descriptions[UPLOAD] = _("Many work apps can export your shifts to a calendar file. We read the shifts from it.")
    return render_template("learners/rota_choice.html", form=form, flow=flow, step=2, descriptions=descriptions,
                           learner=learner), 200 if not form.errors else 422


def preset_pattern(preset) -> list[list[list[str]]]:
    """The preset's pattern as weeks of days, each a list of shift names (or ["away"])."""
    days = [list(day) if day != "away" else ["away"] for day in preset.pattern]
    return [days[i:i + 7] for i in range(0, len(days), 7)]


def preset_defaults(preset_id: str) -> dict:
    """The preset step's answers before anything is typed: the preset's shift times, week 1, from today."""
    preset = PRESETS[preset_id]
    answers = {"week": "1", "first_day": signup.today().isoformat()}
    for shift in preset.shift_names:
        answers[f"{shift}_from"], answers[f"{shift}_to"] = preset.default_times[shift]
    return answers


def rota_preset(flow: Flow, preset_id: str, learner=None):
    if (back := need_about(flow)) is not None:
        return back
    preset = PRESETS.get(preset_id)
    if preset is None or not preset.pattern:
        abort(404)
    form = ActionForm()
    saved = flow.draft().get("rota") or {}
    answers = dict(saved.get("answers") or {}) if saved.get("method") == preset_id else {}
    if not answers and learner is not None:  # changing a rota made from this preset: start from it
        answers = signup.preset_answers_of(learner.rota, preset_id)
    for key, value in preset_defaults(preset_id).items():
        answers.setdefault(key, value)
    errors = {}
    if request.method == "POST" and form.validate():
        answers = {key: request.form.get(key, "")[:40] for key in answers}
        rota, errors = signup.rota_from_preset(preset_id, answers)
        if not errors:
            flow.save(rota={"method": preset_id, "rota": rota, "answers": answers})
            return redirect(flow.url("busy"))
    return render_template("learners/rota_preset.html", flow=flow, form=form, step=2, preset=preset,
                           answers=answers, errors=errors, name=preset_name(preset_id),
                           description=preset_description(preset_id), shift_name=shift_name,
                           pattern=preset_pattern(preset) if preset.weekly else None,
                           first_day_question=FIRST_DAY_TEXT.get(preset_id),
                           monday=signup.this_monday(), learner=learner), 200 if not errors else 422


def custom_start(flow: Flow, learner=None) -> dict:
    """Where the day-by-day builder starts: what was typed, else the preset asked for, the rota chosen, the stored one."""
    saved = flow.draft().get("rota") or {}
    if saved.get("method") == CUSTOM or flow.draft().get("custom"):
        return dict(flow.draft().get("custom") or saved.get("answers") or {})
    preset_id = request.args.get("from")
    if preset_id in PRESETS and PRESETS[preset_id].weekly:
        answers = saved.get("answers") if saved.get("method") == preset_id else {}
        rota, errors = signup.rota_from_preset(preset_id, {**preset_defaults(preset_id), **(answers or {})})
        if not errors:
            return signup.custom_answers_of(rota)
    if saved.get("rota"):
        return signup.custom_answers_of(saved["rota"])
    if learner is not None and learner.rota is not None:
        return signup.custom_answers_of({"start": learner.rota.anchor.isoformat(), "cycle": learner.rota.cycle})
    return {}


def PRESET_DEFAULTS(preset_id: str) -> dict:
    preset = PRESETS[preset_id]
    answers = {"week": "1"}
    for shift in preset.shift_names:
        answers[f"{shift}_from"], answers[f"{shift}_to"] = preset.default_times[shift]
    return answers


def rota_custom(flow: Flow, learner=None):
    """The day-by-day builder. Changing the number of weeks is a submit of the same form: nothing typed is lost."""
    if (back := need_about(flow)) is not None:
        return back
    answers = custom_start(flow, learner)
    raw_weeks = request.values.get("weeks") or answers.get("weeks") or "1"
    weeks = int(raw_weeks) if str(raw_weeks).isdecimal() and 1 <= int(raw_weeks) <= signup.MAX_CUSTOM_WEEKS else 1
    form = ActionForm()
    errors = {}
    if request.method == "POST" and form.validate():
        # The days the form showed come from the form; days of longer cycles typed before are kept,
        # so that shrinking and growing again loses nothing.
        raw_shown = request.form.get("shown", "")
        shown = int(raw_shown) if raw_shown.isdecimal() and 1 <= int(raw_shown) <= signup.MAX_CUSTOM_WEEKS else weeks
        keys = [f"{part}_{i}" for i in range(shown * 7) for part in ("kind", "from", "to")] + ["week"]
        answers = {**answers, **{key: request.form.get(key, "")[:40] for key in keys}, "weeks": str(weeks)}
        flow.save(custom=answers)
        if request.form.get("save"):
            rota, errors = signup.rota_from_custom(answers, weeks)
            if not errors:
                flow.save(rota={"method": CUSTOM, "rota": rota, "answers": answers}, custom=None)
                return redirect(flow.url("busy"))
    return render_template("learners/rota_custom.html", flow=flow, form=form, step=2, weeks=weeks,
                           max_weeks=signup.MAX_CUSTOM_WEEKS, answers=answers, errors=errors,
                           monday=signup.this_monday(), learner=learner), 200 if not errors else 422


ROSTER_ERRORS = {
    "too_big": lambda p: _("The file is too big. The largest file we take is %(kilobytes)s kB.", **p),
    "empty": lambda p: _("The file is empty. Export your roster again and choose the new file."),
    "not_calendar": lambda p: _("This is not a calendar file we can read. Choose an .ics file exported from your roster or calendar."),
    "too_many_events": lambda p: _("The file has too many events (more than %(limit)s). Export only your own shifts for a few weeks.", **p),
    "too_many_occurrences": lambda p: _("The file has too many shifts (more than %(limit)s). Export only a few weeks.", **p),
    "bad_recurrence": lambda p: _("A repeating event in the file has a rule we cannot read. Export the shifts one by one, or build your rota day by day."),
    "repeats_too_often": lambda p: _("A repeating event in the file repeats too often (more than %(limit)s times since it began). Export only your shifts of the last few weeks, or build your rota day by day.", **p),
    "too_slow": lambda p: _("Reading the file took too long (more than %(seconds)s seconds), probably because of a repeating event with an unusual rule. Export only your shifts of the last few weeks, or build your rota day by day.", **p),
    "no_shifts": lambda p: _("We found no shifts in the file. Check that you exported the right calendar."),
    "missing": lambda p: _("Choose a file to upload."),
}


def rota_upload(flow: Flow, learner=None):
    if (back := need_about(flow)) is not None:
        return back
    form = UploadForm()
    error = None
    if request.method == "POST" and form.validate():
        upload = request.files.get("roster")
        data = upload.stream.read(MAX_BYTES + 1) if upload is not None else b""
        try:
            if upload is None or not upload.filename:
                raise RosterError("missing")
            roster = roster_from_ics_within(current_app.config["ROSTER_IMPORT_SECONDS"], data,
                                            current_app.config.get("TIMEZONE", "Europe/Oslo"), signup.today())
        except RosterError as problem:
            error = ROSTER_ERRORS[problem.code](problem.params)
        else:
            found = roster.found
            flow.save(roster={"days": roster.shown, "first_day": roster.first_day.isoformat(), "period": found.period,
                              "seen": found.seen_repeating, "changes": found.changes, "events": roster.events})
            return redirect(flow.url("rota_repeat"))
    return render_template("learners/rota_upload.html", flow=flow, form=form, step=2, error=error,
                           max_weeks=MAX_WEEKS, kilobytes=MAX_BYTES // 1024, learner=learner), 200 if not error else 422


# Reading a roster costs a helper process and up to ROSTER_IMPORT_SECONDS: a few tries an hour per address.
UPLOAD_LIMIT = limiter.limit("10 per hour", methods=["POST"])


def repeat_choices(found: int) -> list[int]:
    """Cycle lengths the learner may choose instead of the one found: common rota lengths, and the found one."""
    return sorted(COMMON_PERIODS | {found})


def rota_repeat(flow: Flow, learner=None):
    """Step 2 after an upload: "your rota repeats every 3 weeks", with four weeks to check, or another length."""
    if (back := need_about(flow)) is not None:
        return back
    roster = flow.draft().get("roster")
    if not roster:
        return redirect(flow.url("rota_upload"))
    choices = repeat_choices(roster["period"])
    raw = request.values.get("period", "")
    period = int(raw) if raw.isdecimal() and int(raw) in choices else roster["period"]
    first_day = dt.date.fromisoformat(roster["first_day"])
    rota = rota_of(roster["days"], first_day, period)
    form = ActionForm()
    if request.method == "POST" and form.validate():
        flow.save(rota={"method": "ics", "rota": rota, "period": period, "events": roster["events"]}, roster=None)
        return redirect(flow.url("busy"))
    weeks = weeks_from(rota["cycle"], dt.date.fromisoformat(rota["start"]), signup.today(), 4)
    return render_template("learners/rota_repeat.html", flow=flow, form=form, step=2, roster=roster, period=period,
                           choices=choices, weeks=weeks, learner=learner)


def busy_step(flow: Flow, learner=None):
    if (back := need_about(flow)) is not None:
        return back
    draft = flow.draft()
    if "rota" not in draft:
        return redirect(flow.url("rota"))
    form = ActionForm()
    answers = dict(draft.get("busy_answers") or {})
    if not answers and learner is not None and draft.get("busy") is None:
        for row, busy in enumerate(learner.busy_periods[:signup.BUSY_ROWS]):
            answers[f"busy_date_{row}"] = busy.start.date().isoformat()
            if busy.start.time() != busy.end.time() or (busy.end - busy.start).days != 1:
                answers[f"busy_from_{row}"] = busy.start.strftime("%H:%M")
                answers[f"busy_to_{row}"] = busy.end.strftime("%H:%M")
    errors = {}
    if request.method == "POST" and form.validate():
        answers = {f"busy_{part}_{row}": request.form.get(f"busy_{part}_{row}", "")[:40]
                   for row in range(signup.BUSY_ROWS) for part in ("date", "from", "to")}
        busy, errors = signup.busy_from_rows(answers)
        if not errors:
            flow.save(busy=busy, busy_answers=answers)
            return redirect(flow.url("check"))
    return render_template("learners/busy.html", flow=flow, form=form, step=3, answers=answers, errors=errors,
                           rows=range(signup.BUSY_ROWS), learner=learner), 200 if not errors else 422


# --- sign-up's last step: check and confirm -------------------------------------------


@bp.route("/signup/check", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])  # sign-ups from one address; a family or a class may share one
def signup_check():
    draft = SIGNUP.draft()
    if request.method == "POST" and not draft.get("nonce"):
        # The same form sent again after it succeeded (back button, double click): show what the first made.
        from ..services.learner_page import learner_by_token

        done = learner_by_token(request.form.get("nonce", ""))
        if done is not None:
            return redirect(url_for("learners.welcome", token=done.access_token))
    if not draft.get("about"):
        return redirect(SIGNUP.url("about"))
    if "rota" not in draft:
        return redirect(SIGNUP.url("rota"))
    if not draft.get("nonce"):
        SIGNUP.save(nonce=signup.new_nonce())
        draft = SIGNUP.draft()
    form = ConfirmForm(data={"nonce": draft["nonce"]} if request.method == "GET" else None)
    if form.validate_on_submit():
        from ..services.learner_page import send_link

        nonce = form.nonce.data or ""
        if nonce != draft["nonce"]:
            return redirect(SIGNUP.url("check"))
        if draft.get("join"):
            draft = {**draft, "join": {**draft["join"], "consent": bool(form.employer_consent.data)}}
        learner, created = signup.create_learner(draft, nonce)
        channel = send_link(learner) if created else None
        SIGNUP.clear()
        return redirect(url_for("learners.welcome", token=learner.access_token, sent=channel or "none"))
    return render_check(SIGNUP, draft, form, step=4)


def render_check(flow: Flow, draft: dict, form, step: int, learner=None):
    about = draft.get("about") or (signup.about_of(learner) if learner is not None else {})
    provider = signup.provider_for(about.get("right", "unsure")) if flow.kind == "signup" else learner.provider
    rota_state = draft.get("rota") or {}
    result = signup.preview(about, rota_state.get("rota"), draft.get("busy") or [], provider)
    method = rota_state.get("method")
    method_name = {CUSTOM: _("Your own rota, day by day"), "ics": _("From your calendar file")}.get(method) \
        or preset_name(method or "none")
    places = {value: label for group in signup.place_groups().values() for value, label in group}
    busy = [signup.busy_for_display(item) for item in draft.get("busy") or []]
    fit = None
    if learner is not None:
        from ..services.learner_page import group_fit

        fit = group_fit(learner, rota_state.get("rota"), draft.get("busy") or [], signup.today())
    team = None
    if flow.kind == "signup" and draft.get("join"):
        from ..models import Team
        from ..db import db

        team = db.session.get(Team, draft["join"].get("team_id"))
    return render_template("learners/check.html", flow=flow, form=form, step=step, about=about, team=team,
                           provider=provider, preview=result, method_name=method_name, rota_state=rota_state,
                           busy=busy, place_name=places.get(about.get("home"), ""), group_fit=fit,
                           learner=learner), 200 if not form.errors else 422


@bp.get("/signup/restart")
def signup_restart():
    SIGNUP.clear()
    return redirect(url_for("learners.signup_about"))


# --- URL rules: the same step functions for sign-up and for editing ------------------------


def _register(kind: str, prefix: str, wrap):
    bp.add_url_rule(f"{prefix}/rota", f"{kind}_rota", wrap(rota_choice), methods=["GET", "POST"])
    bp.add_url_rule(f"{prefix}/rota/preset/<preset_id>", f"{kind}_rota_preset", wrap(rota_preset),
                    methods=["GET", "POST"])
    bp.add_url_rule(f"{prefix}/rota/custom", f"{kind}_rota_custom", wrap(rota_custom), methods=["GET", "POST"])
    bp.add_url_rule(f"{prefix}/rota/upload", f"{kind}_rota_upload", UPLOAD_LIMIT(wrap(rota_upload)),
                    methods=["GET", "POST"])
    bp.add_url_rule(f"{prefix}/rota/repeat", f"{kind}_rota_repeat", wrap(rota_repeat), methods=["GET", "POST"])
    bp.add_url_rule(f"{prefix}/busy", f"{kind}_busy", wrap(busy_step), methods=["GET", "POST"])


def _signup_step(step):
    def view(**values):
        return step(SIGNUP, **values)

    view.__name__ = f"signup_{step.__name__}"
    return view


_register("signup", "/signup", _signup_step)
