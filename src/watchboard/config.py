"""Settings, read once (from the workspace file and the command line) and passed explicitly."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from watchboard import __version__
from watchboard.errors import WorkspaceError

WORKSPACE_FILE = "watchboard.toml"
SQLITE_FILE = "watchboard.db"
USER_AGENT = (
    f"Watchboard/{__version__} (open-source-intelligence research tool; "
    "+https://github.com/watchboard-osint/watchboard)"
)


@dataclass(frozen=True)
class FetchSettings:
    """How URLs are fetched: politeness and limits."""

    timeout: float = 20.0
    max_redirects: int = 5
    politeness_delay: float = 1.0
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class ClusterSettings:
    """Near-duplicate clustering (MinHash over word shingles, banded LSH).

    The defaults were chosen with ``benchmarks/bench_clustering.py`` on the KCNA corpus:
    5-word shingles at an estimated Jaccard of 0.4 group 100 % of syndicated copies and 85-99 %
    of light rewrites while meeting 0.04 wrong merges per new document (formulaic state-media
    stories that differ in one name); 3-word shingles at 0.5 did worse on both. See
    docs/clustering.md.
    """

    enabled: bool = True
    threshold: float = 0.4
    shingle_words: int = 5
    num_perm: int = 128


@dataclass(frozen=True)
class AssessmentSettings:
    """Where an analyst's own rule files are (None: the packaged ones)."""

    rules: Path | None = None  # a copy of watchboard/assess/data/assessment.yaml
    alert_rules: Path | None = None  # a copy of watchboard/assess/data/alerts.yaml


@dataclass(frozen=True)
class Settings:
    """Everything a job needs to know about where and how to work."""

    workspace: Path
    database_url: str
    max_bytes: int = 50 * 1024 * 1024
    batch_size: int = 500
    fetch: FetchSettings = field(default_factory=FetchSettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    assessment: AssessmentSettings = field(default_factory=AssessmentSettings)
    # The [alerts] table as written (channels: atom, webhook, email); parsed by
    # watchboard.delivery.channels_from_config when alerts are delivered.
    alerts: dict[str, object] = field(default_factory=dict)

    def with_overrides(self, **changes: object) -> Settings:
        """Return a copy with the given top-level fields changed (e.g. from CLI options)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def cache_dir() -> Path | None:
    """Where derived, rebuildable data (the gazetteer index) is kept between runs.

    ``$WATCHBOARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/watchboard``, else
    ``~/.cache/watchboard``; ``WATCHBOARD_CACHE_DIR=off`` turns caching off.
    """
    explicit = os.environ.get("WATCHBOARD_CACHE_DIR")
    if explicit:
        return None if explicit.lower() in ("off", "none", "0") else Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "watchboard"


def sqlite_url(workspace: Path) -> str:
    """The database URL of a workspace's embedded SQLite file."""
    return f"sqlite:///{(workspace / SQLITE_FILE).resolve()}"


def load_settings(workspace: Path) -> Settings:
    """Read ``watchboard.toml`` from a workspace directory."""
    path = workspace / WORKSPACE_FILE
    if not path.is_file():
        raise WorkspaceError(
            f"{workspace}: not a Watchboard workspace (no {WORKSPACE_FILE}); "
            f"create one with 'watchboard init {workspace}'"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise WorkspaceError(f"{path}: not valid TOML ({exc})") from exc
    database_url = data.get("database") or sqlite_url(workspace)
    ingest = data.get("ingest", {})
    cluster = data.get("clustering", {})
    fetch = data.get("fetch", {})
    assessment = data.get("assessment", {})

    def path_setting(value: object) -> Path | None:
        return None if value is None else (workspace / str(value))

    try:
        return Settings(
            workspace=workspace,
            database_url=str(database_url),
            max_bytes=int(ingest.get("max_bytes", 50 * 1024 * 1024)),
            batch_size=int(ingest.get("batch_size", 500)),
            fetch=FetchSettings(
                timeout=float(fetch.get("timeout", 20.0)),
                max_redirects=int(fetch.get("max_redirects", 5)),
                politeness_delay=float(fetch.get("politeness_delay", 1.0)),
                user_agent=str(fetch.get("user_agent", USER_AGENT)),
            ),
            cluster=ClusterSettings(
                enabled=bool(cluster.get("enabled", True)),
                threshold=float(cluster.get("threshold", 0.4)),
                shingle_words=int(cluster.get("shingle_words", 5)),
                num_perm=int(cluster.get("num_perm", 128)),
            ),
            assessment=AssessmentSettings(
                rules=path_setting(assessment.get("rules")),
                alert_rules=path_setting(assessment.get("alert_rules")),
            ),
            alerts=dict(data.get("alerts", {})),
        )
    except (TypeError, ValueError) as exc:
        raise WorkspaceError(f"{path}: a setting has the wrong type ({exc})") from exc


def write_workspace_file(workspace: Path, database_url: str | None) -> Path:
    """Create ``watchboard.toml``; a ``None`` database means the embedded SQLite file."""
    path = workspace / WORKSPACE_FILE
    lines = ["# Watchboard workspace settings", ""]
    if database_url:
        lines.append(f'database = "{database_url}"')
    else:
        lines.append(f'# database = "postgresql://user@host/db"  (default: ./{SQLITE_FILE})')
    lines += [
        "",
        "[ingest]",
        "max_bytes = 52428800  # 50 MB per file or download",
        "batch_size = 500      # documents per transaction",
        "",
        "[fetch]",
        "timeout = 20.0",
        "max_redirects = 5",
        "politeness_delay = 1.0  # seconds between requests to one host",
        "",
        "[clustering]",
        "enabled = true",
        "threshold = 0.4   # estimated Jaccard of 5-word shingles; see docs/clustering.md",
        "shingle_words = 5",
        "num_perm = 128",
        "",
        "[assessment]",
        '# rules = "assessment.yaml"        # your copy of the grading and matching rules',
        '# alert_rules = "alerts.yaml"      # your copy of the alert rules',
        "",
        "# Alert delivery (see docs/assessment.md). Alerts are always listed by",
        "# 'watchboard alerts'; these channels are optional.",
        "[alerts]",
        '# atom = "alerts.xml"               # an Atom feed file, rewritten on each delivery',
        "# [[alerts.webhook]]",
        '# name = "team"',
        '# url = "https://example.org/hooks/watchboard"',
        '# secret_env = "WATCHBOARD_WEBHOOK_SECRET"   # HMAC-SHA256 signing key',
        "# [[alerts.email]]",
        '# name = "desk"',
        '# host = "localhost"',
        "# port = 25",
        '# from = "watchboard@example.org"',
        '# to = ["desk@example.org"]',
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
