"""The store: one interface over SQLite (embedded default) and PostgreSQL (teams).

``Store`` owns the engine, migrations and transactions. Queries live in the modules
``cases``, ``sources`` and ``documents`` as functions over an open ``Connection``, so a job
combines several of them in one transaction: ``with store.transaction() as conn: ...``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Connection, Engine, exc

from watchboard.errors import StoreError
from watchboard.store import migrations
from watchboard.store.engine import READ_ONLY, build_engine, with_retries

T = TypeVar("T")


class Store:
    """A migrated database, opened from a URL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.applied_migrations: list[int] = []

    @classmethod
    def open(cls, url: str, *, create: bool = False) -> Store:
        """Open a database; ``create`` applies pending migrations, else it must be current."""
        store = cls(build_engine(url))
        try:
            if create:
                store.applied_migrations = migrations.migrate(store.engine)
            else:
                migrations.check_current(store.engine)
        except exc.OperationalError as error:
            store.close()
            where = store.engine.url.render_as_string(hide_password=True)
            reason = str(error.orig or error).strip().splitlines()[0]
            raise StoreError(f"{where}: cannot open the database ({reason})") from error
        except BaseException:
            store.close()
            raise
        return store

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only transaction that never blocks (or is blocked by) a writer."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(**{READ_ONLY: True})
            with conn.begin():
                yield conn

    def write(self, work: Callable[[Connection], T], *, what: str = "database write") -> T:
        """Run ``work`` in one transaction, retried from the start on lock timeouts and races."""

        def attempt() -> T:
            with self.transaction() as conn:
                return work(conn)

        return with_retries(attempt, what=what)


__all__ = ["Store"]
