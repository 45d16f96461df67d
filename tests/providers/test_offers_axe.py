"""axe-core and a 320 px wide screen on issue 15's new pages: an offer on the personal page, the seat taken
page, "New since the plan" and "Changes" for staff (Debian's Chromium; skipped when missing)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from nortime.db import db
from nortime.models import Learner, Offer, Plan

from ..coordinators.test_axe import browser, open_page, violations  # noqa: F401  (browser is a fixture)
from .test_offers import _group_with_waiters, _published, _two_holders_for_one_seat
from .test_staff_axe import WIDEST, fits_320


def _check(browser, client, path: str, width: int) -> None:
    context, page = open_page(browser, client, path, width)
    try:
        assert violations(page) == [], path
        if width == 320:
            assert fits_320(page), (path, page.evaluate(WIDEST))
    finally:
        context.close()


@pytest.mark.parametrize(("language", "width"), [("nb", 320), ("ar", 1280)])
def test_the_staff_pages_have_no_axe_violations(demo_app, staff, login, browser, language, width):
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = _group_with_waiters(plan)
        from nortime.services.learner_page import withdraw

        withdraw(group.placements[0].learner)  # a "left" change and an open offer to show
    client = login(staff)
    for path in ("/provider/waiting", "/provider/changes"):
        _check(browser, client, f"{path}?lang={language}", width)


@pytest.mark.parametrize(("language", "width"), [("pl", 320), ("ar", 1280)])
def test_an_offer_on_the_personal_page_and_the_seat_taken_page_have_no_axe_violations(demo_app, browser,
                                                                                     language, width):
    demo_app.config["WTF_CSRF_ENABLED"] = False
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group_id, holders = _two_holders_for_one_seat(plan)
        winner, loser = (db.session.get(Learner, learner_id) for learner_id in holders)
        for learner in (winner, loser):
            learner.language = language
        db.session.commit()
        offers = {learner.id: db.session.scalar(select(Offer.id).where(Offer.learner_id == learner.id,
                                                                       Offer.state == "open"))
                  for learner in (winner, loser)}
        tokens = {learner.id: learner.access_token for learner in (winner, loser)}
        winner_id, loser_id = winner.id, loser.id
    client = demo_app.test_client()
    _check(browser, client, f"/me/{tokens[loser_id]}", width)
    assert client.post(f"/me/{tokens[winner_id]}/offers/{offers[winner_id]}/accept").status_code == 302
    taken = client.post(f"/me/{tokens[loser_id]}/offers/{offers[loser_id]}/accept")
    assert taken.status_code == 409
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        page.set_content(taken.get_data(as_text=True).replace('href="/static/', 'href="http://nortime.test/static/'))
        page.route("http://nortime.test/**", lambda route, request: route.fulfill(
            status=200, body=client.get(request.url.removeprefix("http://nortime.test")).data,
            headers={"Content-Type": "text/css"}))
        assert violations(page) == []
        if width == 320:
            assert fits_320(page), page.evaluate(WIDEST)
    finally:
        context.close()
