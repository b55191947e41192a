"""Shared fixtures: real SQLite files, a real throwaway PostgreSQL server, workspaces."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pgserver import PostgresServer
from watchboard.config import Settings, load_settings
from watchboard.store import Store

_db_numbers = itertools.count()


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Derived data (the gazetteer index) goes to a temporary folder, never the user's home."""
    import os

    previous = os.environ.get("WATCHBOARD_CACHE_DIR")
    os.environ["WATCHBOARD_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        os.environ.pop("WATCHBOARD_CACHE_DIR", None)
    else:
        os.environ["WATCHBOARD_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole run; each test gets its own database."""
    with PostgresServer() as server:
        yield server


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> Iterator[str]:
    name = f"wb_test_{next(_db_numbers)}"
    url = pg_server.create_database(name)
    yield url
    pg_server.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL on each backend in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store.open(db_url, create=True) as opened:
        yield opened


@pytest.fixture
def workspace(tmp_path: Path, db_url: str) -> Settings:
    """A workspace directory on each backend (SQLite file or a PostgreSQL database)."""
    from watchboard import jobs

    directory = tmp_path / "ws"
    database = None if db_url.startswith("sqlite") else db_url
    jobs.init_workspace(directory, database_url=database)
    settings = load_settings(directory)
    # Tests never wait for politeness delays on 127.0.0.1.
    from dataclasses import replace

    return replace(settings, fetch=replace(settings.fetch, politeness_delay=0.0))


@pytest.fixture
def sqlite_workspace(tmp_path: Path) -> Settings:
    from watchboard import jobs

    directory = tmp_path / "ws"
    jobs.init_workspace(directory)
    return load_settings(directory)
