"""Indicator commands: indicators, observe, detect, changes."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from watchboard.cli import Context, cli, out, pass_ctx, print_json
from watchboard.jobs import indicators as jobs

case_option = click.option("--case", "case_slug", metavar="SLUG", help="The case (if several).")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


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
    if as_json:
        print_json(report)
        return
    out.print(report.summary())
    for warning in report.warnings:
        out.print(f"  warning: {warning}", markup=False)


@observe_cmd.command("show")
@click.argument("indicator")
@case_option
@json_option
@pass_ctx
def observe_show_cmd(obj: Context, indicator: str, case_slug: str | None, as_json: bool) -> None:
    """An indicator's series with each value's provenance."""
    with obj.store() as (_, store):
        rows = jobs.get_series(store, indicator, case_slug)
    if as_json:
        print_json(rows)
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
        )
    if as_json:
        print_json(report)
        return
    out.print(report.summary())
    for warning in report.warnings:
        out.print(f"  {warning}", markup=False)
