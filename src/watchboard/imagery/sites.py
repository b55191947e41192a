"""Site polygons from GeoJSON: the outlines zonal statistics are taken over."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyproj import CRS
from pyproj.exceptions import CRSError

from watchboard.errors import InputError

WGS84 = "EPSG:4326"

Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class SitePolygon:
    """One site's outline.

    ``geometry`` is always a GeoJSON MultiPolygon (a Polygon becomes a one-part MultiPolygon) of
    closed rings of (x, y) pairs; x is the longitude (or easting) whatever the axis order of
    ``crs``, as in GeoJSON.
    """

    id: str
    geometry: dict[str, Any]
    crs: str = WGS84
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def parts(self) -> list[list[Ring]]:
        """The polygons, each a list of rings (the shell, then holes)."""
        parts: list[list[Ring]] = self.geometry["coordinates"]
        return parts


def load_sites(path: str | Path) -> list[SitePolygon]:
    """Read a GeoJSON FeatureCollection of site polygons.

    Each feature needs a Polygon or MultiPolygon geometry and a site id: its ``id`` or ``site``
    property, else the feature's own ``id``. Coordinates are WGS84 longitude/latitude (RFC 7946);
    a file in the older GeoJSON dialect may name another CRS in a top-level ``crs`` member, which
    is then honoured. Rings that are not closed are closed. Any problem is an :class:`InputError`
    naming the file and the feature (``features[3]``, counted from 0).
    """
    label = str(path)
    try:
        data = json.loads(Path(path).read_bytes())
    except FileNotFoundError:
        raise InputError(label, "no such file") from None
    except OSError as error:
        raise InputError(label, f"cannot read ({error.strerror or error})") from None
    except json.JSONDecodeError as error:
        raise InputError(
            label, f"not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
        ) from None
    except UnicodeDecodeError:
        raise InputError(label, "not valid JSON (not UTF-8 text)") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise InputError(label, f"not a GeoJSON FeatureCollection (found {kind!r})")
    features = data.get("features")
    if not isinstance(features, list):
        raise InputError(label, "'features' is missing or not a list")
    if not features:
        raise InputError(label, "no features: the FeatureCollection has no site polygons")
    crs = _declared_crs(data, label)
    sites: list[SitePolygon] = []
    seen: dict[str, int] = {}
    for i, feature in enumerate(features):
        try:
            site = _site(feature, crs)
        except ValueError as error:
            raise InputError(label, f"features[{i}]: {error}") from None
        if site.id in seen:
            raise InputError(
                label, f"features[{i}]: site id {site.id!r} repeats features[{seen[site.id]}]"
            )
        seen[site.id] = i
        sites.append(site)
    return sites


def _declared_crs(data: dict[str, Any], label: str) -> str:
    """The CRS of a legacy ``"crs": {"type": "name", ...}`` member, else WGS84."""
    member = data.get("crs")
    if member is None:
        return WGS84
    name = member.get("properties", {}).get("name") if isinstance(member, dict) else None
    if not isinstance(name, str):
        raise InputError(label, "'crs' member without a name (RFC 7946 GeoJSON has no 'crs')")
    try:
        crs = CRS.from_user_input(name)
    except CRSError:
        raise InputError(label, f"unknown CRS {name!r} in the 'crs' member") from None
    return WGS84 if crs.equals(CRS.from_epsg(4326), ignore_axis_order=True) else crs.to_string()


def _site(feature: Any, crs: str) -> SitePolygon:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValueError("not a GeoJSON Feature")
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        raise ValueError("'properties' is not an object")
    site_id = next(
        (v for v in (properties.get("id"), properties.get("site"), feature.get("id")) if _id(v)),
        None,
    )
    if site_id is None:
        raise ValueError("no site id: give the feature an 'id' or 'site' property")
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        raise ValueError("no geometry")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        coordinates = [coordinates]
    elif kind != "MultiPolygon":
        raise ValueError(f"geometry is {kind!r}; only Polygon and MultiPolygon are supported")
    if not isinstance(coordinates, list) or not coordinates:
        raise ValueError(f"{kind} without coordinates")
    parts = [_polygon(part, crs == WGS84) for part in coordinates]
    return SitePolygon(
        id=str(site_id).strip(),
        geometry={"type": "MultiPolygon", "coordinates": parts},
        crs=crs,
        properties=properties,
    )


def _id(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return False
    return bool(str(value).strip())


def _polygon(rings: Any, lonlat: bool) -> list[Ring]:
    if not isinstance(rings, list) or not rings:
        raise ValueError("a polygon without rings")
    return [_ring(ring, lonlat) for ring in rings]


def _ring(ring: Any, lonlat: bool) -> Ring:
    if not isinstance(ring, list):
        raise ValueError("a ring is not a list of positions")
    points: Ring = []
    for position in ring:
        if (
            not isinstance(position, list | tuple)
            or len(position) < 2
            or not all(
                isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                for v in position[:2]
            )
        ):
            raise ValueError(f"bad position {position!r}: expected [x, y] numbers")
        x, y = float(position[0]), float(position[1])
        if lonlat and not (-180 <= x <= 180 and -90 <= y <= 90):
            raise ValueError(
                f"position {[x, y]} is not a longitude/latitude: GeoJSON coordinates are WGS84"
                " (RFC 7946); reproject the file, or name its CRS in a 'crs' member"
            )
        points.append((x, y))
    if points and points[0] != points[-1]:
        points.append(points[0])
    if len(set(points)) < 3:
        raise ValueError("a ring needs at least 3 distinct positions")
    return points
