"""What extraction finds in a text: spans with normalised values.

Every object carries the exact character offsets it came from (``start``..``end`` into the
text that was analysed, Python string indices) and the name of the rule or component that
produced it, so an analyst can always ask "why?".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class TimeExpression:
    """A temporal expression, TIMEX3-compatible, plus an interval.

    ``value`` is the TIMEX3 value ("2026-01-15", "2026-Q3", "P5Y", "XXXX-WXX-5", "PRESENT_REF",
    "2026-H1", "2026-SU" ...); ``mod`` the TIMEX3 modifier ("START", "MID", "END", "BEFORE",
    "AFTER", "ON_OR_BEFORE", "APPROX", ...). ``start``/``end`` is the interval it denotes,
    ``end`` exclusive ("early 2026" -> 2026-01-01..2026-05-01), or ``None`` when the expression
    has no anchored interval (a duration, an unresolvable reference). ``granularity`` is one of
    day, week, month, quarter, half, season, year, decade, century (or None).
    """

    span: Span
    type: str  # DATE, TIME, DURATION, SET
    value: str
    rule: str
    mod: str | None = None
    start: date | None = None
    end: date | None = None
    granularity: str | None = None
    anchored: bool = True  # False when resolved without a document date or by a guess


@dataclass(frozen=True)
class Quantity:
    """A number with its unit, range, bound and rate.

    ``value`` is the point value (or None for a pure range); ``low``/``high`` the range ends
    (equal to value for a plain number; one of them None for open bounds like "more than 5").
    ``bound`` is exact, approx, upper ("up to"), lower ("more than"), or range. ``unit`` is a
    canonical unit name ("metre", "US dollar", "percent", "tonne") or None; ``counted`` the
    counted noun for counts ("engineers", "factories"); ``per`` a rate period ("year", "month").
    """

    span: Span
    rule: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    bound: str = "exact"
    unit: str | None = None
    counted: str | None = None
    per: str | None = None


@dataclass(frozen=True)
class PlaceMention:
    """A toponym in text, before resolution."""

    span: Span
    rule: str


@dataclass(frozen=True)
class ResolvedPlace:
    """A toponym resolved to a gazetteer entry (or left unresolved with ``resolved=False``)."""

    mention: PlaceMention
    resolved: bool
    name: str | None = None
    lat: float | None = None
    lon: float | None = None
    geonames_id: int | None = None
    country: str | None = None  # ISO 3166 alpha-2
    admin1: str | None = None
    feature: str | None = None  # GeoNames feature class/code, e.g. "P.PPLC", "A.ADM1"
    site: str | None = None  # the case site id when it matched the case's registry
    confidence: float = 0.0
    rule: str = ""


@dataclass(frozen=True)
class Attribution:
    """Who says what: source, cue and content spans (source may be absent: "it was reported")."""

    cue: Span
    content: Span
    rule: str
    source: Span | None = None
    extra: dict[str, str] = field(default_factory=dict)
