"""Two processes ingesting into one SQLite workspace at once: both succeed, nothing lost or
duplicated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from watchboard import jobs
from watchboard.config import load_settings
from watchboard.store import Store, schema


def _corpus(directory: Path, start: int, stop: int) -> None:
    directory.mkdir()
    for i in range(start, stop):
        words = " ".join(f"w{i}x{j}" for j in range(120))
        (directory / f"doc{i:04d}.txt").write_text(f"Report number {i}. {words}")


def test_two_processes_ingest_into_one_sqlite_workspace(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    jobs.init_workspace(ws)
    _corpus(tmp_path / "a", 0, 300)
    _corpus(tmp_path / "b", 200, 500)  # 100 documents in common, ingested by both at once
    # Small batches make the two writers interleave many times.
    (ws / "watchboard.toml").write_text(
        (ws / "watchboard.toml").read_text().replace("batch_size = 500", "batch_size = 20")
    )
    cmd = [sys.executable, "-m", "watchboard.cli", "-w", str(ws), "ingest", "-q"]
    procs = [
        subprocess.Popen([*cmd, str(tmp_path / d)], stderr=subprocess.PIPE, text=True)
        for d in ("a", "b")
    ]
    outcomes = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    for code, stderr in outcomes:
        assert code == 0, stderr
    with Store.open(load_settings(ws).database_url) as store, store.reading() as conn:
        n_docs = conn.execute(select(func.count()).select_from(schema.documents)).scalar()
        n_versions = conn.execute(
            select(func.count()).select_from(schema.document_versions)
        ).scalar()
        n_fts = conn.exec_driver_sql("SELECT count(*) FROM document_fts").scalar()
    assert n_docs == 500
    assert n_versions == 500
    assert n_fts == 500
    summaries = " ".join(stderr for _, stderr in outcomes)
    # Every shared document was stored once: 600 items in all, 500 new, 100 unchanged.
    new = sum(int(s.split(" new")[0].split()[-1]) for _, s in outcomes)
    unchanged = sum(int(s.split(" unchanged")[0].split()[-1]) for _, s in outcomes)
    assert (new, unchanged) == (500, 100), summaries
