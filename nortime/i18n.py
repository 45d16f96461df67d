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
}
RTL = {"ar"}
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
    return "rtl" if language in RTL else "ltr"


WEEKDAY_INDEX = {day: index for index, day in enumerate(WEEKDAYS)}


def weekday_name(day: str | int, width: str = "wide") -> str:
    """A weekday ("mon" or 0..6) named in the request's language."""
    from babel.dates import get_day_names
    from flask_babel import get_locale

    index = WEEKDAY_INDEX[day] if isinstance(day, str) else int(day)
    return get_day_names(width, locale=get_locale() or DEFAULT)[index]
