"""Analysts' corrections: claim fields, entity merges and splits, and reverting any change.

A correction is written into the claim (its column and ``data``, so every filter and reader
sees it) and remembered with the extracted value in ``claim_corrections``, so re-extracting a
document re-applies it.
Merging entities folds one actor name into another for a case (``entity_merges``); splitting
undoes a merge. Every change writes an audit entry with who, when, before and after; reverting
an entry is itself a new entry (the log is append-only), restoring the "before" state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from watchboard.errors import NotFoundError, WatchboardError
from watchboard.jobs.assess import analyst_name, event_types, resolve_case
from watchboard.model.claim import MODALITIES
from watchboard.store import Store
from watchboard.store import assessment as q
from watchboard.store import claims as claim_queries
from watchboard.store import sources as source_queries
from watchboard.store.schema import (
    audit_log,
    claim_corrections,
    claims,
    documents,
    entity_merges,
    milestone_links,
)

#: Claim fields an analyst may correct (see ``_check``).
CORRECTABLE = claim_queries.CORRECTABLE


def _check(field: str, value: Any) -> Any:
    if field == "modality":
        if value not in MODALITIES:
            raise WatchboardError(f"modality must be one of: {', '.join(MODALITIES)}")
    elif field == "event_type":
        if value is not None and value not in event_types():
            raise WatchboardError(f"event type {value!r} is not in the taxonomy")
    elif field == "asserted_by":
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise WatchboardError("asserted_by must be a name of 1-200 characters")
        value = value.strip()
    elif field == "source_identified":
        if not isinstance(value, bool):
            raise WatchboardError("source_identified must be true or false")
    else:
        raise WatchboardError(f"{field!r} cannot be corrected (one of: {', '.join(CORRECTABLE)})")
    return value


def corrections_for(conn: Connection, claim_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    ids = list(claim_ids)
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(ids), 900):
        rows = conn.execute(
            select(claim_corrections).where(claim_corrections.c.claim_id.in_(ids[i : i + 900]))
        )
        for row in rows:
            out.setdefault(row.claim_id, {})[row.field] = row.value
    return out


def correct_data(data: Mapping[str, Any], fixes: Mapping[str, Any] | None) -> dict[str, Any]:
    """A claim's ``data`` (as extraction stored it) with an analyst's corrections applied."""
    out = dict(data)
    if not fixes:
        return out
    for field, value in fixes.items():
        if field == "source_identified":
            out["extra"] = {**(out.get("extra") or {}), "source_identified": value}
        else:
            out[field] = value
    out["corrected"] = sorted(fixes)
    return out


def apply_corrections(row: Mapping[str, Any], fixes: Mapping[str, Any] | None) -> dict[str, Any]:
    """A claim row (columns and ``data``) with an analyst's corrections applied and listed."""
    out = dict(row)
    if not fixes:
        return out
    for field, value in fixes.items():
        out[field] = value
    if "data" in out:
        out["data"] = correct_data(out["data"] or {}, fixes)
    out["corrected"] = sorted(fixes)
    return out


def correct_claim(
    store: Store,
    claim: str,
    changes: Mapping[str, Any],
    *,
    reason: str,
    actor: str | None = None,
) -> dict[str, Any]:
    """Correct some of a claim's fields; one audit entry per field changed."""
    if not changes:
        raise WatchboardError("nothing to correct")
    if not reason.strip():
        raise WatchboardError("give a reason for the correction")
    checked = {field: _check(field, value) for field, value in changes.items()}
    who = actor or analyst_name()
    now = datetime.now(UTC)
    with store.transaction() as conn:
        row = claim_queries.get(conn, claim)
        current = apply_corrections(row, corrections_for(conn, [row["id"]]).get(row["id"]))
        case_id = conn.execute(
            select(documents.c.case_id).where(documents.c.id == row["document_id"])
        ).scalar()
        changed = {}
        for field, value in checked.items():
            before = current[field]
            if before == value:
                continue
            claim_queries.set_correction(conn, row["id"], field, value, actor=who, at=now)
            q.audit(
                conn,
                at=now,
                actor=who,
                action="claim.correct",
                target=row["id"],
                case_id=case_id,
                before={field: before},
                after={field: value},
                reason=reason,
            )
            changed[field] = {"before": before, "after": value}
    return {"claim": row["id"], "changed": changed}


# -- entities --------------------------------------------------------------------------------------


def merges(conn: Connection, case_id: int) -> dict[str, str]:
    rows = conn.execute(
        select(entity_merges.c.alias, entity_merges.c.canonical).where(
            entity_merges.c.case_id == case_id
        )
    )
    return {alias: canonical for alias, canonical in rows}


def list_entities(store: Store, case: str | None = None) -> list[dict[str, Any]]:
    """Actors named in a case's claims, with how many claims name them, after merges."""
    with store.reading() as conn:
        case_id, _ = resolve_case(conn, case)
        folded = merges(conn, case_id)
        counts: dict[str, dict[str, Any]] = {}
        rows = conn.execute(
            select(claims.c.data)
            .join(documents, documents.c.id == claims.c.document_id)
            .where(documents.c.case_id == case_id)
        )
        for (data,) in rows:
            for actor in data.get("actors") or ():
                name = actor["name"]
                canonical = folded.get(name.lower(), name)
                entry = counts.setdefault(
                    canonical.lower(),
                    {"name": canonical, "kind": actor.get("kind"), "claims": 0, "aliases": set()},
                )
                entry["claims"] += 1
                if name.lower() != canonical.lower():
                    entry["aliases"].add(name)
    return sorted(
        ({**e, "aliases": sorted(e["aliases"])} for e in counts.values()),
        key=lambda e: (-e["claims"], e["name"]),
    )


def merge_entity(
    store: Store,
    alias: str,
    canonical: str,
    *,
    case: str | None = None,
    reason: str,
    actor: str | None = None,
) -> dict[str, Any]:
    """Fold actor ``alias`` into ``canonical`` for a case (e.g. "Kim" into "Kim Jong Un")."""
    alias, canonical = alias.strip(), canonical.strip()
    if not alias or not canonical or alias.lower() == canonical.lower():
        raise WatchboardError("give two different entity names")
    if not reason.strip():
        raise WatchboardError("give a reason for the merge")
    who = actor or analyst_name()
    now = datetime.now(UTC)
    with store.transaction() as conn:
        case_id, _ = resolve_case(conn, case)
        current = merges(conn, case_id)
        target = current.get(canonical.lower(), canonical)
        before = current.get(alias.lower())
        conn.execute(
            delete(entity_merges).where(
                entity_merges.c.case_id == case_id, entity_merges.c.alias == alias.lower()
            )
        )
        conn.execute(
            insert(entity_merges).values(
                case_id=case_id, alias=alias.lower(), canonical=target, actor=who, at=now
            )
        )
        # Names already merged into the alias follow it.
        conn.execute(
            update(entity_merges)
            .where(
                entity_merges.c.case_id == case_id,
                entity_merges.c.canonical == alias,
            )
            .values(canonical=target)
        )
        q.audit(
            conn,
            at=now,
            actor=who,
            action="entity.merge",
            target=alias.lower(),
            case_id=case_id,
            before={"canonical": before},
            after={"canonical": target},
            reason=reason,
        )
    return {"alias": alias, "canonical": target, "before": before}


def split_entity(
    store: Store, alias: str, *, case: str | None = None, reason: str, actor: str | None = None
) -> dict[str, Any]:
    """Undo a merge: ``alias`` is its own entity again."""
    if not reason.strip():
        raise WatchboardError("give a reason for the split")
    who = actor or analyst_name()
    now = datetime.now(UTC)
    with store.transaction() as conn:
        case_id, _ = resolve_case(conn, case)
        before = merges(conn, case_id).get(alias.strip().lower())
        if before is None:
            raise NotFoundError(f"{alias!r} is not merged into another entity")
        conn.execute(
            delete(entity_merges).where(
                entity_merges.c.case_id == case_id, entity_merges.c.alias == alias.strip().lower()
            )
        )
        q.audit(
            conn,
            at=now,
            actor=who,
            action="entity.split",
            target=alias.strip().lower(),
            case_id=case_id,
            before={"canonical": before},
            after={"canonical": None},
            reason=reason,
        )
    return {"alias": alias, "before": before}


# -- reverting -------------------------------------------------------------------------------------

REVERSIBLE = (
    "claim.correct",
    "claim.credibility",
    "source.reliability",
    "entity.merge",
    "entity.split",
    "milestone.link",
    "alert.ack",
)


def revert(store: Store, entry_id: int, *, reason: str, actor: str | None = None) -> dict[str, Any]:
    """Undo the change an audit entry records, as a new entry (the old one stays)."""
    if not reason.strip():
        raise WatchboardError("give a reason for reverting")
    who = actor or analyst_name()
    now = datetime.now(UTC)
    with store.transaction() as conn:
        row = conn.execute(select(audit_log).where(audit_log.c.id == entry_id)).first()
        if row is None:
            raise NotFoundError(f"no audit entry {entry_id}")
        entry = dict(row._mapping)
        action = entry["action"]
        if action not in REVERSIBLE:
            raise WatchboardError(
                f"audit entry {entry_id} ({action}) cannot be reverted; reversible: "
                + ", ".join(REVERSIBLE)
            )
        before, after, target = entry["before"], entry["after"], entry["target"]
        if action == "claim.correct":
            ((field, value),) = before.items()
            claim_queries.set_correction(conn, target, field, value, actor=who, at=now)
        elif action == "claim.credibility":
            pass  # the grade override is the latest audit entry itself; the new entry restores
        elif action == "source.reliability":
            source_id = source_queries.find_id(conn, target)
            if source_id is None:
                raise NotFoundError(f"source {target!r} no longer exists")
            source_queries.set_reliability(conn, source_id, str(before))
        elif action in ("entity.merge", "entity.split"):
            conn.execute(
                delete(entity_merges).where(
                    entity_merges.c.case_id == entry["case_id"], entity_merges.c.alias == target
                )
            )
            if before.get("canonical"):
                conn.execute(
                    insert(entity_merges).values(
                        case_id=entry["case_id"],
                        alias=target,
                        canonical=before["canonical"],
                        actor=who,
                        at=now,
                    )
                )
        elif action == "milestone.link":
            # The state to restore is the entry's "before": a link ({claim, role}) or none.
            linked = before or after or {}
            conn.execute(
                delete(milestone_links).where(
                    milestone_links.c.case_id == entry["case_id"],
                    milestone_links.c.milestone_key == target,
                    milestone_links.c.claim_id == linked.get("claim"),
                )
            )
            if before:
                q.add_link(
                    conn,
                    case_id=entry["case_id"],
                    milestone_key=target,
                    claim_id=before["claim"],
                    role=before.get("role", "supports"),
                    note=f"restored by {who}",
                    actor=who,
                    at=now,
                )
        elif action == "alert.ack":
            from watchboard.store.schema import alerts

            acknowledged = bool((before or {}).get("acknowledged"))
            conn.execute(
                update(alerts)
                .where(alerts.c.id == target)
                .values(
                    acknowledged_at=now if acknowledged else None,
                    acknowledged_by=who if acknowledged else None,
                    ack_note=f"restored by {who}" if acknowledged else None,
                )
            )
        q.audit(
            conn,
            at=now,
            actor=who,
            action=action,
            target=target,
            case_id=entry["case_id"],
            before=after,
            after=before,
            reason=f"revert of audit entry {entry_id}: {reason}",
        )
    return {"reverted": entry_id, "action": action, "target": target, "restored": before}
