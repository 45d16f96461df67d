"""Learner pages in a real browser: keyboard-only sign-up, the personal page, axe-core, a 320 px screen."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

LANGUAGES = ("nb", "en", "ar")


def place_learner(app, token: str, placed: bool) -> None:
    """Publish a plan of the learner's provider that places them (or explains why not)."""
    from nortime.db import db
    from nortime.models import Group, GroupSlot, Learner, Placement, Plan, SessionChange, Term, Unplacement

    with app.app_context():
        learner = db.session.scalars(select(Learner).where(Learner.access_token == token)).one()
        provider = learner.provider
        term = db.session.scalars(select(Term).where(Term.provider_id == provider.id)).first()
        for old in db.session.scalars(select(Plan).where(Plan.provider_id == provider.id, Plan.status == "published")):
            old.status = "archived"
        plan = Plan(provider=provider, term=term, status="published", published_at=dt.datetime.now())
        db.session.add(plan)
        db.session.flush()
        if placed:
            course = next(c for c in provider.courses if c.level == learner.level)
            venue = provider.venues[0]
            group = Group(plan=plan, key=f"{course.slug}-{venue.slug}-1", course=course, venue=venue,
                          teacher=provider.teachers[0] if provider.teachers else None, sessions=20)
            group.slots = [GroupSlot(day="sat", weekday=5, start=dt.time(10, 0))]
            group.changes = [SessionChange(occurrence_date=term.first_day + dt.timedelta(days=(5 - term.first_day.weekday()) % 7),
                                           kind="cancelled", reason="Stengt")]
            db.session.add(group)
            db.session.flush()
            db.session.add(Placement(plan_id=plan.id, group=group, learner_id=learner.id, attendable_share=0.9))
        else:
            db.session.add(Unplacement(plan_id=plan.id, learner_id=learner.id, reasons=[
                {"code": "rota_conflict", "details": {"slots": [{"day": "tue", "start": "18:00"}]}},
                {"code": "too_few_for_group", "details": {"min_group": 5}}]))
        db.session.commit()


def test_keyboard_only_sign_up_in_arabic_with_a_three_week_health_rota(live_server, live_app, page, helpers):
    tab_to = helpers["tab_to"]
    page.goto(f"{live_server}/signup?lang=ar")
    assert page.get_attribute("html", "dir") == "rtl"
    tab_to(page, "#name")
    page.keyboard.type("ليلى حسن")
    tab_to(page, "#email")
    page.keyboard.type("layla@example.org")
    tab_to(page, "#home")
    page.keyboard.type("Silsand")
    tab_to(page, "input[name=right]")
    page.keyboard.press("Space")  # the first answer: yes, the right to free training
    tab_to(page, "input[name=level]")
    page.keyboard.press("Space")
    tab_to(page, "input[name=days][value=sat]")
    page.keyboard.press("Space")
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/signup/rota$"))

    helpers["choose_radio"](page, "method", "health_3week")
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/rota/preset/health_3week$"))
    tab_to(page, "#week")
    page.keyboard.press("ArrowDown")  # this week is week 2 of the rota
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/signup/busy$"))
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/signup/check$"))
    assert page.locator("table.rota-preview tbody tr").count() == 4
    tab_to(page, "#consent")
    page.keyboard.press("Space")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/welcome.*"))

    from nortime.db import db
    from nortime.models import Learner

    with live_app.app_context():
        learner = db.session.scalars(select(Learner).where(Learner.email == "layla@example.org")).one()
        assert learner.provider.slug == "mtvo" and learner.home_place_id == "silsand"
        assert learner.rota.preset == "health_3week" and learner.preferred_days == "sat"
        assert learner.level == "A1"  # the first level
        monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
        assert learner.rota.anchor == monday - dt.timedelta(days=7)  # this week is week 2
        token = learner.access_token
    tab_to(page, f"main a[href$='/me/{token}']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/me/{token}$"))
    assert page.get_attribute("html", "lang") == "ar"


def test_personal_page_placed_shows_group_and_calendar_links(live_server, live_app, page):
    token = sign_up(page, live_server, "en", email="placed@example.org")
    place_learner(live_app, token, placed=True)
    page.goto(f"{live_server}/me/{token}")
    text = page.inner_text("main")
    assert "You have a place in a group." in text
    assert page.locator("a[href^='webcal://']").count() == 1
    assert page.locator("table.sessions tbody tr").count() >= 10
    assert page.locator("tr.session-cancelled").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def sign_up(page, live_server, language, email, right="no"):
    page.goto(f"{live_server}/signup?lang={language}")
    page.fill("#name", "Test Person")
    page.fill("#email", email)
    page.select_option("#home", "finnsnes")
    page.check(f"input[name=right][value={right}]")
    page.check("input[name=level][value=A2]")
    page.click("main button[type=submit]")
    page.check("input[name=method][value=office]")
    page.click("main button[type=submit]")
    page.click("main button[type=submit]")
    page.click("main button[type=submit]")
    page.check("#consent")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/welcome.*"))
    return re.search(r"/me/([^/]+)/welcome", page.url).group(1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_axe_violations_on_any_learner_page(live_server, live_app, browser, helpers, language):
    axe = helpers["axe_violations"]
    context = helpers["with_axe"](browser.new_context(viewport={"width": 320, "height": 700}))
    page = context.new_page()
    found: dict[str, list[str]] = {}

    def check(name: str) -> None:
        """axe on this page; pages that only show errors are checked in nb and ar (the English text is the source)."""
        assert page.get_attribute("html", "lang") == language
        if "error" in name and language == "en":
            return
        violations = axe(page)
        if violations:
            found[name] = violations
        # Usable at 320 px: nothing wider than the screen outside scrollable tables.
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, name

    def visit(path: str, name: str) -> None:
        page.goto(f"{live_server}{path}")
        check(name)

    visit(f"/?lang={language}", "home")
    visit("/privacy", "privacy")
    visit("/me", "find my page")
    page.click("main button[type=submit]")
    check("find my page, error")
    page.fill("#contact", "nobody@example.org")
    page.click("main button[type=submit]")
    check("link sent")
    visit("/signup", "sign-up")
    page.click("main button[type=submit]")
    check("sign-up, errors")
    page.fill("#name", "Axe Person")
    page.fill("#email", f"axe-{language}@example.org")
    page.select_option("#home", "moen")
    page.check("input[name=right][value=yes]")
    page.check("input[name=level][value=unknown]")
    page.click("main button[type=submit]")
    check("rota choice")
    visit("/signup/rota/custom?weeks=1", "custom rota")
    page.select_option("#kind_0", "shift")
    page.click("main form[method=post] button[type=submit]")
    check("custom rota, errors")
    visit("/signup/rota/upload", "upload")
    page.click("main button[type=submit]")
    check("upload, error")
    visit("/signup/rota/preset/offshore_14_28", "offshore")
    visit("/signup/rota/preset/health_3week", "health rota")
    page.fill("#day_from", "")
    page.click("main button[type=submit]")
    check("health rota, errors")
    page.fill("#day_from", "07:00")
    page.click("main button[type=submit]")
    check("busy days")
    page.fill("#busy_date_0", "1999-01-01")
    page.click("main button[type=submit]")
    check("busy days, errors")
    page.fill("#busy_date_0", "")
    page.click("main button[type=submit]")
    check("check answers")
    page.click("main form button[type=submit]")
    check("check answers, consent error")
    page.check("#consent")
    page.click("main form button[type=submit]")
    check("welcome")
    token = re.search(r"/me/([^/]+)/welcome", page.url).group(1)
    visit(f"/me/{token}", "my page, waiting")
    visit(f"/me/{token}/details", "edit details")
    visit(f"/me/{token}/rota", "edit rota")
    visit(f"/me/{token}/withdraw", "withdraw")
    visit(f"/me/{token}/delete", "delete")
    page.click("main button[type=submit]")
    check("delete, error")
    place_learner(live_app, token, placed=False)
    visit(f"/me/{token}", "my page, not placed")
    place_learner(live_app, token, placed=True)
    visit(f"/me/{token}", "my page, placed")
    visit("/", "home with published times")
    visit(f"/me/{token}", "my page, placed")
    page.click("text=" + page.locator("ul.actions-list li").last.inner_text())
    page.check("#sure")
    page.click("main button[type=submit]")
    check("deleted")
    context.close()
    assert not found, "\n".join(f"{name}: {line}" for name, lines in found.items() for line in lines)
