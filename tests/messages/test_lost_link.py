"""Phone-only learners recover their link by SMS; the form never tells whether a number is known; rate limits."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from nortime import create_app, outbox
from nortime.db import db
from nortime.models import Learner, Message

from .conftest import BASE_URL, NOON


def _amal(app) -> str:
    with app.app_context():
        learner = Learner(provider_id=1, name="Amal Haddad", phone="+963944567890", language="ar",
                          home_place_id="finnsnes", level="A1")
        db.session.add(learner)
        db.session.commit()
        return learner.access_token


def test_a_phone_only_learner_gets_her_link_by_sms_in_her_language(region, client, gateway):
    region.config.update(gateway.config())
    token = _amal(region)
    known = client.post("/me", data={"contact": "+963 944 567 890"})
    unknown = client.post("/me", data={"contact": "+963 944 567 891"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert client.get(known.headers["Location"]).data == client.get(unknown.headers["Location"]).data
    with region.app_context():
        assert outbox.deliver_due(NOON).sent == 1
    [sms] = gateway.messages()
    assert sms["to"] == "+963944567890"
    assert sms["message"] == f"صفحتك في nortime: {BASE_URL}/me/{token}"


def test_an_e_mail_address_never_gets_an_sms_and_a_number_never_an_e_mail(region, client, gateway, smtp_server):
    controller, inbox = smtp_server
    region.config.update(gateway.config(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port))
    with region.app_context():
        db.session.add(Learner(provider_id=1, name="Olena", email="olena@example.org", phone="+380501234567",
                               language="uk", home_place_id="finnsnes", level="A1"))
        db.session.commit()
    client.post("/me", data={"contact": "050 123 4567"})  # not Norwegian without its code: nobody
    client.post("/me", data={"contact": "+380 50 123 4567"})
    with region.app_context():
        assert [(m.channel, m.recipient) for m in db.session.scalars(select(Message))] == [("sms", "+380501234567")]
        outbox.deliver_due(NOON)
    assert inbox.messages == [] and len(gateway.messages()) == 1


@pytest.fixture
def limited(tmp_path, monkeypatch, gateway):
    """An app with rate limits on, the small region and a phone-only learner."""
    from nortime.extensions import limiter

    from .conftest import seed_region

    monkeypatch.setenv("NORTIME_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": True, "SERVER_NAME": "nortime.test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'limit.sqlite'}", **gateway.config()})
    with app.app_context():
        db.create_all()
        limiter.reset()
    seed_region(app)
    _amal(app)
    yield app
    with app.app_context():
        limiter.reset()


def _ask(client, contact: str, address: str) -> int:
    return client.post("/me?lang=en", data={"contact": contact}, environ_base={"REMOTE_ADDR": address}).status_code


def test_link_requests_are_limited_per_number_known_or_not(limited):
    client = limited.test_client()
    for number in ("+963 944 567 890", "+963 944 567 891"):  # known, unknown: the same limits
        answers = [_ask(client, number, f"10.0.0.{i}") for i in range(4)]  # a new address each time
        assert answers == [302, 302, 302, 429]
    assert _ask(client, "+47 912 34 567", "10.0.0.9") == 302  # another number goes on
    with limited.app_context():  # three links to the known number, however it was written
        assert db.session.scalar(select(func.count()).select_from(Message)) == 3


def test_link_requests_are_limited_per_address(limited):
    client = limited.test_client()
    answers = [_ask(client, f"+47 912 34 5{i:02d}", "10.0.0.1") for i in range(6)]
    assert answers == [302] * 5 + [429]


def test_the_learners_messages_are_in_her_data_and_go_when_she_is_deleted(region, client, gateway):
    region.config.update(gateway.config())
    token = _amal(region)
    client.post("/me", data={"contact": "+963 944 567 890"})
    data = client.get(f"/me/{token}/data.json").get_json()
    assert [(m["kind"], m["channel"], m["to"], m["state"]) for m in data["messages"]] == \
        [("link", "sms", "+963944567890", "queued")]
    client.post(f"/me/{token}/delete", data={"sure": "y"})
    with region.app_context():
        assert db.session.scalar(select(func.count()).select_from(Message)) == 0
