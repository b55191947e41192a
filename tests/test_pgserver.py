"""Tests for the throw-away PostgreSQL server helper (tests/pgserver.py)."""

from __future__ import annotations

import os
import shutil
import socket
import struct
import tempfile
import threading
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

import pgserver
from pgserver import PostgresServer

pytestmark = pytest.mark.postgres


def _listening_addresses(port: int) -> list[str]:
    """Local addresses with a LISTEN socket on ``port``, from /proc/net/tcp{,6} (Linux)."""
    found: list[str] = []
    for table, family in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 6)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            addr_hex, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:  # 0A = TCP_LISTEN
                continue
            if family == 4:
                found.append(socket.inet_ntoa(struct.pack("=I", int(addr_hex, 16))))
            else:
                raw = b"".join(
                    struct.pack("=I", int(addr_hex[i : i + 8], 16)) for i in (0, 8, 16, 24)
                )
                found.append(socket.inet_ntop(socket.AF_INET6, raw))
    return found


def _port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        return sock.connect_ex((host, port)) == 0


def _process_alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    state = next((ln.split()[1] for ln in status.splitlines() if ln.startswith("State:")), "")
    return state not in ("Z", "X")  # a zombie waiting to be reaped is not running


def _check_server(pg: PostgresServer) -> None:
    assert pg.port is not None
    url_a = pg.create_database("wb_alpha")
    url_b = pg.create_database("wb_beta")
    assert url_a == f"postgresql+psycopg://watchboard@127.0.0.1:{pg.port}/wb_alpha"
    assert url_b == pg.url("wb_beta")

    # psycopg directly
    with psycopg.connect(pg.conninfo("wb_alpha")) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        row = conn.execute("SELECT current_database(), current_user").fetchone()
        assert row == ("wb_alpha", "watchboard")
        assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)
        assert conn.execute("SHOW fsync").fetchone() == ("off",)
        assert conn.execute("SHOW max_connections").fetchone() == ("200",)

    # SQLAlchemy (the URL the application code will get)
    engine = sa.create_engine(url_b)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
            assert conn.execute(sa.text("SELECT current_database()")).scalar_one() == "wb_beta"
            assert conn.execute(sa.text("SHOW listen_addresses")).scalar_one() == "127.0.0.1"
            assert str(conn.execute(sa.text("SELECT inet_server_addr()")).scalar_one()) == (
                "127.0.0.1"
            )
    finally:
        engine.dispose()

    # listens on 127.0.0.1 only
    if Path("/proc/net/tcp").exists():
        assert _listening_addresses(pg.port) == ["127.0.0.1"]
    assert _port_open("127.0.0.1", pg.port)
    assert not _port_open("127.0.0.2", pg.port)  # Linux routes all of 127/8 to lo

    pg.drop_database("wb_alpha")
    pg.drop_database("wb_alpha")  # IF EXISTS: idempotent
    with psycopg.connect(pg.conninfo("postgres")) as conn:
        names = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
    assert "wb_alpha" not in names
    assert "wb_beta" in names


def _check_stopped(pg: PostgresServer, tmp_dir: str, port: int, pid: int | None) -> None:
    assert not os.path.exists(tmp_dir)
    assert not _port_open("127.0.0.1", port)
    assert pid is not None
    assert not _process_alive(pid)
    assert not pg.running


def test_start_query_stop() -> None:
    pg = PostgresServer()
    with pg:
        assert pg.running
        assert pg.startup_seconds is not None
        tmp_dir, port, pid = pg.tmp_dir, pg.port, pg.pid
        assert tmp_dir is not None and port is not None
        assert os.path.isdir(pg.data_dir)
        assert any(name.startswith(".s.PGSQL.") for name in os.listdir(pg.socket_dir))
        _check_server(pg)
    _check_stopped(pg, tmp_dir, port, pid)
    pg.stop()  # idempotent


def test_two_servers_in_parallel() -> None:
    servers = [PostgresServer(), PostgresServer()]
    errors: list[BaseException] = []

    def start(server: PostgresServer) -> None:
        try:
            server.start()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(s,)) for s in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not errors, errors
        assert servers[0].port != servers[1].port
        assert servers[0].tmp_dir != servers[1].tmp_dir
        for server in servers:
            _check_server(server)
    finally:
        state = [(s, s.tmp_dir, s.port, s.pid) for s in servers]
        for server in servers:
            server.stop()
    for server, tmp_dir, port, pid in state:
        assert tmp_dir is not None and port is not None
        _check_stopped(server, tmp_dir, port, pid)


@pytest.mark.skipif(os.geteuid() != 0, reason="the su fallback only matters when root")
def test_root_su_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    real = pgserver._find_tool
    monkeypatch.setattr(pgserver, "_find_tool", lambda n: None if n == "runuser" else real(n))
    with PostgresServer() as pg:
        assert os.stat(pg.data_dir).st_uid == pgserver.pwd.getpwnam("postgres").pw_uid
        with psycopg.connect(pg.conninfo()) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)


def test_missing_binaries_name_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="apt-get install postgresql"):
        PostgresServer(bindir=tmp_path).start()
    monkeypatch.setattr(pgserver, "_candidate_bindirs", lambda: [str(tmp_path)])
    pgserver._find_bindir_cached.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="apt-get install postgresql"):
            PostgresServer().start()
    finally:
        monkeypatch.undo()
        pgserver._find_bindir_cached.cache_clear()


def test_template_cache_is_reused() -> None:
    base = tempfile.mkdtemp(prefix="wb-pgserver-test-", dir=pgserver._default_base_dir())
    os.chmod(base, 0o755)  # the postgres user must reach it when we are root
    try:
        first = PostgresServer(base_dir=base, template_cache=True)
        with first:
            assert not first.used_template  # empty cache: initdb, then stored as template
        templates = [n for n in os.listdir(base) if n.startswith("watchboard-pg-template-")]
        assert len(templates) == 1
        st = os.stat(os.path.join(base, templates[0]))
        assert st.st_mode & 0o077 == 0
        with PostgresServer(base_dir=base, template_cache=True) as second:
            assert second.used_template
            with psycopg.connect(second.conninfo()) as conn:
                assert conn.execute("SELECT current_user").fetchone() == ("watchboard",)
        with PostgresServer(base_dir=base, template_cache=False) as third:
            assert not third.used_template
    finally:
        shutil.rmtree(base)
