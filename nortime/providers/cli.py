"""`flask --app nortime ...` commands for accounts, planning and setting up a provider."""
from __future__ import annotations

from functools import wraps

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from ..db import db
from ..ids import row_id
from ..models import ROLES, WEEKDAYS, Provider


def command_context(function):
    """Run a command in the app context, speaking English (there is no request to choose a language from)."""

    @wraps(function)
    def wrapped(*args, **kwargs):
        with force_locale("en"):
            return function(*args, **kwargs)

    return with_appcontext(wrapped)


def _provider(slug: str) -> Provider:
    provider = db.session.scalar(select(Provider).where(Provider.slug == slug))
    if provider is None:
        known = ", ".join(db.session.scalars(select(Provider.slug).order_by(Provider.slug))) or "none yet"
        raise click.BadParameter(f"no provider with slug {slug!r}; known: {known}", param_hint="--provider")
    return provider


@click.command("create-user")
@click.option("--email", required=True, help="The e-mail address the person logs in with.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the account may do.")
@click.option("--provider", "provider_slug", help="The provider's slug (needed for provider_staff).")
@click.option("--teacher", "teacher_slug", help="The teacher's slug (needed for teacher: whose groups they see).")
@click.option("--employer", "employer_slug", help="The employer's slug (needed for employer: its staff).")
@click.option("--name", default="", help="The person's name.")
@click.password_option(help="At least 10 characters; asked for when not given.")
@command_context
def create_user_command(email: str, role: str, provider_slug: str | None, teacher_slug: str | None,
                        employer_slug: str | None, name: str, password: str) -> None:
    """Create a staff account (the first one, or more)."""
    from ..auth import create_user
    from ..models import Teacher

    provider = _provider(provider_slug) if provider_slug else None
    teacher = None
    if teacher_slug:
        teacher = db.session.scalar(select(Teacher).where(Teacher.slug == teacher_slug))
        if teacher is None:
            raise click.ClickException(f"teacher: no teacher has the slug {teacher_slug!r}")
    employer = None
    if employer_slug:
        from ..models import Employer

        employer = db.session.scalar(select(Employer).where(Employer.slug == employer_slug))
        if employer is None:
            raise click.ClickException(f"employer: no employer has the slug {employer_slug!r}")
    try:
        user = create_user(email, role, password, provider=provider, name=name, teacher=teacher, employer=employer)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role} account {user.email}" + (f" for {provider.slug}" if provider else "")
               + (f" for {employer.slug}" if employer else "") + ".")


@click.command("set-password")
@click.option("--email", required=True, help="The e-mail address the person logs in with.")
@click.password_option(help="At least 10 characters; asked for when not given.")
@command_context
def set_password_command(email: str, password: str) -> None:
    """Give a staff account a new password; every session of the account ends."""
    from sqlalchemy import func, select

    from ..auth import change_password
    from ..db import db
    from ..models import User

    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no account with the e-mail {email}")
    try:
        change_password(user, password)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"New password set for {user.email}; its sessions have ended.")


@click.command("plan")
@click.option("--provider", "provider_slug", help="Plan this provider's current term.")
@click.option("--all", "all_providers", is_flag=True, help="Plan every provider's current term.")
@click.option("--publish", is_flag=True, help="Publish each plan when the optimizer found one.")
@click.option("--time-limit", help="Seconds the optimizer may use per provider (1 to 3600).")
@click.option("--unless-published", is_flag=True,
              help="Skip a provider whose term already has a published plan (so `make run` can be repeated).")
@command_context
def plan_command(provider_slug: str | None, all_providers: bool, publish: bool, time_limit: float | None,
                 unless_published: bool) -> None:
    """Build the problem from the database, solve it here, keep the result as a draft (and publish it)."""
    from ..jobs import BadTimeLimit, RunBusy, checked_time_limit, create_run, run_here
    from ..services.planning import build_problem, current_term, draft_plan
    from ..services.plans import live_plan
    from ..services.publishing import publish as publish_plan

    if bool(provider_slug) == all_providers:
        raise click.UsageError("give either --provider SLUG or --all")
    try:
        time_limit = checked_time_limit(time_limit)
    except BadTimeLimit as error:
        raise click.BadParameter(str(error), param_hint="--time-limit") from None
    providers = (list(db.session.scalars(select(Provider).order_by(Provider.slug))) if all_providers
                 else [_provider(provider_slug)])
    failures = 0
    for provider in providers:
        term = current_term(provider)
        if term is None:
            click.echo(f"{provider.slug}: no term set up; nothing to plan.", err=True)
            failures += 1
            continue
        if unless_published and live_plan(provider, term) is not None:
            click.echo(f"{provider.slug}: a plan is published already; nothing to do.")
            continue
        try:
            run = create_run(provider, term, build_problem(provider, term), time_limit=time_limit)
        except RunBusy as busy:
            click.echo(f"{provider.slug}: solve run {busy.run.id} is still {busy.run.status}; try again later.",
                       err=True)
            failures += 1
            continue
        click.echo(f"{provider.slug}: solving {term.name} ({len(run.problem['learners'])} learners, "
                   f"at most {run.time_limit:g} s)...")
        run = run_here(run.id)
        if run.status != "done":
            click.echo(f"{provider.slug}: failed: {run.error}", err=True)
            failures += 1
            continue
        solution = run.solution
        from ..services.run_figures import head_count

        click.echo(f"{provider.slug}: {solution['status']}, placed {head_count(solution)} of "
                   f"{len(run.problem['learners'])} learners (priority-weighted value {solution['placed']}, "
                   f"bound {solution.get('placed_bound')}), "
                   f"{len(solution.get('groups', []))} groups.")
        if publish:
            plan = publish_plan(draft_plan(provider, term))
            click.echo(f"{provider.slug}: published plan {plan.id}.")
    if failures:
        raise SystemExit(1)


@click.group("setup")
def setup_group() -> None:
    """Set up a provider: term, slots, venues, courses, teachers, CSV import (same checks as the pages)."""


def _save(function, *args):
    from ..services.setup import SetupError

    try:
        return function(*args)
    except SetupError as error:
        raise click.ClickException("; ".join(f"--{name.replace('_', '-')}: {message}"
                                             for name, message in error.errors.items())) from None


def _term_of(provider: Provider):
    from ..services.planning import current_term

    term = current_term(provider)
    if term is None:
        raise click.ClickException(f"{provider.slug} has no term; run `flask --app nortime setup term` first")
    return term


@setup_group.command("provider")
@click.option("--slug", required=True, help="Short id used in URLs and commands, e.g. senja-vo")
@click.option("--name", required=True)
@command_context
def setup_provider(slug, name) -> None:
    """Add a course provider (an adult-education centre)."""
    from ..services.setup import create_provider

    provider = _save(create_provider, slug, name)
    click.echo(f"Added provider {provider.slug}. Next: setup term, slots, venues, courses, teachers.")


@setup_group.command("term")
@click.option("--provider", "provider_slug", required=True)
@click.option("--name", required=True)
@click.option("--first-day", required=True, help="YYYY-MM-DD")
@click.option("--last-day", required=True, help="YYYY-MM-DD")
@click.option("--timezone", default="Europe/Oslo", show_default=True)
@click.option("--closed", type=click.File(encoding="utf-8"),
              help="File of closed dates ('YYYY-MM-DD reason' lines); default: public holidays and Troms breaks.")
@command_context
def setup_term(provider_slug, name, first_day, last_day, timezone, closed) -> None:
    """Create the provider's term, or update its current one."""
    from ..services.planning import current_term
    from ..services.setup import save_term

    provider = _provider(provider_slug)
    values = {"name": name, "first_day": first_day, "last_day": last_day, "timezone": timezone,
              "closed": closed.read() if closed else ""}
    term = _save(save_term, provider, values, current_term(provider))
    click.echo(f"Term {term.name}: {term.first_day} to {term.last_day}, {len(term.closed_dates)} closed dates.")


@setup_group.command("slot")
@click.option("--provider", "provider_slug", required=True)
@click.option("--day", required=True, type=click.Choice(WEEKDAYS))
@click.option("--start", required=True, help="HH:MM")
@command_context
def setup_slot(provider_slug, day, start) -> None:
    """Add a candidate slot to the current term."""
    from ..services.setup import add_slot

    provider = _provider(provider_slug)
    _save(add_slot, _term_of(provider), day, start)
    click.echo(f"Added slot {day} {start}.")


@setup_group.command("venue")
@click.option("--provider", "provider_slug", required=True)
@click.option("--name", required=True)
@click.option("--place", required=True, help="Place id or name, e.g. finnsnes")
@click.option("--rooms", default=1, show_default=True)
@click.option("--seats", type=int, default=None, help="Learners one room seats (default: no limit but each "
                                                       "course's max group).")
@click.option("--address", default="")
@click.option("--open", "openings", required=True, help="e.g. 'mon-thu 16:00-22:00; sat 09:00-16:00'")
@command_context
def setup_venue(provider_slug, name, place, rooms, seats, address, openings) -> None:
    """Add a venue."""
    from ..services.setup import save_venue

    venue = _save(save_venue, _provider(provider_slug), {"name": name, "place": place, "rooms": rooms,
                                                         "seats": seats, "address": address,
                                                         "openings": openings})
    click.echo(f"Added venue {venue.slug}.")


@setup_group.command("course")
@click.option("--provider", "provider_slug", required=True)
@click.option("--name", required=True)
@click.option("--level", required=True)
@click.option("--sessions-per-week", default=2, show_default=True)
@click.option("--session-minutes", default=120, show_default=True)
@click.option("--min-group", default=5, show_default=True)
@click.option("--max-group", default=12, show_default=True)
@click.option("--min-attendance", default=75, show_default=True, help="Per cent of the sessions.")
@click.option("--venues", default="", help="Venue slugs, comma-separated; empty: all venues.")
@command_context
def setup_course(provider_slug, name, level, sessions_per_week, session_minutes, min_group, max_group,
                 min_attendance, venues) -> None:
    """Add a course to the current term."""
    from ..services.setup import save_course

    provider = _provider(provider_slug)
    course = _save(save_course, provider, _term_of(provider), {
        "name": name, "level": level, "sessions_per_week": sessions_per_week, "session_minutes": session_minutes,
        "min_group": min_group, "max_group": max_group, "min_attendance": min_attendance, "venues": venues})
    click.echo(f"Added course {course.slug}.")


@setup_group.command("teacher")
@click.option("--provider", "provider_slug", required=True)
@click.option("--name", required=True)
@click.option("--home", required=True, help="Place id or name")
@click.option("--levels", required=True, help="e.g. 'A1 A2'")
@click.option("--email", default="")
@click.option("--max-sessions-per-week", default=6, show_default=True)
@click.option("--available", default="mon-fri 16:00-22:00", show_default=True)
@command_context
def setup_teacher(provider_slug, name, home, levels, email, max_sessions_per_week, available) -> None:
    """Add a teacher."""
    from ..services.setup import save_teacher

    teacher = _save(save_teacher, _provider(provider_slug), {
        "name": name, "home": home, "levels": levels, "email": email,
        "max_sessions_per_week": max_sessions_per_week, "available": available})
    click.echo(f"Added teacher {teacher.slug}.")


@setup_group.command("import")
@click.option("--provider", "provider_slug", required=True)
@click.option("--kind", required=True, type=click.Choice(("learners", "teachers")))
@click.option("--import-valid", is_flag=True, help="Import the valid rows even when some rows have errors.")
@click.option("--check", is_flag=True, help="Only report what would be added and updated; store nothing.")
@click.argument("csv_file", type=click.File("rb"))
@command_context
def setup_import(provider_slug, kind, import_valid, check, csv_file) -> None:
    """Import learners or teachers from a CSV file (comma or semicolon, UTF-8 or Windows-1252).

    People already known are updated where their details differ, so importing a file twice adds nobody.
    """
    from ..services.setup import decode_csv, import_csv

    report = import_csv(_provider(provider_slug), kind, decode_csv(csv_file.read()), import_valid=import_valid,
                        store=not check)
    if report.missing_columns:
        raise click.ClickException(f"the file lacks the columns {', '.join(report.missing_columns)}")
    for line, errors in report.rejected:
        click.echo(f"line {line}: rejected: {'; '.join(errors)}", err=True)
    click.echo(f"{len(report.accepted)} rows valid, {len(report.rejected)} rejected, {report.imported} imported "
               f"({len(report.added)} new, {len(report.updated)} updated, {len(report.unchanged)} unchanged).")
    if report.rejected and not report.imported and not check:
        click.echo("Nothing imported; fix the rows or pass --import-valid.", err=True)
        raise SystemExit(1)


def _learner(ident: str):
    from ..models import Learner

    learner = db.session.get(Learner, row_id(ident)) if row_id(ident) is not None else None
    if learner is None:
        raise click.ClickException(f"learner: no learner has the id {ident!r}")
    return learner


def _slot_texts(group) -> list[str]:
    from ..services.rota_days import clock_text

    return [f"{slot.day} {clock_text(slot.start)}" for slot in sorted(group.slots, key=lambda s: (s.weekday, s.start))]


@click.command("seats")
@click.option("--learner", "learner_id", required=True, help="The learner's id (as on the staff pages).")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@command_context
def seats_command(learner_id: str, output: str) -> None:
    """Published groups with a free seat that fit this learner, with the share of lessons they can attend."""
    import json

    from ..services.enrollment import openings

    learner = _learner(learner_id)
    found = [{"group": opening.group.id, "key": opening.group.key, "course": opening.group.course.name,
              "venue": opening.group.venue.name, "slots": _slot_texts(opening.group),
              "free_seats": opening.free_seats, "share": round(opening.fit.share, 3),
              "travel_minutes": opening.fit.travel_minutes,
              "first_day": opening.first_day.isoformat() if opening.first_day else None,
              "missed": [day.isoformat() for day in opening.missed]} for opening in openings(learner)]
    if output == "json":
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(f"learner {learner.id}: no published group with a free seat fits.")
    for entry in found:
        click.echo(f"{entry['group']}  {entry['key']}  {entry['venue']}  {', '.join(entry['slots'])}  "
                   f"free {entry['free_seats']}  share {entry['share']:.0%}  from {entry['first_day']}")


@click.command("join")
@click.option("--learner", "learner_id", required=True, help="The learner's id (as on the staff pages).")
@click.option("--group", "group_id", required=True, help="The group's id (as `seats` lists it).")
@command_context
def join_command(learner_id: str, group_id: str) -> None:
    """Place the learner in a published group now (the same checks and lock as on their page)."""
    from ..services.enrollment import join
    from ..services.seats import SeatError

    learner = _learner(learner_id)
    if not group_id.isdecimal():
        raise click.ClickException(f"group: {group_id!r} is not a group id; `seats --learner ID` lists them")
    try:
        placement = join(learner, int(group_id))
    except SeatError as error:
        raise click.ClickException(f"cannot join: {error}") from None
    click.echo(f"learner {learner.id} joined group {placement.group_id} ({placement.group.key}).")


commands = [create_user_command, set_password_command, plan_command, setup_group, seats_command, join_command]
