"""Rate limits are shared by every worker through Redis, and see the visitor behind the proxy (issue 16)."""
from __future__ import annotations

import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from ..gunicorn import running_gunicorn

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("NORTIME_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
KEYS = "LIMITS:LIMITER/nortime/*"  # Flask-Limiter's keys under RATELIMIT_KEY_PREFIX
WRONG = {"email": "x@example.org", "password": "wrong horse 1"}


@pytest.fixture
def redis_db():
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    for key in connection.scan_iter(KEYS):
        connection.delete(key)
    yield connection
    for key in connection.scan_iter(KEYS):
        connection.delete(key)


def test_the_limiter_counts_in_redis_when_it_is_configured(app_with, redis_db):
    app = app_with(REDIS_URL=REDIS_URL, RATELIMIT_ENABLED=True)
    assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    assert app_with().config["RATELIMIT_STORAGE_URI"] == "memory://"


def post(port: int, path: str, data: dict) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=urllib.parse.urlencode(data).encode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_two_gunicorn_workers_share_one_count(app, tmp_path, redis_db):

    instance = tmp_path / "gunicorn-instance"
    instance.mkdir()
    (instance / "config.py").write_text("WTF_CSRF_ENABLED = False\n")
    with running_gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], instance, "--workers", "2",
                          env={"NORTIME_REDIS_URL": REDIS_URL}) as port:
        answers = [post(port, "/login", WRONG) for _ in range(14)]
    # 10 per minute for the whole site, however the requests were spread over the two workers.
    assert answers.count(401) == 10 and answers.count(429) == 4
    assert any(b"auth.login/10/1/minute" in key for key in redis_db.scan_iter(KEYS))


@pytest.mark.parametrize("hops, separate", [(1, True), (0, False)])
def test_the_limiter_sees_the_visitor_behind_the_configured_proxies(app_with, hops, separate):
    from nortime.extensions import limiter

    app = app_with(PROXY_HOPS=hops, RATELIMIT_ENABLED=True)
    with app.app_context():
        limiter.reset()
    client = app.test_client()

    def attempts(address: str) -> list[int]:
        return [client.post("/login", data=WRONG, headers={"X-Forwarded-For": address}).status_code
                for _ in range(6)]

    answers = attempts("192.0.2.10") + attempts("198.51.100.7")
    with app.app_context():
        limiter.reset()
    # One proxy: two visitors, each with their own 10. No proxy configured: the header is not trusted.
    assert answers.count(429) == (0 if separate else 2)


def test_proxy_hops_must_be_a_small_whole_number(app_with):
    for bad in ("two", -1, 9):
        with pytest.raises(SystemExit) as stop:
            app_with(PROXY_HOPS=bad)
        assert "PROXY_HOPS" in str(stop.value)


def test_proxy_hops_come_from_the_environment():
    from nortime.config import apply_environment, defaults, validate

    config = defaults("/tmp")
    apply_environment(config, {"NORTIME_PROXY_HOPS": "2"})
    validate(config)
    assert config["PROXY_HOPS"] == 2
