"""E-mail against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.smtp import Envelope

from watchboard.delivery import DeliveryError, EmailChannel, render_email, send

from .conftest import SmtpServer, alert

RECIPIENTS = ("analyst@example.org", "desk@example.org")


def channel(port: int, **changes: object) -> EmailChannel:
    fields = {
        "name": "desk",
        "host": "127.0.0.1",
        "port": port,
        "sender": "watchboard@example.org",
        "recipients": RECIPIENTS,
        "timeout": 5.0,
    }
    return EmailChannel(**(fields | changes))  # type: ignore[arg-type]


def parse(envelope: Envelope) -> EmailMessage:
    assert isinstance(envelope.content, bytes)
    mail = message_from_bytes(envelope.content, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    return mail


def test_email_reaches_every_recipient_with_subject_id_and_body(smtp_server: SmtpServer) -> None:
    send(alert(3, title="Plant <A> & B"), channel(smtp_server.port))

    (envelope,) = smtp_server.sink.envelopes
    assert envelope.mail_from == "watchboard@example.org"
    assert envelope.rcpt_tos == list(RECIPIENTS)
    mail = parse(envelope)
    assert mail["Subject"] == "[watchboard] dprk-2026: Plant <A> & B"
    assert mail["To"] == "analyst@example.org, desk@example.org"
    assert mail["Message-ID"] == "<watchboard.alert.a0003@example.org>"
    assert mail["X-Watchboard-Alert-Id"] == "a0003"
    assert mail["Auto-Submitted"] == "auto-generated"
    body = mail.get_content().replace("\r\n", "\n")  # SMTP line endings
    assert body.startswith("KCNA reports 50 launchers a year.\nA wire report says 70.\n")
    assert "Link: https://watchboard.example/alerts/a0003" in body
    assert "Rule: new-contradiction (contradiction)" in body


def test_message_id_is_the_same_on_every_attempt(smtp_server: SmtpServer) -> None:
    desk = channel(smtp_server.port)
    send(alert(), desk)
    send(alert(), desk)
    ids = [parse(envelope)["Message-ID"] for envelope in smtp_server.sink.envelopes]
    assert ids[0] == ids[1]


def test_unsafe_alert_ids_and_multiline_titles_make_valid_headers() -> None:
    mail = render_email(alert(id="a b<c>@d", title="line one\nline two"), channel(25))
    assert mail["Subject"] == "[watchboard] dprk-2026: line one line two"
    message_id = mail["Message-ID"]
    assert message_id.startswith("<watchboard.alert.") and message_id.endswith("@example.org>")
    assert " " not in message_id and message_id.count("@") == 1


def test_rejected_recipients_are_a_permanent_failure(smtp_server: SmtpServer) -> None:
    smtp_server.sink.reject_rcpt = "550 5.1.1 No such user"
    with pytest.raises(DeliveryError) as failed:
        send(alert(), channel(smtp_server.port))
    assert not failed.value.retryable
    assert "SMTP 550 5.1.1 No such user" in str(failed.value)
    assert str(failed.value).startswith(f"email desk (127.0.0.1:{smtp_server.port}): ")


def test_temporary_smtp_refusal_is_retryable(smtp_server: SmtpServer) -> None:
    smtp_server.sink.reject_data = "451 4.3.0 Try again later"
    with pytest.raises(DeliveryError) as failed:
        send(alert(), channel(smtp_server.port))
    assert failed.value.retryable
    assert "SMTP 451" in str(failed.value)


def test_nothing_listening_is_retryable(closed_port: int) -> None:
    with pytest.raises(DeliveryError) as failed:
        send(alert(), channel(closed_port))
    assert failed.value.retryable
    assert f"127.0.0.1:{closed_port}" in str(failed.value)
    assert "cannot connect (Connection refused)" in str(failed.value)


def test_starttls_not_offered_is_a_permanent_failure(smtp_server: SmtpServer) -> None:
    with pytest.raises(DeliveryError) as failed:
        send(alert(), channel(smtp_server.port, starttls=True))
    assert not failed.value.retryable
    assert "STARTTLS" in str(failed.value)
    assert smtp_server.sink.envelopes == []
