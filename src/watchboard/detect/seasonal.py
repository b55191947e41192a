"""Seasonal anomalies: values far from what the same time of year looked like recently."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np

from watchboard.detect.params import Detector, Param, arguments
from watchboard.detect.runs import run_changes
from watchboard.detect.series import (
    PERIODS,
    add_months,
    epoch_seconds,
    fit_baseline,
    period_keys,
    period_start,
    prepare_series,
)
from watchboard.model.observation import Change

#: Fewest baseline observations (all periods together) needed to estimate a scale.
MIN_WINDOW = 4


def seasonal_anomaly(
    times: Sequence[datetime],
    values: Sequence[float | None],
    *,
    period: str = "month",
    baseline_months: int = 36,
    threshold: float = 1.5,
    consecutive: int = 4,
    direction: str = "both",
    min_baseline: int = 2,
) -> list[Change]:
    """Observations far from a robust seasonal baseline, in robust SDs.

    For each calendar period (e.g. each month) the baseline is the trailing
    ``baseline_months`` before the period starts: the expected value of an observation is the
    median of the baseline's values in the same period of the year (the same month in the
    previous years), and the scale is the robust SD (MAD) of all baseline values'
    leave-one-out residuals from their period's median. The anomaly score is
    ``(value - expected) / scale``. A run of ``consecutive`` observations beyond
    ``threshold`` on the same side gives one :class:`Change`, at the run's first observation;
    ``params["alarm_index"]`` / ``params["alarm_time"]`` say where the run reached
    ``consecutive``. The run continues (no new change) while the observations stay beyond
    the threshold; gaps (None) neither extend nor break it, an observation without a baseline
    breaks it.

    Parameters:
        period: ``"month"``, ``"quarter"`` or ``"week"`` (ISO week) of the year, in UTC.
        baseline_months: the length of the trailing baseline window (>= 12, so that every
            period of the year is in it).
        threshold: the smallest |score| that counts as anomalous, in robust SDs.
        consecutive: anomalous observations in a row needed for a change (``consecutive_scenes``
            is accepted as another name in case files).
        direction: ``"both"``, ``"up"`` or ``"down"``.
        min_baseline: fewest baseline values of the same period of the year needed to score an
            observation (earlier observations are not scored).

    The first ``baseline_months`` of a series are never scored. With daily data, the baseline
    of a month-of-year is every day of that month in the window.
    """
    settings = SEASONAL_ANOMALY.settings(arguments(locals()))
    series = prepare_series(times, values)
    n = len(series)
    if n < MIN_WINDOW + 1:
        return []
    obs_times = series.observed_times()
    keys = period_keys(obs_times, period)
    seconds = epoch_seconds(obs_times)
    starts = [period_start(t, period) for t in obs_times]
    x = series.x
    expected = np.full(n, np.nan)
    z = np.full(n, np.nan)
    i = 0
    while i < n:
        j = i + 1
        while j < n and starts[j] == starts[i]:
            j += 1
        begin = starts[i]
        lo = int(np.searchsorted(seconds, add_months(begin, -baseline_months).timestamp(), "left"))
        hi = int(np.searchsorted(seconds, begin.timestamp(), "left"))
        if hi - lo >= MIN_WINDOW:
            base = fit_baseline(x[lo:hi], keys[lo:hi])
            for p in range(i, j):
                key = int(keys[p])
                if base.counts.get(key, 0) >= min_baseline:
                    expected[p] = base.levels[key]
                    z[p] = (x[p] - expected[p]) / base.scale
        i = j
    with np.errstate(invalid="ignore"):
        signs = np.where(z >= threshold, 1, np.where(z <= -threshold, -1, 0))
    if direction == "up":
        signs[signs < 0] = 0
    elif direction == "down":
        signs[signs > 0] = 0
    return run_changes(
        series,
        detector="seasonal_anomaly",
        signs=signs,
        consecutive=consecutive,
        residual=x - expected,
        score=z,
        reference=expected,
        params=settings,
    )


SEASONAL_ANOMALY = Detector.build(
    "seasonal_anomaly",
    seasonal_anomaly,
    [
        Param(
            "period", "str", "period of the year the baseline is kept for", choices=tuple(PERIODS)
        ),
        Param("baseline_months", "int", "length of the trailing baseline window", minimum=12),
        Param("threshold", "number", "smallest anomalous |score|, in robust SDs", above=0),
        Param("consecutive", "int", "anomalous observations in a row needed", minimum=1),
        Param("direction", "str", "which anomalies count", choices=("both", "up", "down")),
        Param(
            "min_baseline", "int", "fewest same-period baseline values to score a point", minimum=1
        ),
    ],
    aliases={"consecutive_scenes": "consecutive"},
)
