"""Benchmark: page loads under 50 concurrent connections, served by gunicorn as `make run` starts it.

Builds the Midt-Troms demo in a temporary SQLite database (`db upgrade`, `demo`,
then a hand-made published plan per provider instead of a solver run, to stay
quick), starts gunicorn (2 workers x 4 threads), logs a provider's staff member
and a coordinator in through the login form, and loads with wrk: the home page,
sign-up, a learner's personal page, the provider's plan review and the
coordinator dashboard. Prints p50/p95/p99 and requests/s per page, one request
alone, and the server's CPU time per request (the figure that other work on a
shared machine disturbs least); asserts nothing. Target (issue 16): p95 <= 150 ms
for the learner pages.

    .venv/bin/python bench/pages.py [--seconds 3] [--connections 50] [--learners 300] [--database URL] [--pages TEXT]
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from counting import publish_hand_plan  # noqa: E402
from feeds import free_port, server_cpu_seconds, start_gunicorn  # noqa: E402

SECRET = "bench-secret-key-0123456789"
PASSWORD = "bench password 1"
# wrk prints p50/p75/p90/p99 only; this asks its latency histogram for p95 too (microseconds).
WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("PAGES %d %d %d %d %d %d %d\\n", latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.requests, summary.duration, summary.errors.status, summary.errors.timeout))
end
"""


def prepare_database(folder: Path, learners: int, database: str | None = None) -> tuple[str, dict]:
    """The demo with published plans and two staff accounts; returns (database URL, addresses and logins).

    With `database`, that database (e.g. `make run`'s, planned by the optimizer) is used as it is; only
    the two staff accounts are added when missing.
    """
    from flask_migrate import upgrade
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from nortime import create_app
    from nortime.db import db
    from nortime.demo import load_demo
    from nortime.models import Learner, Placement, Plan, Provider, User

    url = database or f"sqlite:///{folder / 'bench.sqlite'}"
    os.environ["NORTIME_INSTANCE_PATH"] = str(folder / "instance")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        if database is None:
            upgrade()
            load_demo(learners=learners, seed=1)
            publish_hand_plan(seed=1)
            db.session.commit()
        provider = db.session.scalars(select(Provider).order_by(Provider.id)).first()
        plan = db.session.scalars(select(Plan).where(Plan.provider_id == provider.id,
                                                     Plan.status == "published")).one()
        learner = db.session.scalars(select(Learner).join(Placement, Placement.learner_id == Learner.id)
                                     .where(Placement.plan_id == plan.id).order_by(Learner.id)).first()
        staff = {"provider": "staff@bench.example", "coordinator": "coordinator@bench.example"}
        known = set(db.session.scalars(select(User.email).where(User.email.in_(staff.values()))))
        db.session.add_all([user for user in (
            User(email=staff["provider"], name="Staff", password_hash=generate_password_hash(PASSWORD),
                 role="provider_staff", provider_id=provider.id),
            User(email=staff["coordinator"], name="Coordinator", password_hash=generate_password_hash(PASSWORD),
                 role="coordinator"),
        ) if user.email not in known])
        db.session.commit()
        pages = {"home": ("/", None), "sign-up": ("/signup", None),
                 "personal page": (f"/me/{learner.access_token}", None),
                 "provider review": (f"/provider/plans/{plan.id}", staff["provider"]),
                 "coordinator dashboard": ("/coordinator/", staff["coordinator"])}
        db.engine.dispose()
    return url, pages


def session_cookie(base: str, email: str) -> str:
    """Log in through the login form (with its CSRF token); returns the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    data = {"email": email, "password": PASSWORD, **({"csrf_token": token.group(1)} if token else {})}
    opener.open(f"{base}/login", urllib.parse.urlencode(data).encode(), timeout=30).read()
    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)
    if "session=" not in cookies:
        raise SystemExit(f"bench/pages.py: could not log in as {email}")
    return cookies


def load(url: str, cookie: str | None, seconds: int, connections: int, script: Path) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", str(script)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    p50, p95, p99, requests, duration, errors, timeouts = map(int, re.search(r"PAGES (.+)", output).group(1).split())
    return {"p50": p50 / 1000, "p95": p95 / 1000, "p99": p99 / 1000, "rate": requests / (duration / 1e6),
            "errors": errors, "timeouts": timeouts}


def single(url: str, cookie: str | None) -> float:
    """Milliseconds for one request alone (after one to warm up)."""
    import time

    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    urllib.request.urlopen(request, timeout=60).read()
    began = time.perf_counter()
    urllib.request.urlopen(request, timeout=60).read()
    return (time.perf_counter() - began) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3, help="load per page (after a 1 s warm-up)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--learners", type=int, default=300, help="demo learners (make run: 300)")
    parser.add_argument("--database", help="use this database as it is (e.g. make run's, planned by the optimizer) "
                                           "instead of building the demo with hand-made plans")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (make run: 4)")
    parser.add_argument("--pages", help="only the pages whose names contain this text (e.g. 'sign')")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench/pages.py: wrk is not installed (apt-get install wrk); skipped")
        return
    folder = Path(tempfile.mkdtemp(prefix="nortime-bench-pages-"))
    server = None
    try:
        database, pages = prepare_database(folder, args.learners, args.database)
        pages = {name: page for name, page in pages.items() if args.pages is None or args.pages in name}
        script = folder / "report.lua"
        script.write_text(WRK_REPORT)
        port = free_port()
        server = start_gunicorn(database, folder, port, threads=args.threads)
        base = f"http://127.0.0.1:{port}"
        cookies = {email: session_cookie(base, email) for _, email in pages.values() if email}
        print(f"{'database ' + args.database if args.database else f'demo with {args.learners} learners'}; gunicorn 2 workers x {args.threads} threads on 127.0.0.1; wrk "
              f"{args.connections} connections, {args.seconds} s per page; {os.cpu_count()} CPUs shared with wrk")
        print(f"{'page':24s} {'req/s':>7s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} {'alone ms':>9s} {'CPU ms/req':>10s}  non-2xx/3xx, timeouts")
        for name, (path, email) in pages.items():
            cookie = cookies.get(email)
            alone = single(base + path, cookie)
            load(base + path, cookie, 1, args.connections, script)  # warm-up: caches, connections
            cpu_before = server_cpu_seconds(server)
            figures = load(base + path, cookie, args.seconds, args.connections, script)
            done = figures["rate"] * args.seconds
            cpu = f"{(server_cpu_seconds(server) - cpu_before) * 1000 / done:10.1f}" if done >= 1 else f"{'n/a':>10s}"
            print(f"{name:24s} {figures['rate']:7.0f} {figures['p50']:8.1f} {figures['p95']:8.1f} "
                  f"{figures['p99']:8.1f} {alone:9.1f} {cpu}  {figures['errors']}, {figures['timeouts']}")
        print(f"load average after: {os.getloadavg()[0]:.1f} (other work on the machine lowers these figures; "
              "a page slower than --seconds shows 0 req/s: give it more seconds)")
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:  # a worker still busy with a slow page
                server.kill()
                server.wait()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
