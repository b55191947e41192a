"""Calendar arithmetic for the time normaliser: periods, shifts, TIMEX3 values, intervals.

A :class:`Period` is an anchored calendar unit (a day, an ISO week, a weekend, a month, a
quarter, a half, a season, a year, a decade or a century) given by its granularity and first
day. It knows its TIMEX3 value ("2026-Q3", "2026-W07-WE", "199") and its interval (end
exclusive). Nothing here reads text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

GRANULARITIES = (
    "day",
    "weekend",
    "week",
    "month",
    "quarter",
    "half",
    "season",
    "year",
    "decade",
    "century",
)
# finer first; used to keep the finer of two granularities
_RANK = {g: i for i, g in enumerate(GRANULARITIES)}


def rank(gran: str) -> int:
    return _RANK.get(gran, len(_RANK))


def add_months(d: date, n: int) -> date:
    """``d`` moved by ``n`` months, the day clipped to the month's length."""
    total = d.year * 12 + (d.month - 1) + n
    year, month = divmod(total, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise ValueError("year out of range")
    return date(year, month, min(d.day, month_length(year, month)))


def month_length(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days


def safe_date(year: int, month: int, day: int) -> date:
    """A date, or ValueError for an impossible one (February 30, year 0)."""
    return date(year, month, day)


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The ``nth`` ISO ``weekday`` (1 = Monday) of a month; ``nth = -1`` is the last one."""
    if nth > 0:
        first = date(year, month, 1)
        offset = (weekday - first.isoweekday()) % 7
        return first + timedelta(days=offset + 7 * (nth - 1))
    last = date(year, month, month_length(year, month))
    return last - timedelta(days=(last.isoweekday() - weekday) % 7)


@dataclass(frozen=True)
class Period:
    """An anchored calendar unit: granularity, first day, and the season code if any."""

    gran: str
    start: date
    season: str | None = None
    season_months: tuple[int, int] | None = None

    @staticmethod
    def containing(gran: str, d: date) -> Period:
        """The period of granularity ``gran`` that contains ``d`` (weekend: the week's)."""
        if gran == "day":
            return Period("day", d)
        if gran == "week":
            return Period("week", d - timedelta(days=d.isoweekday() - 1))
        if gran == "weekend":
            monday = d - timedelta(days=d.isoweekday() - 1)
            return Period("weekend", monday + timedelta(days=5))
        if gran == "month":
            return Period("month", d.replace(day=1))
        if gran == "quarter":
            return Period("quarter", date(d.year, 3 * ((d.month - 1) // 3) + 1, 1))
        if gran == "half":
            return Period("half", date(d.year, 1 if d.month <= 6 else 7, 1))
        if gran == "year":
            return Period("year", date(d.year, 1, 1))
        if gran == "decade":
            return Period("decade", date(max(1, d.year // 10 * 10), 1, 1))
        if gran == "century":
            return Period("century", date(max(1, d.year // 100 * 100), 1, 1))
        raise ValueError(f"unknown granularity {gran!r}")

    @staticmethod
    def of_season(year: int, code: str, months: tuple[int, int]) -> Period:
        first, _ = months
        y, m = year + (first - 1) // 12, (first - 1) % 12 + 1
        return Period("season", date(y, m, 1), code, months)

    @property
    def end(self) -> date:
        """First day after the period."""
        g, s = self.gran, self.start
        if g == "day":
            return s + timedelta(days=1)
        if g == "week":
            return s + timedelta(days=7)
        if g == "weekend":
            return s + timedelta(days=2)
        if g == "month":
            return add_months(s, 1)
        if g == "quarter":
            return add_months(s, 3)
        if g == "half":
            return add_months(s, 6)
        if g == "season":
            first, last = self.season_months or (s.month, s.month + 3)
            return add_months(s, last - first)
        if g == "year":
            return date(s.year + 1, 1, 1)
        if g == "decade":
            return date(s.year + 10, 1, 1)
        if g == "century":
            return date(s.year + 100, 1, 1)
        raise ValueError(g)

    @property
    def value(self) -> str:
        """The TIMEX3 value of the period."""
        g, s = self.gran, self.start
        if g == "day":
            return s.isoformat()
        if g in ("week", "weekend"):
            iso = s.isocalendar()
            return f"{iso[0]:04d}-W{iso[1]:02d}" + ("-WE" if g == "weekend" else "")
        if g == "month":
            return f"{s.year:04d}-{s.month:02d}"
        if g == "quarter":
            return f"{s.year:04d}-Q{(s.month - 1) // 3 + 1}"
        if g == "half":
            return f"{s.year:04d}-H{1 if s.month <= 6 else 2}"
        if g == "season":
            first = (self.season_months or (s.month, 0))[0]
            year = s.year - (first - 1) // 12
            return f"{year:04d}-{self.season}"
        if g == "year":
            return f"{s.year:04d}"
        if g == "decade":
            return f"{s.year // 10:03d}"
        if g == "century":
            return f"{s.year // 100:02d}"
        raise ValueError(g)

    @property
    def year(self) -> int:
        """The calendar year the period is named after (a winter's, not December's + 1)."""
        if self.gran == "season" and self.season_months:
            return self.start.year - (self.season_months[0] - 1) // 12
        return self.start.year

    def shift(self, n: int, unit: str) -> Period:
        """Move by ``n`` units (day, week, weekend, month, quarter, half, year, decade, century)."""
        s = self.start
        if unit == "day":
            new = s + timedelta(days=n)
        elif unit in ("week", "weekend"):
            new = s + timedelta(days=7 * n)
        elif unit == "month":
            new = add_months(s, n)
        elif unit == "quarter":
            new = add_months(s, 3 * n)
        elif unit == "half":
            new = add_months(s, 6 * n)
        elif unit in ("year", "season"):
            new = add_months(s, 12 * n)
        elif unit == "decade":
            new = add_months(s, 120 * n)
        elif unit == "century":
            new = add_months(s, 1200 * n)
        else:
            raise ValueError(unit)
        if self.gran in ("day", "season"):
            return Period(self.gran, new, self.season, self.season_months)
        return Period.containing(self.gran, new)

    def coarsen(self, gran: str) -> Period:
        """The period of granularity ``gran`` containing this period's first day."""
        if gran == self.gran:
            return self
        return Period.containing(gran, self.start)


def part_interval(period: Period, frm: float, to: float) -> tuple[date, date]:
    """The sub-interval ``frm``..``to`` (fractions) of a period, cut on natural subdivisions.

    Years, halves, quarters and seasons are cut on months (early 2026 = Jan–Apr); months on
    days counted as 30 (the last part ends with the month); weeks and weekends on days;
    decades and centuries on years.
    """
    s, e = period.start, period.end
    g = period.gran
    if g in ("year", "half", "quarter", "season"):
        n = (e.year - s.year) * 12 + e.month - s.month
        a = add_months(s, round(frm * n))
        b = add_months(s, round(to * n))
        return a, b
    if g == "month":
        a = s + timedelta(days=round(frm * 30))
        b = e if to >= 1 else s + timedelta(days=round(to * 30))
        return a, min(b, e)
    if g in ("week", "weekend", "day"):
        n = (e - s).days
        if n <= 1:
            return s, e
        return s + timedelta(days=round(frm * n)), s + timedelta(days=round(to * n))
    if g in ("decade", "century"):
        n = e.year - s.year
        return date(s.year + round(frm * n), 1, 1), date(s.year + round(to * n), 1, 1)
    return s, e
