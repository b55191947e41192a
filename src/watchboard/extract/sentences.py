"""Split text into sentences: rule-based, linear-time, news-aware.

A sentence ends at ``.``, ``!`` or ``?`` (with any closing quotes or brackets after it) when
the next word starts a sentence (an upper-case letter, a digit, a quote or a bracket), and at
a blank line. Abbreviations do not end a sentence: titles before names ("Mr.", "Gen.",
"Sen."), months before numbers ("Jan. 5"), initials ("J. R. R."), and "U.S.", "a.m.",
"Inc." and the like unless a typical sentence opener follows ("... in the U.S. The ...").
A single line break ends a sentence after terminal punctuation or after a short line (a
headline, a dateline); otherwise it is taken for a wrapped line.
"""

from __future__ import annotations

import re

from watchboard.model.extraction import Span


def _words(text: str) -> frozenset[str]:
    """A set of words written as one string."""
    return frozenset(text.split())


# Abbreviations that are (almost) never sentence-final: titles and name parts.
_TITLES = _words(
    """mr mrs ms messrs dr prof gen lt col maj capt cmdr adm sgt cpl pvt gov sen rep reps sens pres
    supt det insp rev fr hon amb ambassador st mt ft no nos vol vols fig figs art arts sec secs
    ch chap para pp approx dept est vs v cf al"""
)
# Month abbreviations: not final before a number ("Jan. 5"), otherwise like _MAYBE_FINAL.
_MONTHS = _words("jan feb mar apr jun jul aug sep sept oct nov dec")
# Abbreviations that can end a sentence: final only when a typical opener follows.
_MAYBE_FINAL = _words(
    """u.s u.k u.n e.u u.s.a d.c a.m p.m inc corp co ltd llc plc jr sr bros etc n.y l.a n.j n.h s.c
    n.c ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont
    neb nev okla ore pa tenn tex va vt wash wis wyo"""
)
# Words that typically open a sentence; after "U.S." they signal a boundary.
_OPENERS = _words(
    """the a an he she it they we i you his her its their our this that these those there but and
    or so yet in on at as if when while after before since because although though however
    meanwhile still also then now today yesterday last next mr mrs ms dr what who why how where
    some many most no not one two both each all another other such"""
)

_CANDIDATE = re.compile(
    r"[.!?…]+[\"'”’»)\]]*(?=\s)"  # terminal punctuation, closing quotes/brackets, then space
    r"|\n[ \t\r\f\v]*\n\s*"  # a blank line
    r"|\n"  # a single line break (decided below)
)
_WORD_BEFORE = re.compile(r"([\w.\-’']+)$")
_NEXT_START = re.compile(r"\s*([\"'“‘«(\[]*)(\S?)")
_SHORT_LINE = 60


def split_sentences(text: str) -> list[Span]:
    """Sentence spans of ``text``, stripped of surrounding white space, in order."""
    spans: list[Span] = []
    start = 0
    n = len(text)
    for m in _CANDIDATE.finditer(text):
        end = m.end()
        token = m.group()
        if token.startswith("\n"):
            if "\n" in token[1:] or _line_break_ends(text, m.start()):
                _add(spans, text, start, m.start())
                start = end
            continue
        if not _ends_sentence(text, m.start(), end, token):
            continue
        _add(spans, text, start, end)
        start = end
    if start < n:
        _add(spans, text, start, n)
    return spans


def _add(spans: list[Span], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append(Span(start, end, text[start:end]))


def _line_break_ends(text: str, at: int) -> bool:
    """Whether a single line break at ``at`` ends a sentence (rather than wrapping one)."""
    line_start = text.rfind("\n", 0, at) + 1
    line = text[line_start:at].rstrip()
    if not line:
        return False
    if line[-1] in '.!?…:"”’)]»':
        return True
    nxt = text[at + 1 : at + 2]
    return len(line) < _SHORT_LINE and not nxt.islower()


def _ends_sentence(text: str, start: int, end: int, token: str) -> bool:
    m = _NEXT_START.match(text, end)
    if m is None:
        return True
    opener, first = m.group(1), m.group(2)
    if not first:  # end of text
        return True
    if not (first.isupper() or first.isdigit() or opener):
        return False
    if token[0] != "." or len(token.rstrip("\"'”’»)]")) > 1:
        return True  # "!", "?", "..." or a period followed by closing quotes
    if token != ".":
        return True  # ." or .) — the quote or bracket closes first: a boundary
    w = _WORD_BEFORE.search(text, max(0, start - 40), start)
    if w is None:
        return True
    word = w.group(1).lower().lstrip("'’-")
    if not word:
        return True
    if len(word) == 1 and word.isalpha():
        return False  # an initial: "J. Smith"
    if word in _TITLES:
        return False
    next_word = _next_word(text, m.start(2)).lower()
    if word in _MONTHS:
        return not first.isdigit() and next_word in _OPENERS
    if word in _MAYBE_FINAL or ("." in word and word.replace(".", "").isalpha()):
        return bool(opener) or next_word in _OPENERS
    return True


def _next_word(text: str, at: int) -> str:
    end = at
    n = len(text)
    while end < n and end - at < 30 and (text[end].isalpha() or text[end] in "'’"):
        end += 1
    return text[at:end]
