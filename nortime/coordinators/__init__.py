"""Pages for coordinators (counts, charts, CSV) and attendance registration (issue 8)."""
from flask import Blueprint

bp = Blueprint("coordinators", __name__, url_prefix="/coordinator")
