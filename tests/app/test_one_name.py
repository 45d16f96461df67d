"""One name per idea: the weekdays are spelled out once; removed dead code stays removed."""
import re
from pathlib import Path

from nortime.feeds.series import RRULE_DAYS
from nortime.models import WEEKDAYS

PACKAGE = Path(__file__).resolve().parents[2] / "nortime"


def sources() -> dict[str, str]:
    return {str(path.relative_to(PACKAGE)): path.read_text() for path in PACKAGE.rglob("*.py")}


def test_the_weekday_codes_are_written_once():
    spelled = re.compile(r'"mon",\s*"tue",\s*"wed",\s*"thu",\s*"fri",\s*"sat",\s*"sun"')
    assert [name for name, text in sources().items() if spelled.search(text)] == ["models.py"]


def test_feed_weekdays_follow_the_app_weekdays():
    assert RRULE_DAYS == ("MO", "TU", "WE", "TH", "FR", "SA", "SU") and len(RRULE_DAYS) == len(WEEKDAYS)


def test_no_import_guards_around_our_own_modules():
    assert [path for path, text in sources().items() if re.search(r"except\s+ImportError", text)] == []


def test_dead_code_is_gone():
    for name in ("BusyForm", "check_clock", "PREVIEW_SECONDS", "BREAKDOWNS", "WEEKDAY_CODES"):
        assert [path for path, text in sources().items() if re.search(rf"\b{name}\b", text)] == [], name


def test_only_the_plans_service_asks_which_plans_are_published():
    """Issue 16: one answer to "which plan is live"; everything else calls services/plans.py.

    The feeds' cache stamp counts published plans to notice a change; it asks no question about which.
    """
    asking = re.compile(r"""status\s*==\s*["']published["']|status\.in_\([^)]*["']published["']""")
    allowed = {"services/plans.py", "feeds/cache.py"}
    found = {name for name, text in sources().items() if asking.search(text)} - allowed
    assert found == set(), f"ask services/plans.py (live_plan, live_plans, of_live_plans) instead: {sorted(found)}"
