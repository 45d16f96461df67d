"""A live nortime server in a thread and Debian's Chromium driven by Playwright.

Skips cleanly when /usr/bin/chromium (or Playwright) is missing. The server
runs with CSRF protection on, as in production, on a free port of 127.0.0.1,
with the Midt-Troms demo (a few learners) in a SQLite file.
"""
from __future__ import annotations

import os
import shutil
import threading

import pytest

CHROMIUM = os.environ.get("NORTIME_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    from nortime import create_app
    from nortime.db import db
    from nortime.demo import load_demo

    folder = tmp_path_factory.mktemp("live") / "instance"
    folder.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NORTIME_INSTANCE_PATH", str(folder))
        for variable in ("NORTIME_DATABASE_URL", "NORTIME_SECRET_KEY", "NORTIME_REDIS_URL", "NORTIME_BASE_URL"):
            patch.delenv(variable, raising=False)
        app = create_app({"SECRET_KEY": "browser-test-secret-key", "RATELIMIT_ENABLED": False,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.sqlite'}"})
    with app.app_context():
        db.create_all()
        load_demo(learners=10, seed=1)
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    address = f"http://127.0.0.1:{server.server_port}"
    live_app.config["BASE_URL"] = address  # links in pages and messages come from BASE_URL (nortime.links)
    yield address
    server.shutdown()
    thread.join(timeout=5)


# Module scope: a Playwright sync session left open runs an event loop that makes every
# later sync_playwright() in the same run fail.
@pytest.fixture(scope="module")
def browser():
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and not shutil.which("chromium"):
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        except Exception as error:  # a broken or incompatible Chromium is not a failure of nortime
            pytest.skip(f"Chromium does not start: {error}")
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    yield page
    context.close()


def tab_to(page, selector: str, limit: int = 250) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard only, no clicks)."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def choose_radio(page, name: str, value: str, limit: int = 30) -> None:
    """Tab into a radio group, then move with the arrow key to `value` (this also selects it)."""
    tab_to(page, f"input[name={name}]")
    for _ in range(limit):
        if page.evaluate("v => document.activeElement.value === v && document.activeElement.checked", value):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"radio {name}={value} cannot be reached with the arrow keys")


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the current page, one line each.

    (axe's "best-practice" rules passed too when last tried; they are left out to keep the run short.)
    """
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
    if page.evaluate("typeof window.axe === 'undefined'"):  # not injected by the context's init script
        return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
                for v in Axe().run(page, options=options).response["violations"]]
    violations = page.evaluate("options => axe.run(document, options).then(r => r.violations)", options)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})" for v in violations]


def with_axe(context):
    """Load axe-core into every page of the context once, at page load (faster than injecting per check)."""
    from axe_playwright_python.sync_playwright import Axe

    context.add_init_script(Axe().axe_script)
    return context


@pytest.fixture
def helpers():
    return {"tab_to": tab_to, "choose_radio": choose_radio, "axe_violations": axe_violations, "with_axe": with_axe}
