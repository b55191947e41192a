from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import matplotlib
import pytest

from watchboard.charts import ChartError, Mark, Window, render_series_chart, series_chart
from watchboard.model.observation import Change

SVG = "{http://www.w3.org/2000/svg}"
START = datetime(2024, 1, 1, tzinfo=UTC)
TIMES = [START + timedelta(days=30 * i) for i in range(36)]
VALUES: list[float | None] = [10.0 + (i % 5) * 0.3 + (4.0 if i >= 24 else 0.0) for i in range(36)]
VALUES[10] = None


def change(i: int, direction: str = "up") -> Change:
    return Change(
        index=i,
        time=TIMES[i],
        detector="change_point",
        direction=direction,
        magnitude=4.0 if direction == "up" else -2.0,
        score=6.5,
    )


CHANGES = [change(24), change(30, "down")]
WINDOWS = [
    Window(date(2025, 1, 1), date(2025, 3, 31), "Congress"),
    (date(2026, 1, 1), date(2026, 6, 30)),
]
MARKS = [Mark(date(2024, 12, 26), "KCNA: order"), (date(2025, 2, 1), "Yonhap"), date(2025, 6, 1)]


def draw(tmp_path, fmt="svg", **kwargs):
    args = {
        "changes": CHANGES,
        "windows": WINDOWS,
        "marks": MARKS,
        "title": "Night-time light radiance, Kanggye area",
        "unit": "nW/cm2/sr",
    } | kwargs
    return series_chart(TIMES, VALUES, out_path=tmp_path / f"chart.{fmt}", format=fmt, **args)


def ids(svg: bytes, prefix: str) -> list[str]:
    root = ET.fromstring(svg)
    pattern = re.compile(rf"{prefix}-\d+$")
    return [e.get("id", "") for e in root.iter() if pattern.match(e.get("id", ""))]


def test_svg_parses_and_has_one_element_per_change_window_and_mark(tmp_path):
    svg = draw(tmp_path).read_bytes()
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert ids(svg, "change") == ["change-0", "change-1"]
    assert ids(svg, "change-label") == ["change-label-0", "change-label-1"]
    assert ids(svg, "window") == ["window-0", "window-1"]
    assert ids(svg, "window-label") == ["window-label-0"]  # the second window has no label
    assert ids(svg, "mark") == ["mark-0", "mark-1", "mark-2"]
    assert ids(svg, "mark-label") == ["mark-label-0", "mark-label-1"]
    assert root.find(f"{SVG}title").text == "Night-time light radiance, Kanggye area"
    assert root.get("role") == "img"


def test_svg_is_self_contained(tmp_path):
    svg = draw(tmp_path).read_text(encoding="utf-8")
    without_namespaces = re.sub(r'xmlns(:\w+)?="http://www\.w3\.org/[^"]*"', "", svg)
    assert "http" not in without_namespaces
    assert "<!DOCTYPE" not in svg
    assert "@font-face" not in svg and "<image" not in svg and "<text" not in svg  # text is paths
    assert "<metadata" not in svg and "<dc:date" not in svg


def test_the_same_chart_gives_the_same_bytes(tmp_path):
    args = {"title": "t", "unit": "u", "changes": CHANGES, "windows": WINDOWS, "marks": MARKS}
    for fmt in ("svg", "png"):
        first = render_series_chart(TIMES, VALUES, format=fmt, **args)
        assert render_series_chart(TIMES, VALUES, format=fmt, **args) == first


def test_charts_with_different_titles_get_different_ids():
    a = render_series_chart(TIMES, VALUES, title="a", unit="u")
    b = render_series_chart(TIMES, VALUES, title="b", unit="u")
    clip_a = set(re.findall(rb'clipPath id="([^"]+)"', a))
    clip_b = set(re.findall(rb'clipPath id="([^"]+)"', b))
    assert clip_a and clip_a.isdisjoint(clip_b)  # several charts can be inlined in one page


def test_png_is_a_png_of_the_requested_size(tmp_path):
    data = draw(tmp_path, "png", width=6.0, height=2.5, dpi=100).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (600, 250)
    assert b"Software" not in data and b"Creation Time" not in data


def test_a_series_of_gaps_still_draws(tmp_path):
    svg = render_series_chart(TIMES[:3], [None, None, None], title="empty", unit="")
    ET.fromstring(svg)
    svg = render_series_chart([], [], title="nothing", unit="", marks=[date(2026, 1, 1)])
    assert ids(svg, "mark") == ["mark-0"]


def test_gaps_are_drawn_dotted(tmp_path):
    svg = draw(tmp_path).read_bytes()
    assert ids(svg, "gaps") == [] and b'id="gaps"' in svg
    svg_full = render_series_chart(TIMES, [1.0] * len(TIMES), title="t", unit="u")
    assert b'id="gaps"' not in svg_full


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ChartError, match="format 'pdf'"):
        draw(tmp_path, "pdf")
    with pytest.raises(ChartError, match="one value per time"):
        render_series_chart(TIMES, VALUES[:3], title="t", unit="u")
    with pytest.raises(ChartError, match="window"):
        render_series_chart(TIMES, VALUES, title="t", unit="u", windows=["2026"])  # type: ignore[list-item]


def test_drawing_leaves_matplotlib_global_state_alone(tmp_path):
    backend = matplotlib.get_backend()
    salt = matplotlib.rcParams["svg.hashsalt"]
    draw(tmp_path)
    draw(tmp_path, "png")
    assert matplotlib.get_backend() == backend
    assert matplotlib.rcParams["svg.hashsalt"] == salt


def test_out_path_parents_are_created(tmp_path):
    path = series_chart(TIMES, VALUES, title="t", unit="u", out_path=tmp_path / "a" / "b" / "c.svg")
    assert path.is_file()


def test_detector_output_charts_end_to_end(tmp_path):
    from watchboard.detect import run_detector

    changes = run_detector("change_point", TIMES, VALUES, {"min_shift_sd": 3.0})
    assert changes
    svg = series_chart(
        TIMES, VALUES, changes=changes, title="t", unit="u", out_path=tmp_path / "x.svg"
    )
    assert len(ids(svg.read_bytes(), "change")) == len(changes)
