"""Runs of flagged observations turned into changes (shared by the point-wise detectors)."""

from __future__ import annotations

from typing import Any

import numpy as np

from watchboard.detect.series import Series
from watchboard.model.observation import Change


def run_changes(
    series: Series,
    *,
    detector: str,
    signs: np.ndarray,
    consecutive: int,
    residual: np.ndarray,
    score: np.ndarray,
    reference: np.ndarray,
    params: dict[str, Any],
) -> list[Change]:
    """One change per run of at least ``consecutive`` observations flagged on the same side.

    ``signs`` is +1 / -1 / 0 per observed value (0 ends a run). The change sits at the run's
    first observation; ``params`` gains ``alarm_index`` and ``alarm_time``, where the run
    reached ``consecutive`` (when an alert could first have been raised). Its magnitude is the
    median ``residual`` and its score the median ``|score|`` of the observations up to the
    alarm; ``before`` is ``reference`` at the run's start and ``after`` = before + magnitude.
    """
    changes: list[Change] = []
    run_sign = 0
    run_start = 0
    run_len = 0
    reported = False
    for p, sign in enumerate(signs.tolist()):
        if sign == 0:
            run_sign = 0
            continue
        if sign == run_sign:
            run_len += 1
        else:
            run_sign, run_start, run_len, reported = sign, p, 1, False
        if reported or run_len < consecutive:
            continue
        reported = True
        span = slice(run_start, p + 1)
        magnitude = float(np.median(residual[span]))
        before = float(reference[run_start])
        changes.append(
            Change(
                index=int(series.index[run_start]),
                time=series.time(run_start),
                detector=detector,
                direction="up" if sign > 0 else "down",
                magnitude=magnitude,
                score=float(np.median(np.abs(score[span]))),
                params={
                    **params,
                    "alarm_index": int(series.index[p]),
                    "alarm_time": series.time(p).isoformat(),
                },
                before=before,
                after=before + magnitude,
            )
        )
    return changes
