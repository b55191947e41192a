"""Zonal results as observations, and scene acquisition times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from watchboard.errors import InputError
from watchboard.imagery import ZonalResult, scene_time, to_observations

from .scenes import write_raster


def result(site: str, count: int, pixels: int, mean: float | None) -> ZonalResult:
    return ZonalResult(
        site=site,
        scene="S2_2026-05-01.tif",
        band=1,
        pixels=pixels,
        count=count,
        nodata=pixels - count,
        mean=mean,
        sum=None if mean is None else mean * count,
        percentiles={"p50": mean},
        window=(0, 0, 10, 10),
    )


def test_quality_value_ref_and_extra() -> None:
    results = [result("a", 100, 100, 0.5), result("b", 49, 100, 0.2), result("c", 0, 100, None)]
    when = datetime(2026, 5, 1, 11, 25, tzinfo=timezone(timedelta(hours=9)))
    ok, partial, missing = to_observations(results, time=when, indicator="ndvi", unit="NDVI")
    assert ok.time == datetime(2026, 5, 1, 2, 25, tzinfo=UTC)
    assert (ok.value, ok.quality, ok.site, ok.indicator, ok.unit) == (
        0.5,
        "ok",
        "a",
        "ndvi",
        "NDVI",
    )
    assert (ok.source, ok.period, ok.ref) == ("scene", "scene", "S2_2026-05-01.tif#site=a")
    assert ok.extra["count"] == 100 and ok.extra["p50"] == 0.5 and ok.extra["statistic"] == "mean"
    assert ok.extra["window"] == [0, 0, 10, 10] and ok.extra["valid_fraction"] == 1.0
    assert (partial.quality, partial.value) == ("partial", 0.2)
    assert (missing.quality, missing.value) == ("missing", None)


def test_statistic_and_source_ref() -> None:
    (obs,) = to_observations(
        [result("a", 80, 100, 2.0)],
        time=datetime(2026, 5, 1),
        statistic="sum",
        source_ref="viirs/2026-05",
    )
    assert obs.value == 160.0 and obs.ref == "viirs/2026-05#site=a"
    assert obs.time.tzinfo is UTC  # a naive time is taken as UTC
    (count,) = to_observations([result("z", 0, 0, None)], time=obs.time, statistic="count")
    assert (count.value, count.quality) == (0.0, "missing")
    with pytest.raises(InputError, match=r"^statistic: unknown statistic 'median'; choose from"):
        to_observations([result("a", 1, 1, 1.0)], time=obs.time, statistic="median")


def test_scene_time_from_tag_then_file_name(tmp_path: Path) -> None:
    data = np.zeros((4, 4), np.uint8)
    tagged = write_raster(
        tmp_path / "x.tif", data, tags={"TIFFTAG_DATETIME": "2026:05:01 02:25:51"}
    )
    assert scene_time(tagged) == datetime(2026, 5, 1, 2, 25, 51, tzinfo=UTC)
    names = {
        "S2_2026-05-01.tif": datetime(2026, 5, 1, tzinfo=UTC),
        "S2A_MSIL2A_20260501T022551_N0510_R046_T52SDG_20260501T060000.tif": datetime(
            2026, 5, 1, 2, 25, 51, tzinfo=UTC
        ),
        "LC09_L2SP_116032_20260415_20260417_02_T1_SR_B4.tif": datetime(2026, 4, 15, tzinfo=UTC),
        "tile_12345678_2026-06-30.tif": datetime(2026, 6, 30, tzinfo=UTC),
    }
    for name, expected in names.items():
        assert scene_time(write_raster(tmp_path / name, data)) == expected
    odd_tag = write_raster(tmp_path / "viirs_20260301.tif", data, tags={"TIFFTAG_DATETIME": "?"})
    assert scene_time(odd_tag) == datetime(2026, 3, 1, tzinfo=UTC)


def test_scene_without_a_time_asks_for_one(tmp_path: Path) -> None:
    path = write_raster(tmp_path / "mosaic.tif", np.zeros((4, 4), np.uint8), crs=None)
    with pytest.raises(InputError) as error:
        scene_time(path)
    assert str(error.value).startswith(f"{path}: no acquisition time")
    assert str(error.value).endswith("give the time with --time")
