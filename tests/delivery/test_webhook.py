"""Webhooks against a real HTTP server on 127.0.0.1: payload, signature, retry decisions."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx
import pytest

from watchboard import __version__
from watchboard.delivery import DeliveryError, WebhookChannel, send, sign, verify

from .conftest import HookServer, Reply, alert

SECRET = "s3cret-shared-with-the-receiver"


def channel(url: str, **changes: object) -> WebhookChannel:
    return WebhookChannel(**({"name": "ops", "url": url, "secret": SECRET} | changes))  # type: ignore[arg-type]


def test_webhook_posts_the_alert_as_signed_json(hook_server: HookServer) -> None:
    message = alert(7, title='Plant <A> & "B"', data={"n": 1, "names": ["평양"]})
    send(message, channel(hook_server.url(), headers={"X-Team": "korea-desk"}))

    (request,) = hook_server.requests
    assert request.path == "/hook"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith(f"Watchboard/{__version__} ")
    assert request.headers["x-watchboard-alert-id"] == "a0007"
    assert request.headers["x-team"] == "korea-desk"
    assert json.loads(request.body) == {
        "id": "a0007",
        "case": "dprk-2026",
        "rule": "new-contradiction",
        "kind": "contradiction",
        "title": 'Plant <A> & "B"',
        "body": message.body,
        "created_at": "2026-01-05T19:00:00+00:00",
        "url": "https://watchboard.example/alerts/a0007",
        "data": {"n": 1, "names": ["평양"]},
    }
    # What a receiver does, written out with hmac rather than our own helper:
    timestamp = request.headers["x-watchboard-timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256)
    assert request.headers["x-watchboard-signature"] == f"sha256={expected.hexdigest()}"
    assert verify(
        request.body,
        SECRET,
        timestamp=timestamp,
        signature=request.headers["x-watchboard-signature"],
    )


def test_webhook_without_a_secret_is_not_signed(hook_server: HookServer) -> None:
    send(alert(), channel(hook_server.url(), secret=None))
    assert "x-watchboard-signature" not in hook_server.requests[0].headers


def test_channel_headers_cannot_replace_the_protocol_headers(hook_server: HookServer) -> None:
    headers = {"X-Watchboard-Alert-Id": "forged", "X-Watchboard-Signature": "sha256=00"}
    send(alert(), channel(hook_server.url(), headers=headers))
    received = hook_server.requests[0].headers
    assert received["x-watchboard-alert-id"] == "a0001"
    assert received["x-watchboard-signature"] != "sha256=00"


def test_verify_rejects_tampering_and_stale_timestamps() -> None:
    body = b'{"id":"a1"}'
    now = 1_767_614_400
    good = "sha256=" + sign(body, SECRET, now)
    assert verify(body, SECRET, timestamp=str(now), signature=good, now=now + 299)
    assert not verify(body + b" ", SECRET, timestamp=str(now), signature=good, now=now)
    assert not verify(body, "other", timestamp=str(now), signature=good, now=now)
    assert not verify(body, SECRET, timestamp=str(now + 1), signature=good, now=now)
    assert not verify(body, SECRET, timestamp=str(now), signature=good, now=now + 301)
    assert not verify(body, SECRET, timestamp="soon", signature=good, now=now)


def test_sign_is_hmac_sha256_over_timestamp_dot_body() -> None:
    assert sign(b"{}", "key", 1) == hmac.new(b"key", b"1.{}", hashlib.sha256).hexdigest()


def test_server_error_is_retryable_and_the_retry_succeeds(hook_server: HookServer) -> None:
    hook_server.replies = [Reply(500, body=b"database is down")]
    hooks = channel(hook_server.url())
    with pytest.raises(DeliveryError) as failed:
        send(alert(), hooks)
    assert failed.value.retryable
    assert str(failed.value).startswith(f"webhook ops ({hook_server.url()}): HTTP 500")
    assert "database is down" in str(failed.value)

    send(alert(), hooks)  # the next attempt is answered 200
    first, second = hook_server.requests
    assert first.body == second.body
    assert first.headers["x-watchboard-alert-id"] == second.headers["x-watchboard-alert-id"]


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(400, False), (404, False), (410, False), (408, True), (425, True), (503, True)],
)
def test_status_decides_whether_to_retry(
    hook_server: HookServer, status: int, retryable: bool
) -> None:
    hook_server.replies = [Reply(status)]
    with pytest.raises(DeliveryError) as failed:
        send(alert(), channel(hook_server.url()))
    assert failed.value.retryable is retryable
    assert f"HTTP {status}" in str(failed.value)


def test_too_many_requests_passes_on_retry_after(hook_server: HookServer) -> None:
    hook_server.replies = [Reply(429, headers={"Retry-After": "120"})]
    with pytest.raises(DeliveryError) as failed:
        send(alert(), channel(hook_server.url()))
    assert failed.value.retryable
    assert failed.value.retry_after == 120.0


def test_redirect_is_not_followed_and_not_retried(hook_server: HookServer) -> None:
    hook_server.replies = [Reply(301, headers={"Location": "https://elsewhere.example/hook"})]
    with pytest.raises(DeliveryError) as failed:
        send(alert(), channel(hook_server.url()))
    assert not failed.value.retryable
    assert "https://elsewhere.example/hook" in str(failed.value)
    assert len(hook_server.requests) == 1


def test_refused_connection_is_retryable_and_names_the_url(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/hook"
    with pytest.raises(DeliveryError) as failed:
        send(alert(), channel(url))
    assert failed.value.retryable
    assert url in str(failed.value)
    assert "cannot connect" in str(failed.value)
    assert "\n" not in str(failed.value)


def test_slow_receiver_times_out_and_is_retryable(hook_server: HookServer) -> None:
    hook_server.replies = [Reply(delay=1.0)]
    started = time.monotonic()
    with pytest.raises(DeliveryError) as failed:
        send(alert(), channel(hook_server.url(), timeout=0.2))
    assert time.monotonic() - started < 0.9
    assert failed.value.retryable
    assert "timed out after 0.2s" in str(failed.value)


def test_a_shared_client_is_used_with_the_channel_timeout(hook_server: HookServer) -> None:
    hook_server.replies = [Reply(delay=1.0)]
    with httpx.Client(timeout=30.0) as client:
        with pytest.raises(DeliveryError, match="timed out"):
            send(alert(), channel(hook_server.url(), timeout=0.2), client=client)
        send(alert(2), channel(hook_server.url()), client=client)
    assert [r.headers["x-watchboard-alert-id"] for r in hook_server.requests] == ["a0001", "a0002"]


def test_error_messages_hide_credentials_and_query_strings(closed_port: int) -> None:
    url = f"http://user:pw@127.0.0.1:{closed_port}/hook?token=abc"
    with pytest.raises(DeliveryError) as failed:
        send(alert(), channel(url))
    assert failed.value.target == f"http://127.0.0.1:{closed_port}/hook"
    assert "pw" not in str(failed.value) and "abc" not in str(failed.value)


def test_a_url_that_is_not_http_is_a_permanent_failure() -> None:
    with pytest.raises(DeliveryError) as failed:
        send(alert(), channel("ftp://127.0.0.1/hook"))
    assert not failed.value.retryable
