"""CUSUM: an online detector for streams, in batch (:func:`cusum`) and incremental form
(:class:`CusumState`), which give the same changes by construction."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from numbers import Real
from typing import Any

import numpy as np

from watchboard.detect.errors import SeriesError
from watchboard.detect.params import Detector, Param, arguments
from watchboard.detect.series import PERIODS, Baseline, fit_baseline, period_key, prepare_series
from watchboard.model.observation import Change


def cusum(
    times: Sequence[datetime],
    values: Sequence[float | None],
    *,
    baseline: int = 100,
    k: float = 0.5,
    h: float = 12.0,
    clip: float | None = 3.0,
    period: str | None = None,
    rebaseline: bool = True,
    direction: str = "both",
) -> list[Change]:
    """Two-sided CUSUM on robustly standardised residuals from a baseline.

    The first ``baseline`` observations fix the reference: their median (per period of the
    year when ``period`` is set) and a robust SD (MAD of leave-one-out residuals). Each later
    observation's residual ``z = (value - median) / SD``, clipped to +-``clip``, feeds
    ``S+ = max(0, S+ + z - k)`` and ``S- = max(0, S- - z - k)``; when one exceeds ``h`` an
    alarm is raised and both restart from 0. The change is placed where that sum last left 0
    (the estimated onset); ``params["alarm_index"]`` / ``params["alarm_time"]`` say where the
    alarm was raised. Its magnitude is the mean residual since the onset, in the series' unit,
    and its score that shift in robust SDs.

    Parameters:
        baseline: observations used to estimate the reference level and scale (at least a
            year of them when ``period`` is set).
        k: the allowance (drift), in SDs: shifts smaller than about ``2k`` are ignored.
        h: the decision threshold, in SDs: higher means fewer false alarms and later alarms.
        clip: residuals are clipped to +-this many SDs so that single outliers (heavy-tailed
            noise) cannot raise an alarm alone; None turns clipping off.
        period: ``"month"``, ``"quarter"`` or ``"week"``: a seasonal reference, one median per
            period of the year.
        rebaseline: after an alarm the next ``baseline`` observations become the new reference
            (a lasting shift gives one alarm, not one every few points); no alarm is possible
            while they are collected. False keeps the first reference for the whole series.
        direction: ``"both"``, ``"up"`` or ``"down"``.

    Gaps (None) are skipped. A series of ``baseline`` observations or fewer gives no change.
    """
    settings = CUSUM.settings(arguments(locals()))
    series = prepare_series(times, values)
    state = CusumState(**settings)
    changes = []
    observed = dict(zip(series.index.tolist(), series.x.tolist(), strict=True))
    for i, t in enumerate(series.times):
        change = state.update(observed.get(i), t)
        if change is not None:
            changes.append(change)
    return changes


class CusumState:
    """An incremental two-sided CUSUM: feed values one at a time with :meth:`update`.

    Takes the same parameters as :func:`cusum` (checked the same way). ``update(value, time)``
    returns a :class:`Change` when that value raises an alarm, else None; ``index`` counts the
    values fed so far, gaps included, so a change's index is a position in the stream.
    """

    def __init__(
        self,
        *,
        baseline: int = 100,
        k: float = 0.5,
        h: float = 12.0,
        clip: float | None = 3.0,
        period: str | None = None,
        rebaseline: bool = True,
        direction: str = "both",
    ) -> None:
        self.settings = CUSUM.settings(_kw(locals()))
        self.index = -1  # position of the last value fed
        self.last_time: datetime | None = None
        self.reference: Baseline | None = None
        self.pos = 0.0  # S+
        self.neg = 0.0  # S-
        self._collected: list[tuple[float, int]] = []
        # per side, since S last left 0: [onset index, onset time, onset level,
        # sum of residuals, sum of z, count]
        self._pos_run: list[Any] | None = None
        self._neg_run: list[Any] | None = None

    @property
    def collecting(self) -> bool:
        """True while the reference (initial, or after an alarm) is being collected."""
        return self.reference is None

    def update(self, value: float | None, time: datetime) -> Change | None:
        """Feed the next value (None or NaN: a gap) observed at ``time``."""
        if not isinstance(time, datetime) or time.tzinfo is None or time.utcoffset() is None:
            raise SeriesError(f"time {time!r} is not a timezone-aware datetime")
        if self.last_time is not None and time < self.last_time:
            raise SeriesError(
                f"time {time.isoformat()} comes before the previous one"
                f" ({self.last_time.isoformat()}); feed values in time order"
            )
        if value is not None and (isinstance(value, bool) or not isinstance(value, Real)):
            raise SeriesError(f"value {value!r} is not a number; use None for a gap")
        self.index += 1
        self.last_time = time
        if value is None or not math.isfinite(float(value)):
            return None
        x = float(value)
        s = self.settings
        key = period_key(time, s["period"])
        if self.reference is None:
            self._collected.append((x, key))
            if len(self._collected) >= s["baseline"]:
                values = np.array([v for v, _ in self._collected])
                keys = np.array([q for _, q in self._collected], dtype=np.int64)
                self.reference = fit_baseline(values, keys)
                self._collected = []
            return None
        level = self.reference.level(key)
        residual = x - level
        z = residual / self.reference.scale
        zc = z if s["clip"] is None else max(-s["clip"], min(s["clip"], z))
        change: Change | None = None
        if s["direction"] in ("both", "up"):
            self.pos, self._pos_run = self._step(
                self.pos + zc - s["k"], self._pos_run, level, residual, z
            )
            if self.pos > s["h"]:
                change = self._alarm("up", self._pos_run)
        if change is None and s["direction"] in ("both", "down"):
            self.neg, self._neg_run = self._step(
                self.neg - zc - s["k"], self._neg_run, level, residual, z
            )
            if self.neg > s["h"]:
                change = self._alarm("down", self._neg_run)
        if change is not None:
            self.pos = self.neg = 0.0
            self._pos_run = self._neg_run = None
            if s["rebaseline"]:
                self.reference = None
        return change

    def _step(
        self, total: float, run: list[Any] | None, level: float, residual: float, z: float
    ) -> tuple[float, list[Any] | None]:
        if total <= 0.0:
            return 0.0, None
        if run is None:
            run = [self.index, self.last_time, level, 0.0, 0.0, 0]
        run[3] += residual
        run[4] += z
        run[5] += 1
        return total, run

    def _alarm(self, direction: str, run: list[Any] | None) -> Change:
        assert run is not None and self.last_time is not None
        onset, onset_time, level, residuals, zs, count = run
        magnitude = residuals / count
        return Change(
            index=onset,
            time=onset_time,
            detector="cusum",
            direction=direction,
            magnitude=magnitude,
            score=abs(zs / count),
            params={
                **self.settings,
                "alarm_index": self.index,
                "alarm_time": self.last_time.isoformat(),
            },
            before=level,
            after=level + magnitude,
        )


def _kw(local_vars: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in local_vars.items() if k != "self"}


CUSUM = Detector.build(
    "cusum",
    cusum,
    [
        Param("baseline", "int", "observations that fix the reference level and scale", minimum=3),
        Param("k", "number", "allowance (drift), in robust SDs", minimum=0),
        Param("h", "number", "decision threshold, in robust SDs", above=0),
        Param(
            "clip",
            "number",
            "residuals clipped to +-this many SDs; None: no clipping",
            above=0,
            optional=True,
        ),
        Param(
            "period",
            "str",
            "seasonal reference: one median per period of the year",
            choices=tuple(PERIODS),
            optional=True,
        ),
        Param("rebaseline", "bool", "collect a new reference after each alarm"),
        Param("direction", "str", "which shifts count", choices=("both", "up", "down")),
    ],
)
