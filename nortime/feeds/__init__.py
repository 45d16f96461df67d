"""iCalendar feeds of published timetables (issue 5)."""
from flask import Blueprint

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

from . import views  # noqa: E402,F401  (registers the routes on bp)
