"""A case: one monitored programme, with its sites, milestones, indicators and hypotheses.

These are the declared parts of a case file; later stages attach evidence to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from watchboard.model.source import Source


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    kind: str | None = None
    lat: float | None = None
    lon: float | None = None
    polygon: dict[str, Any] | None = None  # a GeoJSON Polygon or MultiPolygon geometry
    geonames_id: int | None = None
    country: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Milestone:
    id: str
    title: str
    due_start: date | None = None
    due_end: date | None = None
    site: str | None = None
    description: str | None = None
    event_type: str | None = None  # the event taxonomy's type whose claims are evidence


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    unit: str
    site: str | None = None
    region: str | None = None
    expected_direction: str | None = None  # "up", "down" or "change"
    expected_by: date | None = None
    detector: str | None = None
    detector_params: dict[str, Any] = field(default_factory=dict)
    description: str | None = None


@dataclass(frozen=True)
class Hypothesis:
    id: str
    text: str


@dataclass(frozen=True)
class Case:
    slug: str
    title: str
    question: str | None = None
    region: str | None = None
    start: date | None = None
    end: date | None = None
    description: str | None = None
    sources: tuple[Source, ...] = ()
    sites: tuple[Site, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    hypotheses: tuple[Hypothesis, ...] = ()
