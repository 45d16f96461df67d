"""Command-line commands, registered on `flask --app nortime ...`."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


def register(app: Flask) -> None:
    app.cli.add_command(demo_command)
    from .providers.cli import commands as provider_commands; [app.cli.add_command(c) for c in provider_commands]
    from .coordinators.cli import counts_command; app.cli.add_command(counts_command)
    from .maintenance import commands as maintenance_commands; [app.cli.add_command(c) for c in maintenance_commands]
    from .messages_cli import messages_command; app.cli.add_command(messages_command)
    from .offers_cli import offers_command; app.cli.add_command(offers_command)
    from .employers.cli import employers_command; app.cli.add_command(employers_command)


@click.command("demo")
@with_appcontext
@click.option("--learners", default=300, show_default=True, help="How many synthetic learners to sign up.")
@click.option("--seed", default=1, show_default=True, help="Seed of the generator: the same seed gives the same region.")
def demo_command(learners: int, seed: int) -> None:
    """Load the Midt-Troms demo region (does nothing when it is already there)."""
    from .demo import load_demo

    report = load_demo(learners=learners, seed=seed)
    if report.created:
        click.echo(f"Loaded the Midt-Troms demo: {report.summary()}.")
    else:
        click.echo(f"The demo is already loaded ({report.summary()}); nothing changed.")
