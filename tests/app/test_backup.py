"""`flask backup FILE` and `flask restore FILE`: the same rows and byte-identical feeds after a wipe.

Runs on the test database: SQLite by default, PostgreSQL with NORTIME_TEST_DATABASE_URL.
"""
import stat
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from nortime.db import db

FEEDS_DIR = str(Path(__file__).resolve().parents[1] / "feeds")
if FEEDS_DIR not in sys.path:
    sys.path.insert(0, FEEDS_DIR)

from feed_fixture import build_timetable  # noqa: E402


@pytest.fixture
def timetable(app):
    with app.app_context():
        return build_timetable()


def feed_addresses(timetable) -> list[str]:
    return [f"/feeds/l/{timetable.learner_token}.ics",
            f"/feeds/group/{timetable.provider_slug}/{timetable.group_key}.ics",
            f"/feeds/venue/{timetable.venue_slug}.ics",
            f"/feeds/provider/{timetable.provider_slug}.ics"]


def feeds(app, timetable) -> list[bytes]:
    client = app.test_client()
    answers = [client.get(address) for address in feed_addresses(timetable)]
    assert all(answer.status_code == 200 for answer in answers)
    return [answer.data for answer in answers]


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        counts = {table.name: db.session.scalar(select(func.count()).select_from(table))
                  for table in db.metadata.sorted_tables}
        db.session.remove()
        return counts


def wipe(app) -> None:
    from nortime.feeds import cache

    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()
    cache.bump()  # so that the feeds below are really built from the restored rows


def test_backup_wipe_restore_gives_the_same_rows_and_feeds(app, runner, timetable, tmp_path):
    before_feeds, before_counts = feeds(app, timetable), row_counts(app)
    assert before_counts["learners"] == 1 and before_counts["calendar_series"] > 0
    target = tmp_path / "nightly.backup"

    done = runner.invoke(args=["backup", str(target)])
    assert done.exit_code == 0, done.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # personal data inside

    wipe(app)
    assert set(row_counts(app).values()) == {0}
    assert app.test_client().get(feed_addresses(timetable)[0]).status_code == 404

    done = runner.invoke(args=["restore", "--yes", str(target)])
    assert done.exit_code == 0, done.output
    assert row_counts(app) == before_counts
    assert feeds(app, timetable) == before_feeds


def test_restore_asks_first(app, runner, timetable, tmp_path):
    target = tmp_path / "b.backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    done = runner.invoke(args=["restore", str(target)], input="n\n")
    assert done.exit_code != 0 and "Aborted" in done.output


def other_kind_of_backup(app, tmp_path) -> Path:
    """A valid backup of the other database engine, with nortime's tables."""
    import sqlite3

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        path = tmp_path / "postgres.dump"
        path.write_bytes(b"PGDMP\x01\x0e\x00\x04\x08\x01\x01\x01" + b"\x00" * 200)
    else:
        path = tmp_path / "sqlite.backup"
        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE learners (id INTEGER PRIMARY KEY)")
        connection.commit()
        connection.close()
    return path


def refused(app, runner, path, *words):
    counts = row_counts(app)
    done = runner.invoke(args=["restore", "--yes", str(path)])
    assert done.exit_code != 0
    for word in words:
        assert word in done.output
    assert "Traceback" not in done.output
    assert row_counts(app) == counts


def test_restore_refuses_a_backup_of_the_other_engine(app, runner, timetable, tmp_path):
    refused(app, runner, other_kind_of_backup(app, tmp_path), "backup, but this nortime uses")


def test_restore_refuses_a_file_that_is_no_backup(app, runner, timetable, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("learners\n")
    refused(app, runner, path, "is not a nortime backup")


def test_restore_refuses_another_applications_database(app, runner, timetable, tmp_path):
    import sqlite3

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("a foreign PostgreSQL dump would need a second database")
    path = tmp_path / "other.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    connection.commit()
    connection.close()
    refused(app, runner, path, "not nortime's")


@pytest.mark.parametrize("damage", ["truncated", "zeroed"])
def test_a_damaged_backup_changes_nothing(app, runner, timetable, tmp_path, damage):
    """A restore that fails half-way leaves the database as it was, rows and feeds."""
    target = tmp_path / "full.backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    damaged = tmp_path / "damaged.backup"
    data = target.read_bytes()
    cut = len(data) * 2 // 3
    # Zeroes keep the header and table of contents readable, so the restore starts and fails inside.
    damaged.write_bytes(data[:cut] if damage == "truncated" else data[:cut] + bytes(len(data) - cut))
    before_feeds = feeds(app, timetable)
    with app.app_context():
        from nortime.models import Learner

        db.session.scalars(select(Learner)).one().name = "Changed after the backup"
        db.session.commit()
    refused(app, runner, damaged)
    with app.app_context():
        assert db.session.scalars(select(Learner)).one().name == "Changed after the backup"
        db.session.remove()
    assert feeds(app, timetable)[1:] == before_feeds[1:]


@pytest.fixture
def unrestorable_table(app):
    """On PostgreSQL: a table whose dumped rows break its own CHECK on restore, after nortime's tables."""
    from sqlalchemy import text

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL only: pg_restore runs statement by statement")
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("CREATE FUNCTION zz_ok() RETURNS boolean LANGUAGE sql AS 'SELECT true'"))
            connection.execute(text("CREATE TABLE zz_restored_last (x int CHECK (zz_ok()))"))
            connection.execute(text("INSERT INTO zz_restored_last VALUES (1)"))
            connection.execute(text("CREATE OR REPLACE FUNCTION zz_ok() RETURNS boolean LANGUAGE sql AS 'SELECT false'"))
    yield
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS zz_restored_last"))
            connection.execute(text("DROP FUNCTION IF EXISTS zz_ok()"))


def test_a_restore_failing_half_way_rolls_back(app, runner, timetable, unrestorable_table, tmp_path):
    from nortime.models import Learner

    target = tmp_path / "fails-late.backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    with app.app_context():
        db.session.scalars(select(Learner)).one().name = "Changed after the backup"
        db.session.commit()
    refused(app, runner, target, "rolled back")
    with app.app_context():
        assert db.session.scalars(select(Learner)).one().name == "Changed after the backup"
        db.session.remove()
