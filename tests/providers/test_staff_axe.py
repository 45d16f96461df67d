"""axe-core and a 320 px wide screen on the staff pages of issue 18, in Debian's Chromium (skipped when missing)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from nortime.db import db
from nortime.models import Group, Learner, Placement, Plan, SolveRun, Venue

from ..coordinators.test_axe import browser, open_page, violations  # noqa: F401  (browser is a fixture)
from .test_publish_preview import make_draft
from .test_staff_learners import publish_demo_plan


WIDEST = """[document.documentElement.scrollWidth, ...[...document.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX == 'visible').slice(0, 6).map(e => 'S:' + e.tagName + '.' + e.className + ' ' + e.scrollWidth + '/' + e.clientWidth), ...[...document.querySelectorAll('body *')].filter(e =>
  e.getBoundingClientRect().right > innerWidth + 1 || e.getBoundingClientRect().left < -1).filter(e => !e.closest('.table-scroll') || e.matches('.table-scroll')).slice(0, 8)
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().left) + '..'
  + Math.round(e.getBoundingClientRect().right) + (e.closest(".table-scroll") ? " in" : " out"))]"""


def fits_320(page) -> bool:
    """Nothing but the scrolling table regions is wider than the screen."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def pages(demo_app, staff, login):
    """The new pages, with a published plan, a draft to publish, a duplicate and a finished run."""
    plan_id = publish_demo_plan(demo_app)
    draft_id = make_draft(demo_app)
    with demo_app.app_context():
        placement = db.session.scalars(select(Placement).where(Placement.plan_id == plan_id)).first()
        learner = placement.learner
        db.session.add(Learner(provider_id=learner.provider_id, name=learner.name, email=learner.email,
                               home_place_id=learner.home_place_id, level=learner.level))
        db.session.commit()
        run_id = db.session.scalar(select(Plan.solve_run_id).where(Plan.id == draft_id))
        group_id = placement.group_id
        learner_id = learner.id
        venue_id = db.session.scalar(select(Venue.id).where(Venue.seats.is_not(None)))   # with its seat count
    client = login(staff)
    return client, [f"/provider/learners", f"/provider/learners?status=placed&sort=newest",
                    f"/provider/learners/{learner_id}", f"/provider/learners/{learner_id}/edit",
                    f"/provider/plans/{draft_id}/publish", f"/provider/runs/{run_id}",
                    f"/provider/groups/{group_id}/sessions", f"/provider/import", f"/provider/venues/{venue_id}",
                    f"/coordinator/attendance/group/{group_id}", f"/coordinator/attendance/group/{group_id}/print"]


@pytest.mark.parametrize(("language", "width"), [("nb", 320), ("ar", 1280)])
def test_the_staff_pages_have_no_axe_violations(pages, browser, language, width):
    client, paths = pages
    for path in paths:
        separator = "&" if "?" in path else "?"
        context, page = open_page(browser, client, f"{path}{separator}lang={language}", width)
        try:
            assert violations(page) == [], path
            if width == 320:
                assert fits_320(page), (path, page.evaluate(WIDEST))
        finally:
            context.close()


def test_the_import_preview_has_no_axe_violations(demo_app, staff, login, browser):
    from .test_import import EXCEL_CSV

    client = login(staff)
    response = client.post("/provider/import?lang=nb", data={"kind": "learners", "text": EXCEL_CSV})
    assert response.status_code == 200
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    try:
        page.set_content(response.get_data(as_text=True).replace('href="/static/', 'href="http://nortime.test/static/'))
        page.route("http://nortime.test/**", lambda route, request: route.fulfill(
            status=200, body=client.get(request.url.removeprefix("http://nortime.test")).data,
            headers={"Content-Type": "text/css"}))
        assert violations(page) == []
    finally:
        context.close()


def test_the_forbidden_page_has_no_axe_violations(demo_app, make_user, login, browser):
    client = login(make_user("coordinator"))
    context, page = open_page(browser, client, "/coordinator/attendance/?lang=nb", 320)
    try:
        assert violations(page) == [] and fits_320(page)
    finally:
        context.close()
