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


@click.command("purge")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Only count the learners who would be deleted.")
def purge_command(dry_run: bool) -> None:
    """Delete learners RETENTION_MONTHS after their last term ended, as the privacy page promises."""
    from .services.retention import purge, retention_months

    counts = purge(dry_run=dry_run)
    total = sum(counts.values())
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(f"{verb} {total} learner(s) whose last term ended more than {retention_months()} month(s) ago.")
    for provider, count in sorted(counts.items()):
        click.echo(f"  {provider}: {count}")


commands = (backup_command, restore_command, purge_command)
