"""The provider's view of the outbox: each learner's messages and how far each got."""
from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from ..auth import role_required
from ..db import db
from ..services.messages import labels as message_labels
from ..models import Learner, Message
from . import bp
from .views import STAFF, own, provider_or_404

SHOWN = 200


@bp.route("/messages")
@role_required(*STAFF)
def messages():
    provider = provider_or_404()
    query = (select(Message, Learner).join(Learner, Learner.id == Message.learner_id)
             .where(Learner.provider_id == provider.id))
    learner = None
    if request.args.get("learner", "").isdecimal():
        learner = own(Learner, int(request.args["learner"]))
        query = query.where(Message.learner_id == learner.id)
    rows = db.session.execute(query.order_by(Message.created_at.desc(), Message.id.desc()).limit(SHOWN)).all()
    return render_template("providers/messages.html", rows=rows, learner=learner, labels=message_labels(),
                           shown=SHOWN)
