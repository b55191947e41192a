"""Retry spacing, message validation and the ``[alerts]`` settings."""

from __future__ import annotations

import random
import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from watchboard.delivery import (
    AtomChannel,
    ChannelConfigError,
    EmailChannel,
    WebhookChannel,
    backoff,
    channels_from_config,
    send,
)
from watchboard.errors import WatchboardError

from .conftest import alert

CONFIG = """
[alerts]
atom = "feeds/alerts.xml"

[[alerts.webhook]]
name = "ops"
url = "https://hooks.example.org/watchboard"
secret_env = "OPS_SECRET"
headers = { "X-Team" = "korea-desk" }

[[alerts.webhook]]
name = "plain"
url = "http://127.0.0.1:8080/hook"
timeout = 2

[[alerts.email]]
name = "desk"
host = "smtp.example.org"
from = "watchboard@example.org"
to = "analyst@example.org"
starttls = true
username = "wb"
password_env = "SMTP_PASSWORD"
"""
ENV = {"OPS_SECRET": "hook-secret", "SMTP_PASSWORD": "mail-secret"}


def test_backoff_doubles_from_base_up_to_the_cap() -> None:
    assert [backoff(n) for n in range(1, 9)] == [30, 60, 120, 240, 480, 960, 1920, 3600]
    assert backoff(10_000) == 3600
    assert backoff(3, base=1, cap=10) == 4


def test_backoff_jitter_only_shortens_and_is_reproducible() -> None:
    delays = [backoff(4, jitter=0.5, rng=random.Random(seed)) for seed in range(50)]
    assert all(120 <= delay <= 240 for delay in delays)
    assert len(set(delays)) > 1
    assert backoff(4, jitter=0.5, rng=random.Random(7)) == backoff(
        4, jitter=0.5, rng=random.Random(7)
    )


@pytest.mark.parametrize("bad", [{"attempt": 0}, {"attempt": 1, "jitter": 1.5}])
def test_backoff_refuses_nonsense(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        backoff(**bad)  # type: ignore[arg-type]


def test_alert_messages_must_be_aware_and_serialisable() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        alert(created_at=datetime(2026, 1, 5, 12))
    with pytest.raises(ValueError, match="JSON"):
        alert(data={"when": datetime(2026, 1, 5, 12)})


def test_atom_channels_are_written_not_sent(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="AtomChannel"):
        send(alert(), AtomChannel("atom", tmp_path / "a.xml"))  # type: ignore[arg-type]


def test_config_builds_every_channel(tmp_path: Path) -> None:
    raw = tomllib.loads(CONFIG)["alerts"]
    atom, ops, plain, desk = channels_from_config(raw, base_dir=tmp_path, environ=ENV)
    assert atom == AtomChannel("atom", tmp_path / "feeds" / "alerts.xml")
    assert ops == WebhookChannel(
        "ops", "https://hooks.example.org/watchboard", "hook-secret", 10.0, {"X-Team": "korea-desk"}
    )
    assert plain == WebhookChannel("plain", "http://127.0.0.1:8080/hook", None, 2.0)
    assert desk == EmailChannel(
        name="desk",
        host="smtp.example.org",
        port=587,
        sender="watchboard@example.org",
        recipients=("analyst@example.org",),
        username="wb",
        password="mail-secret",
        starttls=True,
    )
    assert "hook-secret" not in repr(ops) and "mail-secret" not in repr(desk)


def test_config_reads_the_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPS_SECRET", "from-env")
    raw = {"webhook": [{"name": "ops", "url": "https://h.example/x", "secret_env": "OPS_SECRET"}]}
    (ops,) = channels_from_config(raw, base_dir=tmp_path)
    assert isinstance(ops, WebhookChannel) and ops.secret == "from-env"


def test_an_empty_alerts_table_has_no_channels(tmp_path: Path) -> None:
    assert channels_from_config({}, base_dir=tmp_path) == []


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        (
            '[[alerts.webhook]]\nname = "ops"\nurl = "https://h.example/x"\nsecret_env = "NOPE"',
            {},
            "alerts.webhook[ops].secret_env: environment variable NOPE is not set",
        ),
        (
            '[[alerts.webhook]]\nname = "ops"\nurl = "https://h.example/x"\nsecret_env = "E"',
            {"E": ""},
            "alerts.webhook[ops].secret_env: environment variable E is empty",
        ),
        (
            '[[alerts.webhook]]\nurl = "https://h.example/x"',
            {},
            "alerts.webhook[0].name: missing",
        ),
        (
            '[[alerts.webhook]]\nname = "ops"\nurl = "ftp://h.example/x"',
            {},
            "alerts.webhook[ops].url: must be an http or https URL, got 'ftp://h.example/x'",
        ),
        (
            '[[alerts.webhook]]\nname = "ops"\nurl = "https://h.example/x"\nsecret = "inline"',
            {},
            "alerts.webhook[ops].secret: put the secret in an environment variable",
        ),
        (
            '[[alerts.webhook]]\nname = "ops"\nurl = "https://h.example/x"\ntimout = 3',
            {},
            "alerts.webhook[ops].timout: unknown setting; expected one of headers, name,",
        ),
        (
            '[[alerts.webhook]]\nname = "ops"\nurl = "https://h.example/x"\ntimeout = -1',
            {},
            "alerts.webhook[ops].timeout: must be a positive number, got -1",
        ),
        (
            '[[alerts.email]]\nname = "d"\nhost = "h"\nfrom = "a@b"\nto = []',
            {},
            "alerts.email[d].to: must be an address or a list of addresses, got []",
        ),
        (
            '[[alerts.email]]\nname = "d"\nhost = "h"\nfrom = "a@b"\nto = "c@d"\nport = 70000',
            {},
            "alerts.email[d].port: must be a whole number from 1 to 65535, got 70000",
        ),
        (
            '[[alerts.email]]\nname = "d"\nhost = "h"\nfrom = "a@b"\nto = "c@d"\nusername = "u"',
            {},
            "alerts.email[d].password_env: missing (username and password_env go together)",
        ),
        (
            '[[alerts.email]]\nname = "d"\nhost = "h"\nto = "c@d"',
            {},
            "alerts.email[d].from: missing",
        ),
        (
            '[[alerts.webhook]]\nname = "x"\nurl = "http://h/"\n'
            '[[alerts.email]]\nname = "x"\nhost = "h"\nfrom = "a@b"\nto = "c@d"',
            {},
            "alerts.email[x].name: another channel has this name",
        ),
        ("atom = 3", {}, "alerts.atom: must be a file path or a table with a path"),
        ("webhook = 3", {}, "alerts.webhook: must be tables written as [[alerts.webhook]]"),
    ],
)
def test_config_errors_name_the_key(
    tmp_path: Path, toml: str, env: dict[str, str], message: str
) -> None:
    raw = tomllib.loads(toml)
    with pytest.raises(ChannelConfigError) as failed:
        channels_from_config(raw.get("alerts", raw), base_dir=tmp_path, environ=env)
    assert isinstance(failed.value, WatchboardError)
    assert str(failed.value).startswith(f"watchboard.toml: {message}")
    assert "\n" not in str(failed.value)
