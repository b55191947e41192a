"""The brief: what a reader needs from a case, every sentence traceable to graded claims.

``build_brief`` turns an assessment (``watchboard.assess``) and the case's declared parts into a
:class:`Brief` — plain data that the templates (``templates/``) render as HTML, PDF or
Markdown. Nothing here writes prose freely: each sentence comes from a fixed template filled
with claims, grades, milestone statuses and detected indicator changes, and carries the
footnotes of the exact quotes (or observation records) it rests on. Sentences that state an
absence ("no credible report …") name what was looked for instead.

Judgments use the estimative words of ICD 203 (``data/estimative.yaml``): the likelihood that
a reported thing is true comes from its Admiralty credibility grade, and the confidence from
the sourcing (independent source groups, their reliability, contradictions). Claims graded 6
("cannot be judged") never enter a judgment; they are listed under cautions.

The brief selects: a case with 100,000 claims gives a brief of the same size as one with 100,
because each section keeps its most important entries (by credibility, independent
confirmation and story size) and states how many more there are.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import yaml

from watchboard.assess import Assessment, ClaimRecord, Grade, SourceInfo
from watchboard.assess.grading import GRADE_WORDS
from watchboard.assess.records import INTENDED, RELIABILITY
from watchboard.assess.terms import content_terms
from watchboard.assess.timeline import timeline
from watchboard.model.observation import Change

#: How many entries each section keeps (the rest is counted, not listed).
LIMITS = {
    "key_facts": 12,
    "timeline_events": 24,
    "contradictions": 10,
    "anachronisms": 10,
    "single_source": 10,
    "unidentified": 8,
    "map_points": 150,
    "documents": 200,
}

STATUS_WORDS = {
    "achieved": "achieved",
    "contradicted": "contradicted",
    "pending": "not yet due",
    "due": "due now",
    "overdue": "overdue",
}

# -- inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteInfo:
    key: str
    name: str
    kind: str | None = None
    lat: float | None = None
    lon: float | None = None
    country: str | None = None
    polygon: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class IndicatorInfo:
    key: str
    name: str
    unit: str
    site_key: str | None = None
    expected_direction: str | None = None
    expected_by: date | None = None
    description: str | None = None
    times: tuple[datetime, ...] = ()
    values: tuple[float | None, ...] = ()
    refs: tuple[str, ...] = ()  # where each observation came from (file#row, scene#site ...)
    changes: tuple[Change, ...] = ()
    synthetic: bool = False


@dataclass(frozen=True)
class CaseInfo:
    slug: str
    title: str
    question: str | None = None
    region: str | None = None
    description: str | None = None
    start: date | None = None
    end: date | None = None
    hypotheses: tuple[tuple[str, str], ...] = ()
    sites: tuple[SiteInfo, ...] = ()
    indicators: tuple[IndicatorInfo, ...] = ()
    case_sources: tuple[str, ...] = ()  # names of the sources the case file registers
    milestone_sites: Mapping[str, str | None] = field(default_factory=dict)


# -- output ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Citation:
    """A footnote: an exact quote from a stored document, or an observation record."""

    n: int
    kind: str  # "claim" or "observation"
    ref: str  # claim id, or "indicator@time"
    text: str  # the exact quote, or the observation's value and unit
    outlet: str = ""
    chain: tuple[str, ...] = ()
    title: str | None = None
    url: str | None = None
    published: date | None = None
    document_id: str = ""
    start: int = -1
    end: int = -1
    rating: str | None = None
    credibility: int | None = None


@dataclass(frozen=True)
class Sentence:
    text: str
    cites: tuple[int, ...] = ()


@dataclass(frozen=True)
class KeyFact:
    claim: str
    excerpt: str
    chain: str
    modality: str
    event_type: str | None
    sources: tuple[str, ...]  # "Reuters (B)" ...
    more_sources: int
    groups: int  # independent source groups asserting it
    rating: str
    credibility: int
    credibility_words: str
    likelihood: str | None
    unconfirmed: tuple[str, ...]
    cite: int


@dataclass(frozen=True)
class TimelineRow:
    day: date | None
    end: date | None
    kind: str  # event, milestone
    title: str
    status: str | None
    rating: str | None
    cites: tuple[int, ...] = ()


@dataclass(frozen=True)
class MilestoneRow:
    key: str
    title: str
    window: str
    status: str
    reason: str
    cites: tuple[int, ...] = ()
    start: date | None = None
    end: date | None = None
    site: str | None = None


@dataclass(frozen=True)
class IndicatorRow:
    key: str
    name: str
    unit: str
    site: str | None
    points: int
    first: date | None
    last: date | None
    expected: str
    findings: tuple[Sentence, ...]
    synthetic: bool
    chart_svg: str | None = None


@dataclass(frozen=True)
class Caution:
    kind: str
    text: str
    cites: tuple[int, ...] = ()


@dataclass(frozen=True)
class SourceRow:
    name: str
    kind: str
    reliability: str
    group: str
    in_case: bool
    cited: int  # footnotes quoting it


@dataclass(frozen=True)
class DocumentRow:
    id: str
    title: str | None
    outlet: str
    published: date | None
    url: str | None


@dataclass
class Brief:
    case: CaseInfo
    as_of: date
    replay: bool
    generated_at: datetime
    counts: dict[str, int]
    bottom_line: list[Sentence]
    key_facts: list[KeyFact]
    key_facts_more: int
    timeline: list[TimelineRow]
    timeline_more: int
    milestones: list[MilestoneRow]
    map_points: list[dict[str, Any]]
    indicators: list[IndicatorRow]
    cautions: dict[str, list[Caution]]
    cautions_more: dict[str, int]
    gaps: list[Sentence]
    sources: list[SourceRow]
    documents: list[DocumentRow]
    documents_more: int
    citations: list[Citation]
    likelihood_table: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    figures: dict[str, str] = field(default_factory=dict)  # name -> SVG text

    @property
    def empty(self) -> bool:
        return self.counts["claims"] == 0


# -- estimative language -----------------------------------------------------------------------


@dataclass(frozen=True)
class Estimative:
    likelihood: list[dict[str, Any]]
    by_credibility: dict[int, str]
    confidence: list[dict[str, Any]]

    def likely(self, credibility: int) -> str | None:
        return self.by_credibility.get(credibility)

    def confidence_of(self, groups: int, best: str, contradicted: bool) -> tuple[str, str]:
        for rule in self.confidence:
            when = rule.get("when") or {}
            if groups < int(when.get("min_groups", 0)):
                continue
            if (
                "best_reliability" in when
                and best not in RELIABILITY[: RELIABILITY.index(when["best_reliability"]) + 1]
            ):
                continue
            if "contradicted" in when and bool(when["contradicted"]) != contradicted:
                continue
            return str(rule["level"]), str(rule["reason"])
        return "low", "no rule matched"


@cache
def estimative() -> Estimative:
    data = yaml.safe_load(
        resources.files("watchboard.report").joinpath("data/estimative.yaml").read_text("utf-8")
    )
    words = {band["words"] for band in data["likelihood"]}
    by_credibility = {int(k): str(v) for k, v in data["credibility"].items()}
    unknown = set(by_credibility.values()) - words
    if unknown:  # a packaging error, caught by the tests
        raise ValueError(f"estimative.yaml: credibility maps to unknown words {unknown}")
    return Estimative(list(data["likelihood"]), by_credibility, list(data["confidence"]))


# -- helpers -----------------------------------------------------------------------------------


def excerpt(text: str, limit: int = 220) -> str:
    """The text's start, cut at a word boundary with an ellipsis: still an exact prefix."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:—-")
    return cut + " …"


def number(value: float) -> str:
    """A measured value for prose: 137,400 rather than 1.374e+05; 4 significant digits."""
    if abs(value) >= 10_000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _day(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "an unknown date"


def _window(start: date | None, end: date | None) -> str:
    if start and end:
        return f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
    if end:
        return f"by {end:%Y-%m-%d}"
    if start:
        return f"from {start:%Y-%m-%d}"
    return "no date given"


class _Citations:
    """Footnotes in order of first use; citing the same thing twice gives the same number."""

    def __init__(self, records: Mapping[str, ClaimRecord], grades: Mapping[str, Grade]) -> None:
        self.records = records
        self.grades = grades
        self.items: list[Citation] = []
        self.by_ref: dict[str, int] = {}

    def claim(self, claim_id: str) -> int:
        if claim_id in self.by_ref:
            return self.by_ref[claim_id]
        r = self.records[claim_id]
        g = self.grades.get(claim_id)
        n = len(self.items) + 1
        self.items.append(
            Citation(
                n=n,
                kind="claim",
                ref=claim_id,
                text=r.quote,
                outlet=r.outlet,
                chain=r.chain,
                title=r.title,
                url=r.url,
                published=r.published,
                document_id=r.document_id,
                start=r.start,
                end=r.end,
                rating=g.rating if g else None,
                credibility=g.credibility if g else None,
            )
        )
        self.by_ref[claim_id] = n
        return n

    def observation(self, indicator: IndicatorInfo, index: int) -> int:
        ref = f"{indicator.key}@{indicator.times[index].isoformat()}"
        if ref in self.by_ref:
            return self.by_ref[ref]
        n = len(self.items) + 1
        value = indicator.values[index]
        shown = "missing" if value is None else f"{number(value)} {indicator.unit}"
        source = indicator.refs[index] if index < len(indicator.refs) else ""
        self.items.append(
            Citation(
                n=n,
                kind="observation",
                ref=ref,
                text=f"{indicator.name}: {shown} at {indicator.times[index]:%Y-%m-%d}",
                outlet="indicator data" + (" (SYNTHETIC)" if indicator.synthetic else ""),
                title=source or None,
                published=indicator.times[index].date(),
            )
        )
        self.by_ref[ref] = n
        return n


@dataclass
class _Story:
    """Claims matched as reports of the same thing, and the one that speaks for them."""

    group: str
    members: list[str]
    best: str
    credibility: int
    groups: int

    def rank(self) -> tuple[Any, ...]:
        return (self.credibility, -self.groups, -len(self.members), self.best)


def _stories(a: Assessment) -> list[_Story]:
    members: dict[str, list[str]] = defaultdict(list)
    for claim_id in a.records:
        members[a.matches.groups.get(claim_id, claim_id)].append(claim_id)
    stories = []
    for group, ids in members.items():

        def key(cid: str) -> tuple[Any, ...]:
            g = a.grades[cid]
            return (
                g.credibility,
                RELIABILITY.find(g.origin.reliability),
                -len({x for x, _ in g.confirming}),
                cid,
            )

        best = min(ids, key=key)
        g = a.grades[best]
        groups = len({x for x, _ in g.confirming}) or (1 if g.origin.identified else 0)
        stories.append(_Story(group, sorted(ids), best, g.credibility, groups))
    stories.sort(key=_Story.rank)
    return stories


def _outlets(a: Assessment, story: _Story, reliability: Mapping[str, str]) -> list[str]:
    seen: dict[str, str] = {}
    for cid in story.members:
        outlet = a.records[cid].outlet
        seen.setdefault(outlet, reliability.get(outlet, "F"))
    return [f"{name} ({grade})" for name, grade in sorted(seen.items(), key=lambda x: (x[1], x[0]))]


# -- the brief ---------------------------------------------------------------------------------


def build_brief(
    case: CaseInfo,
    assessment: Assessment,
    sources: Sequence[SourceInfo],
    *,
    replay: bool = False,
    generated_at: datetime,
    warnings: Sequence[str] = (),
    limits: Mapping[str, int] | None = None,
) -> Brief:
    """Select and phrase what a reader needs, as of the assessment's date (see module doc)."""
    lim = {**LIMITS, **(limits or {})}
    a = assessment
    est = estimative()
    cites = _Citations(a.records, a.grades)
    reliability = {s.name: s.reliability for s in sources}
    stories = _stories(a)
    contradicted_claims = {c.a for c in a.contradictions} | {c.b for c in a.contradictions}

    def confidence(story: _Story) -> tuple[str, str]:
        g = a.grades[story.best]
        best = min(
            (
                a.grades[c].origin.reliability
                for c in story.members
                if a.grades[c].origin.identified
            ),
            key=RELIABILITY.find,
            default="F",
        )
        contradicted = any(c in contradicted_claims for c in story.members) or bool(g.contradicting)
        return est.confidence_of(story.groups, best, contradicted)

    counts = {
        "claims": len(a.records),
        "stories": len(stories),
        "documents": len({r.document_id for r in a.records.values()}),
        "contradictions": len(a.contradictions),
        "anachronisms": len(a.anachronisms),
        "milestones": len(a.milestones),
        "unjudged": sum(1 for g in a.grades.values() if g.credibility == 6),
        **{f"credibility_{n}": 0 for n in range(1, 7)},
    }
    for g in a.grades.values():
        counts[f"credibility_{g.credibility}"] += 1

    # Key facts: the strongest story of each kind first; claims that cannot be judged never.
    judged = [s for s in stories if s.credibility <= 5]
    key_facts = []
    for story in judged[: lim["key_facts"]]:
        r = a.records[story.best]
        g = a.grades[story.best]
        outlets = _outlets(a, story, reliability)
        key_facts.append(
            KeyFact(
                claim=story.best,
                excerpt=excerpt(r.quote),
                chain=" → ".join(r.chain),
                modality=r.modality,
                event_type=r.event_type,
                sources=tuple(outlets[:5]),
                more_sources=max(0, len(outlets) - 5),
                groups=story.groups,
                rating=g.rating,
                credibility=g.credibility,
                credibility_words=GRADE_WORDS[g.credibility],
                likelihood=est.likely(g.credibility),
                unconfirmed=g.unconfirmed,
                cite=cites.claim(story.best),
            )
        )

    milestones = []
    for m in a.milestones:
        evidence = [e for e in m.evidence if e.claim in a.records]
        milestones.append(
            MilestoneRow(
                key=m.key,
                title=m.title,
                window=_window(m.due_start, m.due_end),
                status=m.status,
                reason=m.reason,
                cites=tuple(cites.claim(e.claim) for e in evidence[:3]),
                start=m.due_start,
                end=m.due_end,
                site=case.milestone_sites.get(m.key),
            )
        )

    bottom = _bottom_line(case, a, stories, cites, est, confidence, counts)

    # Timeline: milestones and the most important dated stories.
    rank = {s.group: i for i, s in enumerate(stories)}
    entries = timeline(a)
    events = [e for e in entries if e.kind == "event"]
    events.sort(key=lambda e: rank.get(a.matches.groups.get(e.ref, e.ref), math.inf))
    kept_events = {e.ref for e in events[: lim["timeline_events"]]}
    timeline_rows = []
    for e in entries:
        if e.kind == "event" and e.ref not in kept_events:
            continue
        row_cites: tuple[int, ...] = ()
        if e.kind == "event":
            row_cites = (cites.claim(e.ref),)
        else:
            row_cites = next((m.cites for m in milestones if m.key == e.ref), ())
        timeline_rows.append(
            TimelineRow(e.day, e.end, e.kind, e.title, e.status, e.rating, row_cites)
        )

    indicators = [_indicator_row(ind, cites, case) for ind in case.indicators]
    cautions, cautions_more = _cautions(a, stories, cites, lim)
    gaps = _gaps(case, a, stories)
    map_points, counts["map_places"] = _map_points(a, lim["map_points"])

    # Sources: those the case registers and every one a footnote quotes.
    cited_outlets = Counter(c.outlet for c in cites.items if c.kind == "claim")
    source_rows = [
        SourceRow(
            name=s.name,
            kind=s.kind,
            reliability=s.reliability,
            group=s.group,
            in_case=s.name in case.case_sources,
            cited=cited_outlets.get(s.name, 0),
        )
        for s in sources
        if s.name in case.case_sources or cited_outlets.get(s.name)
    ]
    source_rows.sort(key=lambda s: (RELIABILITY.find(s.reliability), s.name))
    docs: dict[str, DocumentRow] = {}
    for c in cites.items:
        if c.kind == "claim" and c.document_id not in docs:
            docs[c.document_id] = DocumentRow(c.document_id, c.title, c.outlet, c.published, c.url)
    documents = sorted(docs.values(), key=lambda d: (d.published or date.min, d.outlet, d.id))
    return Brief(
        case=case,
        as_of=a.as_of,
        replay=replay,
        generated_at=generated_at,
        counts=counts,
        bottom_line=bottom,
        key_facts=key_facts,
        key_facts_more=max(0, len(judged) - len(key_facts)),
        timeline=timeline_rows,
        timeline_more=max(0, len(events) - len(kept_events)),
        milestones=milestones,
        map_points=map_points,
        indicators=indicators,
        cautions=cautions,
        cautions_more=cautions_more,
        gaps=gaps,
        sources=source_rows,
        documents=documents[: lim["documents"]],
        documents_more=max(0, len(documents) - lim["documents"]),
        citations=cites.items,
        likelihood_table=est.likelihood,
        warnings=list(warnings),
    )


def _bottom_line(
    case: CaseInfo,
    a: Assessment,
    stories: Sequence[_Story],
    cites: _Citations,
    est: Estimative,
    confidence: Any,
    counts: Mapping[str, int],
) -> list[Sentence]:
    if not a.records:
        return [
            Sentence(
                f"As of {_day(a.as_of)} no claims are stored for this case, so nothing can be "
                "judged yet: ingest and extract reports, then assess the case."
            )
        ]
    out: list[Sentence] = []
    statuses = Counter(m.status for m in a.milestones)
    if a.milestones:
        parts = [
            f"{statuses[s]} {STATUS_WORDS[s]}"
            for s in ("overdue", "due", "pending", "contradicted")
            if statuses[s]
        ]
        achieved_cites = tuple(
            cites.claim(e.claim)
            for m in a.milestones
            if m.status == "achieved"
            for e in m.evidence[:1]
            if e.claim in a.records
        )
        out.append(
            Sentence(
                f"As of {_day(a.as_of)}, {statuses['achieved']} of the {len(a.milestones)} "
                "projected milestones have credible evidence of being reached"
                + (f"; {', '.join(parts)}" if parts else "")
                + ".",
                achieved_cites,
            )
        )
    # The declaration: the best-supported report of an order, plan or projection.
    declared = next(
        (s for s in stories if s.credibility <= 3 and a.records[s.best].modality in INTENDED),
        None,
    )
    if declared is not None:
        r = a.records[declared.best]
        level, why = confidence(declared)
        word = est.likely(declared.credibility)
        out.append(
            Sentence(
                judgement(
                    word,
                    f"the best-supported report of what was {modality_phrase(r.modality)} is "
                    f"accurate ({level} confidence: {why}); {r.outlet} reports "
                    f"“{excerpt(r.quote, 160)}”",
                ),
                (cites.claim(declared.best),),
            )
        )
    else:
        out.append(
            Sentence(
                "No credible report of an order, plan or projection is stored: what was "
                "declared is not established by the sources collected."
            )
        )
    for m in a.milestones:
        evidence = [e for e in m.evidence if e.claim in a.records]
        if m.status == "achieved" and evidence:
            best = min(evidence, key=lambda e: e.credibility)
            story = next(s for s in stories if best.claim in s.members)
            level, why = confidence(story)
            out.append(
                Sentence(
                    judgement(
                        est.likely(best.credibility),
                        f"“{m.title}” has been reached ({level} confidence: {why}).",
                    ),
                    tuple(cites.claim(e.claim) for e in evidence[:3]),
                )
            )
        elif m.status == "contradicted":
            out.append(
                Sentence(
                    f"Reports bearing on “{m.title}” contradict each other: {m.reason}.",
                    tuple(cites.claim(e.claim) for e in evidence[:3]),
                )
            )
        elif m.status == "overdue":
            out.append(
                Sentence(
                    f"“{m.title}” was due {_window(m.due_start, m.due_end)}; no credible report "
                    "of it has been found, so it is unlikely to have happened on schedule (low "
                    "confidence: absence of reporting is weak evidence where access is "
                    "restricted)."
                )
            )
    for ind in case.indicators:
        for c in ind.changes:
            if c.time.date() > a.as_of:
                continue
            agrees = ind.expected_direction in (None, "change", c.direction)
            cite = cites.observation(ind, _index_of(ind, c))
            out.append(
                Sentence(
                    f"{ind.name} moved {c.direction} from {c.time:%B %Y} ({c.detector}), "
                    + (
                        "as expected if the programme proceeds"
                        if agrees
                        else f"against the expected direction ({ind.expected_direction})"
                    )
                    + (
                        "; the series is SYNTHETIC demonstration data."
                        if ind.synthetic
                        else "; an indicator change is consistent with, not proof of, the "
                        "programme."
                    ),
                    (cite,),
                )
            )
            break  # the first change per indicator; the indicators section lists all
    caution_parts = []
    if counts["unjudged"]:
        caution_parts.append(
            f"{counts['unjudged']} claim(s) rest on unidentified or ungraded sources and "
            "cannot be judged"
        )
    unconfirmed = sum(1 for g in a.grades.values() if g.unconfirmed)
    if unconfirmed:
        caution_parts.append(f"{unconfirmed} add specifics no other source gives")
    if a.contradictions:
        caution_parts.append(f"{len(a.contradictions)} contradiction(s) were found")
    if a.anachronisms:
        caution_parts.append(f"{len(a.anachronisms)} anachronism(s) were found")
    if caution_parts:
        out.append(
            Sentence(
                "Treat with care: "
                + "; ".join(caution_parts)
                + ". None of these is used in the judgments above; see “What not to take at "
                "face value”."
            )
        )
    return out


def _index_of(ind: IndicatorInfo, change: Change) -> int:
    for i, t in enumerate(ind.times):
        if t >= change.time:
            return i
    return max(0, len(ind.times) - 1)


def _indicator_row(ind: IndicatorInfo, cites: _Citations, case: CaseInfo) -> IndicatorRow:
    findings = []
    for c in ind.changes:
        i = _index_of(ind, c)
        before = "" if c.before is None else f" from {number(c.before)}"
        after = "" if c.after is None else f" to {number(c.after)}"
        agrees = ind.expected_direction in (None, "change", c.direction)
        findings.append(
            Sentence(
                f"{c.time:%Y-%m-%d}: {c.direction}{before}{after} {ind.unit} (detector "
                f"{c.detector}, score {c.score:.1f}); "
                + ("as expected." if agrees else f"expected {ind.expected_direction}."),
                (cites.observation(ind, i),),
            )
        )
    if ind.times and not ind.changes:
        findings.append(
            Sentence(
                f"No change detected over {len(ind.times)} observations "
                f"({ind.times[0]:%Y-%m} to {ind.times[-1]:%Y-%m})."
            )
        )
    expected = ind.expected_direction or "a change"
    if ind.expected_by:
        expected += f" by {ind.expected_by:%Y-%m-%d}"
    site = next((s.name for s in case.sites if s.key == ind.site_key), ind.site_key)
    return IndicatorRow(
        key=ind.key,
        name=ind.name,
        unit=ind.unit,
        site=site,
        points=len(ind.times),
        first=ind.times[0].date() if ind.times else None,
        last=ind.times[-1].date() if ind.times else None,
        expected=expected,
        findings=tuple(findings),
        synthetic=ind.synthetic,
    )


def _cautions(
    a: Assessment, stories: Sequence[_Story], cites: _Citations, lim: Mapping[str, int]
) -> tuple[dict[str, list[Caution]], dict[str, int]]:
    out: dict[str, list[Caution]] = {
        "contradictions": [],
        "anachronisms": [],
        "single_source": [],
        "unidentified": [],
    }
    more: dict[str, int] = {}

    def strength(cid: str) -> int:
        return a.grades[cid].credibility if cid in a.grades else 7

    contradictions = sorted(
        a.contradictions, key=lambda c: (min(strength(c.a), strength(c.b)), c.id)
    )
    for c in contradictions[: lim["contradictions"]]:
        out["contradictions"].append(
            Caution(c.kind, c.detail, (cites.claim(c.a), cites.claim(c.b)))
        )
    more["contradictions"] = max(0, len(contradictions) - lim["contradictions"])
    anachronisms = sorted(a.anachronisms, key=lambda x: (strength(x.claim), x.id))
    for x in anachronisms[: lim["anachronisms"]]:
        out["anachronisms"].append(Caution(x.kind, x.detail, (cites.claim(x.claim),)))
    more["anachronisms"] = max(0, len(anachronisms) - lim["anachronisms"])
    # Specifics only one source group gives, on a story others confirm.
    single = [
        (g, a.records[cid]) for cid, g in a.grades.items() if g.unconfirmed and g.credibility < 6
    ]
    single.sort(key=lambda x: (x[0].credibility, x[0].claim))
    for g, r in single[: lim["single_source"]]:
        out["single_source"].append(
            Caution(
                "single_source",
                f"{r.outlet} ({g.rating}) alone gives " + "; ".join(g.unconfirmed),
                (cites.claim(g.claim),),
            )
        )
    more["single_source"] = max(0, len(single) - lim["single_source"])
    unjudged = [s for s in stories if s.credibility == 6]
    for s in unjudged[: lim["unidentified"]]:
        g = a.grades[s.best]
        r = a.records[s.best]
        out["unidentified"].append(
            Caution(
                "unidentified",
                f"{r.outlet}: {g.reason}"
                + (f" ({len(s.members)} reports)" if len(s.members) > 1 else ""),
                (cites.claim(s.best),),
            )
        )
    more["unidentified"] = max(0, len(unjudged) - lim["unidentified"])
    return out, more


def _gaps(case: CaseInfo, a: Assessment, stories: Sequence[_Story]) -> list[Sentence]:
    gaps: list[Sentence] = []
    for m in a.milestones:
        if not m.evidence and m.status != "achieved":
            gaps.append(
                Sentence(
                    f"Milestone “{m.title}” ({_window(m.due_start, m.due_end)}, "
                    f"{STATUS_WORDS.get(m.status, m.status)}): no claim or indicator change is "
                    "evidence of it yet."
                )
            )
    observed_sites = {i.site_key for i in case.indicators if i.times and i.site_key}
    mentioned = {p.site for r in a.records.values() for p in r.places if p.site}
    for site in case.sites:
        missing = []
        if site.key not in observed_sites:
            missing.append("no indicator observations")
        if site.key not in mentioned:
            missing.append("no claim mentions it")
        if missing:
            gaps.append(Sentence(f"Site {site.name}: {' and '.join(missing)}."))
    for ind in case.indicators:
        if not ind.times:
            gaps.append(Sentence(f"Indicator “{ind.name}”: no observations imported."))
    # Questions the case asks: which credible claims share their key terms?
    credible = [s for s in stories if s.credibility <= 3]
    questions = ([("question", case.question)] if case.question else []) + list(case.hypotheses)
    for key, text in questions:
        terms = content_terms(text)
        if not terms:
            continue
        need = 2 if len(terms) >= 3 else 1
        hits = [s for s in credible if len(terms & a.records[s.best].terms) >= need]
        label = "The case question" if key == "question" else f"Hypothesis {key}"
        if not hits:
            gaps.append(
                Sentence(
                    f"{label} (“{excerpt(text, 140)}”): no credible claim shares its key terms, "
                    "so the sources collected do not address it."
                )
            )
    return gaps


# Countries, regions, continents, peninsulas: places too large to show as a point.
_AREA_FEATURES = re.compile(r"^(A\.PCL|L\.(RGN|CONT|AREA)|T\.PEN)")


def _map_points(a: Assessment, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Geolocated claims, one point per place with the best grade and how many claims: the
    ``limit`` best-supported (and every case site), and how many places there are."""
    places: dict[tuple[float, float, str], dict[str, Any]] = {}
    for cid, r in a.records.items():
        g = a.grades[cid]
        for p in r.places:
            if not p.resolved or p.lat is None or p.lon is None:
                continue
            if _AREA_FEATURES.match(p.feature or ""):
                continue  # a dot at a country's or region's centre would invent a location
            key = (round(p.lat, 4), round(p.lon, 4), p.name or p.text)
            point = places.setdefault(
                key,
                {
                    "lat": key[0],
                    "lon": key[1],
                    "name": key[2],
                    "site": p.site,
                    "claims": 0,
                    "credibility": 6,
                },
            )
            point["claims"] += 1
            point["credibility"] = min(point["credibility"], g.credibility)
    points = sorted(places.values(), key=lambda p: (p["credibility"], -p["claims"], p["name"]))
    # Case sites always stay (the site table counts claims from them); other places by rank.
    kept = [p for p in points if p["site"]] + [p for p in points if not p["site"]]
    return kept[: max(limit, sum(1 for p in points if p["site"]))], len(points)


def judgement(word: str | None, clause: str) -> str:
    """An estimative sentence: "It is likely that …", "There is a roughly even chance that …"."""
    if word is None:
        return f"It cannot be judged whether {clause}"
    if word.endswith("chance"):
        article = "" if word.startswith("almost") else "a "
        return f"There is {article}{word} that {clause}"
    return f"It is {word} that {clause}"


def modality_phrase(modality: str) -> str:
    return {
        "completed": "reported done",
        "observed": "reported seen",
        "under_way": "reported under way",
        "stated": "stated",
        "ordered": "ordered",
        "planned": "planned",
        "projected": "projected",
    }.get(modality, modality.replace("_", " "))


__all__ = [
    "Brief",
    "CaseInfo",
    "Citation",
    "IndicatorInfo",
    "SiteInfo",
    "build_brief",
    "estimative",
    "excerpt",
]
