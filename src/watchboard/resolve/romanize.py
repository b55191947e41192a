"""Korean romanisation: Hangul to Revised Romanization and McCune–Reischauer, and a comparison key.

Korean place names reach English text in several spellings: McCune–Reischauer with its
breves and apostrophes (Ch'ŏngjin), the same without diacritics (Chongjin), the ROK's Revised
Romanization (Cheongjin), the DPRK's own official spellings (Ryanggang, Sinpho) and press
habits that mix them. :func:`korean_key` maps all of these, and Hangul, to one string, so two
spellings of one name compare equal while different names stay apart.

The tables (jamo, romanisations, sound changes and key rules) are data, in
``data/romanization.yaml``; :class:`Romanizer` loads them once.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

_HANGUL_FIRST = 0xAC00
_HANGUL_LAST = 0xD7A3
_INITIAL_IEUNG = 11  # ㅇ as an initial: the syllable starts with its vowel
_INITIAL_RIEUL = 5
_INITIAL_NIEUN = 2
_INITIAL_MIEUM = 6
_INITIAL_HIEUH = 18
_FINAL_RIEUL = 8
_ASPIRATED = {0: 15, 3: 16, 12: 14}  # ㄱ->ㅋ, ㄷ->ㅌ, ㅈ->ㅊ after a final ㅎ
_FINAL_HIEUH = 27
_NASAL_FINAL = {"ng": 21, "n": 4, "m": 16}
_VOICED_CODAS = {"", "n", "m", "ng", "l"}
_APOSTROPHES = "'’‘ʼʻ`´"
_WORD_SPLIT = re.compile(r"[\s\-‐‑‒–—_/.,]+")


def is_hangul(text: str) -> bool:
    """True when the text contains at least one precomposed Hangul syllable."""
    return any(_HANGUL_FIRST <= ord(ch) <= _HANGUL_LAST for ch in text)


def fold_latin(text: str) -> str:
    """Lower-case ASCII: diacritics stripped (ŏ -> o, ŭ -> u), apostrophes removed."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in stripped.lower() if ch not in _APOSTROPHES)


@dataclass
class _Syllable:
    initial: int
    medial: int
    final: int  # 0 = none, else 1..27


class Romanizer:
    """Romanises Hangul and builds comparison keys from the tables in ``romanization.yaml``."""

    def __init__(self, tables: dict[str, Any]) -> None:
        self.initials_rr: list[str] = tables["initials"]["rr"]
        self.initials_mr: list[str] = tables["initials"]["mr"]
        self.mr_voiced: dict[str, str] = tables["initials"]["mr_voiced"]
        self.medials_rr: list[str] = tables["medials"]["rr"]
        self.medials_mr: list[str] = tables["medials"]["mr"]
        self.codas: list[str] = tables["finals"]["coda"]
        self.liaison: list[list[int]] = tables["finals"]["liaison"]
        self.nasalise: dict[str, str] = tables["nasalise"]
        key = tables["key"]
        self.key_replace: list[tuple[str, str]] = [(a, b) for a, b in key["replace"]]
        self.key_drop_initial: set[str] = set(key["drop_initial"])
        self.key_drop_before: set[str] = set(key["drop_initial_before"])
        for name, size in (("initials", 19), ("medials", 21)):
            for system in ("rr", "mr"):
                if len(tables[name][system]) != size:
                    raise ValueError(f"romanization.yaml: {name}.{system} needs {size} entries")
        if len(self.codas) != 27 or len(self.liaison) != 27:
            raise ValueError("romanization.yaml: finals.coda and finals.liaison need 27 entries")

    @classmethod
    def default(cls) -> Romanizer:
        """The romaniser built from the packaged tables (loaded once per process)."""
        return _default_romanizer()

    # -- Hangul to Latin ---------------------------------------------------------------

    def rr(self, text: str) -> str:
        """Revised Romanization of the Hangul in ``text``, words capitalised, the rest kept."""
        return self._romanize(text, system="rr")

    def mr(self, text: str) -> str:
        """McCune–Reischauer romanisation of the Hangul in ``text``, words capitalised."""
        return self._romanize(text, system="mr")

    def _romanize(self, text: str, *, system: str) -> str:
        out: list[str] = []
        run: list[_Syllable] = []
        for ch in text:
            code = ord(ch)
            if _HANGUL_FIRST <= code <= _HANGUL_LAST:
                index = code - _HANGUL_FIRST
                run.append(_Syllable(index // 588, (index % 588) // 28, index % 28))
                continue
            if run:
                out.append(self._word(run, system))
                run = []
            out.append(ch)
        if run:
            out.append(self._word(run, system))
        return "".join(out)

    def _word(self, syllables: list[_Syllable], system: str) -> str:
        self._apply_sound_changes(syllables)
        parts: list[str] = []
        previous_coda: str | None = None  # None at the start of the word
        for syllable in syllables:
            parts.append(self._initial(syllable.initial, previous_coda, system))
            medials = self.medials_rr if system == "rr" else self.medials_mr
            parts.append(medials[syllable.medial])
            coda = self.codas[syllable.final - 1] if syllable.final else ""
            parts.append(coda)
            previous_coda = coda
        word = "".join(parts)
        return word[:1].upper() + word[1:]

    def _initial(self, initial: int, previous_coda: str | None, system: str) -> str:
        if initial == _INITIAL_RIEUL:
            return "l" if previous_coda == "l" else "r"
        if system == "rr":
            return self.initials_rr[initial]
        latin = self.initials_mr[initial]
        if previous_coda is not None and previous_coda in _VOICED_CODAS:
            latin = self.mr_voiced.get(latin, latin)
            if previous_coda == "n" and latin.startswith("g"):
                latin = "'" + latin  # n'g, to keep it apart from ng
        return latin

    def _apply_sound_changes(self, syllables: list[_Syllable]) -> None:
        """The boundary assimilations that show in both romanisations (liaison, nasals, ㄹ)."""
        for before, after in itertools.pairwise(syllables):
            if not before.final:
                continue
            if after.initial == _INITIAL_IEUNG:
                keep, carry = self.liaison[before.final - 1]
                before.final = keep
                if carry >= 0:
                    after.initial = carry
                continue
            if before.final == _FINAL_HIEUH and after.initial in _ASPIRATED:
                after.initial = _ASPIRATED[after.initial]
                before.final = 0
                continue
            coda = self.codas[before.final - 1]
            if after.initial == _INITIAL_RIEUL:
                if coda in ("n", "l"):
                    before.final = _FINAL_RIEUL
                elif coda in ("m", "ng"):
                    after.initial = _INITIAL_NIEUN
                elif coda in self.nasalise:
                    after.initial = _INITIAL_NIEUN
                    before.final = _NASAL_FINAL[self.nasalise[coda]]
            elif after.initial in (_INITIAL_NIEUN, _INITIAL_MIEUM):
                if coda in self.nasalise:
                    before.final = _NASAL_FINAL[self.nasalise[coda]]
                elif coda == "l" and after.initial == _INITIAL_NIEUN:
                    after.initial = _INITIAL_RIEUL
            elif after.initial == _INITIAL_HIEUH and coda == "t":
                pass  # kept as written: t + h

    # -- comparison key ----------------------------------------------------------------

    def key(self, name: str) -> str:
        """One comparison key for every romanisation (or the Hangul) of a Korean name.

        Diacritics, apostrophes, hyphens and spaces go; MR/RR/DPRK conventions are folded
        (ch'/ch/j, k/g, p/b, t/d, ŏ/eo/o, ŭ/eu/u, r/l/n, an initial r/n before i/y); double
        letters collapse. Different names keep different keys ("Seoul" vs "Sokcho") but a
        few real homographs of romanisation meet ("Chongju" and "Cheongju").
        """
        if is_hangul(name):
            name = self.rr(name)
        words = [w for w in _WORD_SPLIT.split(fold_latin(name)) if w]
        return "".join(self._key_word(w) for w in words)

    def _key_word(self, word: str) -> str:
        word = "".join(ch for ch in word if ch.isalnum())
        for old, new in self.key_replace:
            word = word.replace(old, new)
        collapsed: list[str] = []
        for ch in word:
            if not collapsed or collapsed[-1] != ch:
                collapsed.append(ch)
        word = "".join(collapsed)
        if len(word) > 1 and word[0] in self.key_drop_initial and word[1] in self.key_drop_before:
            word = word[1:]
        return word


@lru_cache(maxsize=1)
def _default_romanizer() -> Romanizer:
    text = (
        resources.files("watchboard.resolve").joinpath("data/romanization.yaml").read_text("utf-8")
    )
    return Romanizer(yaml.safe_load(text))


def romanize_rr(text: str) -> str:
    """Revised Romanization of Hangul (청진 -> Cheongjin)."""
    return Romanizer.default().rr(text)


def romanize_mr(text: str) -> str:
    """McCune–Reischauer romanisation of Hangul (청진 -> Ch'ŏngjin)."""
    return Romanizer.default().mr(text)


def korean_key(name: str) -> str:
    """The comparison key of a Korean name in any romanisation or in Hangul."""
    return Romanizer.default().key(name)
