#!/usr/bin/env python
"""Entry point of ``make bench``: run every benchmark in sequence and print its figures.

    .venv/bin/python benchmarks/run.py                  # ingest, clustering, extract
    .venv/bin/python benchmarks/run.py --quick          # ingest 1k only, quick clustering run
    .venv/bin/python benchmarks/run.py --sizes 1k,10k   # ingest sizes to run
    .venv/bin/python benchmarks/run.py --max-seconds 0  # no time cap per ingest run

Results are also written as JSON to bench-results/ (ingest.json, clustering.json,
extract.json).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def main() -> int:
    parser = argparse.ArgumentParser(description="Run Watchboard's benchmarks in sequence.")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="1k documents only for ingest; fewer pairs for clustering",
    )
    parser.add_argument("--sizes", help="ingest sizes, e.g. 1k,10k,100k (default: all three)")
    parser.add_argument("--max-seconds", help="time cap per ingest run (0: none; default 300)")
    parser.add_argument(
        "--only",
        choices=("ingest", "clustering", "extract", "assess", "brief", "web-load"),
        help="run one script only",
    )
    args = parser.parse_args()

    ingest = [sys.executable, str(HERE / "bench_ingest.py")]
    if args.quick:
        ingest.append("--quick")
    elif args.sizes:
        ingest += ["--sizes", args.sizes]
    if args.max_seconds is not None:
        ingest += ["--max-seconds", args.max_seconds]
    clustering = [sys.executable, str(HERE / "bench_clustering.py")]
    if args.quick:
        clustering.append("--quick")

    steps = [
        ("ingest", ingest),
        ("clustering", clustering),
        ("extract", [sys.executable, str(HERE / "bench_extract.py"), *(["--quick"] * args.quick)]),
        ("assess", [sys.executable, str(HERE / "bench_assess.py"), *(["--quick"] * args.quick)]),
        ("brief", [sys.executable, str(HERE / "bench_brief.py"), *(["--quick"] * args.quick)]),
        (
            "web-load",
            [sys.executable, str(HERE / "bench_web_load.py"), *(["--quick"] * args.quick)],
        ),
    ]
    if args.only:
        steps = [s for s in steps if s[0] == args.only]
    failed = []
    start = time.perf_counter()
    for name, cmd in steps:
        print(
            f"\n### {name}: {' '.join(Path(c).name if i < 2 else c for i, c in enumerate(cmd))}",
            flush=True,
        )
        step_start = time.perf_counter()
        code = subprocess.call(cmd, cwd=REPO)  # output goes straight to the terminal
        print(f"### {name}: exit {code} after {time.perf_counter() - step_start:.0f} s", flush=True)
        if code:
            failed.append(name)
    print(
        f"\nbenchmarks finished in {time.perf_counter() - start:.0f} s"
        + (f"; FAILED: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
