"""Outgoing e-mail over SMTP, configured by MAIL_* settings; off while MAIL_SERVER is unset.

In instance/config.py, for example:

    MAIL_SERVER = "smtp.example.no"
    MAIL_PORT = 587
    MAIL_USE_TLS = True          # STARTTLS
    MAIL_USERNAME = "nortime"
    MAIL_PASSWORD = "..."
    MAIL_SENDER = "nortime <no-reply@example.no>"
    BASE_URL = "https://nortime.example.no"   # so links in mails point at the public site

Without MAIL_SERVER no e-mail is queued: learners see their personal link on screen only.
Messages are queued in the outbox (outbox.py) and sent from there, never during a request.
"""
from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app


class MailError(RuntimeError):
    """The SMTP server did not take the message; the text says why (no personal data in it)."""


def enabled(config) -> bool:
    """E-mail is on when MAIL_SERVER is set."""
    return bool(config.get("MAIL_SERVER"))


def send_mail(to: str, subject: str, body: str, *, key: str | None = None) -> None:
    """Send one plain-text UTF-8 message through MAIL_SERVER; MailError when it is not accepted.

    `key` (the outbox's idempotency key) becomes the Message-ID, so a repeated delivery of the
    same message is recognisable as one message by servers and mail clients.
    """
    config = current_app.config
    server = config.get("MAIL_SERVER")
    if not server:
        raise MailError("e-mail is off: MAIL_SERVER is not set")
    sender = config.get("MAIL_SENDER") or "nortime <no-reply@localhost>"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<{re.sub(r'[^A-Za-z0-9.+_-]', '.', key)}@nortime>" if key else make_msgid(domain="nortime")
    message.set_content(body, charset="utf-8")
    try:
        with smtplib.SMTP(server, int(config.get("MAIL_PORT") or 25), timeout=float(config.get("MAIL_TIMEOUT") or 10)) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"the mail server {server} did not take the message: {type(error).__name__}: {error}"[:300]) from None
