"""Indicator commands: indicators, observe, detect, changes."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from watchboard.cli import Context, case_option, cli, json_option, out, pass_ctx, print_json
from watchboard.jobs import indicators as jobs


def _print_import(report: jobs.ImportReport, *, as_json: bool) -> None:
    if as_json:
        print_json(report)
        return
    out.print(report.summary())
    for warning in report.warnings:
        out.print(f"  {warning}", markup=False)


@cli.command("indicators")
@case_option
@json_option
@pass_ctx
def indicators_cmd(obj: Context, case_slug: str | None, as_json: bool) -> None:
    """The case's indicators: unit, site, expected change, detector, observations held."""
    with obj.store() as (_, store):
        rows = jobs.list_indicators(store, case_slug)
    if as_json:
        print_json(rows)
        return
    table = Table(
        "indicator", "unit", "site/region", "expected", "detector", "observations", box=None
    )
    for r in rows:
        expected = f"{r['expected_direction'] or '—'} by {r['expected_by'] or '—'}"
        table.add_row(
            r["key"],
            r["unit"],
            r["site_key"] or r["region"] or "—",
            expected,
            r["detector"] or "—",
            str(r["observations"]),
        )
    out.print(table)


@cli.group("observe")
def observe_cmd() -> None:
    """Observations of indicators: import and show."""


@observe_cmd.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--indicator", required=True, metavar="KEY", help="The indicator (see 'indicators').")
@case_option
@click.option("--site", metavar="SITE", help="Site of rows without a site column.")
@click.option("--replace", is_flag=True, help="Overwrite values that differ from stored ones.")
@json_option
@pass_ctx
def observe_import_cmd(
    obj: Context,
    file: Path,
    indicator: str,
    case_slug: str | None,
    site: str | None,
    replace: bool,
    as_json: bool,
) -> None:
    """Import observations from CSV or Parquet: columns time and value, optionally site, unit,
    quality and indicator. All rows or none are stored; duplicates and gaps are reported."""
    with obj.store() as (_, store):
        report = jobs.import_file(
            store, file, indicator=indicator, case=case_slug, site=site, replace=replace
        )
    _print_import(report, as_json=as_json)


@observe_cmd.command("show")
@click.argument("indicator")
@case_option
@click.option("--claims", "with_claims", is_flag=True, help="Also the claims about the site.")
@json_option
@pass_ctx
def observe_show_cmd(
    obj: Context, indicator: str, case_slug: str | None, with_claims: bool, as_json: bool
) -> None:
    """An indicator's series with each value's provenance (and, with --claims, the claims
    about the same site published in the same period)."""
    with obj.store() as (_, store):
        rows = jobs.get_series(store, indicator, case_slug)
        beside = jobs.claims_beside(store, indicator, case_slug) if with_claims else []
    if as_json:
        print_json({"observations": rows, "claims": beside} if with_claims else rows)
        return
    for r in rows:
        value = "—" if r["value"] is None else f"{r['value']:.6g}"
        site = f" {r['site_key']}" if r["site_key"] else ""
        out.print(
            f"{r['time']:%Y-%m-%d}{site}  {value} {r['unit'] or ''}  {r['quality'] or ''}  "
            f"{r['source']}:{r['ref']}",
            markup=False,
        )
    out.print(f"{len(rows)} observation(s)")
    if with_claims:
        out.print(f"claims about the site in this period: {len(beside)}")
        for c in beside:
            rating = c.get("rating") or "—"
            out.print(
                f"  {c['published_at']:%Y-%m-%d} {rating} {c['outlet']}: “{c['quote'][:100]}”",
                markup=False,
            )


@cli.command("detect")
@case_option
@click.option("--indicator", metavar="KEY", help="Only this indicator.")
@json_option
@pass_ctx
def detect_cmd(obj: Context, case_slug: str | None, indicator: str | None, as_json: bool) -> None:
    """Run each indicator's detector (declared in the case file) over its observations; new
    changes raise alerts."""
    with obj.store() as (settings, store):
        reports = jobs.detect(store, settings, case_slug, indicator=indicator)
    if as_json:
        print_json(reports)
        return
    if not reports:
        out.print("no indicator with a detector and observations")
    for r in reports:
        out.print(
            f"{r.indicator}: {r.detector} over {r.points} point(s): {len(r.changes)} change(s), "
            f"{len(r.new)} new, {len(r.alerts)} alert(s)"
        )
        for c in r.changes:
            out.print(
                f"  {c['id']}  {c['time']:%Y-%m-%d}  {c['direction']}  {c['magnitude']:.4g} "
                f"(score {c['score']:.2f})",
                markup=False,
            )


@cli.group("changes", invoke_without_command=True)
@case_option
@click.option("--indicator", metavar="KEY", help="Only this indicator.")
@click.option("--all", "show_all", is_flag=True, help="Include changes no longer detected.")
@json_option
@click.pass_context
def changes_cmd(
    ctx: click.Context, case_slug: str | None, indicator: str | None, show_all: bool, as_json: bool
) -> None:
    """Changes detected in indicators, and the milestones they are linked to."""
    if ctx.invoked_subcommand is not None:
        return
    obj = ctx.find_object(Context)
    assert obj is not None
    with obj.store() as (_, store):
        rows = jobs.list_changes(store, case_slug, indicator=indicator, include_inactive=show_all)
    if as_json:
        print_json(rows)
        return
    if not rows:
        out.print("no changes (run 'watchboard detect')")
    for r in rows:
        linked = f"  → milestone {r['milestone_key']}" if r["milestone_key"] else ""
        out.print(
            f"{r['id']}  {r['indicator_key']}  {r['time']:%Y-%m-%d}  {r['direction']} "
            f"{r['magnitude']:.4g} ({r['detector']}){linked}",
            markup=False,
        )


@changes_cmd.command("link")
@click.argument("change")
@click.argument("milestone", required=False)
@click.option("--unlink", is_flag=True, help="Remove the change's milestone link.")
@click.option("--note", help="Why (kept in the audit log).")
@pass_ctx
def changes_link_cmd(
    obj: Context, change: str, milestone: str | None, unlink: bool, note: str | None
) -> None:
    """Link a detected change to a milestone as evidence it happened ('construction started')."""
    if not unlink and milestone is None:
        raise click.UsageError("give a MILESTONE, or --unlink")
    with obj.store() as (_, store):
        result = jobs.link_change(store, change, None if unlink else milestone, note=note)
    target = result["milestone"] or "nothing"
    out.print(f"change {result['change']} linked to {target}; run 'watchboard assess'")


@cli.group("trade")
def trade_cmd() -> None:
    """Trade statistics (UN Comtrade layout) as indicator series."""


@trade_cmd.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--indicator", required=True, metavar="KEY", help="The indicator (see 'indicators').")
@click.option("--country", required=True, metavar="ISO3", help="Whose trade, e.g. PRK.")
@click.option(
    "--watchlist",
    default="machine-tools",
    show_default=True,
    help="HS codes: a built-in list (see docs/trade.md) or FILE.yaml#name.",
)
@click.option(
    "--flow", type=click.Choice(["imports", "exports"]), default="imports", show_default=True
)
@click.option(
    "--freq",
    type=click.Choice(["M", "A"]),
    default="M",
    show_default=True,
    help="Monthly or annual sums.",
)
@click.option(
    "--value",
    type=click.Choice(["value_usd", "net_weight_kg", "quantity"]),
    default="value_usd",
    show_default=True,
)
@case_option
@click.option("--replace", is_flag=True, help="Overwrite values that differ from stored ones.")
@click.option(
    "--quality",
    metavar="FLAG",
    help="Quality flag for every value (e.g. 'synthetic' for invented test data; briefs say so).",
)
@json_option
@pass_ctx
def trade_import_cmd(
    obj: Context,
    files: tuple[Path, ...],
    indicator: str,
    country: str,
    watchlist: str,
    flow: str,
    freq: str,
    value: str,
    case_slug: str | None,
    replace: bool,
    quality: str | None,
    as_json: bool,
) -> None:
    """Import Comtrade-layout CSV files (gzip too): the country's own figures where it reports,
    else its partners' mirror figures (the normal case for North Korea), summed per period;
    periods without any row are stored as missing."""
    with obj.store() as (_, store):
        report = jobs.import_trade(
            store,
            list(files),
            indicator=indicator,
            country=country,
            watchlist=watchlist,
            flow=flow,
            freq=freq,
            value=value,
            case=case_slug,
            replace=replace,
            quality=quality,
        )
    _print_import(report, as_json=as_json)


def _bands(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> dict[str, int] | None:
    if not value:
        return None
    try:
        return {k.strip(): int(v) for k, v in (part.split("=") for part in value.split(","))}
    except ValueError:
        raise click.BadParameter(f"{value!r}: give name=band pairs, e.g. red=3,nir=4") from None


bands_option = click.option(
    "--bands",
    callback=_bands,
    metavar="NAME=N,…",
    help="Band numbers, e.g. red=3,nir=4,swir1=5,blue=1.",
)


@cli.group("imagery")
def imagery_cmd() -> None:
    """Satellite scenes: zonal statistics per site, spectral indices, change maps."""


@imagery_cmd.command("stats")
@click.argument("scenes", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--indicator", required=True, metavar="KEY", help="Store the values as this indicator."
)
@click.option(
    "--sites",
    "sites_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="GeoJSON site polygons (default: the case file's site polygons).",
)
@click.option(
    "--statistic",
    type=click.Choice(["mean", "sum", "median", "max", "min", "count"]),
    default="mean",
    show_default=True,
    help="The value stored (all are kept as provenance).",
)
@click.option("--time", "when", help="Acquisition time, when the file carries none (ISO).")
@click.option("--band", type=click.IntRange(min=1), default=1, show_default=True)
@click.option(
    "--cloud-mask",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Raster on the scene's grid; non-zero = cloud.",
)
@case_option
@click.option("--replace", is_flag=True, help="Overwrite values that differ from stored ones.")
@json_option
@pass_ctx
def imagery_stats_cmd(
    obj: Context,
    scenes: tuple[Path, ...],
    indicator: str,
    sites_path: Path | None,
    statistic: str,
    when: str | None,
    band: int,
    cloud_mask: Path | None,
    case_slug: str | None,
    replace: bool,
    as_json: bool,
) -> None:
    """Zonal statistics (count, mean, sum, percentiles, valid fraction) of GeoTIFF/COG scenes
    over site polygons, read window by window; results become observations."""
    from datetime import UTC, datetime

    at = None
    if when:
        try:
            at = datetime.fromisoformat(when)
        except ValueError:
            raise click.BadParameter(f"{when!r} is not an ISO date or time") from None
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
    stat = "p50" if statistic == "median" else statistic
    with obj.store() as (_, store):
        report = jobs.import_scenes(
            store,
            list(scenes),
            indicator=indicator,
            case=case_slug,
            sites_path=sites_path,
            statistic=stat,
            when=at,
            band=band,
            cloud_mask=cloud_mask,
            replace=replace,
        )
    _print_import(report, as_json=as_json)


@imagery_cmd.command("index")
@click.argument("scene", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--index",
    "index_name",
    required=True,
    type=click.Choice(["NDVI", "NDBI", "BSI"], case_sensitive=False),
)
@bands_option
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
def imagery_index_cmd(
    scene: Path, index_name: str, bands: dict[str, int] | None, out_path: Path
) -> None:
    """Write a spectral index of a multispectral scene as a GeoTIFF (NDVI, NDBI, bare-soil BSI)."""
    from watchboard import imagery

    if not bands:
        raise click.UsageError("give --bands, e.g. red=3,nir=4,swir1=5,blue=1")
    written = imagery.compute_index(scene, index_name, bands, out_path)
    out.print(f"wrote {written}")


@imagery_cmd.command("change")
@click.argument("before", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("after", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--threshold", type=float, required=True, help="Smallest difference counted as change."
)
@click.option(
    "--index", "index_name", type=click.Choice(["NDVI", "NDBI", "BSI"], case_sensitive=False)
)
@bands_option
@click.option(
    "--out",
    "out_tif",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Change GeoTIFF.",
)
@click.option(
    "--png",
    "out_png",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Quick-look PNG (default: next to --out).",
)
@json_option
def imagery_change_cmd(
    before: Path,
    after: Path,
    threshold: float,
    index_name: str | None,
    bands: dict[str, int] | None,
    out_tif: Path,
    out_png: Path | None,
    as_json: bool,
) -> None:
    """A change map between two dates: after − before (of an index, or band 1), thresholded:
    1 increase, 2 decrease, 0 none, 255 no data; a GeoTIFF and a PNG quick-look."""
    from watchboard import imagery

    png = out_png or out_tif.with_suffix(".png")
    summary = imagery.change_map(
        before, after, out_tif, png, threshold=threshold, index=index_name, bands=bands
    )
    if as_json:
        print_json(summary)
        return
    area = (
        f"; {summary.increased * summary.pixel_area_m2:,.0f} m² up, "
        f"{summary.decreased * summary.pixel_area_m2:,.0f} m² down"
        if summary.pixel_area_m2
        else ""
    )
    out.print(
        f"{summary.measure}: {summary.increased} pixels up, {summary.decreased} down, "
        f"{summary.nodata} no data of {summary.pixels}{area}; wrote {out_tif} and {png}"
    )


@cli.command("chart")
@click.argument("indicator")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["svg", "png"]), default=None, help="Default: from --out."
)
@case_option
@pass_ctx
def chart_cmd(
    obj: Context, indicator: str, out_path: Path, fmt: str | None, case_slug: str | None
) -> None:
    """Chart an indicator: its series, detected changes, milestone windows and the dates of
    claims about its site (SVG is self-contained; PNG for documents)."""
    chosen = fmt or ("png" if out_path.suffix.lower() == ".png" else "svg")
    with obj.store() as (_, store):
        written = jobs.chart(store, indicator, out_path, case=case_slug, fmt=chosen)
    out.print(f"wrote {written}")
