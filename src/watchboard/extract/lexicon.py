"""Whole-word phrase matching for the cue lexicons kept as data (events, modality, actors).

One compiled alternation per lexicon, longest phrases first, so a text is scanned once per
lexicon in linear time; matches never overlap (the leftmost, longest one wins).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    label: str
    phrase: str


class PhraseLexicon:
    """Phrases grouped under labels; ``find`` returns non-overlapping whole-word matches."""

    def __init__(self, phrases: Mapping[str, Iterable[str]], *, case_sensitive: bool = False):
        self.case_sensitive = case_sensitive
        self._label: dict[str, str] = {}
        for label, items in phrases.items():
            for phrase in items:
                key = self._key(str(phrase).strip())
                if key:
                    self._label.setdefault(key, label)
        alternatives = sorted(self._label, key=len, reverse=True)
        body = "|".join(
            r"\s+".join(re.escape(part) for part in phrase.split()) for phrase in alternatives
        )
        flags = 0 if case_sensitive else re.IGNORECASE
        self._pattern = re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", flags) if body else None

    def _key(self, phrase: str) -> str:
        phrase = " ".join(phrase.split())
        return phrase if self.case_sensitive else phrase.lower()

    def find(self, text: str) -> list[Match]:
        if self._pattern is None:
            return []
        out = []
        for m in self._pattern.finditer(text):
            phrase = self._key(m.group(0))
            out.append(Match(m.start(), m.end(), self._label[phrase], phrase))
        return out

    def __contains__(self, phrase: str) -> bool:
        return self._key(phrase) in self._label
