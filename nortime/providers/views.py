"""Provider pages: the overview and planning. Views parse the request, call one service, render."""
from __future__ import annotations

from flask import abort, render_template

from ..auth import current_provider, role_required
from ..services.planning import current_term, draft_plan, published_plan
from . import bp

STAFF = ("provider_staff",)


def provider_or_404():
    provider = current_provider()
    if provider is None:
        abort(404)
    return provider


@bp.route("/")
@role_required(*STAFF)
def index():
    provider = provider_or_404()
    term = current_term(provider)
    return render_template("providers/index.html", provider=provider, term=term,
                           draft=draft_plan(provider, term) if term else None,
                           published=published_plan(provider, term) if term else None)
