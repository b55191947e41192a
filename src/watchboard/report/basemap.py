"""Country outlines and land borders shipped with the package, for maps drawn offline.

The data is Natural Earth's 1:50m Admin-0 countries (public domain), derived by
``scripts/derive_basemap.py`` from the world-atlas TopoJSON and kept as gzipped GeoJSON in
``report/data/basemap/`` (see the README there). 1:50m is the scale that keeps a regional
map — the Korean peninsula, a few hundred kilometres across — looking right: 1:110m loses
the coast's shape at that size, while 1:10m would ship 2.9 MB instead of 0.7 MB, with
five times the points to load, for detail that only shows below city scale.

Nothing is read at import time. The first call loads the files (about 0.2 s) and keeps them
for the life of the process; the geometries are shared, so treat them as read-only (shapely
geometries are immutable anyway). There is never any network access.

A bounding box is ``(west, south, east, north)`` in degrees; ``west > east`` means the box
crosses the antimeridian, as in RFC 7946.
"""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from watchboard.errors import WatchboardError

#: Natural Earth scale of the shipped data.
RESOLUTION = "50m"
#: The credit to print on every map drawn with this data.
ATTRIBUTION = "Basemap: Natural Earth"
_DATA = "data/basemap"

BBox = Sequence[float]


class BasemapError(WatchboardError, ValueError):
    """A bounding box that is not one, or basemap data missing from the installation."""


class Country(NamedTuple):
    """One country: its short English name, ISO 3166-1 alpha-2 code (None for areas without
    one, such as Somaliland) and outline (Polygon or MultiPolygon, [lon, lat])."""

    name: str
    iso: str | None
    geometry: BaseGeometry


class Border(NamedTuple):
    """The land border two countries share (by name), as a (Multi)LineString."""

    between: tuple[str, str]
    geometry: BaseGeometry


class _Layer(NamedTuple):
    features: list[dict[str, Any]]
    geometries: list[BaseGeometry]
    tree: shapely.STRtree


def countries(bbox: BBox | None = None) -> list[Country]:
    """Countries whose outline meets ``bbox`` (every country when None), whole, unclipped.

    Sorted by name. Clip them to the view yourself if you need to: how much margin to keep
    depends on what is drawn.
    """
    layer = _layer("countries")
    return [
        Country(
            layer.features[i]["properties"]["name"],
            layer.features[i]["properties"]["iso_a2"],
            layer.geometries[i],
        )
        for i in _select(layer, bbox)
    ]


def borders(bbox: BBox | None = None) -> list[Border]:
    """Land borders that meet ``bbox`` (all when None). Coastlines are not borders: they are
    the outline of the land, i.e. of the union of the countries."""
    layer = _layer("borders")
    return [
        Border(tuple(layer.features[i]["properties"]["between"]), layer.geometries[i])
        for i in _select(layer, bbox)
    ]


def basemap_geojson(bbox: BBox | None = None) -> dict[str, Any]:
    """Countries meeting ``bbox`` as an RFC 7946 FeatureCollection (for the web map).

    Features carry ``name``, ``iso_a2``, ``iso_a3`` and ``iso_n3``; the collection has a
    foreign member ``attribution`` to show on the map. The dict is a copy: changing it does
    not change what later calls return.
    """
    layer = _layer("countries")
    features = [copy.deepcopy(layer.features[i]) for i in _select(layer, bbox)]
    return {
        "type": "FeatureCollection",
        "attribution": f"{ATTRIBUTION} (public domain)",
        "features": features,
    }


def check_bbox(bbox: BBox) -> tuple[float, float, float, float]:
    """``bbox`` as four floats, or a BasemapError saying what is wrong with it."""
    try:
        west, south, east, north = (float(v) for v in bbox)
    except (TypeError, ValueError) as error:
        raise BasemapError(
            f"bbox {bbox!r}: give four numbers (west, south, east, north) in degrees"
        ) from error
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise BasemapError(f"bbox {bbox!r}: longitudes must be within -180..180")
    if not (-90 <= south <= north <= 90):
        raise BasemapError(f"bbox {bbox!r}: latitudes must be within -90..90 with south <= north")
    return west, south, east, north


def bbox_boxes(bbox: BBox) -> list[BaseGeometry]:
    """The bbox as one or two planar boxes (two when it crosses the antimeridian)."""
    west, south, east, north = check_bbox(bbox)
    if west <= east:
        return [shapely.box(west, south, east, north)]
    return [shapely.box(west, south, 180.0, north), shapely.box(-180.0, south, east, north)]


def _select(layer: _Layer, bbox: BBox | None) -> list[int]:
    if bbox is None:
        return list(range(len(layer.features)))
    hits: set[int] = set()
    for box in bbox_boxes(bbox):
        hits.update(int(i) for i in layer.tree.query(box, predicate="intersects"))
    return sorted(hits)


@cache
def _layer(kind: str) -> _Layer:
    name = f"{kind}-{RESOLUTION}.geojson.gz"
    path = resources.files("watchboard.report").joinpath(_DATA, name)
    try:
        data = json.loads(gzip.decompress(path.read_bytes()))
    except FileNotFoundError as error:
        raise BasemapError(
            f"basemap data {_DATA}/{name} is missing from the installed package; reinstall "
            "watchboard (or run scripts/derive_basemap.py in a source checkout)"
        ) from error
    features = data["features"]
    geometries = [shape(f["geometry"]) for f in features]
    return _Layer(features, geometries, shapely.STRtree(geometries))


__all__ = [
    "ATTRIBUTION",
    "RESOLUTION",
    "BasemapError",
    "Border",
    "Country",
    "basemap_geojson",
    "bbox_boxes",
    "borders",
    "check_bbox",
    "countries",
]
