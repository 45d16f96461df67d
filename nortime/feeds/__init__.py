"""iCalendar feeds of published timetables (issue 5)."""
from flask import Blueprint, request

from ..extensions import limiter

bp = Blueprint("feeds", __name__, url_prefix="/feeds")


@limiter.request_filter
def _feeds_are_not_rate_limited() -> bool:
    # Calendar clients poll; feeds have no limits, and skipping the limiter's
    # bookkeeping early keeps a cached feed cheap to serve.
    return request.blueprint == "feeds"


from . import views  # noqa: E402,F401  (registers the routes on bp)
from .service import invalidate_feeds  # noqa: E402,F401
