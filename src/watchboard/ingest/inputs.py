"""What the user named on the command line, expanded into raw inputs.

A target is ``-`` (standard input), an http(s) URL, a file, or a directory (read recursively, in
sorted order, skipping hidden files and folders and files that are clearly not documents, such as
images and archives). Every problem is yielded as an :class:`InputError` naming the target, so
one bad target does not stop the others. JSON Lines files (also gzipped) are not read here: they
are yielded with empty ``data`` and their ``path``, for the reader to stream.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import BinaryIO

from watchboard.errors import InputError, SkippedInput
from watchboard.ingest.detect import JSONL_MEDIA_TYPE, name_extension
from watchboard.ingest.fetch import Fetcher, format_size
from watchboard.model import RawInput

log = logging.getLogger(__name__)

STDIN_LABEL = "<stdin>"
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_JSONL_EXTENSIONS = (".jsonl", ".ndjson")
# Skipped when met inside a directory (named explicitly, they are read and refused properly).
# fmt: off
_NOT_DOCUMENTS = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".ico", ".heic", ".svg",
    ".mp3", ".wav", ".ogg", ".flac", ".m4a", ".mp4", ".mov", ".avi", ".mkv", ".webm",
    ".zip", ".tar", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".whl", ".jar",
    ".exe", ".dll", ".so", ".dylib", ".bin", ".o", ".a", ".pyc", ".class",
    ".db", ".sqlite", ".sqlite3", ".parquet", ".pkl", ".npy", ".woff", ".woff2", ".ttf", ".otf",
})
# fmt: on


def iter_inputs(
    targets: Sequence[str],
    *,
    max_bytes: int,
    fetcher_factory: Callable[[], Fetcher] | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[RawInput | InputError]:
    """Expand ``targets`` into :class:`RawInput` objects, yielding an error for each bad one.

    ``fetcher_factory`` is called once, at the first URL, and the fetcher is closed when the
    iteration ends; without one, URLs are refused. ``stdin`` is read for the target ``-``.
    """
    fetcher: Fetcher | None = None
    try:
        for target in targets:
            if target == "-":
                yield _read_stdin(stdin, max_bytes)
            elif _URL.match(target):
                if fetcher_factory is None:
                    yield InputError(target, "URLs cannot be fetched here (no fetcher configured)")
                    continue
                if fetcher is None:
                    fetcher = fetcher_factory()
                try:
                    yield fetcher.fetch(target)
                except InputError as exc:
                    yield exc
            else:
                yield from _expand_path(target, max_bytes)
    finally:
        if fetcher is not None:
            fetcher.close()


def is_jsonl_path(path: str) -> bool:
    """Whether a path names a JSON Lines file (``.jsonl``, ``.ndjson``, optionally gzipped)."""
    return name_extension(path) in _JSONL_EXTENSIONS


def _read_stdin(stdin: BinaryIO | None, max_bytes: int) -> RawInput | InputError:
    if stdin is None:
        return InputError(STDIN_LABEL, "no standard input to read")
    try:
        data = stdin.read(max_bytes + 1)
    except OSError as exc:
        return InputError(STDIN_LABEL, f"cannot read ({exc.strerror or exc})")
    if len(data) > max_bytes:
        return InputError(
            STDIN_LABEL,
            f"is over the {format_size(max_bytes)} size cap (set [ingest] max_bytes)",
        )
    return RawInput(data=data, label=STDIN_LABEL, retrieved_at=datetime.now(UTC))


def _expand_path(target: str, max_bytes: int) -> Iterator[RawInput | InputError]:
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        yield InputError(target, "no such file or directory")
        return
    except OSError as exc:
        yield InputError(target, f"cannot read ({exc.strerror or exc})")
        return
    if stat.S_ISDIR(mode):
        yield from _walk(target, max_bytes)
    elif stat.S_ISREG(mode):
        yield _read_file(target, max_bytes)
    else:
        yield InputError(target, "not a regular file or directory")


def _walk(directory: str, max_bytes: int) -> Iterator[RawInput | InputError]:
    errors: list[OSError] = []
    for root, dirs, files in os.walk(directory, onerror=errors.append):
        yield from _walk_errors(errors, directory)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = os.path.join(root, name)
            if name_extension(name) in _NOT_DOCUMENTS or (
                name.lower().endswith(".gz") and not is_jsonl_path(name)
            ):
                ext = name_extension(name) or ".gz"
                yield SkippedInput(path, f"not a document ({ext} files are not read)")
                continue
            if not os.path.isfile(path):
                continue  # sockets, fifos, broken links
            yield _read_file(path, max_bytes)
    yield from _walk_errors(errors, directory)


def _walk_errors(errors: list[OSError], directory: str) -> Iterator[InputError]:
    while errors:
        exc = errors.pop(0)
        where = exc.filename if isinstance(exc.filename, str) else directory
        yield InputError(where, f"cannot read ({exc.strerror or exc})")


def _read_file(path: str, max_bytes: int) -> RawInput | InputError:
    now = datetime.now(UTC)
    if is_jsonl_path(path):
        return RawInput(
            data=b"", label=path, retrieved_at=now, media_type=JSONL_MEDIA_TYPE, path=path
        )
    try:
        with open(path, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size > max_bytes:
                return InputError(
                    path,
                    f"is {format_size(size)}, over the {format_size(max_bytes)} size cap "
                    "(set [ingest] max_bytes)",
                )
            data = file.read(max_bytes + 1)
    except OSError as exc:
        return InputError(path, f"cannot read ({exc.strerror or exc})")
    if len(data) > max_bytes:  # grew while we looked
        return InputError(path, f"is over the {format_size(max_bytes)} size cap")
    return RawInput(data=data, label=path, retrieved_at=now, path=path)
