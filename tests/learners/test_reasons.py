"""describe_reasons: the optimizer's codes in plain, translated sentences naming the rota week."""
import pytest
from flask_babel import force_locale

from nortime.db import db
from nortime.models import Learner
from nortime.services.reasons import describe_reasons, help_hints


def _learner(token):
    return db.session.query(Learner).filter_by(access_token=token).one()


def test_rota_conflict_names_day_place_and_rota_week(region, learner_token):
    # health_3week: Tuesday of week 1 is a day shift, of week 2 an evening shift (14:30-22:00).
    reasons = [{"code": "rota_conflict", "message": "...",
                "details": {"slots": [{"day": "tue", "start": "18:00"}], "venue": "finnsnes-vo", "share": 0.5,
                            "min_attendance": 0.75}}]
    with region.test_request_context("/?lang=en"):
        sentences = describe_reasons(reasons, _learner(learner_token))
    assert sentences[0] == "Tuesday 18:00 in Finnsnes: your evening shifts in week 2 of your rota."
    assert "50%" in sentences[1] and "75%" in sentences[1]


def test_each_code_gets_its_own_sentence_and_hint(region, learner_token):
    codes = ["no_course_at_level", "no_venue_in_reach", "group_full", "too_few_for_group", "no_teacher",
             "locked_out"]
    with region.test_request_context("/?lang=en"):
        learner = _learner(learner_token)
        sentences = describe_reasons([{"code": code, "details": {}} for code in codes], learner)
        hints = help_hints([{"code": code} for code in codes], learner)
    assert len(sentences) == len(codes)
    assert "A2" in sentences[0]
    assert "30 minutes of Silsand" in sentences[1]
    assert any("further" in hint for hint in hints)


def test_unknown_code_falls_back_to_the_optimizer_message_and_bad_details_are_ignored(region, learner_token):
    with region.test_request_context("/?lang=en"):
        learner = _learner(learner_token)
        assert describe_reasons([{"code": "new_code", "message": "Something new"}], learner) == ["Something new"]
        odd = describe_reasons([{"code": "rota_conflict", "details": {"slots": ["someday", 7, {"day": "xyz"}]}},
                                "not a reason"], learner)
    assert len(odd) == 1


def test_reasons_follow_the_current_language(region, learner_token):
    reasons = [{"code": "no_teacher"}]
    with region.test_request_context("/"):
        learner = _learner(learner_token)
        with force_locale("en"):
            english = describe_reasons(reasons, learner)
        with force_locale("nb"):
            norwegian = describe_reasons(reasons, learner)
    assert english == ["No teacher is free at the times that fit you."]
    assert norwegian == ["Ingen lærer er ledig på tidene som passer for deg."]


def test_the_optimizers_own_details_are_read(region, learner_token):
    """Details in the shapes solver/explain.py writes them."""
    import datetime as dt

    from nortime.models import Group, GroupSlot, Plan, Provider, Term, Venue

    with region.app_context():
        provider = db.session.query(Provider).filter_by(slug="mtvo").one()
        term = db.session.query(Term).filter_by(provider_id=provider.id).one()
        venue = db.session.query(Venue).filter_by(slug="finnsnes-vo").one()
        plan = Plan(provider=provider, term=term, status="draft")
        group = Group(plan=plan, key="mtvo-a2-finnsnes-vo-1", course=provider.courses[1], venue=venue)
        group.slots = [GroupSlot(day="tue", weekday=1, start=dt.time(18, 0)),
                       GroupSlot(day="thu", weekday=3, start=dt.time(18, 0))]
        db.session.add_all([plan, group])
        db.session.commit()
        plan_id = plan.id
    slots = [{"day": "tue", "start": "18:00"}, {"day": "thu", "start": "18:00"}]
    reasons = [
        {"code": "rota_conflict", "details": {"group": "mtvo-a2-finnsnes-vo-1", "share": 0.5, "needed": 0.75}},
        {"code": "rota_conflict", "details": {"course": "mtvo-a2", "venue": "finnsnes-vo", "best_share": 0.4,
                                              "needed": 0.75}},
        {"code": "no_venue_in_reach", "details": {"level": "A2", "max_travel_minutes": 30, "venue": "finnsnes-vo",
                                                  "minutes": 45}},
        {"code": "too_few_for_group", "details": {"course": "mtvo-a2", "venue": "finnsnes-vo", "slots": slots,
                                                  "learners": 2, "needed": 3}},
        {"code": "no_teacher", "details": {"course": "mtvo-a2", "venue": "finnsnes-vo", "slots": slots}},
        {"code": "group_full", "details": {"group": "mtvo-a2-finnsnes-vo-1", "max_group": 12, "share": 0.9}},
        {"code": "group_full", "details": {"course": "mtvo-a2", "venue": "finnsnes-vo", "slots": slots, "rooms": 2}},
    ]
    with region.test_request_context("/?lang=en"):
        text = "\n".join(describe_reasons(reasons, _learner(learner_token), db.session.get(Plan, plan_id)))
    assert "Tuesday 18:00 in Finnsnes: your evening shifts in week 2 of your rota." in text
    assert "You could come to 50% of the lessons. The course asks for at least 75%." in text
    assert "the class times clash with" in text and "40%" in text
    assert "45 minutes from Silsand. You can travel up to 30 minutes." in text
    assert "Only 2 people on the waiting list can come on Tuesday at 18:00 and on Thursday at 18:00" in text
    assert "A group needs 3 more people." in text
    assert "no teacher is free then" in text
    assert "fits your times, but it is full" in text and "every room there is taken then" in text
    with region.test_request_context("/?lang=en"):
        hints = help_hints(reasons, _learner(learner_token))
    assert "If you can travel 45 minutes, you can reach Midt-Troms voksenopplæring Finnsnes." in hints[1]


def test_a_reason_names_the_group_of_its_own_plan_not_a_newer_draft(region, learner_token):
    """The live plan's explanation shows the live group's times even when a newer draft reuses its key."""
    import datetime as dt

    from nortime.models import Group, GroupSlot, Plan, Provider, Term, Venue

    with region.app_context():
        provider = db.session.query(Provider).filter_by(slug="mtvo").one()
        term = db.session.query(Term).filter_by(provider_id=provider.id).one()
        venue = db.session.query(Venue).filter_by(slug="finnsnes-vo").one()
        plans = {}
        for status, day, weekday in (("published", "tue", 1), ("draft", "sat", 5)):
            plan = Plan(provider=provider, term=term, status=status)
            group = Group(plan=plan, key="mtvo-a2-finnsnes-vo-1", course=provider.courses[1], venue=venue)
            group.slots = [GroupSlot(day=day, weekday=weekday, start=dt.time(18, 0))]
            db.session.add_all([plan, group])
            db.session.commit()
            plans[status] = plan.id
    reasons = [{"code": "group_full", "details": {"group": "mtvo-a2-finnsnes-vo-1"}}]
    with region.test_request_context("/?lang=en"):
        live = describe_reasons(reasons, _learner(learner_token), db.session.get(Plan, plans["published"]))
        draft = describe_reasons(reasons, _learner(learner_token), db.session.get(Plan, plans["draft"]))
    assert "Tuesday at 18:00" in live[0] and "Saturday" not in live[0]
    assert "Saturday at 18:00" in draft[0]


@pytest.mark.parametrize("language, count, expected", [
    ("uk", 4, ["Лише 4 людини зі списку очікування можуть прийти в суботу о 10:00",
               "Групі потрібно ще 2 людини."]),
    ("uk", 5, ["Лише 5 людей зі списку очікування можуть прийти в суботу о 10:00"]),
    ("uk", 1, ["Лише 1 людина зі списку очікування може прийти в суботу о 10:00"]),
    ("pl", 4, ["Tylko 4 osoby z listy oczekujących mogą przyjść w sobotę o 10:00"]),
    ("pl", 5, ["Tylko 5 osób z listy oczekujących może przyjść w sobotę o 10:00"]),
    ("lt", 4, ["Tik 4 žmonės iš laukiančiųjų sąrašo gali ateiti šeštadienį 10:00"]),
    ("nb", 4, ["Bare 4 personer på ventelisten kan komme på lørdag kl. 10:00"]),
])
def test_reasons_use_each_languages_plural_and_the_weekday_form_the_sentence_needs(region, learner_token, language,
                                                                                   count, expected):
    reason = {"code": "too_few_for_group", "details": {"course": "mtvo-a2", "venue": "finnsnes-vo", "learners": count,
                                                       "needed": 2, "slots": [{"day": "sat", "start": "10:00"}]}}
    with region.test_request_context(f"/?lang={language}"):
        text = " ".join(describe_reasons([reason], _learner(learner_token)))
    for part in expected:
        assert part in text
    assert "в субота" not in text and "4 людей" not in text
