"""Pages for employers' staff (issue 21): teams, their rota and join codes, the poster, a workplace room, counts.

Every page shows the logged-in account's own employer only; a team or code of
another employer answers 404, as an unknown one does.
"""
from flask import Blueprint

bp = Blueprint("employers", __name__, url_prefix="/employer")

from . import views  # noqa: E402,F401  (register the routes on bp)
