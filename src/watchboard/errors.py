"""The error hierarchy. Every message names the thing at fault and says what to do next.

The CLI prints ``str(error)`` on one line and exits non-zero; library callers catch the
specific class they can handle.
"""

from __future__ import annotations


class WatchboardError(Exception):
    """Base class for every error Watchboard raises on purpose."""


class InputError(WatchboardError):
    """An input (file, URL, stream, row) that cannot be read; names the input and the reason."""

    def __init__(self, label: str, reason: str) -> None:
        self.label = label
        self.reason = reason
        super().__init__(f"{label}: {reason}")


class SkippedInput(InputError):
    """An input passed over on purpose (e.g. an image found while walking a directory)."""


class FetchError(InputError):
    """A URL that could not be fetched (unreachable, too slow, refused, too large)."""


class CaseFileError(WatchboardError):
    """A case file that is not valid: names the file, the line and the field."""

    def __init__(self, path: str, line: int | None, field: str, reason: str) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.reason = reason
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {field}: {reason}")


class WorkspaceError(WatchboardError):
    """A workspace that does not exist, is not initialised, or is at an unknown schema version."""


class StoreError(WatchboardError):
    """The database refused or failed an operation."""


class NotFoundError(WatchboardError):
    """A document, source or case named by the user does not exist (or is ambiguous)."""
