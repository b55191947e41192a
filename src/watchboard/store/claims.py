"""Claim queries: store a document's claims, list and filter them, find one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select

from watchboard.errors import NotFoundError
from watchboard.store.schema import (
    assessments,
    claims,
    document_versions,
    documents,
    extraction_runs,
    sources,
)


def run_version(conn: Connection, document_id: str) -> tuple[int, str] | None:
    """(document version, pipeline version) of the last extraction of a document."""
    row = conn.execute(
        select(extraction_runs.c.version, extraction_runs.c.pipeline_version).where(
            extraction_runs.c.document_id == document_id
        )
    ).first()
    return (row.version, row.pipeline_version) if row else None


def replace_for_document(
    conn: Connection,
    *,
    document_id: str,
    version: int,
    pipeline_version: str,
    rows: Sequence[dict[str, Any]],
    warnings: Sequence[str],
    at: datetime,
) -> None:
    """Replace every claim of a document with a new extraction's, and record the run."""
    conn.execute(delete(claims).where(claims.c.document_id == document_id))
    if rows:
        conn.execute(
            claims.insert(),
            [{**row, "pipeline_version": pipeline_version, "created_at": at} for row in rows],
        )
    conn.execute(delete(extraction_runs).where(extraction_runs.c.document_id == document_id))
    conn.execute(
        extraction_runs.insert().values(
            document_id=document_id,
            version=version,
            pipeline_version=pipeline_version,
            extracted_at=at,
            claims=len(rows),
            warnings=list(warnings),
        )
    )


def _select() -> Any:
    return (
        select(
            claims,
            document_versions.c.title,
            document_versions.c.published_at,
            document_versions.c.url,
            sources.c.name.label("outlet"),
            assessments.c.credibility,
            assessments.c.rating,
            assessments.c.rule.label("grade_rule"),
            assessments.c.independent_groups,
        )
        .outerjoin(assessments, assessments.c.claim_id == claims.c.id)
        .join(documents, documents.c.id == claims.c.document_id)
        .join(
            document_versions,
            (document_versions.c.document_id == claims.c.document_id)
            & (document_versions.c.version == claims.c.version),
        )
        .join(sources, sources.c.id == document_versions.c.source_id)
    )


def query(
    conn: Connection,
    *,
    document_id: str | None = None,
    case_id: int | None = None,
    outlet: str | None = None,
    asserted_by: str | None = None,
    event_type: str | None = None,
    modality: str | None = None,
    max_credibility: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Claims matching every given filter, in document order."""
    q = _select()
    if document_id is not None:
        q = q.where(claims.c.document_id == document_id)
    if case_id is not None:
        q = q.where(documents.c.case_id == case_id)
    if outlet is not None:
        q = q.where(func.lower(sources.c.name) == outlet.lower())
    if asserted_by is not None:
        q = q.where(func.lower(claims.c.asserted_by).contains(asserted_by.lower()))
    if event_type is not None:
        q = q.where(claims.c.event_type == event_type)
    if modality is not None:
        q = q.where(claims.c.modality == modality)
    if max_credibility is not None:
        q = q.where(assessments.c.credibility <= max_credibility)
    q = q.order_by(
        document_versions.c.published_at.is_(None),
        document_versions.c.published_at,
        claims.c.document_id,
        claims.c.start,
    ).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    return [dict(row._mapping) for row in conn.execute(q)]


def get(conn: Connection, ref: str) -> dict[str, Any]:
    """A claim by id or unique id prefix (4+ characters)."""
    rows = list(conn.execute(_select().where(claims.c.id.like(f"{ref}%")).limit(2)))
    if len(ref) < 4 or not rows:
        raise NotFoundError(f"no claim {ref!r} (see 'watchboard claims' for ids)")
    if len(rows) > 1:
        raise NotFoundError(f"claim {ref!r} is ambiguous; give more characters")
    return dict(rows[0]._mapping)
