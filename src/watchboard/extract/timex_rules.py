"""Load, validate and compile the time rule tables (``extract/data/time.yaml``).

The YAML file holds the vocabularies, fuzzy parts, modifiers, tense cues and surface patterns;
this module turns it into regular expressions (see :func:`load_time_rules`) and refuses a file
that could make the normaliser slow or wrong: unknown placeholders or resolvers, unbounded
quantifiers (``*``, ``+``, ``{m,}``), patterns that do not compile.

Start-up is kept short (about a tenth of a second): the file is read with libyaml when PyYAML
has it; each rule's expanded pattern (thousands of characters) is compiled on first use rather
than at load (the packaged file is compiled whole by the test suite; any other file is
compiled, and so checked, when loaded); and the starts a rule's matches can have, which route
each word of a text to the few rules worth trying there, are worked out on the short patterns
as written, each placeholder standing for the starts of its own vocabulary, instead of by
parsing the expanded regexes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from watchboard.errors import WatchboardError

TYPES = ("DATE", "TIME", "DURATION", "SET")

# one to three blanks, or a single line break with blanks around it
WS = r"(?:[ \t]{1,3}|[ \t]{0,2}\n[ \t]{0,2})"
# a space, a hyphen or nothing
SEP = r"(?:[ \t]|-)?"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)(?::([A-Za-z_][A-Za-z_0-9]*))?\}")
# a rule may not start in the middle of a word or a number ("$1990", "1,990", "x1990")
LEFT_EDGE = r"(?<![\w$£€#])(?<![0-9][.,/:])"
RIGHT_EDGE = r"(?![\w])"


class TimeRulesError(WatchboardError):
    """The time rule file is not valid; names the file, the entry and what to fix."""

    def __init__(self, where: str, reason: str) -> None:
        self.where = where
        self.reason = reason
        super().__init__(f"time rules: {where}: {reason}")


@dataclass(frozen=True, eq=False)
class Rule:
    """One surface pattern and how to resolve what it matches.

    ``source`` is the full regular expression; it is compiled on first use (``regex``), so
    loading the rule file does not pay for patterns a process never tries. ``prefixes``
    are the starts any match can begin with, up to ``PREFIX_LENGTH`` characters, normalised
    (see :func:`normalise_prefix`) with each run of blanks written as one (see
    ``TimeRules.rules_at``); ``None`` when they cannot be worked out, and the rule is then
    tried everywhere.
    """

    name: str
    source: str
    type: str
    resolve: str
    args: dict[str, Any]
    parts: bool
    mods: bool
    bounds: bool
    order: int
    prefixes: frozenset[str] | None = None
    where: str = ""

    @functools.cached_property
    def has_core(self) -> bool:
        """Whether the pattern marks a ``core`` (the span kept) inside what it matches."""
        return "core" in self.regex.groupindex

    @functools.cached_property
    def regex(self) -> re.Pattern[str]:
        """The compiled pattern (compiled once, on first use)."""
        try:
            return re.compile(self.source, re.IGNORECASE)
        except re.error as exc:
            raise TimeRulesError(
                self.where or self.name, f"pattern does not compile: {exc}"
            ) from exc


PREFIX_LENGTH = 8
_WILD = "\x00"


# ASCII upper case to lower case, digits to "0", blanks and line breaks to " ": a translation
# that keeps every character in place, so offsets in the normalised text are offsets in the text
PREFIX_TABLE = str.maketrans(
    {
        **{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)},
        **{str(d): "0" for d in range(10)},
        **{ch: " " for ch in "\t\n\r\f\v"},
    }
)


def normalise_prefix(text: str) -> str:
    """Lower-case, every digit as "0", every blank or line break as " " (length kept)."""
    return text.lower().translate(PREFIX_TABLE)


_BLANKS = re.compile(" {2,}")


def _starts_regex(keys: Iterable[str]) -> re.Pattern[str]:
    """A regex over normalised text (see ``PREFIX_TABLE``) that finds the word starts whose
    first character begins one of ``keys``; the keys themselves are looked up in a dict."""
    first = "".join(sorted({re.escape(k[0]) for k in keys}))
    return re.compile(rf"(?<![\w'’])[{first}]")


_LETTERS = re.compile(r"[^\W\d_]+")
_ASCII_BLANKS = re.compile(r"[\t\n\r\f\v]")
_DIGITS = re.compile(r"[0-9]")


def normalise_text(text: str) -> str:
    """``text`` normalised as by :func:`normalise_prefix`, quickly: offsets are kept (a text
    whose lower-casing changes its length is lower-cased in ASCII only)."""
    low = text.lower()
    if len(low) != len(text):
        return text.translate(PREFIX_TABLE)
    low = _DIGITS.sub("0", low)
    return _ASCII_BLANKS.sub(" ", low) if not low.isprintable() else low


def _norm_char(code: int) -> str:
    return normalise_prefix(chr(code))


def _extend(heads: set[str], tails: set[str], k: int, done: set[str]) -> set[str]:
    """Every head followed by every tail: those complete (``k`` characters, or ending in
    "anything") go to ``done``, the others are returned. Heads and tails write a run of
    blanks as one blank and end with any "anything" mark they have, so only a blank at the
    joint can double and a mark stays last."""
    out: set[str] = set()
    for h in heads:
        blank = h.endswith(" ")
        for t in tails:
            s = h + t[1:] if blank and t.startswith(" ") else h + t
            if len(s) >= k:
                done.add(s[:k])
            elif s.endswith(_WILD):
                done.add(s)
            else:
                out.add(s)
    return out


Marks = dict[int, Callable[[], set[str]]]


def _class_chars(items: list[tuple[Any, Any]], marks: Marks | None = None) -> set[str]:
    """The starts of one character of a class (the parser turns ``(?:a|b)`` into ``[ab]``,
    so a class may hold placeholder marks too)."""
    from re import _constants as c  # type: ignore[attr-defined]

    chars: set[str] = set()
    for op, av in items:
        if op is c.NEGATE:
            return {_WILD}
        if op is c.LITERAL:
            chars |= marks[av]() if marks and av in marks else {_norm_char(av)}
        elif op is c.RANGE:
            lo, hi = av
            if chr(lo).isdigit() and chr(hi).isdigit():
                chars.add("0")
            elif hi - lo > 40:
                return {_WILD}
            else:
                chars.update(_norm_char(x) for x in range(lo, hi + 1))
        elif op is c.CATEGORY:
            if av is c.CATEGORY_DIGIT:
                chars.add("0")
            elif av is c.CATEGORY_SPACE:
                chars.add(" ")
            else:
                return {_WILD}
        else:
            return {_WILD}
    return chars


def _firsts(sub: Any, k: int, marks: Marks | None = None) -> set[str]:
    """Every start of up to ``k`` normalised characters a match of ``sub`` can begin with
    (a trailing _WILD: "then anything"). ``marks`` maps a literal
    character that stands for a placeholder to the starts of that placeholder."""
    from re import _constants as c  # type: ignore[attr-defined]

    done: set[str] = set()  # complete starts
    acc: set[str] = {""}  # starts that the rest of ``sub`` continues
    for op, av in sub:
        if not acc:
            break
        if op is c.LITERAL:
            item = marks[av]() if marks and av in marks else {_norm_char(av)}
        elif op in (c.NOT_LITERAL, c.ANY, c.GROUPREF):
            item = {_WILD}
        elif op is c.IN:
            item = _class_chars(av, marks)
        elif op is c.SUBPATTERN:
            item = _firsts(av[-1], k, marks)
        elif op is c.BRANCH:
            item = set()
            for alt in av[1]:
                item |= _firsts(alt, k, marks)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            lo, hi, body = av
            one = _firsts(body, k, marks)
            item = {""} if lo == 0 else set()
            # a start completed by some repetitions stays a start whatever follows them
            cur = {""}
            for i in range(1, min(hi, k + 1) + 1):
                cur = _extend(cur, one, k, item)
                if i >= lo:
                    item |= cur
                if not cur:
                    break
        elif op in (c.ASSERT, c.ASSERT_NOT, c.AT):
            item = {""}
        elif op is getattr(c, "ATOMIC_GROUP", None):
            item = _firsts(av, k, marks)
        else:
            item = {_WILD}
        acc = _extend(acc, item, k, done)
    return done | acc


def _finish(firsts: set[str]) -> frozenset[str] | None:
    out = set()
    for f in firsts:
        f = f[: f.index(_WILD)] if _WILD in f else f
        if not f:
            return None  # a match may start with anything
        out.add(f)
    return frozenset(out)


def _phrase_starts(phrase: str, k: int) -> set[str]:
    """The starts of a vocabulary phrase as ``_phrase_tokens`` writes it: a space is a blank,
    a hyphen an optional hyphen or blank, an apostrophe either kind."""
    done: set[str] = set()
    acc: set[str] = {""}
    for ch in phrase:
        if not acc:
            break
        if ch == " ":
            item = {" "}
        elif ch == "-":
            item = {"-", " ", ""}
        elif ch in "'’":
            item = {"'", "’"}
        else:
            item = {normalise_prefix(ch)}
        acc = _extend(acc, item, k, done)
    return done | acc


@dataclass(frozen=True)
class TimeRules:
    """Everything the normaliser reads from the rule file, validated and compiled."""

    vocab: dict[str, dict[str, Any]]
    rules: tuple[Rule, ...]
    units: dict[str, dict[str, Any]]
    parts: dict[str, dict[str, Any]]
    seasons: dict[str, tuple[int, int]]
    holidays: dict[str, dict[str, Any]]
    tense_window: int
    past_suffix: str
    reference_window: int
    year_inference_days: int
    part_prefix: re.Pattern[str]
    approx_prefix: re.Pattern[str]
    bound_prefix: re.Pattern[str]
    suffix_mods: re.Pattern[str]
    relative_only_parts: frozenset[str]
    source: str = ""
    # how far back a quarter mentioned still is the period a report is about
    quarter_window: int = 600
    # bound words after which a name without a year looks ahead ("by Friday"), unless the
    # sentence has a past perfect cue
    future_bounds: frozenset[str] = frozenset()
    past_perfect: re.Pattern[str] | None = None
    # parts of day that, after a weekday, leave the day itself as the value
    weekday_parts_as_day: frozenset[str] = frozenset()
    # the one-word future cues a past verb may look like ("expected", "scheduled"): these
    # stay future cues
    future_words: frozenset[str] = frozenset()
    # the listed tense cues, in lower-case text (see ``normalise_text``): groups "future"
    # and "past" (a future one first where both start); and the past verbs by their suffix,
    # lower-case words only ("United" is no verb), in the text as written
    cues: re.Pattern[str] = re.compile("(?!)")
    past_words: re.Pattern[str] | None = None
    lookup: dict[str, dict[str, Any]] = field(default_factory=dict)
    # the last words of the part, approximation and bound phrases ("of" for "the end of"):
    # a match is widened only when the word before it is one of them
    last_words: dict[str, frozenset[str]] = field(default_factory=dict)
    # prefix -> rules that may start with it; the prefix lengths present; rules tried everywhere
    dispatch: dict[str, tuple[Rule, ...]] = field(default_factory=dict)
    prefix_lengths: tuple[int, ...] = ()
    everywhere: tuple[Rule, ...] = ()
    # finds, in normalised text, the word starts whose first character begins some prefix
    starts: re.Pattern[str] | None = None
    # head of text -> rules_at(), as documents repeat their words
    _rules_at: dict[str, list[Rule]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def rules_at(self, norm: str, pos: int) -> list[Rule]:
        """The rules that may match at ``pos`` of the normalised text ``norm`` (see
        :func:`normalise_text`), each once; a run of blanks counts as one, as in the
        prefixes."""
        head = norm[pos : pos + PREFIX_LENGTH]
        if "  " in head:
            head = _BLANKS.sub(" ", norm[pos : pos + 4 * PREFIX_LENGTH])[:PREFIX_LENGTH]
        cache = self._rules_at
        found = cache.get(head)
        if found is None:
            found = []
            dispatch = self.dispatch
            for n in self.prefix_lengths:
                if n > len(head):
                    break
                here = dispatch.get(head[:n])
                if here:
                    found.extend(here)
            found = list(dict.fromkeys(found)) if len(found) > 1 else found
            if len(cache) > 100_000:
                cache.clear()
            cache[head] = found
        return found

    def compile_all(self) -> None:
        """Compile every pattern now (they are otherwise compiled on first use); raises
        ``TimeRulesError`` naming the first rule whose pattern does not compile."""
        for rule in self.rules:
            rule.regex  # noqa: B018 - compiles and caches

    def value(self, table: str, phrase: str) -> Any:
        """The value of ``phrase`` in vocabulary ``table`` (case- and space-insensitive)."""
        return self.lookup[table].get(normalise_phrase(phrase))


@functools.lru_cache(maxsize=8192)
def normalise_phrase(phrase: str) -> str:
    """Lower-case, single spaces, curly apostrophes made straight: the vocabulary key form."""
    return " ".join(phrase.lower().replace("’", "'").split())


RESOLVERS = frozenset(
    {
        "calendar",
        "weekday",
        "deictic",
        "anaphor",
        "clock",
        "reference",
        "vague_duration",
        "relative",
        "year_end",
        "period_ended",
        "period",
        "year_earlier",
        "offset",
        "duration",
        "set",
    }
)


def _phrase_tokens(phrase: str) -> list[str]:
    """The regex pieces of a vocabulary phrase, one per character."""
    out: list[str] = []
    for ch in phrase:
        if ch == " ":
            out.append(WS)
        elif ch == "-":
            out.append(r"[- ]?")
        elif ch in "'’":
            out.append("['’]")
        else:
            out.append(re.escape(ch))
    return out


def _phrase_regex(phrase: str, case_sensitive: bool) -> str:
    body = "".join(_phrase_tokens(phrase))
    return f"(?-i:{body})" if case_sensitive else body


def _trie(phrases: list[list[str]]) -> str:
    """An alternation of token sequences factored on common prefixes.

    The engine then compares a character or two per branch instead of trying every phrase in
    turn; at each node longer continuations come before stopping, so the longest phrase is
    still the first one tried, and backtracking still reaches the shorter ones.
    """
    root: dict[str, Any] = {}
    end = object()
    for tokens in phrases:
        node = root
        for tok in tokens:
            node = node.setdefault(tok, {})
        node[end] = True  # type: ignore[index]

    def build(node: dict[Any, Any]) -> str:
        alts = [
            tok + build(child)
            for tok, child in sorted(
                ((t, c) for t, c in node.items() if t is not end), key=lambda tc: tc[0]
            )
        ]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if end in node:
            return f"(?:{body})?"
        return body

    return build(root)


def _vocab_regex(tables: list[dict[str, Any]], case_sensitive: dict[str, str]) -> str:
    """An alternation of the tables' phrases (a trie: see ``_trie``).

    A phrase listed in ``case_sensitive`` (keyed by its lower-case form) must appear exactly
    as written there: "May" the month, never "may" the modal verb.
    """
    phrases = sorted({p for t in tables for p in t})
    folded: list[list[str]] = []
    exact: list[list[str]] = []
    for p in phrases:
        cs = case_sensitive.get(p.lower())
        if cs:
            exact.append(_phrase_tokens(cs))
        else:
            folded.append(_phrase_tokens(p.lower()))
    alts = []
    if folded:
        alts.append(_trie(folded))
    if exact:
        alts.append("(?-i:" + _trie(exact) + ")")
    return "(?:" + "|".join(alts) + ")"


def _spaces(pattern: str, ws: str = WS, sep: str = SEP) -> str:
    """Replace literal spaces by ``ws`` and ``~`` by ``sep``, outside character classes."""
    out: list[str] = []
    i = 0
    in_class = False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
            out.append(ch)
        elif ch == "[":
            in_class = True
            out.append(ch)
            # a "]" right after "[" or "[^" is literal
            if pattern[i + 1 : i + 2] == "]":
                out.append("]")
                i += 1
        elif ch == " ":
            out.append(ws)
        elif ch == "~":
            out.append(sep)
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def check_bounded(regex: str) -> str | None:
    """Return a reason if ``regex`` has an unbounded quantifier, else None."""
    i = 0
    in_class = False
    while i < len(regex):
        ch = regex[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
            if regex[i + 1 : i + 2] == "^":
                i += 1
            if regex[i + 1 : i + 2] == "]":
                i += 1
        elif ch in "*+":
            return f"unbounded quantifier {ch!r} at {i}"
        elif ch == "{":
            m = re.match(r"\{(\d*),\}", regex[i:])
            if m:
                return f"unbounded quantifier {m.group(0)!r} at {i}"
        i += 1
    return None


class _Compiler:
    def __init__(self, data: dict[str, Any], source: str) -> None:
        self.source = source
        self.vocab: dict[str, dict[str, Any]] = data["vocab"]
        self.case_sensitive = {str(p).lower(): str(p) for p in data.get("case_sensitive", [])}
        self.placeholders: dict[str, dict[str, Any]] = data.get("placeholders", {})
        self._cache: dict[str, str] = {}
        self._starts: dict[str, set[str]] = {}

    # ---- the starts of matches, worked out on the short patterns as written, each
    # placeholder standing for the starts of its own pattern (so the expanded regexes,
    # thousands of characters each, are never parsed for this)

    def starts(self, pattern: str, k: int = PREFIX_LENGTH) -> frozenset[str] | None:
        """The normalised starts of a rule ``pattern`` (see ``Rule.prefixes``)."""
        try:
            return _finish(self._pattern_starts(pattern, k))
        except Exception:  # the private parser changed: the rule is tried everywhere
            return None

    def _pattern_starts(self, pattern: str, k: int) -> set[str]:
        from re import _parser  # type: ignore[attr-defined]

        marks: Marks = {}
        names: dict[str, int] = {}

        def mark(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in names:
                code = 0xE000 + len(names)
                names[name] = code
                marks[code] = functools.partial(self._placeholder_starts, name, k)
            return chr(names[name])

        text = _PLACEHOLDER.sub(mark, _spaces(pattern, ws=r"\ ", sep=SEP))
        return _firsts(_parser.parse(text, re.IGNORECASE), k, marks)

    def _placeholder_starts(self, name: str, k: int) -> set[str]:
        if name in self._starts:
            return self._starts[name]
        spec = self.placeholders.get(name)
        out: set[str] = set()
        if spec is not None and "regex" in spec:
            out = self._pattern_starts(str(spec["regex"]), k)
        else:
            tables = spec["vocab"] if spec is not None else [name]
            for t in tables:
                for phrase in self.vocab[t]:
                    p = str(phrase)
                    p = self.case_sensitive.get(p.lower(), p.lower())
                    out |= _phrase_starts(p, k)
        self._starts[name] = out
        return out

    def placeholder(self, name: str, where: str, depth: int = 0) -> str:
        if name in self._cache:
            return self._cache[name]
        if depth > 8:
            raise TimeRulesError(where, f"placeholder {name!r} nests too deeply")
        if name in self.placeholders:
            spec = self.placeholders[name]
            if "vocab" in spec:
                tables = []
                for t in spec["vocab"]:
                    if t not in self.vocab:
                        raise TimeRulesError(where, f"placeholder {name!r}: no vocabulary {t!r}")
                    tables.append(self.vocab[t])
                body = _vocab_regex(tables, self.case_sensitive)
            elif "regex" in spec:
                reason = check_bounded(_spaces(str(spec["regex"])))
                if reason:
                    raise TimeRulesError(
                        f"{self.source}: placeholder {name}",
                        reason + " (use a bounded {m,n} instead)",
                    )
                body = self.expand(str(spec["regex"]), where, capture=False, depth=depth + 1)
            else:
                raise TimeRulesError(where, f"placeholder {name!r} needs 'vocab' or 'regex'")
        elif name in self.vocab:
            body = _vocab_regex([self.vocab[name]], self.case_sensitive)
        else:
            raise TimeRulesError(where, f"unknown placeholder {{{name}}}")
        self._cache[name] = body
        return body

    def expand(self, pattern: str, where: str, *, capture: bool, depth: int = 0) -> str:
        seen: dict[str, int] = {}

        def sub(m: re.Match[str]) -> str:
            name, alias = m.group(1), m.group(2)
            body = self.placeholder(name, where, depth)
            if not capture:
                return f"(?:{body})"
            group = alias or name
            if group in seen:
                seen[group] += 1
                group = f"{group}{seen[group]}"
            else:
                seen[group] = 1
            return f"(?P<{group}>{body})"

        return _PLACEHOLDER.sub(sub, _spaces(pattern))


def _anchored_alternation(phrases: list[str], case_sensitive: dict[str, str], tail: str) -> str:
    """``phrases`` at a word start, as a trie (the longest phrase tried first), then ``tail``."""
    body = _vocab_regex([dict.fromkeys(phrases)], case_sensitive)
    return rf"(?<![\w])(?P<word>{body}){tail}"


def compile_rules(data: dict[str, Any], source: str = "<data>", *, check: bool = True) -> TimeRules:
    """Validate the parsed YAML ``data`` and compile it; raise ``TimeRulesError`` if invalid.

    ``check=False`` leaves each rule's pattern to be compiled on first use (see
    ``Rule.regex``) instead of now: for the packaged file, which the test suite compiles
    whole, so that a process does not pay at start-up for patterns it may never try.
    """
    if not isinstance(data, dict):
        raise TimeRulesError(source, "the file must hold a mapping")
    for key in ("vocab", "rules", "units", "parts", "placeholders", "tense"):
        if key not in data:
            raise TimeRulesError(source, f"missing top-level key {key!r}")
    for table, entries in data["vocab"].items():
        if not isinstance(entries, dict):
            raise TimeRulesError(f"{source}: vocab.{table}", "must map phrases to values")
        for phrase in entries:
            if not isinstance(phrase, str) or not phrase.strip():
                raise TimeRulesError(
                    f"{source}: vocab.{table}",
                    f"phrase {phrase!r} is not text (quote YAML words such as on/no/yes)",
                )
    comp = _Compiler(data, source)
    rules: list[Rule] = []
    names: set[str] = set()
    for order, spec in enumerate(data["rules"]):
        where = f"{source}: rules[{order}]"
        name = spec.get("name")
        if not name or name in names:
            raise TimeRulesError(where, f"missing or repeated rule name {name!r}")
        names.add(name)
        where = f"{source}: rule {name}"
        if spec.get("type") not in TYPES:
            raise TimeRulesError(where, f"type must be one of {', '.join(TYPES)}")
        if spec.get("resolve") not in RESOLVERS:
            raise TimeRulesError(where, f"unknown resolver {spec.get('resolve')!r}")
        pattern = str(spec.get("pattern", ""))
        reason = check_bounded(_spaces(pattern))
        if reason:
            raise TimeRulesError(where, reason + " (use a bounded {m,n} instead)")
        body = comp.expand(pattern, where, capture=True)
        if not body:
            raise TimeRulesError(where, "empty pattern")
        rule = Rule(
            name=name,
            source=LEFT_EDGE + "(?:" + body + ")" + RIGHT_EDGE,
            type=spec["type"],
            resolve=spec["resolve"],
            args=dict(spec.get("args") or {}),
            parts=bool(spec.get("parts", False)),
            mods=bool(spec.get("mods", False)),
            bounds=bool(spec.get("bounds", False)),
            order=order,
            prefixes=comp.starts(pattern),
            where=where,
        )
        rules.append(rule)

    units = data["units"]
    for unit, spec in units.items():
        if "code" not in spec:
            raise TimeRulesError(f"{source}: units.{unit}", "needs a duration 'code'")
    parts = data["parts"]
    for part, spec in parts.items():
        if not (0 <= float(spec.get("from", -1)) < float(spec.get("to", -1)) <= 1):
            raise TimeRulesError(f"{source}: parts.{part}", "needs 0 <= from < to <= 1")
    for word, part in data["vocab"].get("part_words", {}).items():
        if part not in parts:
            raise TimeRulesError(f"{source}: vocab.part_words.{word}", f"unknown part {part!r}")
    seasons = {k: (int(v[0]), int(v[1])) for k, v in data.get("seasons", {}).items()}
    for code in data["vocab"].get("seasons", {}).values():
        if code not in seasons:
            raise TimeRulesError(f"{source}: seasons", f"no months for season {code!r}")
    holidays = data.get("holiday_dates", {})
    for code in data["vocab"].get("holidays", {}).values():
        if code not in holidays:
            raise TimeRulesError(f"{source}: holiday_dates", f"no date for holiday {code!r}")

    tense = data["tense"]
    past_suffix = str(tense.get("past_suffix", ""))
    cs = comp.case_sensitive
    vocab = data["vocab"]
    part_prefix = _anchored_alternation(
        list(vocab["part_words"]), cs, r"(?:[ \t]{1,3}|[ \t]?-[ \t]?)\Z"
    )
    approx_prefix = _anchored_alternation(list(vocab["approx_words"]), cs, r"[ \t]{1,3}\Z")
    bound_prefix = _anchored_alternation(list(vocab["bound_words"]), cs, r"[ \t]{1,3}\Z")
    suffix = sorted(vocab["suffix_mods"], key=lambda p: (-len(p), p))
    suffix_mods = re.compile(
        r",?[ \t]{1,3}(?P<word>" + "|".join(_phrase_regex(p, False) for p in suffix) + r")(?![\w])",
        re.IGNORECASE,
    )
    lookup = {
        t: {normalise_phrase(str(k)): v for k, v in table.items()} for t, table in vocab.items()
    }
    index: dict[str, list[Rule]] = {}
    for rule in rules:
        for prefix in rule.prefixes or ():
            index.setdefault(prefix, []).append(rule)
    compiled = TimeRules(
        vocab=vocab,
        rules=tuple(rules),
        units=units,
        parts=parts,
        seasons=seasons,
        holidays=holidays,
        tense_window=int(tense.get("window", 120)),
        past_suffix=past_suffix,
        future_words=frozenset(
            normalise_phrase(str(c)) for c in tense["future"] if " " not in str(c).strip()
        ),
        cues=re.compile(
            r"(?<![\w])(?:(?P<future>"
            + _vocab_regex([dict.fromkeys(map(str, tense["future"]))], {})
            + ")|(?P<past>"
            + _vocab_regex([dict.fromkeys(map(str, tense["past"]))], {})
            + r"))(?![\w])"
        ),
        past_words=(
            re.compile(
                r"[a-z](?<![A-Za-z].)[a-z']{2,29}" + re.escape(past_suffix) + r"(?![A-Za-z'])"
            )
            if past_suffix
            else None
        ),
        reference_window=int(data.get("reference_window", 2000)),
        future_bounds=frozenset(normalise_phrase(str(w)) for w in tense.get("future_bounds", [])),
        past_perfect=(
            re.compile(
                _anchored_alternation(list(map(str, tense["past_perfect"])), {}, r"(?![\w])"),
                re.IGNORECASE,
            )
            if tense.get("past_perfect")
            else None
        ),
        weekday_parts_as_day=frozenset(map(str, data.get("weekday_parts_as_day", []))),
        quarter_window=int(data.get("quarter_window") or data.get("reference_window") or 2000),
        year_inference_days=int(data.get("year_inference_days", 240)),
        part_prefix=re.compile(part_prefix, re.IGNORECASE),
        approx_prefix=re.compile(approx_prefix, re.IGNORECASE),
        bound_prefix=re.compile(bound_prefix, re.IGNORECASE),
        suffix_mods=suffix_mods,
        relative_only_parts=frozenset(
            normalise_phrase(p) for p in data.get("relative_only_parts", [])
        ),
        source=source,
        lookup=lookup,
        last_words={
            table: frozenset(_LETTERS.findall(str(p).lower())[-1] for p in vocab[table])
            for table in ("part_words", "approx_words", "bound_words")
        },
        dispatch={k: tuple(v) for k, v in index.items()},
        prefix_lengths=tuple(sorted({len(k) for k in index})),
        everywhere=tuple(r for r in rules if r.prefixes is None),
        starts=_starts_regex(index) if index else None,
    )
    if check:
        compiled.compile_all()
    return compiled


def default_rules_path() -> Path:
    """The rule file shipped in the package."""
    return Path(str(resources.files("watchboard.extract").joinpath("data/time.yaml")))


def load_time_rules(path: str | Path | None = None) -> TimeRules:
    """Read, validate and compile a rule file (the packaged one by default); cached.

    The packaged file's patterns are compiled on first use; another file's are all
    compiled (and so checked) here.
    """
    if path is None:
        return _load(None)
    return _load(str(Path(path)))


@functools.lru_cache(maxsize=8)
def _load(path: str | None) -> TimeRules:
    file = Path(path) if path is not None else default_rules_path()
    try:
        text = file.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=_YamlLoader)
    except OSError as exc:
        raise TimeRulesError(str(file), f"cannot read the file ({exc})") from exc
    except yaml.YAMLError as exc:
        raise TimeRulesError(str(file), f"not valid YAML ({exc})") from exc
    return compile_rules(data, str(file), check=path is not None)


# libyaml's safe loader when PyYAML was built with it (ten times faster), else the Python one
_YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
