"""HTTP behaviour of the feeds: headers, conditional GETs, private tokens, every feed kind."""
from __future__ import annotations

import datetime as dt

from werkzeug.http import http_date


def learner_path(timetable) -> str:
    return f"/feeds/l/{timetable.learner_token}.ics"


def test_plain_get_and_head(client, timetable):
    response = client.get(learner_path(timetable), headers={"Accept": ""})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Content-Disposition" not in response.headers
    assert "Set-Cookie" not in response.headers
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    head = client.head(learner_path(timetable))
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == etag
    assert head.headers["Content-Type"] == "text/calendar; charset=utf-8"
    download = client.get(learner_path(timetable) + "?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert timetable.learner_token not in download.headers["Content-Disposition"]
    assert download.data == response.data


def test_conditional_requests(client, timetable):
    path = learner_path(timetable)
    first = client.get(path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    not_modified = client.get(path, headers={"If-None-Match": etag})
    assert not_modified.data == b"" and not_modified.headers["ETag"] == etag
    # If-None-Match decides when present, whatever If-Modified-Since says.
    assert client.get(path, headers={"If-None-Match": '"other"', "If-Modified-Since": modified}).status_code == 200
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    later = http_date(first.last_modified + dt.timedelta(days=1))
    earlier = http_date(first.last_modified - dt.timedelta(seconds=1))
    assert client.get(path, headers={"If-Modified-Since": later}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": earlier}).status_code == 200
    for garbage in ("yesterday", "Fri, 99 Nov 2026 25:61:00 GMT", ""):
        assert client.get(path, headers={"If-Modified-Since": garbage}).status_code == 200


def test_changes_give_new_etag_and_later_last_modified(app, client, timetable):
    from nortime.db import db
    from nortime.models import SessionChange

    path = learner_path(timetable)
    first = client.get(path)
    again = client.get(path)
    assert (again.headers["ETag"], again.data) == (first.headers["ETag"], first.data)
    with app.app_context():
        db.session.add(SessionChange(group_id=timetable.group_id, occurrence_date=dt.date(2027, 4, 5),
                                     kind="cancelled", reason="Påskeferie forlenget"))
        db.session.commit()
    changed = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert changed.last_modified >= first.last_modified
    assert "Påskeferie forlenget" in changed.get_data(as_text=True).replace("\r\n ", "")


def test_private_tokens_404_410(app, client, timetable):
    from nortime.db import db
    from nortime.models import FeedToken, utcnow

    assert client.get(learner_path(timetable)).status_code == 200
    assert client.get(f"/feeds/t/{timetable.teacher_token}.ics").status_code == 200
    assert client.get("/feeds/l/never-issued-token-aaaaaaaaaaaaaaaaaaaaaaaaaaa.ics").status_code == 404
    assert client.get(f"/feeds/t/{timetable.learner_token}.ics").status_code == 404  # wrong kind
    with app.app_context():
        db.session.get(FeedToken, timetable.learner_token).revoked_at = utcnow()
        db.session.commit()
    gone = client.get(learner_path(timetable))
    assert gone.status_code == 410
    assert b"BEGIN:VCALENDAR" not in gone.data
    assert client.get(f"/feeds/t/{timetable.teacher_token}.ics").status_code == 200


def test_public_feeds_of_every_kind(client, timetable):
    for path in ("/feeds/group/nord/a2-finnsnes-1.ics", "/feeds/venue/senja-vo.ics",
                 "/feeds/municipality/5530.ics", "/feeds/provider/nord.ics"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.data.count(b"BEGIN:VEVENT") == 5, path
        assert response.headers["Cache-Control"].startswith("public")
    for path in ("/feeds/group/nord/no-such-group.ics", "/feeds/group/nobody/a2-finnsnes-1.ics",
                 "/feeds/venue/nowhere.ics", "/feeds/municipality/9999.ics", "/feeds/provider/nobody.ics"):
        assert client.get(path).status_code == 404, path


def test_teacher_feed_shows_their_groups(client, timetable):
    response = client.get(f"/feeds/t/{timetable.teacher_token}.ics")
    assert response.status_code == 200
    assert response.data.count(b"BEGIN:VEVENT") == 5
    assert response.headers["Cache-Control"].startswith("private")
