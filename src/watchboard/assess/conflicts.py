"""Contradictions between matched claims, and anachronisms within a document.

Contradictions (each recorded with both claims and the spans that disagree):

- ``quantity``: the same slot (unit or counted noun) with ranges that do not overlap, beyond a
  tolerance ("50,000 wafers a month" against "20,000 wafers a month");
- ``date`` / ``place``: precise dates or specific locations that cannot both be right;
- ``unknown_vs_specific``: a report saying a detail was not given ("did not say where") against
  one that gives it;
- ``assertion_vs_denial``: a claim against a denial of it.

Anachronisms (a classic sign of fabricated or mis-dated material):

- ``reported_after_publication``: something reported as done, or under way, at a date after
  the document's own publication;
- ``cites_later_statement``: a statement attributed to a date after publication;
- ``weekday_mismatch``: a weekday written next to a date that falls on another day.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from watchboard.assess import relations as rel
from watchboard.assess.matching import Match
from watchboard.assess.records import ClaimRecord


@dataclass(frozen=True)
class Contradiction:
    id: str
    kind: str
    a: str  # claim ids
    b: str
    detail: str
    a_text: str  # the span of each side that disagrees (the whole quote when no finer span)
    b_text: str


@dataclass(frozen=True)
class Anachronism:
    id: str
    kind: str
    claim: str
    document: str
    detail: str
    text: str


def _id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


# -- contradictions ----------------------------------------------------------------------------


def undisclosed_slots(record: ClaimRecord, words: Mapping[str, Sequence[str]]) -> set[str]:
    """Which details ("place", "quantity", "time") a claim says were not given."""
    if not record.undisclosed:
        return set()
    lower = record.quote.lower()
    return {slot for slot, cues in words.items() if any(c in lower for c in cues)}


def _is_denial(record: ClaimRecord) -> bool:
    return record.modality == "denied" or (record.negated and not record.undisclosed)


def contradictions(
    records: Mapping[str, ClaimRecord],
    matches: Iterable[Match],
    *,
    tolerance: float,
    undisclosed_words: Mapping[str, Sequence[str]],
) -> list[Contradiction]:
    found: dict[str, Contradiction] = {}

    def add(kind: str, a: ClaimRecord, b: ClaimRecord, detail: str, at: str, bt: str) -> None:
        key = _id(kind, a.id, b.id, detail)
        found.setdefault(key, Contradiction(key, kind, a.id, b.id, detail, at, bt))

    matches = list(matches)
    for m in matches:
        a, b = records[m.a], records[m.b]
        if _is_denial(a) != _is_denial(b):
            denial, claim = (a, b) if _is_denial(a) else (b, a)
            add(
                "assertion_vs_denial",
                claim,
                denial,
                f"{denial.outlet} reports a denial of what {claim.outlet} reports",
                claim.quote,
                denial.quote,
            )
            continue
        for one, other in ((a, b), (b, a)):
            for slot in sorted(undisclosed_slots(one, undisclosed_words)):
                given = _slot_text(other, slot)
                if given:
                    add(
                        "unknown_vs_specific",
                        other,
                        one,
                        f"{other.outlet} gives the {slot} ({given}); "
                        f"{one.outlet} says it was not given",
                        given,
                        one.quote,
                    )
        if a.undisclosed or b.undisclosed:
            continue
        for conflict in rel.quantity_conflicts(a.quantities, b.quantities, tolerance):
            add(
                "quantity",
                a,
                b,
                f"{conflict.slot}: {conflict.a.text!r} against {conflict.b.text!r}",
                conflict.a.text,
                conflict.b.text,
            )
        if m.time == rel.CONFLICT and (a.modality in _SAME_TENSE) == (b.modality in _SAME_TENSE):
            ta, tb = rel.dated(a.times)[0], rel.dated(b.times)[0]
            add("date", a, b, f"{ta.text!r} against {tb.text!r}", ta.text, tb.text)
        if m.place == rel.CONFLICT:
            pa = next(p for p in a.places if p.resolved and not rel.is_area(p))
            pb = next(p for p in b.places if p.resolved and not rel.is_area(p))
            add("place", a, b, f"{pa.text!r} against {pb.text!r}", pa.text, pb.text)
    # "The agency did not say how many" is about the announcement as a whole, so it is
    # compared with every claim of the same event type in reports of the same story (two
    # documents with a matched claim, or published within the same news cycle).
    related: dict[str, set[str]] = {}
    dates = {r.document_id: r.published for r in records.values() if r.published}
    by_date = sorted(dates.items(), key=lambda kv: kv[1])
    for i, (da, day_a) in enumerate(by_date):
        for db, day_b in by_date[i + 1 :]:
            if (day_b - day_a).days > SAME_NEWS_CYCLE_DAYS:
                break
            related.setdefault(da, set()).add(db)
            related.setdefault(db, set()).add(da)
    for m in matches:
        da, db = records[m.a].document_id, records[m.b].document_id
        related.setdefault(da, set()).add(db)
        related.setdefault(db, set()).add(da)
    by_doc_type: dict[tuple[str, str | None], list[ClaimRecord]] = {}
    for r in records.values():
        by_doc_type.setdefault((r.document_id, r.event_type), []).append(r)
    for u in records.values():
        slots = undisclosed_slots(u, undisclosed_words)
        if not slots or u.event_type is None:
            continue
        for doc in sorted(related.get(u.document_id, ())):
            for other in by_doc_type.get((doc, u.event_type), []):
                if other.undisclosed or other.modality == "speculative":
                    continue
                if len(u.terms & other.terms) < 2:
                    continue  # the same kind of event, but not about the same thing
                for slot in sorted(slots):
                    given = _slot_text(other, slot)
                    if given:
                        add(
                            "unknown_vs_specific",
                            other,
                            u,
                            f"{other.outlet} gives the {slot} ({given}); "
                            f"{u.outlet} says it was not given",
                            given,
                            u.quote,
                        )
    return sorted(found.values(), key=lambda c: (c.kind, c.a, c.b))


#: Reports published this many days apart or less are taken to cover the same news.
SAME_NEWS_CYCLE_DAYS = 3

_SAME_TENSE = frozenset({"completed", "observed", "under_way", "stated"})


def _in_attribution(record: ClaimRecord, offset: int) -> bool:
    spans = [s for s in (record.attribution_source, record.attribution_cue) if s]
    return any(start <= offset < end for start, end in spans)


def _slot_text(record: ClaimRecord, slot: str) -> str | None:
    """The detail a claim gives for a slot, leaving out its attribution ("a Seoul-based
    researcher") and, for times, the report's own news dates (on or before publication)."""
    if slot == "place":
        specific = [
            p.text
            for p in record.places
            if p.resolved and not rel.is_area(p) and not _in_attribution(record, p.offset)
        ]
        return ", ".join(specific) or None
    if slot == "quantity":
        counted = [q.text for q in record.quantities if q.slot and q.unit != "year"]
        return ", ".join(counted) or None
    if slot == "time":
        later = [
            t.text
            for t in rel.dated(record.times)
            if record.published is None or (t.start is not None and t.start > record.published)
        ]
        return ", ".join(later) or None
    return None


# -- anachronisms ------------------------------------------------------------------------------

# Words that may stand between a speech verb and the date of the statement: "said on Friday",
# "said in a statement on 3 March", "On Friday, KCNA said".
_LINK = re.compile(
    r"^[\s,]*(?:(?:on|in|at|of|dated|late|early|a|an|its|statement|report)\b[\s,]*)*$", re.I
)
# "in its statement of 20 March", "the ministry's announcement on Friday": a dated statement
# even when extraction found no attribution in the sentence.
_STATEMENT_BEFORE = re.compile(
    r"\b(?:statement|announcement|remarks|briefing|communiqu[eé]|press release)\s+"
    r"(?:of|on|dated|issued on|made on)\s*$",
    re.I,
)


def _dates_statement(r: ClaimRecord, offset: int, length: int) -> bool:
    """Whether a time expression dates a statement rather than the content: "said on 3 March",
    "On 3 March, the agency said", "in its statement of 3 March"."""
    local = offset - r.start
    if _STATEMENT_BEFORE.search(r.quote[max(0, local - 40) : local]):
        return True
    if r.attribution_cue is None:
        return False
    cue_start, cue_end = r.attribution_cue
    anchor = min(cue_start, r.attribution_source[0]) if r.attribution_source else cue_start
    if offset >= cue_end:
        between = r.quote[cue_end - r.start : local]
        return len(between) <= 30 and bool(_LINK.match(between))
    if offset + length <= anchor and local <= 4:  # the sentence opens with the date
        between = r.quote[local + length : anchor - r.start]
        return len(between) <= 4 and bool(_LINK.match(between))
    return False


_DONE = frozenset({"completed", "observed", "under_way"})
_DEADLINE_MODS = frozenset({"BEFORE", "ON_OR_BEFORE", "END"})


def anachronisms(records: Iterable[ClaimRecord]) -> list[Anachronism]:
    found = []
    for r in records:
        if r.published is None:
            continue
        for t in rel.dated(r.times):
            assert t.start is not None
            if t.start <= r.published:
                continue
            in_attribution = _dates_statement(r, t.offset, len(t.text))
            if in_attribution:
                kind = "cites_later_statement"
                detail = (
                    f"cites a statement dated {t.text!r} ({t.start.isoformat()}) in a document "
                    f"published {r.published.isoformat()}"
                )
            elif r.modality in _DONE and not r.negated and t.mod not in _DEADLINE_MODS:
                kind = "reported_after_publication"
                detail = (
                    f"reports as {r.modality.replace('_', ' ')} something dated {t.text!r} "
                    f"({t.start.isoformat()}), after the document's publication on "
                    f"{r.published.isoformat()}"
                )
            else:
                continue
            found.append(
                Anachronism(_id(kind, r.id, t.text), kind, r.id, r.document_id, detail, t.text)
            )
        for text, detail in weekday_mismatches(r.quote, r.published):
            found.append(
                Anachronism(
                    _id("weekday", r.id, text),
                    "weekday_mismatch",
                    r.id,
                    r.document_id,
                    detail,
                    text,
                )
            )
    return found


_DAYS = [d.lower() for d in calendar.day_name]
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_WEEKDAYS = "|".join(calendar.day_name)
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))


def _month(name: str) -> str:
    return rf"(?P<{name}>{_MONTH_NAMES})\.?"


def _day(name: str) -> str:
    return rf"(?P<{name}>[0-3]?\d)(?:st|nd|rd|th)?"


_WEEKDAY_DATE = re.compile(
    rf"\b(?P<wd>{_WEEKDAYS}),?\s+(?:the\s+)?"
    rf"(?:{_day('day1')}\s+(?:of\s+)?{_month('mon1')}|{_month('mon')}\s+{_day('day')})"
    rf"(?:,?\s+(?P<year>\d{{4}}))?\b",
    re.IGNORECASE,
)


def weekday_mismatches(text: str, published: date | None) -> list[tuple[str, str]]:
    """ "Tuesday, 3 March 2026" where 3 March 2026 is a Friday: (the words, an explanation)."""
    out = []
    for m in _WEEKDAY_DATE.finditer(text):
        day = int(m.group("day1") or m.group("day"))
        month = _MONTHS[(m.group("mon1") or m.group("mon")).lower()]
        if m.group("year"):
            years = [int(m.group("year"))]
        elif published is not None:
            years = [published.year - 1, published.year, published.year + 1]
        else:
            continue
        candidates = []
        for year in years:
            try:
                candidates.append(date(year, month, day))
            except ValueError:
                continue
        if not candidates:
            continue
        if published is not None and not m.group("year"):
            candidates.sort(key=lambda d: abs((d - published).days))
        when = candidates[0]
        stated = m.group("wd").lower()
        actual = _DAYS[when.weekday()]
        if stated != actual:
            out.append(
                (
                    m.group(0),
                    f"{m.group(0)!r}: {when.isoformat()} was a {actual.capitalize()}, "
                    f"not a {stated.capitalize()}",
                )
            )
    return out
