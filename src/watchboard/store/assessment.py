"""Assessment queries: claims as of a date, the audit log, stored grades, conflicts, milestones
and alerts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from watchboard.errors import NotFoundError
from watchboard.store.schema import (
    alert_deliveries,
    alerts,
    anachronisms,
    assessments,
    audit_log,
    claims,
    contradictions,
    document_versions,
    documents,
    milestone_links,
    milestone_status,
    milestone_suggestions,
    milestones,
    sources,
)

CHUNK = 2000


def _available() -> Any:
    """When a document version could first be read: published, else retrieved."""
    return func.coalesce(document_versions.c.published_at, document_versions.c.retrieved_at)


def claim_rows(conn: Connection, case_id: int, *, until: datetime | None) -> Iterator[Any]:
    """The case's claims with their document facts; only documents available by ``until``."""
    q = (
        select(
            claims.c.data,
            claims.c.document_id,
            documents.c.cluster_id,
            document_versions.c.published_at,
            document_versions.c.published_offset,
            document_versions.c.retrieved_at,
            document_versions.c.title,
            document_versions.c.url,
            sources.c.name.label("outlet"),
        )
        .join(documents, documents.c.id == claims.c.document_id)
        .join(
            document_versions,
            (document_versions.c.document_id == claims.c.document_id)
            & (document_versions.c.version == claims.c.version),
        )
        .join(sources, sources.c.id == document_versions.c.source_id)
        .where(documents.c.case_id == case_id)
        .order_by(claims.c.document_id, claims.c.start)
    )
    if until is not None:
        q = q.where(_available() <= until)
    yield from conn.execute(q)


def changed_after(conn: Connection, case_id: int, until: datetime) -> int:
    """Documents first seen by ``until`` whose current version was retrieved later."""
    q = (
        select(func.count())
        .select_from(documents)
        .join(
            document_versions,
            (document_versions.c.document_id == documents.c.id)
            & (document_versions.c.version == documents.c.current_version),
        )
        .where(
            documents.c.case_id == case_id,
            document_versions.c.version > 1,
            document_versions.c.retrieved_at > until,
            _available() <= until,
        )
    )
    return int(conn.execute(q).scalar_one())


# -- audit log ---------------------------------------------------------------------------------


def audit(
    conn: Connection,
    *,
    at: datetime,
    actor: str,
    action: str,
    target: str,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
    case_id: int | None = None,
) -> None:
    conn.execute(
        audit_log.insert().values(
            at=at,
            actor=actor,
            action=action,
            target=target,
            before=before,
            after=after,
            reason=reason,
            case_id=case_id,
        )
    )


def audit_entries(
    conn: Connection,
    *,
    action: str | None = None,
    target: str | None = None,
    case_id: int | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    q = select(audit_log)
    if action is not None:
        q = q.where(audit_log.c.action == action)
    if target is not None:
        q = q.where(audit_log.c.target == target)
    if case_id is not None:
        q = q.where(audit_log.c.case_id == case_id)
    if until is not None:
        q = q.where(audit_log.c.at <= until)
    q = q.order_by(audit_log.c.at, audit_log.c.id)
    if limit is not None:
        q = q.limit(limit)
    return [dict(r._mapping) for r in conn.execute(q)]


def recent_audit(conn: Connection, *, limit: int) -> list[dict[str, Any]]:
    q = select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit)
    return [dict(r._mapping) for r in conn.execute(q)]


# -- stored assessment -------------------------------------------------------------------------


def replace_assessments(conn: Connection, case_id: int, rows: Sequence[Mapping[str, Any]]) -> None:
    conn.execute(delete(assessments).where(assessments.c.case_id == case_id))
    for i in range(0, len(rows), CHUNK):
        conn.execute(insert(assessments), [dict(r) for r in rows[i : i + CHUNK]])


def assessment_of(conn: Connection, claim_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(assessments).where(assessments.c.claim_id == claim_id)).first()
    return dict(row._mapping) if row else None


def assessments_by_claim(conn: Connection, claim_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    ids = list(claim_ids)
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(ids), CHUNK):
        q = select(assessments).where(assessments.c.claim_id.in_(ids[i : i + CHUNK]))
        out.update({r.claim_id: dict(r._mapping) for r in conn.execute(q)})
    return out


def sync_findings(
    conn: Connection,
    table: Any,
    case_id: int,
    rows: Sequence[Mapping[str, Any]],
    *,
    now: datetime,
) -> list[str]:
    """Store the current contradictions or anachronisms; return the ids seen for the first time.

    Findings no longer produced stay in the table as inactive (an analyst may have seen them).
    """
    existing = {
        r.id: r.active
        for r in conn.execute(select(table.c.id, table.c.active).where(table.c.case_id == case_id))
    }
    current = {r["id"] for r in rows}
    new = [dict(r) for r in rows if r["id"] not in existing]
    if new:
        conn.execute(
            insert(table),
            [{**r, "case_id": case_id, "first_seen_at": now, "active": True} for r in new],
        )
    revived = [i for i, active in existing.items() if i in current and not active]
    gone = [i for i, active in existing.items() if i not in current and active]
    if revived:
        conn.execute(update(table).where(table.c.id.in_(revived)).values(active=True))
    if gone:
        conn.execute(update(table).where(table.c.id.in_(gone)).values(active=False))
    return [r["id"] for r in new]


def findings(
    conn: Connection, table: Any, case_id: int, *, include_inactive: bool = False
) -> list[dict[str, Any]]:
    q = select(table).where(table.c.case_id == case_id)
    if not include_inactive:
        q = q.where(table.c.active.is_(True))
    return [dict(r._mapping) for r in conn.execute(q.order_by(table.c.kind, table.c.id))]


def document_anachronisms(conn: Connection, document_id: str) -> list[dict[str, Any]]:
    q = select(anachronisms).where(
        anachronisms.c.document_id == document_id, anachronisms.c.active.is_(True)
    )
    return [dict(r._mapping) for r in conn.execute(q)]


def claim_findings(conn: Connection, claim_id: str) -> dict[str, list[dict[str, Any]]]:
    c = select(contradictions).where(
        or_(contradictions.c.claim_a == claim_id, contradictions.c.claim_b == claim_id),
        contradictions.c.active.is_(True),
    )
    a = select(anachronisms).where(
        anachronisms.c.claim_id == claim_id, anachronisms.c.active.is_(True)
    )
    return {
        "contradictions": [dict(r._mapping) for r in conn.execute(c)],
        "anachronisms": [dict(r._mapping) for r in conn.execute(a)],
    }


# -- milestones --------------------------------------------------------------------------------


def milestone_rows(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    q = select(milestones).where(milestones.c.case_id == case_id).order_by(milestones.c.id)
    return [dict(r._mapping) for r in conn.execute(q)]


def links(conn: Connection, case_id: int, *, until: datetime | None) -> list[dict[str, Any]]:
    q = select(milestone_links).where(milestone_links.c.case_id == case_id)
    if until is not None:
        q = q.where(milestone_links.c.at <= until)
    return [dict(r._mapping) for r in conn.execute(q.order_by(milestone_links.c.id))]


def add_link(conn: Connection, **values: Any) -> None:
    key = and_(
        milestone_links.c.case_id == values["case_id"],
        milestone_links.c.milestone_key == values["milestone_key"],
        milestone_links.c.claim_id == values["claim_id"],
    )
    conn.execute(delete(milestone_links).where(key))
    conn.execute(milestone_links.insert().values(**values))


def previous_statuses(conn: Connection, case_id: int) -> dict[str, str]:
    q = select(milestone_status.c.milestone_key, milestone_status.c.status).where(
        milestone_status.c.case_id == case_id
    )
    return {r.milestone_key: r.status for r in conn.execute(q)}


def replace_statuses(conn: Connection, case_id: int, rows: Sequence[Mapping[str, Any]]) -> None:
    conn.execute(delete(milestone_status).where(milestone_status.c.case_id == case_id))
    if rows:
        conn.execute(insert(milestone_status), [{**r, "case_id": case_id} for r in rows])


def add_suggestions(conn: Connection, case_id: int, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert suggestions not seen before (by key); reviewed ones are never touched."""
    known = set(
        conn.execute(
            select(milestone_suggestions.c.key).where(milestone_suggestions.c.case_id == case_id)
        ).scalars()
    )
    taken = set(
        conn.execute(select(milestones.c.key).where(milestones.c.case_id == case_id)).scalars()
    )
    new = [dict(r) for r in rows if r["key"] not in known and r["key"] not in taken]
    if new:
        conn.execute(insert(milestone_suggestions), [{**r, "case_id": case_id} for r in new])
    return len(new)


def suggestions(conn: Connection, case_id: int, *, status: str | None) -> list[dict[str, Any]]:
    q = select(milestone_suggestions).where(milestone_suggestions.c.case_id == case_id)
    if status is not None:
        q = q.where(milestone_suggestions.c.status == status)
    q = q.order_by(milestone_suggestions.c.due_start, milestone_suggestions.c.key)
    return [dict(r._mapping) for r in conn.execute(q)]


def suggestion(conn: Connection, case_id: int, ref: str) -> dict[str, Any]:
    q = select(milestone_suggestions).where(milestone_suggestions.c.case_id == case_id)
    if ref.isdigit() and int(ref) < 2**31:
        q = q.where(milestone_suggestions.c.id == int(ref))
    else:
        q = q.where(milestone_suggestions.c.key == ref)
    row = conn.execute(q).first()
    if row is None:
        raise NotFoundError(
            f"no milestone suggestion {ref!r} (see 'watchboard milestones suggestions')"
        )
    return dict(row._mapping)


def set_suggestion_status(conn: Connection, suggestion_id: int, status: str) -> None:
    conn.execute(
        update(milestone_suggestions)
        .where(milestone_suggestions.c.id == suggestion_id)
        .values(status=status)
    )


def add_milestone(conn: Connection, **values: Any) -> None:
    conn.execute(milestones.insert().values(**values))


# -- alerts ------------------------------------------------------------------------------------


def insert_alerts(
    conn: Connection, rows: Sequence[Mapping[str, Any]], channels: Sequence[str], *, now: datetime
) -> list[str]:
    """Store alerts not raised before; queue a delivery per channel. Return the new ids."""
    ids = [r["id"] for r in rows]
    known: set[str] = set()
    for i in range(0, len(ids), CHUNK):
        known |= set(
            conn.execute(select(alerts.c.id).where(alerts.c.id.in_(ids[i : i + CHUNK]))).scalars()
        )
    new = []
    seen: set[str] = set()
    for r in rows:
        if r["id"] in known or r["id"] in seen:
            continue
        seen.add(r["id"])
        new.append({**r, "created_at": now})
    if new:
        conn.execute(insert(alerts), new)
        queue_deliveries(conn, [r["id"] for r in new], channels, now=now)
    return [r["id"] for r in new]


def queue_deliveries(
    conn: Connection, alert_ids: Sequence[str], channels: Sequence[str], *, now: datetime
) -> None:
    rows = [
        {
            "alert_id": a,
            "channel": c,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
        }
        for a in alert_ids
        for c in channels
    ]
    if rows:
        conn.execute(insert(alert_deliveries), rows)


def requeue_failed(conn: Connection, *, now: datetime) -> int:
    result = conn.execute(
        update(alert_deliveries)
        .where(alert_deliveries.c.status == "failed")
        .values(status="pending", next_attempt_at=now)
    )
    return int(result.rowcount or 0)


def due_deliveries(conn: Connection, *, now: datetime) -> list[dict[str, Any]]:
    q = (
        select(alert_deliveries, alerts)
        .join(alerts, alerts.c.id == alert_deliveries.c.alert_id)
        .where(alert_deliveries.c.status == "pending", alert_deliveries.c.next_attempt_at <= now)
        .order_by(alerts.c.created_at, alerts.c.id, alert_deliveries.c.channel)
    )
    return [dict(r._mapping) for r in conn.execute(q)]


def set_delivery(conn: Connection, alert_id: str, channel: str, **values: Any) -> None:
    conn.execute(
        update(alert_deliveries)
        .where(alert_deliveries.c.alert_id == alert_id, alert_deliveries.c.channel == channel)
        .values(**values)
    )


def alert_rows(
    conn: Connection,
    *,
    case_id: int | None = None,
    include_acknowledged: bool = False,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    q = select(alerts)
    if case_id is not None:
        q = q.where(alerts.c.case_id == case_id)
    if not include_acknowledged:
        q = q.where(alerts.c.acknowledged_at.is_(None))
    q = q.order_by(alerts.c.created_at.desc(), alerts.c.id)
    if limit is not None:
        q = q.limit(limit)
    rows = [dict(r._mapping) for r in conn.execute(q)]
    if rows:
        status: dict[str, list[dict[str, Any]]] = {}
        d = select(alert_deliveries).where(alert_deliveries.c.alert_id.in_([r["id"] for r in rows]))
        for r in conn.execute(d):
            status.setdefault(r.alert_id, []).append(dict(r._mapping))
        for row in rows:
            row["deliveries"] = status.get(row["id"], [])
    return rows


def alert(conn: Connection, ref: str) -> dict[str, Any]:
    rows = list(conn.execute(select(alerts).where(alerts.c.id.like(f"{ref}%")).limit(2)))
    if len(ref) < 4 or not rows:
        raise NotFoundError(f"no alert {ref!r} (see 'watchboard alerts')")
    if len(rows) > 1:
        raise NotFoundError(f"alert {ref!r} is ambiguous; give more characters")
    return dict(rows[0]._mapping)


def acknowledge(
    conn: Connection, alert_id: str, *, at: datetime, by: str, note: str | None
) -> None:
    conn.execute(
        update(alerts)
        .where(alerts.c.id == alert_id)
        .values(acknowledged_at=at, acknowledged_by=by, ack_note=note)
    )
