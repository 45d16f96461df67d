"""Languages nortime speaks and how a request's language is chosen."""
from __future__ import annotations

from flask import g, has_request_context, request, session

from .models import WEEKDAYS

# Norwegian bokmål first: it is the default.
LANGUAGES = {
    "nb": "Norsk bokmål",
    "en": "English",
    "pl": "Polski",
    "lt": "Lietuvių",
    "uk": "Українська",
    "ar": "العربية",
    "ti": "ትግርኛ",
    "so": "Soomaali",
    "fa_AF": "دری",  # Dari: CLDR's Persian of Afghanistan
}
DEFAULT = "nb"


def select_locale() -> str:
    """The chooser (?lang= or the saved choice), then the learner's preference, then Accept-Language.

    Outside a request (commands, background workers) the default language applies
    unless the caller forces one with flask_babel.force_locale.
    """
    if not has_request_context():
        return DEFAULT
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    preferred = getattr(g, "learner_language", None)
    if preferred in LANGUAGES:
        return preferred
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT)


def text_direction(language: str) -> str:
    """"rtl" or "ltr", as CLDR writes the language (Arabic and Dari right to left)."""
    from babel import Locale

    return "rtl" if Locale.parse(language).character_order == "right-to-left" else "ltr"


def html_lang(language: str) -> str:
    """The BCP 47 tag for lang="" attributes: "fa-AF" for Babel's "fa_AF"."""
    return language.replace("_", "-")


RTL = frozenset(code for code in LANGUAGES if text_direction(code) == "rtl")


WEEKDAY_INDEX = {day: index for index, day in enumerate(WEEKDAYS)}


def weekday_name(day: str | int, width: str = "wide") -> str:
    """A weekday ("mon" or 0..6) named in the request's language."""
    from babel.dates import get_day_names
    from flask_babel import get_locale

    index = WEEKDAY_INDEX[day] if isinstance(day, str) else int(day)
    return get_day_names(width, locale=get_locale() or DEFAULT)[index]


def clock_range(start: str, end: str):
    """"17:30–19:30" the reader's way (CLDR interval), kept left to right inside right-to-left text."""
    import datetime as dt

    from babel.dates import format_interval
    from flask_babel import get_locale
    from markupsafe import Markup, escape

    begin, finish = dt.time.fromisoformat(str(start)), dt.time.fromisoformat(str(end))
    if finish <= begin:  # a shift over midnight: CLDR would read it as going backwards
        text = f"{format_time_of_day(begin)}–{format_time_of_day(finish)}"
    else:
        text = format_interval(begin, finish, "Hm", locale=get_locale() or DEFAULT)
    if any(ch.isalpha() for ch in text):  # Dari "17:30 تا 19:30": a phrase of its own language, kept whole
        return Markup("<bdi>%s</bdi>") % escape(text)
    return Markup('<bdi dir="ltr">%s</bdi>') % escape(text)


def format_time_of_day(value) -> str:
    from babel.dates import format_skeleton
    from flask_babel import get_locale

    return format_skeleton("Hm", value, locale=get_locale() or DEFAULT)


def list_of(items, style: str = "standard") -> str:
    """Items joined the reader's way ("A, B and C"; Arabic "A و B"), CLDR's list patterns."""
    from babel.lists import format_list
    from flask_babel import get_locale
    from markupsafe import Markup, escape

    items = list(items)
    if not items:
        return ""
    joined = format_list([str(escape(item)) for item in items], style=style, locale=get_locale() or DEFAULT)
    return Markup(joined)  # each item escaped (or already markup, like an isolated time)


def left_to_right(value):
    """A number, time or code isolated left to right, so right-to-left text does not reorder it."""
    from markupsafe import Markup, escape

    return Markup('<bdi dir="ltr">%s</bdi>') % escape(value)


def on_weekday(day: str | int) -> str:
    """"on Saturday" in the form a sentence needs it (Ukrainian "в суботу", Polish "w sobotę"), not the bare name."""
    from flask_babel import gettext as _

    index = WEEKDAY_INDEX[day] if isinstance(day, str) else int(day)
    return (_("on Monday"), _("on Tuesday"), _("on Wednesday"), _("on Thursday"), _("on Friday"),
            _("on Saturday"), _("on Sunday"))[index]
