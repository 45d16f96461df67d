"""Setting up a term from scratch (commands and pages), and importing learners or teachers from CSV."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from nortime.db import db
from nortime.models import Course, Learner, Provider, Teacher, Venue
from nortime.services import setup

from .conftest import in_english

LEARNERS_CSV = """name,email,phone,language,home,level,preset,anchor,week
Anna Nowak,anna@example.org,,pl,finnsnes,A2,office,2027-01-04,0
Jonas Kazlauskas,,+4790000001,lt,Silsand,A2,none,,
Olena Melnyk,olena@example.org,,uk,finnsnes,A2,two_shift,2027-01-04,1
Omar Saleh,omar@example.org,,ar,finnsnes,A2,,,
"""
BAD_ROWS = """Nobody,,,,finnsnes,A2,office,2027-01-04,0
Eve Wrong,eve@example.org,,xx,atlantis,Z9,weekly,,
"""


def _cli(runner, *args):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_a_term_set_up_from_scratch_with_commands_can_be_planned(app, runner, tmp_path):
    from nortime.demo import ensure_region

    with app.test_request_context():
        ensure_region()
        db.session.commit()
    _cli(runner, "setup", "provider", "--slug", "senja-vo", "--name", "Senja voksenopplæring")
    output = _cli(runner, "setup", "term", "--provider", "senja-vo", "--name", "Vår 2027",
                  "--first-day", "2027-01-11", "--last-day", "2027-06-11")
    assert "closed dates" in output
    for day in ("mon", "wed", "tue", "thu"):
        _cli(runner, "setup", "slot", "--provider", "senja-vo", "--day", day, "--start", "18:00")
    _cli(runner, "setup", "venue", "--provider", "senja-vo", "--name", "Finnsnes skole", "--place", "finnsnes",
         "--seats", "3", "--open", "mon-thu 16:00-22:00")
    _cli(runner, "setup", "course", "--provider", "senja-vo", "--name", "Norsk A2", "--level", "A2",
         "--min-group", "3", "--min-attendance", "50")
    _cli(runner, "setup", "teacher", "--provider", "senja-vo", "--name", "Kari Nilsen", "--home", "finnsnes",
         "--levels", "A1 A2")
    learners = tmp_path / "learners.csv"
    learners.write_text(LEARNERS_CSV, encoding="utf-8")
    assert "4 imported" in _cli(runner, "setup", "import", "--provider", "senja-vo", "--kind", "learners",
                                str(learners))
    output = _cli(runner, "plan", "--provider", "senja-vo", "--time-limit", "1", "--publish")
    assert "published plan" in output
    with app.test_request_context():
        from nortime.services.planning import current_term
        from nortime.services.plans import live_plan

        provider = db.session.scalar(select(Provider).where(Provider.slug == "senja-vo"))
        term = current_term(provider)
        closed = {closed.day: closed.reason for closed in term.closed_dates}
        assert dt.date(2027, 5, 17) in closed and dt.date(2027, 2, 24) in closed  # holiday, winter break
        assert dt.date(2027, 3, 29) in closed  # Easter Monday
        plan = live_plan(provider, term)
        assert sum(len(group.placements) for group in plan.groups) >= 3
        # The room seats 3 (--seats): no group there holds the fourth learner (issue 16).
        assert all(group.venue.seats == 3 and len(group.placements) <= 3 for group in plan.groups)


def test_bad_setup_input_names_each_field(app, runner):
    from nortime.demo import ensure_region

    with app.test_request_context():
        ensure_region()
        provider = setup.create_provider("senja-vo", "Senja VO")
        with pytest.raises(setup.SetupError) as error:
            setup.save_venue(provider, {"name": "", "place": "atlantis", "rooms": "0", "openings": "mon 22:00-16:00"})
        assert set(error.value.errors) == {"name", "place", "rooms", "openings"}
        with pytest.raises(setup.SetupError) as error:
            setup.save_venue(provider, {"name": "Dyrøy", "place": "brostadbotn", "seats": "0",
                                        "openings": "mon 16:00-20:00"})
        assert set(error.value.errors) == {"seats"}
        term = setup.save_term(provider, {"name": "Vår", "first_day": "2027-01-11", "last_day": "2027-06-11"})
        with pytest.raises(setup.SetupError) as error:
            setup.save_course(provider, term, {"name": "A2", "level": "A9", "sessions_per_week": "8",
                                               "session_minutes": "90", "min_group": "6", "max_group": "4",
                                               "min_attendance": "75", "venues": "nowhere"})
        assert set(error.value.errors) == {"level", "sessions_per_week", "max_group", "venues"}
        with pytest.raises(setup.SetupError) as error:
            setup.add_slot(term, "tue", "10:00")
        assert "16:00" in error.value.errors["start"]
        with pytest.raises(setup.SetupError, match="last_day"):
            setup.save_term(provider, {"name": "Vår", "first_day": "2027-06-11", "last_day": "2027-01-11"})
    result = runner.invoke(args=["setup", "venue", "--provider", "senja-vo", "--name", "X", "--place", "atlantis",
                                 "--open", "mon 16:00-20:00"])
    assert result.exit_code != 0 and "--place" in result.output


def test_closed_dates_are_prefilled_and_editable(app):
    with app.test_request_context():
        provider = setup.create_provider("senja-vo", "Senja VO")
        term = setup.save_term(provider, {"name": "Vår", "first_day": "2027-01-11", "last_day": "2027-06-11",
                                          "closed": "2027-05-17 Grunnlovsdag\n2027-02-22..2027-02-26 Vinterferie"})
        assert [c.day for c in term.closed_dates] == [dt.date(2027, 2, d) for d in range(22, 27)] + [dt.date(2027, 5, 17)]
        with pytest.raises(setup.SetupError, match="line 1"):
            setup.save_term(provider, {"name": "Vår", "first_day": "2027-01-11", "last_day": "2027-06-11",
                                       "closed": "17.05.2027 national day"}, term)


@pytest.fixture
def region_provider(app):
    from nortime.demo import ensure_region

    with app.test_request_context():
        ensure_region()
        return setup.create_provider("senja-vo", "Senja VO").id


def _learners():
    return db.session.scalar(select(func.count()).select_from(Learner))


def test_a_csv_with_errors_imports_nothing_unless_asked_and_reports_every_row(app, region_provider):
    with app.test_request_context():
        provider = db.session.get(Provider, region_provider)
        report = setup.import_csv(provider, "learners", LEARNERS_CSV + BAD_ROWS)
        assert [line for line, _ in report.accepted] == [2, 3, 4, 5]
        assert [line for line, _ in report.rejected] == [6, 7]
        bad = dict(report.rejected)[7]
        assert {message.split(":")[0] for message in bad} == {"language", "home", "level", "preset"}
        assert any(message.startswith("email") for message in dict(report.rejected)[6])
        assert report.imported == 0 and _learners() == 0
        report = setup.import_csv(provider, "learners", LEARNERS_CSV + BAD_ROWS, import_valid=True)
        assert report.imported == 4 and _learners() == 4
        anna = db.session.scalar(select(Learner).where(Learner.name == "Anna Nowak"))
        assert anna.rota.preset == "office" and anna.language == "pl" and anna.provider_id == provider.id


def test_teachers_import_and_missing_columns(app, region_provider):
    with app.test_request_context():
        provider = db.session.get(Provider, region_provider)
        text = "name;home;levels;available\nKari;finnsnes;A1 A2;mon-fri 16:00-22:00\nOla;moon;B1;mon 16-22\n"
        report = setup.import_csv(provider, "teachers", text)
        assert [line for line, _ in report.accepted] == [2] and [line for line, _ in report.rejected] == [3]
        assert db.session.scalar(select(func.count()).select_from(Teacher)) == 0
        assert setup.import_csv(provider, "teachers", text, import_valid=True).imported == 1
        assert setup.import_csv(provider, "learners", "name,email\nX,x@example.org\n").missing_columns == ["home", "level"]


def test_the_setup_pages_save_and_show_field_errors(app, region_provider, make_user, login):
    client = in_english(login(make_user("provider_staff", provider=region_provider)))
    response = client.post("/provider/term", data={"name": "Vår 2027", "first_day": "2027-01-11",
                                                   "last_day": "2027-06-11", "timezone": "Europe/Oslo", "closed": ""})
    assert response.status_code == 302
    assert client.post("/provider/slots", data={"day": "sat", "start": "10:00"}).status_code == 302
    bad = client.post("/provider/venues/new", data={"name": "", "place": "finnsnes", "rooms": "1",
                                                    "openings": "mon-thu 16:00-22:00"})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    assert client.post("/provider/venues/new", data={"name": "Finnsnes skole", "place": "finnsnes", "rooms": "2",
                                                     "seats": "6", "openings": "mon-thu 16:00-22:00\nsat 09:00-16:00"}).status_code == 302
    assert client.post("/provider/teachers/new", data={"name": "Kari", "home": "finnsnes", "levels": ["A1", "A2"],
                                                       "max_sessions_per_week": "6",
                                                       "available": "mon-fri 16:00-22:00"}).status_code == 302
    with app.test_request_context():
        slug = db.session.scalar(select(Venue.slug))
    assert client.post("/provider/courses/new", data={"name": "Norsk A2", "level": "A2", "sessions_per_week": "2",
                                                      "session_minutes": "120", "min_group": "4", "max_group": "10",
                                                      "min_attendance": "80", "venues": [slug]}).status_code == 302
    upload = client.post("/provider/import", data={"kind": "learners", "text": LEARNERS_CSV + BAD_ROWS})
    page = upload.get_data(as_text=True)
    assert 'id="rejected"' in page and "atlantis" in page
    with app.test_request_context():
        course = db.session.scalar(select(Course))
        assert (course.min_attendance, [v.slug for v in course.venues]) == (0.8, [slug])
        venue = db.session.scalar(select(Venue))
        assert [o.days for o in venue.openings] == ["mon,tue,wed,thu", "sat"]
        assert venue.seats == 6
        assert _learners() == 0
    client.post("/provider/import", data={"kind": "learners", "text": LEARNERS_CSV + BAD_ROWS, "import_valid": "1",
                                           "confirm": "1"})
    with app.test_request_context():
        assert _learners() == 4
