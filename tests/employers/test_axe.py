"""axe-core on every new page of issue 21, in Debian's Chromium (skipped when it is missing).

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


def violations_on(browser, client, path: str, width: int) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()

    def answer(route, request):
        response = client.open(request.url.removeprefix("http://nortime.test"), method=request.method,
                               data=request.post_data_buffer,
                               headers={"Content-Type": request.headers.get("content-type", "")})
        route.fulfill(status=response.status_code, body=response.data,
                      headers={key: value for key, value in response.headers.items()
                               if key.lower() != "content-length"})

    try:
        page.route("http://nortime.test/**", answer)
        page.goto(f"http://nortime.test{path}")
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                           "resultTypes": ["violations"]})
        return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
                for v in results.response["violations"]]
    finally:
        context.close()


@pytest.mark.parametrize(("language", "width"), [("nb", 360), ("ar", 1280)])
def test_the_new_pages_have_no_axe_violations(app, world, browser, language, width):
    from nortime.db import db
    from nortime.models import Learner

    with app.app_context():
        token = db.session.get(Learner, world.consenting[0]).access_token
    anonymous = app.test_client()
    for path in ("/join", f"/me/{token}/employer"):
        assert violations_on(browser, anonymous, f"{path}?lang={language}", width) == [], path
    employer = signed_in(app.test_client(), world.users.fish_staff)
    for path in ("/employer/", f"/employer/teams/{world.night}", "/employer/teams/new?method=health_3week",
                 f"/employer/teams/{world.night}/rota?method=fish_cod_season", "/employer/teams/new?method=ics",
                 f"/employer/teams/{world.night}/codes/HUSY-2027/poster", "/employer/workplace"):
        sep = "&" if "?" in path else "?"
        assert violations_on(browser, employer, f"{path}{sep}lang={language}", width) == [], path
    coordinator = signed_in(app.test_client(), world.users.coordinator)
    assert violations_on(browser, coordinator, f"/coordinator/employers?lang={language}", width) == []
    staff = signed_in(app.test_client(), world.users.alpha_staff)
    assert violations_on(browser, staff, f"/provider/workplaces?lang={language}", width) == []
