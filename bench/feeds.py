"""Benchmark: a learner's calendar feed served by gunicorn (2 workers) on 127.0.0.1.

Builds a temporary SQLite database holding a small published plan (the feed
tests' fixture timetable), starts gunicorn, then loads the private learner
feed with wrk (or, without wrk, a Python loader with threads): conditional
GETs answered 304 (If-None-Match) and full GETs. Prints requests/s and p99
latency; asserts nothing. Targets (issue 5): >= 2,000/s conditional,
>= 800/s full, p99 <= 50 ms.

    .venv/bin/python bench/feeds.py [--seconds 10] [--connections 16]
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "feeds"))


def prepare_database(folder: Path) -> tuple[str, str]:
    """A SQLite database with the published fixture plan; returns (database URL, learner feed path)."""
    from feed_fixture import build_timetable

    from nortime import create_app
    from nortime.db import db

    url = f"sqlite:///{folder / 'bench.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret-key-0123456789"})
    with app.app_context():
        db.create_all()
        timetable = build_timetable()
    return url, f"/feeds/l/{timetable.learner_token}.ics"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(url: str, folder: Path, port: int, threads: int) -> subprocess.Popen:
    """gunicorn as `make run` starts it (2 workers, `threads` threads each), without the access log."""
    env = {**os.environ, "NORTIME_DATABASE_URL": url, "NORTIME_SECRET_KEY": "bench-secret-key-0123456789",
           "NORTIME_INSTANCE_PATH": str(folder / "instance")}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                               "--threads", str(threads), "--log-level", "warning", "nortime:create_app()"],
                              cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.terminate()
                raise SystemExit("bench/feeds.py: gunicorn did not start")
            time.sleep(0.2)


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU seconds used so far by gunicorn's master and workers: the cost per request, whatever else runs."""
    import psutil

    master = psutil.Process(server.pid)
    processes = [master, *master.children(recursive=True)]
    return sum(sum(process.cpu_times()[:2]) for process in processes)


def _millis(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def with_wrk(url: str, headers: dict, seconds: int, connections: int) -> tuple[float, float, str]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = _millis(re.search(r"\s99%\s+(\S+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rate, p99, f"non-2xx/3xx: {non_2xx.group(1) if non_2xx else 0}"


def with_threads(url: str, headers: dict, seconds: int, connections: int) -> tuple[float, float, str]:
    """A plain loader: one persistent HTTP/1.1 connection per thread."""
    host, port, path = re.fullmatch(r"http://([^:/]+):(\d+)(/.*)", url).groups()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def load():
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        mine, seen = [], {}
        while time.monotonic() < stop:
            began = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - began)
            seen[response.status] = seen.get(response.status, 0) + 1
        with lock:
            latencies.extend(mine)
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=load) for _ in range(connections)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("nan")
    return len(latencies) / elapsed, p99, f"statuses: {statuses}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (make run: 4)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="nortime-bench-feeds-"))
    server = None
    try:
        database, path = prepare_database(folder)
        port = free_port()
        server = start_gunicorn(database, folder, port, args.threads)
        url = f"http://127.0.0.1:{port}{path}"
        with urllib.request.urlopen(url, timeout=10) as response:
            etag, size = response.headers["ETag"], len(response.read())
        loader, name = (with_wrk, "wrk") if shutil.which("wrk") else (with_threads, "python threads")
        print(f"learner feed: {size} bytes; gunicorn 2 workers x {args.threads} threads on 127.0.0.1; loader: {name}, "
              f"{args.connections} connections, {args.seconds} s each; {os.cpu_count()} CPUs shared with the loader")
        loader(url, {}, 2, args.connections)  # warm-up: every worker builds and caches the feed
        for label, headers in (("conditional GET (If-None-Match -> 304)", {"If-None-Match": etag}),
                               ("full GET (200)", {})):
            cpu_before = server_cpu_seconds(server)
            rate, p99, note = loader(url, headers, args.seconds, args.connections)
            per_request = (server_cpu_seconds(server) - cpu_before) / (rate * args.seconds) * 1000
            print(f"{label:42s} {rate:9.0f} requests/s   p99 {p99:7.1f} ms   "
                  f"server CPU {per_request:.2f} ms/request   {note}")
        print(f"load average after: {os.getloadavg()[0]:.1f} (other work on the machine lowers these figures)")
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)  # quick shutdown: no waiting for idle keep-alive clients
            server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
