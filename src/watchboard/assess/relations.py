"""How two claims' slots relate: compatible, conflicting or unknown, for time, place, number.

Places are compared by distance and containment, never by name: "Kanggye" and "Chagang
Province" are compatible (the town lies in the province), "Kanggye" and "Hamhung" are 180 km
apart and conflict. Times are compared as intervals, numbers as ranges with a tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from watchboard.assess.records import PlaceSlot, QuantitySlot, TimeSlot

COMPATIBLE = "compatible"
CONFLICT = "conflict"
UNKNOWN = "unknown"

#: Places closer than this are the same place for matching purposes.
NEAR_KM = 50.0
#: GeoNames feature codes of areas that contain other places.
_COUNTRY = ("A.PCLI", "A.PCL", "A.PCLD", "A.PCLS", "A.PCLF", "A.PCLIX")
_ADMIN1 = ("A.ADM1",)
#: Time granularities precise enough for two disjoint intervals to be a real conflict.
_PRECISE = frozenset({"day", "week", "month"})


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def is_area(place: PlaceSlot) -> bool:
    """A country or first-level division: context more than a location."""
    return (place.feature or "").startswith(_COUNTRY + _ADMIN1)


def _contains(area: PlaceSlot, place: PlaceSlot) -> bool:
    feature = area.feature or ""
    if feature.startswith(_COUNTRY):
        return area.country is not None and area.country == place.country
    if feature.startswith(_ADMIN1):
        return (
            area.country is not None
            and area.country == place.country
            and area.admin1 is not None
            and area.admin1 == place.admin1
        )
    return False


def place_pair(a: PlaceSlot, b: PlaceSlot, near_km: float = NEAR_KM) -> str:
    if not (a.resolved and b.resolved):
        return UNKNOWN
    if a.site and a.site == b.site:
        return COMPATIBLE
    if a.geonames_id is not None and a.geonames_id == b.geonames_id:
        return COMPATIBLE
    if _contains(a, b) or _contains(b, a):
        return COMPATIBLE
    if None in (a.lat, a.lon, b.lat, b.lon):
        return UNKNOWN
    if is_area(a) or is_area(b):
        return CONFLICT if a.country != b.country else UNKNOWN
    distance = haversine_km(a.lat, a.lon, b.lat, b.lon)  # type: ignore[arg-type]
    return COMPATIBLE if distance <= near_km else CONFLICT


def places_relation(
    a: Sequence[PlaceSlot], b: Sequence[PlaceSlot], near_km: float = NEAR_KM
) -> str:
    """Compatible if any pair is; conflict if every resolvable pair of locations conflicts."""
    a = [p for p in a if p.resolved]
    b = [p for p in b if p.resolved]
    if not a or not b:
        return UNKNOWN
    relations = {place_pair(x, y, near_km) for x in a for y in b}
    if COMPATIBLE in relations:
        return COMPATIBLE
    # Only specific locations (not countries or provinces) can conflict.
    specific = [
        place_pair(x, y, near_km) for x in a for y in b if not is_area(x) and not is_area(y)
    ]
    if specific and all(r == CONFLICT for r in specific):
        return CONFLICT
    return UNKNOWN


def dated(times: Sequence[TimeSlot]) -> list[TimeSlot]:
    return [t for t in times if t.type == "DATE" and t.start is not None and t.end is not None]


def times_relation(a: Sequence[TimeSlot], b: Sequence[TimeSlot]) -> str:
    """Compatible if two intervals overlap; conflict if precise intervals never do."""
    a, b = dated(a), dated(b)
    if not a or not b:
        return UNKNOWN
    for x in a:
        for y in b:
            if x.start < y.end and y.start < x.end:  # type: ignore[operator]
                return COMPATIBLE
    precise_a = [t for t in a if t.granularity in _PRECISE]
    precise_b = [t for t in b if t.granularity in _PRECISE]
    if precise_a and precise_b and len(precise_a) == len(a) and len(precise_b) == len(b):
        return CONFLICT
    return UNKNOWN


def _interval(q: QuantitySlot, tolerance: float) -> tuple[float, float]:
    low = -math.inf if q.low is None else q.low
    high = math.inf if q.high is None else q.high
    if q.bound == "upper":  # "up to 50": anything from 0
        low = -math.inf
    if q.bound == "lower":  # "more than 50"
        high = math.inf
    slack = tolerance * 2 if q.bound == "approx" else tolerance
    return (low - abs(low) * slack if low != -math.inf else low, high + abs(high) * slack)


@dataclass(frozen=True)
class QuantityConflict:
    slot: str
    a: QuantitySlot
    b: QuantitySlot


def quantity_conflicts(
    a: Sequence[QuantitySlot], b: Sequence[QuantitySlot], tolerance: float = 0.1
) -> list[QuantityConflict]:
    """Slots (unit or counted noun) both claims give a number for, with no overlap at all."""
    conflicts = []
    slots_a: dict[str, list[QuantitySlot]] = {}
    for q in a:
        if q.slot is not None:
            slots_a.setdefault(q.slot, []).append(q)
    slots_b: dict[str, list[QuantitySlot]] = {}
    for q in b:
        if q.slot is not None:
            slots_b.setdefault(q.slot, []).append(q)
    for slot in slots_a.keys() & slots_b.keys():
        overlap = False
        for x in slots_a[slot]:
            lx, hx = _interval(x, tolerance)
            for y in slots_b[slot]:
                ly, hy = _interval(y, tolerance)
                if lx <= hy and ly <= hx:
                    overlap = True
        if not overlap:
            conflicts.append(QuantityConflict(slot, slots_a[slot][0], slots_b[slot][0]))
    return conflicts
