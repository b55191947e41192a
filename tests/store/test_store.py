"""The store contract, run against SQLite and a real PostgreSQL server."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select, text

from watchboard.errors import StoreError, WorkspaceError
from watchboard.model import Case, Source, SourceKind
from watchboard.store import Store, fts, migrations, schema
from watchboard.store import cases as case_queries
from watchboard.store import documents as doc_queries
from watchboard.store import sources as source_queries


def test_migrations_are_recorded_and_idempotent(db_url: str) -> None:
    with Store.open(db_url, create=True) as store:
        assert store.applied_migrations == [m[0] for m in migrations.MIGRATIONS]
    with Store.open(db_url, create=True) as store:
        assert store.applied_migrations == []
        with store.reading() as conn:
            rows = conn.execute(select(schema.schema_migrations)).all()
    assert [r.version for r in rows] == [m[0] for m in migrations.MIGRATIONS]
    assert all(r.applied_at is not None and r.name for r in rows)


def test_migrated_database_matches_schema_module(store: Store) -> None:
    with store.reading() as conn:
        inspector = inspect(conn)
        for table in schema.metadata.sorted_tables:
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            expected = {c.name for c in table.columns}
            # PostgreSQL adds generated full-text columns to document_versions and claims.
            assert expected <= columns, table.name
            assert columns - expected <= {"tsv", "quote_tsv"}, table.name


def test_unmigrated_database_is_refused(db_url: str) -> None:
    with pytest.raises(WorkspaceError, match="no Watchboard schema"):
        Store.open(db_url)


def test_database_ahead_of_code_is_refused(store: Store, db_url: str) -> None:
    from datetime import UTC, datetime

    with store.transaction() as conn:
        conn.execute(
            schema.schema_migrations.insert().values(
                version=999, name="from the future", applied_at=datetime.now(UTC)
            )
        )
    with pytest.raises(WorkspaceError, match="newer than this Watchboard"):
        Store.open(db_url)


def test_unsupported_url_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="unsupported database"):
        Store.open("mysql://localhost/x")


def test_sqlite_pragmas_wal_and_foreign_keys(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    with Store.open(url, create=True) as store, store.reading() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
        names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
    assert "document_fts" in names


def test_failed_transaction_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as conn:
        doc_queries.put_blobs(conn, {"a" * 64: b"bytes"})
        raise RuntimeError("boom")
    with store.reading() as conn:
        assert doc_queries.get_blob(conn, "a" * 64) is None


def test_blobs_are_content_addressed_once(store: Store) -> None:
    for _ in range(2):
        with store.transaction() as conn:
            doc_queries.put_blobs(conn, {"b" * 64: b"payload"})
    with store.reading() as conn:
        assert doc_queries.get_blob(conn, "b" * 64) == b"payload"
        assert doc_queries.counts(conn)["blobs"] == 1


def test_source_upsert_and_case_save_replace_declared_parts(store: Store) -> None:
    case = Case(
        slug="c",
        title="Case",
        sources=(Source("Wire", SourceKind.WIRE, "B", domains=("wire.example",)),),
    )
    with store.transaction() as conn:
        first = case_queries.save(conn, case, file_sha256="x")
    with store.transaction() as conn:
        second = case_queries.save(conn, case, file_sha256="y")
        source_queries.upsert(conn, Source("Wire", SourceKind.WIRE, "C"), origin="cli")
    assert first == second
    with store.reading() as conn:
        registry = source_queries.registry(conn)
        assert [s.reliability for s in registry.values()] == ["C"]
        details = case_queries.details(conn, "c")
    assert details is not None and details["sources"] == 1


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(Exception), store.transaction() as conn:  # noqa: B017
        conn.execute(
            schema.documents.insert().values(
                id="x",
                key="k",
                case_id=12345,
                current_version=1,
                cluster_id="x",
                first_seen_at=__import__("datetime").datetime.now(),
            )
        )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("factories", '("factories")'),
        ("new factories", '("new" AND "factories")'),
        ('"shell production"', '("shell production")'),
        ("missile OR shell", '("missile") OR ("shell")'),
        ("missile -test", '(("missile")) NOT ("test")'),
        ('AND NOT ( "', '("AND" AND "NOT")'),
        ("Ch'ŏngjin", '("Ch ŏngjin")'),
        ("- OR OR", ""),
    ],
)
def test_web_search_syntax_becomes_safe_fts5(query: str, expected: str) -> None:
    assert fts.to_fts5(query) == expected


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=40))
def test_search_never_fails_on_any_query(store: Store, query: str) -> None:
    with store.reading() as conn:
        assert fts.search(conn, query, limit=5) == []


def test_postgres_connection_error_is_clear() -> None:
    with pytest.raises(StoreError, match=r"nobody@127\.0\.0\.1:1/none: cannot open the database"):
        Store.open("postgresql://nobody@127.0.0.1:1/none")


def test_raw_sql_works_on_both(store: Store) -> None:
    with store.reading() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
