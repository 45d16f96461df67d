"""Outgoing e-mail over SMTP, configured by MAIL_* settings; off while MAIL_SERVER is unset.

In instance/config.py, for example:

    MAIL_SERVER = "smtp.example.no"
    MAIL_PORT = 587
    MAIL_USE_TLS = True          # STARTTLS
    MAIL_USERNAME = "nortime"
    MAIL_PASSWORD = "..."
    MAIL_SENDER = "nortime <no-reply@example.no>"
    BASE_URL = "https://nortime.example.no"   # so links in mails point at the public site

Without MAIL_SERVER nothing is sent: learners see their personal link on screen only.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

log = logging.getLogger(__name__)


def mail_enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send one plain-text UTF-8 message; True when the server accepted it.

    Returns False without sending when MAIL_SERVER is unset, and False (logged,
    never raised) when the server cannot be reached or refuses the message, so
    a page that sends mail never fails because of it.
    """
    config = current_app.config
    server = config.get("MAIL_SERVER")
    if not server or not to:
        return False
    sender = config.get("MAIL_SENDER") or "nortime <no-reply@localhost>"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="nortime")
    message.set_content(body, charset="utf-8")
    try:
        with smtplib.SMTP(server, int(config.get("MAIL_PORT") or 25), timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("could not send mail to %s via %s: %s", to, server, error)
        return False
    return True
