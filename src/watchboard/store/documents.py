"""Document queries: blobs, documents and their versions, near-duplicate bands, clusters."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    true,
    update,
)
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


def get_blob(conn: Connection, sha256: str) -> bytes | None:
    return conn.execute(select(blobs.c.data).where(blobs.c.sha256 == sha256)).scalar()


_CHUNK = 900  # bound parameters per IN list (well under SQLite's limit)


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    items = list(values)
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _current_join() -> Any:
    return and_(
        document_versions.c.document_id == documents.c.id,
        document_versions.c.version == documents.c.current_version,
    )


def find_by_keys(conn: Connection, keys: Iterable[str]) -> dict[str, Any]:
    """Documents by natural key: id, current version, cluster, version id and text hash."""
    found: dict[str, Any] = {}
    for chunk in _chunks(set(keys)):
        rows = conn.execute(
            select(
                documents.c.key,
                documents.c.id,
                documents.c.current_version.label("version"),
                documents.c.cluster_id,
                document_versions.c.id.label("version_id"),
                document_versions.c.text_sha256,
            )
            .join(document_versions, _current_join())
            .where(documents.c.key.in_(chunk))
        )
        found.update({row.key: row for row in rows})
    return found


def find_unkeyed_twins(conn: Connection, text_hashes: Iterable[str]) -> dict[str, Any]:
    """Documents with no URL whose current text has one of these hashes, by hash."""
    found: dict[str, Any] = {}
    for chunk in _chunks(set(text_hashes)):
        rows = conn.execute(
            select(
                document_versions.c.text_sha256,
                documents.c.id,
                documents.c.current_version.label("version"),
            )
            .join(document_versions, _current_join())
            .where(document_versions.c.text_sha256.in_(chunk))
            .where(document_versions.c.url.is_(None))
        )
        for row in rows:
            found.setdefault(row.text_sha256, row)
    return found


def put_blobs(conn: Connection, blobs_by_hash: Mapping[str, bytes]) -> None:
    """Store raw bytes under their hashes, each once."""
    if not blobs_by_hash:
        return
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(
        dialect_insert(blobs).on_conflict_do_nothing(index_elements=["sha256"]),
        [{"sha256": h, "size": len(d), "data": d} for h, d in blobs_by_hash.items()],
    )


def insert_documents(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        conn.execute(insert(documents), list(rows))


def insert_versions(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert version rows; return their ids in the order given."""
    if not rows:
        return []
    result = conn.execute(
        insert(document_versions).returning(document_versions.c.id, sort_by_parameter_order=True),
        list(rows),
    )
    return [int(r[0]) for r in result]


def set_current_versions(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Point documents at new versions: rows of {"doc": id, "version": n}."""
    if rows:
        conn.execute(
            update(documents)
            .where(documents.c.id == bindparam("doc"))
            .values(current_version=bindparam("version")),
            list(rows),
        )


def delete_bands(conn: Connection, doc_ids: Sequence[str]) -> None:
    for chunk in _chunks(doc_ids):
        conn.execute(delete(minhash_bands).where(minhash_bands.c.document_id.in_(chunk)))


def insert_bands(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """LSH band keys, tens per document: straight to the driver's executemany, because
    building SQLAlchemy parameters for each row cost more than the insert itself."""
    if not rows:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(
        f"INSERT INTO minhash_bands (band_hash, document_id) VALUES ({mark}, {mark})",
        [(row["band_hash"], row["document_id"]) for row in rows],
    )


def band_postings(conn: Connection, band_hashes: Iterable[int]) -> list[tuple[int, str]]:
    """(band key, document id) for every stored document holding one of these keys."""
    out: list[tuple[int, str]] = []
    for chunk in _chunks(set(band_hashes)):
        rows = conn.execute(
            select(minhash_bands.c.band_hash, minhash_bands.c.document_id).where(
                minhash_bands.c.band_hash.in_(chunk)
            )
        )
        out += [(int(r[0]), str(r[1])) for r in rows]
    return out


def signatures(conn: Connection, doc_ids: Iterable[str]) -> list[Any]:
    """Cluster, first sighting and MinHash signature of documents' current versions."""
    out: list[Any] = []
    for chunk in _chunks(set(doc_ids)):
        out += list(
            conn.execute(
                select(
                    documents.c.id,
                    documents.c.cluster_id,
                    documents.c.first_seen_at,
                    document_versions.c.minhash,
                )
                .join(document_versions, _current_join())
                .where(documents.c.id.in_(chunk))
            )
        )
    return out


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


def escape_like(text: str) -> str:
    """Text matched literally inside a LIKE pattern (with ``escape="\\"``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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
                select(documents.c.id)
                .where(documents.c.id.like(f"{escape_like(ref)}%", escape="\\"))
                .limit(5)
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
