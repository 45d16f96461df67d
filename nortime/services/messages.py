"""Messages to learners: what each kind says, in the learner's language, by e-mail or SMS.

The one way to tell a learner something:

    queue_message(learner, kind, key=..., session_at=None, channel=None, recipient=None, **values)

writes the message into the outbox (no sending, no commit: the caller's
transaction commits it, and delivery starts after the commit; see outbox.py).
`kind` is one of KINDS; `values` are the placeholders that kind needs (below).
The link to the learner's personal page is always added here, from BASE_URL.
`key` names what the message is about, e.g. f"placed:{plan.id}:{learner.id}":
the same key is queued once only, however often it is asked for.

Kinds and their values:
    link       —
    placed     course, venue, times, first (date), last (date)
    joined     course, venue, times, first (date)        (a seat taken after publishing)
    offer      course, venue, times, until (datetime)    (a freed seat offered from the waiting list)
    cancelled  course, venue, day (date), reason (staff's note), reason_code (session_reasons.REASONS)
    moved      course, venue, day (date), start, end (datetimes), reason, reason_code
    reminder   course, venue, start (datetime)
    restored   course, venue, day (date), time (text "HH:MM")   (a cancellation or move undone)
    no_longer_fits  course, venue                          (a changed rota or details rule the group out)
    rota       team (name), day (date)   (the team's rota changes from that day; issue 21)
Dates and times are local (the term's zone); `session_at` (aware or UTC) marks a
message about a session that starts soon, which may break quiet hours.

SMS texts are short (within 2 parts in every language, see tests/messages):
the details are on the personal page the SMS links to.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

from babel.dates import format_skeleton
from flask import current_app
from flask_babel import force_locale, format_date, get_locale
from flask_babel import gettext as _

from .. import mail, sms
from ..links import personal_link
from ..models import Learner
from ..outbox import add_messages
from .session_reasons import reason_text

KINDS = ("link", "placed", "joined", "offer", "cancelled", "moved", "reminder", "restored", "no_longer_fits", "rota")


def labels() -> dict[str, str]:
    """How kinds, channels and states of messages read on staff pages, in the current language."""
    return {"link": _("personal link"), "placed": _("placement"), "joined": _("joined a group"),
            "offer": _("offer of a seat"), "cancelled": _("cancelled session"), "moved": _("moved session"),
            "reminder": _("reminder"), "restored": _("session as planned"),
            "no_longer_fits": _("group no longer fits"), "rota": _("team's new rota"),
            "email": _("E-mail"),
            "sms": _("SMS"), "queued": _("waiting"),
            "sending": _("sending"), "sent": _("sent"), "failed": _("failed")}


def _short_day(day: dt.date | dt.datetime) -> str:
    """"tir. 12.1." / "Tue, 1/12": weekday and date, the reader's way, short enough for an SMS."""
    return _day_in(day if type(day) is dt.date else day.date(), str(get_locale() or "nb"))


@functools.lru_cache(maxsize=512)
def _day_in(day: dt.date, locale: str) -> str:  # publishing writes the same few dates for many learners
    return format_skeleton("MEd", day, locale=locale)


def _short_moment(moment: dt.datetime) -> str:
    return f"{_short_day(moment)} {moment:%H:%M}"


def sms_text(kind: str, values: dict) -> str:
    """The SMS for `kind` in the current locale."""
    if kind == "link":
        return _("Your page at nortime: %(link)s", link=values["link"])
    if kind in ("placed", "joined"):
        return _("You have a place in a Norwegian course from %(first)s: %(link)s",
                 first=_short_day(values["first"]), link=values["link"])
    if kind == "offer":
        return _("A seat in a Norwegian course is free for you. Answer by %(until)s: %(link)s",
                 until=_short_moment(values["until"]), link=values["link"])
    if kind == "cancelled":
        return _("The class on %(day)s is cancelled: %(link)s", day=_short_day(values["day"]),
                 link=values["link"])
    if kind == "moved":
        return _("The class on %(day)s is moved to %(start)s: %(link)s", day=_short_day(values["day"]),
                 start=_short_moment(values["start"]), link=values["link"])
    if kind == "reminder":
        return _("Your Norwegian course starts tomorrow, %(start)s: %(link)s",
                 start=_short_moment(values["start"]), link=values["link"])
    if kind == "restored":
        return _("The class on %(day)s takes place as planned after all: %(link)s", day=_short_day(values["day"]),
                 link=values["link"])
    if kind == "no_longer_fits":
        return _("Your course group no longer fits your rota: %(link)s", link=values["link"])
    if kind == "rota":
        return _("New work rota from %(day)s. See your course: %(link)s",
                 day=_short_day(values["day"]), link=values["link"])
    raise ValueError(f"message kind {kind!r} is unknown; use one of {', '.join(KINDS)}")


def email_text(kind: str, name: str, values: dict) -> tuple[str, str]:
    """(subject, body) of the e-mail for `kind` in the current locale."""
    link = values["link"]
    if kind == "link":
        return _("Your page at nortime"), "\n\n".join([
            _("Hello %(name)s,", name=name),
            _("This is the link to your own page at nortime. There you see your course, your times, "
              "or why we have not found a group for you yet."),
            link,
            _("Keep the link to yourself. Anyone with the link can see and change your details."),
            _("If you did not ask for this, you can ignore this e-mail."),
        ])
    if kind in ("placed", "joined"):
        last = values.get("last")
        return (_("Your Norwegian course: %(course)s", course=values["course"]),
                _("Hello %(name)s,\n\nYou have a place in %(course)s at %(venue)s, %(times)s, "
                  "from %(first)s to %(last)s.\n\nYour personal page and calendar link show every session: "
                  "%(link)s\n", name=name, course=values["course"], venue=values["venue"], times=values["times"],
                  first=values["first"].isoformat(), last=last.isoformat() if last else "", link=link))
    if kind == "offer":
        return (_("A place is free for you: %(course)s", course=values["course"]),
                _("Hello %(name)s,\n\nA place is free for you in %(course)s at %(venue)s, %(times)s. "
                  "It is held for you until %(until)s. Accept or decline it on your personal page: %(link)s\n",
                  name=name, course=values["course"], venue=values["venue"], times=values["times"],
                  until=_short_moment(values["until"]), link=link))
    if kind in ("cancelled", "moved"):
        day = format_date(values["day"], "full")
        if kind == "cancelled":
            return (_("Cancelled: %(course)s on %(day)s", course=values["course"], day=day),
                    _("Hello %(name)s,\n\nThe session of %(course)s at %(venue)s on %(day)s is cancelled.\n"
                      "Reason: %(reason)s\n%(link)s\n", name=name, course=values["course"], venue=values["venue"],
                      day=day, reason=reason_text(values.get("reason_code"), values["reason"]), link=link))
        return (_("Moved: %(course)s on %(day)s", course=values["course"], day=day),
                _("Hello %(name)s,\n\nThe session of %(course)s at %(venue)s on %(day)s is moved to "
                  "%(start)s–%(end)s.\nReason: %(reason)s\n%(link)s\n", name=name, course=values["course"],
                  venue=values["venue"], day=day, start=values["start"].strftime("%Y-%m-%d %H:%M"),
                  end=values["end"].strftime("%H:%M"),
                  reason=reason_text(values.get("reason_code"), values["reason"]), link=link))
    if kind == "reminder":
        return (_("Reminder: %(course)s starts tomorrow", course=values["course"]),
                _("Hello %(name)s,\n\nYour course %(course)s at %(venue)s starts tomorrow, %(start)s.\n\n"
                  "Your personal page: %(link)s\n", name=name, course=values["course"], venue=values["venue"],
                  start=_short_moment(values["start"]), link=link))
    if kind == "restored":
        day = format_date(values["day"], "full")
        return (_("As planned after all: %(course)s on %(day)s", course=values["course"], day=day),
                _("Hello %(name)s,\n\nThe session of %(course)s at %(venue)s on %(day)s takes place as planned "
                  "after all, at %(time)s.\n%(link)s\n", name=name, course=values["course"],
                  venue=values["venue"], day=day, time=values["time"], link=link))
    if kind == "no_longer_fits":
        return (_("Your group no longer fits: %(course)s", course=values["course"]),
                _("Hello %(name)s,\n\nWith your new rota or details, the group %(course)s at %(venue)s no longer "
                  "fits you. You keep your place for now. Your personal page shows the groups that do fit, "
                  "and you can move to one of them there: %(link)s\n",
                  name=name, course=values["course"], venue=values["venue"], link=link))
    if kind == "rota":
        day = format_date(values["day"], "full")
        return (_("New rota for %(team)s from %(day)s", team=values["team"], day=day),
                _("Hello %(name)s,\n\nYour employer has changed the work rota of %(team)s from %(day)s. "
                  "We have put the new rota on your page and checked your course times against it.\n"
                  "If your own shifts differ, change them there: %(link)s\n", name=name, team=values["team"],
                  day=day, link=link))
    raise ValueError(f"message kind {kind!r} is unknown; use one of {', '.join(KINDS)}")


def channel_for(learner: Learner) -> tuple[str, str] | None:
    """(channel, recipient) for messages to this learner: e-mail when they gave one and mail is on, else SMS."""
    config = current_app.config
    if learner.email and mail.enabled(config):
        return "email", learner.email
    if learner.phone and sms.enabled(config):
        return "sms", learner.phone
    return None


def render(learner: Learner, kind: str, channel: str, values: dict) -> dict:
    """The message's language, subject and body, as columns of the outbox."""
    language = learner.language or "nb"
    values = dict(values, link=personal_link(learner))
    with force_locale(language):
        if channel == "sms":
            subject, body = "", sms_text(kind, values)
        else:
            subject, body = email_text(kind, learner.name, values)
    return {"language": language, "subject": subject[:200], "body": body}


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def message_row(learner: Learner, kind: str, *, key: str, session_at: dt.datetime | None = None,
                channel: str | None = None, recipient: str | None = None, **values) -> dict | None:
    """One outbox row for the learner (None when they cannot be reached on any enabled channel)."""
    if kind not in KINDS:
        raise ValueError(f"message kind {kind!r} is unknown; use one of {', '.join(KINDS)}")
    if channel is None:
        found = channel_for(learner)
        if found is None:
            return None
        channel, recipient = found
    elif recipient is None:
        recipient = learner.email if channel == "email" else learner.phone
    if not recipient:
        return None
    return {"learner_id": learner.id, "kind": kind, "channel": channel, "recipient": recipient,
            "idempotency_key": f"{key}:{channel}"[:120], "session_at": _utc(session_at),
            **render(learner, kind, channel, values)}


def queue_message(learner: Learner, kind: str, *, key: str, session_at: dt.datetime | None = None,
                  channel: str | None = None, recipient: str | None = None, **values) -> int:
    """Queue one message to the learner (see the module docstring); how many rows were new (0 or 1)."""
    row = message_row(learner, kind, key=key, session_at=session_at, channel=channel, recipient=recipient, **values)
    return add_messages([row] if row else [])


def queue_messages(rows: Iterable[dict | None]) -> int:
    """Queue many rows made by `message_row` in one statement (publishing a plan)."""
    return add_messages([row for row in rows if row])
