"""Sending SMS: segment counting and the pluggable back ends (SMS_BACKEND).

- "console" (the development default): prints the message to standard output;
- "http": a generic HTTP gateway, the way Norwegian SMS services take messages,
  configured in instance/config.py, for example:

      SMS_BACKEND = "http"
      SMS_HTTP_URL = "https://gateway.example.no/sms/send"
      SMS_HTTP_METHOD = "POST"                       # or GET: the body becomes the query string
      SMS_HTTP_CONTENT_TYPE = "application/json"     # or application/x-www-form-urlencoded
      SMS_HTTP_BODY = '{"from": $sender, "to": $to, "message": $text, "reference": $key}'
      SMS_HTTP_USERNAME = "nortime"                  # HTTP basic authentication, or
      SMS_HTTP_TOKEN = "..."                         # a bearer token
      SMS_SENDER = "nortime"
      SMS_HTTP_TIMEOUT = 10                          # seconds

  The body template's $to, $text, $sender and $key are filled in escaped for
  the content type (JSON strings with their quotes, or URL-encoded form
  values). Any 2xx answer means accepted; anything else, or no answer within
  the timeout, is an SmsError and the outbox tries again later. $key is the
  message's idempotency key: gateways that take a reference drop repeats.
- "off": no SMS is queued at all.
"""
from __future__ import annotations

import base64
import json
import string
import urllib.error
import urllib.parse
import urllib.request

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)
from flask import current_app

BACKENDS = ("console", "http", "off")
# Characters per message: one part, or each part of a concatenated message (the rest is the join header).
GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


class SmsError(RuntimeError):
    """The gateway did not take the message; the text says why (no personal data in it)."""


def encoding(text: str) -> str:
    """"gsm-7" when every character is in the GSM 03.38 alphabet (with its extension table), else "ucs-2"."""
    try:
        text.encode("gsm03.38")
    except UnicodeEncodeError:
        return "ucs-2"
    return "gsm-7"


def segments(text: str) -> int:
    """How many SMS parts the text costs (GSM-7 extension characters such as € [ ] count twice)."""
    if encoding(text) == "gsm-7":
        units, single, part = len(text.encode("gsm03.38")), GSM7_SINGLE, GSM7_PART
    else:  # UTF-16 code units: a character beyond the BMP (an emoji) takes two
        units, single, part = len(text.encode("utf-16-be")) // 2, UCS2_SINGLE, UCS2_PART
    if units <= single:
        return 1
    return -(-units // part)


def enabled(config) -> bool:
    """Whether SMS messages are queued at all."""
    return (config.get("SMS_BACKEND") or "console") != "off"


def sends_for_real(config) -> bool:
    """Whether SMS leave the machine (so links in them must point at BASE_URL)."""
    return config.get("SMS_BACKEND") == "http"


def send_sms(to: str, text: str, key: str) -> None:
    """Hand one SMS to the configured back end; SmsError when it is not accepted."""
    config = current_app.config
    backend = config.get("SMS_BACKEND") or "console"
    if backend == "console":
        print(f"SMS to {to} ({segments(text)} part(s)):\n{text}\n", flush=True)
        return
    if backend != "http":
        raise SmsError(f"SMS_BACKEND {backend!r} cannot send")
    _send_http(config, to, text, key)


def _escape(value: str, content_type: str) -> str:
    if content_type == "application/json":
        return json.dumps(value, ensure_ascii=False)
    return urllib.parse.quote_plus(value)


def gateway_request(config, to: str, text: str, key: str) -> urllib.request.Request:
    """The HTTP request for one SMS, built from the SMS_HTTP_* settings."""
    content_type = config.get("SMS_HTTP_CONTENT_TYPE") or "application/json"
    values = {name: _escape(value, content_type)
              for name, value in (("to", to), ("text", text), ("key", key),
                                  ("sender", config.get("SMS_SENDER") or "nortime"))}
    body = string.Template(config.get("SMS_HTTP_BODY") or DEFAULT_BODY).substitute(values)
    method = (config.get("SMS_HTTP_METHOD") or "POST").upper()
    url = config["SMS_HTTP_URL"]
    data = None
    if method == "GET":
        url += ("&" if "?" in url else "?") + body
    else:
        data = body.encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", f"{content_type}; charset=utf-8")
    request.add_header("Idempotency-Key", key)
    if config.get("SMS_HTTP_TOKEN"):
        request.add_header("Authorization", f"Bearer {config['SMS_HTTP_TOKEN']}")
    elif config.get("SMS_HTTP_USERNAME"):
        pair = f"{config['SMS_HTTP_USERNAME']}:{config.get('SMS_HTTP_PASSWORD') or ''}".encode()
        request.add_header("Authorization", "Basic " + base64.b64encode(pair).decode("ascii"))
    return request


DEFAULT_BODY = '{"from": $sender, "to": $to, "message": $text, "reference": $key}'


def _send_http(config, to: str, text: str, key: str) -> None:
    request = gateway_request(config, to, text, key)
    timeout = float(config.get("SMS_HTTP_TIMEOUT") or 10)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as error:
        raise SmsError(f"the SMS gateway answered {error.code}") from None
    except (OSError, ValueError) as error:  # refused, timed out, bad URL
        raise SmsError(f"the SMS gateway could not be reached: {type(error).__name__}: {error}"[:300]) from None
