"""Change maps between two dates, their PNG quick-looks, and the construction scenario end to
end: bare soil appears at one site, NDVI drops and BSI rises there and nowhere else."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import Affine

from watchboard.errors import InputError
from watchboard.imagery import (
    change_map,
    compute_index,
    load_sites,
    scene_time,
    to_observations,
    zonal_stats,
)
from watchboard.imagery.change import write_quicklook

from .scenes import BANDS, feature, pixel_square, scene, write_raster, write_sites

PATCH = np.s_[8:20, 10:25]  # 12 x 15 pixels cleared for construction
REGROWN = np.s_[30:34, 30:35]  # 4 x 5 pixels bare before, green after
Dates = tuple[Path, Path]


@pytest.fixture
def dates(tmp_path: Path) -> Dates:
    before = scene(tmp_path / "S2_2026-01-10.tif", bare=REGROWN, date="2026:01:10 02:30:00")
    after = scene(tmp_path / "S2_2026-06-20.tif", bare=PATCH, nodata_at=np.s_[0:2, 0:40])
    return before, after


def read_png(path: Path) -> tuple[int, int, list[tuple[int, ...]], bytes, np.ndarray]:
    """Width, height, palette, transparency and the palette indices of a PNG, checking CRCs."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    idat = b""
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + body)
        if kind == b"IDAT":
            idat += body
        else:
            chunks[kind] = body
        at += 12 + length
    assert list(chunks)[-1] == b"IEND"
    width, height, depth, colour, *_ = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, colour) == (8, 3)  # 8-bit paletted
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, width + 1)
    assert (rows[:, 0] == 0).all()  # filter type "none" on every row
    palette = [tuple(chunks[b"PLTE"][i : i + 3]) for i in range(0, len(chunks[b"PLTE"]), 3)]
    return width, height, palette, chunks[b"tRNS"], rows[:, 1:]


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_bsi_change_map_counts_construction_and_regrowth(tmp_path: Path, dates: Dates) -> None:
    before, after = dates
    tif, png = tmp_path / "change.tif", tmp_path / "change.png"
    summary = change_map(before, after, tif, png, threshold=0.2, index="BSI", bands=BANDS)
    assert (summary.pixels, summary.nodata) == (1600, 80)
    assert (summary.increased, summary.decreased) == (12 * 15, 4 * 5)
    assert summary.unchanged == 1600 - 80 - 180 - 20
    assert summary.pixel_area_m2 == 100.0
    assert (summary.increased_m2, summary.decreased_m2) == (18_000.0, 2_000.0)
    assert (summary.measure, summary.png_scale) == ("BSI", 1)
    assert summary.as_dict()["increased_m2"] == 18_000.0
    with rasterio.open(tif) as src:
        classes = src.read(1)
        assert (src.dtypes[0], src.nodata, src.crs) == ("uint8", 255, "EPSG:32652")
        assert src.colormap(1)[1][:3] == (215, 48, 39)
    expected = np.zeros((40, 40), np.uint8)
    expected[PATCH], expected[REGROWN], expected[0:2, :] = 1, 2, 255
    assert (classes == expected).all()
    width, height, palette, alpha, indices = read_png(png)
    assert (width, height) == (40, 40)
    assert palette[1] == (215, 48, 39) and alpha == bytes([255, 255, 255, 0])
    assert (indices == np.where(expected == 255, 3, expected)).all()
    with rasterio.open(png) as src:  # GDAL reads it too
        assert src.read(1).shape == (40, 40) and src.driver == "PNG"


def test_ndvi_change_has_the_opposite_sign(tmp_path: Path, dates: Dates) -> None:
    before, after = dates
    summary = change_map(
        before,
        after,
        tmp_path / "c.tif",
        tmp_path / "c.png",
        threshold=0.3,
        index="ndvi",
        bands=BANDS,
    )
    assert (summary.increased, summary.decreased) == (20, 180)


def test_band_difference_and_geographic_areas(tmp_path: Path) -> None:
    transform = Affine(0.001, 0.0, 127.0, 0.0, -0.001, 40.0)
    one = np.zeros((5, 6), np.float32)
    two = one.copy()
    two[1, 1], two[2, 2], two[3, 3] = 5.0, -5.0, 0.5
    before = write_raster(tmp_path / "a.tif", one, crs="EPSG:4326", transform=transform)
    after = write_raster(tmp_path / "b.tif", two, crs="EPSG:4326", transform=transform)
    summary = change_map(before, after, tmp_path / "c.tif", tmp_path / "c.png", threshold=1)
    assert (summary.increased, summary.decreased, summary.measure) == (1, 1, "band 1")
    assert summary.pixel_area_m2 is None and summary.increased_m2 is None


def test_quicklook_of_a_large_map_is_reduced_keeping_small_changes(tmp_path: Path) -> None:
    classes = np.zeros((1000, 700), np.uint8)
    classes[503, 201] = 1  # one changed pixel
    classes[0:10, 0:10] = 2
    classes[990:, :] = 255
    tif = write_raster(tmp_path / "c.tif", classes, nodata=255)
    png = tmp_path / "c.png"
    assert write_quicklook(tif, png, max_size=128) == 8
    width, height, _, _, indices = read_png(png)
    assert (width, height) == (88, 125)  # ceil(700 / 8), ceil(1000 / 8)
    assert indices[503 // 8, 201 // 8] == 1 and indices[0, 0] == 2
    assert (indices[-1] == 3).all() and indices[123, 0] == 0  # all-nodata cells only
    assert (indices == 1).sum() == 1


def test_grids_must_match_and_threshold_be_positive(tmp_path: Path, dates: Dates) -> None:
    before, _ = dates
    shifted = write_raster(
        tmp_path / "shifted.tif",
        np.zeros((40, 40), np.uint16),
        transform=Affine(10.0, 0.0, 500_010.0, 0.0, -10.0, 4_400_000.0),
    )
    wgs84 = write_raster(tmp_path / "wgs84.tif", np.zeros((40, 40), np.uint16), crs="EPSG:4326")
    out = (tmp_path / "c.tif", tmp_path / "c.png")
    for other, what in ((shifted, "transform"), (wgs84, "CRS EPSG:4326 vs EPSG:32652")):
        with pytest.raises(InputError) as error:
            change_map(before, other, *out, threshold=1)
        assert str(error.value).startswith(f"{other}: not on the same grid as {before}: {what}")
    for threshold in (0, -1, float("nan")):
        with pytest.raises(InputError, match=r"^threshold: "):
            change_map(before, before, *out, threshold=threshold)


def test_construction_appears_at_one_site_between_two_dates(tmp_path: Path, dates: Dates) -> None:
    """The whole imagery path: indices, zonal means at two sites, observations."""
    before, after = dates
    sites = load_sites(
        write_sites(
            tmp_path / "sites.geojson",
            [
                feature("plant", pixel_square(12, 9, 10, 10)),  # inside the cleared patch
                feature("field", pixel_square(2, 25, 10, 10)),  # vegetation on both dates
            ],
        )
    )
    series: dict[tuple[str, str], list[float | None]] = {}
    for index in ("NDVI", "BSI"):
        for path in (before, after):
            out = compute_index(path, index, BANDS, tmp_path / f"{index}-{path.name}")
            results = zonal_stats(out, sites)
            when = scene_time(out)  # the tag copied from the scene, else the date in the name
            observations = to_observations(results, time=when, indicator=index.lower(), unit=index)
            for obs in observations:
                assert obs.quality == "ok" and obs.extra["count"] == 100
                series.setdefault((index, obs.site or ""), []).append(obs.value)
    ndvi_green, ndvi_bare = float(np.float32(3200 / 4800)), float(np.float32(300 / 5300))
    assert series["NDVI", "plant"] == [ndvi_green, ndvi_bare]
    assert series["NDVI", "field"] == [ndvi_green, ndvi_green]
    bsi_green, bsi_bare = float(np.float32(-2100 / 6700)), float(np.float32(1700 / 10300))
    assert series["BSI", "plant"] == [bsi_green, bsi_bare]
    assert series["BSI", "field"] == [bsi_green, bsi_green]
    assert scene_time(tmp_path / "NDVI-S2_2026-01-10.tif") == datetime(
        2026, 1, 10, 2, 30, tzinfo=UTC
    )
    assert scene_time(tmp_path / "NDVI-S2_2026-06-20.tif") == datetime(2026, 6, 20, tzinfo=UTC)
