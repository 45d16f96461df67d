"""Security headers on every answer, the feeds' fast path included; private pages are never cached."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.security.conftest import log_in

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def assert_secured(response):
    policy = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") in ("same-origin", "no-referrer")


def test_every_kind_of_answer_carries_the_headers(app, client, timetable, make_user):
    feed = f"/feeds/l/{timetable.learner_token}.ics"
    answers = [client.get(path) for path in ("/", "/privacy", "/login", "/signup", "/healthz",
                                             "/static/nortime.css", "/no/such/page", "/me/not-a-token",
                                             feed, feed,  # the second comes from the fast path
                                             "/feeds/venue/senja-vo.ics", "/feeds/venue/senja-vo.ics")]
    answers.append(client.get(feed, headers={"If-None-Match": answers[-3].headers["ETag"]}))
    answers.append(client.post("/logout"))
    make_user("admin", email="kari@example.org")
    answers.append(log_in(client, "kari@example.org").get("/provider/"))
    for response in answers:
        assert_secured(response)
    assert "Strict-Transport-Security" not in answers[0].headers


def test_hsts_when_the_site_is_https(app_with):
    app = app_with(BASE_URL="https://nortime.example")
    client = app.test_client()
    with app.app_context():
        from feed_fixture import build_timetable

        token = build_timetable().learner_token
    for path in ("/", f"/feeds/l/{token}.ics", f"/feeds/l/{token}.ics"):
        assert client.get(path).headers["Strict-Transport-Security"].startswith("max-age=")


def test_private_pages_are_never_stored(app, client, timetable, make_user):
    from nortime.db import db
    from nortime.models import Learner

    with app.app_context():
        token = db.session.get(Learner, timetable.learner_id).access_token
    assert client.get(f"/me/{token}").headers["Cache-Control"] == "private, no-store"
    assert client.get("/signup").headers["Cache-Control"] == "private, no-store"
    assert client.get("/login").headers["Cache-Control"] == "private, no-store"
    assert "no-store" not in client.get("/privacy").headers.get("Cache-Control", "")
    make_user("coordinator", email="coordinator@example.org")
    log_in(client, "coordinator@example.org")
    for path in ("/coordinator/", "/"):  # a staff member's pages carry their name
        assert client.get(path).headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: path.name)
def test_templates_have_no_inline_script_or_style(template):
    """The policy allows no inline code: scripts and styles come from static files."""
    text = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=|javascript:", text, re.IGNORECASE)
