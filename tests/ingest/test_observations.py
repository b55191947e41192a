"""Reading observation files: CSV variants, Parquet, and every kind of bad row."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from watchboard.errors import InputError
from watchboard.ingest.observations import read_observations


def write(tmp_path: Path, text: str, name: str = "obs.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_csv_with_aliases_dates_offsets_and_missing_values(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "\ufeffDate;Value;Site;Quality\n"
        "2026-01;1.5;kanggye;\n"
        "2026-02-15T09:00:00+09:00;1,234.5;kanggye;estimated\n"
        "2026-03-01;n/a;kanggye;\n",
    )
    parsed = read_observations(path, indicator="lights", unit="nW")
    first, second, third = parsed.observations
    assert first.time == datetime(2026, 1, 1, tzinfo=UTC) and first.period == "month"
    assert second.time == datetime(2026, 2, 15, 0, 0, tzinfo=UTC) and second.value == 1234.5
    assert second.quality == "estimated" and second.ref == "obs.csv#row=3"
    assert third.value is None and third.quality == "missing"
    assert all(o.site == "kanggye" and o.indicator == "lights" for o in parsed.observations)
    assert len(parsed.sha256) == 64


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "obs.parquet"
    table = pa.table({"time": ["2026-01", "2026-02"], "value": [1.0, 2.0]})
    pq.write_table(table, path)
    parsed = read_observations(path, indicator="lights")
    assert [o.value for o in parsed.observations] == [1.0, 2.0]
    assert parsed.observations[1].ref == "obs.parquet#row=3"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("when,amount\n2026-01,1\n", "missing column(s) time, value; found when, amount"),
        ("time,value\n2026-13,1\n", "obs.csv:2: time: '2026-13' is not a date"),
        ("time,value\n2026-01,abc\n", "obs.csv:2: value: 'abc' is not a number"),
        ("time,value,unit\n2026-01,1,W\n2026-02,1,kW\n", "mixed units"),
        ("time,value\n2026-01,1\n2026-01,2\n", "already has value 1.0 (row 2)"),
        ("time,value\n2026-01,1,extra\n", "more fields than the header"),
        ("time,value\n", "no rows"),
    ],
)
def test_bad_rows_are_named_and_nothing_is_returned(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(InputError) as error:
        read_observations(write(tmp_path, text))
    assert message in str(error.value) and "obs.csv" in str(error.value)


def test_unit_and_indicator_must_agree(tmp_path: Path) -> None:
    path = write(tmp_path, "time,value,unit,indicator\n2026-01,1,W,other\n")
    with pytest.raises(InputError, match="unit: 'W', but the indicator is in 'kW'"):
        read_observations(path, unit="kW")
    with pytest.raises(InputError, match="indicator: 'other', expected 'lights'"):
        read_observations(path, indicator="lights")


def test_duplicates_dropped_gaps_and_naive_times_reported(tmp_path: Path) -> None:
    rows = ["2026-01", "2026-02", "2026-02", "2026-03", "2026-07", "2026-08"]
    text = "time,value\n" + "".join(f"{r},1\n" for r in rows)
    text += "2026-09-01T00:00:00,1\n"
    parsed = read_observations(write(tmp_path, text))
    assert len(parsed.observations) == 6
    notes = " ".join(parsed.warnings)
    assert (
        "row 4: duplicate of row 3"
        in notes.replace("obs.csv:", "row ").replace("row 4: duplicate", "row 4: duplicate")
        or "duplicate of row 3" in notes
    )
    assert "gap(s)" in notes and "2026-03-01 and 2026-07-01" in notes
    assert "without a time zone" in notes


def test_binary_junk_and_wrong_encoding(tmp_path: Path) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01\x02PK\x03\x04" * 20)
    with pytest.raises(InputError, match=r"junk\.csv"):
        read_observations(junk)
    latin = write(tmp_path, "time,value,site\n2026-01,1,Ch\xf6ngjin\n", encoding="latin-1")
    with pytest.raises(InputError, match="not UTF-8"):
        read_observations(latin)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        read_observations(broken)
