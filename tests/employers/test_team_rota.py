"""A team's new rota reaches every worker (through signup.save_rota), from its start date, and each is told."""
from __future__ import annotations

import datetime as dt

import pytest

from .conftest import signed_in


def health_rota():
    from nortime.services import employers

    rota, errors = employers.team_rota("health_3week", {
        "day_from": "07:30", "day_to": "15:00", "evening_from": "14:30", "evening_to": "22:00",
        "night_from": "21:45", "night_to": "07:45", "week": "1", "first_day": dt.date.today().isoformat()})
    assert not errors, errors
    return rota


def test_a_new_season_reaches_every_worker_and_each_is_told(app, world, monkeypatch):
    from sqlalchemy import select

    from nortime.db import db
    from nortime.models import Learner, Message, Team
    from nortime.services import employers, signup

    saved = []
    real_save_rota = signup.save_rota
    monkeypatch.setattr(signup, "save_rota", lambda learner, *args: saved.append(learner.id) or
                        real_save_rota(learner, *args))
    with app.app_context():
        team = db.session.get(Team, world.night)
        rota = health_rota()
        assert employers.change_team_rota(team, rota, dt.date.today()) == 8
        workers = db.session.scalars(select(Learner).where(Learner.team_id == world.night)).all()
        assert sorted(saved) == sorted(world.consenting + world.silent)
        for learner in workers:
            assert learner.rota.cycle == rota["rota"]["cycle"] and learner.rota.preset == "health_3week"
        messages = db.session.scalars(select(Message).where(Message.kind == "rota")).all()
        assert sorted(message.learner_id for message in messages) == sorted(world.consenting + world.silent)
        # Told in their own language (nb here).
        assert all("turnus" in message.body.lower() for message in messages)
        nurse = db.session.get(Learner, world.nurse)
        assert nurse.rota is None  # another team's worker is untouched


def test_a_rota_from_a_later_day_waits_for_that_day(app, world):
    from nortime.db import db
    from nortime.models import Learner, Team
    from nortime.services import employers

    start = dt.date.today() + dt.timedelta(days=14)
    with app.app_context():
        team = db.session.get(Team, world.night)
        before = team.rota_cycle
        assert employers.change_team_rota(team, health_rota(), start) == 0
        assert db.session.get(Learner, world.consenting[0]).rota is None
        assert db.session.get(Team, world.night).rota_cycle == before
        assert employers.apply_due_rotas(dt.date.today()) == 0
        assert employers.apply_due_rotas(start) == 8
        team = db.session.get(Team, world.night)
        assert team.rota_method == "health_3week" and team.rota_from == start and team.next_rota is None
        assert db.session.get(Learner, world.consenting[0]).rota.preset == "health_3week"


def test_bad_rotas_are_refused_with_the_field_named(app, world):
    from nortime.services import employers

    with app.app_context():
        rota, errors = employers.team_rota("health_3week", {"day_from": "7.30"})
        assert rota is None and "day_from" in errors
        assert employers.team_rota("no_such", {})[1]
        assert "roster" in employers.team_rota("ics", {}, None)[1]
        with pytest.raises(employers.EmployerError):
            from nortime.db import db
            from nortime.models import Team

            employers.change_team_rota(db.session.get(Team, world.night), health_rota(),
                                       dt.date.today() + dt.timedelta(days=800))


def test_the_rota_page_changes_the_rota_for_the_team(app, client, world):
    from nortime.db import db
    from nortime.models import Learner

    signed_in(client, world.users.fish_staff)
    form = {"method": "office", "step": "save", "day_from": "08:00", "day_to": "16:00", "week": "1",
            "starts_on": dt.date.today().isoformat()}
    response = client.post(f"/employer/teams/{world.night}/rota", data=form)
    assert response.status_code == 302, response.text
    with app.app_context():
        assert db.session.get(Learner, world.silent[0]).rota.preset == "office"
    form["day_from"] = "25:00"
    response = client.post(f"/employer/teams/{world.night}/rota?lang=en", data=form)
    assert response.status_code == 422 and "like 07:30" in response.text


def test_a_team_is_registered_with_a_preset_or_a_roster_file(app, client, world):
    from sqlalchemy import select

    from nortime.db import db
    from nortime.models import Team

    signed_in(client, world.users.fish_staff)
    response = client.post("/employer/teams/new", data={
        "method": "fish_cod_season", "step": "save", "name": "Dag", "days_off": ["sat", "sun"],
        "first_day": dt.date.today().isoformat()})
    assert response.status_code == 302, response.text
    ics = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN"] + [
        line for day in range(14) for line in (
            "BEGIN:VEVENT", f"UID:s{day}@t", f"DTSTART:{(dt.date.today() + dt.timedelta(days=day)):%Y%m%d}T060000",
            f"DTEND:{(dt.date.today() + dt.timedelta(days=day)):%Y%m%d}T140000", "SUMMARY:Skift", "END:VEVENT")
        if day % 7 < 5] + ["END:VCALENDAR"]).encode()
    import io

    response = client.post("/employer/teams/new", data={"method": "ics", "step": "save", "name": "Fil",
                                                         "roster": (io.BytesIO(ics), "roster.ics")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    with app.app_context():
        teams = {team.name: team for team in db.session.scalars(select(Team).where(Team.employer_id == world.fish))}
        assert teams["Dag"].rota_method == "fish_cod_season" and teams["Dag"].days_off == "sat,sun"
        assert teams["Fil"].rota_method == "ics" and teams["Fil"].rota_cycle


def test_a_roster_file_that_cannot_be_read_is_refused_with_the_learners_message(app, client, world):
    import io

    signed_in(client, world.users.fish_staff)
    response = client.post("/employer/teams/new?lang=en", data={
        "method": "ics", "step": "save", "name": "Fil", "roster": (io.BytesIO(b"not a calendar"), "roster.ics")},
        content_type="multipart/form-data")
    assert response.status_code == 422 and "calendar" in response.text


def test_a_team_is_registered_with_a_rota_built_day_by_day(app, client, world):
    from sqlalchemy import select

    from nortime.db import db
    from nortime.models import Team

    signed_in(client, world.users.fish_staff)
    form = {"method": "custom", "step": "save", "name": "Helg", "weeks": "1", "week": "1",
            "kind_5": "shift", "from_5": "08:00", "to_5": "20:00", "kind_6": "shift", "from_6": "08:00", "to_6": "20"}
    response = client.post("/employer/teams/new?lang=en", data=form)
    assert response.status_code == 422 and "like 15:30" in response.text  # the learners' own check and message
    form["to_6"] = "20:00"
    assert client.post("/employer/teams/new", data=form).status_code == 302
    with app.app_context():
        team = db.session.scalars(select(Team).where(Team.name == "Helg")).one()
        assert team.rota_method == "custom"
        assert team.rota_cycle == [[], [], [], [], [], [["08:00", "20:00"]], [["08:00", "20:00"]]]


def test_each_new_season_is_told_again(app, world):
    """The message key names the rota's version: a second change the same day reaches every worker too."""
    from sqlalchemy import func, select

    from nortime.db import db
    from nortime.models import Message, Team
    from nortime.services import employers

    with app.app_context():
        team = db.session.get(Team, world.night)
        for _ in range(2):
            employers.change_team_rota(team, health_rota(), dt.date.today())
        told = dict(db.session.execute(select(Message.learner_id, func.count()).where(Message.kind == "rota")
                                       .group_by(Message.learner_id)).all())
        assert told == {learner_id: 2 for learner_id in world.consenting + world.silent}
