"""Links in messages come from BASE_URL only: never from a forged Host header, also from the command line."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from nortime import create_app, outbox
from nortime.db import db
from nortime.models import Learner, Message

from .conftest import BASE_URL, NOON


def _learner(app, **fields) -> str:
    with app.app_context():
        learner = Learner(provider_id=1, name="Anna Nowak", language="pl", home_place_id="silsand", level="A2",
                          **fields)
        db.session.add(learner)
        db.session.commit()
        return learner.access_token


@pytest.mark.parametrize("base_url", [BASE_URL, None])
def test_send_my_link_again_with_a_forged_host_carries_only_base_url(region, client, smtp_server, gateway, base_url):
    """Without BASE_URL (start-up refuses that; here it is taken away afterwards) the links still never
    follow the Host header: they fall back on SERVER_NAME."""
    controller, inbox = smtp_server
    region.config.update(gateway.config(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, BASE_URL=base_url))
    site = base_url or "http://nortime.test"
    by_mail = _learner(region, email="anna@example.org")
    by_phone = _learner(region, phone="+48600100200")
    for contact in ("anna@example.org", "+48 600 100 200"):
        response = client.post("/me", data={"contact": contact}, headers={"Host": "attacker.example"})
        assert response.status_code == 302
    with region.app_context():
        assert outbox.deliver_due(NOON).sent == 2
    [mail] = inbox.messages
    [sms] = gateway.messages()
    assert f"{site}/me/{by_mail}" in mail.get_content()
    assert sms["message"].endswith(f"{site}/me/{by_phone}")
    assert "attacker" not in mail.as_string() and "attacker" not in sms["message"]


def test_publishing_from_the_command_line_puts_base_url_links_in_the_messages(region, placed, gateway):
    from nortime.models import Plan
    from nortime.services import publishing

    region.config.update(gateway.config())
    with region.app_context():  # no request: as `flask plan --publish` runs it
        publishing.publish(db.session.get(Plan, placed["plan"]))
        messages = list(db.session.scalars(select(Message)))
        tokens = {learner.id: learner.access_token for learner in db.session.scalars(select(Learner))}
    assert len(messages) == 3
    for message in messages:
        assert message.body.endswith(f"{BASE_URL}/me/{tokens[message.learner_id]}")


@pytest.mark.parametrize("settings", [{"MAIL_SERVER": "smtp.example.no"},
                                      {"SMS_BACKEND": "http", "SMS_HTTP_URL": "https://sms.example.no/send"}])
def test_sending_without_base_url_stops_start_up_with_one_line_saying_what_to_set(tmp_path, monkeypatch, settings):
    monkeypatch.setenv("NORTIME_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("NORTIME_BASE_URL", raising=False)
    with pytest.raises(SystemExit) as stop:
        create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "CHECK_DATABASE_ON_START": False,
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}", **settings})
    message = str(stop.value)
    assert "\n" not in message and "BASE_URL" in message and "NORTIME_BASE_URL" in message
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "CHECK_DATABASE_ON_START": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}", "BASE_URL": BASE_URL,
                      **settings})
    assert app.config["BASE_URL"] == BASE_URL


def test_an_http_gateway_needs_its_address(tmp_path, monkeypatch):
    monkeypatch.setenv("NORTIME_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(SystemExit, match="SMS_HTTP_URL"):
        create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "CHECK_DATABASE_ON_START": False, "BASE_URL": BASE_URL,
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}", "SMS_BACKEND": "http"})


def test_the_personal_page_shows_the_base_url_link_whatever_the_host(region, client):
    region.config["BASE_URL"] = BASE_URL
    token = _learner(region, email="anna@example.org")
    page = client.get(f"/me/{token}", headers={"Host": "attacker.example"}).data.decode()
    assert f"{BASE_URL}/me/{token}" in page and "attacker.example" not in page
