"""`flask --app nortime employers ...`: register employers and apply new team rotas on their first day."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..models import SECTORS


@click.group("employers")
def employers_command() -> None:
    """Employers, their teams and their staff (issue 21)."""


@employers_command.command("add")
@click.option("--name", required=True, help="The employer's name.")
@click.option("--place", required=True, help="Where it is (a place id, e.g. husoy).")
@click.option("--sector", required=True, type=click.Choice(SECTORS))
@with_appcontext
def add_command(name: str, place: str, sector: str) -> None:
    """Register an employer; invite its staff with `create-user --role employer --employer SLUG`."""
    from ..services.employers import EmployerError, create_employer

    try:
        employer = create_employer(name, place, sector)
    except EmployerError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Registered {employer.name} ({employer.slug}).")


@employers_command.command("apply-rotas")
@with_appcontext
def apply_rotas_command() -> None:
    """Give team rotas whose season starts today (or earlier) to every worker of the team (daily, e.g. cron)."""
    from ..services.employers import apply_due_rotas

    click.echo(f"{apply_due_rotas()} workers got their team's new rota.")
