#!/usr/bin/env python
"""A bounded load test of the web API and pages at 100k claims, on SQLite and PostgreSQL.

For each backend this script builds (or reuses) a ``synthetic_workspace.py`` workspace with N
claims (default 100k), creates an admin account and an API token through the CLI
(``watchboard user add`` / ``user token``), starts the real server as a subprocess
(``watchboard serve --workers K`` on 127.0.0.1, uvicorn), waits until it answers, signs in
once through the real ``/login`` form (double-submit token) for a session cookie, and then
runs each scenario with a small asyncio client (its own keep-alive HTTP/1.1 connections, one
per client; httpx only signs in): C concurrent clients (default 50), with no pause between
requests unless ``--think`` gives one, for a warm-up (default 3 s, not counted) and then a
fixed duration (default 20 s) or a maximum number of requests, whichever comes first.
Scenarios:

* ``list`` — ``GET /api/v1/cases/{slug}/claims?limit=50``: plain first pages (30 %), filtered
  pages (``max_credibility``, ``modality`` or both; 30 %) and cursor walks (40 %: a plain or
  filtered first page, then ``next_cursor`` followed 2-5 pages deep);
* ``search`` — the same route with ``q=<word>``: words drawn from the claims' own quotes in
  three tiers by how many claims hold them — common (40 %: 0.5 % of the claims or more),
  medium (30 %), rare (30 %: fewer claims than a page, so a scan could not stop early);
* ``doc-page`` — the HTML reader ``/cases/{slug}/documents/{id}`` (session cookie) for
  random documents of the case;
* ``doc-api`` — ``GET /api/v1/documents/{id}`` (bearer token) for random documents.

Reported per backend, worker count and scenario: requests, errors (non-2xx or failed),
requests/s, latency p50/p95/p99/max (ms, measured by the client around the whole
request-response), the server's CPU (the uvicorn process tree, and for PostgreSQL the
postmaster's tree, from ``/proc/<pid>/stat``), the client's own CPU, the CPU the rest of
the machine used meanwhile (``other``) and the load average;
then the same percentiles per request kind (plain/filtered/cursor, common/medium/rare ...).
The target printed for comparison: p95 under 100 ms for list and search. Nothing asserts it.

Client and server share the machine: on 2 cores the client's own CPU (printed) is taken from
the server, so the figures are a lower bound of what a separate client would see. The client
is one asyncio process (it can never use more than one core) doing little per request.

PostgreSQL: a throw-away server from ``tests/pgserver.py`` (fsync off, on /dev/shm when it is
roomy), so its workspace is built again on each run; ``--database URL`` uses a server you run
(an empty database; with ``--keep`` the workspace is then reused).

Usage::

    .venv/bin/python benchmarks/bench_web_load.py                       # 100k, both backends
    .venv/bin/python benchmarks/bench_web_load.py --quick               # 10k, 10 s per scenario
    .venv/bin/python benchmarks/bench_web_load.py --keep /tmp/wb-webload --workers 1,2
    .venv/bin/python benchmarks/bench_web_load.py --backends sqlite --scenarios list,search
    .venv/bin/python benchmarks/bench_web_load.py --backends sqlite --profile  # + where time goes

``--profile`` then runs the list and search requests in-process under cProfile
(``fastapi.testclient.TestClient``, one request at a time) and prints the query plans
(``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN ANALYZE`` on PostgreSQL) of the claims page
query for a plain page, a filtered page and a rare-word search.

Writes ``bench-results/web-load-<UTC time>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import platform
import random
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _git import git_state  # noqa: E402
from bench_assess import FUNCTION_WORDS, label  # noqa: E402
from synthetic_workspace import CASE_SLUG, MODALITIES, parse_count  # noqa: E402

REPO = HERE.parent
RESULTS_DIR = REPO / "bench-results"
WATCHBOARD = Path(sys.executable).with_name("watchboard")
SCENARIOS = ("list", "search", "doc-page", "doc-api")
BACKENDS = ("sqlite", "postgres")
TARGET_P95_MS = 100.0
TARGETED = ("list", "search")
USERNAME = "bench-load"
PASSWORD = "bench-load-password"  # a throw-away account on a benchmark workspace
PAGE = 50
CLK_TCK = os.sysconf("SC_CLK_TCK")


# -- workspaces, accounts, the server --------------------------------------------------------


def build_workspace(directory: Path, n_claims: int, seed: int, database: str | None) -> dict:
    """Build (or reuse) the synthetic workspace in a subprocess; return its manifest."""
    cmd = [sys.executable, str(HERE / "synthetic_workspace.py"), str(directory)]
    cmd += ["--claims", str(n_claims), "--seed", str(seed)]
    if database:
        cmd += ["--database", database]
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"building the workspace in {directory} failed ({proc.returncode})")
    manifest = json.loads((directory / "synthetic-workspace.json").read_text(encoding="utf-8"))
    manifest["_wall_s"] = round(time.perf_counter() - t, 1)
    manifest["_reused"] = "reusing the workspace" in proc.stdout
    return manifest


def start_postgres() -> Any:
    """A throw-away PostgreSQL server (tests/pgserver.py, loaded by path)."""
    path = REPO / "tests" / "pgserver.py"
    spec = importlib.util.spec_from_file_location("pgserver", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pgserver"] = module
    spec.loader.exec_module(module)
    return module.PostgresServer().start()


def cli(workspace: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(WATCHBOARD), "-w", str(workspace), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
    )


def prepare_account(workspace: Path) -> str:
    """The benchmark's admin account (created, or its password reset) and a new API token."""
    made = cli(workspace, "user", "add", USERNAME, "--role", "admin", "--password-stdin",
               stdin=PASSWORD + "\n")  # fmt: skip
    if made.returncode != 0:
        reset = cli(workspace, "user", "set", USERNAME, "--password-stdin", stdin=PASSWORD + "\n")
        if reset.returncode != 0:
            raise SystemExit(f"could not create the account: {made.stderr}{reset.stderr}")
    token = cli(workspace, "user", "token", USERNAME, "--name", f"load test {time.time():.0f}")
    if token.returncode != 0:
        raise SystemExit(f"could not create a token: {token.stderr}")
    return token.stdout.strip().splitlines()[-1]


def corpus_sample(workspace: Path) -> dict[str, Any]:
    """Document ids of the case, and search words in three tiers by document frequency."""
    from sqlalchemy import select

    from watchboard import jobs
    from watchboard.store.schema import cases, claims, documents

    _settings, store = jobs.open_workspace(workspace)
    with store, store.reading() as conn:
        case_id = conn.execute(select(cases.c.id).where(cases.c.slug == CASE_SLUG)).scalar_one()
        doc_ids = list(
            conn.execute(select(documents.c.id).where(documents.c.case_id == case_id)).scalars()
        )
        quotes = conn.execute(
            select(claims.c.quote).join(documents, documents.c.id == claims.c.document_id)
            .where(documents.c.case_id == case_id)
        ).scalars()  # fmt: skip
        df: Counter[str] = Counter()
        n = 0
        for quote in quotes:
            n += 1
            df.update(set(re.findall(r"[a-z]{4,}", quote.lower())))
    # Tiers by how far the page query must scan: a common word fills a page of 50 within the
    # first few thousand claims; a rare one (fewer claims than a page) makes it read them all.
    stop = set(FUNCTION_WORDS)
    words = [(w, c) for w, c in df.items() if w not in stop]
    common_min = max(PAGE, round(n * 0.005))
    tiers = {
        "common": sorted(w for w, c in words if c >= common_min),
        "medium": sorted(w for w, c in words if PAGE <= c < common_min),
        "rare": sorted(w for w, c in words if c < PAGE),
    }
    return {
        "claims": n,
        "documents": sorted(doc_ids),
        "words": tiers,
        "tier_rules": {
            "common": f">= {common_min} claims",
            "medium": f"{PAGE}-{common_min - 1} claims" if common_min > PAGE else "none",
            "rare": f"< {PAGE} claims",
        },
    }


def listener_pid(url: str) -> int | None:
    """The process listening on a local database URL's port (its server), if it can be seen."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.host not in ("127.0.0.1", "localhost") or not parsed.port:
        return None
    inodes = set()
    with contextlib.suppress(OSError):
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            parts = line.split()
            if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == parsed.port:
                inodes.add(f"socket:[{parts[9]}]")  # 0A: LISTEN
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in os.scandir(f"/proc/{entry.name}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(fd.path) in inodes:
                        return int(entry.name)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``watchboard serve`` in its own process group, stopped by its process id."""

    def __init__(self, workspace: Path, workers: int, log_path: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        cmd = [str(WATCHBOARD), "-w", str(workspace), "serve", "--host", "127.0.0.1"]
        cmd += ["--port", str(self.port), "--workers", str(workers), "--insecure-cookies"]
        self.command = cmd
        self._log = log_path.open("w")
        self.proc = subprocess.Popen(
            cmd, stdout=self._log, stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True
        )

    def wait_ready(self, timeout: float = 120.0) -> float:
        import httpx

        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited ({self.proc.returncode}); see {self.log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/login", timeout=2).status_code == 200:
                    return time.perf_counter() - start
            time.sleep(0.2)
        raise SystemExit(f"the server did not answer in {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            # Its own session: the group id is its pid, and holds uvicorn's worker processes.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()


def tree_ticks(root: int) -> dict[int, int]:
    """CPU clock ticks of each process in a process tree, those its ended children used
    included.

    Each live process counts its own user + system time and that of the children it has
    reaped (``cutime``, ``cstime``): PostgreSQL forks a backend per connection, and a
    connection pool that closes its overflow connections ends backends all the time.
    """
    parent: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = Path(entry.path, "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            pid = int(entry.name)
            parent[pid] = int(fields[1])
            ticks[pid] = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    children: dict[int, list[int]] = defaultdict(list)
    for pid, ppid in parent.items():
        children[ppid].append(pid)
    found, stack = {}, [root]
    while stack:
        pid = stack.pop()
        found[pid] = ticks.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return found


# -- the client ------------------------------------------------------------------------------


async def login(base: str) -> str:
    """Sign in through the real form: GET /login (cookie + token), POST it back."""
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        form = await client.get("/login")
        token = re.search(r'name="login_token" value="([^"]+)"', form.text)
        if token is None:
            raise SystemExit("no login_token in the /login form")
        done = await client.post(
            "/login",
            data={"username": USERNAME, "password": PASSWORD, "login_token": token.group(1)},
        )
        session = done.cookies.get("wb_session") or client.cookies.get("wb_session")
        if done.status_code != 303 or not session:
            raise SystemExit(f"signing in failed: {done.status_code} {done.text[:300]}")
        return session


class _Stale(Exception):
    """The server had closed the kept-alive connection before this request."""


class Connection:
    """One keep-alive HTTP/1.1 connection: GET only, Content-Length or chunked bodies.

    A load generator this small leaves the CPU to the server: on this machine httpx's
    AsyncClient spent 6-9 ms of CPU per request (20-75 % of a core), this a fraction of that.
    """

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        lines = [f"Host: {host}:{port}", *(f"{k}: {v}" for k, v in headers.items())]
        self.head = "\r\n".join(lines) + "\r\n\r\n"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str) -> tuple[int, bytes]:
        """Send one GET; on a kept-alive connection the server closed meanwhile (uvicorn
        closes idle ones after 5 s), connect again and resend, as browsers do."""
        if self.writer is not None:
            try:
                return await self._get(target)
            except (ConnectionResetError, BrokenPipeError, _Stale):
                await self.close()
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return await self._get(target)

    async def _get(self, target: str) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        reader = self.reader
        self.writer.write(f"GET {target} HTTP/1.1\r\n{self.head}".encode())
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        except asyncio.IncompleteReadError as error:
            if not error.partial:  # closed before answering: the connection was stale
                raise _Stale from error
            raise
        status = int(head[0].split(" ", 2)[1])
        length, chunked, close = None, False, False
        for line in head[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                chunked = "chunked" in value
            elif name == "connection":
                close = "close" in value
        if chunked:
            parts = []
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                parts.append(await reader.readexactly(size + 2))
            await reader.readuntil(b"\r\n")  # the empty trailer
            body = b"".join(p[:-2] for p in parts)
        elif length is not None:
            body = await reader.readexactly(length)
        else:
            body, close = await reader.read(), True
        if close:
            await self.close()
        return status, body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


@dataclass
class Run:
    """What one scenario measured (requests started inside the measured window only)."""

    warmup_until: float
    until: float
    max_requests: int
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    measured: int = 0
    last_done: float = 0.0

    def open(self) -> bool:
        return time.perf_counter() < self.until and self.measured < self.max_requests


#: ``get(kind, path, params)`` sends one request and returns the body (None on an error).
Get = Callable[..., Awaitable[bytes | None]]
ERRORS = (TimeoutError, OSError, EOFError, ValueError, asyncio.LimitOverrunError)
Task = Callable[[random.Random, Get], Awaitable[None]]
NEXT_CURSOR = re.compile(rb'"next_cursor":(?:null|"([^"]+)")')


def next_cursor(body: bytes) -> str | None:
    """The page's ``next_cursor``: found near the end of the body, or by parsing it all."""
    found = NEXT_CURSOR.search(body, max(0, len(body) - 400))
    if found is not None:
        return found.group(1).decode() if found.group(1) else None
    cursor = json.loads(body).get("next_cursor")
    return str(cursor) if cursor else None


def list_task(slug: str) -> Task:
    url = f"/api/v1/cases/{slug}/claims"
    modalities = sorted(MODALITIES)

    async def task(rng: random.Random, get: Get) -> None:
        roll = rng.random()  # < 0.3 a plain page, < 0.6 a filtered one, else a cursor walk
        walk = roll >= 0.6
        params: dict[str, Any] = {"limit": PAGE}
        kind = "plain"
        if 0.3 <= roll < 0.6 or (walk and rng.random() < 0.5):
            kind = "filtered"
            pick = rng.random()
            if pick < 0.4:
                params["max_credibility"] = rng.randint(1, 4)
            elif pick < 0.8:
                params["modality"] = rng.choice(modalities)
            else:
                params["max_credibility"] = rng.randint(1, 4)
                params["modality"] = rng.choice(modalities)
        body = await get(kind, url, params)
        if not walk:
            return
        for _ in range(rng.randint(2, 5)):  # a cursor walk
            cursor = next_cursor(body) if body is not None else None
            if not cursor:
                return
            body = await get("cursor", url, {**params, "cursor": cursor})

    return task


def search_task(slug: str, words: dict[str, list[str]]) -> Task:
    url = f"/api/v1/cases/{slug}/claims"
    tiers = [(t, w) for t, w in (("common", 0.4), ("medium", 0.3), ("rare", 0.3)) if words[t]]

    async def task(rng: random.Random, get: Get) -> None:
        tier = rng.choices([t for t, _ in tiers], weights=[w for _, w in tiers])[0]
        await get(tier, url, {"limit": PAGE, "q": rng.choice(words[tier])})

    return task


def document_task(slug: str, doc_ids: list[str], *, page: bool) -> Task:
    async def task(rng: random.Random, get: Get) -> None:
        doc = rng.choice(doc_ids)
        if page:
            await get("html", f"/cases/{slug}/documents/{doc}")
        else:
            await get("json", f"/api/v1/documents/{doc}")

    return task


async def run_scenario(
    base: str,
    headers: dict[str, str],
    task: Task,
    *,
    concurrency: int,
    warmup: float,
    duration: float,
    max_requests: int,
    seed: int,
    think: float,
    watch: dict[str, int],
) -> dict[str, Any]:
    """Run ``task`` in ``concurrency`` loops, one connection each; measure the window after
    the warm-up.

    ``think`` > 0: each client pauses a random time (exponential, this mean) between tasks,
    as people do; 0 is a closed loop at full speed.
    """
    host, port = base.removeprefix("http://").rsplit(":", 1)
    start = time.perf_counter()
    run = Run(start + warmup, start + warmup + duration, max_requests)

    async def loop(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        connection = Connection(host, int(port), headers)

        async def get(kind: str, path: str, params: dict[str, Any] | None = None) -> Any:
            if not run.open():
                return None
            target = f"{path}?{urlencode(params)}" if params else path
            t0 = time.perf_counter()
            counted = t0 >= run.warmup_until
            if counted:
                run.measured += 1
            try:
                status, body = await asyncio.wait_for(connection.get(target), 60)
            except ERRORS as error:  # EOFError: asyncio.IncompleteReadError
                await connection.close()
                status, body = 0, b""
                if counted:
                    run.errors[type(error).__name__] += 1
            t1 = time.perf_counter()
            if counted:
                run.latencies[kind].append(t1 - t0)
                run.statuses[status] += 1
                run.last_done = max(run.last_done, t1)
                if status and not 200 <= status < 300:
                    run.errors[f"HTTP {status}"] += 1
            return body if 200 <= status < 300 else None

        try:
            while run.open():
                await task(rng, get)
                if think > 0:
                    await asyncio.sleep(rng.expovariate(1 / think))
        finally:
            await connection.close()

    async def sample_at_window_start() -> dict[str, Any]:
        await asyncio.sleep(max(0.0, run.warmup_until - time.perf_counter()))
        return snapshot(watch)

    sampler = asyncio.create_task(sample_at_window_start())
    await asyncio.gather(*(loop(n) for n in range(concurrency)))
    first = await sampler
    last = snapshot(watch)
    return summarize(run, first, last)


def snapshot(watch: dict[str, int]) -> dict[str, Any]:
    return {
        "t": time.perf_counter(),
        "client_cpu": time.process_time(),
        "machine": busy_ticks(),
        **{name: tree_ticks(pid) for name, pid in watch.items()},
    }


def _per_process(first: dict[int, int], last: dict[int, int], span: float) -> dict[int, float]:
    return {
        pid: 100 * (last[pid] - first.get(pid, 0)) / CLK_TCK / span
        for pid in last
        if last[pid] - first.get(pid, 0) > 0
    }


def busy_ticks() -> int:
    """CPU clock ticks the whole machine spent busy (all cores; /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields[:8]) - fields[3] - fields[4]  # minus idle and iowait


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    ms = sorted(v * 1000 for v in values)
    if len(ms) == 1:
        return {"p50": ms[0], "p95": ms[0], "p99": ms[0], "max": ms[0]}
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "max": ms[-1]}


def summarize(run: Run, first: dict[str, Any], last: dict[str, Any]) -> dict[str, Any]:
    every = [v for values in run.latencies.values() for v in values]
    window = max(1e-9, max(run.last_done, first["t"]) - run.warmup_until)
    span = max(1e-9, last["t"] - first["t"])
    cpu = {"machine": 100 * (last["machine"] - first["machine"]) / CLK_TCK / span}
    by_process = {}
    for name in first:
        if name not in ("t", "client_cpu", "machine"):
            by_process[name] = _per_process(first[name], last[name], span)
            cpu[name] = sum(by_process[name].values())
    # With several uvicorn workers: each one's share (keep-alive connections stay with the
    # process that accepted them, so the load need not be even).
    workers = sorted((v for pid, v in by_process.get("server", {}).items() if v >= 1), reverse=True)
    client = 100 * (last["client_cpu"] - first["client_cpu"]) / span
    return {
        "requests": len(every),
        "errors": sum(run.errors.values()),
        "error_kinds": dict(run.errors),
        "statuses": {str(k): v for k, v in sorted(run.statuses.items())},
        "seconds": round(window, 2),
        "stopped_by": "count" if run.measured >= run.max_requests else "time",
        "rps": round(len(every) / window, 1),
        **{k: _round(v) for k, v in percentiles(every).items()},
        "server_cpu_pct": _round(cpu.get("server")),
        "database_cpu_pct": _round(cpu.get("database")),
        "server_cpu_pct_by_process": [round(v) for v in workers],
        "client_cpu_pct": round(client, 1),
        # Everything else the machine did meanwhile (other programs; with --database, the
        # PostgreSQL server too): what competed with the server besides the client.
        "other_cpu_pct": round(
            max(0.0, cpu["machine"] - client - sum(v for k, v in cpu.items() if k != "machine")),
            1,
        ),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "kinds": {
            kind: {
                "requests": len(values),
                **{k: _round(v) for k, v in percentiles(values).items()},
            }
            for kind, values in sorted(run.latencies.items())
        },
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# -- profiling -------------------------------------------------------------------------------


def profile_backend(workspace: Path, token: str, sample: dict[str, Any], top: int) -> dict:
    """cProfile list and search requests in-process, and print the page query's plans.

    The app runs in this thread (httpx's ASGI transport, with the thread pool that runs sync
    endpoints replaced by a direct call), so cProfile sees the endpoint's work; a
    ``TestClient`` would run it in other threads, out of the profiler's sight.
    """
    import cProfile
    import pstats

    import anyio.to_thread
    import httpx

    from watchboard import jobs
    from watchboard.web import create_app

    settings, store = jobs.open_workspace(workspace)
    app = create_app(settings, store=store, secure_cookies=False)
    rng = random.Random(7)
    url = f"/api/v1/cases/{CASE_SLUG}/claims"
    words = sample["words"]
    docs = rng.sample(sample["documents"], 5)
    requests: dict[str, list[tuple[str, dict[str, Any]]]] = {
        "plain": [(url, {"limit": PAGE})] * 5,
        "filtered": [
            (url, {"limit": PAGE, "max_credibility": 1, "modality": m}) for m in MODALITIES
        ],
        **{
            f"search {tier}": [(url, {"limit": PAGE, "q": w}) for w in rng.sample(words[tier], 5)]
            for tier in ("common", "rare")
            if len(words[tier]) >= 5
        },
        "doc-page": [(f"/cases/{CASE_SLUG}/documents/{d}", {}) for d in docs],
        "doc-api": [(f"/api/v1/documents/{d}", {}) for d in docs],
    }

    async def inline(func: Callable[..., Any], *args: Any, **_: Any) -> Any:
        return func(*args)

    async def measure() -> dict[str, Any]:
        out: dict[str, Any] = {}
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers=headers
        ) as client:
            for name, calls in requests.items():
                for path, params in calls[:2]:  # warm the caches
                    (await client.get(path, params=params)).raise_for_status()
                times = []
                profiler = cProfile.Profile()
                for path, params in calls:
                    t = time.perf_counter()
                    profiler.enable()
                    (await client.get(path, params=params)).raise_for_status()
                    profiler.disable()
                    times.append((time.perf_counter() - t) * 1000)
                print(f"\n   [{name}] {len(calls)} requests (under cProfile), ms each: "
                      + ", ".join(f"{t:.0f}" for t in times))  # fmt: skip
                lines = profile_lines(pstats.Stats(profiler), top)
                print("\n".join("     " + line for line in lines))
                out[name] = {"ms": [round(t, 1) for t in times], "profile": lines}
        return out

    real_run_sync = anyio.to_thread.run_sync
    anyio.to_thread.run_sync = inline  # type: ignore[assignment]
    try:
        out = asyncio.run(measure())
    finally:
        anyio.to_thread.run_sync = real_run_sync
    out["plans"] = explain_page(store, sample)
    store.close()
    return out


def profile_lines(stats: Any, top: int) -> list[str]:
    """The watchboard functions by cumulative time, then the top functions by own time."""
    rows = []
    for (filename, line, func), (_cc, calls, own, cum, _) in stats.stats.items():
        where = filename.replace(str(REPO) + "/", "").split("site-packages/")[-1]
        rows.append((cum, own, calls, f"{where}:{line}({func})", "/watchboard/" in filename))
    out = [f"{'cum ms':>8} {'own ms':>8} {'calls':>7}  src/watchboard by cumulative time"]
    for cum, own, calls, name, ours in sorted(rows, reverse=True):
        if ours and len(out) <= top // 2:
            out.append(f"{cum * 1000:>8.1f} {own * 1000:>8.1f} {calls:>7}  {name}")
    out.append(f"{'cum ms':>8} {'own ms':>8} {'calls':>7}  anything, by own time")
    for cum, own, calls, name, _ in sorted(rows, key=lambda r: -r[1])[: top // 2]:
        out.append(f"{cum * 1000:>8.1f} {own * 1000:>8.1f} {calls:>7}  {name}")
    return out


def explain_page(store: Any, sample: dict[str, Any]) -> dict[str, str]:
    """The query plans of ``claims.page()`` for a plain page, a filtered page, a rare word."""
    from sqlalchemy import select, text

    from watchboard.store import claims as claim_q
    from watchboard.store.schema import cases

    captured: list[Any] = []
    plans: dict[str, str] = {}
    with store.reading() as conn:
        case_id = conn.execute(select(cases.c.id).where(cases.c.slug == CASE_SLUG)).scalar_one()
        sqlite = conn.dialect.name == "sqlite"
        variants = {
            "plain": {},
            "filtered": {"max_credibility": 1, "modality": "denied"},
            "search rare": {"text": (sample["words"]["rare"] or ["zzzzz"])[0]},
        }
        real_execute = conn.execute
        for name, kw in variants.items():
            captured.clear()

            def capture(statement: Any, *a: Any, **k: Any) -> Any:
                captured.append(statement)
                return real_execute(statement, *a, **k)

            conn.execute = capture  # type: ignore[method-assign]
            try:
                t = time.perf_counter()
                claim_q.page(conn, case_id=case_id, limit=PAGE, **kw)
                ms = (time.perf_counter() - t) * 1000
            finally:
                conn.execute = real_execute  # type: ignore[method-assign]
            compiled = captured[0].compile(
                dialect=conn.dialect, compile_kwargs={"literal_binds": True}
            )
            prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
            rows = conn.execute(text(prefix + str(compiled))).all()
            if sqlite:
                plan = "\n".join(f"{'  ' * _depth(rows, r)}{r[-1]}" for r in rows)
            else:
                plan = "\n".join(r[0] for r in rows)
            plans[name] = f"-- page({kw}) took {ms:.1f} ms\n{plan}"
            print(f"\n   plan [{name}] page({kw}): {ms:.1f} ms")
            for line in plan.splitlines():
                print("     " + line)
    return plans


def _depth(rows: list[Any], row: Any) -> int:
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent in parents:
        depth, parent = depth + 1, parents[parent]
    return depth


# -- output ----------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gib = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    commit, dirty = git_state(REPO)
    packages = {}
    for name in ("fastapi", "uvicorn", "starlette", "sqlalchemy", "psycopg", "httpx"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            packages[name] = version(name)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "sqlite": __import__("sqlite3").sqlite_version,
        "packages": packages,
        "git_commit": commit,
        "src_has_uncommitted_changes": dirty,
    }


def command_line(args: argparse.Namespace) -> str:
    python = sys.executable
    with contextlib.suppress(ValueError):
        python = str(Path(python).relative_to(REPO))
    cmd = [python, "benchmarks/bench_web_load.py", "--claims", label(args.n_claims)]
    cmd += ["--backends", ",".join(args.backend_list), "--workers", args.workers]
    cmd += ["--scenarios", ",".join(args.scenario_list), "--concurrency", str(args.concurrency)]
    cmd += ["--warmup", f"{args.warmup:g}", "--duration", f"{args.duration:g}"]
    cmd += ["--max-requests", str(args.max_requests), "--seed", str(args.seed)]
    if args.think:
        cmd += ["--think", f"{args.think:g}"]
    if args.keep:
        cmd += ["--keep", str(args.keep)]
    if args.database:
        from synthetic_workspace import _redact

        cmd += ["--database", _redact(args.database)]
    if args.profile:
        cmd.append("--profile")
    return shlex.join(cmd)


def fmt(value: Any, spec: str = ".0f") -> str:
    return "-" if value is None else format(value, spec)


def print_tables(rows: list[dict[str, Any]]) -> None:
    print("\n== results (latency in ms, measured by the client; CPU % of one core) ==")
    head = (
        f"{'backend':<9}{'wk':>3} {'scenario':<9}{'requests':>9}{'errors':>7}{'req/s':>8}"
        f"{'p50':>7}{'p95':>7}{'p99':>7}{'max':>7}{'server%':>8}{'db%':>6}{'client%':>8}"
        f"{'other%':>7}"
        f"  {'load':>5}  target"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        target = ""
        if r["scenario"] in TARGETED and r["p95"] is not None:
            target = "ok" if r["p95"] < TARGET_P95_MS else f"MISSED (p95 >= {TARGET_P95_MS:.0f})"
        print(
            f"{r['backend']:<9}{r['workers']:>3} {r['scenario']:<9}{r['requests']:>9,}"
            f"{r['errors']:>7,}{r['rps']:>8.1f}{fmt(r['p50']):>7}{fmt(r['p95']):>7}"
            f"{fmt(r['p99']):>7}{fmt(r['max']):>7}{fmt(r['server_cpu_pct']):>8}"
            f"{fmt(r['database_cpu_pct']):>6}{fmt(r['client_cpu_pct']):>8}"
            f"{fmt(r['other_cpu_pct']):>7}"
            f"  {r['load_average'][0]:>5.2f}  {target}"
        )
    print("\nby request kind:")
    print(f"{'backend':<9}{'wk':>3} {'scenario':<9}{'kind':<10}{'requests':>9}"
          f"{'p50':>7}{'p95':>7}{'p99':>7}{'max':>7}")  # fmt: skip
    for r in rows:
        for kind, k in r["kinds"].items():
            print(
                f"{r['backend']:<9}{r['workers']:>3} {r['scenario']:<9}{kind:<10}"
                f"{k['requests']:>9,}{fmt(k['p50']):>7}{fmt(k['p95']):>7}{fmt(k['p99']):>7}"
                f"{fmt(k['max']):>7}"
            )


# -- main ------------------------------------------------------------------------------------


def run_backend(
    backend: str, base_dir: Path, args: argparse.Namespace, results: dict[str, Any]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with contextlib.ExitStack() as stack:
        database, pg = None, None
        if backend == "postgres":
            database = args.database
            if database is None:
                print("   starting a throw-away PostgreSQL server (tests/pgserver.py) ...")
                pg = start_postgres()
                stack.callback(pg.stop)
                database = pg.create_database("wb_web_load")
        workspace = base_dir / f"{backend}-{label(args.n_claims)}"
        print(f"   workspace {workspace} ...", flush=True)
        manifest = build_workspace(workspace, args.n_claims, args.seed, database)
        counts = manifest["counts"]
        print(
            f"   {'reused' if manifest['_reused'] else 'built'} in {manifest['_wall_s']:.0f} s:"
            f" {counts['claims']:,} claims, {counts['documents']:,} documents,"
            f" database {manifest['database']}"
        )
        token = prepare_account(workspace)
        sample = corpus_sample(workspace)
        print(
            "   search words: "
            + ", ".join(
                f"{len(sample['words'][t]):,} {t} ({sample['tier_rules'][t]})"
                for t in ("common", "medium", "rare")
            )
        )
        entry: dict[str, Any] = {
            "backend": backend,
            "workspace": {k: v for k, v in manifest.items() if not k.startswith("_")},
            "search_tiers": {t: len(w) for t, w in sample["words"].items()},
            "tier_rules": sample["tier_rules"],
            "runs": [],
        }
        results["backends"].append(entry)
        tasks = {
            "list": list_task(CASE_SLUG),
            "search": search_task(CASE_SLUG, sample["words"]),
            "doc-page": document_task(CASE_SLUG, sample["documents"], page=True),
            "doc-api": document_task(CASE_SLUG, sample["documents"], page=False),
        }
        for workers in args.worker_list:
            log_path = base_dir / f"server-{backend}-{workers}.log"
            server = Server(workspace, workers, log_path)
            try:
                ready = server.wait_ready()
                print(f"\n   server: {shlex.join(server.command)}")
                print(f"   ready after {ready:.1f} s (pid {server.proc.pid}); log {log_path}")
                session = asyncio.run(login(server.base))
                db_pid = pg.pid if pg else listener_pid(database) if database else None
                watch = {"server": server.proc.pid, **({"database": db_pid} if db_pid else {})}
                for scenario in args.scenario_list:
                    headers = (
                        {"Cookie": f"wb_session={session}", "Accept": "text/html"}
                        if scenario == "doc-page"
                        else {"Authorization": f"Bearer {token}"}
                    )
                    summary = asyncio.run(
                        run_scenario(
                            server.base,
                            headers,
                            tasks[scenario],
                            concurrency=args.concurrency,
                            warmup=args.warmup,
                            duration=args.duration,
                            max_requests=args.max_requests,
                            seed=args.seed,
                            think=args.think,
                            watch=watch,
                        )
                    )
                    row = {"backend": backend, "workers": workers, "scenario": scenario, **summary}
                    rows.append(row)
                    entry["runs"].append(row)
                    print(
                        f"   {scenario:<9} {row['requests']:>7,} requests, {row['errors']} errors,"
                        f" {row['rps']:.1f}/s, p50 {fmt(row['p50'])} p95 {fmt(row['p95'])}"
                        f" p99 {fmt(row['p99'])} max {fmt(row['max'])} ms;"
                        f" CPU server {fmt(row['server_cpu_pct'])} %"
                        + (
                            " (by process: "
                            + " + ".join(map(str, row["server_cpu_pct_by_process"]))
                            + ")"
                            if workers > 1
                            else ""
                        )
                        + (f", db {fmt(row['database_cpu_pct'])} %" if db_pid else "")
                        + f", client {fmt(row['client_cpu_pct'])} %"
                        + f", other {fmt(row['other_cpu_pct'])} %",
                        flush=True,
                    )
                    if row["error_kinds"]:
                        print(f"             errors: {row['error_kinds']}")
                    args.write()
            finally:
                server.stop()
        if args.profile:
            print(f"\n   -- profile ({backend}): in-process, one request at a time")
            entry["profile"] = profile_backend(workspace, token, sample, args.profile_top)
            args.write()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description="Bounded web load test at N claims.")
    parser.add_argument("--claims", default="100k", help="claims in the case (default 100k)")
    parser.add_argument(
        "--quick", action="store_true", help="10k claims, 2 s warm-up, 10 s per scenario"
    )
    parser.add_argument("--backends", default=",".join(BACKENDS), help="sqlite,postgres")
    parser.add_argument("--workers", default="1", help="uvicorn worker counts to try, e.g. 1,2")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=",".join(SCENARIOS))
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds not counted (3)")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds (20)")
    parser.add_argument(
        "--max-requests", type=int, default=50_000, help="measured requests at most (50000)"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean pause of each client between tasks, s (default 0: a closed loop)",
    )
    parser.add_argument("--seed", type=int, default=1, help="workspace and client seed (1)")
    parser.add_argument("--keep", type=Path, help="build (and reuse) workspaces in DIR")
    parser.add_argument("--database", help="PostgreSQL URL of an empty database you run")
    parser.add_argument(
        "--profile", action="store_true", help="then cProfile list/search and EXPLAIN the query"
    )
    parser.add_argument("--profile-top", type=int, default=30, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="results file (bench-results/web-load-<ts>.json)")
    args = parser.parse_args()
    if args.quick:
        args.claims, args.warmup, args.duration = "10k", 2.0, 10.0
    args.n_claims = parse_count(args.claims)
    args.backend_list = [b for b in args.backends.split(",") if b]
    args.scenario_list = [s for s in args.scenarios.split(",") if s]
    args.worker_list = [int(w) for w in args.workers.split(",") if w]
    for name, given, known in (
        ("backends", args.backend_list, BACKENDS),
        ("scenarios", args.scenario_list, SCENARIOS),
    ):
        if set(given) - set(known):
            parser.error(f"unknown {name} {sorted(set(given) - set(known))}")
    if not WATCHBOARD.exists():
        parser.error(f"{WATCHBOARD} not found: run with the project's virtualenv python")

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    json_path = args.json or RESULTS_DIR / f"web-load-{stamp}.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    machine = machine_info()
    results: dict[str, Any] = {
        "benchmark": "web-load",
        "started": stamp,
        "command": command_line(args),
        "machine": machine,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "settings": {
            "claims": args.n_claims,
            "concurrency": args.concurrency,
            "warmup_s": args.warmup,
            "duration_s": args.duration,
            "max_requests": args.max_requests,
            "think_s": args.think,
            "workers": args.worker_list,
            "scenarios": args.scenario_list,
            "target_p95_ms": TARGET_P95_MS,
        },
        "backends": [],
    }

    def write() -> None:
        json_path.write_text(json.dumps(results, indent=2, default=str) + "\n")

    args.write = write
    pace = f"pausing {args.think:g} s on average between tasks" if args.think else "closed loop"
    print(
        f"== web load: {args.concurrency} concurrent clients ({pace}), {args.warmup:g} s"
        f" warm-up + {args.duration:g} s (or {args.max_requests:,} requests) per scenario =="
    )
    print(
        f"machine:  {machine['cpu']}; {machine['cores']} cores, {machine['memory_gib']} GiB;"
        f" {machine['python']}; SQLite {machine['sqlite']};"
        f" {', '.join(f'{k} {v}' for k, v in machine['packages'].items())}"
    )
    print(
        f"code:     {machine['git_commit']}"
        + (" (+ uncommitted changes in src/)" if machine["src_has_uncommitted_changes"] else "")
    )
    print(f"load avg: {' '.join(f'{x:.2f}' for x in os.getloadavg())} at start")
    print(f"re-run:   {command_line(args)}")
    print(
        f"note:     client and server share these {machine['cores']} cores; the client is one"
        " asyncio process (at most one core) and its CPU is printed beside the server's"
    )
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-web-load-") as tmp:
        base_dir = args.keep or Path(tmp)
        base_dir.mkdir(parents=True, exist_ok=True)
        for backend in args.backend_list:
            print(f"\n-- {backend}, {label(args.n_claims)} claims", flush=True)
            rows += run_backend(backend, base_dir, args, results)
            write()
    print_tables(rows)
    worst = max((r["client_cpu_pct"] for r in rows), default=0)
    print(
        f"\nclient CPU peaked at {worst:.0f} % of one core: that much of the machine was not"
        " available to the server (and PostgreSQL) during the run."
    )
    print(f"\nresults: {json_path}")
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
