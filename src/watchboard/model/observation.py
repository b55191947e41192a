"""Indicator observations and the changes detectors find in them.

An observation is one value of one indicator at one time, with where it came from (a file and
row, a satellite scene and site polygon, a trade-statistics row, an analyst's entry). Readers
(CSV/Parquet import, imagery zonal statistics, trade aggregation) produce them; the store keeps
them; detectors read series of them and report :class:`Change` objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Observation:
    time: datetime  # timezone-aware UTC; the period's start for aggregated values
    value: float | None  # None: known to be missing (see quality)
    unit: str | None = None
    indicator: str = ""  # the indicator key, when known to the producer
    site: str | None = None  # a case site id, when the value belongs to one
    period: str | None = None  # "scene", "day", "month", "year" ...
    quality: str | None = None  # "ok", "partial", "cloudy", "estimated", "missing" ...
    source: str = ""  # provenance kind: "file", "scene", "trade", "analyst"
    ref: str = ""  # provenance detail: "lights.csv#row=12", "S2_2026-05-01.tif#site=kanggye"
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. zonal count, percentiles


@dataclass(frozen=True)
class Change:
    """A change a detector found in a series."""

    index: int  # position in the series given to the detector
    time: datetime  # time of the first observation after the change
    detector: str  # "change_point", "seasonal_anomaly", "cusum" ...
    direction: str  # "up" or "down"
    magnitude: float  # size of the shift in the series' unit (after minus before, or residual)
    score: float  # detector-specific strength (e.g. shift in robust standard deviations)
    params: dict[str, Any] = field(default_factory=dict)
    before: float | None = None  # level before (mean/median), when meaningful
    after: float | None = None  # level after
