"""Keep private feed tokens out of logs.

Access logs (werkzeug's dev server, gunicorn's --access-logfile) and Flask's
"Exception on <path>" line print request paths, and a private feed's path is
its secret. A filter on those loggers rewrites /feeds/l/<token> and
/feeds/t/<token> to /feeds/l/[token] before any handler sees the record.
"""
from __future__ import annotations

import logging
import re

PRIVATE_PATH = re.compile(r"(/feeds/[lt]/)[^/\s?\"'.]+")
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def mask_tokens(text: str) -> str:
    return PRIVATE_PATH.sub(r"\1[token]", text)


class TokenMaskFilter(logging.Filter):
    """Rewrites a record's message with feed tokens masked; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the handler's problem, not ours
            return True
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install(app_logger: logging.Logger) -> None:
    """Add the filter (once) to the access-log loggers and the app's own logger."""
    for logger in (*(logging.getLogger(name) for name in LOGGERS), app_logger):
        if not any(isinstance(existing, TokenMaskFilter) for existing in logger.filters):
            logger.addFilter(TokenMaskFilter())
