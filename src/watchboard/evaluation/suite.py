"""Run every evaluation on the development sets, print one table, and check recorded floors.

``make eval`` runs this with ``--root ../shared/eval``; ``.ci/run`` adds ``--check FLOORS`` so a
score that drops more than two points below the floor recorded in ``eval-floors.json`` fails CI.
The floors file is written by ``--record`` after a run whose scores the team accepts.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOLERANCE = 0.02


@dataclass(frozen=True)
class Benchmark:
    name: str
    metric: str
    target: float | None
    run: Callable[[Path], dict[str, Any]]
    score: Callable[[dict[str, Any]], float]


def _time(root: Path) -> dict[str, Any]:
    from watchboard.evaluation.timeml import evaluate_time

    return evaluate_time([root / "time" / "TimeBank", root / "time" / "AQUAINT"])


def _geo(name: str, mode: str) -> Callable[[Path], dict[str, Any]]:
    def run(root: Path) -> dict[str, Any]:
        from watchboard.evaluation.geo import evaluate_geo

        return evaluate_geo(root / "geo" / name, mode=mode)

    return run


def _attribution(root: Path) -> dict[str, Any]:
    from watchboard.evaluation.attribution import evaluate_attribution

    return evaluate_attribution(root / "attribution" / "polnear" / "dev")


def _quantities(root: Path) -> dict[str, Any]:
    from watchboard.evaluation.quantities import evaluate_quantities

    return evaluate_quantities(str(root / "quantities" / "quantulum3-quantities.json"))


BENCHMARKS = [
    Benchmark("time", "value F1 (TimeBank+AQUAINT)", 0.82, _time, lambda r: r["value"]["f1"]),
    Benchmark(
        "places-lgl-gold",
        "accuracy@161km, gold spans (LGL)",
        0.85,
        _geo("lgl.xml", "gold"),
        lambda r: r["accuracy_161km"],
    ),
    Benchmark(
        "places-geovirus-gold",
        "accuracy@161km, gold spans (GeoVirus)",
        0.85,
        _geo("GeoVirus.xml", "gold"),
        lambda r: r["accuracy_161km"],
    ),
    Benchmark(
        "places-lgl-e2e",
        "accuracy@161km, end to end (LGL)",
        0.75,
        _geo("lgl.xml", "e2e"),
        lambda r: r["accuracy_161km"],
    ),
    Benchmark(
        "places-geovirus-e2e",
        "accuracy@161km, end to end (GeoVirus)",
        0.75,
        _geo("GeoVirus.xml", "e2e"),
        lambda r: r["accuracy_161km"],
    ),
    Benchmark(
        "attribution",
        "triple F1, overlap (PolNeAR dev)",
        0.55,
        _attribution,
        lambda r: r["triples"]["overlap"]["f1"],
    ),
    Benchmark(
        "quantities",
        "value+unit accuracy (quantulum3)",
        0.90,
        _quantities,
        lambda r: r["value_unit_accuracy"],
    ),
]


def run_suite(root: Path, *, only: Sequence[str] = ()) -> dict[str, dict[str, Any]]:
    """Every benchmark's headline score, target, time taken and full report."""
    results = {}
    for bench in BENCHMARKS:
        if only and bench.name not in only:
            continue
        started = time.perf_counter()
        report = bench.run(root)
        results[bench.name] = {
            "metric": bench.metric,
            "score": round(float(bench.score(report)), 4),
            "target": bench.target,
            "seconds": round(time.perf_counter() - started, 1),
            "report": report,
        }
    return results


def check_floors(
    results: dict[str, dict[str, Any]], floors: dict[str, float], *, tolerance: float = TOLERANCE
) -> list[str]:
    """Benchmarks whose score fell more than ``tolerance`` below the recorded floor."""
    failures = []
    for name, floor in floors.items():
        if name not in results:
            failures.append(f"{name}: no score (the benchmark did not run)")
        elif results[name]["score"] < floor - tolerance:
            failures.append(
                f"{name}: {results[name]['score']:.4f} is more than {tolerance:.2f} below the "
                f"recorded floor {floor:.4f}"
            )
    return failures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m watchboard.evaluation.suite")
    parser.add_argument(
        "--root",
        type=Path,
        default=Path("../shared/eval"),
        help="folder holding time/, geo/, attribution/, quantities/",
    )
    parser.add_argument("--only", action="append", default=[], help="run only this benchmark")
    parser.add_argument("--out", type=Path, help="write the full results as JSON here")
    parser.add_argument(
        "--check",
        type=Path,
        metavar="FLOORS",
        help="fail when a score is more than 0.02 below its floor in FLOORS",
    )
    parser.add_argument(
        "--record",
        type=Path,
        metavar="FLOORS",
        help="write the scores of this run as the new floors",
    )
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        print(f"{args.root}: no such folder of gold sets", file=sys.stderr)
        return 2
    results = run_suite(args.root, only=args.only)
    print(f"{'benchmark':24} {'score':>7} {'target':>7} {'secs':>6}  metric")
    for name, r in results.items():
        target = f"{r['target']:.2f}" if r["target"] is not None else "—"
        flag = "" if r["target"] is None or r["score"] >= r["target"] else "  (below target)"
        print(f"{name:24} {r['score']:7.4f} {target:>7} {r['seconds']:6.1f}  {r['metric']}{flag}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2, default=str))
    if args.record:
        floors = {name: r["score"] for name, r in results.items()}
        args.record.write_text(json.dumps(floors, indent=2, sort_keys=True) + "\n")
        print(f"recorded floors in {args.record}")
    if args.check:
        floors = json.loads(args.check.read_text())
        failures = check_floors(results, floors)
        for failure in failures:
            print(f"FLOOR BROKEN  {failure}", file=sys.stderr)
        if failures:
            return 1
        print(f"all scores within {TOLERANCE:.2f} of the floors in {args.check}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
