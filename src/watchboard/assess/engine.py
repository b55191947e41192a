"""One assessment of a case: match, find conflicts, grade, track milestones — as of a date.

A pure function of its inputs (claims available on the date, the sources' grades then, the
analysts' overrides and links made by then), so replaying an earlier date gives exactly what an
analyst would have seen.

Independence. Every claim has an *origin*: the innermost source in its attribution chain that
the registry knows ("Reuters -> KCNA -> Kim Jong Un" comes through KCNA), or the document's
outlet when the outlet speaks for itself or quotes someone directly. Corroboration is counted
in independence groups of origins: outlets in one group count once, syndicated copies count as
their original's group, and a document in a near-duplicate cluster counts as the cluster's
first document. A wire relaying KCNA is a *witness* that KCNA said it, not a second origin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from watchboard.assess import conflicts as conf
from watchboard.assess import grading
from watchboard.assess import relations as rel
from watchboard.assess.matching import Match, MatchResult, MatchSettings, match_claims
from watchboard.assess.milestones import (
    MilestoneSpec,
    MilestoneStatus,
    Suggestion,
    milestone_status,
    suggestions,
)
from watchboard.assess.records import (
    INTENDED,
    RELIABILITY,
    ClaimRecord,
    SourceInfo,
    source_index,
)
from watchboard.errors import WatchboardError


@dataclass(frozen=True)
class Rules:
    matching: MatchSettings
    quantity_tolerance: float
    undisclosed: Mapping[str, tuple[str, ...]]
    credibility: tuple[grading.Rule, ...]
    milestones: Mapping[str, Any]
    origin: str


def load_rules(path: Path | None = None) -> Rules:
    """The assessment rules: the packaged ``data/assessment.yaml`` or an analyst's copy."""
    if path is None:
        return _packaged_rules()
    try:
        return _parse_rules(path.read_text("utf-8"), str(path))
    except OSError as exc:
        raise WatchboardError(f"{path}: cannot read assessment rules: {exc.strerror}") from None


@cache
def _packaged_rules() -> Rules:
    text = resources.files("watchboard.assess").joinpath("data/assessment.yaml").read_text("utf-8")
    return _parse_rules(text, "assessment.yaml")


def _parse_rules(text: str, origin: str) -> Rules:
    try:
        raw = yaml.safe_load(text)
        return Rules(
            matching=MatchSettings.from_mapping(raw.get("matching") or {}),
            quantity_tolerance=float(raw["contradictions"]["quantity_tolerance"]),
            undisclosed={
                k: tuple(str(w).lower() for w in v)
                for k, v in raw["contradictions"]["undisclosed"].items()
            },
            credibility=tuple(grading.load_rules(raw["credibility"], origin=origin)),
            milestones=dict(raw["milestones"]),
            origin=origin,
        )
    except (yaml.YAMLError, KeyError, TypeError, AttributeError, ValueError) as exc:
        raise WatchboardError(f"{origin}: invalid assessment rules: {exc}") from None


@dataclass(frozen=True)
class Origin:
    group: str
    reliability: str
    identified: bool
    source: str | None  # the registered source it came through
    witness: str  # the group of the outlet that relays it
    channel: str  # the registered source whose statement this is (for witness counting)

    def describe(self) -> str:
        via = f" via {self.source}" if self.source else ""
        who = "identified" if self.identified else "unidentified"
        return f"{who} origin{via}, group {self.group!r}, reliability {self.reliability}"


@dataclass(frozen=True)
class Override:
    credibility: int
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Grade:
    claim: str
    credibility: int
    rating: str  # "B2": origin reliability + credibility
    rule: str
    reason: str
    features: Mapping[str, Any]
    origin: Origin
    confirming: tuple[tuple[str, str], ...]  # (group, claim id)
    contradicting: tuple[tuple[str, str], ...]
    witnesses: tuple[str, ...]
    computed: int  # the grade the rules gave, before any override
    unconfirmed: tuple[str, ...] = ()  # specifics no other source gives
    override: Override | None = None

    def explain(self) -> list[str]:
        lines = [
            f"credibility {self.credibility} ({grading.GRADE_WORDS[self.credibility]}), "
            f"rating {self.rating}"
        ]
        if self.override:
            lines.append(
                f"overridden by {self.override.by} on {self.override.at:%Y-%m-%d}: "
                f"{self.override.reason} (rules gave {self.computed})"
            )
        lines.append(f"rule {self.rule}: {self.reason}")
        lines.append(self.origin.describe())
        feats = ", ".join(f"{k}={v}" for k, v in self.features.items())
        lines.append(f"features: {feats}")
        groups = sorted({g for g, _ in self.confirming})
        lines.append(f"asserted by {len(groups)} independent group(s): {', '.join(groups) or '-'}")
        if self.unconfirmed:
            lines.append("other sources confirm the event but not: " + "; ".join(self.unconfirmed))
        if self.witnesses:
            lines.append(f"statement witnessed by: {', '.join(self.witnesses)}")
        if self.contradicting:
            against = sorted({g for g, _ in self.contradicting})
            lines.append(f"contradicted by: {', '.join(against)}")
        return lines


@dataclass
class Assessment:
    case: str
    as_of: date
    records: dict[str, ClaimRecord]
    matches: MatchResult
    grades: dict[str, Grade]
    contradictions: list[conf.Contradiction]
    anachronisms: list[conf.Anachronism]
    milestones: list[MilestoneStatus]
    suggestions: list[Suggestion]
    stats: dict[str, Any] = field(default_factory=dict)


def _class(modality: str, negated: bool, undisclosed: bool) -> str:
    if modality == "denied" or (negated and not undisclosed):
        return "denied"
    if modality in INTENDED:
        return "intended"
    if modality == "speculative":
        return "speculative"
    return "factual"


def origins(records: Sequence[ClaimRecord], sources: Sequence[SourceInfo]) -> dict[str, Origin]:
    index = source_index(sources)

    def lookup(name: str) -> SourceInfo:
        return index.get(name.lower()) or SourceInfo(name, "F", name)

    # A near-duplicate cluster counts as its first document's outlet.
    first: dict[str, ClaimRecord] = {}
    for r in records:
        if r.cluster not in first or r.available_at < first[r.cluster].available_at:
            first[r.cluster] = r
    out = {}
    for r in records:
        own = lookup(r.outlet)
        outlet_group = lookup(first[r.cluster].outlet).group
        links = [index.get(link.lower()) for link in r.chain]
        inner_pos = max((i for i, s in enumerate(links) if s is not None and i > 0), default=0)
        channel = links[inner_pos] if inner_pos > 0 else None
        innermost_registered = bool(r.chain) and links[-1] is not None
        identified = innermost_registered or r.source_identified
        if channel is not None:
            group, reliability, source = channel.group, channel.reliability, channel.name
        else:
            group, reliability, source = outlet_group, own.reliability, None
        if not identified:
            reliability = "F"
        out[r.id] = Origin(
            group=group,
            reliability=reliability,
            identified=identified,
            source=source,
            witness=outlet_group,
            channel=source or own.name,
        )
    return out


def assess(
    case: str,
    records: Sequence[ClaimRecord],
    sources: Sequence[SourceInfo],
    *,
    as_of: date,
    milestones: Sequence[MilestoneSpec] = (),
    overrides: Mapping[str, Override] | None = None,
    rules: Rules | None = None,
) -> Assessment:
    rules = rules or load_rules()
    overrides = overrides or {}
    by_id = {r.id: r for r in records}
    matched = match_claims(records, rules.matching)
    contradictions = conf.contradictions(
        by_id,
        matched.matches,
        tolerance=rules.quantity_tolerance,
        undisclosed_words=rules.undisclosed,
    )
    anachronisms = conf.anachronisms(records)
    origin = origins(records, sources)
    conflicting: dict[str, set[str]] = {}
    for c in contradictions:
        conflicting.setdefault(c.a, set()).add(c.b)
        conflicting.setdefault(c.b, set()).add(c.a)
    grades = {
        r.id: _grade(r, by_id, origin, matched.neighbours.get(r.id, []), conflicting, rules)
        for r in records
    }
    for claim_id, override in overrides.items():
        if claim_id in grades:
            g = grades[claim_id]
            grades[claim_id] = Grade(
                **{
                    **g.__dict__,
                    "credibility": override.credibility,
                    "rating": f"{g.rating[0]}{override.credibility}",
                    "override": override,
                }
            )
    credibility = {k: g.credibility for k, g in grades.items()}
    statuses = [
        milestone_status(m, records, credibility, rules.milestones, as_of) for m in milestones
    ]
    covered = {e.claim for s in statuses for e in s.evidence}
    suggested = suggestions(records, covered, rules.milestones)
    stats = {
        "claims": len(records),
        "compared_pairs": matched.compared,
        "matches": len(matched.matches),
        "skipped_blocks": matched.skipped_keys,
    }
    return Assessment(
        case,
        as_of,
        by_id,
        matched,
        grades,
        contradictions,
        anachronisms,
        statuses,
        suggested,
        stats,
    )


def _grade(
    r: ClaimRecord,
    by_id: Mapping[str, ClaimRecord],
    origin: Mapping[str, Origin],
    neighbours: Sequence[Match],
    conflicting: Mapping[str, set[str]],
    rules: Rules,
) -> Grade:
    mine = origin[r.id]
    cls = _class(r.modality, r.negated, r.undisclosed)
    against = conflicting.get(r.id, set())
    confirming: set[tuple[str, str]] = set()
    if mine.identified:
        confirming.add((mine.group, r.id))
    contradicting: set[tuple[str, str]] = set()
    witnesses = {mine.witness} if mine.channel else set()
    details = _details(r)
    unconfirmed = set(details)
    core: set[str] = set()
    for m in neighbours:
        other_id = m.b if m.a == r.id else m.a
        other, theirs = by_id[other_id], origin[other_id]
        if other_id in against:
            # An unidentified source, or one whose reliability cannot be judged (F), cannot
            # outweigh a judged one.
            if theirs.identified and theirs.reliability != "F":
                contradicting.add((theirs.group, other_id))
            continue
        if _class(other.modality, other.negated, other.undisclosed) != cls:
            continue
        if theirs.channel == mine.channel:
            witnesses.add(theirs.witness)
        if not theirs.identified:
            continue
        core.add(theirs.group)
        missing = {d for d, check in details.items() if not check(other)}
        unconfirmed &= missing
        if not missing:
            confirming.add((theirs.group, other_id))
    groups = {g for g, _ in confirming}
    if not core - {mine.group}:
        unconfirmed = set()  # nobody else reports the event at all: nothing to single out
    contra_groups = {g for g, _ in contradicting} - groups
    best = min(
        (origin[c].reliability for _, c in confirming),
        key=RELIABILITY.index,
        default=mine.reliability,
    )
    features = {
        "groups": len(groups),
        "witnesses": len(witnesses),
        "contradicting": len(contra_groups),
        "identified": mine.identified,
        "reliability": mine.reliability,
        "best_reliability": best,
        "modality": r.modality,
        "speech_act": cls == "intended" or r.event_type in ("directive", "statement"),
    }
    rule = grading.grade(rules.credibility, features)
    return Grade(
        claim=r.id,
        credibility=rule.grade,
        rating=f"{mine.reliability}{rule.grade}",
        rule=rule.id,
        reason=rule.reason,
        features=features,
        origin=mine,
        confirming=tuple(sorted(confirming)),
        contradicting=tuple(sorted(contradicting)),
        witnesses=tuple(sorted(witnesses)),
        computed=rule.grade,
        unconfirmed=tuple(sorted(unconfirmed)),
    )


_RANK = {"day": 0, "week": 1, "month": 2, "quarter": 3, "half": 3, "season": 3, "year": 4}


def _details(r: ClaimRecord) -> dict[str, Any]:
    """The claim's specifics (precise date, number, location), each with a test of whether
    another claim gives it too."""
    checks: dict[str, Any] = {}
    for t in rel.dated(r.times):
        rank = _RANK.get(t.granularity or "", 9)
        if rank > _RANK["month"]:
            continue

        def has_time(o: ClaimRecord, t: Any = t, rank: int = rank) -> bool:
            return any(
                _RANK.get(u.granularity or "", 9) <= rank and u.start < t.end and t.start < u.end
                for u in rel.dated(o.times)
            )

        checks[f"date {t.text!r}"] = has_time
    for qty in r.quantities:
        if qty.slot is None or qty.unit == "year":
            continue

        def has_quantity(o: ClaimRecord, slot: str = qty.slot) -> bool:
            return any(x.slot == slot for x in o.quantities)

        checks[f"number {qty.text!r}"] = has_quantity
    for place in r.places:
        if not place.resolved or rel.is_area(place):
            continue

        def has_place(o: ClaimRecord, p: Any = place) -> bool:
            return any(
                rel.place_pair(p, x) == rel.COMPATIBLE for x in o.places if not rel.is_area(x)
            )

        checks[f"place {place.text!r}"] = has_place
    return checks
