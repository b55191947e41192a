"""Use cases: the only code that combines stages and writes the store.

Every CLI command is a thin wrapper over one function here, so the same work can be done from
Python (a notebook, a Dask task) without the command line.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

from sqlalchemy import Connection

from watchboard import casefile, ingest
from watchboard.config import (
    WORKSPACE_FILE,
    Settings,
    load_settings,
    write_workspace_file,
)
from watchboard.errors import (
    CaseFileError,
    InputError,
    NotFoundError,
    SkippedInput,
    StoreError,
    WorkspaceError,
)
from watchboard.extract.pipeline import Doc, Pipeline
from watchboard.model import Document, Draft, RawInput, Site
from watchboard.model.claim import Claim
from watchboard.model.protocols import PlaceResolver
from watchboard.resolve import duplicates
from watchboard.resolve.sources import match_source
from watchboard.store import Store, fts
from watchboard.store import cases as case_queries
from watchboard.store import claims as claim_queries
from watchboard.store import documents as doc_queries
from watchboard.store import sources as source_queries

log = logging.getLogger(__name__)

# Flush a batch early when its raw bytes reach this size, so memory stays bounded.
BATCH_BYTES = 64 * 1024 * 1024


# -- workspaces ----------------------------------------------------------------------------


def init_workspace(directory: Path, *, database_url: str | None = None) -> Settings:
    """Create a workspace directory with its settings file and a migrated database."""
    directory.mkdir(parents=True, exist_ok=True)
    if (directory / WORKSPACE_FILE).exists():
        settings = load_settings(directory)
        if database_url and settings.database_url != database_url:
            raise WorkspaceError(
                f"{directory}: already a workspace using another database "
                f"({settings.database_url}); edit {WORKSPACE_FILE} to change it"
            )
    else:
        write_workspace_file(directory, database_url)
        settings = load_settings(directory)
    Store.open(settings.database_url, create=True).close()
    return settings


def open_workspace(directory: Path) -> tuple[Settings, Store]:
    settings = load_settings(directory)
    return settings, Store.open(settings.database_url)


def migrate_workspace(directory: Path) -> list[int]:
    """Apply pending schema migrations to a workspace's database; return those applied."""
    settings = load_settings(directory)
    store = Store.open(settings.database_url, create=True)
    store.close()
    return store.applied_migrations


def describe_workspace(settings: Settings, store: Store) -> dict[str, Any]:
    """Where the workspace is and what it holds."""
    with store.reading() as conn:
        counts = doc_queries.counts(conn)
        case_list = case_queries.summaries(conn)
        n_sources = len(source_queries.registry(conn))
    url = store.engine.url.render_as_string(hide_password=True)
    return {
        "workspace": str(settings.workspace.resolve()),
        "database": url,
        "backend": store.dialect,
        "cases": case_list,
        "sources": n_sources,
        **counts,
    }


# -- cases ---------------------------------------------------------------------------------


def load_case(store: Store, path: Path) -> dict[str, Any]:
    """Validate a case file and store the case with everything it declares."""
    case = casefile.load_case_file(path)
    from watchboard.extract.events import event_taxonomy

    known = event_taxonomy().weights
    for m in case.milestones:
        if m.event_type is not None and m.event_type not in known:
            raise CaseFileError(
                str(path),
                None,
                f"milestones.{m.id}.event_type",
                f"unknown event type {m.event_type!r} (one of {', '.join(sorted(known))})",
            )
    digest = casefile.case_file_sha256(path)
    store.write(lambda conn: case_queries.save(conn, case, file_sha256=digest), what="case load")
    with store.reading() as conn:
        details = case_queries.details(conn, case.slug)
    assert details is not None
    return details


def check_case(path: Path) -> list[str]:
    """Every problem in a case file, in line order (empty when it is valid)."""
    try:
        text = path.read_bytes()
    except OSError as error:
        return [f"{path}: file: cannot read ({error.strerror or error})"]
    try:
        casefile.parse_case_bytes(text, path=str(path))
    except CaseFileError as first:
        try:
            problems = casefile.check_case_text(text.decode("utf-8"), path=str(path))
        except (UnicodeDecodeError, CaseFileError):
            problems = []
        return [str(p) for p in problems] or [str(first)]
    return []


def case_details(store: Store, slug: str) -> dict[str, Any]:
    with store.reading() as conn:
        details = case_queries.details(conn, slug)
    if details is None:
        raise NotFoundError(f"no case {slug!r} (load one with 'watchboard case load FILE')")
    return details


def list_cases(store: Store) -> list[dict[str, Any]]:
    with store.reading() as conn:
        return case_queries.summaries(conn)


def list_sources(store: Store) -> list[dict[str, Any]]:
    with store.reading() as conn:
        return source_queries.list_with_counts(conn)


# -- ingestion -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemResult:
    """What happened to one input item: new, updated, unchanged or failed."""

    status: str
    label: str
    document_id: str | None = None
    version: int | None = None
    title: str | None = None
    source: str | None = None
    cluster_id: str | None = None
    reason: str | None = None
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, ())}


@dataclass
class IngestReport:
    counts: dict[str, int] = field(
        default_factory=lambda: {"new": 0, "updated": 0, "unchanged": 0, "skipped": 0, "failed": 0}
    )
    failures: list[ItemResult] = field(default_factory=list)
    bytes: int = 0

    def add(self, item: ItemResult) -> None:
        self.counts[item.status] += 1
        if item.status == "failed":
            self.failures.append(item)

    @property
    def ok(self) -> bool:
        return self.counts["failed"] == 0

    def summary(self) -> str:
        c = self.counts
        return (
            f"{c['new']} new, {c['updated']} updated, {c['unchanged']} unchanged, "
            f"{c['failed']} failed" + (f", {c['skipped']} skipped" if c["skipped"] else "")
        )


@dataclass(frozen=True)
class IngestOptions:
    source: str | None = None
    published: datetime | None = None
    case: str | None = None
    fetch_links: bool = False
    jsonl_fields: Mapping[str, str] | None = None


@dataclass(frozen=True)
class _Prepared:
    draft: Draft
    key: str
    text_sha256: str
    blob_sha256: str
    word_count: int
    signature: Any
    bands: list[int]


def ingest_inputs(
    store: Store,
    settings: Settings,
    targets: Sequence[str],
    *,
    options: IngestOptions = IngestOptions(),
    stdin: IO[bytes] | None = None,
    on_item: Callable[[ItemResult], None] | None = None,
) -> IngestReport:
    """Read every target (files, directories, URLs, feeds, ``-``) and store what is new.

    Items are written in batches, one transaction each; a batch that fails for a reason other
    than a lock is retried item by item so one bad document cannot take others down with it.
    """
    report = IngestReport()

    def emit(item: ItemResult) -> None:
        report.add(item)
        if on_item:
            on_item(item)

    with ingest.Fetcher(settings.fetch, max_bytes=settings.max_bytes) as fetcher:
        case_id = _case_for_ingest(store, options.case)
        writer = _BatchWriter(store, settings, options, case_id, emit)
        fetch_page = fetcher.fetch if options.fetch_links else None
        for raw in ingest.iter_inputs(
            targets,
            max_bytes=settings.max_bytes,
            fetcher_factory=lambda: fetcher,
            stdin=cast(BinaryIO | None, stdin),
        ):
            if isinstance(raw, InputError):
                status = "skipped" if isinstance(raw, SkippedInput) else "failed"
                emit(ItemResult(status, raw.label, reason=raw.reason))
                continue
            report.bytes += len(raw.data) or _file_size(raw)
            # A file holding one document is identified by its path; a feed or a corpus
            # holds many, each identified by its own link or row id.
            single = ingest.detect_kind(raw) not in ("jsonl", "feed")
            try:
                for draft in _drafts(raw, fetch_page, options, settings):
                    if isinstance(draft, InputError):
                        emit(ItemResult("failed", draft.label, reason=draft.reason))
                    else:
                        writer.add(draft, path_key=_path_key(raw) if single else None)
            except InputError as error:
                emit(ItemResult("failed", error.label, reason=error.reason))
        writer.flush()
    return report


def _drafts(
    raw: RawInput,
    fetch_page: Callable[[str], RawInput] | None,
    options: IngestOptions,
    settings: Settings,
) -> Iterator[Draft | InputError]:
    for item in ingest.read(
        raw,
        fetch_page=fetch_page,
        jsonl_fields=options.jsonl_fields,
        max_bytes=settings.max_bytes,
    ):
        if isinstance(item, Draft) and options.published is not None:
            item = replace(item, published_at=options.published)
        yield item


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _offset_minutes(value: datetime | None) -> int | None:
    offset = value.utcoffset() if value is not None else None
    return int(offset.total_seconds() // 60) if offset is not None else None


def _file_size(raw: RawInput) -> int:
    try:
        return Path(raw.path).stat().st_size if raw.path else 0
    except OSError:
        return 0


def _path_key(raw: RawInput) -> str | None:
    if raw.path and raw.path != "-":
        return Path(raw.path).resolve().as_uri()
    return None


def _case_for_ingest(store: Store, slug: str | None) -> int | None:
    with store.reading() as conn:
        if slug is None:
            return case_queries.only_case_id(conn)
        case_id = case_queries.find_id(conn, slug)
    if case_id is None:
        raise NotFoundError(f"no case {slug!r} (load one with 'watchboard case load FILE')")
    return case_id


class _BatchWriter:
    """Accumulates drafts and writes them a batch per transaction."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        options: IngestOptions,
        case_id: int | None,
        emit: Callable[[ItemResult], None],
    ) -> None:
        self.store = store
        self.settings = settings
        self.options = options
        self.case_id = case_id
        self.emit = emit
        self.pending: list[tuple[Draft, str | None]] = []
        self.pending_bytes = 0
        self.layout = duplicates.banding(settings.cluster.threshold, settings.cluster.num_perm)

    def add(self, draft: Draft, *, path_key: str | None) -> None:
        self.pending.append((draft, path_key))
        self.pending_bytes += len(draft.raw) + len(draft.text)
        if len(self.pending) >= self.settings.batch_size or self.pending_bytes >= BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        prepared = self._prepare(self.pending)
        self.pending, self.pending_bytes = [], 0
        try:
            results = self.store.write(lambda conn: self._write(conn, prepared), what="ingest")
        except StoreError as error:
            log.warning("batch write failed (%s); writing items one at a time", error)
            results = []
            for item in prepared:
                try:
                    results += self.store.write(partial(self._write, batch=[item]), what="ingest")
                except StoreError as item_error:
                    results.append(ItemResult("failed", item.draft.label, reason=str(item_error)))
        for result in results:
            self.emit(result)

    def _prepare(self, pending: list[tuple[Draft, str | None]]) -> list[_Prepared]:
        cluster = self.settings.cluster
        texts = [draft.text for draft, _ in pending]
        if cluster.enabled:
            sigs = duplicates.signatures(
                texts, size=cluster.shingle_words, num_perm=cluster.num_perm
            )
        else:
            sigs = [None] * len(texts)  # type: ignore[list-item]
        out = []
        for (draft, path_key), sig in zip(pending, sigs, strict=True):
            text_sha = hashlib.sha256(draft.text.encode()).hexdigest()
            key = draft.key or draft.url or path_key or f"sha256:{text_sha}"
            out.append(
                _Prepared(
                    draft=draft,
                    key=key,
                    text_sha256=text_sha,
                    blob_sha256=hashlib.sha256(draft.raw).hexdigest(),
                    word_count=len(draft.text.split()),
                    signature=sig,
                    bands=duplicates.band_keys(sig, self.layout) if sig is not None else [],
                )
            )
        return out

    def _write(self, conn: Connection, batch: Iterable[_Prepared]) -> list[ItemResult]:
        """Decide every item of a batch, then write the batch with a few bulk statements.

        Look-ups are batched too (keys, twins, LSH postings, candidate signatures), so the
        cost per document is a handful of rows, not a handful of round trips.
        """
        items = list(batch)
        registry = source_queries.registry(conn)
        now = datetime.now(UTC)
        existing = doc_queries.find_by_keys(conn, [i.key for i in items])
        unkeyed = [i.text_sha256 for i in items if i.draft.url is None and i.draft.key is None]
        twins = doc_queries.find_unkeyed_twins(conn, unkeyed)
        index = _ClusterIndex(conn, items, self.settings.cluster.threshold)
        rows = _Rows()
        results = []
        for item in items:
            draft = item.draft
            known = existing.get(item.key)
            if known is not None and known.text_sha256 == item.text_sha256:
                results.append(
                    ItemResult("unchanged", draft.label, known.id, known.version, draft.title)
                )
                continue
            unkeyed_item = draft.url is None and draft.key is None
            twin = twins.get(item.text_sha256) if known is None and unkeyed_item else None
            if twin is not None:
                results.append(
                    ItemResult(
                        "unchanged",
                        draft.label,
                        twin.id,
                        twin.version,
                        draft.title,
                        reason=f"same text as document {twin.id}",
                    )
                )
                continue
            match = match_source(draft, registry, given=self.options.source)
            source_id = match.source_id
            if source_id is None:
                assert match.new_source is not None
                source_id = source_queries.ensure(conn, match.new_source, origin="auto")
                registry[source_id] = match.new_source
            rows.blobs[item.blob_sha256] = draft.raw
            if known is None:
                doc_id = hashlib.sha256(item.key.encode()).hexdigest()[:12]
                version = 1
                cluster_id = (
                    index.assign(doc_id, item, now) if item.signature is not None else doc_id
                )
                rows.documents.append(
                    {
                        "id": doc_id,
                        "key": item.key,
                        "case_id": self.case_id,
                        "current_version": 1,
                        "cluster_id": cluster_id,
                        "first_seen_at": now,
                    }
                )
            else:
                doc_id, version, cluster_id = known.id, known.version + 1, known.cluster_id
                rows.superseded.append(known.version_id)
                rows.bumped.append({"doc": doc_id, "version": version})
                rows.rebanded.append(doc_id)
            rows.versions.append(_version_row(item, doc_id, version, source_id, match.how, now))
            if item.signature is not None:
                rows.bands += [{"band_hash": b, "document_id": doc_id} for b in item.bands]
            existing[item.key] = _Known(doc_id, version, cluster_id, -1, item.text_sha256)
            if unkeyed_item:
                twins[item.text_sha256] = existing[item.key]
            results.append(
                ItemResult(
                    "new" if known is None else "updated",
                    draft.label,
                    doc_id,
                    version,
                    draft.title,
                    registry[source_id].name,
                    cluster_id,
                    warnings=draft.warnings,
                )
            )
        rows.write(conn)
        return results


@dataclass
class _Known:
    """A document as far as this batch knows: stored, or decided earlier in the batch."""

    id: str
    version: int
    cluster_id: str
    version_id: int
    text_sha256: str


def _version_row(
    item: _Prepared, doc_id: str, version: int, source_id: int, how: str, now: datetime
) -> dict[str, Any]:
    draft = item.draft
    return {
        "document_id": doc_id,
        "version": version,
        "blob_sha256": item.blob_sha256,
        "text": draft.text,
        "text_sha256": item.text_sha256,
        "url": draft.url,
        "title": draft.title,
        "author": draft.author,
        "site_name": draft.site_name,
        "language": draft.language,
        # Stored in UTC (SQLite keeps no zone), with the offset alongside.
        "published_at": _utc(draft.published_at),
        "published_offset": _offset_minutes(draft.published_at),
        "retrieved_at": _utc(draft.retrieved_at),
        "ingested_at": now,
        "source_id": source_id,
        "source_match": how[:100],
        "extractor": draft.extractor[:100],
        "media_type": draft.media_type[:100],
        "encoding": draft.encoding,
        "origin": draft.label,
        "word_count": item.word_count,
        "warnings": list(draft.warnings),
        "minhash": duplicates.to_bytes(item.signature) if item.signature is not None else None,
    }


@dataclass
class _Rows:
    """What one batch writes, as rows for bulk statements."""

    blobs: dict[str, bytes] = field(default_factory=dict)
    documents: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)  # version ids leaving the search index
    bumped: list[dict[str, Any]] = field(default_factory=list)  # documents with a new version
    rebanded: list[str] = field(default_factory=list)  # documents whose LSH keys change
    bands: list[dict[str, Any]] = field(default_factory=list)

    def write(self, conn: Connection) -> None:
        doc_queries.put_blobs(conn, self.blobs)
        doc_queries.insert_documents(conn, self.documents)
        fts.unindex_many(conn, self.superseded)
        doc_queries.delete_bands(conn, self.rebanded)
        version_ids = doc_queries.insert_versions(conn, self.versions)
        doc_queries.set_current_versions(conn, self.bumped)
        fts.index_many(
            conn,
            [
                (vid, row["title"], row["text"])
                for vid, row in zip(version_ids, self.versions, strict=True)
            ],
        )
        doc_queries.insert_bands(conn, self.bands)


class _ClusterIndex:
    """LSH postings for one batch: stored documents sharing a band, plus the batch so far."""

    def __init__(self, conn: Connection, items: Sequence[_Prepared], threshold: float) -> None:
        self.threshold = threshold
        bands = {b for item in items for b in item.bands}
        self.postings: dict[int, list[str]] = {}
        for band, doc_id in doc_queries.band_postings(conn, bands):
            self.postings.setdefault(band, []).append(doc_id)
        ids = {d for docs in self.postings.values() for d in docs}
        self.info: dict[str, tuple[str, datetime, Any]] = {
            row.id: (row.cluster_id, row.first_seen_at, duplicates.from_bytes(row.minhash))
            for row in doc_queries.signatures(conn, ids)
            if row.minhash is not None
        }

    def assign(self, doc_id: str, item: _Prepared, now: datetime) -> str:
        """The cluster of the most similar earlier document at or above the threshold."""
        best: tuple[float, datetime, str] | None = None
        seen: set[str] = set()
        for band in item.bands:
            for other in self.postings.get(band, ()):
                if other in seen or other == doc_id or other not in self.info:
                    continue
                seen.add(other)
                cluster_id, first_seen, signature = self.info[other]
                score = duplicates.jaccard(item.signature, signature)
                if score < self.threshold:
                    continue
                rank = (-score, _as_aware(first_seen), cluster_id)
                if best is None or rank < best:
                    best = rank
        cluster_id = best[2] if best else doc_id
        for band in item.bands:
            self.postings.setdefault(band, []).append(doc_id)
        self.info[doc_id] = (cluster_id, now, item.signature)
        return cluster_id


def _as_aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


# -- extraction ----------------------------------------------------------------------------


@dataclass
class ExtractReport:
    extracted: int = 0
    up_to_date: int = 0
    claims: int = 0
    warnings: list[tuple[str, str]] = field(default_factory=list)
    pipeline_version: str = ""


def build_pipeline(store: Store, *, names: Sequence[str] | None = None) -> Pipeline:
    """The extraction pipeline with this workspace's resources (source registry, sites)."""
    with store.reading() as conn:
        registry = list(source_queries.registry(conn).values())
        sites = case_queries.all_sites(conn)
    resources: dict[str, Any] = {"sources": registry, "sites": sites}
    places = _place_resolver(sites)
    if places is not None:
        resources["places"] = places
    return Pipeline(names, resources=resources)


def _place_resolver(sites: Sequence[Site]) -> PlaceResolver | None:
    """The gazetteer adapter, or None when the gazetteer is not available."""
    try:
        from watchboard.resolve.places import GazetteerResolver
    except ImportError:
        return None
    return GazetteerResolver.build(sites)


def extract_documents(
    store: Store,
    *,
    refs: Sequence[str] = (),
    case: str | None = None,
    force: bool = False,
    pipeline: Pipeline | None = None,
    on_document: Callable[[str, int], None] | None = None,
    batch_size: int = 200,
) -> ExtractReport:
    """Run the pipeline over current document versions and store their claims.

    A document whose current version was already extracted by the same pipeline version is
    skipped; a new version or a changed pipeline (components, rule data, registry) re-extracts.
    """
    pipeline = pipeline or build_pipeline(store)
    report = ExtractReport(pipeline_version=pipeline.version)
    with store.reading() as conn:
        case_id = _case_id(conn, case)
        ids = [doc_queries.resolve_id(conn, ref) for ref in refs] if refs else None
    after = ""
    while True:
        with store.reading() as conn:
            page = doc_queries.page_by_id(
                conn, after=after, limit=batch_size, case_id=case_id, ids=ids
            )
            done = {d.id: claim_queries.run_version(conn, d.id) for d in page}
        if not page:
            break
        after = page[-1].id
        results = []
        for doc in page:
            if not force and done[doc.id] == (doc.version, pipeline.version):
                report.up_to_date += 1
                continue
            analysed = pipeline(
                Doc(
                    text=doc.text,
                    dct=doc.published_at,
                    outlet=doc.source,
                    document_id=doc.id,
                    version=doc.version,
                )
            )
            claims = analysed.layers.get("claims", [])
            results.append((doc, claims, analysed.warnings))
            if on_document:
                on_document(doc.id, len(claims))

        def write(conn: Connection, results: list[Any] = results) -> None:
            now = datetime.now(UTC)
            for doc, claims, warnings in results:
                claim_queries.replace_for_document(
                    conn,
                    document_id=doc.id,
                    version=doc.version,
                    pipeline_version=pipeline.version,
                    rows=[_claim_row(c) for c in claims],
                    warnings=warnings,
                    at=now,
                )

        if results:
            store.write(write, what="extract")
        for doc, claims, warnings in results:
            report.extracted += 1
            report.claims += len(claims)
            report.warnings += [(doc.id, w) for w in warnings]
    return report


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _claim_row(claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.id,
        "document_id": claim.document_id,
        "version": claim.version,
        "start": claim.span.start,
        "end": claim.span.end,
        "quote": claim.span.text,
        "attribution": list(claim.attribution),
        "asserted_by": claim.asserted_by,
        "source_identified": bool(claim.extra.get("source_identified", True)),
        "modality": claim.modality,
        "event_type": claim.event_type,
        "data": _jsonable(asdict(claim)),
    }


def list_claims(
    store: Store,
    *,
    document: str | None = None,
    case: str | None = None,
    outlet: str | None = None,
    asserted_by: str | None = None,
    event_type: str | None = None,
    modality: str | None = None,
    max_credibility: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    from watchboard.jobs.review import apply_corrections, corrections_for

    with store.reading() as conn:
        doc_id = doc_queries.resolve_id(conn, document) if document else None
        rows = claim_queries.query(
            conn,
            document_id=doc_id,
            case_id=_case_id(conn, case),
            outlet=outlet,
            asserted_by=asserted_by,
            event_type=event_type,
            modality=modality,
            max_credibility=max_credibility,
            limit=limit,
            offset=offset,
        )
        fixes = corrections_for(conn, [r["id"] for r in rows])
    return [apply_corrections(r, fixes.get(r["id"])) for r in rows]


def get_claim(store: Store, ref: str) -> dict[str, Any]:
    from watchboard.jobs.review import apply_corrections, corrections_for

    with store.reading() as conn:
        row = claim_queries.get(conn, ref)
        return apply_corrections(row, corrections_for(conn, [row["id"]]).get(row["id"]))


# -- reading -------------------------------------------------------------------------------


def list_documents(
    store: Store,
    *,
    case: str | None = None,
    source: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Document]:
    with store.reading() as conn:
        case_id = _case_id(conn, case)
        return doc_queries.list_current(
            conn, case_id=case_id, source=source, limit=limit, offset=offset
        )


def list_clusters(
    store: Store, *, case: str | None = None, min_size: int = 2
) -> list[list[Document]]:
    with store.reading() as conn:
        return doc_queries.clusters(conn, case_id=_case_id(conn, case), min_size=min_size)


def show_document(store: Store, ref: str, *, version: int | None = None) -> Document:
    with store.reading() as conn:
        return doc_queries.get(conn, doc_queries.resolve_id(conn, ref), version=version)


def document_versions(store: Store, ref: str) -> list[Document]:
    with store.reading() as conn:
        return doc_queries.all_versions(conn, doc_queries.resolve_id(conn, ref))


def raw_bytes(store: Store, doc: Document) -> bytes:
    with store.reading() as conn:
        data = doc_queries.get_blob(conn, doc.blob_sha256)
    if data is None:
        raise NotFoundError(f"raw bytes {doc.blob_sha256} of document {doc.id} are missing")
    return data


@dataclass(frozen=True)
class SearchHit:
    document: Document
    rank: float
    snippet: str


def search(
    store: Store, query: str, *, limit: int = 20, case: str | None = None
) -> list[SearchHit]:
    """Full-text search over current versions, ranked, with highlighted snippets."""
    with store.reading() as conn:
        hits = fts.search(conn, query, limit=limit, case_id=_case_id(conn, case))
        docs = doc_queries.by_version_ids(conn, [h.version_id for h in hits])
    return [SearchHit(docs[h.version_id], h.rank, h.snippet) for h in hits]


@dataclass(frozen=True)
class VersionDiff:
    document_id: str
    old: Document
    new: Document
    metadata: dict[str, tuple[Any, Any]]
    text_diff: list[str]


def diff_document(
    store: Store, ref: str, *, old: int | None = None, new: int | None = None
) -> VersionDiff:
    """What changed between two versions (default: the last two) of a document."""
    versions = {d.version: d for d in document_versions(store, ref)}
    latest = max(versions)
    new_v = new or latest
    old_v = old or new_v - 1
    if len(versions) < 2 and old is None:
        only = versions[latest]
        raise NotFoundError(f"document {only.id} has only one version; nothing to compare")
    for v in (old_v, new_v):
        if v not in versions:
            raise NotFoundError(f"document has no version {v} (it has 1..{latest})")
    a, b = versions[old_v], versions[new_v]
    fields = ("title", "author", "url", "published_at", "source", "site_name", "language")
    changed = {f: (getattr(a, f), getattr(b, f)) for f in fields if getattr(a, f) != getattr(b, f)}
    lines = list(
        difflib.unified_diff(
            a.text.splitlines(),
            b.text.splitlines(),
            fromfile=f"{a.id} version {a.version} (retrieved {a.retrieved_at:%Y-%m-%d %H:%M})",
            tofile=f"{b.id} version {b.version} (retrieved {b.retrieved_at:%Y-%m-%d %H:%M})",
            lineterm="",
        )
    )
    return VersionDiff(a.id, a, b, changed, lines)


def _case_id(conn: Connection, slug: str | None) -> int | None:
    if slug is None:
        return None
    case_id = case_queries.find_id(conn, slug)
    if case_id is None:
        raise NotFoundError(f"no case {slug!r}")
    return case_id


# -- demo ----------------------------------------------------------------------------------

DEMO_CASE = "dprk-2026"
#: The demo workspace's account (an analyst on the demo case). For the local demo only: the
#: password is public, so never expose a demo workspace's server beyond 127.0.0.1.
DEMO_USER = "demo"
DEMO_PASSWORD = "demo-analyst-2026"


@dataclass(frozen=True)
class DemoResult:
    settings: Settings
    ingest: IngestReport
    overview: dict[str, Any]
    clusters: list[list[Document]]
    documents: list[Document]
    extraction: ExtractReport
    claims: list[dict[str, Any]]
    assessment: Any = None  # a watchboard.jobs.assess.AssessReport
    indicators: list[Any] = field(default_factory=list)  # jobs.indicators.ImportReport
    detected: list[Any] = field(default_factory=list)  # jobs.indicators.DetectReport
    briefs: list[Path] = field(default_factory=list)  # the brief as HTML and PDF


def build_demo(
    directory: Path,
    *,
    database_url: str | None = None,
    on_item: Callable[[ItemResult], None] | None = None,
    briefs: bool = False,
    account: bool = False,
) -> DemoResult:
    """Build (or refresh) a workspace for the DPRK 2026 demo case from the shipped material;
    with ``briefs``, also write its brief as HTML and PDF into WORKSPACE/briefs/."""
    from importlib import resources

    settings = init_workspace(directory, database_url=database_url)
    root = resources.files("watchboard.demo") / DEMO_CASE
    with resources.as_file(root) as case_dir, Store.open(settings.database_url) as store:
        load_case(store, case_dir / "case.yaml")
        report = ingest_inputs(
            store,
            settings,
            [str(case_dir / "reports")],
            options=IngestOptions(case=DEMO_CASE),
            on_item=on_item,
        )
        extraction = extract_documents(store, case=DEMO_CASE)
        from watchboard.jobs import indicators as indicator_jobs
        from watchboard.jobs.assess import assess_case

        assessed = assess_case(store, settings, DEMO_CASE)
        # Synthetic indicator data (see demo/dprk-2026/indicators/README.md).
        data = case_dir / "indicators"
        imported = [
            indicator_jobs.import_file(
                store,
                data / "nightlights-kanggye.csv",
                indicator="nightlights-kanggye",
                case=DEMO_CASE,
            ),
            indicator_jobs.import_trade(
                store,
                [data / "machine-tools-comtrade.csv"],
                indicator="machine-tool-imports",
                country="PRK",
                case=DEMO_CASE,
                quality="synthetic",
            ),
        ]
        detected = indicator_jobs.detect(store, settings, DEMO_CASE)
        if account:
            from watchboard.jobs import accounts

            if not any(u["username"] == DEMO_USER for u in accounts.list_users(store)):
                accounts.add_user(
                    store,
                    DEMO_USER,
                    DEMO_PASSWORD,
                    role="analyst",
                    cases=[DEMO_CASE],
                    display_name="Demo analyst",
                    actor="demo",
                )
        written: list[Path] = []
        if briefs:
            from watchboard.jobs import brief as brief_jobs

            brief = brief_jobs.make_brief(store, settings, DEMO_CASE)
            stem = f"{DEMO_CASE}-{brief.as_of:%Y-%m-%d}"
            for fmt in ("html", "pdf"):
                path = settings.workspace / "briefs" / f"{stem}.{fmt}"
                written.append(brief_jobs.write_brief(brief, path, fmt).path)
        return DemoResult(
            settings=settings,
            ingest=report,
            extraction=extraction,
            claims=list_claims(store, case=DEMO_CASE),
            overview=describe_workspace(settings, store),
            clusters=list_clusters(store, case=DEMO_CASE),
            documents=list_documents(store, case=DEMO_CASE),
            assessment=assessed,
            indicators=imported,
            detected=detected,
            briefs=written,
        )
