"""Charts for briefs and pages: self-contained SVG or PNG, the same bytes for the same input."""

from __future__ import annotations

from watchboard.charts.series import (
    ChartError,
    Mark,
    Window,
    render_series_chart,
    series_chart,
)

__all__ = ["ChartError", "Mark", "Window", "render_series_chart", "series_chart"]
