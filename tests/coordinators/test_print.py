"""Printable class lists and sign-in sheets, per group and per session; A4 in real Chromium."""
from __future__ import annotations

import os
import re

import pytest

from .conftest import signed_in
from .test_axe import browser, open_page, violations  # noqa: F401  (browser is a fixture)

A4_POINTS = (595.3, 841.9)  # 210 x 297 mm


def test_the_group_print_has_the_class_list_and_a_sign_in_grid(region_app):
    client = signed_in(region_app.test_client(), region_app.staff.alpha_staff)
    page = client.get(f"/coordinator/attendance/group/{region_app.region.g1}/print?lang=en").text
    assert "Class list" in page and "Sign-in sheet" in page and "print.css" in page
    assert page.count("Person Nummer") >= 6


def test_the_session_print_has_a_line_to_sign_per_learner(region_app):
    client = signed_in(region_app.test_client(), region_app.staff.alpha_staff)
    page = client.get(f"/coordinator/attendance/group/{region_app.region.g1}/2026-01-12/print?lang=en").text
    assert page.count('class="signature"') >= 6 + 3
    assert client.get(f"/coordinator/attendance/group/{region_app.region.g1}/2026-01-13/print").status_code == 404


@pytest.mark.parametrize("path", ["/coordinator/attendance/group/{g}/print", "/coordinator/attendance/group/{g}/2026-01-08/print"])
def test_another_providers_group_does_not_print(region_app, path):
    client = signed_in(region_app.test_client(), region_app.staff.alpha_staff)
    assert client.get(path.format(g=region_app.region.g3)).status_code == 404
    coordinator = signed_in(region_app.test_client(), region_app.staff.coordinator)
    assert coordinator.get(path.format(g=region_app.region.g3)).status_code == 403


def test_the_sheets_print_on_a4_in_chromium(region_app, browser, tmp_path):
    client = signed_in(region_app.test_client(), region_app.staff.alpha_staff)
    for path, pages in ((f"/coordinator/attendance/group/{region_app.region.g1}/print?lang=nb", 2),
                        (f"/coordinator/attendance/group/{region_app.region.g1}/2026-01-12/print?lang=ar", 1)):
        context, page = open_page(browser, client, path, width=800)
        try:
            pdf = page.pdf(format="A4", print_background=True)
            target = os.environ.get("NORTIME_PRINT_OUT")
            if target:  # to look at the result: NORTIME_PRINT_OUT=/tmp/print pytest ...
                os.makedirs(target, exist_ok=True)
                with open(os.path.join(target, f"sheet-{pages}.pdf"), "wb") as handle:
                    handle.write(pdf)
            boxes = [tuple(float(n) for n in match.split()[2:4])
                     for match in re.findall(rb"/MediaBox\s*\[([^\]]+)\]", pdf)]
            assert boxes and all(abs(w - A4_POINTS[0]) < 2 and abs(h - A4_POINTS[1]) < 2 for w, h in boxes), boxes
            assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == pages, path
            page.emulate_media(media="print")
            assert page.locator(".site-header").is_hidden() and page.locator("table.print-table").first.is_visible()
        finally:
            context.close()
