"""Words shown for the solver's presets, shift names and rota day kinds, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# The presets' own English names and descriptions are not shown: these, translated, are.
PRESET_TEXT = {
    "office": (_l("Office days"), _l("Monday to Friday, day work. Weekends off.")),
    "two_shift": (_l("Two shifts, every other week"),
                  _l("For example fish processing: one week day shifts, the next week evening shifts, Monday to Friday.")),
    "health_3week": (_l("Health care, three-week rota"),
                     _l("Day, evening and night shifts over three weeks. You work every third weekend.")),
    "health_2week": (_l("Health care, two-week rota"),
                     _l("Day and evening shifts over two weeks. You work every second weekend.")),
    "continuous_3shift": (_l("Three shifts round the clock"),
                          _l("For example the smelter: two mornings, two afternoons, two nights, then four days off.")),
    "army_field_week": (_l("Army, with field weeks"),
                        _l("Day work at the base. Every fourth week you are away on a field exercise.")),
    "offshore_14_28": (_l("Offshore, 14 days on and 28 days off"),
                       _l("Fourteen days away offshore, then twenty-eight days at home.")),
    "land_14_21": (_l("Land plant, 14 days on and 21 days off"),
                   _l("Fourteen days of long day shifts, then twenty-one days off.")),
    "weekend_retail": (_l("Weekend work in a shop"),
                       _l("Friday evening and Saturday and Sunday daytime. Free on weekdays.")),
    "fish_cod_season": (_l("Fish processing, cod season"),
                        _l("January to April: from the afternoon when the boats come in until late at night, Monday to Saturday.")),
    "none": (_l("I do not work shifts"), _l("No rota. You can still tell us about single busy days.")),
}

SHIFT_TEXT = {
    "day": _l("Day shift"),
    "evening": _l("Evening shift"),
    "night": _l("Night shift"),
    "morning": _l("Morning shift"),
    "afternoon": _l("Afternoon shift"),
    "weekend": _l("Weekend shift"),
}

FIRST_DAY_TEXT = {
    "continuous_3shift": _l("When is (or was) the first morning shift of your current round?"),
    "offshore_14_28": _l("When is (or was) the first day of your current or next trip offshore?"),
    "land_14_21": _l("When is (or was) the first day of your current or next work period?"),
}


def preset_name(preset_id: str) -> str:
    return str(PRESET_TEXT.get(preset_id, (preset_id, ""))[0])


def preset_description(preset_id: str) -> str:
    return str(PRESET_TEXT.get(preset_id, ("", ""))[1])


def shift_name(name: str) -> str:
    return str(SHIFT_TEXT.get(name, name))


def weekly_times(slots) -> str:
    """"Tuesday and Thursday at 18:00", or "Tuesday 17:00 and Thursday 18:00": what a group meets, the reader's way."""
    from flask_babel import gettext as _
    from markupsafe import Markup

    from ..i18n import left_to_right, list_of, weekday_name

    starts = {start for _day, start in slots}
    if len(starts) == 1:
        return Markup(_("%(days)s at %(time)s", days=list_of(weekday_name(day) for day, _start in slots),
                        time=left_to_right(starts.pop())))
    return Markup(list_of(Markup("%s %s") % (weekday_name(day), left_to_right(start)) for day, start in slots))


def group_times(group) -> list[tuple[str, str]]:
    """A group's weekly slots as (day, "HH:MM"), in week order, for `weekly_times`."""
    return [(slot.day, slot.start.strftime("%H:%M")) for slot in sorted(group.slots, key=lambda s: (s.weekday, s.start))]


def group_days(group) -> str:
    """The group's weekdays, listed the reader's way ("tirsdag og torsdag"): with course and venue, its name."""
    from ..i18n import list_of, weekday_name

    return list_of(weekday_name(day) for day, _start in group_times(group))
