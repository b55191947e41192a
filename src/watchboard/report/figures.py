"""Figures for a brief: the timeline chart, the map of sites and places, indicator charts.

Each is a self-contained SVG (text drawn as paths, no external references) stored on the brief
under a name (``timeline``, ``map``, ``indicator-<key>``) for the templates to inline.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from watchboard.charts import ChartError, Window, render_series_chart
from watchboard.errors import WatchboardError
from watchboard.report.brief import Brief

log = logging.getLogger(__name__)


FIGURES = ("timeline", "map", "indicators")


def draw_figures(brief: Brief, only: tuple[str, ...] = FIGURES) -> None:
    """Draw every figure the brief has data for (or ``only`` some of FIGURES); a figure that
    cannot be drawn is noted in the brief's warnings."""
    if brief.empty:
        return
    for name, draw in (("timeline", _timeline), ("map", _map)):
        if name not in only:
            continue
        try:
            svg = draw(brief)
        except (ChartError, WatchboardError) as exc:
            brief.warnings.append(f"{name} figure not drawn: {exc}")
            continue
        if svg:
            brief.figures[name] = svg
    if "indicators" not in only:
        return
    windows = [
        (Window(start, end, m.key), m.site)
        for m in brief.milestones
        for start, end in [(m.start or m.end, m.end or m.start)]
        if start is not None and end is not None
    ]
    for ind in brief.case.indicators:
        if len(ind.times) < 2:
            continue
        own = [w for w, site in windows if site in (None, ind.site_key)]
        chart = render_series_chart(
            list(ind.times),
            list(ind.values),
            changes=[c for c in ind.changes if c.time.date() <= brief.as_of],
            windows=own,
            title=ind.name + (" (SYNTHETIC)" if ind.synthetic else ""),
            unit=ind.unit,
            format="svg",
        )
        brief.figures[f"indicator-{ind.key}"] = chart.decode("utf-8")


def _timeline(brief: Brief) -> str | None:
    from watchboard.charts.timeline import TimelineEvent, TimelineMilestone, timeline_chart

    milestones = [
        TimelineMilestone(key=m.key, title=m.title, start=m.start, end=m.end, status=m.status)
        for m in brief.milestones
    ]
    # The chart covers the case's time frame (or the year before the first milestone): a
    # background mention of an old date ("the first since 2021") would squash the axis.
    starts = [m.start for m in brief.milestones if m.start] + [brief.as_of]
    since = brief.case.start or (min(starts) - timedelta(days=365))
    since -= timedelta(days=31)
    shown = [e for e in brief.timeline if e.kind == "event" and e.day and e.day >= since]
    brief.counts["events_before_chart"] = sum(
        1 for e in brief.timeline if e.kind == "event" and e.day and e.day < since
    )
    events = [
        TimelineEvent(
            day=e.day,
            title=e.title,
            credibility=int(e.rating[1:]) if e.rating else None,
            rating=e.rating,
            ref=str(e.cites[0]) if e.cites else "",
        )
        for e in shown
        if e.day is not None
    ]
    if not milestones and not events:
        return None
    return timeline_chart(milestones, events, as_of=brief.as_of, fmt="svg").decode("utf-8")


def _map(brief: Brief) -> str | None:
    from watchboard.report.maps import MapPoint, MapSite, site_map_svg

    sites = [
        MapSite(s.key, s.name, s.lat, s.lon, s.polygon)
        for s in brief.case.sites
        if s.lat is not None and s.lon is not None
    ]
    points = [
        MapPoint(p["lat"], p["lon"], p["name"], p["credibility"], p["claims"])
        for p in brief.map_points
        if not p["site"]
    ]
    if not sites and not points:
        return None
    return site_map_svg(sites, points)
