"""Document queries: blobs, documents and their versions, near-duplicate bands, clusters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Connection, Row, and_, delete, func, insert, select, true, update
from sqlalchemy.dialects import postgresql, sqlite

from watchboard.errors import NotFoundError
from watchboard.model import Document
from watchboard.store.schema import (
    blobs,
    cases,
    document_versions,
    documents,
    minhash_bands,
    sources,
)


def put_blob(conn: Connection, sha256: str, data: bytes) -> None:
    """Store raw bytes under their hash (once: content-addressed)."""
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(
        dialect_insert(blobs)
        .values(sha256=sha256, size=len(data), data=data)
        .on_conflict_do_nothing(index_elements=["sha256"])
    )


def get_blob(conn: Connection, sha256: str) -> bytes | None:
    return conn.execute(select(blobs.c.data).where(blobs.c.sha256 == sha256)).scalar()


def find_by_key(conn: Connection, key: str) -> Row[Any, Any, Any, Any, Any] | None:
    """The document with this natural key, with its current version's text hash."""
    return conn.execute(
        select(
            documents.c.id,
            documents.c.current_version,
            documents.c.cluster_id,
            document_versions.c.id.label("version_id"),
            document_versions.c.text_sha256,
        )
        .join(
            document_versions,
            and_(
                document_versions.c.document_id == documents.c.id,
                document_versions.c.version == documents.c.current_version,
            ),
        )
        .where(documents.c.key == key)
    ).first()


def find_unkeyed_twin(conn: Connection, text_sha256: str) -> Row[Any, Any] | None:
    """A document with no URL whose current text has this hash (a re-ingested local copy)."""
    return conn.execute(
        select(documents.c.id, documents.c.current_version)
        .join(
            document_versions,
            and_(
                document_versions.c.document_id == documents.c.id,
                document_versions.c.version == documents.c.current_version,
            ),
        )
        .where(document_versions.c.text_sha256 == text_sha256)
        .where(document_versions.c.url.is_(None))
        .limit(1)
    ).first()


def insert_document(
    conn: Connection, *, doc_id: str, key: str, case_id: int | None, seen_at: datetime
) -> None:
    conn.execute(
        insert(documents).values(
            id=doc_id,
            key=key,
            case_id=case_id,
            current_version=1,
            cluster_id=doc_id,
            first_seen_at=seen_at,
        )
    )


def insert_version(conn: Connection, values: dict[str, Any]) -> int:
    """Insert a version row and make it the document's current one; return its id."""
    result = conn.execute(insert(document_versions).values(**values))
    conn.execute(
        update(documents)
        .where(documents.c.id == values["document_id"])
        .values(current_version=values["version"])
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def set_cluster(conn: Connection, doc_id: str, cluster_id: str) -> None:
    conn.execute(update(documents).where(documents.c.id == doc_id).values(cluster_id=cluster_id))


def replace_bands(conn: Connection, doc_id: str, band_hashes: Sequence[int]) -> None:
    conn.execute(delete(minhash_bands).where(minhash_bands.c.document_id == doc_id))
    if band_hashes:
        conn.execute(
            insert(minhash_bands),
            [{"band_hash": h, "document_id": doc_id} for h in band_hashes],
        )


def band_candidates(
    conn: Connection, band_hashes: Sequence[int], *, exclude: str | None = None
) -> list[Row[Any]]:
    """Documents sharing at least one LSH band: (id, cluster_id, first_seen_at, minhash)."""
    if not band_hashes:
        return []
    ids = (
        select(minhash_bands.c.document_id)
        .where(minhash_bands.c.band_hash.in_(list(set(band_hashes))))
        .distinct()
        .subquery()
    )
    query = (
        select(
            documents.c.id,
            documents.c.cluster_id,
            documents.c.first_seen_at,
            document_versions.c.minhash,
        )
        .join(ids, ids.c.document_id == documents.c.id)
        .join(
            document_versions,
            and_(
                document_versions.c.document_id == documents.c.id,
                document_versions.c.version == documents.c.current_version,
            ),
        )
    )
    if exclude is not None:
        query = query.where(documents.c.id != exclude)
    return list(conn.execute(query))


# -- reading -------------------------------------------------------------------------------


def _document_columns() -> list[Any]:
    return [
        documents.c.id,
        documents.c.key,
        documents.c.cluster_id,
        documents.c.current_version.label("versions"),
        cases.c.slug.label("case"),
        sources.c.name.label("source"),
        *[
            c
            for c in document_versions.c
            if c.name not in ("id", "document_id", "minhash", "source_id")
        ],
    ]


def _local(value: datetime | None, offset_minutes: int | None) -> datetime | None:
    """A stored UTC time back in the publisher's own offset (SQLite keeps no zone at all)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if offset_minutes is None:
        return value.astimezone(UTC)
    return value.astimezone(timezone(timedelta(minutes=offset_minutes)))


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _to_document(row: Any) -> Document:
    return Document(
        id=row.id,
        key=row.key,
        version=row.version,
        versions=row.versions,
        text=row.text,
        text_sha256=row.text_sha256,
        blob_sha256=row.blob_sha256,
        extractor=row.extractor,
        media_type=row.media_type,
        retrieved_at=_as_utc(row.retrieved_at),
        ingested_at=_as_utc(row.ingested_at),
        source=row.source,
        source_match=row.source_match,
        url=row.url,
        title=row.title,
        author=row.author,
        site_name=row.site_name,
        published_at=_local(row.published_at, row.published_offset),
        language=row.language,
        encoding=row.encoding,
        cluster_id=row.cluster_id,
        case=row.case,
        word_count=row.word_count,
        warnings=tuple(row.warnings or ()),
    )


def _select_documents(*, current_only: bool) -> Any:
    join_on = document_versions.c.document_id == documents.c.id
    if current_only:
        join_on = and_(join_on, document_versions.c.version == documents.c.current_version)
    return (
        select(*_document_columns())
        .select_from(documents)
        .join(document_versions, join_on)
        .join(sources, sources.c.id == document_versions.c.source_id)
        .outerjoin(cases, cases.c.id == documents.c.case_id)
    )


def resolve_id(conn: Connection, ref: str) -> str:
    """A document id from a full id, a unique id prefix (4+ characters) or a URL/key."""
    exact = conn.execute(
        select(documents.c.id).where((documents.c.id == ref) | (documents.c.key == ref))
    ).scalar()
    if exact is not None:
        return str(exact)
    if len(ref) >= 4:
        matches = list(
            conn.execute(
                select(documents.c.id).where(documents.c.id.like(f"{ref}%")).limit(5)
            ).scalars()
        )
        if len(matches) == 1:
            return str(matches[0])
        if len(matches) > 1:
            raise NotFoundError(
                f"document {ref!r} is ambiguous ({', '.join(matches)}…); give more characters"
            )
    raise NotFoundError(f"no document {ref!r} (see 'watchboard docs' for ids)")


def get(conn: Connection, doc_id: str, *, version: int | None = None) -> Document:
    """A document at its current version, or at a given version."""
    query = _select_documents(current_only=version is None).where(documents.c.id == doc_id)
    if version is not None:
        query = query.where(document_versions.c.version == version)
    row = conn.execute(query).first()
    if row is None:
        what = f"version {version} of document {doc_id}" if version else f"document {doc_id}"
        raise NotFoundError(f"no {what}")
    return _to_document(row)


def all_versions(conn: Connection, doc_id: str) -> list[Document]:
    query = (
        _select_documents(current_only=False)
        .where(documents.c.id == doc_id)
        .order_by(document_versions.c.version)
    )
    return [_to_document(r) for r in conn.execute(query)]


def list_current(
    conn: Connection,
    *,
    case_id: int | None = None,
    source: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Document]:
    """Current versions, newest publication first (undated last)."""
    query = _select_documents(current_only=True)
    if case_id is not None:
        query = query.where(documents.c.case_id == case_id)
    if source is not None:
        query = query.where(func.lower(sources.c.name) == source.lower())
    query = query.order_by(
        document_versions.c.published_at.is_(None),
        document_versions.c.published_at.desc(),
        documents.c.id,
    ).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [_to_document(r) for r in conn.execute(query)]


def by_version_ids(conn: Connection, version_ids: Iterable[int]) -> dict[int, Document]:
    ids = list(version_ids)
    if not ids:
        return {}
    query = (
        _select_documents(current_only=False)
        .add_columns(document_versions.c.id.label("version_id"))
        .where(document_versions.c.id.in_(ids))
    )
    return {row.version_id: _to_document(row) for row in conn.execute(query)}


def counts(conn: Connection, *, case_id: int | None = None) -> dict[str, int]:
    """Numbers of documents, versions, clusters with more than one member, blobs."""
    doc_filter = documents.c.case_id == case_id if case_id is not None else true()
    n_docs = conn.execute(
        select(func.count()).select_from(documents).where(doc_filter)
    ).scalar_one()
    n_versions = conn.execute(
        select(func.count()).select_from(document_versions.join(documents)).where(doc_filter)
    ).scalar_one()
    sizes = (
        select(documents.c.cluster_id, func.count().label("n"))
        .where(doc_filter)
        .group_by(documents.c.cluster_id)
        .subquery()
    )
    n_clusters = conn.execute(select(func.count()).select_from(sizes)).scalar_one()
    n_multi = conn.execute(
        select(func.count()).select_from(sizes).where(sizes.c.n > 1)
    ).scalar_one()
    n_blobs = conn.execute(select(func.count()).select_from(blobs)).scalar_one()
    return {
        "documents": int(n_docs),
        "versions": int(n_versions),
        "clusters": int(n_clusters),
        "near_duplicate_clusters": int(n_multi),
        "blobs": int(n_blobs),
    }


def clusters(
    conn: Connection, *, case_id: int | None = None, min_size: int = 2
) -> list[list[Document]]:
    """Near-duplicate clusters (members ordered by first sighting), largest first."""
    sizes = select(documents.c.cluster_id, func.count().label("n")).group_by(documents.c.cluster_id)
    if case_id is not None:
        sizes = sizes.where(documents.c.case_id == case_id)
    wanted = {row.cluster_id: row.n for row in conn.execute(sizes.having(func.count() >= min_size))}
    if not wanted:
        return []
    members: dict[str, list[Document]] = {cid: [] for cid in wanted}
    query = (
        _select_documents(current_only=True)
        .where(documents.c.cluster_id.in_(list(wanted)))
        .order_by(documents.c.first_seen_at, documents.c.id)
    )
    for row in conn.execute(query):
        members[row.cluster_id].append(_to_document(row))
    return sorted(members.values(), key=lambda docs: (-len(docs), docs[0].id))


def page_by_id(
    conn: Connection,
    *,
    after: str = "",
    limit: int = 200,
    case_id: int | None = None,
    ids: Sequence[str] | None = None,
) -> list[Document]:
    """Current versions in id order after ``after``: keyset pagination over any corpus size."""
    query = _select_documents(current_only=True).where(documents.c.id > after)
    if case_id is not None:
        query = query.where(documents.c.case_id == case_id)
    if ids is not None:
        query = query.where(documents.c.id.in_(list(ids)))
    return [_to_document(r) for r in conn.execute(query.order_by(documents.c.id).limit(limit))]
