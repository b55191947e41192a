"""Web pages: the main text and metadata of an article, via trafilatura.

The page is decoded here (its ``<meta charset>`` first, then detection) so that the encoding
and any guess are recorded like for other inputs; trafilatura then gets text. A page whose only
text is navigation or boilerplate has no main text and is refused rather than stored as noise.
"""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import trafilatura

from watchboard.errors import InputError
from watchboard.ingest.dates import metadata_datetime
from watchboard.ingest.decode import clean_text, decode_text
from watchboard.model import Draft, RawInput

log = logging.getLogger(__name__)

# trafilatura warns about every page it discards ("discarding data: None"); the reader reports
# that itself, so its loggers are quietened to errors unless the application configured them.
for _name in ("trafilatura", "htmldate"):
    if logging.getLogger(_name).level == logging.NOTSET:
        logging.getLogger(_name).setLevel(logging.ERROR)

EXTRACTOR = f"trafilatura/{trafilatura.__version__}"
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?\s*([a-zA-Z]{2,3})\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"\w[.!?。！？]")
_MIN_WORDS_IN_A_LINE = 5
# htmldate returns a time and zone when the page gives them; its default is the day only.
_DATE_PARAMS = {
    "original_date": True,
    "extensive_search": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}
_BLOCK_TAGS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
}
_PARAGRAPH_TAGS = {"p", "blockquote", "pre", "table", "ul", "ol", "dl", "hr"}
_SKIPPED_TAGS = {"script", "style", "noscript", "template"}
# Private-use markers for breaks while collecting text; runs of them become one or two newlines.
_BLOCK = "\ue000"
_PARAGRAPH = "\ue001"
_BREAKS = re.compile(f"(?:\\s*[{_BLOCK}{_PARAGRAPH}])+\\s*")


def read_html(raw: RawInput) -> Draft:
    """Extract the main text and metadata of a web page into one :class:`Draft`."""
    declared = _META_CHARSET.search(raw.data[:4096])
    text, encoding, decode_warnings = decode_text(
        raw.data, raw.label, declared=declared.group(1).decode("ascii") if declared else None
    )
    warnings = list(decode_warnings)
    try:
        doc = trafilatura.bare_extraction(
            text,
            url=raw.url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params=_DATE_PARAMS,
        )
    except Exception as exc:  # a third-party parser on untrusted input: anything can happen
        log.debug("trafilatura failed on %s", raw.label, exc_info=True)
        raise InputError(raw.label, f"HTML could not be parsed ({type(exc).__name__})") from exc
    found = doc.as_dict() if doc is not None and not isinstance(doc, dict) else doc or {}
    body = clean_text(found.get("text") or "").strip()
    if not _is_main_text(body):
        raise InputError(raw.label, "no main text found in HTML")
    published_at, warning = metadata_datetime(found.get("date"), label=raw.label, name="published")
    if warning:
        warnings.append(warning)
    url = _absolute_url(found.get("url"), raw.url) or raw.url
    return Draft(
        text=body,
        raw=raw.data,
        label=raw.label,
        extractor=EXTRACTOR,
        media_type=raw.media_type or "text/html",
        retrieved_at=raw.retrieved_at,
        key=url,
        url=url,
        title=_field(found.get("title")),
        author=_field(found.get("author")),
        site_name=_field(found.get("sitename")),
        published_at=published_at,
        language=_language(found.get("language"), text),
        encoding=encoding,
        warnings=tuple(warnings),
        metadata=_metadata(found, raw.url, url),
    )


def html_to_text(fragment: str) -> str:
    """Turn an HTML fragment (a feed summary) into plain text with paragraph breaks."""
    parser = _TextParser()
    try:
        parser.feed(fragment)
        parser.close()
    except Exception:  # HTMLParser is lenient; keep what was gathered if it still gives up
        log.debug("HTML fragment could not be fully parsed", exc_info=True)
    text = _BREAKS.sub(
        lambda run: "\n\n" if _PARAGRAPH in run.group() else "\n", "".join(parser.parts)
    )
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()


def _is_main_text(text: str) -> bool:
    """Whether extracted text is prose rather than a menu (trafilatura falls back to menus)."""
    for line in text.split("\n"):
        if len(line.split()) >= _MIN_WORDS_IN_A_LINE or _SENTENCE_END.search(line):
            return True
    return False


def _absolute_url(url: object, base: str | None) -> str | None:
    if not isinstance(url, str) or not url.strip():
        return None
    url = urljoin(base, url.strip()) if base else url.strip()
    return url if url.lower().startswith(("http://", "https://")) else None


def _language(found: object, page: str) -> str | None:
    if isinstance(found, str) and found.strip():
        return found.strip().lower().split("-")[0].split("_")[0]
    match = _HTML_LANG.search(page[:4096])
    return match.group(1).lower() if match else None


def _field(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def _metadata(found: dict[str, Any], fetched_url: str | None, url: str | None) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    description = _field(found.get("description"))
    if description:
        metadata["description"] = description
    for name in ("categories", "tags"):
        values = [v for v in found.get(name) or [] if isinstance(v, str) and v.strip()]
        if values:
            metadata[name] = values
    if fetched_url and url and fetched_url != url:
        metadata["fetched_url"] = fetched_url
    return metadata


class _TextParser(HTMLParser):
    """Collects text, marking where blocks and paragraphs break (merged into newlines later)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        else:
            self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        else:
            self._break(tag)

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data.replace(_BLOCK, "").replace(_PARAGRAPH, ""))

    def _break(self, tag: str) -> None:
        if tag in _PARAGRAPH_TAGS:
            self.parts.append(_PARAGRAPH)
        elif tag in _BLOCK_TAGS:
            self.parts.append(_BLOCK)
