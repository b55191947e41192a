"""RSS, Atom and RDF feeds: one document per entry.

feedparser is only ever given bytes (wrapped in a stream: given a bare string it would fetch
URLs or open files named by it). An entry's text is its content, else its summary, with the
HTML stripped. With ``fetch_page``, each entry's link is fetched and the page's main text is
used instead; when that fails the entry keeps its summary and the document says why.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.sax import SAXParseException

import feedparser

from watchboard.errors import InputError
from watchboard.ingest.dates import metadata_datetime
from watchboard.ingest.decode import clean_text
from watchboard.ingest.html import html_to_text, read_html
from watchboard.model import Draft, RawInput

log = logging.getLogger(__name__)

EXTRACTOR = f"feedparser/{feedparser.__version__}"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_feed(
    raw: RawInput, *, fetch_page: Callable[[str], RawInput] | None = None
) -> Iterator[Draft | InputError]:
    """Yield one :class:`Draft` per feed entry, or an :class:`InputError` for an unusable entry.

    Raises :class:`InputError` for the whole input when it is not a feed or has no entries.
    """
    parsed = _parse(raw)
    feed = parsed.get("feed", {})
    entries = parsed.get("entries", [])
    if not entries:
        if parsed.get("bozo"):
            raise InputError(raw.label, f"malformed feed: {_reason(parsed.get('bozo_exception'))}")
        if not parsed.get("version"):
            raise InputError(raw.label, "malformed feed: not an RSS, Atom or RDF document")
        raise InputError(raw.label, "feed has no entries")
    feed_warnings: tuple[str, ...] = ()
    if parsed.get("bozo"):
        reason = _reason(parsed.get("bozo_exception"))
        feed_warnings = (f"feed is not well-formed ({reason}); read leniently",)
    context = _FeedContext(
        raw=raw,
        title=_field(feed.get("title")),
        language=_language(feed.get("language")),
        media_type=raw.media_type or _media_type(parsed.get("version") or ""),
        encoding=parsed.get("encoding") or None,
        warnings=feed_warnings,
    )
    for number, entry in enumerate(entries, start=1):
        yield _read_entry(entry, number, context, fetch_page)


@dataclass(frozen=True)
class _FeedContext:
    """What every entry of one feed shares."""

    raw: RawInput
    title: str | None
    language: str | None
    media_type: str
    encoding: str | None
    warnings: tuple[str, ...]


def _parse(raw: RawInput) -> Any:
    # application/xml without a charset: feedparser then follows the XML declaration and byte
    # sniffing. (The real Content-Type's charset is not kept in RawInput, and text/xml without
    # one would mean ASCII under RFC 3023.)
    headers = {"content-type": "application/xml"}
    if raw.url:
        headers["content-location"] = raw.url
    try:
        return feedparser.parse(io.BytesIO(raw.data), response_headers=headers)
    except Exception as exc:  # a third-party parser on untrusted input
        log.debug("feedparser failed on %s", raw.label, exc_info=True)
        raise InputError(raw.label, f"malformed feed: {type(exc).__name__}") from exc


def _read_entry(
    entry: Any,
    number: int,
    context: _FeedContext,
    fetch_page: Callable[[str], RawInput] | None,
) -> Draft | InputError:
    raw = context.raw
    label = f"{raw.label} entry {number}"
    link = _web_url(entry.get("link"))
    entry_id = _field(entry.get("id"))
    warnings = list(context.warnings)
    published_at, warning = _entry_date(entry, label)
    if warning:
        warnings.append(warning)
    summary = _entry_text(entry)
    metadata: dict[str, Any] = {"entry": number}
    if entry_id:
        metadata["entry_id"] = entry_id
    if raw.url:
        metadata["feed_url"] = raw.url
    page: Draft | None = None
    if fetch_page is not None and link:
        try:
            page = read_html(fetch_page(link))
        except InputError as exc:
            warnings.append(f"linked page not used: {exc}")
    if page is None and not summary:
        reason = "entry has no content or summary"
        if fetch_page is None and link:
            reason += " (fetch its linked page instead)"
        elif warnings and link:
            reason += f"; {warnings[-1]}"
        return InputError(label, reason)
    source = entry.get("source") or {}
    common: dict[str, Any] = {
        "label": label,
        "retrieved_at": raw.retrieved_at,
        "key": link or entry_id,
        "url": link,
        "title": _field(entry.get("title")),
        "author": _field(entry.get("author")),
        "site_name": context.title,
        "published_at": published_at,
        "language": _language(_content_language(entry)) or context.language,
        "source_hint": _field(source.get("title")) if isinstance(source, dict) else None,
    }
    if page is not None:
        metadata["page_url"] = page.url
        return Draft(
            text=page.text,
            raw=page.raw,
            extractor=page.extractor,
            media_type=page.media_type,
            encoding=page.encoding,
            warnings=(*warnings, *page.warnings),
            metadata={**page.metadata, **metadata},
            **{
                **common,
                "title": common["title"] or page.title,
                "author": common["author"] or page.author,
                "published_at": common["published_at"] or page.published_at,
                "language": common["language"] or page.language,
            },
        )
    return Draft(
        text=summary,
        raw=raw.data,
        extractor=EXTRACTOR,
        media_type=context.media_type,
        encoding=context.encoding,
        warnings=tuple(warnings),
        metadata=metadata,
        **common,
    )


def _web_url(value: object) -> str | None:
    """An http(s) link; feedparser also offers non-URL guids (``tag:``, ``urn:``) as links."""
    url = _field(value)
    return url if url and url.lower().startswith(("http://", "https://")) else None


def _entry_text(entry: Any) -> str:
    """The longest of the entry's contents, else its summary, as plain text."""
    candidates = [c for c in entry.get("content") or [] if isinstance(c, dict)]
    detail = entry.get("summary_detail")
    if not candidates and isinstance(detail, dict):
        candidates = [detail]
    elif not candidates and entry.get("summary"):
        candidates = [{"value": entry.get("summary"), "type": "text/html"}]
    texts = []
    for candidate in candidates:
        value = candidate.get("value")
        if not isinstance(value, str):
            continue
        if (candidate.get("type") or "text/html") in _HTML_TYPES:
            value = html_to_text(value)
        texts.append(clean_text(value).strip())
    return max(texts, key=len, default="")


def _entry_date(entry: Any, label: str) -> tuple[Any, str | None]:
    for name in ("published", "updated", "created"):
        parsed = entry.get(f"{name}_parsed")
        value = parsed if parsed else entry.get(name)
        if value:
            return metadata_datetime(value, label=label, name=name)
    return None, None


def _content_language(entry: Any) -> object:
    for content in entry.get("content") or []:
        if isinstance(content, dict) and content.get("language"):
            return content["language"]
    return None


def _language(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower().split("-")[0].split("_")[0] or None


def _media_type(version: str) -> str:
    if version.startswith("atom"):
        return "application/atom+xml"
    if version in ("rss090", "rss10"):
        return "application/rdf+xml"
    return "application/rss+xml"


def _field(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def _reason(exc: object) -> str:
    if exc is None:
        return "not well-formed XML"
    if isinstance(exc, SAXParseException):
        return f"{exc.getMessage()} at line {exc.getLineNumber()}, column {exc.getColumnNumber()}"
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
