"""Whole-word phrase matching for the cue lexicons kept as data (events, modality, actors).

The text is tokenised once (words with inner hyphens and apostrophes; every other character
that is not a space is a token of its own, so "U.S." is four tokens in text and phrase alike).
Each token is looked up in a table of phrases by their first token, and the longest phrase
whose tokens follow wins: the cost is linear in the text whatever the size of the lexicon, and
matches never overlap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")


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
        self._entries: dict[tuple[str, ...], tuple[str, str]] = {}  # tokens -> (label, phrase)
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        for label, items in phrases.items():
            for phrase in items:
                key = self._key(str(phrase))
                tokens = tuple(_TOKEN.findall(key))
                if not tokens or tokens in self._entries:
                    continue  # the first label listed keeps a phrase
                self._entries[tokens] = (label, key)
                self._by_first.setdefault(tokens[0], []).append(tokens)
        for options in self._by_first.values():
            options.sort(key=len, reverse=True)

    def _key(self, phrase: str) -> str:
        phrase = " ".join(phrase.split())
        return phrase if self.case_sensitive else phrase.lower()

    def find(self, text: str) -> list[Match]:
        spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
        words = [text[s:e] if self.case_sensitive else text[s:e].lower() for s, e in spans]
        out: list[Match] = []
        i = 0
        while i < len(words):
            matched: tuple[str, ...] | None = None
            for phrase in self._by_first.get(words[i], ()):
                if tuple(words[i : i + len(phrase)]) == phrase:
                    matched = phrase
                    break
            if matched is None:
                i += 1
                continue
            label, key = self._entries[matched]
            out.append(Match(spans[i][0], spans[i + len(matched) - 1][1], label, key))
            i += len(matched)
        return out
