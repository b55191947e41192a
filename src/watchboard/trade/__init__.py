"""Trade statistics as indicators: UN Comtrade flows, HS-code watchlists, mirror statistics.

A pure library (objects in, objects out; no storage, no printing)::

    flows = list(read_flows("comtrade-84.csv.gz"))
    imports = mirror_imports(flows, "PRK", "machine-tools")  # partners' exports to PRK
    series = aggregate(imports, freq="M", by=("partner",))   # list[Observation]

See docs/trade.md for the layouts read, the mirror-statistics caveats and the watchlists.
"""

from watchboard.trade.aggregate import GROUPS, aggregate
from watchboard.trade.flows import COLUMNS, FLOW_KINDS, Flow, ReadWarning, is_world, read_flows
from watchboard.trade.mirror import MirrorFlow, mirror_exports, mirror_imports
from watchboard.trade.records import TradeRecord, compact_rows
from watchboard.trade.watchlists import WatchedCode, Watchlist, load_watchlist, load_watchlists

__all__ = [
    "COLUMNS",
    "FLOW_KINDS",
    "GROUPS",
    "Flow",
    "MirrorFlow",
    "ReadWarning",
    "TradeRecord",
    "WatchedCode",
    "Watchlist",
    "aggregate",
    "compact_rows",
    "is_world",
    "load_watchlist",
    "load_watchlists",
    "mirror_exports",
    "mirror_imports",
    "read_flows",
]
