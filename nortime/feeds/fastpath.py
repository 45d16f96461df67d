"""Cached feeds answered before Flask's request machinery.

A calendar client polls the same address for months. Once its body is built
and cached, answering needs no cookie session, login, CSRF or rate-limit
bookkeeping, which cost several times more than the answer itself. This WSGI
wrapper answers GET/HEAD of a feed address straight from the cache when the
entry is still valid (cache.peek); everything else — first build, 404, 410,
other addresses — goes through Flask and views.serve as usual. Both paths
answer with the same headers (answer.py).
"""
from __future__ import annotations

from urllib.parse import parse_qs

from flask import Flask
from werkzeug.exceptions import HTTPException

from ..security import with_security_headers
from ..links import base_url
from . import cache
from .answer import answer, feed_language, is_fresh

REASONS = {200: "200 OK", 304: "304 NOT MODIFIED"}


class FeedFastPath:
    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD") and environ.get("PATH_INFO", "").startswith("/feeds/"):
            try:
                found = self._from_cache(environ)
            except Exception:  # e.g. the database is unreachable: Flask answers and logs it properly
                found = None
            if found is not None:
                status, headers, body = found
                start_response(REASONS[status], with_security_headers(self.app.config, headers))
                return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]
        return self.wsgi_app(environ, start_response)

    def _from_cache(self, environ):
        try:
            endpoint, values = self.app.url_map.bind_to_environ(environ).match()
        except HTTPException:
            return None
        if not endpoint.startswith("feeds."):
            return None
        kind = endpoint.partition(".")[2]
        ident = (values["provider"], values["key"]) if kind == "group" else next(iter(values.values()))
        query = {name: found[0] for name, found in parse_qs(environ.get("QUERY_STRING", "")).items()}
        with self.app.app_context():  # the cache may look at the database stamp
            body = cache.peek((kind, ident, feed_language(kind, query.get("lang")), base_url()))
        if body is None:
            return None
        fresh = is_fresh(body, environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_IF_MODIFIED_SINCE"))
        return answer(kind, body, fresh, query.get("download") == "1")
