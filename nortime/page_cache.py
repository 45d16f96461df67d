"""Built pages kept until something they show may have changed (the feeds' cache and its invalidation).

A page is cached under a key that names everything it shows besides what the cache version already
covers (publications, seats, session changes, SEQUENCEs, revocations, and any row a feed shows that this
process commits): the page, the language, and for a personal page the learner and a fingerprint of
their own rows. A visitor with a flashed message gets a page built for them alone.

A page with a form carries the visitor's own CSRF token: the stored copy holds a placeholder instead,
and each answer gets this visitor's token, so no visitor ever receives another's.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable

from flask import current_app, g, session
from flask_babel import get_locale

from .feeds import cache

CSRF_PLACEHOLDER = "\x00nortime-csrf\x00"  # never in a rendered page: NUL bytes are refused in every input


def cached_page(name: Hashable, build: Callable[[], str]) -> str:
    """The page `name` in the current language, as built before while still valid, else `build()`."""
    if "_flashes" in session:
        return build()
    app_key = current_app.extensions.setdefault("nortime_page_cache", uuid.uuid4().hex)
    page = cache.cached(("page", app_key, name, str(get_locale())), lambda: _without_csrf_token(build()))
    if CSRF_PLACEHOLDER in page:
        from flask_wtf.csrf import generate_csrf

        page = page.replace(CSRF_PLACEHOLDER, generate_csrf())
    return page


def _without_csrf_token(page: str) -> str:
    """The page with the CSRF token it was built with (if any) replaced by the placeholder."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = g.get(field)
    return page.replace(token, CSRF_PLACEHOLDER) if token else page
