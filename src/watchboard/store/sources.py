"""Source registry queries."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from watchboard.model import Source, SourceKind
from watchboard.store.schema import case_sources, document_versions, documents, sources


def _to_source(row: Any) -> Source:
    return Source(
        name=row.name,
        kind=SourceKind(row.kind),
        reliability=row.reliability,
        aliases=tuple(row.aliases or ()),
        domains=tuple(row.domains or ()),
        independence_group=row.independence_group,
        notes=row.notes,
    )


def registry(conn: Connection) -> dict[int, Source]:
    """Every source by id."""
    rows = conn.execute(select(sources).order_by(sources.c.name))
    return {row.id: _to_source(row) for row in rows}


def find_id(conn: Connection, name: str) -> int | None:
    """The id of the source with this name (case-insensitive)."""
    return conn.execute(
        select(sources.c.id).where(func.lower(sources.c.name) == name.lower())
    ).scalar()


def upsert(conn: Connection, source: Source, *, origin: str) -> int:
    """Insert a source or update the one with the same name; return its id."""
    values = {
        "kind": source.kind.value,
        "reliability": source.reliability,
        "aliases": list(source.aliases),
        "domains": list(source.domains),
        "independence_group": source.independence_group,
        "notes": source.notes,
        "origin": origin,
    }
    existing = find_id(conn, source.name)
    if existing is not None:
        conn.execute(sources.update().where(sources.c.id == existing).values(**values))
        return existing
    result = conn.execute(
        sources.insert().values(name=source.name, created_at=datetime.now(UTC), **values)
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def set_reliability(conn: Connection, source_id: int, reliability: str) -> None:
    conn.execute(sources.update().where(sources.c.id == source_id).values(reliability=reliability))


def ensure(conn: Connection, source: Source, *, origin: str) -> int:
    """The id of a source by name, inserting it as given when it does not exist yet."""
    existing = find_id(conn, source.name)
    if existing is not None:
        return existing
    return upsert(conn, source, origin=origin)


def list_with_counts(
    conn: Connection, case_ids: Collection[int] | None = None
) -> list[dict[str, Any]]:
    """Sources with the number of current documents attributed to each. With ``case_ids``,
    only sources those cases register or have documents from, counting only their documents
    (what a user limited to some cases may see)."""
    counted = (
        select(document_versions.c.source_id, func.count().label("documents"))
        .join(
            documents,
            (documents.c.id == document_versions.c.document_id)
            & (documents.c.current_version == document_versions.c.version),
        )
        .group_by(document_versions.c.source_id)
    )
    if case_ids is not None:
        counted = counted.where(documents.c.case_id.in_(sorted(case_ids)))
    counts = counted.subquery()
    query = (
        select(sources, func.coalesce(counts.c.documents, 0).label("documents"))
        .outerjoin(counts, counts.c.source_id == sources.c.id)
        .order_by(sources.c.name)
    )
    if case_ids is not None:
        registered = select(case_sources.c.source_id).where(
            case_sources.c.case_id.in_(sorted(case_ids))
        )
        query = query.where(sources.c.id.in_(registered) | (counts.c.documents > 0))
    rows = conn.execute(query)
    out = []
    for row in rows:
        source = _to_source(row)
        out.append(
            {
                "name": source.name,
                "kind": source.kind.value,
                "reliability": source.reliability,
                "independence_group": source.group,
                "aliases": list(source.aliases),
                "domains": list(source.domains),
                "origin": row.origin,
                "documents": int(row.documents),
            }
        )
    return out
