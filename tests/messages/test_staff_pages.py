"""Staff see their learners' messages and how far each got; coordinators see counts per channel."""
from __future__ import annotations

import datetime as dt

from nortime import outbox
from nortime.db import db
from nortime.models import Plan
from nortime.services import publishing

NOON = dt.datetime(2027, 1, 5, 11, 0)


def test_staff_see_each_learners_messages_and_their_state(region, placed, gateway, make_user, login, client):
    region.config.update(gateway.config())
    with region.app_context():
        publishing.publish(db.session.get(Plan, placed["plan"]))
        gateway.mode = "fail"
        outbox.deliver_due(NOON)
    staff = make_user("provider_staff", provider=1)
    page = login(staff).get("/provider/messages?lang=en").data.decode()
    assert page.count("placement") == 3 and "Amal Haddad" in page and "+963944567890" in page
    assert "the SMS gateway answered 500" in page and "waiting" in page
    one = client.get(f"/provider/messages?learner={placed['amal']}&lang=en").data.decode()
    assert "Amal Haddad" in one and "Olena" not in one
    other = make_user("provider_staff", provider=2)
    assert login(other).get("/provider/messages?lang=en").data.decode().count("placement") == 0
    assert client.get(f"/provider/messages?learner={placed['amal']}").status_code == 404


def test_coordinators_see_sent_and_failed_per_channel(region, placed, gateway, make_user, login):
    region.config.update(gateway.config(OUTBOX_MAX_ATTEMPTS=1))
    with region.app_context():
        publishing.publish(db.session.get(Plan, placed["plan"]))
        outbox.deliver_due(NOON, limit=2)
        gateway.mode = "fail"
        outbox.deliver_due(NOON)
        assert outbox.counts_by_channel()["sms"] == {"queued": 0, "sending": 0, "sent": 2, "failed": 1}
    page = login(make_user("coordinator")).get("/coordinator/?lang=en").data.decode()
    section = page.split('id="messages-heading"')[1]
    assert "<th scope=\"row\">SMS</th><td>2</td><td>1</td><td>0</td>" in section
    assert "Amal" not in page  # counts only
