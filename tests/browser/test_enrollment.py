"""Late joiners in a real browser (issue 15): signing up in week 5 of the term in Polish or Arabic with a
three-week health rota, she sees the published group with a free seat that fits, joins it in one step and has
it in her calendar feed; the last seat taken by someone else meanwhile gives a page with the alternatives.
axe-core on every new page state."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

WEEK_5 = dt.date(2027, 2, 8)  # the demo's term starts on Monday 11 January 2027
JOIN = {"pl": "Dołącz do tej grupy", "ar": "انضم إلى هذه المجموعة"}
PLACED = {"pl": "Masz miejsce w grupie.", "ar": None}
ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


@pytest.fixture
def week_5(monkeypatch):
    """Today, for the server thread too, is the Monday of the term's fifth week."""
    from nortime.services import signup

    monkeypatch.setattr(signup, "today", lambda: WEEK_5)


def publish_late_plan(app) -> tuple[int, int, int]:
    """A published plan of mtvo with three A2 groups at Finnsnes, each with free seats:
    Thursday 18:00 + Saturday 10:00 (fits a three-week health rota: Saturdays of rota week 3 are missed),
    a twin of it (the alternative), and Monday + Wednesday 18:00 (evening shifts rule out a third of each)."""
    from nortime.db import db
    from nortime.models import Group, GroupSlot, Plan, Provider, Venue

    with app.app_context():
        provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
        term = provider.terms[0]
        for old in db.session.scalars(select(Plan).where(Plan.provider_id == provider.id, Plan.status == "published")):
            old.status = "archived"
        plan = Plan(provider=provider, term=term, status="published", published_at=dt.datetime(2027, 1, 1))
        venue = db.session.scalar(select(Venue).where(Venue.slug == "finnsnes-vo"))
        course = next(c for c in provider.courses if c.level == "A2")
        course.max_group = 12
        db.session.add(plan)
        ids = []
        for key, slots in (("thu-sat", (("thu", 3, dt.time(18)), ("sat", 5, dt.time(10)))),
                           ("thu-sat-b", (("thu", 3, dt.time(18)), ("sat", 5, dt.time(10)))),
                           ("mon-wed", (("mon", 0, dt.time(18)), ("wed", 2, dt.time(18))))):
            group = Group(plan=plan, key=f"mtvo-a2-finnsnes-vo-{key}", course=course, venue=venue, sessions=40)
            group.slots = [GroupSlot(day=day, weekday=weekday, start=start) for day, weekday, start in slots]
            db.session.add(group)
            db.session.flush()
            ids.append(group.id)
        db.session.commit()
        return tuple(ids)


def sign_up_health_rota(page, live_server, language: str, email: str, level: str = "A2") -> str:
    page.goto(f"{live_server}/signup?lang={language}")
    page.fill("#name", "Ewa Kowalska" if language == "pl" else "ليلى حسن")
    page.fill("#email", email)
    page.select_option("#home", "finnsnes")
    page.check("input[name=right][value=yes]")
    page.check(f"input[name=level][value={level}]")
    page.click("main button[type=submit]")
    page.check("input[name=method][value=health_3week]")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/rota/preset/health_3week$"))
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/signup/busy$"))
    page.click("main button[type=submit]")
    page.check("#consent")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/welcome.*"))
    return re.search(r"/me/([^/]+)/welcome", page.url).group(1)


@pytest.mark.parametrize("language", ["pl", "ar"])
def test_a_week_5_sign_up_sees_the_fitting_group_joins_in_one_step_and_has_it_in_her_feed(
        live_server, live_app, browser, helpers, week_5, language):
    from nortime.db import db
    from nortime.models import Learner, Placement

    fitting, twin, evening = publish_late_plan(live_app)
    context = helpers["with_axe"](browser.new_context(viewport={"width": 360, "height": 740}))
    page = context.new_page()
    token = sign_up_health_rota(page, live_server, language, f"late-{language}@example.org")

    # The end of sign-up lists the groups she can really attend, in her language.
    assert page.get_attribute("html", "lang") == language
    assert page.locator(f"input[name=group_id][value='{fitting}']").count() == 1
    assert page.locator(f"input[name=group_id][value='{twin}']").count() == 1
    assert page.locator(f"input[name=group_id][value='{evening}']").count() == 0  # evening shifts rule it out
    opening = page.locator("li.opening", has=page.locator(f"input[value='{fitting}']"))
    text = opening.inner_text()
    assert "18:00" in text and "10:00" in text
    # Saturdays of rota week 3 are missed (every third Saturday from 13 February): 75 % <= share < 100 %.
    share = int(re.search(r"(\d+)\s?%", text.replace("\u066a", "%").translate(ARABIC_DIGITS)).group(1))
    assert 75 <= share < 100, text
    assert page.locator(f"li.opening:has(input[value='{fitting}']) dd").nth(4).inner_text().count(",") >= 2
    assert helpers["axe_violations"](page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # One step: the button of the group.
    opening.get_by_role("button", name=JOIN[language]).click()
    page.wait_for_url(re.compile(rf".*/me/{token}$"))
    with live_app.app_context():
        learner = db.session.scalar(select(Learner).where(Learner.access_token == token))
        placement = db.session.scalar(select(Placement).where(Placement.learner_id == learner.id))
        assert placement.group_id == fitting and learner.language == language
    if PLACED[language]:
        assert PLACED[language] in page.inner_text("main")
    assert page.locator(f"input[name=group_id][value='{twin}']").count() == 0
    assert helpers["axe_violations"](page) == []
    feed = page.get_attribute("#feed-address", "value")
    body = page.request.get(feed).text()
    assert body.count("BEGIN:VEVENT") >= 1 and "Norsk A2" in body
    context.close()


def test_the_last_seat_gone_meanwhile_shows_the_alternatives_in_an_accessible_page(
        live_server, live_app, browser, helpers, week_5):
    from nortime.db import db
    from nortime.models import Group, Learner, Placement

    fitting, twin, _evening = publish_late_plan(live_app)
    context = helpers["with_axe"](browser.new_context(viewport={"width": 360, "height": 740}))
    page = context.new_page()
    token = sign_up_health_rota(page, live_server, "pl", "second-pl@example.org")
    page.goto(f"{live_server}/me/{token}")
    with live_app.app_context():  # others take every seat of the group while her page is open
        group = db.session.get(Group, fitting)
        for n in range(group.course.max_group - len(group.placements)):
            other = Learner(provider_id=group.plan.provider_id, name=f"Other {n}", email=f"other{n}@example.org",
                            language="nb", home_place_id="finnsnes", level="A2")
            db.session.add(other)
            db.session.flush()
            db.session.add(Placement(plan_id=group.plan_id, group_id=group.id, learner_id=other.id))
        db.session.commit()
    page.locator("li.opening", has=page.locator(f"input[value='{fitting}']")).get_by_role(
        "button", name=JOIN["pl"]).click()
    assert page.locator("[role=alert]").inner_text() == "Ktoś inny właśnie zajął ostatnie miejsce w tej grupie."
    assert page.locator(f"input[name=group_id][value='{fitting}']").count() == 0
    assert page.locator(f"input[name=group_id][value='{twin}']").count() == 1  # the alternative, one step away
    assert helpers["axe_violations"](page) == []
    with live_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Placement)
                                 .where(Placement.group_id == fitting)) == 12
    context.close()


@pytest.mark.parametrize("language", ["ar", "nb"])
def test_with_nothing_that_fits_the_end_of_sign_up_says_why_and_that_she_waits(
        live_server, live_app, browser, helpers, week_5, language):
    publish_late_plan(live_app)
    context = helpers["with_axe"](browser.new_context(viewport={"width": 320, "height": 700}))
    page = context.new_page()
    token = sign_up_health_rota(page, live_server, language, f"waiting-{language}@example.org", level="B1")
    assert page.locator("input[name=group_id]").count() == 0
    assert page.locator("#waiting-list").count() == 1 and "B1" in page.inner_text("section.join")
    assert helpers["axe_violations"](page) == []
    page.goto(f"{live_server}/me/{token}")
    assert page.locator("#waiting-list").count() == 1
    assert helpers["axe_violations"](page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()
