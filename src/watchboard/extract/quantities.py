"""Quantities in text: numbers with units, ranges, bounds, rates and counted nouns.

``find_quantities(text)`` scans a text once, left to right, from *anchors* (a run of digits, a
vulgar fraction, a number word, "a"/"an") and reads around each anchor with small compiled
patterns and dictionary look-ups: no backtracking over the whole text, so a line of thousands of
digits or a megabyte of prose costs time proportional to its length.

What it reads is data: units, prefixes, currencies, number words, bound and rate cues, the words
that mark identifiers and years all live in ``data/units.yaml`` (see `load_units`).

What is deliberately *not* a quantity: ordinals ("second", "21st"), years and dates ("in 2026",
"December 26", "1990s", "2013-14"), clock times ("2 pm", "14:30"), phone numbers, version
numbers ("1.2.3", "v2"), and identifiers (digits glued to letters, "Hwasong-18", "No. 5").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from watchboard.errors import WatchboardError
from watchboard.model.extraction import Quantity, Span

__all__ = ["Unit", "UnitTable", "UnitTableError", "find_quantities", "load_units"]

MAX_DIGITS = 30  # longer digit runs are identifiers or noise, never quantities

_SIGNS = "-−+"
_MINUS = "-−–"
_HSPACE = " \t\u00a0\u2009\u202f\u2007\u2008\u200a"
_WS = r"[ \t\u00a0\u2009\u202f\u2007\u2008\u200a]"

# one token of a unit surface: a word, a digit run, or one symbol character
_L = r"[^\W\d_¹²³⁰⁴⁵⁶⁷⁸⁹]"  # a letter (superscript digits count as \w in Python)
_TOKEN_RE = re.compile(_L + r"+|\d+|[^\w\s]|[¹²³⁰⁴⁵⁶⁷⁸⁹]")
_TOKEN_AT = re.compile(_WS + r"*(?:\r?\n" + _WS + r"*)?(" + _L + r"+|\d+|[^\w\s]|[¹²³⁰⁴⁵⁶⁷⁸⁹])")
_WORD_AT = re.compile(_WS + r"*([^\W\d_]+(?:['’][^\W\d_]+)?)")
_CWORD_AT = re.compile(_WS + r"+([^\W\d_]+(?:-[^\W\d_]+)*)")

_NUM_AT = re.compile(
    r"(?P<int>\d{1,3}(?:(?:,|[ \u00a0\u2009\u202f](?=\d{3}(?!\d)))\d{3})+(?!\d)"
    r"|\d{1,2}(?:,\d{2})+,\d{3}(?!\d)"
    r"|\d+)"
    r"(?P<dec>\.\d+)?"
)
_DEC_ONLY_AT = re.compile(r"\.(\d+)")
_EXP_AT = re.compile(r"[eE]([-−+]?\d{1,3})(?![\w])")
_POW_AT = re.compile(
    _WS + r"?[×x\*·]" + _WS + r"?(\d{1,3})(?:\^|\*\*)" + _WS + r"?([-−+]?\d{1,3})(?![\d])"
)
_BARE_POW_AT = re.compile(r"(?:\^|\*\*)([-−]?\d{1,3})(?![\d.])")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_POW10_AT = re.compile(_WS + r"?[×x·]" + _WS + r"?10([-−]\d{1,3}|⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})(?![\d])")
_FRACTION_AT = re.compile(r"/(\d{1,6})(?![\d/])")
_MIXED_AT = re.compile(_WS + r"(\d{1,3})/(\d{1,3})(?![\d/])")
_PLUSMINUS_AT = re.compile(_WS + r"*(?:±|\+/-|\+/−|\+-|\+ / -)" + _WS + r"*")
_ORDINAL_AT = re.compile(r"(?:st|nd|rd|th|ST|ND|RD|TH)(?![^\W\d_])")
_DECADE_AT = re.compile(r"['’]?s(?![^\W\d_])")
_CLOCK_AT = re.compile(
    r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?(?:[:.]\d{2})?"
    + _WS
    + r"?(?:[aApP]\.?[mM]\.?)(?![^\W\d_])"
    r"|(?P<h2>\d{1,2}):(?P<m2>\d{2})(?::\d{2})?(?!\d)"
    r"|\d{1,2}" + _WS + r"?o['’]clock"
)
_DATE_AT = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}(?!\d)|\d{1,2}([/.\-])\d{1,2}\1(?:\d{4}|\d{2})(?!\d)"
    r"|\d{4}/\d{1,2}/\d{1,2}(?!\d)"
)
_PHONE_AT = re.compile(
    r"(?:\+\d{1,3}" + _WS + r"?)?(?:\(\d{1,4}\)" + _WS + r"?)?\d{2,4}(?:[ .\-]\d{2,4}){1,4}(?!\d)"
)
_DIGITS_AT = re.compile(r"\d+")
_DAY_SUFFIX_AT = re.compile(r"(?:st|nd|rd|th)?" + _WS + r"*(?:of" + _WS + r"+)?")
_YEAR_RANGE_AT = re.compile(
    r"(?:1\d|20|21)\d\d" + _WS + r"?[-–/]" + _WS + r"?(?:\d{2}|\d{4})(?!\d)"
)
_RUN_AT = re.compile(r"[^\s]*")
_RANGE_DASH_AT = re.compile(_WS + r"*[-–—‒]" + _WS + r"*(?=[\d.$€£¥₩₹₽]|[A-Z]{2,3}\$|-\d|−\d)")
_RANGE_WORD_AT = re.compile(r"-?" + _WS + r"+(to|through|thru|and|or)" + _WS + r"+", re.IGNORECASE)
_HYPHEN_UNIT_AT = re.compile(r"-(?=[^\W\d_])")
_SQUARE_WORDS = {"square": 2, "sq": 2, "cubic": 3, "cu": 3}
_POWER_WORDS = {"squared": 2, "cubed": 3}
_POWER_AT = re.compile(r"(?:\^|\*\*)?([-−]?[1-4])(?![\d\w])|([²³])|(⁻[¹²³])|\^\(([-−]?[1-4])\)")
_PER_SEP_AT = re.compile(
    _WS + r"*/" + _WS + r"*|" + _WS + r"+per" + _WS + r"+|" + _WS + r"*·" + _WS + r"*"
)
_SPACE_AT = re.compile(_WS + r"*")
_ARTICLE_AT = re.compile(_WS + r"+an?" + _WS + r"+", re.IGNORECASE)
_ACCOUNTING_CLOSE = re.compile(_WS + r"*\)")

_OPENERS = "([{\"'“‘"
_UPPER = "upper"
_LOWER = "lower"
_APPROX = "approx"
_EXACT = "exact"
_RANGE = "range"


class UnitTableError(WatchboardError):
    """The unit table (``units.yaml``) is malformed: names the entry and what to fix."""


@dataclass(frozen=True)
class Cues:
    """Cue phrases looked up backwards from a number ("up to", "more than", "between")."""

    phrases: dict[str, str]
    last: frozenset[str]
    max_len: int


def _cues(items: dict[str, str] | list[str]) -> Cues:
    pairs = items.items() if isinstance(items, dict) else ((i, i) for i in items)
    phrases = {" ".join(k.lower().split()): v for k, v in pairs}
    return Cues(
        phrases,
        frozenset(p.split(" ")[-1] for p in phrases),
        max((len(p.split(" ")) for p in phrases), default=1),
    )


@dataclass(frozen=True)
class Unit:
    """One canonical unit: its dimension as powers of base dimensions and its factor."""

    name: str
    dimension: str
    factor: float
    base: tuple[tuple[str, int], ...]
    currency: str | None = None
    affine: bool = False
    article: bool = True


@dataclass
class UnitTable:
    """The loaded, expanded unit table plus the number words and cue phrases."""

    units: dict[str, Unit]
    canonical: dict[str, str]  # lower-cased name or alias -> canonical name
    symbols: dict[str, tuple[str, str | None]]  # exact surface key -> (unit, per)
    names: dict[str, tuple[str, str | None]]  # lower-cased surface key -> (unit, per)
    attached_only: frozenset[str]
    before: dict[str, str]  # currency written before the number -> unit
    ambiguous: dict[str, dict[str, Any]]
    max_tokens: int
    number_units: dict[str, float]
    number_tens: dict[str, float]
    number_hundred: dict[str, float]
    scales: dict[str, float]
    multipliers: dict[str, tuple[float, bool]]
    fractions: dict[str, float]
    vague: dict[str, float]
    vague_before: Cues
    suffixes: dict[str, tuple[float, bool]]
    vulgar: dict[str, float]
    negative_words: Cues
    bounds_before: Cues
    bounds_after: dict[str, str]
    range_cues: Cues
    rates: dict[str, str]
    id_cues: frozenset[str]
    year_cues: frozenset[str]
    weak_year_cues: frozenset[str]
    months: frozenset[str]
    stop_words: frozenset[str]
    skip_words: frozenset[str]
    irregular_plurals: frozenset[str]
    not_plural_endings: tuple[str, ...]
    frequency_words: frozenset[str]
    counted_max_words: int
    named: dict[str, tuple[float, str]]
    context_units: dict[str, tuple[int, list[tuple[str, frozenset[str]]]]]
    before_last: frozenset[str]
    rate_first: frozenset[str]
    article_next: frozenset[str]
    before_sorted: tuple[str, ...]
    first_tokens: frozenset[str]
    phone_cues: Cues
    anchor_re: re.Pattern[str] = field(repr=False)
    before_re: re.Pattern[str] | None = field(repr=False)

    def unit(self, name: str) -> Unit | None:
        """The unit called ``name`` (a canonical name or an alias, any case), or None."""
        canonical = self.canonical.get(name.strip().lower())
        return self.units.get(canonical) if canonical else None


def _key(surface: str) -> str:
    return " ".join(_TOKEN_RE.findall(surface))


def _strings(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UnitTableError(
            f"units.yaml: {where}: expected a list of strings (quote words such as no/on/off), "
            f"got {value!r}"
        )
    return value


def _plurals(names: list[str], spec: dict[str, Any], where: str) -> list[str]:
    if "plurals" in spec:
        return _strings(spec["plurals"], where + ".plurals")
    out = []
    for name in names:
        out.append(name + ("es" if name.endswith(("ch", "sh", "x")) else "s"))
    return out


def load_units(path: str | None = None) -> UnitTable:
    """Load and expand the unit table (the packaged ``units.yaml`` unless ``path`` is given).

    Prefixed forms ("kilometre", "km", "MWh"), plurals and the anchor pattern are generated here
    once; `find_quantities` uses the packaged table, cached after the first call.
    """
    if path is None:
        raw = resources.files("watchboard.extract").joinpath("data/units.yaml").read_text("utf-8")
    else:
        with open(path, encoding="utf-8") as fh:
            raw = fh.read()
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise UnitTableError(f"units.yaml is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or "units" not in data:
        raise UnitTableError("units.yaml: expected a mapping with a 'units' list")
    return _build_table(data)


def _build_table(data: dict[str, Any]) -> UnitTable:
    dims: dict[str, dict[str, int]] = data.get("dimensions") or {}
    prefix_sets: dict[str, list[list[Any]]] = data.get("prefix_sets") or {}
    units: dict[str, Unit] = {}
    canonical: dict[str, str] = {}
    symbols: dict[str, tuple[str, str | None]] = {}
    names: dict[str, tuple[str, str | None]] = {}
    attached_only: set[str] = set()
    before: dict[str, str] = {}
    generated: list[tuple[str, dict[str, tuple[str, str | None]], str]] = []

    def add_unit(name: str, spec: dict[str, Any], factor: float) -> None:
        dimension = spec.get("dimension")
        if dimension not in dims:
            raise UnitTableError(f"units.yaml: unit {name!r}: unknown dimension {dimension!r}")
        if spec.get("affine"):
            base: tuple[tuple[str, int], ...] = ((f"temperature:{name}", 1),)
        elif dimension == "currency":
            code = spec.get("currency")
            if not code:
                raise UnitTableError(f"units.yaml: currency {name!r} needs a 'currency' code")
            base = ((f"currency:{code}", 1),)
        else:
            base = tuple(sorted(dims[dimension].items()))
        if name.lower() not in canonical:
            units[name] = Unit(
                name=name,
                dimension=dimension,
                factor=factor,
                base=base,
                currency=spec.get("currency"),
                affine=bool(spec.get("affine")),
                article=spec.get("article", True) is not False,
            )
            canonical[name.lower()] = name

    for spec in data["units"]:
        if not isinstance(spec, dict) or "name" not in spec:
            raise UnitTableError(f"units.yaml: every unit needs a name: {spec!r}")
        name = spec["name"]
        where = f"unit {name!r}"
        try:
            factor = float(spec.get("factor", 1))
        except (TypeError, ValueError) as exc:
            raise UnitTableError(f"units.yaml: {where}: factor must be a number") from exc
        add_unit(name, spec, factor)
        for alias in _strings(spec.get("aliases"), where + ".aliases"):
            canonical.setdefault(alias.lower(), name)
        spec_names = _strings(spec.get("names"), where + ".names")
        spec_plurals = _plurals(spec_names, spec, where)
        spec_symbols = _strings(spec.get("symbols"), where + ".symbols")
        prefixed_only = set(_strings(spec.get("prefixed_only"), where + ".prefixed_only"))
        for surface in spec_names + spec_plurals:
            canonical.setdefault(surface.lower(), name)
            if surface not in prefixed_only:
                names.setdefault(_key(surface).lower(), (name, None))
        for surface in spec_symbols:
            if surface not in prefixed_only:
                symbols.setdefault(_key(surface), (name, None))
        for surface in _strings(spec.get("attached_only"), where + ".attached_only"):
            symbols.setdefault(_key(surface), (name, None))
            attached_only.add(_key(surface))
        for surface in _strings(spec.get("before"), where + ".before"):
            before.setdefault(surface, name)
        set_name = spec.get("prefixes")
        if set_name:
            if set_name not in prefix_sets:
                raise UnitTableError(f"units.yaml: {where}: unknown prefix set {set_name!r}")
            for entry in prefix_sets[set_name]:
                pname, psym, pfactor = str(entry[0]), str(entry[1]), float(entry[2])
                pcanon = pname + name
                add_unit(pcanon, spec, factor * pfactor)
                for surface in spec_names + spec_plurals:
                    generated.append((_key(pname + surface).lower(), names, pcanon))
                    canonical.setdefault((pname + surface).lower(), pcanon)
                for surface in spec_symbols:
                    generated.append((_key(psym + surface), symbols, pcanon))
    # explicit surfaces win over generated ones ("nm" stays nanometre, "Pa" pascal)
    not_symbols = {_key(s) for s in _strings(data.get("not_symbols"), "not_symbols")}
    for key, table, unit_name in generated:
        if table is symbols and key in not_symbols:
            continue
        table.setdefault(key, (canonical[unit_name.lower()], None))

    for surface, spec in (data.get("rate_units") or {}).items():
        unit_name, per = spec["unit"], spec["per"]
        if unit_name.lower() not in canonical or per.lower() not in canonical:
            raise UnitTableError(f"units.yaml: rate unit {surface!r}: unknown unit or period")
        symbols[_key(surface)] = (canonical[unit_name.lower()], canonical[per.lower()])

    numbers = data.get("numbers") or {}
    multipliers: dict[str, tuple[float, bool]] = {}
    for word, spec in (numbers.get("multipliers") or {}).items():
        if isinstance(spec, dict):
            multipliers[_key(word).lower()] = (float(spec["value"]), bool(spec.get("noun", True)))
        else:
            multipliers[_key(word).lower()] = (float(spec), word != "gross")
    suffixes = {
        k: (float(v["factor"]), bool(v.get("currency_only")))
        for k, v in (numbers.get("suffixes") or {}).items()
    }

    def phrases(items: Any, where: str) -> list[str]:
        return [_key(s).lower() or s for s in _strings(items, where)]

    bounds = data.get("bounds") or {}
    bounds_before: dict[str, str] = {}
    for kind in (_UPPER, _LOWER, _APPROX, _EXACT):
        for cue in _strings(bounds.get(kind), f"bounds.{kind}"):
            bounds_before[cue.lower()] = kind
    bounds_after: dict[str, str] = {}
    for kind, cues in (bounds.get("after") or {}).items():
        for cue in phrases(cues, f"bounds.after.{kind}"):
            bounds_after[cue] = kind
    rates: dict[str, str] = {}
    for period, cues in (data.get("rates") or {}).items():
        if period.lower() not in canonical:
            raise UnitTableError(f"units.yaml: rates: unknown period {period!r}")
        for cue in phrases(cues, f"rates.{period}"):
            rates[cue] = canonical[period.lower()]
    counted = data.get("counted") or {}

    number_units = {k: float(v) for k, v in (numbers.get("units") or {}).items()}
    number_tens = {k: float(v) for k, v in (numbers.get("tens") or {}).items()}
    number_hundred = {k: float(v) for k, v in (numbers.get("hundred") or {}).items()}
    scales = {k: float(v) for k, v in (numbers.get("scales") or {}).items()}
    fractions = {k: float(v) for k, v in (numbers.get("fractions") or {}).items()}
    vague = {k: float(v) for k, v in (numbers.get("vague") or {}).items()}
    vulgar = {k: float(v) for k, v in (numbers.get("vulgar_fractions") or {}).items()}
    named: dict[str, tuple[float, str]] = {}
    for phrase, spec in (data.get("named_quantities") or {}).items():
        unit_name = str(spec.get("unit", ""))
        if unit_name.lower() not in canonical:
            raise UnitTableError(f"units.yaml: named quantity {phrase!r}: unknown unit")
        named[_key(phrase).lower()] = (float(spec["value"]), canonical[unit_name.lower()])
    context_units: dict[str, tuple[int, list[tuple[str, frozenset[str]]]]] = {}
    for unit_name, spec in (data.get("context_units") or {}).items():
        alternatives = []
        for alt in spec.get("alternatives") or []:
            alt_name = str(alt.get("unit", ""))
            if alt_name.lower() not in canonical or unit_name.lower() not in canonical:
                raise UnitTableError(f"units.yaml: context unit {unit_name!r}: unknown unit")
            cues = frozenset(c.lower() for c in _strings(alt.get("cues"), "context_units.cues"))
            alternatives.append((canonical[alt_name.lower()], cues))
        context_units[canonical[unit_name.lower()]] = (int(spec.get("window", 8)), alternatives)
    words = (
        {k.split(" ")[0] for k in named}
        | set(number_units)
        | set(number_tens)
        | set(number_hundred)
        | set(scales)
        | {k.split(" ")[0] for k in multipliers}
        | set(vague)
        | {"a", "an", "half"}
    )
    cased = words | {w.capitalize() for w in words} | {w.upper() for w in words}
    vulgar_alt = "".join(re.escape(c) for c in vulgar)
    anchor_re = re.compile(
        r"\d+"
        + (f"|[{vulgar_alt}]" if vulgar_alt else "")
        + r"|\b(?:"
        + _trie_regex(cased)
        + r")\b"
    )
    article_next = (
        set(number_hundred)
        | set(scales)
        | {k.split(" ")[0] for k in multipliers}
        | set(fractions)
        | {k.split(" ")[0] for k in names}
    )
    before_alt = "|".join(sorted((re.escape(s) for s in before), key=len, reverse=True))
    before_re = (
        re.compile(r"(?:(?<![^\W\d_])|(?<=\d))(?:" + before_alt + r")" + _WS + r"?$")
        if before_alt
        else None
    )
    ambiguous = {k: dict(v or {}) for k, v in (data.get("ambiguous_symbols") or {}).items()}
    max_tokens = max(
        [len(k.split(" ")) for k in list(symbols) + list(names)] + [1],
    )
    return UnitTable(
        units=units,
        canonical=canonical,
        symbols=symbols,
        names=names,
        attached_only=frozenset(attached_only),
        before=before,
        ambiguous=ambiguous,
        max_tokens=min(max_tokens, 5),
        number_units=number_units,
        number_tens=number_tens,
        number_hundred=number_hundred,
        scales=scales,
        multipliers=multipliers,
        fractions=fractions,
        vague=vague,
        vague_before=_cues(_strings(numbers.get("vague_before"), "numbers.vague_before")),
        suffixes=suffixes,
        vulgar=vulgar,
        negative_words=_cues(_strings(numbers.get("negative_words"), "negative_words")),
        bounds_before=_cues(bounds_before),
        bounds_after=bounds_after,
        range_cues=_cues(_strings(data.get("range_cues"), "range_cues")),
        rates=rates,
        id_cues=frozenset(s.lower() for s in _strings(data.get("id_cues"), "id_cues")),
        year_cues=frozenset(s.lower() for s in _strings(data.get("year_cues"), "year_cues")),
        weak_year_cues=frozenset(
            s.lower() for s in _strings(data.get("weak_year_cues"), "weak_year_cues")
        ),
        months=frozenset(s.lower() for s in _strings(data.get("months"), "months")),
        stop_words=frozenset(phrases(counted.get("stop_words"), "counted.stop_words")),
        skip_words=frozenset(phrases(counted.get("skip_words"), "counted.skip_words")),
        irregular_plurals=frozenset(
            _strings(counted.get("irregular_plurals"), "counted.irregular_plurals")
        ),
        not_plural_endings=tuple(
            _strings(counted.get("not_plural_endings"), "counted.not_plural_endings")
        ),
        frequency_words=frozenset(
            _strings(counted.get("frequency_words"), "counted.frequency_words")
        ),
        counted_max_words=int(counted.get("max_words", 4)),
        named=named,
        context_units=context_units,
        before_last=frozenset(b[-1] for b in before),
        rate_first=frozenset(k[0] for k in rates),
        article_next=frozenset(article_next),
        before_sorted=tuple(sorted(before, key=len, reverse=True)),
        first_tokens=frozenset(k.split(" ")[0] for k in symbols)
        | frozenset(k.split(" ")[0] for k in names),
        phone_cues=_cues(_strings(data.get("phone_cues"), "phone_cues")),
        anchor_re=anchor_re,
        before_re=before_re,
    )


def _trie_regex(words: set[str]) -> str:
    """An alternation of ``words`` as a character trie: fails fast at every position."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + build(node[ch]) for ch in sorted(node) if ch]
        if not alts:
            return ""
        optional = "" in node
        body = alts[0] if len(alts) == 1 and not optional else "(?:" + "|".join(alts) + ")"
        return body + ("?" if optional else "")

    return build(trie)


@lru_cache(maxsize=1)
def _default_table() -> UnitTable:
    return load_units()


# --------------------------------------------------------------------------------------------
# parsing


@dataclass
class _Num:
    """A number as read from the text (before units)."""

    start: int
    end: int
    value: float | None
    digits: bool  # written in digits (symbols such as "in", "m" are allowed after it)
    int_text: str = ""
    plain_int: bool = False  # digits only: no separator, decimals, sign or exponent
    scaled: bool = False
    vague: bool = False
    low: float | None = None
    high: float | None = None


@dataclass
class _Part:
    """A number with what belongs to it: currency, scale, unit."""

    num: _Num
    start: int
    end: int
    value: float | None
    factors: list[tuple[str, int]]
    per: str | None = None
    currency: bool = False
    scale: float | None = None
    low: float | None = None
    high: float | None = None
    before_unit: bool = False  # currency written before the number


class _Skip(Exception):
    """Raised inside the parser: the expression at hand is not a quantity; resume at ``end``."""

    def __init__(self, end: int) -> None:
        super().__init__(end)
        self.end = end


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except (ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


class _Scanner:
    def __init__(self, text: str, table: UnitTable) -> None:
        self.text = text
        self.t = table
        self.n = len(text)
        self.out: list[Quantity] = []
        self.consumed = 0
        self._prev_cache: dict[int, list[tuple[int, str]]] = {}

    # ---------------------------------------------------------------- helpers

    def prev_tokens(self, pos: int, count: int = 4) -> list[tuple[int, str]]:
        """Up to ``count`` whitespace-separated tokens ending before ``pos`` (start, lower text)."""
        cached = self._prev_cache.get(pos)
        if cached is None:
            lo = max(0, pos - 64)
            window = self.text[lo:pos]
            toks = window.split()
            cut = lo > 0 and bool(window) and not window[0].isspace()
            if cut and len(toks) <= 4:
                toks = toks[1:]
            toks = toks[-4:]
            out: list[tuple[int, str]] = []
            idx = len(window)
            for tok in reversed(toks):
                idx = window.rfind(tok, 0, idx)
                out.append((lo + idx, tok.lower()))
            out.reverse()
            cached = out
            self._prev_cache[pos] = out
        return cached[-count:]

    def cue_before(self, pos: int, cues: Cues) -> tuple[int, str, str] | None:
        """The longest cue phrase ending right before ``pos``: (start, phrase, value)."""
        toks = self.prev_tokens(pos, cues.max_len)
        if not toks:
            return None
        last = toks[-1][1]
        if last not in cues.last and (len(toks) > 1 or last.lstrip(_OPENERS) not in cues.last):
            return None
        for k in range(len(toks), 0, -1):
            parts = [tok for _, tok in toks[-k:]]
            first = parts[0].lstrip(_OPENERS)
            if not first:
                continue
            parts[0] = first
            phrase = " ".join(parts)
            value = cues.phrases.get(phrase)
            if value is not None:
                start = toks[-k][0] + (len(toks[-k][1]) - len(first))
                return start, phrase, value
        return None

    def prev_word(self, pos: int) -> str:
        toks = self.prev_tokens(pos, 1)
        return toks[-1][1].strip("([{\"'“‘,;:") if toks else ""

    def tokens_at(self, pos: int, count: int) -> list[tuple[int, int, str]]:
        out = []
        p = pos
        for _ in range(count):
            m = _TOKEN_AT.match(self.text, p)
            if not m:
                break
            out.append((m.start(1), m.end(1), m.group(1)))
            p = m.end(1)
        return out

    # ---------------------------------------------------------------- scanning

    def run(self) -> list[Quantity]:
        t = self.t
        for m in t.anchor_re.finditer(self.text):
            start = m.start()
            if start < self.consumed:
                continue
            try:
                self.at_anchor(start, m.group())
            except _Skip as skip:
                self.consumed = max(self.consumed, skip.end)
        return self.out

    def at_anchor(self, pos: int, anchor: str) -> None:
        ch = anchor[0]
        if ch.isdigit():
            if not self.left_ok(pos):
                raise _Skip(self.run_end(pos))
            if pos > 0 and self.text[pos - 1] == ".":
                pos -= 1  # ".5"
            self.quantity_at(pos)
        elif ch in self.t.vulgar:
            if pos > 0 and (self.text[pos - 1].isalpha()):
                return
            self.quantity_at(pos)
        else:
            if anchor in ("a", "an", "A", "An", "AN"):
                m = _TOKEN_AT.match(self.text, pos + len(anchor))
                if not m or m.group(1).lower() not in self.t.article_next:
                    return
            elif self.t.named and self.named_at(pos):
                return
            self.quantity_at(pos)

    def named_at(self, pos: int) -> bool:
        """A phrase that names a quantity: "absolute zero"."""
        toks = self.tokens_at(pos, 3)
        for k in range(len(toks), 0, -1):
            key = " ".join(tok for _, _, tok in toks[:k]).lower()
            if key in self.t.named:
                end = toks[k - 1][1]
                if end < self.n and self.text[end].isalnum():
                    continue
                value, unit = self.t.named[key]
                self.add(pos, end, "named", value, value, value, _EXACT, unit, None, None)
                return True
        return False

    def run_end(self, pos: int) -> int:
        m = _RUN_AT.match(self.text, pos)
        end = m.end() if m else pos + 1
        while end > pos + 1 and self.text[end - 1] in ".,;:!?)]}\"'":
            end -= 1
        return max(end, pos + 1)

    def left_ok(self, pos: int) -> bool:
        """Digits at ``pos`` start a number (they are not the tail of an identifier)."""
        if pos == 0:
            return True
        text = self.text
        c = text[pos - 1]
        if c.isalpha() or c == "_":
            # "USD500", "Rs500", "US$5" are currencies, "L2", "i7", "FY2026" identifiers
            return self.currency_before(pos) is not None
        if c.isdigit():
            return False
        before2 = text[pos - 2] if pos >= 2 else " "
        if c == "," and before2.isdigit():
            return False  # "1:50,000" after a ratio or a clock time
        if c == ".":
            return not (before2.isalnum() or before2 in "._")
        if c in "-–‒":
            return not (before2.isalnum() or before2 in "_/.")
        if c in "/#№^:'’+=@&" or c in "\\|":
            return bool(c == "+" and not (before2.isalnum() or before2 in "._"))
        return True

    # ---------------------------------------------------------------- number core

    def number_at(self, pos: int) -> _Num | None:
        """A number (digits, vulgar fraction, or number words) starting exactly at ``pos``."""
        text = self.text
        ch = text[pos]
        if ch.isdigit() or (ch == "." and pos + 1 < self.n and text[pos + 1].isdigit()):
            return self.digits_at(pos)
        if ch in self.t.vulgar:
            return _Num(pos, pos + 1, self.t.vulgar[ch], digits=True)
        return self.words_at(pos)

    def digits_at(self, pos: int) -> _Num | None:
        text = self.text
        if text[pos] == ".":
            m = _DEC_ONLY_AT.match(text, pos)
            if not m:
                return None
            if len(m.group(1)) > MAX_DIGITS:
                raise _Skip(m.end())
            value = _float("0" + m.group())
            return (
                _Num(pos, m.end(), value, digits=True, int_text="0") if value is not None else None
            )
        m = _NUM_AT.match(text, pos)
        if not m:
            return None
        int_text = m.group("int")
        dec = m.group("dec") or ""
        digits_only = int_text.replace(",", "")
        for sep in _HSPACE:
            digits_only = digits_only.replace(sep, "")
        if len(digits_only) + len(dec) > MAX_DIGITS + 1:
            raise _Skip(self.run_end(pos))
        end = m.end()
        if (
            dec
            and end < self.n
            and text[end] == "."
            and end + 1 < self.n
            and text[end + 1].isdigit()
        ):
            raise _Skip(self.run_end(pos))  # 1.2.3: a version or an address
        value = _float(digits_only + dec)
        if value is None:
            return None
        num = _Num(
            pos,
            end,
            value,
            digits=True,
            int_text=digits_only,
            plain_int=(not dec and int_text == digits_only),
        )
        # exponent
        e = _EXP_AT.match(text, end)
        if e:
            num.value = _float(f"{digits_only}{dec}e{e.group(1).replace('−', '-')}")
            num.end = e.end()
            num.plain_int = False
        else:
            p = _POW_AT.match(text, end)
            if p:
                base, power = int(p.group(1)), int(p.group(2).replace("−", "-"))
                scaled = _float_pow(base, power)
                if scaled is not None and num.value is not None:
                    num.value = num.value * scaled
                    num.end = p.end()
                    num.plain_int = False
            else:
                p = _POW10_AT.match(text, end)
                if p:
                    power = int(p.group(1).translate(_SUPERSCRIPTS).replace("−", "-"))
                    scaled = _float_pow(10, power)
                    if scaled is not None and num.value is not None:
                        num.value = num.value * scaled
                        num.end = p.end()
                        num.plain_int = False
        if num.value is None:
            return None
        # fractions: "1/4", "2 1/2"
        if num.plain_int and num.end < self.n and text[num.end] == "/":
            f = _FRACTION_AT.match(text, num.end)
            if f:
                den = float(f.group(1))
                if den == 0 or (num.value >= den and not self.unit_follows(f.end())):
                    raise _Skip(self.run_end(pos))
                num.value = num.value / den
                num.end = f.end()
                num.plain_int = False
                return num
            raise _Skip(self.run_end(pos))
        if num.plain_int:
            mixed = _MIXED_AT.match(text, num.end)
            if mixed:
                a, b = float(mixed.group(1)), float(mixed.group(2))
                if 0 < a < b:
                    num.value = num.value + a / b
                    num.end = mixed.end()
                    num.plain_int = False
            else:
                v = num.end
                if v < self.n and text[v] in _HSPACE and v + 1 < self.n:
                    v += 1  # "4 ½ miles"
                if v < self.n and text[v] in self.t.vulgar:
                    num.value = num.value + self.t.vulgar[text[v]]
                    num.end = v + 1
                    num.plain_int = False
                else:
                    bare = _BARE_POW_AT.match(text, num.end)  # "10^6", "2**10"
                    if bare:
                        scaled = _float_pow(int(num.int_text), int(bare.group(1).replace("−", "-")))
                        if scaled is not None:
                            num.value = scaled
                            num.end = bare.end()
                            num.plain_int = False
        return num

    def unit_follows(self, pos: int) -> bool:
        return self.unit_expr(pos, digits=True, attached=False) is not None

    def word_at(self, pos: int) -> tuple[int, int, str] | None:
        m = _WORD_AT.match(self.text, pos)
        if not m:
            return None
        return m.start(1), m.end(1), m.group(1).lower().replace("’", "'")

    def words_at(self, pos: int) -> _Num | None:
        """Number words: "twelve", "two hundred and fifty", "a dozen", "half a million"."""
        t = self.t
        w = self.word_at(pos)
        if not w or w[0] != pos:
            return None
        _, wend, word = w
        if word in ("a", "an"):
            return self.article_number(pos, wend)
        if word == "half":
            nxt = self.word_at(wend)
            if nxt and nxt[2] in ("a", "an"):
                after = self.word_at(nxt[1])
                if after and (after[2] in t.scales or after[2] in t.multipliers):
                    return self.scaled_words(_Num(pos, nxt[1], 0.5, digits=False), after)
                if after and self.name_unit_at(nxt[1]):
                    return _Num(pos, nxt[1], 0.5, digits=False)
            return None
        if word in t.vague:
            return self.vague_at(pos, wend, word)
        if word in t.scales or word in t.number_hundred:
            prev = self.cue_before(pos, t.vague_before)
            if prev:
                end = wend
                nxt = self.word_at(end)
                if nxt and nxt[2] in t.scales:
                    end = nxt[1]
                return _Num(prev[0], end, None, digits=False, vague=True)
            return None
        if word in t.multipliers:
            return None
        return self.cardinal_words(pos)

    def article_number(self, pos: int, aend: int) -> _Num | None:
        t = self.t
        nxt = self.word_at(aend)
        if not nxt:
            return None
        _, nend, word = nxt
        if word in t.number_hundred or word in t.scales:
            num = self.cardinal_words(nxt[0], start_value=1.0)
            if num:
                num.start = pos
            return num
        mult = self.multiplier_at(aend)
        if mult:
            value, mend, noun_ok = mult
            if not noun_ok and not self.ends_phrase(mend):
                return None
            return _Num(pos, mend, value, digits=False)
        unit_end = self.article_unit_end(aend)
        if unit_end is not None:
            return _Num(pos, aend, 1.0, digits=False)
        if word in t.fractions and word not in ("second",):
            after = self.word_at(nend)
            if (after and after[2] == "of") or self.name_unit_at(nend):
                return _Num(pos, nend, 1.0 / t.fractions[word], digits=False)
        return None

    def article_unit_end(self, pos: int) -> int | None:
        """End of "<unit>" in "a gallon of", "a penny!" (a measure, not "a foot soldier")."""
        base = self.base_at(pos, digits=False, attached_ok=False)
        if not base:
            return None
        end, factors, per, _ = base
        unit = self.t.units.get(factors[0][0])
        if per or not unit or not unit.article or unit.dimension in ("time", "temperature"):
            return None
        return end if self.ends_phrase(end) else None

    def multiplier_at(self, pos: int) -> tuple[float, int, bool] | None:
        toks = self.tokens_at(pos, 4)
        for k in range(len(toks), 0, -1):
            key = " ".join(tok for _, _, tok in toks[:k]).lower()
            if key in self.t.multipliers:
                value, noun_ok = self.t.multipliers[key]
                return value, toks[k - 1][1], noun_ok
        return None

    def ends_phrase(self, pos: int) -> bool:
        """Nothing but punctuation, the end, or a function word follows ``pos``."""
        m = _WORD_AT.match(self.text, pos)
        if not m or m.start(1) > pos + 3:
            return True
        return m.group(1).lower() in self.t.stop_words

    def vague_at(self, pos: int, wend: int, word: str) -> _Num | None:
        t = self.t
        end = wend
        # "tens of thousands", "hundreds of millions"
        of = self.word_at(end)
        if of and of[2] == "of":
            nxt = self.word_at(of[1])
            if nxt and nxt[2] in t.vague:
                end = nxt[1]
        if end == wend and t.vague[word] < 12:
            return None  # "tens" alone is not a count; "tens of thousands" is
        return _Num(pos, end, None, digits=False, vague=True)

    def scaled_words(self, num: _Num, scale_word: tuple[int, int, str]) -> _Num:
        t = self.t
        _, send, word = scale_word
        factor = t.scales.get(word) or t.multipliers.get(word, (1.0, True))[0]
        num.value = (num.value or 0.0) * factor
        num.end = send
        num.scaled = True
        return num

    def cardinal_words(self, pos: int, start_value: float | None = None) -> _Num | None:
        t = self.t
        text = self.text
        total = 0.0
        current = start_value or 0.0
        last = "start" if start_value is None else "unit"
        end = pos
        p = pos
        count = 0
        single_small = True
        while True:
            w = self.word_at(p)
            if not w or (count and w[0] != p):
                break
            _ws, we, word = w
            if word in t.number_units:
                if last not in ("start", "hundred", "scale", "and", "tens_sep"):
                    break
                if last == "tens_sep" and t.number_units[word] >= 10:
                    break
                current += t.number_units[word]
                last = "unit"
            elif word in t.number_tens:
                if last not in ("start", "hundred", "scale", "and"):
                    break
                current += t.number_tens[word]
                last = "tens"
            elif word in t.number_hundred:
                if last not in ("unit", "tens"):
                    break
                current = (current or 1.0) * t.number_hundred[word]
                last = "hundred"
                single_small = False
            elif word in t.scales:
                if last not in ("unit", "tens", "hundred"):
                    break
                total += (current or 1.0) * t.scales[word]
                current = 0.0
                last = "scale"
                single_small = False
            elif word in t.multipliers and t.multipliers[word][1]:
                if last not in ("unit", "tens", "hundred"):
                    break
                current = (current or 1.0) * t.multipliers[word][0]
                last = "mult"
                single_small = False
            else:
                break
            count += 1
            end = we
            # separator to the next number word
            sep = _WORDSEP_AT.match(text, we)
            if not sep:
                break
            joiner = (sep.group(1) or "").lower()
            nxt = self.word_at(sep.end())
            if not nxt or nxt[0] != sep.end():
                break
            nword = nxt[2]
            is_number = (
                nword in t.number_units
                or nword in t.number_tens
                or nword in t.number_hundred
                or nword in t.scales
                or (nword in t.multipliers and t.multipliers[nword][1])
            )
            if not is_number:
                break
            if joiner in ("and", "&"):
                if last not in ("hundred", "scale") or not (
                    nword in t.number_units or nword in t.number_tens
                ):
                    break
                last = "and"
            elif sep.group().strip() == ",":
                if last != "scale":
                    break
            elif ("-" in sep.group() and last == "tens") or last == "tens":
                last = "tens_sep"
            p = sep.end()
        if count == 0:
            return None
        value = total + current
        num = _Num(pos, end, value, digits=False)
        # "one-half", "two thirds", "three quarters"
        frac = _FRACSEP_AT.match(text, end)
        if frac and single_small:
            w = self.word_at(frac.end())
            if w and w[0] == frac.end() and w[2] in t.fractions:
                # "the second half" is not a fraction; "one third" is
                num.value = value / t.fractions[w[2]]
                num.end = w[1]
                return num
        # "two and a half"
        half = _AND_A_AT.match(text, end)
        if half:
            w = self.word_at(half.end())
            if w and w[0] == half.end() and w[2] in t.fractions:
                num.value = value + 1.0 / t.fractions[w[2]]
                num.end = w[1]
                after = self.word_at(num.end)
                if after and after[2] in t.scales and after[0] == num.end + 1:
                    return self.scaled_words(num, after)
        return num

    # ---------------------------------------------------------------- units

    def name_unit_at(self, pos: int) -> bool:
        toks = self.tokens_at(pos, self.t.max_tokens)
        for k in range(len(toks), 0, -1):
            key = " ".join(tok for _, _, tok in toks[:k]).lower()
            if key in self.t.names:
                unit = self.t.units.get(self.t.names[key][0])
                return bool(unit and unit.article and unit.dimension not in ("time", "temperature"))
        return False

    def base_at(
        self, pos: int, *, digits: bool, attached_ok: bool
    ) -> tuple[int, list[tuple[str, int]], str | None, bool] | None:
        """A unit surface at ``pos``: (end, factors, per, was_symbol)."""
        t = self.t
        m = _TOKEN_AT.match(self.text, pos)
        if not m:
            return None
        first_tok = m.group(1)
        if first_tok not in t.first_tokens and first_tok.lower() not in t.first_tokens:
            if not (digits and first_tok.isalpha() and 2 <= len(first_tok) <= 5):
                return None
            toks = [(m.start(1), m.end(1), first_tok)]
        else:
            toks = self.tokens_at(pos, t.max_tokens)
        attached = toks[0][0] == pos
        for k in range(len(toks), 0, -1):
            # a multi-token surface must not swallow a line break or wide gap
            parts = [tok for _, _, tok in toks[:k]]
            key = " ".join(parts)
            end = toks[k - 1][1]
            hit = None
            symbol = False
            if digits and key in t.symbols:
                if key in t.attached_only and not (attached and attached_ok):
                    hit = None
                else:
                    hit = t.symbols[key]
                    symbol = True
            if hit is None:
                low = key.lower()
                if low in t.names:
                    hit = t.names[low]
                elif not digits and key in ("%", "‰"):
                    hit = t.symbols.get(key)
            if hit is None:
                continue
            if end < self.n and (self.text[end].isalpha()):
                continue  # "mins" vs "min": the token regex is greedy, but "°Cx" is not a unit
            if k > 1 and "/" in parts and end < self.n and self.text[end] in "²³^0123456789-−":
                continue  # "m/s²": the power belongs to the last factor only
            if symbol and not self.symbol_context_ok(key, end):
                continue
            unit, per = hit
            return end, [(unit, 1)], per, symbol
        # "Js", "kWh"-like products of two symbols with a capital letter
        first = toks[0][2]
        if digits and 2 <= len(first) <= 5 and any(c.isupper() for c in first) and first.isalpha():
            for i in range(1, len(first)):
                a, b = first[:i], first[i:]
                if (
                    a in t.symbols
                    and b in t.symbols
                    and not t.symbols[a][1]
                    and not t.symbols[b][1]
                ):
                    if a in t.attached_only or b in t.attached_only:
                        continue
                    return toks[0][1], [(t.symbols[a][0], 1), (t.symbols[b][0], 1)], None, True
        return None

    def symbol_context_ok(self, key: str, end: int) -> bool:
        rule = self.t.ambiguous.get(key)
        if not rule:
            return True
        if rule.get("clock"):
            return True  # clock times are removed before units are read
        if rule.get("not_inside_quotes"):
            line_start = self.text.rfind("\n", max(0, end - 400), end) + 1
            line_start = max(line_start, end - 400)
            return self.text.count('"', line_start, end - 1) % 2 == 0
        nxt = _TOKEN_AT.match(self.text, end)
        if not nxt:
            return True
        word = nxt.group(1)
        if rule.get("not_followed_by_digit") and word[0].isdigit():
            return False
        if rule.get("not_followed_by_capital") and word[0].isupper():
            return False
        return word.lower() not in set(rule.get("not_followed_by") or ())

    def factor_at(
        self, pos: int, *, digits: bool, attached_ok: bool
    ) -> tuple[int, list[tuple[str, int]], str | None] | None:
        """One unit factor with an optional "square"/"cubic" before or a power after."""
        power = 1
        p = pos
        w = self.word_at(pos)
        if w and w[2].rstrip(".") in _SQUARE_WORDS:
            after = w[1] + 1 if w[1] < self.n and self.text[w[1]] == "." else w[1]
            inner = self.base_at(after, digits=True, attached_ok=False)
            if inner:
                power = _SQUARE_WORDS[w[2].rstrip(".")]
                p = after
        base = self.base_at(p, digits=digits, attached_ok=attached_ok)
        if not base:
            return None
        end, factors, per, symbol = base
        if power == 1:
            m = _POWER_AT.match(self.text, end)
            if m and (symbol or m.group(2) or m.group(3)):
                raw = (
                    m.group(1)
                    or m.group(4)
                    or (m.group(2) or m.group(3) or "").translate(_SUPERSCRIPTS)
                )
                raw = raw.replace("²", "2").replace("³", "3").replace("−", "-")
                try:
                    power = int(raw)
                except ValueError:
                    power = 1
                if power == 0:
                    return None
                end = m.end()
            elif end < self.n and self.text[end].isdigit():
                return None  # "F6", "km9": part of an identifier
            else:
                w2 = self.word_at(end)
                if w2 and w2[2] in _POWER_WORDS:
                    power = _POWER_WORDS[w2[2]]
                    end = w2[1]
        if power != 1:
            factors = [(u, p_ * power) for u, p_ in factors]
        return end, factors, per

    def unit_expr(
        self, pos: int, *, digits: bool, attached: bool, numerator: bool = True
    ) -> tuple[int, list[tuple[str, int]], str | None] | None:
        """A unit expression: factors joined by "/", "per" or "·" ("J/m^2", "km/s2")."""
        factors: list[tuple[str, int]] = []
        per: str | None = None
        p = pos
        if numerator:
            first = self.factor_at(pos, digits=digits, attached_ok=attached)
            if not first:
                return None
            p, factors, per = first
        for _ in range(3):
            if per:
                break
            sep = _PER_SEP_AT.match(self.text, p)
            if not sep:
                break
            nxt = self.factor_at(sep.end(), digits=True, attached_ok=False)
            if not nxt:
                break
            end, more, _ = nxt
            # "per cent" after a unit is not a denominator
            if any(self.t.units[u].dimension == "ratio" for u, _ in more):
                break
            factors.extend((u, -pw) for u, pw in more)
            p = end
        if not factors:
            return None
        return p, factors, per

    def rate_at(self, pos: int) -> tuple[int, str] | None:
        p = pos
        while p < self.n and self.text[p] in _HSPACE:
            p += 1
        if p >= self.n or self.text[p].lower() not in self.t.rate_first:
            return None
        toks = self.tokens_at(pos, 3)
        if not toks:
            return None
        if toks[0][0] - pos > 3 or "\n" in self.text[pos : toks[0][0]]:
            return None
        for k in range(len(toks), 0, -1):
            key = " ".join(tok for _, _, tok in toks[:k]).lower()
            if key in self.t.rates:
                end = toks[k - 1][1]
                if end < self.n and self.text[end].isalnum():
                    continue
                return end, self.t.rates[key]
        # a price per unit: "$80 a barrel", "$3 a gallon"
        art = _ARTICLE_AT.match(self.text, pos)
        if art:
            base = self.base_at(art.end(), digits=False, attached_ok=False)
            if base and not base[2] and len(base[1]) == 1:
                return base[0], base[1][0][0]
        # any other denominator: "50 people per square kilometre", "3 missiles/launcher"
        sep = _PER_SEP_AT.match(self.text, pos)
        if sep and "·" not in sep.group():
            found = self.factor_at(sep.end(), digits=True, attached_ok=False)
            if found and not found[2] and len(found[1]) == 1:
                unit, power = found[1][0]
                if self.t.units[unit].dimension != "ratio":
                    return found[0], _compose([(unit, power)], [])
        return None

    # ---------------------------------------------------------------- currency

    def currency_before(self, pos: int) -> tuple[int, str] | None:
        if self.t.before_re is None or pos == 0:
            return None
        c = self.text[pos - 1]
        if c in _HSPACE:
            c = self.text[pos - 2] if pos >= 2 else ""
        if not c or c not in self.t.before_last:
            return None
        m = self.t.before_re.search(self.text, max(0, pos - 8), pos)
        if not m:
            return None
        surface = self.text[m.start() : pos].strip(_HSPACE)
        unit = self.t.before.get(surface)
        return (m.start(), unit) if unit else None

    # ---------------------------------------------------------------- one measure

    def part_at(self, pos: int, *, allow_sign: bool, in_range: bool = False) -> _Part | None:
        """Currency, sign, number, scale and unit starting at (or around) ``pos``."""
        text = self.text
        t = self.t
        start = pos
        negative = False
        unit_before: str | None = None
        # a currency (or "Mach") or a sign right before the digits ("$-99.99", "-$5", "−15")
        if (pos > 0 and text[pos].isdigit()) or (pos < self.n and text[pos] == "."):
            cur = self.currency_before(pos)
            if cur:
                start, unit_before = cur
            if (
                allow_sign
                and start > 0
                and text[start - 1] in _MINUS + "+"
                and self.sign_ok(start - 1)
            ):
                negative = text[start - 1] in _MINUS
                start -= 1
                if unit_before is None:
                    cur = self.currency_before(start)
                    if cur:
                        unit_before = cur[1]
                        start = cur[0]
        if not in_range and allow_sign and not negative:
            neg = self.cue_before(start, t.negative_words)
            if neg:
                negative = True
                start = neg[0]
        num = self.number_at(pos)
        if num is None:
            return None
        text_digits = num.digits
        if text_digits and num.end < self.n and text[num.end].isalpha():
            m = _TOKEN_AT.match(text, num.end)
            tok = m.group(1) if m else ""
            if (
                tok not in t.first_tokens
                and tok.lower() not in t.first_tokens
                and tok not in t.suffixes
                and not any(tok.startswith(s) for s in t.suffixes)
                and not (tok.isalpha() and 2 <= len(tok) <= 5 and any(c.isupper() for c in tok))
                and not _ORDINAL_AT.match(text, num.end)
                and not _DECADE_AT.match(text, num.end)
                and not (num.plain_int and text[num.end] in "eE")
            ):
                raise _Skip(self.run_end(num.start))  # "5G", "3D", "860BOX": identifiers
        # clock times, dates, phone numbers, versions: not quantities
        if text_digits and text[pos].isdigit():
            self.reject_non_quantities(pos, num)
        value = num.value
        end = num.end
        scale: float | None = None
        part = _Part(num=num, start=start, end=end, value=value, factors=[])
        if num.vague:
            part.start = min(start, num.start)
            return part
        # uncertainty: "9.83e-3 +/- 1e-5"
        pm = _PLUSMINUS_AT.match(text, end)
        if pm and value is not None and text_digits:
            unc = (
                self.digits_at(pm.end())
                if pm.end() < self.n and (text[pm.end()].isdigit())
                else None
            )
            if unc and unc.value is not None:
                part.low, part.high = value - unc.value, value + unc.value
                end = unc.end
        # scale: suffix ("5k", "$3bn", "€10M") or word ("1.2 million", "3 dozen")
        if text_digits and value is not None:
            scale, end = self.scale_at(
                end,
                currency=unit_before is not None and t.units[unit_before].dimension == "currency",
                attached_unit_first=True,
            )
        elif value is not None and num.scaled is False:
            w = self.word_at(end)
            if w and w[2] in t.scales and w[0] > end and not num.scaled and value < 1000:
                scale = t.scales[w[2]]
                end = w[1]
        if scale is not None and value is not None:
            value *= scale
            if part.low is not None and part.high is not None:
                part.low *= scale
                part.high *= scale
        part.scale = scale
        part.value = value
        # units
        factors: list[tuple[str, int]] = []
        per: str | None = None
        if unit_before:
            factors = [(unit_before, 1)]
            part.before_unit = True
            expr = self.unit_expr(end, digits=True, attached=False, numerator=False)
            if expr:  # "$350 per kg", "$15.4/hour": only a denominator follows a currency
                end, more, _ = expr
                factors += more
        else:
            attached = end == num.end and scale is None
            hyphen = _HYPHEN_UNIT_AT.match(text, end)
            upos = end + 1 if hyphen else end
            expr = self.unit_expr(upos, digits=text_digits, attached=attached or bool(hyphen))
            if expr:
                end, factors, per = expr
                if t.context_units and any(u in t.context_units for u, _ in factors):
                    factors = [(self.in_context(u, pos, end), p_) for u, p_ in factors]
                # a unit written after may be a currency too: "15€", "10 dollars"
                if factors and t.units[factors[0][0]].dimension == "currency":
                    part.currency = True
            elif text_digits and end == num.end and end < self.n and text[end].isalpha():
                # digits glued to letters that are no unit: "5G", "3D", "860BOX", "06F6"
                raise _Skip(self.run_end(num.start))
        if unit_before and t.units[unit_before].dimension == "currency":
            part.currency = True
        if negative and value is not None:
            value = -value
            if part.low is not None and part.high is not None:
                part.low, part.high = -part.high, -part.low
        part.value = value
        part.factors = factors
        part.per = per
        part.end = end
        return part

    def in_context(self, unit: str, start: int, end: int) -> str:
        """ "20 pounds" is money near "spent" and a weight near "weighs" (see context_units)."""
        rule = self.t.context_units.get(unit)
        if not rule:
            return unit
        window, alternatives = rule
        before = self.text[max(0, start - 12 * window) : start].lower().split()[-window:]
        after = self.text[end : end + 12 * window].lower().split()[:window]
        inside = self.text[start:end].lower().split()
        words = {w.strip(".,;:!?()\"'“”‘’") for w in before + inside + after}
        pairs = {f"{a} {b}" for a, b in zip(before + after, (before + after)[1:], strict=False)}
        for alternative, cues in alternatives:
            if (
                words & cues
                or pairs & cues
                or any(c in self.text[max(0, start - 3) : start] for c in cues if not c.isalnum())
            ):
                return alternative
        return unit

    def sign_ok(self, i: int) -> bool:
        """The sign at ``i`` is a minus, not a hyphen or a range dash."""
        if i == 0:
            return True
        c = self.text[i - 1]
        if c.isalnum() or c in "_%)]":
            return False
        if c in _HSPACE or c in "\n\r([{:;=\"'“‘/":
            # "… 50 - 70": a dash after a number and a space is a range, read by the first part
            return not (self.text[i] in "–‒" and i + 1 < self.n and not self.text[i + 1].isdigit())
        return c in "$€£¥₩₹₽"

    def scale_at(
        self, end: int, *, currency: bool, attached_unit_first: bool
    ) -> tuple[float | None, int]:
        t = self.t
        text = self.text
        if end < self.n and text[end].isalpha():
            m = _WORD_AT.match(text, end)
            if m:
                word = m.group(1)
                if word in t.suffixes:
                    factor, currency_only = t.suffixes[word]
                    if currency_only and not currency:
                        return None, end
                    if (
                        not currency
                        and attached_unit_first
                        and self.unit_expr(end, digits=True, attached=True)
                    ):
                        return None, end  # "5km", "300K": a unit, not a scale
                    return factor, m.end(1)
                low = word.lower()
                if low in t.scales:
                    return t.scales[low], m.end(1)
        w = self.word_at(end)
        if w and w[0] > end:
            word = w[2]
            if word in t.scales or (word in t.multipliers and t.multipliers[word][1]):
                factor = t.scales.get(word) or t.multipliers[word][0]
                nxt = self.word_at(w[1])
                # "1.5 million", "3 billion"; "2 dozen"
                if nxt and nxt[2] in t.scales and nxt[0] == w[1] + 1:
                    factor *= t.scales[nxt[2]]
                    return factor, nxt[1]
                return factor, w[1]
            raw = self.text[w[0] : w[1]]
            if raw in ("bn", "mn", "tn", "mln", "bln") or (currency and raw in t.suffixes):
                return t.suffixes[raw][0], w[1]
        return None, end

    def reject_non_quantities(self, pos: int, num: _Num) -> None:
        """Raise `_Skip` for clock times, dates, phone numbers and identifiers at ``pos``."""
        text = self.text
        t = self.t
        d = _DIGITS_AT.match(text, pos)
        d_end = d.end() if d else pos
        c1 = text[d_end] if d_end < self.n else ""
        c2 = text[d_end + 1] if d_end + 1 < self.n else ""
        if d_end - pos <= 2 and c1 and c1 in ":. \t\u00a0aApPo":
            m = _CLOCK_AT.match(text, pos)
            if m:
                h = m.group("h") or m.group("h2")
                mm = m.group("m") or m.group("m2")
                twelve_hour_ok = not (m.group("h") and int(m.group("h")) > 12)
                if (
                    h is None or (int(h) <= 24 and (mm is None or int(mm) < 60))
                ) and twelve_hour_ok:
                    raise _Skip(m.end())
        if c1 and c1 in "-/." and c2.isdigit():
            m = _DATE_AT.match(text, pos)
            if m:
                raise _Skip(m.end())
        if c1 and c1 in " .-\u00a0" and (c2.isdigit() or c2 == "("):
            ph = _PHONE_AT.match(text, pos)
            if ph and (
                self.looks_like_phone(pos, ph.group())
                or (
                    sum(c.isdigit() for c in ph.group()) >= 6 and self.cue_before(pos, t.phone_cues)
                )
            ):
                raise _Skip(ph.end())
        if pos > 1 and text[pos - 1] in "(+":
            ph = _PHONE_AT.match(text, pos - 1) or _PHONE_AT.match(text, max(0, pos - 2))
            if ph and self.looks_like_phone(pos, ph.group()) and ph.end() > num.end:
                raise _Skip(ph.end())
        # identifiers after a cue word: "No. 5", "Resolution 2397", "version 3"
        if self.prev_word(pos) in t.id_cues or (pos > 0 and text[pos - 1] == "#"):
            raise _Skip(self.run_end(pos))
        if num.plain_int:
            end = num.end
            # ordinals and decades
            if (
                end < self.n
                and (text[end].isalpha() or text[end] in "'’")
                and (_ORDINAL_AT.match(text, end) or _DECADE_AT.match(text, end))
            ):
                raise _Skip(self.run_end(pos))
            # dates: "December 26", "26 December", "Dec. 26"
            if (
                num.value is not None
                and 1 <= num.value <= 31
                and len(num.int_text) <= 2
                and self.month_near(pos, end)
            ):
                raise _Skip(end)
            # year ranges: "2013-14", "1990–1995"
            if len(num.int_text) == 4 and c1 and c1 in "-–/ ":
                y = _YEAR_RANGE_AT.match(text, pos)
                if y:
                    raise _Skip(y.end())

    def looks_like_phone(self, pos: int, surface: str) -> bool:
        digits = sum(c.isdigit() for c in surface)
        if digits < 7:
            return False
        groups = re.split(r"[ .\-()+]+", surface.strip("+("))
        groups = [g for g in groups if g]
        if surface.startswith(("+", "(")):
            return True
        if any(sep in surface for sep in "-.") and len(groups) >= 3:
            return True
        return any(len(g) == 4 for g in groups[1:]) and len(groups) >= 3

    def month_near(self, start: int, end: int) -> bool:
        t = self.t
        prev = self.prev_tokens(start, 1)
        if prev:
            pstart, word = prev[-1]
            raw = self.text[pstart : pstart + len(word)]
            if word.rstrip(".,") in t.months and raw[:1].isupper():
                return True
        p = end
        m = _DAY_SUFFIX_AT.match(self.text, p)
        if m:
            p = m.end()
        w = self.word_at(p)
        return bool(w and w[0] == p and w[2] in t.months and self.text[w[0]].isupper())

    # ---------------------------------------------------------------- a whole quantity

    def quantity_at(self, pos: int) -> None:
        text = self.text
        t = self.t
        # "one" as a pronoun: "the one", "no one", "one another"
        part = self.part_at(pos, allow_sign=True)
        if part is None:
            return
        num = part.num
        if num.vague:
            self.emit_vague(part)
            return
        if not num.digits and num.value == 1 and num.end - num.start <= 3:
            prev = self.prev_word(num.start)
            nxt = self.word_at(num.end)
            if prev in _PRONOUN_ONE_BEFORE or (nxt and nxt[2] in _PRONOUN_ONE_AFTER):
                raise _Skip(num.end)
        bound, cue_start = self.bound_before(part.start)
        start = part.start if cue_start is None else cue_start
        between = self.cue_before(part.start if cue_start is None else cue_start, t.range_cues)
        if between and between[1] == "between":
            start = between[0] if cue_start is None else min(start, between[0])
        range_cue = between[1] if between else None
        # accounting negatives: "($99.99)" with no other quantity before the parenthesis
        if (
            part.currency
            and part.before_unit
            and part.start > 0
            and text[part.start - 1] == "("
            and part.value is not None
            and part.value > 0
            and _ACCOUNTING_CLOSE.match(text, part.end)
            and not self.quantity_just_before(part.start - 1)
        ):
            part.value = -part.value
            close = _ACCOUNTING_CLOSE.match(text, part.end)
            assert close is not None
            start = part.start - 1
            part.end = close.end()
        # ranges and shared units
        second = self.range_after(part, range_cue)
        if second is not None:
            self.emit_range(part, second, start)
            return
        self.shared_unit(part)
        self.emit_single(part, start, bound)

    def quantity_just_before(self, pos: int) -> bool:
        return bool(self.out) and pos - self.out[-1].span.end <= 2

    def bound_before(self, pos: int) -> tuple[str, int | None]:
        text = self.text
        if pos > 0 and text[pos - 1] in "<>~≈≤≥∼":
            sym = text[pos - 1]
            return self.t.bounds_before.phrases.get(sym, _APPROX), pos - 1
        cue = self.cue_before(pos, self.t.bounds_before)
        if cue:
            return cue[2], cue[0]
        return _EXACT, None

    def range_after(self, part: _Part, range_cue: str | None) -> _Part | None:
        text = self.text
        if part.value is None:
            return None
        end = part.end
        conn = _RANGE_DASH_AT.match(text, end)
        word = None
        if conn is None:
            conn = _RANGE_WORD_AT.match(text, end)
            if conn is None:
                return None
            word = conn.group(1).lower()
            if word == "and" and range_cue != "between":
                return None
            if word == "or":
                return None
        elif not part.num.digits:
            return None
        nxt_pos = conn.end()
        if nxt_pos >= self.n:
            return None
        # the second number may start with a currency symbol
        p = nxt_pos
        cur = None
        for surface in self.t.before_sorted:
            if text.startswith(surface, p):
                cur = surface
                break
        if cur:
            p += len(cur)
            while p < self.n and text[p] in _HSPACE:
                p += 1
        if p < self.n and text[p] in _MINUS and word is not None:
            p += 1
        if p >= self.n:
            return None
        ch = text[p]
        if not (ch.isdigit() or ch in self.t.vulgar or (word and ch.isalpha())):
            return None
        try:
            second = self.part_at(p, allow_sign=word is not None, in_range=True)
        except _Skip:
            return None
        if second is None or second.value is None or second.num.vague:
            return None
        if part.num.digits != second.num.digits and word is None:
            return None
        # years: "1990-1995", "from 2010 to 2015"
        if (
            part.num.plain_int
            and second.num.plain_int
            and not part.factors
            and not second.factors
            and len(part.num.int_text) == 4
            and 1000 <= (part.value or 0) <= 2200
            and (len(second.num.int_text) == 4 or len(second.num.int_text) == 2)
        ):
            raise _Skip(second.end)
        if part.factors and second.factors and _unit_key(part) != _unit_key(second):
            return None
        if (
            word is None
            and second.end < self.n
            and text[second.end] in "-–"
            and (second.end + 1 < self.n and text[second.end + 1].isdigit())
        ):
            raise _Skip(self.run_end(part.start))  # 978-3-16-148410-0: a code, not a range
        if (
            word is None
            and part.num.plain_int
            and second.num.plain_int
            and len(part.num.int_text) == 3
            and len(second.num.int_text) == 4
            and not second.factors
            and self.cue_before(part.start, self.t.phone_cues)
        ):
            raise _Skip(second.end)  # "call 555-1234"
        return second

    def shared_unit(self, part: _Part) -> None:
        """ "45 and 50 mg": the unit written once belongs to both numbers."""
        if part.factors or part.value is None:
            return
        m = _RANGE_WORD_AT.match(self.text, part.end)
        if not m or m.group(1).lower() not in ("and", "or"):
            return
        p = m.end()
        if p >= self.n or not (self.text[p].isdigit() or self.text[p].isalpha()):
            return
        if part.num.digits and not self.text[p].isdigit():
            return
        try:
            second = self.part_at(p, allow_sign=False, in_range=True)
        except _Skip:
            return
        if second and second.factors and not second.currency:
            part.factors = list(second.factors)
            part.per = second.per

    def emit_range(self, first: _Part, second: _Part, start: int) -> None:
        factors = first.factors or second.factors
        per = first.per or second.per
        lo, hi = first.value, second.value
        assert lo is not None and hi is not None
        if second.scale and not first.scale and abs(lo) < abs(second.value or 0) / second.scale:
            lo *= second.scale
        if first.num.vague or second.num.vague:
            return
        end = second.end
        counted = None if factors else self.counted_after(end, hi)
        rate = None if per else self.rate_at(end)
        if rate is None and counted and not per:
            rate = self.rate_at(self.counted_end)
        if rate:
            end, per = rate
        unit, per = self.unit_name(factors, per)
        if lo > hi:
            lo, hi = hi, lo
        self.add(start, end, "range", None, lo, hi, _RANGE, unit, counted, per)

    def emit_single(self, part: _Part, start: int, bound: str) -> None:
        value = part.value
        end = part.end
        per = part.per
        counted = None
        rule = "number" if part.num.digits else "words"
        after = _BOUND_AFTER_CACHE.get(id(self.t))
        if after is None:
            after = _compile_after(self.t)
            _BOUND_AFTER_CACHE[id(self.t)] = after
        m = after.match(self.text, end)
        if m and value is not None:
            bound = self.t.bounds_after[_key(m.group(1)).lower()]
            end = m.end()
        if not part.factors and value is not None:
            # years: a bare 4-digit integer from 1800 to 2100 is a year unless a plural noun
            # follows ("2000 people"); an older one only after a cue ("in 1500")
            if part.num.plain_int and len(part.num.int_text) == 4 and 1000 <= value <= 2199:
                prev = self.prev_word(part.start)
                noun = self.counted_after(end, value)
                strong = prev in self.t.year_cues
                weak = prev in self.t.weak_year_cues
                if strong or (noun is None and (1800 <= value <= 2100 or weak)):
                    self.consumed = max(self.consumed, end)
                    return
            counted = self.counted_after(end, value)
        rate = None if per else self.rate_at(end)
        if rate is None and counted and not part.factors:
            # "12 factories a year"
            noun_end = self.counted_end
            rate = self.rate_at(noun_end)
        if rate:
            end, per = rate
        unit, per = self.unit_name(part.factors, per)
        low, high = part.low, part.high
        if low is not None and high is not None:
            self.add(start, end, "plusminus", value, low, high, _RANGE, unit, counted, per)
            return
        if bound == _UPPER:
            low, high = None, value
        elif bound == _LOWER:
            low, high = value, None
        else:
            low = high = value
        if part.currency:
            rule = "money"
        self.add(start, end, rule, value, low, high, bound, unit, counted, per)

    def emit_vague(self, part: _Part) -> None:
        """ "dozens of missiles", "hundreds of workers", "several hundred years"."""
        num = part.num
        end = num.end
        unit = None
        counted = None
        per = None
        of = self.word_at(end)
        p = of[1] if of and of[2] == "of" else end
        expr = self.unit_expr(p, digits=False, attached=False)
        if expr:  # "several hundred years", "millions of dollars"
            end, factors, per = expr
            unit, per = self.unit_name(factors, per)
        else:
            counted = self.counted_after(p, 2.0)
        self.add(num.start, end, "vague", None, None, None, _APPROX, unit, counted, per)

    counted_end = 0

    def counted_after(self, pos: int, value: float) -> str | None:
        """The counted noun after a number: "1,000 engineers", "12 new factories"."""
        t = self.t
        text = self.text
        p = pos
        first = True
        for _ in range(t.counted_max_words):
            m = _CWORD_AT.match(text, p)
            if not m:
                return None
            if "\n\n" in text[p : m.start(1)]:
                return None
            raw = m.group(1)
            word = raw.lower()
            if raw[0].isupper():
                return None
            if word in t.frequency_words and first:
                self.counted_end = m.end(1)
                return raw
            if word in t.stop_words:
                return None
            first = False
            p = m.end(1)
            if word in t.skip_words or word.endswith("ly"):
                continue
            plural = word in t.irregular_plurals or (
                word.endswith("s") and len(word) > 2 and not word.endswith(t.not_plural_endings)
            )
            if value == 1 or not float(value).is_integer():
                self.counted_end = m.end(1)
                return raw
            if plural:
                self.counted_end = m.end(1)
                return raw
        return None

    def unit_name(
        self, factors: list[tuple[str, int]], per: str | None
    ) -> tuple[str | None, str | None]:
        """Canonical unit name (and rate period) for a list of (unit, power) factors."""
        if not factors:
            return None, per
        merged: dict[str, int] = {}
        for u, p in factors:
            merged[u] = merged.get(u, 0) + p
        items = [(u, p) for u, p in merged.items() if p != 0]
        pos_ = [(u, p) for u, p in items if p > 0]
        neg = [(u, p) for u, p in items if p < 0]
        if per is None and pos_ and len(neg) == 1 and neg[0][1] == -1:
            name = _compose(pos_, neg)
            if self.t.unit(name) is None:
                # "$15.4/hour", "W/min", "$350 per kg": a rate over the denominator
                return _compose(pos_, []), neg[0][0]
            return self.t.canonical[name.lower()], None
        name = _compose(pos_, neg)
        return name, per

    def add(
        self,
        start: int,
        end: int,
        rule: str,
        value: float | None,
        low: float | None,
        high: float | None,
        bound: str,
        unit: str | None,
        counted: str | None,
        per: str | None,
    ) -> None:
        end = max(end, start + 1)
        while end > start + 1 and self.text[end - 1] in _HSPACE:
            end -= 1
        self.out.append(
            Quantity(
                span=Span(start, end, self.text[start:end]),
                rule=rule,
                value=value,
                low=low,
                high=high,
                bound=bound,
                unit=unit,
                counted=counted,
                per=per,
            )
        )
        self.consumed = max(self.consumed, end)


_WORDSEP_AT = re.compile(
    r"(?:"
    + _WS
    + r"*,?"
    + _WS
    + r"+(and|&)"
    + _WS
    + r"+|"
    + _WS
    + r"*(&)"
    + _WS
    + r"*|"
    + _WS
    + r"*-"
    + _WS
    + r"*|,"
    + _WS
    + r"+|"
    + _WS
    + r"+)"
)
_FRACSEP_AT = re.compile(_WS + r"+|-")
_AND_A_AT = re.compile(_WS + r"+and" + _WS + r"+an?" + _WS + r"+", re.IGNORECASE)
_PRONOUN_ONE_BEFORE = frozenset(
    {
        "the",
        "this",
        "that",
        "which",
        "any",
        "every",
        "each",
        "no",
        "some",
        "another",
        "only",
        "no-one",
        "someone",
        "anyone",
        "everyone",
        "such",
        "little",
        "big",
        "last",
        "first",
        "next",
        "right",
        "wrong",
    }
)
_PRONOUN_ONE_AFTER = frozenset(
    {
        "another",
        "'s",
        "’s",
        "else",
        "anyway",
        "could",
        "should",
        "would",
        "must",
        "might",
        "may",
        "can",
        "cannot",
        "has",
        "does",
        "who",
        "which",
        "that",
    }
)
_BOUND_AFTER_CACHE: dict[int, re.Pattern[str]] = {}


def _compile_after(table: UnitTable) -> re.Pattern[str]:
    alts = []
    for cue in sorted(table.bounds_after, key=len, reverse=True):
        words = cue.split(" ")
        alts.append(
            _WS + r"*".join(re.escape(w) for w in words)
            if len(words) == 1
            else (_WS + r"+").join(re.escape(w) for w in words)
        )
    return re.compile(r"(?:-|" + _WS + r"*)(" + "|".join(alts) + r")(?![^\W\d_])", re.IGNORECASE)


def _float_pow(base: int, power: int) -> float | None:
    try:
        value = float(base) ** power
    except (OverflowError, ZeroDivisionError):
        return None
    return value if math.isfinite(value) and value != 0 else None


def _compose(pos: list[tuple[str, int]], neg: list[tuple[str, int]]) -> str:
    def one(u: str, p: int) -> str:
        p = abs(p)
        return {1: u, 2: f"square {u}", 3: f"cubic {u}"}.get(p, f"{u}^{p}")

    head = " ".join(one(u, p) for u, p in pos)
    tail = " ".join(f"per {one(u, p)}" for u, p in neg)
    if not head:
        return "inverse " + " inverse ".join(one(u, p) for u, p in neg)
    return f"{head} {tail}".strip()


def _unit_key(part: _Part) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(part.factors)) + ((("per:" + part.per, -1),) if part.per else ())


def find_quantities(text: str, *, table: UnitTable | None = None) -> list[Quantity]:
    """Every quantity in ``text``, in reading order, with exact, non-overlapping spans.

    A quantity is a number (digits, words, fractions) with its unit or counted noun, a range
    ("50–70 per year" keeps both ends), a bound ("up to 4,000 km": the cue is in the span), or a
    vague count ("dozens of missiles", value None). Units are canonical names from the table;
    a rate's denominator goes to ``per`` ("$15.4/hour" -> US dollar per hour) unless the
    compound is a unit of its own ("km/h"). ``rule`` says which reading produced it: number,
    words, money, range, plusminus, vague or named. ``table`` defaults to the packaged table.
    """
    if not text:
        return []
    return _Scanner(text, table or _default_table()).run()
