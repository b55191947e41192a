"""What is delivered (an alert message) and how a delivery fails (with or without hope)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from watchboard.errors import WatchboardError


@dataclass(frozen=True)
class AlertMessage:
    """One alert, as every channel renders it.

    ``id`` is stable across retries and is sent with every delivery (webhook header, e-mail
    Message-ID, Atom entry id) so a receiver can drop a copy it has already seen.
    """

    id: str
    case: str
    rule: str
    kind: str
    title: str
    body: str
    created_at: datetime
    url: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("an alert message needs an id")
        if self.created_at.utcoffset() is None:
            raise ValueError(f"alert {self.id}: created_at must be timezone-aware")
        try:
            json.dumps(self.data)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"alert {self.id}: data is not JSON-serialisable ({exc})") from None

    def to_json(self) -> dict[str, Any]:
        """The message as a JSON object (``created_at`` in ISO 8601, UTC)."""
        return {
            "id": self.id,
            "case": self.case,
            "rule": self.rule,
            "kind": self.kind,
            "title": self.title,
            "body": self.body,
            "created_at": self.created_at.astimezone(UTC).isoformat(),
            "url": self.url,
            "data": self.data,
        }


class DeliveryError(WatchboardError):
    """One delivery attempt failed; ``retryable`` says whether trying again later may help.

    ``retry_after`` is the receiver's own hint in seconds (HTTP ``Retry-After``), if it gave one;
    a caller should wait at least that long and at least :func:`backoff`.
    """

    def __init__(
        self,
        channel: str,
        target: str,
        reason: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
    ) -> None:
        self.channel = channel
        self.target = target
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after
        hint = "temporary: a later attempt may work" if retryable else "permanent: fix, then resend"
        super().__init__(f"{channel} ({target}): {reason} [{hint}]")
