"""Mirror statistics: a country's trade as its partners report it.

Many countries do not report to UN Comtrade (North Korea, PRK, has not for decades). Their
imports can still be seen in what their partners report as exports to them, and their exports
in what partners report as imports from them. Where the country does report, its own figures
are preferred, and every record says which was used (``basis``).

Valuation differs between the two sides: imports are valued CIF (cost, insurance and freight
to the importer's border), exports FOB (free on board at the exporter's border), so an import
figure is normally a few percent above the matching export figure. ``cif_factor`` converts
between them: a mirrored import is the partner's FOB export times ``cif_factor``, a mirrored
export the partner's CIF import divided by it. The default, 1.0, leaves the partner's figures
as reported; the IMF's conventional ratio is 1.10, estimated ratios are usually lower and
vary by route and commodity. Weights and quantities are never adjusted. Timing differs too
(goods shipped in December may be imported in January), so monthly mirror series are noisier
than the partner's figures suggest.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from watchboard.errors import InputError
from watchboard.trade.flows import Flow, is_world
from watchboard.trade.records import nested_pairs
from watchboard.trade.watchlists import Watchlist, load_watchlist

log = logging.getLogger(__name__)

PREFER = ("code", "partner", "period")


@dataclass(frozen=True)
class MirrorFlow:
    """One flow of ``country``'s trade, from its own report or mirrored from a partner's."""

    country: str  # whose imports (or exports) these are
    partner: str  # the other side
    period: date
    freq: str  # "A" or "M"
    flow: str  # "import" or "export", from the country's side
    hs_code: str
    value_usd: float | None  # partner's figure times (imports) or over (exports) cif_factor
    net_weight_kg: float | None
    quantity: float | None
    quantity_unit: str | None
    basis: str  # "reported" (the country's own figure) or "mirror" (the partner's)
    source: Flow  # the row the figure comes from

    @property
    def reporter(self) -> str:
        """Who reported the figure: the country itself, or the partner for a mirror."""
        return self.source.reporter

    @property
    def file(self) -> str:
        return self.source.file

    @property
    def row(self) -> int:
        return self.source.row

    @property
    def breakdown(self) -> tuple[tuple[str, str], ...]:
        return self.source.breakdown


def mirror_imports(
    flows: Iterable[Flow],
    country: str,
    watchlist: Watchlist | str | None = None,
    *,
    cif_factor: float = 1.0,
    prefer: str = "code",
) -> list[MirrorFlow]:
    """``country``'s imports: its own reported imports where it has them, else its partners'
    reported exports to it (times ``cif_factor``).

    ``country`` is matched against reporters and partners by ISO3 code (or name, as read) and
    by Comtrade number. ``watchlist`` (a :class:`Watchlist` or a name for
    :func:`load_watchlist`) restricts the codes; broader and narrower codes of one flow are
    not both counted (see :meth:`Watchlist.select`). Only imports and exports are used:
    re-imports and re-exports are already part of them. The country's own rows with the World
    as partner are left out, since mirror figures exist per partner only.

    ``prefer`` says how much of a partner's figure the country's own report replaces: "code"
    (default) a partner, period and code it reports (annual covers its months, a heading its
    subheadings); "partner" everything with a partner in a period it reports any trade with
    that partner; "period" everything in a period it reports at all.
    """
    return _mirror(flows, country, watchlist, "import", cif_factor, prefer)


def mirror_exports(
    flows: Iterable[Flow],
    country: str,
    watchlist: Watchlist | str | None = None,
    *,
    cif_factor: float = 1.0,
    prefer: str = "code",
) -> list[MirrorFlow]:
    """``country``'s exports: its own reported exports where it has them, else its partners'
    reported imports from it (divided by ``cif_factor``). As :func:`mirror_imports`."""
    return _mirror(flows, country, watchlist, "export", cif_factor, prefer)


def _mirror(
    flows: Iterable[Flow],
    country: str,
    watchlist: Watchlist | str | None,
    side: str,
    cif_factor: float,
    prefer: str,
) -> list[MirrorFlow]:
    if not (math.isfinite(cif_factor) and cif_factor > 0):
        raise InputError("cif_factor", f"{cif_factor} is not a positive number (1.0: no change)")
    if prefer not in PREFER:
        raise InputError("prefer", f"{prefer!r} is not one of {', '.join(PREFER)}")
    if isinstance(watchlist, str):
        watchlist = load_watchlist(watchlist)
    if watchlist is not None:
        records = watchlist.select(flows)
    else:
        records = list(flows)
        nested = {id(part) for part, _ in nested_pairs(records)}
        records = [record for record in records if id(record) not in nested]
    mirrored = "export" if side == "import" else "import"
    scale = cif_factor if side == "import" else 1 / cif_factor
    own: list[MirrorFlow] = []
    theirs: list[MirrorFlow] = []
    for flow in records:
        reported = _is(country, flow.reporter, flow.reporter_code)
        if reported and flow.flow == side and not is_world(flow.partner, flow.partner_code):
            own.append(_record(flow, country, flow.partner, side, "reported", 1.0))
        elif (
            not reported
            and flow.flow == mirrored
            and _is(country, flow.partner, flow.partner_code)
            and not is_world(flow.reporter, flow.reporter_code)
        ):
            theirs.append(_record(flow, country, flow.reporter, side, "mirror", scale))
    by_year: dict[int, list[MirrorFlow]] = defaultdict(list)
    for record in own:
        by_year[record.period.year].append(record)
    used = [
        record
        for record in theirs
        if not any(_covers(mine, record, prefer) for mine in by_year[record.period.year])
    ]
    if len(used) < len(theirs):
        log.info(
            "%s %ss: %d partner rows replaced by the country's own report",
            country,
            side,
            len(theirs) - len(used),
        )
    result = own + used
    result.sort(key=lambda r: (r.period, r.freq, r.partner, r.hs_code, r.basis, r.file, r.row))
    return result


def _is(country: str, name: str, code: str | None) -> bool:
    return country.upper() == name.upper() or country == code


def _record(
    flow: Flow, country: str, partner: str, side: str, basis: str, scale: float
) -> MirrorFlow:
    value = flow.value_usd
    return MirrorFlow(
        country=country,
        partner=partner,
        period=flow.period,
        freq=flow.freq,
        flow=side,
        hs_code=flow.hs_code,
        value_usd=value * scale if value is not None and scale != 1.0 else value,
        net_weight_kg=flow.net_weight_kg,
        quantity=flow.quantity,
        quantity_unit=flow.quantity_unit,
        basis=basis,
        source=flow,
    )


def _covers(mine: MirrorFlow, theirs: MirrorFlow, prefer: str) -> bool:
    """Whether the country's own record covers (part of) what a partner's record reports."""
    same_period = mine.period.year == theirs.period.year and (
        "A" in (mine.freq, theirs.freq) or mine.period.month == theirs.period.month
    )
    if not same_period or prefer == "period":
        return same_period
    if mine.partner.upper() != theirs.partner.upper():
        return False
    return prefer == "partner" or (
        mine.hs_code.startswith(theirs.hs_code) or theirs.hs_code.startswith(mine.hs_code)
    )
