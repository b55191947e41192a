"""Extraction through jobs and the CLI on both backends: claims stored with spans, idempotent
re-runs, re-extraction on new versions and changed pipelines, explain."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from watchboard import jobs
from watchboard.cli import cli
from watchboard.config import Settings
from watchboard.extract.pipeline import Pipeline
from watchboard.store import Store

REPORT = (
    "Title: Plant expansion ordered\nPublished: 2026-02-06\nSource: Example Wire\n\n"
    "The minister ordered the construction of two new assembly plants in Hamhung by 2027, "
    "state media reported on Friday. Officials said output would rise to 300 units per year. "
    "Analysts believe the schedule may slip.\n"
)


def _setup(workspace: Settings, tmp_path: Path) -> Path:
    path = tmp_path / "inputs" / "report.txt"
    path.parent.mkdir()
    path.write_text(REPORT)
    with Store.open(workspace.database_url) as store:
        jobs.ingest_inputs(store, workspace, [str(path)])
    return path


def test_extract_stores_claims_with_exact_spans_and_is_idempotent(
    workspace: Settings, tmp_path: Path
) -> None:
    path = _setup(workspace, tmp_path)
    with Store.open(workspace.database_url) as store:
        first = jobs.extract_documents(store)
        again = jobs.extract_documents(store)
        claims = jobs.list_claims(store)
        (doc,) = jobs.list_documents(store)
    assert first.extracted == 1 and first.claims == len(claims) >= 3
    assert again.extracted == 0 and again.up_to_date == 1
    for claim in claims:
        assert doc.text[claim["start"] : claim["end"]] == claim["quote"]
    ordered = next(c for c in claims if "ordered the construction" in c["quote"])
    assert ordered["modality"] == "ordered" and ordered["event_type"] == "construction"
    assert ordered["attribution"][0] == "Example Wire"
    friday = next(t for t in ordered["data"]["times"] if t["span"]["text"] == "Friday")
    assert friday["value"] == "2026-02-06"  # the Friday on or before the publication date
    speculative = next(c for c in claims if "Analysts" in c["quote"])
    assert speculative["modality"] == "speculative"
    assert speculative["source_identified"] is False

    # A new version of the document re-extracts it; the old claims are replaced.
    path.write_text(REPORT.replace("two new", "three new"))
    with Store.open(workspace.database_url) as store:
        jobs.ingest_inputs(store, workspace, [str(path)])
        third = jobs.extract_documents(store)
        claims = jobs.list_claims(store)
    assert third.extracted == 1
    assert all(c["version"] == 2 for c in claims)
    assert any("three new" in c["quote"] for c in claims)


def test_a_changed_pipeline_re_extracts(workspace: Settings, tmp_path: Path) -> None:
    _setup(workspace, tmp_path)
    with Store.open(workspace.database_url) as store:
        jobs.extract_documents(store)
        smaller = Pipeline(["sentences", "attributions"], resources={})
        report = jobs.extract_documents(store, pipeline=smaller)
    assert report.extracted == 1 and report.pipeline_version == smaller.version


def test_cli_extract_claims_and_explain(workspace: Settings, tmp_path: Path) -> None:
    _setup(workspace, tmp_path)
    runner = CliRunner()
    ws = str(workspace.workspace)
    result = runner.invoke(cli, ["-w", ws, "extract", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["extracted"] == 1
    listed = json.loads(runner.invoke(cli, ["-w", ws, "claims", "--json"]).output)
    assert listed and {"times", "places", "quantities", "explain"} <= set(listed[0])
    filtered = json.loads(
        runner.invoke(cli, ["-w", ws, "claims", "--modality", "ordered", "--json"]).output
    )
    assert [c["modality"] for c in filtered] == ["ordered"]
    claim_id = filtered[0]["id"]
    explained = runner.invoke(cli, ["-w", ws, "explain", claim_id[:8]])
    assert explained.exit_code == 0, explained.output
    assert "modality:     ordered" in explained.output
    assert "why: modality cue 'ordered'" in explained.output
    assert "time:         “Friday”" in explained.output
    missing = runner.invoke(cli, ["-w", ws, "explain", "ffffffff"])
    assert missing.exit_code == 1 and "no claim 'ffffffff'" in missing.output
