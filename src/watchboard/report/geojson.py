"""A case's sites and geolocated claims as an RFC 7946 GeoJSON FeatureCollection.

Input is a case snapshot (``watchboard.store.snapshot.dump_case``), so the export needs no
database and the same snapshot always gives the same text. Two kinds of feature:

* ``kind="site"`` — one per site with a location: its polygon when the case file gives one
  (the site's own point is kept in the properties ``lat``/``lon`` for labels), else a Point;
* ``kind="claim"`` — one Point per (claim, resolved place), carrying what a reader needs to
  judge it without the workbench: quote, modality, grade, and the document it came from.

Case files are written by people, and RFC 7946 is stricter than they are, so geometry is
normalised rather than copied: positions become [lon, lat] (altitudes dropped) rounded to
6 decimals (about 0.1 m), polygons that cross the antimeridian are cut in two (section
3.1.9), exterior rings are made counter-clockwise and holes clockwise (3.1.6), and a
self-intersecting outline is repaired. :func:`planar_polygon` does this and is public
because the basemap derivation (``scripts/derive_basemap.py``) needs exactly the same cut.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from watchboard.errors import WatchboardError

log = logging.getLogger(__name__)

#: Decimal places kept in exported positions: 1e-6 degrees is about 0.1 m.
PRECISION = 6
#: A ring within this many degrees of a pole all the way round is an artefact of cutting a
#: polygon at the pole (Natural Earth's Antarctica), not an area.
_POLAR_RING = 0.1


class GeoJSONError(WatchboardError, ValueError):
    """A snapshot or geometry that cannot be exported as GeoJSON."""


# -- geometry ------------------------------------------------------------------------------------


def planar_polygon(rings: Sequence[Sequence[Sequence[float]]]) -> BaseGeometry:
    """A polygon given as [lon, lat] rings on the sphere, as valid planar geometry.

    The first ring is the outline and the rest are holes, whatever their winding (case
    files and TopoJSON disagree on it). A step of more than 180 degrees of longitude between
    two positions is read as crossing the antimeridian, so the polygon is cut there into
    parts that stay within [-180, 180]; a ring that goes all the way round a pole (Natural
    Earth's Antarctica) is closed over that pole. The result is a Polygon or MultiPolygon,
    exterior rings counter-clockwise and holes clockwise (RFC 7946 section 3.1.6), or an
    empty geometry when nothing with an area is left.
    """
    arrays = [_ring_array(ring) for ring in rings]
    arrays = [a for a in arrays if len(a) >= 4 and not _polar(a)]
    if not arrays:
        return shapely.Polygon()
    if not any(_crosses(a) for a in arrays):
        # The usual case: nothing to cut, so keep the positions as written.
        polygon = shapely.Polygon(arrays[0], arrays[1:])
        if polygon.is_valid:
            return _polygonal(shapely.orient_polygons(polygon))
    outline = _ring_area(arrays[0])
    holes = [_ring_area(a) for a in arrays[1:]]
    if holes:
        outline = outline.difference(shapely.union_all(holes))
    return _polygonal(shapely.orient_polygons(outline))


def planar_line(positions: Sequence[Sequence[float]]) -> BaseGeometry:
    """A line of [lon, lat] positions, cut where it crosses the antimeridian."""
    coords = _ring_array(positions, close=False)
    if len(coords) < 2:
        return shapely.LineString()
    if not _crosses(coords):
        return shapely.LineString(coords)
    line = shapely.LineString(_unwrap(coords))
    return shapely.line_merge(_fold(line)) if not line.is_empty else line


def _ring_array(ring: Sequence[Sequence[float]], *, close: bool = True) -> np.ndarray:
    try:
        coords = np.array([(float(p[0]), float(p[1])) for p in ring], dtype=float)
    except (TypeError, ValueError, IndexError) as error:
        raise GeoJSONError(
            f"a ring or line has a position that is not [lon, lat]: {error}"
        ) from error
    if coords.size == 0:
        return coords.reshape(0, 2)
    if not np.isfinite(coords).all():
        raise GeoJSONError("a ring or line has a position that is not a finite number")
    if close and not np.array_equal(coords[0], coords[-1]):
        coords = np.vstack([coords, coords[:1]])
    return coords


def _crosses(coords: np.ndarray) -> bool:
    return bool((np.abs(np.diff(coords[:, 0])) > 180).any())


def _unwrap(coords: np.ndarray) -> np.ndarray:
    """Longitudes made continuous (they may leave [-180, 180]) by undoing each 360° jump."""
    step = np.diff(coords[:, 0])
    shift = np.where(step > 180, -360.0, np.where(step < -180, 360.0, 0.0))
    out = coords.copy()
    out[1:, 0] += np.cumsum(shift)
    return out


def _polar(coords: np.ndarray) -> bool:
    return bool((np.abs(coords[:, 1]) > 90 - _POLAR_RING).all())


def _ring_area(coords: np.ndarray) -> BaseGeometry:
    """The planar area a ring encloses, cut back into [-180, 180]."""
    unwrapped = _unwrap(coords)
    turn = unwrapped[-1, 0] - unwrapped[0, 0]
    if abs(turn) > 180:  # the ring goes round a pole
        pole = -90.0 if coords[:, 1].mean() < 0 else 90.0
        closing = [(unwrapped[-1, 0], pole), (unwrapped[0, 0], pole), tuple(unwrapped[0])]
        unwrapped = np.vstack([unwrapped, closing])
    polygon = shapely.Polygon(unwrapped)
    if not polygon.is_valid:
        polygon = _polygonal(shapely.make_valid(polygon))
    return _fold(polygon)


def _fold(geometry: BaseGeometry) -> BaseGeometry:
    """Parts beyond ±180° moved back by a whole turn, so everything is within [-180, 180]."""
    minx, _, maxx, _ = geometry.bounds
    if minx >= -180 and maxx <= 180:
        return geometry
    parts = []
    for turn in (-1, 0, 1):
        window = shapely.box(-180 + 360 * turn, -90, 180 + 360 * turn, 90)
        part = geometry.intersection(window)
        if not part.is_empty:
            parts.append(shapely.transform(part, lambda xy, t=turn: xy - (360.0 * t, 0.0)))
    return shapely.union_all(parts)


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Only the parts with an area (make_valid and cutting can leave lines and points)."""
    if isinstance(geometry, shapely.Polygon | shapely.MultiPolygon):
        return geometry
    parts = [
        p
        for g in shapely.get_parts(geometry)
        for p in (shapely.get_parts(g) if isinstance(g, shapely.MultiPolygon) else [g])
        if isinstance(p, shapely.Polygon) and not p.is_empty
    ]
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def geometry_json(geometry: BaseGeometry, *, precision: int = PRECISION) -> dict[str, Any]:
    """A shapely geometry as a GeoJSON geometry object with rounded positions.

    Rounding is applied to closed rings as a whole, so a ring stays closed.
    """
    mapping: dict[str, Any] = shapely.geometry.mapping(geometry)
    return {"type": mapping["type"], "coordinates": _rounded(mapping["coordinates"], precision)}


def _rounded(value: Any, precision: int) -> Any:
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], int | float):
            return [_number(float(v), precision) for v in value[:2]]
        return [_rounded(v, precision) for v in value]
    return value


def _number(value: float, precision: int) -> float | int:
    rounded = round(value, precision)
    return rounded + 0.0  # never -0.0


def collection_bbox(points: Iterable[tuple[float, float]]) -> list[float] | None:
    """[west, south, east, north] of [lon, lat] points, or None when there are none.

    The longitudes are covered by the shortest arc: a set straddling the antimeridian gets
    west > east, as RFC 7946 section 5.2 prescribes, instead of a box round the world.
    """
    xy = np.array(list(points), dtype=float).reshape(-1, 2)
    if not len(xy):
        return None
    west, east = longitude_span(xy[:, 0])
    return [west, float(xy[:, 1].min()), east, float(xy[:, 1].max())]


def longitude_span(lons: Iterable[float]) -> tuple[float, float]:
    """(west, east) of the shortest arc of longitude that holds every value.

    It lies opposite the widest gap between neighbouring longitudes; when that gap is the
    one across the antimeridian the plain (min, max) is returned, else west > east.
    """
    values = np.unique(np.asarray(list(lons), dtype=float))
    if len(values) == 0:
        raise GeoJSONError("no longitudes to span")
    gaps = np.diff(np.append(values, values[0] + 360.0))
    widest = int(np.argmax(gaps))
    if widest == len(values) - 1:
        return float(values[0]), float(values[-1])
    return float(values[widest + 1]), float(values[widest])


# -- features ------------------------------------------------------------------------------------


def feature_collection(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The case's sites and geolocated claim places as a GeoJSON FeatureCollection.

    Feature ids are ``site:<key>`` and ``claim:<claim id>:<n>`` (n counts the distinct
    places of that claim; the same place named twice in one claim is one feature). Sites
    with neither coordinates nor a polygon, and places the resolver could not place, are
    left out: GeoJSON allows unlocated features, but map clients do not draw them. The
    collection has a ``bbox`` when it has any feature, and a foreign member ``case`` with
    the case's slug and title so that a file on its own says what it shows.
    """
    tables = snapshot.get("tables")
    if not isinstance(tables, Mapping):
        raise GeoJSONError("not a case snapshot: it has no 'tables' (use store.snapshot.dump_case)")
    features = [*_site_features(tables), *_claim_features(tables)]
    collection: dict[str, Any] = {"type": "FeatureCollection"}
    positions = [p for f in features for p in _positions(f["geometry"]["coordinates"])]
    bbox = collection_bbox(positions)
    if bbox is not None:
        collection["bbox"] = [_number(v, PRECISION) for v in bbox]
    case = snapshot.get("case")
    if isinstance(case, Mapping):
        collection["case"] = {"slug": case.get("slug"), "title": case.get("title")}
    collection["features"] = features
    return collection


def geojson_text(snapshot: Mapping[str, Any]) -> str:
    """:func:`feature_collection` as UTF-8-ready JSON text (keys in a fixed order)."""
    return json.dumps(feature_collection(snapshot), ensure_ascii=False, indent=1) + "\n"


def _positions(coordinates: Any) -> Iterable[tuple[float, float]]:
    if coordinates and isinstance(coordinates[0], int | float):
        yield (float(coordinates[0]), float(coordinates[1]))
        return
    for item in coordinates:
        yield from _positions(item)


def _site_features(tables: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    for site in tables.get("sites") or []:
        key = site.get("key")
        point = _point(site.get("lat"), site.get("lon"))
        geometry: dict[str, Any] | None = None
        polygon = site.get("polygon")
        if polygon:
            shape = site_polygon(polygon, where=f"site {key!r}")
            if not shape.is_empty:
                geometry = geometry_json(shape)
        if geometry is None and point is not None:
            geometry = {"type": "Point", "coordinates": point}
        if geometry is None:
            log.info("site %r has no coordinates or polygon; not exported", key)
            continue
        properties: dict[str, Any] = {
            "kind": "site",
            "key": key,
            "name": site.get("name"),
            "aliases": list(site.get("aliases") or []),
            "site_kind": site.get("kind"),
            "country": site.get("country"),
            "notes": site.get("notes"),
        }
        if point is not None:
            properties["lon"], properties["lat"] = point
        yield {
            "type": "Feature",
            "id": f"site:{key}",
            "geometry": geometry,
            "properties": properties,
        }


def site_polygon(polygon: Mapping[str, Any], *, where: str = "polygon") -> BaseGeometry:
    """A site's GeoJSON Polygon or MultiPolygon (as stored) as valid planar geometry."""
    kind = polygon.get("type")
    coordinates = polygon.get("coordinates") or []
    if kind == "Polygon":
        parts = [coordinates]
    elif kind == "MultiPolygon":
        parts = list(coordinates)
    else:
        raise GeoJSONError(
            f"{where}: a site polygon must be a Polygon or MultiPolygon, not {kind!r}"
        )
    pieces = [planar_polygon(rings) for rings in parts if rings]
    shape = _polygonal(shapely.union_all(pieces)) if len(pieces) > 1 else pieces[0]
    if not shape.is_valid:  # overlapping parts of a MultiPolygon
        shape = _polygonal(shapely.make_valid(shape))
    if shape.is_empty:
        log.warning("%s: the polygon encloses no area; exported as a point if it has one", where)
    return shapely.orient_polygons(shape)


def _point(lat: Any, lon: Any) -> list[float | int] | None:
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        log.warning("position lat=%s lon=%s is out of range; not exported", lat, lon)
        return None
    return [_number(float(lon), PRECISION), _number(float(lat), PRECISION)]


def _claim_features(tables: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    assessments = {a.get("claim_id"): a for a in tables.get("assessments") or []}
    current = {d.get("id"): d.get("current_version") for d in tables.get("documents") or []}
    versions = {
        v.get("document_id"): v
        for v in tables.get("document_versions") or []
        if v.get("version") == current.get(v.get("document_id"))
    }
    for claim in tables.get("claims") or []:
        data = claim.get("data") or {}
        cid = claim.get("id")
        seen: set[tuple[Any, ...]] = set()
        for place in data.get("places") or []:
            if not place.get("resolved", True):
                continue
            point = _point(place.get("lat"), place.get("lon"))
            if point is None:
                continue
            name = place.get("name") or (place.get("mention") or {}).get("span", {}).get("text")
            identity = (name, *point, place.get("site"))
            if identity in seen:
                continue
            seen.add(identity)
            grade = assessments.get(cid) or {}
            doc = versions.get(claim.get("document_id")) or {}
            properties = {
                "kind": "claim",
                "claim_id": cid,
                "quote": claim.get("quote"),
                "place": name,
                "place_confidence": place.get("confidence"),
                "place_feature": place.get("feature"),
                "place_country": place.get("country"),
                "site": place.get("site"),
                "modality": claim.get("modality"),
                "event_type": claim.get("event_type"),
                "asserted_by": claim.get("asserted_by"),
                "credibility": grade.get("credibility"),
                "rating": grade.get("rating"),
                "document_id": claim.get("document_id"),
                "title": doc.get("title"),
                "outlet": doc.get("source_id"),
                "published": _local_date(doc.get("published_at"), doc.get("published_offset")),
                "published_at": doc.get("published_at"),
                "url": doc.get("url"),
            }
            yield {
                "type": "Feature",
                "id": f"claim:{cid}:{len(seen)}",
                "geometry": {"type": "Point", "coordinates": point},
                "properties": properties,
            }


def _local_date(published_at: Any, offset_minutes: Any) -> str | None:
    """The publication date as the publisher's calendar showed it (the offset is kept for
    this: a Friday evening KCNA item is Friday's news, though it is Friday morning in UTC)."""
    if not isinstance(published_at, str):
        return None
    try:
        moment = datetime.fromisoformat(published_at)
    except ValueError:
        return None
    if isinstance(offset_minutes, int):
        moment += timedelta(minutes=offset_minutes)
    return moment.date().isoformat()


__all__ = [
    "PRECISION",
    "GeoJSONError",
    "collection_bbox",
    "feature_collection",
    "geojson_text",
    "geometry_json",
    "longitude_span",
    "planar_line",
    "planar_polygon",
    "site_polygon",
]
