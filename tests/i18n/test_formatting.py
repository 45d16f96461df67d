"""Times, intervals and lists come from CLDR in each language; right-to-left text keeps Latin times whole."""
from __future__ import annotations

import pytest
from flask_babel import force_locale


@pytest.fixture
def context(app):
    with app.test_request_context("/"):
        yield


def test_a_time_range_is_a_cldr_interval_isolated_left_to_right(context):
    from nortime.i18n import clock_range

    with force_locale("ar"):
        assert str(clock_range("17:30", "19:30")) == '<bdi dir="ltr">17:30–19:30</bdi>'
    with force_locale("en"):
        assert str(clock_range("17:30", "19:30")) == '<bdi dir="ltr">17:30\u2009–\u200919:30</bdi>'
    with force_locale("fa_AF"):  # words in the pattern: isolated, in the language's own direction
        assert str(clock_range("17:30", "19:30")) == "<bdi>17:30 تا 19:30</bdi>"
    with force_locale("nb"):  # a night shift: over midnight, not an interval backwards
        assert str(clock_range("21:45", "07:45")) == '<bdi dir="ltr">21:45–07:45</bdi>'


@pytest.mark.parametrize("language, joined", [
    ("ar", "الثلاثاء والخميس"),
    ("uk", "вівторок і четвер"),
    ("pl", "wtorek i czwartek"),
    ("nb", "tirsdag og torsdag"),
])
def test_weekly_times_join_days_the_languages_way(context, language, joined):
    from nortime.learners.texts import weekly_times

    with force_locale(language):
        text = str(weekly_times([("tue", "18:00"), ("thu", "18:00")]))
    assert joined in text and '<bdi dir="ltr">18:00</bdi>' in text
    assert ", " not in text


def test_a_list_in_arabic_has_no_latin_comma(context):
    from nortime.i18n import list_of

    with force_locale("ar"):
        text = str(list_of(["أ", "ب", "ج"]))
    assert "," not in text and "و" in text
