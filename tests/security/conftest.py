"""Fixtures for the security tests: apps with their own settings, and the feeds' published timetable."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

FEEDS = str(Path(__file__).resolve().parents[1] / "feeds")
if FEEDS not in sys.path:
    sys.path.insert(0, FEEDS)


@pytest.fixture
def app_with(tmp_path, monkeypatch):
    """app_with(**settings) -> an app on an empty database with those settings; emptied afterwards."""
    from tests.coordinators.conftest import root_conftest

    root, made, numbers = root_conftest(), [], iter(range(1000))

    def make(**settings):
        folder = tmp_path / f"app{next(numbers)}"
        folder.mkdir()
        made.append(root.make_app(folder, monkeypatch, **settings))
        return made[-1]

    yield make
    for app in made:
        root.empty_all_tables(app)


@pytest.fixture
def timetable(app):
    from feed_fixture import build_timetable

    with app.app_context():
        return build_timetable()


def log_in(client, email: str, password: str = "correct horse 1"):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client
