"""Shared web fixtures: the demo workspace with four accounts, an app on it, a live server.

The demo case is built once per backend and session (it takes a few seconds); every test that
asks for ``demo`` gets its own copy (a file copy for SQLite, ``CREATE DATABASE … TEMPLATE`` for
PostgreSQL), so tests may change what they like. The accounts, their passwords and API tokens
are in the copy too:

* ``admin``    — admin (every case)
* ``analyst``  — analyst on the demo case
* ``viewer``   — viewer on the demo case
* ``outsider`` — analyst on another case (``other-case``) only, so the demo case is not theirs

``live_server`` runs uvicorn on 127.0.0.1 on a free port in a background thread (plain HTTP,
so with insecure cookies, as ``watchboard serve --insecure-cookies`` does) and stops it at
teardown.
"""

from __future__ import annotations

import itertools
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from pgserver import PostgresServer
from watchboard import jobs
from watchboard.config import Settings, load_settings, write_workspace_file
from watchboard.jobs import accounts
from watchboard.store import Store
from watchboard.web import create_app

CASE = jobs.DEMO_CASE
OTHER_CASE = "other-case"
PASSWORDS = {
    "admin": "admin-password-1",
    "analyst": "analyst-password-1",
    "viewer": "viewer-password-1",
    "outsider": "outsider-password-1",
}
ROLES = {"admin": "admin", "analyst": "analyst", "viewer": "viewer", "outsider": "analyst"}
CASES = {"admin": (), "analyst": (CASE,), "viewer": (CASE,), "outsider": (OTHER_CASE,)}

OTHER_CASE_YAML = f"""\
case:
  slug: {OTHER_CASE}
  title: Another programme, for access tests
  question: Does a user of one case see another case?
"""

_copies = itertools.count()
_PG_TEMPLATE = "wb_web_demo"


@dataclass
class Demo:
    """A demo workspace with accounts: ``tokens[username]`` is that user's API token."""

    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=lambda: dict(PASSWORDS))
    case: str = CASE
    other_case: str = OTHER_CASE

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def store(self) -> Store:
        return Store.open(self.settings.database_url)


def _populate(settings: Settings, directory: Path) -> dict[str, str]:
    """Add the second case, the four accounts and their tokens to a built demo workspace."""
    case_file = directory / f"{OTHER_CASE}.yaml"
    case_file.write_text(OTHER_CASE_YAML, encoding="utf-8")
    tokens = {}
    with Store.open(settings.database_url) as store:
        jobs.load_case(store, case_file)
        for name, password in PASSWORDS.items():
            accounts.add_user(store, name, password, role=ROLES[name], cases=CASES[name])
            tokens[name] = accounts.new_token(store, name, "tests")
    return tokens


def _build_template(directory: Path, database_url: str | None) -> Demo:
    result = jobs.build_demo(directory, database_url=database_url)
    return Demo(settings=result.settings, tokens=_populate(result.settings, directory))


@pytest.fixture(scope="session")
def sqlite_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The pristine demo workspace on SQLite (copied, never handed to a test directly)."""
    return _build_template(tmp_path_factory.mktemp("demo-sqlite") / "ws", None)


@pytest.fixture(scope="session")
def pg_demo_template(tmp_path_factory: pytest.TempPathFactory, pg_server: PostgresServer) -> Demo:
    """The pristine demo workspace on PostgreSQL: database ``wb_web_demo``, used as a template."""
    url = pg_server.create_database(_PG_TEMPLATE)
    return _build_template(tmp_path_factory.mktemp("demo-pg") / "ws", url)


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def demo_template(request: pytest.FixtureRequest) -> Demo:
    """The pristine demo workspace on each backend in turn."""
    name = "sqlite_demo_template" if request.param == "sqlite" else "pg_demo_template"
    template: Demo = request.getfixturevalue(name)
    return template


def copy_demo(template: Demo, target: Path, request: pytest.FixtureRequest) -> Demo:
    """A private copy of a demo workspace (same accounts and tokens), removed at teardown."""
    source = template.settings
    if source.database_url.startswith("sqlite"):
        shutil.copytree(source.workspace, target)
    else:
        server: PostgresServer = request.getfixturevalue("pg_server")
        name = f"wb_web_{next(_copies)}"
        url = server.create_database(name, template=_PG_TEMPLATE)
        request.addfinalizer(lambda: server.drop_database(name))
        target.mkdir(parents=True)
        write_workspace_file(target, url)
    settings = load_settings(target)
    # Tests never wait for politeness delays on 127.0.0.1.
    settings = replace(settings, fetch=replace(settings.fetch, politeness_delay=0.0))
    return replace(template, settings=settings)


@pytest.fixture
def demo(demo_template: Demo, request: pytest.FixtureRequest, tmp_path: Path) -> Demo:
    """A private copy of the demo workspace with accounts, on SQLite and on PostgreSQL."""
    return copy_demo(demo_template, tmp_path / "ws", request)


@pytest.fixture
def app(demo: Demo) -> Iterator[FastAPI]:
    """The application on the demo copy (secure cookies, as in production)."""
    application = create_app(demo.settings)
    yield application
    application.state.store.close()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An anonymous TestClient over HTTPS (use ``demo.auth(name)`` for a bearer token)."""
    with TestClient(app, base_url="https://testserver") as test_client:
        yield test_client


# -- a live server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class LiveServer:
    url: str
    demo: Demo
    app: FastAPI

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)


class _ServerThread(threading.Thread):
    def __init__(self, application: FastAPI, port: int) -> None:
        super().__init__(name=f"uvicorn-{port}", daemon=True)
        config = uvicorn.Config(
            application, host="127.0.0.1", port=port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)

    def run(self) -> None:
        self.server.run()

    def stop(self) -> None:
        self.server.should_exit = True
        self.join(timeout=10)


def start_server(application: FastAPI) -> tuple[str, _ServerThread]:
    port = free_port()
    thread = _ServerThread(application, port)
    thread.start()
    deadline = time.monotonic() + 20
    while not thread.server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", thread


@pytest.fixture(scope="module")
def live_demo(
    sqlite_demo_template: Demo,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Demo:
    """A demo copy (SQLite) shared by the tests of one module, for a live server."""
    return copy_demo(sqlite_demo_template, tmp_path_factory.mktemp("live") / "ws", request)


@pytest.fixture(scope="module")
def live_server(live_demo: Demo) -> Iterator[LiveServer]:
    """uvicorn serving a demo copy on 127.0.0.1:<free port>, plain HTTP, insecure cookies."""
    application = create_app(live_demo.settings, secure_cookies=False)
    url, thread = start_server(application)
    try:
        yield LiveServer(url=url, demo=live_demo, app=application)
    finally:
        thread.stop()
        assert not thread.is_alive(), "uvicorn did not stop"
