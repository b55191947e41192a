"""Helpers for the trade tests: small Comtrade-layout files and hand-made flows."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

from watchboard.trade import Flow

# The current Comtrade API/website layout, trimmed to the columns that matter here.
PLUS_HEADER = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,"
    "reporterDesc,flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,cmdCode,"
    "qtyUnitAbbr,qty,netWgt,primaryValue"
)


def plus_row(
    reporter: str = "CHN",
    partner: str = "PRK",
    period: str = "202301",
    flow: str = "X",
    code: str = "845611",
    value: str = "1000",
    weight: str = "50",
    qty: str = "2",
) -> str:
    """One row in :data:`PLUS_HEADER`'s layout."""
    codes = {"CHN": "156", "PRK": "408", "RUS": "643", "W00": "0"}
    names = {"CHN": "China", "PRK": "Dem. People's Rep. of Korea", "RUS": "Russian Federation"}
    freq = "A" if len(period) == 4 else "M"
    month = "52" if freq == "A" else str(int(period[4:]))
    desc = {"M": "Import", "X": "Export", "RM": "Re-import", "RX": "Re-export"}.get(flow, flow)
    return ",".join(
        [
            "C",
            freq,
            f"{period[:4]}{period[4:] or '01'}01",
            period[:4],
            month,
            period,
            codes.get(reporter, "999"),
            reporter,
            f'"{names.get(reporter, reporter)}"',
            flow,
            desc,
            codes.get(partner, "999"),
            partner,
            f'"{names.get(partner, "World")}"',
            code,
            "u",
            qty,
            weight,
            value,
        ]
    )


def write(
    path: Path, lines: list[str], *, sep: str = ",", bom: bool = False, gz: bool = False
) -> Path:
    """Write CSV lines (comma-separated as given; ``sep`` replaces the commas)."""
    text = "\n".join(line.replace(",", sep) for line in lines) + "\n"
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def flow(
    reporter: str,
    partner: str,
    period: str,
    kind: str,
    code: str,
    value: float | None,
    *,
    row: int,
    file: str = "t.csv",
    weight: float | None = None,
    quantity: float | None = None,
    unit: str | None = None,
    partner_code: str | None = None,
) -> Flow:
    """A flow made by hand; ``period`` is "2023" (a year) or "2023-01" (a month)."""
    year, _, month = period.partition("-")
    return Flow(
        reporter=reporter,
        partner=partner,
        period=date(int(year), int(month or 1), 1),
        freq="M" if month else "A",
        flow=kind,
        hs_code=code,
        value_usd=value,
        net_weight_kg=weight,
        quantity=quantity,
        quantity_unit=unit,
        file=file,
        row=row,
        partner_code=partner_code,
    )
