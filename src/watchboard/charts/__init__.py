"""Charts for briefs and pages: self-contained SVG or PNG, the same bytes for the same input."""

from __future__ import annotations

from watchboard.charts.series import (
    ChartError,
    Mark,
    Window,
    render_series_chart,
    series_chart,
)
from watchboard.charts.timeline import TimelineEvent, TimelineMilestone, timeline_chart

__all__ = [
    "ChartError",
    "Mark",
    "TimelineEvent",
    "TimelineMilestone",
    "Window",
    "render_series_chart",
    "series_chart",
    "timeline_chart",
]
