"""A static map of a case's sites and the places its claims name, for briefs.

:func:`site_map_svg` draws an analyst's locator map with matplotlib (Agg, no pyplot, no
global state) over the shipped Natural Earth basemap: land, coastline and borders, country
names where they fit, a light graticule with degree labels, the case's sites as labelled
diamonds (and their areas when they have polygons), claim places as dots coloured by
credibility class, a legend, a scale bar and the basemap credit.

The SVG is self-contained so a brief can inline it and still render offline: text is drawn
as paths (no fonts to fetch; Hangul through a CJK fallback font), there is no DOCTYPE, no
image and no link, and the same input gives the same bytes. Site markers (``site-N``, N the
site's index in the input) and claim dots (``claims-N-<class>``) are groups with a
``<title>`` tooltip; the legend, scale bar, overview map and credit have ids too.

The projection is equirectangular with the horizontal scale corrected by cos(latitude) at
the map's centre: plain to compute, true in scale at the centre latitude and close enough
across a region (at 40° N the scale drifts under 2 % per degree of latitude). Maps that
span more than 30° of latitude get no scale bar, since one bar would mislead there.

Input is plain data (:class:`MapSite`, :class:`MapPoint`); :func:`snapshot_map_data` makes
it from a case snapshot. A map with nothing to show and no ``bbox`` raises
:class:`MapError` (there is no sensible extent to draw); with a ``bbox`` it draws the area
with a note saying that nothing in it is located.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from xml.sax.saxutils import escape

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from watchboard.charts.series import SERIES_COLOR, cjk_fonts
from watchboard.errors import WatchboardError
from watchboard.report import basemap
from watchboard.report.geojson import feature_collection, longitude_span, site_polygon

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.transforms import Bbox, Transform

log = logging.getLogger(__name__)

#: CSS pixels per inch: ``width_px`` is the width a browser gives the SVG.
CSS_DPI = 96
#: The smallest extent, in degrees of latitude, so that one site still shows its region.
MIN_SPAN = 3.0
#: Extra room around what is mapped, as a share of its extent on each side.
PADDING = 0.12
#: Height-to-width ratios the map frame is kept within (the extent grows to fit).
ASPECT_RANGE = (0.5, 1.0)
#: Above this extent in latitude one scale bar would mislead: none is drawn.
SCALE_BAR_UP_TO = 30.0

SEA = "#dde8f0"
LAND = "#ecebe6"
FOCUS_LAND = "#fbfaf6"  # countries that hold a site: the eye goes there first
COAST = "#6f8496"
BORDER = "#7d7d7d"
GRATICULE = "#8aa0b4"
COUNTRY_LABEL = "#8a8a8a"
TEXT = "#222222"
SITE_COLOR = "#a33a2b"
SITE_FILL = (0.64, 0.23, 0.17, 0.14)  # SITE_COLOR, faint
HALO = "white"


@dataclass(frozen=True)
class CredibilityClass:
    """How the claims of one credibility class are drawn: darker and fuller is more
    credible, so the classes stay apart in greyscale print. Faces, markers and words are
    those of the timeline chart (``watchboard.charts.timeline``), so that a brief's map and
    timeline read alike; the dark dots get a white rim to stay apart when side by side."""

    key: str
    label: str
    face: str
    edge: str
    marker: str = "o"


#: Information credibility (1–6, Admiralty code) in three classes, plus claims not graded.
CREDIBILITY_CLASSES = (
    CredibilityClass("high", "1–2 confirmed / probably true", SERIES_COLOR, "white"),
    CredibilityClass("medium", "3 possibly true", "#8fb3d9", SERIES_COLOR),
    CredibilityClass("low", "4–6 doubtful / improbable / cannot be judged", "white", "#6e6e6e"),
    CredibilityClass("ungraded", "not graded", "white", "#9a9a9a", "s"),
)
_CLASS = {c.key: c for c in CREDIBILITY_CLASSES}


class MapError(WatchboardError, ValueError):
    """A map that cannot be drawn with the arguments given."""


@dataclass(frozen=True)
class MapSite:
    """A case site: a labelled marker at (lat, lon), and its area when ``polygon`` (a GeoJSON
    Polygon or MultiPolygon, [lon, lat]) is given. Without lat/lon the marker goes to a
    point inside the polygon; a site with neither is not drawn."""

    key: str
    name: str
    lat: float | None = None
    lon: float | None = None
    polygon: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class MapPoint:
    """A place named by claims: ``count`` claims (default one) of one credibility grade
    (1–6, or None when not graded). Points at the same position are drawn together."""

    lat: float
    lon: float
    label: str = ""
    credibility: int | None = None
    count: int = 1


def site_map_svg(
    sites: Iterable[MapSite],
    points: Iterable[MapPoint] = (),
    *,
    title: str | None = None,
    width_px: int = 760,
    bbox: Sequence[float] | None = None,
) -> str:
    """The map as SVG text, ``width_px`` CSS pixels wide (the height follows the extent).

    The extent is ``bbox`` (west, south, east, north; west > east crosses the
    antimeridian) or else everything given, padded, at least :data:`MIN_SPAN` degrees
    high, and widened or heightened to a frame between :data:`ASPECT_RANGE`. With a bbox,
    sites and points outside it are left out and the credit line says how many.
    """
    data = _render(list(sites), list(points), title=title, width_px=width_px, bbox=bbox, fmt="svg")
    return data.decode("utf-8")


def site_map_png(
    sites: Iterable[MapSite],
    points: Iterable[MapPoint] = (),
    *,
    title: str | None = None,
    width_px: int = 760,
    bbox: Sequence[float] | None = None,
    scale: float = 2.0,
) -> bytes:
    """The same map as PNG bytes, ``width_px * scale`` pixels wide (2 for sharp print)."""
    if not 0.25 <= scale <= 8:
        raise MapError(f"scale {scale} is out of range; give 1 for screen, 2 for print")
    return _render(
        list(sites), list(points), title=title, width_px=width_px, bbox=bbox, fmt="png", scale=scale
    )


def map_extent(
    sites: Iterable[MapSite],
    points: Iterable[MapPoint] = (),
    *,
    bbox: Sequence[float] | None = None,
) -> tuple[float, float, float, float]:
    """The (west, south, east, north) the map of these sites and points shows, after
    padding, the minimum span and fitting the frame; west > east when it crosses the
    antimeridian. A web map can open on the same view."""
    return _view(_sites(list(sites)), _groups(list(points)), bbox).bbox()


#: Places at the scale of a country or a region: a dot at their centre would read as a
#: location the claim never gave (GeoNames feature codes).
_AREA_FEATURES = re.compile(r"^(A\.PCL|L\.(RGN|CONT|AREA)|T\.PEN)")


def snapshot_map_data(snapshot: Mapping[str, Any]) -> tuple[list[MapSite], list[MapPoint]]:
    """Sites and claim places of a case snapshot (``store.snapshot.dump_case``), ready to map.

    One point per (claim, place), as in the GeoJSON export, except places the size of a
    country or region ("North Korea", "Korean Peninsula"), which have no position worth a
    dot.
    """
    tables = snapshot.get("tables") or {}
    sites = [
        MapSite(
            key=str(s.get("key")),
            name=str(s.get("name")),
            lat=s.get("lat"),
            lon=s.get("lon"),
            polygon=s.get("polygon"),
        )
        for s in tables.get("sites") or []
    ]
    points = []
    for feature in feature_collection(snapshot)["features"]:
        p = feature["properties"]
        if p["kind"] != "claim" or _AREA_FEATURES.match(p.get("place_feature") or ""):
            continue
        lon, lat = feature["geometry"]["coordinates"]
        points.append(MapPoint(lat, lon, p.get("place") or "", p.get("credibility")))
    return sites, points


# -- layout --------------------------------------------------------------------------------------


@dataclass
class _View:
    """The mapped extent. ``east`` may exceed 180 when the view crosses the antimeridian:
    longitudes west of ``west`` are then drawn at lon + 360."""

    west: float
    east: float
    south: float
    north: float

    @property
    def lat0(self) -> float:
        return (self.south + self.north) / 2

    @property
    def kx(self) -> float:
        """Horizontal scale factor: a degree of longitude is this share of one of latitude."""
        return max(math.cos(math.radians(self.lat0)), 0.05)

    @property
    def aspect(self) -> float:
        """Frame height over width."""
        return (self.north - self.south) / ((self.east - self.west) * self.kx)

    def x(self, lon: float) -> float:
        return lon + 360.0 if lon < self.west - 1e-9 else lon

    def bbox(self) -> tuple[float, float, float, float]:
        east = self.east - 360.0 if self.east > 180 else self.east
        return (self.west, self.south, east, self.north)

    def contains(self, lon: float, lat: float) -> bool:
        return self.west <= self.x(lon) <= self.east and self.south <= lat <= self.north

    def window(self, margin: float = 0.0) -> BaseGeometry:
        return shapely.box(
            self.west - margin, self.south - margin, self.east + margin, self.north + margin
        )

    def query_bbox(self, margin: float) -> tuple[float, float, float, float] | None:
        """The view and a margin as a basemap bbox (None: the whole world)."""
        west, east = self.west - margin, self.east + margin
        if east - west >= 360:
            return None
        south, north = max(-90.0, self.south - margin), min(90.0, self.north + margin)
        return (_wrap(west), south, _wrap(east), north)

    def clip(self, geometry: BaseGeometry, window: BaseGeometry) -> BaseGeometry:
        """A [-180, 180] geometry in view coordinates, cut to ``window``: when the view
        crosses the antimeridian, what lies beyond it is moved a turn east to join up."""
        near = geometry.intersection(window)
        _, _, east, _ = window.bounds
        if east <= 180:
            return near
        far = geometry.intersection(shapely.box(-180, -90, east - 360, 90))
        if far.is_empty:
            return near
        moved = shapely.transform(far, lambda xy: xy + np.array([360.0, 0.0])).intersection(window)
        return moved if near.is_empty else shapely.union_all([near, moved])


def _wrap(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0 if not -180 <= lon <= 180 else lon


@dataclass
class _Site:
    index: int
    site: MapSite
    lon: float
    lat: float
    area: BaseGeometry | None


@dataclass
class _Group:
    """Claim dots at one position: one dot per credibility class, side by side."""

    index: int
    lon: float
    lat: float
    label: str
    counts: dict[str, int]
    grades: Counter[int] = field(default_factory=Counter)
    #: Points the dots sit below their position (to clear a site's diamond), once drawn.
    drop: float = 0.0


def _sites(sites: list[MapSite]) -> list[_Site]:
    out = []
    for i, s in enumerate(sites):
        area = None
        if s.polygon:
            area = site_polygon(s.polygon, where=f"site {s.key!r}")
            area = None if area.is_empty else area
        if s.lat is not None and s.lon is not None:
            lat, lon = float(s.lat), float(s.lon)
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise MapError(f"site {s.key!r}: lat {lat}, lon {lon} is not a position on Earth")
        elif area is not None:
            inside = area.representative_point()
            lat, lon = inside.y, inside.x
        else:
            log.info("site %r has no position; not mapped", s.key)
            continue
        out.append(_Site(i, s, lon, lat, area))
    return out


def _groups(points: list[MapPoint]) -> list[_Group]:
    by_place: dict[tuple[float, float], list[MapPoint]] = defaultdict(list)
    for p in points:
        if not (-90 <= p.lat <= 90 and -180 <= p.lon <= 180):
            raise MapError(
                f"point {p.label!r}: lat {p.lat}, lon {p.lon} is not a position on Earth"
            )
        if p.credibility is not None and not 1 <= p.credibility <= 6:
            raise MapError(
                f"point {p.label!r}: credibility {p.credibility} is not 1-6; give a grade "
                "from 1 (confirmed) to 6 (cannot be judged) or None"
            )
        by_place[(round(p.lat, 4), round(p.lon, 4))].append(p)
    groups = []
    for i, ((lat, lon), members) in enumerate(sorted(by_place.items())):
        counts: dict[str, int] = {}
        grades: Counter[int] = Counter()
        for p in members:
            key = _credibility_class(p.credibility)
            counts[key] = counts.get(key, 0) + max(p.count, 1)
            if p.credibility is not None:
                grades[p.credibility] += max(p.count, 1)
        labels = Counter(p.label for p in members if p.label)
        label = labels.most_common(1)[0][0] if labels else ""
        ordered = {c.key: counts[c.key] for c in CREDIBILITY_CLASSES if c.key in counts}
        groups.append(_Group(i, lon, lat, label, ordered, grades))
    return groups


def _credibility_class(grade: int | None) -> str:
    if grade is None:
        return "ungraded"
    return "high" if grade <= 2 else "medium" if grade == 3 else "low"


def _view(sites: list[_Site], groups: list[_Group], bbox: Sequence[float] | None) -> _View:
    if bbox is not None:
        west, south, east, north = basemap.check_bbox(bbox)
        view = _View(west, east + 360.0 if east < west else east, south, north)
        if view.east - view.west <= 0 or north - south <= 0:
            raise MapError(f"bbox {tuple(bbox)!r} has no area; give west < east and south < north")
        return _fit(view, pad=False)
    lons: list[float] = []
    lats: list[float] = []
    for s in sites:
        lons.append(s.lon)
        lats.append(s.lat)
        if s.area is not None:
            minx, miny, maxx, maxy = s.area.bounds
            if maxx - minx < 180:  # an area cut at the antimeridian counts by its marker
                lons += [minx, maxx]
                lats += [miny, maxy]
    for g in groups:
        lons.append(g.lon)
        lats.append(g.lat)
    if not lons:
        raise MapError(
            "nothing to map: no site has a position and no claim names a located place; "
            "pass bbox=(west, south, east, north) to draw the area anyway"
        )
    west, east = longitude_span(lons)
    return _fit(_View(west, east + 360.0 if east < west else east, min(lats), max(lats)), pad=True)


def _fit(view: _View, *, pad: bool) -> _View:
    """Widen the extent the narrower way until the frame's aspect is within ASPECT_RANGE
    (never shrinking what was asked for); first, for an automatic extent (``pad``), add the
    padding and the minimum span. A bbox the caller gave is taken as meant, however small."""
    west, east, south, north = view.west, view.east, view.south, view.north
    if pad:
        dx, dy = (east - west) * PADDING, (north - south) * PADDING
        west, east, south, north = west - dx, east + dx, south - dy, north + dy
        middle = (south + north) / 2
        if north - south < MIN_SPAN:
            south, north = middle - MIN_SPAN / 2, middle + MIN_SPAN / 2
        kx = max(math.cos(math.radians(middle)), 0.05)
        if (east - west) * kx < MIN_SPAN:
            centre = (west + east) / 2
            west, east = centre - MIN_SPAN / kx / 2, centre + MIN_SPAN / kx / 2
    fitted = _View(west, east, south, north)
    low, high = ASPECT_RANGE
    if fitted.aspect > high:  # too tall: widen
        grow = (fitted.north - fitted.south) / (high * fitted.kx) - (fitted.east - fitted.west)
        fitted.west, fitted.east = fitted.west - grow / 2, fitted.east + grow / 2
    elif fitted.aspect < low:  # too wide: heighten
        grow = low * (fitted.east - fitted.west) * fitted.kx - (fitted.north - fitted.south)
        fitted.south, fitted.north = fitted.south - grow / 2, fitted.north + grow / 2
    # Keep within the globe: shift back inside rather than cut, so the frame keeps its shape.
    if fitted.north > 90:
        fitted.south, fitted.north = fitted.south - (fitted.north - 90), 90.0
    if fitted.south < -90:
        fitted.north, fitted.south = min(90.0, fitted.north + (-90 - fitted.south)), -90.0
    if fitted.east - fitted.west >= 360:
        fitted.west, fitted.east = -180.0, 180.0
    elif fitted.west < -180:
        fitted.west, fitted.east = fitted.west + 360, fitted.east + 360
    if fitted.west >= 180:
        fitted.west, fitted.east = fitted.west - 360, fitted.east - 360
    return fitted


# -- drawing -------------------------------------------------------------------------------------


def _render(
    sites: list[MapSite],
    points: list[MapPoint],
    *,
    title: str | None,
    width_px: int,
    bbox: Sequence[float] | None,
    fmt: str,
    scale: float = 1.0,
    locator: bool = True,
) -> bytes:
    """Draw the map and save it, all inside one rc context: matplotlib reads settings such
    as ``svg.hashsalt`` when saving, not when drawing."""
    if width_px < 240:
        raise MapError(f"width_px {width_px} is too small for a legible map; give 240 or more")
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    placed_sites = _sites(sites)
    groups = _groups(points)
    view = _view(placed_sites, groups, bbox)
    hidden = 0
    if bbox is not None:
        hidden = sum(not view.contains(s.lon, s.lat) for s in placed_sites)
        hidden += sum(not view.contains(g.lon, g.lat) for g in groups)
        placed_sites = [s for s in placed_sites if view.contains(s.lon, s.lat)]
        groups = [g for g in groups if view.contains(g.lon, g.lat)]

    salt = hashlib.sha256(repr((sites, points, title, width_px, bbox)).encode("utf-8")).hexdigest()[
        :12
    ]
    rc: dict[Any, Any] = {
        "svg.hashsalt": f"watchboard-map-{salt}",
        "svg.fonttype": "path",
        "font.family": ["DejaVu Sans", *cjk_fonts()],
        "font.size": 8,
        "axes.linewidth": 0.6,
        "path.simplify": True,
    }
    with matplotlib.rc_context(rc):
        width_in = width_px / CSS_DPI
        left, right = 0.5, 0.12
        top = 0.42 if title else 0.14
        bottom = 0.42
        map_w = width_in - left - right
        map_h = map_w * view.aspect
        height_in = map_h + top + bottom
        fig = Figure(figsize=(width_in, height_in))
        FigureCanvasAgg(fig)  # raster output through Agg, whatever the process's backend
        ax = fig.add_axes(
            (left / width_in, bottom / height_in, map_w / width_in, map_h / height_in)
        )
        ax.set_xlim(view.west, view.east)
        ax.set_ylim(view.south, view.north)
        ax.set_facecolor(SEA)
        ax.set_aspect("auto")
        px_deg = (view.east - view.west) / (map_w * 72)  # degrees of longitude per point

        focus = {_country_at(s.lon, s.lat) for s in placed_sites} - {None}
        country_shapes = _draw_basemap(ax, view, focus, px_deg)
        _draw_graticule(ax, view)
        tooltips: dict[str, str] = {}
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        obstacles: list[Bbox] = []
        _draw_sites(ax, view, placed_sites, obstacles, tooltips, renderer)
        _draw_groups(ax, view, groups, placed_sites, obstacles, tooltips, renderer)
        legend_box = _draw_legend(
            ax,
            with_sites=bool(placed_sites),
            with_areas=any(s.area is not None for s in placed_sites),
            with_claims=bool(groups),
            obstacles=obstacles,
            renderer=renderer,
        )
        if legend_box is not None:
            obstacles.append(legend_box)
        scale_box = _draw_scale_bar(ax, view, legend_box, renderer)
        if scale_box is not None:
            obstacles.append(scale_box)
        if locator:
            inset = _draw_locator(fig, ax, view, obstacles, renderer)
            if inset is not None:
                obstacles.append(inset)
        _place_labels(ax, view, placed_sites, groups, obstacles, renderer)
        _draw_country_labels(ax, view, country_shapes, obstacles, renderer)
        if not placed_sites and not groups:
            ax.text(
                0.5,
                0.5,
                "No case site or located claim in this area",
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=9,
                color="#555555",
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "#bbbbbb", "pad": 5},
                zorder=9,
                gid="empty-note",
            )
        if title:
            fig.text(
                left / width_in,
                1 - 0.12 / height_in,
                _shorten(title, int(map_w * 12)),
                ha="left",
                va="top",
                fontsize=10.5,
                fontweight="bold",
                color=TEXT,
            )
        notes = ["Equirectangular projection, WGS 84"]
        if any(n > 1 for g in groups for n in g.counts.values()):
            notes.append("numbers: claims naming the same place")
        if hidden:
            notes.append(f"{hidden} site(s) or place(s) outside this view")
        fig.text(
            left / width_in,
            0.06 / height_in,
            " · ".join(notes),
            ha="left",
            va="bottom",
            fontsize=6.5,
            color="#666666",
        )
        fig.text(
            1 - right / width_in,
            0.06 / height_in,
            basemap.ATTRIBUTION,
            ha="right",
            va="bottom",
            fontsize=6.5,
            color="#666666",
            gid="credit",
        )
        buffer = io.BytesIO()
        if fmt == "png":
            fig.savefig(buffer, format="png", dpi=CSS_DPI * scale, metadata={"Software": None})
            return buffer.getvalue()
        fig.savefig(
            buffer,
            format="svg",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    label = title or "Map of case sites and claim places"
    return _clean_svg(buffer.getvalue().decode("utf-8"), label, tooltips).encode("utf-8")


def _country_at(lon: float, lat: float) -> str | None:
    for country in basemap.countries((lon, lat, lon, lat)):
        if country.geometry.intersects(shapely.Point(lon, lat)):
            return country.name
    return None


def _draw_basemap(
    ax: Axes, view: _View, focus: set[str | None], px_deg: float
) -> list[tuple[str, BaseGeometry]]:
    """Land (focus countries lighter), coastline and borders, clipped a little beyond the
    frame and simplified to under a point, so a world map is not megabytes of SVG."""
    from matplotlib.collections import LineCollection, PathCollection

    margin = _margin(view)
    query = view.query_bbox(margin)
    window = view.window(margin)
    tolerance = px_deg * 0.4
    shapes: list[tuple[str, BaseGeometry]] = []
    paths, faces = [], []
    for country in basemap.countries(query):
        geometry = view.clip(country.geometry, window)
        geometry = shapely.simplify(geometry, tolerance, preserve_topology=True)
        if geometry.is_empty:
            continue
        shapes.append((country.name, geometry))
        paths.append(_polygon_path(geometry))
        faces.append(FOCUS_LAND if country.name in focus else LAND)
    if paths:
        ax.add_collection(
            PathCollection(paths, facecolors=faces, edgecolors="none", linewidths=0, zorder=1)
        )
        land = shapely.union_all([g for _, g in shapes])
        coast = land.boundary
        ax.add_collection(
            LineCollection(_line_coords(coast), colors=COAST, linewidths=0.6, zorder=1.4)
        )
    lines = []
    for border in basemap.borders(query):
        geometry = view.clip(border.geometry, window)
        geometry = shapely.simplify(geometry, tolerance)
        lines += _line_coords(geometry)
    if lines:
        ax.add_collection(
            LineCollection(
                lines, colors=BORDER, linewidths=0.7, linestyles=(0, (4, 1.5, 1, 1.5)), zorder=1.5
            )
        )
    return shapes


def _margin(view: _View) -> float:
    """How far beyond the frame geometry is kept: enough that no clip edge shows."""
    return max(view.east - view.west, view.north - view.south) * 0.05


def _polygon_path(geometry: BaseGeometry) -> Any:
    from matplotlib.path import Path

    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for part in shapely.get_parts(geometry):
        if not isinstance(part, shapely.Polygon):
            continue
        for ring in [part.exterior, *part.interiors]:
            xy = np.asarray(ring.coords)
            if len(xy) < 4:
                continue
            c = np.full(len(xy), Path.LINETO, dtype=np.uint8)
            c[0], c[-1] = Path.MOVETO, Path.CLOSEPOLY
            vertices.append(xy)
            codes.append(c)
    if not vertices:
        return Path(np.zeros((0, 2)))
    return Path(np.concatenate(vertices), np.concatenate(codes))


def _line_coords(geometry: BaseGeometry) -> list[np.ndarray]:
    out = []
    for part in shapely.get_parts(geometry):
        if isinstance(part, shapely.LineString | shapely.LinearRing) and len(part.coords) >= 2:
            out.append(np.asarray(part.coords))
        elif isinstance(part, shapely.MultiLineString | shapely.GeometryCollection):
            out += _line_coords(part)
    return out


def _draw_graticule(ax: Axes, view: _View) -> None:
    from matplotlib.ticker import FixedLocator, FuncFormatter

    span = max(view.north - view.south, (view.east - view.west) * view.kx)
    step = next((s for s in (0.25, 0.5, 1, 2, 5, 10, 15, 30, 60) if span / s <= 6), 90)
    step_x = step if (view.east - view.west) / step <= 8 else step * 2
    xs = np.arange(math.ceil(view.west / step_x) * step_x, view.east + 1e-9, step_x)
    ys = np.arange(math.ceil(view.south / step) * step, view.north + 1e-9, step)
    # No label right at a corner, where it would run past the frame or into its neighbour.
    edge_x, edge_y = (view.east - view.west) * 0.03, (view.north - view.south) * 0.03
    xs = xs[(xs > view.west + edge_x) & (xs < view.east - edge_x)]
    ys = ys[(ys > view.south + edge_y) & (ys < view.north - edge_y)]
    ax.xaxis.set_major_locator(FixedLocator(xs.tolist()))
    ax.yaxis.set_major_locator(FixedLocator(ys.tolist()))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _degrees(v, "E", "W")))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _degrees(v, "N", "S")))
    ax.tick_params(labelsize=6.5, colors="#555555", length=2.5, width=0.5, pad=2)
    ax.grid(True, color=GRATICULE, linewidth=0.4, alpha=0.45)
    ax.set_axisbelow(False)
    for spine in ax.spines.values():
        spine.set_edgecolor("#555555")
        spine.set_zorder(8)


def _degrees(value: float, positive: str, negative: str) -> str:
    if positive == "E":
        value = (value + 180) % 360 - 180 if abs(value) > 180 else value
    hemisphere = (
        ""
        if abs(value) < 1e-9 or abs(abs(value) - 180) < 1e-9
        else (positive if value > 0 else negative)
    )
    number = f"{abs(value):.2f}".rstrip("0").rstrip(".")
    return f"{number}°{hemisphere}"


def _halo(width: float = 2.4) -> list[Any]:
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=width, foreground=HALO)]


def _draw_sites(
    ax: Axes,
    view: _View,
    sites: list[_Site],
    obstacles: list[Bbox],
    tooltips: dict[str, str],
    renderer: RendererBase,
) -> None:
    from matplotlib.collections import PathCollection

    for s in sites:
        if s.area is not None:
            area = view.clip(s.area, view.window(_margin(view)))
            ax.add_collection(
                PathCollection(
                    [_polygon_path(area)],
                    facecolors=[SITE_FILL],
                    edgecolors=SITE_COLOR,
                    linewidths=0.9,
                    zorder=3,
                    gid=f"site-area-{s.index}",
                )
            )
        (marker,) = ax.plot(
            [view.x(s.lon)],
            [s.lat],
            marker="D",
            markersize=6.5,
            markerfacecolor=SITE_COLOR,
            markeredgecolor="white",
            markeredgewidth=1.0,
            linestyle="none",
            zorder=6,
            gid=f"site-{s.index}",
        )
        obstacles.append(marker.get_window_extent(renderer).expanded(1.1, 1.1))
        tooltips[f"site-{s.index}"] = f"{s.site.name} (site {s.site.key})"


def _draw_groups(
    ax: Axes,
    view: _View,
    groups: list[_Group],
    sites: list[_Site],
    obstacles: list[Bbox],
    tooltips: dict[str, str],
    renderer: RendererBase,
) -> None:
    """One dot per credibility class at each place, side by side, with the number of claims
    inside when more than one; moved just below a site's diamond when it sits on one."""
    to_display = ax.transData
    site_xy = [to_display.transform((view.x(s.lon), s.lat)) for s in sites]
    for g in groups:
        x, y = view.x(g.lon), g.lat
        here = to_display.transform((x, y))
        on_site = any(math.dist(here, xy) < 7 for xy in site_xy)
        sizes = [7.5 if n == 1 else 10.5 for n in g.counts.values()]
        total = sum(sizes) + 1.0 * (len(sizes) - 1)
        dx = -total / 2
        dy = -9.0 if on_site else 0.0
        for key, n, size in zip(g.counts, g.counts.values(), sizes, strict=True):
            style = _CLASS[key]
            offset = _offset(ax, dx + size / 2, dy)
            (dot,) = ax.plot(
                [x],
                [y],
                marker=style.marker,
                markersize=size if style.marker == "o" else size * 0.9,
                markerfacecolor=style.face,
                markeredgecolor=style.edge,
                markeredgewidth=0.9,
                linestyle="none",
                transform=offset,
                zorder=7,
                gid=f"claims-{g.index}-{key}",
            )
            obstacles.append(dot.get_window_extent(renderer).expanded(1.1, 1.1))
            if n > 1:
                ax.text(
                    x,
                    y,
                    str(n) if n < 100 else "99+",
                    transform=offset,
                    ha="center",
                    va="center_baseline",
                    fontsize=6 if n < 10 else 5,
                    fontweight="bold",
                    color="white" if style.face == SERIES_COLOR else TEXT,
                    zorder=7.5,
                )
            grades = ", ".join(
                f"{c}× grade {grade}"
                for grade, c in sorted(g.grades.items())
                if _credibility_class(grade) == key
            )
            what = f"{n} claim{'s' if n > 1 else ''}"
            tooltips[f"claims-{g.index}-{key}"] = f"{g.label or 'place'}: {what}, {style.label}" + (
                f" ({grades})" if grades else ""
            )
            dx += size + 1.0
        g.drop = -dy


def _draw_legend(
    ax: Axes,
    *,
    with_sites: bool,
    with_areas: bool,
    with_claims: bool,
    obstacles: list[Bbox],
    renderer: RendererBase,
) -> Bbox | None:
    """The key, in the corner where it covers the fewest markers; None when nothing is
    drawn that needs one."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    if with_sites:
        handles.append(
            Line2D(
                [],
                [],
                marker="D",
                markersize=6,
                markerfacecolor=SITE_COLOR,
                markeredgecolor="white",
                linestyle="none",
                label="Case site",
            )
        )
    if with_areas:
        handles.append(
            Patch(facecolor=SITE_FILL, edgecolor=SITE_COLOR, linewidth=0.9, label="Site area")
        )
    if with_claims:
        handles.append(
            Line2D([], [], linestyle="none", label="Places named in claims, by credibility:")
        )
        handles += [
            Line2D(
                [],
                [],
                marker=c.marker,
                markersize=6.5 if c.marker == "o" else 5.8,
                markerfacecolor=c.face,
                markeredgecolor=c.edge,
                markeredgewidth=0.9,
                linestyle="none",
                label=c.label,
            )
            for c in CREDIBILITY_CLASSES
        ]
    if not handles:
        return None

    def place(loc: _Corner) -> Any:
        legend = ax.legend(
            handles=handles,
            loc=loc,
            fontsize=6.5,
            frameon=True,
            framealpha=0.92,
            edgecolor="#bbbbbb",
            fancybox=False,
            borderpad=0.6,
            handletextpad=0.5,
            labelspacing=0.45,
        )
        legend.set_zorder(9)
        legend.set_gid("legend")
        return legend

    best: tuple[float, _Corner] | None = None
    corners: tuple[_Corner, ...] = ("lower right", "upper right", "lower left", "upper left")
    for loc in corners:
        box = place(loc).get_window_extent(renderer)
        covered = sum(_overlap(box, o) for o in obstacles)
        if best is None or covered < best[0]:
            best = (covered, loc)
        if covered == 0:
            break
    assert best is not None
    return place(best[1]).get_window_extent(renderer)


_Corner = Literal["lower right", "upper right", "lower left", "upper left"]


def _offset(ax: Axes, dx: float, dy: float) -> Transform:
    """Data coordinates moved by (dx, dy) points: markers and labels keep their distance
    from a position whatever the map's scale."""
    from matplotlib.figure import Figure
    from matplotlib.transforms import offset_copy

    fig = ax.figure
    assert isinstance(fig, Figure)
    return offset_copy(ax.transData, fig=fig, x=dx, y=dy, units="points")


def _overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def _draw_scale_bar(
    ax: Axes, view: _View, legend: Bbox | None, renderer: RendererBase
) -> Bbox | None:
    """A two-tone bar about a fifth of the map wide, in a round number of kilometres, in the
    bottom corner the legend does not use; true at the map's centre latitude."""
    from matplotlib.patches import Rectangle

    if view.north - view.south > SCALE_BAR_UP_TO:
        return None
    km_per_deg = 111.32 * view.kx
    width_km = (view.east - view.west) * km_per_deg
    target = width_km / 5
    magnitude = 10 ** math.floor(math.log10(target))
    length = min((m * magnitude for m in (1, 2, 5, 10)), key=lambda v: abs(math.log(v / target)))
    frac = length / width_km
    axes_box = ax.get_window_extent(renderer)
    left_free = (
        legend is None
        or legend.x0 > axes_box.x0 + axes_box.width / 2
        or legend.y0 > axes_box.y0 + axes_box.height / 2
    )
    x0 = 0.04 if left_free else 0.96 - frac
    y0 = 0.05
    bar_h = 0.012 * max(1.0, 1 / max(view.aspect, 0.3))
    trans = ax.transAxes
    artists: list[Any] = []
    for i, colour in enumerate(("#333333", "white")):
        artists.append(
            ax.add_patch(
                Rectangle(
                    (x0 + i * frac / 2, y0),
                    frac / 2,
                    bar_h,
                    transform=trans,
                    facecolor=colour,
                    edgecolor="#333333",
                    linewidth=0.6,
                    zorder=8,
                    gid="scale-bar" if i == 0 else None,
                )
            )
        )
    number = f"{length:g}"
    for pos, text in ((0.0, "0"), (frac, f"{number} km")):
        artists.append(
            ax.text(
                x0 + pos,
                y0 + bar_h + 0.008,
                text,
                transform=trans,
                ha="center",
                va="bottom",
                fontsize=6.5,
                color=TEXT,
                zorder=8,
                path_effects=_halo(2.0),
            )
        )
    boxes = [a.get_window_extent(renderer) for a in artists]
    from matplotlib.transforms import Bbox as BboxType

    return BboxType.union(boxes).expanded(1.05, 1.3)


def _draw_locator(
    fig: Figure, ax: Axes, view: _View, obstacles: list[Bbox], renderer: RendererBase
) -> Bbox | None:
    """A small overview map, six times the extent, with the main map's frame drawn on it,
    in a corner where it hides nothing (or not at all, when every corner is taken or the
    map is already continental)."""
    from matplotlib.collections import LineCollection, PathCollection
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import Bbox as BboxType

    if view.north - view.south > 40:
        return None
    span_y = min(max((view.north - view.south) * 6, 30.0), 170.0)
    middle = min(max(view.lat0, -90 + span_y / 2), 90 - span_y / 2)
    outer = _View(0, 0, middle - span_y / 2, middle + span_y / 2)
    span_x = min(span_y / outer.kx, 360.0)
    centre = (view.west + view.east) / 2
    outer.west, outer.east = centre - span_x / 2, centre + span_x / 2
    frame = ax.get_window_extent(renderer)
    width = frame.width * 0.2
    height = width * outer.aspect
    pad = frame.width * 0.015
    best = None
    for corner in ("upper left", "upper right", "lower left", "lower right"):
        x0 = frame.x0 + pad if "left" in corner else frame.x1 - pad - width
        y0 = frame.y1 - pad - height if "upper" in corner else frame.y0 + pad
        box = BboxType.from_bounds(x0, y0, width, height)
        if not any(_overlap(box.expanded(1.08, 1.08), o) for o in obstacles):
            best = box
            break
    if best is None:
        return None
    inset = fig.add_axes(fig.transFigure.inverted().transform_bbox(best).bounds)
    inset.set_zorder(9)
    inset.set_xlim(outer.west, outer.east)
    inset.set_ylim(outer.south, outer.north)
    inset.set_facecolor(SEA)
    inset.set_xticks([])
    inset.set_yticks([])
    for spine in inset.spines.values():
        spine.set_edgecolor("#555555")
        spine.set_linewidth(0.6)
    tolerance = (outer.east - outer.west) / (width * 72 / fig.dpi) * 0.6
    margin = _margin(outer)
    window = outer.window(margin)
    query = outer.query_bbox(margin)
    paths = []
    for country in basemap.countries(query):
        geometry = shapely.simplify(outer.clip(country.geometry, window), tolerance)
        if not geometry.is_empty:
            paths.append(_polygon_path(geometry))
    inset.add_collection(PathCollection(paths, facecolors=LAND, edgecolors=COAST, linewidths=0.25))
    lines = []
    for border in basemap.borders(query):
        lines += _line_coords(shapely.simplify(outer.clip(border.geometry, window), tolerance))
    inset.add_collection(LineCollection(lines, colors=BORDER, linewidths=0.25))
    inset.add_patch(
        Rectangle(
            (view.west, view.south),
            view.east - view.west,
            view.north - view.south,
            facecolor=SITE_FILL,
            edgecolor=SITE_COLOR,
            linewidth=1.0,
        )
    )
    inset.set_gid("locator")
    return best.expanded(1.04, 1.04)


def _place_labels(
    ax: Axes,
    view: _View,
    sites: list[_Site],
    groups: list[_Group],
    obstacles: list[Bbox],
    renderer: RendererBase,
) -> None:
    """Site names (bold) then claim place names, each in the first of eight positions around
    its marker that overlaps nothing already placed and stays inside the frame."""
    frame = ax.get_window_extent(renderer)
    jobs: list[tuple[float, float, float, str, dict[str, Any]]] = []
    for s in sites:
        jobs.append(
            (
                view.x(s.lon),
                s.lat,
                0.0,
                s.site.name,
                {"fontsize": 8, "fontweight": "bold", "color": TEXT},
            )
        )
    site_names = {s.site.name.casefold() for s in sites}
    for g in groups:
        x, y = view.x(g.lon), g.lat
        if g.drop or not g.label or g.label.casefold() in site_names:
            continue  # the site's own label names it
        jobs.append(
            (x, y, 0.0, g.label, {"fontsize": 7, "fontstyle": "italic", "color": "#333333"})
        )
    gap = 6.0
    positions = [
        (gap, 0, "left", "center"),
        (-gap, 0, "right", "center"),
        (gap * 0.8, gap * 0.8, "left", "bottom"),
        (gap * 0.8, -gap * 0.8, "left", "top"),
        (0, gap + 1, "center", "bottom"),
        (0, -gap - 3, "center", "top"),
        (-gap * 0.8, gap * 0.8, "right", "bottom"),
        (-gap * 0.8, -gap * 0.8, "right", "top"),
    ]
    for x, y, _, text, style in jobs:
        chosen = None
        for dx, dy, ha, va in positions:
            trans = _offset(ax, dx, dy)
            label = ax.text(
                x, y, text, transform=trans, ha=ha, va=va, zorder=8, path_effects=_halo(), **style
            )
            box = label.get_window_extent(renderer)
            inside = (
                frame.x0 <= box.x0
                and box.x1 <= frame.x1
                and frame.y0 <= box.y0
                and box.y1 <= frame.y1
            )
            if inside and not any(_overlap(box, o) for o in obstacles):
                chosen = box
                break
            label.remove()
        if chosen is None:  # crowded: the first position, even if it overlaps
            dx, dy, ha, va = positions[0]
            trans = _offset(ax, dx, dy)
            label = ax.text(
                x,
                y,
                text,
                transform=trans,
                ha=ha,
                va=va,
                zorder=8,
                path_effects=_halo(),
                clip_on=True,
                **style,
            )
            chosen = label.get_window_extent(renderer)
        obstacles.append(chosen)


def _draw_country_labels(
    ax: Axes,
    view: _View,
    shapes: list[tuple[str, BaseGeometry]],
    obstacles: list[Bbox],
    renderer: RendererBase,
) -> None:
    """Country names in grey capitals, inside the visible part of the country, where a
    spot is free and the name fits (trying a smaller size, then two lines)."""
    inverse = ax.transData.inverted()
    frame = shapely.box(view.west, view.south, view.east, view.north)
    ordered = sorted(shapes, key=lambda item: -item[1].intersection(frame).area)
    for name, geometry in ordered:
        visible = geometry.intersection(frame)
        if visible.is_empty or visible.area < 0.01 * frame.area:
            continue
        parts = sorted(shapely.get_parts(visible), key=lambda p: -p.area)
        part = parts[0]
        candidates = _label_spots(part, view)
        words = name.upper().split()
        texts = [" ".join(words)]
        if len(words) > 1:
            middle = math.ceil(len(words) / 2)
            texts.append(" ".join(words[:middle]) + "\n" + " ".join(words[middle:]))
        placed = False
        for size in (9.0, 7.5):
            for text in texts:
                probe = ax.text(
                    0,
                    0,
                    text,
                    fontsize=size,
                    ha="center",
                    va="center",
                    color=COUNTRY_LABEL,
                    linespacing=1.1,
                )
                box = probe.get_window_extent(renderer)
                probe.remove()
                w, h = box.width, box.height
                for cx, cy in candidates:
                    dx, dy = ax.transData.transform((cx, cy))
                    rect = type(box).from_bounds(dx - w / 2, dy - h / 2, w, h)
                    corners = inverse.transform([(rect.x0, rect.y0), (rect.x1, rect.y1)])
                    footprint = shapely.box(*corners[0], *corners[1])
                    if not part.contains(footprint):
                        continue
                    if any(_overlap(rect, o) for o in obstacles):
                        continue
                    ax.text(
                        cx,
                        cy,
                        text,
                        fontsize=size,
                        ha="center",
                        va="center",
                        color=COUNTRY_LABEL,
                        linespacing=1.1,
                        zorder=2,
                        gid="country-label",
                    )
                    obstacles.append(rect)
                    placed = True
                    break
                if placed:
                    break
            if placed:
                break


def _label_spots(polygon: BaseGeometry, view: _View) -> list[tuple[float, float]]:
    """Points inside the polygon to try, best first: its pole of inaccessibility (the point
    farthest from the edge, on the map's true-shape scale), then a grid nearest to it."""
    from shapely.ops import polylabel

    scaled = shapely.transform(polygon, lambda xy: xy * (view.kx, 1.0))
    try:
        best = polylabel(scaled, tolerance=0.02)
        first = (best.x / view.kx, best.y)
    except Exception:  # pragma: no cover - degenerate slivers
        point = polygon.representative_point()
        first = (point.x, point.y)
    minx, miny, maxx, maxy = polygon.bounds
    xs = np.linspace(minx, maxx, 9)[1:-1]
    ys = np.linspace(miny, maxy, 9)[1:-1]
    grid = [(float(x), float(y)) for x in xs for y in ys]
    grid = [p for p in grid if polygon.contains(shapely.Point(p))]
    grid.sort(key=lambda p: ((p[0] - first[0]) * view.kx) ** 2 + (p[1] - first[1]) ** 2)
    return [first, *grid]


# -- output --------------------------------------------------------------------------------------


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>\s*", re.DOTALL)
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_GROUP = re.compile(r'<g id="((?:site|claims)-[\w-]+)">')


def _clean_svg(svg: str, label: str, tooltips: Mapping[str, str]) -> str:
    """Without the DOCTYPE (it names an external DTD), with an accessible name, and with a
    hover tooltip on each site and claim group."""
    svg = _DOCTYPE.sub("", svg, count=1)
    match = _SVG_OPEN.search(svg)
    if match is not None:
        opening = (
            match.group(0)[:-1] + f' role="img" aria-label="{escape(label, {chr(34): "&quot;"})}">'
        )
        svg = (
            svg[: match.start()]
            + opening
            + f"\n <title>{escape(label)}</title>"
            + svg[match.end() :]
        )

    def add(found: re.Match[str]) -> str:
        tip = tooltips.get(found.group(1))
        return (
            found.group(0) if tip is None else found.group(0) + f"\n  <title>{escape(tip)}</title>"
        )

    return _GROUP.sub(add, svg)


__all__ = [
    "CREDIBILITY_CLASSES",
    "MIN_SPAN",
    "CredibilityClass",
    "MapError",
    "MapPoint",
    "MapSite",
    "map_extent",
    "site_map_png",
    "site_map_svg",
    "snapshot_map_data",
]
