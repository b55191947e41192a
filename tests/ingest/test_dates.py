"""parse_datetime: publication dates in the spellings sources use, as aware UTC datetimes."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchboard.errors import InputError
from watchboard.ingest.dates import metadata_datetime, parse_datetime

KST = timezone(timedelta(hours=9))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-12-26", datetime(2025, 12, 26, tzinfo=UTC)),
        ("20251226", datetime(2025, 12, 26, tzinfo=UTC)),
        ("2025-12-26T10:00:00+09:00", datetime(2025, 12, 26, 1, tzinfo=UTC)),
        ("2025-12-26T10:00:00+0900", datetime(2025, 12, 26, 1, tzinfo=UTC)),
        ("2025-12-26T10:00:00Z", datetime(2025, 12, 26, 10, tzinfo=UTC)),
        ("2025-12-26 10:30", datetime(2025, 12, 26, 10, 30, tzinfo=UTC)),
        ("  2025-12-26T10:00:00.123456-05:00 ", datetime(2025, 12, 26, 15, 0, 0, 123456, UTC)),
        ("Fri, 26 Dec 2025 10:00:00 +0900", datetime(2025, 12, 26, 1, tzinfo=UTC)),
        ("Fri, 26 Dec 2025 10:00:00 GMT", datetime(2025, 12, 26, 10, tzinfo=UTC)),
        ("Fri, 26 Dec 2025 10:00:00 -0500 (EST)", datetime(2025, 12, 26, 15, tzinfo=UTC)),
        ("26 December 2025", datetime(2025, 12, 26, tzinfo=UTC)),
        ("26th of December 2025", datetime(2025, 12, 26, tzinfo=UTC)),
        ("December 26, 2025", datetime(2025, 12, 26, tzinfo=UTC)),
        ("Dec. 26, 2025", datetime(2025, 12, 26, tzinfo=UTC)),
        ("Friday, December 26, 2025 3:30 pm KST", datetime(2025, 12, 26, 6, 30, tzinfo=UTC)),
        ("26 December 2025 12:05 am", datetime(2025, 12, 26, 0, 5, tzinfo=UTC)),
        ("2025/12/26", datetime(2025, 12, 26, tzinfo=UTC)),
        ("26.12.2025", datetime(2025, 12, 26, tzinfo=UTC)),
        ("2025년 12월 26일", datetime(2025, 12, 26, tzinfo=UTC)),
        ("2025年12月26日", datetime(2025, 12, 26, tzinfo=UTC)),
    ],
)
def test_parse_datetime_reads_common_spellings_keeping_offsets(
    value: str, expected: datetime
) -> None:
    parsed = parse_datetime(value, label="x")
    assert parsed == expected  # the same instant
    assert parsed is not None and parsed.utcoffset() is not None
    if "+0900" in value or "KST" in value:
        assert parsed.utcoffset().total_seconds() == 9 * 3600  # the publisher's local date kept


def test_parse_datetime_converts_python_values_to_utc() -> None:
    assert parse_datetime(date(2025, 12, 26)) == datetime(2025, 12, 26, tzinfo=UTC)
    assert parse_datetime(datetime(2025, 12, 26, 9)) == datetime(2025, 12, 26, 9, tzinfo=UTC)
    assert parse_datetime(datetime(2025, 12, 26, 9, tzinfo=KST)) == datetime(
        2025, 12, 26, 0, tzinfo=UTC
    )
    feedparser_value = time.struct_time((2025, 12, 26, 1, 2, 60, 4, 360, 0))
    assert parse_datetime(feedparser_value) == datetime(2025, 12, 26, 1, 2, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2025-02-30", "'2025-02-30' (day is out of range for month)"),
        ("30 February 2025", "'30 February 2025' (day is out of range for month)"),
        (
            "Sun, 30 Feb 2025 10:00:00 GMT",
            "'Sun, 30 Feb 2025 10:00:00 GMT' (day is out of range for month)",
        ),
        ("2025-13-01", "'2025-13-01' (month must be in 1..12)"),
        ("2025-12-26 25:00", "'2025-12-26 25:00' (hour must be in 0..23)"),
        ("1066-10-14", "'1066-10-14' (year 1066 is outside 1800–2200)"),
        ("2301-01-01T00:00:00Z", "'2301-01-01T00:00:00Z' (year 2301 is outside 1800–2200)"),
        (date(1, 1, 1), "0001-01-01 (year 1 is outside 1800–2200)"),
    ],
)
def test_parse_datetime_rejects_absurd_dates_naming_the_input(value: object, reason: str) -> None:
    with pytest.raises(InputError) as info:
        parse_datetime(value, label="feed.xml entry 3")  # type: ignore[arg-type]
    assert str(info.value) == f"feed.xml entry 3: absurd date {reason}"
    assert parse_datetime(value) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value", [None, "", "   ", "yesterday", "03/04/2025", "26 December 2025 10"]
)
def test_parse_datetime_gives_none_for_what_it_does_not_understand(value: str | None) -> None:
    assert parse_datetime(value, label="x") is None


def test_parse_datetime_strict_refuses_what_it_does_not_understand() -> None:
    with pytest.raises(InputError) as info:
        parse_datetime("next Tuesday", label="--published", strict=True)
    assert str(info.value) == (
        "--published: not a date: 'next Tuesday' "
        "(write it as ISO 8601: 2025-12-26 or 2025-12-26T09:30+09:00)"
    )
    with pytest.raises(InputError) as info:
        parse_datetime("2025-02-29", strict=True)
    assert str(info.value) == "date: absurd date '2025-02-29' (day is out of range for month)"


def test_metadata_datetime_turns_bad_dates_into_warnings() -> None:
    assert metadata_datetime("2025-12-26", label="a", name="published") == (
        datetime(2025, 12, 26, tzinfo=UTC),
        None,
    )
    assert metadata_datetime("2025-02-30", label="a", name="published") == (
        None,
        "published date ignored: absurd date '2025-02-30' (day is out of range for month)",
    )
    assert metadata_datetime("soon", label="a", name="published") == (
        None,
        "published date 'soon' ignored: not understood",
    )
    assert metadata_datetime(1735171200, label="a", name="published") == (
        None,
        "published date 1735171200 ignored: not a date",
    )
    assert metadata_datetime(None, label="a", name="published") == (None, None)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.sampled_from([None, "lbl"]), st.booleans())
def test_parse_datetime_raises_only_input_errors(
    text: str, label: str | None, strict: bool
) -> None:
    try:
        parsed = parse_datetime(text, label=label, strict=strict)
    except InputError:
        assert label is not None or strict
        return
    if parsed is not None:
        assert parsed.tzinfo is UTC
        assert 1799 <= parsed.year <= 2201


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(1801, 1, 1),
        max_value=datetime(2199, 12, 31),
        timezones=st.sampled_from([UTC, KST, timezone(timedelta(hours=-5, minutes=-30))]),
    )
)
def test_parse_datetime_round_trips_iso_and_rfc2822(value: datetime) -> None:
    value = value.replace(microsecond=0)
    assert parse_datetime(value.isoformat()) == value
    assert parse_datetime(value.strftime("%a, %d %b %Y %H:%M:%S %z")) == value


@settings(max_examples=200, deadline=None)
@given(st.tuples(*[st.integers(-5, 3000)] * 6))
def test_parse_datetime_struct_time_raises_only_input_errors(parts: tuple[int, ...]) -> None:
    value = time.struct_time((*parts, 0, 1, 0))
    try:
        parse_datetime(value, label="x")
    except InputError as exc:
        assert exc.reason.startswith("absurd date")
