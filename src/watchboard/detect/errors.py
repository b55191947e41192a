"""Errors raised by the detectors: a bad parameter, an unknown detector, a malformed series."""

from __future__ import annotations

from watchboard.errors import WatchboardError


class DetectorError(WatchboardError):
    """Base class of the errors in :mod:`watchboard.detect`."""


class UnknownDetectorError(DetectorError, LookupError):
    """A detector name that is not registered; the message lists the registered names."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        super().__init__(f"unknown detector {name!r}; use one of: {', '.join(known)}")

    def __str__(self) -> str:  # LookupError would quote the message
        return str(self.args[0])


class DetectorParamError(DetectorError, ValueError):
    """A detector parameter that is unknown, of the wrong type or out of range."""

    def __init__(self, detector: str, param: str | None, reason: str) -> None:
        self.detector = detector
        self.param = param
        self.reason = reason
        where = f"{detector}: parameter {param!r}" if param else detector
        super().__init__(f"{where}: {reason}")


class SeriesError(DetectorError, ValueError):
    """A series that cannot be read: lengths differ, a time is naive or out of order, a value
    is not a number."""
