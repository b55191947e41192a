"""Watchlists: named groups of HS codes to follow, kept as data in ``data/watchlists.yaml``.

A reported code belongs to a watchlist when it starts with one of the list's codes: the
subheading 845611 belongs to the heading 8456. A code broader than the list's (the chapter 84)
does not, since most of what it covers is not watched.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from watchboard.errors import InputError
from watchboard.trade.records import R, compact_refs, nested_pairs

log = logging.getLogger(__name__)

BUILT_IN = "watchboard/trade/data/watchlists.yaml"


@dataclass(frozen=True)
class WatchedCode:
    code: str  # an HS chapter (2 digits), heading (4) or subheading (6), or a national code
    description: str


@dataclass(frozen=True)
class Watchlist:
    name: str
    title: str
    description: str
    codes: tuple[WatchedCode, ...]
    origin: str  # the file it was loaded from

    def heading(self, hs_code: str) -> str | None:
        """The watched code ``hs_code`` falls under (the longest that is a prefix of it), or
        None when it is not watched."""
        found = [watched.code for watched in self.codes if hs_code.startswith(watched.code)]
        return max(found, key=len) if found else None

    def matches(self, hs_code: str) -> bool:
        return self.heading(hs_code) is not None

    def select(self, records: Iterable[R]) -> list[R]:
        """The records whose codes are watched, less those already counted in a broader
        selected record of the same flow.

        Comtrade downloads at several levels hold both the heading (8456) and its subheadings
        (845611, 845612 ...) for the same flow; the heading's figure is kept (it includes
        subheadings withheld as confidential) and the subheadings are dropped, so sums count
        each flow once.
        """
        chosen = [record for record in records if self.matches(record.hs_code)]
        parts = nested_pairs(chosen)
        if not parts:
            return chosen
        dropped = {id(part) for part, _ in parts}
        log.info(
            "watchlist %s: kept broader codes, dropped %d rows counted in them (%s)",
            self.name,
            len(dropped),
            compact_refs(part for part, _ in parts),
        )
        return [record for record in chosen if id(record) not in dropped]


def load_watchlist(name_or_path: str | os.PathLike[str]) -> Watchlist:
    """A built-in watchlist by name (``"machine-tools"``), or one from a YAML file.

    A file in the built-in layout holding one list is named by its path; one holding several
    by ``PATH#NAME``. Raises :class:`InputError` for an unknown name (listing the known ones)
    and for a file that is not a valid watchlist file.
    """
    text = os.fspath(name_or_path)
    path, _, name = text.partition("#")
    if path.endswith((".yaml", ".yml")) or os.sep in path or Path(path).is_file():
        lists = load_watchlists(path)
        if not name:
            if len(lists) == 1:
                return next(iter(lists.values()))
            raise InputError(text, f"holds several watchlists; name one: {_names(lists)}")
    else:
        lists, name = load_watchlists(), text
    if name not in lists:
        raise InputError(name, f"no such watchlist; known: {_names(lists)}")
    return lists[name]


def load_watchlists(path: str | os.PathLike[str] | None = None) -> dict[str, Watchlist]:
    """Every watchlist in a YAML file, by name; the built-in ones when ``path`` is None."""
    if path is None:
        return dict(_built_in())
    file = os.fspath(path)
    try:
        text = Path(file).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(file, f"cannot read the watchlist file ({exc.strerror})") from exc
    return _parse(text, file)


@lru_cache(maxsize=1)
def _built_in() -> dict[str, Watchlist]:
    data = resources.files("watchboard.trade").joinpath("data", "watchlists.yaml")
    return _parse(data.read_text(encoding="utf-8"), BUILT_IN)


def _names(lists: dict[str, Watchlist]) -> str:
    return ", ".join(sorted(lists)) or "none"


def _parse(text: str, file: str) -> dict[str, Watchlist]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(file, f"not valid YAML ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("watchlists"), dict):
        raise InputError(file, "expected a mapping with a 'watchlists' key (see docs/trade.md)")
    lists: dict[str, Watchlist] = {}
    for name, entry in data["watchlists"].items():
        if not isinstance(entry, dict):
            raise InputError(file, f"watchlist {name!r}: expected a mapping with 'codes'")
        lists[str(name)] = Watchlist(
            name=str(name),
            title=str(entry.get("title") or name),
            description=str(entry.get("description") or ""),
            codes=_codes(entry.get("codes"), f"watchlist {name!r}", file),
            origin=file,
        )
    return lists


def _codes(entries: Any, where: str, file: str) -> tuple[WatchedCode, ...]:
    if not isinstance(entries, list) or not entries:
        raise InputError(file, f"{where}: 'codes' must be a non-empty list")
    codes: list[WatchedCode] = []
    for number, entry in enumerate(entries, 1):
        code, description = (entry, "") if not isinstance(entry, dict) else (
            entry.get("code"),
            str(entry.get("description") or ""),
        )  # fmt: skip
        if not isinstance(code, str):
            raise InputError(
                file,
                f'{where}, code {number}: {code!r} must be a quoted string ("8456"), '
                "so that leading zeros survive",
            )
        if not code.isdigit() or len(code) % 2 or not 2 <= len(code) <= 10:
            raise InputError(
                file, f"{where}, code {number}: {code!r} is not an HS code (2, 4 or 6 digits)"
            )
        if any(known.code == code for known in codes):
            raise InputError(file, f"{where}, code {number}: {code} is listed twice")
        codes.append(WatchedCode(code, description.strip()))
    return tuple(codes)
