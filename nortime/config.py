"""Configuration: defaults, then instance/config.py, then the environment, then a test's overrides.

Anything wrong with it is a ConfigError whose message says what to fix.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

ENVIRONMENT = {
    "NORTIME_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "NORTIME_SECRET_KEY": "SECRET_KEY",
    "NORTIME_REDIS_URL": "REDIS_URL",
    "NORTIME_BASE_URL": "BASE_URL",
    "NORTIME_PROXY_HOPS": "PROXY_HOPS",
}


class ConfigError(RuntimeError):
    """Start-up cannot go on; the message tells the operator what to fix."""


def defaults(instance_path: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(instance_path, "nortime.sqlite"),
        # hide_parameters: SQL errors in logs show no names, phones or tokens.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "SECRET_KEY": None,
        "REDIS_URL": None,
        "BASE_URL": None,  # the public address in every link we give out (links.py); needed to send mail or SMS
        "TIMEZONE": "Europe/Oslo",
        "SOLVER_TIME_LIMIT": 30.0,
        "SOLVER_WORKERS": 8,
        "MAIL_SERVER": None,  # e-mail is off until this is set
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_SENDER": "nortime <no-reply@localhost>",
        "MAIL_TIMEOUT": 10,
        "SMS_BACKEND": "console",  # console (prints), http (a gateway, see sms.py) or off
        "SMS_SENDER": "nortime",
        "SMS_HTTP_URL": None,
        "SMS_HTTP_METHOD": "POST",
        "SMS_HTTP_CONTENT_TYPE": "application/json",
        "SMS_HTTP_BODY": None,
        "SMS_HTTP_USERNAME": None,
        "SMS_HTTP_PASSWORD": None,
        "SMS_HTTP_TOKEN": None,
        "SMS_HTTP_TIMEOUT": 10,
        "OUTBOX_WORKER": None,  # deliver queued messages in the background (jobs.start_delivery); None: unless TESTING
        "OUTBOX_MAX_ATTEMPTS": 8,
        "OUTBOX_CONCURRENCY": 8,  # messages handed to the gateway or mail server at the same time
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CHECK_DATABASE_ON_START": True,
        "RETENTION_MONTHS": 12,  # learners are deleted this long after their last term (privacy page, purge)
        # Web hardening (nortime/security.py); README "Proxies and rate limits".
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,  # bytes in one request; larger gets 413
        "PROXY_HOPS": 0,  # reverse proxies in front of nortime whose X-Forwarded-* headers are trusted
        "ROSTER_IMPORT_SECONDS": 2.0,  # time one .ics roster may take to expand
        "SIGNUP_DRAFT_HOURS": 24,  # unfinished sign-up answers are deleted after this long
        "OFFER_HOLD_HOURS": 48,  # a freed seat is held this long for the waiting learner it is offered to
        # Rate limits count in Redis when REDIS_URL is set (shared by every worker), else per process.
        "RATELIMIT_STORAGE_URI": None,
        "RATELIMIT_KEY_PREFIX": "nortime",
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # Redis down: count per process rather than fail
    }


def apply_environment(config: dict, environ=os.environ) -> None:
    for variable, key in ENVIRONMENT.items():
        value = environ.get(variable)
        if value:
            config[key] = value


def normalise_database_url(url: str) -> str:
    """Accept the common postgres:// spellings and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def validate(config: dict) -> None:
    url = config.get("SQLALCHEMY_DATABASE_URI")
    if not isinstance(url, str) or not url:
        raise ConfigError("SQLALCHEMY_DATABASE_URI (or NORTIME_DATABASE_URL) must be a database URL such as sqlite:///path or postgresql://user@host/db")
    config["SQLALCHEMY_DATABASE_URI"] = url = normalise_database_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"the database URL {url!r} is not a URL; use sqlite:///path or postgresql://user@host:5432/db") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(f"database {parsed.get_backend_name()!r} is not supported; use sqlite or postgresql")
    for key in ("SOLVER_TIME_LIMIT", "SOLVER_WORKERS", "MAIL_PORT", "MAX_CONTENT_LENGTH", "ROSTER_IMPORT_SECONDS",
                "MAIL_TIMEOUT", "SMS_HTTP_TIMEOUT", "OUTBOX_MAX_ATTEMPTS", "OUTBOX_CONCURRENCY", "OFFER_HOLD_HOURS"):
        value = config.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ConfigError(f"{key} must be a positive number, not {value!r}")
    months = config.get("RETENTION_MONTHS")
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ConfigError(f"RETENTION_MONTHS must be a whole number of months, at least 1, not {months!r}")
    try:
        config["PROXY_HOPS"] = int(config.get("PROXY_HOPS") or 0)
    except ValueError:
        raise ConfigError(f"PROXY_HOPS (or NORTIME_PROXY_HOPS) must be a whole number, not {config.get('PROXY_HOPS')!r}") from None
    if not 0 <= config["PROXY_HOPS"] <= 5:
        raise ConfigError("PROXY_HOPS (or NORTIME_PROXY_HOPS) must be between 0 and 5: the number of proxies in front of nortime")
    if not config.get("RATELIMIT_STORAGE_URI"):
        config["RATELIMIT_STORAGE_URI"] = config.get("REDIS_URL") or "memory://"
    validate_messaging(config)
    secret = config.get("SECRET_KEY")
    if secret is not None and (not isinstance(secret, str) or len(secret) < 16):
        raise ConfigError("SECRET_KEY (or NORTIME_SECRET_KEY) must be a string of at least 16 characters")


def validate_messaging(config: dict) -> None:
    """Links in mail and SMS come from BASE_URL only (links.py), so sending needs it."""
    backend = config.get("SMS_BACKEND") or "console"
    if backend not in ("console", "http", "off"):
        raise ConfigError(f"SMS_BACKEND must be console, http or off, not {backend!r}")
    if backend == "http" and not config.get("SMS_HTTP_URL"):
        raise ConfigError("SMS_BACKEND is http: set SMS_HTTP_URL to the SMS gateway's address")
    if (config.get("MAIL_SERVER") or backend == "http") and not config.get("BASE_URL"):
        raise ConfigError("mail or SMS is on: set BASE_URL (or NORTIME_BASE_URL) to the public address, "
                          "e.g. https://nortime.example.no, so that links in messages point at it")
    base = config.get("BASE_URL")
    if base and not (isinstance(base, str) and base.startswith(("https://", "http://"))):
        raise ConfigError(f"BASE_URL must start with https:// or http://, not {base!r}")


def instance_secret_key(instance_path: str) -> str:
    """The secret key kept in instance/secret_key, made on first start."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        key = path.read_text().strip()
        if key:
            return key
    key = secrets.token_hex(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Create with owner-only permissions before writing the secret into it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def create_private_sqlite_file(url: str) -> None:
    """Create a missing SQLite database file readable by its owner only (it holds personal data).

    SQLite would create it on first connect with the umask's mode, usually world-readable;
    its journal and WAL files take the mode of the database file.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    path = Path(parsed.database)
    if path.parent.is_dir() and not path.exists():
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:  # another worker was first
            pass


def check_database(url: str) -> None:
    """Connect once, so that a wrong URL stops start-up rather than the first request."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).parent
        if not folder.exists():
            raise ConfigError(f"the folder of the SQLite database {parsed.database!r} does not exist")
    connect_args = {"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {}
    engine = create_engine(url, connect_args=connect_args)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        raise ConfigError(f"cannot reach the database at {parsed.render_as_string(hide_password=True)}: {reason}") from None
    finally:
        engine.dispose()
