"""Public pages that need no account: the home page, what the region offers, privacy."""
from flask import Blueprint, render_template

from .services.catalogue import region_offer

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    return render_template("public/home.html", offer=region_offer())


@bp.get("/privacy")
def privacy():
    return render_template("public/privacy.html")


@bp.get("/healthz")
def health():
    return {"status": "ok"}
