"""`flask --app nortime offers`: pass on seats of lapsed offers and offer every free seat (run it from cron)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("offers")
@with_appcontext
def offers_command() -> None:
    """Lapse offers whose hold time is over and offer free seats of live plans to the waiting list."""
    from .services.offers import run_all

    click.echo(f"offered {run_all()} seat(s)")
