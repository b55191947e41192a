"""The case's timeline: dated events (one per matched story) and milestones, in date order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from watchboard.assess.engine import Assessment


@dataclass(frozen=True)
class TimelineEntry:
    day: date | None
    end: date | None
    kind: str  # event, milestone
    title: str
    detail: str
    rating: str | None
    ref: str  # claim id or milestone key
    status: str | None = None


def timeline(assessment: Assessment) -> list[TimelineEntry]:
    """Events (claims with a date, grouped by story) and milestones, in date order."""
    entries: list[TimelineEntry] = []
    seen: set[tuple[str, str]] = set()
    for claim_id, record in assessment.records.items():
        grade = assessment.grades[claim_id]
        group = assessment.matches.groups.get(claim_id, claim_id)
        for t in record.times:
            if t.type != "DATE" or t.start is None or t.end is None:
                continue
            if (group, t.value) in seen:
                continue
            seen.add((group, t.value))
            entries.append(
                TimelineEntry(
                    day=t.start,
                    end=t.end - timedelta(days=1),
                    kind="event",
                    title=f"{(record.event_type or 'claim').replace('_', ' ')} "
                    f"({record.modality.replace('_', ' ')}) — {t.text}",
                    detail=f"{record.outlet}: “{record.quote}”",
                    rating=grade.rating,
                    ref=claim_id,
                )
            )
            break
    for m in assessment.milestones:
        entries.append(
            TimelineEntry(
                day=m.due_start,
                end=m.due_end,
                kind="milestone",
                title=m.title,
                detail=m.reason,
                rating=None,
                ref=m.key,
                status=m.status,
            )
        )
    entries.sort(key=lambda e: (e.day or date.max, e.kind != "milestone", e.title))
    return entries
