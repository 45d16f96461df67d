"""Days without classes in Troms: Norwegian public holidays and the county's school breaks.

Scenario knowledge, not a solver rule (the solver only honours the closed dates a
problem lists). Both the synthetic problems and the web app's term set-up use it,
so the demo term and a provider's new term close the same days.
"""
from __future__ import annotations

import datetime as dt

# Troms county, school year 2026/27.
TROMS_SCHOOL_BREAKS = [
    ("2026-09-30", "2026-10-02", "Høstferie"),
    ("2026-12-18", "2027-01-04", "Juleferie"),
    ("2027-02-22", "2027-02-26", "Vinterferie"),
    ("2027-03-22", "2027-03-29", "Påskeferie"),
]
# Not public holidays, but no classes are held.
NO_CLASS_DAYS = {(12, 24): "Julaften", (12, 31): "Nyttårsaften"}


def closed_days(first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
    """Every day from first to last without classes, with its reason, in date order.

    Public holidays come from the `holidays` package (country NO); a day that is
    both a holiday and in a break is named after the holiday.
    """
    import holidays

    closed: dict[dt.date, str] = {}
    for start, end, reason in TROMS_SCHOOL_BREAKS:
        day = dt.date.fromisoformat(start)
        while day <= dt.date.fromisoformat(end):
            closed[day] = reason
            day += dt.timedelta(days=1)
    for year in range(first.year, last.year + 1):
        for (month, day), reason in NO_CLASS_DAYS.items():
            closed[dt.date(year, month, day)] = reason
        for day, name in holidays.country_holidays("NO", years=year, language="no").items():
            closed[day] = name
    return sorted((day, reason) for day, reason in closed.items() if first <= day <= last)
