"""The waiting list and offers (issue 15): a freed seat goes to the next waiting learner it fits.

Triggers (withdrawal, deletion, a staff move, a raised max_group, a publish), the order (priority, then
sign-up time), lapse and decline passing the seat on, the hold time, staff adding and overriding, the
changes page, and the last seat taken by two at the same moment (real threads, SQLite and PostgreSQL).
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from nortime.db import db
from nortime.models import Group, Learner, Message, Offer, Placement, Plan, PlanChange
from nortime.services import offers, publishing
from nortime.services.enrollment import waiting_query
from nortime.services.fitting import group_fits
from nortime.services.seats import free_seats, seat_learner, seats_taken

from .conftest import hand_draft, in_english, in_threads


def _published(members: int = 3, full: bool = True) -> int:
    """mtvo's plan, published: three groups of `members` learners; `full`: max_group is what they hold."""
    plan = db.session.get(Plan, hand_draft(members))
    if full:
        for group in plan.groups:
            group.course.max_group = len(group.placements)
        db.session.commit()
    publishing.publish(plan, notify=False)
    return plan.id


def _fitting_waiters(plan: Plan, group: Group) -> list[Learner]:
    """The waiting learners the group fits, in waiting order."""
    waiting = list(db.session.scalars(waiting_query(plan, [group.course.level], holding_offer=False)))
    learners = offers.load_learners(waiting)
    fits = group_fits(plan, learners, [group.id])
    return [learner for learner in learners if fits[learner.id, group.id].fits]


def _group_with_waiters(plan: Plan, at_least: int = 2) -> Group:
    for group in plan.groups:
        if len(_fitting_waiters(plan, group)) >= at_least:
            return group
    pytest.skip("no group with enough fitting waiting learners in the demo")


def _first_offer_after_a_withdrawal() -> tuple[Plan, Group, int, int]:
    """The published plan, a full group with two fitting waiters (ids, in line), and one of its learners
    withdrawn: the first in line now holds an offer."""
    from nortime.services.learner_page import withdraw

    plan = db.session.get(Plan, _published())
    group = _group_with_waiters(plan)
    first, second = [learner.id for learner in _fitting_waiters(plan, group)[:2]]
    withdraw(group.placements[0].learner)
    return plan, group, first, second

def _open(learner_id: int) -> list[Offer]:
    return list(db.session.scalars(select(Offer).where(Offer.learner_id == learner_id, Offer.state == "open")))


def test_withdrawal_frees_the_seat_for_the_first_waiting_learner_it_fits(demo_app):
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = _group_with_waiters(plan)
        assert free_seats(group) == 0
        first = _fitting_waiters(plan, group)[0]
        leaver = group.placements[0].learner
        from nortime.services.learner_page import withdraw

        withdraw(leaver)
        offer, = _open(first.id)
        assert offer.group_id == group.id and offer.plan_id == plan.id
        assert db.session.scalar(select(func.count()).select_from(Placement).where(
            Placement.learner_id == leaver.id, Placement.plan_id == plan.id)) == 0
        left = db.session.scalar(select(PlanChange).where(PlanChange.kind == "left"))
        assert (left.learner_id, left.from_group_id, left.reason) == (leaver.id, group.id, "withdrew")
        # The held seat counts as taken everywhere: nobody else can have it.
        assert free_seats(group) == 0 and seats_taken(group) == seat_limit_of(group)


def seat_limit_of(group: Group) -> int:
    return group.course.max_group


def _learner_client(app, learner_id: int):
    with app.app_context():
        token = db.session.get(Learner, learner_id).access_token
    return in_english(app.test_client()), token


def _csrf_free(app):
    app.config["WTF_CSRF_ENABLED"] = False


def test_order_is_priority_then_sign_up_time(demo_app):
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = _group_with_waiters(plan, 3)
        first, second, third = _fitting_waiters(plan, group)[:3]
        # The third in sign-up order gets a higher priority: they come first; then sign-up time decides.
        third.priority, second.priority, first.priority = 10, 9, 9
        second.created_at, first.created_at = dt.datetime(2020, 1, 1), dt.datetime(2020, 1, 2)
        db.session.commit()
        assert [learner.id for learner in _fitting_waiters(plan, group)[:3]] == [third.id, second.id, first.id]
        group.course.max_group += 2  # raised capacity: two new seats
        from nortime.services.offers import capacity_raised

        capacity_raised([group.id])
        assert [o.group_id for o in _open(third.id)] == [group.id]
        assert [o.group_id for o in _open(second.id)] == [group.id]
        assert _open(first.id) == []
        assert free_seats(group) == 0


def test_the_hold_time_is_configurable_and_a_lapsed_offer_goes_to_the_next(demo_app):
    demo_app.config["OFFER_HOLD_HOURS"] = 3
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = _group_with_waiters(plan)
        first, second = _fitting_waiters(plan, group)[:2]
        from nortime.services.learner_page import withdraw

        withdraw(group.placements[0].learner)
        offer, = _open(first.id)
        held = offer.expires_at - offer.created_at
        assert held == dt.timedelta(hours=3)
        # Nothing lapses before its time...
        assert offers.run_all(now=offer.created_at + dt.timedelta(hours=2)) == 0
        assert _open(second.id) == []
        # ...and once it has, the cron command passes the seat on.
        offer.expires_at = offer.created_at - dt.timedelta(minutes=1)
        db.session.commit()
        offer_id, first_id, second_id, group_id = offer.id, first.id, second.id, group.id
        from nortime.offers_cli import offers_command

    result = demo_app.test_cli_runner().invoke(offers_command)
    assert result.exit_code == 0 and "offered 1 seat" in result.output
    with demo_app.app_context():
        assert db.session.get(Offer, offer_id).state == "lapsed"
        assert [o.group_id for o in _open(second_id)] == [group_id]
        assert _open(first_id) == []  # they let it lapse: not offered the same group again


def test_decline_on_the_personal_page_passes_the_seat_on(demo_app):
    _csrf_free(demo_app)
    with demo_app.test_request_context("/?lang=en"):
        plan, group, first, second = _first_offer_after_a_withdrawal()
        offer_id = _open(first)[0].id
    client, token = _learner_client(demo_app, first)
    page = client.get(f"/me/{token}")
    assert b"A seat is free for you" in page.data and b"Yes, I take the seat" in page.data
    answer = client.post(f"/me/{token}/offers/{offer_id}/decline")
    assert answer.status_code == 302
    with demo_app.app_context():
        assert db.session.get(Offer, offer_id).state == "declined"
        assert len(_open(second)) == 1 and _open(first) == []


def test_accepting_seats_the_learner_and_confirms_with_joined(demo_app):
    _csrf_free(demo_app)
    demo_app.config["SMS_BACKEND"] = "console"
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = _group_with_waiters(plan)
        first = _fitting_waiters(plan, group)[0].id
        from nortime.services.learner_page import withdraw

        withdraw(group.placements[0].learner)
        offer_id, plan_id, group_id = _open(first)[0].id, plan.id, group.id
    client, token = _learner_client(demo_app, first)
    answer = client.post(f"/me/{token}/offers/{offer_id}/accept")
    assert answer.status_code == 302
    with demo_app.app_context():
        assert db.session.get(Offer, offer_id).state == "accepted"
        placement = db.session.scalar(select(Placement).where(Placement.learner_id == first,
                                                              Placement.plan_id == plan_id))
        assert placement.group_id == group_id
        keys = set(db.session.scalars(select(Message.idempotency_key).where(Message.learner_id == first)))
        if keys:  # reachable on an enabled channel: the offer and the confirmation went out
            assert any(key.startswith(f"joined:{plan_id}:{first}:{group_id}") for key in keys)
            assert any(key.startswith("offer:") for key in keys)
        change = db.session.scalar(select(PlanChange).where(PlanChange.kind == "seated",
                                                            PlanChange.learner_id == first))
        assert change.reason == "offer" and change.created_by_id is None
    # A second answer to the same offer is refused clearly.
    again = client.post(f"/me/{token}/offers/{offer_id}/accept", follow_redirects=True)
    assert b"no longer open" in again.data


def _two_holders_for_one_seat(plan: Plan) -> tuple[int, list[int]]:
    """A group whose last seat is held by two offers: staff lowered max_group after they went out."""
    group = _group_with_waiters(plan)
    first, second = [learner.id for learner in _fitting_waiters(plan, group)[:2]]
    group.course.max_group += 2
    db.session.commit()
    from nortime.services.offers import capacity_raised

    capacity_raised([group.id])
    assert len(_open(first)) == 1 and len(_open(second)) == 1
    group.course.max_group -= 1
    db.session.commit()
    assert free_seats(group, for_learner=first) == 1 and free_seats(group, for_learner=second) == 1
    return group.id, [first, second]


def test_two_accepting_the_last_seat_at_the_same_moment_one_gets_it_the_other_a_409(demo_app):
    _csrf_free(demo_app)
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group_id, holders = _two_holders_for_one_seat(plan)
        limit = db.session.get(Group, group_id).course.max_group
        offer_ids = [_open(learner_id)[0].id for learner_id in holders]
    clients = [_learner_client(demo_app, learner_id) for learner_id in holders]

    def accept(client, token, offer_id):
        def job():
            answer = client.post(f"/me/{token}/offers/{offer_id}/accept")
            return answer.status_code, answer.get_data(as_text=True)
        return job

    results = in_threads(demo_app, *(accept(client, token, offer_id)
                                     for (client, token), offer_id in zip(clients, offer_ids)))
    codes = sorted(code for code, _body in results)
    assert codes == [302, 409], results
    refused = next(body for code, body in results if code == 409)
    assert "The seat is taken" in refused and "Back to my page" in refused
    with demo_app.app_context():
        placed = set(db.session.scalars(select(Placement.learner_id).where(Placement.group_id == group_id)))
        assert len(placed) == limit and len(placed & set(holders)) == 1
        states = sorted(db.session.get(Offer, offer_id).state for offer_id in offer_ids)
        assert states == ["accepted", "withdrawn"]  # the loser's seat no longer exists


def test_deleting_a_placed_learner_offers_the_seat_and_keeps_no_trace_of_them(demo_app):
    from nortime.services.learner_page import delete_learner

    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = _group_with_waiters(plan)
        first = _fitting_waiters(plan, group)[0]
        leaver = group.placements[0].learner
        leaver_id = leaver.id
        delete_learner(leaver)
        assert [o.group_id for o in _open(first.id)] == [group.id]
        left = db.session.scalar(select(PlanChange).where(PlanChange.kind == "left"))
        assert left.learner_id is None and left.from_group_id == group.id and left.reason == "deleted"
        assert db.session.scalar(select(func.count()).select_from(Offer).where(Offer.learner_id == leaver_id)) == 0


def test_a_staff_move_out_of_a_group_offers_the_seat_it_left(demo_app, staff):
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = _group_with_waiters(plan)
        first = _fitting_waiters(plan, group)[0]
        other = next(g for g in plan.groups if g.id != group.id)
        other.course.max_group += 1
        db.session.commit()
        mover = group.placements[0].learner
        seat_learner(other, mover, by=staff.id, override=True, reason="Moves for work")
        assert [o.group_id for o in _open(first.id)] == [group.id]


def test_publishing_offers_the_seats_the_plan_left_free(demo_app):
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published(members=2, full=False))
        made = db.session.scalars(select(Offer).where(Offer.plan_id == plan.id, Offer.state == "open")).all()
        assert made, "free seats and fitting waiting learners, but no offer"
        for group in plan.groups:
            assert seats_taken(group) <= group.course.max_group


def test_staff_add_a_waiting_learner_and_an_override_needs_a_reason(demo_app, staff):
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published(members=2, full=False))
        group = plan.groups[0]
        misfit = next(learner for learner in db.session.scalars(waiting_query(plan, holding_offer=False))
                      .all() for learner in [db.session.get(Learner, learner)] if learner.level != group.course.level)
        misfit_id, group_id = misfit.id, group.id
    client = in_english(demo_app.test_client())
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = str(staff.id), True
    demo_app.config["WTF_CSRF_ENABLED"] = False
    page = client.get("/provider/waiting")
    assert page.status_code == 200 and b"New since the plan" in page.data
    refused = client.post(f"/provider/waiting/{misfit_id}/add", data={"group_id": group_id, "override": "1"},
                          follow_redirects=True)
    assert b"reason" in refused.data
    with demo_app.app_context():
        assert db.session.scalar(select(Placement).where(Placement.learner_id == misfit_id)) is None
    added = client.post(f"/provider/waiting/{misfit_id}/add",
                        data={"group_id": group_id, "override": "1", "reason": "Tested A2 in person"})
    assert added.status_code == 302
    with demo_app.app_context():
        assert db.session.scalar(select(Placement.group_id).where(Placement.learner_id == misfit_id)) == group_id
        change = db.session.scalar(select(PlanChange).where(PlanChange.learner_id == misfit_id))
        assert change.override and change.reason == "Tested A2 in person" and change.created_by_id == staff.id
    changes = client.get("/provider/changes")
    assert changes.status_code == 200
    assert b"Tested A2 in person" in changes.data and b"(override: the group does not fit them)" in changes.data


def test_the_staff_list_shows_who_holds_an_offer(demo_app, staff):
    from nortime.services.staff_learners import list_learners

    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published(members=2, full=False))
        holders = set(db.session.scalars(select(Offer.learner_id).where(Offer.state == "open")))
        assert holders
        found = list_learners(plan.provider, status="offered")
        assert {row.id for row in found.rows} == holders and {row.status for row in found.rows} == {"offered"}



def test_a_learners_staff_page_shows_the_seat_held_for_them(demo_app, staff, login):
    with demo_app.test_request_context("/?lang=en"):
        _published(members=2, full=False)
        offer = db.session.scalar(select(Offer).where(Offer.state == "open").order_by(Offer.id))
        offer_id, learner_id, key = offer.id, offer.learner_id, offer.group.key
    page = in_english(login(staff)).get(f"/provider/learners/{learner_id}").data.decode()
    assert f'id="offer-{offer_id}"' in page and "A seat is held for this learner in" in page and key in page
    assert f"#waiter-{learner_id}" in page  # the groups that fit them, on 'New since the plan'


def test_what_a_calendar_client_sees_when_a_seat_is_taken(demo_app):
    """A seat changes who is in a group, not the group's events: no SEQUENCE moves. The joiner's feed gains
    the group's series at the SEQUENCE the other members already have; their feeds stay byte-identical."""
    from nortime.feeds.cache import bump
    from nortime.services.timetable import feed_urls, issue_feed_token

    _csrf_free(demo_app)
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = _group_with_waiters(plan)
        first = _fitting_waiters(plan, group)[0]
        member, leaver = group.placements[1].learner, group.placements[0].learner
        paths = {who.id: feed_urls("learner", issue_feed_token(who))["https"].split("://", 1)[1].split("/", 1)[1]
                 for who in (member, first)}
        db.session.commit()
        from nortime.services.learner_page import withdraw

        before = demo_app.test_client().get("/" + paths[member.id]).data
        withdraw(leaver)
        offer_id, first_id, member_id = _open(first.id)[0].id, first.id, member.id
    client, token = _learner_client(demo_app, first_id)
    assert client.post(f"/me/{token}/offers/{offer_id}/accept").status_code == 302
    bump()
    feeds = demo_app.test_client()
    after_member = feeds.get("/" + paths[member_id]).data
    joiner = feeds.get("/" + paths[first_id]).data
    assert after_member == before
    from icalendar import Calendar

    def sequences(body):
        return {str(e["UID"]): int(e["SEQUENCE"]) for e in Calendar.from_ical(body).walk("VEVENT")}

    assert sequences(joiner) == sequences(after_member) and sequences(joiner)


def test_the_offer_message_is_in_the_learners_language_with_their_link(demo_app):
    demo_app.config.update(MAIL_SERVER="smtp.example.no", BASE_URL="https://nortime.example.no")
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = _group_with_waiters(plan)
        first = _fitting_waiters(plan, group)[0]
        first.language, first.email = "pl", first.email or "first@example.org"
        db.session.commit()
        from nortime.services.learner_page import withdraw

        withdraw(group.placements[0].learner)
        offer, = _open(first.id)
        message = db.session.scalar(select(Message).where(Message.learner_id == first.id, Message.kind == "offer"))
        assert message.idempotency_key == f"offer:{offer.id}:email" and message.language == "pl"
        assert f"https://nortime.example.no/me/{first.access_token}" in message.body
        assert "Miejsce" in message.subject or "miejsce" in message.body.lower()



def test_an_offer_declined_while_it_is_being_accepted_is_not_also_accepted(demo_app, monkeypatch):
    """Accept and decline of one offer at the same moment (two tabs): the decline commits after the accept
    looked at the offer and before it took the seat. The accept must then refuse, not place the learner
    beside a "declined" offer whose seat has gone to the next in line."""
    from sqlalchemy import update

    with demo_app.test_request_context("/?lang=en"):
        plan, group, first, second = _first_offer_after_a_withdrawal()
        offer_id, group_id = _open(first)[0].id, group.id
        learner = db.session.get(Learner, first)
        real_own_offer = offers._own_offer

        def declined_meanwhile(learner, offer_id):
            offer = real_own_offer(learner, offer_id)
            with db.engine.begin() as other:  # the other tab's request, on its own connection
                other.execute(update(Offer).where(Offer.id == offer_id).values(state="declined"))
            return offer

        monkeypatch.setattr(offers, "_own_offer", declined_meanwhile)
        with pytest.raises(offers.SeatError, match="no longer open"):
            offers.accept(learner, offer_id)
        assert db.session.scalar(select(func.count()).select_from(Placement).where(
            Placement.learner_id == first, Placement.group_id == group_id)) == 0
        assert db.session.scalar(select(Offer.state).where(Offer.id == offer_id)) == "declined"

def test_an_offer_accepted_too_late_is_refused_and_passed_on(demo_app):
    _csrf_free(demo_app)
    with demo_app.test_request_context("/?lang=en"):
        plan, group, first, second = _first_offer_after_a_withdrawal()
        offer = _open(first)[0]
        offer.expires_at = dt.datetime(2020, 1, 1)
        db.session.commit()
        offer_id = offer.id
    client, token = _learner_client(demo_app, first)
    answer = client.post(f"/me/{token}/offers/{offer_id}/accept", follow_redirects=True)
    assert b"ran out" in answer.data
    with demo_app.app_context():
        assert db.session.get(Offer, offer_id).state == "lapsed"
        assert db.session.scalar(select(Placement).where(Placement.learner_id == first)) is None
        assert len(_open(second)) == 1
        from nortime.services.learner_page import export_data

        assert export_data(db.session.get(Learner, first))["offers"][0]["state"] == "lapsed"


@pytest.mark.parametrize("hours", [0, -1, "48", True])
def test_a_hold_time_that_is_not_a_positive_number_stops_start_up(hours):
    from nortime.config import ConfigError, defaults, validate

    config = dict(defaults("/tmp"), SQLALCHEMY_DATABASE_URI="sqlite://", OFFER_HOLD_HOURS=hours)
    with pytest.raises(ConfigError, match="OFFER_HOLD_HOURS"):
        validate(config)


def test_an_offer_that_no_longer_fits_is_refused_with_the_reason_and_passed_on(demo_app):
    from nortime.models import BusyPeriod

    _csrf_free(demo_app)
    with demo_app.test_request_context("/?lang=en"):
        plan, group, first, second = _first_offer_after_a_withdrawal()
        offer_id = _open(first)[0].id
        # Since the offer, they told us they are away the whole term.
        term = plan.term
        db.session.add(BusyPeriod(learner_id=first, start=dt.datetime.combine(term.first_day, dt.time()),
                                  end=dt.datetime.combine(term.last_day, dt.time(23, 59)), note="away"))
        db.session.commit()
    client, token = _learner_client(demo_app, first)
    answer = client.post(f"/me/{token}/offers/{offer_id}/accept", follow_redirects=True)
    assert answer.status_code == 200 and b"could not be given to you" in answer.data
    with demo_app.app_context():
        assert db.session.get(Offer, offer_id).state == "withdrawn"
        assert db.session.scalar(select(Placement).where(Placement.learner_id == first)) is None
        assert len(_open(second)) == 1


def test_a_lowered_max_group_ends_the_newest_offers_it_leaves_no_seat_for(demo_app):
    from nortime.services.setup import save_course

    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = _group_with_waiters(plan)
        first, second = [learner.id for learner in _fitting_waiters(plan, group)[:2]]
        course = group.course
        values = {"name": course.name, "level": course.level, "sessions_per_week": course.sessions_per_week,
                  "session_minutes": course.session_minutes, "min_group": course.min_group,
                  "max_group": course.max_group + 2, "min_attendance": round(course.min_attendance * 100),
                  "venues": [venue.slug for venue in course.venues]}
        save_course(plan.provider, plan.term, values, course)  # raised through the staff's form: two offers
        assert len(_open(first)) == 1 and len(_open(second)) == 1
        save_course(plan.provider, plan.term, dict(values, max_group=course.max_group - 1), course)
        assert len(_open(first)) == 1 and _open(second) == []  # the newer offer ended, the first keeps its seat
        assert seats_taken(group) == group.course.max_group



def test_more_or_fewer_seats_in_the_room_pass_on_like_a_changed_max_group(demo_app):
    """The room is the limit here (issue 16's seats): raising its seats on the venue form offers them,
    lowering them ends the newest offer, as with a course's max_group."""
    from nortime.services.setup import format_windows, save_venue

    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _published())
        group = _group_with_waiters(plan)
        first, second = [learner.id for learner in _fitting_waiters(plan, group)[:2]]
        venue, held = group.venue, len(group.placements)
        group.course.max_group = held + 5
        venue.seats = held
        db.session.commit()
        assert free_seats(group) == 0 and _open(first) == []
        values = {"name": venue.name, "address": venue.address, "place": venue.place_id, "rooms": venue.rooms,
                  "seats": held + 2, "openings": format_windows(venue.openings)}
        save_venue(plan.provider, values, venue)
        assert len(_open(first)) == 1 and len(_open(second)) == 1
        save_venue(plan.provider, dict(values, seats=held + 1), venue)
        assert len(_open(first)) == 1 and _open(second) == []
        assert seats_taken(group) == held + 1

def test_ids_beyond_an_integer_column_are_not_found_not_a_500(demo_app, staff, login):
    """Every `<int:...>` in a route, and the group chosen on 'New since the plan', stop at the column's range:
    PostgreSQL's integer (SQLite overflowed in its driver: a 500)."""
    _csrf_free(demo_app)
    huge = "9" * 20
    with demo_app.test_request_context("/?lang=en"):
        _published(members=2, full=False)
        waiter = db.session.scalar(select(Offer.learner_id).where(Offer.state == "open").order_by(Offer.id))
        token = db.session.get(Learner, waiter).access_token
    client = demo_app.test_client()
    for number in (huge, str(2 ** 31)):
        assert client.post(f"/me/{token}/offers/{number}/accept").status_code == 404
        assert client.post(f"/me/{token}/offers/{number}/decline").status_code == 404
    member = login(staff)
    assert member.get(f"/provider/learners/{huge}").status_code == 404
    assert member.post(f"/provider/waiting/{huge}/add", data={"group_id": "1"}).status_code == 404
    assert member.post(f"/provider/waiting/{waiter}/add", data={"group_id": huge}).status_code == 404


def test_an_offer_past_its_hold_time_holds_no_seat_even_before_it_is_marked_lapsed(demo_app):
    """Between the end of the hold time and the next lapse run, the seat is free for anyone joining."""
    from nortime.services.fitting import seats_taken_by_group

    with demo_app.test_request_context("/?lang=en"):
        plan, group, first, second = _first_offer_after_a_withdrawal()
        assert free_seats(group) == 0
        offer = _open(first)[0]
        offer.expires_at = dt.datetime(2020, 1, 1)
        db.session.commit()
        assert offer.state == "open"  # nothing has lapsed it yet
        assert free_seats(group) == 1 and seats_taken_by_group(plan)[group.id] == seat_limit_of(group) - 1


def test_a_merged_duplicates_held_seat_goes_to_the_next_in_line_at_once(demo_app, staff):
    """Merging a duplicate record that held an offer lets the seat go now, to the next waiting learner
    (before, it waited for the cron run); its answered offers stay in the kept record's history."""
    from nortime.models import User
    from nortime.services.staff_learners import merge_learners

    with demo_app.test_request_context("/?lang=en"):
        plan, group, first, second = _first_offer_after_a_withdrawal()
        duplicate = db.session.get(Learner, first)
        keep = Learner(provider_id=duplicate.provider_id, name=duplicate.name, email=duplicate.email,
                       phone=duplicate.phone, language=duplicate.language, home_place_id=duplicate.home_place_id,
                       level="B2" if group.course.level != "B2" else "A1", consent_at=duplicate.consent_at)
        db.session.add(keep)
        db.session.commit()
        assert _open(second) == []
        merge_learners(keep, duplicate, db.session.get(User, staff.id), "the same person, signed up twice")
        assert [offer.group_id for offer in _open(second)] == [group.id]
