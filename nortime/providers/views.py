"""Provider pages for planning: overview, plan runs and their progress, review, adjust, what-if, publish.

Views parse the request, call one service, render. Every object is looked up
through `own()`, so another provider's plan, group or run answers 404.
"""
from __future__ import annotations

import datetime as dt
import json

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import current_provider, role_required
from ..db import db
from ..jobs import APP_KEY, BadTimeLimit, RunBusy, active_run, run_status, start_run
from ..models import Group, Learner, Placement, Plan, SolveRun
from ..services import planning, publishing, session_changes
from ..services.plans import live_plan
from ..services.seats import SeatError, seat_learner
from . import bp, review

STAFF = ("provider_staff",)


def provider_or_404():
    provider = current_provider()
    if provider is None:
        abort(404)
    return provider


def own(model, ident):
    """The row of `model` with this id when it belongs to the current provider, else 404."""
    provider = provider_or_404()
    row = db.session.get(model, ident)
    if row is None:
        abort(404)
    owner = {Group: lambda g: g.plan.provider_id, Placement: lambda p: p.group.plan.provider_id,
             Learner: lambda l: l.provider_id}.get(model, lambda r: r.provider_id)(row)
    if owner != provider.id:
        abort(404)
    return row


def term_or_404(provider):
    term = planning.current_term(provider)
    if term is None:
        flash(_("Set up a term first."), "error")
        abort(redirect(url_for("providers.term")))
    return term


@bp.route("/")
@role_required(*STAFF)
def index():
    provider = provider_or_404()
    term = planning.current_term(provider)
    return render_template("providers/index.html", provider=provider, term=term,
                           draft=planning.draft_plan(provider, term) if term else None,
                           published=live_plan(provider, term) if term else None,
                           running=active_run(provider, None),
                           learners=len(planning.active_learners(provider)), all_providers=_all_providers())


def _all_providers():
    from ..models import Provider

    if current_user.role != "admin":
        return []
    return db.session.scalars(db.select(Provider).order_by(Provider.name)).all()


@bp.route("/choose", methods=["POST"])
@role_required(*STAFF)
def choose_provider():
    """Administrators choose which provider they act for; staff always act for their own."""
    from flask import session

    from ..models import Provider

    chosen = db.session.scalar(db.select(Provider).where(Provider.slug == request.form.get("provider", "")))
    if current_user.role != "admin" or chosen is None:
        abort(404)
    session["provider_id"] = chosen.id
    return redirect(url_for("providers.index"))


@bp.route("/plan", methods=["POST"])
@role_required(*STAFF)
def plan():
    provider = provider_or_404()
    term = term_or_404(provider)
    base = live_plan(provider, term)
    locks_from = None
    if request.form.get("base") == "draft":
        # Minimal change means against the published plan, which learners were told; the draft adds its locks.
        draft = planning.draft_plan(provider, term)
        base, locks_from = (base, draft) if base is not None else (draft, None)
    try:
        run = start_run(provider, term, planning.build_problem(provider, term, base_plan=base,
                                                                locks_from=locks_from),
                        time_limit=request.form.get("time_limit"), user_id=current_user.id)
    except BadTimeLimit as error:
        flash(str(error), "error")
        return index(), 400
    except RunBusy as busy:
        flash(_("A plan is being worked out already (started %(when)s); wait for it to finish.",
                when=busy.run.created_at.strftime("%H:%M")), "error")
        return redirect(url_for("providers.run", run_id=busy.run.id))
    return redirect(url_for("providers.run", run_id=run.id))


@bp.route("/runs/<int:run_id>")
@role_required(*STAFF)
def run(run_id: int):
    solve_run = own(SolveRun, run_id)
    status = run_status(solve_run)
    plan_row = db.session.scalar(db.select(Plan).where(Plan.solve_run_id == solve_run.id))
    return render_template("providers/run.html", run=solve_run, status=status, baseline=_baseline(solve_run),
                           review_url=url_for("providers.plan_review", plan_id=plan_row.id) if plan_row else None)


@bp.route("/runs/<int:run_id>/status")
@role_required(*STAFF)
def run_status_json(run_id: int):
    solve_run = own(SolveRun, run_id)
    status = run_status(solve_run)
    plan_row = db.session.scalar(db.select(Plan).where(Plan.solve_run_id == solve_run.id))
    status["review_url"] = url_for("providers.plan_review", plan_id=plan_row.id) if plan_row else None
    return jsonify(status)


def _baseline(solve_run: SolveRun) -> int | None:
    """For a what-if: how many the plan it started from placed."""
    if solve_run.purpose != "what-if":
        return None
    return ((solve_run.problem or {}).get(APP_KEY) or {}).get("baseline_placed")


@bp.route("/problem.json")
@role_required(*STAFF)
def export_problem():
    provider = provider_or_404()
    term = term_or_404(provider)
    body = json.dumps(planning.build_problem(provider, term), ensure_ascii=False, indent=1)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{provider.slug}-problem.json"'})


@bp.route("/solution", methods=["POST"])
@role_required(*STAFF)
def import_solution():
    provider = provider_or_404()
    term = term_or_404(provider)
    upload = request.files.get("solution")
    try:
        solution = json.load(upload.stream) if upload else None
        if not isinstance(solution, dict):
            raise ValueError
    except ValueError:
        flash(_("The file is not a solution: upload the JSON document the optimizer wrote."), "error")
        return redirect(url_for("providers.index"))
    try:
        draft = planning.import_solution(provider, term, solution, user_id=current_user.id)
    except (planning.PlanningError, KeyError, TypeError) as error:
        flash(_("The solution cannot be used: %(error)s", error=str(error)), "error")
        return redirect(url_for("providers.index"))
    flash(_("The solution is now the draft."), "info")
    return redirect(url_for("providers.plan_review", plan_id=draft.id))


@bp.route("/plans/<int:plan_id>")
@role_required(*STAFF)
def plan_review(plan_id: int):
    from ..services.reasons import describe_reasons

    plan_row = own(Plan, plan_id)
    _load_everything(plan_row)
    published = live_plan(plan_row.provider, plan_row.term)
    if published is not None:
        _load_everything(published)
    compare = published if published is not None and published.id != plan_row.id else None
    return render_template(
        "providers/review.html", plan=plan_row, published=compare, grids=review.week_grids(plan_row),
        loads=review.teacher_load(plan_row), unplaced=review.unplaced_by_reason(plan_row, describe_reasons),
        figures=review.figures(plan_row), published_figures=review.figures(compare),
        diff=review.difference(compare, plan_row) if compare is not None else None,
        end_time=review.end_time, running=active_run(plan_row.provider, None), reason_titles=review.REASON_TITLES,
        suggestions=review.slot_suggestions(plan_row))


def _load_everything(plan_row: Plan) -> None:
    """Load a plan's groups, slots, placements and learners in a few queries rather than one per row."""
    from sqlalchemy.orm import selectinload

    from ..models import Group as GroupRow, Unplacement

    db.session.scalars(db.select(Plan).where(Plan.id == plan_row.id).options(
        selectinload(Plan.groups).selectinload(GroupRow.slots),
        selectinload(Plan.groups).selectinload(GroupRow.placements).selectinload(Placement.learner)
        .selectinload(Learner.home_place),
        selectinload(Plan.groups).selectinload(GroupRow.course),
        selectinload(Plan.groups).selectinload(GroupRow.venue),
        selectinload(Plan.groups).selectinload(GroupRow.teacher),
        selectinload(Plan.unplaced).selectinload(Unplacement.learner).selectinload(Learner.home_place),
    )).all()


@bp.route("/plans/<int:plan_id>/publish", methods=["GET", "POST"])
@role_required(*STAFF)
def publish(plan_id: int):
    """GET: what publishing would change, per group; POST with the confirmation ticked: publish."""
    from ..services.publish_preview import preview

    plan_row = own(Plan, plan_id)
    if request.method == "GET" or request.form.get("confirm") != "1":
        if plan_row.status != "draft":
            return redirect(url_for("providers.plan_review", plan_id=plan_id))
        _load_everything(plan_row)
        live = live_plan(plan_row.provider, plan_row.term)
        if live is not None:
            _load_everything(live)
        refused = request.method == "POST"
        if refused:
            flash(_("Nothing is published yet: tick the box to confirm that you have checked what changes."),
                  "error")
        return render_template("providers/publish.html", plan=plan_row, change=preview(plan_row, live),
                               end_time=review.end_time), 400 if refused else 200
    try:
        publishing.publish(plan_row, user_id=current_user.id)
    except publishing.PublishError as error:
        flash(str(error), "error")
        return redirect(url_for("providers.plan_review", plan_id=plan_id))
    flash(_("The plan is published: learners' pages and calendars show it now."), "info")
    return redirect(url_for("providers.plan_review", plan_id=plan_id))


@bp.route("/groups/<int:group_id>/lock", methods=["POST"])
@role_required(*STAFF)
def lock_group(group_id: int):
    group = own(Group, group_id)
    return _set_locked(group, group.plan_id)


@bp.route("/placements/<int:placement_id>/lock", methods=["POST"])
@role_required(*STAFF)
def lock_placement(placement_id: int):
    placement = own(Placement, placement_id)
    return _set_locked(placement, placement.plan_id)


def _set_locked(item, plan_id: int):
    try:
        planning.set_locked(item, request.form.get("locked") == "1")
    except planning.PlanningError as error:
        flash(str(error), "error")
    return redirect(url_for("providers.plan_review", plan_id=plan_id))


@bp.route("/plans/<int:plan_id>/move", methods=["POST"])
@role_required(*STAFF)
def move(plan_id: int):
    plan_row = own(Plan, plan_id)
    learner = own(Learner, request.form.get("learner_id", type=int) or 0)
    group = own(Group, request.form.get("group_id", type=int) or 0)
    if group.plan_id != plan_row.id:
        abort(404)
    try:
        seat_learner(group, learner, by=current_user.id, reason=request.form.get("reason", ""))
    except SeatError as error:
        flash(_("%(name)s cannot join %(group)s: %(why)s", name=learner.name, group=group.key, why=str(error)),
              "error")
    else:
        flash(_("%(name)s is now in %(group)s (locked there).", name=learner.name, group=group.key), "info")
    return redirect(url_for("providers.plan_review", plan_id=plan_id))


@bp.route("/what-if", methods=["GET", "POST"])
@role_required(*STAFF)
def what_if():
    provider = provider_or_404()
    term = term_or_404(provider)
    base = planning.draft_plan(provider, term) or live_plan(provider, term)

    def page(status=200):
        return render_template("providers/what_if.html", provider=provider, term=term, base=base,
                               levels=("A1", "A2", "B1", "B2", "C1"), places=_places()), status

    if request.method == "GET":
        return page()
    change = {key: value for key, value in request.form.items() if key != "csrf_token"}
    try:
        problem = planning.what_if_problem(planning.build_problem(provider, term, base_plan=base), change)
    except planning.PlanningError as error:  # a refused change is the visitor's to fix: 400, nothing stored
        flash(str(error), "error")
        return page(400)
    placed = review.figures(base).placed if base else None  # a head count, as the answer's
    problem[APP_KEY] = {"baseline_placed": placed, "change": change}
    try:
        solve_run = start_run(provider, term, problem, purpose="what-if",
                              time_limit=request.form.get("time_limit"), user_id=current_user.id)
    except BadTimeLimit as error:
        flash(str(error), "error")
        return page(400)
    except RunBusy as busy:
        flash(_("Another run is going on; wait for it to finish."), "error")
        return redirect(url_for("providers.run", run_id=busy.run.id))
    return redirect(url_for("providers.run", run_id=solve_run.id))


def _places():
    from ..models import Place

    return db.session.scalars(db.select(Place).order_by(Place.name)).all()


@bp.route("/groups/<int:group_id>/sessions", methods=["GET", "POST"])
@role_required(*STAFF)
def group_sessions(group_id: int):
    from ..services.timetable import group_sessions as sessions_of

    group = own(Group, group_id)
    if request.method == "POST":
        day = _date(request.form.get("date"))
        kind = request.form.get("kind", "cancelled")
        new_start = _datetime(day, request.form.get("new_date"), request.form.get("new_start"))
        new_end = _datetime(day, request.form.get("new_date"), request.form.get("new_end"))
        try:
            if day is None:
                raise publishing.PublishError(_("date: choose one of the group's sessions."))
            reason_code = request.form.get("reason_code", "")
            if kind == "moved":
                result = session_changes.move_session(group, day, request.form.get("reason", ""), new_start, new_end,
                                                      user_id=current_user.id, reason_code=reason_code,
                                                      accept_absent=request.form.get("accept_absent") == "1")
            else:
                result = publishing.change_session(group, day, kind, request.form.get("reason", ""),
                                                   new_start=new_start, new_end=new_end, user_id=current_user.id,
                                                   reason_code=reason_code)
        except publishing.PublishError as error:
            flash(str(error), "error")
        else:
            flash(_("The session on %(day)s is %(kind)s; %(n)d learners who asked for such messages will be told.",
                    day=day.isoformat(),
                    kind=_("cancelled") if kind == "cancelled" else _("moved"), n=result.notified), "info")
            if result.short_notice:
                flash(_("This is less than 48 hours ahead: calendars subscribed in Google may show the change "
                        "late. Tell the learners by text message or phone as well."), "warning")
        return redirect(url_for("providers.group_sessions", group_id=group_id))
    today = dt.date.today()
    from ..services.session_reasons import REASONS

    undoable = {change.occurrence_date for change in group.changes if session_changes.can_undo(change)}
    return render_template("providers/sessions.html", group=group, sessions=sessions_of(group), today=today,
                           end_time=review.end_time, undoable=undoable, reasons=REASONS)


@bp.route("/groups/<int:group_id>/sessions/undo", methods=["POST"])
@role_required(*STAFF)
def undo_session_change(group_id: int):
    group = own(Group, group_id)
    day = _date(request.form.get("date"))
    try:
        if day is None:
            raise publishing.PublishError(_("date: choose one of the group's sessions."))
        told = session_changes.undo_change(group, day)
    except publishing.PublishError as error:
        flash(str(error), "error")
        return redirect(url_for("providers.group_sessions", group_id=group_id))
    flash(_("The session on %(day)s takes place as planned again; %(n)d learners were told by e-mail.",
            day=day.isoformat(), n=told), "info")
    return redirect(url_for("providers.group_sessions", group_id=group_id))


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        return None


def _datetime(day: dt.date | None, new_day: str | None, clock: str | None) -> dt.datetime | None:
    day = _date(new_day) or day
    try:
        return dt.datetime.combine(day, dt.time.fromisoformat(clock)) if day and clock else None
    except ValueError:
        return None
