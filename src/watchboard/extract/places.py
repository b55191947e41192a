"""Find place names (toponyms) in text: capitalised phrases that a gazetteer knows.

This stage does not import the gazetteer (``resolve`` is a sibling): the caller passes the
names to look for, either as plain strings or as any object with a ``knows(phrase) -> bool``
method (a :class:`NameLookup`; ``watchboard.resolve.gazetteer.Gazetteer`` is one, and also
knows Korean romanisation variants and demonyms). Build a :class:`PlaceFinder` once and call
it on each text; :func:`find_places` is the one-shot form.

What counts as a mention:

* a run of capitalised words, possibly joined by hyphens or by lower-case connectors ("Rio de
  Janeiro", "Isle of Man", "Hamgyong-bukto"), that the lookup knows; the longest known run
  wins; parts of hyphenated compounds count ("Egyptian-US relations", "D-Charleston");
* abbreviations with their period ("U.S.", "N.Y.", "La.", "St. Louis");

and what does not:

* a capitalised common word alone: months, pronouns and the like never; words such as
  "Mobile" or "Reading", and the frequent English words that the lookup marks
  (``is_common_word``: "Going", a village), not at the start of a sentence or in a title-case
  headline unless the text makes them places ("Reading, Pa.", "Going, Austria", "D-Hardy");
* a name after a personal title ("Mr. Paris", "Sen. Kerry") or a common given name ("David
  Lincoln"), or right after another capitalised word that is not a qualifier like "North"
  ("Chiquita Henry"); once a word has been seen after a title in a text, it is not taken
  alone again in that text ("Mr. Jones" ... "Jones");
* half of a hyphenated name that is not a place as a whole ("Wal-Mart").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from watchboard.model.extraction import PlaceMention, Span

__all__ = ["NameLookup", "PlaceFinder", "find_places", "fold_name"]


def _words(text: str) -> list[str]:
    return text.split()


@runtime_checkable
class NameLookup(Protocol):
    """Anything that can say whether a phrase, as written in text, names a place."""

    def knows(self, phrase: str) -> bool: ...


# A lookup may also have (the gazetteer has all three):
# * ``could_start(word) -> bool``: False when no name it knows begins with that word (as
#   written in text); the finder then skips the word without trying the phrases it starts;
# * ``is_common_word(word) -> bool``: True when a one-word name is more likely an English
#   word at the start of a sentence ("Going"; not "Split", a city of 176,000);
# * ``max_tokens`` (int): the most words in a name.


# A token: an initialism with periods (U.S., N.Y., D.C.) or a word with inner apostrophes
# (O'Fallon, Ch'ŏngjin); a possessive 's is not part of it. Hyphens separate tokens.
_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_]+(?:['’ʼ](?![sS]\b)[^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?…:]['\"”’)\]]*\s+['\"“‘(\[]*$|^\s*['\"“‘(\[]*$")
_CONNECTORS = frozenset(
    _words(
        """of de del della la le les los las du des di da do dos das and upon on am an der den
    sur y el al en au aux bin ibn van von na
    """
    )
)
_FUNCTION_WORDS = frozenset(
    _words(
        """is are was were be been has have had will would can could may might must should
    said says say told and or but nor to at for with from by as than that which who whom
    whose this these those there their its his her our your not no also then when where"""
    )
)
_ABBREVIATIONS = frozenset(["st", "ste", "mt", "ft", "pt", "n", "s", "e", "w", "sen", "gov"])
# Words before a name that mark a person, not a place.
_TITLES = frozenset(
    _words(
        """mr mrs ms miss dr sen rep gov gen lt col sgt capt cpl maj adm prof rev fr sr jr
    president senator representative governor minister secretary judge justice officer
    deputy chief pastor sheriff mayor lord lady sir dame king queen prince princess
    ambassador councilman councilwoman commissioner trooper detective coach brother
    sister father mother uncle aunt son daughter wife husband chairman chairwoman
    spokesman spokeswoman
    """
    )
)
# Capitalised words before a place name that are part of how places are named, not a person.
_QUALIFIERS = frozenset(
    _words(
        """north south east west northern southern eastern western central northeast northwest
    southeast southwest northeastern northwestern southeastern southwestern upper lower
    greater downtown metro metropolitan rural coastal inner outer mid middle old
    historic former new occupied mainland continental suburban uptown midtown
    """
    )
)
# Capitalised words that are never taken alone as a place, wherever they stand.
_NEVER_ALONE = frozenset(
    _words(
        """i we you he she it they one this that these those there here what who our my his her
    their its a an the of in on at by for from to with and or but as if so no not all
    any some many most more each other such only also however meanwhile still even
    january february march april may june july august september october november
    december monday tuesday wednesday thursday friday saturday sunday today yesterday
    tomorrow council university college center centre court office department police
    school church hospital museum library committee commission board party day night
    christmas easter olympic olympics summit mass government ministry state city town
    county is was none much jan feb mar apr jun jul aug sep sept oct nov dec north south
    east west northeast northwest southeast southwest northern southern eastern western
    central congress god jesus lord leader officer president agency news service bureau
    institute academy association corporation company group factory plant works
    """
    )
)
# Common given names: one of these followed by another capitalised word is a person.
_GIVEN_NAMES = frozenset(
    _words(
        """aaron adam alan albert alex alexander alice allen amanda amy andrea andrew angela
    ann anna anne anthony arthur barbara ben benjamin betty beverly bill billy bob bobby
    brandon brenda brian bruce carl carol caroline catherine charles charlie chris
    christian christine christopher cynthia daniel danny david deborah debra dennis
    diana diane donald donna dorothy douglas edward elizabeth emily emma eric eugene
    evelyn frances frank gary george gerald gloria grace gregory harold harry heather
    helen henry jack jacob james jane janet jason jean jeff jeffrey jennifer jeremy
    jerry jesse jessica jim jimmy joan joe john johnny jonathan jordan jose joseph
    joshua joyce juan judith judy julia julie justin karen katherine kathleen kathryn
    kathy keith kelly kenneth kevin kim kimberly larry laura lauren lawrence lee leonard
    linda lisa louis louise margaret maria marie marilyn mark martha martin mary matthew
    melissa michael michelle mike nancy nathan nicholas nicole olivia pamela patricia
    patrick paul peter philip phillip rachel ralph randy raymond rebecca richard robert
    roger ronald rose roy russell ruth ryan samuel sandra sara sarah scott sean sharon
    shirley stephanie stephen steve steven susan terry theresa thomas tim timothy todd
    tom tony victoria vincent walter wayne william willie
    """
    )
)
# Korean family names: followed by a given name they are a person ("Kim Jong Un"), and the
# name is not taken alone again in that text.
_KOREAN_SURNAMES = frozenset(
    _words("kim ri lee pak park choe choi jang hyon ryu kwon yun jo kang han ho o")
)
_CONTRACTIONS = re.compile(r"['’](?:ve|ll|re|d|m|t|s)$", re.IGNORECASE)
# Capitalised words that are English words before they are places (there are towns called
# Mobile, Reading, Commerce and Hope): not taken alone at the start of a sentence or in a
# title-case headline.
_COMMON_WORDS = frozenset(
    _words(
        """about above across after against along among around before behind below beneath
    beside between beyond during into over since under until without because although
    though while where when then than now just very can will should would could must
    might fire street road avenue highway bridge station airport market union liberty
    independence hope commerce justice victory freedom unity progress friendship mobile
    reading bath deal chance hazard energy industry enterprise opportunity man woman men
    women people boy girl child children family home house news report reports officials
    official says said according army navy air force national international federal
    public private general central local world global north south east west new old
    great little big long short high low good best republican democrat democratic
    republic god christian muslim jewish catholic protestant weather storm flood
    earthquake rain snow sun moon star health care medical life death home welcome top
    first last next free open early late
    """
    )
)
_APOSTROPHES = "'’‘ʼʻ`´"


def fold_name(name: str) -> str:
    """The comparison form used for plain name lists: lower case, no diacritics or
    apostrophes, hyphens and commas as spaces, single spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = "".join(ch for ch in stripped if ch not in _APOSTROPHES)
    return " ".join(stripped.lower().replace("-", " ").replace(",", " ").split())


class _NameSet:
    """A :class:`NameLookup` over a plain list of names."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names = {fold_name(n) for n in names if n and n.strip()}
        self._names.discard("")
        self._first_words = {name.split(" ", 1)[0] for name in self._names}

    def knows(self, phrase: str) -> bool:
        return fold_name(phrase) in self._names

    def could_start(self, word: str) -> bool:
        first = fold_name(word)
        return first in self._first_words or first + "." in self._first_words


@dataclass(slots=True)
class _Token:
    start: int
    end: int
    text: str
    capitalised: bool
    sentence_start: bool
    headline: bool


class PlaceFinder:
    """Finds place mentions in text; build once per name list, then call on each text.

    ``names`` is either an iterable of place names (folded and kept in a set) or a
    :class:`NameLookup`. ``max_tokens`` bounds the length of a name in words (default: the
    lookup's own ``max_tokens`` attribute if it has one, else 6).
    ``common_words`` replaces the built-in list of capitalised English words that are not
    taken alone at the start of a sentence or in a headline.
    """

    def __init__(
        self,
        names: Iterable[str] | NameLookup,
        *,
        max_tokens: int | None = None,
        common_words: Iterable[str] | None = None,
    ) -> None:
        lookup: NameLookup = names if isinstance(names, NameLookup) else _NameSet(names)
        self._knows: Callable[[str], bool] = lookup.knows
        # Optional: a cheap test that no name begins with a word (see NameLookup).
        self._could_start: Callable[[str], bool] | None = getattr(lookup, "could_start", None)
        self._is_common_word: Callable[[str], bool] | None = getattr(lookup, "is_common_word", None)
        known_longest = getattr(lookup, "max_tokens", None)
        if max_tokens is None:
            max_tokens = known_longest if isinstance(known_longest, int) else 6
        self.max_tokens = max(1, max_tokens)
        self._common = (
            frozenset(w.lower() for w in common_words)
            if common_words is not None
            else _COMMON_WORDS
        )

    def __call__(self, text: str) -> list[PlaceMention]:
        """The place mentions in ``text``, in order, not overlapping."""
        tokens = self._tokens(text)
        found: list[tuple[int, int, int]] = []  # first token, last token, end offset
        surnames: set[str] = set()
        could_start = self._could_start
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if (
                not token.capitalised
                or len(token.text) < 2
                or token.text == "The"  # "The Hague" is found as "Hague": not part of a name
                or (could_start is not None and not could_start(token.text))
            ):
                i += 1
                continue
            match = self._longest_match(text, tokens, i)
            if match is None:
                i += 1
                continue
            last, end = match
            verdict = self._judge(text, tokens, i, last)
            if verdict == "keep":
                found.append((i, last, end))
                i = last + 1
            else:
                if verdict == "surname" and i == last:
                    surnames.add(tokens[i].text)
                i += 1
        mentions = []
        for first, last, end in found:
            if first == last and tokens[first].text in surnames:
                continue  # "Jones" after "Tom Jones" in the same text
            start = tokens[first].start
            mentions.append(PlaceMention(span=Span(start, end, text[start:end]), rule="gazetteer"))
        return mentions

    # -- internals ---------------------------------------------------------------------

    def _tokens(self, text: str) -> list[_Token]:
        tokens: list[_Token] = []
        append = tokens.append
        previous_end = -2
        previous = ""
        headline = False
        for m in _TOKEN.finditer(text):
            start, end = m.span()
            word = m.group()
            if start == previous_end + 1 and text[previous_end] == " " and previous[-1] != ".":
                sentence_start = False  # the common case: one space after a word
            else:
                sentence_start = (
                    not tokens
                    or "\n" in text[previous_end:start]
                    or (
                        _SENTENCE_END.search(text[max(0, start - 8) : start]) is not None
                        and not _is_abbreviation(previous)
                    )
                )
                if sentence_start:
                    headline = _is_title_case_sentence(text, start)
            append(_Token(start, end, word, word[0].isupper(), sentence_start, headline))
            previous_end, previous = end, word
        return tokens

    def _longest_match(self, text: str, tokens: list[_Token], i: int) -> tuple[int, int] | None:
        """The last token index and end offset of the longest known name starting at ``i``."""
        candidates: list[tuple[int, int]] = []
        lower_words = 0
        j = i
        while j < len(tokens) and j - i < self.max_tokens:
            token = tokens[j]
            if j > i:
                previous = tokens[j - 1]
                gap = text[previous.end : token.start]
                hyphen = gap in ("-", "‐", "‑")
                if not (gap == " " or hyphen or (gap == ". " and _is_abbreviation(previous.text))):
                    break
                lower = token.text.lower()
                if not token.capitalised and not hyphen and lower not in _CONNECTORS:
                    # At most one lower-case word, not a function word, ends a name.
                    lower_words += 1
                    if lower_words > 1 or lower in _NEVER_ALONE or lower in _FUNCTION_WORDS:
                        break
                if hyphen and not token.capitalised and token.text.lower() not in _CONNECTORS:
                    # Hamgyong-bukto; a connector between hyphens (Stratford-upon-Avon) only joins.
                    candidates.append((j, token.end))
                    j += 1
                    continue
            if token.capitalised or j > i:
                # A name may go on in lower case ("Sinpo shipyard", a site's alias); only
                # names the lookup knows are taken, so most such runs are tried and dropped.
                candidates.append((j, token.end))
            j += 1
        for j, end in reversed(candidates):
            start = tokens[i].start
            # An abbreviation keeps its period: "La.", "St.", "Calif.".
            with_period = end < len(text) and text[end] == "." and text[end - 1] != "."
            if with_period and self._knows(text[start : end + 1]):
                return j, end + 1
            if self._knows(text[start:end]):
                return j, end
        return None

    def _judge(self, text: str, tokens: list[_Token], i: int, j: int) -> str:
        """ "keep", "skip", or "surname" (skip, and remember it as a person's name)."""
        first = tokens[i]
        lower = first.text.lower()
        if i == j:
            if lower in _NEVER_ALONE or _CONTRACTIONS.search(first.text):
                return "skip"
            following = tokens[j + 1] if j + 1 < len(tokens) else None
            if following is not None and following.capitalised:
                joint = text[first.end : following.start]
                if joint == " " and lower in _KOREAN_SURNAMES:
                    return "surname"  # "Kim Jong Un"
                if joint == " " and lower in _GIVEN_NAMES:
                    return "skip"  # "David Smith"
                if joint in ("-", "‐", "‑") and len(following.text) > 2:
                    return "skip"  # "Wal-Mart", "Coca-Cola"
            if (
                (first.sentence_start or first.headline)
                # "Going round the workshops, he ...": a frequent English word that names
                # only lesser places is the word, unless the text makes it a place.
                and (
                    lower in self._common
                    or (self._is_common_word is not None and self._is_common_word(first.text))
                )
                and not self._in_place_context(text, tokens, i)
            ):
                return "skip"
        if i > 0:
            previous = tokens[i - 1]
            gap = text[previous.end : first.start]
            if (
                i == j
                and gap in ("-", "‐", "‑")
                and previous.capitalised
                and len(previous.text) > 2
            ):
                return "skip"  # the second half of "Wal-Mart"
            prev_lower = previous.text.lower()
            if gap in (" ", ". ") and prev_lower in _TITLES:
                return "surname" if i == j else "skip"  # "Mr. Paris", "Sen. Kerry"
            if (
                gap == " "
                and previous.capitalised
                and not previous.headline
                and prev_lower not in _QUALIFIERS
                and prev_lower not in _NEVER_ALONE
                and prev_lower not in self._common
            ):
                return "skip"  # "Chiquita Henry" (not remembered: "United Georgia" is not a person)
        return "keep"

    def _in_place_context(self, text: str, tokens: list[_Token], i: int) -> bool:
        """Whether the text says that the one-word name at ``i`` is a place: a comma and a
        known place that ends the phrase after it ("Going, Austria, is ...", "Reading, Pa.
        --"), or a party letter before it (a legislator's party and home: "D-Hardy").

        A preposition before it is not enough: "Federation of Workers in Commerce".
        """
        token = tokens[i]
        if i > 0:
            previous = tokens[i - 1]
            gap = text[previous.end : token.start]
            if gap == "-" and len(previous.text) == 1 and previous.capitalised:
                return True
        if i + 1 >= len(tokens):
            return False
        following = tokens[i + 1]
        if text[token.end : following.start] != ", " or not following.capitalised:
            return False
        match = self._longest_match(text, tokens, i + 1)
        if match is None:
            return False
        end = match[1]
        return _PLACE_PHRASE_END.match(text, end) is not None


# What may follow "Name, Region" when the pair is a place: punctuation, a dash, a line end.
_PLACE_PHRASE_END = re.compile(r"\s*$|[,;:.)\]]|\s*\n|\s+[-‐‑–—(]")


def _is_abbreviation(word: str) -> bool:
    return word.lower() in _ABBREVIATIONS or (len(word) <= 2 and word[:1].isupper())


_SENTENCE_OR_LINE = re.compile(r"[^\n]*?(?:[.!?](?=\s)|\n|$)")


def _is_title_case_sentence(text: str, start: int) -> bool:
    """True when the sentence starting at ``start`` looks like a headline in title case."""
    m = _SENTENCE_OR_LINE.match(text, start)
    sentence = m.group() if m else text[start : start + 200]
    words = [w for w in re.findall(r"[^\W\d_]+", sentence[:300]) if len(w) > 3]
    if len(words) < 3:
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitalised / len(words) >= 0.8


def find_places(
    text: str,
    *,
    names: Iterable[str] | NameLookup,
    max_tokens: int | None = None,
) -> list[PlaceMention]:
    """Place mentions in ``text`` (one-shot form of :class:`PlaceFinder`)."""
    return PlaceFinder(names, max_tokens=max_tokens)(text)
