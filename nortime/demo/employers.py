"""The demo's employers (issue 21): a fish plant on Husøy, a nursing home in Finnsnes, a workshop at Setermoen.

Facts in data/employers.json. Each team's rota is built with the learners' own
preset builder; demo learners already on that preset join the team (up to
twelve each; two in three consent to their employer seeing them). The fish
plant offers its canteen to Folkeuniversitetet, not yet accepted. Adds rows
to the caller's transaction; commits nothing.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select

from ..db import db
from ..models import Employer, JoinCode, Learner, Provider, Rota, Team, Venue, VenueOpening, utcnow
from ..services.employers import team_rota

DATA = Path(__file__).resolve().parent / "data" / "employers.json"
WORKERS_PER_TEAM = 12


def employer_facts() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def add_employers() -> None:
    taken: set[int] = set()
    for entry in employer_facts()["employers"]:
        employer = Employer(slug=entry["slug"], name=entry["name"], place_id=entry["place"], sector=entry["sector"])
        db.session.add(employer)
        db.session.flush()
        for team_entry in entry["teams"]:
            rota, errors = team_rota(team_entry["method"], team_entry["answers"])
            if errors:
                raise ValueError(f"demo team {team_entry['name']}: {errors}")
            built = rota["rota"]
            team = Team(employer_id=employer.id, name=team_entry["name"], rota_method=rota["method"],
                        rota_anchor=dt.date.fromisoformat(built["start"]) if built else None,
                        rota_cycle=built["cycle"] if built else None, rota_answers=rota["answers"],
                        days_off=",".join(team_entry["days_off"]), rota_from=dt.date.today())
            db.session.add(team)
            db.session.flush()
            db.session.add(JoinCode(code=team_entry["code"], team_id=team.id))
            workers = db.session.scalars(
                select(Learner).join(Rota, Rota.learner_id == Learner.id)
                .where(Rota.preset == team_entry["method"], Learner.team_id.is_(None)).order_by(Learner.id)).all()
            for number, learner in enumerate([w for w in workers if w.id not in taken][:WORKERS_PER_TEAM]):
                taken.add(learner.id)
                learner.employer_id, learner.team_id = employer.id, team.id
                learner.employer_consent_at = utcnow() if number % 3 != 2 else None
        room = entry.get("workplace")
        if room:
            provider = db.session.scalar(select(Provider).where(Provider.slug == room["provider"]))
            if provider is not None:
                db.session.add(Venue(
                    slug=f"{entry['slug']}-kantine", provider=provider, name=room["name"], address=room["address"],
                    place_id=room["place"], rooms=room["rooms"], employer_id=employer.id,
                    openings=[VenueOpening(days=",".join(room["days"]), opens=dt.time.fromisoformat(room["opens"]),
                                           closes=dt.time.fromisoformat(room["closes"]))]))
