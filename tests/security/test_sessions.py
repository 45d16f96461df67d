"""Logging out or changing the password ends every session of the account, copied cookies too (issue 16)."""
from __future__ import annotations

from tests.security.conftest import log_in


def session_cookie(client) -> str:
    return client.get_cookie("session", domain="nortime.test").value


def replay(app, cookie: str):
    """A fresh browser that presents a copied session cookie; the staff page's answer."""
    thief = app.test_client()
    thief.set_cookie("session", cookie, domain="nortime.test")
    return thief.get("/coordinator/")


def test_a_copied_cookie_stops_working_after_logout(app, client, make_user):
    make_user("coordinator", email="kari@example.org")
    log_in(client, "kari@example.org")
    copied = session_cookie(client)
    assert replay(app, copied).status_code == 200
    assert client.post("/logout").status_code == 302
    answer = replay(app, copied)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_logging_out_on_one_device_ends_the_others(app, make_user):
    make_user("coordinator", email="kari@example.org")
    laptop, phone = log_in(app.test_client(), "kari@example.org"), log_in(app.test_client(), "kari@example.org")
    laptop.post("/logout")
    assert phone.get("/coordinator/").status_code == 302
    assert log_in(phone, "kari@example.org").get("/coordinator/").status_code == 200  # logging in again works


def test_a_new_password_ends_every_session(app, client, make_user):
    make_user("coordinator", email="kari@example.org")
    copied = session_cookie(log_in(client, "kari@example.org"))
    result = app.test_cli_runner().invoke(args=["set-password", "--email", "kari@example.org",
                                                "--password", "a brand new secret"])
    assert result.exit_code == 0, result.output
    assert client.get("/coordinator/").status_code == 302 and replay(app, copied).status_code == 302
    assert log_in(client, "kari@example.org", "a brand new secret").get("/coordinator/").status_code == 200
    short = app.test_cli_runner().invoke(args=["set-password", "--email", "kari@example.org", "--password", "short"])
    assert short.exit_code != 0 and "password" in short.output
