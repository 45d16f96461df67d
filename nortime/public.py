"""Public pages that need no account: the home page, what the region offers, privacy."""
from flask import Blueprint, abort, render_template

from .page_cache import cached_page
from .services.catalogue import published_group, region_offer
from .services.health import down_services
from .services.retention import retention_period
from .services.timetable import group_sessions

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    return cached_page("home", lambda: render_template("public/home.html", offer=region_offer()))


@bp.get("/groups/<provider>/<key>")
def group(provider: str, key: str):
    """A published group's public page: course, place, times and every session (no learners)."""
    def build():
        found = published_group(provider, key)
        if found is None:
            abort(404)  # not cached: exceptions are not stored
        return render_template("public/group.html", group=found, sessions=group_sessions(found))

    return cached_page(("group", provider, key), build)


@bp.get("/privacy")
def privacy():
    return render_template("public/privacy.html", retention_period=retention_period())


@bp.get("/healthz")
def health():
    """200 when the database (and Redis, when configured) answer; else 503 naming what is down."""
    down = down_services()
    if down:
        return {"status": "down", "down": down}, 503
    return {"status": "ok"}
