"""Operator commands: `flask --app nortime backup FILE`, `restore FILE` and `purge`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("backup")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False))
def backup_command(file: str) -> None:
    """Write a consistent copy of the whole database to FILE (owner-only; replaced if it exists)."""
    from .services.backup import BackupError, backup

    try:
        written = backup(file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {written}.")


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
def restore_command(file: str, yes: bool) -> None:
    """Replace the WHOLE database with the backup in FILE; a wrong or damaged file changes nothing."""
    from .services.backup import BackupError, restore

    if not yes:
        click.confirm(f"Replace everything in the database with {file}?", abort=True)
    try:
        restore(file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored the database from {file}. Run 'flask --app nortime db upgrade' if the backup is older "
               "than this version of nortime.")


commands = (backup_command, restore_command)
