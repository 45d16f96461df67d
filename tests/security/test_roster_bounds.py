"""A hostile .ics roster cannot hold the server: expansion is bounded by count and by time (issue 16)."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from nortime.learners.roster_import import RosterError, roster_from_ics, roster_from_ics_within
from tests.learners.conftest import seed_region

TODAY = dt.date(2026, 12, 2)


def calendar(rule: str, start: str = "20250101T070000") -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:r@x\r\n"
            f"DTSTART:{start}\r\nDTEND:{start[:9]}150000\r\nRRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()


@pytest.mark.parametrize("rule, start", [("FREQ=MINUTELY", "20250101T070000"),
                                         ("FREQ=SECONDLY", "19700101T070000"),
                                         ("FREQ=DAILY", "19500101T070000")])
def test_a_rule_that_repeats_too_often_before_the_window_is_refused(rule, start):
    with pytest.raises(RosterError) as error:
        roster_from_ics(calendar(rule, start), today=TODAY)
    assert error.value.code == "repeats_too_often"


def test_an_old_weekly_rule_is_still_read():
    roster = roster_from_ics(calendar("FREQ=WEEKLY;BYDAY=MO,WE", "20000103T070000"), today=TODAY)
    assert [["07:00", "15:00"]] in roster.cycle


def test_a_rule_that_never_matches_is_stopped_by_the_time_limit():
    # dateutil walks day by day to the year 9999 looking for a 30 February, without yielding.
    with pytest.raises(RosterError) as error:
        roster_from_ics_within(0.5, calendar("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"), today=TODAY)
    assert error.value.code == "too_slow" and error.value.params == {"seconds": "0.5"}


def test_the_helper_process_gives_the_same_answers():
    good = calendar("FREQ=WEEKLY;BYDAY=TU", "20261201T070000")
    assert roster_from_ics_within(30, good, today=TODAY) == roster_from_ics(good, today=TODAY)
    with pytest.raises(RosterError) as error:
        roster_from_ics_within(30, calendar("FREQ=MINUTELY"), today=TODAY)
    assert error.value.code == "repeats_too_often" and error.value.params == {"limit": 20_000}


@pytest.fixture
def signup_started(tmp_path, monkeypatch):
    from nortime.extensions import limiter
    from tests.conftest import empty_all_tables, make_app

    app = make_app(tmp_path, monkeypatch, RATELIMIT_ENABLED=True, ROSTER_IMPORT_SECONDS=1.0)
    seed_region(app)
    with app.app_context():
        limiter.reset()
    client = app.test_client()
    response = client.post("/signup", data={"name": "Anna Nowak", "email": "anna@example.org", "phone": "",
                                            "language": "pl", "home": "silsand", "right": "no", "level": "A2",
                                            "travel": "30", "days": ["sat"]})
    assert response.status_code == 302
    yield client
    with app.app_context():
        limiter.reset()
    empty_all_tables(app)


def upload(client, data: bytes):
    return client.post("/signup/rota/upload?lang=en", data={"roster": (io.BytesIO(data), "r.ics")},
                       content_type="multipart/form-data")


def test_a_hostile_upload_gets_a_message_saying_what_to_fix_and_uploads_are_rate_limited(signup_started):
    slow = upload(signup_started, calendar("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"))
    assert slow.status_code == 422
    assert "took too long" in slow.get_data(as_text=True) and "Export only your shifts" in slow.get_data(as_text=True)
    often = upload(signup_started, calendar("FREQ=SECONDLY", "19700101T070000"))
    assert often.status_code == 422 and "repeats too often" in often.get_data(as_text=True)
    answers = [upload(signup_started, b"not a calendar").status_code for _ in range(9)]
    assert answers[:8] == [422] * 8 and answers[8] == 429
