#!/usr/bin/env python
"""Fetch the web workbench's third-party browser assets from the npm registry and copy the
files it serves into ``src/watchboard/web/static/vendor/`` (committed: the server never loads
anything from a CDN, and nothing is downloaded at run time).

    python scripts/vendor_web_assets.py          # re-create the vendored files
    python scripts/vendor_web_assets.py --check  # verify the committed files match the manifest

Pinned packages (licences shipped beside the files):

* swagger-ui-dist — the interactive API docs at /api/docs (Apache-2.0)
* htmx.org — small page interactions without a front-end build (0BSD)
* leaflet — the map page (BSD-2-Clause); the basemap is the package's own Natural Earth
  GeoJSON, so no tile server is involved.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "src" / "watchboard" / "web" / "static" / "vendor"

PACKAGES = {
    "swagger-ui-dist": (
        "5.32.0",
        {
            "swagger-ui-bundle.js": "swagger-ui/swagger-ui-bundle.js",
            "swagger-ui.css": "swagger-ui/swagger-ui.css",
            "favicon-32x32.png": "swagger-ui/favicon-32x32.png",
            "LICENSE": "swagger-ui/LICENSE",
        },
    ),
    "htmx.org": (
        "2.0.8",
        {"dist/htmx.min.js": "htmx/htmx.min.js", "LICENSE": "htmx/LICENSE"},
    ),
    "leaflet": (
        "1.9.4",
        {
            "dist/leaflet.js": "leaflet/leaflet.js",
            "dist/leaflet.css": "leaflet/leaflet.css",
            "dist/images/marker-icon.png": "leaflet/images/marker-icon.png",
            "dist/images/marker-icon-2x.png": "leaflet/images/marker-icon-2x.png",
            "dist/images/marker-shadow.png": "leaflet/images/marker-shadow.png",
            "dist/images/layers.png": "leaflet/images/layers.png",
            "LICENSE": "leaflet/LICENSE",
        },
    ),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch() -> dict[str, dict[str, str]]:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is needed to fetch the assets (Debian: apt-get install npm)")
    manifest: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (version, files) in PACKAGES.items():
            out = subprocess.run(
                [npm, "pack", f"{name}@{version}", "--silent"],
                cwd=tmp,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip().splitlines()[-1]
            with tarfile.open(Path(tmp) / out) as archive:
                for inner, target in files.items():
                    member = archive.extractfile(f"package/{inner}")
                    if member is None:
                        sys.exit(f"{name}@{version}: {inner} missing")
                    path = VENDOR / target
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(member.read())
                    manifest[target] = {"package": f"{name}@{version}", "sha256": sha256(path)}
    (VENDOR / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def check() -> int:
    manifest = json.loads((VENDOR / "manifest.json").read_text())
    bad = [t for t, m in manifest.items() if sha256(VENDOR / t) != m["sha256"]]
    for target in bad:
        print(f"changed: {target}")
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.check:
        return check()
    manifest = fetch()
    print(f"{len(manifest)} files in {VENDOR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
