"""Series preparation and the robust statistics the detectors share.

A series is two sequences of the same length: aware datetimes in increasing order and values
that are numbers or ``None`` (a known gap; NaN and infinities are gaps too). Detectors work on
the observed values only and report positions in the series as given, gaps included.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from numbers import Real

import numpy as np

from watchboard.detect.errors import SeriesError

#: 1 / Phi^-1(3/4): turns a median absolute deviation into a standard deviation (Gaussian).
MAD_TO_SD = 1.482602218505602
#: sqrt(pi / 2): turns a mean absolute deviation into a standard deviation (Gaussian).
MEAN_AD_TO_SD = 1.2533141373155001
#: The calendar periods a seasonal baseline can use, and how many keys each has.
PERIODS = {"month": 12, "quarter": 4, "week": 53}

FloatArray = np.ndarray


@dataclass(frozen=True)
class Series:
    """A validated series: every time, and the observed values with their positions."""

    times: tuple[datetime, ...]  # as given, gaps included
    index: np.ndarray  # int positions (in ``times``) of the observed values
    x: np.ndarray  # float64 observed values, in order

    def __len__(self) -> int:
        return len(self.x)

    def time(self, i: int) -> datetime:
        """The time of the i-th *observed* value."""
        return self.times[int(self.index[i])]

    def observed_times(self) -> list[datetime]:
        return [self.times[int(i)] for i in self.index]


def prepare_series(times: Sequence[datetime], values: Sequence[float | None]) -> Series:
    """Check a series and keep its observed values.

    Raises :class:`SeriesError` when the lengths differ, a time is not a timezone-aware
    datetime, times go backwards, or a value is neither a number nor ``None``.
    """
    times = tuple(times)
    values = list(values)
    if len(times) != len(values):
        raise SeriesError(
            f"the series has {len(times)} times but {len(values)} values; give one value"
            " (or None for a gap) per time"
        )
    previous: datetime | None = None
    for i, t in enumerate(times):
        if not isinstance(t, datetime) or t.tzinfo is None or t.utcoffset() is None:
            raise SeriesError(
                f"time #{i} ({t!r}) is not a timezone-aware datetime; give times in UTC,"
                " e.g. datetime(2026, 1, 1, tzinfo=UTC)"
            )
        if previous is not None and t < previous:
            raise SeriesError(
                f"times must not decrease: #{i} ({t.isoformat()}) comes before #{i - 1}"
                f" ({previous.isoformat()}); sort the series first"
            )
        previous = t
    x = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, Real):
            raise SeriesError(f"value #{i} ({v!r}) is not a number; use None for a gap")
        x[i] = float(v)
    observed = np.flatnonzero(np.isfinite(x))
    return Series(times=times, index=observed, x=x[observed])


# -- robust statistics ----------------------------------------------------------------------


def robust_sd(x: np.ndarray) -> float:
    """A robust standard deviation: 1.4826 x the median absolute deviation (MAD).

    When more than half the values are equal the MAD is 0 (or, after floating-point rounding,
    a billionth of the largest deviation or less); the mean absolute deviation from the median
    (x 1.2533) is used then, so a series that is constant except for a few points, or a
    repeating pattern, still gets a sensible scale. 0 only when every value is the same (or
    there are fewer than 2).
    """
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return 0.0
    deviations = np.abs(x - median(x))
    largest = float(deviations.max())
    mad = median(deviations) * MAD_TO_SD
    if mad > 1e-9 * largest:
        return mad
    return float(np.mean(deviations)) * MEAN_AD_TO_SD


def noise_sd(x: np.ndarray) -> float:
    """The point-to-point noise of a series: ``robust_sd`` of first differences / sqrt(2).

    Level shifts, trends and slow cycles barely move it (they change few differences, or all
    by a little), which is why detectors measure shifts against it.
    """
    x = np.asarray(x, dtype=float)
    if len(x) < 3:
        return 0.0
    return robust_sd(np.diff(x)) / math.sqrt(2.0)


def scale_floor(scale: float, level: float) -> float:
    """A scale that is never 0: a constant series gets a tiny one (1e-9 of its level).

    Deviations from a perfectly constant baseline then score very high, which is what they
    are, and nothing divides by zero.
    """
    floor = 1e-9 * max(1.0, abs(level))
    return scale if scale > floor else floor


def median(x: np.ndarray) -> float:
    """The median of a non-empty array (np.partition: several times faster than np.median on
    the short arrays the detectors use)."""
    n = len(x)
    low, high = (n - 1) // 2, n // 2
    part = np.partition(x, (low, high))
    return float((part[low] + part[high]) / 2.0)


@dataclass(frozen=True)
class _Groups:
    """Values sorted by (key, value), with group boundaries and each element's group."""

    v: np.ndarray  # sorted values
    keys: np.ndarray  # key of each group
    starts: np.ndarray  # first position of each group
    sizes: np.ndarray  # size of each group
    start_of: np.ndarray  # per element: its group's start
    size_of: np.ndarray  # per element: its group's size

    @classmethod
    def of(cls, values: np.ndarray, keys: np.ndarray) -> _Groups:
        order = np.lexsort((values, keys))
        v = values[order]
        k = keys[order]
        first = np.ones(len(v), dtype=bool)
        first[1:] = k[1:] != k[:-1]
        starts = np.flatnonzero(first)
        sizes = np.diff(np.append(starts, len(v)))
        group = np.cumsum(first) - 1
        return cls(v, k[starts], starts, sizes, starts[group], sizes[group])

    def medians(self) -> np.ndarray:
        mid = self.starts + self.sizes // 2
        return np.where(self.sizes % 2 == 1, self.v[mid], (self.v[mid - 1] + self.v[mid]) / 2.0)

    def loo_residuals(self) -> np.ndarray:
        keep = self.size_of >= 2
        s0, m = self.start_of[keep], self.size_of[keep]
        j = np.flatnonzero(keep) - s0  # rank within the group
        r = m // 2
        # m even: the m - 1 others have one middle value; m odd: the mean of two middle values.
        low = np.where(j < r, s0 + r, s0 + r - 1)
        high = np.minimum(np.where(j <= r, s0 + r + 1, s0 + r), len(self.v) - 1)
        others = np.where(m % 2 == 0, self.v[low], (self.v[low] + self.v[high]) / 2.0)
        return self.v[keep] - others


def loo_residuals(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Leave-one-out residuals within groups: each value minus the median of the *other*
    values with the same key (groups of one value give none).

    A new value is compared with the median of a baseline it is not part of; residuals of the
    baseline against its own median would be too small (for 3 values one of them is always 0).
    """
    if len(values) == 0:
        return np.empty(0)
    return _Groups.of(np.asarray(values, dtype=float), np.asarray(keys)).loo_residuals()


@dataclass(frozen=True)
class Baseline:
    """Robust levels (per period key) and one pooled scale, fitted on a baseline sample."""

    levels: dict[int, float]  # median per key
    counts: dict[int, int]  # values per key
    overall: float  # median of all values
    scale: float  # robust SD of leave-one-out residuals; never 0 (see scale_floor)

    def level(self, key: int) -> float:
        return self.levels.get(key, self.overall)


def fit_baseline(values: np.ndarray, keys: np.ndarray) -> Baseline:
    """Fit per-key medians and a pooled robust scale (``values`` must not be empty)."""
    values = np.asarray(values, dtype=float)
    groups = _Groups.of(values, np.asarray(keys, dtype=np.int64))
    keys_list = groups.keys.tolist()
    levels = dict(zip(keys_list, groups.medians().tolist(), strict=True))
    counts = dict(zip(keys_list, groups.sizes.tolist(), strict=True))
    overall = median(values)
    residuals = groups.loo_residuals()
    # With every key seen once there are no residuals: the spread of the values is all there is.
    scale = robust_sd(residuals) if len(residuals) >= 2 else robust_sd(values)
    return Baseline(levels, counts, overall, scale_floor(scale, overall))


# -- calendar -------------------------------------------------------------------------------


def period_key(t: datetime, period: str | None) -> int:
    """The period-of-year of a time, in UTC: month 0-11, quarter 0-3, ISO week 0-52; 0 for
    no period."""
    if period is None:
        return 0
    t = t.astimezone(UTC)
    if period == "month":
        return t.month - 1
    if period == "quarter":
        return (t.month - 1) // 3
    if period == "week":
        return t.isocalendar().week - 1
    raise ValueError(f"unknown period {period!r}")


def period_keys(times: Sequence[datetime], period: str | None) -> np.ndarray:
    return np.fromiter((period_key(t, period) for t in times), dtype=np.int64, count=len(times))


def period_start(t: datetime, period: str) -> datetime:
    """The start (UTC) of the calendar period that contains ``t``."""
    t = t.astimezone(UTC)
    if period == "month":
        return datetime(t.year, t.month, 1, tzinfo=UTC)
    if period == "quarter":
        return datetime(t.year, 3 * ((t.month - 1) // 3) + 1, 1, tzinfo=UTC)
    if period == "week":
        day = datetime(t.year, t.month, t.day, tzinfo=UTC)
        return day - timedelta(days=day.weekday())
    if period == "year":
        return datetime(t.year, 1, 1, tzinfo=UTC)
    raise ValueError(f"unknown period {period!r}")


def add_months(t: datetime, months: int) -> datetime:
    """``t`` moved by a number of calendar months (the day clamped to the month's length)."""
    total = t.year * 12 + (t.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    days = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return t.replace(year=year, month=month, day=min(t.day, days))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def epoch_seconds(times: Sequence[datetime]) -> np.ndarray:
    return np.fromiter((t.timestamp() for t in times), dtype=float, count=len(times))


def runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True values."""
    padded = np.concatenate(([False], np.asarray(flags, dtype=bool), [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]
