"""Interfaces that let one stage use a service built by another without importing it.

The job layer builds a gazetteer (``resolve``) and hands it to the extraction pipeline
(``extract``) as a ``PlaceResolver``; neither stage imports the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from watchboard.model.extraction import PlaceMention, ResolvedPlace


@runtime_checkable
class PlaceResolver(Protocol):
    """Knows place names and resolves mentions of them to coordinates."""

    def knows(self, phrase: str) -> bool:
        """Whether ``phrase``, as written in text, names a known place."""
        ...

    def resolve(self, mentions: Sequence[PlaceMention], *, text: str) -> list[ResolvedPlace]:
        """Resolve mentions using the whole text as context; unresolved ones are kept."""
        ...
