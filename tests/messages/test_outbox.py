"""The outbox: publishing only queues; delivery by SMS gateway and SMTP, retries, failures, no message twice."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from nortime import outbox
from nortime.db import db
from nortime.models import Learner, Message, Plan
from nortime.services import publishing
from nortime.services.messages import queue_message

from ..conftest import TEST_REDIS_URL
from .conftest import BASE_URL, wait_for

NOON = dt.datetime(2027, 1, 5, 11, 0)  # 12:00 in Oslo: no quiet hours


def _publish(app, placed):
    with app.app_context():
        publishing.publish(db.session.get(Plan, placed["plan"]))


def _messages(app, **where):
    with app.app_context():
        query = select(Message).order_by(Message.id)
        for column, value in where.items():
            query = query.where(getattr(Message, column) == value)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def test_publishing_only_queues_and_the_worker_sends_sms_and_mail_in_each_language(region, placed, gateway,
                                                                                    smtp_server):
    controller, inbox = smtp_server
    region.config.update(gateway.config(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port))
    _publish(region, placed)
    queued = _messages(region)
    assert gateway.requests == [] and inbox.messages == []  # nothing left during the publication
    assert sorted((m.learner_id, m.channel, m.language, m.state) for m in queued) == sorted([
        (placed["amal"], "sms", "ar", "queued"), (placed["olena"], "email", "uk", "queued"),
        (placed["ola"], "sms", "nb", "queued")])
    with region.app_context():
        report = outbox.deliver_due(NOON)
        amal, olena = db.session.get(Learner, placed["amal"]), db.session.get(Learner, placed["olena"])
        amal_link, olena_link = f"{BASE_URL}/me/{amal.access_token}", f"{BASE_URL}/me/{olena.access_token}"
    assert report.sent == 3
    sms = {message["to"]: message for message in gateway.messages()}
    assert set(sms) == {"+963944567890", "+4791234567"}
    assert "نورتايم" in sms["+963944567890"]["message"] or "دورة" in sms["+963944567890"]["message"]
    assert sms["+963944567890"]["message"].endswith(amal_link)
    assert gateway.requests[0]["headers"]["Authorization"] == "Bearer s3cret"
    assert {record["headers"]["Idempotency-Key"] for record in gateway.requests} == \
        {m.idempotency_key for m in queued if m.channel == "sms"}
    [mail] = inbox.messages
    assert mail["To"] == "olena@example.org" and "Norsk A2" in mail["Subject"]
    assert "Вітаємо" in mail.get_content() or "Привіт" in mail.get_content()
    assert olena_link in mail.get_content()
    assert {m.state for m in _messages(region)} == {"sent"}
    with region.app_context():  # a second run finds nothing to do: a sent message is never sent again
        assert outbox.deliver_due(NOON + dt.timedelta(hours=1)).handled == 0
    assert len(gateway.requests) == 2 and len(inbox.messages) == 1


def test_a_failing_gateway_delays_messages_and_loses_none(region, placed, gateway):
    region.config.update(gateway.config())
    _publish(region, placed)
    gateway.mode = "fail"
    with region.app_context():
        assert outbox.deliver_due(NOON).retried == 3
    first = _messages(region, channel="sms")
    assert {(m.state, m.attempts) for m in first} == {("queued", 1)}
    assert all(m.next_attempt_at == NOON + outbox.retry_delay(1) for m in first)
    assert all("500" in m.last_error for m in first)
    with region.app_context():  # not due yet: the backoff is kept
        assert outbox.deliver_due(NOON + dt.timedelta(seconds=10)).handled == 0
        assert outbox.deliver_due(NOON + dt.timedelta(seconds=31)).retried == 3
    assert {m.next_attempt_at for m in _messages(region, channel="sms")} == \
        {NOON + dt.timedelta(seconds=31) + outbox.retry_delay(2)}
    gateway.mode = "ok"
    with region.app_context():
        assert outbox.deliver_due(NOON + dt.timedelta(hours=1)).sent == 3
    assert sorted(message["to"] for message in gateway.messages()) == ["+380501234567", "+4791234567", "+963944567890"]
    assert {(m.state, m.attempts) for m in _messages(region, channel="sms")} == {("sent", 3)}


def test_a_hanging_gateway_times_out_and_the_message_goes_later(region, placed, gateway):
    region.config.update(gateway.config(SMS_HTTP_TIMEOUT=0.5))
    _publish(region, placed)
    gateway.mode = "hang"
    with region.app_context():
        report = outbox.deliver_due(NOON)
    assert report.retried == 3 and report.sent == 0
    assert all("timed out" in m.last_error for m in _messages(region, channel="sms"))
    gateway.mode = "ok"
    with region.app_context():
        assert outbox.deliver_due(NOON + dt.timedelta(minutes=5)).sent == 3
    assert len(gateway.messages()) == 3


def test_after_the_last_attempt_a_message_is_marked_failed(region, placed, gateway):
    region.config.update(gateway.config(OUTBOX_MAX_ATTEMPTS=3))
    _publish(region, placed)
    gateway.mode = "fail"
    moment = NOON
    with region.app_context():
        for _ in range(3):
            outbox.deliver_due(moment)
            moment += dt.timedelta(hours=3)
        assert outbox.deliver_due(moment + dt.timedelta(days=1)).handled == 0
        assert outbox.counts_by_channel()["sms"]["failed"] == 3
    assert {(m.state, m.attempts) for m in _messages(region, channel="sms")} == {("failed", 3)}


def test_the_same_key_is_queued_once(region, placed, gateway):
    region.config.update(gateway.config())
    with region.app_context():
        amal = db.session.get(Learner, placed["amal"])
        assert queue_message(amal, "link", key="link:once") == 1
        assert queue_message(amal, "link", key="link:once") == 0
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Message)) == 1


def test_a_worker_that_died_while_sending_leaves_the_message_to_be_sent_again(region, placed, gateway):
    region.config.update(gateway.config())
    _publish(region, placed)
    with region.app_context():
        claimed = outbox.claim(NOON)  # the worker dies after claiming
        assert len(claimed) == 3
        assert outbox.deliver_due(NOON + dt.timedelta(minutes=1)).handled == 0  # still claimed
        assert outbox.deliver_due(NOON + outbox.claim_time() + dt.timedelta(seconds=1)).sent == 3
    assert len(gateway.messages()) == 3


def test_two_workers_never_deliver_the_same_message(region, placed, gateway):
    region.config.update(gateway.config())
    with region.app_context():
        learners = [Learner(provider_id=1, name=f"Person {i}", phone=f"+479{i:07d}", language="nb",
                            home_place_id="finnsnes", level="A1") for i in range(60)]
        db.session.add_all(learners)
        db.session.flush()
        for learner in learners:
            queue_message(learner, "link", key=f"link:race:{learner.id}")
        db.session.commit()
    reports, errors = [], []

    def worker():
        try:
            with region.app_context():
                reports.append(outbox.deliver_due(NOON))
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(report.sent for report in reports) == 60
    recipients = [message["to"] for message in gateway.messages()]
    assert len(recipients) == len(set(recipients)) == 60


def _queue_urgent(app):
    """Queue an SMS to each learner about a session within the hour: the workers' real clocks may be in quiet
    hours, and such a message goes anyway."""
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    with app.app_context():
        for learner in db.session.scalars(select(Learner)):
            queue_message(learner, "cancelled", key=f"cancel:{learner.id}", session_at=soon, course="Norsk A2",
                          venue="Finnsnes", day=soon.date(), reason="Storm")
        db.session.commit()  # the commit starts the delivery


def test_the_local_worker_process_delivers_after_the_commit(region, placed, gateway):
    region.config.update(gateway.config(OUTBOX_WORKER=True))
    _queue_urgent(region)
    wait_for(lambda: len(gateway.requests) == 3, timeout=60)
    wait_for(lambda: {m.state for m in _messages(region)} == {"sent"}, timeout=20)


@pytest.mark.skipif(not TEST_REDIS_URL, reason="NORTIME_TEST_REDIS_URL is not set")
def test_with_redis_an_rq_job_delivers_and_schedules_the_retry(region, placed, gateway):
    from redis import Redis
    from rq import Queue, SimpleWorker

    from nortime import jobs

    region.config.update(gateway.config(OUTBOX_WORKER=True, REDIS_URL=TEST_REDIS_URL))
    redis = Redis.from_url(TEST_REDIS_URL)
    redis.flushdb()
    try:
        gateway.mode = "fail"
        _queue_urgent(region)
        queue = Queue(jobs.QUEUE_NAME, connection=redis)
        assert queue.count == 1
        with region.app_context():
            SimpleWorker([queue], connection=redis).work(burst=True)
        assert {m.state for m in _messages(region, channel="sms")} == {"queued"}
        assert queue.scheduled_job_registry.count == 1  # the retry, at the first message's next attempt
        gateway.mode = "ok"
        with region.app_context():
            jobs.start_delivery()
            # The retry is not due yet; at its time the scheduled job runs the same function.
            db.session.execute(db.update(Message).values(next_attempt_at=dt.datetime(2000, 1, 1)))
            db.session.commit()
            SimpleWorker([queue], connection=redis).work(burst=True)
        assert {m.state for m in _messages(region, channel="sms")} == {"sent"}
        assert len(gateway.messages()) == 3
    finally:
        redis.flushdb()
