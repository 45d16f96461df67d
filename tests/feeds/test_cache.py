"""Built bodies are reused until something a feed shows changes, in this process or another."""
from __future__ import annotations

from sqlalchemy import create_engine, text


def test_body_built_once_until_a_change(app, client, timetable, monkeypatch):
    from nortime.feeds import service

    builds = []
    real = service.build_body
    monkeypatch.setattr(service, "build_body", lambda *args: builds.append(1) or real(*args))
    path = f"/feeds/l/{timetable.learner_token}.ics"
    first = client.get(path)
    for _ in range(3):
        assert client.get(path).data == first.data
        assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert len(builds) == 1
    with app.app_context():
        service.invalidate_feeds()
    assert client.get(path).data == first.data  # rebuilt, same bytes
    assert len(builds) == 2


def test_changes_by_another_process_are_seen(app, client, timetable, monkeypatch):
    """Rows written through another connection (another worker, a CLI command) bypass this
    process's session events; the database stamp catches them."""
    from nortime.feeds import cache

    monkeypatch.setattr(cache, "STAMP_SECONDS", 0.0)
    path = f"/feeds/l/{timetable.learner_token}.ics"
    before = client.get(path)
    assert before.status_code == 200
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with other.begin() as connection:
        connection.execute(text(
            "INSERT INTO session_changes (group_id, occurrence_date, kind, reason, created_at) "
            "VALUES (:group, '2027-01-11', 'cancelled', 'Snøstorm', '2026-11-01 10:00:00')"),
            {"group": timetable.group_id})
    after = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "Snøstorm" in after.get_data(as_text=True).replace("\r\n ", "")
    with other.begin() as connection:
        connection.execute(text("UPDATE feed_tokens SET revoked_at = '2026-11-02 10:00:00' WHERE token = :token"),
                           {"token": timetable.learner_token})
    other.dispose()
    assert client.get(path).status_code == 410
