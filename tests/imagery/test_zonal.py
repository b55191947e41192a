"""Zonal statistics, checked against hand-computed values and a brute-force reference."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from rasterio.features import geometry_mask, rasterize
from rasterio.io import DatasetReader
from rasterio.transform import Affine
from rasterio.windows import Window

from watchboard.errors import InputError
from watchboard.imagery import SitePolygon, load_sites, zonal_stats
from watchboard.imagery import zonal as zonal_module
from watchboard.imagery.zonal import _scanline, plan_groups

from .scenes import (
    TRANSFORM,
    feature,
    pixel_ring,
    pixel_square,
    to_wgs84,
    write_raster,
    write_sites,
)

# value = 40 * row + col: every pixel of the 40 x 40 test raster is distinct and known
RAMP = np.arange(1600, dtype=np.float32).reshape(40, 40)


def site(name: str, col: int, row: int, width: int = 10, height: int = 10) -> SitePolygon:
    geometry = pixel_square(col, row, width, height)
    return SitePolygon(name, {"type": "MultiPolygon", "coordinates": [geometry["coordinates"]]})


def block_values(col: int, row: int, width: int = 10, height: int = 10) -> np.ndarray:
    return RAMP[row : row + height, col : col + width].astype(np.float64).ravel()


@pytest.fixture
def ramp(tmp_path: Path) -> Path:
    return write_raster(tmp_path / "ramp.tif", RAMP, nodata=-9999.0)


def test_square_of_100_pixels_gives_exact_statistics(ramp: Path) -> None:
    (result,) = zonal_stats(ramp, [site("a", 5, 10)])
    # rows 10..19, cols 5..14: sum = 10 * 40 * (10 + ... + 19) + 10 * (5 + ... + 14)
    assert (result.count, result.pixels, result.valid_fraction) == (100, 100, 1.0)
    assert result.sum == 58950.0
    assert result.mean == 589.5
    assert (result.min, result.max) == (405.0, 774.0)
    # var = 1600 var(row) + var(col), both uniform over 10 consecutive integers (var 8.25)
    assert result.std == math.sqrt(1601 * 8.25)
    assert result.percentiles["p50"] == 589.5  # between 574 (row 14) and 605 (row 15)
    assert result.percentiles["p10"] == pytest.approx(414 + 0.9 * 31, abs=1e-9)
    assert result.percentiles["p90"] == pytest.approx(734 + 0.1 * 31, abs=1e-9)
    expected = np.percentile(block_values(5, 10), [10, 50, 90])
    assert [result.percentiles[k] for k in ("p10", "p50", "p90")] == expected.tolist()
    assert (result.nodata, result.cloudy, result.outside) == (0, 0, 0)
    assert result.window == (5, 10, 10, 10)
    assert (result.site, result.scene, result.band) == ("a", "ramp.tif", 1)


def test_percentiles_match_numpy_for_any_request(ramp: Path) -> None:
    qs = (0, 2.5, 25, 33.3, 50, 75, 99, 100)
    (result,) = zonal_stats(ramp, [site("a", 3, 7, 13, 9)], percentiles=qs)
    expected = np.percentile(block_values(3, 7, 13, 9), qs)
    assert list(result.percentiles) == ["p0", "p2.5", "p25", "p33.3", "p50", "p75", "p99", "p100"]
    assert list(result.percentiles.values()) == expected.tolist()


def test_nodata_pixels_are_excluded_and_counted(tmp_path: Path) -> None:
    data = RAMP.copy()
    data[10, 5:15] = -9999.0  # the polygon's first row
    data[12, 7] = np.nan  # NaN is never valid
    path = write_raster(tmp_path / "holes.tif", data, nodata=-9999.0)
    (result,) = zonal_stats(path, [site("a", 5, 10)])
    values = block_values(5, 10)
    values = values[(values >= 445) & (values != 40 * 12 + 7)]
    assert (result.count, result.nodata, result.pixels) == (89, 11, 100)
    assert result.sum == values.sum()
    assert result.min == 445.0


def test_nodata_override_replaces_the_raster_value(ramp: Path) -> None:
    (result,) = zonal_stats(ramp, [site("a", 5, 10)], nodata=405.0)
    assert (result.count, result.nodata, result.min) == (99, 1, 406.0)


def test_cloud_mask_excludes_cloudy_pixels(tmp_path: Path) -> None:
    data = RAMP.copy()
    data[19, 5] = -9999.0
    scene = write_raster(tmp_path / "scene.tif", data, nodata=-9999.0)
    clouds = np.zeros((40, 40), dtype=np.uint8)
    clouds[18:20, :] = 3  # the polygon's last two rows, one pixel of which is nodata
    mask = write_raster(tmp_path / "clouds.tif", clouds)
    (result,) = zonal_stats(scene, [site("a", 5, 10)], cloud_mask=mask)
    assert (result.count, result.nodata, result.cloudy) == (80, 1, 19)
    assert result.max == 40 * 17 + 14
    assert result.sum == block_values(5, 10, 10, 8).sum()


def test_partial_overlap_counts_pixels_beyond_the_edge(ramp: Path) -> None:
    (result,) = zonal_stats(ramp, [site("edge", 35, -4)])  # 5 x 6 of its 10 x 10 inside
    assert (result.pixels, result.count, result.outside) == (100, 30, 70)
    assert result.valid_fraction == 0.3
    assert result.sum == block_values(35, 0, 5, 6).sum()
    assert result.window == (35, 0, 5, 6)


def test_site_outside_the_raster_gives_count_zero(ramp: Path) -> None:
    (result,) = zonal_stats(ramp, [site("far", 100, 100)])
    assert (result.count, result.pixels, result.valid_fraction) == (0, 0, 0.0)
    assert result.mean is None and result.percentiles == {"p10": None, "p50": None, "p90": None}
    assert result.window is None


def test_all_nodata_window_gives_count_zero_and_no_statistics(tmp_path: Path) -> None:
    data = RAMP.copy()
    data[:20, :20] = -9999.0
    path = write_raster(tmp_path / "empty.tif", data, nodata=-9999.0)
    results = zonal_stats(path, [site("gone", 2, 3), site("kept", 25, 25, 2, 2)])
    assert (results[0].count, results[0].nodata, results[0].pixels) == (0, 100, 100)
    assert results[0].valid_fraction == 0.0
    assert [results[0].stat(s) for s in ("mean", "sum", "min", "max", "std")] == [None] * 5
    assert results[1].count == 4  # its neighbour in the same read is unaffected


def test_overlapping_and_nested_sites_each_get_all_their_pixels(ramp: Path) -> None:
    sites = [site("big", 0, 0, 20, 20), site("inner", 5, 5, 4, 4), site("cross", 15, 15)]
    results = zonal_stats(ramp, sites)
    assert [r.count for r in results] == [400, 16, 100]
    assert [r.sum for r in results] == [
        block_values(0, 0, 20, 20).sum(),
        block_values(5, 5, 4, 4).sum(),
        block_values(15, 15).sum(),
    ]


def test_multipolygon_and_hole(ramp: Path) -> None:
    shell = to_wgs84(pixel_ring(0, 0, 10, 10))
    hole = to_wgs84(pixel_ring(2, 2, 3, 3)[::-1])
    other = to_wgs84(pixel_ring(30, 30, 2, 5))
    geometry = {"type": "MultiPolygon", "coordinates": [[shell, hole], [other]]}
    (result,) = zonal_stats(ramp, [SitePolygon("donut", geometry)])
    expected = set(block_values(0, 0).tolist()) - set(block_values(2, 2, 3, 3).tolist())
    assert result.count == 100 - 9 + 10
    assert result.sum == sum(expected) + block_values(30, 30, 2, 5).sum()


def test_geographic_raster_and_projected_sites(tmp_path: Path) -> None:
    """A WGS84 raster; one site in WGS84, one given in UTM (reprojected the other way)."""
    transform = Affine(0.001, 0.0, 127.0, 0.0, -0.001, 40.0)
    path = write_raster(tmp_path / "wgs84.tif", RAMP, crs="EPSG:4326", transform=transform)
    square = [[127.005, 39.99], [127.015, 39.99], [127.015, 39.98], [127.005, 39.98]]
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32652", always_xy=True)
    diamond = [(127.03, 39.975), (127.036, 39.969), (127.03, 39.963), (127.024, 39.969)]
    utm = [list(to_utm.transform(lon, lat)) for lon, lat in diamond]
    sites = write_sites(
        tmp_path / "sites.geojson",
        [feature("plain", {"type": "Polygon", "coordinates": [square]})],
    )
    utm_sites = write_sites(
        tmp_path / "utm.geojson",
        [feature("diamond", {"type": "Polygon", "coordinates": [[*utm, utm[0]]]})],
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32652"}},
    )
    plain, diamond_result = zonal_stats(path, load_sites(sites) + load_sites(utm_sites))
    assert plain.count == 100 and plain.sum == block_values(5, 10).sum()
    # the reference: the same vertices reprojected, burnt by GDAL
    back = Transformer.from_crs("EPSG:32652", "EPSG:4326", always_xy=True)
    ring = [back.transform(x, y) for x, y in [*utm, utm[0]]]
    inside = ~geometry_mask(
        [{"type": "Polygon", "coordinates": [ring]}], (40, 40), transform, invert=False
    )
    assert diamond_result.count == inside.sum() > 20
    assert diamond_result.sum == RAMP[inside].astype(np.float64).sum()


def test_all_touched_counts_every_touched_pixel(ramp: Path) -> None:
    triangle = [(3.3, 4.2), (17.6, 9.9), (6.1, 21.4)]
    ring = to_wgs84([TRANSFORM @ p for p in [*triangle, triangle[0]]])
    sites = [SitePolygon("t", {"type": "MultiPolygon", "coordinates": [[ring]]})]
    centre, touched = zonal_stats(ramp, sites)[0], zonal_stats(ramp, sites, all_touched=True)[0]
    pixel_ring_ = [list(p) for p in [*triangle, triangle[0]]]
    shape = {"type": "Polygon", "coordinates": [pixel_ring_]}
    for result, flag in ((centre, False), (touched, True)):
        mask = rasterize([shape], out_shape=(40, 40), all_touched=flag).astype(bool)
        assert result.count == mask.sum()
        assert result.sum == RAMP[mask].astype(np.float64).sum()
    assert touched.count > centre.count


def random_polygon(rng: np.random.Generator, cx: float, cy: float, r: float) -> list[list[float]]:
    k = int(rng.integers(3, 14))
    angles = np.sort(rng.uniform(0, 2 * np.pi, k))
    radii = r * rng.uniform(0.3, 1.0, k)
    ring = [
        [cx + a * math.cos(t), cy + a * math.sin(t)] for a, t in zip(radii, angles, strict=True)
    ]
    return [*ring, ring[0]]


def test_scanline_fill_matches_gdal_rasterize() -> None:
    rng = np.random.default_rng(7)
    for _ in range(300):
        height, width = (int(v) for v in rng.integers(1, 60, 2))
        cx, cy = rng.uniform(-10, 70, 2)
        rings = [random_polygon(rng, cx, cy, rng.uniform(0.3, 40))]
        if rng.random() < 0.3:  # a second ring, sometimes crossing the first
            cx, cy = rng.uniform(0, 60, 2)
            rings.append(random_polygon(rng, cx, cy, rng.uniform(0.3, 20)))
        expected = rasterize(
            [{"type": "Polygon", "coordinates": rings}], out_shape=(height, width)
        ).astype(bool)
        edges = np.concatenate(
            [np.array([r[:-1, 0], r[:-1, 1], r[1:, 0], r[1:, 1]]) for r in map(np.array, rings)],
            axis=1,
        )
        flip = edges[1] > edges[3]
        edges[:, flip] = edges[[2, 3, 0, 1]][:, flip]
        edges = edges[:, edges[1] < edges[3]]
        frames = np.repeat([[height], [width], [0]], edges.shape[1], axis=1)
        got = _scanline(edges, frames, height * (width + 1))
        assert (got.reshape(height, width + 1)[:, :width] == expected).all()


def brute_force(path: Path, sites: list[SitePolygon]) -> list[tuple[int, float, float, float]]:
    """count, sum, min, max per site: reproject, burn the whole raster with GDAL, mask."""
    with rasterio.open(path) as src:
        data = src.read(1).astype(np.float64)
        valid = data != src.nodata
        transformer = Transformer.from_crs("EPSG:4326", src.crs.to_wkt(), always_xy=True)
        out = []
        for s in sites:
            parts = [
                [[transformer.transform(x, y) for x, y in ring] for ring in part]
                for part in s.parts
            ]
            geometry = {"type": "MultiPolygon", "coordinates": parts}
            mask = ~geometry_mask([geometry], src.shape, src.transform) & valid
            v = data[mask]
            out.append((int(mask.sum()), v.sum(), v.min(), v.max()) if v.size else (0, 0, 0, 0))
    return out


def test_grouped_strips_and_single_reads_agree_with_brute_force(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    data = rng.integers(0, 1000, (300, 300)).astype(np.float32)
    data[rng.random((300, 300)) < 0.05] = -1.0
    path = write_raster(tmp_path / "big.tif", data, nodata=-1.0, block=32)
    sites = []
    for i in range(60):
        cx, cy = rng.uniform(-10, 310, 2)
        ring = [TRANSFORM @ (x, y) for x, y in random_polygon(rng, cx, cy, rng.uniform(1, 25))]
        sites.append(
            SitePolygon(f"s{i}", {"type": "MultiPolygon", "coordinates": [[to_wgs84(ring)]]})
        )
    expected = brute_force(path, sites)
    for window_pixels in (1 << 22, 64):  # shared reads; then strips of a row or two
        results = zonal_stats(path, sites, window_pixels=window_pixels)
        got = [(r.count, r.sum or 0, r.min or 0, r.max or 0) for r in results]
        assert got == expected


def test_only_the_windows_around_sites_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = np.ones((2000, 2000), dtype=np.uint8)
    path = write_raster(tmp_path / "wide.tif", data, block=256)
    windows = []
    real_read = zonal_module.read

    def spy(src: DatasetReader, band: int, window: Window) -> np.ndarray:
        windows.append((int(window.col_off), int(window.row_off), window.width, window.height))
        return real_read(src, band, window)

    monkeypatch.setattr(zonal_module, "read", spy)
    results = zonal_stats(path, [site("a", 700, 1200, 12, 8), site("b", 1900, 30, 30, 30)])
    assert [r.count for r in results] == [96, 900]
    assert sorted(windows) == [(700, 1200, 12, 8), (1900, 30, 30, 30)]
    assert sum(w * h for _, _, w, h in windows) < 2000 * 2000 / 1000


def test_plan_groups_shares_reads_only_when_no_extra_block_is_decoded() -> None:
    shape, block = (1000, 1000), (100, 100)
    windows = [
        (10, 10, 30, 30),  # block (0, 0)
        (50, 50, 90, 90),  # block (0, 0): shares the read
        (150, 10, 190, 40),  # block (0, 1) only: a separate read
        (95, 300, 120, 320),  # blocks (3, 0) and (3, 1)
        (105, 310, 130, 330),  # block (3, 1): the union decodes nothing more
        (500, 500, 520, 520),
        None,  # not to be read
    ]
    groups = plan_groups(windows, shape, block, max_pixels=10_000)
    assert sorted(sorted(g) for g in groups) == [[0, 1], [2], [3, 4], [5]]
    assert sorted(sorted(g) for g in plan_groups(windows, shape, block, max_pixels=1_000)) == [
        [0],
        [1],
        [2],
        [3],
        [4],
        [5],
    ]


def test_bad_rasters_and_arguments_are_one_line_input_errors(tmp_path: Path, ramp: Path) -> None:
    sites = [site("a", 5, 10)]
    no_crs = write_raster(tmp_path / "nocrs.tif", RAMP, crs=None)
    junk = tmp_path / "junk.tif"
    junk.write_text("this is not a raster\n")
    truncated = tmp_path / "truncated.tif"
    whole = write_raster(
        tmp_path / "whole.tif", np.random.default_rng(1).random((400, 400)), block=64
    )
    truncated.write_bytes(whole.read_bytes()[:20_000])
    cases = [
        (lambda: zonal_stats(no_crs, sites), f"{no_crs}: raster has no CRS"),
        (lambda: zonal_stats(junk, sites), f"{junk}: not a readable raster ("),
        (
            lambda: zonal_stats(truncated, [site("a", 0, 0, 400, 400)]),
            f"{truncated}: not a readable",
        ),
        (
            lambda: zonal_stats(tmp_path / "none.tif", sites),
            f"{tmp_path / 'none.tif'}: no such file",
        ),
        (lambda: zonal_stats(ramp, sites, band=2), f"{ramp}: band 2 out of range"),
        (lambda: zonal_stats(ramp, sites, percentiles=(50, 101)), "percentiles: 101 is not"),
    ]
    for call, message in cases:
        with pytest.raises(InputError) as error:
            call()
        assert str(error.value).startswith(message)
        assert "\n" not in str(error.value)


def test_cloud_mask_on_another_grid_is_refused_naming_both_files(
    tmp_path: Path, ramp: Path
) -> None:
    wgs84 = write_raster(tmp_path / "mask4326.tif", np.zeros((40, 40), np.uint8), crs="EPSG:4326")
    small = write_raster(tmp_path / "mask-small.tif", np.zeros((30, 40), np.uint8))
    for mask, what in ((wgs84, "CRS EPSG:4326 vs EPSG:32652"), (small, "shape 30x40 vs 40x40")):
        with pytest.raises(InputError) as error:
            zonal_stats(ramp, [site("a", 5, 10)], cloud_mask=mask)
        assert str(error.value) == f"{mask}: not on the same grid as {ramp}: {what}"
