"""Hostile input at the edges: oversized requests, NUL bytes, odd `next=` targets (issue 16)."""
from __future__ import annotations

import pytest


def test_a_request_larger_than_the_limit_gets_a_translated_413(app, client):
    body = {"name": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)}
    response = client.post("/signup?lang=en", data=body)
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True) and "2 MB" in response.get_data(as_text=True)
    norwegian = client.post("/signup?lang=nb", data=body)
    assert norwegian.status_code == 413 and "for stort" in norwegian.get_data(as_text=True)


def test_the_size_limit_is_configurable(tmp_path, monkeypatch):
    from tests.conftest import empty_all_tables, make_app

    small = make_app(tmp_path, monkeypatch, MAX_CONTENT_LENGTH=1000)
    try:
        response = small.test_client().post("/signup?lang=en", data={"name": "x" * 2000})
        assert response.status_code == 413
    finally:
        empty_all_tables(small)


@pytest.mark.parametrize("path", ["/me/abc%00def", "/groups/a%00/b", "/feeds/venue/x%00.ics", "/signup?name=%00",
                                  "/login?next=/%00"])
def test_a_nul_byte_in_the_address_is_a_400(client, path):
    response = client.get(path + ("&" if "?" in path else "?") + "lang=en")
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_a_nul_byte_in_a_form_field_is_a_400_and_nothing_is_stored(app, client):
    from sqlalchemy import func, select

    from nortime.db import db
    from nortime.models import User

    response = client.post("/login?lang=en", data={"email": "a\x00@example.org", "password": "x\x00y"})
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)
    response = client.post("/me", data={"contact": "kari\x00@example.org"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize("target", ["/provider/%0d%0aSet-Cookie:%20x=1", "/%0aevil", "/\\evil.example",
                                    "/\\/evil.example", "%2F%2Fevil.example", "/%ff%fe", "https:evil.example",
                                    "//evil.example", "/%09/evil.example"])
def test_next_never_breaks_the_redirect_or_leaves_the_site(client, make_user, target):
    make_user("admin", email="kari@example.org")
    response = client.post(f"/login?next={target}", data={"email": "kari@example.org",
                                                           "password": "correct horse 1"})
    assert response.status_code in (302, 303, 400, 404)
    if response.status_code in (302, 303):
        location = response.headers["Location"]
        assert "\r" not in location and "\n" not in location and "\\" not in location
        assert "evil.example" not in location or location.startswith("/") and not location.startswith("//")
        assert "Set-Cookie" not in str(response.headers.getlist("Set-Cookie"))


def test_a_nul_byte_in_a_sign_up_answer_is_a_400_and_nothing_is_kept(app, client):
    response = client.post("/signup?lang=en", data={"name": "Olena\x00", "email": "olena@example.org"})
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)
    assert client.get("/signup/rota").headers["Location"].endswith("/signup")
