"""Services never reach up: no blueprint module and no `flask.request` in nortime/services (issue 20).

A service that imports a blueprint or reads the request cannot run from the CLI or a worker; links come
from nortime.links, and what a view parsed is passed in as arguments.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "nortime" / "services"
BLUEPRINTS = ("learners", "providers", "coordinators", "feeds.views", "public", "auth")


def imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names = [alias.name for alias in node.names]
            if node.level == 0:
                yield node.module or "", names
            elif node.level == 2:  # ..x inside nortime/services is nortime.x
                yield "nortime." + (node.module or ""), names
            # level 1 is another service
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


@pytest.mark.parametrize("path", sorted(SERVICES.glob("*.py")), ids=lambda p: p.name)
def test_a_service_imports_no_blueprint_and_no_request(path):
    for module, names in imports(path):
        if module.startswith("nortime."):
            inside = module.removeprefix("nortime.")
            assert not any(inside == b or inside.startswith(b + ".") for b in BLUEPRINTS), \
                f"{path.name} imports {module}"
        assert not (module == "flask" and "request" in names), f"{path.name} reads flask.request"
