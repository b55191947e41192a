"""Sources (outlets and authors) and their Admiralty reliability."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SourceKind(StrEnum):
    STATE_MEDIA = "state_media"
    WIRE = "wire"
    NEWSPAPER = "newspaper"
    THINK_TANK = "think_tank"
    GOVERNMENT = "government"
    AGGREGATOR = "aggregator"
    UNKNOWN = "unknown"


#: NATO Admiralty (STANAG 2511 / AJP-2.1) source reliability grades.
RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}

UNKNOWN_SOURCE_NAME = "unknown"


@dataclass(frozen=True)
class Source:
    """An outlet or author in the source registry."""

    name: str
    kind: SourceKind = SourceKind.UNKNOWN
    reliability: str = "F"
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    independence_group: str | None = None
    notes: str | None = None

    def __post_init__(self) -> None:
        if self.reliability not in RELIABILITY:
            raise ValueError(f"reliability must be one of A-F, not {self.reliability!r}")

    @property
    def group(self) -> str:
        """The independence group: outlets in one group count once as corroboration."""
        return self.independence_group or self.name
