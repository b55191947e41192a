"""Alerts end to end: 'watchboard assess' on the demo case raises them once, and delivery to a
real local webhook receiver and SMTP server retries failures and never sends one twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser

from delivery.conftest import HookServer, Reply, SmtpServer
from watchboard import jobs
from watchboard.delivery import verify
from watchboard.jobs import assess as assess_jobs
from watchboard.store import Store


def _demo(tmp_path: Path, **alerts: object):
    settings = jobs.build_demo(tmp_path / "ws").settings
    return replace(settings, alerts=dict(alerts))


def test_alerts_are_raised_once_and_delivered_once(
    tmp_path: Path, hook_server: HookServer, smtp_server: SmtpServer, monkeypatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", "s3cret")
    settings = _demo(
        tmp_path,
        atom="alerts.xml",
        webhook=[{"name": "team", "url": hook_server.url(), "secret_env": "HOOK_SECRET"}],
        email=[
            {
                "name": "desk",
                "host": "127.0.0.1",
                "port": smtp_server.port,
                "from": "wb@example.org",
                "to": ["desk@example.org"],
            }
        ],
    )
    with Store.open(settings.database_url) as store:
        # build_demo assessed before any channel existed: reassessing raises nothing new.
        again = assess_jobs.assess_case(store, settings, "dprk-2026")
        assert again.new_alerts == []
        before = assess_jobs.list_alerts(store)
        assert before and all(a["deliveries"] == [] for a in before)
        # A new judgment changes a milestone's status: exactly one alert, queued per channel.
        assess_jobs.link_evidence(
            store,
            "congress-plan",
            before[0]["data"].get("claim") or _any_claim(store),
            note="state media report of the congress",
        )
        report = assess_jobs.assess_case(store, settings, "dprk-2026")
        assert len(report.new_alerts) >= 1
        hook_server.replies = [Reply(status=503)]  # the receiver is down once
        first = assess_jobs.deliver_alerts(store, settings)
        assert first.retrying == len(report.new_alerts) and first.delivered == len(
            report.new_alerts
        )
        later = datetime.now(UTC) + timedelta(hours=2)
        second = assess_jobs.deliver_alerts(store, settings, now=later)
        assert second.delivered == len(report.new_alerts) and second.retrying == 0
        third = assess_jobs.deliver_alerts(store, settings, now=later + timedelta(hours=2))
        assert third.delivered == 0  # never twice
    heads = [{k.lower(): v for k, v in r.headers.items()} for r in hook_server.requests]
    ids = [h["x-watchboard-alert-id"] for h in heads]
    assert sorted(set(ids)) == sorted(report.new_alerts)
    assert len(ids) == 2 * len(report.new_alerts)  # the refused attempt, then the delivery
    for request, head in zip(hook_server.requests, heads, strict=True):
        assert verify(
            request.body,
            "s3cret",
            timestamp=int(head["x-watchboard-timestamp"]),
            signature=head["x-watchboard-signature"],
        )
    assert len(smtp_server.sink.envelopes) == len(report.new_alerts)
    feed = feedparser.parse((settings.workspace / "alerts.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) == len(before) + len(report.new_alerts)


def _any_claim(store: Store) -> str:
    return jobs.list_claims(store, case="dprk-2026", limit=1)[0]["id"]


def test_failed_delivery_is_kept_and_can_be_requeued(tmp_path: Path, closed_port: int) -> None:
    settings = _demo(
        tmp_path, webhook=[{"name": "gone", "url": f"http://127.0.0.1:{closed_port}/hook"}]
    )
    with Store.open(settings.database_url) as store:
        claim = _any_claim(store)
        assess_jobs.link_evidence(store, "congress-plan", claim, note="test")
        report = assess_jobs.assess_case(store, settings, "dprk-2026")
        result = assess_jobs.deliver_alerts(store, settings)
        assert result.retrying == len(report.new_alerts) and result.delivered == 0
        assert f"127.0.0.1:{closed_port}" in result.errors[0]
        alerts = {a["id"]: a for a in assess_jobs.list_alerts(store)}
        for alert_id in report.new_alerts:
            [delivery] = alerts[alert_id]["deliveries"]
            assert delivery["status"] == "pending" and delivery["attempts"] == 1
            assert delivery["last_error"]
