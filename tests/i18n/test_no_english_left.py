"""A person who reads only Polish or Arabic meets no English on the learner pages, from sign-up to deletion."""
from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

FOLDER = Path(__file__).resolve().parents[2] / "nortime" / "translations"


def english_sentences(language: str) -> list[str]:
    """Source texts long enough to recognise, whose translation differs from the English."""
    with open(FOLDER / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale=language)
    found = []
    for message in catalog:
        if isinstance(message.id, str) and message.id and message.string != message.id:
            plain = re.split(r"%\(\w+\)[sd]", message.id)  # the fixed parts around the placeholders
            found += [part.strip() for part in plain if len(part.strip()) >= 18]
    return found


def seed(app):
    from nortime.db import db
    from nortime.demo import load_demo

    with app.app_context():
        load_demo(learners=5, seed=1)
        db.session.commit()


def visible_text(page: bytes) -> str:
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page.decode(), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


@pytest.mark.parametrize("language", ["pl", "ar", "ti", "fa_AF"])
def test_whole_learner_journey_has_no_english(app, client, language):
    from nortime.db import db
    from nortime.models import Group, GroupSlot, Learner, Placement, Plan, Term

    seed(app)
    pages = [client.get(f"/?lang={language}"), client.get("/privacy"), client.get("/me"),
             client.post("/me", data={"contact": ""}), client.get("/signup"), client.post("/signup", data={})]
    about = {"name": "Test", "email": "t@example.org", "language": language, "home": "finnsnes", "right": "yes",
             "level": "A2", "travel": "30"}
    client.post("/signup", data=about)
    pages += [client.get("/signup/rota"), client.get("/signup/rota/preset/health_3week"),
              client.post("/signup/rota/preset/health_3week", data={"day_from": "x"}),
              client.get("/signup/rota/preset/offshore_14_28"), client.get("/signup/rota/custom?weeks=1"),
              client.post("/signup/rota/custom?weeks=1", data={"save": "1", "kind_0": "shift"}),
              client.get("/signup/rota/upload"), client.post("/signup/rota/upload", data={})]
    client.post("/signup/rota/preset/health_3week", data={
        "day_from": "07:30", "day_to": "15:00", "evening_from": "14:30", "evening_to": "22:00",
        "night_from": "21:45", "night_to": "07:45", "week": "1"})
    pages += [client.get("/signup/busy"), client.post("/signup/busy", data={"busy_date_0": "2000-01-01"})]
    client.post("/signup/busy", data={})
    check = client.get("/signup/check")
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', check.data.decode()).group(1)
    pages += [check, client.post("/signup/check", data={"nonce": nonce})]
    done = client.post("/signup/check", data={"nonce": nonce, "consent": "y"})
    token = re.search(r"/me/([^/]+)/welcome", done.headers["Location"]).group(1)
    pages += [client.get(f"/me/{token}/welcome"), client.get(f"/me/{token}")]
    with app.app_context():
        learner = db.session.scalars(select(Learner).where(Learner.access_token == token)).one()
        term = db.session.scalars(select(Term).where(Term.provider_id == learner.provider_id)).first()
        course = next(c for c in learner.provider.courses if c.level == "A2")
        plan = Plan(provider_id=learner.provider_id, term=term, status="published", published_at=dt.datetime(2027, 1, 1))
        group = Group(plan=plan, key="g-1", course=course, venue=learner.provider.venues[0])
        group.slots = [GroupSlot(day="sat", weekday=5, start=dt.time(10, 0))]
        db.session.add_all([plan, group])
        db.session.flush()
        db.session.add(Placement(plan_id=plan.id, group=group, learner_id=learner.id, attendable_share=0.9))
        db.session.commit()
    pages += [client.get(f"/me/{token}"), client.get(f"/me/{token}/details"), client.get(f"/me/{token}/rota"),
              client.get(f"/me/{token}/withdraw"), client.get(f"/me/{token}/delete"),
              client.post(f"/me/{token}/delete", data={})]
    client.post(f"/me/{token}/delete", data={"sure": "y"})
    pages.append(client.get("/deleted"))

    sentences = english_sentences(language)
    for page in pages:
        assert page.status_code in (200, 422), page.status_code
        text = visible_text(page.data)
        assert f'lang="{language.replace("_", "-")}"' in page.data.decode()
        leaked = [sentence for sentence in sentences if sentence in text]
        assert not leaked, f"English on a {language} page: {leaked[:3]}"
