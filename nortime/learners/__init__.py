"""Pages for learners: sign-up, the rota steps, the personal page (issue 6)."""
from flask import Blueprint

bp = Blueprint("learners", __name__)

from . import offers, page, views  # noqa: E402,F401  (register the routes on bp)
