"""Documents as read from inputs (drafts) and as stored (with provenance and versions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RawInput:
    """Bytes as received, with where they came from. ``label`` names the input in errors."""

    data: bytes
    label: str
    retrieved_at: datetime
    url: str | None = None
    media_type: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class Draft:
    """One document a reader found in an input, before it is matched, deduplicated and stored.

    ``raw`` holds the bytes the text was extracted from (for a feed entry, the whole feed; for a
    JSON Lines row, that line). ``key`` is the natural key that identifies the document across
    versions: its URL when it has one, else what the reader chose (path, row id), else ``None``
    and the content hash is used.
    """

    text: str
    raw: bytes
    label: str
    extractor: str
    media_type: str
    retrieved_at: datetime
    key: str | None = None
    url: str | None = None
    title: str | None = None
    author: str | None = None
    site_name: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    source_hint: str | None = None
    encoding: str | None = None
    warnings: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    """A stored document (its latest version unless ``version`` says otherwise)."""

    id: str
    key: str
    version: int
    versions: int
    text: str
    text_sha256: str
    blob_sha256: str
    extractor: str
    media_type: str
    retrieved_at: datetime
    ingested_at: datetime
    source: str
    source_match: str
    url: str | None = None
    title: str | None = None
    author: str | None = None
    site_name: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    encoding: str | None = None
    cluster_id: str | None = None
    case: str | None = None
    word_count: int = 0
    warnings: tuple[str, ...] = ()
