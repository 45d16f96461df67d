"""HTTP layer of the feeds: find the feed, answer with its body and the caching headers.

Private feeds (learner, teacher) need no cookie: the token in the path is
the key. A revoked token answers 410 Gone, since an empty calendar would
wipe a subscriber's events; a token never issued answers 404.
"""
from __future__ import annotations

from flask import Response, abort, current_app, request, url_for
from werkzeug.routing import BuildError

from ..i18n import LANGUAGES
from ..services.timetable import feed_urls
from . import bp, logmask
from .service import FeedBody, FeedGone, FeedNotFound, feed

PRIVATE = ("learner", "teacher")


@bp.record_once
def _set_up(state) -> None:
    logmask.install(state.app.logger)
    # Pages offering subscribe links: {{ subscribe_links(feed_urls("learner", learner)) }}
    state.app.jinja_env.globals["feed_urls"] = feed_urls


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


def _base_url() -> str:
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured.rstrip("/")
    return f"{request.scheme}://{request.host}{request.script_root}"


def _group_page(base: str):
    def link(group) -> str | None:
        try:
            return base + url_for("public.group", provider=group.plan.provider.slug, key=group.key,
                                  _external=False)
        except BuildError:  # no public group page in this build of nortime
            return None
    return link


def serve(kind: str, ident) -> Response:
    # Private feeds speak their owner's language; public ones bokmål or a known ?lang=.
    language = request.args.get("lang") if kind not in PRIVATE and request.args.get("lang") in LANGUAGES else None
    base = _base_url()
    try:
        body = feed(kind, ident, language, base, _group_page(base))
    except FeedGone:
        abort(410)
    except FeedNotFound:
        abort(404)
    if is_fresh(body):
        response = Response(status=304)
    else:
        response = Response(body.body, content_type="text/calendar; charset=utf-8")
        if request.args.get("download") == "1":
            response.headers["Content-Disposition"] = f'attachment; filename="nortime-{kind}.ics"'
    response.set_etag(body.etag)
    response.last_modified = body.last_modified
    response.headers["Cache-Control"] = ("private" if kind in PRIVATE else "public") + ", max-age=300"
    if kind in PRIVATE:
        response.headers["X-Robots-Tag"] = "noindex"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def is_fresh(body: FeedBody) -> bool:
    """304 rules: If-None-Match decides when sent; else If-Modified-Since at or after Last-Modified.

    A date that cannot be parsed counts as absent (200).
    """
    if "If-None-Match" in request.headers:
        return request.if_none_match.contains_weak(body.etag)
    since = request.if_modified_since
    return since is not None and since >= body.last_modified
