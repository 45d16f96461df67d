"""Named rota presets, in the words of the trades the sign-up form offers them to.

A preset is a repeating pattern of named shifts. `build_rota` fills in the
shift times (the preset's defaults, or the worker's own) and the anchor date,
and returns the rota in the problem format's JSON form.

Anchors: for presets that follow the calendar week (`weekly`), the anchor is
any date in the week that is the cycle's first week; the rota starts on that
week's Monday. For the others the anchor is the cycle's first day (the first
day of a rotation, the first morning of a three-shift cycle). `week` moves
the anchor: the anchor's week is week `week` of the cycle (0 = first).

The web app translates `name` and `description` by preset `id`; the learners' sign-up
and the demo population use them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

from solver.problem import AWAY, parse_clock

OFF = ()


@dataclass(frozen=True)
class Preset:
    id: str
    name: str
    description: str
    cycle_days: int
    shift_names: tuple[str, ...]
    default_times: Mapping[str, tuple[str, str]]
    # Day by day: a tuple of shift names (empty when off) or "away".
    pattern: tuple[tuple[str, ...] | str, ...] = field(default=(), repr=False)
    weekly: bool = False  # the cycle follows the calendar week (starts on a Monday)


def _week(*days: tuple[str, ...] | str) -> tuple:
    assert len(days) == 7
    return tuple(days)


D, E, N = ("day",), ("evening",), ("night",)

_PRESETS = (
    Preset(
        id="office",
        name="Office days",
        description="Monday to Friday, day work; weekends off.",
        cycle_days=7,
        shift_names=("day",),
        default_times={"day": ("08:00", "16:00")},
        pattern=_week(D, D, D, D, D, OFF, OFF),
        weekly=True,
    ),
    Preset(
        id="two_shift",
        name="Two shifts, alternating weeks",
        description="Fish processing: one week of day shifts, the next of evening shifts, Monday to Friday.",
        cycle_days=14,
        shift_names=("day", "evening"),
        default_times={"day": ("06:00", "14:00"), "evening": ("14:00", "22:00")},
        pattern=_week(D, D, D, D, D, OFF, OFF) + _week(E, E, E, E, E, OFF, OFF),
        weekly=True,
    ),
    Preset(
        id="health_3week",
        name="Health care, three-week rota",
        description="Day, evening and night shifts over three weeks; works every third weekend.",
        cycle_days=21,
        shift_names=("day", "evening", "night"),
        default_times={"day": ("07:30", "15:00"), "evening": ("14:30", "22:00"), "night": ("21:45", "07:45")},
        pattern=(
            _week(D, D, E, OFF, D, OFF, OFF)
            + _week(E, E, OFF, D, E, OFF, OFF)
            + _week(OFF, OFF, N, N, OFF, D, D)
        ),
        weekly=True,
    ),
    Preset(
        id="health_2week",
        name="Health care, two-week rota",
        description="Day and evening shifts over two weeks; works every second weekend.",
        cycle_days=14,
        shift_names=("day", "evening"),
        default_times={"day": ("07:30", "15:00"), "evening": ("14:30", "22:00")},
        pattern=_week(D, E, OFF, D, E, OFF, OFF) + _week(OFF, OFF, D, E, OFF, D, D),
        weekly=True,
    ),
    Preset(
        id="continuous_3shift",
        name="Continuous three-shift",
        description=("Smelter and process industry: two mornings, two afternoons, two nights, "
                     "then four days off, round the clock."),
        cycle_days=10,
        shift_names=("morning", "afternoon", "night"),
        default_times={"morning": ("06:00", "14:00"), "afternoon": ("14:00", "22:00"), "night": ("22:00", "06:00")},
        pattern=(("morning",),) * 2 + (("afternoon",),) * 2 + (("night",),) * 2 + (OFF,) * 4,
    ),
    Preset(
        id="army_field_week",
        name="Army, with a field week",
        description="Weekday days at the base; every fourth week away on field exercise from Monday to Friday.",
        cycle_days=28,
        shift_names=("day",),
        default_times={"day": ("07:30", "15:30")},
        pattern=_week(D, D, D, D, D, OFF, OFF) * 3 + _week(AWAY, AWAY, AWAY, AWAY, AWAY, OFF, OFF),
        weekly=True,
    ),
    Preset(
        id="offshore_14_28",
        name="Offshore, 14 on / 28 off",
        description="Fourteen days away offshore, then twenty-eight days at home.",
        cycle_days=42,
        shift_names=(),
        default_times={},
        pattern=(AWAY,) * 14 + (OFF,) * 28,
    ),
    Preset(
        id="land_14_21",
        name="Land plant, 14 on / 21 off",
        description="Fourteen days of twelve-hour day shifts at a land plant, then twenty-one days off.",
        cycle_days=35,
        shift_names=("day",),
        default_times={"day": ("07:00", "19:00")},
        pattern=(D,) * 14 + (OFF,) * 21,
    ),
    Preset(
        id="weekend_retail",
        name="Weekend retail",
        description="Shop work on Friday evenings and Saturday and Sunday daytime; weekdays free.",
        cycle_days=7,
        shift_names=("evening", "weekend"),
        default_times={"evening": ("16:00", "21:00"), "weekend": ("10:00", "18:00")},
        pattern=_week(OFF, OFF, OFF, OFF, E, ("weekend",), ("weekend",)),
        weekly=True,
    ),
    Preset(
        id="fish_cod_season",
        name="Fish processing, cod season",
        description=("Cod season (January to April): from the afternoon when the boats land "
                     "until late at night, Monday to Saturday."),
        cycle_days=7,
        shift_names=("evening",),
        default_times={"evening": ("15:00", "01:00")},
        pattern=_week(E, E, E, E, E, E, OFF),
        weekly=True,
    ),
    Preset(
        id="none",
        name="No shift work",
        description="No rota; only one-off busy times count.",
        cycle_days=0,
        shift_names=(),
        default_times={},
    ),
)

PRESETS: Mapping[str, Preset] = MappingProxyType({p.id: p for p in _PRESETS})


def rota_start(preset: Preset, anchor: date, week: int = 0) -> date:
    """The date of the cycle's first day for this anchor (see the module docstring)."""
    first = anchor - timedelta(days=anchor.weekday()) if preset.weekly else anchor
    return first - timedelta(days=7 * week)


def build_rota(
    preset_id: str,
    anchor: date,
    times: Mapping[str, tuple[str, str]] | None = None,
    week: int = 0,
) -> dict | None:
    """The spec's JSON rota {"start", "cycle"} for a preset ("none" gives None).

    `times` overrides shift times by shift name, e.g. {"night": ("22:00", "07:00")}.
    Raises ValueError naming an unknown preset, an unknown shift name or a bad time.
    """
    if preset_id not in PRESETS:
        raise ValueError(f"unknown rota preset {preset_id!r}; use one of {', '.join(PRESETS)}")
    preset = PRESETS[preset_id]
    if not preset.pattern:
        return None
    chosen = dict(preset.default_times)
    for name, (start, end) in (times or {}).items():
        if name not in chosen:
            raise ValueError(
                f"preset {preset_id!r} has no shift {name!r}; its shifts are {', '.join(preset.shift_names) or 'none'}"
            )
        parse_clock(start)  # raises ValueError with the accepted form
        parse_clock(end)
        chosen[name] = (start, end)
    cycle = [
        day if day == AWAY else [list(chosen[name]) for name in day]
        for day in preset.pattern
    ]
    return {"start": rota_start(preset, anchor, week).isoformat(), "cycle": cycle}
