"""What every trade record has (a read :class:`~watchboard.trade.flows.Flow` or a mirrored
one), and the bookkeeping shared by selection, mirroring and aggregation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Protocol, TypeVar


class TradeRecord(Protocol):
    """A flow of one commodity code between two countries in one period, with its origin."""

    @property
    def reporter(self) -> str: ...
    @property
    def partner(self) -> str: ...
    @property
    def period(self) -> date: ...
    @property
    def freq(self) -> str: ...
    @property
    def flow(self) -> str: ...
    @property
    def hs_code(self) -> str: ...
    @property
    def value_usd(self) -> float | None: ...
    @property
    def net_weight_kg(self) -> float | None: ...
    @property
    def quantity(self) -> float | None: ...
    @property
    def quantity_unit(self) -> str | None: ...
    @property
    def file(self) -> str: ...
    @property
    def row(self) -> int: ...
    @property
    def breakdown(self) -> tuple[tuple[str, str], ...]: ...


R = TypeVar("R", bound=TradeRecord)


def compact_rows(rows: Iterable[int]) -> str:
    """Row numbers as ranges: ``[2, 3, 4, 7, 9, 10]`` -> ``"2-4,7,9-10"``."""
    parts: list[str] = []
    ordered = sorted(set(rows))
    start = 0
    for index, row in enumerate(ordered):
        if index + 1 < len(ordered) and ordered[index + 1] == row + 1:
            continue
        first = ordered[start]
        parts.append(str(row) if first == row else f"{first}-{row}")
        start = index + 1
    return ",".join(parts)


def compact_refs(records: Iterable[TradeRecord]) -> str:
    """Files and row ranges: ``"cn.csv#rows=2-4,9;ru.csv#rows=3"`` (files in first-seen order)."""
    rows: dict[str, list[int]] = {}
    for record in records:
        rows.setdefault(record.file, []).append(record.row)
    return ";".join(f"{file}#rows={compact_rows(numbers)}" for file, numbers in rows.items())


def series_key(record: TradeRecord) -> tuple[object, ...]:
    """Everything but the commodity code that tells two records' flows apart."""
    return (
        getattr(record, "country", None),
        getattr(record, "basis", None),
        record.reporter,
        record.partner,
        record.period,
        record.freq,
        record.flow,
        record.breakdown,
    )


def nested_pairs(records: Iterable[R]) -> list[tuple[R, R]]:
    """Pairs ``(part, whole)`` where ``part``'s code lies under ``whole``'s (845611 under 8456)
    in the same flow; summing both would count ``part`` twice. ``whole`` is the broadest."""
    by_series: dict[tuple[object, ...], dict[str, R]] = defaultdict(dict)
    for record in records:
        by_series[series_key(record)].setdefault(record.hs_code, record)
    pairs: list[tuple[R, R]] = []
    for codes in by_series.values():
        for code, record in codes.items():
            for length in range(1, len(code)):
                whole = codes.get(code[:length])
                if whole is not None:
                    pairs.append((record, whole))
                    break
    pairs.sort(key=lambda pair: (pair[0].file, pair[0].row))
    return pairs
