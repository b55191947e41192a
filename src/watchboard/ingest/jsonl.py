"""JSON Lines corpora: one document per line, streamed (corpora run to gigabytes).

A bad line does not stop the stream: it is yielded as an :class:`InputError` labelled
``FILE:LINE`` so the caller reports it and goes on. Lines are read with a size bound, so one
enormous line cannot exhaust memory either.

Keys: a corpus row's ``id`` is its identity, and URLs are not unique in real corpora (KCNA
pages hold a whole day's stories, 24,776 rows share 11,201 URLs), so a row with both gets
``URL#id``; a row with only a URL gets the URL, with only an id ``FILE#id``, with neither no key.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, BinaryIO

from watchboard.errors import InputError
from watchboard.ingest.dates import metadata_datetime
from watchboard.ingest.decode import clean_text
from watchboard.ingest.detect import JSONL_MEDIA_TYPE
from watchboard.model import Draft

log = logging.getLogger(__name__)

FIELDS = ("text", "title", "published", "url", "source", "id", "language", "author")
_CHUNK = 1024 * 1024


def read_jsonl(
    stream: BinaryIO,
    *,
    label: str,
    retrieved_at: datetime,
    fields: Mapping[str, str] | None = None,
    max_line_bytes: int,
) -> Iterator[Draft | InputError]:
    """Yield a :class:`Draft` per line of ``stream``, or an :class:`InputError` for a bad line.

    ``fields`` maps Watchboard's field names (``text``, ``title``, ``published``, ``url``,
    ``source``, ``id``, ``language``, ``author``) to the corpus's keys, e.g. ``{"text": "body"}``.
    Blank lines are skipped. Raises :class:`InputError` for an unknown field name, an input
    with no lines, and a stream that cannot be read (a corrupt gzip file).
    """
    names = _field_names(fields, label)
    number = 0
    seen_any = False
    while True:
        try:
            line = stream.readline(max_line_bytes + 1)
            too_long = len(line) > max_line_bytes and not line.endswith(b"\n")
            if too_long:
                _skip_rest_of_line(stream)
        except (OSError, EOFError, zlib.error) as exc:  # how gzip streams report corruption
            where = f"{label}:{number + 1}" if number else label
            raise InputError(where, f"cannot read further ({exc})") from exc
        if not line:
            if not seen_any:
                raise InputError(label, "empty input")
            return
        number += 1
        if too_long:
            seen_any = True
            yield InputError(
                f"{label}:{number}", f"line is longer than {max_line_bytes} bytes; skipped"
            )
            continue
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        line = line.rstrip(b"\r\n")
        if not line.strip():
            continue
        seen_any = True
        yield _read_line(line, number, label, names, retrieved_at)


def _field_names(fields: Mapping[str, str] | None, label: str) -> dict[str, str]:
    names = {name: name for name in FIELDS}
    for ours, theirs in (fields or {}).items():
        if ours not in names:
            known = ", ".join(FIELDS)
            raise InputError(label, f"unknown JSON Lines field {ours!r} (known: {known})")
        names[ours] = theirs
    return names


def _skip_rest_of_line(stream: BinaryIO) -> None:
    while True:
        chunk = stream.readline(_CHUNK)
        if not chunk or chunk.endswith(b"\n"):
            return


def _read_line(
    line: bytes, number: int, label: str, names: dict[str, str], retrieved_at: datetime
) -> Draft | InputError:
    where = f"{label}:{number}"
    try:
        row = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        return InputError(where, "not valid UTF-8 (JSON Lines must be UTF-8)")
    except json.JSONDecodeError as exc:
        message = exc.msg.removesuffix(" at")  # "Unterminated string starting at"
        return InputError(where, f"invalid JSON ({message} at column {exc.colno})")
    except RecursionError:
        return InputError(where, "invalid JSON (nested too deeply)")
    if not isinstance(row, dict):
        return InputError(where, f"not a JSON object (got {_json_type(row)})")
    text_key = names["text"]
    if text_key not in row:
        return InputError(where, f"no {text_key!r} field")
    text = row[text_key]
    if not isinstance(text, str):
        return InputError(where, f"{text_key!r} is {_json_type(text)}, not a string")
    text = clean_text(text).strip()
    if not text:
        return InputError(where, f"empty {text_key!r}")
    values = {ours: _scalar(row.get(theirs)) for ours, theirs in names.items() if ours != "text"}
    warnings = []
    published_at, warning = metadata_datetime(
        row.get(names["published"]), label=where, name="published"
    )
    if warning:
        warnings.append(warning)
    url, row_id = values["url"], values["id"]
    if row_id and url:
        key: str | None = f"{url}#{row_id}"
    elif url:
        key = url
    elif row_id:
        key = f"{label}#{row_id}"
    else:
        key = None
    metadata: dict[str, Any] = {"line": number}
    if row_id:
        metadata["id"] = row_id
    return Draft(
        text=text,
        raw=line,
        label=where,
        extractor="jsonl",
        media_type=JSONL_MEDIA_TYPE,
        retrieved_at=retrieved_at,
        key=key,
        url=url,
        title=values["title"],
        author=values["author"],
        published_at=published_at,
        language=values["language"],
        source_hint=values["source"],
        encoding="utf-8",
        warnings=tuple(warnings),
        metadata=metadata,
    )


def _scalar(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = " ".join(clean_text(str(value)).split())
    return text or None


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"
