"""Bad input on every field of every step: a clear error tied to the field, and nothing stored."""
import io
import re

import pytest
from sqlalchemy import func, select

from nortime.db import db
from nortime.models import Learner


@pytest.fixture
def region(shared_region):
    return shared_region


@pytest.fixture
def client(shared_region):
    return shared_region.test_client()

ABOUT = {"name": "Olena Kovalenko", "email": "olena@example.org", "phone": "", "language": "uk", "home": "finnsnes",
         "right": "yes", "level": "unknown", "travel": "45"}


def post_about(client, **changes):
    data = {**ABOUT, **changes}
    return client.post("/signup?lang=en", data={k: v for k, v in data.items() if v is not None})


def assert_field_error(response, field_id, text):
    """The error is shown next to the field, tied to it by aria-describedby, and listed in the summary."""
    html = response.data.decode()
    assert response.status_code in (200, 422)
    assert f'id="{field_id}-error"' in html, html[:3000]
    assert text in html
    assert re.search(rf'aria-describedby="[^"]*{re.escape(field_id)}-error', html)
    assert f'href="#{field_id}"' in html  # the summary links to the field
    assert 'role="alert"' in html


@pytest.mark.parametrize("changes, field_id, text", [
    ({"name": ""}, "name", "Please write your name."),
    ({"name": "x" * 121}, "name", "Your name is too long"),
    ({"name": "<script>alert(1)</script>"}, "name", "Your name cannot contain"),
    ({"email": "", "phone": ""}, "email", "Give an e-mail address or a phone number"),
    ({"email": "olena@"}, "email", "This is not an e-mail address"),
    ({"email": "a" * 250 + "@x.no"}, "email", "The e-mail address is too long"),
    ({"email": "<script>@x.no"}, "email", "This is not an e-mail address"),
    ({"phone": "12"}, "phone", "This is not a phone number"),
    ({"phone": "call me maybe"}, "phone", "This is not a phone number"),
    ({"phone": "1" * 30}, "phone", "This is not a phone number"),
    ({"language": "xx"}, "language", "Choose a language from the list."),
    ({"home": ""}, "home", "Choose the place where you live."),
    ({"home": "atlantis"}, "home", "We do not know this place."),
    ({"home": "<script>"}, "home", "We do not know this place."),
    ({"right": None}, "right", "Choose one answer."),
    ({"right": "maybe"}, "right", "Choose one answer."),
    ({"level": None}, "level", "Choose the sentence that fits you best."),
    ({"level": "C2"}, "level", "Choose the sentence that fits you best."),
    ({"travel": "1000"}, "travel", "Choose a travel time from the list."),
    ({"travel": ""}, "travel", "Choose a travel time from the list."),
])
def test_about_step_rejects_bad_input(region, client, changes, field_id, text):
    response = post_about(client, **changes)
    assert response.status_code == 422
    assert_field_error(response, field_id, text)
    assert "<script>alert" not in response.data.decode()  # shown escaped, never as markup
    # Nothing was kept: the next step sends the learner back to the first.
    assert client.get("/signup/rota").headers["Location"].endswith("/signup")


def test_bad_preferred_day(region, client):
    response = client.post("/signup?lang=en", data={**ABOUT, "days": ["mon", "someday"]})
    assert_field_error(response, "days", "Choose days from the list.")


def test_phone_alone_is_enough_and_is_normalised(region, client):
    response = post_about(client, email="", phone="+48 600-100-200")
    assert response.status_code == 302
    from nortime.services import drafts

    with client.session_transaction() as session:
        draft_id = session["signup-draft"]
    with region.app_context():
        assert drafts.load(draft_id)["about"]["phone"] == "+48600100200"


@pytest.fixture
def after_about(region, client):
    assert post_about(client).status_code == 302
    return client


def test_rota_choice_must_be_known(after_about):
    response = after_about.post("/signup/rota?lang=en", data={"method": "lazy_days"})
    assert_field_error(response, "method", "Choose one of the rotas")


@pytest.mark.parametrize("changes, field_id, text", [
    ({"day_from": ""}, "day_from", "Write the time as hours and minutes"),
    ({"day_from": "25:00"}, "day_from", "Write the time as hours and minutes"),
    ({"evening_to": "<script>"}, "evening_to", "Write the time as hours and minutes"),
    ({"night_from": "07:45", "night_to": "07:45"}, "night_to", "A shift cannot start and end at the same time."),
    ({"week": "4"}, "week", "Choose a week from 1 to 3."),
    ({"week": "x"}, "week", "Choose a week from 1 to 3."),
])
def test_preset_step_rejects_bad_times_and_weeks(after_about, changes, field_id, text):
    data = {"day_from": "07:30", "day_to": "15:00", "evening_from": "14:30", "evening_to": "22:00",
            "night_from": "21:45", "night_to": "07:45", "week": "1", **changes}
    response = after_about.post("/signup/rota/preset/health_3week?lang=en", data=data)
    assert response.status_code == 422
    assert_field_error(response, field_id, text)
    assert after_about.get("/signup/check").headers["Location"].endswith("/signup/rota")  # still needs a rota


@pytest.mark.parametrize("first_day, text", [("", "Write a date like"), ("2027-02-30", "Write a date like"),
                                             ("1999-01-01", "within one year")])
def test_offshore_needs_a_sensible_first_day(after_about, first_day, text):
    response = after_about.post("/signup/rota/preset/offshore_14_28?lang=en", data={"first_day": first_day})
    assert_field_error(response, "first_day", text)


def test_impossible_custom_rota_always_away(after_about):
    data = {"save": "1", "weeks": "1", "week": "1", **{f"kind_{i}": "away" for i in range(7)}}
    response = after_about.post("/signup/rota/custom?lang=en", data=data)
    assert response.status_code == 422
    assert "you could never come to a class" in response.data.decode()


def test_custom_rota_bad_day(after_about):
    data = {"save": "1", "weeks": "1", "week": "1", "kind_3": "party", "kind_4": "shift", "from_4": "9", "to_4": ""}
    html = after_about.post("/signup/rota/custom?lang=en", data=data).data.decode()
    for field_id in ("kind_3", "from_4", "to_4"):
        assert f'id="{field_id}-error"' in html


@pytest.mark.parametrize("content, text", [
    (b"", "Choose a file to upload."),
    (b"hello, I am not a calendar", "This is not a calendar file"),
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "This is not a calendar"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "We found no shifts"),
    (b"BEGIN:VCALENDAR\r\n" + b"X-PAD:" + b"a" * 300_000 + b"\r\nEND:VCALENDAR\r\n", "The file is too big"),
])
def test_bad_roster_files_are_rejected_with_a_clear_message(after_about, content, text):
    files = {"roster": (io.BytesIO(content), "roster.ics")} if content else {"roster": (io.BytesIO(b""), "")}
    response = after_about.post("/signup/rota/upload?lang=en", data=files, content_type="multipart/form-data")
    assert response.status_code == 422
    assert_field_error(response, "roster", text)


def test_roster_with_too_many_events(after_about):
    events = b"".join(b"BEGIN:VEVENT\r\nUID:%d@x\r\nDTSTART:20270111T080000\r\nDTEND:20270111T160000\r\nEND:VEVENT\r\n" % i
                      for i in range(501))
    content = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + events + b"END:VCALENDAR\r\n"
    response = after_about.post("/signup/rota/upload?lang=en", data={"roster": (io.BytesIO(content), "r.ics")},
                                content_type="multipart/form-data")
    assert_field_error(response, "roster", "too many events")


@pytest.mark.parametrize("row, text, field_id", [
    ({"busy_date_0": "tomorrow"}, "Write a date like", "busy_date_0"),
    ({"busy_date_0": "2020-01-01"}, "Choose a date from today", "busy_date_0"),
    ({"busy_date_1": "2099-01-01"}, "Choose a date from today", "busy_date_1"),
    ({"busy_from_0": "10:00"}, "Write a date like", "busy_date_0"),
    ({"busy_date_0": "TODAY", "busy_from_0": "18:00", "busy_to_0": "17:00"}, "The end must be later", "busy_to_0"),
    ({"busy_date_0": "TODAY", "busy_from_0": "<b>", "busy_to_0": "17:00"}, "Write the time", "busy_from_0"),
])
def test_busy_rows_reject_bad_input(after_about, row, text, field_id):
    import datetime as dt

    after_about.post("/signup/rota", data={"method": "none"})
    data = {key: value.replace("TODAY", dt.date.today().isoformat()) for key, value in row.items()}
    response = after_about.post("/signup/busy?lang=en", data=data)
    assert response.status_code == 422
    assert_field_error(response, field_id, text)


def test_forged_nonce_stores_nothing(after_about, region):
    after_about.post("/signup/rota", data={"method": "none"})
    after_about.post("/signup/busy", data={})
    after_about.get("/signup/check")
    response = after_about.post("/signup/check", data={"consent": "y", "nonce": "not-the-one"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/signup/check")
    with region.app_context():
        assert db.session.scalar(select(func.count()).select_from(Learner)) == 0
