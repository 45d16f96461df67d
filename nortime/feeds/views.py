"""HTTP layer of the feeds: find the feed, answer with its body and the caching headers.

Private feeds (learner, teacher) need no cookie: the token in the path is
the key. A revoked token answers 410 Gone, since an empty calendar would
wipe a subscriber's events; a token never issued answers 404.
"""
from __future__ import annotations

from flask import Response, abort, request, url_for
from werkzeug.routing import BuildError

from ..links import base_url
from ..services.timetable import feed_urls
from . import bp
from .answer import answer, feed_language, is_fresh
from .fastpath import FeedFastPath
from .service import FeedGone, FeedNotFound, feed


@bp.record_once
def _set_up(state) -> None:
    # Pages offering subscribe links: {{ subscribe_links(feed_urls("learner", learner)) }}
    state.app.jinja_env.globals["feed_urls"] = feed_urls
    state.app.wsgi_app = FeedFastPath(state.app, state.app.wsgi_app)


@bp.get("/l/<token>.ics")
def learner(token: str):
    return serve("learner", token)


@bp.get("/t/<token>.ics")
def teacher(token: str):
    return serve("teacher", token)


@bp.get("/group/<provider>/<key>.ics")
def group(provider: str, key: str):
    return serve("group", (provider, key))


@bp.get("/venue/<slug>.ics")
def venue(slug: str):
    return serve("venue", slug)


@bp.get("/municipality/<number>.ics")
def municipality(number: str):
    return serve("municipality", number)


@bp.get("/provider/<slug>.ics")
def provider(slug: str):
    return serve("provider", slug)


def _group_page(base: str):
    def link(group) -> str | None:
        try:
            return base + url_for("public.group", provider=group.plan.provider.slug, key=group.key,
                                  _external=False)
        except BuildError:  # no public group page in this build of nortime
            return None
    return link


def serve(kind: str, ident) -> Response:
    base = base_url()
    try:
        body = feed(kind, ident, feed_language(kind, request.args.get("lang")), base, _group_page(base))
    except FeedGone:
        abort(410)
    except FeedNotFound:
        abort(404)
    fresh = is_fresh(body, request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since"))
    status, headers, data = answer(kind, body, fresh, request.args.get("download") == "1")
    return Response(data, status=status, headers=headers)
