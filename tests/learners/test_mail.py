"""send_mail: refuses without MAIL_SERVER, real SMTP when configured, MailError when not accepted."""
import pytest

from nortime.mail import MailError, send_mail


def test_mail_is_off_without_a_server(app, smtp_server):
    _, inbox = smtp_server
    with app.app_context(), pytest.raises(MailError):
        send_mail("anna@example.org", "Hei", "Tekst")
    assert inbox.messages == []


def test_mail_goes_through_smtp_in_utf8_with_the_key_as_message_id(app, smtp_server):
    controller, inbox = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_SENDER="nortime <post@nortime.test>")
    with app.app_context():
        send_mail("anna@example.org", "Lenke til siden din", "Hei Anna – ære og ønske", key="link:abc:email")
    [message] = inbox.messages
    assert message["To"] == "anna@example.org"
    assert message["Subject"] == "Lenke til siden din"
    assert message["Message-ID"] == "<link.abc.email@nortime>"
    assert "ære og ønske" in message.get_content()


def test_unreachable_server_raises_a_mail_error_without_the_address(app):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.app_context(), pytest.raises(MailError) as error:
        send_mail("anna@example.org", "Hei", "Tekst")
    assert "anna@" not in str(error.value)
