"""Opted-in learners hear about cancelled and moved sessions and get a reminder before their first session."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from nortime import outbox
from nortime.db import db
from nortime.models import Group, Learner, Message, Plan
from nortime.services import publishing
from nortime.services.reminders import queue_due_reminders

from .conftest import BASE_URL

OSLO = ZoneInfo("Europe/Oslo")


def _publish(app, placed):
    with app.app_context():
        plan = db.session.get(Plan, placed["plan"])
        publishing.publish(plan, notify=False)
        plan.published_at = dt.datetime(2027, 1, 1)
        db.session.commit()


def test_a_cancellation_reaches_the_phone_only_learner_by_sms_in_arabic(region, placed, gateway, smtp_server):
    controller, inbox = smtp_server
    region.config.update(gateway.config(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port))
    _publish(region, placed)
    with region.app_context():
        group = db.session.get(Group, placed["group"])
        result = publishing.change_session(group, dt.date(2027, 1, 14), "cancelled", "المعلم مريض",
                                           now=dt.datetime(2027, 1, 12, 12, 0, tzinfo=OSLO))
        assert result.notified == 2  # Ola did not ask for such messages
        assert outbox.deliver_due(dt.datetime(2027, 1, 12, 11, 0)).sent == 2
        amal = db.session.get(Learner, placed["amal"])
    [sms] = gateway.messages()
    assert sms["to"] == "+963944567890"
    assert sms["message"].startswith("أُلغي درس الخميس") and sms["message"].endswith(f"{BASE_URL}/me/{amal.access_token}")
    [mail] = inbox.messages
    assert mail["To"] == "olena@example.org" and mail["Subject"].startswith("Скасовано: Norsk A2")


def test_a_move_is_told_once_per_change(region, placed, gateway):
    region.config.update(gateway.config())
    _publish(region, placed)
    now = dt.datetime(2027, 1, 12, 12, 0, tzinfo=OSLO)
    with region.app_context():
        group = db.session.get(Group, placed["group"])
        day = dt.date(2027, 1, 19)
        publishing.change_session(group, day, "moved", "Rommet er opptatt", now=now,
                                  new_start=dt.datetime(2027, 1, 19, 17), new_end=dt.datetime(2027, 1, 19, 19))
        publishing.change_session(group, day, "moved", "Rommet er opptatt", now=now,
                                  new_start=dt.datetime(2027, 1, 19, 16), new_end=dt.datetime(2027, 1, 19, 18))
        bodies = [m.body for m in db.session.scalars(select(Message).where(Message.learner_id == placed["amal"])
                                                    .order_by(Message.id))]
    assert len(bodies) == 2 and "17:00" in bodies[0] and "16:00" in bodies[1]


def test_reminders_go_the_day_before_the_first_session_once(region, placed, gateway):
    region.config.update(gateway.config())
    _publish(region, placed)
    with region.app_context():
        # The term starts Monday 11 January 2027; the group meets Tuesdays and Thursdays: first session Tuesday 12.
        assert queue_due_reminders(dt.datetime(2027, 1, 10, 18, 0, tzinfo=OSLO)) == 0  # two days before
        assert queue_due_reminders(dt.datetime(2027, 1, 11, 9, 0, tzinfo=OSLO)) == 2
        assert queue_due_reminders(dt.datetime(2027, 1, 11, 19, 0, tzinfo=OSLO)) == 0  # twice: queued once
        assert queue_due_reminders(dt.datetime(2027, 1, 13, 9, 0, tzinfo=OSLO)) == 0  # Thursday is not the first
        rows = list(db.session.scalars(select(Message).order_by(Message.learner_id)))
    assert [(m.learner_id, m.kind, m.channel, m.language) for m in rows] == [
        (placed["amal"], "reminder", "sms", "ar"), (placed["olena"], "reminder", "sms", "uk")]
    assert "18:00" in rows[0].body and "Курс починається завтра" in rows[1].body
    assert rows[0].session_at == dt.datetime(2027, 1, 12, 17, 0)  # 18:00 in Oslo, in UTC


def test_the_remind_command_is_idempotent(region, placed, runner):
    _publish(region, placed)
    first = runner.invoke(args=["messages", "remind"])
    second = runner.invoke(args=["messages", "remind"])
    assert first.exit_code == second.exit_code == 0
    assert second.output == "queued 0 reminder(s)\n"


def test_the_opt_in_is_asked_at_sign_up_and_kept_on_the_personal_page(region, client):
    about = {"name": "Amal Haddad", "email": "", "phone": "944 56 789", "language": "ar", "home": "finnsnes",
             "right": "yes", "level": "A1", "travel": "30", "session_messages": "y"}
    assert client.post("/signup", data=about).status_code == 302
    client.post("/signup/rota", data={"method": "none"})
    client.post("/signup/busy", data={})
    page = client.get("/signup/check")
    nonce = page.data.decode().split('name="nonce" type="hidden" value="')[1].split('"')[0]
    client.post("/signup/check", data={"consent": "y", "nonce": nonce})
    with region.app_context():
        learner = db.session.scalars(select(Learner)).one()
        assert (learner.phone, learner.session_messages) == ("+4794456789", True)
        token = learner.access_token
    client.post(f"/me/{token}/details", data={**about, "session_messages": ""})
    with region.app_context():
        assert db.session.scalars(select(Learner)).one().session_messages is False


def test_an_invalid_phone_number_gets_a_translated_error_and_nothing_is_stored(region, client):
    about = {"name": "Anna", "email": "", "phone": "123", "language": "pl", "home": "finnsnes", "right": "yes",
             "level": "A1", "travel": "30"}
    response = client.post("/signup?lang=pl", data=about)
    assert response.status_code == 422
    assert "To nie jest numer telefonu, na który możemy wysyłać wiadomości" in response.data.decode()
    with region.app_context():
        assert db.session.scalars(select(Learner)).first() is None
