"""Feeds speak their owner's language; pages get webcal/https/download subscribe links."""
from __future__ import annotations


def unfolded(response) -> str:
    return response.get_data(as_text=True).replace("\r\n ", "")


def test_learner_feed_in_the_learners_language(app, client, timetable):
    from nortime.db import db
    from nortime.models import Learner

    path = f"/feeds/l/{timetable.learner_token}.ics"
    english = unfolded(client.get(path, headers={"Accept-Language": "nb"}))
    assert "February 1\\, 2027" in english  # the moved session's original date, in English
    with app.app_context():
        db.session.get(Learner, timetable.learner_id).language = "nb"
        db.session.commit()
    norwegian = unfolded(client.get(path, headers={"Accept-Language": "en"}))
    assert "1. februar 2027" in norwegian
    # Public feeds: bokmål unless ?lang= asks for another of nortime's languages.
    assert "1. februar 2027" in unfolded(client.get("/feeds/venue/senja-vo.ics"))
    assert "February 1\\, 2027" in unfolded(client.get("/feeds/venue/senja-vo.ics?lang=en"))


def test_subscribe_links_macro_uses_base_url_not_the_request_host(app, timetable):
    from flask import render_template_string

    from nortime.db import db
    from nortime.models import Learner

    app.config["BASE_URL"] = "https://kurs.example.no"
    with app.app_context(), app.test_request_context("/", base_url="https://attacker.example"):
        learner = db.session.get(Learner, timetable.learner_id)
        html = render_template_string(
            '{% from "feeds/subscribe.html" import subscribe_links %}'
            '{{ subscribe_links(feed_urls("learner", learner)) }}', learner=learner)
    path = f"kurs.example.no/feeds/l/{timetable.learner_token}.ics"
    assert f'href="webcal://{path}"' in html
    assert f'value="https://{path}"' in html
    assert f'href="https://{path}?download=1"' in html
    assert "attacker" not in html


def test_issue_feed_token_makes_a_token_when_the_owner_has_none(app, client, timetable):
    import pytest

    from nortime.db import db
    from nortime.models import FeedToken, Teacher, utcnow
    from nortime.services.timetable import feed_urls, issue_feed_token

    with app.app_context():
        db.session.get(FeedToken, timetable.teacher_token).revoked_at = utcnow()
        db.session.commit()
        teacher = db.session.get(Teacher, timetable.teacher_id)
        with pytest.raises(LookupError):  # building a link never writes: a page may call it while rendering
            feed_urls("teacher", teacher)
        assert db.session.scalar(db.select(db.func.count()).select_from(FeedToken)) == 2
        urls = feed_urls("teacher", issue_feed_token(teacher))
    assert timetable.teacher_token not in urls["https"]
    path = urls["https"].split("nortime.test", 1)[1]
    assert client.get(path).status_code == 200
    assert client.get(f"/feeds/t/{timetable.teacher_token}.ics").status_code == 410
