"""E-mail delivery through SMTP (stdlib ``smtplib``), one connection per attempt.

The Message-ID is derived from the alert id, so a mail client or list server that deduplicates
on it drops the copy a retry may produce. SMTP replies decide retrying: 4xx is temporary, 5xx
permanent; a refused or dropped connection is temporary. If the server accepts some recipients
and refuses others the alert counts as delivered (retrying would mail the others twice) and
the refusals are logged as a warning.
"""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from .channels import EmailChannel
from .message import AlertMessage, DeliveryError

log = logging.getLogger(__name__)

_SAFE_ID = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")  # a subset of RFC 5322 dot-atom


def render_email(message: AlertMessage, channel: EmailChannel) -> EmailMessage:
    """The e-mail for one alert: plain text, with ``X-Watchboard-*`` headers for filtering."""
    mail = EmailMessage()
    mail["Subject"] = _one_line(f"[watchboard] {message.case}: {message.title}")
    mail["From"] = channel.sender
    mail["To"] = ", ".join(channel.recipients)
    mail["Date"] = format_datetime(datetime.now(UTC))
    mail["Message-ID"] = message_id(message.id, channel.sender)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    mail["X-Watchboard-Alert-Id"] = _one_line(message.id)
    mail["X-Watchboard-Case"] = _one_line(message.case)
    mail["X-Watchboard-Rule"] = _one_line(message.rule)
    created = message.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    footer = [f"Case: {message.case}", f"Rule: {message.rule} ({message.kind})"]
    footer += [f"Raised: {created}", f"Alert: {message.id}"]
    if message.url:
        footer.insert(0, f"Link: {message.url}")
    mail.set_content(f"{message.body.rstrip()}\n\n-- \n" + "\n".join(footer) + "\n")
    return mail


def message_id(alert_id: str, sender: str) -> str:
    """``<watchboard.alert.ID@sender-domain>``; an id with unsafe characters is hashed."""
    safe = _SAFE_ID.fullmatch(alert_id) and len(alert_id) <= 64
    local = alert_id if safe else hashlib.sha256(alert_id.encode()).hexdigest()[:32]
    domain = sender.rpartition("@")[2].strip(" >") or "watchboard.invalid"
    return f"<watchboard.alert.{local}@{domain}>"


def send_email(message: AlertMessage, channel: EmailChannel) -> None:
    """Send ``message`` once; raise :class:`DeliveryError` if the server did not accept it."""
    label, target = f"email {channel.name}", f"{channel.host}:{channel.port}"
    mail = render_email(message, channel)
    try:
        with smtplib.SMTP(channel.host, channel.port, timeout=channel.timeout) as smtp:
            if channel.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if channel.username and channel.password:
                smtp.login(channel.username, channel.password)
            refused = smtp.send_message(
                mail, from_addr=channel.sender, to_addrs=list(channel.recipients)
            )
    except (smtplib.SMTPException, OSError) as exc:
        reason, retryable = _failure(exc, channel.timeout)
        raise DeliveryError(label, target, reason, retryable=retryable) from None
    if refused:
        log.warning("alert %s: %s refused %s", message.id, label, ", ".join(sorted(refused)))
    log.info("alert %s delivered to %s", message.id, label)


def _failure(exc: OSError, timeout: float) -> tuple[str, bool]:
    """A one-line reason and whether a later attempt may succeed (SMTP 4xx: yes, 5xx: no)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = exc.recipients.items()
        reason = "; ".join(f"{who}: {_reply(code, text)}" for who, (code, text) in replies)
        retryable = all(400 <= code < 500 for code, _ in exc.recipients.values())
        return f"all recipients refused ({reason})", retryable
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error), 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"server closed the connection ({exc})", True
    if isinstance(exc, smtplib.SMTPException):  # e.g. STARTTLS or AUTH not offered
        return str(exc), False
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc})", False
    if isinstance(exc, TimeoutError):
        return f"timed out after {timeout:g}s", True
    return f"cannot connect ({exc.strerror or exc})", True  # refused, unreachable, unknown host


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"SMTP {code} {' '.join(text.split())}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
