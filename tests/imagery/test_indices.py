"""Spectral indices written window by window, with nodata where they are undefined."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio

from watchboard.errors import InputError
from watchboard.imagery import INDEX_NODATA, INDICES, compute_index, scene_time

from .scenes import BANDS, BARE_SOIL, VEGETATION, scene, write_raster


def read(path: Path) -> np.ndarray:
    with rasterio.open(path) as src:
        assert (src.dtypes[0], src.nodata, src.count) == ("float32", INDEX_NODATA, 1)
        return src.read(1)


def test_indices_of_vegetation_and_bare_soil(tmp_path: Path) -> None:
    path = scene(tmp_path / "s.tif", bare=np.s_[:, 20:])
    veg, soil = VEGETATION, BARE_SOIL
    expected = {
        "NDVI": lambda b: (b["nir"] - b["red"]) / (b["nir"] + b["red"]),
        "NDBI": lambda b: (b["swir1"] - b["nir"]) / (b["swir1"] + b["nir"]),
        "BSI": lambda b: (
            ((b["swir1"] + b["red"]) - (b["nir"] + b["blue"]))
            / ((b["swir1"] + b["red"]) + (b["nir"] + b["blue"]))
        ),
    }
    for name, formula in expected.items():
        out = compute_index(path, name.lower(), BANDS, tmp_path / f"{name}.tif")
        values = read(out)
        assert (values[:, :20] == np.float32(formula(veg))).all()
        assert (values[:, 20:] == np.float32(formula(soil))).all()
    assert np.float32(expected["NDVI"](veg)) == np.float32(3200 / 4800)
    assert expected["BSI"](soil) > 0 > expected["BSI"](veg)  # bare soil raises BSI
    assert (
        INDICES["BSI"].formula == "((swir1 + red) - (nir + blue)) / ((swir1 + red) + (nir + blue))"
    )


def test_nodata_inputs_and_zero_denominators_give_nodata(tmp_path: Path) -> None:
    data = np.full((2, 6, 7), 100, dtype=np.int16)
    data[0, 1, 1] = -1  # nodata in red
    data[:, 2, 3] = 0  # red = nir = 0: division by zero
    data[0, 4, 4], data[1, 4, 4] = 50, -50  # red + nir = 0
    path = write_raster(tmp_path / "s.tif", data, nodata=-1)
    values = read(compute_index(path, "NDVI", {"red": 1, "nir": 2}, tmp_path / "ndvi.tif"))
    nodata = np.argwhere(values == INDEX_NODATA).tolist()
    assert nodata == [[1, 1], [2, 3], [4, 4]]
    assert (np.delete(values.ravel(), [1 * 7 + 1, 2 * 7 + 3, 4 * 7 + 4]) == 0).all()


def test_large_scene_is_processed_in_windows_with_the_same_result(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    data = rng.integers(1, 5000, (2, 1100, 1300)).astype(np.uint16)
    path = write_raster(
        tmp_path / "big.tif", data, block=256, tags={"TIFFTAG_DATETIME": "2026:04:02 01:02:03"}
    )
    out = compute_index(path, "NDVI", {"red": 1, "nir": 2}, tmp_path / "ndvi.tif")
    red, nir = data.astype(np.float64)
    assert (read(out) == ((nir - red) / (nir + red)).astype(np.float32)).all()
    with rasterio.open(out) as src:
        assert src.tags()["INDEX"] == "NDVI" and src.block_shapes[0] == (256, 256)
        assert src.crs == "EPSG:32652"
    assert scene_time(out) == scene_time(path)  # the acquisition time is carried over


def test_bad_index_and_band_mappings(tmp_path: Path) -> None:
    path = scene(tmp_path / "s.tif")
    cases = [
        ("EVI", BANDS, "index: unknown index 'EVI'; choose from NDVI, NDBI, BSI"),
        (
            "BSI",
            {"red": 3, "nir": 4},
            "bands: BSI needs bands swir1, red, nir, blue; the band mapping lacks swir1, blue",
        ),
        ("NDVI", {"red": 3, "nir": 9}, f"{path}: band 9 (nir) out of range: the raster has 5"),
    ]
    for index, bands, message in cases:
        with pytest.raises(InputError) as error:
            compute_index(path, index, bands, tmp_path / "out.tif")
        assert str(error.value).startswith(message)
    with pytest.raises(InputError, match="cannot write"):
        compute_index(path, "NDVI", BANDS, tmp_path / "missing-dir" / "out.tif")
