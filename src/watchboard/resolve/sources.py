"""Which registered source a document comes from: by name given, metadata, domain or byline."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from watchboard.model import UNKNOWN_SOURCE_NAME, Draft, Source, SourceKind


@dataclass(frozen=True)
class SourceMatch:
    """The outcome: an existing source id, or a new source to register, and how it was found."""

    how: str
    source_id: int | None = None
    new_source: Source | None = None


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _names(source: Source) -> list[str]:
    return [source.name, *source.aliases]


def find_by_name(registry: Mapping[int, Source], name: str) -> int | None:
    """A source whose name or an alias equals ``name`` (case-insensitive)."""
    wanted = name.strip().lower()
    for source_id, source in registry.items():
        if any(n.lower() == wanted for n in _names(source)):
            return source_id
    return None


def find_by_domain(registry: Mapping[int, Source], host: str) -> int | None:
    """The source with the longest registered domain that ``host`` is (a subdomain of)."""
    best: tuple[int, int] | None = None
    for source_id, source in registry.items():
        for domain in source.domains:
            domain = domain.lower().removeprefix("www.")
            if (host == domain or host.endswith("." + domain)) and (
                best is None or len(domain) > best[0]
            ):
                best = (len(domain), source_id)
    return best[1] if best else None


def find_by_byline(registry: Mapping[int, Source], byline: str) -> int | None:
    """A source named, as a whole word or phrase, in a byline or site name."""
    text = byline.lower()
    best: tuple[int, int] | None = None
    for source_id, source in registry.items():
        for name in _names(source):
            if len(name) < 3:
                continue
            if re.search(r"(?<!\w)" + re.escape(name.lower()) + r"(?!\w)", text) and (
                best is None or len(name) > best[0]
            ):
                best = (len(name), source_id)
    return best[1] if best else None


def match_source(
    draft: Draft, registry: Mapping[int, Source], *, given: str | None = None
) -> SourceMatch:
    """Match a draft to the registry; an unknown outlet becomes a new source graded F."""
    if given:
        found = find_by_name(registry, given)
        if found is not None:
            return SourceMatch("given", found)
        return SourceMatch("given (not in registry)", new_source=_unknown(given))
    if draft.source_hint:
        found = find_by_name(registry, draft.source_hint)
        if found is not None:
            return SourceMatch("metadata", found)
    host = host_of(draft.url)
    if host:
        found = find_by_domain(registry, host)
        if found is not None:
            return SourceMatch(f"domain {host}", found)
    for field_name, value in (("site name", draft.site_name), ("byline", draft.author)):
        if value:
            found = find_by_byline(registry, value)
            if found is not None:
                return SourceMatch(field_name, found)
    if draft.source_hint:
        return SourceMatch("metadata (not in registry)", new_source=_unknown(draft.source_hint))
    if host:
        return SourceMatch(
            f"unregistered domain {host}", new_source=_unknown(host, domains=(host,))
        )
    existing = find_by_name(registry, UNKNOWN_SOURCE_NAME)
    if existing is not None:
        return SourceMatch("no source information", existing)
    return SourceMatch("no source information", new_source=_unknown(UNKNOWN_SOURCE_NAME))


def _unknown(name: str, *, domains: tuple[str, ...] = ()) -> Source:
    return Source(
        name=name.strip(),
        kind=SourceKind.UNKNOWN,
        reliability="F",
        domains=domains,
        notes="Not in the source registry: reliability cannot be judged (F).",
    )
