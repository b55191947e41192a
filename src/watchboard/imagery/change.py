"""Change maps: where a band or an index rose or fell by more than a threshold between scenes."""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from rasterio.io import DatasetReader
from rasterio.windows import Window

from watchboard.errors import InputError

from ._raster import check_same_grid, chunk_windows, create, open_raster, read, read_float
from .indices import band_numbers, get_index, index_values

#: Classes of the change raster.
UNCHANGED, INCREASE, DECREASE, NODATA = 0, 1, 2, 255
#: Colours (RGBA) of the classes, in the GeoTIFF's colour map and the PNG's palette.
COLOURS = {
    UNCHANGED: (235, 235, 235, 255),
    INCREASE: (215, 48, 39, 255),
    DECREASE: (69, 117, 180, 255),
    NODATA: (0, 0, 0, 0),
}
#: The quick-look's longest side, in pixels; larger maps are reduced by a whole factor.
PNG_MAX_SIZE = 4096
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class ChangeSummary:
    """What :func:`change_map` found. Areas are None when the CRS is not projected."""

    before: str
    after: str
    measure: str  # "NDVI", "band 1" ...
    threshold: float
    pixels: int
    nodata: int
    increased: int
    decreased: int
    pixel_area_m2: float | None
    png_scale: int  # raster pixels per quick-look pixel, along each axis

    @property
    def unchanged(self) -> int:
        return self.pixels - self.nodata - self.increased - self.decreased

    @property
    def increased_m2(self) -> float | None:
        return None if self.pixel_area_m2 is None else self.increased * self.pixel_area_m2

    @property
    def decreased_m2(self) -> float | None:
        return None if self.pixel_area_m2 is None else self.decreased * self.pixel_area_m2

    def as_dict(self) -> dict[str, Any]:
        extra = ("unchanged", "increased_m2", "decreased_m2")
        return {**asdict(self), **{name: getattr(self, name) for name in extra}}


def change_map(
    before_path: str | Path,
    after_path: str | Path,
    out_tif: str | Path,
    out_png: str | Path,
    *,
    threshold: float,
    index: str | None = None,
    bands: Mapping[str, int] | None = None,
) -> ChangeSummary:
    """Classify after − before into a uint8 change raster and a PNG quick-look.

    Parameters:
        before_path, after_path: two rasters on the same grid (CRS, transform and shape).
        out_tif: the change GeoTIFF: 1 where the difference exceeds ``threshold``, 2 where it is
            below ``-threshold``, 0 elsewhere, 255 (nodata) where either scene is invalid; with
            a colour map.
        out_png: a paletted PNG of the same classes (increase red, decrease blue, no change
            grey, nodata transparent), reduced by a whole factor to at most
            :data:`PNG_MAX_SIZE` pixels a side; a reduced pixel shows an increase if any of
            its pixels increased, else a decrease if any decreased.
        threshold: a positive number in the unit of the difference.
        index: difference this index (see :data:`INDICES`) instead of band 1.
        bands: the band mapping for ``index``, the same for both scenes.

    Both scenes are read in 1024 x 1024 windows. Raises :class:`InputError` (naming both files)
    when the grids differ.
    """
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or not (math.isfinite(threshold) and threshold > 0)
    ):
        raise InputError("threshold", f"{threshold!r} is not a positive number")
    chosen = get_index(index) if index else None
    counts = np.zeros(256, dtype=np.int64)
    with open_raster(before_path) as first, open_raster(after_path) as second:
        check_same_grid(first, second)
        numbers = {}
        if chosen:
            numbers = band_numbers(chosen, bands or {}, first)
            band_numbers(chosen, bands or {}, second)
        profile = {
            "width": first.width,
            "height": first.height,
            "count": 1,
            "dtype": "uint8",
            "crs": first.crs,
            "transform": first.transform,
            "nodata": NODATA,
        }
        with create(out_tif, profile) as dst:
            dst.write_colormap(1, COLOURS)
            for window in chunk_windows(first.height, first.width):
                if chosen:
                    old = index_values(first, chosen, numbers, window)
                    new = index_values(second, chosen, numbers, window)
                else:
                    old, new = read_float(first, [1], window)[0], read_float(second, [1], window)[0]
                classes = classify(new - old, threshold)
                counts += np.bincount(classes.ravel(), minlength=256)
                dst.write(classes, 1, window=window)
        area = pixel_area_m2(first)
    scale = write_quicklook(out_tif, out_png)
    return ChangeSummary(
        before=str(before_path),
        after=str(after_path),
        measure=chosen.name if chosen else "band 1",
        threshold=float(threshold),
        pixels=int(counts.sum()),
        nodata=int(counts[NODATA]),
        increased=int(counts[INCREASE]),
        decreased=int(counts[DECREASE]),
        pixel_area_m2=area,
        png_scale=scale,
    )


def classify(difference: np.ndarray, threshold: float) -> np.ndarray:
    """Change classes of a difference array (NaN: nodata)."""
    classes = np.full(difference.shape, UNCHANGED, dtype=np.uint8)
    with np.errstate(invalid="ignore"):
        classes[difference > threshold] = INCREASE
        classes[difference < -threshold] = DECREASE
    classes[np.isnan(difference)] = NODATA
    return classes


def pixel_area_m2(src: DatasetReader) -> float | None:
    """The area of one pixel in m², or None when the CRS is not projected."""
    if not src.crs.is_projected:
        return None
    try:
        _, metres = src.crs.linear_units_factor
    except Exception:  # rasterio raises a bare CRSError for unknown units
        return None
    t = src.transform
    return float(abs(t.a * t.e - t.b * t.d) * metres * metres)


def write_quicklook(
    tif_path: str | Path, png_path: str | Path, *, max_size: int = PNG_MAX_SIZE
) -> int:
    """Write a change GeoTIFF as a paletted PNG, strip by strip; returns the reduction factor."""
    with open_raster(tif_path) as src:
        scale = max(1, math.ceil(max(src.shape) / max_size))
        try:
            with Path(png_path).open("wb") as out:
                _write_png(out, src, scale)
        except OSError as error:
            raise InputError(str(png_path), f"cannot write ({error.strerror})") from None
    return scale


def _write_png(out: BinaryIO, src: DatasetReader, scale: int) -> None:
    lut = np.zeros(256, dtype=np.uint8)  # raster class -> palette entry
    for entry, value in enumerate(COLOURS):
        lut[value] = entry
    height, width = src.shape
    strip = scale * max(1, (1 << 22) // (width * scale))  # rows per read, a multiple of scale
    compressor = zlib.compressobj(9)
    out.write(PNG_SIGNATURE)
    size = (math.ceil(width / scale), math.ceil(height / scale))
    _chunk(out, b"IHDR", struct.pack(">IIBBBBB", *size, 8, 3, 0, 0, 0))  # 8-bit paletted
    _chunk(out, b"PLTE", b"".join(bytes(c[:3]) for c in COLOURS.values()))
    _chunk(out, b"tRNS", bytes(c[3] for c in COLOURS.values()))
    for top in range(0, height, strip):
        classes = read(src, 1, Window(0, top, width, min(strip, height - top)))
        entries = lut[_reduce(classes, scale)]
        rows = np.hstack([np.zeros((len(entries), 1), np.uint8), entries])  # filter type 0
        _chunk(out, b"IDAT", compressor.compress(rows.tobytes()))
    _chunk(out, b"IDAT", compressor.flush())
    _chunk(out, b"IEND", b"")


def _reduce(classes: np.ndarray, scale: int) -> np.ndarray:
    """Each scale x scale cell as one class: increase, else decrease, else unchanged, else
    nodata (only when the whole cell is nodata)."""
    if scale == 1:
        return classes
    rows, cols = (-(-n // scale) * scale for n in classes.shape)
    padded = np.full((rows, cols), NODATA, dtype=np.uint8)
    padded[: classes.shape[0], : classes.shape[1]] = classes
    cells = padded.reshape(rows // scale, scale, cols // scale, scale)
    reduced = np.full((rows // scale, cols // scale), UNCHANGED, dtype=np.uint8)
    reduced[(cells == NODATA).all(axis=(1, 3))] = NODATA
    reduced[(cells == DECREASE).any(axis=(1, 3))] = DECREASE
    reduced[(cells == INCREASE).any(axis=(1, 3))] = INCREASE
    return reduced


def _chunk(out: BinaryIO, kind: bytes, data: bytes) -> None:
    if kind == b"IDAT" and not data:
        return
    out.write(struct.pack(">I", len(data)) + kind + data)
    out.write(struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
