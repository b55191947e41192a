"""Simple rules a case file can name: a fixed threshold, and a year-on-year ratio."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np

from watchboard.detect.params import Detector, Param, arguments
from watchboard.detect.runs import run_changes
from watchboard.detect.series import (
    Series,
    add_months,
    noise_sd,
    period_start,
    prepare_series,
    scale_floor,
)
from watchboard.model.observation import Change


def threshold(
    times: Sequence[datetime],
    values: Sequence[float | None],
    *,
    above: float | None = None,
    below: float | None = None,
    consecutive: int = 1,
) -> list[Change]:
    """Runs of observations above (or below) a fixed value.

    A run of ``consecutive`` observations strictly above ``above`` gives an ``up`` change,
    strictly below ``below`` a ``down`` change, at the run's first observation (see
    ``params["alarm_index"]`` for where the run reached ``consecutive``). Gaps (None: a cloudy
    scene) neither extend nor break a run. The magnitude is the median excess over the
    threshold and the score that excess in noise SDs (robust SD of first differences /
    sqrt 2, over the whole series); ``before`` is the threshold.

    Parameters:
        above: the value to exceed; None: no upper threshold.
        below: the value to fall under; None: no lower threshold (at least one is needed,
            and ``below`` < ``above`` when both are given).
        consecutive: observations in a row needed (``consecutive_scenes`` is accepted as
            another name in case files).
    """
    settings = THRESHOLD.settings(arguments(locals()))
    series = prepare_series(times, values)
    x = series.x
    if len(x) == 0:
        return []
    signs = np.zeros(len(x), dtype=np.int64)
    reference = np.zeros(len(x))
    if above is not None:
        signs[x > above] = 1
        reference[:] = above
    if below is not None:
        signs[x < below] = -1
        reference[x < below] = below
    residual = x - reference
    level = float(above if above is not None else below)  # type: ignore[arg-type]
    scale = scale_floor(noise_sd(x), level)
    return run_changes(
        series,
        detector="threshold",
        signs=signs,
        consecutive=consecutive,
        residual=residual,
        score=residual / scale,
        reference=reference,
        params=settings,
    )


def _check_threshold(settings: dict[str, Any]) -> str | None:
    above, below = settings["above"], settings["below"]
    if above is None and below is None:
        return "give 'above' or 'below' (or both)"
    if above is not None and below is not None and below >= above:
        return f"'below' ({below}) must be less than 'above' ({above})"
    return None


THRESHOLD = Detector.build(
    "threshold",
    threshold,
    [
        Param("above", "number", "value to exceed", optional=True),
        Param("below", "number", "value to fall under", optional=True),
        Param("consecutive", "int", "observations in a row needed", minimum=1),
    ],
    aliases={"consecutive_scenes": "consecutive"},
    check=_check_threshold,
)


def year_on_year(
    times: Sequence[datetime],
    values: Sequence[float | None],
    *,
    min_ratio: float | None = 1.5,
    max_ratio: float | None = None,
    period: str = "month",
    aggregate: str = "mean",
    consecutive: int = 1,
) -> list[Change]:
    """Periods whose value is a large multiple (or fraction) of the same period a year before.

    Observations are grouped by calendar ``period`` (UTC) and aggregated; each period's value
    is divided by the value of the same period twelve months earlier. A ratio >= ``min_ratio``
    gives an ``up`` change, <= ``max_ratio`` a ``down`` change; ``consecutive`` qualifying
    periods in a row (no calendar period missing between them) give one change, at the first
    observation of the first period. The magnitude is the difference from a year earlier, the
    score the ratio, ``before``/``after`` the two values. A period with no observation, or
    whose value a year earlier is not positive (a ratio needs a positive base), is skipped.

    Parameters:
        min_ratio: the smallest ratio reported as a rise; None: rises are not reported.
        max_ratio: the largest ratio reported as a fall (e.g. 0.5); None: falls are not
            reported.
        period: ``"month"``, ``"quarter"`` or ``"year"``.
        aggregate: ``"mean"`` or ``"sum"`` of the observations in a period (they are the same
            ratio when every period has one observation; "sum" suits flows such as trade
            values given more finely than the period, "mean" levels).
        consecutive: qualifying periods in a row needed.

    ``params["alarm_time"]`` is the first observation of the period that completed the run;
    its value is only final once that period has ended.
    """
    settings = YEAR_ON_YEAR.settings(arguments(locals()))
    series = prepare_series(times, values)
    if len(series) == 0:
        return []
    starts = [period_start(t, period) for t in series.observed_times()]
    first: dict[datetime, int] = {}
    totals: dict[datetime, list[float]] = {}
    for i, start in enumerate(starts):
        first.setdefault(start, i)
        totals.setdefault(start, []).append(float(series.x[i]))
    combine = np.mean if aggregate == "mean" else np.sum
    value = {start: float(combine(v)) for start, v in totals.items()}
    step = {"month": 1, "quarter": 3, "year": 12}[period]
    blocks = list(value)
    changes: list[Change] = []
    chunk: list[datetime] = []
    for i, start in enumerate(blocks):
        chunk.append(start)
        last = i + 1 == len(blocks)
        if last or blocks[i + 1] != add_months(start, step):
            changes.extend(_yoy_chunk(series, chunk, first, value, settings))
            chunk = []
    return changes


def _yoy_chunk(
    series: Series,
    chunk: list[datetime],
    first: dict[datetime, int],
    value: dict[datetime, float],
    settings: dict[str, Any],
) -> list[Change]:
    current = np.array([value[s] for s in chunk])
    previous = np.array([value.get(add_months(s, -12), np.nan) for s in chunk])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(previous > 0, current / previous, np.nan)
    signs = np.zeros(len(chunk), dtype=np.int64)
    if settings["min_ratio"] is not None:
        signs[ratio >= settings["min_ratio"]] = 1
    if settings["max_ratio"] is not None:
        signs[ratio <= settings["max_ratio"]] = -1
    blocks = Series(
        times=series.times,
        index=np.array([series.index[first[s]] for s in chunk], dtype=np.int64),
        x=current,
    )
    return run_changes(
        blocks,
        detector="year_on_year",
        signs=signs,
        consecutive=settings["consecutive"],
        residual=current - previous,
        score=ratio,
        reference=previous,
        params=settings,
    )


def _check_year_on_year(settings: dict[str, Any]) -> str | None:
    low, high = settings["max_ratio"], settings["min_ratio"]
    if low is None and high is None:
        return "give 'min_ratio' or 'max_ratio' (or both)"
    if low is not None and high is not None and low >= high:
        return f"'max_ratio' ({low}) must be less than 'min_ratio' ({high})"
    return None


YEAR_ON_YEAR = Detector.build(
    "year_on_year",
    year_on_year,
    [
        Param("min_ratio", "number", "smallest ratio reported as a rise", above=0, optional=True),
        Param("max_ratio", "number", "largest ratio reported as a fall", above=0, optional=True),
        Param("period", "str", "calendar period compared", choices=("month", "quarter", "year")),
        Param("aggregate", "str", "how a period's observations combine", choices=("mean", "sum")),
        Param("consecutive", "int", "qualifying periods in a row needed", minimum=1),
    ],
    check=_check_year_on_year,
)
