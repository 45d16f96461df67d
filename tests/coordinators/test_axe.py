"""axe-core on the dashboard and the attendance sheet, in Debian's Chromium (skipped when it is missing).

No server: the browser's requests to http://nortime.test are answered by the Flask test client.
"""
from __future__ import annotations

import os
import shutil

import pytest

from .conftest import signed_in

CHROMIUM = os.environ.get("NORTIME_CHROMIUM", "/usr/bin/chromium")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture(scope="module")
def browser():
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and not shutil.which("chromium"):
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    pytest.importorskip("axe_playwright_python")
    with sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        except Exception as error:  # a broken Chromium is not a failure of nortime
            pytest.skip(f"Chromium does not start: {error}")
        yield browser
        browser.close()


def open_page(browser, client, path: str, width: int = 360):
    """A page whose requests to nortime.test the test client answers."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()

    def answer(route, request):
        response = client.open(request.url.removeprefix("http://nortime.test"), method=request.method,
                               data=request.post_data_buffer, headers={"Content-Type": request.headers.get("content-type", "")})
        route.fulfill(status=response.status_code, body=response.data,
                      headers={key: value for key, value in response.headers.items() if key.lower() != "content-length"})

    page.route("http://nortime.test/**", answer)
    page.goto(f"http://nortime.test{path}")
    return context, page


def violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
            for v in results.response["violations"]]


@pytest.mark.parametrize(("language", "width"), [("nb", 360), ("ar", 1280)])
def test_the_dashboard_has_no_axe_violations(region_app, browser, language, width):
    client = signed_in(region_app.test_client(), region_app.staff.coordinator)
    context, page = open_page(browser, client, f"/coordinator/?lang={language}", width)
    try:
        assert page.locator("svg[role=img]").count() == 3
        assert violations(page) == []
    finally:
        context.close()


def test_the_attendance_sheet_has_no_axe_violations(region_app, browser):
    client = signed_in(region_app.test_client(), region_app.staff.alpha_staff)
    group = region_app.region.g1
    for path in (f"/coordinator/attendance/group/{group}", f"/coordinator/attendance/group/{group}/2026-01-05"):
        context, page = open_page(browser, client, path + "?lang=nb")
        try:
            assert violations(page) == [], path
        finally:
            context.close()
