"""Late joiners (issue 15): the published groups that fit, joining in one step, the nearest miss, the waiting
list, re-checking a placed learner after a change, the `seats` and `join` commands, and the last seat taken
by two people at once (SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from nortime.db import db
from nortime.models import (Group, Learner, Message, Offer, Placement, Plan, Rota, TravelTime, WEEKDAYS,
                            utcnow)
from nortime.services import planning, publishing, signup
from nortime.services.enrollment import enrollment_of, join, openings, recheck_placement, waiting_query
from nortime.services.fitting import group_fits
from nortime.services.seats import GroupFull, SeatError

from .conftest import hand_draft, in_english, in_threads

WEEK_5 = dt.date(2027, 2, 8)  # the demo's term starts on Monday 11 January 2027


@pytest.fixture
def week_5(monkeypatch):
    """Today is the Monday of the term's fifth week."""
    monkeypatch.setattr(signup, "today", lambda: WEEK_5)
    return WEEK_5


def _published(members: int = 3) -> int:
    """A published plan of mtvo with a group for each of three courses, `members` learners each."""
    return publishing.publish(db.session.get(Plan, hand_draft(members)), notify=False).id


def _cycle(evening_on: dict[int, int] | None = None, weeks: int = 3) -> list:
    """A `weeks`-week rota of day shifts (07:00-15:00) on weekdays; evening shifts instead on {week: weekday}."""
    cycle = []
    for week in range(1, weeks + 1):
        for weekday in range(7):
            if evening_on and evening_on.get(week) == weekday:
                cycle.append([["14:00", "22:00"]])
            else:
                cycle.append([["07:00", "15:00"]] if weekday < 5 else [])
    return cycle


def _late_joiner(group: Group, *, name: str = "Ewa Kowalska", language: str = "pl", cycle: list | None = None,
                 home: str | None = None, travel: int = 30) -> Learner:
    """A learner of the group's level who signed up after the plan was published, living by its venue."""
    email = name.lower().replace(" ", ".") + "@example.org"
    learner = Learner(provider_id=group.plan.provider_id, name=name, email=email, language=language,
                      home_place_id=home or group.venue.place_id, level=group.course.level,
                      max_travel_minutes=travel, consent_at=utcnow())
    if cycle is not None:
        learner.rota = Rota(preset="custom", anchor=group.plan.term.first_day, cycle=cycle)
    db.session.add(learner)
    db.session.commit()
    return learner


def _term_dates(group: Group, weekday: int, first: dt.date) -> list[dt.date]:
    term = group.plan.term
    closed = {closed.day for closed in term.closed_dates}
    day = first + dt.timedelta(days=(weekday - first.weekday()) % 7)
    found = []
    while day <= term.last_day:
        if day not in closed:
            found.append(day)
        day += dt.timedelta(days=7)
    return found


def test_a_late_joiner_in_week_5_sees_the_group_with_first_date_share_and_the_sessions_she_would_miss(
        demo_app, week_5):
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = plan.groups[0]
        slot = sorted(group.slots, key=lambda s: (s.weekday, s.start))[0]
        # Three-week rota: an evening shift on the group's first weekday in week 3 of the rota only.
        learner = _late_joiner(group, cycle=_cycle({3: slot.weekday}))
        found = {opening.group.id: opening for opening in openings(learner)}
        assert group.id in found
        opening = found[group.id]
        coming = sorted(day for s in group.slots for day in _term_dates(group, s.weekday, week_5))
        # Week 3 of a rota anchored on the term's first Monday: weeks 3, 6, 9, ... of the term.
        expected_missed = [day for day in _term_dates(group, slot.weekday, week_5)
                           if ((day - plan.term.first_day).days // 7) % 3 == 2]
        assert list(opening.missed) == expected_missed and expected_missed
        assert opening.fit.sessions == len(coming)
        assert opening.fit.share == pytest.approx((len(coming) - len(expected_missed)) / len(coming))
        assert opening.first_day == coming[0] and opening.first_day >= week_5
        assert opening.free_seats == group.course.max_group - len(group.placements)


def test_fit_for_a_seat_counts_the_sessions_from_today_so_weeks_already_over_neither_help_nor_hurt(
        demo_app, week_5, staff):
    from nortime.models import BusyPeriod

    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = plan.groups[0]
        learner = _late_joiner(group)
        # Away for the first four weeks of the term (over by today): the whole-term share would be too low.
        learner.busy_periods = [BusyPeriod(start=dt.datetime(2027, 1, 11), end=dt.datetime(2027, 2, 7, 23, 0),
                                           note="")]
        db.session.commit()
        problems, share = planning.fit_problems(plan, learner, group)
        assert problems == [] and share == 1.0
        fit = group_fits(plan, [learner], [group.id])[learner.id, group.id]
        assert fit.fits and fit.share == share
        placement = join(learner, group.id)
        assert placement.group_id == group.id and placement.attendable_share == 1.0


def test_joining_places_her_at_once_with_a_confirmation_in_her_language_and_the_lessons_in_her_feed(
        demo_app, week_5, client):
    from nortime.services.timetable import issue_feed_token

    demo_app.config["MAIL_SERVER"] = "smtp.example.no"  # queued only: no worker runs under TESTING
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = plan.groups[0]
        learner = _late_joiner(group)
        token, group_id, learner_id, plan_id = learner.access_token, group.id, learner.id, plan.id
        feed = issue_feed_token(learner).token
        course = group.course.name
    before = client.get(f"/feeds/l/{feed}.ics").data.decode()
    assert "BEGIN:VEVENT" not in before
    for path in (f"/me/{token}?lang=en", f"/me/{token}/welcome?lang=en"):  # personal page, end of sign-up
        page = client.get(path).data.decode()
        assert "Groups you can join now" in page and f'name="group_id" value="{group_id}"' in page
    response = client.post(f"/me/{token}/join", data={"group_id": str(group_id)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/me/{token}")
    with demo_app.app_context():
        placement = db.session.scalar(select(Placement).where(Placement.learner_id == learner_id))
        assert (placement.plan_id, placement.group_id, placement.locked) == (plan_id, group_id, True)
        message = db.session.scalar(select(Message).where(Message.learner_id == learner_id))
        assert message.kind == "joined" and message.language == "pl"
        assert message.idempotency_key == f"joined:{plan_id}:{learner_id}:{group_id}:email"
        assert course in message.subject and "Ewa Kowalska" in message.body and "You have a place" not in message.body
    after = client.get(f"/feeds/l/{feed}.ics").data.decode()
    assert after.count("BEGIN:VEVENT") >= 1 and course in after
    joined = "You have joined the group. The lessons are on your page and in your calendar."
    page = client.get(f"/me/{token}?lang=en").data.decode()
    assert "You have a place in a group." in page and "Groups you can join now" not in page
    assert joined in page  # the flashed confirmation, once: a page with a message is never kept for later
    again = client.get(f"/me/{token}?lang=en").data.decode()
    assert "You have a place in a group." in again and joined not in again
    # Joining again changes nothing and says why.
    again = client.post(f"/me/{token}/join?lang=en", data={"group_id": str(group_id)})
    assert again.status_code == 409


def test_a_join_without_a_valid_group_is_refused_with_the_reason(demo_app, client):
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = plan.groups[0]
        learner = _late_joiner(group)
        other_level = next(g for g in plan.groups if g.course.level != learner.level)
        token, other = learner.access_token, other_level.id
    for value in ("", "abc", "999999", "99999999999999999999", "-1", "1e3", str(other)):
        response = client.post(f"/me/{token}/join?lang=en", data={"group_id": value})
        assert response.status_code == 409, value
    assert "Level:" in client.post(f"/me/{token}/join?lang=en", data={"group_id": str(other)}).data.decode()
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Placement)
                                 .where(Placement.learner_id == learner.id)) == 0


def test_when_nothing_fits_she_reads_the_nearest_miss_and_that_she_is_on_the_waiting_list(demo_app, client):
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = plan.groups[0]
        venue_place = group.venue.place_id
        far = db.session.scalar(select(TravelTime).where(TravelTime.to_place_id == venue_place,
                                                         TravelTime.minutes > 60).order_by(TravelTime.minutes))
        far_home, minutes = far.from_place_id, far.minutes
        nearest = min(group_fits(plan, [_late_joiner(group, name="Probe", home=far_home)]).values(),
                      key=lambda fit: (not fit.level_ok, fit.travel_minutes))
        remote = _late_joiner(group, name="Far Away", home=far_home, travel=45)
        blocked_cycle = [[["14:00", "22:00"]] for _ in range(21)]  # evening shifts every day
        evening = _late_joiner(group, name="Every Evening", cycle=blocked_cycle)
        remote_token, evening_token = remote.access_token, evening.access_token
        place = group.venue.place.name
        assert nearest.travel_minutes <= minutes
        nearest_minutes = nearest.travel_minutes
    page = client.get(f"/me/{remote_token}?lang=en").data.decode()
    assert f"{nearest_minutes} minutes from" in page and "You can travel up to 45 minutes." in page
    assert "You are on the waiting list." in page
    page = client.get(f"/me/{evening_token}?lang=en").data.decode()
    assert "your evening shifts" in page and f"in {place}:" in page
    assert "You are on the waiting list." in page and "Groups you can join now" not in page


def test_when_the_groups_that_fit_are_full_she_reads_so_and_waits(demo_app, client):
    from nortime.models import Course

    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = plan.groups[0]
        group.course.max_group = len(group.placements)
        db.session.commit()
        learner = _late_joiner(group)
        token, venue = learner.access_token, group.venue.name
        other = _late_joiner(group, name="Other Level")
        other.level = next(level for level in ("A1", "A2", "B1", "B2", "C1")
                           if level not in {g.course.level for g in plan.groups})
        db.session.commit()
        other_token = other.access_token
        assert db.session.scalar(select(Course).where(Course.id == group.course_id)).max_group == len(group.placements)
    page = client.get(f"/me/{token}?lang=en").data.decode()
    assert "fits your times, but it is full." in page and venue in page and "You are on the waiting list." in page
    page = client.get(f"/me/{other_token}?lang=en").data.decode()
    assert "No group of the plan is at your level" in page and "You are on the waiting list." in page


def test_waiting_order_is_priority_then_sign_up_time(demo_app):
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = plan.groups[0]
        first, second, urgent = (_late_joiner(group, name=name) for name in ("First", "Second", "Urgent"))
        first.created_at, second.created_at, urgent.created_at = (dt.datetime(2027, 2, 1), dt.datetime(2027, 2, 2),
                                                                  dt.datetime(2027, 2, 3))
        urgent.priority = 3
        withdrawn = _late_joiner(group, name="Gone")
        withdrawn.withdrawn_at = utcnow()
        db.session.commit()
        order = list(db.session.scalars(waiting_query(plan)))
        placed = set(db.session.scalars(select(Placement.learner_id).where(Placement.plan_id == plan.id)))
        assert order.index(urgent.id) < order.index(first.id) < order.index(second.id)
        assert withdrawn.id not in order and not placed & set(order)
        everyone = db.session.scalars(select(Learner).where(Learner.provider_id == plan.provider_id,
                                                            Learner.withdrawn_at.is_(None))).all()
        assert len(order) == len(everyone) - len(placed)
        by_id = {learner.id: learner for learner in everyone}
        keys = [(-by_id[i].priority, by_id[i].created_at, i) for i in order]
        assert keys == sorted(keys)


def test_a_rota_change_that_rules_her_group_out_is_flagged_told_and_listed_for_staff(
        demo_app, week_5, client, login, staff):
    demo_app.config["MAIL_SERVER"] = "smtp.example.no"
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = plan.groups[0]
        learner = _late_joiner(group)
        join(learner, group.id)
        evenings = {"start": plan.term.first_day.isoformat(), "cycle": [[["14:00", "22:00"]] for _ in range(7)]}
        fit = signup.save_rota(learner, evenings, "custom", [])
        assert not fit.fits
        placement = db.session.scalar(select(Placement).where(Placement.learner_id == learner.id))
        assert placement.misfit_since is not None and placement.group_id == group.id
        told = db.session.scalars(select(Message).where(Message.learner_id == learner.id,
                                                        Message.kind == "no_longer_fits")).all()
        assert len(told) == 1 and told[0].language == "pl"
        # Saving again does not tell her twice.
        signup.save_rota(learner, evenings, "custom", [])
        assert db.session.scalar(select(func.count()).select_from(Message).where(
            Message.learner_id == learner.id, Message.kind == "no_longer_fits")) == 1
        token, learner_id, name = learner.access_token, learner.id, learner.name
    page = client.get(f"/me/{token}?lang=en").data.decode()
    assert "Your group no longer fits your rota or your details." in page
    export = json.loads(client.get(f"/me/{token}/data.json").data)
    assert export["placements"][0]["no_longer_fits_since"]
    staff_page = in_english(login(staff)).get("/provider/learners?status=misfit").data.decode()
    assert name in staff_page and "No longer fits" in staff_page
    learner_page = in_english(login(staff)).get(f"/provider/learners/{learner_id}").data.decode()
    assert 'id="misfit"' in learner_page and "No longer fits since" in learner_page
    with demo_app.test_request_context("/?lang=en"):
        learner = db.session.get(Learner, learner_id)
        assert signup.save_rota(learner, None, None, []).fits
        assert db.session.scalar(select(Placement.misfit_since).where(Placement.learner_id == learner_id)) is None
    assert name not in in_english(login(staff)).get("/provider/learners?status=misfit").data.decode()


def test_changed_details_re_check_the_group_on_her_page_and_when_staff_edit_them(demo_app, week_5, staff):
    from nortime.models import User
    from nortime.services.staff_learners import edit_learner

    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = plan.groups[0]
        learner = _late_joiner(group)
        join(learner, group.id)
        far = db.session.scalar(select(TravelTime).where(
            (TravelTime.to_place_id == group.venue.place_id) & (TravelTime.minutes > 60)))
        about = dict(signup.about_of(learner), home=far.from_place_id)
        fit = signup.save_about(learner, about)
        assert not fit.in_reach and not fit.fits
        assert db.session.scalar(select(Placement.misfit_since).where(Placement.learner_id == learner.id))
        # Staff move her home back: the group fits again, and the flag goes.
        values = {key: getattr(learner, key) for key in ("name", "email", "phone", "language", "level",
                                                         "max_travel_minutes", "buffer_minutes", "priority")}
        edit_learner(learner, dict(values, home_place_id=group.venue.place_id, home=group.venue.place_id),
                     db.session.get(User, staff.id), "Moved back to town")
        assert db.session.scalar(select(Placement.misfit_since).where(Placement.learner_id == learner.id)) is None


def test_after_the_last_lesson_a_rota_change_flags_nothing_and_tells_no_one(demo_app, monkeypatch):
    demo_app.config["MAIL_SERVER"] = "smtp.example.no"
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = plan.groups[0]
        learner = _late_joiner(group)
        join(learner, group.id)
        monkeypatch.setattr(signup, "today", lambda: plan.term.last_day + dt.timedelta(days=1))
        evenings = {"start": plan.term.first_day.isoformat(), "cycle": [[["14:00", "22:00"]] for _ in range(7)]}
        fit = signup.save_rota(learner, evenings, "custom", [])
        assert fit.sessions == 0
        assert db.session.scalar(select(Placement.misfit_since).where(Placement.learner_id == learner.id)) is None
        assert db.session.scalar(select(func.count()).select_from(Message).where(
            Message.learner_id == learner.id, Message.kind == "no_longer_fits")) == 0


def test_a_misfit_learner_may_move_to_a_group_that_fits(demo_app, week_5):
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = plan.groups[0]
        learner = _late_joiner(group)
        join(learner, group.id)
        placement = db.session.scalar(select(Placement).where(Placement.learner_id == learner.id))
        placement.misfit_since = utcnow()  # as a rota change that ruled the group out would leave it
        used = {slot.day for slot in group.slots}
        twin = Group(plan=plan, key=group.key + "-b", course=group.course, venue=group.venue, sessions=group.sessions)
        from nortime.models import GroupSlot

        free_day = next(day for day in ("sat", "sun", "fri", "wed", "thu") if day not in used)
        twin.slots = [GroupSlot(day=free_day, weekday=WEEKDAYS.index(free_day), start=dt.time(18, 0))]
        db.session.add(twin)
        db.session.commit()
        enrollment = enrollment_of(learner)
        assert enrollment.misfit and twin.id in [opening.group.id for opening in enrollment.openings]
        join(learner, twin.id)
        placement = db.session.scalar(select(Placement).where(Placement.learner_id == learner.id))
        assert placement.group_id == twin.id and placement.misfit_since is None
        assert recheck_placement(learner).fits


def test_seats_command_lists_fitting_groups_as_json_and_join_places_or_fails_in_one_line(demo_app, week_5):
    runner = demo_app.test_cli_runner()
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = plan.groups[0]
        learner = _late_joiner(group)
        learner_id, group_id, free = learner.id, group.id, group.course.max_group - len(group.placements)
        other = next(g.id for g in plan.groups if g.course.level != learner.level)
    result = runner.invoke(args=["seats", "--learner", str(learner_id), "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    entry = next(item for item in listed if item["group"] == group_id)
    assert entry["free_seats"] == free and 0.75 <= entry["share"] <= 1 and entry["venue"] and entry["slots"]
    assert all(set(item) >= {"group", "venue", "slots", "free_seats", "share"} for item in listed)
    refused = runner.invoke(args=["join", "--learner", str(learner_id), "--group", str(other)])
    assert refused.exit_code == 1 and "Level:" in refused.output and len(refused.output.strip().splitlines()) == 1
    for ident in ("0", "99999999999999999999", "x"):
        missing = runner.invoke(args=["join", "--learner", ident, "--group", str(group_id)])
        assert missing.exit_code == 1 and "no learner" in missing.output
    beyond = runner.invoke(args=["join", "--learner", str(learner_id), "--group", "99999999999999999999"])
    assert beyond.exit_code == 1 and "not open for joining" in beyond.output
    joined = runner.invoke(args=["join", "--learner", str(learner_id), "--group", str(group_id)])
    assert joined.exit_code == 0 and f"joined group {group_id}" in joined.output
    with demo_app.app_context():
        group = db.session.get(Group, group_id)
        group.course.max_group = len(group.placements)
        db.session.commit()
        late = _late_joiner(group, name="Too Late").id
    full = runner.invoke(args=["join", "--learner", str(late), "--group", str(group_id)])
    assert full.exit_code == 1 and "full" in full.output


def test_two_people_taking_the_last_seat_at_once_one_gets_it_the_other_sees_the_alternatives(demo_app, week_5):
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = plan.groups[0]
        slots = list(group.slots)
        alternative = Group(plan=plan, key=group.key + "-b", course=group.course, venue=group.venue,
                            sessions=group.sessions)
        from nortime.models import GroupSlot

        alternative.slots = [GroupSlot(day=slot.day, weekday=slot.weekday, start=slot.start) for slot in slots]
        db.session.add(alternative)
        group.course.max_group = len(group.placements) + 1
        db.session.commit()
        people = [_late_joiner(group, name=f"Joiner {n}") for n in range(2)]
        tokens = [person.access_token for person in people]
        group_id, alternative_id, limit = group.id, alternative.id, group.course.max_group
    clients = [demo_app.test_client() for _ in tokens]

    def post(client, token):
        return lambda: client.post(f"/me/{token}/join?lang=en", data={"group_id": str(group_id)})

    responses = in_threads(demo_app, *(post(client, token) for client, token in zip(clients, tokens)))
    codes = sorted(response.status_code for response in responses)
    assert codes == [302, 409], responses
    refused = next(response for response in responses if response.status_code == 409).data.decode()
    assert "Someone else took the last seat in this group just now." in refused
    assert f'name="group_id" value="{alternative_id}"' in refused and f'value="{group_id}"' not in refused
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Placement)
                                 .where(Placement.group_id == group_id)) == limit


def test_many_joins_at_once_never_overfill_a_group(demo_app, week_5):
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = plan.groups[0]
        group.course.max_group = len(group.placements) + 2
        db.session.commit()
        people = [_late_joiner(group, name=f"Joiner {n}") for n in range(6)]
        ids, group_id, limit = [person.id for person in people], group.id, group.course.max_group

    def take(learner_id):
        def job():
            with demo_app.test_request_context("/?lang=en"):
                return join(db.session.get(Learner, learner_id), group_id).learner_id
        return job

    results = in_threads(demo_app, *(take(learner_id) for learner_id in ids))
    assert sum(isinstance(result, int) for result in results) == 2, results
    assert all(isinstance(result, GroupFull) for result in results if not isinstance(result, int)), results
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Placement)
                                 .where(Placement.group_id == group_id)) == limit
    assert issubclass(GroupFull, SeatError)



def test_the_kept_personal_page_follows_seats_held_by_another_worker_and_offers_made_to_her(
        demo_app, week_5, client, monkeypatch):
    """The personal page is built once and kept (issue 16's page speed). Its join list and offers are not
    the learner's own rows: a seat held for someone else by another worker (no commit in this process)
    must still drop the group from the kept page, and an offer made to her must show on hers."""
    from sqlalchemy import insert

    from nortime.feeds import cache

    monkeypatch.setattr(cache, "STAMP_SECONDS", 0.0)  # look at the database stamp on every request
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = plan.groups[0]
        group.course.max_group = len(group.placements) + 1  # one free seat
        db.session.commit()
        ewa, ola = _late_joiner(group, name="Ewa Kowalska"), _late_joiner(group, name="Ola Nowak")
        ewa_token, ola_token, ewa_id, group_id, plan_id = (ewa.access_token, ola.access_token, ewa.id, group.id,
                                                           plan.id)
    join_button = f'name="group_id" value="{group_id}"'
    for _ in range(2):  # built, then kept
        assert join_button in client.get(f"/me/{ola_token}?lang=en").data.decode()
        assert "A seat is free for you" not in client.get(f"/me/{ewa_token}?lang=en").data.decode()
    with demo_app.app_context():  # the offer as another process writes it: no ORM event in this one
        now = utcnow()
        db.session.execute(insert(Offer).values(plan_id=plan_id, group_id=group_id, learner_id=ewa_id,
                                                state="open", created_at=now, expires_at=now + dt.timedelta(hours=48)))
        db.session.commit()
        offer_id = db.session.scalar(select(Offer.id).where(Offer.learner_id == ewa_id))
    assert f'id="offer-{offer_id}-title"' in client.get(f"/me/{ewa_token}?lang=en").data.decode()
    assert join_button not in client.get(f"/me/{ola_token}?lang=en").data.decode()  # the held seat was the last


def test_an_employers_new_team_rota_re_checks_each_workers_group(demo_app, week_5):
    """Issue 21 through issue 15: the team's new season reaches the worker through save_rota, so her group
    is re-checked: an evening rota rules it out, she is told, and staff see her as "no longer fits"."""
    from nortime.services import employers

    demo_app.config["MAIL_SERVER"] = "smtp.example.no"  # queued only: no worker runs under TESTING
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = plan.groups[0]
        learner = _late_joiner(group)
        join(learner, group.id)
        employer = employers.create_employer("Testfabrikken", group.venue.place_id, "fish")
        days = {"start": plan.term.first_day.isoformat(), "cycle": [[["07:00", "15:00"]] for _ in range(7)]}
        team = employers.create_team(employer, "Dag", {"method": "custom", "rota": days, "answers": {}})
        learner.team_id = team.id
        db.session.commit()
        assert employers.change_team_rota(team, {"method": "custom", "rota": days, "answers": {}}, week_5) == 1
        assert db.session.scalar(select(Placement.misfit_since).where(Placement.learner_id == learner.id)) is None
        evenings = {"start": plan.term.first_day.isoformat(), "cycle": [[["14:00", "22:00"]] for _ in range(7)]}
        assert employers.change_team_rota(team, {"method": "custom", "rota": evenings, "answers": {}}, week_5) == 1
        placement = db.session.scalar(select(Placement).where(Placement.learner_id == learner.id))
        assert placement.misfit_since is not None and placement.group_id == group.id
        kinds = sorted(db.session.scalars(select(Message.kind).where(Message.learner_id == learner.id)))
        assert "no_longer_fits" in kinds and "rota" in kinds


def test_the_kept_personal_page_is_built_again_when_the_day_changes_in_oslo(demo_app, monkeypatch):
    """The page counts lessons 'from today' on Oslo's calendar (signup.today); its cache key follows that
    day, not the server's, which is UTC and changes day an hour or two later."""
    from nortime.services.learner_page import page_fingerprint

    with demo_app.test_request_context("/?lang=en"):
        learner = db.session.scalar(select(Learner).order_by(Learner.id))
        monkeypatch.setattr(signup, "today", lambda: WEEK_5)
        monday = page_fingerprint(learner)
        assert page_fingerprint(learner) == monday
        monkeypatch.setattr(signup, "today", lambda: WEEK_5 + dt.timedelta(days=1))
        assert page_fingerprint(learner) != monday


def test_the_first_date_skips_a_cancelled_session_and_follows_a_moved_one(demo_app, week_5):
    from nortime.models import SessionChange
    from nortime.services.enrollment import first_session_day

    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = plan.groups[0]
        coming = sorted(day for s in group.slots for day in _term_dates(group, s.weekday, week_5))
        assert first_session_day(group, week_5) == coming[0]
        db.session.add(SessionChange(group_id=group.id, occurrence_date=coming[0], kind="cancelled"))
        db.session.commit()
        db.session.refresh(group)
        assert first_session_day(group, week_5) == coming[1]
        # The next one moved a day later: its new date is the first.
        moved = dt.datetime.combine(coming[1] + dt.timedelta(days=1), dt.time(18, 0))
        db.session.add(SessionChange(group_id=group.id, occurrence_date=coming[1], kind="moved", new_start=moved,
                                     new_end=moved + dt.timedelta(hours=2)))
        db.session.commit()
        db.session.refresh(group)
        assert first_session_day(group, week_5) == min(coming[1] + dt.timedelta(days=1), coming[2])
