"""Indicator use cases: import observations, run detectors, raise alerts, link changes.

An import is one transaction: a file whose rows fail any check leaves nothing behind, and
re-importing the same file changes nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from watchboard.errors import InputError, NotFoundError, WatchboardError
from watchboard.ingest.observations import read_observations
from watchboard.jobs import assess as assess_jobs
from watchboard.model.observation import Change, Observation
from watchboard.report.brief import number
from watchboard.store import Store
from watchboard.store import assessment as audit_queries
from watchboard.store import observations as q


@dataclass
class ImportReport:
    indicator: str
    new: int = 0
    unchanged: int = 0
    replaced: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.indicator}: {self.new} new, {self.unchanged} unchanged, "
            f"{self.replaced} replaced"
        )


def store_observations(
    store: Store,
    case: str | None,
    indicator: str,
    items: Sequence[Observation],
    *,
    label: str,
    file_sha256: str | None = None,
    replace: bool = False,
    warnings: Sequence[str] = (),
) -> ImportReport:
    """Store observations of one indicator in one transaction (all or nothing)."""
    report = ImportReport(indicator, warnings=list(warnings))
    now = datetime.now(UTC)
    with store.transaction() as conn:
        case_id, _ = assess_jobs.resolve_case(conn, case)
        spec = q.indicator(conn, case_id, indicator)
        for o in items:
            if o.unit and spec["unit"] and o.unit != spec["unit"]:
                raise InputError(
                    f"{label} ({o.ref})", f"unit {o.unit!r}, but {indicator} is in {spec['unit']!r}"
                )
        known = q.existing(conn, case_id, indicator)
        new: list[Observation] = []
        changed: list[tuple[int, Observation]] = []
        for o in items:
            key = (o.site or spec["site_key"] or "", o.time)
            if key not in known:
                new.append(o if o.site else _with_site(o, spec["site_key"]))
                continue
            row_id, value = known[key]
            if value == o.value:
                report.unchanged += 1
            elif replace:
                changed.append((row_id, o))
            else:
                raise InputError(
                    f"{label} ({o.ref})",
                    f"{indicator} already has {value} at {o.time:%Y-%m-%d %H:%M}; this says "
                    f"{o.value} (use --replace to overwrite)",
                )
        q.insert_observations(conn, case_id, indicator, new, file_sha256=file_sha256, now=now)
        q.replace_values(conn, changed, now)
        report.new, report.replaced = len(new), len(changed)
    return report


def _with_site(o: Observation, site: str | None) -> Observation:
    from dataclasses import replace as dc_replace

    return dc_replace(o, site=site) if site else o


def import_file(
    store: Store,
    path: Path,
    *,
    indicator: str,
    case: str | None = None,
    site: str | None = None,
    replace: bool = False,
) -> ImportReport:
    """Import a CSV or Parquet file of observations for one indicator."""
    with store.reading() as conn:
        case_id, _ = assess_jobs.resolve_case(conn, case)
        spec = q.indicator(conn, case_id, indicator)
    parsed = read_observations(path, indicator=indicator, unit=spec["unit"], site=site)
    return store_observations(
        store,
        case,
        indicator,
        parsed.observations,
        label=str(path),
        file_sha256=parsed.sha256,
        replace=replace,
        warnings=parsed.warnings,
    )


def list_indicators(store: Store, case: str | None = None) -> list[dict[str, Any]]:
    with store.reading() as conn:
        case_id, _ = assess_jobs.resolve_case(conn, case)
        return q.indicator_rows(conn, case_id)


def get_series(
    store: Store, indicator: str, case: str | None = None, *, until: date | None = None
) -> list[dict[str, Any]]:
    end = datetime.combine(until, time.max, tzinfo=UTC) if until else None
    with store.reading() as conn:
        case_id, _ = assess_jobs.resolve_case(conn, case)
        q.indicator(conn, case_id, indicator)
        return q.series(conn, case_id, indicator, until=end)


def import_trade(
    store: Store,
    paths: Sequence[Path],
    *,
    indicator: str,
    country: str,
    watchlist: str = "machine-tools",
    flow: str = "imports",
    freq: str = "M",
    value: str = "value_usd",
    case: str | None = None,
    replace: bool = False,
    quality: str | None = None,
) -> ImportReport:
    """Import Comtrade-layout files as one indicator series: the country's imports (or
    exports) of the watchlist's codes, from its own reports or, where it has none, its
    partners' mirror figures, summed per month or year. ``quality`` overrides every value's
    quality flag (the demo marks its invented figures "synthetic")."""
    from watchboard import trade

    warnings: list[str] = []
    flows: list[Any] = []
    for path in paths:
        flows.extend(trade.read_flows(path, on_warning=lambda w: warnings.append(str(w))))
    if flow not in ("imports", "exports"):
        raise WatchboardError(f"flow must be imports or exports, not {flow!r}")
    mirror = trade.mirror_imports if flow == "imports" else trade.mirror_exports
    records = mirror(flows, country, watchlist)
    if not records:
        raise InputError(
            ", ".join(map(str, paths)),
            f"no {flow} of {country} under watchlist {watchlist!r} (reported or mirror)",
        )
    series = trade.aggregate(records, freq=freq, value=value, indicator=indicator)
    if quality is not None:
        series = [dataclasses.replace(o, quality=quality) for o in series]
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    label = ", ".join(str(p) for p in paths)
    bases: dict[str, int] = {}
    for r in records:
        bases[r.basis] = bases.get(r.basis, 0) + 1
    warnings.append(
        f"{len(records)} flow(s): " + ", ".join(f"{n} {b}" for b, n in sorted(bases.items()))
    )
    return store_observations(
        store,
        case,
        indicator,
        series,
        label=label,
        file_sha256=digest.hexdigest(),
        replace=replace,
        warnings=warnings,
    )


def _case_site_polygons(store: Store, case: str | None) -> tuple[list[Any], list[str]]:
    from watchboard import imagery
    from watchboard.store.schema import sites as sites_table

    with store.reading() as conn:
        case_id, _ = assess_jobs.resolve_case(conn, case)
        rows = list(conn.execute(sites_table.select().where(sites_table.c.case_id == case_id)))
    polygons, skipped = [], []
    for row in rows:
        if row.polygon:
            polygons.append(imagery.SitePolygon(id=row.key, geometry=row.polygon))
        else:
            skipped.append(row.key)
    return polygons, skipped


def import_scenes(
    store: Store,
    scenes: Sequence[Path],
    *,
    indicator: str,
    case: str | None = None,
    sites_path: Path | None = None,
    statistic: str = "mean",
    when: datetime | None = None,
    band: int = 1,
    cloud_mask: Path | None = None,
    replace: bool = False,
) -> ImportReport:
    """Zonal statistics of each scene over the site polygons, stored as one indicator's
    observations (all scenes in one transaction). Sites come from ``sites_path`` (GeoJSON) or
    the case's site polygons; an indicator tied to a site keeps only that site's values."""
    from watchboard import imagery

    warnings: list[str] = []
    if sites_path is not None:
        polygons = imagery.load_sites(sites_path)
    else:
        polygons, skipped = _case_site_polygons(store, case)
        if skipped:
            warnings.append(f"sites without a polygon, not measured: {', '.join(skipped)}")
        if not polygons:
            raise WatchboardError("no site polygons in the case file; give --sites FILE.geojson")
    with store.reading() as conn:
        case_id, _ = assess_jobs.resolve_case(conn, case)
        spec = q.indicator(conn, case_id, indicator)
    observations: list[Observation] = []
    for scene in scenes:
        at = when or imagery.scene_time(scene)
        results = imagery.zonal_stats(scene, polygons, band=band, cloud_mask=cloud_mask)
        found = imagery.to_observations(
            results, time=at, indicator=indicator, unit=spec["unit"], statistic=statistic
        )
        if spec["site_key"]:
            found = [o for o in found if o.site == spec["site_key"]]
            if not found:
                raise InputError(str(scene), f"no polygon for site {spec['site_key']!r}")
        for o in found:
            if o.quality != "ok":
                warnings.append(
                    f"{o.ref}: {o.quality} (valid fraction {o.extra.get('valid_fraction')})"
                )
        observations.extend(found)
    return store_observations(
        store,
        case,
        indicator,
        observations,
        label=", ".join(map(str, scenes)),
        replace=replace,
        warnings=warnings,
    )


def claims_beside(
    store: Store, indicator: str, case: str | None = None, *, limit: int = 20
) -> list[dict[str, Any]]:
    """Claims about the indicator's site published within its series' period."""
    from watchboard.jobs import list_claims

    with store.reading() as conn:
        case_id, _ = assess_jobs.resolve_case(conn, case)
        spec = q.indicator(conn, case_id, indicator)
        rows = q.series(conn, case_id, indicator)
    if not rows or not spec["site_key"]:
        return []
    first, last = rows[0]["time"], rows[-1]["time"]
    found = []
    for claim in list_claims(store, case=case):
        published = claim.get("published_at")
        if published is None:
            continue
        published = published if published.tzinfo else published.replace(tzinfo=UTC)
        if not first <= published <= last.replace(year=last.year + 1):
            continue
        if any(p.get("site") == spec["site_key"] for p in claim["data"].get("places") or []):
            found.append(claim)
    return found[:limit]


# -- detection ---------------------------------------------------------------------------------


def _num(value: float | None) -> str:
    return "?" if value is None else number(value)


def _change_id(case: str, indicator: str, site: str, c: Change) -> str:
    text = (
        f"{case}\x1f{indicator}\x1f{site}\x1f{c.detector}\x1f{c.time.isoformat()}\x1f{c.direction}"
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class DetectReport:
    indicator: str
    detector: str
    points: int
    changes: list[dict[str, Any]]
    new: list[str]
    alerts: list[str]


def detect(
    store: Store,
    settings: Any,
    case: str | None = None,
    *,
    indicator: str | None = None,
) -> list[DetectReport]:
    """Run each indicator's declared detector over its series; store changes; alert on new."""
    from watchboard.detect import run_detector

    reports = []
    with store.reading() as conn:
        case_id, slug = assess_jobs.resolve_case(conn, case)
        specs = [s for s in q.indicator_rows(conn, case_id) if indicator in (None, s["key"])]
        if indicator is not None and not specs:
            raise NotFoundError(f"no indicator {indicator!r} (see 'watchboard indicators')")
        series = {s["key"]: q.series(conn, case_id, s["key"]) for s in specs}
    now = datetime.now(UTC)
    for spec in specs:
        name = spec["detector"]
        if not name:
            continue
        by_site: dict[str, list[dict[str, Any]]] = {}
        for row in series[spec["key"]]:
            by_site.setdefault(row["site_key"], []).append(row)
        found: list[dict[str, Any]] = []
        points = 0
        for site, rows in by_site.items():
            points += len(rows)
            try:
                changes = run_detector(
                    name,
                    [r["time"] for r in rows],
                    [r["value"] for r in rows],
                    spec["detector_params"] or {},
                )
            except (ValueError, TypeError) as exc:
                raise WatchboardError(f"indicator {spec['key']}: detector {name}: {exc}") from None
            for c in changes:
                found.append(
                    {
                        "id": _change_id(slug, spec["key"], site, c),
                        "indicator_key": spec["key"],
                        "site_key": site,
                        "time": c.time,
                        "detector": c.detector,
                        "direction": c.direction,
                        "magnitude": float(c.magnitude),
                        "score": float(c.score),
                        "before": c.before,
                        "after": c.after,
                        "params": dict(c.params),
                    }
                )
        with store.transaction() as conn:
            new = q.sync_changes(conn, case_id, spec["key"], found, now)
        alerts = []
        for row in found:
            if row["id"] not in new:
                continue
            expected = spec["expected_direction"]
            agrees = expected in (None, "change", row["direction"])
            alert = assess_jobs.raise_indicator_alert(
                store,
                settings,
                slug,
                indicator=spec["key"],
                subject=row["id"],
                title=f"{spec['name']}: {row['direction']} {row['time']:%Y-%m-%d}",
                body=(
                    f"{spec['name']} ({spec['unit']}) moved {row['direction']} by "
                    f"{number(row['magnitude'])} ({_num(row['before'])} -> "
                    f"{_num(row['after'])}; score {row['score']:.2f}) from "
                    f"{row['time']:%Y-%m-%d}, detector {row['detector']}. "
                    + (
                        "As expected if the programme proceeds."
                        if agrees
                        else f"Expected direction was {expected}."
                    )
                ),
                data={"change": row["id"], "site": row["site_key"] or None},
            )
            if alert:
                alerts.append(alert)
        reports.append(DetectReport(spec["key"], name, points, found, new, alerts))
    return reports


def list_changes(
    store: Store,
    case: str | None = None,
    *,
    indicator: str | None = None,
    include_inactive: bool = False,
) -> list[dict[str, Any]]:
    with store.reading() as conn:
        case_id, _ = assess_jobs.resolve_case(conn, case)
        return q.changes(conn, case_id, indicator_key=indicator, active_only=not include_inactive)


def link_change(
    store: Store,
    change: str,
    milestone: str | None,
    *,
    note: str | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """Link a detected change to a milestone as evidence it happened (``None`` unlinks)."""
    who = actor or assess_jobs.analyst_name()
    with store.transaction() as conn:
        row = q.change(conn, change)
        if milestone is not None and not any(
            m["key"] == milestone for m in audit_queries.milestone_rows(conn, row["case_id"])
        ):
            raise NotFoundError(f"no milestone {milestone!r} (see 'watchboard milestones')")
        q.link_change(conn, row["id"], milestone)
        audit_queries.audit(
            conn,
            at=datetime.now(UTC),
            actor=who,
            action="change.link",
            target=row["id"],
            case_id=row["case_id"],
            before={"milestone": row["milestone_key"]},
            after={"milestone": milestone},
            reason=note,
        )
    return {"change": row["id"], "milestone": milestone}


def chart(
    store: Store,
    indicator: str,
    out_path: Path,
    *,
    case: str | None = None,
    fmt: str = "svg",
    max_marks: int = 12,
) -> Path:
    """Chart an indicator's series with its detected changes, the case's milestone windows
    (those at the indicator's site or at none) and the dates of claims about its site."""
    from watchboard.charts import Mark, Window, series_chart

    with store.reading() as conn:
        case_id, _ = assess_jobs.resolve_case(conn, case)
        spec = q.indicator(conn, case_id, indicator)
        rows = q.series(conn, case_id, indicator)
        found = q.changes(conn, case_id, indicator_key=indicator)
        milestones = audit_queries.milestone_rows(conn, case_id)
    if not rows:
        raise WatchboardError(f"indicator {indicator!r} has no observations to chart")
    times = [r["time"] for r in rows]
    position = {t: i for i, t in enumerate(times)}
    changes = [
        Change(
            index=position.get(c["time"], 0),
            time=c["time"],
            detector=c["detector"],
            direction=c["direction"],
            magnitude=c["magnitude"],
            score=c["score"],
            before=c["before"],
            after=c["after"],
        )
        for c in found
    ]
    windows = [
        Window(m["due_start"] or m["due_end"], m["due_end"] or m["due_start"], m["key"])
        for m in milestones
        if (m["due_start"] or m["due_end"]) and m["site_key"] in (None, spec["site_key"])
    ]
    marks: list[Mark] = []
    if spec["site_key"]:
        from watchboard.jobs import list_claims

        for claim in list_claims(store, case=case):
            places = claim["data"].get("places") or []
            if not any(p.get("site") == spec["site_key"] for p in places):
                continue
            published = claim.get("published_at")
            if published is not None:
                marks.append(Mark(published, claim.get("rating") or claim["id"][:6]))
        marks = marks[:max_marks]
    return series_chart(
        times,
        [r["value"] for r in rows],
        changes=changes,
        windows=windows,
        marks=marks,
        title=spec["name"],
        unit=spec["unit"],
        out_path=out_path,
        format=fmt,
    )
