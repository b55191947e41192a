"""`make demo` end to end, exactly as the README's quick start runs it, so it never rots."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from watchboard import jobs
from watchboard.config import load_settings
from watchboard.store import Store

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_make_demo_builds_the_demo_workspace(tmp_path: Path) -> None:
    make = shutil.which("make")
    assert make, "GNU make is needed for the README's quick start"
    target = tmp_path / "demo"
    venv = Path(sys.prefix)
    proc = subprocess.run(
        [make, "-s", "demo", f"DEMO={target}", f"VENV={venv}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    output = proc.stdout
    assert "case dprk-2026" in output
    assert f"workspace: {target.resolve()}" in output
    assert "0 failed" in output
    assert "near-duplicate clusters (1)" in output or "near-duplicate clusters (2)" in output
    # It ends by writing the brief as HTML and PDF and printing their paths.
    briefs = [Path(line.strip()) for line in output.splitlines() if "/briefs/dprk-2026-" in line]
    assert {p.suffix for p in briefs} == {".html", ".pdf"}, output
    assert all(p.is_file() and p.stat().st_size > 10_000 for p in briefs)
    assert briefs[0].parent == (target / "briefs").resolve()
    # It tells how to start the workbench, with the demo account, which exists.
    assert "serve --insecure-cookies" in output and "sign in as demo / " in output

    settings = load_settings(target)
    with Store.open(settings.database_url) as store:
        docs = jobs.list_documents(store, case="dprk-2026")
        clusters = jobs.list_clusters(store, case="dprk-2026")
        sources = {s["name"]: s for s in jobs.list_sources(store)}
        hits = jobs.search(store, "factories")
    assert len(docs) >= 7
    assert all(
        "Demonstration material" in d.text or "demonstration material" in d.text.lower()
        for d in docs
    )
    # The syndicated copy of the wire story falls into the wire story's cluster.
    assert any(len({d.source for d in c}) >= 2 for c in clusters)
    assert any(s["kind"] == "state_media" and s["documents"] for s in sources.values())
    assert hits

    # Running it again changes nothing.
    again = subprocess.run(
        [sys.executable, "-m", "watchboard.cli", "demo", str(target)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert " 0 new, 0 updated" in again.stdout
    status = subprocess.run(
        [sys.executable, "-m", "watchboard.cli", "-w", str(target), "status", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(status.stdout)["documents"] == len(docs)
    with Store.open(settings.database_url) as store:
        from watchboard.jobs import accounts

        user = accounts.login(store, jobs.DEMO_USER, jobs.DEMO_PASSWORD, client="test")
        assert user["role"] == "analyst"
