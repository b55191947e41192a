"""Offline change points: where a series' level shifts, found with ruptures' C kernels."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from watchboard.detect.params import Detector, Param, arguments
from watchboard.detect.series import (
    PERIODS,
    Series,
    add_months,
    median,
    noise_sd,
    period_keys,
    prepare_series,
    scale_floor,
)
from watchboard.model.observation import Change

#: The penalty per break (x ln n, on the noise-standardised series) when ``penalty`` is None.
#: Chosen with benchmarks/bench_detectors.py (docs/detectors.md).
DEFAULT_PENALTY = {"linear": 4.0, "rbf": 1.0}
#: The bandwidth of the rbf kernel: gamma in exp(-gamma (x - y)^2) on noise-standardised
#: values, i.e. a kernel one noise SD wide. A fixed value keeps results independent of the
#: size of the shifts (ruptures' own median heuristic also builds an n x n matrix).
RBF_GAMMA = 0.5


def change_point(
    times: Sequence[datetime],
    values: Sequence[float | None],
    *,
    kernel: str = "rbf",
    penalty: float | None = None,
    min_size: int = 6,
    min_shift_sd: float = 0.5,
    period: str | None = None,
    baseline_months: int = 0,
    max_points: int = 5000,
) -> list[Change]:
    """Level shifts found offline over the whole series (ruptures ``KernelCPD``, penalised).

    The observed values (gaps dropped) are divided by their noise SD (the robust SD of first
    differences / sqrt 2), segmented by ``KernelCPD(kernel, min_size)`` with a penalty of
    ``penalty x ln n`` per break, and each break is scored by the shift between the medians of
    the segments on either side, in noise SDs. Breaks scoring below ``min_shift_sd`` are
    removed one at a time, weakest first, merging their segments and re-scoring the
    neighbours. Each remaining break is a :class:`Change` at the first observation after it.

    Parameters:
        kernel: ``"linear"`` (mean shifts; least squares) or ``"rbf"`` (any change in
            distribution; less sensitive to outliers, ~2x slower).
        penalty: cost of one break, in units of ln n; None uses ``DEFAULT_PENALTY[kernel]``.
            Higher means fewer breaks.
        min_size: the fewest observations in a segment.
        min_shift_sd: the smallest shift reported, in noise SDs.
        period: ``"month"``, ``"quarter"`` or ``"week"`` removes a seasonal cycle first: each
            period of the year's median difference from its calendar year's median, then,
            when breaks are found, from the levels between them (a second search); levels
            are then seasonally adjusted.
        baseline_months: no break is reported in the first this-many months of the series
            (the case-file meaning: a change needs that much history before it).
        max_points: longer series are averaged in blocks to at most this many points for the
            search (the kernels cost O(n^2)); each break is then placed on the raw series
            within one block either side.

    A series with fewer than ``2 x min_size`` observations, or a constant one, gives no change.
    """
    settings = CHANGE_POINT.settings(arguments(locals()))
    if settings["penalty"] is None:
        settings["penalty"] = DEFAULT_PENALTY[settings["kernel"]]
    series = prepare_series(times, values)
    n = len(series)
    if n < 2 * min_size or n < 3:
        return []
    if np.all(series.x == series.x[0]):
        return []
    if period is None:
        work = series.x
        kept, sigma = _search(series, work, settings)
    else:
        keys = period_keys(series.observed_times(), period)
        work = _deseasonalise(series.x, keys, _first_profile(series, keys, period))
        kept, sigma = _search(series, work, settings)
        if kept:  # a second pass with a profile fitted around the shifts found
            level = np.empty(n)
            bounds = [0] + [b for b, _, _ in kept] + [n]
            for lo, hi in itertools.pairwise(bounds):
                level[lo:hi] = median(work[lo:hi])
            work = _deseasonalise(series.x, keys, _profile(series.x - level, keys))
            kept, sigma = _search(series, work, settings)
    changes = []
    for b, before, after in kept:
        shift = after - before
        changes.append(
            Change(
                index=int(series.index[b]),
                time=series.time(b),
                detector="change_point",
                direction="up" if shift > 0 else "down",
                magnitude=shift,
                score=abs(shift) / sigma,
                params=dict(settings),
                before=before,
                after=after,
            )
        )
    return changes


def _search(
    series: Series, work: np.ndarray, settings: dict[str, Any]
) -> tuple[list[tuple[int, float, float]], float]:
    """The breaks kept in ``work`` as (position, before, after), and its noise SD."""
    center = median(work)
    sigma = scale_floor(noise_sd(work), center)
    z = (work - center) / sigma
    breaks = _kernel_breaks(
        z,
        settings["kernel"],
        float(settings["penalty"]),
        settings["min_size"],
        settings["max_points"],
    )
    if settings["baseline_months"] > 0 and breaks:
        cutoff = add_months(series.time(0), settings["baseline_months"])
        breaks = [b for b in breaks if series.time(b) >= cutoff]
    return _prune(work, breaks, sigma, settings["min_shift_sd"]), sigma


def _deseasonalise(x: np.ndarray, keys: np.ndarray, profile: dict[int, float]) -> np.ndarray:
    """Values minus a seasonal profile (centred, so levels stay in the series' units)."""
    center = median(np.array(list(profile.values())))
    return x - np.array([profile.get(int(k), center) for k in keys]) + center


def _profile(residual: np.ndarray, keys: np.ndarray) -> dict[int, float]:
    """The median residual per period of the year."""
    return {int(k): median(residual[keys == k]) for k in np.unique(keys)}


def _first_profile(series: Series, keys: np.ndarray, period: str) -> dict[int, float]:
    """A seasonal profile before any shift is known.

    Each period of the year's median difference from *its calendar year's* median, over the
    complete years (values in at least 90 % of the periods of the year; all years when none
    is). Medians of the raw values per period would absorb the very shifts being looked for
    (a shift moves the medians of some months more than others, which comes out as spurious
    breaks half a year apart); here a shift disturbs only the year it happens in, which the
    median over the years outvotes. The second pass refits the profile around the shifts found.
    """
    times = series.observed_times()
    years = np.fromiter((t.astimezone(UTC).year for t in times), dtype=np.int64, count=len(times))
    x = series.x
    residual = np.empty(len(x))
    complete = np.zeros(len(x), dtype=bool)
    for year in np.unique(years):
        mask = years == year
        residual[mask] = x[mask] - median(x[mask])
        complete[mask] = len(np.unique(keys[mask])) >= 0.9 * PERIODS[period]
    use = complete if complete.any() else np.ones(len(x), dtype=bool)
    return _profile(residual[use], keys[use]) | {
        int(k): 0.0 for k in np.unique(keys) if not (use & (keys == k)).any()
    }


def _kernel_breaks(
    z: np.ndarray, kernel: str, penalty: float, min_size: int, max_points: int
) -> list[int]:
    """Break positions (first index of each new segment) in ``z``."""
    import ruptures as rpt  # imported here: it pulls in scipy, which the CLI need not load

    n = len(z)
    block = math.ceil(n / max_points)
    signal = z
    size = min_size
    if block > 1:
        starts = np.arange(0, n, block)
        counts = np.diff(np.append(starts, n))
        means = np.add.reduceat(z, starts) / counts
        spread = scale_floor(noise_sd(means), 1.0)
        signal = (means - np.median(means)) / spread
        size = max(2, math.ceil(min_size / block))
    m = len(signal)
    if m < 2 * size:
        return []
    params: dict[str, Any] | None = {"gamma": RBF_GAMMA} if kernel == "rbf" else None
    algo = rpt.KernelCPD(kernel=kernel, min_size=size, params=params)
    found = [int(b) for b in algo.fit(signal.astype(np.float64)).predict(pen=penalty * math.log(m))]
    found = [b for b in found if 0 < b < m]
    if block == 1:
        return found
    return _refine(z, [b * block for b in found], block, min_size)


def _refine(z: np.ndarray, coarse: list[int], block: int, min_size: int) -> list[int]:
    """Place each block-boundary break at the best split of the raw series within +-1 block."""
    n = len(z)
    out: list[int] = []
    for i, p0 in enumerate(coarse):
        prev = out[-1] if out else 0
        nxt = coarse[i + 1] if i + 1 < len(coarse) else n
        a = max(prev, p0 - 2 * block)
        c = min(nxt, p0 + 2 * block)
        lo = max(a + 1, p0 - block, prev + min_size)
        hi = min(c - 1, p0 + block, nxt - min_size)
        if hi < lo:
            out.append(p0)
            continue
        seg = z[a:c]
        csum = np.concatenate(([0.0], np.cumsum(seg)))
        total = csum[-1]
        length = c - a
        splits = np.arange(lo - a, hi - a + 1)
        left = csum[splits]
        gain = left**2 / splits + (total - left) ** 2 / (length - splits)
        out.append(a + int(splits[int(np.argmax(gain))]))
    return out


def _prune(
    work: np.ndarray, breaks: list[int], sigma: float, min_shift_sd: float
) -> list[tuple[int, float, float]]:
    """Remove the weakest break while it shifts less than ``min_shift_sd``; (break, before,
    after) for the rest."""
    n = len(work)
    bk = sorted(set(breaks))

    def levels(i: int) -> tuple[float, float]:
        lo = bk[i - 1] if i > 0 else 0
        hi = bk[i + 1] if i + 1 < len(bk) else n
        return float(np.median(work[lo : bk[i]])), float(np.median(work[bk[i] : hi]))

    pairs = [levels(i) for i in range(len(bk))]
    while bk:
        scores = np.array([abs(a - b) for b, a in pairs]) / sigma
        j = int(np.argmin(scores))
        if scores[j] >= min_shift_sd and scores[j] > 0:
            break
        del bk[j]
        del pairs[j]
        for i in (j - 1, j):
            if 0 <= i < len(bk):
                pairs[i] = levels(i)
    return [(b, before, after) for b, (before, after) in zip(bk, pairs, strict=True)]


CHANGE_POINT = Detector.build(
    "change_point",
    change_point,
    [
        Param(
            "kernel",
            "str",
            "ruptures kernel: linear (mean shifts) or rbf",
            choices=("linear", "rbf"),
        ),
        Param(
            "penalty",
            "number",
            "penalty per break x ln n; None: the kernel's default",
            above=0,
            optional=True,
        ),
        Param("min_size", "int", "fewest observations in a segment", minimum=2),
        Param("min_shift_sd", "number", "smallest reported shift, in noise SDs", minimum=0),
        Param(
            "period",
            "str",
            "remove this seasonal cycle first",
            choices=tuple(PERIODS),
            optional=True,
        ),
        Param(
            "baseline_months", "int", "no break in the series' first this-many months", minimum=0
        ),
        Param(
            "max_points", "int", "longer series are block-averaged to this many points", minimum=100
        ),
    ],
)
