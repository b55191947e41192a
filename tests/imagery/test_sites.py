"""Site polygons from GeoJSON, and the errors for malformed files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from watchboard.errors import InputError
from watchboard.imagery import load_sites

from .scenes import feature, write_sites

SQUARE = [[127.0, 40.0], [127.01, 40.0], [127.01, 39.99], [127.0, 39.99], [127.0, 40.0]]
POLYGON = {"type": "Polygon", "coordinates": [SQUARE]}


def test_polygons_and_multipolygons_with_their_site_ids(tmp_path: Path) -> None:
    shifted = [[x + 0.1, y] for x, y in SQUARE]
    path = write_sites(
        tmp_path / "sites.geojson",
        [
            feature("kanggye-plant", POLYGON, name="Plant"),
            {
                "type": "Feature",
                "properties": {"site": "field"},
                "geometry": {"type": "MultiPolygon", "coordinates": [[SQUARE], [shifted]]},
            },
            {"type": "Feature", "id": 7, "properties": None, "geometry": POLYGON},
        ],
    )
    plant, field, seven = load_sites(path)
    assert (plant.id, field.id, seven.id) == ("kanggye-plant", "field", "7")
    assert plant.crs == "EPSG:4326" and plant.properties["name"] == "Plant"
    assert plant.geometry == {"type": "MultiPolygon", "coordinates": [[[tuple(p) for p in SQUARE]]]}
    assert len(field.parts) == 2


def test_unclosed_ring_is_closed(tmp_path: Path) -> None:
    open_ring = {"type": "Polygon", "coordinates": [SQUARE[:-1]]}
    (site,) = load_sites(write_sites(tmp_path / "s.geojson", [feature("a", open_ring)]))
    assert site.parts[0][0][0] == site.parts[0][0][-1] and len(site.parts[0][0]) == 5


def test_legacy_crs_member_is_honoured(tmp_path: Path) -> None:
    ring = [[500000, 4400000], [500100, 4400000], [500100, 4399900], [500000, 4400000]]
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32652"}}
    path = write_sites(
        tmp_path / "s.geojson",
        [feature("a", {"type": "Polygon", "coordinates": [ring]})],
        crs=crs,
    )
    assert load_sites(path)[0].crs == "EPSG:32652"
    wgs84 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    path = write_sites(tmp_path / "w.geojson", [feature("a", POLYGON)], crs=wgs84)
    assert load_sites(path)[0].crs == "EPSG:4326"


def bad_file(tmp_path: Path, content: Any) -> Path:
    path = tmp_path / "bad.geojson"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def collection(*features: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            "{not json",
            "not valid JSON (Expecting property name enclosed in double quotes at line 1",
        ),
        ({"type": "Feature"}, "not a GeoJSON FeatureCollection (found 'Feature')"),
        ([1, 2], "not a GeoJSON FeatureCollection (found 'list')"),
        ({"type": "FeatureCollection"}, "'features' is missing or not a list"),
        (collection(), "no features: the FeatureCollection has no site polygons"),
        (
            collection(
                feature("a", POLYGON), feature("b", {"type": "Point", "coordinates": [1, 2]})
            ),
            "features[1]: geometry is 'Point'; only Polygon and MultiPolygon are supported",
        ),
        (
            collection({"type": "Feature", "properties": {"name": "x"}, "geometry": POLYGON}),
            "features[0]: no site id: give the feature an 'id' or 'site' property",
        ),
        (collection({"type": "Feature", "properties": {"id": "a"}}), "features[0]: no geometry"),
        (
            collection(feature("a", POLYGON), feature("a", POLYGON)),
            "features[1]: site id 'a' repeats features[0]",
        ),
        (
            collection(feature("a", {"type": "Polygon", "coordinates": [[[1, 2], [3]]]})),
            "features[0]: bad position [3]: expected [x, y] numbers",
        ),
        (
            collection(
                feature("a", {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]})
            ),
            "features[0]: a ring needs at least 3 distinct positions",
        ),
        (
            collection(
                feature(
                    "a", {"type": "Polygon", "coordinates": [[[500000, 4400000], [1, 2], [3, 4]]]}
                )
            ),
            "features[0]: position [500000.0, 4400000.0] is not a longitude/latitude",
        ),
        (
            {**collection(feature("a", POLYGON)), "crs": {"type": "name", "properties": {}}},
            "'crs' member without a name",
        ),
    ],
)
def test_malformed_files_name_the_file_and_feature(
    tmp_path: Path, content: Any, reason: str
) -> None:
    path = bad_file(tmp_path, content)
    with pytest.raises(InputError) as error:
        load_sites(path)
    assert str(error.value).startswith(f"{path}: {reason}")
    assert "\n" not in str(error.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_sites(tmp_path / "absent.geojson")
