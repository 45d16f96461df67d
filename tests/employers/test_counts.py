"""What employers see: counts of consenting workers only, small numbers hidden, names only with consent."""
from __future__ import annotations

import csv
import io

from .conftest import signed_in


def team_row(table, name):
    return next(row for row in table.rows if row.label == name)


def test_only_consenting_workers_are_counted_and_named(app, world):
    from nortime.db import db
    from nortime.models import Employer
    from nortime.services.employer_counts import employer_counts

    with app.app_context():
        counts = employer_counts(db.session.get(Employer, world.fish))
        night = team_row(counts.teams, "Natt")
        # 6 consenting (all placed, 4 present at one 2-hour session); the 2 silent ones are not there at all.
        assert night.values == {"signed_up": 6, "placed": 6, "attending": 4, "hours": 8.0}
        assert sorted(worker.name for worker in counts.workers) == sorted(world.consenting_names)
        january = counts.months.rows[0]
        assert january.key == "2026-01" and january.values["placed"] == 6 and january.values["hours"] == 8.0


def test_small_numbers_are_fewer_than_5(app, world):
    from nortime.db import db
    from nortime.models import Employer
    from nortime.services.employer_counts import employer_counts

    with app.app_context():
        counts = employer_counts(db.session.get(Employer, world.fish))
        night = team_row(counts.teams, "Natt")
        assert counts.teams.value(night, "signed_up") == 6
        assert counts.teams.value(night, "attending") is None and counts.teams.is_small(night, "attending")
        ward = employer_counts(db.session.get(Employer, world.home))
        row = team_row(ward.teams, "Avdeling 2")
        assert ward.teams.value(row, "signed_up") is None and ward.teams.is_small(row, "signed_up")


def test_consent_both_ways(app, world):
    from nortime.db import db
    from nortime.models import Employer, Learner
    from nortime.services import employers
    from nortime.services.employer_counts import employer_counts

    with app.app_context():
        silent = db.session.get(Learner, world.silent[0])
        employers.set_consent(silent, True)
        counts = employer_counts(db.session.get(Employer, world.fish))
        assert silent.name in [worker.name for worker in counts.workers]
        assert team_row(counts.teams, "Natt").values["signed_up"] == 7
        for learner_id in world.consenting:
            employers.set_consent(db.session.get(Learner, learner_id), False)
        counts = employer_counts(db.session.get(Employer, world.fish))
        assert [worker.name for worker in counts.workers] == [silent.name]
        assert team_row(counts.teams, "Natt").values["signed_up"] == 1


def test_a_worker_changes_consent_on_their_own_page(app, client, world):
    from nortime.db import db
    from nortime.models import Learner

    with app.app_context():
        token = db.session.get(Learner, world.silent[0]).access_token
    page = client.get(f"/me/{token}/employer?lang=en")
    assert page.status_code == 200 and "sees nothing about you" in page.text
    assert "no-store" in page.headers["Cache-Control"]
    assert client.post(f"/me/{token}/employer", data={"action": "allow"}).status_code == 302
    with app.app_context():
        assert db.session.get(Learner, world.silent[0]).employer_consent_at is not None
    client.post(f"/me/{token}/employer", data={"action": "withdraw"})
    with app.app_context():
        assert db.session.get(Learner, world.silent[0]).employer_consent_at is None
    client.post(f"/me/{token}/employer", data={"action": "leave"})
    with app.app_context():
        learner = db.session.get(Learner, world.silent[0])
        assert learner.employer_id is None and learner.team_id is None


def test_the_employer_page_and_csv_show_no_name_without_consent(app, client, world):
    signed_in(client, world.users.fish_staff)
    page = client.get("/employer/?lang=en")
    assert page.status_code == 200
    assert all(name in page.text for name in world.consenting_names)
    assert not any(name in page.text for name in world.silent_names)
    assert "fewer than 5" in page.text
    response = client.get("/employer/tables/team.csv?lang=en")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Team", "Signed up", "Placed", "Attending"]
    assert ["Natt", "6", "6", "fewer than 5", "8.0"] in rows


def test_employer_csv_neutralises_formulas(app, client, world):
    from nortime.db import db
    from nortime.models import Team

    with app.app_context():
        db.session.get(Team, world.night).name = "=HYPERLINK(\"http://evil\")"
        db.session.commit()
    signed_in(client, world.users.fish_staff)
    text = client.get("/employer/tables/team.csv").data.decode("utf-8-sig")
    assert "\n=" not in text and "'=HYPERLINK" in text


def test_a_workers_own_data_download_shows_employer_team_and_consent(app, client, world):
    import json

    from nortime.db import db
    from nortime.models import Learner

    with app.app_context():
        consenting = db.session.get(Learner, world.consenting[0]).access_token
        silent = db.session.get(Learner, world.silent[0]).access_token
    data = json.loads(client.get(f"/me/{consenting}/data.json").data)["learner"]
    assert data["employer"] == "Husøy Fiskebruk" and data["team"] == "Natt" and data["employer_may_see_since"]
    assert json.loads(client.get(f"/me/{silent}/data.json").data)["learner"]["employer_may_see_since"] is None
