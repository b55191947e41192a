"""Plain text and Markdown files: one document each.

Markdown may start with a YAML front-matter block (``---`` ... ``---``) giving ``title``,
``author``, ``published`` (or ``date``), ``url``, ``source`` and ``language``; it is removed from
the text. Plain text may start with mail-like header lines (``Title: ...``, ``Author: ...``,
``Published: ...``, ``URL: ...``, ``Source: ...``), which are read as metadata and removed
from the text like front matter (the raw bytes keep them). The key is left to the caller (it
knows the path).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from watchboard.errors import InputError
from watchboard.ingest.dates import metadata_datetime
from watchboard.ingest.decode import decode_text
from watchboard.ingest.detect import is_markdown
from watchboard.model import Draft, RawInput

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_MAX_FRONT_MATTER = 64 * 1024
_ATX_H1 = re.compile(r"^#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_HEADER = re.compile(
    r"(title|author|by|date|published|url|source|language)[ \t]*:[ \t]*(\S.*)", re.IGNORECASE
)
_MAX_TITLE = 200
_FIELD_ALIASES = {
    "title": "title",
    "author": "author",
    "authors": "author",
    "by": "author",
    "published": "published",
    "date": "published",
    "url": "url",
    "link": "url",
    "source": "source",
    "language": "language",
    "lang": "language",
}


def read_text(raw: RawInput) -> Draft:
    """Read a plain-text or Markdown input into one :class:`Draft`."""
    text, encoding, decode_warnings = decode_text(raw.data, raw.label)
    warnings = list(decode_warnings)
    markdown = is_markdown(raw) or bool(_FRONT_MATTER.match(text))
    fields: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if markdown:
        text, fields, extra = _split_front_matter(text, warnings)
        if not text.strip():
            raise InputError(raw.label, "empty input (nothing after the front matter)")
        title = fields.get("title") or _markdown_title(text)
    else:
        fields, text = _header_fields(text)
        if not text.strip():
            raise InputError(raw.label, "empty input (nothing after the header lines)")
        title = fields.get("title")
    published_at, warning = metadata_datetime(
        fields.get("published"), label=raw.label, name="published"
    )
    if warning:
        warnings.append(warning)
    return Draft(
        text=text,
        raw=raw.data,
        label=raw.label,
        extractor="markdown" if markdown else "text",
        media_type=raw.media_type or ("text/markdown" if markdown else "text/plain"),
        retrieved_at=raw.retrieved_at,
        url=_text(fields.get("url")) or raw.url,
        title=_text(title),
        author=_text(fields.get("author")),
        published_at=published_at,
        language=_text(fields.get("language")),
        source_hint=_text(fields.get("source")),
        encoding=encoding,
        warnings=tuple(warnings),
        metadata={"front_matter": extra} if extra else {},
    )


def _split_front_matter(
    text: str, warnings: list[str]
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return text, {}, {}
    block = match.group(1) or ""
    if len(block) > _MAX_FRONT_MATTER:
        warnings.append("front matter ignored: larger than 64 KB")
        return text, {}, {}
    try:
        loaded = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())
        warnings.append(f"front matter ignored: not valid YAML ({reason})")
        return text, {}, {}
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        warnings.append("front matter ignored: not a mapping of keys to values")
        return text, {}, {}
    fields: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in loaded.items():
        name = _FIELD_ALIASES.get(str(key).lower())
        if name == "author" and isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if name and name not in fields:
            fields[name] = value
        elif isinstance(value, str | int | float | bool):
            extra[str(key)] = value
    return text[match.end() :].lstrip("\n"), fields, extra


def _markdown_title(text: str) -> str | None:
    heading = _ATX_H1.search(text)
    if heading:
        return heading.group(1)
    for line in text.split("\n"):
        line = line.strip().strip("#*_ \t")
        if line:
            return line if len(line) < _MAX_TITLE else None
    return None


def _header_fields(text: str) -> tuple[dict[str, str], str]:
    """Header lines at the top of a plain-text file, and the text after them."""
    fields: dict[str, str] = {}
    lines = text.split("\n", 20)
    used = 0
    for line in lines[:20]:
        match = _HEADER.fullmatch(line.strip())
        if not match:
            break
        name = _FIELD_ALIASES[match.group(1).lower()]
        fields.setdefault(name, match.group(2).strip())
        used += 1
    if not fields:
        return fields, text
    return fields, "\n".join(lines[used:]).lstrip("\n")


def _text(value: object) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = " ".join(str(value).split())
    return text or None
