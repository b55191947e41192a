"""The command line, through click's runner and as a real process; rows checked in the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from watchboard.cli import cli
from watchboard.config import load_settings
from watchboard.store import Store, schema

TEXT = (
    "The plant's new assembly hall was finished in March, the ministry said on Tuesday, and "
    "trial production is expected to begin before the end of the year according to officials."
)


def run(*args: str, input: bytes | None = None):
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result


def test_init_ingest_docs_show_search_diff(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert run("init", str(ws)).exit_code == 0
    story = tmp_path / "story.txt"
    story.write_text(TEXT)
    result = run("-w", str(ws), "ingest", str(story), "--source", "Ministry Bulletin")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("new ")
    docs = json.loads(run("-w", str(ws), "docs", "--json").output)
    assert len(docs) == 1 and docs[0]["source"] == "Ministry Bulletin"
    doc_id = docs[0]["id"]
    shown = json.loads(run("-w", str(ws), "show", doc_id[:5], "--json").output)
    assert shown["text"] == TEXT
    raw = run("-w", str(ws), "show", doc_id, "--raw")
    assert raw.stdout_bytes == TEXT.encode()
    hits = json.loads(run("-w", str(ws), "search", "assembly hall", "--json").output)
    assert hits[0]["id"] == doc_id and "[assembly]" in hits[0]["snippet"].lower()
    story.write_text(TEXT.replace("March", "April"))
    assert run("-w", str(ws), "ingest", str(story)).output.startswith("updated")
    diff = json.loads(run("-w", str(ws), "diff", doc_id, "--json").output)
    assert diff["from"] == 1 and diff["to"] == 2
    assert any(line.startswith("+") and "April" in line for line in diff["diff"])
    status = json.loads(run("-w", str(ws), "status", "--json").output)
    assert status["documents"] == 1 and status["versions"] == 2
    with Store.open(load_settings(ws).database_url) as store, store.reading() as conn:
        assert (
            conn.execute(select(func.count()).select_from(schema.document_versions)).scalar() == 2
        )


def test_stdin_with_published_date(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    run("init", str(ws))
    result = run("-w", str(ws), "ingest", "-", "--published", "2026-01-05", input=TEXT.encode())
    assert result.exit_code == 0, result.output
    (doc,) = json.loads(run("-w", str(ws), "docs", "--json").output)
    assert doc["published_at"].startswith("2026-01-05")
    assert doc["key"].startswith("sha256:")


def test_errors_are_one_line_with_nonzero_status(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    run("init", str(ws))
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4 this is not really a pdf")
    result = run("-w", str(ws), "ingest", str(junk))
    assert result.exit_code == 1
    assert f"failed    {junk}:" in result.output
    assert "0 new, 0 updated, 0 unchanged, 1 failed" in result.output
    bad_date = run("-w", str(ws), "ingest", "-", "--published", "2025-02-30", input=b"x")
    assert bad_date.exit_code == 2 and "--published" in bad_date.output
    missing = run("-w", str(tmp_path / "nowhere"), "docs")
    assert missing.exit_code == 1
    assert "not a Watchboard workspace" in missing.output
    assert "Traceback" not in missing.output
    unknown = run("-w", str(ws), "show", "ffffffff")
    assert unknown.exit_code == 1 and "no document 'ffffffff'" in unknown.output


def test_help_lists_every_command() -> None:
    result = run("--help")
    for command in ("init", "case", "ingest", "docs", "show", "diff", "search", "sources", "demo"):
        assert command in result.output


def test_progress_stays_quiet_when_piped(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    run("init", str(ws))
    (tmp_path / "a.txt").write_text(TEXT)
    proc = subprocess.run(
        [sys.executable, "-m", "watchboard.cli", "-w", str(ws), "ingest", str(tmp_path / "a.txt")],
        capture_output=True,
        check=True,
        env={**os.environ, "COLUMNS": "120"},
    )
    assert b"\x1b[" not in proc.stdout + proc.stderr  # no progress bar or colour codes
    assert proc.stderr.decode().strip() == "ingest: 1 new, 0 updated, 0 unchanged, 0 failed"


def test_case_check_lists_every_problem_and_load_refuses(tmp_path: Path) -> None:
    bad = tmp_path / "case.yaml"
    bad.write_text(
        "case:\n  slug: x\n  title: X\nsites:\n  - id: a\n    name: A\n"
        "    cordinates: {lat: 1, lon: 2}\n  - id: b\n    name: B\n"
        "    coordinates: {lat: forty, lon: 2}\n"
    )
    check = run("case", "check", str(bad))
    assert check.exit_code == 1
    assert check.output.splitlines() == [
        f"{bad}:7: sites[0].cordinates: unknown field 'cordinates' (did you mean 'coordinates'?)",
        f"{bad}:10: sites[1].coordinates.lat: expected a number, got 'forty'",
    ]
    ws = tmp_path / "ws"
    run("init", str(ws))
    load = run("-w", str(ws), "case", "load", str(bad))
    assert load.exit_code == 1 and f"{bad}:7: sites[0].cordinates" in load.output
    assert json.loads(run("-w", str(ws), "case", "list", "--json").output) == []


def test_case_load_show_and_sources(tmp_path: Path) -> None:
    good = tmp_path / "case.yaml"
    good.write_text(
        "case:\n  slug: fab\n  title: A promised chip fab\n  time_frame: {start: 2026, end: 2027}\n"
        "sources:\n  - name: Example Wire\n    kind: wire\n    reliability: B\n"
        "    domains: [wire.example]\n"
        "sites:\n  - id: plant\n    name: The Plant\n    coordinates: {lat: 10.5, lon: 20.25}\n"
        "milestones:\n  - id: m1\n    title: Ground broken\n"
        "    due: {start: 2026-03, end: 2026-06}\n"
        "    site: plant\n"
    )
    assert run("case", "check", str(good)).exit_code == 0
    ws = tmp_path / "ws"
    run("init", str(ws))
    assert run("-w", str(ws), "case", "load", str(good)).exit_code == 0
    details = json.loads(run("-w", str(ws), "case", "show", "fab", "--json").output)
    assert details["sites"][0]["lat"] == 10.5
    assert details["milestones"][0]["due_start"] == "2026-03-01"
    assert details["milestones"][0]["due_end"] == "2026-06-30"
    registry = json.loads(run("-w", str(ws), "sources", "--json").output)
    assert registry[0]["name"] == "Example Wire" and registry[0]["reliability"] == "B"


def test_a_workspace_on_a_postgresql_server(tmp_path: Path, pg_url: str) -> None:
    ws = tmp_path / "team"
    result = run("init", str(ws), "--database", pg_url)
    assert result.exit_code == 0, result.output
    assert "postgresql+psycopg://" in result.output
    (tmp_path / "a.txt").write_text(TEXT)
    assert run("-w", str(ws), "ingest", str(tmp_path / "a.txt")).exit_code == 0
    status = json.loads(run("-w", str(ws), "status", "--json").output)
    assert status["backend"] == "postgresql" and status["documents"] == 1
    hits = json.loads(run("-w", str(ws), "search", "trial production", "--json").output)
    assert len(hits) == 1 and "[trial]" in hits[0]["snippet"].lower()
    # A second workspace directory pointing at the same server sees the same documents.
    other = tmp_path / "colleague"
    assert run("init", str(other), "--database", pg_url).exit_code == 0
    assert len(json.loads(run("-w", str(other), "docs", "--json").output)) == 1
