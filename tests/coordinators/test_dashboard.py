"""The coordinators' dashboard and its CSV downloads over HTTP, on the hand-counted region."""
from __future__ import annotations

import csv
import io
import re

import pytest

from .helpers import html_tables, rows_by_label
from .conftest import signed_in

FEW, HIDDEN = "fewer than 5", "hidden"


@pytest.fixture(scope="module")
def page(region_app):
    """The dashboard as the coordinator sees it, in English."""
    client = signed_in(region_app.test_client(), region_app.staff.coordinator)
    response = client.get("/coordinator/?lang=en")
    assert response.status_code == 200
    return response.text


@pytest.fixture
def client(region_app):
    return region_app.test_client()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/coordinator/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/coordinator/tables/municipality.csv").status_code == 302


@pytest.mark.parametrize("who", ["alpha_staff", "beta_staff"])
def test_provider_staff_may_not_see_the_dashboard(region_app, client, who):
    signed_in(client, getattr(region_app.staff, who))
    assert client.get("/coordinator/").status_code == 403
    assert client.get("/coordinator/tables/municipality.csv").status_code == 403


def test_administrators_may(region_app, client):
    signed_in(client, region_app.staff.admin)
    assert client.get("/coordinator/?lang=en").status_code == 200


def test_the_page_shows_no_names_and_no_contact_details(region_app, page):
    for name in region_app.region.names:
        assert name not in page
    assert "@example.org" not in page.replace(region_app.staff.coordinator.email, "")


def test_small_numbers_read_fewer_than_five_and_their_complements_hidden(page):
    municipality = rows_by_label(html_tables(page)["table-municipality"])
    assert municipality == {
        "Bardu": ["6", FEW, FEW, FEW, FEW],
        "Målselv": ["8", HIDDEN, FEW, FEW, "5"],
        "Senja": ["10", "6", FEW, FEW, FEW],
        "Total": ["24", "15", FEW, HIDDEN, "11"],
    }
    headline = rows_by_label(html_tables(page)["table-region"])
    assert headline == {"Total": ["24", "15", FEW, HIDDEN, "11"]}


def test_the_dashboard_has_every_breakdown(page):
    tables = html_tables(page)
    for key in ("region", "municipality", "level", "week", "unplaced", "venue", "provider", "rota", "what_if"):
        assert f"table-{key}" in tables
    assert rows_by_label(tables["table-venue"])["Finnsnes hall"] == ["6", FEW, "12.0", "12.0"]
    assert rows_by_label(tables["table-what_if"]) == {"Alpha: Saturday 10:00, Finnsnes hall, Norsk A1": ["7"],
                                                      "Alpha: sun 12:00": [FEW]}


@pytest.mark.parametrize("key", ["region", "municipality", "level", "venue", "provider", "rota", "week", "unplaced",
                                 "what_if"])
def test_every_table_downloads_as_the_same_csv(region_app, page, key):
    client = signed_in(region_app.test_client(), region_app.staff.coordinator)
    response = client.get(f"/coordinator/tables/{key}.csv?lang=en")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and response.mimetype_params.get("charset") == "utf-8"
    assert f'filename="nortime-{key}.csv"' in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows == html_tables(page)[f"table-{key}"]


def test_csv_keeps_norwegian_letters(region_app):
    client = signed_in(region_app.test_client(), region_app.staff.coordinator)
    rows = list(csv.reader(io.StringIO(client.get("/coordinator/tables/municipality.csv?lang=en")
                                       .data.decode("utf-8-sig"))))
    assert rows[0] == ["Municipality", "Signed up", "Placed", "Waiting", "Not placed", "Attending"]
    assert rows[2][:2] == ["Målselv", "8"]


def test_an_unknown_table_is_not_found(region_app):
    client = signed_in(region_app.test_client(), region_app.staff.coordinator)
    assert client.get("/coordinator/tables/learners.csv").status_code == 404


def svg(page: str, chart_id: str) -> str:
    match = re.search(rf'<svg[^>]*id="{chart_id}".*?</svg>', page, re.S)
    assert match, chart_id
    return match.group(0)


@pytest.mark.parametrize("chart_id", ["chart-municipality", "chart-level", "chart-week"])
def test_charts_are_labelled_images(page, chart_id):
    chart = svg(page, chart_id)
    assert 'role="img"' in chart
    assert f'<title id="{chart_id}-title">' in chart and f'<desc id="{chart_id}-desc">' in chart
    assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in chart


def test_bar_charts_draw_only_the_numbers_the_table_shows(page):
    # Placed by municipality: only Senja's 6 is shown; Bardu (4) and Målselv (hidden 5) get no bar.
    municipality = svg(page, "chart-municipality")
    assert municipality.count('class="bar"') == 1
    assert municipality.count(FEW) == 1 and municipality.count(f">{HIDDEN}<") == 1
    # Placed by level, as the table shows it: one bar per number in the Placed column.
    level_rows = rows_by_label(html_tables(page)["table-level"])
    shown = [row[1] for label, row in level_rows.items() if label != "Total" and row[1] not in (FEW, HIDDEN)]
    assert svg(page, "chart-level").count('class="bar"') == len(shown) > 0


def test_the_week_chart_has_a_line_for_participants(page):
    chart = svg(page, "chart-week")
    assert chart.count('class="line"') == 1  # attending has a single shown week: a point, not a line
    assert "Week 2" in chart and "Week 5" in chart


def test_csv_comes_in_the_semicolon_form_norwegian_excel_opens(region_app):
    client = signed_in(region_app.test_client(), region_app.staff.coordinator)
    data = client.get("/coordinator/tables/municipality.csv?lang=en&sep=semicolon").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data), delimiter=";"))
    assert rows[0] == ["Municipality", "Signed up", "Placed", "Waiting", "Not placed", "Attending"]
    assert rows[2][:2] == ["Målselv", "8"]
    assert "sep=semicolon" in client.get("/coordinator/?lang=en").get_data(as_text=True)
