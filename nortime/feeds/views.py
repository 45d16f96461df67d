"""HTTP layer of the feeds: find the feed, hand back its body with the right headers."""
from __future__ import annotations

from flask import abort

from . import bp


@bp.get("/l/<token>.ics")
def learner(token: str):
    abort(404)


@bp.get("/t/<token>.ics")
def teacher(token: str):
    abort(404)


@bp.get("/group/<provider>/<key>.ics")
def group(provider: str, key: str):
    abort(404)


@bp.get("/venue/<slug>.ics")
def venue(slug: str):
    abort(404)


@bp.get("/municipality/<number>.ics")
def municipality(number: str):
    abort(404)


@bp.get("/provider/<slug>.ics")
def provider(slug: str):
    abort(404)
