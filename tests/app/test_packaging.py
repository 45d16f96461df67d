"""A plain (non-editable) `pip install .` carries the templates and serves pages."""
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(out), str(ROOT)], check=True, timeout=300,
                   cwd=tmp_path_factory.mktemp("build"))
    return next(out.glob("nortime-*.whl"))


def test_wheel_carries_every_template_and_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = [path.relative_to(ROOT / "templates").as_posix() for path in (ROOT / "templates").rglob("*.html")]
    assert templates
    for template in templates:
        assert any(name.endswith(f".data/data/share/nortime/templates/{template}") for name in names), template
    assert "solver/__init__.py" in names and "nortime/migrations/env.py" in names
    assert "nortime/demo/data/midt_troms.json" in names
    assert any(name.startswith("nortime/migrations/versions/") for name in names)
    assert any(name.startswith("nortime/static/") for name in names)


def install_wheel(wheel: Path, prefix: Path) -> Path:
    """Install as pip does (a wheel install is unpacking plus moving its .data folders), without
    touching the running environment: `pip install --prefix` would uninstall the editable nortime."""
    site = Path(sysconfig.get_path("purelib", vars={"base": str(prefix), "platbase": str(prefix)}))
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            parts = name.split("/")
            if parts[0].endswith(".data"):
                target = prefix / Path(*parts[2:]) if parts[1] == "data" else site / Path(*parts[2:])
            else:
                target = site / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(name))
    return site


def test_installed_copy_serves_the_home_page(wheel, tmp_path):
    prefix = tmp_path / "prefix"
    site = install_wheel(wheel, prefix)
    code = (
        "import nortime, sys\n"
        "assert nortime.__file__.startswith(sys.argv[1]), nortime.__file__\n"
        "app = nortime.create_app({'TESTING': True, 'SECRET_KEY': 'x' * 32})\n"
        "from nortime.db import db\n"
        "with app.app_context(): db.create_all()\n"
        "page = app.test_client().get('/')\n"
        "assert page.status_code == 200, page.status_code\n"
        "print(app.template_folder)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site), "NORTIME_INSTANCE_PATH": str(tmp_path / "instance")}
    (tmp_path / "instance").mkdir()
    result = subprocess.run([sys.executable, "-c", code, str(site)], capture_output=True, text=True, env=env,
                            timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(prefix / "share" / "nortime" / "templates")
