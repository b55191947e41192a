"""Plain data types shared by every layer."""

from watchboard.model.case import Case, Hypothesis, Indicator, Milestone, Site
from watchboard.model.document import Document, Draft, RawInput
from watchboard.model.source import RELIABILITY, UNKNOWN_SOURCE_NAME, Source, SourceKind

__all__ = [
    "RELIABILITY",
    "UNKNOWN_SOURCE_NAME",
    "Case",
    "Document",
    "Draft",
    "Hypothesis",
    "Indicator",
    "Milestone",
    "RawInput",
    "Site",
    "Source",
    "SourceKind",
]
