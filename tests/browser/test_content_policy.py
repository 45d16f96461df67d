"""Under the Content-Security-Policy, the pages work in a real browser and break no rule of it."""
from __future__ import annotations


from tests.browser.test_learner_pages import place_learner, sign_up


def group_page(app, token: str) -> str:
    from sqlalchemy import select

    from nortime.db import db
    from nortime.models import Learner, Placement

    with app.app_context():
        learner = db.session.scalars(select(Learner).where(Learner.access_token == token)).one()
        group = db.session.scalars(select(Placement).where(Placement.learner_id == learner.id)).one().group
        return f"/groups/{group.plan.provider.slug}/{group.key}"


def test_learner_pages_run_under_the_policy_without_violations(live_server, live_app, page):
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    token = sign_up(page, live_server, "en", email="policy@example.org")
    place_learner(live_app, token, placed=True)
    response = page.goto(f"{live_server}/me/{token}")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.goto(live_server + group_page(live_app, token))  # the group's public page has the subscribe box
    address = page.locator("input[data-select-on-focus]")
    address.focus()  # static/feeds.js selects the calendar address, ready to copy
    selected = page.evaluate("() => { const f = document.activeElement; return [f.selectionStart, f.selectionEnd]; }")
    assert selected == [0, len(address.input_value())] and selected[1] > 0
    assert violations == []
