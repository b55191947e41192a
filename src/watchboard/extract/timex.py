"""Find and normalise temporal expressions (TIMEX3 type/value/mod plus an interval).

``find_times(text, dct=...)`` runs the surface patterns of ``extract/data/time.yaml`` over the
text, keeps the longest non-overlapping matches, widens them with fuzzy parts ("early",
"the end of"), approximations ("about", "more than") and suffixes ("or so"), and resolves each
one in text order against the document creation time (DCT) and the last time mentioned:

* calendar dates at any granularity ("26 December 2025", "Dec. 26", "Q3 2026", "the 1990s");
* names without a year (weekdays, months, quarters, seasons) by the tense around them
  ("reported on Friday" -> the Friday on or before the DCT; "will visit on Friday" -> the
  next one; no cue -> the most recent past or the same day, as news mostly reports);
* deictic and relative expressions (today, last month, two days later, a year ago, recently
  -> PAST_REF, now -> PRESENT_REF, the future -> FUTURE_REF);
* durations (P5Y, PT48H), sets (P1Y for "annually", XXXX-WXX-4 for "each Thursday"), times of
  day ("3 p.m." -> ...T15:00, "this morning" -> ...TMO);
* bounds ("by 2027" -> mod ON_OR_BEFORE, "since 1990" -> ON_OR_AFTER) with the bound word
  left outside the span, as TimeML keeps it a SIGNAL.

Without a DCT, relative expressions keep their TimeML unresolved form ("XXXX-XX-XX",
"XXXX-WXX-5") with ``anchored=False`` and no interval. Every pattern's quantifiers are
bounded, so the work per character is bounded too (no catastrophic backtracking).
"""

from __future__ import annotations

import functools
import logging
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from watchboard.extract.timex_calendar import (
    Period,
    easter,
    month_length,
    nth_weekday,
    part_interval,
    rank,
    safe_date,
)
from watchboard.extract.timex_rules import (
    PREFIX_LENGTH,
    Rule,
    TimeRules,
    TimeRulesError,
    load_time_rules,
    normalise_phrase,
    normalise_text,
)
from watchboard.model.extraction import Span, TimeExpression

__all__ = ["TimeRulesError", "find_times", "load_time_rules"]

log = logging.getLogger(__name__)

_SENTENCE_END = re.compile(r"[.!?][\"'’”)\]]{0,2}\s|\n[ \t]{0,8}\n")
_CLAUSE_END = re.compile(r"[,;:()\[\]\"“”]|''|``|--| _ ")
_NUMBER = re.compile(r"[0-9]{1,3}(?:,[0-9]{3}){0,3}(?:\.[0-9]{1,3})?")
_FRACTION = re.compile(r"([0-9]{1,3})[ \t]{1,3}([0-9])/([0-9])")
_MAX_PREFIX = 48  # characters looked at before a match for "the end of", "about" ...


# --------------------------------------------------------------------------- results


@dataclass
class _Res:
    """What a resolver found: TIMEX3 fields, the period it denotes and how it was anchored."""

    type: str
    value: str
    mod: str | None = None
    period: Period | None = None
    anchored: bool = True
    sets_ref: bool = False
    interval: tuple[date | None, date | None] | None = None
    granularity: str | None = None


@dataclass
class _Candidate:
    start: int
    end: int
    rule: Rule
    match: re.Match[str]
    part: str | None = None  # fuzzy part taken in front ("early", "end")
    part_word: str | None = None
    mod: str | None = None  # approx or suffix mod
    bound: str | None = None  # bound preposition's mod, outside the span
    bound_word: str | None = None

    def reset(self) -> None:
        """Back to the matched span, before any widening."""
        m = self.match
        core = self.rule.has_core and m.group("core")
        self.start, self.end = m.span("core") if core else m.span()
        self.part = self.part_word = self.mod = self.bound = self.bound_word = None


class _Context:
    """Per-document state: text, DCT, the last mentioned times (for anaphora)."""

    def __init__(
        self, text: str, dct: date | None, rules: TimeRules, norm: str | None = None
    ) -> None:
        self.text = text
        self.norm = norm  # the text normalised (see ``normalise_text``), when known
        self.dct = dct
        self.rules = rules
        self.ref: Period | None = None  # last explicit time mentioned
        self.ref_pos = -(10**9)
        self.quarter: Period | None = None  # last quarter mentioned
        self.quarter_pos = -(10**9)
        self.pos = 0
        self._cues: list[tuple[str, list[int], list[int], list[int], list[int]]] | None = None
        # the sentence and clause ends of the text: (starts, ends) of each, found once
        self._stops: tuple[tuple[list[int], list[int]], tuple[list[int], list[int]]] | None = None

    # the reference time for anaphora: the last mention if recent enough, else the DCT
    def recent_ref(self) -> Period | None:
        if self.ref is not None and self.pos - self.ref_pos <= self.rules.reference_window:
            return self.ref
        return None

    def anchor_day(self) -> date | None:
        ref = self.recent_ref()
        if ref is not None and ref.gran == "day":
            return ref.start
        return self.dct

    def remember(self, period: Period, pos: int) -> None:
        self.ref, self.ref_pos = period, pos
        if period.gran == "quarter" and (self.dct is None or period.start <= self.dct):
            # a quarter yet to begin is the subject of forecasts, not of the results reported
            # (fiscal quarters need not match calendar ones: one holding the DCT may be over)
            self.quarter, self.quarter_pos = period, pos

    def recent_quarter(self) -> Period | None:
        if self.quarter is not None and self.pos - self.quarter_pos <= self.rules.quarter_window:
            return self.quarter
        return None

    def tense_of(self, cand: _Candidate) -> str | None:
        """The tense around a match; "future" after a deadline word ("by Friday", "until
        August": ``tense.future_bounds``), which looks ahead whatever the verb's tense,
        unless the sentence is in the past perfect ("had filed by Wednesday")."""
        if cand.bound_word is not None and cand.bound_word in self.rules.future_bounds:
            lo, _, _, hi = self._bounds(cand.start, cand.end)
            perfect = self.rules.past_perfect
            if perfect is not None and perfect.search(self.text, lo, hi):
                return "past"
            return "future"
        return self.tense(cand.start, cand.end)

    def _bounds(self, start: int, end: int) -> tuple[int, int, int, int]:
        """The sentence (``lo``, ``hi``) and clause (``clause_lo``, ``clause_hi``) around
        ``start..end``, at most ``tense_window`` characters each side."""
        if self._stops is None:
            self._stops = (_spans(_SENTENCE_END, self.text), _spans(_CLAUSE_END, self.text))
        (s_starts, s_ends), (c_starts, c_ends) = self._stops
        w = self.rules.tense_window
        lo = max(0, start - w)
        j = bisect_right(s_ends, start) - 1  # the last sentence end before the expression
        if j >= 0 and s_starts[j] >= lo:
            lo = s_ends[j]
        hi = min(len(self.text), end + w)
        j = bisect_left(s_starts, end)  # the first one after it
        if j < len(s_starts) and s_ends[j] <= hi:
            hi = s_starts[j] + 1
        clause_lo = lo
        j = bisect_right(c_ends, start) - 1
        if j >= 0 and c_starts[j] >= lo:
            clause_lo = c_ends[j]
        clause_hi = hi
        j = bisect_left(c_starts, end)
        if j < len(c_starts) and c_ends[j] <= hi:
            clause_hi = c_starts[j]
        return lo, clause_lo, clause_hi, hi

    def tense(self, start: int, end: int) -> str | None:
        """'future', 'past' or None from the nearest tense cue around ``start..end``.

        Cues in the same clause (between commas, brackets, quotes) come first; then the rest
        of the sentence (at most ``tense_window`` characters each side). The nearest cue
        wins, a future cue at equal distance.
        """
        lo, clause_lo, clause_hi, hi = self._bounds(start, end)
        return self._nearest_cue(clause_lo, start, end, clause_hi) or self._nearest_cue(
            lo, start, end, hi
        )

    def _cue_spans(self) -> list[tuple[str, list[int], list[int], list[int], list[int]]]:
        """Every tense cue in the text, found once per document (on the first question).

        Per kind ("future" first: it wins at equal distance), the cues' starts and ends,
        sorted by end and again by start. A cue is a listed word or phrase standing alone
        (no letter or digit joined to it) or, for the past, a lower-case word
        ending in the past suffix ("reported"), unless it is a future cue ("expected").
        """
        if self._cues is None:
            if self.norm is None:
                self.norm = normalise_text(self.text)
            self._cues = _find_cues(self.text, self.norm, self.rules)
        return self._cues

    def _nearest_cue(self, lo: int, start: int, end: int, hi: int) -> str | None:
        """The tense of the cue nearest ``start..end`` lying within ``lo..start`` or
        ``end..hi`` (on the left the distance to its end, on the right from its start)."""
        best: tuple[int, int, str] | None = None  # (distance, priority, tense)
        for prio, (kind, ends, end_starts, starts, start_ends) in enumerate(self._cue_spans()):
            j = bisect_right(ends, start) - 1  # the cue ending last before the expression
            if j >= 0 and end_starts[j] >= lo:
                cand = (start - ends[j], prio, kind)
                if best is None or cand < best:
                    best = cand
            j = bisect_left(starts, end)  # the first cue starting after it
            if j < len(starts) and start_ends[j] <= hi:
                cand = (starts[j] - end, prio, kind)
                if best is None or cand < best:
                    best = cand
        return best[2] if best else None


def _spans(regex: re.Pattern[str], text: str) -> tuple[list[int], list[int]]:
    """The starts and the ends of the (non-overlapping) matches of ``regex`` in ``text``."""
    starts: list[int] = []
    ends: list[int] = []
    for m in regex.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
    return starts, ends


def _find_cues(
    text: str, norm: str, rules: TimeRules
) -> list[tuple[str, list[int], list[int], list[int], list[int]]]:
    """The tense cues of ``text`` (``norm``: the same normalised, see ``normalise_text``),
    as ``_Context._cue_spans`` gives them: per kind, the ends with the starts in the same
    order, and the starts with the ends in the same order."""
    future_s: list[int] = []
    future_e: list[int] = []
    past: list[tuple[int, int]] = []
    for m in rules.cues.finditer(norm):
        if m.lastgroup == "future":
            future_s.append(m.start())
            future_e.append(m.end())
        else:
            past.append(m.span())
    if rules.past_words is not None:
        future_words = rules.future_words
        extra = [m.span() for m in rules.past_words.finditer(text)]
        extra = [se for se in extra if norm[se[0] : se[1]] not in future_words]
        if extra:
            past = sorted(set(past + extra))
    by_end = sorted(past, key=lambda se: (se[1], se[0]))
    return [
        ("future", future_e, future_s, future_s, future_e),
        (
            "past",
            [e for _, e in by_end],
            [s for s, _ in by_end],
            [s for s, _ in past],
            [e for _, e in past],
        ),
    ]


# --------------------------------------------------------------------------- helpers


def _groups(match: re.Match[str]) -> dict[str, list[str]]:
    """Named groups that matched, by base name (``year2`` is read as ``year``)."""
    out: dict[str, list[str]] = {}
    values = match.groups()
    for index, base in _group_bases(match.re):
        val = values[index]
        if val is not None:
            if base in out:
                out[base].append(val)
            else:
                out[base] = [val]
    return out


@functools.lru_cache(maxsize=256)
def _group_bases(regex: re.Pattern[str]) -> tuple[tuple[int, str], ...]:
    """(index in ``groups()``, base name) of each named group of ``regex``, in order."""
    return tuple(
        (index - 1, name.rstrip("0123456789") or name)
        for name, index in sorted(regex.groupindex.items(), key=lambda ni: ni[1])
    )


def _first(g: dict[str, list[str]], name: str) -> str | None:
    vals = g.get(name)
    return vals[0] if vals else None


def _last(g: dict[str, list[str]], name: str) -> str | None:
    vals = g.get(name)
    return vals[-1] if vals else None


def parse_number(text: str, rules: TimeRules) -> float | None:
    """A number written in digits, with a fraction, or in words; None if unknown ("a few")."""
    t = normalise_phrase(text).replace("-", " ")
    if not t:
        return None
    fm = _FRACTION.fullmatch(t)
    if fm:
        return int(fm.group(1)) + int(fm.group(2)) / int(fm.group(3))
    if _NUMBER.fullmatch(t):
        return float(t.replace(",", ""))
    if t in ("a", "an", "one"):
        return 1.0
    for table in ("approx_numbers",):
        v = rules.value(table, t)
        if v is not None:
            return float(v)
    if rules.value("vague_numbers", t) is not None:
        return None
    if t.startswith(("a ", "an ")):
        t = "one " + t.split(" ", 1)[1]
    half = 0.0
    if t.endswith(" and a half"):
        half = 0.5
        t = t[: -len(" and a half")]
    total = 0
    current = 0
    for word in t.split():
        if word == "and":
            continue
        v = (
            rules.value("units_words", word)
            or rules.value("teens_words", word)
            or rules.value("tens_words", word)
        )
        if v is None and word in ("zero",):
            v = 0
        if v is not None:
            current += int(v)
            continue
        scale = rules.value("scale_words", word)
        if scale is None:
            return None
        scale = int(scale)
        if scale >= 1000:
            total += max(current, 1) * scale
            current = 0
        else:
            current = max(current, 1) * scale
    return float(total + current) + half


def _format_duration(n: float | None, unit: str, rules: TimeRules) -> str:
    """TIMEX3 duration: 5 year -> P5Y, 48 hour -> PT48H, 2.5 year -> P2Y6M, None -> PXY."""
    spec = rules.units.get(unit) or rules.units["day"]
    code, factor, is_time = spec["code"], int(spec.get("factor", 1)), bool(spec.get("time"))
    prefix = "PT" if is_time else "P"
    if n is None:
        vague = spec.get("vague_code", code)
        return f"{prefix}X{vague}"
    n = n * factor
    whole = int(n)
    frac = n - whole
    if frac > 1e-9 and spec.get("smaller"):
        smaller = rules.units[spec["smaller"]]
        extra = round(frac * int(spec.get("ratio", 1)))
        extra_code = smaller["code"]
        if smaller.get("time") and not is_time:
            head = f"P{whole}{code}" if whole else "P"
            return f"{head}T{extra}{extra_code}"
        head = f"{whole}{code}" if whole else ""
        return f"{prefix}{head}{extra}{extra_code}"
    if frac > 1e-9:
        return f"{prefix}{n:g}{code}"
    return f"{prefix}{whole}{code}"


def _unresolved(gran: str) -> str:
    return {
        "day": "XXXX-XX-XX",
        "weekend": "XXXX-WXX-WE",
        "week": "XXXX-WXX",
        "month": "XXXX-XX",
        "quarter": "XXXX-QX",
        "half": "XXXX-HX",
        "season": "XXXX-XX",
        "year": "XXXX",
        "decade": "XXX",
        "century": "XX",
    }.get(gran, "XXXX-XX-XX")


def _year_from_two_digits(yy: int, dct: date | None) -> int:
    base = (dct.year if dct else 2000) // 100 * 100
    year = base + yy
    if dct and year > dct.year + 10:
        year -= 100
    return year


def _dated(period: Period, **kw: Any) -> _Res:
    return _Res(type=kw.pop("type", "DATE"), value=period.value, period=period, **kw)


# --------------------------------------------------------------------------- resolvers

Resolver = Callable[[dict[str, list[str]], _Candidate, _Context], "_Res | None"]


def _infer_year(
    ctx: _Context,
    cand: _Candidate,
    make: Callable[[int], Period],
    rel: str | None,
    *,
    future_tense: bool = True,
) -> int | None:
    """Year of a name without one (a month, a day, a quarter, a season, a holiday).

    "last"/"next" take the nearest occurrence strictly before/after the DCT; otherwise the
    occurrence nearest to the DCT, unless the tense around the expression points the other
    way and an occurrence on that side lies within ``year_inference_days`` of the DCT
    ("set a record on Aug. 6" in February is last August; "payable Dec. 7" in October, this
    December, even after a past-tense verb). ``future_tense=False`` ignores a future tense:
    results for a quarter are announced after it ("expects to report third-quarter net").
    """
    dct = ctx.dct
    if dct is None:
        return None
    if rel in ("this", "that", "latest"):
        return dct.year
    # (year, first day, first day after, signed distance in days from the DCT: 0 when the
    # period holds the DCT, negative before it)
    options: list[tuple[int, date, date, int]] = []
    for y in (dct.year - 1, dct.year, dct.year + 1):
        try:
            p = make(y)
            first, after = p.start, p.end
        except ValueError:
            continue
        if first <= dct < after:
            dist = 0
        elif after <= dct:
            dist = -((dct - after).days + 1)
        else:
            dist = (first - dct).days
        options.append((y, first, after, dist))
    if not options:
        return None
    if rel == "last":
        before = [o for o in options if o[2] <= dct]
        return before[-1][0] if before else options[0][0] - 1
    if rel == "next":
        later = [o for o in options if o[1] > dct]
        return later[0][0] if later else options[-1][0] + 1
    nearest = min(options, key=lambda o: (abs(o[3]), -o[0]))
    if nearest[3] == 0:
        return nearest[0]  # the DCT falls in it: the tense cannot point elsewhere
    tense = ctx.tense_of(cand)
    limit = ctx.rules.year_inference_days
    if tense == "past":
        past = [o for o in options if o[3] <= 0]
        if past and -past[-1][3] <= limit:
            return past[-1][0]
    elif tense == "future" and future_tense:
        future = [o for o in options if o[3] >= 0]
        if future and future[0][3] <= limit:
            return future[0][0]
    return nearest[0]


def _explicit_year(g: dict[str, list[str]], ctx: _Context) -> int | None:
    rules = ctx.rules
    y = _last(g, "year")
    if y:
        return int(y)
    y = _last(g, "yearnum")
    if y:
        return int(y) if len(y) == 4 else _year_from_two_digits(int(y), ctx.dct)
    y = _last(g, "yearword")
    if y:
        n = _spoken_year(y, rules)
        if n:
            return n
    y = _last(g, "yearapos")
    if y:
        return _year_from_two_digits(int(y[-2:]), ctx.dct)
    shift = _last(g, "yearshift")
    if shift and ctx.dct:
        return ctx.dct.year + {"this": 0, "last": -1, "next": 1}[shift.lower()]
    yrel = _last(g, "yrel")
    if yrel and ctx.dct:
        v = rules.value("year_relatives", yrel)
        if v is not None and normalise_phrase(yrel) not in ("its", "the"):
            return ctx.dct.year + int(v)
    return None


def _spoken_year(text: str, rules: TimeRules) -> int | None:
    words = normalise_phrase(text).replace("-", " ").split()
    if not words:
        return None
    if words[0] == "two" and len(words) > 1 and words[1] == "thousand":
        rest = [w for w in words[2:] if w != "and"]
        n = parse_number(" ".join(rest), rules) if rest else 0
        return 2000 + int(n or 0)
    head = parse_number(words[0], rules)
    if head is None:
        return None
    tail = [w for w in words[1:] if w != "oh"]
    if tail == ["hundred"]:
        return int(head) * 100
    n = parse_number(" ".join(tail), rules)
    if n is None:
        return None
    return int(head) * 100 + int(n)


def _resolve_calendar(g: dict[str, list[str]], cand: _Candidate, ctx: _Context) -> _Res | None:
    rules = ctx.rules
    rel_word = _first(g, "rel")
    rel = rules.value("relatives", rel_word) if rel_word else None
    year = _explicit_year(g, ctx)
    dct = ctx.dct

    # decades and centuries
    for key in ("decade", "decadeapos", "decadeword"):
        v = _first(g, key)
        if v is None:
            continue
        if key == "decade":
            start = int(re.sub(r"\D", "", v))
        else:
            digit = (
                int(rules.value("decade_words", v))
                if key == "decadeword"
                else int(re.sub(r"\D", "", v)[0])
            )
            base = (dct.year if dct else 1900) // 100 * 100
            start = base + digit * 10
            if dct and start > dct.year:
                start -= 100
            if dct is None and key != "decade":
                return _Res(type="DATE", value=f"XX{digit}", anchored=False)
        return _dated(Period("decade", date(max(start, 1), 1, 1)), sets_ref=False)
    v = _first(g, "century")
    if v is not None:
        n = rules.value("ordinals", v)
        c = int(n) if n is not None else int(re.sub(r"\D", "", v))
        if not 1 <= c <= 30:
            return None
        return _dated(Period("century", date(max((c - 1) * 100, 1), 1, 1)))

    # holidays
    hol = _first(g, "holiday")
    if hol is not None:
        code = rules.value("holidays", hol)
        spec = rules.holidays[code]
        wrel = None
        low = cand.match.group(0).lower()
        for w in ("last", "next", "this"):
            if low.startswith(w + " "):
                wrel = w

        def holiday_date(y: int) -> date:
            if "easter" in spec:
                return easter(y) + timedelta(days=int(spec["easter"]))
            if "weekday" in spec:
                d = nth_weekday(y, int(spec["month"]), int(spec["weekday"]), int(spec["nth"]))
                if spec.get("after_first_monday"):
                    d = nth_weekday(y, int(spec["month"]), 1, 1) + timedelta(days=1)
                return d
            return date(y, int(spec["month"]), int(spec["day"]))

        if year is None:
            if dct is None:
                if "month" in spec and "day" in spec:
                    return _Res(
                        "DATE",
                        f"XXXX-{int(spec['month']):02d}-{int(spec['day']):02d}",
                        anchored=False,
                    )
                return _Res("DATE", "XXXX-XX-XX", anchored=False)
            year = (
                _infer_year(ctx, cand, lambda y: Period("day", holiday_date(y)), wrel) or dct.year
            )
        return _dated(Period("day", holiday_date(year)), sets_ref=True)

    # quarters and halves
    q = _first(g, "qord") or _first(g, "quarter")
    if q is not None:
        q_value = rules.value("quarter_ordinals", q) if _first(g, "qord") else int(q)
        if q_value is None:
            return None
        qn = int(q_value)
        if rel == "year_earlier":
            ref = ctx.recent_ref()
            ref_year = ref.year if ref else (dct.year if dct else None)
            if ref_year is None:
                return _Res("DATE", f"XXXX-Q{qn}", anchored=False)
            return _dated(Period("quarter", date(ref_year - 1, 3 * qn - 2, 1)))
        if year is None:
            year = _infer_year(
                ctx,
                cand,
                lambda y: Period("quarter", date(y, 3 * qn - 2, 1)),
                rel,
                future_tense=False,
            )
        if year is None:
            return _Res("DATE", f"XXXX-Q{qn}", anchored=False)
        text = cand.match.group(0).lower()
        if re.search(r"quarters\b", text) and not re.search(r"\d", text):
            return _Res("SET", f"XXXX-Q{qn}")
        return _dated(Period("quarter", date(year, 3 * qn - 2, 1)), sets_ref=True)
    h = _first(g, "hord") or _first(g, "half")
    if h is not None:
        hn = rules.value("half_ordinals", h) if _first(g, "hord") else int(h)
        if hn is None:
            return None
        if year is None:
            year = _infer_year(
                ctx, cand, lambda y: Period("half", date(y, 6 * int(hn) - 5, 1)), rel
            )
        if year is None:
            return _Res("DATE", f"XXXX-H{hn}", anchored=False)
        return _dated(Period("half", date(year, 6 * int(hn) - 5, 1)), sets_ref=True)

    # seasons
    s = _first(g, "season")
    if s is not None:
        code = rules.value("seasons", s) or rules.value("seasons_ambiguous", s)
        months = rules.seasons[code]
        if year is None:
            if dct is None:
                return _Res("DATE", f"XXXX-{code}", anchored=False)
            year = _infer_year(ctx, cand, lambda y: Period.of_season(y, code, months), rel)
            if year is None:
                return None
        return _dated(Period.of_season(year, code, months), sets_ref=True)

    # months and days
    month_word = _first(g, "month") or _first(g, "monthname")
    month = (
        rules.value("month_names", month_word) or rules.value("month_abbreviations", month_word)
        if month_word
        else None
    )
    if month is None and _first(g, "monthnum"):
        month = int(_first(g, "monthnum") or 0)
    day: int | None = None
    if _first(g, "day"):
        day = int(re.sub(r"\D", "", _first(g, "day") or ""))
    elif _first(g, "daynum"):
        day = int(_first(g, "daynum") or 0)
    elif _first(g, "dayord"):
        d = rules.value("ordinals", _first(g, "dayord") or "")
        if d is None or int(d) < 1:
            return None
        day = int(d)
    if month is not None:
        month = int(month)
        if day is not None:
            if not 1 <= day <= 31:
                return None
            if year is None:
                if dct is None:
                    if day > 29 and (month == 2 or day > month_length(2001, month)):
                        return None
                    return _Res("DATE", f"XXXX-{month:02d}-{day:02d}", anchored=False)
                year = _infer_year(
                    ctx, cand, lambda y: Period("day", safe_date(y, month, day)), rel
                )
                if year is None:
                    return None
            try:
                d = safe_date(year, month, day)
            except ValueError:
                return None
            return _dated(Period("day", d), sets_ref=True)
        if year is None:
            if dct is None:
                return _Res("DATE", f"XXXX-{month:02d}", anchored=False)
            year = _infer_year(ctx, cand, lambda y: Period("month", date(y, month, 1)), rel)
            if year is None:
                return None
        return _dated(Period("month", date(year, month, 1)), sets_ref=True)
    if year is not None:
        if not 1 <= year <= 9999:
            return None
        return _dated(Period("year", date(year, 1, 1)), sets_ref=True)
    return None


def _resolve_weekday(g: dict[str, list[str]], cand: _Candidate, ctx: _Context) -> _Res | None:
    rules = ctx.rules
    tod_word = _first(g, "tod")
    tod = rules.value("parts_of_day", tod_word) if tod_word else None
    if tod in rules.weekday_parts_as_day:
        tod = None  # "Friday night": the day (see ``weekday_parts_as_day`` in the rule file)
    day: date | None
    if _first(g, "month") and _first(g, "day"):
        # "the night of (Friday,) Oct. 23": the date named
        dated = _resolve_calendar(g, cand, ctx)
        if dated is None or dated.period is None or not tod:
            return dated
        day = dated.period.start
        return _Res("TIME", f"{day.isoformat()}T{tod}", period=Period("day", day), sets_ref=True)
    wd = rules.value("weekday_names", _first(g, "weekday") or "")
    if wd is None:
        return None
    wd = int(wd)
    rel = normalise_phrase(_first(g, "wrel") or "")
    day = _weekday_date(wd, rel, cand, ctx)
    if day is None:
        value = f"XXXX-WXX-{wd}" + (f"T{tod}" if tod else "")
        return _Res("TIME" if tod else "DATE", value, anchored=False)
    period = Period("day", day)
    if tod:
        return _Res("TIME", f"{day.isoformat()}T{tod}", period=period, sets_ref=True)
    return _dated(period, sets_ref=True)


def _weekday_date(wd: int, rel: str, cand: _Candidate, ctx: _Context) -> date | None:
    anchor = ctx.anchor_day() if rel in ("that", "the previous", "the following") else ctx.dct
    if anchor is None:
        return None
    delta = wd - anchor.isoweekday()  # -6..6
    back = anchor - timedelta(days=(-delta) % 7 or (7 if rel else 0))
    forward = anchor + timedelta(days=delta % 7 or (7 if rel else 0))
    if rel in ("last", "this past", "the previous"):
        return back if back < anchor else back - timedelta(days=7)
    if rel in ("next", "this coming", "the following"):
        return forward if forward > anchor else forward + timedelta(days=7)
    if delta == 0:
        return anchor
    tense = ctx.tense_of(cand)
    if rel == "this":
        return forward if tense == "future" or (tense is None and delta > 0) else back
    return forward if tense == "future" else back


def _resolve_deictic(g: dict[str, list[str]], cand: _Candidate, ctx: _Context) -> _Res | None:
    rules = ctx.rules
    word = _first(g, "deictic")
    shift, part = 0, None
    if word is not None:
        spec = rules.value("deictic_days", word)
        if spec is None:
            return None
        shift, part = int(spec.get("shift", 0)), spec.get("part")
    else:
        dword = normalise_phrase(_first(g, "dword") or _first(g, "trel") or "")
        shift = {"yesterday": -1, "today": 0, "tomorrow": 1, "last": -1, "this": 0}.get(dword, 0)
        tod_word = _first(g, "tod")
        part = rules.value("parts_of_day", tod_word) if tod_word else "NI"
        if dword == "last" and part in ("MO", "AF"):
            shift = -1
    if ctx.dct is None:
        return _Res(
            "TIME" if part else "DATE", "XXXX-XX-XX" + (f"T{part}" if part else ""), anchored=False
        )
    day = ctx.dct + timedelta(days=shift)
    period = Period("day", day)
    if part:
        return _Res("TIME", f"{day.isoformat()}T{part}", period=period, sets_ref=True)
    return _dated(period, sets_ref=True)


def _resolve_anaphor(g: dict[str, list[str]], cand: _Candidate, ctx: _Context) -> _Res | None:
    rules = ctx.rules
    tod_word = _first(g, "tod")
    if tod_word is not None:
        part = rules.value("parts_of_day", tod_word)
        anchor = ctx.anchor_day()
        trel = normalise_phrase(_first(g, "trel") or "")
        if anchor is None:
            return _Res("TIME", f"XXXX-XX-XXT{part}", anchored=False)
        shift = {"next": 1, "following": 1, "previous": -1}.get(trel, 0)
        day = anchor + timedelta(days=shift)
        return _Res("TIME", f"{day.isoformat()}T{part}", period=Period("day", day))
    unit = rules.value("calendar_units", _first(g, "calunit") or "")
    if unit is None:
        return None
    if unit in ("week", "month", "year") and not _same_sentence(ctx, ctx.ref_pos, cand.start):
        # "the year", "for the week": the current one in news, unless a time was just named
        return _relative_unit(unit, "this", ctx, cand)
    return _relative_unit(unit, "that", ctx, cand)


def _same_sentence(ctx: _Context, a: int, b: int) -> bool:
    """Whether offsets ``a`` <= ``b`` lie in the same sentence (no sentence end between)."""
    if a < 0 or b - a > ctx.rules.tense_window * 2:
        return False
    return _SENTENCE_END.search(ctx.text, a, b) is None


def _weekend(ctx: _Context, cand: _Candidate) -> _Res:
    """ "the weekend": the one before the DCT, or after it when the tense is future."""
    day = _weekday_date(6, "", cand, ctx)
    if day is None:
        return _Res("DATE", "XXXX-WXX-WE", anchored=False)
    return _dated(Period.containing("weekend", day), sets_ref=True)


def _relative_unit(unit: str, rel: str, ctx: _Context, cand: _Candidate) -> _Res | None:
    """this/last/next/previous/following/that + a calendar unit."""
    gran = unit
    if unit == "weekend" and rel == "that":
        return _weekend(ctx, cand)
    if rel in ("previous", "following", "that", "year_earlier"):
        ref = ctx.recent_ref()
        if unit == "quarter":
            ref = ctx.recent_quarter() or ref
        if ref is not None and rank(ref.gran) <= rank(gran):
            base = (
                ref.coarsen(gran) if gran != "weekend" else Period.containing("weekend", ref.start)
            )
        elif ctx.dct is not None:
            base = Period.containing(gran, ctx.dct)
            if unit == "quarter" and rel == "that":
                base = base.shift(-1, "quarter")
        else:
            return _Res("DATE", _unresolved(gran), anchored=False)
        if rel == "year_earlier":
            return _dated(base.shift(-1, "year"))
        n = {"previous": -1, "following": 1}.get(rel, 0)
        return _dated(base.shift(n, gran) if n else base, sets_ref=n != 0)
    if rel == "latest":
        # "the latest quarter": the last one completed before the DCT, the one being reported
        if ctx.dct is None:
            return _Res("DATE", _unresolved(gran), anchored=False)
        return _dated(Period.containing(gran, ctx.dct).shift(-1, gran), sets_ref=True)
    if ctx.dct is None:
        return _Res("DATE", _unresolved(gran), anchored=False)
    base = Period.containing(gran, ctx.dct)
    n = {"last": -1, "next": 1}.get(rel, 0)
    if gran == "weekend":
        # the weekend of the DCT's week is "this weekend"; before it on a weekday, "last"
        # weekend is the one before the DCT, "next" the one after
        sat = base.start
        if rel == "last":
            p = base if sat + timedelta(days=1) < ctx.dct else base.shift(-1, "week")
            return _dated(p, sets_ref=True)
        if rel == "next":
            p = base if sat > ctx.dct else base.shift(1, "week")
            return _dated(p, sets_ref=True)
        return _dated(base, sets_ref=True)
    return _dated(base.shift(n, gran) if n else base, sets_ref=True)


def _resolve_relative(g: dict[str, list[str]], cand: _Candidate, ctx: _Context) -> _Res | None:
    rules = ctx.rules
    rel = rules.value("relatives", _first(g, "rel") or "")
    if rel is None:
        return None
    unit = rules.value("calendar_units", _first(g, "calunit") or "")
    if unit is None:
        # "{rel} quarter/period": a quarter
        text = cand.match.group(0).lower()
        unit = "quarter"
        q = _first(g, "qord")
        if q is not None:
            return _resolve_calendar(g, cand, ctx)
        if "period" in text:
            return _resolve_period(g, cand, ctx)
    return _relative_unit(unit, rel, ctx, cand)


def _resolve_year_earlier(g: dict[str, list[str]], cand: _Candidate, ctx: _Context) -> _Res | None:
    """ "the year-earlier period", "year-ago": the period under report, a year before.

    The period under report is the last quarter mentioned, else the last time mentioned,
    else (financial news reports the quarter just closed) the quarter before the DCT's.
    """
    ref = ctx.recent_quarter() or ctx.recent_ref()
    if ref is not None and ref.gran in ("quarter", "half", "month", "year", "day"):
        return _dated(ref.shift(-1, "year"))
    if ctx.dct is None:
        return _Res("DATE", "XXXX", anchored=False)
    latest = Period.containing("quarter", ctx.dct).shift(-1, "quarter")
    return _dated(latest.shift(-1, "year"))


def _resolve_period(g: dict[str, list[str]], cand: _Candidate, ctx: _Context) -> _Res | None:
    rules = ctx.rules
    rel = rules.value("relatives", _first(g, "rel") or "")
    ref = ctx.recent_quarter()
    year = _first(g, "year")
    if ref is not None and year:
        try:
            return _dated(ref.shift(int(year) - ref.year, "year"))
        except ValueError:
            return None
    if rel == "year_earlier":
        return _resolve_year_earlier(g, cand, ctx)
    if ref is not None:
        return _dated(ref)
    if ctx.dct is None:
        return _Res("DATE", "XXXX-QX", anchored=False)
    latest = Period.containing("quarter", ctx.dct).shift(-1, "quarter")
    if year:
        try:
            return _dated(latest.shift(int(year) - latest.year, "year"))
        except ValueError:
            return None
    return _dated(latest)


def _resolve_period_ended(g: dict[str, list[str]], cand: _Candidate, ctx: _Context) -> _Res | None:
    unit = normalise_phrase(_first(g, "yunit") or "year")
    if unit == "year":
        return _Res("DURATION", "P1Y")
    if unit == "quarter":
        month_word = _first(g, "month")
        if month_word and _first(g, "day"):
            # "the quarter ended Sept. 30": the calendar quarter holding most of the three
            # months that end on that date (fiscal quarters need not match calendar ones)
            end = _resolve_calendar(g, cand, ctx)
            if end is not None and end.period is not None:
                q = Period.containing("quarter", end.period.start - timedelta(days=45))
                return _dated(q, sets_ref=True)
        return _resolve_period(g, cand, ctx)
    n = parse_number(unit.split()[0], ctx.rules)
    return _Res("DURATION", _format_duration(n, "month", ctx.rules))


def _resolve_year_end(g: dict[str, list[str]], cand: _Candidate, ctx: _Context) -> _Res | None:
    """ "year end", "the year's end": the year, mod END; with ``args.day`` ("year-end") the
    last day of the year. Without "this/last/next", the current year, or the one before
    after "since"/"after" (a bound that can only look back)."""
    text = cand.match.group(0).lower()
    as_day = bool(cand.rule.args.get("day"))
    if ctx.dct is None:
        if as_day:
            return _Res("DATE", "XXXX-12-31", anchored=False)
        return _Res("DATE", "XXXX", mod="END", anchored=False)
    shift = -1 if "last" in text else 1 if "next" in text else 0
    if shift == 0 and "this" not in text and cand.bound in ("ON_OR_AFTER", "AFTER"):
        shift = -1
    year = ctx.dct.year + shift
    if as_day:
        return _dated(Period("day", date(year, 12, 31)))
    period = Period("year", date(year, 1, 1))
    end = ctx.rules.parts.get("end", {"from": 0.6667, "to": 1})
    interval = part_interval(period, float(end["from"]), float(end["to"]))
    return _dated(period, mod="END", interval=interval)


def _resolve_offset(g: dict[str, list[str]], cand: _Candidate, ctx: _Context) -> _Res | None:
    rules = ctx.rules
    text = cand.match.group(0)
    dayrel = _first(g, "dayrel")
    if dayrel is not None:
        # "the day before Tuesday", "the day after yesterday"
        wd_word = _first(g, "weekday")
        anchor: date | None
        if wd_word:
            wd = int(rules.value("weekday_names", wd_word))
            rel = (
                "last"
                if re.search(r"\blast\b", text, re.I)
                else ("next" if re.search(r"\bnext\b", text, re.I) else "")
            )
            anchor = _weekday_date(wd, rel, cand, ctx)
        else:
            anchor = ctx.dct - timedelta(days=1) if ctx.dct else None
        if anchor is None:
            return _Res("DATE", "XXXX-XX-XX", anchored=False)
        d = anchor + timedelta(days=-1 if dayrel.lower() == "before" else 1)
        return _dated(Period("day", d))
    unit_word = _first(g, "unit") or _first(g, "unknown")
    unit = rules.value("unit_singular", unit_word or "") or rules.value(
        "unit_plural", unit_word or ""
    )
    if unit is None:
        return None
    off_word = _first(g, "offset") or ""
    off = rules.value("offsets", off_word) or rules.value("offsets_final", off_word)
    if off is None:
        return None
    sign, frm = int(off["sign"]), off["from"]
    num_text = _first(g, "number")
    n = parse_number(num_text, rules) if num_text else None
    if n is None or _first(g, "vague") or _first(g, "unknown"):
        # "years ago", "a few days later": an unknown distance
        if unit in ("second", "minute", "hour") or frm == "ref":
            return _Res("DURATION", _format_duration(None, unit, rules))
        return _Res("DATE", "PAST_REF" if sign < 0 else "FUTURE_REF")
    if unit in ("second", "minute", "hour") or n != int(n):
        return _Res("DURATION", _format_duration(n, unit, rules))
    spec = rules.units[unit]
    gran = spec.get("gran", "day")
    steps = int(n) * int(spec.get("factor", 1))
    step_unit = {"decade": "year", "century": "year", "fortnight": "week", "night": "day"}.get(
        unit, unit
    )
    if unit in ("decade", "century"):
        steps, gran = int(n) * (10 if unit == "decade" else 100), "year"
    if unit == "fortnight":
        steps, gran = int(n) * 2, "week"
    if unit == "night":
        gran = "day"
    ref = ctx.recent_ref()
    base: Period | None = None
    quarter = ctx.recent_quarter()
    if unit == "year" and steps == 1 and quarter is not None:
        # "a year earlier/ago" in a report on a quarter: the same quarter a year before
        base = quarter
    elif frm == "ref" and ref is not None and rank(ref.gran) <= rank(gran):
        base = ref.coarsen(gran)
    elif ctx.dct is not None:
        base = Period.containing(gran, ctx.dct)
    if base is None:
        return _Res("DATE", _unresolved(gran), anchored=False)
    try:
        period = base.shift(sign * steps, step_unit)
    except ValueError:
        return None
    return _dated(period, mod="APPROX" if " or so" in text.lower() else None)


def _resolve_duration(g: dict[str, list[str]], cand: _Candidate, ctx: _Context) -> _Res | None:
    rules = ctx.rules
    text = cand.match.group(0)
    unit_word = _first(g, "unit") or _first(g, "unitsg") or _first(g, "adj")
    unit = rules.value("unit_singular", unit_word or "") or rules.value(
        "unit_plural", unit_word or ""
    )
    if unit is None:
        return None
    mod = None
    approx = _first(g, "approxnum")
    if approx is not None:
        n: float | None = float(rules.value("approx_numbers", approx))
        if normalise_phrase(approx).startswith("a couple"):
            mod = "APPROX"
    elif _first(g, "number"):
        n = parse_number(_first(g, "number") or "", rules)
    else:
        n = 1.0  # "an additional year"
    if n is None:
        return _Res("DURATION", _format_duration(None, unit, rules))
    nums = g.get("number", [])
    units = g.get("unit", [])
    if len(nums) == 2 and len(units) == 2:
        # "a minute and a half", "two hours and 30 minutes"
        second = parse_number(nums[1], rules)
        u2 = rules.value("unit_singular", units[1]) or rules.value("unit_plural", units[1])
        if second is not None and u2 is not None:
            a = _format_duration(n, unit, rules)
            b = _format_duration(second, u2, rules)
            return _Res("DURATION", _merge_durations(a, b), mod=mod)
    elif len(nums) == 2:
        # a range "two to three weeks": the lower end, at least
        return _Res("DURATION", _format_duration(n, unit, rules), mod="EQUAL_OR_MORE")
    if " or so" in text.lower():
        mod = "APPROX"
    if n > 10000:
        return None
    return _Res("DURATION", _format_duration(n, unit, rules), mod=mod)


def _merge_durations(a: str, b: str) -> str:
    """P2Y + P6M -> P2Y6M; PT1M + PT30S -> PT1M30S (a is the larger unit)."""
    if b.startswith("PT") and "T" not in a[1:]:
        return a + b[1:]
    if b.startswith("PT"):
        return a + b[2:]
    return a + b[1:]


def _resolve_vague_duration(
    g: dict[str, list[str]], cand: _Candidate, ctx: _Context
) -> _Res | None:
    rules = ctx.rules
    text = normalise_phrase(cand.match.group(0))
    if text in ("a while", "some time", "a while now", "some time now"):
        return _Res("DURATION", "PXX")
    ref = rules.value("vague_references", text.removeprefix("the "))
    if ref is not None:
        return _reference(str(ref), ctx)
    unit_word = _first(g, "units") or _first(g, "unitsg")
    unit = rules.value("unit_plural", unit_word or "") or rules.value(
        "unit_singular", unit_word or ""
    )
    if unit is None:
        return None
    return _Res("DURATION", _format_duration(None, unit, rules))


def _resolve_reference(g: dict[str, list[str]], cand: _Candidate, ctx: _Context) -> _Res | None:
    value = ctx.rules.value("references", _first(g, "reference") or "")
    if value is None:
        return None
    return _reference(str(value), ctx)


def _reference(value: str, ctx: _Context) -> _Res:
    """PRESENT_REF, PAST_REF or FUTURE_REF, with the interval it stands for."""
    dct = ctx.dct
    if dct is None:
        return _Res("DATE", value, anchored=False)
    if value == "PRESENT_REF":
        interval: tuple[date | None, date | None] = (dct, dct + timedelta(days=1))
    elif value == "PAST_REF":
        interval = (None, dct)
    else:
        interval = (dct + timedelta(days=1), None)
    return _Res("DATE", value, interval=interval, granularity="day")


def _resolve_set(g: dict[str, list[str]], cand: _Candidate, ctx: _Context) -> _Res | None:
    rules = ctx.rules
    word = _first(g, "setword")
    if word is not None:
        value = rules.value("set_words", word)
        return _Res("SET", str(value)) if value else None
    wd = _first(g, "weekday") or _first(g, "weekdays")
    if wd is not None:
        n = rules.value("weekday_names", wd) or rules.value("weekday_plurals", wd)
        return _Res("SET", f"XXXX-WXX-{n}")
    mw = _first(g, "monthname")
    if mw is not None:
        return _Res("SET", f"XXXX-{int(rules.value('month_names', mw)):02d}")
    sw = _first(g, "season")
    if sw is not None:
        return _Res("SET", f"XXXX-{rules.value('seasons', sw)}")
    unit_word = _first(g, "units") or _first(g, "unitsg")
    unit = rules.value("unit_plural", unit_word or "") or rules.value(
        "unit_singular", unit_word or ""
    )
    if unit is None:
        return None
    if unit == "night":
        unit = "day"
    num = _first(g, "number")
    n = (
        parse_number(num, rules)
        if num and not _first(g, "freq") and "times" not in (cand.match.group(0).lower())
        else 1.0
    )
    return _Res("SET", _format_duration(n, unit, rules))


def _resolve_clock(g: dict[str, list[str]], cand: _Candidate, ctx: _Context) -> _Res | None:
    rules = ctx.rules
    word = _first(g, "clockword")
    if word is not None:
        hhmm = str(rules.value("times_of_day", word))
    else:
        h_text = _first(g, "hour")
        if h_text is not None:
            hour = int(h_text)
        else:
            n = parse_number(_first(g, "hourword") or "", rules)
            if n is None or n != int(n):
                return None
            hour = int(n)
        minute = int(_first(g, "minute") or 0)
        ampm = rules.value("meridiems", _first(g, "ampm") or "")
        tod = rules.value("parts_of_day", _first(g, "tod") or "")
        if ampm is None and tod in ("AF", "EV", "NI") and hour < 12:
            ampm = "pm" if not (tod == "NI" and hour <= 4) else "am"
        if ampm is not None:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if ampm == "pm" else 0)
        if hour > 23 or minute > 59:
            return None
        hhmm = f"{hour:02d}:{minute:02d}"
    # the day: named in the expression, else the last day mentioned, else the DCT
    day: date | None = None
    wd = _first(g, "weekday")
    if wd is not None:
        day = _weekday_date(int(rules.value("weekday_names", wd)), "", cand, ctx)
    elif _first(g, "month") and _first(g, "day"):
        res = _resolve_calendar(g, cand, ctx)
        if res is not None and res.period is not None:
            day = res.period.start
    elif _first(g, "dword"):
        if ctx.dct is not None:
            shift = {"yesterday": -1, "tomorrow": 1}.get(
                normalise_phrase(_first(g, "dword") or ""), 0
            )
            day = ctx.dct + timedelta(days=shift)
    else:
        day = ctx.anchor_day()
    if day is None:
        return _Res("TIME", f"XXXX-XX-XXT{hhmm}", anchored=False)
    return _Res("TIME", f"{day.isoformat()}T{hhmm}", period=Period("day", day), sets_ref=True)


RESOLVE: dict[str, Resolver] = {
    "calendar": _resolve_calendar,
    "weekday": _resolve_weekday,
    "deictic": _resolve_deictic,
    "anaphor": _resolve_anaphor,
    "clock": _resolve_clock,
    "reference": _resolve_reference,
    "vague_duration": _resolve_vague_duration,
    "relative": _resolve_relative,
    "year_end": _resolve_year_end,
    "period_ended": _resolve_period_ended,
    "period": _resolve_period,
    "year_earlier": _resolve_year_earlier,
    "offset": _resolve_offset,
    "duration": _resolve_duration,
    "set": _resolve_set,
}


# --------------------------------------------------------------------------- matching


_WORD_START = re.compile(r"[\w'’]+")


def _candidates(text: str, rules: TimeRules, norm: str | None = None) -> list[_Candidate]:
    """Every match of every rule that starts at the beginning of a word.

    A rule is tried only where the text starts with one of its possible prefixes (see
    ``Rule.prefixes``), looked up in a dict: most words start no rule at all, which is what
    makes a 200-word document take a millisecond or two rather than tens.
    """
    found: list[_Candidate] = []
    starts = rules.starts
    if starts is not None:
        # norm[i] is text[i] normalised: lower case, digits as "0", blanks as " "
        if norm is None:
            norm = normalise_text(text)
        rules_at = rules.rules_at
        cached = rules._rules_at.get  # rules_at's own cache, read here first: the hot path
        for w in starts.finditer(norm):
            pos = w.start()
            head = norm[pos : pos + PREFIX_LENGTH]
            here = cached(head) if "  " not in head else None
            if here is None:
                here = rules_at(norm, pos)
            for rule in here:
                m = rule.regex.match(text, pos)
                if m is not None:
                    core = rule.has_core and m.group("core") is not None
                    s, e = m.span("core") if core else m.span()
                    if e > s:
                        found.append(_Candidate(s, e, rule, m))
    for rule in rules.everywhere:
        for m in rule.regex.finditer(text):
            _add(found, rule, m)
    return found


def _add(found: list[_Candidate], rule: Rule, m: re.Match[str]) -> None:
    s, e = m.span("core") if rule.has_core and m.group("core") is not None else m.span()
    if e > s:
        found.append(_Candidate(s, e, rule, m))


def _select(text: str, found: list[_Candidate]) -> list[_Candidate]:
    """Longest first, then the rule listed first; no two selected spans overlap."""
    for c in found:
        c.reset()
    found.sort(key=lambda c: (c.start - c.end, c.rule.order, c.start))
    taken = bytearray(len(text) + 1)
    chosen: list[_Candidate] = []
    for c in found:
        if any(taken[c.start : c.end]):
            continue
        taken[c.start : c.end] = b"\x01" * (c.end - c.start)
        chosen.append(c)
    chosen.sort(key=lambda c: c.start)
    return chosen


_RELATIVE_START = re.compile(r"(?:this|last|next|that|the following|the previous)\b", re.I)
_NUMERIC_START = re.compile(
    r"(?:[0-9]|an?\b|one\b|two\b|three\b|four\b|five\b|six\b|seven\b|"
    r"eight\b|nine\b|ten\b|twelve\b|twenty\b|thirty\b|forty\b|fifty\b|"
    r"a couple\b|a few\b|several\b|half\b)",
    re.I,
)


def _word_before(text: str, lo: int, pos: int) -> str:
    """The word (letters only, lower case) ending just before ``pos``, past blanks and
    hyphens on the same line; "" if there is none after ``lo``."""
    k = pos
    while k > lo and text[k - 1] in " \t-":
        k -= 1
    m = k
    while m > lo and text[m - 1].isalpha():
        m -= 1
    return text[m:k].lower()


def _widen(text: str, chosen: list[_Candidate], rules: TimeRules) -> None:
    """Take fuzzy parts, approximations and suffixes around each match into it."""
    prev_end = 0
    last = rules.last_words
    for i, c in enumerate(chosen):
        next_start = chosen[i + 1].start if i + 1 < len(chosen) else len(text)
        core = text[c.start : c.end]
        lo = max(prev_end, c.start - _MAX_PREFIX)
        before = _word_before(text, lo, c.start)
        if c.rule.parts and before in last["part_words"]:
            m = rules.part_prefix.search(text, lo, c.start)
            if m and m.end() == c.start:
                word = normalise_phrase(m.group("word"))
                if word not in rules.relative_only_parts or _RELATIVE_START.match(core):
                    c.part = rules.value("part_words", word)
                    c.part_word = word
                    c.start = m.start()
                    before = _word_before(text, lo, c.start)
        if c.rule.mods and before in last["approx_words"] and _NUMERIC_START.match(core):
            m = rules.approx_prefix.search(text, lo, c.start)
            if m and m.end() == c.start:
                c.mod = rules.value("approx_words", m.group("word"))
                c.start = m.start()
                before = _word_before(text, lo, c.start)
        m = rules.suffix_mods.match(text, c.end, min(next_start, c.end + 40))
        if m:
            c.mod = rules.value("suffix_mods", m.group("word"))
            c.end = m.end()
        if c.rule.bounds and before in last["bound_words"]:
            m = rules.bound_prefix.search(text, max(lo, c.start - 24), c.start)
            if m and m.end() == c.start:
                c.bound = rules.value("bound_words", m.group("word"))
                c.bound_word = normalise_phrase(m.group("word"))
        prev_end = c.end


def _apply_part(res: _Res, c: _Candidate, rules: TimeRules) -> None:
    if c.part is None:
        return
    spec = rules.parts[c.part]
    if res.type in ("DURATION", "SET") or res.value.endswith("_REF"):
        return
    p = res.period
    if p is not None and spec.get("half") and p.gran == "year":
        half = Period("half", p.start if spec["half"] == 1 else p.start.replace(month=7))
        res.value, res.period = half.value, half
        return
    res.mod = spec["mod"]
    if p is not None:
        res.interval = part_interval(p, float(spec["from"]), float(spec["to"]))


def find_times(
    text: str,
    *,
    dct: date | datetime | None,
    rules: TimeRules | None = None,
    rules_path: str | Path | None = None,
) -> list[TimeExpression]:
    """Find every temporal expression in ``text`` and normalise it against ``dct``.

    ``dct`` is the document creation time (a ``datetime`` is read as its date); ``None``
    leaves relative expressions unresolved (``anchored=False``, TimeML "XXXX" values, no
    interval). ``rules`` (or ``rules_path``) replaces the packaged rule tables. Expressions
    come back in text order, without overlaps.
    """
    if rules is None:
        rules = load_time_rules(rules_path)
    if isinstance(dct, datetime):
        dct = dct.date()
    if not text:
        return []
    norm = normalise_text(text)
    found = _candidates(text, rules, norm)
    # a match that cannot be resolved ("February 30") gives way to the next best one
    # ("February"): select again without it, a few rounds at most
    for _ in range(4):
        out, failed = _resolve_all(text, _select(text, list(found)), dct, rules, norm)
        if not failed:
            break
        found = [c for c in found if id(c.match) not in failed]
    return out


def _resolve_all(
    text: str,
    chosen: list[_Candidate],
    dct: date | None,
    rules: TimeRules,
    norm: str | None = None,
) -> tuple[list[TimeExpression], set[int]]:
    _widen(text, chosen, rules)
    ctx = _Context(text, dct, rules, norm)
    out: list[TimeExpression] = []
    failed: set[int] = set()
    for c in chosen:
        ctx.pos = c.start
        try:
            res = RESOLVE[c.rule.resolve](_groups(c.match), c, ctx)
        except (ValueError, OverflowError, KeyError, TypeError) as exc:
            log.debug("time rule %s failed on %r: %s", c.rule.name, c.match.group(0), exc)
            res = None
        if res is None:
            failed.add(id(c.match))
            continue
        _apply_part(res, c, rules)
        if c.mod and not res.mod:
            res.mod = c.mod
        if c.bound and not res.mod and res.type in ("DATE", "TIME"):
            res.mod = c.bound
        if res.sets_ref and res.period is not None:
            ctx.remember(res.period, c.start)
        out.append(_expression(text, c, res))
    return out, failed


def _expression(text: str, c: _Candidate, res: _Res) -> TimeExpression:
    start: date | None = None
    end: date | None = None
    gran = res.granularity
    if res.interval is not None:
        start, end = res.interval
        gran = gran or (res.period.gran if res.period else None)
    elif res.period is not None and res.type in ("DATE", "TIME"):
        start, end = res.period.start, res.period.end
        gran = res.period.gran
    if gran == "weekend":
        gran = "day"
    return TimeExpression(
        span=Span(c.start, c.end, text[c.start : c.end]),
        type=res.type,
        value=res.value,
        rule=c.rule.name,
        mod=res.mod,
        start=start,
        end=end,
        granularity=gran,
        anchored=res.anchored,
    )


def replace_rules(rules: TimeRules, **changes: Any) -> TimeRules:
    """A copy of ``rules`` with some fields changed (for tests and experiments)."""
    return replace(rules, **changes)
