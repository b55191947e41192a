"""Opening rasters with one-line errors, and the checks every imagery function shares."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from rasterio._err import CPLE_BaseError  # GDAL's errors, when rasterio does not wrap them
from rasterio.enums import MaskFlags
from rasterio.errors import RasterioError
from rasterio.io import DatasetReader
from rasterio.windows import Window

from watchboard.errors import InputError

#: What GDAL raises for files it cannot open or decode.
GDAL_ERRORS = (RasterioError, CPLE_BaseError)

#: Creation options of every GeoTIFF this package writes: tiled, compressed, > 4 GB capable.
GTIFF_OPTIONS: dict[str, Any] = {
    "driver": "GTiff",
    "tiled": True,
    "blockxsize": 256,
    "blockysize": 256,
    "compress": "deflate",
    "BIGTIFF": "IF_SAFER",
}


def one_line(error: BaseException) -> str:
    """GDAL's message on one line, from the GDAL error behind rasterio's when there is one
    (rasterio's own says "Read failed. See previous exception for details.")."""
    cause = error.__cause__ or error
    return " ".join(str(cause).split()).rstrip(".") or type(cause).__name__


@contextlib.contextmanager
def open_raster(path: str | Path, *, need_crs: bool = True) -> Iterator[DatasetReader]:
    """Open ``path`` for reading; any failure is an :class:`InputError` naming the file."""
    label = str(path)
    if not Path(path).is_file():
        raise InputError(label, "no such file")
    try:
        src = rasterio.open(path)
    except GDAL_ERRORS as error:
        raise InputError(label, f"not a readable raster ({one_line(error)})") from None
    with src:
        if need_crs and src.crs is None:
            raise InputError(label, "raster has no CRS")
        yield src


def read(src: DatasetReader, band: int | list[int], window: Window) -> np.ndarray:
    """One band (2-D) or several (3-D) of one window; a decoding failure names the file."""
    try:
        return src.read(band, window=window)
    except GDAL_ERRORS as error:
        raise InputError(src.name, f"not a readable raster ({one_line(error)})") from None


def check_band(src: DatasetReader, band: int, what: str = "") -> None:
    if not isinstance(band, int) or isinstance(band, bool) or not 1 <= band <= src.count:
        name = f" ({what})" if what else ""
        raise InputError(
            src.name,
            f"band {band!r}{name} out of range: the raster has {src.count} band(s),"
            " numbered from 1",
        )


def check_same_grid(src: DatasetReader, other: DatasetReader) -> None:
    """``other`` must share ``src``'s CRS, transform and shape, pixel for pixel."""
    problems = []
    if src.crs != other.crs:
        problems.append(f"CRS {crs_name(other)} vs {crs_name(src)}")
    if other.shape != src.shape:
        problems.append(f"shape {other.height}x{other.width} vs {src.height}x{src.width}")
    elif not other.transform.almost_equals(src.transform, precision=1e-9 * abs(src.transform.a)):
        problems.append(f"transform {tuple(other.transform)[:6]} vs {tuple(src.transform)[:6]}")
    if problems:
        raise InputError(other.name, f"not on the same grid as {src.name}: {'; '.join(problems)}")


def crs_name(src: DatasetReader) -> str:
    return src.crs.to_string() if src.crs else "none"


def band_nodata(src: DatasetReader, band: int, override: float | None = None) -> float | None:
    return override if override is not None else src.nodatavals[band - 1]


def invalid(data: np.ndarray, nodata: float | None) -> np.ndarray:
    """Where ``data`` is not a measurement: the nodata value, NaN or ±inf."""
    if data.dtype.kind == "f":
        bad = ~np.isfinite(data)
        if nodata is not None and not math.isnan(nodata):
            bad |= data == nodata
        return bad
    if nodata is None:
        return np.zeros(data.shape, dtype=bool)
    return data == nodata


def has_mask_band(src: DatasetReader, band: int) -> bool:
    """Whether the band has a mask beyond its nodata value (an alpha band or a .msk mask)."""
    flags = src.mask_flag_enums[band - 1]
    return MaskFlags.per_dataset in flags or MaskFlags.alpha in flags


def read_float(src: DatasetReader, bands: list[int], window: Window) -> np.ndarray:
    """Bands of ``window`` (one read) as float64, NaN where invalid (nodata, NaN/inf, masked)."""
    data = read(src, bands, window)
    out = data.astype(np.float64)
    for layer, band in zip(out, bands, strict=True):
        bad = invalid(layer, src.nodatavals[band - 1])
        if has_mask_band(src, band):
            bad |= src.read_masks(band, window=window) == 0
        layer[bad] = np.nan
    return out


def create(path: str | Path, profile: dict[str, Any]) -> Any:
    """Open a new GeoTIFF for writing; failure is an :class:`InputError` naming the file."""
    try:
        return rasterio.open(path, "w", **GTIFF_OPTIONS, **profile)
    except (*GDAL_ERRORS, OSError) as error:
        raise InputError(str(path), f"cannot write ({one_line(error)})") from None


def chunk_windows(height: int, width: int, size: int = 1024) -> Iterator[Window]:
    """Square windows of at most ``size`` pixels a side covering a raster, row by row."""
    for row in range(0, height, size):
        for col in range(0, width, size):
            yield Window(col, row, min(size, width - col), min(size, height - row))
