"""Staff accounts: log in and out, and the role checks every staff page uses (issue 7)."""
from flask import Blueprint

bp = Blueprint("auth", __name__)
