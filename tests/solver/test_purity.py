"""solver/ is a pure library: the optimizer and its document format, nothing of the web app."""

import ast
import subprocess
import sys
from pathlib import Path

SOLVER = Path(__file__).resolve().parents[2] / "solver"
FORBIDDEN = ("nortime", "flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug", "jinja2", "wtforms", "babel",
             "flask_babel", "redis", "rq", "holidays")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_no_solver_module_imports_the_app_or_flask():
    sources = sorted(SOLVER.rglob("*.py"))
    assert len(sources) > 10
    for path in sources:
        bad = {name for name in imported_modules(path) if name.split(".")[0] in FORBIDDEN}
        assert not bad, f"{path.relative_to(SOLVER.parent)} imports {sorted(bad)}"


def test_importing_the_solver_loads_nothing_of_the_app():
    code = ("import sys, solver, solver.__main__, solver.verify, solver.config\n"
            "import pkgutil, importlib\n"
            "for m in pkgutil.iter_modules(solver.__path__): importlib.import_module('solver.' + m.name)\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=SOLVER.parent)
    assert done.stdout.strip() == "[]"


def test_the_solver_holds_only_the_optimizer_and_its_format():
    # The rota presets, the school calendar and the synthetic population belong to the app (nortime/).
    for moved in ("presets.py", "school_calendar.py", "synthetic.py", "data"):
        assert not (SOLVER / moved).exists(), moved
