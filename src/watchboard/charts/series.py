"""A line chart of one indicator series with its detected changes, milestone windows and
claim dates, as self-contained SVG or PNG (matplotlib, Agg; no pyplot, no global state)."""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np

from watchboard.errors import WatchboardError
from watchboard.model.observation import Change

FORMATS = ("svg", "png")
#: Families tried after DejaVu Sans for characters it lacks (Hangul): the first installed wins.
log = logging.getLogger(__name__)

CJK_FAMILIES = ("Noto Sans CJK KR", "Noto Sans KR", "NanumGothic", "Noto Sans CJK JP")
SERIES_COLOR = "#1f3b57"
UP_COLOR = "#b03a2e"
DOWN_COLOR = "#1f6fb2"
WINDOW_COLOR = "#8c8c8c"
MARK_COLOR = "#6b4c9a"
#: Above this many observations the line has no point markers.
MARKERS_UP_TO = 200
#: Behind labels, so that they stay legible over the line.
LABEL_BOX = {"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 0.8}


class ChartError(WatchboardError, ValueError):
    """A chart that cannot be drawn with the arguments given."""


@dataclass(frozen=True)
class Window:
    """A shaded span (e.g. a milestone's due window) with a label."""

    start: datetime | date
    end: datetime | date
    label: str = ""


@dataclass(frozen=True)
class Mark:
    """A dated tick on the time axis (e.g. when a claim was made) with a label."""

    time: datetime | date
    label: str = ""


WindowLike = (
    Window | tuple[datetime | date, datetime | date] | tuple[datetime | date, datetime | date, str]
)
MarkLike = Mark | datetime | date | tuple[datetime | date, str]


def series_chart(
    times: Sequence[datetime],
    values: Sequence[float | None],
    *,
    changes: Iterable[Change] = (),
    windows: Iterable[WindowLike] = (),
    marks: Iterable[MarkLike] = (),
    title: str,
    unit: str,
    out_path: str | Path,
    format: str = "svg",
    width: float = 8.0,
    height: float = 3.2,
    dpi: int = 150,
) -> Path:
    """Draw the chart (see :func:`render_series_chart`) and write it to ``out_path``.

    Parent folders are created. Returns the path written.
    """
    data = render_series_chart(
        times,
        values,
        changes=changes,
        windows=windows,
        marks=marks,
        title=title,
        unit=unit,
        format=format,
        width=width,
        height=height,
        dpi=dpi,
    )
    path = Path(out_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def render_series_chart(
    times: Sequence[datetime],
    values: Sequence[float | None],
    *,
    changes: Iterable[Change] = (),
    windows: Iterable[WindowLike] = (),
    marks: Iterable[MarkLike] = (),
    title: str,
    unit: str,
    format: str = "svg",
    width: float = 8.0,
    height: float = 3.2,
    dpi: int = 150,
) -> bytes:
    """The chart as SVG or PNG bytes (for inlining in HTML briefs and pages).

    * the series: a line through the values, broken at each gap (None) with a faint dotted
      line across it, with point markers up to 200 observations;
    * each change: a dashed vertical line at its time (red up, blue down) labelled with the
      detector, direction and magnitude; SVG element ids ``change-0``, ``change-1`` ...;
    * each window: a grey shaded span with its label at the top; ids ``window-N``;
    * each mark: a small triangle on the time axis with its label; ids ``mark-N``.

    The SVG is self-contained: text is drawn as paths (no fonts to fetch), no DOCTYPE, no
    metadata, no links, and the same arguments give the same bytes (ids are salted with a
    hash of the title). The PNG has no timestamp or software tag.
    """
    if format not in FORMATS:
        raise ChartError(f"format {format!r} is not supported; use one of: {', '.join(FORMATS)}")
    if len(times) != len(values):
        raise ChartError(f"{len(times)} times but {len(values)} values; give one value per time")
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    window_list = [_window(w) for w in windows]
    mark_list = [_mark(m) for m in marks]
    change_list = list(changes)
    salt = hashlib.sha256(f"{title}\x00{unit}".encode()).hexdigest()[:12]
    rc: dict[Any, Any] = {
        "svg.hashsalt": f"watchboard-{salt}",
        "svg.fonttype": "path",
        "font.family": ["DejaVu Sans", *cjk_fonts()],
        "font.size": 8.5,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 10,
        "axes.titlelocation": "left",
        "timezone": "UTC",
    }
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)  # raster output through Agg, whatever the process's backend
        ax = fig.add_subplot()
        _draw(ax, list(times), list(values), change_list, window_list, mark_list, unit)
        ax.set_title(title)
        buffer = io.BytesIO()
        if format == "svg":
            fig.savefig(
                buffer,
                format="svg",
                metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
            )
            return _clean_svg(buffer.getvalue(), title)
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        return buffer.getvalue()


def _draw(
    ax: object,
    times: list[datetime],
    values: list[float | None],
    changes: list[Change],
    windows: list[Window],
    marks: list[Mark],
    unit: str,
) -> None:
    from matplotlib import dates as mdates
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)

    def num(t: datetime | date) -> float:
        return float(mdates.date2num(_utc(t)))

    transform = ax.get_xaxis_transform()  # x in data, y in axes fraction
    x = np.array([num(t) for t in times])
    y = np.array([np.nan if v is None else float(v) for v in values])
    seen = np.isfinite(y)
    extent: list[float] = x[seen].tolist()
    if seen.any():
        if not seen.all():  # a faint dotted line across the gaps, under the series
            ax.plot(x[seen], y[seen], color=SERIES_COLOR, linewidth=0.8, linestyle=":", gid="gaps")
        ax.plot(
            x,
            y,  # NaN breaks the line at each gap
            color=SERIES_COLOR,
            linewidth=1.4,
            marker="o" if int(seen.sum()) <= MARKERS_UP_TO else None,
            markersize=2.6,
            gid="series",
        )
    else:
        ax.text(0.5, 0.5, "no observations", transform=ax.transAxes, ha="center", color="0.4")
    for i, w in enumerate(windows):
        start, end = num(w.start), num(w.end)
        ax.axvspan(start, end, color=WINDOW_COLOR, alpha=0.16, linewidth=0, gid=f"window-{i}")
        if w.label:
            ax.text(
                start,
                0.97 - 0.08 * (i % 2),  # alternate heights so neighbouring labels stay apart
                " " + w.label,
                transform=transform,
                ha="left",
                va="top",
                fontsize=7,
                color="0.25",
                bbox=LABEL_BOX,
                gid=f"window-label-{i}",
            )
        extent += [start, end]
    for i, c in enumerate(changes):
        color = UP_COLOR if c.direction == "up" else DOWN_COLOR
        when = num(c.time)
        ax.axvline(when, color=color, linestyle="--", linewidth=1.1, gid=f"change-{i}")
        arrow = "↑" if c.direction == "up" else "↓"
        text = f"{c.detector} {arrow} {c.magnitude:+.3g}" + (f" {unit}" if unit else "")
        ax.text(
            when,
            0.97,
            text + " ",
            transform=transform,
            rotation=90,
            ha="right",
            va="top",
            fontsize=7,
            color=color,
            bbox=LABEL_BOX,
            gid=f"change-label-{i}",
        )
        extent.append(when)
    for i, m in enumerate(marks):
        when = num(m.time)
        ax.plot(
            [when],
            [0.0],
            transform=transform,
            marker="^",
            markersize=6,
            color=MARK_COLOR,
            clip_on=False,
            linestyle="none",
            gid=f"mark-{i}",
        )
        if m.label:
            ax.text(
                when,
                0.04,
                " " + m.label,
                transform=transform,
                rotation=90,
                ha="right",
                va="bottom",
                fontsize=6.5,
                color=MARK_COLOR,
                bbox=LABEL_BOX,
                gid=f"mark-label-{i}",
            )
        extent.append(when)
    if seen.any():
        # Fix the value range from the data alone (marks drawn in axes coordinates must not
        # stretch it), with headroom for the labels along the top.
        low, high = float(np.nanmin(y)), float(np.nanmax(y))
        span = high - low or abs(high) or 1.0
        ax.set_ylim(low - 0.08 * span, high + 0.3 * span)
    if extent:
        lo, hi = min(extent), max(extent)
        pad = (hi - lo) * 0.02 if hi > lo else 1.0  # one day either side of a single time
        ax.set_xlim(lo - pad, hi + pad)
    locator = mdates.AutoDateLocator(tz=UTC)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=UTC))
    ax.set_ylabel(unit)
    ax.grid(axis="y", color="0.9", linewidth=0.6)
    ax.set_axisbelow(True)


def _utc(t: datetime | date) -> datetime:
    if isinstance(t, datetime):
        return t if t.tzinfo is not None else t.replace(tzinfo=UTC)
    return datetime(t.year, t.month, t.day, tzinfo=UTC)


def _window(w: WindowLike) -> Window:
    if isinstance(w, Window):
        return w
    if isinstance(w, tuple) and len(w) in (2, 3):
        return Window(w[0], w[1], str(w[2]) if len(w) == 3 else "")
    raise ChartError(f"window {w!r}: give a Window or a (start, end[, label]) tuple")


def _mark(m: MarkLike) -> Mark:
    if isinstance(m, Mark):
        return m
    if isinstance(m, datetime | date):
        return Mark(m)
    if isinstance(m, tuple) and len(m) == 2:
        return Mark(m[0], str(m[1]))
    raise ChartError(f"mark {m!r}: give a Mark, a date or a (time, label) tuple")


@lru_cache(maxsize=1)
def cjk_fonts() -> tuple[str, ...]:
    """Installed font families from :data:`CJK_FAMILIES`, for Hangul and other CJK text.

    matplotlib caches its font list once per user, so a CJK font installed afterwards (as
    ``make`` does with fonts-noto-cjk) is invisible to it: the files fontconfig knows for
    Korean are then registered by hand (``fontManager.addfont``), instead of asking users to
    delete the cache. Without any, a warning names the packages to install.
    """
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    if not installed & set(CJK_FAMILIES):
        # matplotlib caches its font list once per user; a CJK font installed afterwards (as
        # `make` does) is invisible to it until added by hand.
        for path in _system_cjk_files():
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
        installed = {f.name for f in font_manager.fontManager.ttflist}
    found = tuple(name for name in CJK_FAMILIES if name in installed)
    if not found:
        log.warning(
            "no CJK font found (%s): Hangul and other CJK text will not render; install "
            "Debian's fonts-noto-cjk or fonts-nanum",
            ", ".join(CJK_FAMILIES),
        )
    return found


def _system_cjk_files() -> list[str]:
    """Font files fontconfig knows for Korean, else the Debian packages' usual paths."""
    import glob
    import shutil
    import subprocess

    files: list[str] = []
    fc_list = shutil.which("fc-list")
    if fc_list:
        try:
            out = subprocess.run(
                [fc_list, ":lang=ko", "file"], capture_output=True, text=True, timeout=20
            ).stdout
            files = [line.split(":")[0].strip() for line in out.splitlines() if line.strip()]
        except (OSError, subprocess.SubprocessError):
            files = []
    if not files:
        files = glob.glob("/usr/share/fonts/opentype/noto/NotoSansCJK-*.ttc") + glob.glob(
            "/usr/share/fonts/truetype/nanum/NanumGothic*.ttf"
        )
    return sorted(set(files))


_DOCTYPE = re.compile(rb"<!DOCTYPE[^>]*>\s*", re.DOTALL)
_SVG_OPEN = re.compile(rb"<svg\b[^>]*>")


def _clean_svg(data: bytes, title: str) -> bytes:
    """Drop the DOCTYPE (it names an external DTD) and add an accessible <title>."""
    data = _DOCTYPE.sub(b"", data, count=1)
    match = _SVG_OPEN.search(data)
    if match is None:  # pragma: no cover - matplotlib always writes one
        return data
    label = escape(title, {'"': "&quot;"}).encode()
    opening = match.group(0)[:-1] + b' role="img" aria-label="' + label + b'">'
    element = b"\n <title>" + escape(title).encode() + b"</title>"
    return data[: match.start()] + opening + element + data[match.end() :]
