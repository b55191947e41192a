"""Throw-away PostgreSQL server for tests and benchmarks.

Usage::

    from pgserver import PostgresServer  # tests/ is on sys.path under pytest

    with PostgresServer() as pg:
        url = pg.create_database("wb_test")  # postgresql+psycopg://watchboard@127.0.0.1:PORT/wb_test
        ...

From elsewhere (e.g. benchmarks/), load it by path::

    import importlib.util, pathlib, sys
    path = pathlib.Path(__file__).resolve().parents[1] / "tests" / "pgserver.py"
    spec = importlib.util.spec_from_file_location("pgserver", path)
    pgserver = importlib.util.module_from_spec(spec)
    sys.modules["pgserver"] = pgserver
    spec.loader.exec_module(pgserver)

Each server gets its own temporary directory (data dir, unix socket dir, server log),
listens on a free TCP port on 127.0.0.1 only, trusts every local connection and runs
with durability switched off (fsync, full_page_writes, synchronous_commit) for speed.
``stop()`` shuts it down and deletes the directory; servers still running at
interpreter exit are stopped by an atexit hook.

Speed: the directory goes to /dev/shm when that is a tmpfs with >= 1 GiB free (else the
usual temp dir; ``base_dir=`` or ``$WATCHBOARD_PG_BASE_DIR`` override it: use a disk for
big benchmark data). initdb runs with --no-sync, and its pristine result is kept as a
template (``<base>/watchboard-pg-template-<uid>-<hash>``) that later servers, in any
process, copy instead of running initdb again (``template_cache=False`` or
``$WATCHBOARD_PG_TEMPLATE_CACHE=0`` to disable).

PostgreSQL refuses to run as root. When the current process is root, the temporary
directory is handed to the ``postgres`` system user (created with ``useradd --system``
if missing) and initdb / pg_ctl run as that user through ``runuser -u postgres --``
(or ``su postgres -s /bin/sh -c ...`` where runuser is unavailable).

The server binaries are looked up in: the ``bindir`` argument, ``$WATCHBOARD_PG_BINDIR``,
``pg_config --bindir``, the highest ``/usr/lib/postgresql/<version>/bin``, then ``$PATH``.
If none is found a RuntimeError names the package to install; nothing is skipped.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import glob
import hashlib
import os
import pwd
import re
import shlex
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

__all__ = ["PostgresServer", "find_bindir"]

SERVER_PACKAGE = "postgresql"
INSTALL_HINT = (
    f"apt-get install {SERVER_PACKAGE}  (Debian/Ubuntu; or run scripts/ensure-system-deps as root)"
)
_REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres")
_SERVICE_USER = "postgres"
_INITDB_LOCALES = ("C.UTF-8", "C")  # first one initdb accepts wins
_TEMPLATE_MARKER = "complete"
_SHM_MIN_FREE = 1 << 30  # use /dev/shm only with at least 1 GiB free
_MAX_UNIX_SOCKET_PATH = 103  # sun_path is 108 bytes including the trailing NUL

DEFAULT_SETTINGS: dict[str, str | int] = {
    "listen_addresses": "127.0.0.1",
    "max_connections": 200,
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "jit": "off",  # JIT compilation only slows down short test queries
    "max_wal_size": "1GB",
    "checkpoint_timeout": "30min",
}

_running: set[PostgresServer] = set()
_running_lock = threading.Lock()
_user_lock = threading.Lock()


# --------------------------------------------------------------------------- binaries


def _has_server_binaries(directory: str | os.PathLike[str]) -> bool:
    return all(os.access(os.path.join(directory, name), os.X_OK) for name in _REQUIRED_BINARIES)


def _version_key(path: str) -> tuple[int, ...]:
    # /usr/lib/postgresql/<version>/bin -> numeric version for sorting ("9.6" < "15")
    version = Path(path).parent.name
    return tuple(int(part) for part in re.findall(r"\d+", version)) or (-1,)


def _candidate_bindirs() -> list[str]:
    candidates: list[str] = []
    env = os.environ.get("WATCHBOARD_PG_BINDIR")
    if env:
        candidates.append(env)
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"],
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            ).stdout.strip()
            if out:
                candidates.append(out)
    candidates.extend(
        sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    )
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(os.path.dirname(os.path.realpath(initdb)))
    return candidates


@functools.cache
def _find_bindir_cached() -> str | None:
    for candidate in _candidate_bindirs():
        if _has_server_binaries(candidate):
            return candidate
    return None


def find_bindir(bindir: str | os.PathLike[str] | None = None) -> str:
    """Return the directory holding initdb, pg_ctl and postgres, or raise RuntimeError."""
    if bindir is not None:
        if _has_server_binaries(bindir):
            return os.fspath(bindir)
        raise RuntimeError(
            f"PostgreSQL server binaries ({', '.join(_REQUIRED_BINARIES)}) not found in "
            f"{os.fspath(bindir)!r}. Install them with: {INSTALL_HINT}"
        )
    found = _find_bindir_cached()
    if found is None:
        _find_bindir_cached.cache_clear()  # maybe installed later in this process
        looked = ", ".join(
            [
                "$WATCHBOARD_PG_BINDIR",
                "pg_config --bindir",
                "/usr/lib/postgresql/*/bin",
                "$PATH",
            ]
        )
        raise RuntimeError(
            f"PostgreSQL server binaries ({', '.join(_REQUIRED_BINARIES)}) not found "
            f"(looked in {looked}). The tests start their own throw-away server and need "
            f"them installed: {INSTALL_HINT}"
        )
    return found


# --------------------------------------------------------------------------- root handling


def _find_tool(name: str) -> str | None:
    return shutil.which(name) or next(
        (
            p
            for p in (f"/usr/sbin/{name}", f"/sbin/{name}", f"/usr/bin/{name}")
            if os.access(p, os.X_OK)
        ),
        None,
    )


def _ensure_service_user() -> pwd.struct_passwd:
    """Return the ``postgres`` account, creating it as a system user if needed (root only)."""
    with _user_lock:
        try:
            return pwd.getpwnam(_SERVICE_USER)
        except KeyError:
            pass
        useradd = _find_tool("useradd")
        if useradd is None:
            raise RuntimeError(
                f"running as root and there is no {_SERVICE_USER!r} user to run PostgreSQL "
                "as, and useradd is missing (apt-get install passwd)"
            )
        last_error = ""
        for _attempt in range(10):  # another process may hold /etc/passwd.lock
            proc = subprocess.run(
                [
                    useradd,
                    "--system",
                    "--user-group",
                    "--no-create-home",
                    "--home-dir",
                    "/nonexistent",
                    "--shell",
                    "/bin/sh",
                    "--comment",
                    "PostgreSQL administrator",
                    _SERVICE_USER,
                ],
                capture_output=True,
                text=True,
            )
            with contextlib.suppress(KeyError):
                return pwd.getpwnam(_SERVICE_USER)  # created by us or by a concurrent process
            last_error = (proc.stderr or proc.stdout).strip()
            time.sleep(0.2)
        raise RuntimeError(f"could not create system user {_SERVICE_USER!r}: {last_error}")


def _traversable_by_others(path: str) -> bool:
    current = Path(path).resolve()
    for directory in (current, *current.parents):
        try:
            mode = os.stat(directory).st_mode
        except OSError:
            return False
        if not mode & stat.S_IXOTH:
            return False
    return True


# --------------------------------------------------------------------------- misc helpers


def _default_base_dir() -> str:
    """/dev/shm when it is a roomy shared tmpfs (initdb and copies there are several times
    faster than on a disk-backed /tmp), else the usual temporary directory."""
    shm = "/dev/shm"
    with contextlib.suppress(OSError):
        st = os.stat(shm)
        vfs = os.statvfs(shm)
        roomy = vfs.f_bavail * vfs.f_frsize >= _SHM_MIN_FREE
        shared = stat.S_ISDIR(st.st_mode) and st.st_mode & 0o1777 == 0o1777
        if roomy and shared and os.access(shm, os.W_OK | os.X_OK):
            return shm
    return tempfile.gettempdir()


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _conf_value(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _child_env() -> dict[str, str]:
    # PG* variables (PGDATA, PGPORT, PGOPTIONS, ...) from the caller must not leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_MESSAGES"] = "C"  # English messages: port-collision detection greps the log
    env.pop("LC_ALL", None)
    return env


def _tail(path: str | os.PathLike[str], lines: int = 40) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return "".join(fh.readlines()[-lines:]).rstrip() or "(empty)"
    except OSError as exc:
        return f"(no server log: {exc})"


@atexit.register
def _stop_all() -> None:
    with _running_lock:
        servers = list(_running)
    for server in servers:
        with contextlib.suppress(Exception):
            server.stop()


# --------------------------------------------------------------------------- the server


class PostgresServer:
    """A private PostgreSQL server in a temporary directory, for tests.

    ``start()`` / ``stop()`` or use as a context manager. ``url(db)`` gives an SQLAlchemy
    URL, ``conninfo(db)`` a libpq URI for ``psycopg.connect``.
    """

    def __init__(
        self,
        *,
        user: str = "watchboard",
        host: str = "127.0.0.1",
        port: int | None = None,
        bindir: str | os.PathLike[str] | None = None,
        base_dir: str | os.PathLike[str] | None = None,
        settings: Mapping[str, str | int | float | bool] | None = None,
        startup_timeout: float = 60.0,
        template_cache: bool | None = None,
    ) -> None:
        self.user = user
        self.host = host
        self._requested_port = port
        self._bindir_arg = bindir
        self._base_dir = os.fspath(base_dir) if base_dir is not None else None
        self.settings: dict[str, str | int | float | bool] = {
            **DEFAULT_SETTINGS,
            "listen_addresses": host,
            **(settings or {}),
        }
        self.startup_timeout = startup_timeout
        if template_cache is None:
            template_cache = os.environ.get("WATCHBOARD_PG_TEMPLATE_CACHE", "1") != "0"
        self.template_cache = template_cache
        self.used_template = False
        self.port: int | None = None
        self.bindir: str | None = None
        self.tmp_dir: str | None = None
        self.pid: int | None = None
        self.startup_seconds: float | None = None
        self._run_as: pwd.struct_passwd | None = None
        self._lock = threading.Lock()

    # -- paths --------------------------------------------------------------------------

    def _path(self, *parts: str) -> str:
        if self.tmp_dir is None:
            raise RuntimeError("PostgresServer is not started")
        return os.path.join(self.tmp_dir, *parts)

    @property
    def data_dir(self) -> str:
        return self._path("data")

    @property
    def socket_dir(self) -> str:
        return self._path("sock")

    @property
    def log_path(self) -> str:
        return self._path("postgres.log")

    @property
    def running(self) -> bool:
        return self.port is not None

    # -- URLs ---------------------------------------------------------------------------

    def _require_port(self) -> int:
        if self.port is None:
            raise RuntimeError("PostgresServer is not started")
        return self.port

    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL: ``postgresql+psycopg://USER@127.0.0.1:PORT/DBNAME``."""
        return "postgresql+psycopg" + self.conninfo(dbname).removeprefix("postgresql")

    def conninfo(self, dbname: str = "postgres") -> str:
        """libpq URI for ``psycopg.connect``: ``postgresql://USER@127.0.0.1:PORT/DBNAME``."""
        user, db = quote(self.user, safe=""), quote(dbname, safe="")
        return f"postgresql://{user}@{self.host}:{self._require_port()}/{db}"

    # -- running commands as the right user ---------------------------------------------

    def _cmd(self, argv: Sequence[str]) -> list[str]:
        if self._run_as is None:
            return list(argv)
        runuser = _find_tool("runuser")
        if runuser:
            return [runuser, "-u", self._run_as.pw_name, "--", *argv]
        su = _find_tool("su")
        if su:
            return [su, self._run_as.pw_name, "-s", "/bin/sh", "-c", "exec " + shlex.join(argv)]
        raise RuntimeError("running as root but neither runuser nor su is available")

    def _run(self, argv: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._cmd(argv),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.tmp_dir,
            env=_child_env(),
        )

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> PostgresServer:
        with self._lock:
            if self.running:
                return self
            t0 = time.perf_counter()
            self.bindir = find_bindir(self._bindir_arg)
            try:
                self._make_tmp_dir()
                if not self._copy_from_template():
                    self._initdb()
                    self._store_template()
                self._write_config()
                self._start_server()
            except BaseException:
                self._cleanup_after_failed_start()
                raise
            self.startup_seconds = time.perf_counter() - t0
        with _running_lock:
            _running.add(self)
        return self

    def _make_tmp_dir(self) -> None:
        if os.geteuid() == 0:
            self._run_as = _ensure_service_user()
        base = self._base_dir or os.environ.get("WATCHBOARD_PG_BASE_DIR") or _default_base_dir()
        if self._run_as is not None and not _traversable_by_others(base):
            base = "/tmp"  # e.g. TMPDIR under /root: the postgres user could not reach it
        # the unix socket path must fit in sun_path
        probe = os.path.join(base, "watchboard-pg-XXXXXXXX", "sock", ".s.PGSQL.65535")
        if len(probe.encode()) > _MAX_UNIX_SOCKET_PATH:
            base = "/tmp"
        self.tmp_dir = tempfile.mkdtemp(prefix="watchboard-pg-", dir=base)
        os.mkdir(self.socket_dir, 0o700)
        if self._run_as is not None:
            for path in (self.tmp_dir, self.socket_dir):
                os.chown(path, self._run_as.pw_uid, self._run_as.pw_gid)

    def _initdb(self) -> None:
        assert self.bindir is not None
        base = [
            os.path.join(self.bindir, "initdb"),
            "--pgdata",
            self.data_dir,
            "--auth=trust",
            "--username",
            self.user,
            "--encoding=UTF8",
            "--no-sync",  # no fsync of the ~40 MB it writes: this cluster is throw-away
        ]
        proc = None
        for locale in _INITDB_LOCALES:
            proc = self._run([*base, f"--locale={locale}"], timeout=self.startup_timeout)
            if proc.returncode == 0:
                return
            if os.path.exists(self.data_dir):  # initdb normally cleans up; be sure
                shutil.rmtree(self.data_dir, ignore_errors=True)
        assert proc is not None
        raise RuntimeError(
            f"initdb failed (exit {proc.returncode}):\n{(proc.stdout + proc.stderr).strip()}"
        )

    # -- initdb template cache ------------------------------------------------------------
    # initdb is most of the start-up time. The first server stores a pristine copy of its
    # freshly initialised data dir next to its temporary directory (same filesystem, so the
    # final rename is atomic); later servers, in any process, copy it instead of running
    # initdb. The key covers the binaries (path, size, mtime) and the initdb options, so an
    # upgrade or another option set gets a new template. A template is only used when it
    # is owned by the user the server runs as, not group/world accessible, and complete.

    def _template_path(self) -> str | None:
        if not self.template_cache or self.bindir is None or self.tmp_dir is None:
            return None
        parts: list[str] = ["v1", os.path.realpath(self.bindir), self.user, *_INITDB_LOCALES]
        for name in ("initdb", "postgres"):
            st = os.stat(os.path.join(self.bindir, name))
            parts += [str(st.st_size), str(st.st_mtime_ns)]
        key = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]
        uid = self._run_as.pw_uid if self._run_as else os.geteuid()
        return os.path.join(os.path.dirname(self.tmp_dir), f"watchboard-pg-template-{uid}-{key}")

    def _copy_from_template(self) -> bool:
        template = self._template_path()
        if template is None:
            return False
        uid = self._run_as.pw_uid if self._run_as else os.geteuid()
        try:
            st = os.lstat(template)
        except OSError:
            return False
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != uid or st.st_mode & 0o077:
            return False
        if not os.path.exists(os.path.join(template, _TEMPLATE_MARKER)):
            return False
        proc = subprocess.run(
            ["cp", "-a", os.path.join(template, "data"), self.data_dir],
            stdin=subprocess.DEVNULL,
            capture_output=True,
        )
        if proc.returncode != 0:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            return False
        self.used_template = True
        return True

    def _store_template(self) -> None:
        template = self._template_path()
        if template is None or os.path.lexists(template):
            return
        staging = None
        try:  # best effort: a failure here only costs the next start an initdb
            staging = tempfile.mkdtemp(prefix=".wb-pg-template-", dir=os.path.dirname(template))
            proc = subprocess.run(
                ["cp", "-a", self.data_dir, os.path.join(staging, "data")],
                stdin=subprocess.DEVNULL,
                capture_output=True,
            )
            if proc.returncode != 0:
                return
            open(os.path.join(staging, _TEMPLATE_MARKER), "w").close()
            if self._run_as is not None:
                os.chown(staging, self._run_as.pw_uid, self._run_as.pw_gid)
            os.rename(staging, template)  # fails if a concurrent process got there first
            staging = None
        except OSError:
            pass
        finally:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)

    def _write_config(self) -> None:
        settings = {**self.settings, "unix_socket_directories": self.socket_dir}
        lines = [f"{key} = {_conf_value(value)}" for key, value in settings.items()]
        # appended to the file initdb wrote: keeps its owner (postgres when root) and mode
        with open(os.path.join(self.data_dir, "postgresql.conf"), "a", encoding="utf-8") as fh:
            fh.write("\n# --- tests/pgserver.py ---\n" + "\n".join(lines) + "\n")

    def _start_server(self) -> None:
        assert self.bindir is not None
        pg_ctl = os.path.join(self.bindir, "pg_ctl")
        attempts = 1 if self._requested_port else 5
        for attempt in range(attempts):
            port = self._requested_port or _free_port(self.host)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.log_path)  # the log tail must describe this attempt only
            argv = [
                pg_ctl,
                "start",
                "--pgdata",
                self.data_dir,
                "--log",
                self.log_path,
                "--wait",
                "--timeout",
                str(max(1, int(self.startup_timeout))),
                "--silent",
                "-o",
                f"-p {port}",
            ]
            try:
                proc = self._run(argv, timeout=self.startup_timeout + 15)
            except subprocess.TimeoutExpired:
                proc = None
            if proc is not None and proc.returncode == 0:
                self.port = port
                self._wait_connectable()
                self.pid = self._read_pid()
                return
            log = _tail(self.log_path)
            port_clash = "could not bind" in log or "Address already in use" in log
            self._pg_ctl_stop("immediate", check=False)
            if port_clash and attempt + 1 < attempts:
                continue  # another process grabbed the port between probe and bind
            output = "" if proc is None else (proc.stdout + proc.stderr).strip()
            status = "timed out" if proc is None else f"failed (exit {proc.returncode})"
            raise RuntimeError(
                f"PostgreSQL server on {self.host}:{port} {status} "
                f"(startup timeout {self.startup_timeout:.0f}s).\n"
                f"pg_ctl output: {output or '(none)'}\n"
                f"--- server log (tail) ---\n{log}"
            )

    def _wait_connectable(self) -> None:
        import psycopg

        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:
                with psycopg.connect(self.conninfo("postgres"), connect_timeout=5) as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"PostgreSQL server on {self.host}:{self.port} does not accept "
                        f"connections after {self.startup_timeout:.0f}s: {exc}\n"
                        f"--- server log (tail) ---\n{_tail(self.log_path)}"
                    ) from exc
                time.sleep(0.02)

    def _read_pid(self) -> int | None:
        try:
            with open(os.path.join(self.data_dir, "postmaster.pid"), encoding="ascii") as fh:
                return int(fh.readline().strip())
        except (OSError, ValueError):
            return None

    def _pg_ctl_stop(self, mode: str, *, check: bool) -> bool:
        if self.bindir is None or self.tmp_dir is None:
            return True
        if not os.path.exists(os.path.join(self.data_dir, "postmaster.pid")):
            return True
        argv = [
            os.path.join(self.bindir, "pg_ctl"),
            "stop",
            "--pgdata",
            self.data_dir,
            "--mode",
            mode,
            "--wait",
            "--timeout",
            "60",
            "--silent",
        ]
        try:
            proc = self._run(argv, timeout=75)
        except subprocess.TimeoutExpired:
            if check:
                raise
            return False
        ok = proc.returncode == 0 or not os.path.exists(
            os.path.join(self.data_dir, "postmaster.pid")
        )
        if check and not ok:
            raise RuntimeError(
                f"pg_ctl stop -m {mode} failed (exit {proc.returncode}): "
                f"{(proc.stdout + proc.stderr).strip()}\n"
                f"--- server log (tail) ---\n{_tail(self.log_path)}"
            )
        return ok

    def _cleanup_after_failed_start(self) -> None:
        with contextlib.suppress(Exception):
            self._pg_ctl_stop("immediate", check=False)
        if self.tmp_dir is not None:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
        self.tmp_dir = None
        self.port = None
        self.pid = None

    def stop(self) -> None:
        """``pg_ctl stop -m fast``, then delete the temporary directory. Idempotent."""
        with self._lock:
            if self.tmp_dir is None:
                return
            try:
                if not self._pg_ctl_stop("fast", check=False):
                    self._pg_ctl_stop("immediate", check=True)
            finally:
                with _running_lock:
                    _running.discard(self)
            shutil.rmtree(self.tmp_dir)
            self.tmp_dir = None
            self.port = None
            self.pid = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"{self.host}:{self.port}" if self.running else "stopped"
        return f"<PostgresServer {state}>"

    # -- databases ----------------------------------------------------------------------

    def execute_admin(self, statement: object) -> None:
        """Run one statement (str or psycopg.sql.Composable) in autocommit on ``postgres``."""
        import psycopg

        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            conn.execute(statement)  # type: ignore[arg-type]

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create database ``name`` (owned by the server user) and return its SQLAlchemy URL."""
        from psycopg import sql

        _check_dbname(name)
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            _check_dbname(template)
            statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
        self.execute_admin(statement)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, terminating any open connections to it."""
        from psycopg import sql

        _check_dbname(name)
        self.execute_admin(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _check_dbname(name: str) -> None:
    if not name or len(name.encode()) > 63 or "\x00" in name:
        raise ValueError(f"invalid database name {name!r} (1-63 bytes, no NUL)")
