"""Resolve place mentions to gazetteer places, using the rest of the document as context.

Each distinct name in a document is resolved once ("one sense per discourse"): its
candidates are scored by

* a prior: the kind of place (a country before a first-level division before a big city before
  a village), the population, and whether the name is the place's main name or an alias;
* explicit context (:class:`PlaceContext`): countries the caller knows are relevant, such as
  the case's region;
* the document: countries and first-level divisions mentioned or implied by other places, a
  "Place, Region" pattern ("Alexandria, La.", "Paris, Texas"), and distance to the places
  chosen for the other names (the reading that keeps the document's places close together
  wins);

and the best is taken. Case sites win whenever their name or an alias matches. A name with
no candidate is kept with ``resolved=False``. Confidence is the softmax share of the best
candidate's score, so it is low when two readings are close.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from watchboard.config import cache_dir
from watchboard.model.case import Site
from watchboard.model.extraction import PlaceMention, ResolvedPlace
from watchboard.resolve.gazetteer import Gazetteer, Match, Place, fold

__all__ = ["GazetteerResolver", "PlaceContext", "resolve_places"]

MAX_CANDIDATES = 25
_KIND_WORDS = ("county", "parish", "borough", "province", "district", "prefecture", "oblast")
_AREA_FEATURES = ("A.PCL", "L.CONT", "L.RGN", "H.")


@dataclass(frozen=True)
class PlaceContext:
    """What the caller knows about where a document is about.

    ``countries``: ISO alpha-2 codes that are relevant (a case's region, a source's country).
    ``focus``: (lat, lon) points the document is likely near (case sites, a source's home).
    ``text``: the document text, to read "Place, Region" patterns exactly.
    """

    countries: tuple[str, ...] = ()
    focus: tuple[tuple[float, float], ...] = ()
    text: str | None = None


@dataclass
class _Group:
    """All mentions of one name in the document, resolved together."""

    key: str
    mentions: list[PlaceMention]
    candidates: list[Match]
    priors: list[float]
    scores: list[float] = field(default_factory=list)
    choice: int = -1
    rule: str = ""


class GazetteerResolver:
    """A gazetteer and this resolver as one object: a ``model.protocols.PlaceResolver``.

    The job layer builds one per pipeline (``GazetteerResolver.build(case_sites)``) and
    hands it to the extraction stage, which finds mentions with ``knows`` (see
    ``watchboard.extract.places.PlaceFinder``) and resolves them with ``resolve``.
    ``fingerprint`` changes whenever the data or the options that shape results change.
    """

    def __init__(self, gazetteer: Gazetteer, *, context: PlaceContext | None = None) -> None:
        self.gazetteer = gazetteer
        self.context = context or PlaceContext()

    @classmethod
    def build(
        cls,
        sites: Sequence[Site] = (),
        *,
        countries: Sequence[str] | None = None,
        **options: Any,
    ) -> GazetteerResolver:
        """Build the gazetteer with the case's ``sites``; ``options`` go to ``Gazetteer.build``.

        ``countries`` are the case's countries, preferred when a name is ambiguous; by
        default the countries of the sites. The last two gazetteers built are kept and shared
        (they are read-only), so rebuilding a pipeline in one process does not rebuild them.
        """
        gazetteer = _shared_gazetteer(sites, options)
        if countries is None:
            countries = sorted({s.country for s in sites if s.country})
        return cls(gazetteer, context=PlaceContext(countries=tuple(countries)))

    @property
    def fingerprint(self) -> str:
        return f"{self.gazetteer.fingerprint}:{','.join(self.context.countries)}"

    @property
    def max_tokens(self) -> int:
        return self.gazetteer.max_tokens

    def knows(self, phrase: str) -> bool:
        """Whether ``phrase``, as written in text, names a known place."""
        return self.gazetteer.knows(phrase)

    def could_start(self, word: str) -> bool:
        """False when no known name begins with ``word`` (a finder's cheap first test)."""
        return self.gazetteer.could_start(word)

    def is_common_word(self, word: str) -> bool:
        """Whether ``word`` is a frequent English word that names no prominent place."""
        return self.gazetteer.is_common_word(word)

    def resolve(self, mentions: Sequence[PlaceMention], *, text: str) -> list[ResolvedPlace]:
        """Resolve ``mentions`` of ``text``; see :func:`resolve_places`."""
        return resolve_places(
            mentions, gazetteer=self.gazetteer, context=replace(self.context, text=text)
        )


_SHARED: dict[str, Gazetteer] = {}
_SHARED_SIZE = 2


def _shared_gazetteer(sites: Sequence[Site], options: dict[str, Any]) -> Gazetteer:
    key = repr((tuple(repr(site) for site in sites), sorted(options.items())))
    gazetteer = _SHARED.get(key)
    if gazetteer is None:
        options.setdefault("cache_dir", cache_dir())
        gazetteer = Gazetteer.load_or_build(sites, **options)
        while len(_SHARED) >= _SHARED_SIZE:
            _SHARED.pop(next(iter(_SHARED)))
        _SHARED[key] = gazetteer
    return gazetteer


def resolve_places(
    mentions: Sequence[PlaceMention],
    *,
    gazetteer: Gazetteer,
    context: PlaceContext | None = None,
) -> list[ResolvedPlace]:
    """Resolve each mention to a place (or ``resolved=False``), in the order given."""
    context = context or PlaceContext()
    groups: dict[str, _Group] = {}
    order: list[_Group] = []
    for mention in mentions:
        key = fold(mention.span.text)
        group = groups.get(key)
        if group is None:
            candidates = gazetteer.lookup(mention.span.text)
            has_kind_word = any(key.endswith(" " + w) for w in _KIND_WORDS)
            priors = [_prior(c, has_kind_word=has_kind_word) for c in candidates]
            _prefer_city_over_its_division(candidates, priors)
            ranked = sorted(range(len(candidates)), key=lambda i: -priors[i])[:MAX_CANDIDATES]
            group = _Group(
                key=key,
                mentions=[],
                candidates=[candidates[i] for i in ranked],
                priors=[priors[i] for i in ranked],
            )
            groups[key] = group
        group.mentions.append(mention)
        order.append(group)
    distinct = list(groups.values())
    _disambiguate(distinct, mentions, groups, context)
    return [_result(mention, group) for mention, group in zip(mentions, order, strict=True)]


_POPULATION_WEIGHT = 0.5  # per factor of ten people
_CAPITAL_BONUS = 1.0
_ADMIN1_PRIOR = 4.5


def _prior(match: Match, *, has_kind_word: bool) -> float:
    place = match.place
    feature = place.feature
    population = max(place.population, 1)
    if place.site is not None:
        score = 20.0
    elif feature.startswith("A.PCL"):
        score = 5.5
    elif feature in ("L.CONT", "A.ZN"):
        score = 5.0
    elif feature == "A.ADM1":
        score = _ADMIN1_PRIOR
    elif feature.startswith("L.") or feature.startswith("H."):
        score = 4.0
    elif feature == "A.ADM2":
        score = 4.0 if has_kind_word else 1.0
    else:
        score = _POPULATION_WEIGHT * math.log10(population)
        if feature == "P.PPLC":
            score += _CAPITAL_BONUS
        elif feature == "P.PPLA":
            score += 0.5
    if match.how == "alias":
        score -= 0.7
    elif match.how == "demonym":
        score -= 1.0
    elif match.how == "korean":
        score -= 0.3
    return score


# Affinity between two readings of two different names in one document.
_AFFINITY_IN_ADMIN1 = 2.0  # a place inside a division named in the document
_AFFINITY_IN_COUNTRY = 0.6  # a place or division inside a country named in the document
_AFFINITY_SAME_ADMIN1 = 0.6  # two places in one division
_AFFINITY_SAME_COUNTRY = 0.3
_DISTANCE_STEPS = ((25.0, 1.5), (100.0, 1.2), (250.0, 0.8), (600.0, 0.4))
_KIND_POINT, _KIND_COUNTRY, _KIND_ADMIN1, _KIND_AREA = 0, 1, 2, 3


def _prefer_city_over_its_division(candidates: list[Match], priors: list[float]) -> None:
    """A city that is also its own first-level division (Pyongyang, Seoul, Moscow) is meant
    as the city: its division reading gives way."""
    divisions = [i for i, c in enumerate(candidates) if c.place.is_admin1]
    if not divisions:
        return
    for i, candidate in enumerate(candidates):
        city = candidate.place
        if not city.feature.startswith("P.") or candidate.how != "name":
            continue  # by its own name only: "Mexico" is not Mexico City
        for d in divisions:
            division = candidates[d].place
            if division.country == city.country and (
                _fast_km(city.lat, city.lon, division.lat, division.lon) < 100
            ):
                priors[i] = max(priors[i], priors[d] + 0.5)


def _disambiguate(
    groups: list[_Group],
    mentions: Sequence[PlaceMention],
    by_key: dict[str, _Group],
    context: PlaceContext,
) -> None:
    """Score every reading of every name; take the best per name.

    A reading gains support from each *other* name in the document: the best affinity
    between it and any reading of that name (same division, same country, nearby), weighted
    by how plausible that reading is. So "Athens" + "Clarke County" pull each other to
    Georgia even though the prior prefers Greece.
    """
    containers = _containers(mentions, by_key, context)
    flat: list[tuple[int, Match, float]] = []
    starts: list[int] = []
    for g, group in enumerate(groups):
        starts.append(len(flat))
        flat.extend((g, c, p) for c, p in zip(group.candidates, group.priors, strict=True))
    n = len(flat)
    support = np.zeros(n)
    if n and len(groups) > 1:
        affinity = _affinity([c.place for _, c, _ in flat])
        group_of = np.array([g for g, _, _ in flat])
        priors = np.array([p for _, _, p in flat])
        weights = _weights(priors, group_of, len(groups))
        nonempty = [g for g, group in enumerate(groups) if group.candidates]
        for _ in range(2):
            weighted = affinity * weights[None, :]
            per_group = np.maximum.reduceat(weighted, [starts[g] for g in nonempty], axis=1)
            own = np.searchsorted(nonempty, group_of)
            per_group[np.arange(n), own] = 0.0
            support = per_group.sum(axis=1)
            weights = _weights(
                priors + _SUPPORT_CAP * (1 - np.exp(-support / _SUPPORT_CAP)), group_of, len(groups)
            )
    explicit = set(context.countries)
    for g, group in enumerate(groups):
        scores = []
        for k, (candidate, prior) in enumerate(zip(group.candidates, group.priors, strict=True)):
            place = candidate.place
            score = prior
            if place.site is None:
                score += _saturate(float(support[starts[g] + k]))
                if place.country and place.country in explicit:
                    score += 1.5
                score += _focus_score(place, context.focus)
                score += containers.get((group.key, place.index), 0.0)
            scores.append(score)
        group.scores = scores
        group.choice = _argmax(scores)
        if group.choice < 0:
            group.rule = "no-candidate"
        elif group.candidates[group.choice].place.site is not None:
            group.rule = "site"
        elif len(group.candidates) == 1:
            group.rule = "only-candidate"
        elif _argmax(group.priors) != group.choice:
            group.rule = "context"
        else:
            group.rule = "prior"


_SUPPORT_CAP = 6.0
_WEIGHT_FLOOR = 0.15


def _saturate(support: float) -> float:
    """Support from other names grows slower as it adds up: their evidence overlaps."""
    return _SUPPORT_CAP * (1.0 - math.exp(-support / _SUPPORT_CAP))


def _weights(scores: np.ndarray, group_of: np.ndarray, groups: int) -> np.ndarray:
    """0.15..1: how plausible each reading is next to the best reading of its own name."""
    best = np.full(groups, -np.inf)
    np.maximum.at(best, group_of, scores)
    relative = np.exp(scores - best[group_of])
    weights: np.ndarray = _WEIGHT_FLOOR + (1.0 - _WEIGHT_FLOOR) * relative
    return weights


def _affinity(places: list[Place]) -> np.ndarray:
    n = len(places)
    lat = np.radians(np.array([p.lat for p in places]))
    lon = np.radians(np.array([p.lon for p in places]))
    kind = np.array([_kind(p) for p in places])
    countries: dict[str | None, int] = {}
    country = np.array([countries.setdefault(p.country, len(countries)) for p in places])
    admins: dict[tuple[str | None, str | None], int] = {}
    admin1 = np.array([admins.setdefault((p.country, p.admin1), len(admins)) for p in places])
    has_country = np.array([p.country is not None for p in places])
    has_admin1 = np.array([p.admin1 is not None for p in places])

    same_country = (
        (country[:, None] == country[None, :]) & has_country[:, None] & has_country[None, :]
    )
    same_admin1 = (admin1[:, None] == admin1[None, :]) & has_admin1[:, None] & has_admin1[None, :]
    same_admin1 &= same_country

    out = np.zeros((n, n))
    point = kind == _KIND_POINT
    both_points = point[:, None] & point[None, :]
    # Equirectangular distances (km) between point readings.
    x = ((lon[None, :] - lon[:, None] + np.pi) % (2 * np.pi) - np.pi) * np.cos(
        (lat[:, None] + lat[None, :]) / 2
    )
    y = lat[None, :] - lat[:, None]
    with np.errstate(invalid="ignore"):
        distance = 6371.0 * np.hypot(x, y)
    distance = np.where(np.isnan(distance), np.inf, distance)
    near = np.zeros((n, n))
    for limit, value in reversed(_DISTANCE_STEPS):
        near = np.where(distance < limit, value, near)
    out = np.where(both_points, near, out)
    # Division/country containment, both ways, and shared divisions between points.
    division = (kind == _KIND_ADMIN1)[:, None] | (kind == _KIND_ADMIN1)[None, :]
    nation = (kind == _KIND_COUNTRY)[:, None] | (kind == _KIND_COUNTRY)[None, :]
    area = (kind == _KIND_AREA)[:, None] | (kind == _KIND_AREA)[None, :]
    same_admin1_bonus = np.where(same_admin1, _AFFINITY_SAME_ADMIN1, 0.0)
    same_country_bonus = np.where(same_country, _AFFINITY_SAME_COUNTRY, 0.0)
    out = np.where(
        both_points, np.maximum(out, np.maximum(same_admin1_bonus, same_country_bonus)), out
    )
    in_admin1 = np.where(same_admin1, _AFFINITY_IN_ADMIN1, same_country_bonus)
    out = np.where(division & ~nation, in_admin1, out)
    out = np.where(nation, np.where(same_country, _AFFINITY_IN_COUNTRY, 0.0), out)
    out = np.where(area, 0.0, out)
    return out


def _kind(place: Place) -> int:
    if place.is_country:
        return _KIND_COUNTRY
    if place.is_admin1:
        return _KIND_ADMIN1
    if place.feature.startswith(_AREA_FEATURES) or place.feature.startswith("A.ZN"):
        return _KIND_AREA
    if math.isnan(place.lat) or math.isnan(place.lon):
        return _KIND_AREA
    return _KIND_POINT


def _focus_score(place: Place, focus: tuple[tuple[float, float], ...]) -> float:
    if not focus or _kind(place) != _KIND_POINT:
        return 0.0
    nearest = min(_fast_km(place.lat, place.lon, lat, lon) for lat, lon in focus)
    for limit, value in _DISTANCE_STEPS:
        if nearest < limit:
            return value
    return 0.0


def _containers(
    mentions: Sequence[PlaceMention], by_key: dict[str, _Group], context: PlaceContext
) -> dict[tuple[str, int], float]:
    """Bonuses from "Place, Region" pairs: the candidates of Place inside Region's readings."""
    bonus: dict[tuple[str, int], float] = {}
    ordered = sorted(mentions, key=lambda m: m.span.start)
    for first, second in itertools.pairwise(ordered):
        gap_start, gap_end = first.span.end, second.span.start
        if context.text is not None:
            if context.text[gap_start:gap_end].strip() != ",":
                continue
        elif not 1 <= gap_end - gap_start <= 2:
            continue
        inner = by_key[fold(first.span.text)]
        outer = by_key[fold(second.span.text)]
        regions = {
            (c.place.country, c.place.admin1 if c.place.is_admin1 else None)
            for c in outer.candidates
            if c.place.is_country or c.place.is_admin1
        }
        if not regions:
            continue
        for candidate in inner.candidates:
            place = candidate.place
            if (place.country, place.admin1) in regions or (place.country, None) in regions:
                bonus[(inner.key, place.index)] = 4.0
        # The region reading that contains one of the place's readings gains too.
        inner_regions = {(c.place.country, c.place.admin1) for c in inner.candidates}
        inner_countries = {c.place.country for c in inner.candidates}
        for candidate in outer.candidates:
            place = candidate.place
            if (place.is_admin1 and (place.country, place.admin1) in inner_regions) or (
                place.is_country and place.country in inner_countries
            ):
                bonus[(outer.key, place.index)] = 1.0
    return bonus


def _result(mention: PlaceMention, group: _Group) -> ResolvedPlace:
    if group.choice < 0:
        return ResolvedPlace(mention=mention, resolved=False, rule="no-candidate")
    place = group.candidates[group.choice].place
    return ResolvedPlace(
        mention=mention,
        resolved=True,
        name=place.name,
        lat=None if math.isnan(place.lat) else place.lat,
        lon=None if math.isnan(place.lon) else place.lon,
        geonames_id=place.geonames_id,
        country=place.country,
        admin1=place.admin1_name or place.admin1,
        feature=place.feature,
        site=place.site,
        confidence=_confidence(group.scores, group.choice),
        rule=group.rule,
    )


def _confidence(scores: list[float], choice: int) -> float:
    best = scores[choice]
    total = sum(math.exp(s - best) for s in scores)
    return round(1.0 / total, 3)


def _argmax(values: list[float]) -> int:
    if not values:
        return -1
    best = 0
    for i, value in enumerate(values):
        if value > values[best]:
            best = i
    return best


def _fast_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: within a percent of great-circle below 1000 km."""
    x = math.radians((lon2 - lon1 + 540.0) % 360.0 - 180.0) * math.cos(
        math.radians((lat1 + lat2) / 2)
    )
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)
