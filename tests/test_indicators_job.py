"""Indicators through jobs and the CLI on both backends: imports all-or-nothing, provenance,
re-imports, conflicts; detection, alerts and milestone links."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from watchboard import jobs
from watchboard.cli import cli


@pytest.fixture
def demo(tmp_path: Path, db_url: str):
    url = db_url if db_url.startswith("postgresql") else None
    return jobs.build_demo(tmp_path / "ws", database_url=url)


def invoke(ws: Path, *args: str):
    return CliRunner().invoke(cli, ["-w", str(ws), *args])


def ok(ws: Path, *args: str) -> str:
    result = invoke(ws, *args)
    assert result.exit_code == 0, result.output
    return result.output


def series_csv(tmp_path: Path, values: list[float | None], name: str = "lights.csv") -> Path:
    lines = ["time,value,unit"]
    for i, v in enumerate(values):
        year, month = 2024 + i // 12, i % 12 + 1
        lines.append(f"{year}-{month:02d},{'' if v is None else v},nW/cm2/sr")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def test_import_is_all_or_nothing_and_idempotent(demo, tmp_path: Path) -> None:
    ws = demo.settings.workspace  # the demo holds no Hamhung observations
    good = series_csv(tmp_path, [1.0, 1.1, None, 1.2])
    assert "4 new" in ok(ws, "observe", "import", str(good), "--indicator", "nightlights-hamhung")
    assert "4 unchanged" in ok(
        ws, "observe", "import", str(good), "--indicator", "nightlights-hamhung"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("time,value\n2024-05,1.3\n2024-06,oops\n")
    result = invoke(ws, "observe", "import", str(bad), "--indicator", "nightlights-hamhung")
    assert result.exit_code == 1 and "bad.csv:3: value: 'oops' is not a number" in result.output
    conflict = tmp_path / "conflict.csv"
    conflict.write_text("time,value\n2024-07,5\n2024-01,9\n")
    result = invoke(ws, "observe", "import", str(conflict), "--indicator", "nightlights-hamhung")
    assert result.exit_code == 1 and "already has 1.0" in result.output
    rows = json.loads(ok(ws, "observe", "show", "nightlights-hamhung", "--json"))
    assert len(rows) == 4  # neither failed file left a row behind (2024-07 included)
    assert rows[0]["ref"] == "lights.csv#row=2" and rows[0]["site_key"] == "hamhung"
    assert rows[0]["file_sha256"] and rows[2]["value"] is None
    replaced = ok(
        ws, "observe", "import", str(conflict), "--indicator", "nightlights-hamhung", "--replace"
    )
    assert "1 new" in replaced and "1 replaced" in replaced
    result = invoke(ws, "observe", "import", str(good), "--indicator", "no-such")
    assert result.exit_code == 1 and "no indicator 'no-such'" in result.output


def test_trade_import_uses_mirror_figures_and_marks_empty_months(demo, tmp_path: Path) -> None:
    ws = demo.settings.workspace
    comtrade = tmp_path / "comtrade.csv"
    comtrade.write_text(
        "freqCode,refPeriodId,reporterISO,partnerISO,flowCode,cmdCode,primaryValue,netWgt\n"
        "M,203001,CHN,PRK,X,845611,1000,10\n"
        "M,203001,RUS,PRK,X,8458,250,2\n"
        "M,203003,CHN,PRK,X,846221,500,5\n"
        "M,203003,CHN,PRK,X,850440,999,9\n"  # a transformer: not a machine tool
    )
    ok(
        ws,
        "trade",
        "import",
        str(comtrade),
        "--indicator",
        "machine-tool-imports",
        "--country",
        "PRK",
    )
    rows = json.loads(ok(ws, "observe", "show", "machine-tool-imports", "--json"))
    rows = [r for r in rows if r["time"].startswith("2030")]  # after the demo's own data
    assert [(r["time"][:7], r["value"], r["quality"]) for r in rows] == [
        ("2030-01", 1250.0, "ok"),
        ("2030-02", None, "missing"),
        ("2030-03", 500.0, "ok"),
    ]
    assert rows[0]["source"] == "trade" and "comtrade.csv#rows=2-3" in rows[0]["ref"]
    bad = tmp_path / "bad.csv"
    bad.write_text("freqCode,refPeriodId,reporterISO\nM,203001,CHN\n")
    result = invoke(
        ws, "trade", "import", str(bad), "--indicator", "machine-tool-imports", "--country", "PRK"
    )
    assert result.exit_code == 1 and "bad.csv" in result.output and "missing" in result.output


def _scene(path: Path, value: float, *, crs: str | None = "EPSG:4326") -> Path:
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    data = np.full((20, 20), 0.05, dtype="float32")
    data[5:15, 5:15] = value  # the site: 10 x 10 pixels of 0.001 degree
    profile = {
        "driver": "GTiff",
        "width": 20,
        "height": 20,
        "count": 1,
        "dtype": "float32",
        "transform": from_origin(126.58, 40.98, 0.001, 0.001),
        "nodata": -9999.0,
    }
    if crs:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def test_imagery_stats_become_observations(demo, tmp_path: Path) -> None:
    ws = demo.settings.workspace
    sites = tmp_path / "sites.geojson"
    ring = [
        [126.585, 40.975],
        [126.595, 40.975],
        [126.595, 40.965],
        [126.585, 40.965],
        [126.585, 40.975],
    ]
    sites.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": "kanggye"},
                        "geometry": {"type": "Polygon", "coordinates": [ring]},
                    }
                ],
            }
        )
    )
    before = _scene(tmp_path / "bsi_2026-03-01.tif", 0.1)
    after = _scene(tmp_path / "bsi_2026-06-01.tif", 0.3)
    out = ok(
        ws,
        "imagery",
        "stats",
        str(before),
        str(after),
        "--sites",
        str(sites),
        "--indicator",
        "construction-kanggye",
    )
    assert "2 new" in out
    rows = json.loads(ok(ws, "observe", "show", "construction-kanggye", "--json"))
    assert [round(r["value"], 6) for r in rows] == [0.1, 0.3]
    assert [r["time"][:10] for r in rows] == ["2026-03-01", "2026-06-01"]
    assert rows[0]["ref"] == "bsi_2026-03-01.tif#site=kanggye" and rows[0]["source"] == "scene"
    assert rows[0]["extra"]["count"] == 100
    change = ok(
        ws,
        "imagery",
        "change",
        str(before),
        str(after),
        "--threshold",
        "0.1",
        "--out",
        str(tmp_path / "change.tif"),
    )
    assert "100 pixels up" in change
    assert (tmp_path / "change.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    no_crs = _scene(tmp_path / "bsi_2026-07-01.tif", 0.2, crs=None)
    result = invoke(
        ws,
        "imagery",
        "stats",
        str(no_crs),
        "--sites",
        str(sites),
        "--indicator",
        "construction-kanggye",
    )
    assert result.exit_code == 1 and "raster has no CRS" in result.output
    assert len(json.loads(ok(ws, "observe", "show", "construction-kanggye", "--json"))) == 2


def test_demo_detects_the_synthetic_step_alerts_once_and_links_it(demo, tmp_path: Path) -> None:
    ws = demo.settings.workspace
    lights = next(r for r in demo.detected if r.indicator == "nightlights-kanggye")
    [step] = lights.changes
    assert step["direction"] == "up" and step["time"].strftime("%Y-%m") == "2026-05"
    alerts = json.loads(ok(ws, "alerts", "--json"))
    indicator_alerts = [a for a in alerts if a["kind"] == "indicator"]
    assert any(a["data"]["change"] == step["id"] for a in indicator_alerts)
    again = json.loads(ok(ws, "detect", "--json"))
    assert all(r["new"] == [] and r["alerts"] == [] for r in again)  # never raised twice
    ok(ws, "changes", "link", step["id"][:8], "new-factories-construction", "--note", "lights up")
    status = json.loads(ok(ws, "milestones", "--json"))
    milestone = next(m for m in status["milestones"] if m["key"] == "new-factories-construction")
    assert milestone["status"] == "achieved"
    assert any("indicator change" in e["why"] for e in milestone["evidence"])
    replay = json.loads(ok(ws, "milestones", "--as-of", "2026-01-31", "--json"))
    earlier = next(m for m in replay["milestones"] if m["key"] == "new-factories-construction")
    assert earlier["status"] == "due"  # the link was made today, not in January
    beside = json.loads(ok(ws, "observe", "show", "nightlights-kanggye", "--claims", "--json"))
    assert len(beside["observations"]) == 34
    assert beside["claims"] and all("Kanggye" in c["quote"] for c in beside["claims"])
    svg = tmp_path / "lights.svg"
    ok(ws, "chart", "nightlights-kanggye", "--out", str(svg))
    text = svg.read_text()
    assert text.startswith("<?xml") and "<svg" in text
    assert "http" not in text.replace("http://www.w3.org", "")
    png = tmp_path / "lights.png"
    ok(ws, "chart", "nightlights-kanggye", "--out", str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
