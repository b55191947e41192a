"""Synthetic scenes and site files for the imagery tests: every pixel is known.

The default grid is UTM zone 52N (EPSG:32652) with 10 m pixels and its upper-left corner at
(500000, 4400000); ``pixel_square`` gives the polygon of a block of whole pixels in WGS84, so
the tests also exercise reprojection.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from pyproj import Transformer
from rasterio.transform import Affine

UTM = "EPSG:32652"
ORIGIN = (500_000.0, 4_400_000.0)
PIXEL = 10.0
TRANSFORM = Affine(PIXEL, 0.0, ORIGIN[0], 0.0, -PIXEL, ORIGIN[1])
TO_WGS84 = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)

# Band order of the five-band test scenes, and the mapping callers pass.
BANDS = {"blue": 1, "green": 2, "red": 3, "nir": 4, "swir1": 5}
VEGETATION = {"blue": 400, "green": 700, "red": 800, "nir": 4000, "swir1": 1500}
BARE_SOIL = {"blue": 1500, "green": 1900, "red": 2500, "nir": 2800, "swir1": 3500}


def write_raster(
    path: Path,
    data: np.ndarray,
    *,
    crs: str | None = UTM,
    transform: Any = TRANSFORM,
    nodata: float | None = None,
    tags: dict[str, str] | None = None,
    block: int | None = None,
) -> Path:
    """A GeoTIFF of ``data`` (rows x cols, or bands x rows x cols)."""
    array = data[None] if data.ndim == 2 else data
    profile: dict[str, Any] = {
        "driver": "GTiff",
        "width": array.shape[2],
        "height": array.shape[1],
        "count": array.shape[0],
        "dtype": array.dtype.name,
        "transform": transform,
        "nodata": nodata,
    }
    if crs:
        profile["crs"] = crs
    if block:
        profile.update(tiled=True, blockxsize=block, blockysize=block, compress="deflate")
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(array)
        if tags:
            dst.update_tags(**tags)
    return path


def pixel_ring(col: float, row: float, width: float, height: float) -> list[tuple[float, float]]:
    """The closed ring, in UTM metres, of a block of pixels of the default grid."""
    x0, y0 = TRANSFORM @ (col, row)
    x1, y1 = TRANSFORM @ (col + width, row + height)
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]


def to_wgs84(ring: list[tuple[float, float]]) -> list[list[float]]:
    xs, ys = zip(*ring, strict=True)
    lon, lat = TO_WGS84.transform(xs, ys)
    return [[a, b] for a, b in zip(lon, lat, strict=True)]


def pixel_square(col: int, row: int, width: int, height: int) -> dict[str, Any]:
    """A WGS84 GeoJSON Polygon covering whole pixels of the default grid."""
    return {"type": "Polygon", "coordinates": [to_wgs84(pixel_ring(col, row, width, height))]}


def feature(site: str, geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"id": site, **properties}, "geometry": geometry}


def write_sites(path: Path, features: list[dict[str, Any]], **extra: Any) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features, **extra}))
    return path


def scene(
    path: Path,
    *,
    shape: tuple[int, int] = (40, 40),
    bare: tuple[slice, slice] | None = None,
    nodata_at: tuple[slice, slice] | None = None,
    date: str | None = None,
) -> Path:
    """A five-band uint16 reflectance scene: vegetation everywhere, bare soil in ``bare``,
    0 (the nodata value) in ``nodata_at``."""
    data = np.zeros((5, *shape), dtype=np.uint16)
    for name, band in BANDS.items():
        data[band - 1] = VEGETATION[name]
        if bare is not None:
            data[band - 1][bare] = BARE_SOIL[name]
        if nodata_at is not None:
            data[band - 1][nodata_at] = 0
    tags = {"TIFFTAG_DATETIME": date} if date else None
    return write_raster(path, data, nodata=0, tags=tags)
