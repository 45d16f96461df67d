"""Review, adjust, re-run, what-if, publish and single-session changes, through the provider pages."""
from __future__ import annotations

import io
import json

from sqlalchemy import select

from nortime import jobs
from nortime.db import db
from nortime.models import Group, Learner, Placement, Plan, Provider, SessionChange, SolveRun
from nortime.services import planning, publishing

from .conftest import allow_small_groups, hand_solution, in_english


def _draft(app, members=None, publish_first=False):
    """A hand-made draft for mtvo (optionally after publishing one); returns its id."""
    with app.test_request_context():
        provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
        term = planning.current_term(provider)
        if members is not None:
            allow_small_groups(provider)
        problem = planning.build_problem(provider, term)
        run = SolveRun(provider_id=provider.id, term_id=term.id, status="done", problem=problem,
                       solution=hand_solution(problem, members=members))
        db.session.add(run)
        db.session.commit()
        if publish_first:
            publishing.publish(planning.apply_solution(run), notify=False)
        return planning.apply_solution(run).id


def test_the_review_page_shows_grid_shares_load_reasons_and_figures(demo_app, staff, login):
    plan_id = _draft(demo_app)
    page = in_english(login(staff)).get(f"/provider/plans/{plan_id}").get_data(as_text=True)
    with demo_app.test_request_context():
        plan = db.session.get(Plan, plan_id)
        for group in plan.groups:
            assert f'id="group-{group.id}"' in page and f'href="#group-{group.id}"' in page
            assert group.teacher.name in page
        # Each learner's share.
        assert all(f"{round(p.attendable_share * 100)} %" in page for g in plan.groups for p in g.placements)
        assert f'id="figure-unplaced">{len(plan.unplaced)}<' in page
        assert 'id="reason-group_full"' in page
        assert plan.unplaced[0].learner.name in page


def test_locking_and_moving_in_a_draft_and_the_difference_to_the_published_plan(demo_app, staff, login):
    plan_id = _draft(demo_app, members=3, publish_first=True)
    client = in_english(login(staff))
    with demo_app.test_request_context():
        plan = db.session.get(Plan, plan_id)
        group, candidate = next((group, u.learner) for group in plan.groups for u in plan.unplaced
                                if u.learner.level == group.course.level
                                and not planning.move_problems(plan, u.learner, group)[0])
        wrong_level = next(u.learner for u in plan.unplaced if u.learner.level != group.course.level)
        group_id, placement_id = group.id, group.placements[0].id
        wrong_id, candidate_id, candidate_name = wrong_level.id, candidate.id, candidate.name
    refused = client.post(f"/provider/plans/{plan_id}/move", data={"learner_id": wrong_id, "group_id": group_id},
                          follow_redirects=True).get_data(as_text=True)
    assert "Level:" in refused
    page = client.post(f"/provider/plans/{plan_id}/move", data={"learner_id": candidate_id, "group_id": group_id},
                       follow_redirects=True).get_data(as_text=True)
    assert f"{candidate_name} (#{candidate_id}) is added to" in page  # the difference, by number (namesakes)
    client.post(f"/provider/groups/{group_id}/lock", data={"locked": "1"})
    client.post(f"/provider/placements/{placement_id}/lock", data={"locked": "1"})
    with demo_app.test_request_context():
        plan = db.session.get(Plan, plan_id)
        moved = db.session.scalar(select(Placement).where(Placement.plan_id == plan_id,
                                                          Placement.learner_id == candidate_id))
        assert moved.group_id == group_id and moved.locked and moved.attendable_share >= 0.75
        assert candidate_id not in {u.learner_id for u in plan.unplaced}
        assert db.session.get(Group, group_id).locked and db.session.get(Placement, placement_id).locked
        current = planning.build_problem(plan.provider, plan.term, base_plan=plan)["current"]
        kept = next(entry for entry in current["groups"] if entry["id"] == db.session.get(Group, group_id).key)
        assert kept["locked"] and f"L{candidate_id}" in current["locked"]


def test_a_rerun_keeps_what_is_locked(demo_app, staff, login):
    client = in_english(login(staff))
    with demo_app.test_request_context():
        provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
        term = planning.current_term(provider)
        first = jobs.execute_run(jobs.create_run(provider, term, planning.build_problem(provider, term),
                                                 time_limit=1).id)
        assert first.status == "done", first.error
        plan = planning.draft_plan(provider, term)
        suggestions = first.solution.get("what_if") or []
        kept = plan.groups[0]
        kept.locked = True
        db.session.commit()
        key, members, plan_id = kept.key, sorted(p.learner_id for p in kept.placements), plan.id
    if any(entry["learners"] for entry in suggestions):  # the optimizer's unused slots are shown
        assert 'id="suggestions"' in client.get(f"/provider/plans/{plan_id}").get_data(as_text=True)
    response = client.post("/provider/plan", data={"base": "draft", "time_limit": "1"})
    run_id = int(response.location.rsplit("/", 1)[1])
    with demo_app.test_request_context():
        run = jobs.wait(run_id, timeout=90)
        assert run.status == "done", run.error
    status = client.get(f"/provider/runs/{run_id}/status").get_json()
    assert status["status"] == "done" and status["review_url"]
    with demo_app.test_request_context():
        draft = db.session.scalar(select(Plan).where(Plan.solve_run_id == run_id))
        again = next(g for g in draft.groups if g.key == key)
        assert sorted(p.learner_id for p in again.placements) == members and again.locked


def test_what_if_solves_a_copy_and_leaves_the_draft_alone(demo_app, staff, login):
    plan_id = _draft(demo_app)
    client = in_english(login(staff))
    refused = client.post("/provider/what-if", data={"kind": "venue_day", "venue": "nowhere", "day": "sat",
                                                     "from": "09:00", "to": "16:00"}, follow_redirects=True)
    assert "venue" in refused.get_data(as_text=True)
    response = client.post("/provider/what-if", data={"kind": "slot", "day": "sat", "start": "11:00",
                                                      "time_limit": "1"})
    run_id = int(response.location.rsplit("/", 1)[1])
    with demo_app.test_request_context():
        run = jobs.wait(run_id, timeout=90)
        assert run.status == "done", run.error
        assert {"day": "sat", "start": "11:00"} in run.problem["slots"]
        provider = db.session.get(Provider, run.provider_id)
        assert planning.draft_plan(provider, planning.current_term(provider)).id == plan_id
        placed = sum(len(group["learners"]) for group in run.solution["groups"])  # a head count
    page = client.get(f"/provider/runs/{run_id}").get_data(as_text=True)
    assert f"With this change {placed} learners could be placed" in page


def test_what_if_documents_add_one_thing(demo_app):
    with demo_app.test_request_context():
        provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
        problem = planning.build_problem(provider, planning.current_term(provider))
        teacher = planning.what_if_problem(problem, {"kind": "teacher", "level": "B1", "home": "finnsnes"})
        assert len(teacher["teachers"]) == len(problem["teachers"]) + 1 and teacher["teachers"][-1]["levels"] == ["B1"]
        venue = problem["venues"][0]["id"]
        saturday = planning.what_if_problem(problem, {"kind": "venue_day", "venue": venue, "day": "sat",
                                                      "from": "09:00", "to": "16:00"})
        assert saturday["venues"][0]["open"][-1] == {"days": ["sat"], "from": "09:00", "to": "16:00"}
        assert problem["venues"][0]["open"] != saturday["venues"][0]["open"]  # the original is untouched


def test_publish_and_cancel_one_session_from_the_pages(demo_app, staff, login):
    plan_id = _draft(demo_app)
    client = in_english(login(staff))
    assert client.post(f"/provider/plans/{plan_id}/publish", data={"confirm": "1"}).status_code == 302
    with demo_app.test_request_context():
        plan = db.session.get(Plan, plan_id)
        assert plan.status == "published"
        group = plan.groups[0]
        group_id = group.id
    sessions = client.get(f"/provider/groups/{group_id}/sessions").get_data(as_text=True)
    day = _first_date(sessions)
    response = client.post(f"/provider/groups/{group_id}/sessions", data={"date": day, "kind": "cancelled",
                                                                          "reason": "Storm"}, follow_redirects=True)
    assert "Storm" in response.get_data(as_text=True)
    bad = client.post(f"/provider/groups/{group_id}/sessions", data={"date": day, "kind": "moved", "reason": "Room",
                                                                     "new_start": "20:00", "new_end": "19:00"},
                      follow_redirects=True)
    assert "new time" in bad.get_data(as_text=True)
    with demo_app.test_request_context():
        change = db.session.scalar(select(SessionChange).where(SessionChange.group_id == group_id))
        assert (change.kind, change.reason, change.occurrence_date.isoformat()) == ("cancelled", "Storm", day)


def test_staff_choose_a_cancellation_reason_from_a_translated_list(demo_app, staff, login):
    plan_id = _draft(demo_app)
    client = in_english(login(staff))
    client.post(f"/provider/plans/{plan_id}/publish", data={"confirm": "1"})
    with demo_app.test_request_context():
        group_id = db.session.get(Plan, plan_id).groups[0].id
    page = client.get(f"/provider/groups/{group_id}/sessions").get_data(as_text=True)
    assert '<select name="reason_code" required>' in page and '<option value="teacher_ill">The teacher is ill.' in page
    day = _first_date(page)
    shown = client.post(f"/provider/groups/{group_id}/sessions", data={"date": day, "kind": "cancelled",
                                                                       "reason_code": "weather"},
                        follow_redirects=True).get_data(as_text=True)
    assert "cancelled: Bad weather or closed roads." in shown
    with demo_app.test_request_context():
        change = db.session.scalar(select(SessionChange).where(SessionChange.group_id == group_id))
        assert (change.reason_code, change.reason) == ("weather", "")


def _first_date(page: str) -> str:
    marker = 'name="date" value="'
    start = page.index(marker) + len(marker)
    return page[start:start + 10]


def test_export_the_problem_and_import_a_solution(demo_app, staff, login):
    client = in_english(login(staff))
    problem = client.get("/provider/problem.json").get_json()
    assert problem["format"] == "nortime.problem/1"
    upload = {"solution": (io.BytesIO(json.dumps(hand_solution(problem)).encode()), "solution.json")}
    response = client.post("/provider/solution", data=upload, content_type="multipart/form-data")
    assert "/provider/plans/" in response.location
    garbage = {"solution": (io.BytesIO(b"not json"), "solution.json")}
    page = client.post("/provider/solution", data=garbage, content_type="multipart/form-data",
                       follow_redirects=True).get_data(as_text=True)
    assert "not a solution" in page
    with demo_app.test_request_context():
        draft = db.session.scalar(select(Plan).where(Plan.status == "draft"))
        assert {g.key for g in draft.groups} == {g["id"] for g in hand_solution(problem)["groups"]}
        assert db.session.scalar(select(Learner).where(Learner.id == draft.groups[0].placements[0].learner_id))
