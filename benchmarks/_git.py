"""What code a benchmark measured: the commit and whether src/ had uncommitted changes."""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path


def git_state(repo: Path) -> tuple[str | None, bool | None]:
    """(short commit, src/ has uncommitted changes); None where git cannot tell."""

    def git(*args: str) -> str | None:
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            return subprocess.run(
                ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
            ).stdout.strip()
        return None

    commit = git("rev-parse", "--short", "HEAD")
    status = git("status", "--porcelain", "--", "src")
    return commit, (bool(status) if status is not None else None)
