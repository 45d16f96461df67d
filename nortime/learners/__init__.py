"""Pages for learners: sign-up, the rota step, the personal page (issue 6)."""
from flask import Blueprint

bp = Blueprint("learners", __name__)
