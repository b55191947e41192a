"""Claims: one asserted proposition in a document, with every field tied to its span."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from watchboard.model.extraction import (
    Attribution,
    Quantity,
    ResolvedPlace,
    Span,
    TimeExpression,
)

#: How a proposition is asserted. "stated" is a plain assertion with no modal cue.
MODALITIES = (
    "ordered",
    "planned",
    "projected",
    "under_way",
    "completed",
    "observed",
    "denied",
    "speculative",
    "stated",
)


@dataclass(frozen=True)
class ActorMention:
    """A person, organisation, outlet or government named in the text."""

    span: Span
    name: str  # canonical name where known, else the surface text
    kind: str  # person, organisation, outlet, government, group
    rule: str


@dataclass(frozen=True)
class Cue:
    """A word or phrase that decided a field (a modality or event-type trigger)."""

    span: Span
    label: str
    rule: str


@dataclass(frozen=True)
class Claim:
    """One asserted proposition.

    ``attribution`` is the chain of who asserts it, outermost first: a wire story saying
    that KCNA reported X gives ("Reuters", "KCNA"); a plain sentence in the wire's own voice
    gives ("Reuters",). ``asserted_by`` is the innermost link — the one that actually claims
    X. ``explain`` maps each field to the component and rule that produced it.
    """

    id: str
    document_id: str
    version: int
    span: Span  # the sentence or clause holding the proposition
    attribution: tuple[str, ...]
    asserted_by: str
    modality: str
    event_type: str | None = None
    attribution_spans: Attribution | None = None
    modality_cue: Cue | None = None
    event_cue: Cue | None = None
    actors: tuple[ActorMention, ...] = ()
    places: tuple[ResolvedPlace, ...] = ()
    times: tuple[TimeExpression, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    negated: bool = False
    explain: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def quote(self) -> str:
        return self.span.text
