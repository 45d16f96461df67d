"""Before anything is planned: the dashboard, the CSV and the command still answer."""
from __future__ import annotations

import csv
import io

from .conftest import signed_in


def test_an_empty_database_gives_an_all_hidden_dashboard(app, make_user, client):
    coordinator = make_user("coordinator")
    signed_in(client, coordinator)
    page = client.get("/coordinator/?lang=en")
    assert page.status_code == 200
    assert "No published timetable has left anybody out." in page.text
    rows = list(csv.reader(io.StringIO(client.get("/coordinator/tables/region.csv?lang=en").data.decode("utf-8-sig"))))
    assert rows == [["Area", "Signed up", "Placed", "Waiting", "Not placed", "Attending"],
                    ["Total"] + ["fewer than 5"] * 5]
    result = app.test_cli_runner().invoke(args=["counts", "--by", "week", "--format", "json"])
    assert result.exit_code == 0 and '"rows": []' in result.output
