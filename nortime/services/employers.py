"""Employers (issue 21): teams that share a rota, join codes, workplace rooms, and a worker's consent.

A team's rota is built with the learners' own builders and checks
(`signup.rota_from_preset`, `signup.rota_from_custom`, the roster reader).
A worker who signs up with a team's join code gets the employer, the team and
the rota filled in; the employer sees that worker (in counts or by name) only
while `Learner.employer_consent_at` is set. A new season's rota reaches every
worker of the team through `signup.save_rota`, the one way a learner's rota
changes, and each worker is told.

Errors are EmployerError with a message that says what to fix.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..db import db
from ..models import (SECTORS, WEEKDAYS, Employer, JoinCode, Learner, Place, Provider, Team, Venue, VenueOpening,
                      utcnow)
from . import signup

CODE_PATTERN = re.compile(r"^[A-Z0-9]{2,8}(-[A-Z0-9]{2,8})?$")
# No 0/O or 1/I: a code is read off a canteen wall and typed on a phone.
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class EmployerError(ValueError):
    """Input an employer page or command cannot use; the message names the field and what would do."""


def sector_labels() -> dict[str, str]:
    return {"fish": _("Fish processing"), "health": _("Health and care"), "industry": _("Industry"),
            "defence": _("Defence"), "construction": _("Construction"), "retail": _("Shops"),
            "hospitality": _("Hotels and restaurants"), "transport": _("Transport"), "other": _("Other")}


def slug_of(text: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})
    return re.sub(r"[^a-z0-9]+", "-", text.translate(table).lower()).strip("-")[:60]


# --- employers and their staff ------------------------------------------------------


def create_employer(name: str, place_id: str, sector: str, slug: str | None = None) -> Employer:
    """A new employer organisation (commits)."""
    name = (name or "").strip()
    if not 2 <= len(name) <= 120:
        raise EmployerError(_("name: write the employer's name (2 to 120 characters)"))
    if db.session.get(Place, place_id or "") is None:
        raise EmployerError(_("place: %(place)s is not a place in the region", place=place_id))
    if sector not in SECTORS:
        raise EmployerError(_("sector: choose one of %(sectors)s", sectors=", ".join(SECTORS)))
    slug = slug or slug_of(name)
    taken = EmployerError(_("name: an employer called %(name)s exists already", name=name))
    if not slug:
        raise taken
    employer = Employer(slug=slug, name=name, place_id=place_id, sector=sector)
    db.session.add(employer)
    try:  # the unique slug decides, also between two coordinators at the same moment
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise taken from None
    return employer


# --- teams and their rota -------------------------------------------------------------


def days_off_of(days) -> str:
    chosen = [day for day in WEEKDAYS if day in set(days or [])]
    unknown = set(days or []) - set(WEEKDAYS)
    if unknown:
        raise EmployerError(_("days off: use weekdays from %(days)s", days=", ".join(WEEKDAYS)))
    return ",".join(chosen)


def team_rota(method: str, answers: Mapping[str, str] | None = None,
              roster: dict | None = None) -> tuple[dict | None, dict[str, str]]:
    """A team's rota {"method", "rota", "answers"} built as a learner's is, or errors by field.

    method: a preset id (answers as the preset step's), "custom" (answers as the
    day-by-day builder's, "weeks" among them), "ics" (`roster`: the rota the
    learners' roster reader made of the file) or "none".
    """
    from ..rota_presets import PRESETS

    answers = dict(answers or {})
    if method == "none":
        return {"method": "none", "rota": None, "answers": {}}, {}
    if method == "custom":
        raw = str(answers.get("weeks", "1"))
        if not raw.isdecimal() or not 1 <= int(raw) <= signup.MAX_CUSTOM_WEEKS:
            return None, {"weeks": _("Choose from 1 to %(count)s weeks.", count=signup.MAX_CUSTOM_WEEKS)}
        rota, errors = signup.rota_from_custom(answers, int(raw))
        return (None, errors) if errors else ({"method": "custom", "rota": rota, "answers": answers}, {})
    if method == "ics":
        if not roster or not roster.get("cycle"):
            return None, {"roster": _("Choose a file to upload.")}
        return {"method": "ics", "rota": dict(roster), "answers": {}}, {}
    if method not in PRESETS:
        return None, {"method": _("This rota does not exist. Go back and choose one from the list.")}
    rota, errors = signup.rota_from_preset(method, answers)
    return (None, errors) if errors else ({"method": method, "rota": rota, "answers": answers}, {})


def create_team(employer: Employer, name: str, rota: Mapping, days_off=()) -> Team:
    """A new team with its rota (from `team_rota`) (commits)."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 80:
        raise EmployerError(_("name: write the team's name (1 to 80 characters)"))
    team = Team(employer_id=employer.id, name=name, days_off=days_off_of(days_off), rota_from=signup.today())
    _set_rota(team, rota)
    db.session.add(team)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise EmployerError(_("name: the team %(name)s exists already", name=name)) from None
    return team


def _set_rota(team: Team, rota: Mapping) -> None:
    built = rota.get("rota")
    team.rota_method = rota.get("method")
    team.rota_anchor = dt.date.fromisoformat(built["start"]) if built else None
    team.rota_cycle = built["cycle"] if built else None
    team.rota_answers = dict(rota.get("answers") or {})


def team_workers(team: Team) -> list[Learner]:
    """The team's workers who have not withdrawn, with their rota and busy times loaded."""
    return list(db.session.scalars(
        select(Learner).where(Learner.team_id == team.id, Learner.withdrawn_at.is_(None)).order_by(Learner.id)
        .options(selectinload(Learner.rota), selectinload(Learner.busy_periods))))


def change_team_rota(team: Team, rota: Mapping, starts_on: dt.date) -> int:
    """A new season: the team's rota from `starts_on` on; today or earlier reaches every worker now.

    A later start is kept and applied by `apply_due_rotas` (a daily command) on that day. Returns how
    many workers got the new rota now.
    """
    if starts_on is None:
        raise EmployerError(_("starts: write the first day of the new rota, like 2027-01-11"))
    if abs((starts_on - signup.today()).days) > 366:
        raise EmployerError(_("starts: choose a day within one year from today"))
    team = db.session.scalars(select(Team).where(Team.id == team.id).with_for_update()).one()
    if starts_on > signup.today():
        team.next_rota, team.next_rota_from = dict(rota), starts_on
        db.session.commit()
        return 0
    return _apply_rota(team, rota, starts_on)


def _apply_rota(team: Team, rota: Mapping, starts_on: dt.date) -> int:
    """Set the team's rota and give it to each worker through signup.save_rota, telling each one.

    The team's new version and every worker's message are committed first (the message key names
    the version, so nobody is told twice); each worker is then one commit of their own
    (save_rota's, which also re-checks their group). Should it stop half-way, the workers not reached
    keep their old rota until the rota is saved again (a new version: everyone is told once more).
    """
    from .messages import message_row, queue_messages

    _set_rota(team, rota)
    team.rota_from = starts_on
    team.rota_version = (team.rota_version or 1) + 1
    team.next_rota = team.next_rota_from = None
    version, built, method = team.rota_version, team.rota, team.rota_method
    workers = team_workers(team)
    queue_messages(message_row(learner, "rota", key=f"team-rota:{team.id}:{version}:{learner.id}",
                               team=team.name, day=starts_on) for learner in workers)
    # Read before the commits below expire every loaded row: the busy times stay as they are.
    busy = {learner.id: [{"start": b.start.isoformat(timespec="minutes"), "end": b.end.isoformat(timespec="minutes")}
                         for b in learner.busy_periods] for learner in workers}
    db.session.commit()
    for learner in workers:
        signup.save_rota(learner, built, method if method != "none" else None, busy[learner.id])
    return len(workers)


def apply_due_rotas(today: dt.date | None = None) -> int:
    """Apply every team rota whose season has begun; how many workers got a new rota."""
    today = today or signup.today()
    changed = 0
    for team_id in db.session.scalars(select(Team.id).where(Team.next_rota_from <= today)).all():
        team = db.session.scalars(select(Team).where(Team.id == team_id).with_for_update()).one()
        if team.next_rota is None or team.next_rota_from is None or team.next_rota_from > today:
            db.session.rollback()
            continue
        changed += _apply_rota(team, team.next_rota, team.next_rota_from)
    return changed


# --- join codes -----------------------------------------------------------------------------


def normal_code(text: str | None) -> str:
    return re.sub(r"\s+", "", (text or "").upper())[:20]


def new_join_code(team: Team, code: str | None = None, expires_on: dt.date | None = None) -> JoinCode:
    """A join code for the team: the one asked for (e.g. "HUSY-2027") or a new random one (commits)."""
    if code:
        code = normal_code(code)
        if not CODE_PATTERN.match(code):
            raise EmployerError(_("code: use letters A-Z and digits, with at most one dash, like HUSY-2027"))
    else:
        code = "-".join("".join(secrets.choice(CODE_LETTERS) for _ in range(4)) for _ in range(2))
    if expires_on is not None and expires_on < signup.today():
        raise EmployerError(_("expires: choose today or a later day"))
    join_code = JoinCode(code=code, team_id=team.id, expires_on=expires_on)
    db.session.add(join_code)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise EmployerError(_("code: %(code)s is taken; choose another", code=code)) from None
    return join_code


def revoke_join_code(join_code: JoinCode) -> None:
    if join_code.revoked_at is None:
        join_code.revoked_at = utcnow()
        db.session.commit()


def team_for_code(text: str | None, today: dt.date | None = None) -> Team:
    """The team a join code belongs to; EmployerError says whether it is unknown, expired or revoked."""
    code = normal_code(text)
    join_code = db.session.get(JoinCode, code) if code else None
    if join_code is None:
        raise EmployerError(_("We do not know the code %(code)s. Check it against the poster, letter by letter.",
                              code=code or "–"))
    if join_code.revoked_at is not None:
        raise EmployerError(_("The code %(code)s has been withdrawn by the employer. Ask them for the new one.",
                              code=code))
    if join_code.expires_on is not None and join_code.expires_on < (today or signup.today()):
        raise EmployerError(_("The code %(code)s expired on %(day)s. Ask your employer for a new one.",
                              code=code, day=join_code.expires_on.isoformat()))
    return join_code.team


def join_answers(team: Team) -> dict:
    """What a join code puts into the sign-up draft: the team, and its rota as the rota step's answer."""
    rota = {"method": team.rota_method or "none", "rota": team.rota, "answers": dict(team.rota_answers or {})}
    return {"join": {"team_id": team.id, "employer_id": team.employer_id, "consent": False}, "rota": rota}


def apply_join(learner: Learner, join: Mapping | None) -> None:
    """Put the learner on the team the draft's join code named (a team deleted since is left out)."""
    if not join:
        return
    team = db.session.get(Team, join.get("team_id"))
    if team is None:
        return
    learner.team_id, learner.employer_id = team.id, team.employer_id
    learner.employer_consent_at = utcnow() if join.get("consent") else None


def set_consent(learner: Learner, consent: bool) -> None:
    """The worker allows, or no longer allows, their employer to see that they take part (commits)."""
    if learner.employer_id is None:
        raise EmployerError(_("You did not sign up with an employer's code."))
    learner.employer_consent_at = (learner.employer_consent_at or utcnow()) if consent else None
    db.session.commit()


def leave_team(learner: Learner) -> None:
    """The worker no longer belongs to the team (and the employer): nothing about them is shown (commits)."""
    learner.team_id = learner.employer_id = learner.employer_consent_at = None
    db.session.commit()


# --- workplace rooms ------------------------------------------------------------------------


def offer_workplace(employer: Employer, provider: Provider, name: str, place_id: str, rooms: int,
                    openings: list[tuple[list[str], str, str]], address: str = "") -> Venue:
    """A workplace room offered to a provider as a venue; the optimizer uses it once accepted (commits).

    openings: (weekdays, "HH:MM" opens, "HH:MM" closes) per weekly window.
    """
    name = (name or "").strip()
    if not 2 <= len(name) <= 120:
        raise EmployerError(_("name: write the room's name (2 to 120 characters)"))
    if db.session.get(Place, place_id or "") is None:
        raise EmployerError(_("place: %(place)s is not a place in the region", place=place_id))
    if not isinstance(rooms, int) or not 1 <= rooms <= 20:
        raise EmployerError(_("rooms: write how many rooms, from 1 to 20"))
    windows = []
    for days, opens, closes in openings:
        start, end = signup.parse_clock(opens), signup.parse_clock(closes)
        if not days or set(days) - set(WEEKDAYS):
            raise EmployerError(_("opening hours: choose the weekdays the room is free"))
        if start is None or end is None or end <= start:
            raise EmployerError(_("opening hours: write from and to like 17:00 and 21:00, the end after the start"))
        windows.append(VenueOpening(days=",".join(d for d in WEEKDAYS if d in days),
                                    opens=dt.time(start // 60, start % 60), closes=dt.time(end // 60, end % 60)))
    if not windows:
        raise EmployerError(_("opening hours: give at least one weekly time the room is free"))
    from .setup import slugify, unique_slug

    # Room for a "-N" suffix within the column's 60 characters.
    slug = unique_slug(Venue, slugify(f"{employer.slug}-{name}")[:55].strip("-"))
    venue = Venue(slug=slug, provider_id=provider.id, name=name[:120],
                  address=(address or "")[:200], place_id=place_id, rooms=rooms, employer_id=employer.id,
                  openings=windows)
    db.session.add(venue)
    db.session.commit()
    return venue


def accept_workplace(venue: Venue, provider: Provider, accept: bool = True) -> None:
    """The provider accepts the offered room (the optimizer may then use it) or declines it (commits)."""
    if venue.employer_id is None or venue.provider_id != provider.id:
        raise EmployerError(_("This room was not offered to you."))
    if accept:
        venue.accepted_at = venue.accepted_at or utcnow()
    else:
        venue.accepted_at = None
    db.session.commit()

