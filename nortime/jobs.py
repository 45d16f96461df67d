"""Background solve runs: queue a SolveRun, run the optimizer elsewhere, report progress, notice dead workers.

Two back ends, chosen by configuration:
- default: a worker process the app starts itself (multiprocessing "forkserver":
  a clean server process with the app and the optimizer imported once, forked
  for each run), so nothing else needs installing; `job_id` is "local:<pid>";
- with REDIS_URL (NORTIME_REDIS_URL) set: an RQ queue named "nortime", run by
  `rq worker nortime` processes on any machine that has the same NORTIME_*
  environment; `job_id` is "rq:<job id>".

Message delivery (outbox.py) uses the same two back ends: `start_delivery()`
after a commit that queued messages starts a local delivery process (one per
app process, while messages wait) or enqueues an RQ job; see "delivering
messages" below.

Either way the worker writes progress into the SolveRun row through its own
database connection, at least every HEARTBEAT_SECONDS. A run whose worker died
(process gone, RQ job failed, or no heartbeat for SOLVER_STALE_SECONDS) is marked
failed by `refresh`; the published plan is never touched by a run.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import multiprocessing
import os
import socket
import threading
import time
from collections.abc import Mapping

from flask import current_app
from sqlalchemy import select, update

from .db import db
from .models import Provider, SolveRun, Term, utcnow

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 1.0
ACTIVE = ("queued", "running")
QUEUE_NAME = "nortime"
# A problem document may carry the app's own notes (e.g. a what-if's baseline) under this key; the solver never sees it.
APP_KEY = "nortime"
# Configuration a spawned worker needs to reach the same database and behave alike.
WORKER_CONFIG_KEYS = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "TESTING", "SOLVER_WORKERS", "SOLVER_TIME_LIMIT",
                      "SOLVER_STALE_SECONDS", "MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USERNAME",
                      "MAIL_PASSWORD", "MAIL_SENDER", "MAIL_TIMEOUT", "BASE_URL", "TIMEZONE", "SERVER_NAME",
                      "PREFERRED_URL_SCHEME", "OUTBOX_MAX_ATTEMPTS", "OUTBOX_CONCURRENCY", "SMS_BACKEND", "SMS_SENDER", "SMS_HTTP_URL",
                      "SMS_HTTP_METHOD", "SMS_HTTP_CONTENT_TYPE", "SMS_HTTP_BODY", "SMS_HTTP_USERNAME",
                      "SMS_HTTP_PASSWORD", "SMS_HTTP_TOKEN", "SMS_HTTP_TIMEOUT")

_processes: dict[int, multiprocessing.process.BaseProcess] = {}


TIME_LIMIT_SECONDS = (1, 3600)


class BadTimeLimit(ValueError):
    """The time limit is not a number of seconds in TIME_LIMIT_SECONDS; the message says so."""


def checked_time_limit(value: object) -> float | None:
    """Seconds the optimizer may use, from a form, JSON or a command: None (the default) or 1–3600.

    Anything else (text, nan, infinity, 0, 1e9) raises BadTimeLimit with a translated message.
    """
    from flask_babel import gettext as _

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    low, high = TIME_LIMIT_SECONDS
    try:
        seconds = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        seconds = math.nan
    if not low <= seconds <= high:  # also false for nan
        raise BadTimeLimit(_("time limit: give a number of seconds from %(low)d to %(high)d.", low=low, high=high))
    return seconds


class RunBusy(RuntimeError):
    """Another plan is being worked out for this provider; the message says which."""

    def __init__(self, run: SolveRun):
        super().__init__(f"solve run {run.id} for this provider is still {run.status}")
        self.run = run


# --- starting -------------------------------------------------------------------------


def active_run(provider: Provider, purpose: str | None = "plan") -> SolveRun | None:
    """The provider's run (of this purpose; None: any) still queued or running, after noticing dead workers."""
    query = select(SolveRun).where(SolveRun.provider_id == provider.id, SolveRun.status.in_(ACTIVE))
    if purpose is not None:
        query = query.where(SolveRun.purpose == purpose)
    for run in db.session.scalars(query.order_by(SolveRun.id)).all():
        if refresh(run).status in ACTIVE:
            return run
    return None


def create_run(provider: Provider, term: Term, problem: Mapping, *, purpose: str = "plan",
               time_limit: float | None = None, user_id: int | None = None) -> SolveRun:
    """A queued SolveRun (committed); RunBusy while another run of this provider is active,
    BadTimeLimit when `time_limit` is not 1–3600 seconds (None: SOLVER_TIME_LIMIT).

    One run per provider at a time: a second plan would race the first for the draft, and a
    what-if beside a plan would halve the optimizer's time on a small machine.
    """
    time_limit = checked_time_limit(time_limit)
    busy = active_run(provider, None)
    if busy is not None:
        raise RunBusy(busy)
    run = SolveRun(provider_id=provider.id, term_id=term.id, status="queued", purpose=purpose,
                   time_limit=float(time_limit or current_app.config["SOLVER_TIME_LIMIT"]),
                   problem=dict(problem), created_by_id=user_id, progress={})
    db.session.add(run)
    db.session.commit()
    return run


def start_run(provider: Provider, term: Term, problem: Mapping, **options) -> SolveRun:
    """Create a run and hand it to the configured back end."""
    run = create_run(provider, term, problem, **options)
    try:
        run.job_id = enqueue(run.id)
    except Exception as error:  # Redis down, cannot spawn: say so on the run, keep nothing half-started
        log.exception("could not start solve run %s", run.id)
        fail(run, f"the background worker could not be started: {error}")
        return run
    db.session.commit()
    return run


def run_here(run_id: int) -> SolveRun | None:
    """Run a queued run in this process (a command such as `flask plan`), watched like a worker's.

    The run carries this process's host and id ("cli:<host>:<pid>"), so that when the
    command dies (even by SIGKILL) `refresh` on this host sees the process gone, and
    any host sees the heartbeat stop; then the run is failed and blocks nothing.
    """
    run = db.session.get(SolveRun, run_id)
    if run is not None and run.status == "queued" and not run.job_id:
        run.job_id = f"cli:{socket.gethostname()}:{os.getpid()}"
        db.session.commit()
    return execute_run(run_id)


def worker_config(app=None) -> dict:
    config = (app or current_app).config
    return {key: config[key] for key in WORKER_CONFIG_KEYS if key in config} | {"CHECK_DATABASE_ON_START": False}


def enqueue(run_id: int) -> str:
    """Hand the run to RQ when REDIS_URL is set, else to a freshly spawned local process; returns the job id."""
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        from redis import Redis
        from rq import Queue

        run = db.session.get(SolveRun, run_id)
        queue = Queue(QUEUE_NAME, connection=Redis.from_url(redis_url))
        job = queue.enqueue(rq_job, run_id, job_timeout=int(run.time_limit) + 600, result_ttl=86400,
                            failure_ttl=7 * 86400)
        return f"rq:{job.id}"
    process = _local_context().Process(
        target=local_job, args=(worker_config(), run_id), name=f"nortime-solve-{run_id}", daemon=False)
    process.start()
    _processes[run_id] = process
    return f"local:{process.pid}"


def _local_context():
    """Forkserver: forking a clean single-threaded server is safe, and it imports the heavy modules only once.

    Reading a roster file runs in such a helper too (learners/roster_import.py), so both preload the same list.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["nortime", "nortime.jobs", "solver", "nortime.learners.roster_import",
                                    "icalendar", "dateutil.rrule"])
    return context


# --- running (inside the worker) ------------------------------------------------------------


def local_job(config: dict, run_id: int) -> None:
    """Entry point of the spawned worker process."""
    from . import create_app

    app = create_app(config)
    with app.app_context():
        execute_run(run_id)


def rq_job(run_id: int) -> None:
    """Entry point of an RQ job: the app comes from the worker's NORTIME_* environment."""
    from flask import has_app_context

    if has_app_context():  # a worker started inside an app (tests, `flask rq-worker`)
        execute_run(run_id)
        return
    from . import create_app

    app = create_app({"CHECK_DATABASE_ON_START": False})
    with app.app_context():
        execute_run(run_id)


def solve_problem(problem: dict, *, time_limit: float, workers: int, on_progress) -> dict:
    """The boundary to the optimizer (a separate library)."""
    from solver import solve

    problem = {key: value for key, value in problem.items() if key != APP_KEY}
    return solve(problem, time_limit=time_limit, workers=workers, seed=1, on_progress=on_progress)


class ProgressWriter:
    """Writes the latest progress into the run's row from any thread, plus a heartbeat while the solve runs."""

    def __init__(self, run_id: int, started: float):
        self.run_id = run_id
        self.started = started
        self.engine = db.engine  # thread-safe; the solver calls back from its own threads
        self.latest: dict = {"pid": os.getpid(), "placed": None, "bound": None, "phase": "building"}
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.last_write = 0.0
        self.thread = threading.Thread(target=self._beat, name=f"nortime-heartbeat-{run_id}", daemon=True)

    def __enter__(self):
        self.write()
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join(timeout=5)

    def report(self, *args, **kwargs) -> None:
        """The solver's on_progress: accepts a dict, keyword arguments or an object with attributes."""
        update_ = normalise_progress(*args, **kwargs)
        with self.lock:
            self.latest.update({k: v for k, v in update_.items() if v is not None})
            if update_.get("placed") is not None or update_.get("bound") is not None:
                self.latest["phase"] = "solving"  # the model is built: the solver reports its best so far
        if time.monotonic() - self.last_write >= 0.3:
            self.write()

    def write(self) -> None:
        with self.lock:
            progress = dict(self.latest, elapsed=round(time.monotonic() - self.started, 1),
                            updated=utcnow().isoformat(timespec="seconds"))
            self.last_write = time.monotonic()
        try:
            with self.engine.begin() as connection:
                connection.execute(update(SolveRun).where(SolveRun.id == self.run_id,
                                                          SolveRun.status == "running").values(progress=progress))
        except Exception:  # a progress write must never stop the solve
            log.exception("could not write progress of run %s", self.run_id)

    def _beat(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            self.write()


def normalise_progress(*args, **kwargs) -> dict:
    source = args[0] if args else kwargs
    if not isinstance(source, Mapping):
        source = {key: getattr(source, key) for key in dir(source) if not key.startswith("_")}

    def first(*names):
        for name in names:
            value = source.get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return value
        return None

    return {"placed": first("placed", "objective_placed"), "bound": first("bound", "placed_bound"),
            "solver_elapsed": first("elapsed", "seconds", "wall_time")}


def execute_run(run_id: int) -> SolveRun | None:
    """Run one queued solve to the end, in this process; the run ends done (draft plan written) or failed."""
    from .services.planning import apply_solution

    run = db.session.get(SolveRun, run_id)
    if run is None or run.status != "queued":
        return run
    run.status, run.started_at = "running", utcnow()
    run.progress = {"pid": os.getpid(), "elapsed": 0, "phase": "building"}
    db.session.commit()
    started = time.monotonic()
    try:
        with ProgressWriter(run_id, started) as writer:
            solution = solve_problem(dict(run.problem), time_limit=run.time_limit,
                                     workers=int(current_app.config["SOLVER_WORKERS"]), on_progress=writer.report)
    except Exception as error:
        log.exception("solve run %s failed", run_id)
        db.session.rollback()
        return fail(db.session.get(SolveRun, run_id), f"the optimizer stopped with an error: {error}")
    db.session.expire_all()
    run = db.session.get(SolveRun, run_id)
    if run.status != "running":  # marked failed meanwhile (e.g. judged dead); keep that verdict
        return run
    run.solution = solution
    run.progress = dict(run.progress or {}, elapsed=round(time.monotonic() - started, 1),
                        placed=solution.get("placed"), bound=solution.get("placed_bound"))
    run.finished_at = utcnow()
    if solution.get("status") not in ("optimal", "feasible"):
        errors = "; ".join(f"{e.get('path')}: {e.get('message')}" for e in solution.get("errors") or [])
        return fail(run, f"the optimizer found no timetable (status {solution.get('status')})"
                    + (f": {errors}" if errors else ""))
    if run.purpose != "plan":
        run.status = "done"
        db.session.commit()
        return run
    run.progress = dict(run.progress, phase="saving")
    db.session.commit()  # the progress page shows "saving" while the draft is written
    run.status = "done"
    try:
        apply_solution(run)  # commits the run and the draft together
    except Exception as error:
        log.exception("could not apply the solution of run %s", run_id)
        db.session.rollback()
        return fail(db.session.get(SolveRun, run_id), f"the solution could not be saved as a draft: {error}")
    return run


def fail(run: SolveRun, message: str) -> SolveRun:
    run.status, run.error = "failed", message
    run.finished_at = run.finished_at or utcnow()
    db.session.commit()
    return run


# --- watching (in the web app) ----------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _rq_verdict(job_id: str) -> str | None:
    """Why an RQ job will never finish the run, or None while it may still."""
    from redis import Redis
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        job = Job.fetch(job_id, connection=Redis.from_url(current_app.config["REDIS_URL"]))
    except NoSuchJobError:
        return "the queued job has disappeared from Redis"
    status = job.get_status(refresh=True)
    status = getattr(status, "value", status)
    if status in ("failed", "stopped", "canceled"):
        result = job.latest_result()
        detail = (getattr(result, "exc_string", None) or job.exc_info or "").strip().splitlines()
        return f"the worker {status} the job" + (f": {detail[-1]}" if detail else "")
    return None


def refresh(run: SolveRun) -> SolveRun:
    """Mark an active run failed when its worker is gone; otherwise leave it as it is."""
    if run.status not in ACTIVE:
        return run
    if not run.job_id:  # never handed to anyone: its starter died before it could
        stale = float(current_app.config.get("SOLVER_STALE_SECONDS", 60))
        if run.created_at is not None and (utcnow() - run.created_at).total_seconds() > stale:
            fail(run, f"it was never started within {stale:g} seconds; the published plan is unchanged")
        return run
    kind, _, ident = run.job_id.partition(":")
    verdict = None
    if kind == "local":
        process = _processes.get(run.id)
        if process is not None:
            if not process.is_alive():
                _processes.pop(run.id, None)
                db.session.refresh(run)  # it may have finished properly just now
                if run.status in ACTIVE:
                    verdict = f"the worker process ended (exit code {process.exitcode}) before the solve finished"
        elif ident.isdecimal() and not _pid_alive(int(ident)):
            verdict = "the worker process is gone"
    elif kind == "cli":
        host, _, pid = ident.rpartition(":")
        if host == socket.gethostname() and pid.isdecimal() and not _pid_alive(int(pid)):
            db.session.refresh(run)  # it may have finished properly just now
            if run.status in ACTIVE:
                verdict = "the command that ran it is gone"
    elif kind == "rq" and current_app.config.get("REDIS_URL"):
        verdict = _rq_verdict(ident)
        if verdict is not None:
            db.session.refresh(run)
            if run.status not in ACTIVE:
                verdict = None
    if verdict is None and run.status == "running":
        stale = float(current_app.config.get("SOLVER_STALE_SECONDS", 60))
        updated = (run.progress or {}).get("updated")
        last = dt.datetime.fromisoformat(updated) if updated else run.started_at
        if last is not None and (utcnow() - last).total_seconds() > stale:
            verdict = f"no sign of life from the worker for more than {stale:g} seconds"
    if verdict is not None:
        fail(run, verdict + "; the published plan is unchanged")
    return run


def run_status(run: SolveRun) -> dict:
    """What the progress page shows, as JSON-ready values."""
    refresh(run)
    progress = run.progress or {}
    elapsed = progress.get("elapsed") or 0
    if run.status == "running" and run.started_at is not None:
        elapsed = max(elapsed, (utcnow() - run.started_at).total_seconds())
    elif run.started_at is not None and run.finished_at is not None:
        elapsed = (run.finished_at - run.started_at).total_seconds()
    from .services.run_figures import head_count, weighted_total

    phase = {"queued": "waiting", "running": progress.get("phase") or "building"}.get(run.status, run.status)
    # "placed" and "bound" are the solver's priority-weighted value; "placed_learners" is the head count.
    return {"id": run.id, "status": run.status, "purpose": run.purpose, "elapsed": round(elapsed, 1),
            "time_limit": run.time_limit, "placed": progress.get("placed"), "bound": progress.get("bound"),
            "phase": phase, "weighted_total": weighted_total(run.problem),
            "placed_learners": head_count(run.solution) if run.status == "done" else None,
            "learners": len((run.problem or {}).get("learners", [])),
            "fraction": 1.0 if run.status in ("done", "failed") else min(1.0, elapsed / run.time_limit),
            "error": run.error}


def wait(run_id: int, timeout: float, poll: float = 0.2) -> SolveRun:
    """Block until the run is no longer active or `timeout` seconds passed (CLI and tests)."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        run = refresh(db.session.get(SolveRun, run_id))
        if run.status not in ACTIVE or time.monotonic() > deadline:
            return run
        time.sleep(poll)


# --- delivering messages (outbox.py) ----------------------------------------------------------

DELIVERY_POLL_SECONDS = 1.0
RETRY_JOB_ID = "nortime-outbox-retry"
DELIVERY_IDLE_SECONDS = 10.0  # a local delivery process ends after this long with nothing waiting
_delivery: dict[str, multiprocessing.process.BaseProcess] = {}


def start_delivery() -> str | None:
    """Have the queued messages delivered: an RQ job with REDIS_URL, else this app process's delivery process.

    Off when OUTBOX_WORKER is False, and by default under TESTING (tests call outbox.deliver_due
    themselves). Returns the job id.
    """
    config = current_app.config
    wanted = config.get("OUTBOX_WORKER")
    if wanted is False or (wanted is None and config.get("TESTING")):
        return None
    if config.get("REDIS_URL"):
        from redis import Redis
        from rq import Queue

        queue = Queue(QUEUE_NAME, connection=Redis.from_url(config["REDIS_URL"]))
        return "rq:" + queue.enqueue(rq_delivery_job, job_timeout=600, result_ttl=600).id
    process = _delivery.get("local")
    if process is not None and process.is_alive():
        return f"local:{process.pid}"
    process = _local_context().Process(target=local_delivery, args=(worker_config(),),
                                       name="nortime-outbox", daemon=True)
    process.start()
    _delivery["local"] = process
    return f"local:{process.pid}"


def deliver_until_idle(idle_seconds: float = DELIVERY_IDLE_SECONDS) -> None:
    """Deliver what is due, wait for what is not yet (retries, quiet hours), stop when nothing is queued for a while."""
    from .outbox import deliver_due, next_due

    idle_since = time.monotonic()
    while True:
        deliver_due()
        db.session.expire_all()
        due = next_due()
        if due is None:
            if time.monotonic() - idle_since > idle_seconds:
                return
        else:
            idle_since = time.monotonic()
        time.sleep(DELIVERY_POLL_SECONDS)


def local_delivery(config: dict) -> None:
    """Entry point of the local delivery process."""
    from . import create_app

    app = create_app(config)
    with app.app_context():
        deliver_until_idle()


def rq_delivery_job() -> None:
    """An RQ job: deliver what is due; when messages wait for later, schedule the next run at that time.

    Run the workers with `rq worker --with-scheduler nortime` so that the scheduled runs start.
    """
    from flask import has_app_context

    if not has_app_context():
        from . import create_app

        with create_app({"CHECK_DATABASE_ON_START": False}).app_context():
            return rq_delivery_job()
    from redis import Redis
    from rq import Queue

    from .outbox import deliver_due, next_due

    deliver_due()
    due = next_due()
    if due is not None:
        queue = Queue(QUEUE_NAME, connection=Redis.from_url(current_app.config["REDIS_URL"]))
        # One scheduled run at a time: the same job id replaces an earlier schedule instead of adding one.
        queue.enqueue_at(due.replace(tzinfo=dt.timezone.utc), rq_delivery_job, job_id=RETRY_JOB_ID,
                         job_timeout=600, result_ttl=600)
