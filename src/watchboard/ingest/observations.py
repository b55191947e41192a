"""Read indicator observations from CSV or Parquet: time, value and optional site, unit,
quality and indicator columns.

Every row is checked before anything is returned, so a file is imported whole or not at all;
the first problems are reported with the file and row ("lights.csv:14: value: 'n/a' is not a
number"). Times may be dates ("2026-03"), ISO date-times with an offset (converted to UTC) or
naive date-times (taken as UTC, with a warning). Exact duplicates are reported and dropped;
the same time with different values is an error.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from statistics import median
from typing import Any

from watchboard.errors import InputError
from watchboard.model.observation import Observation

COLUMNS = ("time", "value", "site", "unit", "quality", "indicator")
_ALIASES = {
    "date": "time",
    "timestamp": "time",
    "datetime": "time",
    "period": "time",
    "month": "time",
    "val": "value",
    "radiance": "value",
    "site_id": "site",
    "units": "unit",
    "flag": "quality",
}
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
MAX_ERRORS = 10


@dataclass
class ObservationFile:
    path: Path
    sha256: str
    observations: list[Observation]
    warnings: list[str] = field(default_factory=list)


def _time(raw: str) -> tuple[datetime, str | None, bool]:
    """(UTC time, period implied by the written precision, whether it was naive)."""
    text = raw.strip()
    if m := _YEAR_MONTH.match(text):
        return datetime(int(m[1]), int(m[2]), 1, tzinfo=UTC), "month", False
    if m := _YEAR.match(text):
        return datetime(int(m[1]), 1, 1, tzinfo=UTC), "year", False
    if len(text) == 10:
        day = date.fromisoformat(text)
        return datetime(day.year, day.month, day.day, tzinfo=UTC), "day", False
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC), None, True
    return value.astimezone(UTC), None, False


def _rows_csv(path: Path, data: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text:
        raise InputError(str(path), "binary data, not a CSV file")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    for number, row in enumerate(reader, start=2):
        if None in row:
            raise InputError(f"{path}:{number}", "more fields than the header has")
        yield number, row


def _rows_parquet(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise InputError(str(path), f"not a readable Parquet file ({exc})") from None
    number = 1
    for batch in parquet.iter_batches(batch_size=10_000):
        for row in batch.to_pylist():
            number += 1
            yield number, row


def _normalise_header(path: Path, names: Iterable[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for name in names:
        key = str(name).strip().lower()
        key = _ALIASES.get(key, key)
        if key in COLUMNS and key not in mapping.values():
            mapping[str(name)] = key
    missing = [c for c in ("time", "value") if c not in mapping.values()]
    if missing:
        raise InputError(
            str(path),
            f"missing column(s) {', '.join(missing)}; found {', '.join(map(str, names)) or 'none'}",
        )
    return mapping


def read_observations(
    path: Path,
    *,
    indicator: str = "",
    unit: str | None = None,
    site: str | None = None,
    max_bytes: int = 200 * 1024 * 1024,
) -> ObservationFile:
    """Read and check a whole file; raise :class:`InputError` naming file and row."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(str(path), f"{size} bytes is over the {max_bytes}-byte limit")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), exc.strerror or str(exc)) from None
    digest = hashlib.sha256(data).hexdigest()
    if path.suffix.lower() in (".parquet", ".pq") or data[:4] == b"PAR1":
        rows: Iterator[tuple[int, dict[str, Any]]] = _rows_parquet(path)
    else:
        rows = _rows_csv(path, data)
    out: list[Observation] = []
    warnings: list[str] = []
    errors: list[str] = []
    header: dict[str, str] | None = None
    seen: dict[tuple[str, str | None, datetime], tuple[int, float | None]] = {}
    units: set[str] = set()
    naive = 0
    for number, raw in rows:
        if header is None:
            header = _normalise_header(path, raw.keys())
        row = {header[k]: v for k, v in raw.items() if k in header}
        where = f"{path}:{number}"
        try:
            when, period, was_naive = _time(str(row["time"] or ""))
        except (ValueError, TypeError):
            errors.append(f"{where}: time: {row['time']!r} is not a date or time")
            continue
        naive += was_naive
        value = _number(row.get("value"))
        if value is _BAD:
            errors.append(f"{where}: value: {row.get('value')!r} is not a number")
            continue
        row_unit = (str(row.get("unit") or "").strip()) or unit
        if row_unit:
            units.add(row_unit)
        if unit and row_unit and row_unit != unit:
            errors.append(f"{where}: unit: {row_unit!r}, but the indicator is in {unit!r}")
            continue
        row_indicator = str(row.get("indicator") or "").strip() or indicator
        if indicator and row_indicator != indicator:
            errors.append(f"{where}: indicator: {row_indicator!r}, expected {indicator!r}")
            continue
        row_site = str(row.get("site") or "").strip() or site
        key = (row_indicator, row_site, when)
        if key in seen:
            first_row, first_value = seen[key]
            if first_value == value:
                warnings.append(f"{where}: duplicate of row {first_row}; dropped")
                continue
            errors.append(
                f"{where}: {when:%Y-%m-%d %H:%M} already has value {first_value} (row "
                f"{first_row}); this row says {value}"
            )
            continue
        seen[key] = (number, value)
        quality = str(row.get("quality") or "").strip() or ("missing" if value is None else "ok")
        out.append(
            Observation(
                time=when,
                value=value,
                unit=row_unit or None,
                indicator=row_indicator,
                site=row_site,
                period=period,
                quality=quality,
                source="file",
                ref=f"{path.name}#row={number}",
                extra={"file_sha256": digest, "row": number},
            )
        )
        if len(errors) >= MAX_ERRORS:
            break
    if header is None and not errors:
        raise InputError(str(path), "no rows")
    if errors:
        more = "" if len(errors) < MAX_ERRORS else " (stopped after 10 errors)"
        raise InputError(str(path), f"{len(errors)} bad row(s){more}; first: {errors[0]}")
    if len(units) > 1:
        raise InputError(str(path), f"mixed units {sorted(units)}; import one unit per indicator")
    if naive:
        warnings.append(f"{path}: {naive} time(s) without a time zone were taken as UTC")
    warnings += _gaps(path, out)
    return ObservationFile(path, digest, out, warnings)


class _Bad:
    pass


_BAD: Any = _Bad()


def _number(raw: Any) -> float | Any | None:
    if raw is None:
        return None
    if isinstance(raw, int | float):
        return None if isinstance(raw, float) and math.isnan(raw) else float(raw)
    text = str(raw).strip()
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if text == "" or text.lower() in ("na", "n/a", "nan", "null", "none", "-"):
        return None
    try:
        value = float(text)
    except ValueError:
        return _BAD
    return None if math.isnan(value) or math.isinf(value) else value


def _gaps(path: Path, observations: list[Observation]) -> list[str]:
    """Report holes in a regular series (spacing more than 1.5 times the median)."""
    by_series: dict[tuple[str, str | None], list[datetime]] = {}
    for o in observations:
        by_series.setdefault((o.indicator, o.site), []).append(o.time)
    notes = []
    for (indicator, site), times in by_series.items():
        times = sorted(times)
        if len(times) < 4:
            continue
        pairs = list(itertools.pairwise(times))
        usual = median((b - a).total_seconds() for a, b in pairs)
        holes = [(a, b) for a, b in pairs if usual and (b - a).total_seconds() > 1.5 * usual]
        if holes:
            label = "/".join(x for x in (indicator, site) if x) or "series"
            first = holes[0]
            notes.append(
                f"{path}: {label}: {len(holes)} gap(s) in the series, first between "
                f"{first[0]:%Y-%m-%d} and {first[1]:%Y-%m-%d}"
            )
    return notes
