"""Cached learner pages (sign-up, personal page) never show one visitor another's data or a stale page.

The pages are built once and kept (nortime/page_cache.py); these tests check what the cache must never
do: serve a learner's page to someone else, keep serving it after their own rows changed (also when
another worker or a console changed them, with no ORM event in this process), or hand one visitor's
CSRF token to another.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

ABOUT = {"name": "Olena Kovalenko", "email": "olena@example.org", "phone": "", "language": "uk", "home": "finnsnes",
         "right": "no", "level": "A2", "travel": "30", "days": ["sat"]}


@pytest.fixture
def world(app_with):
    """The demo with a published plan (CSRF on, as in production); the ids of two placed learners."""
    from nortime.db import db
    from nortime.demo import load_demo
    from nortime.models import Placement, Provider, SolveRun
    from nortime.services import planning, publishing
    from tests.providers.conftest import hand_solution

    app = app_with(WTF_CSRF_ENABLED=True)
    with app.test_request_context():
        load_demo(learners=40, seed=1)
        provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
        term = planning.current_term(provider)
        problem = planning.build_problem(provider, term)
        run = SolveRun(provider_id=provider.id, term_id=term.id, status="done", problem=problem,
                       solution=hand_solution(problem))
        db.session.add(run)
        db.session.commit()
        plan = publishing.publish(planning.apply_solution(run), notify=False)
        placed = db.session.scalars(select(Placement).where(Placement.plan_id == plan.id)
                                    .order_by(Placement.id)).all()
        app.learners = [(p.learner_id, p.learner.access_token, p.learner.name, p.group_id) for p in placed[:2]]
        db.session.remove()
    return app


def behind_the_apps_back(app, statement: str, **values):
    """As another worker or a database console would: no ORM event in this process."""
    from nortime.db import db

    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text(statement), values)


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_each_learner_gets_only_their_own_page_however_often_they_come(world):
    (first, first_token, first_name, _), (second, second_token, second_name, _) = world.learners
    client = world.test_client()
    for _ in range(3):  # the second and third visits are answered from the cache
        mine = client.get(f"/me/{first_token}?lang=en").get_data(as_text=True)
        theirs = client.get(f"/me/{second_token}?lang=en").get_data(as_text=True)
        assert first_name in mine and first_token in mine and second_token not in mine
        assert second_token in theirs and first_token not in theirs and f"Hello, {first_name}." not in theirs


def test_a_change_made_by_another_worker_shows_at_once(world):
    from nortime.feeds import cache

    (learner_id, token, name, group_id), _ = world.learners
    client = world.test_client()
    before = client.get(f"/me/{token}?lang=en").get_data(as_text=True)
    assert f"Hello, {name}." in before and "Hours you have attended" not in before
    version = cache._version()
    behind_the_apps_back(world, "UPDATE learners SET name = :name WHERE id = :id", name="Zofia Nowak", id=learner_id)
    behind_the_apps_back(world, "INSERT INTO attendance (group_id, occurrence_date, learner_id, present, recorded_at) "
                                "VALUES (:group, '2027-01-12', :id, :present, '2027-01-12 20:00:00')",
                         group=group_id, id=learner_id, present=True)
    assert cache._version() == version  # nothing told the cache: the page itself must notice
    after = client.get(f"/me/{token}?lang=en").get_data(as_text=True)
    assert "Hello, Zofia Nowak." in after and "Hours you have attended" in after
    behind_the_apps_back(world, "UPDATE learners SET withdrawn_at = '2027-01-13 09:00:00' WHERE id = :id", id=learner_id)
    assert "You have left the course list." in client.get(f"/me/{token}?lang=en").get_data(as_text=True)


def test_a_deleted_learners_page_is_gone_at_once(world):
    (learner_id, token, _, _), _ = world.learners
    client = world.test_client()
    assert client.get(f"/me/{token}").status_code == 200
    behind_the_apps_back(world, "DELETE FROM placements WHERE learner_id = :id", id=learner_id)
    behind_the_apps_back(world, "DELETE FROM learners WHERE id = :id", id=learner_id)
    assert client.get(f"/me/{token}").status_code == 404


def test_every_visitor_gets_their_own_csrf_token_on_a_cached_page(world):
    (learner_id, token, _, _), _ = world.learners
    behind_the_apps_back(world, "UPDATE learners SET withdrawn_at = '2027-01-13 09:00:00' WHERE id = :id", id=learner_id)
    visitors = [world.test_client() for _ in range(3)]
    pages = [visitor.get(f"/me/{token}?lang=en").get_data(as_text=True) for visitor in visitors]
    tokens = [csrf_token(page) for page in pages]
    assert len(set(tokens)) == 3 and "\x00" not in "".join(pages)
    assert pages[1].replace(tokens[1], tokens[0]) == pages[0]  # the same page but for the token
    # Another visitor's token is refused; one's own is accepted.
    assert visitors[2].post(f"/me/{token}/withdraw", data={"undo": "1", "csrf_token": tokens[0]}).status_code == 400
    assert visitors[2].post(f"/me/{token}/withdraw", data={"undo": "1", "csrf_token": tokens[2]}).status_code == 302


def test_the_sign_up_page_is_shared_but_tokens_and_answers_are_not(world):
    first, second = world.test_client(), world.test_client()
    pages = [client.get("/signup?lang=en").get_data(as_text=True) for client in (first, second)]
    tokens = [csrf_token(page) for page in pages]
    assert tokens[0] != tokens[1] and pages[1].replace(tokens[1], tokens[0]) == pages[0]
    assert first.post("/signup", data={**ABOUT, "csrf_token": tokens[1]}).status_code == 400
    assert first.post("/signup", data={**ABOUT, "csrf_token": tokens[0]}).status_code == 302
    assert "Olena Kovalenko" in first.get("/signup?lang=en").get_data(as_text=True)  # her draft, built for her
    assert "Olena Kovalenko" not in second.get("/signup?lang=en").get_data(as_text=True)
    assert "Olena Kovalenko" not in world.test_client().get("/signup?lang=en").get_data(as_text=True)
