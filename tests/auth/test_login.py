"""Staff log in with hashed passwords; roles decide what they may open."""
from __future__ import annotations

from sqlalchemy import select

from nortime.db import db
from nortime.models import User


def test_a_user_logs_in_and_out(app, client, make_user):
    make_user("admin", email="kari@example.org")
    response = client.post("/login?next=/provider/", data={"email": "Kari@example.org", "password": "correct horse 1"})
    assert response.status_code == 302 and response.location.endswith("/provider/")
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/provider/").status_code == 302


def test_a_wrong_password_or_unknown_email_is_refused_alike(app, client, make_user):
    make_user("admin", email="kari@example.org")
    wrong = client.post("/login", data={"email": "kari@example.org", "password": "wrong horse 1"})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "correct horse 1"})
    assert wrong.status_code == unknown.status_code == 401
    assert client.get("/provider/").status_code == 302


def test_a_next_link_to_another_site_is_ignored(app, client, make_user):
    make_user("admin", email="kari@example.org")
    response = client.post("/login?next=https://evil.example/", data={"email": "kari@example.org",
                                                                      "password": "correct horse 1"})
    assert "evil.example" not in response.location


def test_an_inactive_account_cannot_log_in(app, client, make_user):
    user = make_user("admin", email="kari@example.org")
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert client.post("/login", data={"email": "kari@example.org", "password": "correct horse 1"}).status_code == 401


def test_create_user_stores_a_hash_not_the_password(app, runner):
    result = runner.invoke(args=["create-user", "--email", "admin@example.org", "--role", "admin",
                                 "--password", "a long enough secret"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "admin@example.org"))
        assert user.role == "admin" and "a long enough secret" not in user.password_hash
    short = runner.invoke(args=["create-user", "--email", "b@example.org", "--role", "admin", "--password", "short"])
    assert short.exit_code != 0 and "password" in short.output
    staff = runner.invoke(args=["create-user", "--email", "c@example.org", "--role", "provider_staff",
                                "--password", "a long enough secret"])
    assert staff.exit_code != 0 and "provider" in staff.output


def test_login_is_rate_limited(app, tmp_path, monkeypatch):
    from nortime import create_app
    from nortime.extensions import limiter

    limited = create_app({**app.config, "RATELIMIT_ENABLED": True})
    with limited.app_context():
        limiter.reset()
    client = limited.test_client()
    answers = [client.post("/login", data={"email": "x@example.org", "password": "wrong horse 1"}).status_code
               for _ in range(12)]
    assert answers[:10] == [401] * 10
    assert answers[-1] == 429
