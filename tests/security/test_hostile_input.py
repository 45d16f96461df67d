"""Hostile values to every form, JSON and page route: never a 5xx, and a refused post changes nothing.

The routes come from `app.url_map`, so a new route is covered without editing this file; each is
visited as the kind of user who can reach it (provider staff, a coordinator, or anonymous with a
sign-up under way; the attendance pages also as the group's teacher). Field names are read from
the route's own page when it has one. Hypothesis draws the values: empty, 1 MB, NUL, right-to-left
override, emoji, SQL and formula strings, and arbitrary text. HOSTILE_EXAMPLES sets the examples per
route (default 6, to keep the run short).

The routes that start a solve (plan, what-if) are covered up to the hand-over to the worker: the
world's `jobs.enqueue` queues nothing, so no optimizer runs; what is tested is what the web layer
checks and stores. Those two routes answer a redirect to the run or a 4xx with nothing stored.
"""
from __future__ import annotations

import io
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "6"))
HOSTILE = ["", " ", "x" * (1024 * 1024), "\x00", "a\x00b", "\u202eexe.txt", "👩🏽‍🔧🇳🇴", "'; DROP TABLE learners; --",
           "1' OR '1'='1", "=HYPERLINK(\"https://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "@SUM(A1)", "-1",
           "nan", "1e309", "9" * 40, "../../etc/passwd", "<script>alert(1)</script>", "\r\nSet-Cookie: x=1",
           "%00", "\ud7ff\ue000\uffff", "٣٤", "²", "2027-02-30", "25:99", "\\", "//evil.example", "/\\evil.example"]
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60))
STARTS_A_SOLVE = {"providers.plan", "providers.what_if"}
POST_ONLY_FIELDS = ["learner", "group", "locked", "provider", "day", "start", "solution", "confirm", "reason",
                    "base", "time_limit"]
ABOUT = {"name": "Olena Kovalenko", "email": "olena@example.org", "phone": "", "language": "uk", "home": "finnsnes",
         "right": "no", "level": "A2", "travel": "30", "days": ["sat"]}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The demo with a published and a draft plan, staff of each role, and ids for every URL argument."""
    from werkzeug.security import generate_password_hash

    from nortime import jobs
    from nortime.db import db
    from nortime.demo import load_demo
    from nortime.models import Learner, Provider, SolveRun, User
    from nortime.services import planning, publishing
    from nortime.services.timetable import issue_feed_token
    from tests.coordinators.conftest import root_conftest
    from tests.providers.conftest import hand_solution

    root = root_conftest()
    with pytest.MonkeyPatch.context() as monkeypatch:
        app = root.make_app(tmp_path_factory.mktemp("hostile"), monkeypatch)
        monkeypatch.setattr(jobs, "enqueue", lambda run_id: f"hostile-test:{run_id}")  # no worker, no optimizer
        with app.test_request_context():
            load_demo(learners=60, seed=1)
            provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
            term = planning.current_term(provider)
            problem = planning.build_problem(provider, term)
            run = SolveRun(provider_id=provider.id, term_id=term.id, status="done", problem=problem,
                           solution=hand_solution(problem))
            db.session.add(run)
            db.session.commit()
            published = planning.apply_solution(run)
            publishing.publish(published, notify=False)
            draft = planning.apply_solution(run)
            group = published.groups[0]
            learner = db.session.scalar(select(Learner).where(Learner.provider_id == provider.id))
            issue_feed_token(learner)
            password = generate_password_hash("correct horse 1", method="pbkdf2:sha256:1000")
            db.session.add_all([User(email=f"{role}@example.org", name=role, role=role, password_hash=password,
                                     provider_id=provider.id if role == "provider_staff" else None)
                                for role in ("provider_staff", "coordinator")])
            db.session.add(User(email="teacher@example.org", name="teacher", role="teacher", password_hash=password,
                                provider_id=provider.id, teacher_id=group.teacher_id))
            from nortime.models import JoinCode

            join_code = db.session.get(JoinCode, "HUSY-2027")  # the demo's fish plant (issue 21)
            db.session.add(User(email="employer@example.org", name="employer", role="employer",
                                password_hash=password, employer_id=join_code.team.employer_id))
            db.session.commit()
            app.url_values = {
                "token": learner.access_token, "learner_id": learner.id, "plan_id": draft.id, "run_id": run.id, "group_id": group.id,
                "placement_id": draft.groups[0].placements[0].id, "course_id": provider.courses[0].id,
                "venue_id": provider.venues[0].id, "teacher_id": provider.teachers[0].id,
                "slot_id": term.slots[0].id, "preset_id": "health_3week", "provider": "mtvo", "key": group.key,
                "slug": provider.venues[0].slug, "number": "5530", "day": term.first_day.isoformat(),
                "filename": "nortime.css", "offer_id": 999_999,
                "team_id": join_code.team_id, "code": join_code.code}
        yield app
        root.empty_all_tables(app)


def row_counts(app) -> dict[str, int]:
    from nortime.db import db

    with app.app_context():
        counts = {table.name: db.session.scalar(select(func.count()).select_from(table))
                  for table in db.metadata.sorted_tables}
        db.session.remove()
        return counts


def visitor(app, endpoint: str, teacher: bool = False):
    """A fresh browser of the kind that can reach the endpoint's page (the attendance pages: staff or the teacher)."""
    client = app.test_client()
    blueprint = endpoint.split(".")[0]
    role = {"providers": "provider_staff", "coordinators": "coordinator", "employers": "employer"}.get(blueprint)
    if endpoint.startswith("coordinators.attendance."):
        role = "teacher" if teacher else "provider_staff"
    if role:
        response = client.post("/login", data={"email": f"{role}@example.org", "password": "correct horse 1"})
        assert response.status_code == 302
    elif blueprint == "learners":
        assert client.post("/signup", data=ABOUT).status_code == 302  # the later sign-up steps need it
    return client


def rules(methods: set[str]):
    from nortime import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 20,
                      "CHECK_DATABASE_ON_START": False})
    return sorted((rule for rule in app.url_map.iter_rules() if rule.methods & methods),
                  key=lambda rule: (rule.rule, rule.endpoint))


POST_RULES = [pytest.param(rule.rule, rule.endpoint, id=rule.endpoint) for rule in rules({"POST"})]
GET_RULES = [pytest.param(rule.rule, rule.endpoint, id=rule.endpoint) for rule in rules({"GET"})]


def url_for_rule(app, rule: str, **overrides) -> str:
    url = rule
    for name in re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", rule):
        url = re.sub(rf"<(?:[a-z]+:)?{name}>", str(overrides.get(name, app.url_values[name])), url)
    return url


def form_fields(client, url: str, can_get: bool) -> tuple[list[str], set[str]]:
    """The field names of the route's own form (and which are file fields); common names when it has no page."""
    if can_get:
        page = client.get(url)
        if page.status_code == 200 and "text/html" in page.content_type:
            html = page.get_data(as_text=True)
            names = sorted(set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html)) - {"csrf_token"})
            files = set(re.findall(r'<input[^>]*type="file"[^>]*name="([^"]+)"', html))
            files |= set(re.findall(r'<input[^>]*name="([^"]+)"[^>]*type="file"', html))
            if names:
                return names, files
    return POST_ONLY_FIELDS, {"solution"}


@pytest.mark.parametrize("rule, endpoint", POST_RULES)
def test_hostile_posts_never_fail_and_a_refusal_changes_nothing(world, rule, endpoint):
    rule_object = next(r for r in world.url_map.iter_rules() if r.endpoint == endpoint)
    url = url_for_rule(world, rule)
    fields, files = form_fields(visitor(world, endpoint), url, "GET" in rule_object.methods)

    @given(form=st.dictionaries(st.sampled_from(fields), values, min_size=1, max_size=len(fields)),
           query=st.sampled_from(["", "?lang=ar", "?next=%0d%0a//evil.example", "?weeks=%00", "?lang=%ff"]),
           teacher=st.booleans())
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    def post(form, query, teacher):
        client = visitor(world, endpoint, teacher)
        data = {name: (io.BytesIO(value.encode("utf-8", "surrogatepass")), "hostile.ics") if name in files else value
                for name, value in form.items()}
        before = row_counts(world)
        response = client.post(url + query, data=data, content_type="multipart/form-data")
        assert response.status_code < 500, (url, form, response.status_code)
        if endpoint in STARTS_A_SOLVE:  # a refused change or time limit says so with a 4xx, never a 200 page
            assert response.status_code == 302 or 400 <= response.status_code < 500, (url, form, response.status_code)
        if response.status_code >= 400:
            assert row_counts(world) == before, (url, form, response.status_code)

    post()


@pytest.mark.parametrize("rule, endpoint", GET_RULES)
def test_hostile_addresses_never_fail(world, rule, endpoint):
    arguments = re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", rule)
    string_arguments = [name for name in arguments if f"int:{name}" not in rule]

    @given(value=values.filter(lambda text: "/" not in text and "\\" not in text),
           replace=st.sampled_from(string_arguments or [None]),
           query=st.sampled_from(["", "?lang=%00", "?next=/%0d%0aX:1", "?download=1&lang=%ff", "?weeks=-1"]),
           teacher=st.booleans())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    def get(value, replace, query, teacher):
        from urllib.parse import quote

        client = visitor(world, endpoint, teacher)
        overrides = {replace: quote(value[:2000], safe="")} if replace else {}
        response = client.get(url_for_rule(world, rule, **overrides) + query)
        assert response.status_code < 500, (rule, value, query, response.status_code)

    get()
