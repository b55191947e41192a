"""Numbered schema migrations, recorded in ``schema_migrations``.

Each migration is a function over an open transaction. Migration 1 creates its tables from
the current ``schema.py``, so a later migration that adds a column to one of them must add it
only where it is missing (see migration 3); old databases and new ones end up the same
(``tests/store/test_store.py`` checks that a migrated database matches ``schema.py``, and that a
version-2 database upgrades).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, inspect, select, text

from watchboard.errors import WorkspaceError
from watchboard.store import fts, schema

log = logging.getLogger(__name__)

Migration = tuple[int, str, Callable[[Connection], None]]


_V1_TABLES = (
    "cases",
    "sources",
    "case_sources",
    "sites",
    "milestones",
    "indicators",
    "hypotheses",
    "blobs",
    "documents",
    "document_versions",
    "minhash_bands",
)


def _m0001_initial(conn: Connection) -> None:
    tables = [schema.metadata.tables[name] for name in _V1_TABLES]
    schema.metadata.create_all(conn, tables=tables)
    fts.create(conn)


def _m0002_extraction(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.extraction_runs, schema.claims])


_V3_TABLES = (
    "audit_log",
    "assessments",
    "contradictions",
    "anachronisms",
    "milestone_suggestions",
    "milestone_links",
    "milestone_status",
    "alerts",
    "alert_deliveries",
)


def _m0003_assessment(conn: Connection) -> None:
    # Databases created at version 1 or 2 lack milestones.event_type; a database created by
    # this code already has it (migration 1 creates tables from the current schema module).
    if "event_type" not in {c["name"] for c in inspect(conn).get_columns("milestones")}:
        conn.execute(text("ALTER TABLE milestones ADD COLUMN event_type VARCHAR(40)"))
    tables = [schema.metadata.tables[name] for name in _V3_TABLES]
    schema.metadata.create_all(conn, tables=tables)


def _m0004_indicators(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.observations, schema.indicator_changes])


_V5_TABLES = (
    "users",
    "case_access",
    "api_tokens",
    "web_sessions",
    "login_failures",
    "claim_corrections",
    "entity_merges",
    "claim_places",
    "claim_times",
)


def _m0005_accounts(conn: Connection) -> None:
    from watchboard.store.claims import index_claims

    tables = [schema.metadata.tables[name] for name in _V5_TABLES]
    schema.metadata.create_all(conn, tables=tables)
    # Databases created before version 5 lack claims.case_id (see migration 3's note).
    inspector = inspect(conn)
    if "case_id" not in {c["name"] for c in inspector.get_columns("claims")}:
        conn.execute(text("ALTER TABLE claims ADD COLUMN case_id INTEGER"))
        conn.execute(
            text(
                "UPDATE claims SET case_id = "
                "(SELECT documents.case_id FROM documents WHERE documents.id = claims.document_id)"
            )
        )
    if "ix_claims_case" not in {i["name"] for i in inspector.get_indexes("claims")}:
        conn.execute(text("CREATE INDEX ix_claims_case ON claims (case_id, id)"))
    fts.create_claim_index(conn)
    after = ""
    while True:  # in batches by id, so a large archive is never held in memory at once
        batch: list[tuple[str, Any]] = [
            (row.id, row.data)
            for row in conn.execute(
                select(schema.claims.c.id, schema.claims.c.data)
                .where(schema.claims.c.id > after)
                .order_by(schema.claims.c.id)
                .limit(2000)
            )
        ]
        if not batch:
            break
        index_claims(conn, batch)
        after = batch[-1][0]


MIGRATIONS: list[Migration] = [
    (
        1,
        "initial schema: cases, sources, documents with versions, blobs, clusters, full text",
        _m0001_initial,
    ),
    (2, "extraction: claims and extraction runs", _m0002_extraction),
    (
        3,
        "assessment: grades, contradictions, anachronisms, milestone tracking, alerts, audit log",
        _m0003_assessment,
    ),
    (4, "indicators: observations and detected changes", _m0004_indicators),
    (
        5,
        "accounts: users, case access, API tokens, sessions, login failures; claim "
        "corrections, entity merges; claim places, times and words for filtering",
        _m0005_accounts,
    ),
]

LATEST = MIGRATIONS[-1][0]


def applied_versions(conn: Connection) -> set[int]:
    if not inspect(conn).has_table("schema_migrations"):
        return set()
    return set(conn.execute(select(schema.schema_migrations.c.version)).scalars())


def migrate(engine: Engine) -> list[int]:
    """Apply every pending migration, each in its own transaction; return those applied."""
    with engine.begin() as conn:
        schema.schema_migrations.create(conn, checkfirst=True)
    applied: list[int] = []
    for number, name, upgrade in MIGRATIONS:
        with engine.begin() as conn:
            if number in applied_versions(conn):
                continue
            log.info("applying migration %04d: %s", number, name)
            upgrade(conn)
            conn.execute(
                schema.schema_migrations.insert().values(
                    version=number, name=name, applied_at=datetime.now(UTC)
                )
            )
            applied.append(number)
    return applied


def check_current(engine: Engine) -> None:
    """Refuse to work on a database that is behind or ahead of this version of Watchboard."""
    with engine.connect() as conn:
        versions = applied_versions(conn)
    if not versions:
        raise WorkspaceError("the database has no Watchboard schema; run 'watchboard init' first")
    newest = max(versions)
    if newest > LATEST:
        raise WorkspaceError(
            f"the database is at schema version {newest}, newer than this Watchboard "
            f"({LATEST}); upgrade Watchboard"
        )
    if newest < LATEST:
        raise WorkspaceError(
            f"the database is at schema version {newest}; run 'watchboard migrate' to bring it "
            f"to {LATEST}"
        )
