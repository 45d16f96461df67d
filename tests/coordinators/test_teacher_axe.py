"""axe-core on a teacher's own screens and on every print page, in Debian's Chromium (skipped when it is missing).

The teacher's view differs from staff's (first names, their groups only), so it is checked as the teacher
sees it: the group list, a group's sessions, a session's sheet, and both print pages, in Norwegian on a
phone and in Arabic (right to left) on a wide screen. Staff's print of one session is checked too.
"""
from __future__ import annotations

import pytest

from .conftest import signed_in
from .test_axe import browser, open_page, violations  # noqa: F401  (browser is a fixture)
from .test_teachers import teachers  # noqa: F401  (a fixture)


def teacher_paths(group: int) -> list[str]:
    return ["/coordinator/attendance/", f"/coordinator/attendance/group/{group}",
            f"/coordinator/attendance/group/{group}/2026-01-12", f"/coordinator/attendance/group/{group}/print",
            f"/coordinator/attendance/group/{group}/2026-01-12/print"]


@pytest.mark.parametrize(("language", "width"), [("nb", 360), ("ar", 1280)])
def test_a_teachers_screens_and_prints_have_no_axe_violations(app, region, teachers, browser, language, width):
    client = signed_in(app.test_client(), teachers.kari)
    for path in teacher_paths(region.g1):
        assert client.get(f"{path}?lang={language}").status_code == 200, path
        context, page = open_page(browser, client, f"{path}?lang={language}", width)
        try:
            assert violations(page) == [], path
        finally:
            context.close()


@pytest.mark.parametrize("language", ["nb", "ar"])
def test_staffs_print_pages_have_no_axe_violations(region_app, browser, language):
    client = signed_in(region_app.test_client(), region_app.staff.alpha_staff)
    group = region_app.region.g1
    for path in (f"/coordinator/attendance/group/{group}/print", f"/coordinator/attendance/group/{group}/2026-01-12/print"):
        context, page = open_page(browser, client, f"{path}?lang={language}", 800)
        try:
            assert violations(page) == [], path
        finally:
            context.close()
