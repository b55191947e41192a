"""Content terms of a claim: the words that say what it is about, normalised for comparison.

Lower-cased, stripped of common suffixes ("factories" -> "factory", "built" is listed as a
synonym of "build"), stop words removed and synonyms folded (``data/terms.yaml``). Attribution
words ("KCNA said") are not content: two reports of the same event by different outlets must
look alike.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources

import yaml

_WORD = re.compile(r"[^\W\d_][\w'’-]{0,40}", re.UNICODE)
_SUFFIXES = (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))


@cache
def _tables() -> tuple[frozenset[str], dict[str, str]]:
    raw = yaml.safe_load(
        resources.files("watchboard.assess").joinpath("data/terms.yaml").read_text("utf-8")
    )
    stop = frozenset(str(w).lower() for w in raw["stopwords"])
    synonyms: dict[str, str] = {}
    for group in raw["synonyms"]:
        head = stem(str(group[0]).lower())
        for word in group:
            synonyms[stem(str(word).lower())] = head
    return stop, synonyms


def stem(word: str) -> str:
    """A light, predictable suffix stripper (not a linguistic stemmer)."""
    word = word.replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            if suffix == "es" and not word.endswith(("ches", "shes", "sses", "xes")):
                continue
            return word[: -len(suffix)] + replacement
    return word


def content_terms(text: str, *, exclude: str = "") -> frozenset[str]:
    """The normalised content words of ``text``, minus those of ``exclude`` (attribution)."""
    stop, synonyms = _tables()
    excluded = {w.lower() for w in _WORD.findall(exclude)}
    terms = set()
    for word in _WORD.findall(text):
        lower = word.lower()
        if lower in stop or lower in excluded or len(lower) < 3:
            continue
        stemmed = stem(lower.strip("'’-"))
        if stemmed in stop:
            continue
        terms.add(synonyms.get(stemmed, stemmed))
    return frozenset(terms)


def idf_weights(term_sets: Sequence[Iterable[str]]) -> dict[str, float]:
    """Inverse document frequency of each term over the given claims (smoothed, >= 0)."""
    df: Counter[str] = Counter()
    for terms in term_sets:
        df.update(set(terms))
    n = len(term_sets) + 1
    return {term: math.log(n / count) + 0.1 for term, count in df.items()}
