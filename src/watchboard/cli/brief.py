"""Brief and interchange commands: brief, export, import."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from watchboard.cli import Context, cli, err, json_option, out, pass_ctx, print_json
from watchboard.cli.assess import as_of_option
from watchboard.jobs import brief as jobs

_SUFFIX = {"html": ".html", "pdf": ".pdf", "md": ".md"}
_EXPORT_SUFFIX = {
    "json": ".json",
    "stix": ".stix.json",
    "geojson": ".geojson",
    "tables": ".tables.json",
    "csv": "",
}


@cli.command("brief")
@click.argument("case", required=False, metavar="[CASE]")
@click.option(
    "--format",
    "formats",
    type=click.Choice(jobs.FORMATS),
    multiple=True,
    help="html (one self-contained file), pdf or md; repeat for several [default: html].",
)
@as_of_option
@click.option(
    "--template",
    "template_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder of templates overriding the built-in ones (brief.html.j2, brief.css, "
    "brief.md.j2).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="File to write (one format) or folder [default: WORKSPACE/briefs/].",
)
@json_option
@pass_ctx
def brief_cmd(
    obj: Context,
    case: str | None,
    formats: tuple[str, ...],
    as_of: date | None,
    template_dir: Path | None,
    output: Path | None,
    as_json: bool,
) -> None:
    """Write the case's brief: bottom line in estimative language, key facts, timeline and
    milestones, map, indicators, what not to take at face value, gaps, sources, and a note
    with the exact quote behind every cited sentence.

    CASE is the case's slug (optional when the workspace has one case). With --as-of the
    brief is the one an analyst could have written at the end of that day. Nothing is
    stored in the workspace.
    """
    formats = formats or ("html",)
    with obj.store() as (settings, store):
        brief = jobs.make_brief(store, settings, case, as_of=as_of)
    if output is not None and len(formats) == 1 and output.suffix:
        targets = {formats[0]: output}
    else:
        folder = output or (obj.workspace / "briefs")
        stem = f"{brief.case.slug}-{brief.as_of:%Y-%m-%d}"
        targets = {fmt: folder / f"{stem}{_SUFFIX[fmt]}" for fmt in formats}
    written = [
        jobs.write_brief(brief, path, fmt, template_dir=template_dir)
        for fmt, path in targets.items()
    ]
    if as_json:
        print_json(
            {
                "case": brief.case.slug,
                "as_of": brief.as_of,
                "replay": brief.replay,
                "counts": brief.counts,
                "warnings": brief.warnings,
                "files": [{"format": w.format, "path": w.path, "bytes": w.bytes} for w in written],
            }
        )
        return
    for warning in brief.warnings:
        err.print(f"note: {warning}", markup=False)
    for w in written:
        out.print(f"{w.format:<4} {w.path} ({w.bytes:,} bytes)", markup=False)
        for extra in w.extra:
            out.print(f"     {extra}", markup=False)


@cli.command("export")
@click.argument("case", required=False, metavar="[CASE]")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(jobs.EXPORT_FORMATS),
    default="json",
    show_default=True,
    help="json: the whole case, lossless ('watchboard import' reads it back); stix: STIX 2.1 "
    "bundle; geojson: sites and geolocated claims; csv: claims, milestones, observations and "
    "alerts as CSV files in a folder; tables: those four tables as one JSON file.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File (folder for csv).")
@json_option
@pass_ctx
def export_cmd(
    obj: Context, case: str | None, fmt: str, output: Path | None, as_json: bool
) -> None:
    """Export a case for other tools or another workspace."""
    with obj.store() as (_, store):
        if output is None:
            slug = jobs.case_snapshot_slug(store, case)
            output = obj.workspace / "exports" / f"{slug}{_EXPORT_SUFFIX[fmt]}"
            if fmt == "csv":
                output = obj.workspace / "exports" / f"{slug}-csv"
        written = jobs.export_case(store, output, fmt, case)
    if as_json:
        print_json({"format": fmt, "files": written})
        return
    for path in written:
        out.print(f"{fmt:<7} {path} ({path.stat().st_size:,} bytes)", markup=False)


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@pass_ctx
def import_cmd(obj: Context, file: Path, as_json: bool) -> None:
    """Import a case exported with 'watchboard export --format json' (all or nothing).

    The case must not exist here yet; sources already registered keep this workspace's
    grades.
    """
    with obj.store() as (_, store):
        result = jobs.import_case(store, file)
    if as_json:
        print_json(result)
        return
    total = sum(result["rows"].values())
    out.print(f"imported case {result['case']}: {total:,} rows", markup=False)
    for name, n in result["rows"].items():
        out.print(f"  {name:<22} {n:>7,}", markup=False)
