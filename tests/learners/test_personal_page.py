"""The personal page: status, reasons, edits, withdraw, download, delete (feeds go 410), link by e-mail."""
import datetime as dt
import json
import re

from sqlalchemy import func, select

from nortime import outbox
from nortime.db import db
from nortime.models import (FeedToken, Group, GroupSlot, Learner, Placement, Plan, Provider, SessionChange, Term,
                            Unplacement, Venue)


def publish_plan(app, token, placed: bool):
    with app.app_context():
        learner = db.session.scalars(select(Learner).where(Learner.access_token == token)).one()
        provider = db.session.scalars(select(Provider).where(Provider.slug == "mtvo")).one()
        term = db.session.scalars(select(Term).where(Term.provider_id == provider.id)).one()
        plan = Plan(provider=provider, term=term, status="published", published_at=dt.datetime(2027, 1, 1))
        db.session.add(plan)
        db.session.flush()
        if placed:
            venue = db.session.scalars(select(Venue).where(Venue.slug == "finnsnes-vo")).one()
            course = next(c for c in provider.courses if c.level == "A2")
            group = Group(plan=plan, key="mtvo-a2-finnsnes-vo-1", course=course, venue=venue, sessions=38)
            group.slots = [GroupSlot(day="thu", weekday=3, start=dt.time(18, 0))]
            group.changes = [SessionChange(occurrence_date=dt.date(2027, 1, 14), kind="cancelled",
                                           reason="Teacher ill")]
            db.session.add(group)
            db.session.flush()
            db.session.add(Placement(plan_id=plan.id, group=group, learner_id=learner.id, attendable_share=0.92))
        else:
            db.session.add(Unplacement(plan_id=plan.id, learner_id=learner.id, reasons=[
                {"code": "rota_conflict", "message": "...",
                 "details": {"slots": [{"day": "tue", "start": "18:00"}], "venue": "finnsnes-vo"}},
                {"code": "no_venue_in_reach", "details": {}}]))
        db.session.commit()


def test_waiting_before_any_plan_in_the_learners_language(region, learner_token, client):
    page = client.get(f"/me/{learner_token}")
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "private, no-store"
    assert 'lang="pl"' in page.data.decode()  # the learner's saved language
    english = client.get(f"/me/{learner_token}?lang=en").data.decode()
    assert "Waiting for the next plan." in english


def test_placed_shows_group_sessions_share_and_feeds(region, learner_token, client):
    publish_plan(region, learner_token, placed=True)
    page = client.get(f"/me/{learner_token}?lang=en").data.decode()
    assert "You have a place in a group." in page
    assert "Norsk A2" in page and "Storgata 22, 9300 Finnsnes" in page and "openstreetmap.org" in page
    assert "92%" in page
    assert "Cancelled" in page and "Teacher ill" in page
    assert "webcal://" in page and ".ics?download=1" in page


def test_unplaced_shows_reasons_and_hints(region, learner_token, client):
    publish_plan(region, learner_token, placed=False)
    page = client.get(f"/me/{learner_token}?lang=en").data.decode()
    assert "Tuesday 18:00 in Finnsnes: your evening shifts in week 2 of your rota." in page
    assert "within 30 minutes of Silsand" in page
    assert "Travelling a bit further would help" in page


def test_unknown_token_is_404(region, client):
    assert client.get("/me/" + "x" * 43).status_code == 404
    assert client.get("/me/short").status_code == 404


def test_edit_details_and_bad_input_stores_nothing(region, learner_token, client):
    bad = client.post(f"/me/{learner_token}/details?lang=en", data={
        "name": "<script>alert(1)</script>", "email": "anna@example.org", "language": "pl", "home": "silsand",
        "right": "yes", "level": "B1", "travel": "45"})
    assert bad.status_code == 422
    assert "&lt;script&gt;" not in bad.data.decode().split("<main")[1] or "Your name cannot contain" in bad.data.decode()
    good = client.post(f"/me/{learner_token}/details", data={
        "name": "Anna N.", "email": "anna@example.org", "language": "pl", "home": "finnsnes",
        "right": "no", "level": "B1", "travel": "45", "days": ["mon", "sat"]})
    assert good.status_code == 302
    with region.app_context():
        learner = db.session.scalars(select(Learner)).one()
        assert (learner.name, learner.level, learner.home_place_id, learner.max_travel_minutes) == \
            ("Anna N.", "B1", "finnsnes", 45)
        assert learner.provider.slug == "fu-nord" and learner.preferred_days == "mon,sat"


def test_edit_rota_replaces_it_only_on_save(region, learner_token, client):
    base = f"/me/{learner_token}"
    assert client.post(f"{base}/rota", data={"method": "office"}).headers["Location"].endswith(
        f"{base}/rota/preset/office")
    client.post(f"{base}/rota/preset/office", data={"day_from": "08:00", "day_to": "16:00", "week": "1"})
    client.post(f"{base}/busy", data={"busy_date_0": (dt.date.today() + dt.timedelta(days=3)).isoformat(),
                                      "busy_from_0": "17:00", "busy_to_0": "21:00"})
    with region.app_context():
        assert db.session.scalars(select(Learner)).one().rota.preset == "health_3week"
    assert client.get(f"{base}/rota/check").status_code == 200
    assert client.post(f"{base}/rota/check").status_code == 302
    with region.app_context():
        learner = db.session.scalars(select(Learner)).one()
        assert learner.rota.preset == "office" and len(learner.rota.cycle) == 7
        assert len(learner.busy_periods) == 1 and learner.busy_periods[0].start.hour == 17


def test_withdraw_and_come_back(region, learner_token, client):
    assert client.post(f"/me/{learner_token}/withdraw").status_code == 302
    with region.app_context():
        assert db.session.scalars(select(Learner)).one().withdrawn_at is not None
    assert "You have left the course list." in client.get(f"/me/{learner_token}?lang=en").data.decode()
    client.post(f"/me/{learner_token}/withdraw", data={"undo": "1"})
    with region.app_context():
        assert db.session.scalars(select(Learner)).one().withdrawn_at is None


def test_download_all_data_as_json(region, learner_token, client):
    response = client.get(f"/me/{learner_token}/data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["learner"]["email"] == "anna@example.org"
    assert len(data["rota"]["cycle"]) == 21


def test_delete_removes_learner_and_revokes_feeds(region, learner_token, client):
    publish_plan(region, learner_token, placed=True)
    with region.app_context():
        learner = db.session.scalars(select(Learner)).one()
        db.session.add(FeedToken(owner_kind="learner", learner_id=learner.id, token="feed-token-for-anna-123456"))
        db.session.commit()
    assert client.post(f"/me/{learner_token}/delete").status_code == 422  # the box is not ticked
    response = client.post(f"/me/{learner_token}/delete", data={"sure": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/deleted")
    with region.app_context():
        assert db.session.scalar(select(func.count()).select_from(Learner)) == 0
        assert db.session.scalar(select(func.count()).select_from(Placement)) == 0
        feed = db.session.get(FeedToken, "feed-token-for-anna-123456")
        assert feed.revoked_at is not None and feed.learner_id is None
    assert client.get(f"/me/{learner_token}").status_code == 404
    assert client.get("/feeds/l/feed-token-for-anna-123456.ics").status_code == 410


def test_lost_link_mails_the_link_in_the_learners_language_and_reveals_nothing(region, learner_token, client,
                                                                               smtp_server):
    controller, inbox = smtp_server
    region.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    known = client.post("/me", data={"contact": "ANNA@example.org"})
    unknown = client.post("/me", data={"contact": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    with region.app_context():
        outbox.deliver_due()
    [message] = inbox.messages
    assert message["To"] == "anna@example.org"
    body = message.get_content()
    assert f"/me/{learner_token}" in body
    assert "Cześć Anna Nowak" in body and message["Subject"] == "Twoja strona w nortime"  # the learner's language
    empty = client.post("/me", data={"contact": ""})
    assert empty.status_code == 422


def test_link_requests_are_rate_limited_with_a_friendly_page(tmp_path, monkeypatch):
    from nortime import create_app
    from nortime.extensions import limiter

    monkeypatch.setenv("NORTIME_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": True, "SERVER_NAME": "nortime.test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'limit.sqlite'}"})
    with app.app_context():
        db.create_all()
        limiter.reset()
    client = app.test_client()
    answers = [client.post("/me?lang=en", data={"contact": f"person{i}@example.org"}).status_code for i in range(6)]
    assert answers[:5] == [302] * 5
    assert answers[5] == 429
    page = client.post("/me?lang=en", data={"contact": "x@example.org"})
    assert page.status_code == 429 and "Please wait a little" in page.data.decode()
    with app.app_context():
        limiter.reset()


def test_edit_rota_by_custom_cycle_and_by_roster_file(region, learner_token, client):
    import io

    base = f"/me/{learner_token}"
    assert client.post(f"{base}/rota", data={"method": "custom"}).headers["Location"].endswith(f"{base}/rota/custom")
    response = client.post(f"{base}/rota/custom?weeks=1", data={"save": "1", "weeks": "1", "week": "1",
                                                                "kind_5": "away"})
    assert response.headers["Location"].endswith(f"{base}/busy")
    client.post(f"{base}/busy", data={})
    client.post(f"{base}/rota/check")
    with region.app_context():
        rota = db.session.scalars(select(Learner)).one().rota
        assert rota.preset == "custom" and rota.cycle == [[], [], [], [], [], "away", []]
    roster = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:1@t\r\n"
              b"DTSTART:20270112T070000\r\nDTEND:20270112T150000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    response = client.post(f"{base}/rota/upload", data={"roster": (io.BytesIO(roster), "r.ics")},
                           content_type="multipart/form-data")
    assert response.headers["Location"].endswith(f"{base}/rota/repeat")
    assert client.post(f"{base}/rota/repeat").headers["Location"].endswith(f"{base}/busy")
    client.post(f"{base}/busy", data={})
    assert client.post(f"{base}/rota/check").status_code == 302
    with region.app_context():
        rota = db.session.scalars(select(Learner)).one().rota
        assert rota.preset == "ics" and rota.cycle == [[], [["07:00", "15:00"]], [], [], [], [], []]
    # Another learner's page cannot use this learner's draft, and a wrong token is 404 on every step.
    assert client.get("/me/" + "y" * 43 + "/rota/custom").status_code == 404


def test_changing_a_preset_rota_starts_from_the_stored_times_and_week(region, learner_token, client):
    import datetime as dt

    from nortime.rota_presets import build_rota

    monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
    with region.app_context():
        learner = db.session.scalars(select(Learner)).one()
        rota = build_rota("health_3week", monday, times={"night": ("22:15", "07:15")}, week=2)  # week 3 now
        learner.rota.anchor, learner.rota.cycle = dt.date.fromisoformat(rota["start"]), rota["cycle"]
        db.session.commit()
    page = client.get(f"/me/{learner_token}/rota/preset/health_3week").data.decode()
    assert 'value="22:15"' in page and 'value="07:15"' in page
    assert '<option value="3" selected>' in page


def test_placed_page_names_the_group_in_words_and_explains_subscribing_per_phone(region, learner_token, client):
    publish_plan(region, learner_token, placed=True)
    page = client.get(f"/me/{learner_token}?lang=en").data.decode()
    assert "mtvo-a2-finnsnes-vo-1" not in page
    assert "Norsk A2 · Midt-Troms voksenopplæring Finnsnes · Thursday" in page
    for heading in ("iPhone or iPad", "Android phone or Google Calendar", "Outlook"):
        assert f"<h4>{heading}</h4>" in page
    assert re.search(r'id="feed-address" type="text" readonly dir="ltr" value="https?://[^"]+\.ics', page)


def edit_rota_to(client, token, days: dict) -> str:
    base = f"/me/{token}"
    client.post(f"{base}/rota/custom", data={"save": "1", "weeks": "1", "shown": "1", "week": "1", **days})
    client.post(f"{base}/busy", data={})
    return client.get(f"{base}/rota/check?lang=en").data.decode()


def test_after_a_rota_edit_the_page_says_at_once_whether_the_group_still_fits(region, learner_token, client):
    publish_plan(region, learner_token, placed=True)
    base = f"/me/{learner_token}"
    thursday_evenings = {"kind_3": "shift", "from_3": "14:00", "to_3": "22:00"}
    check = edit_rota_to(client, learner_token, thursday_evenings)
    assert "With this rota you can come to only 0% of your group&#39;s coming lessons, and 75% are needed." in check
    assert "once you save, your page shows the groups that fit." in check
    saved = client.post(f"{base}/rota/check", follow_redirects=True).data.decode()
    assert "Your group no longer fits: you can come to 0% of its coming lessons, and 75% are needed." in saved
    # Every lesson not cancelled is marked with what clashes.
    assert saved.count('class="session-confirmed session-clash"') == saved.count("session-confirmed")
    assert re.search(r'Your rota: you work <bdi dir="ltr">14:00\W+22:00</bdi>\.', saved)
    assert "Your rota clashes with" in saved

    office = {f"kind_{d}": "shift" for d in range(5)} | {f"from_{d}": "08:00" for d in range(5)} \
        | {f"to_{d}": "16:00" for d in range(5)}
    assert "Your group still fits your rota: you can come to 100% of its coming lessons (75% needed)." \
        in edit_rota_to(client, learner_token, office)
    saved = client.post(f"{base}/rota/check", follow_redirects=True).data.decode()
    assert "Your group still fits your rota" in saved and "session-clash" not in saved
