"""The detectors a case file can name, in one explicit table, and the call that runs one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from watchboard.detect.change_point import CHANGE_POINT
from watchboard.detect.cusum import CUSUM
from watchboard.detect.errors import UnknownDetectorError
from watchboard.detect.params import Detector
from watchboard.detect.rules import THRESHOLD, YEAR_ON_YEAR
from watchboard.detect.seasonal import SEASONAL_ANOMALY
from watchboard.model.observation import Change

#: Every detector by the name a case file's ``detector: {name: ...}`` uses.
DETECTORS: dict[str, Detector] = {
    d.name: d for d in (CHANGE_POINT, SEASONAL_ANOMALY, CUSUM, THRESHOLD, YEAR_ON_YEAR)
}

#: Keys a case file may put among a detector's params that say which observations make up the
#: series (the reader that builds it uses them), not how to detect: :func:`run_detector`
#: leaves them out. ``hs_headings``: the trade headings summed into a trade series.
SERIES_PARAMS = frozenset({"hs_headings"})


def get_detector(name: str) -> Detector:
    """The registered detector called ``name``; :class:`UnknownDetectorError` lists the others."""
    try:
        return DETECTORS[name]
    except KeyError:
        raise UnknownDetectorError(name, sorted(DETECTORS)) from None


def split_params(params: Mapping[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """A case file's detector params split into (detector settings, series selection)."""
    params = dict(params or {})
    series = {k: v for k, v in params.items() if k in SERIES_PARAMS}
    return {k: v for k, v in params.items() if k not in SERIES_PARAMS}, series


def check_params(name: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Validate a case file's ``detector: {name, params}`` without a series (e.g. on load).

    Returns the detector's full settings (defaults filled in); raises
    :class:`UnknownDetectorError` or :class:`DetectorParamError`.
    """
    settings, _ = split_params(params)
    return get_detector(name).settings(settings)


def run_detector(
    name: str,
    times: Sequence[datetime],
    values: Sequence[float | None],
    params: Mapping[str, Any] | None = None,
) -> list[Change]:
    """Run the detector called ``name`` over a series with a case file's params.

    Params are checked first (an unknown or misspelt one raises :class:`DetectorParamError`
    naming it and listing the allowed ones; aliases such as ``consecutive_scenes`` resolve);
    :data:`SERIES_PARAMS` are ignored. A series too short for the detector gives ``[]``.
    """
    settings, _ = split_params(params)
    return get_detector(name)(times, values, settings)
