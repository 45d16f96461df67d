"""Why a learner was not placed, in plain words in the reader's language, and what would help.

The optimizer gives reason codes with details (spec: "unplaced"). The details
are read defensively: any of them may be missing, and a code we do not know
falls back to the optimizer's own message.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask_babel import format_percent, gettext as _, ngettext
from sqlalchemy import select

from ..db import db
from ..i18n import list_of, on_weekday, weekday_name
from .rota_days import Blocker, blockers_for_slot, clock_minutes, clock_text
from ..models import WEEKDAYS, Group, Venue

DEFAULT_SESSION_MINUTES = 120


@dataclass(frozen=True)
class Explanation:
    reasons: list[str]
    hints: list[str]


def _slot_list(details: Mapping) -> list[tuple[int, int]]:
    """Slots named in the details, as (weekday index, start minutes); accepts dicts or "tue 18:00"."""
    raw = details.get("slots")
    if raw is None and details.get("slot") is not None:
        raw = [details["slot"]]
    found = []
    for item in raw or ():
        try:
            if isinstance(item, Mapping):
                day, start = item["day"], item["start"]
            else:
                day, start = str(item).split()
            found.append((WEEKDAYS.index(day), clock_minutes(start)))
        except (KeyError, ValueError, TypeError):
            continue
    return found


def _group(details: Mapping, plan) -> Group | None:
    """The group a reason names, in the plan the reason comes from (None without a plan)."""
    key = details.get("group")
    if not isinstance(key, str) or plan is None:
        return None
    return db.session.scalar(select(Group).where(Group.plan_id == plan.id, Group.key == key))


def _venue(details: Mapping, group: Group | None) -> Venue | None:
    if group is not None:
        return group.venue
    slug = details.get("venue")
    if not isinstance(slug, str):
        return None
    return db.session.scalars(select(Venue).where(Venue.slug == slug)).first()


def _percent(value) -> str | None:
    try:
        return format_percent(float(value))
    except (TypeError, ValueError):
        return None


def _what_blocks(blockers: list[Blocker]) -> str:
    """"your evening shifts in week 2 of your rota; your days away in week 4 of your rota"."""
    names = {
        "day": _("your day shifts"),
        "evening": _("your evening shifts"),
        "night": _("your night shifts"),
        "away": _("your days away"),
    }
    parts = []
    for kind in ("day", "evening", "night", "away"):
        weeks = sorted({b.week for b in blockers if b.kind == kind and b.week is not None})
        if not any(b.kind == kind for b in blockers):
            continue
        if weeks:
            parts.append(ngettext("%(what)s in week %(weeks)s of your rota",
                                  "%(what)s in weeks %(weeks)s of your rota", len(weeks),
                                  what=names[kind], weeks=", ".join(str(w) for w in weeks)))
        else:
            parts.append(names[kind])
    return "; ".join(parts)


def _gap(learner, venue: Venue | None) -> int:
    buffer = getattr(learner, "buffer_minutes", 30) or 0
    if learner is None or venue is None:
        return buffer
    from ..models import TravelTime

    if venue.place_id == learner.home_place_id:
        return buffer
    row = db.session.scalars(select(TravelTime).where(
        ((TravelTime.from_place_id == learner.home_place_id) & (TravelTime.to_place_id == venue.place_id))
        | ((TravelTime.from_place_id == venue.place_id) & (TravelTime.to_place_id == learner.home_place_id)))).first()
    return buffer + (row.minutes if row else 0)


def _when_list(slots: list[tuple[int, int]]) -> str:
    """"on Tuesday at 18:00 and on Thursday at 18:00": the weekday in the form the sentence needs, the
    list joined the way the reader's language joins lists."""
    labels = [_("%(on_day)s at %(time)s", on_day=on_weekday(day), time=clock_text(start)) for day, start in slots]
    return list_of(labels) if labels else ""


def _venue_name(venue: Venue | None) -> str:
    if venue is None:
        return ""
    if venue.place.name.lower() in venue.name.lower():  # "Folkeuniversitetet Finnsnes" says where already
        return venue.name
    return _("%(venue)s in %(place)s", venue=venue.name, place=venue.place.name)


def _term_slots(learner) -> list[tuple[int, int]]:
    """The candidate slots of the learner's provider's current term (for a rota that fits none)."""
    provider = getattr(learner, "provider", None)
    if provider is None or not provider.terms:
        return []
    from .planning import current_term

    term = current_term(provider)
    return [(WEEKDAYS.index(slot.day), slot.start.hour * 60 + slot.start.minute) for slot in term.slots] \
        if term is not None else []


def _rota_conflict(details: Mapping, learner, plan) -> list[str]:
    group = _group(details, plan)
    venue = _venue(details, group)
    slots = _slot_list(details)
    if not slots and group is not None:
        slots = [(slot.weekday, slot.start.hour * 60 + slot.start.minute) for slot in group.slots]
    minutes = group.course.session_minutes if group is not None else int(details.get("minutes") or DEFAULT_SESSION_MINUTES)
    rota = getattr(learner, "rota", None)
    has_rota = rota is not None and bool(rota.cycle)
    sentences = []
    for weekday, start in slots:
        when = _("%(day)s %(time)s", day=weekday_name(weekday), time=clock_text(start))
        if venue is not None:
            when = _("%(when)s in %(place)s", when=when, place=venue.place.name)
        blockers = blockers_for_slot(rota.cycle, rota.anchor, weekday, start, minutes, _gap(learner, venue)) \
            if has_rota else []
        if blockers:
            sentences.append(_("%(when)s: %(what)s.", when=when, what=_what_blocks(blockers)))
        else:
            sentences.append(_("%(when)s: this time clashes with your work or other plans.", when=when))
    if not slots and has_rota:
        # No group and no slots: say what in the rota blocks the term's class times in general.
        blockers: list[Blocker] = []
        gap = _gap(learner, venue)
        for weekday, start in _term_slots(learner):
            for blocker in blockers_for_slot(rota.cycle, rota.anchor, weekday, start, minutes, gap):
                if blocker not in blockers:
                    blockers.append(blocker)
        if blockers:
            if venue is not None:
                sentences.append(_("At %(venue)s, the class times clash with %(what)s.", venue=_venue_name(venue),
                                   what=_what_blocks(blockers)))
            else:
                sentences.append(_("The class times clash with %(what)s.", what=_what_blocks(blockers)))
    share = _percent(details.get("share", details.get("best_share")))
    needed = _percent(details.get("needed", details.get("min_attendance")))
    if share and needed:
        sentences.append(_("You could come to %(share)s of the lessons. The course asks for at least %(needed)s.",
                           share=share, needed=needed))
    elif share:
        sentences.append(_("You could come to only %(share)s of the lessons.", share=share))
    if not sentences:
        sentences.append(_("The course times do not fit your rota: you could come to too few of the lessons."))
    return sentences


def _one(reason: Mapping, learner, plan) -> list[str]:
    code = reason.get("code")
    details = reason.get("details") or {}
    if not isinstance(details, Mapping):
        details = {}
    level = details.get("level") or getattr(learner, "level", "")
    if code == "rota_conflict":
        return _rota_conflict(details, learner, plan)
    if code == "no_course_at_level":
        return [_("There is no course at level %(level)s this term.", level=level)]
    if code == "no_venue_in_reach":
        home = getattr(getattr(learner, "home_place", None), "name", "")
        travel = details.get("max_travel_minutes") or getattr(learner, "max_travel_minutes", None)
        nearest = _venue(details, None)
        if nearest is not None and details.get("minutes") is not None and home and travel is not None:
            return [_("The nearest course at your level is at %(venue)s, %(minutes)s minutes from %(home)s. "
                      "You can travel up to %(travel)s minutes.", venue=_venue_name(nearest),
                      minutes=details["minutes"], home=home, travel=travel)]
        if home and travel is not None:
            return [_("No course place is within %(minutes)s minutes of %(home)s.", minutes=travel, home=home)]
        return [_("No course place is close enough to where you live.")]
    group = _group(details, plan)
    venue = _venue(details, group)
    slots = _slot_list(details) or ([(slot.weekday, slot.start.hour * 60 + slot.start.minute) for slot in group.slots]
                                    if group is not None else [])
    if code == "group_full":
        if group is not None and slots:
            return [_("The group %(when)s at %(venue)s fits your times, but it is full.",
                      when=_when_list(slots), venue=_venue_name(venue))]
        if slots and venue is not None:
            return [_("A new group %(when)s at %(venue)s would fit you, but every room there is taken then.",
                      when=_when_list(slots), venue=_venue_name(venue))]
        return [_("The group that fits your times is full.")]
    if code == "too_few_for_group":
        count, needed = details.get("learners"), details.get("needed", details.get("min_group"))
        if slots and venue is not None and count is not None and needed is not None:
            # Two sentences, each with its own count: each language's plural rules ("4 людини", "5 людей").
            return [ngettext("Only %(num)s person on the waiting list can come %(when)s at %(venue)s.",
                             "Only %(num)s people on the waiting list can come %(when)s at %(venue)s.", int(count),
                             when=_when_list(slots), venue=_venue_name(venue))
                    + " " + ngettext("A group needs %(num)s more person.", "A group needs %(num)s more people.",
                                     int(needed))]
        if details.get("min_group"):
            return [_("Too few people can come at the times that fit you.") + " "
                    + ngettext("A group needs at least %(num)s person.", "A group needs at least %(num)s people.",
                               int(details["min_group"]))]
        return [_("Too few people can come at the times that fit you.")]
    if code == "no_teacher":
        if slots and venue is not None:
            return [_("A group %(when)s at %(venue)s would fit you, but no teacher is free then.",
                      when=_when_list(slots), venue=_venue_name(venue))]
        return [_("No teacher is free at the times that fit you.")]
    if code == "locked_out":
        return [_("The groups for this term are already fixed.")]
    message = reason.get("message")
    return [message] if isinstance(message, str) and message else [_("We could not find a group for you this time.")]


def describe_reasons(reasons: Iterable[Mapping] | None, learner=None, plan=None) -> list[str]:
    """The optimizer's reasons as short plain sentences in the current language (duplicates removed).

    `plan` is the plan the reasons come from; a group a reason names is looked up there only.
    """
    sentences: list[str] = []
    for reason in reasons or ():
        if not isinstance(reason, Mapping):
            continue
        for sentence in _one(reason, learner, plan):
            if sentence not in sentences:
                sentences.append(sentence)
    return sentences


def help_hints(reasons: Iterable[Mapping] | None, learner=None) -> list[str]:
    """What the learner could change that would most likely help, one hint per kind of reason."""
    hints: list[str] = []
    for reason in reasons or ():
        if not isinstance(reason, Mapping):
            continue
        code = reason.get("code")
        details = reason.get("details") if isinstance(reason.get("details"), Mapping) else {}
        if code == "no_venue_in_reach" and details.get("minutes") and _venue(details, None) is not None:
            hint = _("If you can travel %(minutes)s minutes, you can reach %(venue)s. "
                     "You can change how far you can travel on this page.",
                     minutes=details["minutes"], venue=_venue_name(_venue(details, None)))
        elif code == "no_venue_in_reach":
            hint = _("Travelling a bit further would help. You can change how far you can travel on this page.")
        elif code == "rota_conflict":
            hint = _("Weekend classes, or other days, may fit better. Tell us if your rota changes.")
        elif code == "no_course_at_level":
            hint = _("Another level may help. Ask the school to check your level.")
        elif code in ("too_few_for_group", "group_full", "no_teacher"):
            hint = _("More days that suit you, or travelling a bit further, gives more choices.")
        elif code == "locked_out":
            hint = _("You stay on the list. We try again at the next plan.")
        else:
            continue
        if hint not in hints:
            hints.append(hint)
    return hints


def explain(reasons, learner=None, plan=None) -> Explanation:
    return Explanation(describe_reasons(reasons, learner, plan), help_hints(reasons, learner))


def nearest_miss(plan, learner) -> Explanation:
    """Why no published group of `plan` takes the learner now, told by the group that comes nearest.

    Judged with `fitting.group_fits` (the rule joining uses): a group that fits but is
    full; else the group in reach whose times suit the rota best; else the nearest group
    at their level beyond their travel time; else that no group has their level.
    """
    from .fitting import group_fits, seats_taken_by_group
    from .planning import placement_of
    from .seats import seat_limit

    fits = group_fits(plan, [learner])
    groups = {group.id: group for group in plan.groups}
    mine = [(groups[group_id], fit) for (_learner, group_id), fit in fits.items() if fit.level_ok]
    if not mine:
        return Explanation([_("No group of the plan is at your level (%(level)s).", level=learner.level)],
                           help_hints([{"code": "no_course_at_level"}], learner))
    # Fitting groups with no free seat, judged from the fits above (not a second group_fits).
    taken = seats_taken_by_group(plan, for_learner=learner.id)
    placement = placement_of(plan, learner)
    full = sorted(((group, fit) for group, fit in mine if fit.fits and seat_limit(group) <= taken.get(group.id, 0)
                   and (placement is None or group.id != placement.group_id)),
                  key=lambda item: (-item[1].share, item[1].travel_minutes, item[0].key))
    if full:
        group = full[0][0]
        return explain([{"code": "group_full", "details": {"group": group.key}}], learner, plan)
    in_reach = [(group, fit) for group, fit in mine if fit.in_reach]
    if in_reach:
        group, fit = max(in_reach, key=lambda item: (item[1].share, -item[1].travel_minutes, item[0].key))
        if not fit.sessions:
            return Explanation([_("The groups at your level have no lessons left this term.")],
                               [_("You stay on the list. We try again at the next plan.")])
        rota = getattr(learner, "rota", None)
        blocked = []
        for slot in group.slots:
            start = slot.start.hour * 60 + slot.start.minute
            if rota is not None and rota.cycle and blockers_for_slot(
                    rota.cycle, rota.anchor, slot.weekday, start, group.course.session_minutes,
                    _gap(learner, group.venue)):
                blocked.append({"day": slot.day, "start": clock_text(slot.start)})
        details = {"group": group.key, "share": fit.share, "needed": fit.min_share}
        if blocked:
            details["slots"] = blocked
        return explain([{"code": "rota_conflict", "details": details}], learner, plan)
    group, fit = min(mine, key=lambda item: (item[1].travel_minutes, item[0].key))
    return explain([{"code": "no_venue_in_reach",
                     "details": {"venue": group.venue.slug, "minutes": fit.travel_minutes,
                                 "max_travel_minutes": learner.max_travel_minutes}}], learner, plan)
