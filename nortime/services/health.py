"""Is nortime able to serve? One cheap question to each service it depends on."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..db import db

# A health check must answer well before a load balancer's own timeout.
REDIS_TIMEOUT_SECONDS = 2.0


def database_up() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        return False
    finally:
        db.session.rollback()


def redis_up(url: str) -> bool:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        with Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                            socket_timeout=REDIS_TIMEOUT_SECONDS) as connection:
            return bool(connection.ping())
    except (RedisError, OSError, ValueError):
        return False


def down_services() -> list[str]:
    """The names of the services nortime needs that do not answer ("database", "redis"); empty when all do."""
    down = [] if database_up() else ["database"]
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url and not redis_up(redis_url):
        down.append("redis")
    return down
