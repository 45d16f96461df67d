"""Defences every request shares (issue 16): proxies, size limits, unreadable input, headers.

- ProxyFix trusts exactly PROXY_HOPS reverse proxies, so the rate limiter and
  the logs see the visitor's address, not the proxy's.
- A request larger than MAX_CONTENT_LENGTH and one carrying a NUL byte get a
  translated 413 or 400 page instead of reaching a view (PostgreSQL refuses
  NUL in text, which surfaced as a 500).
- Secret links are masked in every log line (logmask.py).
- Every answer carries the security headers (`security_headers`, also used by
  the feeds' fast path); pages with personal data are never stored by caches.
"""
from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from . import logmask

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# Staff pages and a learner's own pages show names, phones and rotas.
PRIVATE_BLUEPRINTS = ("auth", "providers", "coordinators")
PRIVATE_PATHS = ("/me/", "/signup")
NUL = "\x00"


def init_app(app: Flask) -> None:
    """Call after the blueprints are registered, so that ProxyFix sees the request first."""
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)
    logmask.install(app.logger)
    app.before_request(refuse_nul_bytes)
    app.after_request(add_security_headers)
    for status in (400, 413):
        app.register_error_handler(status, error_page)


def security_headers(config) -> list[tuple[str, str]]:
    """The headers every answer carries; HSTS only when the site is served over HTTPS."""
    headers = [("Content-Security-Policy", CONTENT_SECURITY_POLICY),
               ("X-Content-Type-Options", "nosniff"),
               ("X-Frame-Options", "DENY"),
               ("Referrer-Policy", "same-origin")]
    if str(config.get("BASE_URL") or "").startswith("https://"):
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers


def with_security_headers(config, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`headers` plus each security header it does not set itself (for answers made outside Flask)."""
    present = {name.lower() for name, _value in headers}
    return headers + [(name, value) for name, value in security_headers(config) if name.lower() not in present]


def is_private_page() -> bool:
    from flask_login import current_user

    return (request.blueprint in PRIVATE_BLUEPRINTS or request.path.startswith(PRIVATE_PATHS)
            or current_user.is_authenticated)


def add_security_headers(response):
    for name, value in security_headers(current_app.config):
        response.headers.setdefault(name, value)
    if request.blueprint != "static" and request.blueprint != "feeds" and is_private_page():
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _has_nul(values) -> bool:
    return any(NUL in key or NUL in value for key, value in values.items(multi=True))


def refuse_nul_bytes():
    """400 for a NUL byte in the path, the query or a form field; no view sees it."""
    form = request.form if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data") else {}
    if NUL in request.path or _has_nul(request.args) or (form and _has_nul(form)) or \
            any(NUL in (upload.filename or "") for upload in request.files.values()):
        raise BadRequest(_("The address or the form contains a character that is not allowed (a NUL byte). "
                           "Remove it and try again."))


def error_page(error: HTTPException):
    """400 and 413 as a page in the visitor's language that says what to fix."""
    if error.code == 413:
        megabytes = format_decimal((current_app.config.get("MAX_CONTENT_LENGTH") or 0) / (1024 * 1024),
                                   format="#,##0.#")
        message = _("What you sent is too large: the limit is %(megabytes)s MB. Send a smaller file or less text.",
                    megabytes=megabytes)
        title = _("Too large")
    else:
        own = error.description if error.description != BadRequest.description else None
        message = own or _("The request could not be read. Check the address or the form and try again.")
        title = _("Bad request")
    return render_template("error.html", title=title, message=message), error.code
