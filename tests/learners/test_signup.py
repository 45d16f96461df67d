"""The whole sign-up through the server-side steps, with a preset, a custom cycle and an .ics roster."""
import re

import pytest
from sqlalchemy import func, select

from nortime import outbox
from nortime.db import db
from nortime.models import Learner

ABOUT = {"name": "Anna Nowak", "email": "anna@example.org", "phone": "", "language": "pl", "home": "silsand",
         "right": "no", "level": "A2", "travel": "30", "days": ["sat"]}


def count_learners(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Learner))


def start(client, **changes):
    response = client.post("/signup", data={**ABOUT, **changes})
    assert response.status_code == 302, response.data.decode()
    assert response.headers["Location"].endswith("/signup/rota")
    return response


def finish(client, **confirm):
    page = client.get("/signup/check?lang=en")
    assert page.status_code == 200
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', page.data.decode()).group(1)
    return client.post("/signup/check", data={"consent": "y", "nonce": nonce, **confirm}), page


def test_health_rota_sign_up_stores_one_learner_with_provider_and_rota(region, client):
    start(client)
    assert client.post("/signup/rota", data={"method": "health_3week"}).headers["Location"].endswith(
        "/signup/rota/preset/health_3week")
    response = client.post("/signup/rota/preset/health_3week", data={
        "day_from": "07:00", "day_to": "15:00", "evening_from": "15:00", "evening_to": "23:00",
        "night_from": "22:45", "night_to": "07:15", "week": "2"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/signup/busy")
    assert client.post("/signup/busy", data={"busy_date_0": "2099-01-01"}).status_code == 422  # too far ahead
    response = client.post("/signup/busy", data={})
    assert response.headers["Location"].endswith("/signup/check")
    assert count_learners(region) == 0  # nothing stored before the last step
    response, page = finish(client)
    assert "Courses that fit your rota" in page.data.decode()
    assert response.status_code == 302 and "/welcome" in response.headers["Location"]
    with region.app_context():
        learner = db.session.scalars(select(Learner)).one()
        assert learner.provider.slug == "fu-nord"  # no right to free training
        assert learner.language == "pl" and learner.level == "A2" and learner.preferred_days == "sat"
        assert learner.rota.preset == "health_3week"
        assert len(learner.rota.cycle) == 21
        assert ["15:00", "23:00"] in learner.rota.cycle[2]
        token = learner.access_token
    page = client.get(f"/me/{token}")
    assert page.status_code == 200


def test_double_submission_creates_one_learner(region, client):
    start(client, right="yes")
    client.post("/signup/rota", data={"method": "none"})
    client.post("/signup/busy", data={})
    page = client.get("/signup/check").data.decode()
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', page).group(1)
    first = client.post("/signup/check", data={"consent": "y", "nonce": nonce})
    second = client.post("/signup/check", data={"consent": "y", "nonce": nonce})
    assert first.status_code == 302
    assert second.status_code == 302
    assert second.headers["Location"].split("?")[0] == first.headers["Location"].split("?")[0]  # the same page
    assert count_learners(region) == 1
    with region.app_context():
        learner = db.session.scalars(select(Learner)).one()
        assert learner.provider.slug == "mtvo" and learner.rota is None


def test_consent_is_required(region, client):
    start(client)
    client.post("/signup/rota", data={"method": "none"})
    client.post("/signup/busy", data={})
    page = client.get("/signup/check").data.decode()
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/signup/check?lang=en", data={"nonce": nonce})
    assert response.status_code == 422
    assert "You must agree" in response.data.decode()
    assert count_learners(region) == 0


def test_custom_cycle_day_by_day(region, client):
    start(client)
    assert client.post("/signup/rota", data={"method": "custom"}).headers["Location"].endswith("/signup/rota/custom")
    page = client.get("/signup/rota/custom?weeks=2")
    assert page.data.decode().count('name="kind_') == 14
    data = {"save": "1", "weeks": "2", "week": "1", "kind_0": "shift", "from_0": "06:00", "to_0": "14:00",
            "kind_1": "shift", "from_1": "22:00", "to_1": "06:00", "kind_7": "away"}
    response = client.post("/signup/rota/custom?weeks=2", data=data)
    assert response.status_code == 302
    finish(client)
    with region.app_context():
        rota = db.session.scalars(select(Learner)).one().rota
        assert rota.preset == "custom" and len(rota.cycle) == 14
        assert rota.cycle[0] == [["06:00", "14:00"]] and rota.cycle[1] == [["22:00", "06:00"]]
        assert rota.cycle[7] == "away" and rota.cycle[2] == []
        assert rota.anchor.weekday() == 0


def test_ics_roster_upload(region, client, tmp_path):
    import io

    start(client)
    roster = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:1@t\r\n"
              b"DTSTART;TZID=Europe/Oslo:20270111T143000\r\nDTEND;TZID=Europe/Oslo:20270111T220000\r\n"
              b"RRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Kveld\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    response = client.post("/signup/rota/upload", data={"roster": (io.BytesIO(roster), "vakter.ics")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.data.decode()
    assert response.headers["Location"].endswith("/signup/rota/repeat")
    # Three Monday evenings: a weekly rota.
    page = client.get("/signup/rota/repeat?lang=en").data.decode()
    assert "Your rota repeats every week." in page
    response = client.post("/signup/rota/repeat", data={"period": "7"})
    assert response.headers["Location"].endswith("/signup/busy")
    page = client.get("/signup/check").data.decode()
    assert re.search("14:30\u2009?–\u2009?22:00", page)  # CLDR's interval: English puts thin spaces round the dash
    finish(client)
    with region.app_context():
        rota = db.session.scalars(select(Learner)).one().rota
        assert rota.preset == "ics" and len(rota.cycle) == 7 and rota.cycle[0] == [["14:30", "22:00"]]


def test_five_weeks_of_a_three_week_rota_are_confirmed_as_three_weeks_or_changed(region, client):
    import datetime as dt
    import io

    from .test_rota_cycle import ics_export, preset_rota

    start(client)
    export = ics_export(preset_rota("health_3week"), dt.date(2027, 1, 13), 5)
    response = client.post("/signup/rota/upload", data={"roster": (io.BytesIO(export), "vakter.ics")},
                           content_type="multipart/form-data")
    assert response.headers["Location"].endswith("/signup/rota/repeat")
    page = client.get("/signup/rota/repeat?lang=en").data.decode()
    assert "Your rota repeats every 3 weeks." in page
    assert page.count('<td data-day=') == 28  # four weeks to check
    other = client.get("/signup/rota/repeat?period=35").data.decode()
    assert "Your rota repeats every 5 weeks." in other
    assert client.get("/signup/rota/repeat?period=999").data.decode().count("repeats every 3 weeks") == 1
    client.post("/signup/rota/repeat", data={"period": "21"})
    check = client.get("/signup/check").data.decode()
    assert "Your rota repeats every 3 weeks." in check
    finish(client)
    with region.app_context():
        rota = db.session.scalars(select(Learner)).one().rota
        assert rota.preset == "ics" and len(rota.cycle) == 21 and rota.anchor.weekday() == 0


def test_steps_out_of_order_go_back_to_the_first(region, client):
    assert client.get("/signup/rota").headers["Location"].endswith("/signup")
    assert client.get("/signup/check").headers["Location"].endswith("/signup")
    start(client)
    assert client.get("/signup/check").headers["Location"].endswith("/signup/rota")
    assert client.get("/signup/rota/preset/no-such-rota").status_code == 404


def test_sign_up_mails_the_link_in_the_chosen_language(region, client, smtp_server):
    controller, inbox = smtp_server
    region.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, BASE_URL="https://nortime.example")
    start(client)  # language "pl"
    client.post("/signup/rota", data={"method": "none"})
    client.post("/signup/busy", data={})
    response, _ = finish(client)
    assert inbox.messages == []  # the request only queued it
    with region.app_context():
        assert outbox.deliver_due().sent == 1
    [message] = inbox.messages
    with region.app_context():
        token = db.session.scalars(select(Learner)).one().access_token
    assert message["To"] == "anna@example.org"
    assert message["Subject"] == "Twoja strona w nortime"
    assert f"https://nortime.example/me/{token}" in message.get_content()
    welcome = client.get(response.headers["Location"] + "&lang=pl").data.decode()
    assert "Wysłaliśmy też link na adres anna@example.org." in welcome


def test_without_mail_the_link_is_only_on_screen(region, client, smtp_server):
    _, inbox = smtp_server
    start(client)
    client.post("/signup/rota", data={"method": "none"})
    client.post("/signup/busy", data={})
    response, _ = finish(client)
    assert inbox.messages == []
    welcome = client.get(response.headers["Location"] + "&lang=en").data.decode()
    assert "We have not sent the link by e-mail" in welcome
    assert re.search(r"/me/[A-Za-z0-9_-]{43}</a>", welcome)


def selected_kind(page: str, index: int) -> str:
    select = re.search(rf'<select id="kind_{index}".*?</select>', page, re.S).group(0)
    return re.search(r'<option value="(\w+)" selected', select).group(1)


def test_custom_builder_keeps_what_was_typed_when_the_number_of_weeks_changes(region, client):
    start(client)
    page = client.post("/signup/rota/custom", data={"weeks": "2", "show": "1", "shown": "1"}).data.decode()
    assert page.count('name="kind_') == 14
    typed = {"weeks": "1", "shown": "2", "show": "1", "kind_0": "shift", "from_0": "06:00", "to_0": "14:00",
             "kind_8": "away"}
    page = client.post("/signup/rota/custom", data=typed).data.decode()
    assert page.count('name="kind_') == 7 and 'value="06:00"' in page
    page = client.post("/signup/rota/custom", data={"weeks": "3", "shown": "1", "show": "1", "kind_0": "shift",
                                                    "from_0": "06:30", "to_0": "14:00"}).data.decode()
    assert page.count('name="kind_') == 21
    assert 'value="06:30"' in page and selected_kind(page, 0) == "shift"
    assert selected_kind(page, 8) == "away"  # week 2 came back as it was typed
    assert client.get("/signup/rota/custom").data.decode().count('name="kind_') == 21


def test_custom_builder_starts_from_the_chosen_preset(region, client):
    start(client)
    page = client.get("/signup/rota/custom?from=health_3week").data.decode()
    assert page.count('name="kind_') == 21
    assert re.search(r'<option value="3" selected>3</option>', page)
    assert selected_kind(page, 0) == "shift" and 'id="from_0" name="from_0" value="07:30"' in page
    assert selected_kind(page, 3) == "off" and selected_kind(page, 19) == "shift"  # week 3: Saturday and Sunday
    # The times typed on the preset's page come along.
    client.post("/signup/rota/preset/health_3week", data={"day_from": "07:00", "day_to": "15:00", "evening_from": "15:00",
                                                           "evening_to": "23:00", "night_from": "22:45",
                                                           "night_to": "07:15", "week": "1"})
    page = client.get("/signup/rota/custom?from=health_3week").data.decode()
    assert 'id="from_0" name="from_0" value="07:00"' in page and 'id="from_2" name="from_2" value="15:00"' in page


def test_custom_builder_errors_name_the_week_and_the_day(region, client):
    start(client)
    data = {"save": "1", "weeks": "2", "week": "1", "kind_8": "shift", "from_8": "", "to_8": "7",
            "kind_12": "shift", "from_12": "09:00", "to_12": "09:00"}
    page = client.post("/signup/rota/custom?lang=en", data=data).data.decode()
    assert "Week 2, Tuesday: write when the shift starts, like 07:30." in page
    assert "Week 2, Tuesday: write when the shift ends, like 15:30." in page
    assert "Week 2, Saturday: a shift cannot start and end at the same time." in page


def preview_page(client, rota_form: dict, **about) -> str:
    start(client, **about)
    client.post("/signup/rota/custom", data={"save": "1", "weeks": "1", "shown": "1", "week": "1", **rota_form})
    client.post("/signup/busy", data={})
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", client.get("/signup/check?lang=en").data.decode()))


def test_preview_shows_weekly_times_a_group_would_meet_and_the_minimum(region, client):
    office = {f"kind_{d}": "shift" for d in range(5)} | {f"from_{d}": "08:00" for d in range(5)} \
        | {f"to_{d}": "16:00" for d in range(5)}
    text = preview_page(client, office)
    assert "1 course fits your rota." in text
    assert "Norsk A2, Folkeuniversitetet Nord Finnsnes" in text and "Meets 2 times a week." in text
    assert "You need to come to at least 75% of the lessons." in text
    assert "Monday and Tuesday at 18:00: you can come to 100% of the lessons" in text


def test_preview_says_why_a_course_does_not_fit_the_rota(region, client):
    evenings = {f"kind_{d}": "shift" for d in range(4)} | {f"from_{d}": "14:00" for d in range(4)} \
        | {f"to_{d}": "22:00" for d in range(4)}
    text = preview_page(client, evenings)
    assert "None of the courses within your travel time fit well with this rota." in text
    # Every weekday evening is a shift: the best a group could do is one weekday and Saturday, about half.
    assert re.search(r"Does not fit: your rota clashes with the lessons. At the best times "
                     r"\(\w+ 18:00 and Saturday 10:00\) you could come to only (4\d|5\d)%", text)


def test_preview_names_the_nearest_course_when_none_is_in_reach(region, client):
    text = preview_page(client, {}, home="moen")
    assert "No course is within 30 minutes of your home." in text
    assert "The nearest is Norsk A2 in Folkeuniversitetet Nord Finnsnes, 45 minutes' drive away." in text
    assert "it is 45 minutes' drive away, and you can travel up to 30 minutes" in text
    assert "We cannot check the course times" not in text
