"""Numbered schema migrations, recorded in ``schema_migrations``.

Each migration is a function over an open transaction. Migration 1 creates the tables of
``schema.py`` as they were at version 1; when a later migration changes a table, copy the
version-1 definition of that table into migration 1 first so old databases and new ones end up
the same (``tests/store/test_migrations.py`` checks that a migrated database matches
``schema.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, inspect, select

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


MIGRATIONS: list[Migration] = [
    (
        1,
        "initial schema: cases, sources, documents with versions, blobs, clusters, full text",
        _m0001_initial,
    ),
    (2, "extraction: claims and extraction runs", _m0002_extraction),
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
