"""The app factory: configuration order, the secret key, and clear start-up errors."""
import os
import stat
import subprocess
import sys

import pytest

from nortime import create_app


@pytest.fixture
def instance(tmp_path, monkeypatch):
    folder = tmp_path / "instance"
    folder.mkdir()
    monkeypatch.setenv("NORTIME_INSTANCE_PATH", str(folder))
    for variable in ("NORTIME_DATABASE_URL", "NORTIME_SECRET_KEY", "NORTIME_REDIS_URL"):
        monkeypatch.delenv(variable, raising=False)
    return folder


def test_default_database_is_sqlite_in_instance(instance):
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'nortime.sqlite'}"


def test_config_order_defaults_file_environment_test(instance, monkeypatch):
    (instance / "config.py").write_text(
        "SOLVER_TIME_LIMIT = 12.0\nSOLVER_WORKERS = 3\nMAIL_PORT = 2525\n"
        f"SQLALCHEMY_DATABASE_URI = 'sqlite:///{instance / 'file.sqlite'}'\n"
    )
    monkeypatch.setenv("NORTIME_DATABASE_URL", f"sqlite:///{instance / 'env.sqlite'}")
    app = create_app({"SOLVER_WORKERS": 4})
    assert app.config["SOLVER_TIME_LIMIT"] == 12.0  # from the file
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite")  # environment beats the file
    assert app.config["SOLVER_WORKERS"] == 4  # the test's override beats all


def test_secret_key_is_generated_once_and_kept_private(instance):
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    key_file = instance / "secret_key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_secret_key_from_environment_wins(instance, monkeypatch):
    monkeypatch.setenv("NORTIME_SECRET_KEY", "an-operator-chosen-secret-123")
    assert create_app().config["SECRET_KEY"] == "an-operator-chosen-secret-123"
    assert not (instance / "secret_key").exists()


def test_postgres_urls_use_psycopg3(instance):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgres://u@127.0.0.1:1/x", "CHECK_DATABASE_ON_START": False})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@127.0.0.1:1/x"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:1/none"}, "cannot reach the database"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:////no/such/folder/db.sqlite"}, "does not exist"),
        ({"SQLALCHEMY_DATABASE_URI": "not a url"}, "is not a URL"),
        ({"SQLALCHEMY_DATABASE_URI": "mysql://x@localhost/db"}, "not supported"),
        ({"SOLVER_WORKERS": "many"}, "SOLVER_WORKERS must be a positive number"),
        ({"SECRET_KEY": "short"}, "at least 16 characters"),
    ],
)
def test_bad_configuration_stops_with_one_line(instance, config, expected):
    with pytest.raises(SystemExit) as stopped:
        create_app(config)
    message = str(stopped.value.code)
    assert message.startswith("nortime: configuration error:")
    assert expected in message
    assert "\n" not in message


def test_broken_instance_config_file_is_reported(instance):
    (instance / "config.py").write_text("SOLVER_WORKERS = = 2\n")
    with pytest.raises(SystemExit) as stopped:
        create_app()
    assert "instance/config.py cannot be read" in str(stopped.value.code)


def test_cli_start_up_error_is_one_line_without_traceback(instance):
    env = {**os.environ, "NORTIME_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "nortime", "demo"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "nortime: configuration error: cannot reach the database" in result.stderr


def test_importing_creates_nothing(tmp_path):
    code = "import nortime, nortime.models, nortime.public, nortime.demo"
    env = {**os.environ, "NORTIME_INSTANCE_PATH": str(tmp_path / "instance")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
    assert not (tmp_path / "instance").exists()
