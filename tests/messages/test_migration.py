"""The messaging migration: stored phone numbers become E.164, learners who signed up before keep session messages."""
from flask_migrate import upgrade
from sqlalchemy import text

from nortime.db import db

from ..app.test_migrations import migration_app  # noqa: F401  (a fixture: SQLite, and PostgreSQL when set)


def test_stored_phone_numbers_are_rewritten_in_e164(migration_app):  # noqa: F811
    with migration_app.app_context():
        upgrade(revision="0001_initial")
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO municipalities (number, name) VALUES ('5530', 'Senja')"))
            connection.execute(text("INSERT INTO places (id, name, municipality_number, lat, lon) "
                                    "VALUES ('finnsnes', 'Finnsnes', '5530', 69.2, 17.9)"))
            for number, phone in enumerate(("912 34 567", "+48 600-100-200", "0037061234567", "12 34", None)):
                connection.execute(text(
                    "INSERT INTO learners (access_token, name, email, phone, language, home_place_id, level, "
                    "max_travel_minutes, buffer_minutes, priority, preferred_days, consent_at, created_at) "
                    "VALUES (:token, 'L', :email, :phone, 'nb', 'finnsnes', 'A1', 60, 30, 1, '', "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                    {"token": f"token-{number:02d}-" + "x" * 20, "phone": phone, "email": "a@example.org"})
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT phone, session_messages FROM learners ORDER BY id")).all()
    assert [phone for phone, _ in rows] == ["+4791234567", "+48600100200", "+37061234567", "12 34", None]
    assert all(bool(opted) for _, opted in rows)  # they were told of cancellations before: they still are
