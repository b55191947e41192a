"""Assessment through jobs and the CLI on both backends: stored grades, replays as of a date,
analysts' changes in the audit log, milestones, timeline, alerts; and the schema migration."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from watchboard import jobs
from watchboard.cli import cli
from watchboard.jobs import assess as assess_jobs
from watchboard.store import Store, migrations


@pytest.fixture
def demo(tmp_path: Path, db_url: str):
    url = db_url if db_url.startswith("postgresql") else None
    return jobs.build_demo(tmp_path / "ws", database_url=url)


def run(ws: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["-w", str(ws), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_is_assessed_and_explained(demo) -> None:
    ws = demo.settings.workspace
    report = demo.assessment
    assert report.stored and report.assessment.grades
    rows = json.loads(run(ws, "claims", "--json"))
    assert all(r["rating"] and r["credibility"] in range(1, 7) for r in rows)
    unidentified = [r for r in rows if not r["source_identified"]]
    assert unidentified and all(r["credibility"] == 6 for r in unidentified)
    confirmed = run(ws, "claims", "--max-credibility", "1")
    assert "[" in confirmed and "[F6]" not in confirmed
    digest = next(r for r in rows if "15 January 2026" in r["quote"])
    explained = run(ws, "explain", digest["id"])
    assert "unjudgeable-source" in explained and "15 January 2026" in explained
    contradictions = run(ws, "contradictions")
    assert "unknown_vs_specific" in contradictions and "World News Digest" in contradictions


def test_replay_as_of_an_earlier_date_sees_only_what_was_known(demo) -> None:
    ws = demo.settings.workspace
    early = json.loads(run(ws, "assess", "--as-of", "2025-12-26", "--json"))
    assert not early["stored"] and early["new_alerts"] == []
    full = demo.assessment.assessment.stats["claims"]
    assert 0 < early["stats"]["claims"] < full  # the 27-28 December reports are not in yet
    before = json.loads(run(ws, "milestones", "--as-of", "2025-12-31", "--json"))
    assert {m["status"] for m in before["milestones"]} == {"pending"}
    after = json.loads(run(ws, "milestones", "--as-of", "2026-04-01", "--json"))
    status = {m["key"]: m["status"] for m in after["milestones"]}
    assert status["congress-plan"] == "overdue" and status["new-factories-construction"] == "due"
    timeline = run(ws, "timeline", "--as-of", "2026-04-01")
    assert "OVERDUE" in timeline and "Party congress" in timeline


def test_analyst_changes_are_audited_and_replayed_by_date(demo) -> None:
    ws = demo.settings.workspace
    settings = demo.settings
    run(ws, "regrade", "World News Digest", "B", "--reason", "test", "--by", "ana")
    claim = next(
        r["id"] for r in json.loads(run(ws, "claims", "--json")) if "15 January" in r["quote"]
    )
    run(ws, "grade", claim, "2", "--reason", "seen the invitation", "--by", "ana")
    with Store.open(settings.database_url) as store:
        now = assess_jobs.assess_case(store, settings, "dprk-2026").assessment
        then = assess_jobs.assess_case(
            store, settings, "dprk-2026", as_of=date(2026, 1, 1)
        ).assessment
    assert now.grades[claim].credibility == 2 and now.grades[claim].override is not None
    assert now.grades[claim].origin.reliability == "B"
    assert then.grades[claim].override is None and then.grades[claim].origin.reliability == "F"
    audit = json.loads(run(ws, "audit", "--json"))
    assert [a["action"] for a in audit[:2]] == ["claim.credibility", "source.reliability"]
    assert audit[1]["before"] == "F" and audit[1]["after"] == "B" and audit[1]["actor"] == "ana"
    run(ws, "grade", claim, "clear", "--reason", "mistake")
    with Store.open(settings.database_url) as store:
        cleared = assess_jobs.assess_case(store, settings, "dprk-2026").assessment
    assert cleared.grades[claim].override is None


def test_suggestions_links_and_alert_acknowledgement(demo) -> None:
    ws = demo.settings.workspace
    suggestions = json.loads(run(ws, "milestones", "suggestions", "--json"))
    assert suggestions and all(s["status"] == "pending" for s in suggestions)
    run(ws, "milestones", "accept", str(suggestions[0]["id"]), "--key", "accepted-one")
    shown = json.loads(run(ws, "milestones", "--json"))
    assert "accepted-one" in {m["key"] for m in shown["milestones"]}
    again = ["-w", str(ws), "milestones", "accept", str(suggestions[0]["id"])]
    result = CliRunner().invoke(cli, again)
    assert result.exit_code == 1 and "already accepted" in result.output
    claim = json.loads(run(ws, "claims", "--json", "--limit", "1"))[0]["id"]
    run(ws, "milestones", "link", "congress-plan", claim, "--note", "analyst's call")
    out = json.loads(run(ws, "assess", "--json", "--no-deliver"))
    congress = next(m for m in out["milestones"] if m["key"] == "congress-plan")
    assert congress["status"] == "achieved"
    assert any(a for a in out["new_alerts"])
    alerts = json.loads(run(ws, "alerts", "--json"))
    first = alerts[0]["id"]
    run(ws, "alerts", "ack", first[:8], "--note", "read it")
    assert first not in {a["id"] for a in json.loads(run(ws, "alerts", "--json"))}
    result = CliRunner().invoke(cli, ["-w", str(ws), "alerts", "ack", first])
    assert result.exit_code == 1 and "was acknowledged" in result.output
    actions = [a["action"] for a in json.loads(run(ws, "audit", "--json"))]
    assert {"alert.ack", "milestone.link", "milestone.accept"} <= set(actions)


def test_bad_inputs_are_one_line_errors(demo) -> None:
    ws = demo.settings.workspace
    for args, message in [
        (["assess", "--as-of", "2026-02-30"], "is not a date"),
        (["grade", "ffff0000", "2", "--reason", "x"], "no claim"),
        (["regrade", "Nobody", "A", "--reason", "x"], "no source 'Nobody'"),
        (["milestones", "link", "nope", "ffff", "--note", "x"], "no milestone 'nope'"),
        (["alerts", "ack", "zzzz"], "no alert"),
    ]:
        result = CliRunner().invoke(cli, ["-w", str(ws), *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)


def test_version_2_database_is_upgraded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with Store.open(url, create=True) as store, store.transaction() as conn:
        # Make it look like a database created before migration 3.
        for table in migrations._V3_TABLES:
            conn.execute(text(f"DROP TABLE {table}"))
        conn.execute(text("ALTER TABLE milestones DROP COLUMN event_type"))
        conn.execute(text("DELETE FROM schema_migrations WHERE version = 3"))
    with Store.open(url, create=True) as store:
        assert store.applied_migrations == [3]
        with store.reading() as conn:
            columns = {r[1] for r in conn.execute(text("PRAGMA table_info(milestones)"))}
    assert "event_type" in columns
