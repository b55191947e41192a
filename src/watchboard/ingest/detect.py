"""Decide which reader an input needs: pdf, feed, html, jsonl or text.

Content is trusted over names: magic bytes and the root element of markup decide first (a
``.txt`` that starts with ``%PDF-`` is a PDF, a ``.html`` that is an RSS document is a feed),
then the HTTP media type, then the file or URL extension, then a last look at the content.
"""

from __future__ import annotations

import json
import posixpath
import re
from urllib.parse import urlsplit

from watchboard.model import RawInput

KINDS = ("pdf", "feed", "html", "jsonl", "text")
JSONL_MEDIA_TYPE = "application/x-ndjson"

_SNIFF_BYTES = 4096
_PDF_MAGIC_WINDOW = 1024  # readers accept junk before the header; so do we, within reason
_EXTENSIONS = {
    ".pdf": "pdf",
    ".rss": "feed",
    ".atom": "feed",
    ".rdf": "feed",
    ".xml": "feed",
    ".htm": "html",
    ".html": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".md": "text",
    ".markdown": "text",
    ".txt": "text",
    ".text": "text",
}
_MEDIA_TYPES = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/rdf+xml": "feed",
    "text/html": "html",
    "application/xhtml+xml": "html",
    JSONL_MEDIA_TYPE: "jsonl",
    "application/jsonl": "jsonl",
    "application/json-lines": "jsonl",
    "application/x-jsonlines": "jsonl",
    "text/plain": "text",
    "text/markdown": "text",
    "text/x-markdown": "text",
}
_FEED_ROOTS = {"rss", "feed", "rdf:rdf"}
_HTML_ROOTS = {"html", "head", "body", "article", "div", "p", "main", "section", "title", "meta"}
# Skip the prolog: XML declaration, processing instructions, comments, doctype, whitespace.
_PROLOG = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!doctype[^>]*>|\s)*", re.DOTALL | re.IGNORECASE)
_FIRST_TAG = re.compile(rb"<([a-z][a-z0-9:._-]*)", re.IGNORECASE)
_DOCTYPE_HTML = re.compile(rb"<!doctype\s+html", re.IGNORECASE)


def detect_kind(raw: RawInput) -> str:
    """Return the reader for ``raw``: one of ``pdf``, ``feed``, ``html``, ``jsonl``, ``text``."""
    head = raw.data[:_SNIFF_BYTES]
    if b"%PDF-" in raw.data[:_PDF_MAGIC_WINDOW]:
        return "pdf"
    sniffed = _sniff_markup(head)
    if sniffed:
        return sniffed
    media_type = (raw.media_type or "").split(";")[0].strip().lower()
    if media_type in _MEDIA_TYPES:
        return _MEDIA_TYPES[media_type]
    extension = _extension(raw)
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    if _looks_like_jsonl(head):
        return "jsonl"
    return "text"


def is_markdown(raw: RawInput) -> bool:
    """Whether a text input is Markdown (by extension or media type)."""
    media_type = (raw.media_type or "").split(";")[0].strip().lower()
    return media_type in ("text/markdown", "text/x-markdown") or _extension(raw) in (
        ".md",
        ".markdown",
    )


def name_extension(name: str) -> str:
    """The lower-case extension of a path or URL path, looking through a final ``.gz``."""
    base = posixpath.basename(name.replace("\\", "/")).lower()
    if base.endswith(".gz"):
        base = base[:-3]
    return posixpath.splitext(base)[1]


def _extension(raw: RawInput) -> str:
    if raw.path:
        return name_extension(raw.path)
    if raw.url:
        return name_extension(urlsplit(raw.url).path)
    return ""


def _sniff_markup(head: bytes) -> str | None:
    head = head.lstrip(b"\xef\xbb\xbf")
    if not head.lstrip().startswith(b"<"):
        return None
    if _DOCTYPE_HTML.search(head[:512]):
        return "html"
    prolog = _PROLOG.match(head)
    rest = head[prolog.end() if prolog else 0 :]
    tag = _FIRST_TAG.match(rest)
    if not tag:
        return None
    name = tag.group(1).decode("ascii").lower()
    if name in _FEED_ROOTS:
        return "feed"
    if name in _HTML_ROOTS:
        return "html"
    return None


def _looks_like_jsonl(head: bytes) -> bool:
    stripped = head.lstrip()
    if not stripped.startswith(b"{"):
        return False
    if b"\n" not in stripped and len(head) == _SNIFF_BYTES:
        return stripped.startswith(b'{"')  # a first line longer than the sniffed head
    first_line = stripped.split(b"\n", 1)[0]
    try:
        return isinstance(json.loads(first_line), dict)
    except (ValueError, RecursionError):
        return False
