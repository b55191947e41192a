"""Zonal statistics: what one band of a raster holds inside each site polygon.

Only the windows covering the polygons are read, so memory is bounded by the polygons' size, not
the raster's. The per-polygon work is kept to a few numpy calls:

* every polygon is reprojected to the raster's pixel grid in one vectorised pyproj call;
* polygons whose windows share raster blocks are read together (one window read) and burnt
  into one label image; each tile is decoded once;
* polygons are burnt by a vectorised scanline fill with GDAL's pixel-centre rule (GDAL's own
  ``rasterize`` is used for ``all_touched``);
* each group's valid values are sorted per polygon, and the statistics of many polygons are
  computed together from those sorted runs.

A window larger than ``window_pixels`` is processed in strips.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from rasterio.features import rasterize
from rasterio.io import DatasetReader
from rasterio.transform import Affine
from rasterio.windows import Window

from watchboard.errors import InputError

from ._raster import (
    band_nodata,
    check_band,
    check_same_grid,
    has_mask_band,
    invalid,
    open_raster,
    read,
)
from .sites import SitePolygon

#: Pixels per read (and per label image): 4 Mpx is 16 MB of float32 values.
WINDOW_PIXELS = 1 << 22
#: Decoded bytes after which the raster is reopened. GDAL keeps every decoded tile in its block
#: cache (up to GDAL_CACHEMAX, 5 % of RAM by default); each tile is needed once, so reopening
#: frees them and keeps memory bounded.
REOPEN_BYTES = 32 << 20
#: Window pixels burnt together by one scanline pass.
BATCH_PIXELS = 1 << 20
#: Valid values gathered before the statistics of their polygons are computed.
BATCH_VALUES = 1 << 20
#: Statistics a result can give by name, besides the percentiles ("p10", "p50" ...).
STATISTICS = ("count", "pixels", "valid_fraction", "mean", "sum", "min", "max", "std")

#: Pixels: vertices this close to a pixel edge count as on it when windows are computed.
SNAP = 1e-6

# Pixel states inside a window: the first three are counted per polygon.
VALID, NODATA, CLOUDY, OUTSIDE = 0, 1, 2, 3


@dataclass(frozen=True)
class ZonalResult:
    """Statistics of one band inside one site polygon.

    ``pixels`` counts the polygon's pixels on the raster's grid, extended beyond the raster's
    edges (0 when the polygon lies wholly outside it); of these, ``count`` are valid, ``nodata``
    hold the nodata value (or NaN, or are masked), ``cloudy`` are flagged by the cloud mask and
    the rest are beyond the edges. Statistics are None when ``count`` is 0. ``window`` is the
    part of the raster the polygon covers: (column, row, width, height), None when none.
    """

    site: str
    scene: str
    band: int
    pixels: int
    count: int
    nodata: int = 0
    cloudy: int = 0
    mean: float | None = None
    sum: float | None = None
    min: float | None = None
    max: float | None = None
    std: float | None = None
    percentiles: dict[str, float | None] = field(default_factory=dict)
    window: tuple[int, int, int, int] | None = None

    @property
    def outside(self) -> int:
        """Pixels of the polygon beyond the raster's edges."""
        return self.pixels - self.count - self.nodata - self.cloudy

    @property
    def valid_fraction(self) -> float:
        """Valid pixels over the polygon's pixels (0.0 for a polygon outside the raster)."""
        return self.count / self.pixels if self.pixels else 0.0

    def stat(self, name: str) -> float | int | None:
        """A statistic by name: one of :data:`STATISTICS` or a percentile key such as "p50"."""
        if name in self.percentiles:
            return self.percentiles[name]
        if name not in STATISTICS:
            choices = ", ".join([*STATISTICS, *self.percentiles])
            raise InputError("statistic", f"unknown statistic {name!r}; choose from {choices}")
        value: float | int | None = getattr(self, name)
        return value

    def as_dict(self) -> dict[str, Any]:
        """Every figure, flat and JSON-ready (percentiles as "p10", "p50" ...)."""
        return {
            "site": self.site,
            "scene": self.scene,
            "band": self.band,
            "pixels": self.pixels,
            "count": self.count,
            "valid_fraction": self.valid_fraction,
            "nodata": self.nodata,
            "cloudy": self.cloudy,
            "outside": self.outside,
            "mean": self.mean,
            "sum": self.sum,
            "min": self.min,
            "max": self.max,
            "std": self.std,
            **self.percentiles,
            "window": list(self.window) if self.window else None,
        }


def zonal_stats(
    scene_path: str | Path,
    sites: Sequence[SitePolygon],
    *,
    band: int = 1,
    percentiles: Iterable[float] = (10, 50, 90),
    cloud_mask: str | Path | None = None,
    nodata: float | None = None,
    all_touched: bool = False,
    window_pixels: int = WINDOW_PIXELS,
) -> list[ZonalResult]:
    """Statistics of ``band`` of ``scene_path`` inside each site polygon, in the sites' order.

    Parameters:
        scene_path: a raster GDAL reads (GeoTIFF, COG ...) with a CRS.
        sites: polygons (see :func:`load_sites`), reprojected to the raster's CRS with pyproj.
        band: the band, numbered from 1.
        percentiles: percentiles (0-100) to compute, with numpy's default (linear) method.
        cloud_mask: a raster on exactly the scene's grid whose band 1 is non-zero where the
            scene is cloudy (or otherwise unusable); those pixels are excluded and counted as
            ``cloudy``.
        nodata: the value that marks missing pixels, overriding the raster's own. NaN and ±inf
            are never valid; an alpha or mask band is honoured.
        all_touched: count every pixel the polygon touches, not only those whose centre is
            inside it.
        window_pixels: the largest window read (and rasterised) at once; bounds memory.

    A polygon partly outside the raster counts its pixels beyond the edges as not valid; one
    wholly outside gives ``count`` 0 and ``valid_fraction`` 0. Raises :class:`InputError` for an
    unreadable raster, a raster without a CRS, a band out of range or a mismatched cloud mask.
    """
    qs = _check_percentiles(percentiles)
    with open_raster(scene_path) as src:
        check_band(src, band)
        if cloud_mask is not None:
            with open_raster(cloud_mask) as mask:
                check_same_grid(src, mask)
        prepared = _prepare(sites, src, all_touched)
        shape, block = src.shape, src.block_shapes[band - 1]
        missing = band_nodata(src, band, nodata)
    windows = [p.window if _clip(p.window, shape) else None for p in prepared]
    counts = np.zeros((len(prepared), 4), dtype=np.int64)
    tally = _Tally(len(prepared), qs)
    groups = plan_groups(windows, shape, block, window_pixels)
    with _Reader(scene_path, cloud_mask, band, missing) as reader:
        members = ([prepared[i] for i in group] for group in groups)
        for layer, by_state, ordered in _measure(reader, members, all_touched, window_pixels):
            indices = [site.index for site in layer]
            counts[indices] = by_state
            tally.add(indices, by_state[:, VALID], ordered)
    stats = tally.finish()
    scene = Path(scene_path).name
    return [
        ZonalResult(
            site=site.id,
            scene=scene,
            band=band,
            pixels=int(counts[i].sum()),
            count=int(counts[i, VALID]),
            nodata=int(counts[i, NODATA]),
            cloudy=int(counts[i, CLOUDY]),
            mean=stats["mean"][i],
            sum=stats["sum"][i],
            min=stats["min"][i],
            max=stats["max"][i],
            std=stats["std"][i],
            percentiles={_key(q): stats[_key(q)][i] for q in qs},
            window=_as_window(_clip(site.window, shape)),
        )
        for i, site in enumerate(prepared)
    ]


# -- planning ------------------------------------------------------------------------------

Box = tuple[int, int, int, int]  # col0, row0, col1, row1 (end-exclusive), in raster pixels


@dataclass
class _Site:
    index: int
    id: str
    shapes: list[dict[str, Any]]  # GeoJSON Polygons in raster pixel coordinates (col, row)
    edges: np.ndarray  # (4, n): x0, y0, x1, y1 of every non-horizontal edge, y0 < y1
    window: Box | None  # the pixels the polygon can burn; None if it could not be reprojected


def _prepare(sites: Sequence[SitePolygon], src: DatasetReader, all_touched: bool) -> list[_Site]:
    """Every polygon in raster pixel coordinates, with one pyproj call per site CRS."""
    inverse = ~src.transform
    target = CRS.from_wkt(src.crs.to_wkt())
    pad = 1 if all_touched else 0  # a touched pixel can lie just outside the bounding box
    by_crs: dict[str, list[int]] = {}
    for i, site in enumerate(sites):
        by_crs.setdefault(site.crs, []).append(i)
    columns: dict[int, np.ndarray] = {}
    rows: dict[int, np.ndarray] = {}
    for crs, indices in by_crs.items():
        try:
            transformer = Transformer.from_crs(CRS.from_user_input(crs), target, always_xy=True)
        except CRSError:
            raise InputError(f"site {sites[indices[0]].id}", f"unknown CRS {crs!r}") from None
        xy = np.array(
            [p for i in indices for part in sites[i].parts for ring in part for p in ring],
            dtype=np.float64,
        ).reshape(-1, 2)
        x, y = transformer.transform(xy[:, 0], xy[:, 1], errcheck=False)
        col = inverse.a * x + inverse.b * y + inverse.c
        row = inverse.d * x + inverse.e * y + inverse.f
        start = 0
        for i in indices:
            n = sum(len(ring) for part in sites[i].parts for ring in part)
            columns[i], rows[i] = col[start : start + n], row[start : start + n]
            start += n
    prepared = []
    for i, site in enumerate(sites):
        col, row = columns[i], rows[i]
        window: Box | None = None
        if col.size and np.isfinite(col).all() and np.isfinite(row).all():
            # reprojection noise must not widen a window aligned on pixel edges
            c0, r0 = math.floor(col.min() + SNAP) - pad, math.floor(row.min() + SNAP) - pad
            c1, r1 = math.ceil(col.max() - SNAP) + pad, math.ceil(row.max() - SNAP) + pad
            window = (c0, r0, max(c1, c0 + 1), max(r1, r0 + 1))
        shapes, edges, start = [], [], 0
        for part in site.parts:
            rings = []
            for ring in part:
                end = start + len(ring)
                x, y = col[start:end], row[start:end]
                rings.append(list(zip(x.tolist(), y.tolist(), strict=True)))
                edges.append(np.array([x[:-1], y[:-1], x[1:], y[1:]]))
                start = end
            shapes.append({"type": "Polygon", "coordinates": rings})
        e = np.concatenate(edges, axis=1) if edges else np.zeros((4, 0))
        flip = e[1] > e[3]
        e[:, flip] = e[[2, 3, 0, 1]][:, flip]
        prepared.append(_Site(i, site.id, shapes, e[:, e[1] < e[3]], window))
    return prepared


def plan_groups(
    windows: Sequence[Box | None],
    shape: tuple[int, int],
    block: tuple[int, int],
    max_pixels: int = WINDOW_PIXELS,
) -> list[list[int]]:
    """Group polygon windows into shared reads; returns lists of indices into ``windows``.

    ``windows`` are (col0, row0, col1, row1) boxes in pixels; ``shape`` is the raster's
    (rows, columns) and ``block`` its block (rows, columns). Two groups merge when their windows
    touch a common raster block, their union stays within ``max_pixels``, and reading the union
    decodes no block that neither group needs. ``None`` windows (nothing to read) are left out.
    """
    bh, bw = block

    def block_range(box: Box) -> tuple[int, int, int, int]:
        c0, r0, c1, r1 = _clip(box, shape) or box
        return r0 // bh, (r1 - 1) // bh, c0 // bw, (c1 - 1) // bw

    parent = list(range(len(windows)))
    boxes: list[Box | None] = list(windows)
    blocks: dict[int, set[tuple[int, int]]] = {}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def merge(a: int, b: int) -> None:
        box_a, box_b = boxes[a], boxes[b]
        if a == b or box_a is None or box_b is None:
            return
        union = (
            min(box_a[0], box_b[0]),
            min(box_a[1], box_b[1]),
            max(box_a[2], box_b[2]),
            max(box_a[3], box_b[3]),
        )
        if (union[2] - union[0]) * (union[3] - union[1]) > max_pixels:
            return
        cells = blocks[a] | blocks[b]
        by0, by1, bx0, bx1 = block_range(union)
        if (by1 - by0 + 1) * (bx1 - bx0 + 1) > len(cells):
            return
        parent[b], boxes[a], blocks[a] = a, union, cells

    order = [i for _, _, i in sorted((w[1], w[0], i) for i, w in enumerate(windows) if w)]
    owner: dict[tuple[int, int], int] = {}
    for i in order:
        by0, by1, bx0, bx1 = block_range(boxes[i] or (0, 0, 1, 1))
        blocks[i] = {(y, x) for y in range(by0, by1 + 1) for x in range(bx0, bx1 + 1)}
        for cell in sorted(blocks[i]):
            merge(find(owner.setdefault(cell, i)), find(i))
    groups: dict[int, list[int]] = {}
    for i in order:
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _layers(members: list[_Site]) -> list[list[_Site]]:
    """Split a group so that no two windows in a layer overlap: each pixel gets one label."""
    layers: list[list[_Site]] = []
    for site in members:
        for layer in layers:
            if not any(_overlap(site.window, other.window) for other in layer):
                layer.append(site)
                break
        else:
            layers.append([site])
    return layers


def _overlap(a: Box | None, b: Box | None) -> bool:
    if a is None or b is None:
        return False
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _clip(box: Box | None, shape: tuple[int, int]) -> Box | None:
    """The part of ``box`` inside a raster of ``shape`` (rows, columns); None if empty."""
    if box is None:
        return None
    c0, r0, c1, r1 = max(box[0], 0), max(box[1], 0), min(box[2], shape[1]), min(box[3], shape[0])
    return (c0, r0, c1, r1) if c0 < c1 and r0 < r1 else None


def _as_window(box: Box | None) -> tuple[int, int, int, int] | None:
    return None if box is None else (box[0], box[1], box[2] - box[0], box[3] - box[1])


# -- reading and burning -------------------------------------------------------------------


class _Reader:
    """Reads a window of the scene (and cloud mask) as values and a state per pixel."""

    def __init__(
        self, path: str | Path, mask_path: str | Path | None, band: int, nodata: float | None
    ) -> None:
        self.paths = (path, mask_path)
        self.band, self.nodata = band, nodata
        self.src: DatasetReader | None = None
        self.mask: DatasetReader | None = None
        self.decoded = 0
        self.masked = False

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for dataset in (self.src, self.mask):
            if dataset is not None:
                dataset.close()
        self.src = self.mask = None

    def _open(self) -> DatasetReader:
        if self.src is None or self.decoded > REOPEN_BYTES:
            self.close()
            self.src = rasterio.open(self.paths[0])
            self.mask = rasterio.open(self.paths[1]) if self.paths[1] else None
            self.masked = has_mask_band(self.src, self.band)
            self.decoded = 0
        return self.src

    def __call__(self, box: Box) -> tuple[np.ndarray | None, np.ndarray]:
        src = self._open()
        shape = (box[3] - box[1], box[2] - box[0])
        inside = _clip(box, src.shape)
        if inside is None:
            return None, np.full(shape, OUTSIDE, dtype=np.uint8)
        c0, r0, c1, r1 = inside
        window = Window(c0, r0, c1 - c0, r1 - r0)
        values = read(src, self.band, window)
        bad = invalid(values, self.nodata)
        if self.masked:
            bad |= src.read_masks(self.band, window=window) == 0
        bh, bw = src.block_shapes[self.band - 1]
        blocks = ((r1 - 1) // bh - r0 // bh + 1) * ((c1 - 1) // bw - c0 // bw + 1)
        self.decoded += blocks * bh * bw * values.itemsize
        state = bad.view(np.uint8)  # VALID 0, NODATA 1
        if self.mask is not None:
            state = state.copy()
            state[(read(self.mask, 1, window) != 0) & ~bad] = CLOUDY
        if inside == box:
            return values, state
        # A window over the raster's edge: pixels beyond it are OUTSIDE.
        data = np.zeros(shape, dtype=values.dtype)
        full = np.full(shape, OUTSIDE, dtype=np.uint8)
        part = np.s_[r0 - box[1] : r1 - box[1], c0 - box[0] : c1 - box[0]]
        data[part], full[part] = values, state
        return data, full


def _burn(tasks: list[tuple[list[_Site], Box]], all_touched: bool) -> list[np.ndarray]:
    """A label image for each (layer, box): k where the k-th polygon of the layer covers a
    pixel, else 0; a boolean image for a layer of one polygon.

    Without ``all_touched`` every task is filled by one vectorised scanline pass over a flat
    buffer holding all the boxes (see :func:`_scanline`); with it, GDAL's ``rasterize`` burns
    each box.
    """
    if all_touched:
        return [
            rasterize(
                [(shape, k) for k, site in enumerate(layer, 1) for shape in site.shapes],
                out_shape=(box[3] - box[1], box[2] - box[0]),
                transform=Affine.translation(box[0], box[1]),
                all_touched=True,
                dtype=np.int32,
            )
            for layer, box in tasks
        ]
    edges, frames, base = [], [], 0
    for layer, (c0, r0, c1, r1) in tasks:
        for site in layer:
            e = site.edges - np.array([[c0], [r0], [c0], [r0]])
            edges.append(e)
            frames.append(np.repeat([[r1 - r0], [c1 - c0], [base]], e.shape[1], axis=1))
        base += (r1 - r0) * (c1 - c0 + 1)
    inside = _scanline(np.concatenate(edges, axis=1), np.concatenate(frames, axis=1), base)
    images, base = [], 0
    for layer, (c0, r0, c1, r1) in tasks:
        height, width = r1 - r0, c1 - c0
        mask = inside[base : base + height * (width + 1)].reshape(height, width + 1)[:, :width]
        base += height * (width + 1)
        if len(layer) == 1:
            images.append(mask)
            continue
        labels = np.zeros((height, width), dtype=np.int32)
        for k, site in enumerate(layer, 1):
            w0, w1, w2, w3 = site.window or (c0, r0, c1, r1)
            rows = slice(max(w1 - r0, 0), max(w3 - r0, 0))  # the box may be a strip of it
            labels[rows, max(w0 - c0, 0) : max(w2 - c0, 0)] = k
        labels *= mask
        images.append(labels)
    return images


def _scanline(edges: np.ndarray, frames: np.ndarray, size: int) -> np.ndarray:
    """Pixels whose centre lies inside the rings made of ``edges`` (even-odd rule), for many
    windows laid out one after another in a flat buffer of ``size`` pixels.

    ``edges`` are (x0, y0, x1, y1) rows of non-horizontal edges with y0 < y1, in pixels relative
    to their window; ``frames`` give each edge's window (height, width, offset in the buffer).
    A window of width w takes w + 1 pixels a row: the extra one receives the crossings right of
    the window. This is GDAL's polygon fill: a row's crossings are taken at its centre line,
    half-open in y, and a crossing at x starts or ends the run at column floor(x + 0.5). Every
    row has an even number of crossings, so one running count over the whole buffer gives
    every window's parity.
    """
    x0, y0, x1, y1 = edges
    height, width, offset = frames
    first = np.minimum(np.ceil(y0 - 0.5).clip(0), height).astype(np.intp)
    runs = np.minimum(np.ceil(y1 - 0.5).clip(0), height).astype(np.intp) - first
    total = int(runs.sum())
    if total == 0:
        return np.zeros(size, dtype=bool)
    row = np.arange(total) - np.repeat(np.cumsum(runs) - runs - first, runs)
    # GDAL's formula and order of operations, for the same rounding
    x = (row + 0.5 - np.repeat(y0, runs)) * np.repeat(x1 - x0, runs)
    x = x / np.repeat(y1 - y0, runs) + np.repeat(x0, runs)
    col = np.minimum(np.floor(x + 0.5).clip(0), np.repeat(width, runs)).astype(np.intp)
    flat = np.repeat(offset, runs) + row * np.repeat(width + 1, runs) + col
    # a running count modulo 256 keeps its parity
    parity = np.cumsum(np.bincount(flat, minlength=size), dtype=np.uint8)
    parity &= 1
    return parity.view(bool)


class _Group:
    """Polygons read together: their union window, cut into strips, and what each layer of
    non-overlapping polygons has gathered so far."""

    def __init__(self, members: list[_Site], window_pixels: int) -> None:
        boxes = [m.window for m in members if m.window is not None]
        c0, r0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
        c1, r1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
        step = max(1, window_pixels // (c1 - c0))
        self.strips = [(c0, top, c1, min(r1, top + step)) for top in range(r0, r1, step)]
        self.pending = len(self.strips)
        self.layers = _layers(members)
        self.counts = [np.zeros((len(layer) + 1) * 4, dtype=np.int64) for layer in self.layers]
        self.labels: list[list[np.ndarray]] = [[] for _ in self.layers]
        self.values: list[list[np.ndarray]] = [[] for _ in self.layers]

    def add(self, n: int, burnt: np.ndarray, data: np.ndarray | None, state: np.ndarray) -> None:
        if burnt.dtype == bool:  # one polygon: fewer passes over the window
            inside = state[burnt]
            self.counts[n][4:] += np.bincount(inside, minlength=4)
            if data is not None:
                self.values[n].append(data[burnt][inside == VALID])
            return
        counts = self.counts[n]
        counts += np.bincount((burnt * 4 + state).ravel(), minlength=counts.size)
        if data is not None:
            take = (burnt > 0) & (state == VALID)
            self.labels[n].append(burnt[take])
            self.values[n].append(data[take])

    def results(self) -> Iterator[tuple[list[_Site], np.ndarray, np.ndarray]]:
        """For each layer: its polygons, their pixel counts by state (k x 4), and their valid
        values sorted by polygon, then by value."""
        for n, layer in enumerate(self.layers):
            value = np.concatenate(self.values[n]) if self.values[n] else np.zeros(0)
            if len(layer) == 1:
                ordered = np.sort(value)
            else:
                ordered = value[np.lexsort((value, np.concatenate(self.labels[n])))]
            yield layer, self.counts[n].reshape(-1, 4)[1:], ordered


def _measure(
    reader: _Reader, groups: Iterable[list[_Site]], all_touched: bool, window_pixels: int
) -> Iterator[tuple[list[_Site], np.ndarray, np.ndarray]]:
    """The results of every group (see :meth:`_Group.results`), burning strips in batches."""
    batch: list[tuple[_Group, Box, np.ndarray | None, np.ndarray]] = []
    pixels = 0
    for members in groups:
        group = _Group(members, window_pixels)
        for box in group.strips:
            data, state = reader(box)
            batch.append((group, box, data, state))
            pixels += state.size
            if pixels >= BATCH_PIXELS:
                yield from _finish(batch, all_touched)
                batch, pixels = [], 0
    yield from _finish(batch, all_touched)


def _finish(
    batch: list[tuple[_Group, Box, np.ndarray | None, np.ndarray]], all_touched: bool
) -> Iterator[tuple[list[_Site], np.ndarray, np.ndarray]]:
    if not batch:
        return
    tasks = [(layer, box) for group, box, _, _ in batch for layer in group.layers]
    images = iter(_burn(tasks, all_touched))
    for group, _, data, state in batch:
        for n in range(len(group.layers)):
            group.add(n, next(images), data, state)
        group.pending -= 1
        if not group.pending:
            yield from group.results()


# -- statistics ----------------------------------------------------------------------------


class _Tally:
    """Sorted valid values of many polygons, turned into statistics a batch at a time."""

    def __init__(self, size: int, qs: tuple[float, ...]) -> None:
        self.qs = qs
        names = ["mean", "sum", "min", "max", "std", *map(_key, qs)]
        self.columns = {name: np.full(size, np.nan) for name in names}
        self.sites: list[list[int]] = []
        self.counts: list[np.ndarray] = []
        self.values: list[np.ndarray] = []
        self.pending = 0

    def add(self, sites: list[int], counts: np.ndarray, ordered: np.ndarray) -> None:
        """``ordered`` holds ``counts[i]`` sorted values of ``sites[i]``, one site after another."""
        self.sites.append(sites)
        self.counts.append(counts)
        self.values.append(ordered)
        self.pending += ordered.size
        if self.pending >= BATCH_VALUES:
            self.flush()

    def flush(self) -> None:
        if not self.sites:
            return
        site = np.concatenate([np.asarray(s, dtype=np.int64) for s in self.sites])
        n = np.concatenate(self.counts)
        value = np.concatenate(self.values).astype(np.float64)
        self.sites, self.counts, self.values, self.pending = [], [], [], 0
        has = n > 0
        site, n = site[has], n[has]
        if not site.size:
            return
        start = np.cumsum(n) - n
        last = start + n - 1
        total = np.add.reduceat(value, start)
        mean = total / n
        deviation = value - np.repeat(mean, n)
        columns = self.columns
        columns["sum"][site] = total
        columns["mean"][site] = mean
        columns["std"][site] = np.sqrt(np.add.reduceat(deviation * deviation, start) / n)
        columns["min"][site] = value[start]
        columns["max"][site] = value[last]
        for q in self.qs:
            # numpy's default ("linear") percentile, with its interpolation formula
            position = (n - 1) * (q / 100)
            below = np.floor(position)
            gamma = position - below
            lo = start + below.astype(np.int64)
            a, b = value[lo], value[np.minimum(lo + 1, last)]
            diff = b - a
            columns[_key(q)][site] = np.where(
                gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma
            )

    def finish(self) -> dict[str, list[float | None]]:
        """Every statistic by name, a value per polygon (None where it had no valid pixel)."""
        self.flush()
        return {
            name: [None if math.isnan(v) else v for v in column.tolist()]
            for name, column in self.columns.items()
        }


def _check_percentiles(percentiles: Iterable[float]) -> tuple[float, ...]:
    qs = tuple(percentiles)
    for q in qs:
        if isinstance(q, bool) or not isinstance(q, int | float) or not 0 <= q <= 100:
            raise InputError("percentiles", f"{q!r} is not a number from 0 to 100")
    return qs


def _key(q: float) -> str:
    return f"p{q:g}"
