"""Spectral indices from a scene's bands, computed window by window into a float32 GeoTIFF."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rasterio.io import DatasetReader
from rasterio.windows import Window

from watchboard.errors import InputError

from ._raster import check_band, chunk_windows, create, open_raster, read_float

#: The nodata value of index rasters (indices lie in [-1, 1]).
INDEX_NODATA = -9999.0


@dataclass(frozen=True)
class Index:
    """A normalised difference: (sum of ``plus`` bands - sum of ``minus`` bands) / their total."""

    name: str
    title: str
    plus: tuple[str, ...]
    minus: tuple[str, ...]

    @property
    def bands(self) -> tuple[str, ...]:
        """The band names the index needs."""
        return self.plus + self.minus

    @property
    def formula(self) -> str:
        p, m = " + ".join(self.plus), " + ".join(self.minus)
        if len(self.plus) > 1 or len(self.minus) > 1:
            p, m = f"({p})", f"({m})"
        return f"({p} - {m}) / ({p} + {m})"

    def compute(self, bands: Mapping[str, np.ndarray]) -> np.ndarray:
        """The index from float arrays by band name; NaN where an input is NaN or the
        denominator is zero."""
        plus = np.sum([bands[name] for name in self.plus], axis=0)
        minus = np.sum([bands[name] for name in self.minus], axis=0)
        total = plus + minus
        with np.errstate(divide="ignore", invalid="ignore"):
            value = (plus - minus) / total
        value[total == 0] = np.nan
        return np.asarray(value)


#: The indices by name. Band names are the keys of the band mapping callers pass.
INDICES: dict[str, Index] = {
    index.name: index
    for index in (
        Index("NDVI", "normalised difference vegetation index", ("nir",), ("red",)),
        Index("NDBI", "normalised difference built-up index", ("swir1",), ("nir",)),
        Index("BSI", "bare soil index", ("swir1", "red"), ("nir", "blue")),
    )
}


def get_index(name: str) -> Index:
    """An index by name, in any case."""
    index = INDICES.get(str(name).upper())
    if index is None:
        raise InputError("index", f"unknown index {name!r}; choose from {', '.join(INDICES)}")
    return index


def band_numbers(index: Index, bands: Mapping[str, int], src: DatasetReader) -> dict[str, int]:
    """The band number of each band ``index`` needs, checked against the raster."""
    mapping = {str(key).lower(): value for key, value in bands.items()}
    missing = [name for name in index.bands if name not in mapping]
    if missing:
        raise InputError(
            "bands",
            f"{index.name} needs bands {', '.join(index.bands)}; the band mapping lacks"
            f" {', '.join(missing)} (give e.g. {{'red': 3, 'nir': 4}})",
        )
    for name in index.bands:
        check_band(src, mapping[name], name)
    return {name: mapping[name] for name in index.bands}


def index_values(
    src: DatasetReader, index: Index, numbers: Mapping[str, int], window: Window
) -> np.ndarray:
    """``index`` over ``window`` as float64, NaN where any input is invalid or it is undefined."""
    names = list(numbers)
    data = read_float(src, [numbers[name] for name in names], window)
    return index.compute(dict(zip(names, data, strict=True)))


def compute_index(
    scene_path: str | Path, index: str, bands: Mapping[str, int], out_path: str | Path
) -> Path:
    """Write ``index`` of a scene as a float32 GeoTIFF on the scene's grid.

    Parameters:
        scene_path: a multi-band raster with a CRS.
        index: a key of :data:`INDICES` (NDVI, NDBI, BSI), in any case.
        bands: band numbers (from 1) by name, e.g. ``{"blue": 1, "red": 3, "nir": 4,
            "swir1": 5}``; only the bands the index needs are required.
        out_path: the GeoTIFF to write (tiled, DEFLATE), nodata :data:`INDEX_NODATA` where an
            input pixel is nodata/NaN/masked or the denominator is zero.

    The scene is processed in 1024 x 1024 windows, so memory does not grow with its size. The
    scene's ``TIFFTAG_DATETIME`` is copied, so :func:`scene_time` works on the output.
    """
    chosen = get_index(index)
    with open_raster(scene_path) as src:
        numbers = band_numbers(chosen, bands, src)
        profile = {
            "width": src.width,
            "height": src.height,
            "count": 1,
            "dtype": "float32",
            "crs": src.crs,
            "transform": src.transform,
            "nodata": INDEX_NODATA,
            "predictor": 3,
        }
        stamp = src.tags().get("TIFFTAG_DATETIME")
        with create(out_path, profile) as dst:
            dst.update_tags(INDEX=chosen.name, FORMULA=chosen.formula, BANDS=str(numbers))
            if stamp:
                dst.update_tags(TIFFTAG_DATETIME=stamp)
            dst.set_band_description(1, chosen.name)
            for window in chunk_windows(src.height, src.width):
                values = index_values(src, chosen, numbers, window)
                values[np.isnan(values)] = INDEX_NODATA
                dst.write(values.astype(np.float32), 1, window=window)
    return Path(out_path)
