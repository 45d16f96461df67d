"""In a real browser: log in, plan the demo term, watch the progress, review, publish."""
from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import select

from nortime.db import db
from nortime.models import Plan

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed")


@pytest.fixture
def live_server(demo_app):
    """The app served by werkzeug on 127.0.0.1 and a free port, in a thread; yields the base URL."""
    from werkzeug.serving import make_server

    demo_app.config.update(SERVER_NAME=None, WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def in_browser(script) -> None:
    """Run script(page) in headless Chromium, in a thread of its own.

    Playwright's sync API refuses a thread where an asyncio loop runs, and an
    earlier test of the session may have left one running in the main thread.
    """
    playwright = pytest.importorskip("playwright.sync_api")
    failure = []

    def drive():
        try:
            with playwright.sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless"])
                try:
                    page = browser.new_page()
                    page.set_default_timeout(30_000)
                    script(page)
                finally:
                    browser.close()
        except BaseException as error:  # handed to the test's thread below
            failure.append(error)

    thread = threading.Thread(target=drive, name="browser")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def test_plan_progress_review_publish(demo_app, live_server, staff):
    in_browser(lambda page: plan_progress_review_publish(page, demo_app, live_server, staff))


def plan_progress_review_publish(page, demo_app, live_server, staff):
    page.goto(f"{live_server}/login?lang=en")
    page.get_by_label("E-mail").fill(staff.email)
    page.get_by_label("Password").fill("correct horse 1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/provider/")

    page.get_by_label("Seconds the optimizer may use").fill("3")
    page.get_by_role("button", name="Plan the term").click()
    page.wait_for_url("**/provider/runs/*")
    progress = page.locator("#run-progress")
    progress.wait_for()
    page.reload()  # the page survives a reload: the run lives in the database
    page.locator("#run-progress").wait_for()
    page.wait_for_url("**/provider/plans/*", timeout=120_000)  # the page goes to the review when done

    assert page.get_by_role("heading", name="Week per venue").is_visible()
    assert page.locator("table.week-grid").count() >= 1
    placed = int(page.locator("#figure-placed").inner_text())
    assert placed > 0
    page.get_by_role("button", name="Publish this plan").click()
    page.get_by_role("heading", name="Publish plan", exact=False).wait_for()  # what changes, first
    page.get_by_label("I have checked these changes", exact=False).check()
    page.get_by_role("button", name="Publish now").click()
    page.get_by_role("heading", name="Published plan", exact=False).wait_for()
    with demo_app.app_context():
        published = db.session.scalar(select(Plan).where(Plan.status == "published"))
        assert sum(len(group.placements) for group in published.groups) == placed
