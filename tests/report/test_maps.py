"""Static site maps and the offline basemap they are drawn on."""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import socket
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely

from watchboard.report import basemap
from watchboard.report.maps import (
    MapError,
    MapPoint,
    MapSite,
    cjk_fonts,
    map_extent,
    site_map_png,
    site_map_svg,
    snapshot_map_data,
)

from .test_geojson import assert_rfc7946, build_demo_snapshot

ROOT = Path(__file__).resolve().parents[2]
SVG_NS = "{http://www.w3.org/2000/svg}"
SITE_RGB = (0xA3, 0x3A, 0x2B)  # maps.SITE_COLOR

KOREA = [
    MapSite("pyongyang", "Pyongyang", 39.03385, 125.75432),
    MapSite("hamhung", "Hamhung", 39.91833, 127.53639),
    MapSite("chongjin", "Chongjin", 41.79556, 129.77583),
]


@pytest.fixture(scope="module")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return build_demo_snapshot(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def demo_svg(demo_snapshot: dict[str, Any]) -> str:
    sites, points = snapshot_map_data(demo_snapshot)
    return site_map_svg(sites, points, title=demo_snapshot["case"]["title"])


def _ids(svg: str) -> list[str]:
    return [e.get("id", "") for e in ET.fromstring(svg).iter() if e.get("id")]


def _external_references(svg: str) -> list[str]:
    """Every http(s) URL in the SVG except the namespace names of its xmlns attributes."""
    namespaces = set(re.findall(r'xmlns(?::\w+)?="([^"]+)"', svg))
    return [u for u in re.findall(r"https?://[^\s\"'<>)]+", svg) if u not in namespaces]


def _png_pixels(data: bytes) -> np.ndarray:
    from matplotlib import image

    pixels = image.imread(io.BytesIO(data), format="png")
    return (pixels[..., :3] * 255).round().astype(int)


def _has_colour(pixels: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 12) -> bool:
    return bool((np.abs(pixels - np.array(rgb)).max(axis=-1) <= tolerance).any())


# -- the SVG -------------------------------------------------------------------------------------


def test_demo_map_is_self_contained_svg_with_a_marker_per_site(
    demo_snapshot: dict[str, Any], demo_svg: str
) -> None:
    root = ET.fromstring(demo_svg)  # well-formed XML
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("role") == "img" and root.get("aria-label") == demo_snapshot["case"]["title"]
    assert _external_references(demo_svg) == []
    assert "<!DOCTYPE" not in demo_svg and "<image" not in demo_svg
    assert "@font-face" not in demo_svg and "<text" not in demo_svg  # text drawn as paths
    assert not re.search(r'(?:xlink:)?href="(?!#)', demo_svg)  # only links inside the file
    ids = _ids(demo_svg)
    sites = demo_snapshot["tables"]["sites"]
    assert sorted(i for i in ids if re.fullmatch(r"site-\d+", i)) == sorted(
        f"site-{n}" for n in range(len(sites))
    )
    # Pyongyang's polygon (sites keep the case file's order).
    pyongyang = next(i for i, s in enumerate(sites) if s["key"] == "pyongyang")
    assert f"site-area-{pyongyang}" in ids
    assert any(i.startswith("claims-") for i in ids)
    for needed in ("legend", "scale-bar", "credit", "locator"):
        assert needed in ids, needed
    # Each site marker carries its name as a hover tooltip.
    titles = [t.text for t in root.iter(f"{SVG_NS}title")]
    assert "Kanggye (site kanggye)" in titles


def test_same_input_gives_the_same_svg() -> None:
    points = [MapPoint(40.0, 127.0, "Somewhere", 3)]
    assert site_map_svg(KOREA, points, title="A") == site_map_svg(KOREA, points, title="A")


def test_extent_holds_every_site_and_point_with_room_around() -> None:
    points = [MapPoint(37.566, 126.9784, "Seoul", 2), MapPoint(42.0, 130.5, "Rason", None)]
    west, south, east, north = map_extent(KOREA, points)
    for lat, lon in [(s.lat, s.lon) for s in KOREA] + [(p.lat, p.lon) for p in points]:
        assert lat is not None and lon is not None
        assert west < lon < east and south < lat < north


def test_a_single_site_still_shows_its_region() -> None:
    west, south, east, north = map_extent([MapSite("yb", "Yongbyon", 39.8, 125.75)])
    assert north - south >= 3.0 and east - west >= 3.0
    assert west < 125.75 < east and south < 39.8 < north


def test_site_polygon_is_inside_the_extent_and_marker_falls_back_to_it() -> None:
    box = [[125.6, 38.95], [125.9, 38.95], [125.9, 39.12], [125.6, 39.12], [125.6, 38.95]]
    site = MapSite("pyongyang", "Pyongyang", polygon={"type": "Polygon", "coordinates": [box]})
    west, south, east, north = map_extent([site])
    assert west < 125.6 and east > 125.9 and south < 38.95 and north > 39.12
    assert "site-0" in _ids(site_map_svg([site]))


def test_extent_across_the_antimeridian_goes_the_short_way() -> None:
    sites = [
        MapSite("suva", "Suva", -18.14, 178.44),
        MapSite("taveuni", "Taveuni", -16.85, -179.97),
    ]
    west, _, east, _ = map_extent(sites)
    assert west > east  # crosses 180°
    assert (360 + east) - west < 10
    svg = site_map_svg(sites, [MapPoint(-17.0, -179.5, "Offshore", 2)])
    assert {"site-0", "site-1"} <= set(_ids(svg))


def test_nothing_to_map_is_an_error_unless_a_bbox_is_given() -> None:
    with pytest.raises(MapError, match="bbox="):
        site_map_svg([], [])
    with pytest.raises(MapError, match="nothing to map"):
        site_map_svg([MapSite("x", "No position")])
    svg = site_map_svg([], [], bbox=(124, 37, 131, 43))
    assert "empty-note" in _ids(svg)
    assert not any(i.startswith("site-") for i in _ids(svg))


def test_bbox_leaves_out_what_is_outside_it() -> None:
    svg = site_map_svg(KOREA, bbox=(124.0, 37.5, 128.5, 40.5))  # without Chongjin
    ids = _ids(svg)
    assert "site-0" in ids and "site-1" in ids and "site-2" not in ids


def test_bad_input_is_refused_with_a_reason() -> None:
    with pytest.raises(MapError, match="credibility 7"):
        site_map_svg(KOREA, [MapPoint(40, 127, "x", 7)])
    with pytest.raises(MapError, match="not a position"):
        site_map_svg([MapSite("x", "X", 95.0, 10.0)])
    with pytest.raises(MapError, match="width_px"):
        site_map_svg(KOREA, width_px=100)
    with pytest.raises(basemap.BasemapError, match="four numbers"):
        site_map_svg(KOREA, bbox=(1, 2, 3))
    with pytest.raises(basemap.BasemapError, match="latitudes"):
        site_map_svg(KOREA, bbox=(120, 45, 130, 35))


def test_hangul_names_render_without_missing_glyphs() -> None:
    assert cjk_fonts(), "no CJK font: install Debian's fonts-noto-cjk (or fonts-nanum)"
    sites = [MapSite("yongbyon", "영변 Yongbyon", 39.8, 125.75)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svg = site_map_svg(sites, [MapPoint(39.9, 125.9, "평양 인근", 3)], title="영변 핵시설")
        site_map_png(sites, title="영변", scale=1)
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == []
    ET.fromstring(svg)


def test_png_is_a_drawn_map() -> None:
    png = site_map_png(KOREA, [MapPoint(37.566, 126.9784, "Seoul", 1)], title="Korea", scale=1)
    assert png.startswith(b"\x89PNG")
    pixels = _png_pixels(png)
    assert pixels.shape[1] == 760
    assert pixels.std() > 20  # not blank
    assert _has_colour(pixels, SITE_RGB)  # the site diamonds
    assert _has_colour(pixels, (0xDD, 0xE8, 0xF0), 3)  # sea
    assert _has_colour(pixels, (0xFB, 0xFA, 0xF6), 3)  # the sites' country, highlighted


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils (pdftoppm)")
def test_svg_renders_outside_matplotlib(demo_svg: str, tmp_path: Path) -> None:
    """WeasyPrint (the brief's PDF engine, with its own SVG renderer) draws the inlined map,
    and the page rasterised by poppler shows the sea, the land and the site markers."""
    import weasyprint

    html = f"<html><body style='margin:0'>{demo_svg}</body></html>"
    weasyprint.HTML(string=html).write_pdf(tmp_path / "map.pdf")
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "60",
            "-png",
            "-singlefile",
            str(tmp_path / "map.pdf"),
            str(tmp_path / "map"),
        ],
        check=True,
    )
    pixels = _png_pixels((tmp_path / "map.png").read_bytes())
    assert pixels.std() > 20
    assert _has_colour(pixels, SITE_RGB, 30)
    assert _has_colour(pixels, (0xDD, 0xE8, 0xF0), 8)


def test_demo_map_leaves_out_country_sized_places(demo_snapshot: dict[str, Any]) -> None:
    sites, points = snapshot_map_data(demo_snapshot)
    assert sorted(s.key for s in sites) == ["chongjin", "hamhung", "kanggye", "pyongyang", "sinpo"]
    labels = {p.label for p in points}
    assert "Seoul" in labels and "Kanggye" in labels
    assert not labels & {"North Korea", "Korean Peninsula"}
    assert all(p.credibility in range(1, 7) for p in points)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    basemap._layer.cache_clear()  # load the data again, under the patch
    yield
    basemap._layer.cache_clear()


def test_map_and_basemap_need_no_network(no_network: None) -> None:
    assert basemap.countries((124, 37, 131, 43))
    ET.fromstring(site_map_svg(KOREA, [MapPoint(40.0, 127.0, "x", 2)]))


# -- the basemap ---------------------------------------------------------------------------------


def test_basemap_has_the_korean_peninsula_at_50m() -> None:
    found = {c.iso: c for c in basemap.countries((124, 33, 131, 43))}
    assert {"KP", "KR", "CN"} <= set(found)
    north = found["KP"]
    assert north.name == "North Korea"
    assert north.geometry.area == pytest.approx(12.9, abs=0.3)  # square degrees
    assert shapely.get_num_coordinates(north.geometry) > 200  # 1:50m detail; 1:110m has about 50
    assert north.geometry.contains(shapely.Point(125.75432, 39.03385))  # Pyongyang
    assert basemap.RESOLUTION == "50m"


def test_basemap_is_valid_and_wound_per_rfc7946() -> None:
    everything = basemap.countries()
    assert len(everything) > 200
    for country in everything:
        g = country.geometry
        assert g.is_valid, country.name
        minx, miny, maxx, maxy = g.bounds
        assert minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90, country.name
        for part in shapely.get_parts(g):
            assert part.exterior.is_ccw, country.name
            assert all(not ring.is_ccw for ring in part.interiors), country.name
    antarctica = next(c for c in everything if c.name == "Antarctica")
    assert antarctica.geometry.bounds[1] == -90  # closed over the pole, not a sliver


def test_bbox_across_the_antimeridian_finds_both_sides() -> None:
    names = {c.name for c in basemap.countries((175, -20, -175, -12))}
    assert "Fiji" in names
    assert {"Fiji"} < names  # and its neighbours east of 180°
    with pytest.raises(basemap.BasemapError):
        basemap.countries((200, 0, 210, 10))


def test_borders_are_shared_lines_between_two_countries() -> None:
    pairs = {frozenset(b.between) for b in basemap.borders((124, 37, 131, 43))}
    assert frozenset({"North Korea", "South Korea"}) in pairs
    assert frozenset({"North Korea", "China"}) in pairs


def test_basemap_geojson_is_valid_and_a_copy() -> None:
    collection = basemap.basemap_geojson((124, 37, 131, 43))
    assert_rfc7946(collection)
    assert "Natural Earth" in collection["attribution"]
    names = {f["properties"]["name"] for f in collection["features"]}
    assert {"North Korea", "South Korea"} <= names
    collection["features"][0]["properties"]["name"] = "changed"
    again = basemap.basemap_geojson((124, 37, 131, 43))
    assert "changed" not in {f["properties"]["name"] for f in again["features"]}


def test_basemap_ships_its_licence_and_origin() -> None:
    folder = resources.files("watchboard.report").joinpath("data/basemap")
    readme = folder.joinpath("README.md").read_text(encoding="utf-8")
    licence = folder.joinpath("LICENSE").read_text(encoding="utf-8")
    assert "Natural Earth" in readme and "public domain" in readme and "world-atlas@2.0.2" in readme
    assert "public domain" in licence and "Michael Bostock" in licence


# -- the derivation script's TopoJSON decoder ----------------------------------------------------


@pytest.fixture(scope="module")
def derive() -> Any:
    path = ROOT / "scripts" / "derive_basemap.py"
    spec = importlib.util.spec_from_file_location("derive_basemap", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["derive_basemap"] = module
    spec.loader.exec_module(module)
    return module


def test_topojson_decoder_rebuilds_countries_and_their_shared_border(derive: Any) -> None:
    # Two unit squares side by side sharing the edge x=1, quantized at 0.5 and delta-encoded:
    # arc 0 is the shared edge, arcs 1 and 2 the rest of each outline.
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.5], "translate": [0, 0]},
        "arcs": [
            [[2, 0], [0, 2]],
            [[2, 2], [-2, 0], [0, -2], [2, 0]],
            [[2, 0], [2, 0], [0, 2], [-2, 0]],
        ],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {
                        "type": "Polygon",
                        "arcs": [[1, 0]],
                        "id": "408",
                        "properties": {"name": "North Korea"},
                    },
                    {
                        "type": "Polygon",
                        "arcs": [[2, ~0]],
                        "id": "410",
                        "properties": {"name": "South Korea"},
                    },
                ],
            }
        },
    }
    arcs = derive.decode_arcs(topology)
    assert arcs[0].tolist() == [[1.0, 0.0], [1.0, 1.0]]
    countries, borders, stats = derive.derive(topology)
    assert_rfc7946(countries)
    assert_rfc7946(borders)
    by_name = {f["properties"]["name"]: f for f in countries["features"]}
    assert by_name["North Korea"]["properties"]["iso_a2"] == "KP"
    assert by_name["South Korea"]["properties"]["iso_a3"] == "KOR"
    assert shapely.geometry.shape(by_name["North Korea"]["geometry"]).area == pytest.approx(1.0)
    (border,) = borders["features"]
    assert sorted(border["properties"]["between"]) == ["North Korea", "South Korea"]
    assert shapely.geometry.shape(border["geometry"]).equals(shapely.LineString([(1, 0), (1, 1)]))
    assert stats["unmatched_iso"] == []
