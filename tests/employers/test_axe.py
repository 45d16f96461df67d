"""axe-core on every new page of issue 21, in Debian's Chromium (skipped when it is missing).

No server: the browser's requests to http://nortime.test are answered by the Flask test client.
"""
from __future__ import annotations

import pytest

from ..coordinators.test_axe import browser, open_page, violations  # noqa: F401  (browser is a fixture)
from .conftest import signed_in


def violations_on(browser, client, path: str, width: int) -> list[str]:
    context, page = open_page(browser, client, path, width)
    try:
        return violations(page)
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
                 "/employer/teams/new?method=custom&weeks=2",
                 f"/employer/teams/{world.night}/rota?method=fish_cod_season", "/employer/teams/new?method=ics",
                 f"/employer/teams/{world.night}/codes/HUSY-2027/poster", "/employer/workplace"):
        sep = "&" if "?" in path else "?"
        assert violations_on(browser, employer, f"{path}{sep}lang={language}", width) == [], path
    coordinator = signed_in(app.test_client(), world.users.coordinator)
    assert violations_on(browser, coordinator, f"/coordinator/employers?lang={language}", width) == []
    staff = signed_in(app.test_client(), world.users.alpha_staff)
    assert violations_on(browser, staff, f"/provider/workplaces?lang={language}", width) == []
