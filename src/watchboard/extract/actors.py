"""Actors: persons, organisations, outlets and governments, from the source registry, known
actors and patterns (titles before names, "the X Ministry", party and state bodies)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from watchboard.extract.lexicon import PhraseLexicon
from watchboard.model.claim import ActorMention
from watchboard.model.extraction import Span

_NAME_WORD = r"[A-Z][\w'’\-]*"


@dataclass(frozen=True)
class ActorData:
    titles: tuple[str, ...]
    org_heads: tuple[str, ...]
    known: tuple[tuple[str, str, tuple[str, ...]], ...]  # (name, kind, aliases)
    unidentified: frozenset[str]


@lru_cache(maxsize=1)
def actor_data() -> ActorData:
    data = yaml.safe_load(
        (resources.files("watchboard.extract") / "data" / "actors.yaml").read_text()
    )
    return ActorData(
        titles=tuple(str(t) for t in data["person_titles"]),
        org_heads=tuple(str(h) for h in data["organisation_heads"]),
        known=tuple(
            (str(k["name"]), str(k["kind"]), tuple(str(a) for a in k.get("aliases", ())))
            for k in data["known"]
        ),
        unidentified=frozenset(str(u).lower() for u in data["unidentified_sources"]),
    )


class ActorFinder:
    """Built once with the registry's outlets; finds actor mentions in a text."""

    def __init__(self, outlets: Iterable[tuple[str, Sequence[str]]] = ()) -> None:
        data = actor_data()
        self.titles = frozenset(t.lower() for t in data.titles)
        self._canonical: dict[str, tuple[str, str]] = {}
        names: dict[str, list[str]] = {}
        for name, kind, aliases in [
            *((n, "outlet", tuple(a)) for n, a in outlets),
            *data.known,
        ]:
            for surface in (name, *aliases):
                if surface not in self._canonical:
                    self._canonical[surface] = (name, kind)
                    names.setdefault(kind, []).append(surface)
        self._known = PhraseLexicon(names, case_sensitive=True)
        titles = "|".join(
            r"\s+".join(re.escape(w) for w in t.split())
            for t in sorted(data.titles, key=len, reverse=True)
        )
        # The lookahead on the titles' first letters only spares the alternation at the
        # words no title begins with (it matches where the pattern without it matches).
        initials = "".join(sorted({re.escape(t[0].lower()) for t in data.titles if t}))
        self._person = re.compile(
            rf"(?<![\w-])(?=(?i:[{initials}]))(?i:{titles})\s+"
            rf"({_NAME_WORD}(?:[ \-]{_NAME_WORD}){{0,3}})"
        )
        heads = "|".join(
            r"\s+".join(re.escape(w.capitalize()) for w in h.split())
            for h in sorted(data.org_heads, key=len, reverse=True)
        )
        self._org = re.compile(
            rf"(?<![\w-])(?:(?:{_NAME_WORD}|of|and|for|the)\s+){{0,5}}(?:{heads})"
            rf"(?:\s+of\s+(?:the\s+)?{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}})?(?![\w-])"
        )

    def canonical(self, surface: str) -> tuple[str, str] | None:
        """(canonical name, kind) for a known surface form."""
        return self._canonical.get(surface.strip())

    def __call__(self, text: str) -> list[ActorMention]:
        found: list[ActorMention] = []
        for hit in self._known.find(text):
            name, kind = self._canonical[hit.phrase]
            found.append(
                ActorMention(
                    Span(hit.start, hit.end, text[hit.start : hit.end]), name, kind, "known"
                )
            )
        for m in self._person.finditer(text):
            start, end = m.span(1)
            surface = text[start:end]
            if surface.split()[0].lower() in ("the", "a", "an"):
                continue
            known = self.canonical(surface)
            name = known[0] if known else surface
            found.append(ActorMention(Span(start, end, surface), name, "person", "title"))
        for m in self._org.finditer(text):
            start, end = m.span()
            surface = text[start:end]
            while surface.split()[0] in ("of", "and", "for", "the") and " " in surface:
                cut = surface.index(" ") + 1
                start += cut
                surface = surface[cut:]
            if surface.split()[0][0].islower():
                continue
            found.append(
                ActorMention(Span(start, end, surface), surface, "organisation", "org-head")
            )
        return _without_overlaps(found)

    @staticmethod
    def is_unidentified(phrase: str) -> bool:
        """Whether a source phrase names nobody a reader could check ("analysts", "sources")."""
        words = re.sub(r"[^\w\s'-]", " ", phrase.lower()).split()
        data = actor_data()
        while words and words[0] in ("a", "an", "the", "some", "several", "many", "other"):
            words = words[1:]
        text = " ".join(words)
        return (
            any(
                text == u or text.startswith(u + " ") or text.endswith(" " + u)
                for u in data.unidentified
            )
            or "declined to be named" in phrase
            or "anonymity" in phrase
        )


def _without_overlaps(found: list[ActorMention]) -> list[ActorMention]:
    """Keep the longest of overlapping mentions (known names win ties)."""
    order = {"known": 0, "title": 1, "org-head": 2}
    ranked = sorted(found, key=lambda a: (-(a.span.end - a.span.start), order[a.rule]))
    kept: list[ActorMention] = []
    for actor in ranked:
        if all(actor.span.end <= k.span.start or actor.span.start >= k.span.end for k in kept):
            kept.append(actor)
    return sorted(kept, key=lambda a: a.span.start)
