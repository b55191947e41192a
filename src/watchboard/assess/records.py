"""What assessment works on: claims reduced to comparable slots, and the sources behind them.

A :class:`ClaimRecord` is built from a stored claim (its ``data`` JSON, see
``watchboard.model.claim.Claim``) plus the facts about its document the claim table does not
hold: when the document became available, its outlet and near-duplicate cluster. Assessment
never reads the database; ``watchboard.jobs.assess`` builds these records and stores results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from watchboard.assess.terms import content_terms

#: Source reliability grades, best first (STANAG 2511 / AJP-2.1).
RELIABILITY = "ABCDEF"

#: Claim modalities that report something as having happened (or happening now).
FACTUAL = frozenset({"completed", "observed", "under_way", "stated"})
#: Modalities that report an intention, order or forecast rather than a fact on the ground.
INTENDED = frozenset({"ordered", "planned", "projected"})


@dataclass(frozen=True)
class SourceInfo:
    """A registered source as assessment needs it."""

    name: str
    reliability: str  # A-F
    group: str  # independence group; the source's own name when it has none
    kind: str = "unknown"
    names: tuple[str, ...] = ()  # lower-case name and aliases, for matching chain links


@dataclass(frozen=True)
class TimeSlot:
    text: str
    type: str
    value: str
    start: date | None
    end: date | None  # exclusive
    granularity: str | None
    mod: str | None
    offset: int  # character offset in the document


@dataclass(frozen=True)
class PlaceSlot:
    text: str
    resolved: bool
    name: str | None
    lat: float | None
    lon: float | None
    geonames_id: int | None
    country: str | None
    admin1: str | None
    feature: str | None
    site: str | None
    offset: int = -1  # character offset in the document


@dataclass(frozen=True)
class QuantitySlot:
    text: str
    low: float | None
    high: float | None
    bound: str
    unit: str | None
    counted: str | None
    per: str | None

    @property
    def slot(self) -> str | None:
        """What the number measures: a unit, or a counted noun; None for a bare number."""
        what = self.unit or self.counted
        if what is None:
            return None
        return f"{what}/{self.per}" if self.per else what


@dataclass(frozen=True)
class ClaimRecord:
    """One claim, with the facts about its document that assessment needs."""

    id: str
    document_id: str
    case: str
    quote: str
    start: int
    end: int
    chain: tuple[str, ...]
    asserted_by: str
    source_identified: bool
    modality: str
    event_type: str | None
    negated: bool
    undisclosed: bool
    outlet: str
    cluster: str  # near-duplicate cluster id (the document's own id when alone)
    published: date | None  # the publisher's local date
    available_at: datetime  # when the document could first have been read (UTC)
    title: str | None = None
    url: str | None = None
    attribution_text: str = ""  # the cue and source words, left out of content comparison
    attribution_cue: tuple[int, int] | None = None  # document offsets of the cue ("said")
    attribution_source: tuple[int, int] | None = None  # of the source ("KCNA")
    times: tuple[TimeSlot, ...] = ()
    places: tuple[PlaceSlot, ...] = ()
    quantities: tuple[QuantitySlot, ...] = ()
    actors: tuple[str, ...] = ()  # canonical names, lower-case
    extra: Mapping[str, Any] = field(default_factory=dict)

    @cached_property
    def terms(self) -> frozenset[str]:
        """Its content words, attribution left out (computed once, shared by all stages)."""
        return content_terms(self.quote, exclude=self.attribution_text)


def _date(value: Any) -> date | None:
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def record_from_claim(
    claim: Mapping[str, Any],
    *,
    case: str,
    outlet: str,
    cluster: str,
    published: date | None,
    available_at: datetime,
    title: str | None = None,
    url: str | None = None,
) -> ClaimRecord:
    """Build a record from a stored claim's ``data`` (the dataclass as JSON)."""
    data = claim
    times = tuple(
        TimeSlot(
            text=t["span"]["text"],
            type=t["type"],
            value=t["value"],
            start=_date(t.get("start")),
            end=_date(t.get("end")),
            granularity=t.get("granularity"),
            mod=t.get("mod"),
            offset=t["span"]["start"],
        )
        for t in data.get("times") or ()
    )
    places = tuple(
        PlaceSlot(
            text=p["mention"]["span"]["text"],
            resolved=bool(p.get("resolved")),
            name=p.get("name"),
            lat=p.get("lat"),
            lon=p.get("lon"),
            geonames_id=p.get("geonames_id"),
            country=p.get("country"),
            admin1=p.get("admin1"),
            feature=p.get("feature"),
            site=p.get("site"),
            offset=p["mention"]["span"]["start"],
        )
        for p in data.get("places") or ()
    )
    quantities = tuple(
        QuantitySlot(
            text=q["span"]["text"],
            low=q["low"] if q.get("low") is not None else q.get("value"),
            high=q["high"] if q.get("high") is not None else q.get("value"),
            bound=q.get("bound") or "exact",
            unit=q.get("unit"),
            counted=q.get("counted"),
            per=q.get("per"),
        )
        for q in data.get("quantities") or ()
    )
    attr = data.get("attribution_spans")
    attribution_text = ""
    cue = source = None
    if attr:
        parts = [attr["cue"]] + ([attr["source"]] if attr.get("source") else [])
        attribution_text = " ".join(p["text"] for p in parts)
        cue = (attr["cue"]["start"], attr["cue"]["end"])
        if attr.get("source"):
            source = (attr["source"]["start"], attr["source"]["end"])
    extra = data.get("extra") or {}
    span = data["span"]
    return ClaimRecord(
        id=data["id"],
        document_id=data["document_id"],
        case=case,
        quote=span["text"],
        start=span["start"],
        end=span["end"],
        chain=tuple(data.get("attribution") or ()),
        asserted_by=data.get("asserted_by") or outlet,
        source_identified=bool(extra.get("source_identified", True)),
        modality=data.get("modality") or "stated",
        event_type=data.get("event_type"),
        negated=bool(data.get("negated")),
        undisclosed=bool(extra.get("undisclosed")),
        outlet=outlet,
        cluster=cluster,
        published=published,
        available_at=available_at,
        title=title,
        url=url,
        attribution_text=attribution_text,
        attribution_cue=cue,
        attribution_source=source,
        times=times,
        places=places,
        quantities=quantities,
        actors=tuple(sorted({a["name"].lower() for a in data.get("actors") or ()})),
        extra=extra,
    )


def source_index(sources: Sequence[SourceInfo]) -> dict[str, SourceInfo]:
    """Every lower-case name and alias of every source, to its source."""
    index: dict[str, SourceInfo] = {}
    for source in sources:
        for name in (source.name.lower(), *source.names):
            index.setdefault(name, source)
    return index
