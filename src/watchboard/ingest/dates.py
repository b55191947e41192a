"""Publication dates from metadata: many spellings in, a timezone-aware datetime out.

Covers what feeds, HTML metadata, front matter, JSON Lines corpora and users type: ISO 8601
(date only, with or without a time and zone), RFC 2822, "26 December 2025", "December 26, 2025",
"2025/12/26", "26.12.2025", "2025년 12월 26일". Ambiguous slashed forms such as "03/04/2025" are
not guessed. A date without a zone is taken as UTC; a date with one keeps its offset, because
the publisher's local date is what "on Friday" in its text refers to. Dates that parse but
cannot be real ("2025-02-30", year 1066) are *absurd*, which is different from *not
understood*: an absurd date in a source is worth telling the user about.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_tz

from watchboard.errors import InputError

MIN_YEAR = 1800
MAX_YEAR = 2200
_MAX_LENGTH = 100

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
# Zone abbreviations that are not ambiguous in practice (CST and IST are: left out).
_ZONES = {
    "z": 0,
    "ut": 0,
    "utc": 0,
    "gmt": 0,
    "kst": 9,
    "jst": 9,
    "hkt": 8,
    "est": -5,
    "edt": -4,
    "cdt": -5,
    "mst": -7,
    "mdt": -6,
    "pst": -8,
    "pdt": -7,
    "cet": 1,
    "cest": 2,
    "bst": 1,
    "msk": 3,
}
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?"
_TIME = (
    r"(?:[t ]\s*(?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d{1,9})?)?)?"
    r"\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?"
    r"\s*(?P<zone>z|[+-]\d{2}(?::?\d{2})?|[a-z]{1,4}(?:[+-]\d{1,2}(?::?\d{2})?)?)?)?"
)
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_PATTERNS = [
    re.compile(p + _TIME + r"$")
    for p in (
        r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})",
        r"^(?P<year>\d{4})[/.](?P<month>\d{1,2})[/.](?P<day>\d{1,2})",
        r"^(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})",
        rf"^(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?: of)? {_MONTH} (?P<year>\d{{4}})",
        rf"^{_MONTH} (?P<day>\d{{1,2}})(?:st|nd|rd|th)? (?P<year>\d{{4}})",
        r"^(?P<year>\d{4})\s*[年년]\s*(?P<month>\d{1,2})\s*[月월]\s*(?P<day>\d{1,2})\s*[日일]",
    )
]


class _AbsurdDateError(ValueError):
    """A date that parses but names no real day (or a day outside the plausible range)."""


def parse_datetime(
    value: str | datetime | date | time.struct_time | None,
    *,
    label: str | None = None,
    strict: bool = False,
) -> datetime | None:
    """Parse a date or date-time into an aware ``datetime`` (its own offset, else UTC).

    Leniently (the default) a value that is missing or not understood gives ``None``, as does an
    absurd date when no ``label`` is given. With a ``label``, an absurd date raises
    ``InputError(label, "absurd date ...")``; with ``strict=True`` anything that is not a date
    raises too (for dates a user typed, such as ``--published``). Never raises anything else.
    """
    shown = _show(value)
    try:
        parsed = _parse(value)
    except _AbsurdDateError as exc:
        if label is None and not strict:
            return None
        raise InputError(label or "date", f"absurd date {shown} ({exc})") from None
    if parsed is None and strict:
        raise InputError(
            label or "date",
            f"not a date: {shown} (write it as ISO 8601: 2025-12-26 or 2025-12-26T09:30+09:00)",
        )
    return parsed


def metadata_datetime(
    value: object, *, label: str, name: str
) -> tuple[datetime | None, str | None]:
    """Parse a date found in metadata; return ``(datetime, warning)``.

    A date a source gives that is absurd or not understood leaves the field empty rather than
    losing the document; the warning says what was ignored so it can be shown to the analyst.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if not isinstance(value, str | datetime | date | time.struct_time):
        return None, f"{name} date {_show(value)} ignored: not a date"
    try:
        parsed = parse_datetime(value, label=label)
    except InputError as exc:
        return None, f"{name} date ignored: {exc.reason}"
    if parsed is None:
        return None, f"{name} date {_show(value)} ignored: not understood"
    return parsed, None


def _show(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _parse(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return _checked(value)
    if isinstance(value, date):
        return _checked(datetime(value.year, value.month, value.day))
    if isinstance(value, time.struct_time):
        # feedparser's *_parsed values are UTC; leap seconds would not fit datetime.
        return _build(*value[:5], min(value[5], 59), offset_hours=0)
    if isinstance(value, str):
        return _parse_string(value)
    return None


def _parse_string(value: str) -> datetime | None:
    text = " ".join(value.split())
    if not text or len(text) > _MAX_LENGTH:
        return None
    try:
        return _checked(datetime.fromisoformat(text))
    except ValueError:
        pass
    lowered = re.sub(rf"^{_WEEKDAY}\.?,?\s*", "", text.lower()).replace(",", " ")
    lowered = " ".join(lowered.split())
    for pattern in _PATTERNS:
        match = pattern.match(lowered)
        if match:
            return _from_match(match)
    return _from_rfc2822(text)


def _from_match(match: re.Match[str]) -> datetime | None:
    parts = match.groupdict()
    month_text = parts["month"]
    month = _MONTHS[month_text] if month_text in _MONTHS else int(month_text)
    hour = int(parts["hour"] or 0)
    if parts["hour"] is not None and parts["minute"] is None and parts["ampm"] is None:
        return None  # "26 December 2025 10" is not a time
    ampm = (parts["ampm"] or "").replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            raise _AbsurdDateError(f"hour {hour} with {ampm}")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    offset = _zone_offset(parts["zone"])
    if offset is None:
        return None
    return _build(
        int(parts["year"]),
        month,
        int(parts["day"]),
        hour,
        int(parts["minute"] or 0),
        int(parts["second"] or 0),
        offset_hours=offset,
    )


def _zone_offset(zone: str | None) -> float | None:
    if not zone:
        return 0
    match = re.fullmatch(r"([a-z]*)([+-])(\d{1,2}):?(\d{2})?", zone)
    if match:
        base = _ZONES.get(match.group(1) or "utc")
        if base is None:
            return None
        sign = 1 if match.group(2) == "+" else -1
        return base + sign * (int(match.group(3)) + int(match.group(4) or 0) / 60)
    return _ZONES.get(zone)


def _from_rfc2822(text: str) -> datetime | None:
    try:
        parts = parsedate_tz(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parts is None:
        return None
    offset = parts[9] or 0
    return _build(*parts[:6], offset_hours=offset / 3600)


def _build(
    year: int,
    month: int,
    day: int,
    hour: int,
    minute: int,
    second: int,
    *,
    offset_hours: float,
) -> datetime:
    _check_year(year)
    if not -24 < offset_hours < 24:
        raise _AbsurdDateError(f"zone offset {offset_hours:+g} hours")
    try:
        zone = timezone(timedelta(hours=offset_hours))
        value = datetime(year, month, day, hour, minute, second, tzinfo=zone)
        value.astimezone(UTC)  # must be representable in UTC too
        return value
    except (ValueError, OverflowError) as exc:
        raise _AbsurdDateError(str(exc)) from None


def _checked(value: datetime) -> datetime:
    _check_year(value.year)
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    try:
        value.astimezone(UTC)  # must be representable in UTC too
    except (ValueError, OverflowError) as exc:
        raise _AbsurdDateError(str(exc)) from None
    return value


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _AbsurdDateError(f"year {year} is outside {MIN_YEAR}–{MAX_YEAR}")
