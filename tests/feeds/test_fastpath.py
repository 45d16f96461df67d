"""Cached feeds are answered before Flask's request machinery, exactly as the view answers them."""
from __future__ import annotations

IGNORED = {"Vary", "Date"}  # Vary: Cookie comes from Flask's session handling, which the fast path skips


def headers_of(response) -> dict:
    return {name: value for name, value in response.headers.items() if name not in IGNORED}


def test_cached_feed_skips_flask_and_answers_alike(app, client, timetable):
    seen = []
    app.before_request(lambda: seen.append(1) and None)
    path = f"/feeds/l/{timetable.learner_token}.ics"
    built = client.get(path)  # through Flask: builds and caches
    assert len(seen) == 1
    fast = client.get(path)
    fresh = client.get(path, headers={"If-None-Match": built.headers["ETag"]})
    head = client.head(path)
    download = client.get(path + "?download=1")
    assert len(seen) == 1  # none of these reached Flask
    assert (fast.status_code, fast.data, headers_of(fast)) == (200, built.data, headers_of(built))
    assert fresh.status_code == 304 and fresh.data == b""
    assert head.status_code == 200 and head.data == b"" and head.headers["Content-Length"] == str(len(built.data))
    assert download.headers["Content-Disposition"] == 'attachment; filename="nortime-learner.ics"'
    assert client.get("/healthz").status_code == 200 and len(seen) == 2


def test_revocation_beats_a_cached_304(app, client, timetable):
    from nortime.db import db
    from nortime.models import FeedToken, utcnow

    path = f"/feeds/l/{timetable.learner_token}.ics"
    etag = client.get(path).headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    with app.app_context():
        db.session.get(FeedToken, timetable.learner_token).revoked_at = utcnow()
        db.session.commit()
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 410


def test_public_feed_language_is_part_of_the_key(client, timetable):
    path = "/feeds/venue/senja-vo.ics"
    norwegian = client.get(path)
    english = client.get(path + "?lang=en")
    assert client.get(path + "?lang=xx").data == norwegian.data  # unknown language: bokmål
    assert english.data != norwegian.data
    assert client.get(path + "?lang=en").data == english.data
