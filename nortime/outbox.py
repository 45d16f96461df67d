"""The outbox: every e-mail and SMS is a row in `messages`, written by a request, delivered by a worker.

A request (or a command) only inserts rows, inside its own transaction; once
that transaction commits, delivery is handed to the job back end (jobs.py:
a local worker process by default, RQ when REDIS_URL is set). The worker:

- claims due rows (queued, next attempt reached; or "sending" rows whose
  claim ran out because a worker died) with SELECT … FOR UPDATE SKIP LOCKED on
  PostgreSQL and a conditional UPDATE everywhere, so two workers never take
  the same row (a claim lasts `claim_time()`);
- holds an SMS during quiet hours (22:00–08:00 in TIMEZONE) until 08:00,
  unless it is about a session that starts within 12 hours;
- sends it, then marks it sent; on failure it tries again after an
  exponentially growing wait, and after OUTBOX_MAX_ATTEMPTS marks it failed.

A message that was sent is never claimed again. The idempotency key travels
with the message (Message-ID, the gateway's reference and Idempotency-Key
header), so the one case left — a worker dying between the gateway's "OK"
and writing "sent" — is recognisable as a repeat by the receiving side.
"""
from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, event, func, or_, select, update
from sqlalchemy.orm import Session

from .db import db
from .models import Message, utcnow

log = logging.getLogger(__name__)
QUIET_START, QUIET_END = dt.time(22, 0), dt.time(8, 0)
URGENT = dt.timedelta(hours=12)  # an SMS about a session this close may break quiet hours
FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_RETRY = dt.timedelta(hours=2)
BATCH = 50


def claim_time() -> dt.timedelta:
    """How long a claim lasts: long enough for a whole batch to time out, after which the rows return to the queue."""
    config = current_app.config
    slowest = max(float(config.get("SMS_HTTP_TIMEOUT") or 10), float(config.get("MAIL_TIMEOUT") or 10))
    return dt.timedelta(seconds=60 + BATCH * (slowest + 1))


# --- writing ---------------------------------------------------------------------------


def _insert():
    """INSERT … ON CONFLICT (idempotency_key) DO NOTHING for this database."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(Message).on_conflict_do_nothing(index_elements=["idempotency_key"])


def add_messages(rows: list[dict], now: dt.datetime | None = None) -> int:
    """Insert outbox rows in the current transaction; a row whose key exists already is left out.

    Returns how many rows were new. Delivery starts when the transaction commits.
    """
    if not rows:
        return 0
    now = now or utcnow()
    zone = _zone()
    for row in rows:
        row.setdefault("state", "queued")
        row.setdefault("attempts", 0)
        row.setdefault("created_at", now)
        row["next_attempt_at"] = held_until(now, row["channel"], row.get("session_at"), zone) or now
    keys = [row["idempotency_key"] for row in rows]
    before = db.session.scalar(select(func.count()).select_from(Message).where(Message.idempotency_key.in_(keys)))
    db.session.execute(_insert(), rows)
    after = db.session.scalar(select(func.count()).select_from(Message).where(Message.idempotency_key.in_(keys)))
    db.session.info["outbox_written"] = True
    return after - before


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session) -> None:
    if session.info.pop("outbox_written", False):
        try:
            from .jobs import start_delivery

            start_delivery()
        except Exception:  # the rows are safe in the table; the next start or `flask messages deliver` sends them
            log.exception("could not start message delivery")


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session) -> None:
    session.info.pop("outbox_written", None)


# --- quiet hours and retries --------------------------------------------------------------


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE") or "Europe/Oslo")


def held_until(now: dt.datetime, channel: str, session_at: dt.datetime | None, zone: ZoneInfo) -> dt.datetime | None:
    """When a message queued or due at `now` (naive UTC) may go, if later than now; None: it may go now.

    Only SMS keep quiet hours, and an SMS about a session within 12 hours goes at once.
    """
    if channel != "sms":
        return None
    if session_at is not None and session_at - now <= URGENT:
        return None
    local = now.replace(tzinfo=dt.timezone.utc).astimezone(zone)
    if QUIET_END <= local.time() < QUIET_START:
        return None
    day = local.date() + dt.timedelta(days=1) if local.time() >= QUIET_START else local.date()
    morning = dt.datetime.combine(day, QUIET_END, tzinfo=zone)
    return morning.astimezone(dt.timezone.utc).replace(tzinfo=None)


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, … up to 2 hours."""
    return min(FIRST_RETRY * 2 ** max(0, attempts - 1), LONGEST_RETRY)


# --- delivering ---------------------------------------------------------------------------


@dataclass
class Delivery:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.held


def _due(now: dt.datetime):
    return or_(and_(Message.state == "queued", Message.next_attempt_at <= now),
               and_(Message.state == "sending", Message.claimed_until < now))


def claim(now: dt.datetime, limit: int = BATCH) -> list[Message]:
    """Take up to `limit` due messages for this worker (committed), oldest first."""
    ids = list(db.session.scalars(
        select(Message.id).where(_due(now)).order_by(Message.next_attempt_at, Message.id).limit(limit)
        .with_for_update(skip_locked=True)))
    if not ids:
        db.session.commit()
        return []
    # The condition is checked again in the UPDATE: that is the claim on databases without row locks (SQLite).
    claimed = list(db.session.scalars(
        update(Message).where(Message.id.in_(ids), _due(now))
        .values(state="sending", claimed_until=now + claim_time(), attempts=Message.attempts + 1)
        .returning(Message.id)))
    db.session.commit()
    if not claimed:
        return []
    return list(db.session.scalars(select(Message).where(Message.id.in_(claimed)).order_by(Message.id)))


def send(message: Message) -> None:
    """Hand one message to its channel; MailError or SmsError when it was not accepted."""
    if message.channel == "email":
        from .mail import send_mail

        send_mail(message.recipient, message.subject, message.body, key=message.idempotency_key)
    else:
        from .sms import send_sms

        send_sms(message.recipient, message.body, message.idempotency_key)


def _attempt(app, message: Message) -> Exception | None:
    """Send one message in a thread of the pool; the error when it was not accepted."""
    from .mail import MailError
    from .sms import SmsError

    with app.app_context():
        try:
            send(message)
        except (MailError, SmsError) as error:
            return error
    return None


def deliver_due(now: dt.datetime | None = None, limit: int | None = None) -> Delivery:
    """Send every message due at `now` (naive UTC; default: the clock), batch by batch; what happened.

    A batch is sent OUTBOX_CONCURRENCY messages at a time (a gateway's answer takes a while; the
    messages do not wait for each other). Its outcome is written in one transaction when the batch is
    done: a worker that dies half-way leaves its claimed messages to be tried again when the claim
    runs out (with the same key).
    """
    fixed = now is not None
    report = Delivery()
    zone = _zone()
    app = current_app._get_current_object()
    max_attempts = int(app.config.get("OUTBOX_MAX_ATTEMPTS") or 8)
    with ThreadPoolExecutor(max_workers=int(app.config.get("OUTBOX_CONCURRENCY") or 8)) as pool:
        while limit is None or report.handled < limit:
            moment = now if fixed else utcnow()
            batch = claim(moment, BATCH if limit is None else min(BATCH, limit - report.handled))
            if not batch:
                break
            report = _deliver_batch(batch, now if fixed else None, zone, max_attempts, pool, app, report)
    return report


def _deliver_batch(batch, now, zone, max_attempts, pool, app, report: Delivery) -> Delivery:
    outcomes: list[tuple[int, dict]] = []
    ready, sent = [], []
    for message in batch:
        hold = held_until(now or utcnow(), message.channel, message.session_at, zone)
        if hold is not None:  # quiet hours began while it waited: not an attempt
            outcomes.append((message.id, {"state": "queued", "next_attempt_at": hold,
                                          "attempts": message.attempts - 1}))
            report.held += 1
        else:
            ready.append(message)
    for message, error in zip(ready, pool.map(lambda one: _attempt(app, one), ready)):
        clock = now or utcnow()
        if error is not None:
            log.warning("message %s (%s, attempt %d) not delivered: %s", message.id, message.channel,
                        message.attempts, error)
            if message.attempts >= max_attempts:
                outcomes.append((message.id, {"state": "failed", "last_error": str(error)[:300]}))
                report.failed += 1
            else:
                outcomes.append((message.id, {"state": "queued", "last_error": str(error)[:300],
                                              "next_attempt_at": clock + retry_delay(message.attempts)}))
                report.retried += 1
            continue
        sent.append(message.id)
    report.sent += len(sent)
    if sent:  # the usual outcome, in one statement
        db.session.execute(update(Message).where(Message.id.in_(sent), Message.state == "sending")
                           .values(state="sent", sent_at=utcnow(), last_error=None, claimed_until=None))
    for message_id, values in outcomes:
        db.session.execute(update(Message).where(Message.id == message_id, Message.state == "sending")
                           .values(claimed_until=None, **values))
    db.session.commit()
    return report


def next_due() -> dt.datetime | None:
    """When the earliest waiting message is due (naive UTC), or None when nothing waits."""
    queued = db.session.scalar(select(func.min(Message.next_attempt_at)).where(Message.state == "queued"))
    claimed = db.session.scalar(select(func.min(Message.claimed_until)).where(Message.state == "sending"))
    return min((moment for moment in (queued, claimed) if moment is not None), default=None)


# --- what staff see ------------------------------------------------------------------------


def counts_by_channel() -> dict[str, dict[str, int]]:
    """{"email": {"queued": n, "sending": n, "sent": n, "failed": n}, "sms": {…}} over every message."""
    counts = {channel: {state: 0 for state in ("queued", "sending", "sent", "failed")} for channel in ("email", "sms")}
    for channel, state, number in db.session.execute(
            select(Message.channel, Message.state, func.count()).group_by(Message.channel, Message.state)):
        counts.setdefault(channel, {})[state] = number
    return counts
