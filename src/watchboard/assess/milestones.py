"""Milestone status as of a date, from evidence; milestone suggestions from projected claims.

Status, in order of precedence:

- ``achieved``: a credible claim (grade <= ``achieved_max_credibility``) reports the
  milestone's event as done or under way, or an analyst linked one as proof;
- ``contradicted``: a credible denial, or an analyst-linked contradicting claim, outweighs it;
- otherwise by the due window: ``pending`` before it opens, ``due`` while open, ``overdue``
  after it closes without such evidence.

Evidence is matched by event type, shared content terms with the milestone's title and
description, a place compatible with the milestone's site, and a time overlapping the window
(or none given). Only claims available on the as-of date are passed in, so a replay shows
what an analyst would have seen then.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from watchboard.assess import relations as rel
from watchboard.assess.records import INTENDED, ClaimRecord, PlaceSlot
from watchboard.assess.terms import content_terms


@dataclass(frozen=True)
class MilestoneSpec:
    key: str
    title: str
    due_start: date | None
    due_end: date | None
    event_type: str | None
    description: str | None = None
    site: PlaceSlot | None = None
    origin: str = "case"
    links: tuple[tuple[str, str, str], ...] = ()  # (claim id, "supports"|"contradicts", note)
    changes: tuple[tuple[str, str], ...] = ()  # (indicator change id, description), linked


@dataclass(frozen=True)
class Evidence:
    claim: str  # a claim id, or an indicator change id (see why)
    role: str  # achieved, contradicts, related
    credibility: int
    why: str


@dataclass(frozen=True)
class MilestoneStatus:
    key: str
    title: str
    status: str
    reason: str
    due_start: date | None
    due_end: date | None
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    key: str
    title: str
    event_type: str
    due_start: date
    due_end: date
    claim: str
    quote: str
    site: str | None = None
    claims: tuple[str, ...] = field(default_factory=tuple)


def _window(m: MilestoneSpec) -> str:
    start = m.due_start.isoformat() if m.due_start else "…"
    end = m.due_end.isoformat() if m.due_end else "…"
    return f"{start} to {end}"


def _relevant(
    m: MilestoneSpec, r: ClaimRecord, terms: frozenset[str], min_overlap: int
) -> str | None:
    """Why a claim bears on a milestone, or None."""
    if m.event_type is None or r.event_type != m.event_type:
        return None
    shared = terms & r.terms
    if len(shared) < min(min_overlap, len(terms)):
        return None
    if m.site is not None and rel.places_relation([m.site], r.places) == rel.CONFLICT:
        return None
    dated = rel.dated(r.times)
    if dated and (m.due_start or m.due_end):
        start = m.due_start or date.min
        end = (m.due_end or date.max - timedelta(days=1)) + timedelta(days=1)
        if not any(t.start < end and start < t.end for t in dated):  # type: ignore[operator]
            return None
    return f"{r.event_type}; shares {', '.join(sorted(shared)[:4])}"


def milestone_status(
    m: MilestoneSpec,
    records: Sequence[ClaimRecord],
    credibility: Mapping[str, int],
    settings: Mapping[str, Any],
    as_of: date,
) -> MilestoneStatus:
    terms = content_terms(m.title)
    by_id = {r.id: r for r in records}
    evidence: list[Evidence] = []
    for claim_id, role, note in m.links:
        if claim_id in by_id:
            evidence.append(
                Evidence(
                    claim_id,
                    "achieved" if role == "supports" else "contradicts",
                    credibility.get(claim_id, 6),
                    f"linked by an analyst: {note}" if note else "linked by an analyst",
                )
            )
    for change_id, description in m.changes:
        evidence.append(
            Evidence(
                change_id,
                "achieved",
                int(settings.get("indicator_change_credibility", 2)),
                f"indicator change linked by an analyst: {description}",
            )
        )
    linked = {e.claim for e in evidence}
    achieved_modalities = set(settings["achieved_modalities"])
    title = f" {m.title.lower()} "
    if any(f" {w} " in title for w in settings.get("completion_words", ())):
        achieved_modalities -= {"under_way"}
    for r in records:
        if r.id in linked:
            continue
        why = _relevant(m, r, terms, int(settings["min_term_overlap"]))
        if why is None:
            continue
        grade = credibility.get(r.id, 6)
        denial = r.modality == "denied" or (r.negated and not r.undisclosed)
        if denial and grade <= settings["contradicting_max_credibility"]:
            evidence.append(Evidence(r.id, "contradicts", grade, f"denial: {why}"))
        elif (
            r.modality in achieved_modalities
            and not r.negated
            and grade <= settings["achieved_max_credibility"]
        ):
            evidence.append(Evidence(r.id, "achieved", grade, f"{r.modality}: {why}"))
        else:
            evidence.append(Evidence(r.id, "related", grade, f"{r.modality}: {why}"))
    evidence.sort(key=lambda e: ({"achieved": 0, "contradicts": 1}.get(e.role, 2), e.credibility))
    achieved = [e for e in evidence if e.role == "achieved"]
    contra = [e for e in evidence if e.role == "contradicts"]
    best_for = min((e.credibility for e in achieved), default=7)
    best_against = min((e.credibility for e in contra), default=7)
    if achieved and best_for <= best_against:
        status = "achieved"
        reason = f"{len(achieved)} credible report(s) of it (best grade {best_for})"
        if contra:
            reason += f"; {len(contra)} contradicting report(s) weigh less"
    elif contra:
        status = "contradicted"
        reason = f"{len(contra)} credible report(s) against it (best grade {best_against})"
    elif m.due_start and as_of < m.due_start:
        status, reason = "pending", f"due window {_window(m)} has not opened"
    elif m.due_end is None or as_of <= m.due_end:
        status, reason = "due", f"due window {_window(m)} is open; no credible report of it yet"
    else:
        status = "overdue"
        reason = f"due window {_window(m)} closed without a credible report of it"
    return MilestoneStatus(m.key, m.title, status, reason, m.due_start, m.due_end, tuple(evidence))


def suggestions(
    records: Sequence[ClaimRecord],
    covered: set[str],
    settings: Mapping[str, Any],
) -> list[Suggestion]:
    """Projected or planned claims with a future time: one suggestion per event type and
    time, listing every claim that supports it."""
    modalities = set(settings["suggest_modalities"]) & INTENDED
    found: dict[str, Suggestion] = {}
    for r in records:
        if r.id in covered or r.event_type is None or r.published is None:
            continue
        if r.modality not in modalities or r.negated:
            continue
        for t in rel.dated(r.times):
            assert t.start is not None and t.end is not None
            if t.start <= r.published or t.mod in ("AFTER", "ON_OR_AFTER"):
                continue
            key = f"{r.event_type.replace('_', '-')}-{t.value}".lower()
            key = key.replace("_", "-")
            if key in found:  # one suggestion per event type and time, whoever says it
                prev = found[key]
                found[key] = Suggestion(**{**prev.__dict__, "claims": (*prev.claims, r.id)})
                continue
            site = next((p.site for p in r.places if p.site), None)
            title = f"{r.event_type.replace('_', ' ').capitalize()} — {t.text}"
            found[key] = Suggestion(
                key=key,
                title=title,
                event_type=r.event_type,
                due_start=t.start,
                due_end=t.end - timedelta(days=1),
                claim=r.id,
                quote=r.quote,
                site=site,
                claims=(r.id,),
            )
            break
    return sorted(found.values(), key=lambda s: (s.due_start, s.key, s.claim))
