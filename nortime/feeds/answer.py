"""A feed body as an HTTP answer: the 304 rules and the headers, shared by the view and the fast path."""
from __future__ import annotations

from werkzeug.http import http_date, parse_date, parse_etags

from ..i18n import LANGUAGES
from .service import FeedBody

PRIVATE = ("learner", "teacher")
CONTENT_TYPE = "text/calendar; charset=utf-8"


def feed_language(kind: str, asked: str | None) -> str | None:
    """Private feeds speak their owner's language; public ones bokmål or a known ?lang=."""
    return asked if kind not in PRIVATE and asked in LANGUAGES else None


def is_fresh(body: FeedBody, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """304 rules: If-None-Match decides when sent; else If-Modified-Since at or after Last-Modified.

    A date that cannot be parsed counts as absent (200).
    """
    if if_none_match is not None:
        return parse_etags(if_none_match).contains_weak(body.etag)
    since = parse_date(if_modified_since) if if_modified_since else None
    return since is not None and since >= body.last_modified


def answer(kind: str, body: FeedBody, fresh: bool, download: bool) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body bytes for a feed; a download link gets an attachment disposition."""
    headers = [("ETag", f'"{body.etag}"'),
               ("Cache-Control", ("private" if kind in PRIVATE else "public") + ", max-age=300")]
    if kind in PRIVATE:
        headers += [("X-Robots-Tag", "noindex"), ("Referrer-Policy", "no-referrer")]
    if fresh:
        return 304, headers, b""
    headers += [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(body.body))),
                ("Last-Modified", http_date(body.last_modified))]
    if download:
        headers.append(("Content-Disposition", f'attachment; filename="nortime-{kind}.ics"'))
    return 200, headers, body.body
