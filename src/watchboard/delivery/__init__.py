"""Alert delivery: webhooks, e-mail and an Atom feed. Pure channel code, no database.

The caller (``jobs``) stores alerts and pending deliveries; it calls :func:`send` once per
attempt, reschedules a :class:`DeliveryError` with ``retryable`` set after :func:`backoff`
seconds, and rewrites the feed with :func:`write_atom_feed` when alerts change.
"""

from .atom import write_atom_feed
from .channels import (
    AtomChannel,
    Channel,
    ChannelConfigError,
    EmailChannel,
    WebhookChannel,
    channels_from_config,
)
from .dispatch import backoff, send
from .mail import render_email
from .message import AlertMessage, DeliveryError
from .webhook import REPLAY_WINDOW, sign, verify

__all__ = [
    "REPLAY_WINDOW",
    "AlertMessage",
    "AtomChannel",
    "Channel",
    "ChannelConfigError",
    "DeliveryError",
    "EmailChannel",
    "WebhookChannel",
    "backoff",
    "channels_from_config",
    "render_email",
    "send",
    "sign",
    "verify",
    "write_atom_feed",
]
