#!/usr/bin/env python
"""Change detectors on synthetic series with known breaks: detection, false alarms, delay, speed.

Every series is generated from a fixed seed, so a re-run on the same code gives the same
figures. Five scenarios (noise in units of its SD; "robust SD" for the heavy-tailed one):

==================  =========  ========================================================
scenario            points     what
==================  =========  ========================================================
gauss               1,000 d    Gaussian noise, break in [450, 850]
t3                  1,000 d    Student t (3 df) noise scaled to robust SD 1 (outliers)
gaps                1,000 d    as gauss with 30 % of the points missing (None)
seasonal-monthly    144 m      annual cycle of amplitude 3 + Gaussian noise, break [60, 120]
seasonal-daily      2,190 d    annual cycle of amplitude 3 + Gaussian noise, break [1100, 1900]
==================  =========  ========================================================

Each scenario has null series (no break) and series with one mean shift of 1, 2, 3 or 5 SD
(up or down at random) at a random position; ``--reps`` series of each. Every detector runs
over a grid of settings through :func:`watchboard.detect.run_detector` (the public path). On
the seasonal scenarios ``change_point`` and ``cusum`` get ``period: month`` (and ``cusum`` a
two-year baseline), as an analyst would set them for a seasonal indicator.

What counts:

* **detected** -- ``change_point`` (offline): a reported break within +-tol points of the true
  one (tol 5, monthly 2), in the right direction. ``cusum`` / ``seasonal_anomaly`` (online): an
  alarm (``params["alarm_index"]``) in the right direction no earlier than the break and at
  most ``window`` points after it (60, monthly 12).
* **delay** -- online: alarm position - true break, in points of the series (gaps included).
  For ``change_point`` the offline location error is given instead, and, for the chosen
  setting, the *monitoring delay*: the fewest points after the break with which a re-run over
  the series so far finds it (prefix lengths b + 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64).
* **false alarms per 1,000 points** -- null series: every change; break series:
  ``change_point``: every reported break that is not the matched one; online detectors: every
  alarm raised before ``break - tol`` (alarms after a real shift are not counted either way),
  over the points before ``break - tol``. Denominators count observed points.

A setting's **detection** is its mean detection rate over the scenarios and the four shifts.
The chosen setting of each detector is the one with the best detection among those whose false
alarm rate is <= 1 per 1,000 points in *every* scenario; settings within one binomial standard
error of that best detection count as tied, and the tie goes to the one with the fewest false
alarms (mean over the scenarios); between identical results, to the more conservative setting.

Speed: each detector with its code defaults on a 100,000-point daily series (one 4-SD shift),
median of 3 runs, one process.

Usage::

    .venv/bin/python benchmarks/bench_detectors.py              # 40 series per cell (~10 min)
    .venv/bin/python benchmarks/bench_detectors.py --reps 10    # quicker, coarser
    .venv/bin/python benchmarks/bench_detectors.py --no-speed
    .venv/bin/python benchmarks/bench_detectors.py --report bench-results/detectors.json

Writes bench-results/detectors.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _git import git_state  # noqa: E402

from watchboard.detect import DETECTORS, run_detector  # noqa: E402
from watchboard.detect.change_point import DEFAULT_PENALTY  # noqa: E402
from watchboard.detect.series import add_months  # noqa: E402

REPO = HERE.parent
RESULTS = REPO / "bench-results" / "detectors.json"
SHIFTS = (0.0, 1.0, 2.0, 3.0, 5.0)
FA_LIMIT = 1.0  # false alarms per 1,000 points
T3_ROBUST_SD = 1.4826 * 0.7648923  # MAD-based SD of a Student t with 3 degrees of freedom
PREFIX_STEPS = (2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)
OFFLINE = {"change_point"}


@dataclass(frozen=True)
class Scenario:
    name: str
    n: int
    step: str  # "day" or "month"
    noise: str  # "gauss" or "t3"
    amplitude: float  # annual cycle, in noise SDs
    gaps: float  # share of points missing
    lo: int  # break position range
    hi: int
    window: int  # online detection window (points after the break)
    tol: int  # location tolerance (points)

    @property
    def seasonal(self) -> bool:
        return self.amplitude > 0


SCENARIOS = [
    Scenario("gauss", 1000, "day", "gauss", 0.0, 0.0, 450, 850, 60, 5),
    Scenario("t3", 1000, "day", "t3", 0.0, 0.0, 450, 850, 60, 5),
    Scenario("gaps", 1000, "day", "gauss", 0.0, 0.3, 450, 850, 60, 5),
    Scenario("seasonal-monthly", 144, "month", "gauss", 3.0, 0.0, 60, 120, 12, 2),
    Scenario("seasonal-daily", 2190, "day", "gauss", 3.0, 0.0, 1100, 1900, 60, 5),
]
BY_NAME = {s.name: s for s in SCENARIOS}
START = datetime(2015, 1, 1, tzinfo=UTC)


# -- settings grid ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    detector: str
    label: str
    params: dict[str, Any]

    def for_scenario(self, scenario: Scenario) -> dict[str, Any]:
        """The params as an analyst would set them for this scenario."""
        params = dict(self.params)
        if scenario.seasonal and self.detector in ("change_point", "cusum"):
            params["period"] = "month"
            if self.detector == "cusum":
                params["baseline"] = 24 if scenario.step == "month" else 730
        return params


def grid() -> list[Setting]:
    out: list[Setting] = []
    for kernel, penalties in (("linear", (3, 4, 6, 10)), ("rbf", (0.5, 1, 2))):
        for penalty in penalties:
            for shift in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0):
                params = {"kernel": kernel, "penalty": float(penalty), "min_shift_sd": shift}
                out.append(Setting("change_point", _label(params), params))
    for k in (0.25, 0.5, 1.0):
        for h in (5.0, 8.0, 12.0, 16.0, 24.0):
            for clip in (None, 3.0):
                for baseline in (30, 60, 100):
                    params = {"k": k, "h": h, "clip": clip, "baseline": baseline}
                    out.append(Setting("cusum", _label(params), params))
    for threshold in (1.5, 2.0, 2.5, 3.0, 4.0, 5.0):
        for consecutive in (1, 2, 3, 4, 5):
            params = {"threshold": threshold, "consecutive": consecutive, "baseline_months": 36}
            out.append(Setting("seasonal_anomaly", _label(params), params))
    return out


def _label(params: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items())


# -- series -----------------------------------------------------------------------------------


@dataclass
class Case:
    scenario: str
    shift: float
    rep: int
    times: list[datetime]
    values: list[float | None]
    brk: int | None  # position of the first shifted point
    sign: int


def make_case(scenario: Scenario, shift: float, rep: int) -> Case:
    seed = (SCENARIOS.index(scenario), SHIFTS.index(shift), rep)
    rng = np.random.default_rng(seed)
    n = scenario.n
    x = rng.standard_t(3, size=n) / T3_ROBUST_SD if scenario.noise == "t3" else rng.normal(size=n)
    if scenario.step == "month":
        times = [add_months(START, i) for i in range(n)]
        phase_of = np.array([i % 12 / 12 for i in range(n)])
    else:
        times = [START + timedelta(days=i) for i in range(n)]
        phase_of = np.array([i / 365.25 % 1 for i in range(n)])
    if scenario.seasonal:
        x = x + scenario.amplitude * np.sin(2 * np.pi * phase_of + rng.uniform(0, 2 * np.pi))
    brk = None
    sign = 1 if rng.random() < 0.5 else -1
    if shift > 0:
        brk = int(rng.integers(scenario.lo, scenario.hi + 1))
        x[brk:] += sign * shift
    values: list[float | None] = [float(v) for v in x]
    if scenario.gaps > 0:
        for i in np.flatnonzero(rng.random(n) < scenario.gaps):
            values[int(i)] = None
    return Case(scenario.name, shift, rep, times, values, brk, sign)


# -- evaluation -------------------------------------------------------------------------------


def evaluate(case: Case, setting: Setting) -> dict[str, Any]:
    scenario = BY_NAME[case.scenario]
    changes = run_detector(
        setting.detector, case.times, case.values, setting.for_scenario(scenario)
    )
    observed = np.array([v is not None for v in case.values])
    out: dict[str, Any] = {"detected": False, "delay": None, "loc": None}
    want = "up" if case.sign > 0 else "down"
    b = case.brk
    if setting.detector in OFFLINE:
        out["fa_points"] = int(observed.sum())
        matched = None
        if b is not None:
            near = [c for c in changes if abs(c.index - b) <= scenario.tol and c.direction == want]
            if near:
                matched = min(near, key=lambda c: abs(c.index - b))
                out["detected"] = True
                out["loc"] = abs(matched.index - b)
        out["false"] = len(changes) - (1 if matched is not None else 0)
        return out
    alarms = [(int(c.params["alarm_index"]), c) for c in changes]
    if b is None:
        out["false"] = len(alarms)
        out["fa_points"] = int(observed.sum())
        return out
    cut = b - scenario.tol
    out["false"] = sum(1 for a, _ in alarms if a < cut)
    out["fa_points"] = int(observed[: max(cut, 0)].sum())
    hits = [(a, c) for a, c in alarms if b <= a <= b + scenario.window and c.direction == want]
    if hits:
        a, c = min(hits, key=lambda pair: pair[0])
        out["detected"] = True
        out["delay"] = a - b
        out["loc"] = abs(c.index - b)
    return out


def monitoring_delay(case: Case, setting: Setting) -> int | None:
    """Fewest points after the break with which change_point, re-run on the prefix, finds it."""
    scenario = BY_NAME[case.scenario]
    assert case.brk is not None
    want = "up" if case.sign > 0 else "down"
    params = setting.for_scenario(scenario)
    for d in PREFIX_STEPS:
        end = case.brk + d
        if end > len(case.values):
            break
        changes = run_detector(setting.detector, case.times[:end], case.values[:end], params)
        if any(abs(c.index - case.brk) <= scenario.tol and c.direction == want for c in changes):
            return d
    return None


def run_task(task: tuple[str, float, int]) -> list[tuple[str, str, float, dict[str, Any]]]:
    scenario_name, shift, rep = task
    case = make_case(BY_NAME[scenario_name], shift, rep)
    return [(s.detector, s.label, shift, evaluate(case, s)) for s in GRID]


GRID = grid()


# -- aggregation ------------------------------------------------------------------------------


@dataclass
class Cell:
    series: int = 0
    detected: int = 0
    false: int = 0
    fa_points: int = 0

    def __post_init__(self) -> None:
        self.delays: list[int] = []
        self.locs: list[int] = []

    def add(self, out: dict[str, Any]) -> None:
        self.series += 1
        self.detected += int(out["detected"])
        self.false += out["false"]
        self.fa_points += out["fa_points"]
        if out["delay"] is not None:
            self.delays.append(out["delay"])
        if out["loc"] is not None:
            self.locs.append(out["loc"])


def summarise(cells: dict[tuple[str, str, str, float], Cell]) -> dict[str, Any]:
    """Per setting: detection by scenario and shift, false alarms by scenario, delays."""
    table: dict[str, dict[str, Any]] = {}
    for setting in GRID:
        rows = {}
        for scenario in SCENARIOS:
            fa_n = fa_p = 0
            by_shift = {}
            for shift in SHIFTS:
                cell = cells[(setting.detector, setting.label, scenario.name, shift)]
                fa_n += cell.false
                fa_p += cell.fa_points
                if shift > 0:
                    by_shift[shift] = {
                        "series": cell.series,
                        "detection": cell.detected / cell.series if cell.series else 0.0,
                        "mean_delay": statistics.mean(cell.delays) if cell.delays else None,
                        "median_delay": statistics.median(cell.delays) if cell.delays else None,
                        "median_loc": statistics.median(cell.locs) if cell.locs else None,
                    }
            rows[scenario.name] = {
                "fa_per_1000": 1000 * fa_n / fa_p if fa_p else 0.0,
                "false_alarms": fa_n,
                "fa_points": fa_p,
                "shifts": by_shift,
            }
        detections = [r["shifts"][s]["detection"] for r in rows.values() for s in SHIFTS if s > 0]
        delays = [
            d
            for sc in SCENARIOS
            for s in SHIFTS
            if s > 0
            for d in cells[(setting.detector, setting.label, sc.name, s)].delays
        ]
        locs = [
            d
            for sc in SCENARIOS
            for s in SHIFTS
            if s > 0
            for d in cells[(setting.detector, setting.label, sc.name, s)].locs
        ]
        worst = max(rows, key=lambda name: rows[name]["fa_per_1000"])
        table[f"{setting.detector}|{setting.label}"] = {
            "detector": setting.detector,
            "label": setting.label,
            "params": setting.params,
            "detection": statistics.mean(detections),
            "break_series": sum(
                r["shifts"][s]["series"] for r in rows.values() for s in SHIFTS if s > 0
            ),
            "detection_by_shift": {
                s: statistics.mean(r["shifts"][s]["detection"] for r in rows.values())
                for s in SHIFTS
                if s > 0
            },
            "worst_fa_per_1000": rows[worst]["fa_per_1000"],
            "worst_fa_scenario": worst,
            "mean_fa_per_1000": statistics.mean(r["fa_per_1000"] for r in rows.values()),
            "mean_delay": statistics.mean(delays) if delays else None,
            "median_delay": statistics.median(delays) if delays else None,
            "median_loc": statistics.median(locs) if locs else None,
            "scenarios": rows,
        }
    return table


def choose(table: dict[str, Any], detector: str) -> dict[str, Any] | None:
    """Best detection within the false-alarm limit; settings within one standard error of the
    best detection count as tied, and the tie goes to the fewest false alarms."""
    ok = [
        r
        for r in table.values()
        if r["detector"] == detector and r["worst_fa_per_1000"] <= FA_LIMIT
    ]
    if not ok:
        return None
    best = max(ok, key=lambda r: r["detection"])
    p = best["detection"]
    se = math.sqrt(p * (1 - p) / best["break_series"])
    tied = [r for r in ok if r["detection"] >= p - se]
    # The grid lists each parameter from the least to the most conservative value, so among
    # settings with identical results (e.g. a min_shift_sd below every shift the penalty lets
    # through) the last one is the most conservative: it wins.
    order = {label: i for i, label in enumerate(table)}
    return min(
        tied,
        key=lambda r: (
            r["mean_fa_per_1000"],
            -r["detection"],
            -order[r["detector"] + "|" + r["label"]],
        ),
    )


def code_default_label(table: dict[str, Any], detector: str) -> str | None:
    """The label of the grid row that matches the code's current defaults, if there is one."""
    defaults = DETECTORS[detector].defaults()
    if detector == "change_point" and defaults["penalty"] is None:
        defaults["penalty"] = DEFAULT_PENALTY[defaults["kernel"]]
    for row in table.values():
        if row["detector"] == detector and all(
            defaults.get(k) == v for k, v in row["params"].items()
        ):
            return str(row["label"])
    return None


# -- speed ------------------------------------------------------------------------------------


def speed(n: int = 100_000) -> dict[str, Any]:
    rng = np.random.default_rng(12345)
    times = [datetime(1800, 1, 1, tzinfo=UTC) + timedelta(days=i) for i in range(n)]
    x = rng.normal(size=n)
    x[int(n * 0.6) :] += 4.0
    values: list[float | None] = [float(v) for v in x]
    runs: list[tuple[str, dict[str, Any]]] = [
        ("change_point", {}),
        ("change_point", {"kernel": "rbf"}),
        ("change_point", {"max_points": 20_000}),
        ("seasonal_anomaly", {}),
        ("cusum", {}),
        ("threshold", {"above": 5.0}),
        ("year_on_year", {}),
    ]
    out = {}
    for name, params in runs:
        seconds = []
        found = 0
        for _ in range(3):
            began = time.perf_counter()
            found = len(run_detector(name, times, values, params))
            seconds.append(time.perf_counter() - began)
        label = name + (" " + _label(params) if params else "")
        out[label] = {"seconds": statistics.median(seconds), "changes": found}
    return out


# -- output -----------------------------------------------------------------------------------


def fmt(v: float | None, spec: str = ".2f") -> str:
    return "-" if v is None else format(v, spec)


def print_grid(table: dict[str, Any], detector: str, chosen: str | None, top: int) -> None:
    rows = sorted(
        (r for r in table.values() if r["detector"] == detector),
        key=lambda r: (r["worst_fa_per_1000"] > FA_LIMIT, -r["detection"]),
    )
    default = code_default_label(table, detector)
    shown = rows[:top] + [r for r in rows[top:] if r["label"] in (chosen, default)]
    print(f"\n{detector}: {len(rows)} settings; best {top} within the false-alarm limit first")
    head = "det"
    print(
        f"  {'setting':<52} {head:>5} {'d=1':>5} {'d=2':>5} {'d=3':>5} {'d=5':>5}"
        f" {'FA/1k max':>9} {'(where)':<17} {'FA/1k mean':>10} {'delay':>6} {'loc':>4}"
    )
    for r in shown:
        mark = "*" if r["label"] == chosen else " "
        mark += "d" if r["label"] == default else " "
        by = r["detection_by_shift"]
        print(
            f"{mark}{r['label']:<52} {r['detection']:5.2f} {by[1.0]:5.2f} {by[2.0]:5.2f}"
            f" {by[3.0]:5.2f} {by[5.0]:5.2f} {r['worst_fa_per_1000']:9.2f}"
            f" {r['worst_fa_scenario']:<17} {r['mean_fa_per_1000']:10.2f}"
            f" {fmt(r['mean_delay'], '.1f'):>6} {fmt(r['median_loc'], '.0f'):>4}"
        )


def print_detail(row: dict[str, Any], mdelay: dict[str, Any] | None) -> None:
    print(f"\n  {row['detector']} [{row['label']}] by scenario and shift:")
    print(
        f"    {'scenario':<17} {'FA/1k':>6} {'shift':>5} {'det':>5} {'mean delay':>10}"
        f" {'median delay':>12} {'median loc':>10}"
        + (f" {'monitoring delay (median, found)':>32}" if mdelay else "")
    )
    for name, sc in row["scenarios"].items():
        for shift, cell in sc["shifts"].items():
            extra = ""
            if mdelay:
                m = mdelay[name][str(shift)]
                extra = f" {fmt(m['median'], '.0f'):>22} ({m['found']:.2f})"
            print(
                f"    {name:<17} {sc['fa_per_1000']:6.2f} {shift:5.0f} {cell['detection']:5.2f}"
                f" {fmt(cell['mean_delay'], '.1f'):>10} {fmt(cell['median_delay'], '.0f'):>12}"
                f" {fmt(cell['median_loc'], '.0f'):>10}" + extra
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--reps", type=int, default=40, help="series per scenario and shift")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--top", type=int, default=8, help="grid rows printed per detector")
    parser.add_argument("--no-speed", action="store_true", help="skip the 100k-point timings")
    parser.add_argument("--json", type=Path, default=RESULTS)
    parser.add_argument(
        "--report",
        type=Path,
        metavar="JSON",
        help="print the tables of an earlier run (marking the code's current defaults); no runs",
    )
    args = parser.parse_args(argv)
    if args.report:
        results = json.loads(args.report.read_text(encoding="utf-8"))
        print(f"command: {results['command']}  (reported from {args.report})")
        dirty = " (src/ had uncommitted changes)" if results["src_dirty"] else ""
        print(
            f"commit {results['commit']}{dirty};"
            f" Python {results['python']}; numpy {results['numpy']};"
            f" ruptures {results['ruptures']}; {results['reps']} series per cell"
        )
        report(_restore(results), args.top)
        return 0
    results = run(args)
    report(results, args.top)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nbenchmark took {results['elapsed_s']:.0f} s; results: {args.json}")
    return 0


def run(args: argparse.Namespace) -> dict[str, Any]:
    began = time.perf_counter()
    command = " ".join([".venv/bin/python", "benchmarks/bench_detectors.py", *sys.argv[1:]])
    commit, dirty = git_state(REPO)
    print(f"command: {command}")
    print(
        f"commit {commit}{' (src/ has uncommitted changes)' if dirty else ''};"
        f" Python {platform.python_version()}; numpy {np.__version__};"
        f" ruptures {metadata.version('ruptures')}; {args.workers} worker(s)"
    )
    tasks = [
        (s.name, shift, rep) for s in SCENARIOS for shift in SHIFTS for rep in range(args.reps)
    ]
    print(
        f"{len(tasks)} series ({len(SCENARIOS)} scenarios x {len(SHIFTS)} shifts x {args.reps});"
        f" {len(GRID)} settings"
    )
    cells: dict[tuple[str, str, str, float], Cell] = defaultdict(Cell)
    with ProcessPoolExecutor(args.workers) as pool:
        for task, results in zip(tasks, pool.map(run_task, tasks, chunksize=4), strict=True):
            for detector, label, shift, out in results:
                cells[(detector, label, task[0], shift)].add(out)
    print(f"grid evaluated in {time.perf_counter() - began:.0f} s")
    table = summarise(cells)
    chosen: dict[str, Any] = {}
    for detector in ("change_point", "cusum", "seasonal_anomaly"):
        best = choose(table, detector)
        chosen[detector] = best["label"] if best else None

    # Monitoring delay of change_point's chosen setting: re-runs on growing prefixes.
    monitoring: dict[str, Any] = {}
    if chosen["change_point"]:
        setting = next(
            s for s in GRID if s.detector == "change_point" and s.label == chosen["change_point"]
        )
        prefix_tasks = [
            (s.name, shift, rep)
            for s in SCENARIOS
            for shift in SHIFTS
            if shift > 0
            for rep in range(args.reps)
        ]
        with ProcessPoolExecutor(args.workers) as pool:
            delays = list(
                pool.map(_monitoring_task, [(t, setting) for t in prefix_tasks], chunksize=4)
            )
        grouped: dict[tuple[str, float], list[int | None]] = defaultdict(list)
        for (name, shift, _), d in zip(prefix_tasks, delays, strict=True):
            grouped[(name, shift)].append(d)
        for (name, shift), ds in grouped.items():
            found = [d for d in ds if d is not None]
            monitoring.setdefault(name, {})[str(shift)] = {
                "found": len(found) / len(ds),
                "median": statistics.median(found) if found else None,
                "mean": statistics.mean(found) if found else None,
            }
    timings = {} if args.no_speed else speed()
    return {
        "benchmark": "detectors",
        "command": command,
        "commit": commit,
        "src_dirty": dirty,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "ruptures": metadata.version("ruptures"),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "reps": args.reps,
        "fa_limit_per_1000": FA_LIMIT,
        "scenarios": [s.__dict__ | {"seasonal": s.seasonal} for s in SCENARIOS],
        "shifts": SHIFTS,
        "chosen": chosen,
        "code_defaults": {d: DETECTORS[d].defaults() for d in DETECTORS},
        "grid": table,
        "change_point_monitoring_delay": monitoring,
        "speed_100k": timings,
        "elapsed_s": time.perf_counter() - began,
    }


def report(results: dict[str, Any], top: int) -> None:
    table = results["grid"]
    chosen = results["chosen"]
    for detector in ("change_point", "cusum", "seasonal_anomaly"):
        print_grid(table, detector, chosen[detector], top)
    print(
        "\n* = chosen (best detection with <= 1 false alarm per 1,000 points in every scenario;"
        " within 1 SE of it, fewest false alarms)"
    )
    print("d = the code's current defaults")
    print("\nChosen settings in detail (delay: points after the true break; loc: |onset - break|)")
    monitoring = results["change_point_monitoring_delay"]
    for detector, label in chosen.items():
        if label:
            print_detail(
                table[f"{detector}|{label}"], monitoring if detector == "change_point" else None
            )
    if results["speed_100k"]:
        print("\nSpeed on a 100,000-point daily series (code defaults; median of 3 runs):")
        for label, t in results["speed_100k"].items():
            plural = "" if t["changes"] == 1 else "s"
            print(f"  {label:<42} {t['seconds']:7.2f} s   ({t['changes']} change{plural})")


def _restore(results: dict[str, Any]) -> dict[str, Any]:
    """JSON made the shift keys strings: make them floats again."""
    for row in results["grid"].values():
        row["detection_by_shift"] = {float(k): v for k, v in row["detection_by_shift"].items()}
        for sc in row["scenarios"].values():
            sc["shifts"] = {float(k): v for k, v in sc["shifts"].items()}
    return results


def _monitoring_task(arg: tuple[tuple[str, float, int], Setting]) -> int | None:
    (name, shift, rep), setting = arg
    return monitoring_delay(make_case(BY_NAME[name], shift, rep), setting)


if __name__ == "__main__":
    sys.exit(main())
