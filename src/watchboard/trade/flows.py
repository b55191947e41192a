"""Bilateral trade flows read from UN Comtrade exports (CSV), streamed row by row.

Comtrade's downloads come in several layouts: the current API and website (``reporterISO``,
``flowCode``, ``cmdCode``, ``primaryValue`` ...), the legacy API (``rt3ISO``, ``rgCode``,
``TradeValue`` ...) and the legacy bulk files (``Reporter ISO``, ``Trade Flow``, ``Trade Value
(US$)`` ...). Column names are matched case-, space- and punctuation-insensitively against the
variants in :data:`COLUMNS`, so all of them read the same way. Input may be gzip-compressed,
start with a byte-order mark, and be separated by commas, semicolons or tabs.

A row is located by its line number in the file, the header being row 1 (a spreadsheet's row
number, as long as no cell holds a line break). Every error names ``FILE:ROW`` and stops the
read; a problem that does not make a row unreadable (a repeated row, a code that lost its
leading zero in a spreadsheet, a flow kind that is not read) is passed to ``on_warning`` as a
:class:`ReadWarning` and the read goes on.
"""

from __future__ import annotations

import csv
import gzip
import logging
import math
import os
import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from watchboard.errors import InputError
from watchboard.trade.records import compact_rows

log = logging.getLogger(__name__)

FLOW_KINDS = ("import", "export", "re-import", "re-export")

# Comtrade's flow codes (current: M/X/RM/RX; legacy rgCode: 1-4) and descriptions, keyed by
# their lower-cased letters and digits. Other current codes (DX domestic exports, FM foreign
# imports, processing flows ...) are parts of M and X; reading them too would count twice.
_FLOWS = {
    "m": "import",
    "x": "export",
    "rm": "re-import",
    "rx": "re-export",
    "1": "import",
    "2": "export",
    "3": "re-export",
    "4": "re-import",
    "import": "import",
    "imports": "import",
    "export": "export",
    "exports": "export",
    "reimport": "re-import",
    "reimports": "re-import",
    "reexport": "re-export",
    "reexports": "re-export",
}

# Watchboard's field -> accepted column names, lower-cased with everything but letters and
# digits removed ("Trade Value (US$)" -> "tradevalueus"), the preferred one first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "reporter_iso": ("reporteriso", "rt3iso", "reporteriso3"),
    "reporter_code": ("reportercode", "rtcode"),
    "reporter_name": ("reporterdesc", "reporter", "rttitle", "reportername"),
    "partner_iso": ("partneriso", "pt3iso", "partneriso3"),
    "partner_code": ("partnercode", "ptcode"),
    "partner_name": ("partnerdesc", "partner", "pttitle", "partnername"),
    "period": ("period",),
    "period_id": ("refperiodid",),
    "year": ("refyear", "year", "yr"),
    "month": ("refmonth",),
    "freq": ("freqcode", "freq", "frequency"),
    "flow_code": ("flowcode", "rgcode", "tradeflowcode"),
    "flow_desc": ("flowdesc", "rgdesc", "tradeflow", "flow"),
    "hs_code": ("cmdcode", "commoditycode"),
    "value": ("primaryvalue", "tradevalue", "tradevalueus", "tradevalueusd"),
    "cif_value": ("cifvalue", "ciftradevalueus"),
    "fob_value": ("fobvalue", "fobtradevalueus"),
    "net_weight": ("netwgt", "netweight", "netweightkg"),
    "quantity": ("qty", "tradequantity", "quantity"),
    "quantity_unit": ("qtyunitabbr", "qtyunit", "qtdesc"),
    "partner2": ("partner2iso", "partner2code"),
    "customs": ("customscode",),
    "transport": ("motcode",),
}

# What a file must have: one of the fields in each group (shown by Comtrade's current names).
_REQUIRED = (
    (
        "reporter",
        ("reporter_iso", "reporter_code", "reporter_name"),
        "reporterISO, reporterCode or reporterDesc",
    ),
    (
        "partner",
        ("partner_iso", "partner_code", "partner_name"),
        "partnerISO, partnerCode or partnerDesc",
    ),
    ("period", ("period", "period_id", "year"), "period, refPeriodId or refYear"),
    ("flow", ("flow_code", "flow_desc"), "flowCode or flowDesc"),
    ("commodity", ("hs_code",), "cmdCode"),
    ("value", ("value", "cif_value", "fob_value"), "primaryValue or TradeValue"),
)

# Breakdown values that mean "all" (the classic, un-split download): World as second partner,
# all customs procedures, all modes of transport.
_TOTALS = {"", "0", "W00", "C00", "-1"}

_Amounts = tuple[float | None, float | None, float | None]  # value, net weight, quantity

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_PERIOD = re.compile(r"(\d{4})(?:-?(\d{2}))?(?:-?(\d{2}))?")
_NO_UNIT = {"", "n/a", "na", "-1"}
_FREQS = {"": "", "A": "A", "Y": "A", "ANNUAL": "A", "M": "M", "MONTHLY": "M"}


@dataclass(frozen=True)
class Flow:
    """One row of a trade-statistics file: what ``reporter`` declared about its trade with
    ``partner`` in one period and one commodity code."""

    reporter: str  # ISO3 code where the file gives one, else the name, else Comtrade's number
    partner: str  # the same; Comtrade's "World" (all partners) is W00
    period: date  # the first day of the year or month
    freq: str  # "A" (a year) or "M" (a month)
    flow: str  # "import", "export", "re-import" or "re-export", from the reporter's side
    hs_code: str  # as given, leading zeros kept ("010121"); "TOTAL" for all commodities
    value_usd: float | None  # primaryValue: imports CIF, exports FOB, as the reporter values them
    net_weight_kg: float | None
    quantity: float | None
    quantity_unit: str | None
    file: str
    row: int  # line number in the file; the header is row 1
    reporter_code: str | None = None  # Comtrade's numeric code (UN M49 based), when given
    partner_code: str | None = None
    breakdown: tuple[tuple[str, str], ...] = ()  # ("transport", "2100") ... when not totals


@dataclass(frozen=True)
class ReadWarning:
    """A problem that did not stop the read, with the rows it concerns."""

    file: str
    rows: tuple[int, ...]
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{compact_rows(self.rows)}: {self.message}"


def is_world(name: str, code: str | None = None) -> bool:
    """Whether a partner is Comtrade's "World", the total over all partners."""
    return name.upper() in {"W00", "WLD", "WORLD"} or code == "0"


def read_flows(
    path: str | os.PathLike[str],
    *,
    on_warning: Callable[[ReadWarning], None] | None = None,
) -> Iterator[Flow]:
    """Yield a :class:`Flow` for each row of a Comtrade-layout CSV file, streaming.

    Raises :class:`InputError` labelled ``FILE:ROW`` for a missing file, missing columns (it
    lists the missing fields and the columns found), a row with the wrong number of fields,
    text in a numeric column, a bad period ("2026-13"), a flow or frequency code it does not
    know, a bad commodity code, or undecodable text. ``on_warning`` (default: log a warning)
    receives a :class:`ReadWarning` for each row that repeats an earlier one (the same
    reporter, partner, period, flow, code and breakdown; the later row is skipped, never
    summed), and at the end one for codes whose leading zero was restored and one per flow
    kind that was skipped.
    """
    file = os.fspath(path)
    warn = on_warning or _log_warning
    try:
        yield from _read(_lines(file), file, warn)
    except FileNotFoundError as exc:
        raise InputError(file, "no such file") from exc
    except IsADirectoryError as exc:
        raise InputError(file, "is a directory, not a CSV file") from exc


def _lines(file: str) -> Iterator[str]:
    """The file's lines as text, gunzipped when it starts with gzip's magic bytes.

    Lines are decoded one by one, so a byte that is not UTF-8 is reported on its own line.
    """
    with open(file, "rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        if compressed:
            with gzip.GzipFile(fileobj=raw) as unzipped:
                yield from _decode(unzipped, file)
        else:
            yield from _decode(raw, file)


def _decode(lines: Iterable[bytes], file: str) -> Iterator[str]:
    for number, line in enumerate(lines, 1):
        try:
            yield line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{file}:{number}", "not UTF-8 text; save the file as UTF-8") from exc


def _log_warning(warning: ReadWarning) -> None:
    log.warning("%s", warning)


@dataclass(frozen=True)
class _Layout:
    """Where each field is in a file's rows."""

    columns: dict[str, int]
    names: list[str]  # the header as written, for messages

    def get(self, row: list[str], field: str) -> str:
        index = self.columns.get(field)
        return row[index].strip() if index is not None else ""

    def name(self, field: str) -> str:
        return self.names[self.columns[field]]


def _read(lines: Iterator[str], file: str, warn: Callable[[ReadWarning], None]) -> Iterator[Flow]:
    line = 1
    try:
        header_line = next(lines, "")
        if not header_line.strip():
            raise InputError(file, "empty file; expected a header row naming the columns")
        reader = csv.reader(
            _chain(header_line, lines), delimiter=_separator(header_line), strict=False
        )
        header = next(reader)
        layout = _layout(header, file)
        # Only what a repeat's warning needs, so a long file's keys stay small in memory.
        seen: dict[tuple[object, ...], tuple[int, _Amounts]] = {}
        padded: list[int] = []
        skipped: dict[str, list[int]] = defaultdict(list)
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not cells or all(not cell.strip() for cell in cells):
                continue
            flow = _flow(cells, layout, file, start, padded, skipped)
            if flow is None:
                continue
            key = (
                flow.reporter,
                flow.partner,
                flow.period,
                flow.freq,
                flow.flow,
                flow.hs_code,
                flow.breakdown,
            )
            amounts = (flow.value_usd, flow.net_weight_kg, flow.quantity)
            first = seen.setdefault(key, (flow.row, amounts))
            if first[0] != flow.row:
                warn(ReadWarning(file, (first[0], flow.row), _duplicate(*first, flow)))
                continue
            yield flow
    except csv.Error as exc:
        raise InputError(f"{file}:{line + 1}", f"not readable as CSV ({exc})") from exc
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise InputError(f"{file}:{line + 1}", f"cannot read further ({exc})") from exc
    if padded:
        restored = "odd-length commodity codes had lost their leading zero; restored it"
        warn(ReadWarning(file, tuple(padded), restored))
    for code, rows in skipped.items():
        reason = f"flow {code!r} skipped: only M, X, RM and RX flows are read"
        warn(ReadWarning(file, tuple(rows), reason))


def _chain(first: str, rest: Iterable[str]) -> Iterator[str]:
    yield first
    yield from rest


def _separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _layout(header: list[str], file: str) -> _Layout:
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        positions.setdefault(_normalise(name), index)
    columns: dict[str, int] = {}
    for field, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in positions:
                columns[field] = positions[alias]
                break
    missing = [
        f"{what} ({names})"
        for what, fields, names in _REQUIRED
        if not any(field in columns for field in fields)
    ]
    if missing:
        found = ", ".join(name for name in header if name.strip()) or "none"
        raise InputError(
            f"{file}:1",
            f"missing columns: {'; '.join(missing)}. Found: {found}. "
            "Expected a UN Comtrade export (see docs/trade.md for the accepted names)",
        )
    return _Layout(columns, header)


def _flow(
    cells: list[str],
    layout: _Layout,
    file: str,
    row: int,
    padded: list[int],
    skipped: dict[str, list[int]],
) -> Flow | None:
    where = f"{file}:{row}"
    if len(cells) == len(layout.names) + 1 and not cells[-1].strip():
        cells = cells[:-1]  # a trailing separator on data rows only, as some exports write
    if len(cells) != len(layout.names):
        raise InputError(where, f"row has {len(cells)} fields, the header has {len(layout.names)}")
    flow_text = layout.get(cells, "flow_code") or layout.get(cells, "flow_desc")
    flow = _FLOWS.get(_normalise(flow_text))
    if flow is None:
        if not flow_text:
            raise InputError(where, "no flow (flowCode and flowDesc are empty)")
        skipped[flow_text].append(row)
        return None
    period, freq = _period(cells, layout, where)
    reporter, reporter_code = _country(cells, layout, "reporter", where)
    partner, partner_code = _country(cells, layout, "partner", where)
    value = _number(cells, layout, "value", where)
    if "value" not in layout.columns:
        value = _number(cells, layout, "cif_value" if "import" in flow else "fob_value", where)
    unit = layout.get(cells, "quantity_unit")
    return Flow(
        reporter=reporter,
        partner=partner,
        period=period,
        freq=freq,
        flow=flow,
        hs_code=_hs_code(layout.get(cells, "hs_code"), where, row, padded),
        value_usd=value,
        net_weight_kg=_number(cells, layout, "net_weight", where),
        quantity=_number(cells, layout, "quantity", where),
        quantity_unit=None if unit.lower() in _NO_UNIT else unit,
        file=file,
        row=row,
        reporter_code=reporter_code,
        partner_code=partner_code,
        breakdown=tuple(
            (field, layout.get(cells, field))
            for field in ("partner2", "customs", "transport")
            if layout.get(cells, field).upper() not in _TOTALS
        ),
    )


def _country(cells: list[str], layout: _Layout, side: str, where: str) -> tuple[str, str | None]:
    iso = layout.get(cells, f"{side}_iso")
    name = layout.get(cells, f"{side}_name")
    code = layout.get(cells, f"{side}_code") or None
    best = iso.upper() or name or code
    if not best:
        raise InputError(where, f"no {side} (its ISO code, name and number are all empty)")
    return best, code


def _number(cells: list[str], layout: _Layout, field: str, where: str) -> float | None:
    text = layout.get(cells, field)
    if not text:
        return None
    if not _NUMBER.fullmatch(text):
        raise InputError(
            where,
            f"column {layout.name(field)!r}: {text!r} is not a number "
            "(write plain numbers with a decimal point, no thousands separators)",
        )
    number = float(text)
    if not math.isfinite(number) or number < 0:
        raise InputError(where, f"column {layout.name(field)!r}: {text!r} is out of range")
    return number


def _hs_code(text: str, where: str, row: int, padded: list[int]) -> str:
    if text.upper() == "TOTAL":
        return "TOTAL"
    if not text.isdigit() or not 1 <= len(text) <= 12:
        raise InputError(where, f"commodity code {text!r} is not an HS code (digits, or TOTAL)")
    if len(text) % 2:
        padded.append(row)
        return "0" + text
    return text


def _period(cells: list[str], layout: _Layout, where: str) -> tuple[date, str]:
    freq_text = layout.get(cells, "freq")
    freq = _FREQS.get(freq_text.upper())
    if freq is None:
        raise InputError(where, f"frequency {freq_text!r} is not A (annual) or M (monthly)")
    month_text = layout.get(cells, "month")
    text = layout.get(cells, "period") or layout.get(cells, "period_id")
    if not text:  # refYear and refMonth
        text = layout.get(cells, "year")
        if not text:
            raise InputError(where, "no period (period, refPeriodId and refYear are empty)")
        if month_text not in ("", "52"):
            text += month_text.zfill(2) if month_text.isdigit() else f"-{month_text}"
    match = _PERIOD.fullmatch(text)
    parts = [int(part) if part else None for part in match.groups()] if match else []
    if (
        not parts
        or not 1900 <= (parts[0] or 0) <= 2100
        or (parts[1] is not None and not 1 <= parts[1] <= 12)
        or parts[2] not in (None, 1)
    ):
        raise InputError(
            where, f"bad period {text!r} (expected YYYY for a year or YYYYMM for a month 01-12)"
        )
    year, month, day = parts
    assert year is not None
    if day is None:
        implied = "A" if month is None else "M"
    else:  # refPeriodId (20230101) is the first day of either a year or a month
        implied = freq or {"52": "A"}.get(month_text, "M" if month_text else "")
        if not implied:
            raise InputError(
                where, f"period {text!r} can be a year or a month; add a freqCode column"
            )
        if implied == "A" and month != 1:
            raise InputError(where, f"period {text!r} is not the start of a year")
    if freq and freq != implied:
        kind = "a year" if implied == "A" else "a month"
        raise InputError(where, f"period {text!r} is {kind} but the frequency is {freq!r}")
    if implied == "A":
        return date(year, 1, 1), "A"
    return date(year, month or 1, 1), "M"


def _duplicate(row: int, amounts: _Amounts, again: Flow) -> str:
    period = again.period.strftime("%Y" if again.freq == "A" else "%Y-%m")
    what = f"{again.reporter} {again.flow} {again.hs_code} {period} with {again.partner}"
    if amounts == (again.value_usd, again.net_weight_kg, again.quantity):
        values = "same values"
    else:
        values = f"different values: {amounts[0]} vs {again.value_usd} USD"
    kept = f"kept row {row}, skipped row {again.row}"
    return f"row {again.row} repeats row {row} ({what}; {values}); {kept}"
