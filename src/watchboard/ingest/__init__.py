"""Input readers: text, Markdown, HTML, feeds, PDF and JSON Lines in, :class:`Draft` objects out.

A pure stage: it reads bytes (and fetches pages when given a fetcher) and never touches the
store. ``iter_inputs`` turns what the user named into :class:`RawInput` objects; ``read`` turns
each into drafts. Errors are values where an input holds many documents (a bad feed entry or
JSON line is yielded as an :class:`InputError`) and raised where the whole input is unusable.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterator, Mapping
from typing import BinaryIO

from watchboard.errors import InputError
from watchboard.ingest.dates import parse_datetime
from watchboard.ingest.detect import detect_kind
from watchboard.ingest.fetch import Fetcher
from watchboard.ingest.inputs import iter_inputs
from watchboard.ingest.jsonl import read_jsonl
from watchboard.ingest.text import read_text
from watchboard.model import Draft, RawInput

__all__ = [
    "Fetcher",
    "detect_kind",
    "iter_inputs",
    "parse_datetime",
    "read",
]


def read(
    raw: RawInput,
    *,
    fetch_page: Callable[[str], RawInput] | None = None,
    jsonl_fields: Mapping[str, str] | None = None,
    max_bytes: int,
) -> Iterator[Draft | InputError]:
    """Read one input into drafts, choosing the reader with :func:`detect_kind`.

    Yields an :class:`InputError` for a bad item inside a many-document input (feed entry,
    JSON line) and raises it when the input as a whole cannot be read. ``fetch_page`` lets
    feed readers fetch each entry's page; ``max_bytes`` bounds a JSON line.
    """
    kind = detect_kind(raw)
    if kind == "jsonl":
        yield from _read_jsonl(raw, fields=jsonl_fields, max_bytes=max_bytes)
        return
    if not raw.data.strip():
        raise InputError(raw.label, "empty input")
    # The PDF, feed and HTML readers load heavy libraries (pypdf, feedparser, trafilatura and
    # lxml): imported on first use, so that importing this package stays quick.
    if kind == "pdf":
        from watchboard.ingest.pdf import read_pdf

        yield read_pdf(raw)
    elif kind == "feed":
        from watchboard.ingest.feed import read_feed

        yield from read_feed(raw, fetch_page=fetch_page)
    elif kind == "html":
        from watchboard.ingest.html import read_html

        yield read_html(raw)
    else:
        yield read_text(raw)


def _read_jsonl(
    raw: RawInput, *, fields: Mapping[str, str] | None, max_bytes: int
) -> Iterator[Draft | InputError]:
    if raw.data or not raw.path:
        yield from read_jsonl(
            io.BytesIO(raw.data),
            label=raw.label,
            retrieved_at=raw.retrieved_at,
            fields=fields,
            max_line_bytes=max_bytes,
        )
        return
    try:
        stream = _open_stream(raw.path)
    except OSError as exc:
        raise InputError(raw.label, f"cannot read ({exc.strerror or exc})") from exc
    with stream:
        yield from read_jsonl(
            stream,
            label=raw.label,
            retrieved_at=raw.retrieved_at,
            fields=fields,
            max_line_bytes=max_bytes,
        )


def _open_stream(path: str) -> BinaryIO:
    if path.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")
