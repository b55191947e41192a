"""Webhook delivery: one signed JSON POST per attempt.

The request body is the alert as a JSON object (``id``, ``case``, ``rule``, ``kind``,
``title``, ``body``, ``created_at`` in ISO 8601 UTC, ``url``, ``data``), UTF-8, with headers::

    Content-Type: application/json
    User-Agent: Watchboard/<version> (...)
    X-Watchboard-Alert-Id: <alert id>       the same on every retry: drop ids already seen
    X-Watchboard-Timestamp: <unix seconds>  when this attempt was made (new on each retry)
    X-Watchboard-Signature: sha256=<hex>    only when the channel has a secret

Verifying the signature (what :func:`verify` does)
--------------------------------------------------
The signature is ``HMAC-SHA256(key=secret, msg=f"{timestamp}.".encode() + raw_body)`` in
lower-case hex, where ``timestamp`` is the header's text and ``raw_body`` the exact bytes
received (before any JSON parsing). A receiver:

1. recomputes it and compares it with the header in constant time (``hmac.compare_digest``);
2. rejects a timestamp more than five minutes from its own clock, so a captured request cannot
   be replayed later (the timestamp is inside the signed text and cannot be changed);
3. within that window, drops an alert id it has already processed, which covers both replays
   and our own retries after a lost response (the header repeats the body's ``id``, which is
   the signed copy).

A 2xx answer means delivered. 408, 425, 429, 5xx, connection errors and timeouts are retried
later (a ``Retry-After`` is passed on as :attr:`DeliveryError.retry_after`); any other status,
redirects included, is a permanent failure. Redirects are not followed: a POST should go to the
configured URL. Channel ``headers`` are sent too, but cannot replace the ones above.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from watchboard.config import USER_AGENT

from .channels import WebhookChannel
from .message import AlertMessage, DeliveryError

log = logging.getLogger(__name__)

REPLAY_WINDOW = 300
"""Seconds a receiver should accept between the signed timestamp and its own clock."""

_RETRYABLE_STATUS = {408, 425, 429}


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The hex HMAC-SHA256 of ``f"{timestamp}."`` followed by ``body``, keyed with ``secret``."""
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify(
    body: bytes,
    secret: str,
    *,
    timestamp: str,
    signature: str,
    now: float | None = None,
    window: float = REPLAY_WINDOW,
) -> bool:
    """Check a received webhook: the signature header matches and the timestamp is recent."""
    try:
        stamp = int(timestamp)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - stamp) > window:
        return False
    expected = "sha256=" + sign(body, secret, stamp)
    return hmac.compare_digest(expected.encode(), signature.strip().encode())


def send_webhook(
    message: AlertMessage, channel: WebhookChannel, *, client: httpx.Client | None = None
) -> None:
    """POST ``message`` once; raise :class:`DeliveryError` if the receiver did not take it."""
    body = json.dumps(message.to_json(), ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        **channel.headers,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Watchboard-Alert-Id": message.id,
        "X-Watchboard-Timestamp": str(timestamp),
    }
    if channel.secret:
        headers["X-Watchboard-Signature"] = "sha256=" + sign(body, channel.secret, timestamp)
    label, target = f"webhook {channel.name}", _display_url(channel.url)

    def fail(reason: str, *, retryable: bool, retry_after: float | None = None) -> DeliveryError:
        return DeliveryError(label, target, reason, retryable=retryable, retry_after=retry_after)

    try:
        if client is None:
            with httpx.Client(timeout=channel.timeout) as own:
                response = own.post(channel.url, content=body, headers=headers)
        else:
            response = client.post(
                channel.url, content=body, headers=headers, timeout=channel.timeout
            )
    except httpx.TimeoutException:
        raise fail(f"timed out after {channel.timeout:g}s", retryable=True) from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise fail(f"not a usable URL ({exc})", retryable=False) from None
    except httpx.ConnectError as exc:
        raise fail(f"cannot connect ({_reason(exc)})", retryable=True) from None
    except httpx.TransportError as exc:
        raise fail(f"connection failed ({_reason(exc)})", retryable=True) from None
    status = response.status_code
    if 200 <= status < 300:
        log.info("alert %s delivered to %s (HTTP %d)", message.id, label, status)
        return
    reason = f"HTTP {status} {response.reason_phrase}".rstrip()
    if response.is_redirect:
        location = response.headers.get("location", "?")
        raise fail(f"{reason}, redirected to {location}; configure that URL", retryable=False)
    detail = " ".join(response.text.split())[:200]
    if detail:
        reason += f": {detail}"
    retryable = status in _RETRYABLE_STATUS or status >= 500
    raise fail(reason, retryable=retryable, retry_after=_retry_after(response))


def _display_url(url: str) -> str:
    """The URL without credentials, query or fragment, which may carry secrets."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.rsplit("] ", 1)[-1]  # "[Errno 111] Connection refused" -> "Connection refused"
