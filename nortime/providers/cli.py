"""`flask --app nortime ...` commands for accounts, planning and setting up a provider."""
from __future__ import annotations

from functools import wraps

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from ..db import db
from ..models import ROLES, Provider


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
@click.option("--name", default="", help="The person's name.")
@click.password_option(help="At least 10 characters; asked for when not given.")
@command_context
def create_user_command(email: str, role: str, provider_slug: str | None, name: str, password: str) -> None:
    """Create a staff account (the first one, or more)."""
    from ..auth import create_user

    provider = _provider(provider_slug) if provider_slug else None
    try:
        user = create_user(email, role, password, provider=provider, name=name)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role} account {user.email}" + (f" for {provider.slug}" if provider else "") + ".")


@click.command("plan")
@click.option("--provider", "provider_slug", help="Plan this provider's current term.")
@click.option("--all", "all_providers", is_flag=True, help="Plan every provider's current term.")
@click.option("--publish", is_flag=True, help="Publish each plan when the optimizer found one.")
@click.option("--time-limit", type=click.FloatRange(min=0.1), help="Seconds the optimizer may use per provider.")
@command_context
def plan_command(provider_slug: str | None, all_providers: bool, publish: bool, time_limit: float | None) -> None:
    """Build the problem from the database, solve it here, keep the result as a draft (and publish it)."""
    from ..jobs import RunBusy, create_run, execute_run
    from ..services.planning import build_problem, current_term, draft_plan
    from ..services.publishing import publish as publish_plan

    if bool(provider_slug) == all_providers:
        raise click.UsageError("give either --provider SLUG or --all")
    providers = (list(db.session.scalars(select(Provider).order_by(Provider.slug))) if all_providers
                 else [_provider(provider_slug)])
    failures = 0
    for provider in providers:
        term = current_term(provider)
        if term is None:
            click.echo(f"{provider.slug}: no term set up; nothing to plan.", err=True)
            failures += 1
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
        run = execute_run(run.id)
        if run.status != "done":
            click.echo(f"{provider.slug}: failed: {run.error}", err=True)
            failures += 1
            continue
        solution = run.solution
        click.echo(f"{provider.slug}: {solution['status']}, placed {solution['placed']} of "
                   f"{len(run.problem['learners'])} (bound {solution.get('placed_bound')}), "
                   f"{len(solution.get('groups', []))} groups.")
        if publish:
            plan = publish_plan(draft_plan(provider, term))
            click.echo(f"{provider.slug}: published plan {plan.id}.")
    if failures:
        raise SystemExit(1)


commands = [create_user_command, plan_command]
