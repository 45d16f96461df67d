"""CSV import: a preview before anything is stored, re-imports add nobody, Norwegian Excel's files read right."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from nortime.db import db
from nortime.models import Learner, Provider, Teacher
from nortime.services import setup

from .conftest import in_english
from .test_setup import LEARNERS_CSV

EXCEL_CSV = ("name;email;phone;language;home;level;preset;anchor;week\r\n"
             "Bjørn Ødegård;bjorn@example.org;;nb;Finnsnes;A2;office;2027-01-04;0\r\n"
             "Åse Ærø;;+47 900 00 002;nb;Silsand;B1;none;;\r\n")


@pytest.fixture
def provider_id(app):
    from nortime.demo import ensure_region

    with app.test_request_context():
        ensure_region()
        return setup.create_provider("senja-vo", "Senja VO").id


def count(model=Learner):
    return db.session.scalar(select(func.count()).select_from(model))


def test_importing_the_same_file_twice_adds_nobody(app, provider_id):
    with app.test_request_context():
        provider = db.session.get(Provider, provider_id)
        first = setup.import_csv(provider, "learners", LEARNERS_CSV)
        assert (len(first.added), first.imported, count()) == (4, 4, 4)
        again = setup.import_csv(provider, "learners", LEARNERS_CSV)
        assert (len(again.added), len(again.updated), len(again.unchanged), again.imported) == (0, 0, 4, 0)
        assert count() == 4


def test_a_reimport_updates_only_the_rows_that_changed(app, provider_id):
    changed = LEARNERS_CSV.replace("Anna Nowak,anna@example.org,,pl,finnsnes,A2",
                                   "Anna Nowak,anna@example.org,,pl,finnsnes,B1")
    with app.test_request_context():
        provider = db.session.get(Provider, provider_id)
        setup.import_csv(provider, "learners", LEARNERS_CSV)
        ids = dict(db.session.execute(select(Learner.name, Learner.id)).all())
        report = setup.import_csv(provider, "learners", changed + "Nina Hansen,nina@example.org,,nb,finnsnes,A1,,,\n")
        assert [(line, fields) for line, _summary, fields in report.updated] == [(2, ["level"])]
        assert [line for line, _ in report.added] == [6] and len(report.unchanged) == 3
        assert count() == 5
        anna = db.session.scalar(select(Learner).where(Learner.name == "Anna Nowak"))
        assert anna.id == ids["Anna Nowak"] and anna.level == "B1"


def test_a_namesake_with_other_contact_details_is_a_new_person(app, provider_id):
    with app.test_request_context():
        provider = db.session.get(Provider, provider_id)
        setup.import_csv(provider, "learners", LEARNERS_CSV)
        report = setup.import_csv(provider, "learners", "name,email,home,level\nAnna Nowak,other.anna@example.org,finnsnes,A1\n")
        assert len(report.added) == 1 and count() == 5


def test_the_same_person_twice_in_one_file_is_an_error(app, provider_id):
    with app.test_request_context():
        provider = db.session.get(Provider, provider_id)
        text = "name,email,home,level\nOla Nordmann,ola@example.org,finnsnes,A1\nola  nordmann,OLA@example.org,finnsnes,A2\n"
        report = setup.import_csv(provider, "learners", text)
        assert [line for line, _ in report.rejected] == [3] and count() == 0


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-8"])
def test_norwegian_excel_files_import_correctly(app, provider_id, encoding):
    with app.test_request_context():
        provider = db.session.get(Provider, provider_id)
        text = setup.decode_csv(EXCEL_CSV.encode(encoding))
        report = setup.import_csv(provider, "learners", text)
        assert report.rejected == [] and report.imported == 2
        names = set(db.session.scalars(select(Learner.name)))
        assert names == {"Bjørn Ødegård", "Åse Ærø"}


def test_the_page_previews_and_stores_only_when_confirmed(app, provider_id, make_user, login):
    from io import BytesIO

    client = in_english(login(make_user("provider_staff", provider=provider_id)))
    preview = client.post("/provider/import", data={"kind": "learners",
                                                    "file": (BytesIO(EXCEL_CSV.encode("cp1252")), "elever.csv")},
                          content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Preview: nothing is stored yet" in page and "Bjørn Ødegård" in page
    assert 'name="confirm" value="1"' in page
    with app.test_request_context():
        assert count() == 0
    text = setup.decode_csv(EXCEL_CSV.encode("cp1252"))
    done = client.post("/provider/import", data={"kind": "learners", "text": text, "confirm": "1"})
    assert "2 added and 0 updated" in done.get_data(as_text=True)
    again = client.post("/provider/import", data={"kind": "learners", "text": text})
    assert 'data-count="unchanged">2<' in again.get_data(as_text=True)
    assert 'name="confirm"' not in again.get_data(as_text=True)
    with app.test_request_context():
        assert count() == 2
    assert client.post("/provider/import", data={"kind": "learners", "text": ""}).status_code == 400


def test_teachers_reimport_updates_instead_of_adding(app, provider_id):
    text = "name;home;levels;available\nKari Nilsen;finnsnes;A1 A2;mon-fri 16:00-22:00\n"
    with app.test_request_context():
        provider = db.session.get(Provider, provider_id)
        assert setup.import_csv(provider, "teachers", text).imported == 1
        again = setup.import_csv(provider, "teachers", text)
        assert (len(again.unchanged), again.imported) == (1, 0)
        changed = setup.import_csv(provider, "teachers", text.replace("A1 A2", "A1 A2 B1"))
        assert [fields for _line, _summary, fields in changed.updated] == [["levels"]]
        assert count(Teacher) == 1
        assert db.session.scalar(select(Teacher.levels)) == "A1,A2,B1"


def test_the_command_reads_a_windows_1252_file_and_can_only_check(app, provider_id, runner, tmp_path):
    path = tmp_path / "elever.csv"
    path.write_bytes(EXCEL_CSV.encode("cp1252"))
    checked = runner.invoke(args=["setup", "import", "--provider", "senja-vo", "--kind", "learners", "--check", str(path)])
    assert checked.exit_code == 0 and "2 new" in checked.output
    with app.test_request_context():
        assert count() == 0
    for _ in range(2):
        result = runner.invoke(args=["setup", "import", "--provider", "senja-vo", "--kind", "learners", str(path)])
        assert result.exit_code == 0, result.output
    assert "2 unchanged" in result.output
    with app.test_request_context():
        assert count() == 2


def test_two_imports_of_the_same_file_at_once_add_each_person_once(app, provider_id):
    """Two staff members upload the same file at the same moment (real threads, own sessions)."""
    import threading

    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            with app.test_request_context():
                provider = db.session.get(Provider, provider_id)
                barrier.wait()
                setup.import_csv(provider, "learners", LEARNERS_CSV)
                db.session.remove()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with app.test_request_context():
        assert count() == 4


@pytest.mark.parametrize("broken", ['Ola Nordmann,ola@example.org,finnsnes,"A1\n' + "x" * 200_000 + "\n",
                                    "Ola Nordmann,ola@example.org,finnsnes," + "x" * 200_000 + "\n"])
def test_a_cell_beyond_the_csv_readers_limit_is_a_rejected_line_not_a_crash(app, provider_id, make_user, login,
                                                                            broken):
    """An unclosed quote (or a huge cell) makes one field of the rest of the file; it is said, nothing stored."""
    text = "name,email,home,level\nKari Nilsen,kari@example.org,finnsnes,A1\n" + broken
    with app.test_request_context("/?lang=en"):
        provider = db.session.get(Provider, provider_id)
        report = setup.import_csv(provider, "learners", text)
        assert [line for line, _ in report.rejected] == [3] and report.imported == 0 and count() == 0
        assert "quote" in report.rejected[0][1][0]
        in_header = setup.import_csv(provider, "learners", '"name' + "x" * 200_000 + "\n")
        assert [line for line, _ in in_header.rejected] == [1] and count() == 0
    client = in_english(login(make_user("provider_staff", provider=provider_id)))
    response = client.post("/provider/import", data={"kind": "learners", "text": text, "confirm": "1"})
    assert response.status_code < 500 and "line 3" in response.get_data(as_text=True).lower()
    with app.test_request_context():
        assert count() == 0
