"""Trade records summed into indicator series: one :class:`Observation` per period and group.

Rules, so that a detector reading the series sees what the data does and does not say:

- Each observation's time is the start of its month or year, midnight UTC.
- Monthly rows add up into years. An annual row is never split into months: asking for a
  monthly series from annual rows is an error, as is a year that has both annual and monthly
  rows for the same flow (they would count it twice).
- Every period from the first to the last (or ``start`` to ``end``) is present. A period with
  no rows is an observation with value None and quality "missing": Comtrade publishes no zero
  rows, so no row means "not reported", which may or may not be "no trade".
- A year built from monthly rows that the data covers only in part (it starts or ends inside
  that year) has quality "partial", and so does a period where some rows lack the value.
- Sums are exact to the last bit (:func:`math.fsum`); nothing is rounded.
- Records that would be counted twice are refused with their file and row: the same flow in
  two files, a heading and its own subheadings, the World total beside single partners
  (unless grouped by partner), imports mixed with exports (unless grouped by flow).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from watchboard.errors import InputError
from watchboard.model.observation import Observation
from watchboard.trade.flows import is_world
from watchboard.trade.records import TradeRecord, compact_refs, nested_pairs, series_key

GROUPS = ("reporter", "partner", "flow", "hs_code", "country", "basis")
UNITS = {"value_usd": "USD", "net_weight_kg": "kg", "quantity": None}

_LABEL = "aggregate"


def aggregate(
    records: Iterable[TradeRecord],
    *,
    freq: str = "M",
    by: Sequence[str] = (),
    value: str = "value_usd",
    indicator: str = "",
    start: date | None = None,
    end: date | None = None,
) -> list[Observation]:
    """Sum ``value`` ("value_usd", "net_weight_kg" or "quantity") of ``records`` per period
    (``freq`` "M" or "A") and per group (``by``: fields among :data:`GROUPS`, e.g.
    ``("partner",)``; ``()`` for one total series).

    Returns the observations ordered by group, then time. Each has unit "USD", "kg" or the
    quantity unit (one per call), period "month" or "year", source "trade", ``ref`` naming
    files and rows (``"cn.csv#rows=2-4,9"``), and ``extra`` with ``rows`` (the count),
    ``partners`` and ``hs_codes`` (the sum per partner and per code), ``group`` (the values of
    ``by``), and where they apply ``basis`` (rows per basis, for mirror records),
    ``rows_without_value`` and ``months`` (months with rows, in an annual sum). ``start`` and
    ``end`` fix the calendar (records outside it are left out); by default it runs from the
    first to the last period of the records, the same for every group. See the module
    docstring for the rules on gaps, partial years and double counting.
    """
    if freq not in ("M", "A"):
        raise InputError(_LABEL, f"freq {freq!r} is not 'M' (monthly) or 'A' (annual)")
    if value not in UNITS:
        raise InputError(_LABEL, f"value {value!r} is not one of {', '.join(UNITS)}")
    unknown = [name for name in by if name not in GROUPS]
    if unknown:
        raise InputError(_LABEL, f"cannot group by {unknown}; choose from {', '.join(GROUPS)}")
    rows = list(records)
    for name in by:
        lacking = [record for record in rows if not hasattr(record, name)]
        if lacking:
            raise InputError(_LABEL, f"cannot group by {name!r}: {compact_refs(lacking)} lack it")
    first, last = _bounds(start, end, freq)
    if first or last:
        rows = [
            record
            for record in rows
            if (not first or _bucket(record, freq) >= first)
            and (not last or _bucket(record, freq) <= last)
        ]
    _check(rows, freq, by)
    unit = UNITS[value] or _quantity_unit(rows)
    groups: dict[tuple[str, ...], dict[date, list[TradeRecord]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for record in rows:
        key = tuple(str(getattr(record, name)) for name in by)
        groups[key][_bucket(record, freq)].append(record)
    buckets = [period for periods in groups.values() for period in periods]
    first = first or (min(buckets) if buckets else None)
    last = last or (max(buckets) if buckets else None)
    if first is None or last is None:
        return []
    if not groups and not by:
        groups[()] = defaultdict(list)
    months = _months_in_data(rows)
    observations: list[Observation] = []
    for key in sorted(groups):
        group = dict(zip(by, key, strict=True))
        for period in _calendar(first, last, freq):
            observations.append(
                _observation(
                    groups[key].get(period, []),
                    period,
                    freq=freq,
                    value=value,
                    unit=unit,
                    indicator=indicator,
                    group=group,
                    months=months,
                )
            )
    return observations


def _observation(
    rows: list[TradeRecord],
    period: date,
    *,
    freq: str,
    value: str,
    unit: str | None,
    indicator: str,
    group: dict[str, str],
    months: set[date],
) -> Observation:
    time = datetime(period.year, period.month, 1, tzinfo=UTC)
    extra: dict[str, Any] = {"rows": len(rows)}
    if group:
        extra["group"] = group
    length = "month" if freq == "M" else "year"
    if not rows:
        return Observation(
            time,
            None,
            unit=unit,
            indicator=indicator,
            period=length,
            quality="missing",
            source="trade",
            extra=extra,
        )
    known = [(record, getattr(record, value)) for record in rows]
    known = [(record, amount) for record, amount in known if amount is not None]
    partners: dict[str, list[float]] = defaultdict(list)
    codes: dict[str, list[float]] = defaultdict(list)
    for record, amount in known:
        partners[record.partner].append(amount)
        codes[record.hs_code].append(amount)
    if known:
        extra["partners"] = _sums(partners)
        extra["hs_codes"] = _sums(codes)
    bases = Counter(str(getattr(record, "basis", "")) for record in rows)
    if "" not in bases:
        extra["basis"] = dict(sorted(bases.items()))
    quality = "ok"
    if len(known) < len(rows):
        extra["rows_without_value"] = len(rows) - len(known)
        quality = "partial" if known else "missing"
    if freq == "A" and any(record.freq == "M" for record in rows):
        extra["months"] = len({record.period for record in rows if record.freq == "M"})
        in_data = sum(1 for month in range(1, 13) if date(period.year, month, 1) in months)
        if in_data < 12 and quality == "ok":
            quality = "partial"  # the data starts or ends inside this year
    total = math.fsum(amount for _, amount in known) if known else None
    return Observation(
        time,
        total,
        unit=unit,
        indicator=indicator,
        period=length,
        quality=quality,
        source="trade",
        ref=compact_refs(rows),
        extra=extra,
    )


def _sums(amounts: dict[str, list[float]]) -> dict[str, float]:
    sums = {name: math.fsum(values) for name, values in amounts.items()}
    return dict(sorted(sums.items(), key=lambda item: (-item[1], item[0])))


def _bucket(record: TradeRecord, freq: str) -> date:
    return record.period.replace(month=1) if freq == "A" else record.period


def _bounds(start: date | None, end: date | None, freq: str) -> tuple[date | None, date | None]:
    first = start.replace(day=1, month=1 if freq == "A" else start.month) if start else None
    last = end.replace(day=1, month=1 if freq == "A" else end.month) if end else None
    if first and last and first > last:
        raise InputError(_LABEL, f"start {start} is after end {end}")
    return first, last


def _calendar(first: date, last: date, freq: str) -> Iterable[date]:
    period = first
    while period <= last:
        yield period
        if freq == "A":
            period = period.replace(year=period.year + 1)
        elif period.month == 12:
            period = period.replace(year=period.year + 1, month=1)
        else:
            period = period.replace(month=period.month + 1)


def _months_in_data(rows: list[TradeRecord]) -> set[date]:
    """Every month from the first to the last monthly row, whatever the group."""
    monthly = [record.period for record in rows if record.freq == "M"]
    if not monthly:
        return set()
    return set(_calendar(min(monthly), max(monthly), "M"))


def _quantity_unit(rows: list[TradeRecord]) -> str | None:
    units = {record.quantity_unit for record in rows if record.quantity is not None}
    if len(units) > 1:
        listed = ", ".join(sorted(str(unit) for unit in units))
        raise InputError(_LABEL, f"quantities are in several units ({listed}); select one")
    return units.pop() if units else None


def _check(rows: list[TradeRecord], freq: str, by: Sequence[str]) -> None:
    """Refuse records that would be counted twice or mean different things."""
    annual = [record for record in rows if record.freq == "A"]
    if freq == "M" and annual:
        raise InputError(
            _LABEL,
            f"{compact_refs(annual)} are annual; a year's figure cannot be split into months. "
            "Aggregate with freq='A', or leave the annual rows out",
        )
    seen: dict[tuple[object, ...], TradeRecord] = {}
    for record in rows:
        key = (*series_key(record), record.hs_code)
        earlier = seen.setdefault(key, record)
        if earlier is not record:
            raise InputError(
                _where(record),
                f"the same flow as {_where(earlier)} ({_describe(record)}); "
                "the files overlap, leave one of them out",
            )
    for part, whole in nested_pairs(rows):
        raise InputError(
            _where(part),
            f"code {part.hs_code} is part of {whole.hs_code} at {_where(whole)} "
            "for the same flow; sum one level only (Watchlist.select keeps the broader code)",
        )
    if freq == "A":
        kinds: dict[tuple[object, ...], dict[str, TradeRecord]] = defaultdict(dict)
        for record in rows:
            key = (*series_key(record)[:4], record.flow, record.breakdown, record.period.year)
            kinds[key].setdefault(record.freq, record)
            if len(kinds[key]) == 2:
                one, other = kinds[key]["A"], kinds[key]["M"]
                raise InputError(
                    _where(other),
                    f"monthly row for {record.period.year}, which the annual row "
                    f"{_where(one)} already covers ({_describe(one)}); "
                    "aggregate rows of one frequency",
                )
    if "flow" not in by and len({record.flow for record in rows}) > 1:
        kinds_found = ", ".join(sorted({record.flow for record in rows}))
        raise InputError(
            _LABEL, f"records mix flows ({kinds_found}); select one or group by 'flow'"
        )
    if "partner" not in by:
        _check_world(rows, freq, by)


def _check_world(rows: list[TradeRecord], freq: str, by: Sequence[str]) -> None:
    cells: dict[tuple[object, ...], list[TradeRecord]] = defaultdict(list)
    for record in rows:
        key = (*(getattr(record, name) for name in by), _bucket(record, freq), record.reporter)
        cells[key].append(record)
    for cell in cells.values():
        world = [record for record in cell if is_world(record.partner)]
        if world and len(world) < len(cell):
            raise InputError(
                _where(world[0]),
                "partner World (the total of all partners) summed with single partners would "
                "count them twice; leave out the World rows or group by 'partner'",
            )


def _where(record: TradeRecord) -> str:
    return f"{record.file}:{record.row}"


def _describe(record: TradeRecord) -> str:
    period = record.period.strftime("%Y" if record.freq == "A" else "%Y-%m")
    return f"{record.reporter} {record.flow} {record.hs_code} {period} with {record.partner}"
