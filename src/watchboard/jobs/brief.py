"""Brief and export use cases: gather a case from the store, build, render and write.

``make_brief`` replays the assessment as of a date (nothing is written), reads the case's
declared parts and indicator series up to that date, re-runs each indicator's detector on the
series as it stood then, and builds the brief (``watchboard.report.brief``). ``write_brief``
renders it as HTML, PDF or Markdown. ``export_case`` writes the whole case as JSON (which
``import_case`` reads back into another workspace), STIX 2.1, GeoJSON or CSV tables.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from watchboard.config import Settings
from watchboard.errors import InputError, WatchboardError
from watchboard.jobs.assess import _sources, assess_case, resolve_case
from watchboard.model.observation import Change
from watchboard.report.brief import Brief, CaseInfo, IndicatorInfo, SiteInfo, build_brief
from watchboard.store import Store, snapshot
from watchboard.store import observations as obs_queries
from watchboard.store.schema import (
    case_sources,
    cases,
    hypotheses,
    indicators,
    milestones,
    sites,
    sources,
)

log = logging.getLogger(__name__)

FORMATS = ("html", "pdf", "md")
#: json: the whole case, lossless (imports back); stix: a STIX 2.1 bundle; geojson: sites and
#: geolocated claims; csv: claims, milestones, observations and alerts as CSV files in a folder;
#: tables: the same four tables as one JSON file.
EXPORT_FORMATS = ("json", "stix", "geojson", "csv", "tables")


def _case_info(store: Store, case_id: int, until: datetime) -> tuple[CaseInfo, list[str]]:
    from watchboard.detect import run_detector

    warnings: list[str] = []
    with store.reading() as conn:
        row = conn.execute(select(cases).where(cases.c.id == case_id)).one()
        hyps = conn.execute(
            select(hypotheses.c.key, hypotheses.c.text)
            .where(hypotheses.c.case_id == case_id)
            .order_by(hypotheses.c.key)
        ).all()
        site_rows = conn.execute(
            select(sites).where(sites.c.case_id == case_id).order_by(sites.c.key)
        ).all()
        specs = conn.execute(
            select(indicators).where(indicators.c.case_id == case_id).order_by(indicators.c.key)
        ).all()
        series = {s.key: obs_queries.series(conn, case_id, s.key, until=until) for s in specs}
        milestone_sites = dict(
            conn.execute(
                select(milestones.c.key, milestones.c.site_key).where(
                    milestones.c.case_id == case_id
                )
            ).all()
        )
        registered = tuple(
            conn.execute(
                select(sources.c.name)
                .join(case_sources, case_sources.c.source_id == sources.c.id)
                .where(case_sources.c.case_id == case_id)
            ).scalars()
        )
    infos = []
    for spec in specs:
        rows = [r for r in series[spec.key] if r["value"] is not None]
        changes: list[Change] = []
        # Re-run the detector on the series as it stood on the brief's date, so a replayed
        # brief does not know about changes that later data revealed.
        if spec.detector and rows:
            by_site: dict[str, list[dict[str, Any]]] = {}
            for r in rows:
                by_site.setdefault(r["site_key"], []).append(r)
            for site_rows_ in by_site.values():
                try:
                    changes.extend(
                        run_detector(
                            spec.detector,
                            [r["time"] for r in site_rows_],
                            [r["value"] for r in site_rows_],
                            spec.detector_params or {},
                        )
                    )
                except (ValueError, TypeError) as exc:
                    warnings.append(f"indicator {spec.key}: detector {spec.detector}: {exc}")
        infos.append(
            IndicatorInfo(
                key=spec.key,
                name=spec.name,
                unit=spec.unit,
                site_key=spec.site_key,
                expected_direction=spec.expected_direction,
                expected_by=spec.expected_by,
                description=spec.description,
                times=tuple(r["time"] for r in rows),
                values=tuple(r["value"] for r in rows),
                refs=tuple(Path(r["ref"]).name if "/" in r["ref"] else r["ref"] for r in rows),
                changes=tuple(sorted(changes, key=lambda c: c.time)),
                synthetic=any((r["quality"] or "") == "synthetic" for r in rows),
            )
        )
    info = CaseInfo(
        slug=row.slug,
        title=row.title,
        question=row.question,
        region=row.region,
        description=row.description,
        start=row.start_date,
        end=row.end_date,
        hypotheses=tuple((h.key, h.text) for h in hyps),
        sites=tuple(
            SiteInfo(s.key, s.name, s.kind, s.lat, s.lon, s.country, s.polygon) for s in site_rows
        ),
        indicators=tuple(infos),
        case_sources=registered,
        milestone_sites=milestone_sites,
    )
    return info, warnings


def make_brief(
    store: Store,
    settings: Settings,
    case: str | None = None,
    *,
    as_of: date | None = None,
    figures: bool | tuple[str, ...] = True,
    now: datetime | None = None,
) -> Brief:
    """The brief as of a date (default today); nothing is written to the store. ``figures``:
    draw all (True), none (False) or some (a tuple of ``report.figures.FIGURES``)."""
    now = now or datetime.now(UTC)
    day = as_of or now.date()
    report = assess_case(store, settings, case, as_of=day, now=now)
    until = datetime.combine(day, time.max, tzinfo=UTC)
    with store.reading() as conn:
        case_id, _ = resolve_case(conn, case)
        source_infos = _sources(conn, until)
    info, warnings = _case_info(store, case_id, until)
    brief = build_brief(
        info,
        report.assessment,
        source_infos,
        replay=as_of is not None,
        generated_at=now,
        warnings=[*report.warnings, *warnings],
    )
    if figures:
        from watchboard.report.figures import FIGURES, draw_figures

        draw_figures(brief, FIGURES if isinstance(figures, bool) else tuple(figures))
    return brief


@dataclass
class WrittenBrief:
    path: Path
    format: str
    bytes: int
    extra: list[Path]


def write_brief(
    brief: Brief, out: Path, fmt: str, *, template_dir: Path | None = None
) -> WrittenBrief:
    """Render the brief and write it atomically to ``out`` (Markdown figures beside it)."""
    from watchboard.report import render

    if fmt not in FORMATS:
        raise WatchboardError(f"brief format {fmt!r} is not one of: {', '.join(FORMATS)}")
    extra: list[Path] = []
    if fmt == "html":
        data = render.render_html(brief, template_dir=template_dir).encode("utf-8")
    elif fmt == "pdf":
        data = render.render_pdf(brief, template_dir=template_dir)
    else:
        text, files = render.render_markdown(brief, template_dir=template_dir, figure_dir=out.stem)
        data = text.encode("utf-8")
        for name, content in files.items():
            path = out.parent / name
            _atomic_write(path, content.encode("utf-8"))
            extra.append(path)
    _atomic_write(out, data)
    return WrittenBrief(out, fmt, len(data), extra)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- export and import -------------------------------------------------------------------------


def case_snapshot_slug(store: Store, case: str | None = None) -> str:
    with store.reading() as conn:
        return resolve_case(conn, case)[1]


def case_snapshot(store: Store, case: str | None = None) -> dict[str, Any]:
    with store.reading() as conn:
        case_id, _ = resolve_case(conn, case)
        return snapshot.dump_case(conn, case_id)


def export_case(store: Store, out: Path, fmt: str, case: str | None = None) -> list[Path]:
    """Write the case in one of EXPORT_FORMATS; CSV writes one file per table into ``out``."""
    if fmt not in EXPORT_FORMATS:
        raise WatchboardError(f"export format {fmt!r} is not one of: {', '.join(EXPORT_FORMATS)}")
    data = case_snapshot(store, case)
    if fmt == "json":
        _atomic_write(out, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
        return [out]
    if fmt == "stix":
        from watchboard.report.stix import stix_json

        _atomic_write(out, stix_json(data).encode("utf-8"))
        return [out]
    if fmt == "geojson":
        from watchboard.report.geojson import geojson_text

        _atomic_write(out, geojson_text(data).encode("utf-8"))
        return [out]
    from watchboard.report.tables import csv_tables, json_tables

    if fmt == "tables":
        _atomic_write(out, json_tables(data).encode("utf-8"))
        return [out]
    if out.exists() and not out.is_dir():
        raise WatchboardError(f"{out}: CSV export writes a folder of files; give a folder")
    written = []
    for name, text in csv_tables(data).items():
        path = out / name
        _atomic_write(path, text.encode("utf-8"))
        written.append(path)
    return written


def import_case(store: Store, path: Path) -> dict[str, Any]:
    """Read a JSON export into this workspace, all or nothing; return what was imported."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read ({exc.strerror or exc})") from None
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(str(path), f"not a JSON file ({exc})") from None
    with store.transaction() as conn:
        case_id = snapshot.load_case(conn, data, origin=str(path))
    tables = data.get("tables", {})
    return {
        "case": data["case"]["slug"],
        "case_id": case_id,
        "rows": {name: len(rows) for name, rows in sorted(tables.items()) if rows},
    }
