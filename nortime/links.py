"""Absolute links to our own site: a learner's personal page and calendar feeds.

Every link that leaves the site (an e-mail, an SMS, a calendar feed, a page a
learner copies) is built here from BASE_URL and the app's URL map, never from
the request's Host header: a forged Host would otherwise put a learner's
secret token into a link to someone else's server. The same functions work in
a request, a CLI command and a delivery worker.

Without BASE_URL (development, tests) the base is PREFERRED_URL_SCHEME and
SERVER_NAME, else http://localhost:5000; start-up refuses to send mail or SMS
without BASE_URL (config.validate).
"""
from __future__ import annotations

from flask import current_app

DEVELOPMENT_BASE = "http://localhost:5000"


def base_url() -> str:
    """The site's public address without a trailing slash."""
    config = current_app.config
    configured = config.get("BASE_URL")
    if configured:
        return configured.rstrip("/")
    if config.get("SERVER_NAME"):
        return f"{config.get('PREFERRED_URL_SCHEME') or 'http'}://{config['SERVER_NAME']}"
    return DEVELOPMENT_BASE


def absolute(endpoint: str, **values) -> str:
    """base_url() + the path of `endpoint`, built from the URL map (no request needed)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base_url() + path


def personal_link(learner) -> str:
    """The secret link to the learner's own page."""
    return absolute("learners.me", token=learner.access_token)


def feed_links(endpoint: str, values: dict) -> dict[str, str]:
    """Subscribe links for one feed: {"webcal": webcal://…, "https": https://…, "download": …?download=1}."""
    https = absolute(endpoint, **values)
    return {"webcal": "webcal://" + https.partition("://")[2], "https": https, "download": https + "?download=1"}
