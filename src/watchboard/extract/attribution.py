"""Who says what: attribution triples (source, cue, content) found by rules.

``find_attributions(text)`` returns every reported statement it can anchor to a cue:

* verb cues with the source before them — "KCNA said (that) X", "Analysts note that X",
  "officials told Reuters X" (the hearer is skipped), "The ministry denied X", "polls show
  X", "Kim called for X";
* verb cues after the content — "X, KCNA said.", "“X,” he said.", "X, said KCNA.",
  "“X,” the leader was quoted as saying.", "X, the agency added.", "X, he said, Y";
* "according to KCNA, X" and "X, according to KCNA";
* participles that share the sentence's source — "..., adding that X";
* passives and raising verbs, often without a source — "it was reported that X", "X was
  announced by Y", "the plant is expected to open", "output seems to have doubled";
* "KCNA quoted Kim as saying X" (two attributions: KCNA quoting, Kim saying);
* headline colons — "Lewandowski: FBI director acted as judge".

The source is the noun phrase next to the cue (with an appositive or a relative clause:
"Flynn, a top Trump surrogate,", "a senior official who declined to be named"); for a
participle or a second verb ("smiled and said") it is the subject of the clause.

Quotations are kept whole across sentences ("“A. B,” he said" has content "“A. B,”"), and a
quotation that follows in the same paragraph with no cue of its own continues the previous
quoted statement (the content then has several fragments, listed in
``extra["content_spans"]``; see :func:`content_offsets`).

Conventions follow PolNeAR: the content keeps a leading "that" and, for quotations, the
quotation marks and the punctuation inside them; it drops a sentence's final period, the
cue, the source, the hearer and time or venue phrases ("on Friday", "in a statement")
between cue and content. The cue is the verb group ("has also said", "was quoted as
saying", "according to"). Statements without a cue are not returned: the caller
attributes them to the document's outlet.

Nested reports give one attribution per cue: in "Reuters reported that KCNA said X", Reuters'
content is "that KCNA said X" and KCNA's is "X"; ``extra["outer_cue"]`` of the inner one
holds the offsets of the outer cue.

The cue words live in ``data/attribution.yaml`` (see :func:`load_lexicon`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import compress
from pathlib import Path
from typing import Any

import yaml

from watchboard.errors import WatchboardError
from watchboard.extract.sentences import split_sentences
from watchboard.model.extraction import Attribution, Span

__all__ = [
    "Lexicon",
    "LexiconError",
    "content_fragments",
    "content_offsets",
    "find_attributions",
    "load_lexicon",
]

CLASSES = ("speech", "cognition", "evidence", "stance", "raising")


class LexiconError(WatchboardError):
    """The attribution cue file is not valid; names the file and the entry at fault."""


# --------------------------------------------------------------------------- lexicon


@dataclass(frozen=True)
class CueWord:
    """A cue: its words (one for a verb form), lemma, class and grammar flags."""

    words: tuple[str, ...]
    lemma: str
    cls: str
    recipient: bool = False
    source_after: bool = False
    complement: str | None = None  # that, to, as, quote: what a right-hand content needs


@dataclass(frozen=True)
class Lexicon:
    """Cue words and the small word lists the rules consult (all lower-case)."""

    forms: dict[str, CueWord]
    phrases: dict[str, tuple[CueWord, ...]]  # first word -> phrases, longest first
    quote_verbs: frozenset[str]
    as_words: tuple[str, str]
    auxiliaries: frozenset[str]
    time_words: frozenset[str]
    time_modifiers: frozenset[str]
    noun_forms: frozenset[str]
    headline_labels: frozenset[str]
    adjunct_prepositions: frozenset[str]
    adjunct_nouns: frozenset[str]
    source_stops: frozenset[str]
    relative_sources: frozenset[str]
    pronoun_sources: frozenset[str]
    source_heads: frozenset[str]
    recipients: frozenset[str]
    determiners: frozenset[str]
    speech_forms: frozenset[str] = field(default_factory=frozenset)
    cue_words: frozenset[str] = field(default_factory=frozenset)  # words that may start a cue


_LISTS = (
    "auxiliaries",
    "time_words",
    "time_modifiers",
    "noun_forms",
    "headline_labels",
    "adjunct_prepositions",
    "adjunct_nouns",
    "source_stops",
    "relative_sources",
    "pronoun_sources",
    "source_heads",
    "recipients",
    "determiners",
)


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Read and check the cue file (the packaged ``data/attribution.yaml`` by default)."""
    if path is None:
        return _default_lexicon()
    return _parse_lexicon(Path(path).read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=1)
def _default_lexicon() -> Lexicon:
    ref = resources.files("watchboard.extract").joinpath("data/attribution.yaml")
    return _parse_lexicon(
        ref.read_text(encoding="utf-8"), "watchboard/extract/data/attribution.yaml"
    )


def _parse_lexicon(source: str, label: str) -> Lexicon:
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise LexiconError(f"{label}: not valid YAML ({exc}); fix the syntax") from exc
    if not isinstance(data, dict):
        raise LexiconError(f"{label}: expected a mapping at the top level")

    def words(key: str) -> frozenset[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            raise LexiconError(f"{label}: {key}: expected a list of words")
        return frozenset(w.lower() for w in value)

    forms: dict[str, CueWord] = {}
    verbs = data.get("verbs") or {}
    if not isinstance(verbs, dict):
        raise LexiconError(f"{label}: verbs: expected a mapping of lemma -> entry")
    for lemma, entry in verbs.items():
        if not isinstance(entry, dict) or entry.get("class") not in CLASSES:
            raise LexiconError(f"{label}: verbs: {lemma}: class must be one of {CLASSES}")
        if entry.get("complement") not in (None, "that", "to", "as", "quote"):
            raise LexiconError(f"{label}: verbs: {lemma}: complement must be that, to, as or quote")
        entry_forms = entry.get("forms")
        if not isinstance(entry_forms, list) or not entry_forms:
            raise LexiconError(f"{label}: verbs: {lemma}: forms must be a non-empty list")
        for form in entry_forms:
            forms[str(form).lower()] = CueWord(
                (str(form).lower(),),
                str(lemma),
                entry["class"],
                recipient=bool(entry.get("recipient", False)),
                complement=entry.get("complement"),
            )
    phrases: dict[str, list[CueWord]] = {}
    for i, entry in enumerate(data.get("phrases") or []):
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("words"), list)
            or len(entry["words"]) < 2
            or entry.get("class") not in CLASSES
            or entry.get("source", "before") not in ("before", "after")
        ):
            raise LexiconError(
                f"{label}: phrases[{i}]: need words (2 or more), a class in {CLASSES} "
                "and source before/after"
            )
        ws = tuple(str(w).lower() for w in entry["words"])
        phrases.setdefault(ws[0], []).append(
            CueWord(ws, " ".join(ws), entry["class"], source_after=entry.get("source") == "after")
        )
    quoted = data.get("quoted_as") or {}
    as_words = tuple(str(w).lower() for w in quoted.get("as", ["as", "saying"]))
    if len(as_words) != 2:
        raise LexiconError(f"{label}: quoted_as.as: expected two words, like [as, saying]")
    lists = {key: words(key) for key in _LISTS}
    quote_verbs = frozenset(str(w).lower() for w in quoted.get("quote", []))
    return Lexicon(
        forms=forms,
        phrases={k: tuple(sorted(v, key=lambda c: -len(c.words))) for k, v in phrases.items()},
        quote_verbs=quote_verbs,
        as_words=(as_words[0], as_words[1]),
        speech_forms=frozenset(f for f, c in forms.items() if c.cls == "speech"),
        cue_words=frozenset(forms) | frozenset(phrases) | quote_verbs,
        **lists,
    )


# --------------------------------------------------------------------------- tokens & quotes


def _words(text: str) -> frozenset[str]:
    """A set of words written as one string (closed word classes the rules rely on)."""
    return frozenset(text.split())


_TOKEN = re.compile(r"''|``|[^\W_]+(?:[’'\-.&][^\W_]+)*|\S")
_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n")
_OPENING = frozenset({"“", "«", "``", "„"})
_CLOSING = frozenset({"”", "»"})
_AMBIGUOUS = frozenset({'"', "''"})
_QUOTES = _OPENING | _CLOSING | _AMBIGUOUS
_CLOSERS = frozenset({"”", "»", '"', "''", "’"})
_FINAL = frozenset(".!?;:,—–")
_CLOSE_CHARS = frozenset("”\"»’'")
_PUNCT_STOP = frozenset([*',;:()[]{}—–"“”«»!?-', "''", "``", "--"])
_TITLE_ABBREVIATIONS = _words(
    "mr mrs ms dr gen lt col maj capt sen rep gov st jr sr inc co corp prof rev sgt adm"
)
# Grammar words the rules rely on (closed classes, not taxonomy: they stay in code).
_QUANTIFIER_SUBJECTS = _words("that many some both several all each most few others any")
_INTENSIFIERS = _words(
    """very so too more most less increasingly deeply quite rather pretty extremely particularly
    greatly"""
)
_CONTRACTED = _words("he she it that who there what here where let")
_VERBAL = _words(
    """is are was were be been being am will would can could should may might must shall has have
    had do does did"""
)
_PREPOSITIONS = _words(
    """by in with after before while when for of without on at from about through during despite
    upon since as under over"""
)
_CLAUSE_OPENERS = _words("that whether if what why how who whom when where which")
_NP_JOINERS = frozenset({".", "&", "’", "'", "$", "%", "/"})
_APPOSITIVE_MARKS = frozenset({",", "-", "--", "—", "–"})
_WEEKDAYS = _words("monday tuesday wednesday thursday friday saturday sunday")
_TIME_NOUNS_ALONE = frozenset({"also", "again", "once", "twice"})
_TRAILING_CLAUSE = frozenset({"where", "compared", "something", "despite"})
_CLAUSE_BREAKS = frozenset([*",;:—–()", "--", "-"])
_SUBORDINATORS = _words(
    """that which who because while when after before if since although though whereas"""
)
_CLAUSE_SUBJECTS = _words("i we you he she they it there")
_PARTICLES = _words("up off down away back around")
_SENTENCE_ADVERBS = _words(
    """instead still however meanwhile yes no well now then also indeed again later earlier today
    yesterday first finally overall separately ultimately moreover thus therefore otherwise last
    next here there"""
)
_PASSIVE_AUX = _words(
    "is are was were be been being am isn't isn’t aren't aren’t wasn't wasn’t weren't weren’t"
)
_IRREGULAR_PARTICIPLES = _words(
    """said told known thought shown found written understood felt seen"""
)
_NON_CONTENT_STARTS = _words(
    """when while as after before during of according referring without upon amid"""
)
_DATELINE = re.compile(
    r"[A-Z][A-Z .'’-]{1,40}(?:,\s*[A-Z][\w.]*(?:\s+\d{1,2})?)?\s*(?:\([^)\n]{1,40}\)\s*)?"
    r"(?:--|—|–|-)\s+"
)
_COORDINATORS = _words("and but or yet while whereas although though ; — – --")
_CONJUNCTIONS = _words("but and yet so also or")
_MAX_SOURCE = 20
_MAX_QUOTE_UNIT = 4000  # a "quotation" longer than this is taken for a stray mark
_MAX_CONTENT = 400  # tokens: a longer "sentence" is a run-on or not prose
_NEST_WINDOW = 12  # nested attributions are found among this many neighbours
_STOP_WORDS = frozenset({",", *_CLAUSE_BREAKS, *_SUBORDINATORS})  # see _content_stops


@dataclass
class _Doc:
    text: str
    starts: list[int]
    ends: list[int]
    lows: list[str]
    quote_at: dict[int, tuple[int, int]]  # opening/closing token index -> (start, end) chars
    quote_spans: list[tuple[int, int, int]]  # (start char, end char, opening token)
    paragraph_breaks: list[int]

    def tok(self, i: int) -> str:
        return self.text[self.starts[i] : self.ends[i]]

    def paragraph(self, pos: int) -> int:
        return bisect_right(self.paragraph_breaks, pos)


def _tokenize(text: str) -> _Doc:
    spans = [m.span() for m in _TOKEN.finditer(text)]
    starts = [a for a, _ in spans]
    ends = [b for _, b in spans]
    lowered = text.lower()
    if len(lowered) == len(text):
        lows = [lowered[a:b] for a, b in spans]
    else:  # a few characters change length when lower-cased ("İ")
        lows = [text[a:b].lower() for a, b in spans]
    breaks = [m.start() for m in _PARAGRAPH.finditer(text)]
    doc = _Doc(text, starts, ends, lows, {}, [], breaks)
    _pair_quotes(doc)
    return doc


def _pair_quotes(doc: _Doc) -> None:
    """Pair quotation marks within paragraphs; an unclosed one runs to its paragraph's end."""
    text = doc.text
    open_at: int | None = None

    def close_unclosed(i: int, until: int | None = None) -> None:
        # an opening mark never closed runs to the end of its paragraph (the press
        # convention for quotations over several paragraphs), or to the next opening mark
        para = doc.paragraph(doc.starts[i])
        end = doc.paragraph_breaks[para] if para < len(doc.paragraph_breaks) else len(text)
        if until is not None:
            end = min(end, until)
        while end > doc.starts[i] and text[end - 1].isspace():
            end -= 1
        doc.quote_spans.append((doc.starts[i], end, i))
        doc.quote_at[i] = (doc.starts[i], end)

    for i, low in enumerate(doc.lows):
        if low not in _QUOTES:
            continue
        if open_at is not None and doc.paragraph(doc.starts[open_at]) != doc.paragraph(
            doc.starts[i]
        ):
            close_unclosed(open_at)
            open_at = None
        if low in _OPENING:
            if open_at is not None:
                close_unclosed(open_at, doc.starts[i])
            open_at = i
        elif low in _CLOSING:
            if open_at is not None:
                _add_quote(doc, open_at, i)
                open_at = None
        else:  # straight quotes: closing if one is open, else opening unless it hugs a word
            if open_at is not None:
                _add_quote(doc, open_at, i)
                open_at = None
            else:
                before = text[doc.starts[i] - 1] if doc.starts[i] else " "
                after = text[doc.ends[i]] if doc.ends[i] < len(text) else " "
                if before.isspace() or before in "([—–-" or not after.isspace():
                    open_at = i
    if open_at is not None:
        close_unclosed(open_at)
    doc.quote_spans.sort()


def _add_quote(doc: _Doc, i: int, j: int) -> None:
    span = (doc.starts[i], doc.ends[j])
    doc.quote_spans.append((span[0], span[1], i))
    doc.quote_at[i] = span
    doc.quote_at[j] = span


# --------------------------------------------------------------------------- units


def _units(doc: _Doc, sentences: list[Span]) -> list[tuple[int, int]]:
    """Sentence char ranges, merged where a quotation runs over a sentence boundary."""
    units: list[tuple[int, int]] = []
    quotes = doc.quote_spans
    qi = 0
    for s in sentences:
        start, end = s.start, s.end
        if units and start < units[-1][1]:
            if end <= units[-1][1]:
                continue
            units[-1] = (units[-1][0], end)
            start = units[-1][0]
            units.pop()
        while qi < len(quotes) and quotes[qi][0] < start:
            qi += 1
        q_end = end
        k = qi
        while k < len(quotes) and quotes[k][0] < q_end:
            if quotes[k][1] > q_end and quotes[k][1] - quotes[k][0] <= _MAX_QUOTE_UNIT:
                q_end = quotes[k][1]
            k += 1
        units.append((start, q_end))
    return units


# --------------------------------------------------------------------------- rules


@dataclass
class _Found:
    cue: tuple[int, int]
    content: list[tuple[int, int]]
    source: tuple[int, int] | None
    rule: str
    cue_word: CueWord | None = None


class _Extractor:
    def __init__(self, doc: _Doc, lex: Lexicon) -> None:
        self.doc = doc
        self.lex = lex
        self.found: list[_Found] = []
        self.stops, self.short_stops = self._content_stops()

    # -- small predicates ------------------------------------------------------------

    def is_cap(self, i: int) -> bool:
        t = self.doc.text[self.doc.starts[i]]
        return t.isupper() or t.isdigit()

    def is_word(self, i: int) -> bool:
        return self.doc.text[self.doc.starts[i]].isalnum()

    def is_abbrev_period(self, i: int, lo: int) -> bool:
        """A "." that ends an abbreviation inside a name ("Lt. Gen.", "U.S.")."""
        if self.doc.lows[i] != "." or i - 1 < lo:
            return False
        prev = self.doc.lows[i - 1]
        if (len(prev) == 1 and prev.isalpha()) or "." in prev or prev in _TITLE_ABBREVIATIONS:
            return True
        # "Flint, Mich., said": a period before a comma or a lower-case word ends no sentence
        nxt = self.doc.ends[i]
        text = self.doc.text
        while nxt < len(text) and text[nxt] == " ":
            nxt += 1
        return nxt < len(text) and (text[nxt] == "," or text[nxt].islower())

    def is_adverb(self, i: int) -> bool:
        """A lower-case "-ly" word ("has ridiculously claimed", "angrily said")."""
        low = self.doc.lows[i]
        return len(low) > 4 and low.endswith("ly") and self.doc.text[self.doc.starts[i]].islower()

    def is_closing_quote(self, i: int) -> bool:
        low = self.doc.lows[i]
        if low not in _CLOSERS:
            return False
        span = self.doc.quote_at.get(i)
        return low in _CLOSING or (span is not None and span[1] == self.doc.ends[i])

    # -- spans -----------------------------------------------------------------------

    def trim_content(self, start: int, end: int) -> tuple[int, int] | None:
        """Strip spaces and dashes, and final punctuation unless a quotation closes the content
        (punctuation inside a quotation belongs to it: "“We will win,”")."""
        text = self.doc.text
        while start < end and (text[start].isspace() or text[start] in ",;:—–"):
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start and text[end - 1] in _CLOSE_CHARS:
            return (start, end)
        while (
            end > start
            and (
                text[end - 1] in _FINAL
                or text[end - 1].isspace()
                # a bracket the content did not open: "[... not a real news report.]"
                or (text[end - 1] in ")]" and "(["[text[end - 1] == "]"] not in text[start:end])
            )
        ):
            end -= 1
        if not any(ch.isalnum() for ch in text[start : min(end, start + 200)]):
            return None
        return (start, end) if start < end else None

    # -- source noun phrases -----------------------------------------------------------

    def source_left(self, i: int, lo: int) -> tuple[int, int] | None:
        """Token range of the noun phrase ending at token ``i`` (inclusive), walking left."""
        lex, lows = self.lex, self.doc.lows
        if i < lo:
            return None
        if lows[i] in lex.relative_sources or lows[i] in _CLAUSE_SUBJECTS:
            return (i, i + 1)  # "who said", "the divides he promised": the pronoun alone
        j = i
        while j >= lo and i - j < _MAX_SOURCE:
            low = lows[j]
            if low == ")":
                # "Sen. Mitch McConnell (R-Ky.) said": step over the parenthesis
                k = j - 1
                while k > lo and j - k < 10 and lows[k] not in ("(", ")"):
                    k -= 1
                if k > lo and lows[k] == "(" and self.is_word(k - 1):
                    j = k - 1
                    continue
                break
            if low in _PUNCT_STOP or not (self.is_word(j) or low in _NP_JOINERS):
                break  # also "#", "*", "•": markup
            if low == "." and not self.is_abbrev_period(j, lo):
                break
            if low in ("and", "or", "&"):
                if not (j - 1 >= lo and self.is_cap(j - 1) and j + 1 <= i and self.is_cap(j + 1)):
                    break
            elif low in lex.source_stops and j != i:
                break
            elif low in lex.source_stops:
                return None
            elif (low in lex.forms or low in lex.relative_sources) and j != i:
                break
            j -= 1
        start = j + 1
        if j >= lo and lows[j] not in _PUNCT_STOP and lows[j] not in lex.relative_sources:
            # "a senior official who declined to be named said": the relative clause is part
            # of the source; continue with the noun phrase before "who"
            w = j - 1
            while w > lo and j - w < 10 and lows[w] not in _PUNCT_STOP and lows[w] != ".":
                if lows[w] in ("who", "which") and self.is_word(w - 1):
                    head = self.source_left(w - 1, lo)
                    if head is not None:
                        start = head[0]
                    break
                w -= 1
        # "On Friday Trump said": drop a leading time phrase
        while start < i and (
            lows[start] in lex.time_words
            or (lows[start] in lex.adjunct_prepositions and lows[start + 1] in lex.time_words)
        ):
            start += 1
        if start > i:
            return None
        return (start, i + 1)

    def source_right(
        self, i: int, hi: int, *, lenient: bool = False, agent: bool = False
    ) -> tuple[int, int] | None:
        """Token range of a noun phrase starting at token ``i``, up to a comma or the end.
        ``lenient`` (right after a quotation) accepts any noun phrase ("one former aide");
        ``agent`` (after a passive's "by") ends it before "that"."""
        lex, lows = self.lex, self.doc.lows
        if i >= hi:
            return None
        first = lows[i]
        plain_word = self.is_word(i) and first not in _VERBAL and first not in _PREPOSITIONS
        if not (
            (lenient and plain_word)
            or self.is_cap(i)
            or first in lex.determiners
            or first in lex.pronoun_sources
            # "said former governor Ed Rendell": a lower-case title before a name
            or (plain_word and any(self.is_cap(t) for t in range(i + 1, min(hi, i + 4))))
        ):
            return None
        j = i
        while j < hi and j - i < _MAX_SOURCE:
            low = lows[j]
            if low == "." and self.is_abbrev_period(j, i):
                j += 1
                continue
            if low in _PUNCT_STOP or low in ".!?" or low in self.lex.quote_verbs:
                break
            if agent and low == "that" and j > i:
                break
            if low == "that" or low in _VERBAL or (low in lex.forms and j > i):
                return None  # a clause, not a noun phrase: "said the chamber will vote"
            j += 1
        if j == i:
            return None
        # an appositive or relative clause after a comma belongs to the source
        if j < hi and lows[j] == "," and j + 1 < hi and lows[j + 1] in ("who", "a", "an", "the"):
            k = j + 1
            while k < hi and lows[k] not in ".!?;" and k - i < 3 * _MAX_SOURCE:
                if (
                    lows[k] == ","
                    and k + 1 < hi
                    and (lows[k + 1] in lex.forms and lex.forms[lows[k + 1]].cls == "speech")
                ):
                    break
                k += 1
            j = k
        return (i, j)

    def first_word(self, lo: int, hi: int) -> int:
        """The unit's first token after opening quotes and conjunctions."""
        lows = self.doc.lows
        i = lo
        while i < hi and (lows[i] in _QUOTES or lows[i] in _CONJUNCTIONS):
            i += 1
        return i

    def clause_subject(self, lo: int, end: int) -> tuple[int, int] | None:
        """The subject of the clause that ends before token ``end`` ("though last week he
        used stronger language, saying ..." -> "he")."""
        lex, lows = self.lex, self.doc.lows
        j = end - 1
        while j >= lo and lows[j] not in _CLAUSE_BREAKS and lows[j] not in _SUBORDINATORS:
            if lows[j] in _QUOTES:
                break
            j -= 1
        k = j + 1
        while k < end:
            low = lows[k]
            if low in _CONJUNCTIONS or low in _SENTENCE_ADVERBS:
                k += 1
            elif low in _PREPOSITIONS:
                k += 1
                while k < end and (
                    lows[k] in lex.time_words
                    or lows[k] in lex.time_modifiers
                    or lows[k] in lex.determiners
                    or lows[k] in lex.adjunct_nouns
                ):
                    k += 1
            else:
                break
        if k >= end:
            return None
        if lows[k] in lex.pronoun_sources:
            return (k, k + 1)
        return self.subject(k, end)

    def subject(self, lo: int, hi: int) -> tuple[int, int] | None:
        """The unit's leading noun phrase, as a fallback source ("Trump won, saying ...")."""
        lex, lows = self.lex, self.doc.lows
        i = lo
        while i < hi and (lows[i] in _QUOTES or lows[i] in _CONJUNCTIONS):
            i += 1
        if (
            i + 1 < hi
            and lows[i + 1] == ","
            and (lows[i] in _SENTENCE_ADVERBS or lows[i] in lex.time_words or self.is_adverb(i))
        ):
            i += 2  # "Instead, he ..."
        if i < hi and (lows[i] in _PREPOSITIONS or lows[i] in lex.source_stops):
            # "In a brief interview, Ms. Conway ...": skip the opening phrase
            j = i
            while j < hi and j - i < 15 and lows[j] != ",":
                j += 1
            if j >= hi or j - i >= 15:
                return None
            i = j + 1
        if i >= hi:
            return None
        if lows[i] in lex.pronoun_sources:
            return (i, i + 1)
        if lows[i] in ("there", "there’s", "there's", "it’s", "it's"):
            return None
        j = i
        if lows[j] in lex.determiners:
            j += 1
            while j < hi and j - i < 6 and self.is_word(j):
                low = lows[j]
                if low in lex.source_stops or low in lex.forms or low in lex.auxiliaries:
                    break
                j += 1
            return (i, j) if j > i + 1 else None
        while j < hi and j - i < 8:
            low = lows[j]
            name_word = (
                self.doc.text[self.doc.starts[j]].isupper()
                and low not in lex.forms
                and low not in lex.source_stops
                and low not in _PREPOSITIONS
            )
            joiner = low in ("of", "the", "-", "&") and j + 1 < hi and self.is_cap(j + 1)
            if not (name_word or joiner or self.is_abbrev_period(j, i)):
                break
            j += 1
        return (i, j) if j > i else None

    # -- content to the right ------------------------------------------------------------

    def skip_adjuncts(self, i: int, hi: int, cue: CueWord) -> int:
        """First token of the content after a cue ending before token ``i``."""
        lex, lows = self.lex, self.doc.lows
        # "said on Friday, in a statement, that X": jump to the complementiser
        j = i
        while j < hi and j - i < 14:
            low = lows[j]
            if low == "that":
                if j > i:
                    return j
                break
            if low == "," or self.is_adjunct_word(j, i):
                j += 1
            elif j == i and low in _PREPOSITIONS:
                # "said before attending the town hall that X": a longer circumstance
                k = j + 1
                while k < hi and k - j < 12 and lows[k] not in _CLAUSE_BREAKS and lows[k] != ".":
                    if lows[k] == "that":
                        return k
                    k += 1
                break
            else:
                break
        j = i
        if cue.recipient and j < hi:
            j = self._skip_recipient(j, hi)
        while j < hi:
            low = lows[j]
            if low in lex.time_words:
                j += 1
            elif low in lex.time_modifiers and j + 1 < hi and lows[j + 1] in lex.time_words:
                j += 2
            elif low in lex.adjunct_prepositions and j + 1 < hi:
                k = self._skip_adjunct_np(j + 1, hi)
                if k == j + 1:
                    break
                j = k
            else:
                break
        while j < hi and lows[j] in (",", ":", "—", "–"):
            j += 1
        return j

    def _skip_recipient(self, j: int, hi: int) -> int:
        lex, lows = self.lex, self.doc.lows
        if lows[j] in lex.recipients:
            return j + 1
        k = j
        if lows[k] in ("the", "a", "an"):
            k += 1
        start = k
        while (
            k < hi
            and k - start < 8
            and (
                (self.is_cap(k) and self.is_word(k))
                or self.is_abbrev_period(k, start)
                or (lows[k] == "of" and k > start and k + 1 < hi and self.is_cap(k + 1))
            )
        ):
            k += 1  # "The Star-Ledger of Newark"
        if k > start:
            return k
        if k < hi and lows[k] in lex.recipients:
            return k + 1
        return j

    def is_adjunct_word(self, j: int, start: int) -> bool:
        """A word that may stand between a cue and "that": time, venue, hearer, name."""
        lex, low = self.lex, self.doc.lows[j]
        return (
            low in lex.time_words
            or low in lex.adjunct_prepositions
            or low in lex.adjunct_nouns
            or low in lex.determiners
            or low in lex.recipients
            or (self.is_cap(j) and self.is_word(j))
            or self.is_abbrev_period(j, start)
        )

    def _skip_adjunct_np(self, j: int, hi: int) -> int:
        """End of "a statement", "Friday", "an interview with CNN" after a preposition."""
        lex, lows = self.lex, self.doc.lows
        k = j
        seen_head = False
        while k < hi and k - j < 8:
            low = lows[k]
            if low in lex.determiners:
                k += 1
            elif (
                low in lex.adjunct_nouns
                or low in lex.time_words
                or (self.is_cap(k) and self.is_word(k))
            ):
                k += 1
                seen_head = True
            elif self.is_abbrev_period(k, j) or (low in ("with", "by", "of") and seen_head):
                k += 1
            else:
                break
        return k if seen_head else j

    def content_end(self, i: int, hi: int, cue: CueWord | None = None) -> int:
        """Token where content starting at ``i`` stops: the unit end, or before ", adding",
        ", said Smith" or ", according to"; the object of a stance verb ("criticized X")
        also stops at the end of its clause. Marks inside quotations do not count."""
        hi = min(hi, i + _MAX_CONTENT)
        stops = (
            self.short_stops if cue is not None and cue.cls in ("stance", "raising") else self.stops
        )
        k = bisect_right(stops, i)
        return stops[k] if k < len(stops) and stops[k] < hi else hi

    def _content_stops(self) -> tuple[list[int], list[int]]:
        """Token indices where a content ends (see :meth:`content_end`), for all cues and for
        stance verbs; computed once per text so each content costs a binary search."""
        lex, lows, doc = self.lex, self.doc.lows, self.doc
        stops: list[int] = []
        short: list[int] = []
        in_quote_until = -1
        n = len(lows)
        # Only quotation marks and the words below can do anything: the others are skipped.
        marks = [k for k, span in doc.quote_at.items() if doc.starts[k] == span[0]]
        words = compress(range(n), map(_STOP_WORDS.__contains__, lows))
        for k in sorted({*marks, *words}):
            low = lows[k]
            span = doc.quote_at.get(k)
            if span is not None and doc.starts[k] == span[0]:
                in_quote_until = span[1]
                continue
            if doc.starts[k] < in_quote_until:
                continue
            stop = False
            if low == "," and k + 1 < n:
                nxt = lows[k + 1]
                word = lex.forms.get(nxt)
                stop = (
                    (
                        word is not None
                        and (word.cls == "speech" or (nxt.endswith("ing") and word.cls == "stance"))
                    )
                    or (nxt == "according" and k + 2 < n and lows[k + 2] == "to")
                    # "X, where he trailed Clinton": a comment on the content
                    or nxt in _TRAILING_CLAUSE
                )
            if stop:
                stops.append(k)
                short.append(k)
            elif low in _CLAUSE_BREAKS or low in _SUBORDINATORS:
                short.append(k)
        return stops, short

    # -- main ----------------------------------------------------------------------------

    def run_unit(self, lo: int, hi: int, candidates: list[int]) -> None:
        """Try every cue word of the unit (``candidates``: token indices of possible cues)."""
        lex, lows = self.lex, self.doc.lows
        found_before = len(self.found)
        c = bisect_left(candidates, lo)
        while c < len(candidates) and candidates[c] < hi:
            k = candidates[c]
            c += 1
            low = lows[k]
            if low in lex.quote_verbs and self.quoted_as(k, lo, hi):
                continue
            cue: CueWord | None = None
            for phrase in lex.phrases.get(low, ()):
                n = len(phrase.words)
                if k + n <= hi and tuple(lows[k : k + n]) == phrase.words:
                    cue = phrase
                    break
            if cue is None:
                cue = lex.forms.get(low)
            if cue is None or self.in_quote(k):
                continue
            n = len(cue.words)
            if cue.source_after:
                self.according_to(k, k + n, lo, hi, cue)
            else:
                self.verb(k, k + n, lo, hi, cue)
            while c < len(candidates) and candidates[c] < k + n:
                c += 1  # the words of a phrase are not cues again
        if self.is_cap(lo) and hi - lo > 4:
            self.headline_colon(lo, hi)
        if len(self.found) == found_before:
            self.quote_frame(lo, hi)

    def quote_frame(self, lo: int, hi: int) -> None:
        """“Would it be negotiable?” Hannity pressed. — after a quotation that ends with a
        comma, question or exclamation mark, a short "NAME VERBED" (or "VERBED NAME") is a
        speech verb the lexicon may not know."""
        doc, lows = self.doc, self.doc.lows
        q = hi - 1
        while q >= lo and hi - q <= 9 and not self.is_closing_quote(q):
            q -= 1
        if q < lo and lo > 0 and hi - lo <= 8 and self.previous_quote(lo) is not None:
            q = lo - 1  # the splitter cut after “...?”
        if q < 0 or hi - q > 9 or not self.is_closing_quote(q):
            return
        span = doc.quote_at.get(q)
        if span is None or (q >= lo and span[0] < doc.starts[lo]):
            return
        if doc.text[doc.starts[q] - 1 : doc.starts[q]] not in (",", "?", "!"):
            return
        tail = [t for t in range(q + 1, hi) if lows[t] not in _FINAL]
        verbs = [
            t
            for t in tail
            if doc.tok(t).isalpha()
            and doc.tok(t).islower()
            and (lows[t].endswith("ed") or lows[t].endswith("s"))
            and lows[t] not in _VERBAL
        ]
        if not tail or not verbs:
            return
        v = verbs[0]
        if v == tail[0]:  # "“X?” pressed Hannity."
            src = self.source_right(v + 1, hi, lenient=True)
        else:  # "“X?” Hannity pressed."
            src = self.source_left(v - 1, q + 1)
            if src is None or src[0] != tail[0]:
                return
        if src is None:
            return
        self.add((doc.starts[v], doc.ends[v]), [span], self.tok_span(src), "quote_frame", None)

    def in_quote(self, k: int) -> bool:
        pos = self.doc.starts[k]
        spans = self.doc.quote_spans
        idx = bisect_right(spans, (pos, 1 << 62, 1 << 62)) - 1
        # quotations do not nest here, so the nearest one starting before is the only candidate
        return idx >= 0 and spans[idx][0] < pos < spans[idx][1] - 1

    def is_verb_use(self, v: int, lo: int, cue: CueWord) -> bool:
        """Whether the cue word at ``v`` is used as a verb, judging by the word before it."""
        if v <= lo or len(cue.words) > 1:
            return True
        lex, lows = self.lex, self.doc.lows
        if v + 1 < len(lows) and lows[v + 1] in _PARTICLES:
            return False  # "show up", "called off"
        prev = lows[v - 1]
        if lows[v] in lex.noun_forms and self.is_cap(v):
            return False  # "The Daily Show", "Morning Report"
        if prev in lex.determiners and prev not in _QUANTIFIER_SUBJECTS:
            return False  # "the reports", "the alleged", "his claims"
        if prev in _INTENSIFIERS:
            return False  # "very worried", "more expected"
        if prev.endswith(("’s", "'s")) and prev[:-2] not in _CONTRACTED:
            return False  # "Trump's claims"
        if lows[v] in lex.noun_forms:
            # "polls show", "he claims", "Trump calls" — not "radio show", "campaign promises"
            src = self.source_left(v - 1, lo)
            if src is not None and lows[src[0]] in _PREPOSITIONS and lows[src[0]] != "of":
                return False  # "on the MSNBC show"
            nxt = lows[v + 1] if v + 1 < len(lows) else ""
            return (
                nxt == "that"
                or nxt in _OPENING
                or prev in lex.pronoun_sources
                or prev in lex.relative_sources
                or prev in lex.source_heads
                or prev in lex.auxiliaries
                or (self.is_cap(v - 1) and self.is_word(v - 1))
                or (
                    not lows[v].endswith("s")
                    and prev.endswith("s")
                    and not prev.endswith(("ss", "us", "is", "news"))
                    and self.is_word(v - 1)
                )
            )
        return True

    def verb(self, v: int, r: int, lo: int, hi: int, cue: CueWord) -> None:
        lex, lows, doc = self.lex, self.doc.lows, self.doc
        if not self.is_verb_use(v, lo, cue):
            return
        left = v
        while left - 1 >= lo and v - left < 6:
            prev = lows[left - 1]
            if prev in lex.auxiliaries or self.is_adverb(left - 1):
                left -= 1
            elif prev in lex.time_words and prev not in _TIME_NOUNS_ALONE and left - 2 >= lo:
                # "Beck last week said", "who has in the past described", "Clinton on
                # Tuesday said": the time phrase goes with the cue, not the source
                k = left - 2
                while (
                    k >= lo
                    and v - k < 6
                    and (lows[k] in lex.time_modifiers or lows[k] in ("the", "in", "on"))
                ):
                    k -= 1
                if k == left - 2 and prev not in _WEEKDAYS:
                    break
                left = k + 1
            else:
                break
        cue_span = (doc.starts[left], doc.ends[r - 1])
        before = left - 1
        single = len(cue.words) == 1
        participle = single and lows[v].endswith("ing")

        # ", adding that X", "by accusing him" — the source is the sentence's
        if participle and before >= lo and (lows[before] == "," or lows[before] in _PREPOSITIONS):
            if cue.cls == "evidence" or (cue.cls == "stance" and lows[before] != ","):
                return
            source = (
                self.last_source(lo)
                or self.tok_span(self.clause_subject(lo, before))
                or self.tok_span(self.subject(lo, hi))
            )
            self.right_content(cue_span, r, hi, cue, source, "participle")
            return

        # "X, said KCNA." / "“X,” said the minister."
        if (
            cue.cls == "speech"
            and before >= lo
            and (lows[before] == "," or self.is_closing_quote(before))
            and left == v
        ):
            quoted = self.is_closing_quote(before) or (
                lows[before] == "," and before > lo and self.is_closing_quote(before - 1)
            )
            src = self.source_right(r, hi, lenient=quoted)
            if src is not None and all(
                lows[t] in lex.time_words or lows[t] in lex.time_modifiers
                for t in range(src[0], src[1])
            ):
                src = None  # "..., concluded this year."
            if src is not None and not quoted:
                # "Broaddrick, who said X, recounted the incident": a subject with an
                # appositive, then a verb and its object, not an inversion
                app = self.appositive_source(before, lo)
                if (app is not None and app[0] <= self.first_word(lo, hi)) or (
                    src[1] - src[0] > 5 and not self.doc.text[doc.starts[src[0]]].isupper()
                ):
                    src = None
            if src is not None:
                end = src[1]
                while end < hi and lows[end] in _FINAL:
                    end += 1
                if quoted or (
                    not cue.recipient
                    and (end >= hi or self.is_closing_quote(end) or lows[src[1]] == ",")
                ):
                    content = self.left_content(before, lo)
                    if content:
                        self.add(cue_span, content, self.tok_span(src), "verb_inverted", cue)
                        return

        # "it was reported that X", "X was announced by Y", "Trump is expected to win"
        if (
            single
            and any(lows[t] in _PASSIVE_AUX for t in range(left, v))
            and (lows[v].endswith("ed") or lows[v] in _IRREGULAR_PARTICIPLES)
        ) or cue.cls == "raising":
            if cue.cls != "stance":
                self.passive(cue_span, before, r, lo, hi, cue)
            return

        src_tokens: tuple[int, int] | None
        appositive = False
        if before >= lo and lows[before] in _APPOSITIVE_MARKS:
            src_tokens = self.appositive_source(before, lo)
            appositive = src_tokens is not None
        else:
            src_tokens = self.source_left(before, lo)
        source = self.tok_span(src_tokens) if src_tokens else None
        if src_tokens is None and before >= lo and lows[before] in ("and", "but"):
            # "Ms. Sherry smiled and said": the subject of the first verb
            source = self.last_source(lo) or self.tok_span(self.subject(lo, before))
        if source is None and not (left == lo and lows[v] == "says"):
            return  # no subject: an infinitive or a fragment ("to say"); "Says X" is a headline

        sep = src_tokens[0] - 1 if src_tokens is not None else -1
        if (
            sep >= lo
            and cue.cls == "speech"
            and (
                self.is_closing_quote(sep)
                or (lows[sep] == "," and sep > lo and self.is_closing_quote(sep - 1))
            )
        ):
            # "“X,” he said in his victory speech": what follows the cue is circumstance,
            # unless another quotation continues the statement ("“X,” he said, “Y.”")
            content = self.left_content(sep, lo) or []
            more = self.next_quote(r, hi)
            if more is not None:
                content.append(more)
            if content:
                self.add(cue_span, content, source, "verb_final", cue)
                return
        if sep < lo and src_tokens is not None and cue.cls == "speech":
            quote = self.previous_quote(lo)
            after = self.skip_adjuncts(r, hi, cue)
            if quote is not None and (
                self.at_unit_end(r, hi)
                or self.at_unit_end(after, hi)
                or lows[after] in ("of", "about")
                or self.starts_non_content(r, after)
            ):
                self.add(cue_span, [quote], source, "verb_final", cue)
                return
            nxt = self.doc.quote_at.get(hi)
            if (
                quote is None
                and nxt is not None
                and hi < len(lows)
                and nxt[0] == doc.starts[hi]
                and self.at_unit_end(after, hi)
                and doc.paragraph(nxt[0]) == doc.paragraph(cue_span[0])
            ):
                # "Dianne Bystrom agreed. “Mainstream Republicans are running out of time.”"
                self.add(cue_span, [nxt], source, "verb_then_quote", cue)
                return
        start = self.skip_adjuncts(r, hi, cue)
        if start < hi and lows[start] in ("of", "about"):
            # "said of Chaffetz's request: “The FBI resolved all of this.”"
            k = start + 1
            while k < hi and k - start < 12 and lows[k] not in (":", ",", ".", ";"):
                k += 1
            if k + 1 < hi and lows[k] == ":":
                start = k + 1
        right = None
        if (
            start < hi
            and not self.starts_non_content(r, start)
            and self.complement_ok(start, hi, cue)
        ):
            end = self.content_end(start, hi, cue)
            if start < end:
                right = self.trim_content(doc.starts[start], doc.ends[end - 1])
        if right is not None:
            fragments = [right]
            # "X, he said, Y": the source sits inside the content
            if (
                not appositive
                and sep >= lo
                and (lows[sep] == "," or self.is_closing_quote(sep))
                and lows[r] == ","
                and cue.cls in ("speech", "cognition")
            ):
                left_part = self.left_content(sep, lo)
                if left_part:
                    fragments = [*left_part, right]
            self.add(cue_span, fragments, source, "verb", cue)
            return
        if cue.cls not in ("speech", "cognition") or cue.complement or src_tokens is None:
            return
        # cue at the end: the content is before the source
        sep = src_tokens[0] - 1
        if sep < lo:
            return
        content = self.left_content(sep, lo)
        if content:
            self.add(cue_span, content, source, "verb_final", cue)

    def next_quote(self, r: int, hi: int) -> tuple[int, int] | None:
        """A quotation opening right after the cue group ("he said, “Y.”")."""
        lows = self.doc.lows
        j = r
        while j < hi and j - r < 12 and lows[j] not in _QUOTES:
            if lows[j] in (".", ";", "!", "?") and not self.is_abbrev_period(j, r):
                return None
            j += 1
        if j < hi and lows[j] in _QUOTES:
            span = self.doc.quote_at.get(j)
            if span is not None and span[0] == self.doc.starts[j]:
                return span
        return None

    def previous_quote(self, lo: int) -> tuple[int, int] | None:
        """The quotation that ends just before this unit, in the same paragraph."""
        if lo == 0 or not self.is_closing_quote(lo - 1):
            return None
        span = self.doc.quote_at.get(lo - 1)
        if span is None or self.doc.paragraph(span[0]) != self.doc.paragraph(self.doc.starts[lo]):
            return None
        return span

    def at_unit_end(self, r: int, hi: int) -> bool:
        lows = self.doc.lows
        j = r
        while j < hi and (lows[j] in _FINAL or lows[j] in self.lex.time_words):
            j += 1
        return j >= hi

    def complement_ok(self, start: int, hi: int, cue: CueWord) -> bool:
        """Whether the content opens as the verb requires ("found that X", "pledged to X")."""
        if cue.complement is None:
            return True
        lows = self.doc.lows
        first = lows[start]
        if cue.complement == "quote":
            return first in _QUOTES or first == "that"
        if first in _CLAUSE_OPENERS or first in _QUOTES or first in _CLAUSE_SUBJECTS:
            return True
        if cue.complement == "to":
            return any(lows[t] == "to" for t in range(start, min(hi, start + 5)))
        if cue.complement == "as":
            return any(lows[t] == "as" for t in range(start, min(hi, start + 12)))
        return False

    def starts_non_content(self, r: int, start: int) -> bool:
        """Whether what follows a cue is a circumstance, not a statement: "said, adding",
        "said when asked", "said of Clinton", "said, according to"."""
        lows = self.doc.lows
        first = lows[start]
        if first in _NON_CONTENT_STARTS:
            return True
        return first.endswith("ing") and any(lows[t] == "," for t in range(r, start))

    def passive(
        self, cue_span: tuple[int, int], before: int, r: int, lo: int, hi: int, cue: CueWord
    ) -> None:
        lows, doc = self.doc.lows, self.doc
        source = None
        start = r
        by = r
        while by < hi and by - r < 6 and lows[by] not in ("by", "that", ",", "."):
            by += 1
        if by < hi and lows[by] == "by":
            agent = self.source_right(by + 1, hi, agent=True)
            if agent is not None:
                source = self.tok_span(agent)
                start = agent[1] if by == r else start
        start = self.skip_adjuncts(start, hi, cue)
        fragments: list[tuple[int, int]] = []
        subject = self.source_left(before, lo) if before >= lo else None
        if cue.recipient and start < hi:
            # "he was asked about X", "Clinton has been asked to release X": the subject
            # is the hearer; the content follows
            if lows[start] == "about" and start + 1 < hi:
                start += 1
            end = self.content_end(start, hi, cue)
            right = self.trim_content(doc.starts[start], doc.ends[end - 1])
            if right and not self.starts_non_content(r, start):
                fragments.append(right)
        elif start < hi and lows[start] == "that":
            end = self.content_end(start, hi, cue)
            right = self.trim_content(doc.starts[start], doc.ends[end - 1])
            if right:
                fragments.append(right)
        elif (
            subject is not None
            and lows[subject[0]] not in ("it", "there")
            and start < hi
            and (lows[start] == "to" or cue.cls == "raising")
        ):
            # "Trump is expected to win", "he seemed to confirm X": the subject and the rest
            # (not "Lazar was charged", "a postscript might be added")
            span = self.tok_span(subject)
            end = self.content_end(start, hi, cue)
            right = self.trim_content(doc.starts[start], doc.ends[end - 1])
            if span and right:
                fragments.extend([span, right])
        if fragments and (cue.cls != "raising" or len(fragments) > 1):
            self.add(cue_span, fragments, source, "passive", cue)

    def appositive_source(self, comma: int, lo: int) -> tuple[int, int] | None:
        """ "Flynn, a top Trump surrogate, said": the name, the appositive and its commas
        (or dashes: "Trump - who previously said X - said")."""
        lows = self.doc.lows
        mark = lows[comma]
        j = comma - 1
        while j >= lo and comma - j < 25:
            if lows[j] == mark:
                break
            if lows[j] in (".", ";", ":", "!", "?") and not self.is_abbrev_period(j, lo):
                return None
            if lows[j] in _QUOTES:
                return None
            j -= 1
        else:
            return None
        if j < lo:
            return None
        head = self.source_left(j - 1, lo)
        if head is None:
            return None
        return (head[0], comma + 1)

    def left_content(self, sep: int, lo: int) -> list[tuple[int, int]] | None:
        """Content before a separator token (a comma or a closing quotation mark)."""
        doc, lows = self.doc, self.doc.lows
        j = sep
        if lows[j] == "," and j - 1 >= lo:
            j -= 1
        if self.is_closing_quote(j):
            span = doc.quote_at.get(j)
            if span is not None and span[0] >= doc.starts[lo]:
                lead = lo
                while lead < len(lows) and lows[lead] in _QUOTES:
                    lead += 1
                if span[0] > doc.starts[lo] and doc.starts[lead] < span[0]:
                    # "... that included ''a full exchange of views,'' a spokeswoman said"
                    return [(max(doc.starts[lo], span[0] - 20 * _MAX_CONTENT), span[1])]
                return [span]
        if lows[sep] != ",":
            return None
        if sep == lo:
            return None
        start = doc.starts[max(lo, sep - _MAX_CONTENT)]
        dateline = _DATELINE.match(doc.text, start, doc.starts[sep])
        if dateline:  # "SEOUL, Dec. 26 (Yonhap) -- Kim has instructed ...": not content
            start = dateline.end()
        span = self.trim_content(start, doc.starts[sep])
        return [span] if span else None

    def according_to(self, k: int, r: int, lo: int, hi: int, cue: CueWord) -> None:
        doc, lows = self.doc, self.doc.lows
        cue_span = (doc.starts[k], doc.ends[r - 1])
        src = r
        while src < hi and src - r < 25:
            low = lows[src]
            if low in (",", ";", ":", "!", "?", "(", ")") or (low in _QUOTES and src > r):
                break
            if low == "." and not self.is_abbrev_period(src, r):
                break
            src += 1
        if src == r:
            return
        source = (doc.starts[r], doc.ends[src - 1])
        lead = lo
        while lead < k and (lows[lead] in _CONJUNCTIONS or lows[lead] in _QUOTES):
            lead += 1
        if lead < k:  # "X, according to S(, Y)"
            end = k
            content = self.trim_content(doc.starts[max(lo, k - _MAX_CONTENT)], doc.starts[end])
            fragments = [content] if content else []
            if src < hi and lows[src] == "," and src + 1 < hi:
                tail_end = self.content_end(src + 1, hi)
                tail = self.trim_content(doc.starts[src + 1], doc.ends[tail_end - 1])
                if tail:
                    fragments.append(tail)
            if fragments:
                self.add(cue_span, fragments, source, "according_to_after", cue)
        elif src + 1 < hi and lows[src] == ",":  # "According to S, X"
            end = self.content_end(src + 1, hi)
            content = self.trim_content(doc.starts[src + 1], doc.ends[end - 1])
            if content:
                self.add(cue_span, [content], source, "according_to_before", cue)

    def quoted_as(self, q: int, lo: int, hi: int) -> bool:
        """ "KCNA quoted Kim as saying X": KCNA quotes; Kim says X."""
        lows, doc, lex = self.doc.lows, self.doc, self.lex
        as_word, saying = lex.as_words
        j = q + 1
        while j < hi and j - q < 12 and lows[j] != as_word:
            if (lows[j] in _PUNCT_STOP or lows[j] == ".") and not self.is_abbrev_period(j, q):
                return False
            j += 1
        if j + 1 >= hi or lows[j] != as_word or lows[j + 1] != saying or j == q + 1:
            return False
        inner_source = (doc.starts[q + 1], doc.ends[j - 1])
        start = j + 2
        while start < hi and lows[start] in (",", ":"):
            start += 1
        end = self.content_end(start, hi)
        content = self.trim_content(doc.starts[start], doc.ends[end - 1]) if start < end else None
        if content is None:
            return False
        inner_cue = (doc.starts[j], doc.ends[j + 1])
        say = lex.forms.get(saying) or CueWord((saying,), saying, "speech")
        self.add(inner_cue, [content], inner_source, "quoted_as", say)
        outer_src = self.source_left(q - 1, lo)
        outer_content = self.trim_content(doc.starts[q + 1], doc.ends[end - 1])
        if outer_src is not None and outer_content:
            quote_cue = CueWord((lows[q],), "quote", "speech")
            self.add(
                (doc.starts[q], doc.ends[q]),
                [outer_content],
                self.tok_span(outer_src),
                "quoting",
                quote_cue,
            )
        return True

    def headline_colon(self, lo: int, hi: int) -> None:
        """ "Lewandowski: FBI director acted as 'judge and jury'" (a short name, a colon)."""
        lows, doc = self.doc.lows, self.doc
        j = lo
        while j < hi and j - lo < 5 and self.is_cap(j) and doc.tok(j).isalpha():
            j += 1
        if j == lo or j + 3 >= hi or lows[j] != ":" or lows[lo] in self.lex.headline_labels:
            return
        if doc.ends[j] < len(doc.text) and not doc.text[doc.ends[j]].isspace():
            return  # "3:40"
        if any(
            lows[t] in self.lex.forms or lows[t] in self.lex.headline_labels for t in range(lo, j)
        ):
            return
        content = self.trim_content(doc.ends[j], doc.ends[self.content_end(j + 1, hi) - 1])
        if content:
            self.add(
                (doc.starts[j], doc.ends[j]),
                [content],
                (doc.starts[lo], doc.ends[j - 1]),
                "headline_colon",
                None,
            )

    def right_content(
        self,
        cue_span: tuple[int, int],
        r: int,
        hi: int,
        cue: CueWord,
        source: tuple[int, int] | None,
        rule: str,
    ) -> None:
        start = self.skip_adjuncts(r, hi, cue)
        end = self.content_end(start, hi, cue)
        if start < end:
            content = self.trim_content(self.doc.starts[start], self.doc.ends[end - 1])
            if content:
                self.add(cue_span, [content], source, rule, cue)

    def last_source(self, lo: int) -> tuple[int, int] | None:
        unit_start = self.doc.starts[lo]
        for f in self.found[: -_NEST_WINDOW - 1 : -1]:  # the last few: bounded work
            if f.cue[0] < unit_start:
                break
            if f.source is not None:
                return f.source
        return None

    def tok_span(self, tokens: tuple[int, int] | None) -> tuple[int, int] | None:
        if tokens is None or tokens[0] >= tokens[1]:
            return None
        return (self.doc.starts[tokens[0]], self.doc.ends[tokens[1] - 1])

    def add(
        self,
        cue: tuple[int, int],
        content: list[tuple[int, int]],
        source: Any,
        rule: str,
        cue_word: CueWord | None,
    ) -> None:
        if source is not None and len(source) == 2 and isinstance(source[0], int):
            src: tuple[int, int] | None = (source[0], source[1])
        else:
            src = None
        content = [c for c in content if c[0] < c[1]]
        if not content:
            return
        self.found.append(_Found(cue, content, src, rule, cue_word))

    # -- coordination ----------------------------------------------------------------

    def split_coordinated(self) -> None:
        """End a content where a coordinated clause with its own cue begins: in "She declared
        X and said Y" or "Aides said X, and they rejected Y" the first content is X alone.
        (A cue after "that" stays nested: "Reuters reported that KCNA said X".)"""
        found = sorted(self.found, key=lambda f: f.cue)
        cues = [f.cue[0] for f in found]
        text = self.doc.text
        for f in found:
            a, b = f.content[-1]
            if b <= f.cue[0]:
                continue
            first = bisect_right(cues, a)
            last = bisect_left(cues, b)
            for g in found[first : min(last, first + _NEST_WINDOW)]:
                if g is f:
                    continue
                if any(x <= f.cue[0] < y for x, y in g.content):
                    # each holds the other's cue: "Sanders plans to stay, Devine said" —
                    # the cue at the end frames the sentence; f's content stops before it
                    end = min(y for x, y in g.content if x <= f.cue[0] < y)
                    if a < end < b:
                        f.content[-1] = (a, end)
                    break
                p = g.source[0] if g.source and g.source[0] > a else g.cue[0]
                if p <= a:
                    continue
                t = bisect_left(self.doc.starts, p) - 1
                if t < 0 or self.doc.starts[t] <= a or self.doc.lows[t] not in _COORDINATORS:
                    continue
                end = self.doc.starts[t]
                while end > a and (text[end - 1].isspace() or text[end - 1] in ",;"):
                    end -= 1
                if end > a:
                    f.content[-1] = (a, end)
                break

    # -- continuation ----------------------------------------------------------------

    def continue_quotes(
        self, units: list[tuple[int, int]], unit_tokens: list[tuple[int, int]]
    ) -> None:
        """A quotation alone in a sentence, after a quoted statement in the same paragraph,
        continues that statement."""
        by_unit: dict[int, _Found] = {}
        ui = 0
        for f in self.found:
            while ui < len(units) and units[ui][1] <= f.cue[0]:
                ui += 1
            if ui < len(units):
                by_unit[ui] = f
        current: _Found | None = None
        doc = self.doc
        for ui, (start, end) in enumerate(units):
            if ui in by_unit:
                f = by_unit[ui]
                current = f if self._is_quoted(f) else None
                continue
            if current is None:
                continue
            if doc.paragraph(start) != doc.paragraph(current.cue[0]):
                current = None
                continue
            lo, _hi = unit_tokens[ui]
            span = doc.quote_at.get(lo)
            if span is not None and span[0] == start and span[1] >= end - 1:
                if span in current.content:
                    continue
                current.content.append(span)
                current.rule += "+continued"
            else:
                current = None

    def _is_quoted(self, f: _Found) -> bool:
        return bool(f.content) and self.doc.text[f.content[-1][0]] in "“\"«'`"


def find_attributions(
    text: str,
    *,
    sentences: list[Span] | None = None,
    nested: bool = True,
    lexicon: Lexicon | None = None,
) -> list[Attribution]:
    """Attributions (source, cue, content) in ``text``, in text order of their cues.

    ``sentences`` lets a pipeline pass its own sentence spans; by default
    :func:`~watchboard.extract.sentences.split_sentences` is used. Quotations that run over
    sentence boundaries are joined either way. With ``nested=False`` only outermost
    attributions are returned (none whose cue lies inside another one's content), the
    convention of corpora such as PolNeAR. ``lexicon`` replaces the packaged cue file
    (see :func:`load_lexicon`).

    ``rule`` names the pattern that matched; ``extra`` holds ``cue_type`` (verb,
    according_to, quote), the cue's ``lemma`` and ``class`` (speech, cognition, evidence,
    stance, raising), ``content_spans`` when the content is discontinuous and ``outer_cue``
    ("start-end") when the attribution is reported inside another one.
    """
    if not text:
        return []
    lex = lexicon or _default_lexicon()
    doc = _tokenize(text)
    if not doc.starts:
        return []
    sents = sentences if sentences is not None else split_sentences(text)
    units = _units(doc, sorted(sents, key=lambda s: (s.start, s.end)))
    extractor = _Extractor(doc, lex)
    cue_words = lex.cue_words
    candidates = [i for i, low in enumerate(doc.lows) if low in cue_words]
    unit_tokens = []
    for start, end in units:
        lo = bisect_left(doc.starts, start)
        hi = bisect_left(doc.starts, end)
        unit_tokens.append((lo, hi))
        if lo < hi:
            extractor.run_unit(lo, hi, candidates)
    extractor.continue_quotes(units, unit_tokens)
    extractor.split_coordinated()
    return _finish(text, extractor.found, nested=nested)


def _finish(text: str, found: list[_Found], *, nested: bool) -> list[Attribution]:
    seen: set[tuple[int, int]] = set()
    kept: list[_Found] = []
    ordered = sorted(found, key=lambda f: (f.cue, f.rule))
    sources = sorted(f.source for f in ordered if f.source is not None)
    source_starts = [a for a, _ in sources]
    for f in ordered:
        if f.cue in seen:
            continue
        # a cue inside another attribution's source describes that source ("a senior
        # official who declined to be named said ..."): not a report of its own
        k = bisect_right(source_starts, f.cue[0])
        if any(f.cue[1] <= b for _, b in sources[max(0, k - _NEST_WINDOW) : k]):
            continue
        seen.add(f.cue)
        kept.append(f)
    out = []
    for at, f in enumerate(kept):
        content = sorted(set(f.content))
        extra: dict[str, str] = {"cue_type": _cue_type(text, f)}
        if f.cue_word is not None:
            extra["lemma"] = f.cue_word.lemma
            extra["class"] = f.cue_word.cls
        if len(content) > 1:
            extra["content_spans"] = ";".join(f"{a}-{b}" for a, b in content)
        outer = _outer(f, kept, at)
        if outer is not None:
            if not nested:
                continue
            extra["outer_cue"] = f"{outer.cue[0]}-{outer.cue[1]}"
        main = content[0]
        out.append(
            Attribution(
                cue=Span(f.cue[0], f.cue[1], text[f.cue[0] : f.cue[1]]),
                content=Span(main[0], main[1], text[main[0] : main[1]]),
                rule=f.rule,
                source=Span(f.source[0], f.source[1], text[f.source[0] : f.source[1]])
                if f.source
                else None,
                extra=extra,
            )
        )
    return out


def _outer(f: _Found, found: list[_Found], at: int) -> _Found | None:
    """The attribution whose content holds ``f``'s cue (the narrowest, among near cues)."""
    best: _Found | None = None
    for g in found[max(0, at - _NEST_WINDOW) : at + _NEST_WINDOW]:
        if g is f:
            continue
        for a, b in g.content:
            if a <= f.cue[0] and f.cue[1] <= b and (best is None or b - a < _width(best)):
                best = g
    return best


def _width(f: _Found) -> int:
    return sum(b - a for a, b in f.content)


def _cue_type(text: str, f: _Found) -> str:
    if f.cue_word is not None and f.cue_word.source_after:
        return "according_to"
    if text[f.content[0][0]] in "“\"«'`‘":
        return "quote"
    return "verb"


def content_offsets(attribution: Attribution) -> list[tuple[int, int]]:
    """Character ranges of all content fragments (one unless the content is discontinuous)."""
    spans = attribution.extra.get("content_spans")
    if not spans:
        return [(attribution.content.start, attribution.content.end)]
    out = []
    for part in spans.split(";"):
        a, _, b = part.partition("-")
        out.append((int(a), int(b)))
    return out


def content_fragments(attribution: Attribution, text: str) -> list[Span]:
    """The content fragments of ``attribution`` as spans of ``text``."""
    return [Span(a, b, text[a:b]) for a, b in content_offsets(attribution)]
