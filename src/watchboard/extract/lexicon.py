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
from itertools import compress

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
        matches, words = _tokenise(text, self.case_sensitive)
        by_first = self._by_first
        entries = self._entries
        out: list[Match] = []
        free = 0  # the first token not inside an earlier match
        for i in compress(range(len(words)), map(by_first.__contains__, words)):
            if i < free:
                continue
            for phrase in by_first[words[i]]:
                size = len(phrase)
                if words[i : i + size] == phrase:
                    label, key = entries[phrase]
                    out.append(Match(matches[i].start(), matches[i + size - 1].end(), label, key))
                    free = i + size
                    break
        return out


# The tokens of the last text seen: the lexicons of one document (actors, events, modality)
# all read the same text, which is tokenised once. One tuple, replaced whole (never changed
# in place), so threads sharing the lexicons never see the parts of two texts mixed.
_Tokens = tuple[str, list[re.Match[str]], tuple[str, ...], tuple[str, ...] | None]
_last: _Tokens | None = None


def _tokenise(text: str, case_sensitive: bool) -> tuple[list[re.Match[str]], tuple[str, ...]]:
    """The token matches of ``text`` and their words (lower-cased unless ``case_sensitive``)."""
    global _last
    last = _last
    if last is None or (text is not last[0] and text != last[0]):
        last = _last = (text, list(_TOKEN.finditer(text)), tuple(_TOKEN.findall(text)), None)
    _, matches, words, lower = last
    if case_sensitive:
        return matches, words
    if lower is None:
        # Tokens hold no line break, so one lower() over the joined words lowers each word.
        lower = tuple("\n".join(words).lower().split("\n"))
        if len(lower) != len(words) or not words:
            lower = tuple(w.lower() for w in words)
        _last = (text, matches, words, lower)
    return matches, lower
