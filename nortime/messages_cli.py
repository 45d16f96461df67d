"""`flask --app nortime messages …`: deliver the outbox, queue reminders, see the counts."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("messages")
def messages_command() -> None:
    """The outbox of e-mails and SMS to learners."""


@messages_command.command("deliver")
@click.option("--wait", is_flag=True, help="Keep going while messages wait for a later attempt (retries, quiet hours).")
@with_appcontext
def deliver_command(wait: bool) -> None:
    """Send the messages that are due now (what the background worker does)."""
    from .jobs import deliver_until_idle
    from .outbox import deliver_due

    if wait:
        deliver_until_idle()
        click.echo("Nothing waits any more.")
        return
    report = deliver_due()
    click.echo(f"sent {report.sent}, to retry {report.retried}, failed {report.failed}, held for quiet hours {report.held}")


@messages_command.command("remind")
@with_appcontext
def remind_command() -> None:
    """Queue reminders for first sessions tomorrow (run it daily, e.g. from cron; twice does no harm)."""
    from .services.reminders import queue_due_reminders

    click.echo(f"queued {queue_due_reminders()} reminder(s)")


@messages_command.command("counts")
@with_appcontext
def counts_command() -> None:
    """Messages per channel and state."""
    from .outbox import counts_by_channel

    for channel, states in counts_by_channel().items():
        click.echo(f"{channel}: " + ", ".join(f"{state} {number}" for state, number in states.items()))
