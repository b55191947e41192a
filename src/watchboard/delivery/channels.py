"""Delivery channels and how they are read from the ``[alerts]`` table of ``watchboard.toml``.

::

    [alerts]
    atom = "alerts.xml"      # or { path = "alerts.xml", title = "...", max_entries = 500 }

    [[alerts.webhook]]
    name = "ops"
    url = "https://hooks.example.org/watchboard"
    secret_env = "WATCHBOARD_OPS_SECRET"  # the secret itself stays out of the file
    timeout = 10.0
    headers = { "X-Team" = "korea-desk" }

    [[alerts.email]]
    name = "desk"
    host = "smtp.example.org"
    port = 587                            # default 587 with starttls, else 25
    from = "watchboard@example.org"
    to = ["analyst@example.org"]          # or one address as a string
    starttls = true
    username = "watchboard"
    password_env = "WATCHBOARD_SMTP_PASSWORD"

Channel names are unique (the atom feed is called ``atom``); unknown keys inside a channel are
errors, so a typo does not silently drop a setting. Other keys of ``[alerts]`` are left to
whoever else reads that table.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from watchboard.errors import WatchboardError


@dataclass(frozen=True)
class WebhookChannel:
    """POST each alert as JSON to ``url``, signed with ``secret`` when there is one."""

    name: str
    url: str
    secret: str | None = field(default=None, repr=False)
    timeout: float = 10.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EmailChannel:
    """Mail each alert to ``recipients`` through an SMTP server."""

    name: str
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    timeout: float = 10.0


@dataclass(frozen=True)
class AtomChannel:
    """An Atom feed file of recent alerts, rewritten whole after each change."""

    name: str
    path: Path
    title: str = "Watchboard alerts"
    max_entries: int = 500


Channel = WebhookChannel | EmailChannel | AtomChannel


class ChannelConfigError(WatchboardError):
    """A bad ``[alerts]`` setting; names the key (``alerts.webhook[ops].url``) and the fix."""

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        self.reason = reason
        super().__init__(f"watchboard.toml: {key}: {reason}")


def channels_from_config(
    raw: Mapping[str, Any], *, base_dir: Path, environ: Mapping[str, str] | None = None
) -> list[Channel]:
    """Build the channels an ``[alerts]`` table declares; secrets come from ``environ``.

    Relative feed paths are resolved against ``base_dir`` (the workspace). ``environ``
    defaults to ``os.environ``.
    """
    env = os.environ if environ is None else environ
    channels: list[Channel] = []
    if "atom" in raw:
        channels.append(_atom(raw["atom"], base_dir))
    for index, table in enumerate(_tables(raw, "webhook")):
        channels.append(_webhook(_Table(table, f"alerts.webhook[{index}]"), env))
    for index, table in enumerate(_tables(raw, "email")):
        channels.append(_email(_Table(table, f"alerts.email[{index}]"), env))
    seen: set[str] = set()
    for channel in channels:
        if channel.name in seen:
            kind = "webhook" if isinstance(channel, WebhookChannel) else "email"
            raise ChannelConfigError(
                f"alerts.{kind}[{channel.name}].name", "another channel has this name; rename one"
            )
        seen.add(channel.name)
    return channels


class _Table:
    """One channel's table with typed getters whose errors name the key."""

    def __init__(self, data: Mapping[str, Any], key: str) -> None:
        self.data = data
        self.key = key

    def error(self, name: str, reason: str) -> ChannelConfigError:
        return ChannelConfigError(f"{self.key}.{name}", reason)

    def check_keys(self, allowed: set[str], hints: Mapping[str, str]) -> None:
        for name in self.data:
            if name in hints:
                raise self.error(name, hints[name])
            if name not in allowed:
                raise self.error(
                    name, f"unknown setting; expected one of {', '.join(sorted(allowed))}"
                )

    def name(self) -> str:
        """The channel's name, which from now on replaces the index in error keys."""
        name = self.string("name")
        self.key = f"{self.key.rsplit('[', 1)[0]}[{name}]"
        return name

    def string(self, name: str, default: str | None = None) -> str:
        value = self.data.get(name, default)
        if value is None:
            raise self.error(name, "missing")
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, f"must be a non-empty string, got {value!r}")
        return value.strip()

    def number(self, name: str, default: float) -> float:
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.error(name, f"must be a positive number, got {value!r}")
        return float(value)

    def integer(self, name: str, default: int, *, high: int) -> int:
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
            raise self.error(name, f"must be a whole number from 1 to {high}, got {value!r}")
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            raise self.error(name, f"must be true or false, got {value!r}")
        return value

    def secret(self, name: str, env: Mapping[str, str]) -> str | None:
        if name not in self.data:
            return None
        variable = self.string(name)
        value = env.get(variable)
        if not value:
            state = "is empty" if value == "" else "is not set"
            raise self.error(name, f"environment variable {variable} {state}; export it first")
        return value


def _tables(raw: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    tables = raw.get(kind, [])
    if isinstance(tables, Mapping):  # [alerts.webhook] written once, without the double brackets
        tables = [tables]
    if not isinstance(tables, list) or not all(isinstance(t, Mapping) for t in tables):
        raise ChannelConfigError(f"alerts.{kind}", f"must be tables written as [[alerts.{kind}]]")
    return tables


def _atom(value: Any, base_dir: Path) -> AtomChannel:
    table = _Table({"path": value} if isinstance(value, str) else value, "alerts.atom")
    if not isinstance(table.data, Mapping):
        raise ChannelConfigError("alerts.atom", "must be a file path or a table with a path")
    table.check_keys({"path", "title", "max_entries"}, {})
    return AtomChannel(
        name="atom",
        path=base_dir / table.string("path"),
        title=table.string("title", AtomChannel.title),
        max_entries=table.integer("max_entries", AtomChannel.max_entries, high=100_000),
    )


def _webhook(table: _Table, env: Mapping[str, str]) -> WebhookChannel:
    name = table.name()
    table.check_keys(
        {"name", "url", "secret_env", "timeout", "headers"},
        {"secret": "put the secret in an environment variable and name it with secret_env"},
    )
    url = table.string("url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise table.error("url", f"must be an http or https URL, got {url!r}")
    headers = table.data.get("headers", {})
    if not isinstance(headers, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise table.error("headers", "must be a table of header names to string values")
    return WebhookChannel(
        name=name,
        url=url,
        secret=table.secret("secret_env", env),
        timeout=table.number("timeout", WebhookChannel.timeout),
        headers=dict(headers),
    )


def _email(table: _Table, env: Mapping[str, str]) -> EmailChannel:
    name = table.name()
    table.check_keys(
        {"name", "host", "port", "from", "to", "username", "password_env", "starttls", "timeout"},
        {
            "password": "put the password in an environment variable and name it with password_env",
            "sender": "the sender is called 'from'",
            "recipients": "the recipients are called 'to'",
        },
    )
    starttls = table.flag("starttls", False)
    recipients = table.data.get("to")
    if isinstance(recipients, str):
        recipients = [recipients]
    if (
        not isinstance(recipients, list)
        or not recipients
        or not all(isinstance(r, str) and "@" in r for r in recipients)
    ):
        raise table.error("to", f"must be an address or a list of addresses, got {recipients!r}")
    sender = table.string("from")
    if "@" not in sender:
        raise table.error("from", f"must be an e-mail address, got {sender!r}")
    username = table.string("username") if "username" in table.data else None
    password = table.secret("password_env", env)
    if (username is None) != (password is None):
        missing = "password_env" if password is None else "username"
        raise table.error(missing, "missing (username and password_env go together)")
    return EmailChannel(
        name=name,
        host=table.string("host"),
        port=table.integer("port", 587 if starttls else 25, high=65535),
        sender=sender,
        recipients=tuple(r.strip() for r in recipients),
        username=username,
        password=password,
        starttls=starttls,
        timeout=table.number("timeout", EmailChannel.timeout),
    )
