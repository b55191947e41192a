#!/usr/bin/env python
"""Zonal statistics on a large raster: ``watchboard.imagery.zonal_stats`` against rasterstats.

Inputs (generated once, cached under ``--cache-dir``, default ``$TMPDIR/watchboard-bench-zonal``):

* a SIZE x SIZE float32 GeoTIFF (default 20,000 x 20,000 = 400 Mpx, 1.6 GB uncompressed) in
  UTM zone 52N (EPSG:32652) with 10 m pixels: a smooth reflectance-like field plus noise,
  rounded to 1e-4, a nodata (-9999) triangle in one corner like a swath edge; tiled
  (``--tile``, default 256) and DEFLATE-compressed without a predictor: GDAL's defaults for
  ``TILED=YES COMPRESS=DEFLATE``. (``--predictor 3``, the floating-point predictor, makes this
  noisy data 50 % larger and 40 % slower to decode, which narrows the gap between the tools:
  decoding is the same for both.) It is written one row of tiles at a time, so generating it
  needs ~100 MB whatever its size;
* N random site polygons (default 1,000): irregular star-shaped polygons of 8-16 vertices,
  200-2,000 m across, centres uniform over the raster (so some cross its edges), written as
  WGS84 GeoJSON for Watchboard and in EPSG:32652 for rasterstats (which does not reproject).

Each tool runs in a fresh subprocess (``--repeat`` times, alternating; the median run is
reported) that loads its inputs, then times one call: Watchboard ``zonal_stats(raster, sites)``
(reprojection from WGS84 included) and ``rasterstats.zonal_stats(features, raster, stats=...)``
for the same statistics (count, min, max, mean, sum, std, percentiles 10/50/90); a third child,
``decode``, only reads each polygon's bounding window with rasterio: the GDAL decoding both tools
must at least do, so the floor of any implementation. The raster file
is read once beforehand so both find it in the page cache. Reported: wall and CPU time, polygon
pixels per second (pixels inside the polygons and inside the raster), window pixels per second
(the polygons' bounding windows), decoded-tile pixels per second (the distinct tiles those
windows touch, which GDAL must decompress whatever the tool), the child's peak RSS (``VmHWM``:
``getrusage``'s ``ru_maxrss`` is also recorded, but in a child it starts at the parent's peak,
which Linux keeps across exec) and its growth during the call, and the ratio Watchboard /
rasterstats. The
results of both are compared site by site (counts equal; other figures within 1e-6 relative).

Usage::

    .venv/bin/python benchmarks/bench_zonal.py                   # 20k x 20k, 1,000 sites
    .venv/bin/python benchmarks/bench_zonal.py --size 4000 --repeat 1   # quick
    .venv/bin/python benchmarks/bench_zonal.py --no-baseline

Needs rasterstats in the virtualenv for the baseline (``.venv/bin/pip install rasterstats``;
it is not a Watchboard dependency). Writes bench-results/zonal.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import resource
import shlex
import subprocess
import sys
import tempfile
import time
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _git import git_state  # noqa: E402

REPO = HERE.parent
RESULTS = REPO / "bench-results" / "zonal.json"
CACHE = Path(tempfile.gettempdir()) / "watchboard-bench-zonal"
CRS = "EPSG:32652"
ORIGIN = (300_000.0, 4_600_000.0)  # upper-left corner, metres (about 41.5° N, 126.6° E)
NODATA = -9999.0
STATS = ["count", "min", "max", "mean", "sum", "std", "percentile_10", "percentile_50"]
STATS.append("percentile_90")
TARGET_RATIO = 3.0
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "GDAL_NUM_THREADS")


# -- inputs -------------------------------------------------------------------------------


def make_raster(path: Path, size: int, tile: int, pixel: float, seed: int, predictor: int) -> float:
    """Write the test raster one row of tiles at a time; returns the seconds it took."""
    import rasterio
    from rasterio.transform import from_origin

    began = time.perf_counter()
    profile = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": 1,
        "dtype": "float32",
        "crs": CRS,
        "transform": from_origin(*ORIGIN, pixel, pixel),
        "nodata": NODATA,
        "tiled": True,
        "blockxsize": tile,
        "blockysize": tile,
        "compress": "deflate",
        "predictor": predictor,
        "BIGTIFF": "IF_SAFER",
    }
    rng = np.random.default_rng(seed)
    partial = path.with_suffix(".partial.tif")
    cols = np.arange(size, dtype=np.float32)
    with rasterio.open(partial, "w", **profile) as dst:
        for top in range(0, size, tile):
            rows = np.arange(top, min(size, top + tile), dtype=np.float32)[:, None]
            field = 0.25 + 0.1 * np.sin(cols / 731.0) * np.cos(rows / 977.0)
            field += 0.05 * np.sin((cols + 2 * rows) / 89.0)
            field += rng.normal(0.0, 0.02, field.shape)
            block = np.round(field, 4).astype(np.float32)
            block[cols[None, :] + rows > 1.8 * size] = NODATA  # the swath edge
            dst.write(block, 1, window=((top, top + len(rows)), (0, size)))
    os.replace(partial, path)
    return time.perf_counter() - began


def make_sites(n: int, size: int, pixel: float, seed: int) -> list[list[tuple[float, float]]]:
    """N closed rings in EPSG:32652: star-shaped, 8-16 vertices, 200-2,000 m across."""
    rng = np.random.default_rng(seed + 1)
    extent = size * pixel
    rings = []
    for _ in range(n):
        cx = ORIGIN[0] + rng.uniform(0, extent)
        cy = ORIGIN[1] - rng.uniform(0, extent)
        radius = rng.uniform(100.0, 1000.0)
        k = int(rng.integers(8, 17))
        angles = np.sort(rng.uniform(0, 2 * math.pi, k))
        radii = radius * rng.uniform(0.55, 1.0, k)
        ring = list(
            zip(
                (cx + radii * np.cos(angles)).tolist(),
                (cy + radii * np.sin(angles)).tolist(),
                strict=True,
            )
        )
        rings.append([*ring, ring[0]])
    return rings


def write_sites(rings: list[list[tuple[float, float]]], wgs84: Path, projected: Path) -> None:
    from pyproj import Transformer

    to_wgs84 = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)

    def collection(rings_xy: list[Any], crs: str | None) -> dict[str, Any]:
        features = [
            {
                "type": "Feature",
                "properties": {"id": f"site-{i:04d}"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
            for i, ring in enumerate(rings_xy)
        ]
        data: dict[str, Any] = {"type": "FeatureCollection", "features": features}
        if crs:
            data["crs"] = {"type": "name", "properties": {"name": crs}}
        return data

    lonlat = []
    for ring in rings:
        x, y = np.array(ring).T
        lon, lat = to_wgs84.transform(x, y)
        lonlat.append(
            [[round(a, 10), round(b, 10)] for a, b in zip(lon.tolist(), lat.tolist(), strict=True)]
        )
    wgs84.write_text(json.dumps(collection(lonlat, None)))
    projected.write_text(json.dumps(collection([[list(p) for p in r] for r in rings], CRS)))


def prepare_inputs(args: argparse.Namespace) -> dict[str, Any]:
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    stem = f"raster-{args.size}-t{args.tile}-p{args.pixel:g}-s{args.seed}-pred{args.predictor}"
    raster = args.cache_dir / f"{stem}.tif"
    info: dict[str, Any] = {"raster": str(raster), "generated_s": None}
    if args.regenerate or not raster.is_file():
        print(f"generating {raster} ({args.size:,} x {args.size:,}) ...", flush=True)
        info["generated_s"] = make_raster(
            raster, args.size, args.tile, args.pixel, args.seed, args.predictor
        )
        print(f"  {info['generated_s']:.0f} s", flush=True)
    sites = args.cache_dir / f"sites-{args.sites}-{stem}.geojson"
    features = sites.with_suffix(".utm.geojson")
    if args.regenerate or not (sites.is_file() and features.is_file()):
        write_sites(make_sites(args.sites, args.size, args.pixel, args.seed), sites, features)
    info.update(
        sites=str(sites),
        features=str(features),
        raster_bytes=raster.stat().st_size,
        uncompressed_bytes=args.size * args.size * 4,
    )
    return info


def warm_page_cache(path: Path) -> float:
    began = time.perf_counter()
    with path.open("rb") as stream:
        while stream.read(1 << 24):
            pass
    return time.perf_counter() - began


# -- the measured call, in a child process ---------------------------------------------------


def worker(tool: str, raster: str, sites_path: str, features_path: str, out: str) -> None:
    warnings.filterwarnings("ignore")
    if tool == "watchboard":
        from watchboard.imagery import load_sites, zonal_stats

        sites = load_sites(sites_path)
    else:
        import rasterio
        from rasterio.windows import Window
        from rasterstats import zonal_stats as rasterstats_zonal

        features = json.loads(Path(features_path).read_text())["features"]
    rss_before = status_mb("VmRSS")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    began = time.perf_counter()
    if tool == "watchboard":
        rows = [
            {
                "count": r.count,
                "mean": r.mean,
                "sum": r.sum,
                "min": r.min,
                "max": r.max,
                "std": r.std,
                **{f"percentile_{k[1:]}": v for k, v in r.percentiles.items()},
                "pixels_in_raster": r.pixels - r.outside,
                "window": r.window,
            }
            for r in zonal_stats(raster, sites)
        ]
    elif tool == "rasterstats":
        rows = rasterstats_zonal(features, raster, stats=STATS)
    else:  # "decode": only read each polygon's bounding window, the floor for both tools
        with rasterio.open(raster) as src:
            inverse = ~src.transform
            for feat in features:
                x, y = np.array(feat["geometry"]["coordinates"][0]).T
                col, row = inverse.a * x + inverse.c, inverse.e * y + inverse.f
                c0, r0 = max(0, math.floor(col.min())), max(0, math.floor(row.min()))
                c1 = min(src.width, math.ceil(col.max()))
                r1 = min(src.height, math.ceil(row.max()))
                if c0 < c1 and r0 < r1:
                    src.read(1, window=Window(c0, r0, c1 - c0, r1 - r0))
        rows = []
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    result = {
        "tool": tool,
        "wall_s": wall,
        "cpu_s": cpu,
        "vmhwm_mb": status_mb("VmHWM"),
        "ru_maxrss_mb": after.ru_maxrss / 1024,
        "rss_before_call_mb": rss_before,
        "rows": rows,
    }
    Path(out).write_text(json.dumps(result))


def status_mb(field: str) -> float:
    """A figure of /proc/self/status in MB. VmHWM is this process's peak RSS; ru_maxrss is not
    reliable in a child: Linux keeps the parent's peak at fork across exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_worker(tool: str, inputs: dict[str, Any], tmp: Path) -> dict[str, Any]:
    out = tmp / f"{tool}.json"
    env = dict(os.environ, **dict.fromkeys(THREAD_VARS, "1"))
    cmd = [sys.executable, __file__, "--worker", tool, inputs["raster"], inputs["sites"]]
    cmd += [inputs["features"], str(out)]
    began = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=env)
    if proc.returncode:
        raise RuntimeError(f"{tool} worker failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.read_text())
    result["process_wall_s"] = time.perf_counter() - began
    return result


# -- figures ----------------------------------------------------------------------------------


def workload(rows: list[dict[str, Any]], tile: int) -> dict[str, int]:
    """Pixels the call has to deal with, from Watchboard's per-site windows."""
    tiles: set[tuple[int, int]] = set()
    window_px = 0
    for row in rows:
        if row["window"]:
            col, top, width, height = row["window"]
            window_px += width * height
            tiles.update(
                (y, x)
                for y in range(top // tile, (top + height - 1) // tile + 1)
                for x in range(col // tile, (col + width - 1) // tile + 1)
            )
    return {
        "sites": len(rows),
        "polygon_pixels": sum(r["pixels_in_raster"] for r in rows),
        "window_pixels": window_px,
        "tiles": len(tiles),
        "tile_pixels": len(tiles) * tile * tile,
    }


def compare(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> dict[str, Any]:
    mismatched: list[dict[str, Any]] = []
    worst = 0.0
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        if a["count"] != (b["count"] or 0):
            mismatched.append(
                {"site": i, "stat": "count", "ours": a["count"], "theirs": b["count"]}
            )
            continue
        for key in STATS[1:]:
            x, y = a[key], b[key]
            if x is None or y is None:
                if x is not y:
                    mismatched.append({"site": i, "stat": key, "ours": x, "theirs": y})
                continue
            error = abs(x - y) / max(abs(y), 1e-12)
            worst = max(worst, error)
            if error > 1e-6:
                mismatched.append({"site": i, "stat": key, "ours": x, "theirs": y})
    return {
        "sites": len(ours),
        "mismatches": len(mismatched),
        "first": mismatched[:5],
        "max_relative_error": worst,
    }


def summary(runs: list[dict[str, Any]], work: dict[str, int]) -> dict[str, Any]:
    best = sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]  # the median run
    wall = best["wall_s"]
    return {
        "wall_s": wall,
        "walls_s": [r["wall_s"] for r in runs],
        "cpu_s": best["cpu_s"],
        "peak_rss_mb": max(r["vmhwm_mb"] for r in runs),
        "ru_maxrss_mb": max(r["ru_maxrss_mb"] for r in runs),
        "rss_before_call_mb": max(r["rss_before_call_mb"] for r in runs),
        "rss_growth_mb": max(r["vmhwm_mb"] - r["rss_before_call_mb"] for r in runs),
        "sites_per_s": work["sites"] / wall,
        "polygon_mpx_per_s": work["polygon_pixels"] / wall / 1e6,
        "window_mpx_per_s": work["window_pixels"] / wall / 1e6,
        "tile_mpx_per_s": work["tile_pixels"] / wall / 1e6,
    }


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    packages: dict[str, str | None] = {}
    for name in ("numpy", "rasterio", "pyproj", "rasterstats", "shapely"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    commit, dirty = git_state(REPO)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": packages,
        "git_commit": commit,
        "src_has_uncommitted_changes": dirty,
        "gdal_cachemax": os.environ.get("GDAL_CACHEMAX", "GDAL default (5% of RAM)"),
    }


def command_line(args: argparse.Namespace) -> str:
    python = sys.executable
    with contextlib.suppress(ValueError):
        python = str(Path(python).relative_to(REPO))
    cmd = [
        python,
        "benchmarks/bench_zonal.py",
        "--size",
        str(args.size),
        "--sites",
        str(args.sites),
    ]
    cmd += ["--tile", str(args.tile), "--pixel", f"{args.pixel:g}", "--seed", str(args.seed)]
    cmd += ["--predictor", str(args.predictor)]
    cmd += ["--repeat", str(args.repeat)]
    if args.cache_dir != CACHE:
        cmd += ["--cache-dir", str(args.cache_dir)]
    if args.no_baseline:
        cmd.append("--no-baseline")
    return shlex.join(cmd)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=20_000, help="raster side in pixels")
    parser.add_argument("--sites", type=int, default=1_000, help="site polygons (default 1000)")
    parser.add_argument("--tile", type=int, default=256, help="GeoTIFF tile side (default 256)")
    parser.add_argument("--pixel", type=float, default=10.0, help="pixel size in metres")
    parser.add_argument(
        "--predictor", type=int, default=1, choices=(1, 2, 3), help="TIFF predictor (default 1)"
    )
    parser.add_argument("--seed", type=int, default=20260501)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each tool (median kept)")
    parser.add_argument("--cache-dir", type=Path, default=CACHE, help="where inputs are kept")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the cached inputs")
    parser.add_argument("--no-baseline", action="store_true", help="skip rasterstats")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the results")
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return 0

    machine = machine_info()
    print("== zonal statistics: watchboard.imagery.zonal_stats vs rasterstats.zonal_stats ==")
    print(
        f"machine:  {machine['cpu']}; {machine['cores']} cores, {machine['memory_gib']} GiB;"
        f" {machine['python']}; GDAL_CACHEMAX {machine['gdal_cachemax']}"
    )
    print(
        f"code:     {machine['git_commit']}"
        + (" (+ uncommitted changes in src/)" if machine["src_has_uncommitted_changes"] else "")
    )
    print(f"packages: {machine['packages']}")
    print(f"re-run:   {command_line(args)}")
    print(f"load avg: {' '.join(f'{x:.2f}' for x in os.getloadavg())} at start")
    inputs = prepare_inputs(args)
    print(
        f"raster:   {inputs['raster']}: {args.size:,} x {args.size:,} float32"
        f" ({inputs['uncompressed_bytes'] / 1e9:.2f} GB uncompressed,"
        f" {inputs['raster_bytes'] / 1e9:.2f} GB on disk), {args.tile}-px DEFLATE tiles,"
        f" predictor {args.predictor}"
    )
    print(f"sites:    {args.sites:,} polygons, 200-2,000 m across ({inputs['sites']})")
    print(f"page cache warmed in {warm_page_cache(Path(inputs['raster'])):.1f} s")

    tools = ["watchboard", "decode"] + ([] if args.no_baseline else ["rasterstats"])
    runs: dict[str, list[dict[str, Any]]] = {tool: [] for tool in tools}
    with tempfile.TemporaryDirectory(prefix="bench-zonal-") as tmp:
        for n in range(args.repeat):
            for tool in tools:
                res = run_worker(tool, inputs, Path(tmp))
                runs[tool].append(res)
                print(
                    f"  run {n + 1} {tool:<11} {res['wall_s']:7.2f} s wall,"
                    f" {res['cpu_s']:7.2f} s CPU, peak RSS {res['vmhwm_mb']:6.0f} MB",
                    flush=True,
                )
    work = workload(runs["watchboard"][0]["rows"], args.tile)
    results: dict[str, Any] = {
        "benchmark": "zonal",
        "command": command_line(args),
        "machine": machine,
        "inputs": inputs,
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "workload": work,
        "tools": {tool: summary(r, work) for tool, r in runs.items()},
    }
    decode, ours = results["tools"]["decode"], results["tools"]["watchboard"]
    results["decode_share"] = decode["cpu_s"] / ours["cpu_s"]
    print(
        f"\nworkload: {work['polygon_pixels'] / 1e6:.1f} Mpx inside polygons,"
        f" {work['window_pixels'] / 1e6:.1f} Mpx in their windows, {work['tiles']:,} distinct"
        f" tiles ({work['tile_pixels'] / 1e6:.0f} Mpx decoded at least once)"
    )
    print(
        f"{'':<12} {'wall s':>7} {'CPU s':>7} {'sites/s':>8} {'poly Mpx/s':>11}"
        f" {'window Mpx/s':>13} {'tile Mpx/s':>11} {'peak RSS':>9} {'+call':>7}"
    )
    for tool, s in results["tools"].items():
        print(
            f"{tool:<12} {s['wall_s']:7.2f} {s['cpu_s']:7.2f} {s['sites_per_s']:8.0f}"
            f" {s['polygon_mpx_per_s']:11.2f} {s['window_mpx_per_s']:13.2f}"
            f" {s['tile_mpx_per_s']:11.1f} {s['peak_rss_mb']:6.0f} MB {s['rss_growth_mb']:4.0f} MB"
        )
    print(
        "decode = reading each polygon's bounding window with rasterio, nothing else (what"
        f" both tools must at least do): {results['decode_share']:.0%} of Watchboard's CPU time"
    )
    if "rasterstats" in runs:
        ours, theirs = results["tools"]["watchboard"], results["tools"]["rasterstats"]
        ratio = theirs["wall_s"] / ours["wall_s"]
        check = compare(runs["watchboard"][0]["rows"], runs["rasterstats"][0]["rows"])
        results["comparison"] = {
            "ratio_wall": ratio,
            "ratio_cpu": theirs["cpu_s"] / ours["cpu_s"],
            "target_ratio": TARGET_RATIO,
            "verdict": "PASS" if ratio >= TARGET_RATIO else "FAIL",
            "agreement": check,
        }
        print(
            f"\nwatchboard / rasterstats speed: {ratio:.2f}x wall,"
            f" {results['comparison']['ratio_cpu']:.2f}x CPU"
            f" (target >= {TARGET_RATIO:g}x: {results['comparison']['verdict']})"
        )
        print(
            f"agreement: {check['sites'] - check['mismatches']}/{check['sites']} sites equal"
            f" (max relative error {check['max_relative_error']:.1e})"
        )
        for row in check["first"]:
            print(f"  differs: {row}")
    peak = results["tools"]["watchboard"]["peak_rss_mb"]
    print(
        f"memory: watchboard peak RSS {peak:.0f} MB for a raster of"
        f" {inputs['uncompressed_bytes'] / 2**20:,.0f} MB uncompressed"
    )
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"results:  {args.json}")
    print(f"re-run:   {command_line(args)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
