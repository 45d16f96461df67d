"""Pages for coordinators (counts, charts, CSV) and attendance registration (issue 8)."""
from flask import Blueprint

bp = Blueprint("coordinators", __name__, url_prefix="/coordinator")

# The modules add their routes to `bp`; attendance is a nested blueprint (/coordinator/attendance).
from . import attendance, employers, views  # noqa: E402,F401

bp.register_blueprint(attendance.bp)
