"""Every public and learner page in all nine languages, on a 320 px phone and at 200 % zoom of a 1280 px
screen: nothing wider than the screen, no heading cut off, axe-core finds nothing, the header leaves room.
Staff and coordinator pages get the overflow checks in nb and en.

One browser for the module, one context per screen, the pages reused across languages (the language
is switched with ?lang=, the sign-up draft stays in the session).
"""
from __future__ import annotations

import datetime as dt
import os
import re

import pytest

from nortime.i18n import LANGUAGES

SCREENS = {
    "phone 320 px": {"viewport": {"width": 320, "height": 640}, "device_scale_factor": 2},
    "1280 px at 200 %": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
}
SCREENSHOTS = os.environ.get("NORTIME_SCREENSHOTS")  # a folder: save a picture of every page there

LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) problems.push(`page ${root.scrollWidth}px wide in ${root.clientWidth}px`);
  for (const h of document.querySelectorAll('h1, h2, h3, h4')) {
    const box = h.getBoundingClientRect();
    if (h.scrollWidth > h.clientWidth + 1 || box.left < -1 || box.right > innerWidth + 1)
      problems.push('heading cut off: ' + h.textContent.trim().slice(0, 50));
  }
  const header = document.querySelector('.site-header');
  if (header && header.getBoundingClientRect().height > innerHeight / 2)
    problems.push(`header ${Math.round(header.getBoundingClientRect().height)}px of ${innerHeight}px`);
  return problems;
}"""


@pytest.fixture(scope="module")
def learner_token(live_app):
    """A health worker with a three-week rota, placed in a group (the demo's provider)."""
    from nortime.db import db
    from nortime.models import Learner, Provider, Rota
    from nortime.rota_presets import build_rota

    from .test_learner_pages import place_learner

    with live_app.app_context():
        provider = db.session.query(Provider).filter_by(slug="mtvo").one()
        rota = build_rota("health_3week", dt.date.today())
        learner = Learner(provider=provider, name="Saba Tesfay Gebremedhin-Woldemichael", email="saba@example.org",
                          language="ti", home_place_id=provider.venues[0].place_id, level="A1", max_travel_minutes=45)
        learner.rota = Rota(preset="health_3week", anchor=dt.date.fromisoformat(rota["start"]), cycle=rota["cycle"])
        db.session.add(learner)
        db.session.commit()
        token = learner.access_token
    place_learner(live_app, token, placed=True)
    return token


def roster_export() -> bytes:
    from ..learners.test_rota_cycle import ics_export, preset_rota

    return ics_export(preset_rota("health_3week"), dt.date.today() - dt.timedelta(days=10), 5)


def check_pages(page, base: str, paths: list[str], language: str, screen: str, found: dict, axe=None) -> None:
    for path in paths:
        separator = "&" if "?" in path else "?"
        page.goto(f"{base}{path}{separator}lang={language}")
        name = f"{language}, {screen}, {path.split('?')[0]}"
        problems = page.evaluate(LAYOUT_PROBLEMS)
        if axe is not None:
            problems += axe(page)
        if problems:
            found[name] = problems
        if SCREENSHOTS:
            slug = re.sub(r"[^a-z0-9]+", "-", re.sub(r"[\w-]{30,}", "token", path).lower()).strip("-")[:60] or "home"
            page.screenshot(path=os.path.join(SCREENSHOTS, f"{language}-{screen[:5].strip()}-{slug}.png"),
                            full_page=True)


@pytest.mark.parametrize("screen", SCREENS)
def test_public_and_learner_pages_fit_in_every_language(live_server, browser, helpers, learner_token, screen):
    context = helpers["with_axe"](browser.new_context(**SCREENS[screen]))
    page = context.new_page()
    page.goto(f"{live_server}/signup?lang=en")
    page.fill("#name", "Saba Tesfay")
    page.fill("#email", "saba.layout@example.org")
    page.select_option("#home", index=1)
    page.check("input[name=right][value=yes]")
    page.check("input[name=level][value=A1]")
    page.click("main button[type=submit]")
    page.goto(f"{live_server}/signup/rota/upload")
    page.set_input_files("#roster", files=[{"name": "vakter.ics", "mimeType": "text/calendar",
                                             "buffer": roster_export()}])
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/signup/rota/repeat$"))
    repeat = ["/signup/rota/repeat"]
    page.click("main form[method=post] button[type=submit]")
    paths = ["/", "/privacy", "/me", "/me/sent", "/signup", "/signup/rota", "/signup/rota/preset/health_3week",
             "/signup/rota/preset/offshore_14_28", "/signup/rota/custom?from=health_3week", "/signup/rota/upload",
             "/signup/busy", "/signup/check"]
    mine = [f"/me/{learner_token}", f"/me/{learner_token}/welcome", f"/me/{learner_token}/details",
            f"/me/{learner_token}/rota", f"/me/{learner_token}/withdraw", f"/me/{learner_token}/delete"]
    found: dict[str, list[str]] = {}
    for language in LANGUAGES:
        check_pages(page, live_server, paths + mine, language, screen, found, helpers["axe_violations"])
    # The repeat step is left once confirmed: upload again, and check it in every language.
    page.goto(f"{live_server}/signup/rota/upload")
    page.set_input_files("#roster", files=[{"name": "vakter.ics", "mimeType": "text/calendar",
                                             "buffer": roster_export()}])
    page.click("main button[type=submit]")
    for language in LANGUAGES:
        check_pages(page, live_server, repeat, language, screen, found, helpers["axe_violations"])
    context.close()
    assert not found, "\n".join(f"{name}: {problem}" for name, problems in found.items() for problem in problems)


@pytest.fixture(scope="module")
def staff_logins(live_app):
    from nortime.auth import create_user
    from nortime.db import db
    from nortime.models import Provider

    with live_app.app_context():
        provider = db.session.query(Provider).filter_by(slug="mtvo").one()
        for email, role in (("staff.layout@example.org", "provider_staff"),
                            ("coordinator.layout@example.org", "coordinator")):
            create_user(email, role, "correct horse 1", provider=provider)
        db.session.commit()
    return {"/provider/": "staff.layout@example.org", "/coordinator/": "coordinator.layout@example.org"}


@pytest.mark.parametrize("screen", SCREENS)
def test_staff_and_coordinator_pages_fit_in_norwegian_and_english(live_server, browser, staff_logins, screen):
    found: dict[str, list[str]] = {}
    for home, email in staff_logins.items():
        context = browser.new_context(**SCREENS[screen])
        page = context.new_page()
        page.goto(f"{live_server}/login?lang=en")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", "correct horse 1")
        page.click("main button[type=submit]")
        page.goto(f"{live_server}{home}")
        links = page.evaluate("""prefix => [...new Set([...document.querySelectorAll('a[href]')]
            .map(a => new URL(a.href)).filter(u => u.origin === location.origin && u.pathname.startsWith(prefix)
                && !/export|download|\\.(csv|ics|json|svg|png)|logout/.test(u.pathname)).map(u => u.pathname))]""", home)
        for language in ("nb", "en"):
            check_pages(page, live_server, [home] + links[:12], language, screen, found)
        context.close()
    assert not found, "\n".join(f"{name}: {problem}" for name, problems in found.items() for problem in problems)
