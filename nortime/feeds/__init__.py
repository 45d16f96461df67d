"""iCalendar feeds of published timetables (issue 5).

    /feeds/l/<token>.ics                 a learner's own sessions (private, FeedToken)
    /feeds/t/<token>.ics                 a teacher's groups (private, FeedToken)
    /feeds/group/<provider>/<key>.ics    one group
    /feeds/venue/<slug>.ics              every group at a venue
    /feeds/municipality/<number>.ics     every group at venues in a municipality
    /feeds/provider/<slug>.ics           every group of a provider

Links for pages: `services.timetable.feed_urls(kind, obj)` (also a template
global) and the `subscribe_links` macro in templates/feeds/subscribe.html.
Bodies are cached (cache.py) and, once cached, answered before Flask's
request machinery (fastpath.py); `invalidate_feeds()` after committing a
publication or a session change brings SEQUENCEs up to date at once.
"""
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
