"""Zonal results as indicator observations, and the acquisition time of a scene."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from watchboard.errors import InputError
from watchboard.model.observation import Observation

from ._raster import open_raster
from .zonal import ZonalResult

#: Below this valid fraction an observation's quality is "partial".
PARTIAL_BELOW = 0.5

# A date in a file name: 2026-05-01, 20260501 or 20260501T022551 (Sentinel-2, Landsat ...),
# not inside a longer run of digits.
_NAME_DATE = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2}):?(\d{2}):?(\d{2}))?(?!\d)")


def to_observations(
    results: Iterable[ZonalResult],
    *,
    time: datetime,
    indicator: str = "",
    unit: str | None = None,
    statistic: str = "mean",
    source_ref: str | None = None,
) -> list[Observation]:
    """One :class:`Observation` per zonal result.

    Parameters:
        results: from :func:`zonal_stats`.
        time: the scene's acquisition time (see :func:`scene_time`); a naive time is taken as
            UTC.
        indicator: the indicator key the values belong to.
        unit: the values' unit (e.g. "NDVI", "nW/cm²/sr").
        statistic: which figure becomes the value: "mean", "sum", "count", "min", "max",
            "std", "valid_fraction", "pixels" or a percentile ("p50").
        source_ref: what the ``ref`` names before ``#site=<id>``; default the scene's file name.

    Quality is "missing" when no pixel is valid (value None, except for counts), "partial" when
    fewer than half the polygon's pixels are valid, else "ok"; ``extra`` holds every figure.
    """
    when = time.replace(tzinfo=UTC) if time.tzinfo is None else time.astimezone(UTC)
    observations = []
    for result in results:
        value = result.stat(statistic)
        if result.count == 0:
            quality = "missing"
        elif result.valid_fraction < PARTIAL_BELOW:
            quality = "partial"
        else:
            quality = "ok"
        observations.append(
            Observation(
                time=when,
                value=None if value is None else float(value),
                unit=unit,
                indicator=indicator,
                site=result.site,
                period="scene",
                quality=quality,
                source="scene",
                ref=f"{source_ref or result.scene}#site={result.site}",
                extra={**result.as_dict(), "statistic": statistic},
            )
        )
    return observations


def scene_time(path: str | Path) -> datetime:
    """When a scene was acquired, as a UTC datetime.

    Read from the GeoTIFF's ``TIFFTAG_DATETIME`` tag ("YYYY:MM:DD HH:MM:SS", taken as UTC),
    else from the first date in the file name (``2026-05-01``, ``20260501``,
    ``20260501T022551``). Beware that some software stamps ``TIFFTAG_DATETIME`` with the
    processing time; pass the time explicitly when that is so. Raises :class:`InputError` when
    neither gives a time.
    """
    with open_raster(path, need_crs=False) as src:
        stamp = src.tags().get("TIFFTAG_DATETIME", "").strip()
    for layout in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(stamp, layout).replace(tzinfo=UTC)
        except ValueError:
            pass
    name, start = Path(path).name, 0
    while match := _NAME_DATE.search(name, start):
        start = match.start() + 1  # overlapping: "12345678_2026-06-30" still finds the date
        year, month, day, hour, minute, second = (int(p or 0) for p in match.groups())
        try:
            when = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError:
            continue
        if 1950 <= when.year <= 2200:
            return when
    found = f" (its TIFFTAG_DATETIME {stamp!r} is not a date)" if stamp else ""
    raise InputError(
        str(path),
        "no acquisition time: no TIFFTAG_DATETIME tag and no date (YYYY-MM-DD or YYYYMMDD) in"
        f" the file name{found}; give the time with --time",
    )
