"""Engines for the two backends, configured for safe concurrent use.

SQLite: WAL (readers never block the writer), foreign keys on, a busy timeout, and every
transaction opened with ``BEGIN IMMEDIATE`` so that two writers queue for the lock at the start
instead of failing half-way with "database is locked" when one upgrades a read to a write.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url

from watchboard.errors import StoreError

log = logging.getLogger(__name__)

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 60_000
#: Execution option marking a connection that only reads.
READ_ONLY = "watchboard_read_only"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def build_engine(url: str) -> Engine:
    """Create an engine for a SQLite file or a PostgreSQL server URL."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except exc.ArgumentError as error:
        raise StoreError(f"{url}: not a database URL ({error})") from error
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    raise StoreError(
        f"{parsed.render_as_string(hide_password=True)}: unsupported database "
        "(use a SQLite file or postgresql://user@host/dbname)"
    )


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Readers take no lock (WAL lets them run beside a writer); writers take it up front.
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def is_retryable(error: BaseException) -> bool:
    """A lock timeout, serialisation failure or a lost race on a unique key: try again."""
    if isinstance(error, exc.IntegrityError):
        return True
    if isinstance(error, exc.OperationalError):
        text = str(error.orig).lower() if error.orig else str(error).lower()
        return any(
            word in text
            for word in ("database is locked", "busy", "deadlock", "could not serialize")
        )
    return False


def with_retries(work: Callable[[], T], *, attempts: int = 8, what: str = "database write") -> T:
    """Run ``work`` (one whole transaction) again when it failed for a retryable reason."""
    delay = 0.05
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except exc.DBAPIError as error:
            if attempt == attempts or not is_retryable(error):
                reason = str(error.orig or error).strip().splitlines()[0]
                raise StoreError(f"{what} failed: {reason}") from error
            log.info("%s: retrying after %s (attempt %d)", what, error.orig, attempt)
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
    raise AssertionError("unreachable")
