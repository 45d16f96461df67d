"""Every command README.md shows exists and runs as written."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_shows_the_two_commands():
    assert "make run" in README and "make test" in README


@pytest.mark.parametrize("target", ["run", "test", "bench"])
def test_make_targets_exist(target):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    result = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_every_flask_command_in_the_readme_is_registered(app):
    commands = set(re.findall(r"flask --app nortime ([a-z][a-z-]*)", README))
    assert {"db", "demo"} <= commands
    for command in commands:
        assert command in app.cli.commands or command == "db", command


def test_every_flask_command_in_the_readme_answers_help(app):
    import click

    runner = app.test_cli_runner()
    for line in re.findall(r"flask --app nortime ([^#\n]+)", README):
        words = line.split()
        if words[0] == "db":
            continue
        path, command = [words[0]], app.cli.commands[words[0]]
        if isinstance(command, click.Group):
            path.append(words[1])
        result = runner.invoke(args=[*path, "--help"])
        assert result.exit_code == 0, (line, result.output)
        # Every option the README shows exists on that command.
        for option in (word for word in words if word.startswith("--")):
            assert option in result.output, (line, option)


def test_solver_command_line_in_the_readme_answers_help():
    assert "python -m solver PROBLEM.json" in README
    result = subprocess.run([sys.executable, "-m", "solver", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "PROBLEM" in result.stdout.upper()
