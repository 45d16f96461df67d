"""SMS: segment counting, every SMS text within 2 parts in every language, phone numbers, the gateway request."""
from __future__ import annotations

import base64
import datetime as dt
import urllib.parse

import pytest

from nortime.i18n import LANGUAGES
from nortime.models import Learner, new_token
from nortime.phones import InvalidPhone, to_e164
from nortime.services.messages import KINDS, message_row
from nortime.sms import encoding, gateway_request, segments


def test_gsm7_counts_160_then_153_per_part_and_extension_characters_twice():
    assert encoding("Hei Åse, æ ø å!") == "gsm-7"
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2
    assert segments("a" * 306) == 2 and segments("a" * 307) == 3
    assert segments("€" * 80) == 1 and segments("€" * 81) == 2  # € [ ] { } ~ ^ | \ take two places
    assert segments("[" + "a" * 158) == 1 and segments("[" + "a" * 159) == 2


def test_ucs2_counts_70_then_67_per_part():
    for text in ("مرحبا", "Привіт", "zażółć"):
        assert encoding(text) == "ucs-2"
    assert segments("ж" * 70) == 1 and segments("ж" * 71) == 2
    assert segments("م" * 134) == 2 and segments("م" * 135) == 3
    assert segments("a" * 69 + "😀") == 2  # a character beyond the BMP takes two UTF-16 units


# The longest values a real message carries: a long public address and token, Wednesday (the longest day
# name in several languages) in September, times with two-digit hours.
WORST_BASE_URL = "https://nortime.midt-troms.no"
WORST = {"first": dt.date(2027, 9, 29), "last": dt.date(2027, 12, 15), "day": dt.date(2027, 9, 29),
         "start": dt.datetime(2027, 9, 29, 18, 30), "end": dt.datetime(2027, 9, 29, 20, 30),
         "until": dt.datetime(2027, 9, 29, 23, 59), "course": "Norsk B2 kveld", "venue": "Finnsnes",
         "times": "onsdag 18:30–20:30", "reason": "Sykdom"}


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_sms_text_fits_in_two_parts_in_every_language(app, language):
    app.config.update(BASE_URL=WORST_BASE_URL)
    token = new_token()
    learner = Learner(id=1, name="Amal", phone="+963944567890", language=language, access_token=token)
    english = Learner(id=1, name="Amal", phone="+963944567890", language="en", access_token=token)
    with app.app_context():
        for kind in KINDS:
            body = message_row(learner, kind, key=f"{kind}:worst", channel="sms", **WORST)["body"]
            assert WORST_BASE_URL + "/me/" + token in body
            assert segments(body) <= 2, (language, kind, len(body), body)
            if language != "en":  # translated, not the English source
                assert body != message_row(english, kind, key="k", channel="sms", **WORST)["body"]


@pytest.mark.parametrize("written, stored", [
    ("912 34 567", "+4791234567"), ("91234567", "+4791234567"), ("+47 912 34 567", "+4791234567"),
    ("+48 600 100 200", "+48600100200"), ("0048 600-100-200", "+48600100200"), ("+370 612 34567", "+37061234567"),
    ("+380 50 123 4567", "+380501234567"), ("+963 944 567 890", "+963944567890")])
def test_phone_numbers_are_stored_in_e164(written, stored):
    assert to_e164(written) == stored


@pytest.mark.parametrize("written", ["12345", "+47 123", "phone me", "+999 1234 5678", ""])
def test_invalid_phone_numbers_are_refused(written):
    with pytest.raises(InvalidPhone):
        to_e164(written)


def test_a_gateway_taking_form_fields_by_get_with_basic_authentication(app):
    config = {"SMS_HTTP_URL": "http://127.0.0.1:9/send?account=7", "SMS_HTTP_METHOD": "GET",
              "SMS_HTTP_CONTENT_TYPE": "application/x-www-form-urlencoded",
              "SMS_HTTP_BODY": "to=$to&text=$text&ref=$key&from=$sender", "SMS_SENDER": "nortime",
              "SMS_HTTP_USERNAME": "nortime", "SMS_HTTP_PASSWORD": "pa:ss"}
    request = gateway_request(config, "+4791234567", "Hei & ha det: æøå", "link:1:sms")
    assert request.get_method() == "GET" and request.data is None
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.full_url).query)
    assert query == {"account": ["7"], "to": ["+4791234567"], "text": ["Hei & ha det: æøå"], "ref": ["link:1:sms"],
                     "from": ["nortime"]}
    assert request.get_header("Authorization") == "Basic " + base64.b64encode(b"nortime:pa:ss").decode()
    assert request.get_header("Idempotency-key") == "link:1:sms"
