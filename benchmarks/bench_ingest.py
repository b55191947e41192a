#!/usr/bin/env python
"""Ingest throughput and peak memory: 1k, 10k and 100k ~200-word documents.

Each (dataset, size) runs in a fresh subprocess with a fresh SQLite workspace and clustering
on, through the library's real path: ``jobs.ingest_inputs`` on a JSON Lines file (what
``watchboard ingest corpus.jsonl`` does). Peak RSS is the child's VmHWM, so it is per run.

Datasets:

* ``kcna``      the KCNA corpus (English stories only) when it is present; for sizes above the
                corpus, it is repeated with a per-copy marker token and a distinct id and URL, so
                every row is a new document, but each repeat is a near-duplicate of the earlier
                copies, which exercises clustering heavily;
* ``generated`` random ~200-word documents from a fixed-seed vocabulary of 20,000 pseudo-words
                with Zipf frequencies: clustering sees (almost) only distinct documents.

Usage::

    .venv/bin/python benchmarks/bench_ingest.py                 # 1k, 10k, 100k; both datasets
    .venv/bin/python benchmarks/bench_ingest.py --quick         # 1k only
    .venv/bin/python benchmarks/bench_ingest.py --sizes 1k,10k --datasets generated
    .venv/bin/python benchmarks/bench_ingest.py --max-seconds 0 # no time cap per run
    .venv/bin/python benchmarks/bench_ingest.py --profile       # cProfile one 10k ingest

A run that reaches ``--max-seconds`` (default 300) is stopped after the batch in progress and
reported as partial, with the rate it had reached and an estimate of the full run's time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _git import git_state  # noqa: E402

REPO = HERE.parent
CORPUS_NAME = "kcna-2011-2012.jsonl.gz"
CORPUS_CANDIDATES = (
    REPO.parent / "shared" / "corpora" / CORPUS_NAME,
    Path("/work/shared/corpora") / CORPUS_NAME,
)
RESULTS = REPO / "bench-results" / "ingest.json"
TARGET_DOCS_PER_S = 500
TARGET_RSS_MB = 1024
DEFAULT_SIZES = (1_000, 10_000, 100_000)
GEN_SEED = 20260101
GEN_VOCAB = 20_000


def find_corpus() -> Path | None:
    env = os.environ.get("WATCHBOARD_KCNA_CORPUS")
    for path in ((Path(env),) if env else ()) + CORPUS_CANDIDATES:
        if path.is_file():
            return path
    return None


# -- machine ------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions = {}
    for name in ("watchboard", "datasketch", "numpy", "sqlalchemy"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:  # informational only
            versions[name] = "?"
    commit, dirty = git_state(REPO)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "packages": versions,
        "git_commit": commit,
        "src_has_uncommitted_changes": dirty,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def code_fingerprint() -> dict[str, str]:
    """Where the imported watchboard package is, and a hash of its Python sources.

    Other work may change src/ while a benchmark runs; runs with different fingerprints did
    not measure the same code. (Point PYTHONPATH at a snapshot to benchmark a fixed tree.)
    """
    import hashlib

    import watchboard

    root = Path(watchboard.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return {"package": str(root), "fingerprint": digest.hexdigest()[:12]}


# -- input files --------------------------------------------------------------------------


MIN_WORDS = 20


@lru_cache(maxsize=1)
def kcna_stories(corpus: Path) -> tuple[dict[str, Any], ...]:
    """The English stories of 20+ words (2,424 English rows are a "<NA>" placeholder)."""
    with gzip.open(corpus, "rt", encoding="utf-8") as stream:
        return tuple(
            row
            for row in map(json.loads, stream)
            if row.get("language") == "en" and len(str(row.get("text", "")).split()) >= MIN_WORDS
        )


def kcna_rows(corpus: Path, size: int) -> Iterator[dict[str, Any]]:
    """``size`` English KCNA rows; past the corpus, repeats with a marker token per copy."""
    english = kcna_stories(corpus)
    produced = 0
    copy = 0
    while produced < size:
        for row in english:
            if produced >= size:
                return
            if copy:
                row = dict(row)
                row["id"] = f"{row['id']}-copy{copy}"
                row["url"] = f"{row['url']}?bench-copy={copy}"
                row["text"] = f"benchcopy{copy} {row['text']}"
            yield row
            produced += 1
        copy += 1


def generated_rows(size: int, *, seed: int = GEN_SEED) -> Iterator[dict[str, Any]]:
    """Random ~200-word documents over a Zipf-distributed vocabulary of pseudo-words."""
    import numpy as np

    rng = np.random.default_rng(seed)
    onsets = [*"bcdfghjklmnprstvwz", "br", "ch", "dr", "gr", "kr", "pl", "sh", "st", "th", "tr"]
    vowels = [*"aeiou", "ai", "ea", "io", "ou"]
    codas = ["", "", "", "n", "r", "s", "l", "m", "k", "st", "nd"]
    vocab: list[str] = []
    seen: set[str] = set()
    while len(vocab) < GEN_VOCAB:
        n_syl = int(rng.integers(1, 4))
        word = "".join(
            onsets[rng.integers(len(onsets))]
            + vowels[rng.integers(len(vowels))]
            + codas[rng.integers(len(codas))]
            for _ in range(n_syl)
        )
        if word not in seen:
            seen.add(word)
            vocab.append(word)
    vocab.sort(key=len)  # frequent words are short, as in real text (stable: seed-determined)
    weights = 1.0 / np.arange(1, GEN_VOCAB + 1) ** 1.0  # Zipf, s = 1
    cdf = np.cumsum(weights / weights.sum())
    vocab_arr = np.array(vocab, dtype=object)
    start = datetime(2025, 1, 1, tzinfo=UTC).timestamp()
    for i in range(size):
        n_words = max(60, int(rng.normal(200, 35)))
        ranks = np.searchsorted(cdf, rng.random(n_words), side="right")
        words = vocab_arr[ranks.clip(max=GEN_VOCAB - 1)]
        sentences = []
        pos = 0
        while pos < n_words:
            length = int(rng.integers(8, 26))
            chunk = list(words[pos : pos + length])
            pos += length
            chunk[0] = chunk[0].capitalize()
            sentences.append(" ".join(chunk) + ".")
        paragraphs = []
        pos = 0
        while pos < len(sentences):
            take = int(rng.integers(2, 5))
            paragraphs.append(" ".join(sentences[pos : pos + take]))
            pos += take
        title_idx = np.searchsorted(cdf, rng.random(6), side="right").clip(max=GEN_VOCAB - 1)
        day = datetime.fromtimestamp(start + int(rng.integers(0, 365)) * 86400, UTC)
        yield {
            "id": f"gen-{i}",
            "title": " ".join(vocab_arr[title_idx]).title(),
            "published": day.strftime("%Y-%m-%d"),
            "source": "Bench Wire",
            "url": f"https://bench.example/gen/{i}",
            "language": "en",
            "text": "\n\n".join(paragraphs),
        }


def write_inputs(
    dataset: str, sizes: list[int], directory: Path, corpus: Path | None
) -> dict[int, dict[str, Any]]:
    """Write one JSON Lines file per size (smaller sizes are prefixes of the larger)."""
    biggest = max(sizes)
    rows = kcna_rows(corpus, biggest) if dataset == "kcna" else generated_rows(biggest)
    files = {n: (directory / f"{dataset}-{n}.jsonl").open("w", encoding="utf-8") for n in sizes}
    info = {
        n: {"path": str(directory / f"{dataset}-{n}.jsonl"), "text_bytes": 0, "words": 0}
        for n in sizes
    }
    try:
        for i, row in enumerate(rows):
            line = json.dumps(row, ensure_ascii=False) + "\n"
            text_bytes = len(row["text"].encode("utf-8"))
            words = len(row["text"].split())
            for n in sizes:
                if i < n:
                    files[n].write(line)
                    info[n]["text_bytes"] += text_bytes
                    info[n]["words"] += words
    finally:
        for f in files.values():
            f.close()
    for n in sizes:
        info[n]["file_bytes"] = Path(info[n]["path"]).stat().st_size
    return info


# -- the measured child -------------------------------------------------------------------


class _OutOfTime(Exception):
    pass


def _vm_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def child(args: argparse.Namespace) -> int:
    """Run one ingest into a fresh workspace and write the measurements as JSON."""
    import resource

    from watchboard import jobs
    from watchboard.store import Store

    workdir = Path(args.workdir)
    settings = jobs.init_workspace(workdir / "ws")
    assert settings.cluster.enabled, "the benchmark measures ingestion with clustering on"
    rss_before_kib = _vm_kib("VmRSS")
    done = 0
    checkpoints: list[tuple[int, float, float]] = []  # (documents, wall s, CPU s)
    next_mark = 1000
    start = time.perf_counter()
    cpu_start = time.process_time()

    def on_item(item: Any) -> None:
        nonlocal done, next_mark
        done += 1
        if done >= next_mark:
            checkpoints.append(
                (
                    done,
                    round(time.perf_counter() - start, 3),
                    round(time.process_time() - cpu_start, 3),
                )
            )
            next_mark += 1000
            if args.max_seconds and time.perf_counter() - start > args.max_seconds:
                raise _OutOfTime

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()  # wall time: process_time costs a system call per event
    truncated = False
    counts: dict[str, int] = {}
    with Store.open(settings.database_url) as store:
        if profiler:
            profiler.enable()
        try:
            report = jobs.ingest_inputs(store, settings, [args.input], on_item=on_item)
            counts = dict(report.counts)
        except _OutOfTime:
            truncated = True
        finally:
            if profiler:
                profiler.disable()
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu_start
        peak_kib = _vm_kib("VmHWM")
        maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if profiler:
        profiler.dump_stats(args.profile)
    db = workdir / "ws" / "watchboard.db"
    db_bytes = sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file())
    with sqlite3.connect(db) as conn:
        n_docs, n_clusters = conn.execute(
            "SELECT count(*), count(DISTINCT cluster_id) FROM documents"
        ).fetchone()
        multi, in_multi, largest = conn.execute(
            "SELECT count(*), coalesce(sum(n), 0), coalesce(max(n), 0) FROM "
            "(SELECT count(*) AS n FROM documents GROUP BY cluster_id HAVING count(*) >= 2)"
        ).fetchone()
    code = code_fingerprint()
    if truncated:  # the batch that hit the cap is stored but only partly reported
        done = n_docs
    result = {
        "documents_reported": done,
        "documents_stored": n_docs,
        "counts": counts,
        "truncated": truncated,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "peak_rss_mb": round((peak_kib or maxrss_kib) / 1024, 1),
        "rss_before_ingest_mb": round((rss_before_kib or 0) / 1024, 1),
        "db_mb": round(db_bytes / 1e6, 1),
        "clusters": n_clusters,
        "multi_doc_clusters": multi,
        "docs_in_multi_doc_clusters": in_multi,
        "largest_cluster": largest,
        "checkpoints": checkpoints,
        "code": code,
    }
    Path(args.result).write_text(json.dumps(result), encoding="utf-8")
    return 0


def run_child(
    input_path: str, workdir: Path, max_seconds: float, profile: str | None = None
) -> dict[str, Any]:
    result_file = workdir / "result.json"
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--input",
        input_path,
        "--workdir",
        str(workdir),
        "--result",
        str(result_file),
        "--max-seconds",
        str(max_seconds),
    ]
    if profile:
        cmd += ["--profile-out", profile]
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True)
    if proc.returncode != 0 or not result_file.exists():
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"benchmark child failed (exit {proc.returncode}) for {input_path}")
    return json.loads(result_file.read_text(encoding="utf-8"))


# -- reporting ----------------------------------------------------------------------------


def label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 and n >= 1000 else str(n)


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower()
        if not part:
            continue
        mult = 1
        if part.endswith("k"):
            mult, part = 1000, part[:-1]
        sizes.append(int(float(part) * mult))
    return sorted(set(sizes))


def finish_row(size: int, dataset: str, info: dict[str, Any], res: dict[str, Any]) -> dict:
    done = res["documents_reported"]
    secs = res["seconds"]
    frac = done / size if size else 1.0
    text_mb = info["text_bytes"] / 1e6 * frac
    row = {
        "size": size,
        "dataset": dataset,
        "documents": done,
        "complete": not res["truncated"] and done == size,
        "seconds": secs,
        "cpu_seconds": res.get("cpu_seconds"),
        "docs_per_s": round(done / secs, 1) if secs else None,
        "docs_per_cpu_s": round(done / res["cpu_seconds"], 1) if res.get("cpu_seconds") else None,
        "text_mb_per_s": round(text_mb / secs, 3) if secs else None,
        "text_mb": round(info["text_bytes"] / 1e6, 2),
        "mean_words": round(info["words"] / size, 1),
        "seconds_per_1k": round(secs / done * 1000, 2) if done else None,
        **{
            k: res[k]
            for k in (
                "peak_rss_mb",
                "rss_before_ingest_mb",
                "db_mb",
                "clusters",
                "multi_doc_clusters",
                "docs_in_multi_doc_clusters",
                "largest_cluster",
                "counts",
                "checkpoints",
                "load_average_at_end",
                "code",
            )
            if k in res
        },
    }
    cps = [(0, 0.0, 0.0), *[tuple(c) for c in res["checkpoints"]]]
    if len(cps) >= 4:
        # marginal cost per 1k docs: over the first 2k, and over the last (up to) 5k
        head, tail = cps[: min(3, len(cps) // 2 + 1)], cps[-min(6, len(cps) // 2 + 1) :]
        for name, seg in (("first", head), ("last", tail)):
            n = seg[-1][0] - seg[0][0]
            row[f"{name}_window_docs"] = n
            row[f"{name}_seconds_per_1k"] = round((seg[-1][1] - seg[0][1]) / n * 1000, 2)
            if all(len(c) > 2 for c in seg):
                row[f"{name}_cpu_seconds_per_1k"] = round((seg[-1][2] - seg[0][2]) / n * 1000, 2)
    if not row["complete"] and done:
        # Lower bound: the rest at the final rate (which, when growth is superlinear, still falls).
        per_1k = row.get("last_seconds_per_1k") or row["seconds_per_1k"]
        row["estimated_full_seconds_at_least"] = round(secs + (size - done) / 1000 * per_1k)
    return row


def print_row(row: dict[str, Any]) -> None:
    size = label(row["size"])
    if not row["complete"]:
        size += "*"
    print(
        f"{size:>6} {row['dataset']:<10} {row['seconds']:>8.1f} "
        f"{row.get('cpu_seconds') or 0:>7.1f} "
        f"{row['docs_per_s']:>8.1f} "
        f"{row['text_mb_per_s']:>7.3f} {row['peak_rss_mb']:>8.1f} {row['db_mb']:>8.1f} "
        f"{row['clusters']:>9,} {row['multi_doc_clusters']:>7,} "
        f"{row['docs_in_multi_doc_clusters']:>8,} "
        f"{row['largest_cluster']:>7,}",
        flush=True,
    )


HEADER = (
    f"{'size':>6} {'dataset':<10} {'seconds':>8} {'CPU s':>7} {'docs/s':>8} {'MB/s':>7} "
    f"{'peakRSS':>8} "
    f"{'DB MB':>8} {'clusters':>9} {'multi':>7} {'in multi':>8} {'largest':>7}"
)


def growth_line(rows: list[dict[str, Any]]) -> str:
    parts = []
    for r in rows:
        mark = "" if r["complete"] else f"* ({r['documents']:,} docs)"
        cpu = r.get("cpu_seconds")
        cpu_1k = f", CPU {cpu / r['documents'] * 1000:.1f} s" if cpu and r["documents"] else ""
        parts.append(f"{label(r['size'])}{mark}: {r['seconds_per_1k']:.1f} s{cpu_1k}")
    line = "time per 1k docs (run average) -- " + "; ".join(parts)
    big = rows[-1]
    if "last_seconds_per_1k" not in big:
        return line + " -> too few documents to judge growth"
    # The verdict uses the marginal cost inside the largest run (CPU time when known, which a
    # busy machine does not inflate): a linear ingest costs the same per document at the end.
    key = "cpu_seconds_per_1k" if "last_cpu_seconds_per_1k" in big else "seconds_per_1k"
    first, last = big[f"first_{key}"], big[f"last_{key}"]
    ratio = last / first if first else float("nan")
    what = "CPU" if key.startswith("cpu") else "wall"
    line += (
        f"\n    marginal cost inside the {label(big['size'])} run: first "
        f"{big['first_window_docs']:,} docs {big['first_seconds_per_1k']:.1f} s per 1k"
        + (
            f" (CPU {big['first_cpu_seconds_per_1k']:.1f})"
            if "first_cpu_seconds_per_1k" in big
            else ""
        )
        + f", last {big['last_window_docs']:,} docs {big['last_seconds_per_1k']:.1f} s per 1k"
        + (
            f" (CPU {big['last_cpu_seconds_per_1k']:.1f})"
            if "last_cpu_seconds_per_1k" in big
            else ""
        )
    )
    if ratio <= 1.5:
        verdict = f"near-linear ({what} cost per document x{ratio:.1f} from start to end)"
    else:
        verdict = f"NOT linear: the {what} cost per document grows x{ratio:.1f} from start to end"
    return line + "\n    -> " + verdict


# -- profile ------------------------------------------------------------------------------


def print_profile(path: str, *, top: int = 30) -> list[dict[str, Any]]:
    import pstats

    stats = pstats.Stats(path)
    entries = []
    for (filename, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if "/watchboard/" in filename and "/benchmarks/" not in filename:
            short = filename.split("/watchboard/", 1)[1]
            entries.append(
                {
                    "function": f"watchboard/{short}:{line}({func})",
                    "calls": nc,
                    "tottime": round(tt, 3),
                    "cumtime": round(ct, 3),
                }
            )
    entries.sort(key=lambda e: -e["cumtime"])
    print(f"\nTop {top} functions in src/watchboard by cumulative time (cProfile):")
    print(f"{'cumtime s':>10} {'tottime s':>10} {'calls':>9}  function")
    for e in entries[:top]:
        print(f"{e['cumtime']:>10.2f} {e['tottime']:>10.2f} {e['calls']:>9}  {e['function']}")
    print("\nTop 15 functions anywhere by own time (tottime):")
    stats.sort_stats("tottime")
    rows = []
    for key in stats.fcn_list[:15]:  # type: ignore[attr-defined]
        _cc, nc, tt, ct, _ = stats.stats[key]  # type: ignore[attr-defined]
        rows.append((tt, ct, nc, f"{key[0].split('site-packages/')[-1]}:{key[1]}({key[2]})"))
    for tt, ct, nc, name in rows:
        print(f"{tt:>10.2f} {ct:>10.2f} {nc:>9}  {name}")
    return entries[:top]


# -- main ---------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help="comma-separated document counts, e.g. 1k,10k,100k",
    )
    parser.add_argument("--quick", action="store_true", help="1k documents only")
    parser.add_argument(
        "--datasets", default=None, help="kcna,generated (default: both when the corpus is present)"
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=300.0,
        help="stop a run after this many seconds and report it as partial (0: no cap; default 300)",
    )
    parser.add_argument("--out", default=str(RESULTS), help="JSON results file")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead: cProfile one 10k ingest (kcna when present) and list "
        "the hotspots in src/watchboard",
    )
    parser.add_argument("--profile-size", default="10k")
    # internal: one measured run
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", dest="profile_out", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        args.profile = args.profile_out
        return child(args)

    corpus = find_corpus()
    sizes = [1000] if args.quick else parse_sizes(args.sizes)
    if args.datasets:
        datasets = [d.strip() for d in args.datasets.split(",") if d.strip()]
    else:
        datasets = ["kcna", "generated"] if corpus else ["generated"]
    if "kcna" in datasets and corpus is None:
        print("KCNA corpus not found; using generated text only", flush=True)
        datasets = [d for d in datasets if d != "kcna"] or ["generated"]

    machine = machine_info()
    print("== Watchboard ingest benchmark ==")
    print(
        f"machine : {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB; "
        "load average at start " + " ".join(map(str, machine["load_average_at_start"]))
    )
    print(
        f"software: Python {machine['python']}, SQLite {machine['sqlite']}, "
        + ", ".join(f"{k} {v}" for k, v in machine["packages"].items())
        + (f", repo commit {machine['git_commit']}" if machine["git_commit"] else "")
        + (" (src/ has uncommitted changes)" if machine["src_has_uncommitted_changes"] else "")
    )
    code = code_fingerprint()
    print(f"code    : {code['package']} (sources {code['fingerprint']})")
    describe = {
        "kcna": f"KCNA 2011-2012 ({corpus.name if corpus else '-'}): the "
        f"{len(kcna_stories(corpus)) if corpus else 0:,} English stories of {MIN_WORDS}+ words "
        "('<NA>' placeholder rows dropped); larger sizes repeat the corpus with a per-copy "
        "marker token and distinct id/url, so the repeats are near-duplicates of each other "
        "(heavy clustering)",
        "generated": f"generated: ~200-word docs, {GEN_VOCAB:,} pseudo-words, Zipf s=1, "
        f"seed {GEN_SEED} (mostly distinct docs)",
    }
    for d in datasets:
        print(f"dataset : {describe[d]}")
    print(
        "method  : jobs.ingest_inputs(<file>.jsonl) into a fresh SQLite workspace, "
        "clustering on (defaults: 3-word shingles, threshold 0.5, 128 perms), "
        "one fresh subprocess per run; peak RSS = child VmHWM"
    )
    print(f"target  : >= {TARGET_DOCS_PER_S} docs/s with clustering and < 1 GB RSS at 100k")
    if args.max_seconds and not args.profile:
        print(f"time cap: {args.max_seconds:.0f} s per run (runs cut short are marked *)")
    print(flush=True)

    if args.profile:
        return profile_main(args, corpus, datasets)

    out: dict[str, Any] = {
        "machine": machine,
        "datasets": {d: describe[d] for d in datasets},
        "target": {"docs_per_s": TARGET_DOCS_PER_S, "rss_mb": TARGET_RSS_MB, "at": 100_000},
        "max_seconds_per_run": args.max_seconds,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": [],
    }
    all_rows: dict[str, list[dict[str, Any]]] = {}
    total_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="watchboard-bench-") as tmp:
        tmpdir = Path(tmp)
        print(HEADER, flush=True)
        for dataset in datasets:
            info = write_inputs(dataset, sizes, tmpdir, corpus)
            rows = []
            for size in sizes:
                workdir = tmpdir / f"run-{dataset}-{size}"
                workdir.mkdir()
                if rows and args.max_seconds:
                    prev = rows[-1]
                    est = prev["seconds_per_1k"] * size / 1000
                    if est > 600:
                        print(
                            f"  ({label(size)} {dataset}: at the {label(prev['size'])} rate this "
                            f"would take >= {est / 60:.0f} min; capped at "
                            f"{args.max_seconds:.0f} s)",
                            flush=True,
                        )
                res = run_child(info[size]["path"], workdir, args.max_seconds)
                row = finish_row(size, dataset, info[size], res)
                rows.append(row)
                print_row(row)
                # keep the disk use bounded: the workspace is not needed any more
                for p in sorted(workdir.rglob("*"), reverse=True):
                    p.unlink() if p.is_file() else p.rmdir()
            all_rows[dataset] = rows
            out["runs"] += rows
            for n in sizes:
                Path(info[n]["path"]).unlink()
    total = time.perf_counter() - total_start

    print()
    print(
        "(* = stopped at the time cap; figures are for the documents ingested so far; "
        "'multi' = clusters of 2+ documents, 'in multi' = documents in them, "
        "'largest' = biggest cluster; MB/s = MB of UTF-8 text per second)"
    )
    for dataset, rows in all_rows.items():
        print(f"{dataset}: {growth_line(rows)}")
        for r in rows:
            if not r["complete"]:
                est = r.get("estimated_full_seconds_at_least")
                print(
                    f"    {label(r['size'])} {dataset} stopped after {r['seconds']:.0f} s at "
                    f"{r['documents']:,} of {r['size']:,} docs"
                    + (
                        f"; the full run would take >= {est / 60:.0f} min at its final rate"
                        if est
                        else ""
                    )
                )
    print()
    for dataset, rows in all_rows.items():
        big = [r for r in rows if r["size"] == 100_000]
        if not big:
            continue
        r = big[0]
        partial = "" if r["complete"] else f" (partial: {r['documents']:,} docs)"
        rate_ok = r["docs_per_s"] >= TARGET_DOCS_PER_S
        rss_ok = r["peak_rss_mb"] < TARGET_RSS_MB
        print(
            f"target at 100k, {dataset}{partial}: {r['docs_per_s']:.0f} docs/s "
            f"({'meets' if rate_ok else 'MISSES'} >= {TARGET_DOCS_PER_S}), "
            f"peak RSS {r['peak_rss_mb']:.0f} MB "
            f"({'meets' if rss_ok else 'MISSES'} < 1 GB"
            f"{'' if r['complete'] else ' so far'})"
        )
    codes = {json.dumps(r.get("code"), sort_keys=True) for r in out["runs"]}
    for code in sorted(codes):
        c = json.loads(code) or {}
        print(f"code measured: {c.get('package')} (sources {c.get('fingerprint')})")
    if len(codes) > 1:
        print(
            "WARNING: src/watchboard changed while the benchmark ran; the runs above did not "
            "all measure the same code"
        )
    print(f"total benchmark time: {total:.0f} s")
    out["total_seconds"] = round(total, 1)
    dest = Path(args.out)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"results written to {dest.relative_to(REPO) if dest.is_relative_to(REPO) else dest}")
    return 0


def profile_main(args: argparse.Namespace, corpus: Path | None, datasets: list[str]) -> int:
    size = parse_sizes(args.profile_size)[0]
    dataset = datasets[0]
    prof = Path(args.out).parent / f"ingest-profile-{dataset}-{label(size)}.prof"
    prof.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="watchboard-bench-") as tmp:
        info = write_inputs(dataset, [size], Path(tmp), corpus)
        workdir = Path(tmp) / "run"
        workdir.mkdir()
        res = run_child(info[size]["path"], workdir, 0, profile=str(prof))
    row = finish_row(size, dataset, info[size], res)
    print(f"profiled run ({dataset}, {label(size)}; cProfile, wall time, which it inflates):")
    print(HEADER)
    print_row(row)
    top = print_profile(str(prof))
    print(f"\nprofile saved to {prof} (open with: python -m pstats {prof})")
    summary = Path(args.out).parent / f"ingest-profile-{dataset}-{label(size)}.json"
    summary.write_text(json.dumps({"run": row, "top_cumulative": top}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
