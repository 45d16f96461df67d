"""Coordinators: participation by employer and by sector, same small-number rule; employers and their staff."""
from __future__ import annotations

import csv
import io

from .conftest import signed_in


def test_counts_by_employer_and_sector(app, world):
    from nortime.services.counting import region_counts

    with app.app_context():
        tables = region_counts().tables
        by_employer = {row.label: row for row in tables["employer"].rows}
        # All 8 of the fish plant's workers count here (counts only; consent is about the employer).
        assert by_employer["Husøy Fiskebruk"].values["signed_up"] == 8
        assert tables["employer"].value(by_employer["Husøy Fiskebruk"], "placed") == 8
        assert tables["employer"].value(by_employer["Finnsnes omsorgssenter"], "signed_up") is None
        by_sector = {row.key: row for row in tables["sector"].rows}
        assert by_sector["fish"].values["signed_up"] == 8 and by_sector["health"].values["signed_up"] == 1


def test_the_cli_prints_counts_by_employer_and_sector(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["counts", "--by", "employer", "--lang", "en"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert ["Husøy Fiskebruk", "8", "8", "fewer than 5", "fewer than 5", "6"] in rows
    assert next(row for row in rows if row[0] == "Finnsnes omsorgssenter")[1] == "fewer than 5"
    result = runner.invoke(args=["counts", "--by", "sector", "--lang", "en"])
    assert result.exit_code == 0 and "Fish processing" in result.output


def test_the_dashboard_and_csv_have_the_employer_breakdowns(app, client, world):
    signed_in(client, world.users.coordinator)
    page = client.get("/coordinator/?lang=en")
    assert "Participants by employer" in page.text and "Participants by sector" in page.text
    assert client.get("/coordinator/tables/employer.csv").status_code == 200
    assert client.get("/coordinator/tables/sector.csv").status_code == 200


def test_coordinators_register_employers_and_invite_staff(app, client, world):
    from sqlalchemy import func, select

    from nortime.db import db
    from nortime.models import Employer, User

    signed_in(client, world.users.coordinator)
    response = client.post("/coordinator/employers", data={"action": "create", "name": "Verkstedet Setermoen",
                                                           "place": "setermoen", "sector": "industry"})
    assert response.status_code == 302
    response = client.post("/coordinator/employers?lang=en", data={"action": "invite", "employer": "verkstedet-setermoen",
                                                                   "email": "Sjef@Example.org", "name": "Sjef"})
    assert response.status_code == 200 and "sjef@example.org" in response.text
    password = response.text.split("once: ")[1].split("<")[0].strip()
    with app.app_context():
        employer = db.session.scalars(select(Employer).where(Employer.slug == "verkstedet-setermoen")).one()
        user = db.session.scalars(select(User).where(User.email == "sjef@example.org")).one()
        assert (user.role, user.employer_id) == ("employer", employer.id)
    with app.app_context():
        accounts = db.session.scalar(select(func.count()).select_from(User))
    for bad in ("", "not an e-mail", "x" * 190 + "@example.org"):  # the last is longer than the column
        response = client.post("/coordinator/employers?lang=en", data={"action": "invite", "name": "Sjef",
                                                                       "employer": "verkstedet-setermoen",
                                                                       "email": bad})
        assert response.status_code == 422 and "e-mail address" in response.text, bad
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == accounts
    client.post("/logout")
    response = client.post("/login", data={"email": "sjef@example.org", "password": password})
    assert response.status_code == 302 and response.headers["Location"].endswith("/employer/")
    response = client.post("/coordinator/employers", data={"action": "create", "name": "X", "place": "nowhere",
                                                           "sector": "fish"})
    assert response.status_code in (302, 403)


def test_the_cli_registers_an_employer_and_its_staff(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["employers", "add", "--name", "Camp Setermoen", "--place", "setermoen",
                                 "--sector", "defence"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["employers", "add", "--name", "Camp Setermoen", "--place", "setermoen",
                                "--sector", "defence"])
    assert again.exit_code != 0 and "Camp Setermoen finnes allerede" in again.output  # one line; the first kept
    result = runner.invoke(args=["create-user", "--email", "camp@example.org", "--role", "employer",
                                 "--employer", "camp-setermoen", "--password", "correct horse 2"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-user", "--email", "camp2@example.org", "--role", "employer",
                                 "--password", "correct horse 2"])
    assert result.exit_code != 0 and "employer" in result.output
