"""Background solve runs: in-process, in a spawned worker process, and with RQ; dead workers are noticed."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from nortime import jobs
from nortime.db import db
from nortime.models import Plan, Provider, SolveRun
from nortime.services import planning, publishing
from nortime.services.plans import live_plan

from .conftest import hand_solution

TEST_REDIS_URL = os.environ.get("NORTIME_TEST_REDIS_URL")
SMALL = "mtvo"  # 88 learners in the 120-learner demo; the greedy start alone places most of them


def _provider(slug=SMALL):
    provider = db.session.scalar(select(Provider).where(Provider.slug == slug))
    return provider, planning.current_term(provider)


def _publish_by_hand(provider, term) -> Plan:
    problem = planning.build_problem(provider, term)
    run = SolveRun(provider_id=provider.id, term_id=term.id, status="done", problem=problem,
                   solution=hand_solution(problem, groups=1))
    db.session.add(run)
    db.session.commit()
    return publishing.publish(planning.apply_solution(run), notify=False)


def _wait_until(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting")
        time.sleep(0.2)


def _reload(run_id):
    db.session.expire_all()
    return db.session.get(SolveRun, run_id)


def test_a_run_in_process_reports_progress_and_leaves_a_draft(demo_app, fake_solver):
    with demo_app.app_context():
        provider, term = _provider()
        run = jobs.create_run(provider, term, planning.build_problem(provider, term), time_limit=1)
        run = jobs.execute_run(run.id)
        assert run.status == "done" and run.error is None
        assert run.progress["placed"] == run.solution["placed"]
        draft = planning.draft_plan(provider, term)
        assert draft.solve_run_id == run.id
        assert len(draft.groups) == len(run.solution["groups"])
        assert jobs.run_status(run)["fraction"] == 1.0


def test_an_optimizer_error_fails_the_run_with_its_message(demo_app, monkeypatch):
    def broken(problem, **options):
        raise MemoryError("out of memory")

    monkeypatch.setattr(jobs, "solve_problem", broken)
    with demo_app.app_context():
        provider, term = _provider()
        run = jobs.execute_run(jobs.create_run(provider, term, planning.build_problem(provider, term)).id)
        assert run.status == "failed" and "out of memory" in run.error
        assert planning.draft_plan(provider, term) is None


def test_a_second_run_for_the_same_provider_is_refused_while_one_runs(demo_app):
    with demo_app.app_context():
        provider, term = _provider()
        first = jobs.create_run(provider, term, planning.build_problem(provider, term))
        with pytest.raises(jobs.RunBusy) as refused:
            jobs.create_run(provider, term, planning.build_problem(provider, term))
        assert refused.value.run.id == first.id
        with pytest.raises(jobs.RunBusy):
            jobs.create_run(provider, term, planning.build_problem(provider, term), purpose="what-if")
        other, other_term = _provider("fu-nord")
        assert jobs.create_run(other, other_term, planning.build_problem(other, other_term)).status == "queued"


def test_the_spawned_worker_solves_for_real_and_writes_the_draft(demo_app):
    with demo_app.app_context():
        provider, term = _provider()
        run = jobs.start_run(provider, term, planning.build_problem(provider, term), time_limit=1)
        assert run.job_id.startswith("local:")
        run = jobs.wait(run.id, timeout=90)
        assert run.status == "done", run.error
        assert run.solution["status"] in ("optimal", "feasible")
        assert run.progress.get("pid") not in (None, os.getpid())
        draft = planning.draft_plan(provider, term)
        placed = sum(len(group.placements) for group in draft.groups)
        assert placed == sum(len(group["learners"]) for group in run.solution["groups"]) > 0


def test_a_killed_worker_fails_the_run_and_leaves_the_published_plan(demo_app):
    with demo_app.app_context():
        provider, term = _provider()
        published = _publish_by_hand(provider, term)
        run = jobs.start_run(provider, term, planning.build_problem(provider, term), time_limit=60)
        _wait_until(lambda: (_reload(run.id).progress or {}).get("pid"))
        os.kill(_reload(run.id).progress["pid"], signal.SIGKILL)
        run = jobs.wait(run.id, timeout=30)
        assert run.status == "failed"
        assert "published plan is unchanged" in run.error
        assert live_plan(provider, term).id == published.id
        assert planning.draft_plan(provider, term) is None
        # And the provider may plan again at once.
        assert jobs.active_run(provider) is None


def test_a_run_without_heartbeat_is_judged_dead(demo_app):
    with demo_app.app_context():
        demo_app.config["SOLVER_STALE_SECONDS"] = 5
        provider, term = _provider()
        run = jobs.create_run(provider, term, planning.build_problem(provider, term))
        run.status, run.job_id = "running", "rq:gone-elsewhere"
        run.started_at = run.created_at.replace(year=run.created_at.year - 1)
        db.session.commit()
        assert jobs.refresh(run).status == "failed"
        assert "no sign of life" in run.error


needs_redis = pytest.mark.skipif(not TEST_REDIS_URL, reason="NORTIME_TEST_REDIS_URL is not set")


@pytest.fixture
def rq_app(demo_app):
    from redis import Redis

    demo_app.config["REDIS_URL"] = TEST_REDIS_URL
    redis = Redis.from_url(TEST_REDIS_URL)
    redis.flushdb()
    yield demo_app
    redis.flushdb()


@needs_redis
def test_with_redis_the_run_is_queued_and_an_rq_worker_solves_it(rq_app):
    from redis import Redis
    from rq import Queue, SimpleWorker

    with rq_app.app_context():
        provider, term = _provider()
        run = jobs.start_run(provider, term, planning.build_problem(provider, term), time_limit=1)
        assert run.job_id.startswith("rq:") and run.status == "queued"
        queue = Queue(jobs.QUEUE_NAME, connection=Redis.from_url(TEST_REDIS_URL))
        assert queue.count == 1
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        run = _reload(run.id)
        assert run.status == "done", run.error
        assert planning.draft_plan(provider, term).solve_run_id == run.id


@needs_redis
def test_with_redis_a_killed_work_horse_fails_the_run(rq_app, tmp_path):
    with rq_app.app_context():
        provider, term = _provider()
        published = _publish_by_hand(provider, term)
        run = jobs.start_run(provider, term, planning.build_problem(provider, term), time_limit=60)
        environment = dict(os.environ, NORTIME_DATABASE_URL=rq_app.config["SQLALCHEMY_DATABASE_URI"],
                           NORTIME_SECRET_KEY=rq_app.config["SECRET_KEY"],
                           NORTIME_INSTANCE_PATH=str(tmp_path / "instance"))
        worker = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "rq"), "worker", "--burst",
                                   "--url", TEST_REDIS_URL, jobs.QUEUE_NAME], env=environment,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_until(lambda: (_reload(run.id).progress or {}).get("pid"))
            os.kill(_reload(run.id).progress["pid"], signal.SIGKILL)
            worker.wait(timeout=60)
        finally:
            if worker.poll() is None:
                worker.kill()
        run = jobs.wait(run.id, timeout=10)
        assert run.status == "failed", run.progress
        assert "published plan is unchanged" in run.error
        assert live_plan(provider, term).id == published.id
        assert db.session.scalar(select(func.count()).select_from(Plan).where(Plan.status == "draft")) == 0


def test_the_plan_button_refuses_a_second_run_with_a_message(demo_app, staff, login):
    from .conftest import in_english

    client = in_english(login(staff))
    with demo_app.app_context():
        provider, term = _provider()
        first = jobs.create_run(provider, term, planning.build_problem(provider, term))
        first_id = first.id
    response = client.post("/provider/plan", data={"time_limit": "1"})
    assert response.location.endswith(f"/provider/runs/{first_id}")
    page = client.get(response.location).get_data(as_text=True)
    assert "A plan is being worked out already" in page
    assert 'id="run-progress"' in page
    status = client.get(f"/provider/runs/{first_id}/status").get_json()
    assert (status["status"], status["placed"], status["review_url"]) == ("queued", None, None)
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SolveRun)) == 1


def test_a_plan_command_killed_by_sigkill_fails_its_run_and_blocks_nothing(demo_app, tmp_path):
    with demo_app.app_context():
        provider, term = _provider()
        provider_id = provider.id
    environment = dict(os.environ, NORTIME_DATABASE_URL=demo_app.config["SQLALCHEMY_DATABASE_URI"],
                       NORTIME_SECRET_KEY=demo_app.config["SECRET_KEY"],
                       NORTIME_INSTANCE_PATH=str(tmp_path / "instance"))
    command = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "flask"), "--app", "nortime", "plan",
                                "--provider", SMALL, "--time-limit", "600"], env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with demo_app.app_context():
            def running():
                db.session.expire_all()
                run = db.session.scalar(select(SolveRun).where(SolveRun.provider_id == provider_id))
                return run is not None and run.status == "running" and (run.progress or {}).get("updated")
            _wait_until(running, timeout=120)
            run = db.session.scalar(select(SolveRun).where(SolveRun.provider_id == provider_id))
            assert run.job_id.startswith("cli:") and run.progress["pid"] == command.pid
        command.send_signal(signal.SIGKILL)
        command.wait(timeout=30)  # reaped: its process id is free again
    finally:
        if command.poll() is None:
            command.kill()
            command.wait()
    with demo_app.app_context():
        provider, term = _provider()
        assert jobs.active_run(provider, None) is None
        run = _reload(run.id)
        assert run.status == "failed" and "command that ran it is gone" in run.error
        assert jobs.create_run(provider, term, planning.build_problem(provider, term)).status == "queued"


def test_a_run_never_handed_to_a_worker_is_failed_after_a_while(demo_app):
    with demo_app.app_context():
        demo_app.config["SOLVER_STALE_SECONDS"] = 5
        provider, term = _provider()
        run = jobs.create_run(provider, term, planning.build_problem(provider, term))
        assert jobs.refresh(run).status == "queued"  # its starter may still hand it on
        run.created_at = run.created_at.replace(year=run.created_at.year - 1)
        db.session.commit()
        assert jobs.active_run(provider, None) is None
        assert _reload(run.id).status == "failed"
