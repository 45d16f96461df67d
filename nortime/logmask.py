"""Keep learners' and teachers' secret links out of logs.

Access logs (werkzeug's dev server, gunicorn's --access-logfile), gunicorn's
error log and Flask's "Exception on <path>" line print request paths, and a
personal page's or a private feed's path is its secret. A filter rewrites
/me/<token>, /feeds/l/<token> and /feeds/t/<token> to .../[token] before any
handler sees the record, in the message and in the exception text; inside a
request it also masks the request's own token wherever it appears (say in
an exception's message). SQL parameters never reach exception text at all
(the engine's hide_parameters, config.py).
"""
from __future__ import annotations

import logging
import re

PRIVATE_PATH = re.compile(r"(/feeds/[lt]/|/me/)(?!sent\b)[^/\s?\"'.]+")
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")
SECRET_ARGUMENTS = ("token",)  # URL rule arguments that are secrets
MASK = "[token]"


def mask_tokens(text: str, secrets: tuple[str, ...] = ()) -> str:
    text = PRIVATE_PATH.sub(r"\1" + MASK, text)
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


def request_secrets() -> tuple[str, ...]:
    """The secret arguments of the request being answered, if any."""
    from flask import has_request_context, request

    if not has_request_context() or not request.view_args:
        return ()
    return tuple(value for name, value in request.view_args.items()
                 if name in SECRET_ARGUMENTS and isinstance(value, str) and len(value) >= 8)


class TokenMaskFilter(logging.Filter):
    """Rewrites a record's message and exception text with tokens masked; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the handler's problem, not ours
            return True
        secrets = request_secrets()
        masked = mask_tokens(message, secrets)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_tokens(record.exc_text, secrets)
        return True


def install(app_logger: logging.Logger) -> None:
    """Add the filter (once) to the access and error loggers, the app's logger and the handlers
    that records of the app's module loggers (nortime.jobs, ...) reach."""
    from flask.logging import default_handler

    targets = (*(logging.getLogger(name) for name in LOGGERS), app_logger, default_handler,
               *logging.getLogger().handlers)
    for target in targets:
        if not any(isinstance(existing, TokenMaskFilter) for existing in target.filters):
            target.addFilter(TokenMaskFilter())
