"""Public pages that need no account: the home page, what the region offers, privacy."""
import uuid
from collections.abc import Callable, Hashable

from flask import Blueprint, abort, current_app, render_template, session
from flask_babel import get_locale

from .feeds import cache
from .services.catalogue import published_group, region_offer
from .services.health import down_services
from .services.retention import retention_period
from .services.timetable import group_sessions

bp = Blueprint("public", __name__)


def cached_page(name: Hashable, build: Callable[[], str]) -> str:
    """A public page as built before, until something it shows may have changed (the feeds' cache).

    Public pages change when something is published, like the feeds, so they share the feeds'
    cache and its invalidation. One entry per page and language; a page with a flashed message
    for this visitor is built for them alone.
    """
    if "_flashes" in session:
        return build()
    app_key = current_app.extensions.setdefault("nortime_page_cache", uuid.uuid4().hex)
    return cache.cached(("page", app_key, name, str(get_locale())), build)


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
