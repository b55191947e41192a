"""Match claims about the same thing across documents, without comparing all pairs.

Blocking: each claim is indexed under a few keys — its rarest content terms, its places (site
or GeoNames id) and its actors. Only claims sharing at least ``min_shared`` keys are compared,
and keys shared by more than ``max_block`` claims are skipped (too common to tell events
apart), so the work per claim is bounded by ``keys_per_claim * max_block`` and the cost grows
with the number of claims, not its square (``benchmarks/bench_assess.py``).

Scoring: idf-weighted overlap of content terms (which must reach ``cross_type_text`` when the
two claims were given different event types, since one sentence can read as "construction"
and its paraphrase as "production"), plus bonuses for a shared actor, a compatible
place and an overlapping time. Two claims at conflicting places only match when they name the
same actor on the same precise date (then the place is what they disagree about); conflicting
precise dates only match when the wording is very close.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from watchboard.assess import relations as rel
from watchboard.assess.records import ClaimRecord
from watchboard.assess.terms import idf_weights


@dataclass(frozen=True)
class MatchSettings:
    threshold: float = 0.25
    strong_text: float = 0.5
    actor_bonus: float = 0.1
    place_bonus: float = 0.1
    time_bonus: float = 0.1
    cross_type_text: float = 0.35
    min_text: float = 0.1
    keys_per_claim: int = 10
    min_shared: int = 2
    max_block: int = 200
    near_km: float = rel.NEAR_KM

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> MatchSettings:
        return cls(**{k: type(getattr(cls(), k))(v) for k, v in raw.items()})


@dataclass(frozen=True)
class Match:
    a: str
    b: str
    score: float
    text: float
    place: str
    time: str
    actors: tuple[str, ...]

    def reasons(self) -> str:
        parts = [f"wording {self.text:.2f}"]
        if self.actors:
            parts.append("same actor " + ", ".join(self.actors))
        parts.append(f"place {self.place}")
        parts.append(f"time {self.time}")
        return f"score {self.score:.2f} (" + "; ".join(parts) + ")"


@dataclass
class MatchResult:
    matches: list[Match]
    groups: dict[str, str]  # claim id -> match group id (smallest claim id in the group)
    compared: int
    skipped_keys: int
    neighbours: dict[str, list[Match]] = field(default_factory=dict)


def _keys(record: ClaimRecord, terms: frozenset[str], idf: dict[str, float], k: int) -> set[str]:
    keys = {f"t:{t}" for t in sorted(terms, key=lambda t: (-idf.get(t, 0.0), t))[:k]}
    for place in record.places:
        if place.site:
            keys.add(f"s:{place.site}")
        elif place.geonames_id is not None and not rel.is_area(place):
            keys.add(f"g:{place.geonames_id}")
    keys.update(f"a:{actor}" for actor in record.actors)
    return keys


def match_claims(
    records: Sequence[ClaimRecord], settings: MatchSettings | None = None
) -> MatchResult:
    settings = settings or MatchSettings()
    terms = [r.terms for r in records]
    idf = idf_weights(terms)
    weight = [sum(idf.get(t, 1.0) for t in ts) for ts in terms]
    postings: dict[str, list[int]] = defaultdict(list)
    keys_of = []
    for i, record in enumerate(records):
        keys = _keys(record, terms[i], idf, settings.keys_per_claim)
        keys_of.append(keys)
        for key in keys:
            postings[key].append(i)
    skipped = {key for key, members in postings.items() if len(members) > settings.max_block}
    compared = 0
    matches = []
    # For each claim, count the keys it shares with every later claim (postings are in index
    # order); only pairs sharing ``min_shared`` keys are scored. No pair set is ever built.
    for i, record in enumerate(records):
        shared: dict[int, int] = defaultdict(int)
        for key in keys_of[i]:
            if key in skipped:
                continue
            members = postings[key]
            for j in members[bisect_right(members, i) :]:
                shared[j] += 1
        for j, count in shared.items():
            if count < settings.min_shared or records[j].document_id == record.document_id:
                continue  # one report repeating itself does not match itself
            compared += 1
            found = _score(
                record, records[j], terms[i], terms[j], weight[i], weight[j], idf, settings
            )
            if found is not None:
                matches.append(found)
    matches.sort(key=lambda m: (m.a, m.b))
    groups = _groups([r.id for r in records], matches)
    neighbours: dict[str, list[Match]] = defaultdict(list)
    for m in matches:
        neighbours[m.a].append(m)
        neighbours[m.b].append(m)
    return MatchResult(matches, groups, compared, len(skipped), dict(neighbours))


def _score(
    a: ClaimRecord,
    b: ClaimRecord,
    ta: frozenset[str],
    tb: frozenset[str],
    wa: float,
    wb: float,
    idf: dict[str, float],
    s: MatchSettings,
) -> Match | None:
    common = sum(idf.get(t, 1.0) for t in ta & tb)
    text = common / (wa + wb - common) if common else 0.0
    if text < s.min_text:
        return None
    if a.event_type != b.event_type and text < s.cross_type_text:
        return None  # typed differently: only near-identical wording makes them one event
    place = rel.places_relation(a.places, b.places, s.near_km)
    time = rel.times_relation(a.times, b.times)
    actors = tuple(sorted(set(a.actors) & set(b.actors)))
    score = text
    if actors:
        score += s.actor_bonus
    if place == rel.COMPATIBLE:
        score += s.place_bonus
    if time == rel.COMPATIBLE:
        score += s.time_bonus
    if place == rel.CONFLICT and not (actors and _same_day(a, b)):
        return None
    if time == rel.CONFLICT and text < s.strong_text:
        return None
    if score < s.threshold:
        return None
    first, second = (a, b) if a.id < b.id else (b, a)
    return Match(first.id, second.id, round(score, 3), round(text, 3), place, time, actors)


def _same_day(a: ClaimRecord, b: ClaimRecord) -> bool:
    days_a = {t.start for t in rel.dated(a.times) if t.granularity == "day"}
    days_b = {t.start for t in rel.dated(b.times) if t.granularity == "day"}
    return bool(days_a & days_b)


def _groups(ids: Sequence[str], matches: Sequence[Match]) -> dict[str, str]:
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for m in matches:
        ra, rb = find(m.a), find(m.b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {i: find(i) for i in ids}
