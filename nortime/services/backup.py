"""Backup and restore of the whole database, for SQLite and PostgreSQL.

SQLite: a backup is a plain SQLite file made with SQLite's online backup API,
so it is consistent while the app keeps running, and a restore copies it back
with the same API in one step (one write transaction: all or nothing).

PostgreSQL: a backup is `pg_dump --format=custom`; a restore is `pg_restore
--single-transaction --clean`, so a failing restore rolls back and leaves the
database as it was. pg_dump knows every PostgreSQL type, sequence and
constraint, which a hand-written logical dump would have to re-learn.

Both kinds of file identify themselves by their first bytes, so a restore can
refuse a file of the wrong kind before touching anything. Backups hold
personal data: they are written owner-only (0600), first to a temporary name
beside the target, so a failed backup never leaves a truncated file behind.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from ..db import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
# A table every nortime database has: a file without it is some other application's backup.
MARKER_TABLE = "learners"


class BackupError(RuntimeError):
    """The backup or restore cannot go on; nothing was changed. The message says what to do."""


def backend() -> str:
    return db.engine.url.get_backend_name()


def file_kind(path: Path) -> str | None:
    """"sqlite" or "postgresql" for the backups this module writes, else None."""
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    return None


def backup(target: str | os.PathLike) -> Path:
    """Write a consistent copy of the database to `target` (replaced when it exists)."""
    target = Path(target).resolve()
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        if backend() == "sqlite":
            _sqlite_backup(partial)
        else:
            _pg_dump(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def restore(source: str | os.PathLike) -> None:
    """Replace the whole database with the backup in `source`, or refuse and change nothing."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    kind, wanted = file_kind(source), backend()
    if kind is None:
        raise BackupError(f"{source} is not a nortime backup: it is neither a SQLite database "
                          "nor a PostgreSQL custom-format dump")
    if kind != wanted:
        raise BackupError(f"{source} is a {_label(kind)} backup, but this nortime uses {_label(wanted)}; "
                          f"restore it into a {_label(kind)} database")
    # Our own pooled connections would hold locks or old pages: close them first.
    db.session.remove()
    db.engine.dispose()
    if kind == "sqlite":
        _sqlite_restore(source)
    else:
        _pg_restore(source)
    db.engine.dispose()
    from ..feeds import cache

    cache.bump()


def _label(kind: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[kind]


# --- SQLite ------------------------------------------------------------------------


def _sqlite_path() -> str:
    database = db.engine.url.database
    if database in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return database


def _sqlite_backup(target: Path) -> None:
    source = sqlite3.connect(_sqlite_path())
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)
    finally:
        destination.close()
        source.close()


def _sqlite_restore(source: Path) -> None:
    try:
        backup_file = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            check = backup_file.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in backup_file.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            backup_file.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is not a readable SQLite database ({error}); nothing was restored") from None
    if check != "ok":
        raise BackupError(f"{source} is damaged (SQLite integrity check: {check}); nothing was restored")
    if MARKER_TABLE not in tables:
        raise BackupError(f"{source} is a SQLite database but not nortime's (it has no {MARKER_TABLE} table); "
                          "nothing was restored")
    backup_file = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    live = sqlite3.connect(_sqlite_path(), timeout=30)
    try:
        backup_file.backup(live)  # all pages in one step: one write transaction on the live file
    finally:
        live.close()
        backup_file.close()


# --- PostgreSQL ----------------------------------------------------------------------


def _libpq(url: URL) -> tuple[str, dict]:
    """The URL in libpq's form for pg_dump/pg_restore, and an environment carrying the password."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools "
                          "(e.g. apt-get install postgresql-client) in the version of the server")
    return found


def _run(arguments: list[str], environment: dict, failure: str) -> str:
    done = subprocess.run(arguments, env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        message = " ".join(done.stderr.strip().splitlines()[-3:]) or f"exit status {done.returncode}"
        raise BackupError(f"{failure}: {message}")
    return done.stdout


def _pg_dump(target: Path) -> None:
    address, environment = _libpq(make_url(db.engine.url))
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", address],
         environment, "pg_dump failed")


def _pg_restore(source: Path) -> None:
    address, environment = _libpq(make_url(db.engine.url))
    contents = _run([_tool("pg_restore"), "--list", str(source)], environment,
                    f"{source} is not a readable PostgreSQL dump; nothing was restored")
    if not any(line.split()[3:6] == ["TABLE", "public", MARKER_TABLE] for line in contents.splitlines()
               if not line.startswith(";") and len(line.split()) >= 6):
        raise BackupError(f"{source} is a PostgreSQL dump but not of nortime (it has no {MARKER_TABLE} table); "
                          "nothing was restored")
    # One transaction: on any error everything rolls back and the database stays as it was.
    _run([_tool("pg_restore"), "--single-transaction", "--exit-on-error", "--clean", "--if-exists",
          "--no-owner", "--no-privileges", f"--dbname={address}", str(source)],
         environment, "pg_restore failed and rolled back; the database is unchanged")
