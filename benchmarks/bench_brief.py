#!/usr/bin/env python
"""Brief generation time and peak memory for cases with 100, 10k and 100k claims.

The brief must select and summarise, not dump everything: a case with 100,000 claims should
give a brief about the size of one with 100, in a time dominated by the assessment it rests
on. For each size this script builds (or reuses) a synthetic workspace with
``synthetic_workspace.py`` — a real SQLite workspace: case file, ingested documents, claims
with exact spans, a stored assessment, two indicator series — and then, in a **fresh
subprocess** (so the peak RSS, the child's ``VmHWM``, belongs to that run alone), times

1. ``watchboard.jobs.brief.make_brief(store, settings, case, now=...)`` as one call, split
   into its stages by wrapping the functions it calls (one extra call each):
   ``assess_case`` (the assessment replayed as of the brief's date: reading the claims, then
   ``assess()``), reading the case (sources, sites, indicator series and their detectors),
   ``build_brief`` (stories, timeline, cautions, gaps, map points ...) and ``draw_figures``
   (timeline chart, map, indicator charts);
2. ``write_brief`` to HTML, PDF and Markdown, each on its own clock;

with wall and CPU time, and the peak RSS of each stage (``VmHWM`` reset before it). It reports
the output sizes (bytes, PDF pages with pypdf), and what the brief kept — key facts,
footnotes, timeline rows, documents listed, map points — against what the case holds, to show
the brief stays bounded.

Usage::

    .venv/bin/python benchmarks/bench_brief.py                     # 100, 10k, 100k
    .venv/bin/python benchmarks/bench_brief.py --quick             # 100, 10k
    .venv/bin/python benchmarks/bench_brief.py --keep /tmp/wb-brief   # keep (and reuse) workspaces
    .venv/bin/python benchmarks/bench_brief.py --sizes 100k --profile  # + cProfile of make_brief

Workspaces go to a temporary directory removed at the end, unless ``--keep DIR`` names where
to build them (``DIR/100``, ``DIR/10k`` ...), in which case a later run reuses them (building
100k claims takes about two to three minutes). Writes ``bench-results/brief-<UTC time>.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _git import git_state  # noqa: E402
from bench_assess import (  # noqa: E402
    _digest,
    _mb,
    _proc_rss_kib,
    _read_json,
    _reset_peak,
    _vm_kib,
    label,
    parse_sizes,
)

REPO = HERE.parent
RESULTS_DIR = REPO / "bench-results"
DEFAULT_SIZES = "100,10k,100k"
QUICK_SIZES = "100,10k"
FORMATS = ("html", "pdf", "md")
#: Functions make_brief calls, wrapped to time each: (module, attribute, stage name).
STAGES = [
    ("watchboard.jobs.brief", "assess_case", "assessment replay"),
    ("watchboard.jobs.assess", "_records", "  read claims"),
    ("watchboard.jobs.assess", "assess", "  assess()"),
    ("watchboard.jobs.brief", "_sources", "read sources"),
    ("watchboard.jobs.brief", "_case_info", "read case + detectors"),
    ("watchboard.jobs.brief", "build_brief", "build_brief"),
    ("watchboard.report.brief", "_stories", "  stories"),
    ("watchboard.report.brief", "_bottom_line", "  bottom line"),
    ("watchboard.report.brief", "timeline", "  timeline"),
    ("watchboard.report.brief", "_cautions", "  cautions"),
    ("watchboard.report.brief", "_gaps", "  gaps"),
    ("watchboard.report.brief", "_map_points", "  map points"),
    ("watchboard.report.figures", "draw_figures", "draw_figures"),
    ("watchboard.report.figures", "_timeline", "  timeline chart"),
    ("watchboard.report.figures", "_map", "  map"),
    ("watchboard.report.figures", "render_series_chart", "  indicator charts"),
]


# -- the measured child -------------------------------------------------------------------


class _Stages:
    """Wraps module functions with wall/CPU timers and per-stage peak RSS (VmHWM reset)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.peak_mb: dict[str, float | None] = {}
        self.calls: dict[str, int] = {}
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap(self, module_name: str, attr: str, name: str) -> None:
        import importlib

        module = importlib.import_module(module_name)
        original = getattr(module, attr)
        top_level = not name.startswith(" ")

        def timed(*args: Any, **kwargs: Any) -> Any:
            if top_level:
                _reset_peak()
            t, c = time.perf_counter(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t
                self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - c
                self.calls[name] = self.calls.get(name, 0) + 1
                if top_level:
                    self.peak_mb[name] = _mb(_vm_kib("VmHWM"))

        setattr(module, attr, timed)
        self._undo.append((module, attr, original))

    def __enter__(self) -> _Stages:
        for module, attr, name in STAGES:
            self.wrap(module, attr, name)
        return self

    def __exit__(self, *exc: object) -> None:
        for module, attr, original in reversed(self._undo):
            setattr(module, attr, original)


def _pdf_pages(data: bytes) -> int | None:
    try:
        import io

        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(io.BytesIO(data)).pages)


def child(args: argparse.Namespace) -> int:
    """Time make_brief and write_brief on one workspace; write the figures as JSON."""
    out: dict[str, Any] = {"phase": "import", "phase_started": time.time()}
    result_path = Path(args.result)

    def save(**fields: Any) -> None:
        out.update(fields)
        result_path.write_text(json.dumps(out, default=str), encoding="utf-8")

    t, c = time.perf_counter(), time.process_time()
    from watchboard import jobs
    from watchboard.jobs import brief as brief_jobs

    save(
        import_s=round(time.perf_counter() - t, 3),
        import_cpu_s=round(time.process_time() - c, 3),
        rss_after_import_mb=_mb(_vm_kib("VmRSS")),
    )
    workspace = Path(args.workspace)
    manifest = json.loads((workspace / "synthetic-workspace.json").read_text(encoding="utf-8"))
    now = datetime.fromisoformat(args.now)
    settings, store = jobs.open_workspace(workspace)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    profiler = None
    if args.profile_out:
        import cProfile

        profiler = cProfile.Profile()
    with store:
        save(phase="make_brief", phase_started=time.time())
        hwm_ok = _reset_peak()
        with _Stages() as stages:
            t, c = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            brief = brief_jobs.make_brief(store, settings, manifest["case"], now=now)
            if profiler:
                profiler.disable()
                profiler.dump_stats(args.profile_out)
            make_s, make_cpu = time.perf_counter() - t, time.process_time() - c
        top = [name for _, _, name in STAGES if not name.startswith(" ")]
        stage_s = {k: round(v, 3) for k, v in stages.seconds.items()}
        stage_s["other"] = round(make_s - sum(stages.seconds.get(k, 0.0) for k in top), 3)
        save(
            make_brief={
                "seconds": round(make_s, 3),
                "cpu_seconds": round(make_cpu, 3),
                "stages_s": stage_s,
                "stages_cpu_s": {k: round(v, 3) for k, v in stages.cpu.items()},
                "stage_peak_rss_mb": stages.peak_mb if hwm_ok else {},
                "calls": stages.calls,
            },
            brief=_brief_figures(brief),
        )
        writes = {}
        for fmt in args.formats.split(","):
            save(phase=f"write {fmt}", phase_started=time.time())
            _reset_peak()
            path = out_dir / f"brief.{fmt}"
            t, c = time.perf_counter(), time.process_time()
            written = brief_jobs.write_brief(brief, path, fmt)
            seconds, cpu = time.perf_counter() - t, time.process_time() - c
            writes[fmt] = {
                "seconds": round(seconds, 3),
                "cpu_seconds": round(cpu, 3),
                "bytes": written.bytes,
                "extra_files": len(written.extra),
                "extra_bytes": sum(p.stat().st_size for p in written.extra),
                "pages": _pdf_pages(path.read_bytes()) if fmt == "pdf" else None,
                "peak_rss_mb": _mb(_vm_kib("VmHWM")),
                "path": str(path),
            }
            save(write=writes)
    save(phase="done", load_average_at_end=[round(x, 2) for x in os.getloadavg()])
    return 0


def _brief_figures(brief: Any) -> dict[str, Any]:
    """What the brief kept, against what the case holds."""
    cautions = {k: len(v) for k, v in brief.cautions.items()}
    return {
        "as_of": brief.as_of.isoformat(),
        "counts": dict(brief.counts),
        "key_facts": len(brief.key_facts),
        "key_facts_more": brief.key_facts_more,
        "citations": len(brief.citations),
        "claim_citations": sum(1 for c in brief.citations if c.kind == "claim"),
        "timeline_rows": len(brief.timeline),
        "timeline_more": brief.timeline_more,
        "milestones": len(brief.milestones),
        "cautions": cautions,
        "cautions_more": dict(brief.cautions_more),
        "gaps": len(brief.gaps),
        "map_points": len(brief.map_points),
        "sources": len(brief.sources),
        "documents_listed": len(brief.documents),
        "documents_more": brief.documents_more,
        "figures": {name: len(svg) for name, svg in brief.figures.items()},
        "warnings": list(brief.warnings),
    }


# -- the parent ---------------------------------------------------------------------------


def build_workspace(size: int, directory: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Build (or reuse) the synthetic workspace in a subprocess; return its manifest."""
    cmd = [
        sys.executable,
        str(HERE / "synthetic_workspace.py"),
        str(directory),
        "--claims",
        str(size),
        "--seed",
        str(args.seed),
    ]
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"building the {label(size)} workspace failed ({proc.returncode})")
    manifest = json.loads((directory / "synthetic-workspace.json").read_text(encoding="utf-8"))
    manifest["_wall_s"] = round(time.perf_counter() - t, 1)
    manifest["_reused"] = "reusing the workspace" in proc.stdout
    return manifest


def run_child(
    workspace: Path, args: argparse.Namespace, tmp: Path, *, profile_out: str | None = None
) -> dict[str, Any]:
    """One measured run in a fresh interpreter, watching its time and RSS."""
    result = tmp / f"result-{workspace.name}{'-profile' if profile_out else ''}.json"
    result.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--workspace",
        str(workspace),
        "--result",
        str(result),
        "--out",
        str(workspace / "briefs"),
        "--now",
        args.now,
        "--formats",
        "md" if profile_out else ",".join(args.format_list),
    ]
    if profile_out:
        cmd += ["--profile-out", profile_out]
    proc = subprocess.Popen(cmd, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stopped = None
    peak_seen = 0
    started = time.time()
    while proc.poll() is None:
        time.sleep(0.25)
        peak_seen = max(peak_seen, _proc_rss_kib(proc.pid) or 0)
        if args.max_seconds and time.time() - started > args.max_seconds:
            stopped = f"ran longer than {args.max_seconds:.0f} s"
            proc.kill()
            break
    stdout, stderr = proc.communicate()
    state = _read_json(result)
    state["watched_peak_rss_mb"] = round(peak_seen / 1024, 1)
    if stopped:
        state["stopped"] = stopped
    elif proc.returncode != 0:
        sys.stderr.write(stdout.decode() + stderr.decode())
        state["stopped"] = f"child failed with exit code {proc.returncode}"
        state["failed"] = True
    return state


def peaks(values: dict[str, Any]) -> list[float]:
    return [v for v in values.values() if v is not None]


def summarize(size: int, manifest: dict[str, Any], st: dict[str, Any]) -> dict[str, Any]:
    # The peak is the highest VmHWM read in the child: each stage resets it first, and
    # getrusage's ru_maxrss follows those resets (it reads the same high-water mark).
    m = st.get("make_brief") or {}
    s = m.get("stages_s") or {}
    w = st.get("write") or {}
    b = st.get("brief") or {}
    writes = sum(x["seconds"] for x in w.values())
    return {
        "size": size,
        "claims": manifest["counts"]["claims"],
        "documents": manifest["counts"]["documents"],
        "build_s": manifest["timings_s"]["total"],
        "import_s": st.get("import_s"),
        "replay_s": s.get("assessment replay"),
        "read_claims_s": s.get("  read claims"),
        "assess_s": s.get("  assess()"),
        "read_case_s": round(s.get("read sources", 0) + s.get("read case + detectors", 0), 3)
        if s
        else None,
        "build_brief_s": s.get("build_brief"),
        "figures_s": s.get("draw_figures"),
        "make_brief_s": m.get("seconds"),
        "make_brief_cpu_s": m.get("cpu_seconds"),
        **{f"{fmt}_s": (w.get(fmt) or {}).get("seconds") for fmt in FORMATS},
        "total_s": round(m["seconds"] + writes, 3) if m else None,
        **{f"{fmt}_bytes": (w.get(fmt) or {}).get("bytes") for fmt in FORMATS},
        "md_figure_bytes": (w.get("md") or {}).get("extra_bytes"),
        "pdf_pages": (w.get("pdf") or {}).get("pages"),
        "key_facts": b.get("key_facts"),
        "citations": b.get("citations"),
        "timeline_rows": b.get("timeline_rows"),
        "documents_listed": b.get("documents_listed"),
        "map_points": b.get("map_points"),
        "stories": (b.get("counts") or {}).get("stories"),
        "make_brief_peak_rss_mb": max(peaks(m.get("stage_peak_rss_mb") or {}), default=None),
        "peak_rss_mb": max(
            [
                *peaks(m.get("stage_peak_rss_mb") or {}),
                *peaks({f: x.get("peak_rss_mb") for f, x in w.items()}),
                *peaks({"watched": st.get("watched_peak_rss_mb")}),
            ],
            default=None,
        ),
        "rss_after_import_mb": st.get("rss_after_import_mb"),
        "stopped": st.get("stopped"),
    }


def _f(value: Any, spec: str, width: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}{spec}}"


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'claims':>7} {'replay':>7} {'(assess)':>8} {'case':>5} {'build':>6} {'figs':>5}"
        f" {'make_brief':>10} {'html':>5} {'pdf':>6} {'md':>5} {'total':>7}"
        f" {'html KB':>8} {'pdf KB':>7} {'pages':>5} {'md KB':>6} {'facts':>5} {'cites':>5}"
        f" {'RSS MB':>7}"
    )
    for r in rows:
        print(
            f"{label(r['claims']):>7} {_f(r['replay_s'], '.2f', 7)} {_f(r['assess_s'], '.2f', 8)}"
            f" {_f(r['read_case_s'], '.2f', 5)} {_f(r['build_brief_s'], '.2f', 6)}"
            f" {_f(r['figures_s'], '.2f', 5)} {_f(r['make_brief_s'], '.2f', 10)}"
            f" {_f(r['html_s'], '.2f', 5)} {_f(r['pdf_s'], '.2f', 6)} {_f(r['md_s'], '.2f', 5)}"
            f" {_f(r['total_s'], '.2f', 7)}"
            f" {_f(_kb(r['html_bytes']), ',.0f', 8)} {_f(_kb(r['pdf_bytes']), ',.0f', 7)}"
            f" {_f(r['pdf_pages'], 'd', 5)} {_f(_kb(r['md_bytes']), ',.0f', 6)}"
            f" {_f(r['key_facts'], 'd', 5)} {_f(r['citations'], 'd', 5)}"
            f" {_f(r['peak_rss_mb'], ',.0f', 7)}"
            + (f"   STOPPED: {r['stopped']}" if r["stopped"] else "")
        )
    print(
        "  seconds of wall time; replay = assess_case as of the brief's date (assess = assess()"
        " inside it);\n  case = reading sources, sites, indicator series and re-running"
        " their detectors; build = build_brief;\n  figs = draw_figures; total = make_brief +"
        " the three writes; facts = key facts; cites = footnotes;\n  RSS MB = the child's"
        " peak (VmHWM), imports and the loaded brief included"
    )


def _kb(n: int | None) -> float | None:
    return None if n is None else n / 1024


def print_stages(rows: list[dict[str, Any]], runs: list[dict[str, Any]]) -> None:
    print("\n== make_brief by stage: wall s (CPU s) [peak RSS MB of top-level stages] ==")
    done = [(r, run["detail"]) for r, run in zip(rows, runs, strict=True)]
    done = [(r, d) for r, d in done if d.get("make_brief")]
    print(f"{'stage':<24}" + "".join(f"{label(r['claims']):>24}" for r, _ in done))
    for _, _, name in [*STAGES, (None, None, "other")]:
        cells = ""
        for _, d in done:
            m = d["make_brief"]
            s, c = m["stages_s"].get(name), m["stages_cpu_s"].get(name)
            peak = m["stage_peak_rss_mb"].get(name)
            cell = "-" if s is None else f"{s:.2f} ({c:.2f})" if c is not None else f"{s:.2f}"
            if peak is not None:
                cell += f" [{peak:,.0f}]"
            cells += f"{cell:>24}"
        print(f"{name:<24}{cells}")
    print("\n== write_brief: wall s (CPU s), output [peak RSS MB] ==")
    print(f"{'format':<24}" + "".join(f"{label(r['claims']):>34}" for r, _ in done))
    for fmt in FORMATS:
        cells = ""
        for _, d in done:
            w = (d.get("write") or {}).get(fmt)
            if not w:
                cells += f"{'-':>34}"
                continue
            size = f"{w['bytes'] / 1024:,.0f} KB" + (f" {w['pages']}p" if w["pages"] else "")
            cell = f"{w['seconds']:.2f} ({w['cpu_seconds']:.2f}) {size} [{w['peak_rss_mb']:,.0f}]"
            cells += f"{cell:>34}"
        print(f"{fmt:<24}{cells}")


def print_bounded(rows: list[dict[str, Any]], runs: list[dict[str, Any]]) -> None:
    print("\n== what the brief kept, of what the case holds ==")
    print(
        f"{'claims':>7} {'stories':>8} {'key facts':>13} {'timeline':>13} {'footnotes':>9}"
        f" {'docs listed':>15} {'map pts':>7} {'cautions':>8} {'figures':>7}"
    )
    for r, run in zip(rows, runs, strict=True):
        b = run["detail"].get("brief")
        if not b:
            continue
        print(
            f"{label(r['claims']):>7} {b['counts']['stories']:>8,}"
            f" {b['key_facts']:>4} (+{b['key_facts_more']:>6,})"
            f" {b['timeline_rows']:>4} (+{b['timeline_more']:>6,})"
            f" {b['citations']:>9}"
            f" {b['documents_listed']:>4} (+{b['documents_more']:>8,})"
            f" {b['map_points']:>7} {sum(b['cautions'].values()):>8} {len(b['figures']):>7}"
        )
    print("  (+n) = entries not listed, counted in the brief ('and n more')")


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
    commit, dirty = git_state(REPO)
    packages = {}
    for name in ("weasyprint", "jinja2", "sqlalchemy", "matplotlib", "pypdf"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            packages[name] = version(name)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "packages": packages,
        "git_commit": commit,
        "src_has_uncommitted_changes": dirty,
        "report_digest": _digest(REPO / "src" / "watchboard" / "report"),
        "jobs_digest": _digest(REPO / "src" / "watchboard" / "jobs"),
    }


def command_line(args: argparse.Namespace) -> str:
    python = sys.executable
    with contextlib.suppress(ValueError):
        python = str(Path(python).relative_to(REPO))
    cmd = [python, "benchmarks/bench_brief.py", "--sizes", ",".join(map(label, args.size_list))]
    cmd += ["--seed", str(args.seed), "--as-of", args.as_of]
    if args.keep:
        cmd += ["--keep", str(args.keep)]
    if args.formats != ",".join(FORMATS):
        cmd += ["--formats", args.formats]
    if args.profile:
        cmd.append("--profile")
    return shlex.join(cmd)


def print_profile(path: str, top: int = 18) -> list[dict[str, Any]]:
    import pstats

    stats = pstats.Stats(path)
    stats.sort_stats("cumulative")
    rows = []
    for key in stats.fcn_list:  # type: ignore[attr-defined]
        _cc, nc, tt, ct, _ = stats.stats[key]  # type: ignore[attr-defined]
        filename, line, func = key
        if "/watchboard/" not in filename or func == "<module>":
            continue
        where = filename.split("/src/", 1)[-1]
        rows.append({"function": f"{where}:{line}({func})", "calls": nc, "tottime": tt, "cum": ct})
        if len(rows) == top:
            break
    print(f"{'cumtime s':>10} {'tottime s':>10} {'calls':>11}  function (src/watchboard only)")
    for r in rows:
        print(f"{r['cum']:>10.2f} {r['tottime']:>10.2f} {r['calls']:>11,}  {r['function']}")
    print("\ntop 12 by own time (anywhere):")
    stats.sort_stats("tottime")
    for key in stats.fcn_list[:12]:  # type: ignore[attr-defined]
        _cc, nc, tt, ct, _ = stats.stats[key]  # type: ignore[attr-defined]
        where = key[0].split("/src/", 1)[-1].split("site-packages/")[-1]
        print(f"{ct:>10.2f} {tt:>10.2f} {nc:>11,}  {where}:{key[1]}({key[2]})")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description="Brief generation time and peak RSS.")
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="claims, e.g. 100,10k,100k")
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}")
    parser.add_argument("--keep", type=Path, help="build (and reuse) workspaces in DIR/<size>")
    parser.add_argument("--seed", type=int, default=1, help="synthetic workspace seed (1)")
    parser.add_argument(
        "--as-of",
        default="2026-01-15",
        help="the brief's date (default 2026-01-15, two weeks after the synthetic period)",
    )
    parser.add_argument("--formats", default=",".join(FORMATS), help="html,pdf,md")
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile make_brief at the largest size"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=1800, help="stop a child after this (0: no limit)"
    )
    parser.add_argument("--json", type=Path, help="results file (bench-results/brief-<ts>.json)")
    # internal: one measured run
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workspace", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--now", help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    args.size_list = parse_sizes(QUICK_SIZES if args.quick else args.sizes)
    args.format_list = [f for f in args.formats.split(",") if f]
    unknown = set(args.format_list) - set(FORMATS)
    if unknown:
        parser.error(f"unknown formats {sorted(unknown)} (known: {', '.join(FORMATS)})")
    as_of = datetime.fromisoformat(args.as_of).replace(tzinfo=UTC)
    args.now = (as_of + timedelta(hours=12)).isoformat()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    json_path = args.json or RESULTS_DIR / f"brief-{stamp}.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    machine = machine_info()

    print("== brief generation: watchboard.jobs.brief.make_brief + write_brief ==")
    print(
        f"machine:  {machine['cpu']}; {machine['cores']} cores, {machine['memory_gib']} GiB;"
        f" {machine['python']}; {', '.join(f'{k} {v}' for k, v in machine['packages'].items())}"
    )
    print(
        f"code:     {machine['git_commit']}"
        + (" (+ uncommitted changes in src/)" if machine["src_has_uncommitted_changes"] else "")
        + f"; src/watchboard/report digest {machine['report_digest']},"
        f" jobs {machine['jobs_digest']}"
    )
    print(f"load avg: {' '.join(f'{x:.2f}' for x in os.getloadavg())} at start")
    print(f"re-run:   {command_line(args)}")
    results: dict[str, Any] = {
        "benchmark": "brief",
        "started": stamp,
        "command": command_line(args),
        "machine": machine,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "settings": {
            "sizes": args.size_list,
            "seed": args.seed,
            "as_of": args.as_of,
            "formats": args.format_list,
        },
        "runs": [],
    }
    rows: list[dict[str, Any]] = []
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-brief-")))
        base = args.keep or tmp / "workspaces"
        workspaces = {}
        for size in args.size_list:
            workspace = base / label(size)
            print(f"\n-- {label(size)} claims: workspace {workspace} ...", flush=True)
            manifest = build_workspace(size, workspace, args)
            workspaces[size] = workspace
            c, t = manifest["counts"], manifest["timings_s"]
            print(
                f"   {'reused' if manifest['_reused'] else 'built'}: {c['claims']:,} claims in"
                f" {c['documents']:,} documents ({c['clusters']:,} clusters),"
                f" {c['contradictions']:,} contradictions, {c['alerts']:,} alerts,"
                f" {c['observations']} observations; built in {t['total']:.1f} s"
                f" ({', '.join(f'{k} {v:.1f}' for k, v in t.items() if k != 'total')})"
            )
            print("   brief: fresh subprocess ...", flush=True)
            state = run_child(workspace, args, tmp)
            row = summarize(size, manifest, state)
            rows.append(row)
            results["runs"].append(
                {
                    "summary": row,
                    "workspace": {k: v for k, v in manifest.items() if not k.startswith("_")},
                    "detail": state,
                }
            )
            json_path.write_text(json.dumps(results, indent=2, default=str) + "\n")
            if state.get("stopped"):
                print(f"   STOPPED: {state['stopped']} (phase {state.get('phase')})")
            else:
                print(
                    f"   make_brief {row['make_brief_s']:.2f} s, writes"
                    + "".join(f" {fmt} {row[f'{fmt}_s']:.2f} s" for fmt in args.format_list)
                    + f"; peak RSS {row['peak_rss_mb']:,.0f} MB"
                )
        print("\n== results ==")
        print_table(rows)
        print_stages(rows, results["runs"])
        print_bounded(rows, results["runs"])
        if args.profile:
            size = args.size_list[-1]
            prof = json_path.parent / f"brief-profile-{label(size)}.prof"
            print(f"\n== cProfile of one {label(size)} make_brief (inflates many small calls) ==")
            state = run_child(workspaces[size], args, tmp, profile_out=str(prof))
            if prof.exists():
                results["profile"] = {"path": str(prof), "top_cumulative": print_profile(str(prof))}
                print(f"profile saved to {prof} (python -m pstats {prof})")
            else:
                print(f"profile run failed: {state.get('stopped')}")
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    json_path.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nload avg: {' '.join(f'{x:.2f}' for x in os.getloadavg())} at end")
    print(f"results: {json_path}")
    print(f"re-run:  {command_line(args)}")
    return 1 if any(run["detail"].get("failed") for run in results["runs"]) else 0


if __name__ == "__main__":
    sys.exit(main())
