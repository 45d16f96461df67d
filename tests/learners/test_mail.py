"""send_mail: off without MAIL_SERVER, real SMTP when configured, never raises."""
from nortime.mail import send_mail


def test_mail_is_off_without_a_server(app, smtp_server):
    _, inbox = smtp_server
    with app.app_context():
        assert send_mail("anna@example.org", "Hei", "Tekst") is False
    assert inbox.messages == []


def test_mail_goes_through_smtp_in_utf8(app, smtp_server):
    controller, inbox = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_SENDER="nortime <post@nortime.test>")
    with app.app_context():
        assert send_mail("anna@example.org", "Lenke til siden din", "Hei Anna – ære og ønske") is True
    [message] = inbox.messages
    assert message["To"] == "anna@example.org"
    assert message["Subject"] == "Lenke til siden din"
    assert "ære og ønske" in message.get_content()


def test_unreachable_server_gives_false(app):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.app_context():
        assert send_mail("anna@example.org", "Hei", "Tekst") is False
