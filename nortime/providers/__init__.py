"""Pages for course providers: setting up, planning, review, publishing (issue 7)."""
from flask import Blueprint

bp = Blueprint("providers", __name__, url_prefix="/provider")

from . import learners, messages, setup_views, views, waiting, workplaces  # noqa: E402,F401  (register the routes on bp)
