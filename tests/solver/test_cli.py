"""python -m solver: exit codes and what is written where."""

import json
import subprocess
import sys
from pathlib import Path

import checker
from optimizer_cases import base_problem, learner

ROOT = Path(__file__).resolve().parents[2]


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "solver", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, input=stdin, timeout=120)


def test_solves_a_problem_file(tmp_path):
    problem = base_problem([learner(f"L{i}") for i in range(4)])
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem))
    done = run(path, "--time-limit", 3, "--workers", 2, "--seed", 1)
    assert done.returncode == 0, done.stderr
    solution = json.loads(done.stdout)
    assert solution["format"] == "nortime.solution/1" and solution["placed"] == 4
    checker.assert_valid(problem, solution)


def test_invalid_problem_exits_2_and_still_writes_the_document(tmp_path):
    problem = base_problem([learner("L0", level=7)])
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem))
    done = run(path, "--time-limit", 1)
    assert done.returncode == 2
    solution = json.loads(done.stdout)
    assert solution["status"] == "invalid_input"
    assert any(e["path"].startswith("learners[0].level") for e in solution["errors"])


def test_missing_file_is_one_line_not_a_traceback(tmp_path):
    done = run(tmp_path / "nope.json")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_non_json_file_is_one_line_not_a_traceback(tmp_path):
    path = tmp_path / "problem.json"
    path.write_text("{not json")
    done = run(path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "not a JSON document" in done.stderr
