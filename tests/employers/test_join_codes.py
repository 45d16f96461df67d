"""Join codes: unknown, expired and revoked codes get clear errors; a good one fills in employer, team and rota."""
from __future__ import annotations

import datetime as dt

import pytest

from .conftest import signed_in


def test_unknown_expired_and_revoked_codes_say_what_is_wrong(app, world):
    from nortime.db import db
    from nortime.models import JoinCode, Team
    from nortime.services import employers

    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        team = db.session.get(Team, world.night)
        with pytest.raises(employers.EmployerError, match="do not know the code NOPE-2027"):
            employers.team_for_code("nope-2027")
        old = employers.new_join_code(team, "OLD-2026", dt.date.today())
        db.session.get(JoinCode, "OLD-2026").expires_on = dt.date.today() - dt.timedelta(days=1)
        db.session.commit()
        with pytest.raises(employers.EmployerError, match="expired"):
            employers.team_for_code("OLD-2026")
        employers.revoke_join_code(db.session.get(JoinCode, "HUSY-2027"))
        with pytest.raises(employers.EmployerError, match="withdrawn"):
            employers.team_for_code("husy-2027")
        assert old.code == "OLD-2026"


@pytest.mark.parametrize("code, words", [("ZZZZ-0000", "do not know"), ("", "do not know")])
def test_the_join_page_refuses_unknown_codes(client, world, code, words):
    response = client.post("/join?lang=en", data={"code": code})
    assert response.status_code == 422
    assert words in response.text


def test_the_join_page_refuses_revoked_codes(app, client, world):
    from nortime.db import db
    from nortime.models import JoinCode
    from nortime.services import employers

    with app.app_context():
        employers.revoke_join_code(db.session.get(JoinCode, "HUSY-2027"))
    response = client.post("/join?lang=en", data={"code": "HUSY-2027"})
    assert response.status_code == 422 and "withdrawn" in response.text


def test_codes_must_be_readable_and_unique(app, world):
    from nortime.db import db
    from nortime.models import Team
    from nortime.services import employers

    with app.app_context():
        team = db.session.get(Team, world.night)
        for bad in ("=cmd|x", "A", "HUSY-2027"):
            with pytest.raises(employers.EmployerError):
                employers.new_join_code(team, bad)
        made = employers.new_join_code(team)
        assert employers.CODE_PATTERN.match(made.code)


def sign_up_with_code(client, code: str, consent: bool):
    response = client.post("/join", data={"code": code})
    assert response.status_code == 302 and response.headers["Location"].endswith("/signup")
    response = client.post("/signup", data={"name": "Olena Test", "phone": "91234567", "language": "uk",
                                            "home": "husoy", "right": "no", "level": "A1", "travel": "60"})
    # The team's rota is the rota step's answer already: no shift typed, straight on to the busy days.
    assert response.status_code == 302 and response.headers["Location"].endswith("/signup/busy"), response.text
    assert client.get("/signup/rota").status_code == 200  # still there to change it
    response = client.post("/signup/busy", data={})
    assert response.status_code == 302, response.text
    check = client.get("/signup/check?lang=en")
    assert "Husøy Fiskebruk" in check.text and "My employer may see" in check.text
    nonce = check.text.split('name="nonce" type="hidden" value="')[1].split('"')[0]
    data = {"consent": "y", "nonce": nonce}
    if consent:
        data["employer_consent"] = "y"
    response = client.post("/signup/check", data=data)
    assert response.status_code == 302, response.text


@pytest.mark.parametrize("consent", [True, False])
def test_a_code_fills_in_employer_team_and_rota_and_consent_is_asked_separately(app, client, world, consent):
    from sqlalchemy import select

    from nortime.db import db
    from nortime.models import Learner, Team

    sign_up_with_code(client, "husy-2027", consent)
    with app.app_context():
        learner = db.session.scalars(select(Learner).where(Learner.name == "Olena Test")).one()
        team = db.session.get(Team, world.night)
        assert (learner.team_id, learner.employer_id) == (world.night, world.fish)
        assert learner.rota.cycle == team.rota_cycle and learner.rota.anchor == team.rota_anchor
        assert learner.rota.preset == "fish_cod_season"
        assert (learner.employer_consent_at is not None) is consent


def test_the_worker_can_still_change_the_rota_after_joining(app, client, world):
    from sqlalchemy import select

    from nortime.db import db
    from nortime.models import Learner
    from nortime.services import signup

    sign_up_with_code(client, "HUSY-2027", False)
    with app.app_context():
        learner = db.session.scalars(select(Learner).where(Learner.name == "Olena Test")).one()
        rota, errors = signup.rota_from_preset("office", {"day_from": "08:00", "day_to": "16:00", "week": "1"})
        assert not errors
        signup.save_rota(learner, rota, "office", [])
        assert learner.rota.preset == "office" and learner.team_id == world.night


def test_employers_make_and_withdraw_codes_on_their_pages(app, client, world):
    from nortime.db import db
    from nortime.models import JoinCode

    signed_in(client, world.users.fish_staff)
    response = client.post(f"/employer/teams/{world.night}/codes", data={"code": "natt-2028"})
    assert response.status_code == 302
    poster = client.get(f"/employer/teams/{world.night}/codes/NATT-2028/poster")
    assert poster.status_code == 200 and "NATT-2028" in poster.text and "<svg" in poster.text
    assert client.post(f"/employer/teams/{world.night}/codes/NATT-2028/revoke").status_code == 302
    with app.app_context():
        assert db.session.get(JoinCode, "NATT-2028").revoked_at is not None
