"""The sign-up draft lives on the server; the cookie holds only a random id (issue 16)."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from tests.learners.conftest import seed_region

ABOUT = {"name": "Olena Kovalenko", "email": "olena@example.org", "phone": "+47 912 34 567", "language": "uk",
         "home": "finnsnes", "right": "no", "level": "A2", "travel": "30", "days": ["sat"]}


def roster(events: int) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\nUID:{n}@x\r\nDTSTART:2027011{1 + n % 5}T{6 + n % 12:02d}0000\r\n"
                   f"DTEND:2027011{1 + n % 5}T{7 + n % 12:02d}3000\r\nSUMMARY:Vakt {'x' * 40}\r\nEND:VEVENT\r\n"
                   for n in range(events))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{body}END:VCALENDAR\r\n".encode()


@pytest.fixture
def region(app):
    seed_region(app)
    return app


def draft_count(app) -> int:
    from nortime.db import db
    from nortime.models import SignupDraft

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SignupDraft))


def test_the_cookie_carries_no_personal_data(region, client):
    assert client.post("/signup", data=ABOUT).status_code == 302
    upload = client.post("/signup/rota/upload", data={"roster": (io.BytesIO(roster(400)), "r.ics")},
                         content_type="multipart/form-data")
    assert upload.status_code == 302
    cookie = client.get_cookie("session", domain="nortime.test").value
    contents = region.session_interface.get_signing_serializer(region).loads(cookie)
    assert set(contents) <= {"signup-draft", "lang", "csrf_token", "_fresh"}
    for secret in ("Olena", "olena@example.org", "912", "finnsnes", "Vakt", "cycle"):
        assert secret not in str(contents) and secret not in cookie
    assert len(cookie) < 200
    assert client.post("/signup/rota/repeat").status_code == 302  # "your rota repeats every ..." confirmed
    page = client.get("/signup/check?lang=en")  # the answers are all still there, from the server
    assert page.status_code == 200 and "Olena Kovalenko" in page.get_data(as_text=True)


def test_restarting_deletes_the_draft(region, client):
    client.post("/signup", data=ABOUT)
    assert draft_count(region) == 1
    client.get("/signup/restart")
    assert draft_count(region) == 0


def test_an_old_draft_expires_and_is_purged(region, client):
    from nortime.db import db
    from nortime.models import SignupDraft, utcnow

    client.post("/signup", data=ABOUT)
    with region.app_context():
        db.session.execute(db.update(SignupDraft).values(updated_at=utcnow() - dt.timedelta(hours=25)))
        db.session.commit()
    assert client.get("/signup/rota").headers["Location"].endswith("/signup")  # back to the first step
    other = region.test_client()
    other.post("/signup", data={**ABOUT, "name": "Anna Nowak"})  # a new draft purges the expired one
    with region.app_context():
        assert [draft.answers["about"]["name"] for draft in db.session.scalars(select(SignupDraft))] == ["Anna Nowak"]
