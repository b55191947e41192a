"""GeoJSON export: RFC 7946 validity checked for real, on hand-made snapshots and the demo case."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import shape

from watchboard.report.geojson import (
    GeoJSONError,
    collection_bbox,
    feature_collection,
    geojson_text,
    planar_polygon,
)

# -- the demo case, built once per test run ------------------------------------------------------

_DEMO: dict[str, Any] = {}


def build_demo_snapshot(base: Path) -> dict[str, Any]:
    """The demo case's snapshot (``dump_case``), built once per process (about 7 s)."""
    if "snapshot" not in _DEMO:
        from sqlalchemy import select

        from watchboard import jobs
        from watchboard.store import Store, schema
        from watchboard.store.snapshot import dump_case

        settings = jobs.build_demo(base / "demo-ws").settings
        with Store.open(settings.database_url) as store, store.reading() as conn:
            case_id = conn.execute(
                select(schema.cases.c.id).where(schema.cases.c.slug == jobs.DEMO_CASE)
            ).scalar_one()
            _DEMO["snapshot"] = dump_case(conn, case_id)
    return _DEMO["snapshot"]


@pytest.fixture(scope="module")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return build_demo_snapshot(tmp_path_factory.getbasetemp())


# -- an RFC 7946 checker -------------------------------------------------------------------------


def _walk(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _signed_area(ring: list[list[float]]) -> float:
    """Shoelace area: positive for a counter-clockwise ring."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2.0


def _check_position(position: Any, where: str) -> None:
    assert isinstance(position, list) and len(position) == 2, f"{where}: {position!r}"
    lon, lat = position
    assert all(isinstance(v, int | float) and math.isfinite(v) for v in position), where
    assert -180 <= lon <= 180 and -90 <= lat <= 90, f"{where}: [lon, lat] out of range {position}"
    for v in position:
        assert round(v, 6) == v, f"{where}: more than 6 decimals in {v!r}"


def _check_polygon(rings: Any, where: str) -> None:
    assert isinstance(rings, list) and rings, f"{where}: a polygon needs rings"
    for i, ring in enumerate(rings):
        assert len(ring) >= 4, f"{where} ring {i}: fewer than 4 positions"
        assert ring[0] == ring[-1], f"{where} ring {i}: not closed"
        for position in ring:
            _check_position(position, where)
        area = _signed_area(ring)
        if i == 0:
            assert area > 0, f"{where}: exterior ring is not counter-clockwise (3.1.6)"
        else:
            assert area < 0, f"{where}: hole {i} is not clockwise (3.1.6)"


def assert_rfc7946(collection: Mapping[str, Any]) -> None:
    """Structure per RFC 7946 sections 3.1-3.3 and 5, ranges, winding, shapely validity."""
    assert collection["type"] == "FeatureCollection"
    assert isinstance(collection["features"], list)
    assert not any("crs" in obj for obj in _walk(collection)), "no 'crs' member (RFC 7946 4)"
    json.dumps(collection, allow_nan=False)  # JSON text without NaN or Infinity
    ids = [f["id"] for f in collection["features"] if "id" in f]
    assert len(ids) == len(set(ids)), "feature ids must be unique"
    positions: list[list[float]] = []
    for n, feature in enumerate(collection["features"]):
        where = f"features[{n}] ({feature.get('id')})"
        assert feature["type"] == "Feature", where
        assert "properties" in feature and (
            feature["properties"] is None or isinstance(feature["properties"], dict)
        ), where
        assert isinstance(feature.get("id", ""), str | int | float), where
        geometry = feature["geometry"]
        assert isinstance(geometry, dict) and "coordinates" in geometry, where
        kind, coordinates = geometry["type"], geometry["coordinates"]
        if kind == "Point":
            _check_position(coordinates, where)
            positions.append(coordinates)
        elif kind == "LineString":
            assert len(coordinates) >= 2, where
            for p in coordinates:
                _check_position(p, where)
            positions += coordinates
        elif kind == "MultiLineString":
            for line in coordinates:
                assert len(line) >= 2, where
                for p in line:
                    _check_position(p, where)
                positions += line
        elif kind == "Polygon":
            _check_polygon(coordinates, where)
            positions += [p for ring in coordinates for p in ring]
        elif kind == "MultiPolygon":
            assert coordinates, where
            for part in coordinates:
                _check_polygon(part, where)
                positions += [p for ring in part for p in ring]
        else:
            raise AssertionError(f"{where}: unexpected geometry type {kind!r}")
        geom = shape(geometry)
        assert geom.is_valid, f"{where}: {shapely.is_valid_reason(geom)}"
        assert not geom.is_empty, where
    if "bbox" in collection:
        west, south, east, north = collection["bbox"]
        assert -180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90
        for lon, lat in positions:
            assert south <= lat <= north
            assert (west <= lon <= east) if west <= east else (lon >= west or lon <= east)


# -- hand-made snapshots -------------------------------------------------------------------------


def _snapshot(**tables: list[dict[str, Any]]) -> dict[str, Any]:
    base: dict[str, list[dict[str, Any]]] = {
        "sites": [],
        "documents": [],
        "document_versions": [],
        "claims": [],
        "assessments": [],
    }
    base.update(tables)
    return {
        "format": "watchboard-case",
        "case": {"slug": "test-case", "title": "Test case"},
        "tables": base,
    }


def _site(key: str, **fields: Any) -> dict[str, Any]:
    row = {
        "key": key,
        "name": key.title(),
        "aliases": [],
        "kind": "city",
        "lat": None,
        "lon": None,
        "polygon": None,
        "geonames_id": None,
        "country": "KP",
        "notes": None,
    }
    row.update(fields)
    return row


def _place(name: str, lat: float | None, lon: float | None, **fields: Any) -> dict[str, Any]:
    row = {
        "mention": {"span": {"start": 0, "end": len(name), "text": name}, "rule": "gazetteer"},
        "resolved": lat is not None,
        "name": name,
        "lat": lat,
        "lon": lon,
        "feature": "P.PPL",
        "country": "KP",
        "site": None,
        "confidence": 0.9,
    }
    row.update(fields)
    return row


def _claim(cid: str, places: list[dict[str, Any]], document: str = "doc1") -> dict[str, Any]:
    return {
        "id": cid,
        "document_id": document,
        "version": 2,
        "quote": f"Quote of {cid}.",
        "asserted_by": "KCNA",
        "modality": "stated",
        "event_type": "construction",
        "data": {"places": places},
    }


def _documents() -> dict[str, list[dict[str, Any]]]:
    version = {
        "document_id": "doc1",
        "title": "Old title",
        "url": "https://example.org/old",
        "source_id": "Yonhap",
        "published_at": "2025-12-26T20:00:00+00:00",
        "published_offset": 540,  # Seoul: already the 27th there
    }
    return {
        "documents": [{"id": "doc1", "key": "https://example.org/a", "current_version": 2}],
        "document_versions": [
            version | {"version": 1},
            version | {"version": 2, "title": "Current title", "url": "https://example.org/a"},
        ],
    }


def test_sites_become_points_or_their_polygons() -> None:
    box = [[125.6, 38.95], [125.9, 38.95], [125.9, 39.12], [125.6, 39.12], [125.6, 38.95]]
    snapshot = _snapshot(
        sites=[
            _site("hamhung", lat=39.91833, lon=127.53639, notes="Industrial city."),
            _site(
                "pyongyang",
                lat=39.03385,
                lon=125.75432,
                polygon={"type": "Polygon", "coordinates": [box]},
            ),
            _site("nowhere"),
        ]
    )
    fc = feature_collection(snapshot)
    assert_rfc7946(fc)
    features = {f["id"]: f for f in fc["features"]}
    assert set(features) == {"site:hamhung", "site:pyongyang"}  # no position, no feature
    hamhung = features["site:hamhung"]
    assert hamhung["geometry"] == {"type": "Point", "coordinates": [127.53639, 39.91833]}
    assert hamhung["properties"] == {
        "kind": "site",
        "key": "hamhung",
        "name": "Hamhung",
        "aliases": [],
        "site_kind": "city",
        "country": "KP",
        "notes": "Industrial city.",
        "lon": 127.53639,
        "lat": 39.91833,
    }
    pyongyang = features["site:pyongyang"]
    assert pyongyang["geometry"]["type"] == "Polygon"
    assert pyongyang["properties"]["lat"] == 39.03385  # its point, kept for labels
    assert fc["bbox"] == [125.6, 38.95, 127.53639, 39.91833]
    assert fc["case"] == {"slug": "test-case", "title": "Test case"}


def test_claim_places_carry_grade_quote_and_current_document_version() -> None:
    snapshot = _snapshot(
        claims=[
            _claim("c1", [_place("Kanggye", 40.96946, 126.58523, site="kanggye")]),
            _claim("c2", [_place("Sinpo", 40.03971, 128.1943)]),
        ],
        assessments=[{"claim_id": "c1", "credibility": 2, "rating": "B2"}],
        **_documents(),
    )
    fc = feature_collection(snapshot)
    assert_rfc7946(fc)
    first, second = fc["features"]
    assert first["id"] == "claim:c1:1"
    assert first["geometry"]["coordinates"] == [126.58523, 40.96946]
    assert first["properties"] == {
        "kind": "claim",
        "claim_id": "c1",
        "quote": "Quote of c1.",
        "place": "Kanggye",
        "place_confidence": 0.9,
        "place_feature": "P.PPL",
        "place_country": "KP",
        "site": "kanggye",
        "modality": "stated",
        "event_type": "construction",
        "asserted_by": "KCNA",
        "credibility": 2,
        "rating": "B2",
        "document_id": "doc1",
        "title": "Current title",
        "outlet": "Yonhap",
        "published": "2025-12-27",  # the publisher's date, not UTC's 26th
        "published_at": "2025-12-26T20:00:00+00:00",
        "url": "https://example.org/a",
    }
    assert second["properties"]["credibility"] is None and second["properties"]["rating"] is None


def test_a_place_named_twice_in_a_claim_is_one_feature_and_unplaced_ones_are_left_out() -> None:
    places = [
        _place("North Korea", 40.0, 127.0),
        _place("Seoul", 37.566, 126.9784),
        _place("North Korea", 40.0, 127.0),
        _place("Somewhere", None, None),
        _place("Bad", float("nan"), 127.0, resolved=True),
    ]
    fc = feature_collection(_snapshot(claims=[_claim("c1", places)], **_documents()))
    assert_rfc7946(fc)
    assert [(f["id"], f["properties"]["place"]) for f in fc["features"]] == [
        ("claim:c1:1", "North Korea"),
        ("claim:c1:2", "Seoul"),
    ]


def test_polygon_winding_is_fixed_and_rings_are_closed() -> None:
    # Exterior clockwise, hole counter-clockwise, and the exterior left open: all wrong.
    exterior = [[0, 0], [0, 10], [10, 10], [10, 0]]
    hole = [[2, 2], [4, 2], [4, 4], [2, 4], [2, 2]]
    snapshot = _snapshot(
        sites=[_site("box", polygon={"type": "Polygon", "coordinates": [exterior, hole]})]
    )
    fc = feature_collection(snapshot)
    assert_rfc7946(fc)
    rings = fc["features"][0]["geometry"]["coordinates"]
    assert len(rings) == 2
    assert _signed_area(rings[0]) == pytest.approx(100)
    assert _signed_area(rings[1]) == pytest.approx(-4)


def test_polygon_across_the_antimeridian_is_cut_in_two() -> None:
    # Round Taveuni (Fiji): written the way a person would, 179.8 E to 179.8 W.
    ring = [[179.8, -17.0], [-179.8, -17.0], [-179.8, -16.6], [179.8, -16.6], [179.8, -17.0]]
    snapshot = _snapshot(
        sites=[
            _site(
                "taveuni",
                lat=-16.8,
                lon=-179.97,
                polygon={"type": "Polygon", "coordinates": [ring]},
            )
        ],
        claims=[_claim("c1", [_place("Suva", -18.14, 178.44)])],
        **_documents(),
    )
    fc = feature_collection(snapshot)
    assert_rfc7946(fc)
    geometry = fc["features"][0]["geometry"]
    assert geometry["type"] == "MultiPolygon"
    parts = [shape({"type": "Polygon", "coordinates": p}) for p in geometry["coordinates"]]
    assert sorted(round(p.bounds[0], 6) for p in parts) == [-180.0, 179.8]
    assert sum(p.area for p in parts) == pytest.approx(0.4 * 0.4)
    west, south, east, north = fc["bbox"]
    assert (west, east) == (178.44, -179.8)  # west > east: the box crosses the antimeridian
    assert (south, north) == (-18.14, -16.6)


def test_multipolygon_parts_and_altitudes_and_long_decimals_are_normalised() -> None:
    square = [
        [1.0, 1.0, 250.0],
        [1.1234567891, 1.0, 250.0],
        [1.1234567891, 2.0, 250.0],
        [1.0, 2.0, 250.0],
        [1.0, 1.0, 250.0],
    ]
    other = [[5, 5], [6, 5], [6, 6], [5, 6], [5, 5]]
    polygon = {"type": "MultiPolygon", "coordinates": [[square], [other]]}
    fc = feature_collection(_snapshot(sites=[_site("two", polygon=polygon)]))
    assert_rfc7946(fc)
    coordinates = fc["features"][0]["geometry"]["coordinates"]
    assert len(coordinates) == 2
    assert [1.123457, 1.0] in coordinates[0][0] or [1.123457, 1.0] in coordinates[1][0]


def test_self_intersecting_outline_is_repaired() -> None:
    bowtie = [[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]
    fc = feature_collection(
        _snapshot(sites=[_site("bowtie", polygon={"type": "Polygon", "coordinates": [bowtie]})])
    )
    assert_rfc7946(fc)
    assert shape(fc["features"][0]["geometry"]).area == pytest.approx(2.0)


def test_empty_case_gives_an_empty_collection_without_bbox() -> None:
    fc = feature_collection(_snapshot())
    assert_rfc7946(fc)
    assert fc["features"] == [] and "bbox" not in fc  # no extent to give


def test_not_a_snapshot_is_refused() -> None:
    with pytest.raises(GeoJSONError, match="dump_case"):
        feature_collection({"case": {}})
    with pytest.raises(GeoJSONError, match="Polygon or MultiPolygon"):
        feature_collection(
            _snapshot(sites=[_site("x", polygon={"type": "Point", "coordinates": [1, 2]})])
        )


def test_bbox_takes_the_short_way_round() -> None:
    assert collection_bbox([]) is None
    assert collection_bbox([(10, 1), (20, 2)]) == [10, 1, 20, 2]
    assert collection_bbox([(170, 0), (-170, 5), (175, 1)]) == [170, 0, -170, 5]
    assert collection_bbox([(-100, 0), (100, 0), (0, 0)]) == [-100, 0, 100, 0]


@settings(max_examples=150, deadline=None)
@given(
    west=st.floats(-180, 179.99),
    width=st.floats(0.01, 60),
    south=st.floats(-80, 70),
    height=st.floats(0.01, 10),
    clockwise=st.booleans(),
)
def test_planar_polygon_is_valid_counter_clockwise_in_range_and_keeps_its_area(
    west: float, width: float, south: float, height: float, clockwise: bool
) -> None:
    east = west + width
    wrap = east - 360 if east > 180 else east  # written as a person would across 180°
    ring = [
        [west, south],
        [wrap, south],
        [wrap, south + height],
        [west, south + height],
        [west, south],
    ]
    if clockwise:
        ring.reverse()
    result = planar_polygon([ring])
    assert result.is_valid
    assert result.area == pytest.approx(width * height, rel=1e-6)
    minx, _, maxx, _ = result.bounds
    assert minx >= -180 and maxx <= 180
    for part in shapely.get_parts(result):
        assert part.exterior.is_ccw


def test_polygon_round_a_pole_is_closed_over_it() -> None:
    # A cap south of 60° S, written as one ring crossing the antimeridian (as Natural Earth's
    # Antarctica is in TopoJSON): it must become the area between the ring and the pole.
    ring = [[lon, -60.0] for lon in range(-180, 181, 30)]
    result = planar_polygon([ring])
    assert result.is_valid
    assert result.bounds == pytest.approx((-180, -90, 180, -60))
    assert result.area == pytest.approx(360 * 30)


# -- the demo case -------------------------------------------------------------------------------


def test_demo_case_export_is_valid_rfc7946(demo_snapshot: dict[str, Any]) -> None:
    fc = feature_collection(demo_snapshot)
    assert_rfc7946(fc)
    assert json.loads(geojson_text(demo_snapshot)) == fc
    sites = {f["properties"]["key"]: f for f in fc["features"] if f["properties"]["kind"] == "site"}
    assert set(sites) == {"chongjin", "hamhung", "kanggye", "pyongyang", "sinpo"}
    assert sites["pyongyang"]["geometry"]["type"] == "Polygon"
    claims = [f["properties"] for f in fc["features"] if f["properties"]["kind"] == "claim"]
    assert claims, "the demo case has geolocated claims"
    assert all(c["credibility"] in range(1, 7) and c["rating"] for c in claims)
    assert all(c["outlet"] and c["title"] and c["published"] for c in claims)
    assert any(c["site"] == "kanggye" for c in claims)
    west, south, east, north = fc["bbox"]
    assert west < east and 124 < west < 127 and 129 < east < 131 and 37 < south < north < 43
