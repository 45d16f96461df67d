"""Public pages that need no account: the home page and what the region offers."""
from flask import Blueprint, render_template

from .services.catalogue import region_offer

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    return render_template("public/home.html", offer=region_offer())


@bp.get("/healthz")
def health():
    return {"status": "ok"}
