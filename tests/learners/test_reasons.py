"""describe_reasons: the optimizer's codes in plain, translated sentences naming the rota week."""
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
