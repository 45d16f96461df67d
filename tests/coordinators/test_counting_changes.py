"""Counts after the data change: an empty database, a learner in two providers' plans, no what-if."""
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


def test_only_the_learners_own_providers_plan_places_them(app, region):
    from nortime.db import db
    from nortime.models import Placement
    from nortime.services.counting import region_counts

    with app.test_request_context("/?lang=en"):
        cross = region.learners.cross
        # Beta (their provider) places them in G3; Alpha's plan keeps them in G1 as well.
        db.session.add(Placement(plan_id=region.beta_plan, group_id=region.g3, learner_id=cross))
        db.session.commit()
        counts = region_counts()
    assert counts.headline.total.values["placed"] == 16 and counts.headline.total.values["waiting"] == 2
    assert {row.label: row.values["placed"] for row in counts.tables["venue"].rows}["Setermoen hall"] == 5


def test_no_what_if_table_without_signals(app, region):
    from nortime.db import db
    from nortime.models import SolveRun
    from nortime.services.counting import region_counts

    with app.test_request_context("/?lang=en"):
        db.session.get(SolveRun, region.alpha_run).solution = {"what_if": "not a list"}
        db.session.commit()
        assert region_counts().what_if is None
