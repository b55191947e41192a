"""Claim queries: store a document's claims, list and filter them, find one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, delete, exists, func, or_, select, update

from watchboard.errors import NotFoundError
from watchboard.store.documents import escape_like
from watchboard.store.schema import (
    assessments,
    claim_corrections,
    claim_places,
    claim_times,
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
        case_id = conn.execute(
            select(documents.c.case_id).where(documents.c.id == document_id)
        ).scalar()
        conn.execute(
            claims.insert(),
            [
                {**row, "pipeline_version": pipeline_version, "created_at": at, "case_id": case_id}
                for row in rows
            ],
        )
        index_claims(conn, [(row["id"], row["data"]) for row in rows])
        reapply_corrections(conn, [row["id"] for row in rows])
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


#: Claim fields an analyst may correct (columns of ``claims`` mirrored in its ``data``).
CORRECTABLE = ("modality", "event_type", "asserted_by", "source_identified")


def write_field(conn: Connection, claim_id: str, field: str, value: Any) -> None:
    """Set a correctable field in the claim's column and in its ``data``."""
    data = dict(conn.execute(select(claims.c.data).where(claims.c.id == claim_id)).scalar_one())
    if field == "source_identified":
        data["extra"] = {**(data.get("extra") or {}), "source_identified": value}
    else:
        data[field] = value
    conn.execute(update(claims).where(claims.c.id == claim_id).values({field: value, "data": data}))


def set_correction(
    conn: Connection, claim_id: str, field: str, value: Any, *, actor: str, at: datetime
) -> None:
    """Correct one field: written into the claim, remembered (with what extraction gave) so
    re-extraction keeps it; setting it back to the extracted value removes the correction."""
    if field not in CORRECTABLE:
        raise ValueError(field)
    key = (claim_corrections.c.claim_id == claim_id) & (claim_corrections.c.field == field)
    found = conn.execute(select(claim_corrections.c.original).where(key)).first()
    original = (
        found.original
        if found is not None
        else conn.execute(select(claims.c[field]).where(claims.c.id == claim_id)).scalar()
    )
    conn.execute(delete(claim_corrections).where(key))
    if value != original:
        conn.execute(
            claim_corrections.insert().values(
                claim_id=claim_id, field=field, value=value, original=original, actor=actor, at=at
            )
        )
    write_field(conn, claim_id, field, value)


def reapply_corrections(conn: Connection, claim_ids: Sequence[str]) -> None:
    """After re-extraction: corrections of these claims go back into them (and the new
    extraction's values become the originals)."""
    for i in range(0, len(claim_ids), 900):
        rows = conn.execute(
            select(claim_corrections).where(
                claim_corrections.c.claim_id.in_(claim_ids[i : i + 900])
            )
        ).all()
        for row in rows:
            fresh = conn.execute(
                select(claims.c[row.field]).where(claims.c.id == row.claim_id)
            ).scalar()
            key = (claim_corrections.c.claim_id == row.claim_id) & (
                claim_corrections.c.field == row.field
            )
            if fresh == row.value:
                conn.execute(delete(claim_corrections).where(key))
                continue
            conn.execute(update(claim_corrections).where(key).values(original=fresh))
            write_field(conn, row.claim_id, row.field, row.value)


def index_claims(conn: Connection, items: Sequence[tuple[str, Any]]) -> None:
    """Store where (resolved coordinates) and when (dated intervals) each claim is."""
    places: list[dict[str, Any]] = []
    times: list[dict[str, Any]] = []
    for claim_id, data in items:
        seen = set()
        for p in (data or {}).get("places") or ():
            lat, lon = p.get("lat"), p.get("lon")
            if p.get("resolved") and lat is not None and lon is not None and (lat, lon) not in seen:
                seen.add((lat, lon))
                places.append(
                    {"claim_id": claim_id, "lat": lat, "lon": lon, "site_key": p.get("site")}
                )
        for t in (data or {}).get("times") or ():
            start, end = t.get("start"), t.get("end")
            if start and end:
                try:
                    times.append(
                        {
                            "claim_id": claim_id,
                            "start": date.fromisoformat(str(start)[:10]),
                            "end": date.fromisoformat(str(end)[:10]),
                        }
                    )
                except ValueError:
                    continue
    if places:
        conn.execute(claim_places.insert(), places)
    if times:
        conn.execute(claim_times.insert(), times)


def page(
    conn: Connection,
    *,
    case_id: int,
    after: str | None = None,
    limit: int = 50,
    source: str | None = None,
    modality: str | None = None,
    event_type: str | None = None,
    max_credibility: int | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    since: date | None = None,
    until: date | None = None,
    text: str | None = None,
    document_id: str | None = None,
) -> list[dict[str, Any]]:
    """One page of a case's claims in id order after the cursor ``after`` (keyset paging).

    ``bbox`` is (west, south, east, north) in degrees, west > east crossing the antimeridian;
    ``since``/``until`` keep claims with a dated time overlapping the interval; ``text`` is a
    full-text query over the quotes (web-search syntax: words, "a phrase", OR, -word; words
    are stemmed, so "factory" finds "factories").
    """
    # Two steps: the page's claim ids by the claims' own keys and indexes (so the id order
    # ends the scan after ``limit`` hits), then the details of just those claims.
    q = select(claims.c.id).where(claims.c.case_id == case_id)
    if after:
        q = q.where(claims.c.id > after)
    if document_id:
        q = q.where(claims.c.document_id == document_id)
    if source:
        # A source has few documents next to a case's claims: list them.
        source_id = conn.execute(
            select(sources.c.id).where(func.lower(sources.c.name) == source.lower())
        ).scalar()
        if source_id is None:
            return []
        q = q.where(
            claims.c.document_id.in_(
                select(document_versions.c.document_id)
                .join(
                    documents,
                    (documents.c.id == document_versions.c.document_id)
                    & (documents.c.current_version == document_versions.c.version),
                )
                .where(document_versions.c.source_id == source_id, documents.c.case_id == case_id)
            )
        )
    if modality:
        q = q.where(claims.c.modality == modality)
    if event_type:
        q = q.where(claims.c.event_type == event_type)
    # Filters probe each claim met in id order (EXISTS, or a join on a key), so a page ends
    # after ``limit`` hits instead of first collecting every match; the source and full-text
    # filters, which select few claims (or that FTS answers as a set), are lists of ids.
    if max_credibility is not None:
        q = q.join(assessments, assessments.c.claim_id == claims.c.id).where(
            assessments.c.credibility <= max_credibility
        )
    if bbox is not None:
        west, south, east, north = bbox
        lon = (
            claim_places.c.lon.between(west, east)
            if west <= east
            else or_(claim_places.c.lon >= west, claim_places.c.lon <= east)
        )
        q = q.where(
            exists().where(
                claim_places.c.claim_id == claims.c.id,
                claim_places.c.lat.between(south, north),
                lon,
            )
        )
    if since is not None or until is not None:
        cond = []
        if since is not None:
            cond.append(claim_times.c.end > since)
        if until is not None:
            cond.append(claim_times.c.start <= until)
        q = q.where(exists().where(claim_times.c.claim_id == claims.c.id, *cond))
    if text:
        from watchboard.store.fts import claims_matching

        condition = claims_matching(conn, text)
        if condition is None:
            return []
        q = q.where(condition)
    ids = list(conn.execute(q.order_by(claims.c.id).limit(limit)).scalars())
    if not ids:
        return []
    rows = conn.execute(_select().where(claims.c.id.in_(ids)).order_by(claims.c.id))
    return [dict(row._mapping) for row in rows]


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
    rows = list(
        conn.execute(
            _select().where(claims.c.id.like(f"{escape_like(ref)}%", escape="\\")).limit(2)
        )
    )
    if len(ref) < 4 or not rows:
        raise NotFoundError(f"no claim {ref!r} (see 'watchboard claims' for ids)")
    if len(rows) > 1:
        raise NotFoundError(f"claim {ref!r} is ambiguous; give more characters")
    return dict(rows[0]._mapping)
