"""A whole case as plain, JSON-safe data, and back: the export that round-trips.

``dump_case`` reads every row that belongs to one case — the case and what it declares, its
sources, documents with every version and the raw bytes they were read from, claims,
assessments, findings, milestone tracking, alerts, observations, detected changes and the audit
log — and returns ``{"format", "schema_version", "case", "tables": {table: [row, ...]}}``.
Rows keep the column names of ``schema.py``; what only makes sense inside one database is
replaced: the case id is implied, a source id becomes the source's name, and surrogate integer
ids are dropped (their order is kept). Dates and times are ISO 8601 in UTC, bytes are base64.

``load_case`` writes such a snapshot into a workspace inside the caller's transaction, so an
import either lands whole or not at all. Dumping the imported case gives the same snapshot:
``tests/test_brief_job.py`` checks that nothing is lost (SQLite to PostgreSQL).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Date,
    DateTime,
    LargeBinary,
    Table,
    insert,
    select,
)

from watchboard.errors import WatchboardError
from watchboard.store import fts, migrations, schema
from watchboard.store.claims import index_claims
from watchboard.store.documents import _chunks

FORMAT = "watchboard-case"
FORMAT_VERSION = 1

# What each table's rows hang on: ("case", None) — a case_id column; ("documents", column) —
# the case's documents by that column; ("versions", column) — blobs of the case's versions;
# ("alerts", column) — the case's alerts. Listed in insertion order (parents first).
_SCOPE: list[tuple[str, str, str | None]] = [
    ("sites", "case", None),
    ("milestones", "case", None),
    ("indicators", "case", None),
    ("hypotheses", "case", None),
    ("blobs", "versions", "sha256"),
    ("documents", "case", None),
    ("document_versions", "documents", "document_id"),
    ("minhash_bands", "documents", "document_id"),
    ("extraction_runs", "documents", "document_id"),
    ("claims", "documents", "document_id"),
    ("audit_log", "case", None),
    ("assessments", "case", None),
    ("contradictions", "case", None),
    ("anachronisms", "case", None),
    ("milestone_suggestions", "case", None),
    ("milestone_links", "case", None),
    ("milestone_status", "case", None),
    ("alerts", "case", None),
    ("alert_deliveries", "alerts", "alert_id"),
    ("observations", "case", None),
    ("indicator_changes", "case", None),
    ("claim_corrections", "claims", "claim_id"),
    ("entity_merges", "case", None),
]

# Integer keys that nothing else refers to across databases: dropped on export, new on import.
_SURROGATE = {
    "sites",
    "milestones",
    "indicators",
    "hypotheses",
    "document_versions",
    "audit_log",
    "milestone_suggestions",
    "milestone_links",
    "observations",
}

# A stable row order for each table, so two dumps of the same case compare equal. Tables whose
# integer ids are dropped keep insertion order (the case file's order of sites and milestones
# is meaningful), and import inserts them in that order.
_ORDER: dict[str, tuple[str, ...]] = {
    "sites": ("id",),
    "milestones": ("id",),
    "indicators": ("id",),
    "hypotheses": ("id",),
    "blobs": ("sha256",),
    "documents": ("id",),
    "document_versions": ("document_id", "version"),
    "minhash_bands": ("document_id", "band_hash"),
    "extraction_runs": ("document_id",),
    "claims": ("id",),
    "audit_log": ("id",),
    "assessments": ("claim_id",),
    "contradictions": ("id",),
    "anachronisms": ("id",),
    "milestone_suggestions": ("id",),
    "milestone_links": ("id",),
    "milestone_status": ("milestone_key",),
    "alerts": ("id",),
    "alert_deliveries": ("alert_id", "channel"),
    "observations": ("id",),
    "indicator_changes": ("id",),
    "claim_corrections": ("claim_id", "field"),
    "entity_merges": ("alias",),
}


class SnapshotError(WatchboardError):
    """A snapshot that cannot be imported (wrong format, newer schema, clashing rows)."""


# -- values --------------------------------------------------------------------------------------


def _out(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(column.type, Date):
        return value.isoformat()
    if isinstance(column.type, LargeBinary):
        return base64.b64encode(value).decode("ascii")
    return value


def _in(column: Column[Any], value: Any, where: str) -> Any:
    if value is None:
        return None
    try:
        if isinstance(column.type, DateTime):
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        if isinstance(column.type, Date):
            return date.fromisoformat(value)
        if isinstance(column.type, LargeBinary):
            return base64.b64decode(value, validate=True)
    except (TypeError, ValueError) as error:
        raise SnapshotError(f"{where}: {column.name}: bad value {value!r} ({error})") from error
    if isinstance(column.type, JSON):
        return value
    return value


def _exported_columns(table: Table) -> list[Column[Any]]:
    drop = {"case_id"}
    if table.name in _SURROGATE:
        drop.add("id")
    return [c for c in table.columns if c.name not in drop]


# -- dump ----------------------------------------------------------------------------------------


def dump_case(conn: Connection, case_id: int) -> dict[str, Any]:
    """Every row of one case as JSON-safe data (see the module docstring)."""
    case_row = conn.execute(select(schema.cases).where(schema.cases.c.id == case_id)).one()
    case = {
        c.name: _out(c, case_row._mapping[c.name]) for c in schema.cases.columns if c.name != "id"
    }
    source_names = {
        row.id: row.name for row in conn.execute(select(schema.sources.c.id, schema.sources.c.name))
    }
    document_ids = list(
        conn.execute(
            select(schema.documents.c.id).where(schema.documents.c.case_id == case_id)
        ).scalars()
    )
    alert_ids = list(
        conn.execute(select(schema.alerts.c.id).where(schema.alerts.c.case_id == case_id)).scalars()
    )
    blob_shas = sorted(
        {
            sha
            for chunk in _chunks(document_ids)
            for sha in conn.execute(
                select(schema.document_versions.c.blob_sha256).where(
                    schema.document_versions.c.document_id.in_(chunk)
                )
            ).scalars()
        }
    )
    claim_ids = sorted(
        cid
        for chunk in _chunks(document_ids)
        for cid in conn.execute(
            select(schema.claims.c.id).where(schema.claims.c.document_id.in_(chunk))
        ).scalars()
    )
    keys = {
        "documents": document_ids,
        "alerts": alert_ids,
        "versions": blob_shas,
        "claims": claim_ids,
    }

    tables: dict[str, list[dict[str, Any]]] = {}
    used_sources: set[int] = set()
    for name, scope, column in _SCOPE:
        table = schema.metadata.tables[name]
        columns = _exported_columns(table)
        order = [table.c[k] for k in _ORDER[name]]
        if scope == "case":
            selects = [select(table).where(table.c.case_id == case_id)]
        else:
            assert column is not None
            selects = [
                select(table).where(table.c[column].in_(chunk)) for chunk in _chunks(keys[scope])
            ]
        rows: list[dict[str, Any]] = []
        for statement in selects:
            for row in conn.execute(statement.order_by(*order)):
                m = row._mapping
                out = {c.name: _out(c, m[c.name]) for c in columns}
                if "source_id" in out:
                    used_sources.add(m["source_id"])
                    out["source_id"] = source_names[m["source_id"]]
                rows.append(out)
        if len(selects) > 1:
            rows.sort(key=lambda r: tuple(str(r[k]) for k in _ORDER[name]))
        tables[name] = rows

    linked = set(
        conn.execute(
            select(schema.case_sources.c.source_id).where(schema.case_sources.c.case_id == case_id)
        ).scalars()
    )
    source_columns = [c for c in schema.sources.columns if c.name != "id"]
    tables["sources"] = [
        {c.name: _out(c, row._mapping[c.name]) for c in source_columns}
        | {"in_case": row.id in linked}
        for row in conn.execute(
            select(schema.sources)
            .where(schema.sources.c.id.in_(sorted(linked | used_sources)))
            .order_by(schema.sources.c.name)
        )
    ]
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_version": migrations.LATEST,
        "case": case,
        "tables": tables,
    }


# -- load ----------------------------------------------------------------------------------------


def load_case(conn: Connection, snapshot: Mapping[str, Any], *, origin: str = "snapshot") -> int:
    """Write a dumped case into this workspace (in the caller's transaction); return its id.

    Refuses a case whose slug or documents already exist here. Sources are matched by name:
    one already registered is kept as it is (the workspace's grade wins), a new one is added.
    """
    where = origin
    if not isinstance(snapshot, Mapping) or snapshot.get("format") != FORMAT:
        raise SnapshotError(f"{where}: not a Watchboard case export (no format {FORMAT!r})")
    if snapshot.get("format_version") != FORMAT_VERSION:
        raise SnapshotError(
            f"{where}: export format version {snapshot.get('format_version')!r} is not "
            f"supported (this Watchboard reads {FORMAT_VERSION})"
        )
    version = snapshot.get("schema_version")
    if not isinstance(version, int) or version > migrations.LATEST:
        raise SnapshotError(
            f"{where}: made by a newer Watchboard (schema {version!r} > {migrations.LATEST}); "
            "upgrade Watchboard to import it"
        )
    case = snapshot.get("case")
    tables = snapshot.get("tables")
    if not isinstance(case, Mapping) or not isinstance(tables, Mapping):
        raise SnapshotError(f"{where}: 'case' and 'tables' must be objects")
    slug = case.get("slug")
    if not isinstance(slug, str) or not slug:
        raise SnapshotError(f"{where}: the case has no slug")
    if conn.execute(select(schema.cases.c.id).where(schema.cases.c.slug == slug)).first():
        raise SnapshotError(f"{where}: case {slug!r} already exists in this workspace")

    case_id = conn.execute(
        insert(schema.cases).values(**_values(schema.cases, case, f"{where}: case", skip={"id"}))
    ).inserted_primary_key[0]  # type: ignore[index]

    source_ids: dict[str, int] = {}
    for i, row in enumerate(_rows(tables, "sources", where)):
        values = _values(schema.sources, row, f"{where}: sources[{i}]", skip={"id"})
        name = values.get("name")
        existing = conn.execute(
            select(schema.sources.c.id).where(schema.sources.c.name == name)
        ).scalar()
        if existing is None:
            existing = conn.execute(insert(schema.sources).values(**values)).inserted_primary_key[0]  # type: ignore[index]
        source_ids[str(name)] = existing
        if row.get("in_case"):
            conn.execute(insert(schema.case_sources).values(case_id=case_id, source_id=existing))

    documents = [str(r.get("id")) for r in _rows(tables, "documents", where)]
    for chunk in _chunks(documents):
        clash = conn.execute(
            select(schema.documents.c.id).where(schema.documents.c.id.in_(chunk))
        ).first()
        if clash:
            raise SnapshotError(f"{where}: document {clash.id} already exists in this workspace")

    for name, _scope, _column in _SCOPE:
        table = schema.metadata.tables[name]
        rows = _rows(tables, name, where)
        if not rows:
            continue
        prepared = []
        for i, row in enumerate(rows):
            label = f"{where}: {name}[{i}]"
            values = _values(table, row, label, skip={"id"} if name in _SURROGATE else set())
            if "case_id" in table.c:
                values["case_id"] = case_id
            if "source_id" in table.c:
                source = row.get("source_id")
                if source not in source_ids:
                    raise SnapshotError(f"{label}: source {source!r} is not in the export")
                values["source_id"] = source_ids[source]
            prepared.append(values)
        if name == "blobs":
            present = set()
            for chunk in _chunks(v["sha256"] for v in prepared):
                present |= set(
                    conn.execute(
                        select(schema.blobs.c.sha256).where(schema.blobs.c.sha256.in_(chunk))
                    ).scalars()
                )
            prepared = [v for v in prepared if v["sha256"] not in present]
        if name == "document_versions":
            # One at a time: the full-text index is keyed by the new version id.
            indexed = []
            for values in prepared:
                vid = conn.execute(insert(table).values(**values)).inserted_primary_key[0]  # type: ignore[index]
                indexed.append((vid, values.get("title"), values["text"]))
            fts.index_many(conn, indexed)
            continue
        if prepared:
            conn.execute(insert(table), prepared)
        if name == "claims":  # where and when each claim is: derived, not exported
            index_claims(conn, [(v["id"], v["data"]) for v in prepared])
    return int(case_id)


def _rows(tables: Mapping[str, Any], name: str, where: str) -> list[Mapping[str, Any]]:
    rows = tables.get(name, [])
    if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
        raise SnapshotError(f"{where}: tables.{name} must be a list of objects")
    return rows


def _values(
    table: Table, row: Mapping[str, Any], where: str, *, skip: Iterable[str]
) -> dict[str, Any]:
    skipped = set(skip) | {"case_id"}
    unknown = set(row) - {c.name for c in table.columns} - {"in_case"}
    if unknown:
        raise SnapshotError(f"{where}: unknown column(s) {', '.join(sorted(unknown))}")
    values = {}
    for column in table.columns:
        if column.name in skipped:
            continue
        if column.name not in row:
            if not column.nullable:
                raise SnapshotError(f"{where}: missing {column.name}")
            continue
        values[column.name] = _in(column, row[column.name], where)
    return values
