"""Plain data types shared by every layer."""

from watchboard.model.case import Case, Hypothesis, Indicator, Milestone, Site
from watchboard.model.document import Document, Draft, RawInput
from watchboard.model.observation import Change, Observation
from watchboard.model.source import RELIABILITY, UNKNOWN_SOURCE_NAME, Source, SourceKind

__all__ = [
    "RELIABILITY",
    "UNKNOWN_SOURCE_NAME",
    "Case",
    "Change",
    "Document",
    "Draft",
    "Hypothesis",
    "Indicator",
    "Milestone",
    "Observation",
    "RawInput",
    "Site",
    "Source",
    "SourceKind",
]
