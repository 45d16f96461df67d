"""Quiet hours: no SMS from 22:00 to 08:00 in Oslo unless it is about a session within 12 hours."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from nortime import outbox
from nortime.db import db
from nortime.models import Learner, Message
from nortime.services.messages import queue_message

OSLO = ZoneInfo("Europe/Oslo")


def utc(*args) -> dt.datetime:
    """A naive UTC moment from an Oslo wall-clock time."""
    return dt.datetime(*args, tzinfo=OSLO).astimezone(dt.timezone.utc).replace(tzinfo=None)


@pytest.mark.parametrize("now, session, held", [
    (utc(2027, 1, 12, 23, 30), None, utc(2027, 1, 13, 8, 0)),  # late evening: next morning
    (utc(2027, 1, 13, 0, 10), None, utc(2027, 1, 13, 8, 0)),  # after midnight: this morning
    (utc(2027, 1, 13, 7, 59), None, utc(2027, 1, 13, 8, 0)),
    (utc(2027, 1, 13, 8, 0), None, None),
    (utc(2027, 1, 13, 21, 59), None, None),
    (utc(2027, 1, 13, 22, 0), None, utc(2027, 1, 14, 8, 0)),
    (utc(2027, 3, 27, 23, 0), None, utc(2027, 3, 28, 8, 0)),  # the night summer time begins: 08:00 CEST
    (utc(2027, 1, 12, 23, 30), utc(2027, 1, 13, 9, 0), None),  # a session at 09:00: goes now
    (utc(2027, 1, 12, 23, 30), utc(2027, 1, 13, 18, 0), utc(2027, 1, 13, 8, 0)),  # 18:00 is more than 12 h away
])
def test_when_an_sms_may_go(now, session, held):
    assert outbox.held_until(now, "sms", session, OSLO) == held
    assert outbox.held_until(now, "email", session, OSLO) is None  # e-mail waits in the inbox anyway


def test_an_sms_queued_at_night_is_held_until_eight_and_an_urgent_one_goes(region, gateway, smtp_server):
    controller, inbox = smtp_server
    region.config.update(gateway.config(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port))
    night = utc(2027, 1, 12, 23, 30)
    with region.app_context():
        ola = Learner(provider_id=1, name="Ola", phone="+4791234567", language="nb", home_place_id="finnsnes",
                      level="A1")
        kari = Learner(provider_id=1, name="Kari", email="kari@example.org", language="nb", home_place_id="finnsnes",
                       level="A1")
        db.session.add_all([ola, kari])
        db.session.flush()
        rows = [outbox_row(ola, "link", "night"), outbox_row(kari, "link", "mail")]
        urgent = outbox_row(ola, "cancelled", "urgent", session_at=utc(2027, 1, 13, 9, 0),
                            course="Norsk A1", venue="Finnsnes", day=dt.date(2027, 1, 13), reason="Sykdom")
        outbox.add_messages([*rows, urgent], now=night)
        db.session.commit()
        report = outbox.deliver_due(night + dt.timedelta(minutes=1))
        assert (report.sent, report.held) == (2, 0)  # the night SMS is not even due
        waiting = db.session.scalars(select(Message).where(Message.state == "queued")).one()
        assert waiting.idempotency_key == "night:sms" and waiting.next_attempt_at == utc(2027, 1, 13, 8, 0)
        assert outbox.deliver_due(utc(2027, 1, 13, 7, 59)).handled == 0
        assert outbox.deliver_due(utc(2027, 1, 13, 8, 0)).sent == 1
    assert [message["message"].startswith("Timen") for message in gateway.messages()] == [True, False]
    assert len(inbox.messages) == 1


def test_a_retry_that_falls_into_the_night_waits_for_the_morning(region, gateway):
    region.config.update(gateway.config())
    evening = utc(2027, 1, 12, 21, 59, 50)
    with region.app_context():
        ola = Learner(provider_id=1, name="Ola", phone="+4791234567", language="nb", home_place_id="finnsnes",
                      level="A1")
        db.session.add(ola)
        db.session.flush()
        outbox.add_messages([outbox_row(ola, "link", "evening")], now=evening)
        db.session.commit()
        gateway.mode = "fail"
        assert outbox.deliver_due(evening).retried == 1
        gateway.mode = "ok"
        report = outbox.deliver_due(utc(2027, 1, 12, 22, 1))
        assert report.held == 1 and report.sent == 0
        message = db.session.scalars(select(Message)).one()
        assert (message.state, message.attempts, message.next_attempt_at) == ("queued", 1, utc(2027, 1, 13, 8, 0))
        assert outbox.deliver_due(utc(2027, 1, 13, 8, 0)).sent == 1


def outbox_row(learner, kind, key, **values):
    from nortime.services.messages import message_row

    return message_row(learner, kind, key=key, **values)


def test_queue_message_holds_at_night_by_the_clock(region, gateway, monkeypatch):
    region.config.update(gateway.config())
    night = utc(2027, 1, 12, 23, 30)
    monkeypatch.setattr(outbox, "utcnow", lambda: night)
    with region.app_context():
        ola = Learner(provider_id=1, name="Ola", phone="+4791234567", language="nb", home_place_id="finnsnes",
                      level="A1")
        db.session.add(ola)
        db.session.flush()
        queue_message(ola, "link", key="clock")
        db.session.commit()
        assert db.session.scalars(select(Message)).one().next_attempt_at == utc(2027, 1, 13, 8, 0)
