"""Why a session is cancelled or moved: a list staff choose from, which each learner reads in her language.

Staff may add a note in their own words; it is shown after the chosen reason, as written.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

REASONS = {
    "teacher_ill": _l("The teacher is ill."),
    "teacher_away": _l("The teacher is away on a course or a meeting."),
    "holiday": _l("It is a holiday or a school break."),
    "room": _l("The classroom cannot be used."),
    "weather": _l("Bad weather or closed roads."),
    "exam": _l("There is an exam at the school."),
    "trip": _l("The group goes on a trip instead."),
    "other": _l("Another reason (see the note)."),
}


def reason_text(code: str | None, note: str | None) -> str:
    """The chosen reason in the current language, then the staff's note; either may be missing."""
    chosen = REASONS.get(code or "")
    note = (note or "").strip()
    if chosen is None or (code == "other" and note):
        return note
    return f"{chosen} {note}".strip()
