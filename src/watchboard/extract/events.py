"""Event types and modality cues from the taxonomies in ``data/events.yaml`` and
``data/modality.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from watchboard.extract.lexicon import Match, PhraseLexicon


@dataclass(frozen=True)
class EventTaxonomy:
    lexicon: PhraseLexicon
    weights: dict[str, int]


@dataclass(frozen=True)
class ModalityCues:
    lexicon: PhraseLexicon
    priority: tuple[str, ...]


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((resources.files("watchboard.extract") / "data" / name).read_text())
    if not isinstance(data, dict):
        raise ValueError(f"extract/data/{name}: expected a mapping")
    return data


@lru_cache(maxsize=1)
def event_taxonomy() -> EventTaxonomy:
    data = _load("events.yaml")
    types = data["types"]
    return EventTaxonomy(
        lexicon=PhraseLexicon({name: spec["triggers"] for name, spec in types.items()}),
        weights={name: int(spec.get("weight", 1)) for name, spec in types.items()},
    )


@lru_cache(maxsize=1)
def modality_cues() -> ModalityCues:
    data = _load("modality.yaml")
    priority = tuple(data["priority"])
    cues = data["cues"]
    unknown = set(cues) - set(priority)
    if unknown:
        raise ValueError(f"extract/data/modality.yaml: cues without a priority: {unknown}")
    # Phrases are registered in priority order, so a phrase listed twice keeps the stronger.
    return ModalityCues(
        lexicon=PhraseLexicon({label: cues[label] for label in priority if label in cues}),
        priority=priority,
    )


def find_event_cues(text: str) -> list[Match]:
    return event_taxonomy().lexicon.find(text)


def find_modality_cues(text: str) -> list[Match]:
    return modality_cues().lexicon.find(text)


def choose_event(cues: list[Match]) -> Match | None:
    """The strongest trigger: content types beat generic ones (directive, statement)."""
    weights = event_taxonomy().weights
    best: Match | None = None
    for cue in cues:
        if best is None or weights.get(cue.label, 0) > weights.get(best.label, 0):
            best = cue
    return best


def choose_modality(cues: list[Match]) -> Match | None:
    """The cue of the highest-priority modality (a denial or speculation qualifies all)."""
    order = {label: i for i, label in enumerate(modality_cues().priority)}
    best: Match | None = None
    for cue in cues:
        if best is None or order[cue.label] < order[best.label]:
            best = cue
    return best
