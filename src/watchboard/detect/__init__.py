"""Change detection over indicator series: level shifts, seasonal anomalies, CUSUM, rules.

Every detector takes ``times`` (timezone-aware datetimes, increasing) and ``values`` (floats,
``None`` for a gap) plus keyword parameters, and returns a list of
:class:`watchboard.model.observation.Change`. Case files name a detector and its params;
:func:`run_detector` checks and runs them. The parameters, their defaults and how the defaults
were chosen: docs/detectors.md.
"""

from __future__ import annotations

from watchboard.detect.change_point import change_point
from watchboard.detect.cusum import CusumState, cusum
from watchboard.detect.errors import (
    DetectorError,
    DetectorParamError,
    SeriesError,
    UnknownDetectorError,
)
from watchboard.detect.params import Detector, Param
from watchboard.detect.registry import (
    DETECTORS,
    SERIES_PARAMS,
    check_params,
    get_detector,
    run_detector,
    split_params,
)
from watchboard.detect.rules import threshold, year_on_year
from watchboard.detect.seasonal import seasonal_anomaly
from watchboard.detect.series import noise_sd, robust_sd

__all__ = [
    "DETECTORS",
    "SERIES_PARAMS",
    "CusumState",
    "Detector",
    "DetectorError",
    "DetectorParamError",
    "Param",
    "SeriesError",
    "UnknownDetectorError",
    "change_point",
    "check_params",
    "cusum",
    "get_detector",
    "noise_sd",
    "robust_sd",
    "run_detector",
    "seasonal_anomaly",
    "split_params",
    "threshold",
    "year_on_year",
]
