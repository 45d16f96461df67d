"""Every employer URL: another employer's team or code answers 404, other roles 403, anonymous the login page."""
from __future__ import annotations

import pytest

from .conftest import signed_in

OWN_TEAM_URLS = ["/employer/teams/{team}", "/employer/teams/{team}/rota",
                 "/employer/teams/{team}/codes/{code}/poster"]
POSTS = ["/employer/teams/{team}/codes", "/employer/teams/{team}/codes/{code}/revoke", "/employer/teams/{team}/rota"]
ALL_URLS = ["/employer/", "/employer/tables/team.csv", "/employer/tables/month.csv", "/employer/teams/new",
            "/employer/workplace"] + OWN_TEAM_URLS


def test_every_employer_url_works_for_its_own_staff(app, client, world):
    signed_in(client, world.users.fish_staff)
    for url in ALL_URLS:
        response = client.get(url.format(team=world.night, code="HUSY-2027"))
        assert response.status_code == 200, url


@pytest.mark.parametrize("url", OWN_TEAM_URLS)
def test_another_employers_team_is_not_found(app, client, world, url):
    signed_in(client, world.users.home_staff)
    assert client.get(url.format(team=world.night, code="HUSY-2027")).status_code == 404
    # Nor the other employer's code on one's own team.
    if "{code}" in url:
        assert client.get(url.format(team=world.ward, code="HUSY-2027")).status_code == 404


@pytest.mark.parametrize("url", POSTS)
def test_another_employer_cannot_change_a_team(app, client, world, url):
    from nortime.db import db
    from nortime.models import JoinCode, Team

    signed_in(client, world.users.home_staff)
    response = client.post(url.format(team=world.night, code="HUSY-2027"),
                           data={"code": "EVIL-2027", "method": "office", "step": "save"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(JoinCode, "EVIL-2027") is None
        assert db.session.get(JoinCode, "HUSY-2027").revoked_at is None
        assert db.session.get(Team, world.night).rota_method == "fish_cod_season"


def test_another_employers_people_never_show(app, client, world):
    signed_in(client, world.users.home_staff)
    for url in ["/employer/", "/employer/tables/team.csv", "/employer/tables/month.csv"]:
        text = client.get(url).data.decode("utf-8-sig")
        assert "Natt" not in text and not any(name in text for name in world.consenting_names + world.silent_names)
    assert world.nurse_name in client.get("/employer/").text


@pytest.mark.parametrize("role", ["coordinator", "alpha_staff"])
def test_other_staff_have_no_employer_pages(app, client, world, role):
    signed_in(client, getattr(world.users, role))
    for url in ALL_URLS:
        assert client.get(url.format(team=world.night, code="HUSY-2027")).status_code == 403, url


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for url in ALL_URLS:
        response = client.get(url.format(team=world.night, code="HUSY-2027"))
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_employer_staff_see_no_provider_or_coordinator_pages(client, world):
    signed_in(client, world.users.fish_staff)
    for url in ["/provider/", "/coordinator/", "/coordinator/employers", "/provider/workplaces"]:
        assert client.get(url).status_code in (403, 404), url


def test_no_employer_page_counts_workers_who_did_not_consent(app, client, world):
    """The ward has one consenting worker; two silent workers join it: no page may change because of them."""
    import datetime as dt

    from nortime.db import db
    from nortime.models import Learner

    signed_in(client, world.users.home_staff)
    urls = ["/employer/", f"/employer/teams/{world.ward}", "/employer/tables/team.csv", "/employer/tables/month.csv"]
    before = {url: client.get(url).data for url in urls}
    with app.app_context():
        for learner_id in world.silent:
            learner = db.session.get(Learner, learner_id)
            learner.team_id, learner.employer_id = world.ward, world.home
        db.session.commit()
    assert {url: client.get(url).data for url in urls} == before
    response = client.post(f"/employer/teams/{world.ward}/rota?lang=en", data={
        "method": "office", "step": "save", "day_from": "08:00", "day_to": "16:00", "week": "1",
        "starts_on": dt.date.today().isoformat()}, follow_redirects=True)
    assert response.status_code == 200 and dt.date.today().isoformat() in response.text
    assert " 3 " not in response.text and ">3<" not in response.text


SUPERSCRIPT_TWO = "²"  # str.isdigit() says yes, int() says no: a number field must answer 4xx or a form, never 500


def test_a_digit_that_is_no_number_gets_no_500(app, world):
    employer = signed_in(app.test_client(), world.users.fish_staff)
    assert employer.get(f"/employer/teams/new?method=custom&weeks={SUPERSCRIPT_TWO}").status_code == 200
    answer = employer.post("/employer/workplace", data={"name": "Kantine", "place": "husoy", "rooms": SUPERSCRIPT_TWO,
                                                        "provider": "alpha"})
    assert answer.status_code < 500
    staff = signed_in(app.test_client(), world.users.alpha_staff)
    assert staff.post("/provider/workplaces", data={"venue": SUPERSCRIPT_TWO, "accept": "1"}).status_code < 500
    learner = app.test_client()
    assert learner.get(f"/signup/rota/custom?weeks={SUPERSCRIPT_TWO}").status_code < 500
