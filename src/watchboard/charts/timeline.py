"""A timeline of milestones (due windows coloured by status) and dated events (coloured by
credibility) with an "as of" line, as self-contained SVG or PNG for briefs.

Drawn like :mod:`watchboard.charts.series` (matplotlib, Agg, no pyplot, no global state) and
with its helpers, so the two kinds of chart look alike in one brief.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

from watchboard.charts.series import (
    FORMATS,
    LABEL_BOX,
    SERIES_COLOR,
    ChartError,
    _clean_svg,
    _utc,
    cjk_fonts,
)


class StatusStyle(NamedTuple):
    """How a milestone status is drawn: the hatch keeps statuses apart in greyscale print."""

    face: str
    edge: str
    hatch: str


class CredibilityStyle(NamedTuple):
    """How an event of a credibility class is drawn: filled, lighter or hollow in greyscale."""

    label: str
    marker: str
    face: str
    edge: str


#: Milestone statuses (see :mod:`watchboard.assess.milestones`) in legend order. Colours are
#: from the Okabe-Ito palette (safe for colour-blind readers); hatches and the pending bar's
#: light fill tell them apart when printed in grey.
STATUS_STYLES: dict[str, StatusStyle] = {
    "pending": StatusStyle("#e6e6e6", "#6e6e6e", ""),
    "due": StatusStyle("#e69f00", "#8a5f00", "////"),
    "achieved": StatusStyle("#009e73", "#00573f", ""),
    "overdue": StatusStyle("#d55e00", "#7a3600", "xxx"),
    "contradicted": StatusStyle("#0072b2", "#00405f", "...."),
}
STATUSES = tuple(STATUS_STYLES)
#: Information credibility (1-6, as in the Admiralty code) grouped in three classes, plus
#: events with no grade.
CREDIBILITY_STYLES: dict[str, CredibilityStyle] = {
    "high": CredibilityStyle("1–2 confirmed / probably true", "o", SERIES_COLOR, SERIES_COLOR),
    "medium": CredibilityStyle("3 possibly true", "o", "#8fb3d9", SERIES_COLOR),
    "low": CredibilityStyle(
        "4–6 doubtful / improbable / cannot be judged", "o", "white", "#6e6e6e"
    ),
    "ungraded": CredibilityStyle("not graded", "s", "white", "#9a9a9a"),
}
AS_OF_COLOR = "#222222"
#: Inches of figure height per milestone row, and per stacking level in the events lane.
ROW_HEIGHT = 0.3
LEVEL_HEIGHT = 0.16
#: Events closer than this (with their reference labels) are stacked; above this many levels
#: they share the least crowded one.
MAX_LEVELS = 6
EVENT_MARKER_SIZE = 5.5
#: Points from an event's dot to its ref label (clear of the dot and the label's box).
REF_OFFSET = 6.0
LEGEND_HEADERS = {"status": "Milestone status:", "credibility": "Event credibility:"}
LEGEND_FONT_SIZE = 7.5
#: A legend entry's handle, gap to its text and gap to the next entry, in font sizes.
LEGEND_SPACING = (1.6, 0.4, 1.0)
#: Not strftime's %b, which follows the process's locale.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class TimelineMilestone:
    """A projected milestone with its due window (either end may be open) and status.

    ``status`` is one of ``pending``, ``due``, ``achieved``, ``overdue``, ``contradicted``.
    """

    key: str
    title: str
    start: date | None
    end: date | None
    status: str


@dataclass(frozen=True)
class TimelineEvent:
    """A dated past event, graded for credibility (1-6) and optionally rated (e.g. ``B2``).

    ``ref`` (e.g. ``E3``, a footnote or table row in the brief) is printed beside the dot.
    """

    day: date
    title: str
    credibility: int | None = None
    rating: str | None = None
    ref: str = ""


def timeline_chart(
    milestones: Sequence[TimelineMilestone],
    events: Sequence[TimelineEvent],
    *,
    as_of: date,
    title: str | None = None,
    fmt: str = "svg",
    width_in: float = 8.0,
    height_in: float | None = None,
    dpi: int = 150,
    label_chars: int = 36,
) -> bytes:
    """The timeline as SVG or PNG bytes (for inlining in HTML briefs and pages).

    * one row per milestone, in the order given, labelled with its title (cut to
      ``label_chars`` with an ellipsis; East Asian characters count double): a bar over its
      due window (both ends inclusive) coloured and hatched by status, or a diamond when it
      has one date (or a one-day window), or "no due date" in italics; the status is also
      written beside it, and an overdue milestone has a dotted line from its window's end
      to the as-of date. SVG ids ``milestone-bar-N``, ``milestone-point-N``,
      ``milestone-undated-N`` (N is the milestone's index in ``milestones``);
    * an "Events" lane below: a dot per event coloured by credibility class, events too
      close to tell apart stacked, each labelled with its ``ref``; ids ``event-N`` (index in
      ``events``). In SVG, hovering a milestone or event shows its full title and dates;
    * a vertical line at ``as_of`` labelled with the date; a legend of the statuses and
      credibility classes shown; weeks, months or years on the axis, as the span needs.

    ``height_in`` defaults to what the rows need; ``dpi`` applies to PNG only. The output is
    self-contained and deterministic as in
    :func:`~watchboard.charts.series.render_series_chart` (month names are English whatever
    the locale); ids are salted with a hash of the arguments, so that several charts can be
    inlined in one page.
    """
    if fmt not in FORMATS:
        raise ChartError(f"format {fmt!r} is not supported; use one of: {', '.join(FORMATS)}")
    if not milestones and not events:
        raise ChartError("nothing to draw: give at least one milestone or event")
    for m in milestones:
        _check_milestone(m)
    for e in events:
        if e.credibility is not None and not 1 <= e.credibility <= 6:
            raise ChartError(
                f"event {e.title!r} on {e.day}: credibility {e.credibility} is not 1-6; "
                "give a grade from 1 (confirmed) to 6 (cannot be judged) or None"
            )
    if label_chars < 4:
        raise ChartError(f"label_chars {label_chars} is too small; give 4 or more")
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    salt = hashlib.sha256(
        repr((list(milestones), list(events), as_of, title, width_in, height_in)).encode()
    ).hexdigest()[:12]
    rc: dict[Any, Any] = {
        "svg.hashsalt": f"watchboard-{salt}",
        "svg.fonttype": "path",
        "font.family": ["DejaVu Sans", *cjk_fonts()],
        "font.size": 8.5,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.spines.left": False,
        "hatch.linewidth": 0.6,
        "timezone": "UTC",
    }
    layout = _Layout.plan(milestones, events, as_of, width_in)
    fig_height = height_in if height_in is not None else layout.height()
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(width_in, fig_height), layout="constrained")
        FigureCanvasAgg(fig)  # raster output through Agg, whatever the process's backend
        legend_in = layout.legend_height()
        grid = fig.add_gridspec(2, 1, height_ratios=[max(fig_height - legend_in, 0.5), legend_in])
        ax = fig.add_subplot(grid[0])
        legend_ax = fig.add_subplot(grid[1])
        _draw(ax, legend_ax, milestones, events, as_of, layout, label_chars)
        if title:
            # From the figure's left edge, above the row labels, as a brief's figure title.
            fig.suptitle(_shorten(title, int(width_in * 11)), x=0.01, ha="left", fontsize=10)
        buffer = io.BytesIO()
        if fmt == "svg":
            fig.savefig(
                buffer,
                format="svg",
                metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
            )
            svg = _clean_svg(buffer.getvalue(), title or "Timeline of milestones and events")
            return _add_tooltips(svg, milestones, events)
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        return buffer.getvalue()


def _check_milestone(m: TimelineMilestone) -> None:
    if m.status not in STATUS_STYLES:
        raise ChartError(
            f"milestone {m.key!r}: status {m.status!r} is unknown; use one of: "
            + ", ".join(STATUSES)
        )
    if m.start is not None and m.end is not None and _utc(m.end) < _utc(m.start):
        raise ChartError(
            f"milestone {m.key!r}: due window ends ({m.end}) before it starts ({m.start}); "
            "swap the dates"
        )


def _credibility_class(grade: int | None) -> str:
    if grade is None:
        return "ungraded"
    return "high" if grade <= 2 else "medium" if grade == 3 else "low"


@dataclass(frozen=True)
class _Layout:
    """Where things go: the time range and each event's stacking level in the lane."""

    lo: datetime
    hi: datetime
    rows: int
    width: float  # of the figure, inches
    levels: tuple[int, ...]  # per event, in the order given
    legend: tuple[tuple[str, ...], ...]  # see _plan_legend

    @classmethod
    def plan(
        cls,
        milestones: Sequence[TimelineMilestone],
        events: Sequence[TimelineEvent],
        as_of: date,
        width: float,
    ) -> _Layout:
        days = [_utc(as_of)] + [_utc(e.day) for e in events]
        for m in milestones:
            days += [_utc(d) for d in (m.start, m.end) if d is not None]
        # a window covers its last day
        days += [_utc(m.end) + timedelta(days=1) for m in milestones if m.start and m.end]
        first, last = min(days), max(days)
        span = max(last - first, timedelta(days=14))
        pad = span * 0.04
        lo, hi = first - pad, last + pad + span * 0.06  # room on the right for labels
        # Stack events that would touch: a dot with its ref needs about this many days.
        per_inch = (hi - lo) / max(width - 2.6, 2.0)  # less the row labels and margins
        order = sorted(range(len(events)), key=lambda i: (_utc(events[i].day), i))
        ends: list[datetime] = []  # per level, where the last dot (and its label) ends
        levels = [0] * len(events)
        for i in order:
            start = _utc(events[i].day)
            ref = events[i].ref
            label = (REF_OFFSET / 72 + 0.05 * len(ref) + 0.03) if ref else EVENT_MARKER_SIZE / 144
            needed = per_inch * (EVENT_MARKER_SIZE / 144 + label)
            free = [k for k, end in enumerate(ends) if end <= start - per_inch * 0.05]
            if free:
                level = free[0]
            elif len(ends) < MAX_LEVELS:
                level = len(ends)
                ends.append(start)
            else:  # crowded: share the level that frees up first
                level = min(range(len(ends)), key=lambda k: ends[k])
            ends[level] = start + needed
            levels[i] = level
        legend = _plan_legend(milestones, events, width)
        return cls(lo, hi, len(milestones), width, tuple(levels), legend)

    @property
    def lane_levels(self) -> int:
        return max(self.levels, default=-1) + 1

    def height(self) -> float:
        lane = (0.2 + LEVEL_HEIGHT * max(self.lane_levels, 2)) if self.levels else 0.0
        return 0.95 + ROW_HEIGHT * self.rows + lane + 0.35 + self.legend_height()

    def legend_height(self) -> float:
        return 0.06 + 0.19 * len(self.legend)


def _draw(
    ax: object,
    legend_ax: object,
    milestones: Sequence[TimelineMilestone],
    events: Sequence[TimelineEvent],
    as_of: date,
    layout: _Layout,
    label_chars: int,
) -> None:
    from matplotlib import dates as mdates
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes) and isinstance(legend_ax, Axes)

    def num(t: date) -> float:
        return float(mdates.date2num(_utc(t)))

    lo, hi = num(layout.lo), num(layout.hi)
    near_right = hi - (hi - lo) * 0.2
    ticks: list[float] = []
    tick_labels: list[str] = []
    for i, m in enumerate(milestones):
        style = STATUS_STYLES[m.status]
        ticks.append(i)
        tick_labels.append(_shorten(m.title, label_chars))
        dates = sorted(_utc(d) for d in (m.start, m.end) if d is not None)
        if not dates:
            ax.text(
                lo + (hi - lo) * 0.01,
                i,
                f"no due date · {m.status}",
                va="center",
                fontsize=7.5,
                style="italic",
                color="0.35",
                gid=f"milestone-undated-{i}",
            )
            continue
        start, end = num(dates[0]), num(dates[-1])
        if m.start is not None and m.end is not None and end > start:
            end += 1.0  # the window includes its last day
            ax.barh(
                i,
                end - start,
                left=start,
                height=0.52,
                facecolor=style.face,
                edgecolor=style.edge,
                hatch=style.hatch or None,
                hatchcolor=style.edge,
                linewidth=0.8,
                gid=f"milestone-bar-{i}",
            )
        else:
            ax.plot(
                [start],
                [i],
                marker="D",
                markersize=8,
                markerfacecolor=style.face,
                markeredgecolor=style.edge,
                markeredgewidth=1.0,
                linestyle="none",
                gid=f"milestone-point-{i}",
            )
            end = start
        late = (_utc(as_of) - dates[-1]).days
        text = f"overdue by {late} days" if m.status == "overdue" and late > 0 else m.status
        if late > 0 and m.status == "overdue":
            ax.plot(
                [end, num(as_of)],
                [i, i],
                color=style.edge,
                linestyle=(0, (1, 2)),
                linewidth=1.0,
                gid=f"milestone-slip-{i}",
            )
        gap = 3.0 if end > start else 6.5  # points from a bar's end, or a diamond's centre
        if end > near_right:  # no room on the right: write it to the left of the bar
            at, offset, ha, va = start, (-gap, 0.0), "right", "center"
        elif text != m.status:  # above the dotted slip line
            at, offset, ha, va = end, (gap, 1.5), "left", "bottom"
        else:
            at, offset, ha, va = end, (gap, 0.0), "left", "center"
        ax.annotate(
            text,
            (at, i),
            xytext=offset,
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=7,
            color=style.edge,
            bbox={**LABEL_BOX, "pad": 0.2},
        )
    if events:
        lane_top = len(milestones) - 0.5 + 0.25 if milestones else -0.5
        step = 0.55 * LEVEL_HEIGHT / ROW_HEIGHT
        lane_height = 0.35 + step * max(layout.lane_levels - 1, 1)
        center = lane_top + lane_height / 2
        ticks.append(center)
        tick_labels.append("Events")
        if milestones:
            ax.axhline(lane_top, color="0.75", linewidth=0.6)
        first_y = center - step * (layout.lane_levels - 1) / 2
        for i, e in enumerate(events):
            cstyle = CREDIBILITY_STYLES[_credibility_class(e.credibility)]
            x, y = num(e.day), first_y + step * layout.levels[i]
            ax.plot(
                [x],
                [y],
                marker=cstyle.marker,
                markersize=EVENT_MARKER_SIZE,
                markerfacecolor=cstyle.face,
                markeredgecolor=cstyle.edge,
                markeredgewidth=0.9,
                linestyle="none",
                gid=f"event-{i}",
            )
            if e.ref:
                ax.annotate(
                    e.ref,
                    (x, y),
                    xytext=(REF_OFFSET, 0.0),
                    textcoords="offset points",
                    va="center",
                    ha="left",
                    fontsize=6.5,
                    color="0.3",
                    bbox={**LABEL_BOX, "pad": 0.3},
                )
        bottom = lane_top + lane_height
    else:
        bottom = len(milestones) - 0.5
    ax.set_ylim(bottom, -0.6)  # first milestone at the top
    ax.set_xlim(lo, hi)
    ax.set_yticks(ticks, tick_labels)
    ax.tick_params(axis="y", length=0)
    ax.axvline(num(as_of), color=AS_OF_COLOR, linestyle="--", linewidth=1.0, gid="as-of")
    ax.text(
        num(as_of),
        1.0,
        f"as of {as_of.day} {MONTHS[as_of.month - 1]} {as_of.year}",
        transform=ax.get_xaxis_transform(),
        ha="center",
        va="bottom",
        fontsize=7.5,
        color=AS_OF_COLOR,
        bbox=LABEL_BOX,
        clip_on=False,
        gid="as-of-label",
    )
    _date_axis(ax, layout)
    ax.grid(axis="x", color="0.9", linewidth=0.6)
    ax.set_axisbelow(True)

    _draw_legend(legend_ax, layout.legend)


def _draw_legend(ax: object, lines: tuple[tuple[str, ...], ...]) -> None:
    """One matplotlib legend per line planned by :func:`_plan_legend`, from the figure's left."""
    from matplotlib import transforms
    from matplotlib.axes import Axes
    from matplotlib.legend import Legend
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    assert isinstance(ax, Axes)
    ax.set_axis_off()
    figure = ax.get_figure()
    assert figure is not None
    where = transforms.blended_transform_factory(figure.transFigure, ax.transAxes)
    for k, line in enumerate(lines):
        handles: list[Any] = []
        labels: list[str] = []
        for entry in line:
            kind, _, name = entry.partition(":")
            if kind in ("header", "more"):
                handles.append(Patch(visible=False))
                labels.append(LEGEND_HEADERS[name])
            elif kind == "status":
                style = STATUS_STYLES[name]
                handles.append(
                    Patch(
                        facecolor=style.face,
                        edgecolor=style.edge,
                        hatch=style.hatch or None,
                        hatchcolor=style.edge,
                        linewidth=0.8,
                    )
                )
                labels.append(name)
            else:
                cstyle = CREDIBILITY_STYLES[name]
                handles.append(
                    Line2D(
                        [],
                        [],
                        marker=cstyle.marker,
                        markersize=EVENT_MARKER_SIZE,
                        markerfacecolor=cstyle.face,
                        markeredgecolor=cstyle.edge,
                        linestyle="none",
                    )
                )
                labels.append(cstyle.label)
        legend = Legend(  # not ax.legend(), which would keep the last one to draw it twice
            ax,
            handles,
            labels,
            loc="upper left",
            bbox_to_anchor=(0.0, 1.0 - k / len(lines)),
            bbox_transform=where,
            ncol=len(handles),
            frameon=False,
            fontsize=LEGEND_FONT_SIZE,
            handlelength=LEGEND_SPACING[0],
            handletextpad=LEGEND_SPACING[1],
            columnspacing=LEGEND_SPACING[2],
            borderaxespad=0.0,
            borderpad=0.2,
        )
        legend.set_gid(f"legend-{k}")
        header = legend.get_texts()[0]
        header.set_fontweight("bold")
        if line[0].startswith("more:"):  # a continued group: keep the header's room, unprinted
            header.set_color("none")
        ax.add_artist(legend)


def _plan_legend(
    milestones: Sequence[TimelineMilestone], events: Sequence[TimelineEvent], width: float
) -> tuple[tuple[str, ...], ...]:
    """Legend lines of entries (``header:status``, ``status:due``, ``credibility:high`` ...):
    one line per group, wrapped where it would run past the figure's width."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    font = FontProperties(family=["DejaVu Sans"], size=LEGEND_FONT_SIZE)
    measure = TextToPath()

    def inches(text: str) -> float:  # a text's advance: far quicker than its path's extents
        return float(measure.get_text_width_height_descent(text, font, ismath=False)[0]) / 72

    pad = LEGEND_FONT_SIZE * sum(LEGEND_SPACING) / 72
    groups = [
        ("status", [s for s in STATUSES if any(m.status == s for m in milestones)]),
        (
            "credibility",
            [
                c
                for c in CREDIBILITY_STYLES
                if any(_credibility_class(e.credibility) == c for e in events)
            ],
        ),
    ]
    lines: list[tuple[str, ...]] = []
    for group, names in groups:
        if not names:
            continue
        header = pad + inches(LEGEND_HEADERS[group])
        line, used = [f"header:{group}"], header
        for name in names:
            label = name if group == "status" else CREDIBILITY_STYLES[name].label
            need = pad + inches(label)
            if used + need > width - 0.15 and len(line) > 1:
                lines.append(tuple(line))
                line, used = [f"more:{group}"], header
            line.append(f"{group}:{name}")
            used += need
        lines.append(tuple(line))
    return tuple(lines)


def _date_axis(ax: object, layout: _Layout) -> None:
    """Weeks up to ten weeks, then months (every one, other one or third, as many as fit),
    then years; the year printed at the first tick and at each January."""
    from matplotlib import dates as mdates
    from matplotlib.axes import Axes
    from matplotlib.ticker import FuncFormatter

    assert isinstance(ax, Axes)
    width = layout.width
    days = (layout.hi - layout.lo).days
    minor: mdates.DateLocator | None = None
    major: mdates.DateLocator
    room = 2.8 * max(width - 2.6, 2.0)  # month labels that fit along the axis
    step = next((n for n in (1, 2, 3) if days / 30.4 / n <= room), None)
    if days <= 70:
        major = mdates.WeekdayLocator(byweekday=mdates.MO)
        minor = mdates.DayLocator()
        unit = "week"
    elif step is not None:  # every month, other month or quarter, so always January
        major = mdates.MonthLocator(bymonth=range(1, 13, step))
        minor = mdates.MonthLocator() if step > 1 else None
        unit = "month"
    else:
        years = max(1, round(days / 365 / 8))
        major = mdates.YearLocator(base=years)
        minor = mdates.MonthLocator(bymonth=(1, 4, 7, 10)) if years == 1 else None
        unit = "year"

    def label(x: float, pos: int | None) -> str:
        when = mdates.num2date(x)
        if unit == "year":
            return str(when.year)
        text = MONTHS[when.month - 1]
        if unit == "week":
            text = f"{when.day} {text}"
        if pos == 0 or (when.month == 1 and when.day <= 7):
            text += f"\n{when.year}"
        return text

    ax.xaxis.set_major_locator(major)
    ax.xaxis.set_major_formatter(FuncFormatter(label))
    if minor is not None:
        ax.xaxis.set_minor_locator(minor)
    ax.tick_params(axis="x", which="minor", length=2)


_WIDE = {"W", "F"}


def _shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` columns with an ellipsis (wide characters such
    as Hangul take two columns)."""
    text = " ".join(text.split())
    widths = [2 if unicodedata.east_asian_width(c) in _WIDE else 1 for c in text]
    if sum(widths) <= limit:
        return text
    used = 0
    for n, w in enumerate(widths):
        if used + w > limit - 1:  # keep a column for the ellipsis
            return text[:n].rstrip() + "…"
        used += w
    return text  # pragma: no cover - the sum above says otherwise


def _add_tooltips(
    svg: bytes, milestones: Sequence[TimelineMilestone], events: Sequence[TimelineEvent]
) -> bytes:
    """Give each milestone and event group a <title> (a hover tooltip) with its full text."""
    tips: dict[str, str] = {}
    for i, m in enumerate(milestones):
        if m.start and m.end:
            when = f"due {m.start}" + (f" – {m.end}" if m.end != m.start else "")
        elif m.start or m.end:
            when = f"due from {m.start}" if m.start else f"due by {m.end}"
        else:
            when = "no due date"
        for kind in ("bar", "point", "undated"):
            tips[f"milestone-{kind}-{i}"] = f"{m.title} ({when}; {m.status})"
    for i, e in enumerate(events):
        grade = e.rating or (str(e.credibility) if e.credibility is not None else "not graded")
        ref = f"{e.ref}: " if e.ref else ""
        tips[f"event-{i}"] = f"{ref}{e.title} ({e.day}; {grade})"

    def add(match: re.Match[bytes]) -> bytes:
        tip = tips.get(match.group(1).decode())
        if tip is None:
            return match.group(0)
        return match.group(0) + b"\n  <title>" + escape(tip).encode() + b"</title>"

    return _GROUP.sub(add, svg)


_GROUP = re.compile(rb'<g id="((?:milestone-(?:bar|point|undated)|event)-\d+)">')
