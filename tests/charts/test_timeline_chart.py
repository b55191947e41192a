from __future__ import annotations

import io
import logging
import re
import warnings
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import matplotlib
import numpy as np
import pytest
from matplotlib import colors
from matplotlib import image as mimage

from watchboard.charts import ChartError, TimelineEvent, TimelineMilestone, timeline_chart
from watchboard.charts.series import cjk_fonts
from watchboard.charts.timeline import STATUS_STYLES, STATUSES

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
AS_OF = date(2026, 11, 29)
MILESTONES = [
    TimelineMilestone(
        "sohae-pad", "Sohae launch pad extension completed", date(2026, 3, 1), date(2026, 6, 30),
        "overdue",
    ),
    TimelineMilestone(
        "elwr-hall", "Yongbyon ELWR second reactor hall roofed", date(2026, 9, 1),
        date(2026, 12, 31), "due",
    ),
    TimelineMilestone(
        "congress", "Party Congress opens (9th Congress of the Workers' Party of Korea)",
        date(2026, 1, 1), date(2026, 2, 28), "achieved",
    ),
]  # fmt: skip
EVENTS = [
    TimelineEvent(date(2025, 12, 4), "KCNA: leader inspects Sohae", 2, "B2", "E1"),
    TimelineEvent(date(2026, 1, 9), "Imagery: new rail spur at Sohae", 1, "A1", "E2"),
    TimelineEvent(date(2026, 1, 12), "Rodong Sinmun: Congress date announced", 2, "B2", "E3"),
    TimelineEvent(date(2026, 2, 20), "Yonhap: Congress convened", 1, "A1", "E4"),
    TimelineEvent(date(2026, 3, 15), "Defector report: pad work halted", 5, "E5", "E5"),
    TimelineEvent(date(2026, 4, 2), "38 North: gantry crane removed", 3, "C3", "E6"),
    TimelineEvent(date(2026, 5, 21), "NK News: Yongbyon roof trusses", 3, "C3", "E7"),
    TimelineEvent(date(2026, 6, 30), "KCNA: 'construction on schedule'", 4, "D4", "E8"),
    TimelineEvent(date(2026, 7, 3), "Imagery: pad unchanged since April", 2, "B2", "E9"),
    TimelineEvent(date(2026, 8, 19), "Telegram channel: launch imminent", 6, "F6", "E10"),
    TimelineEvent(date(2026, 10, 7), "Imagery: ELWR hall roof half covered", 2, "B2", "E11"),
    TimelineEvent(date(2026, 11, 18), "Unattributed social media post", None, None, "E12"),
]
TITLE = "Projected milestones and reported events, Dec 2025 – Nov 2026"


def draw(milestones=MILESTONES, events=EVENTS, **kwargs) -> bytes:
    return timeline_chart(milestones, events, **({"as_of": AS_OF, "title": TITLE} | kwargs))


def ids(svg: bytes, prefix: str) -> list[str]:
    pattern = re.compile(rf"{prefix}-\d+$")
    return [e.get("id", "") for e in ET.fromstring(svg).iter() if pattern.match(e.get("id", ""))]


def marker_positions(svg: bytes, prefix: str) -> dict[str, tuple[float, float]]:
    """Where each marker group (``<g id="event-3">``) puts its marker, in SVG units."""
    found = {}
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        if re.fullmatch(rf"{prefix}-\d+", group.get("id", "")):
            use = group.find(f".//{SVG}use")
            assert use is not None
            found[group.get("id", "")] = (float(use.get("x", "nan")), float(use.get("y", "nan")))
    return found


def test_svg_parses_and_has_one_bar_per_dated_milestone():
    milestones = [
        *MILESTONES,
        TimelineMilestone("test", "Test launch", None, date(2026, 8, 15), "contradicted"),
        TimelineMilestone("slbm", "New SLBM submarine launched", None, None, "pending"),
        TimelineMilestone("day", "Anniversary parade", date(2026, 4, 25), date(2026, 4, 25), "due"),
    ]
    svg = draw(milestones)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == TITLE
    assert ids(svg, "milestone-bar") == ["milestone-bar-0", "milestone-bar-1", "milestone-bar-2"]
    assert ids(svg, "milestone-point") == ["milestone-point-3", "milestone-point-5"]
    assert ids(svg, "milestone-undated") == ["milestone-undated-4"]
    assert ids(svg, "milestone-slip") == ["milestone-slip-0"]  # only the overdue one
    assert ids(svg, "event") == [f"event-{i}" for i in range(len(EVENTS))]
    assert b'id="as-of"' in svg and b'id="as-of-label"' in svg
    assert ids(svg, "legend") == ["legend-0", "legend-1"]  # statuses, then credibility


def test_svg_is_self_contained():
    svg = draw().decode("utf-8")
    without_namespaces = re.sub(r'xmlns(:\w+)?="http://www\.w3\.org/[^"]*"', "", svg)
    assert "http" not in without_namespaces
    assert "<!DOCTYPE" not in svg
    assert "@font-face" not in svg and "<image" not in svg and "<text" not in svg
    assert "<metadata" not in svg and "<dc:date" not in svg


def test_the_same_chart_gives_the_same_bytes():
    for fmt in ("svg", "png"):
        assert draw(fmt=fmt) == draw(fmt=fmt)


def test_different_charts_get_different_ids():
    a, b = draw(), draw(events=EVENTS[:3])
    clip_a = set(re.findall(rb'clipPath id="([^"]+)"', a))
    clip_b = set(re.findall(rb'clipPath id="([^"]+)"', b))
    assert clip_a and clip_a.isdisjoint(clip_b)  # several charts can be inlined in one page


def test_svg_tooltips_give_full_titles_dates_and_grades():
    svg = draw()
    root = ET.fromstring(svg)
    bar = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "milestone-bar-2")
    assert bar.find(f"{SVG}title").text == (
        "Party Congress opens (9th Congress of the Workers' Party of Korea) "
        "(due 2026-01-01 – 2026-02-28; achieved)"
    )
    event = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "event-9")
    assert event.find(f"{SVG}title").text == (
        "E10: Telegram channel: launch imminent (2026-08-19; F6)"
    )


def test_png_is_not_blank_and_shows_every_status_colour():
    milestones = [
        TimelineMilestone(s, s.title(), date(2026, 1 + 2 * i, 1), date(2026, 2 + 2 * i, 28), s)
        for i, s in enumerate(STATUSES)
    ]
    data = draw(milestones, fmt="png", dpi=100)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"Software" not in data and b"Creation Time" not in data
    pixels = mimage.imread(io.BytesIO(data), format="png")[..., :3]
    assert pixels.shape[1] == 800  # 8 inches at 100 dpi
    assert pixels.std() > 0.1
    for status, style in STATUS_STYLES.items():
        wanted = np.array(colors.to_rgb(style.face))
        exact = np.all(np.abs(pixels - wanted) < 2 / 255, axis=-1)
        assert exact.sum() > 100, f"no {status} fill in the PNG"


def test_statuses_stay_apart_in_greyscale():
    def grey(color: str) -> float:
        r, g, b = colors.to_rgb(color)
        return 0.299 * r + 0.587 * g + 0.114 * b

    styles = list(STATUS_STYLES.values())
    for i, a in enumerate(styles):
        for b in styles[i + 1 :]:
            assert a.hatch != b.hatch or abs(grey(a.face) - grey(b.face)) > 0.25


def test_hangul_titles_render_without_missing_glyphs(caplog):
    # fonts-noto-cjk is a system dependency `make test` installs: its absence is a failure.
    assert cjk_fonts(), "no CJK font known to matplotlib: install fonts-noto-cjk"
    milestones = [
        TimelineMilestone(
            "elwr",
            "영변 실험용 경수로 2호기 건설 완료",
            date(2026, 1, 1),
            date(2026, 3, 31),
            "pending",
        ),
    ]
    events = [TimelineEvent(date(2026, 2, 3), "조선중앙통신 보도", 2, "B2", "조선1")]
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        for fmt in ("svg", "png"):
            timeline_chart(milestones, events, as_of=AS_OF, title="북한 핵 시설 일정", fmt=fmt)
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert not [m for m in messages if "missing from" in m or "findfont" in m], messages


def test_long_titles_are_cut_with_an_ellipsis():
    from watchboard.charts.timeline import _shorten

    assert _shorten("Sohae launch pad extension completed", 12) == "Sohae launc…"
    assert _shorten("short", 12) == "short"
    assert _shorten("영변 실험용 경수로", 8) == "영변 실…"  # Hangul takes two columns
    assert _shorten("line\nbreaks   and  spaces", 40) == "line breaks and spaces"


def test_crowded_events_are_stacked_and_spread_ones_are_not():
    crowded = [TimelineEvent(date(2026, 6, 1), f"report {i}", 2) for i in range(10)]
    spread = [TimelineEvent(date(2026, 1, 1) + timedelta(days=30 * i), "x", 2) for i in range(8)]
    stacked = marker_positions(draw([], crowded), "event")
    assert len({y for _, y in stacked.values()}) == 6  # up to six levels, then shared
    assert len({x for x, _ in stacked.values()}) == 1
    level = marker_positions(draw([], spread), "event")
    assert len({y for _, y in level.values()}) == 1


def test_overdue_line_runs_from_the_window_end_to_as_of():
    svg = draw(MILESTONES[:1], [])
    root = ET.fromstring(svg)
    slip = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "milestone-slip-0")
    as_of = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "as-of")
    slip_x = [float(v) for v in re.findall(r"[ML] ([\d.]+)", slip.find(f"{SVG}path").get("d"))]
    as_of_x = [float(v) for v in re.findall(r"[ML] ([\d.]+)", as_of.find(f"{SVG}path").get("d"))]
    assert max(slip_x) == pytest.approx(as_of_x[0], abs=0.01)


@pytest.mark.parametrize(
    ("start", "end", "labelled"),
    [
        (date(2026, 11, 1), date(2026, 11, 28), 5),  # Mondays
        (date(2025, 12, 1), date(2026, 11, 28), 14),  # every month
        (date(2025, 1, 1), date(2026, 11, 28), 13),  # every other month
        (date(2024, 1, 1), date(2026, 11, 28), 13),  # quarters
        (date(2019, 1, 1), date(2026, 11, 28), 9),  # years
    ],
)
def test_axis_ticks_suit_the_span(start, end, labelled):
    events = [TimelineEvent(start, "first", 1), TimelineEvent(end, "last", 1)]
    root = ET.fromstring(draw([], events))
    ticks = [g for g in root.iter(f"{SVG}g") if re.fullmatch(r"xtick_\d+", g.get("id", ""))]
    with_label = [  # the minor ticks have none
        g for g in ticks if any(c.get("id", "").startswith("text_") for c in g.iter(f"{SVG}g"))
    ]
    assert len(with_label) == labelled


def test_milestones_only_and_events_only_charts_draw():
    assert ids(draw(MILESTONES, []), "milestone-bar") != []
    assert ids(draw(MILESTONES, []), "event") == []
    assert ids(draw([], EVENTS, title=None), "event") != []


@pytest.mark.parametrize(
    ("milestones", "events", "kwargs", "message"),
    [
        ([], [], {}, "nothing to draw"),
        (
            [TimelineMilestone("k", "t", date(2026, 5, 1), date(2026, 4, 1), "due")],
            [],
            {},
            "milestone 'k': due window ends .* before it starts",
        ),
        (
            [TimelineMilestone("k", "t", None, None, "done")],
            [],
            {},
            "milestone 'k': status 'done' is unknown; use one of: pending, due",
        ),
        ([], EVENTS, {"fmt": "pdf"}, "format 'pdf' is not supported"),
        ([], [TimelineEvent(date(2026, 1, 1), "t", 9)], {}, "credibility 9 is not 1-6"),
    ],
)
def test_bad_input_is_refused_with_a_one_line_message(milestones, events, kwargs, message):
    with pytest.raises(ChartError, match=message) as caught:
        timeline_chart(milestones, events, as_of=AS_OF, **kwargs)
    assert "\n" not in str(caught.value)


def test_drawing_leaves_matplotlib_global_state_alone():
    backend = matplotlib.get_backend()
    salt = matplotlib.rcParams["svg.hashsalt"]
    draw()
    draw(fmt="png")
    assert matplotlib.get_backend() == backend
    assert matplotlib.rcParams["svg.hashsalt"] == salt
