"""One delivery attempt on a push channel, and how long to wait before the next one."""

from __future__ import annotations

import random

import httpx

from .channels import EmailChannel, WebhookChannel
from .mail import send_email
from .message import AlertMessage
from .webhook import send_webhook


def send(
    message: AlertMessage,
    channel: WebhookChannel | EmailChannel,
    *,
    client: httpx.Client | None = None,
) -> None:
    """Deliver ``message`` once; raise :class:`DeliveryError` with ``retryable`` set if not.

    ``client`` is reused for webhooks when given (connection pooling); e-mail ignores it.
    Deduplication across attempts is the caller's job; the alert id travels with every
    attempt so receivers can help.
    """
    if isinstance(channel, WebhookChannel):
        send_webhook(message, channel, client=client)
    elif isinstance(channel, EmailChannel):
        send_email(message, channel)
    else:
        raise TypeError(f"cannot send to {type(channel).__name__}; Atom feeds are written whole")


def backoff(
    attempt: int,
    *,
    base: float = 30.0,
    cap: float = 3600.0,
    jitter: float = 0.0,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1, 2, ...) before trying again.

    ``base * 2 ** (attempt - 1)``, at most ``cap``: 30 s, 1 min, 2 min ... 1 h by default.
    ``jitter`` (0..1) takes up to that fraction off at random, so that many alerts failing
    together do not retry together; without it the result is deterministic.
    """
    if attempt < 1:
        raise ValueError(f"attempt numbers start at 1, got {attempt}")
    if not 0.0 <= jitter <= 1.0:
        raise ValueError(f"jitter must be between 0 and 1, got {jitter}")
    delay = min(cap, base * 2.0 ** min(attempt - 1, 64))
    if jitter:
        delay *= 1.0 - jitter * (rng or random).random()
    return delay
