"""The command line: thin commands over ``watchboard.jobs``. Only this module prints."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from watchboard import __version__, jobs
from watchboard.errors import InputError, WatchboardError
from watchboard.ingest import parse_datetime
from watchboard.model import Document
from watchboard.model.claim import MODALITIES
from watchboard.store import Store

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Context:
    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace

    @contextmanager
    def store(self) -> Iterator[tuple[Any, Store]]:
        settings, store = jobs.open_workspace(self.workspace)
        try:
            yield settings, store
        finally:
            store.close()


pass_ctx = click.make_pass_decorator(Context)
case_option = click.option("--case", "case_slug", metavar="SLUG", help="The case (if several).")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, bytes):
        return None
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, default=_json_default, ensure_ascii=False, indent=2))


def doc_summary(doc: Document, *, with_text: bool = False) -> dict[str, Any]:
    data = asdict(doc)
    if not with_text:
        data.pop("text")
    return data


def _fmt_date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "—"


class WatchboardGroup(click.Group):
    """Turns Watchboard errors into one line on stderr and a non-zero exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WatchboardError as error:
            err.print(f"[red]error:[/red] {error}", markup=True)
            sys.exit(1)
        except KeyboardInterrupt:
            err.print("interrupted; nothing half-written was kept")
            sys.exit(130)


@click.group(cls=WatchboardGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-w",
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("WATCHBOARD_WORKSPACE", "."),
    show_default="$WATCHBOARD_WORKSPACE or the current directory",
    help="The workspace directory (holds watchboard.toml).",
)
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
@click.version_option(__version__, prog_name="watchboard")
@click.pass_context
def cli(ctx: click.Context, workspace: Path, verbose: int) -> None:
    """Watchboard: track a declared programme from open sources, with evidence.

    Start with 'watchboard init DIR', then 'watchboard -w DIR case load case.yaml' and
    'watchboard -w DIR ingest PATH|URL|-'. 'watchboard demo' builds the DPRK 2026 demo case.
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(
        level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s"
    )
    ctx.obj = Context(workspace)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--database",
    metavar="URL",
    help="Use a PostgreSQL server (postgresql://user@host/db) instead of the embedded SQLite file.",
)
def init(directory: Path, database: str | None) -> None:
    """Create a workspace in DIRECTORY (SQLite by default) and migrate its database."""
    settings = jobs.init_workspace(directory, database_url=database)
    out.print(f"workspace ready: {settings.workspace.resolve()}")
    with Store.open(settings.database_url) as store:
        out.print(f"database: {store.engine.url.render_as_string(hide_password=True)}")


@cli.command()
@pass_ctx
def migrate(obj: Context) -> None:
    """Apply pending schema migrations to the workspace's database."""
    applied = jobs.migrate_workspace(obj.workspace)
    out.print(f"applied migrations: {applied}" if applied else "schema is up to date")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def status(obj: Context, as_json: bool) -> None:
    """Where the workspace is and what it holds."""
    with obj.store() as (settings, store):
        info = jobs.describe_workspace(settings, store)
    if as_json:
        print_json(info)
        return
    out.print(f"workspace: {info['workspace']}")
    out.print(f"database:  {info['database']} ({info['backend']})")
    out.print(
        f"{info['documents']} documents ({info['versions']} versions), "
        f"{info['near_duplicate_clusters']} near-duplicate clusters, {info['sources']} sources, "
        f"{len(info['cases'])} cases"
    )
    for case in info["cases"]:
        out.print(f"  case {case['slug']}: {case['title']} — {case['documents']} documents")


# -- cases ---------------------------------------------------------------------------------


@cli.group()
def case() -> None:
    """Load and inspect case files."""


@case.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the stored case as JSON.")
@pass_ctx
def case_load(obj: Context, path: Path, as_json: bool) -> None:
    """Validate a case file (YAML) and store the case, its sources, sites, milestones,
    indicators and hypotheses. Re-loading replaces what the file declares."""
    with obj.store() as (_, store):
        details = jobs.load_case(store, path)
    if as_json:
        print_json(details)
        return
    out.print(
        f"loaded case {details['slug']}: {details['sources']} sources, {details['sites']} sites, "
        f"{details['milestones']} milestones, {details['indicators']} indicators, "
        f"{details['hypotheses']} hypotheses"
    )


@case.command("check")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def case_check(path: Path) -> None:
    """Validate a case file without loading it: every problem, one line each (file:line: field:
    reason); exit status 1 when there is any."""
    problems = jobs.check_case(path)
    for problem in problems:
        err.print(problem, markup=False)
    if problems:
        sys.exit(1)
    out.print(f"{path}: valid")


@case.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def case_list(obj: Context, as_json: bool) -> None:
    """List the workspace's cases."""
    with obj.store() as (_, store):
        rows = jobs.list_cases(store)
    if as_json:
        print_json(rows)
        return
    table = Table("slug", "title", "documents", "sites", "milestones", box=None)
    for row in rows:
        table.add_row(
            row["slug"],
            row["title"],
            str(row["documents"]),
            str(row["sites"]),
            str(row["milestones"]),
        )
    out.print(table)


@case.command("show")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def case_show(obj: Context, slug: str, as_json: bool) -> None:
    """Show a case with its sites, milestones, indicators and hypotheses."""
    with obj.store() as (_, store):
        details = jobs.case_details(store, slug)
    if as_json:
        print_json(details)
        return
    out.print(f"[bold]{details['title']}[/bold] ({details['slug']})")
    for key in ("question", "region", "start", "end"):
        if details.get(key):
            out.print(f"{key}: {details[key]}")
    for section, label in (("sites", "name"), ("milestones", "title"), ("indicators", "name")):
        out.print(f"\n{section}:")
        for row in details[section]:
            extra = ""
            if section == "milestones":
                extra = f"  due {row['due_start'] or '?'} .. {row['due_end'] or '?'}"
            out.print(f"  {row['key']}: {row[label]}{extra}")
    out.print("\nhypotheses:")
    for row in details["hypotheses"]:
        out.print(f"  {row['key']}: {row['text']}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def sources(obj: Context, as_json: bool) -> None:
    """List the source registry with reliability grades and independence groups."""
    with obj.store() as (_, store):
        rows = jobs.list_sources(store)
    if as_json:
        print_json(rows)
        return
    table = Table("source", "kind", "grade", "independence group", "documents", "domains", box=None)
    for row in rows:
        table.add_row(
            row["name"],
            row["kind"],
            row["reliability"],
            row["independence_group"],
            str(row["documents"]),
            ", ".join(row["domains"]),
        )
    out.print(table)


# -- ingestion -----------------------------------------------------------------------------


def _parse_published(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    try:
        return parse_datetime(value, label="--published", strict=True)
    except InputError as error:
        raise click.BadParameter(error.reason) from error


def _parse_fields(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> Any:
    mapping = {}
    for value in values:
        ours, sep, theirs = value.partition("=")
        if not sep or not ours or not theirs:
            raise click.BadParameter(f"{value!r}: expected OURS=THEIRS, e.g. text=body")
        mapping[ours.strip()] = theirs.strip()
    return mapping or None


@cli.command("ingest")
@click.argument("targets", nargs=-1, required=True)
@click.option("--source", metavar="NAME", help="Attribute every document to this source.")
@click.option(
    "--published",
    metavar="DATE",
    callback=_parse_published,
    help="Publication date/time for every document (ISO 8601), overriding metadata.",
)
@click.option(
    "--case",
    "case_slug",
    metavar="SLUG",
    help="Attach documents to this case "
    "(default: the workspace's only case, if it has exactly one).",
)
@click.option("--fetch-links", is_flag=True, help="For feeds: fetch each entry's linked page.")
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="OURS=THEIRS",
    callback=_parse_fields,
    help="JSON Lines field mapping, e.g. --field text=body --field published=date.",
)
@click.option("--max-bytes", type=click.IntRange(min=1), help="Size cap per file or download.")
@click.option("-q", "--quiet", is_flag=True, help="Print only failures and the summary.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report.")
@pass_ctx
def ingest_cmd(
    obj: Context,
    targets: tuple[str, ...],
    source: str | None,
    published: datetime | None,
    case_slug: str | None,
    fetch_links: bool,
    fields: dict[str, str] | None,
    max_bytes: int | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Read files, directories (recursively), URLs, RSS/Atom feeds, JSON Lines corpora or
    '-' (standard input) and store each document with its provenance.

    Identical content is skipped; changed content at the same URL or path becomes a new
    version. Prints a line per item and a summary; exits 1 if any item failed.
    """
    options = jobs.IngestOptions(
        source=source,
        published=published,
        case=case_slug,
        fetch_links=fetch_links,
        jsonl_fields=fields,
    )
    items: list[dict[str, Any]] = []
    with obj.store() as (settings, store):
        if max_bytes:
            settings = settings.with_overrides(max_bytes=max_bytes)
        with _progress(enabled=not as_json) as advance:

            def on_item(item: jobs.ItemResult) -> None:
                advance(item)
                if as_json:
                    items.append(item.as_dict())
                else:
                    _print_item(item, quiet=quiet)

            stdin = sys.stdin.buffer if "-" in targets else None
            report = jobs.ingest_inputs(
                store, settings, targets, options=options, stdin=stdin, on_item=on_item
            )
    if as_json:
        print_json({"counts": report.counts, "bytes": report.bytes, "items": items})
    else:
        err.print(f"ingest: {report.summary()}")
    if not report.ok:
        sys.exit(1)


def _print_item(item: jobs.ItemResult, *, quiet: bool) -> None:
    if item.status == "failed":
        err.print(f"failed    {item.label}: {item.reason}", markup=False, style="red")
        return
    if item.status == "skipped":
        if not quiet:
            err.print(f"skipped   {item.label}: {item.reason}", markup=False)
        return
    if quiet:
        return
    title = f" — {item.title}" if item.title else ""
    version = f" v{item.version}" if item.status == "updated" else ""
    source = f" [{item.source}]" if item.source else ""
    out.print(
        f"{item.status:<9} {item.document_id}{version}{source} {item.label}{title}", markup=False
    )
    for warning in item.warnings:
        err.print(f"          warning: {warning}", markup=False)


@contextmanager
def _progress(*, enabled: bool) -> Iterator[Callable[[jobs.ItemResult], None]]:
    """A progress line on a terminal; nothing at all when output is piped."""
    if not (enabled and err.is_terminal):
        yield lambda _item: None
        return
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} items"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    with progress:
        task = progress.add_task("ingesting", total=None)
        yield lambda item: progress.update(
            task, advance=1, description=f"ingesting {item.label[-40:]}"
        )


# -- documents -----------------------------------------------------------------------------


@cli.command()
@click.option("--case", "case_slug", metavar="SLUG", help="Only this case's documents.")
@click.option("--source", metavar="NAME", help="Only this source's documents.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N documents.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip N documents.")
@click.option("--clusters", is_flag=True, help="Show near-duplicate clusters instead.")
@click.option("--all-clusters", is_flag=True, help="With --clusters, include single documents.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def docs(
    obj: Context,
    case_slug: str | None,
    source: str | None,
    limit: int | None,
    offset: int,
    clusters: bool,
    all_clusters: bool,
    as_json: bool,
) -> None:
    """List documents (newest first), or near-duplicate clusters with --clusters."""
    with obj.store() as (_, store):
        if clusters:
            groups = jobs.list_clusters(store, case=case_slug, min_size=1 if all_clusters else 2)
            if as_json:
                print_json(
                    [
                        {
                            "cluster": g[0].cluster_id,
                            "size": len(g),
                            "documents": [doc_summary(d) for d in g],
                        }
                        for g in groups
                    ]
                )
                return
            if not groups:
                out.print("no near-duplicate clusters")
            for group in groups:
                out.print(f"cluster {group[0].cluster_id} ({len(group)} documents)")
                for doc in group:
                    out.print(
                        f"  {doc.id}  {_fmt_date(doc.published_at)}  {doc.source:<20} "
                        f"{doc.title or doc.key}",
                        markup=False,
                    )
            return
        documents = jobs.list_documents(
            store, case=case_slug, source=source, limit=limit, offset=offset
        )
    if as_json:
        print_json([doc_summary(d) for d in documents])
        return
    table = Table("id", "published", "source", "v", "words", "cluster", "title", box=None)
    for doc in documents:
        cluster = doc.cluster_id if doc.cluster_id != doc.id else ""
        table.add_row(
            doc.id,
            _fmt_date(doc.published_at),
            doc.source,
            str(doc.versions),
            str(doc.word_count),
            cluster or "",
            doc.title or doc.key,
        )
    out.print(table)


@cli.command()
@click.argument("doc")
@click.option("--version", "version", type=click.IntRange(min=1), help="Show this version.")
@click.option("--raw", is_flag=True, help="Write the raw bytes as received to stdout.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with the text).")
@pass_ctx
def show(obj: Context, doc: str, version: int | None, raw: bool, as_json: bool) -> None:
    """Show a document (by id, id prefix or URL) with its provenance and text."""
    from watchboard.jobs.assess import document_anachronisms

    with obj.store() as (_, store):
        document = jobs.show_document(store, doc, version=version)
        if raw:
            sys.stdout.buffer.write(jobs.raw_bytes(store, document))
            return
        flags = document_anachronisms(store, document.id)
    if as_json:
        print_json({**doc_summary(document, with_text=True), "anachronisms": flags})
        return
    rows = [
        ("id", document.id),
        ("title", document.title),
        ("source", f"{document.source} (matched by {document.source_match})"),
        ("url", document.url),
        ("key", document.key),
        ("published", document.published_at.isoformat() if document.published_at else "unknown"),
        ("retrieved", document.retrieved_at.isoformat()),
        ("author", document.author),
        ("version", f"{document.version} of {document.versions}"),
        ("extractor", f"{document.extractor} ({document.media_type})"),
        ("encoding", document.encoding),
        ("raw sha256", document.blob_sha256),
        ("cluster", document.cluster_id),
        ("case", document.case),
        ("words", str(document.word_count)),
    ]
    for name, value in rows:
        if value:
            out.print(f"{name + ':':<12} {value}", markup=False)
    for warning in document.warnings:
        out.print(f"{'warning:':<12} {warning}", markup=False)
    for flag in flags:
        out.print(f"{'anachronism:':<12} {flag['kind']}: {flag['detail']}", markup=False)
    out.print("")
    out.print(document.text, markup=False)


@cli.command()
@click.argument("doc")
@click.option("--from", "old", type=click.IntRange(min=1), help="Old version (default: previous).")
@click.option("--to", "new", type=click.IntRange(min=1), help="New version (default: latest).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def diff(obj: Context, doc: str, old: int | None, new: int | None, as_json: bool) -> None:
    """Show what changed between two versions of a document (metadata and a unified diff)."""
    with obj.store() as (_, store):
        result = jobs.diff_document(store, doc, old=old, new=new)
    if as_json:
        print_json(
            {
                "document": result.document_id,
                "from": result.old.version,
                "to": result.new.version,
                "metadata": {k: list(v) for k, v in result.metadata.items()},
                "diff": result.text_diff,
            }
        )
        return
    for name, (before, after) in result.metadata.items():
        out.print(f"{name}: {before!r} -> {after!r}", markup=False)
    if not result.text_diff:
        out.print("text unchanged")
    for line in result.text_diff:
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else None
        out.print(line, style=style, markup=False)


@cli.command()
@click.argument("query")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--case", "case_slug", metavar="SLUG", help="Only this case's documents.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def search(obj: Context, query: str, limit: int, case_slug: str | None, as_json: bool) -> None:
    """Full-text search, ranked, with snippets. Words must all match; "a phrase", OR and
    -word work as in web search."""
    with obj.store() as (_, store):
        hits = jobs.search(store, query, limit=limit, case=case_slug)
    if as_json:
        print_json(
            [{"rank": h.rank, "snippet": h.snippet, **doc_summary(h.document)} for h in hits]
        )
        return
    if not hits:
        out.print("no matches")
    for hit in hits:
        doc = hit.document
        out.print(
            f"{doc.id}  {_fmt_date(doc.published_at)}  {doc.source}  {doc.title or doc.key}",
            markup=False,
        )
        out.print(f"    {hit.snippet}", markup=False)


# -- extraction ----------------------------------------------------------------------------


@cli.command()
@click.argument("docs", nargs=-1)
@click.option("--case", "case_slug", metavar="SLUG", help="Only this case's documents.")
@click.option("--force", is_flag=True, help="Re-extract even documents that are up to date.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report.")
@pass_ctx
def extract(
    obj: Context, docs: tuple[str, ...], case_slug: str | None, force: bool, as_json: bool
) -> None:
    """Extract claims from documents (all, or the DOCS given by id, prefix or URL).

    Documents already extracted by the same pipeline version are skipped; a new document
    version or a changed pipeline (components, rule data, source registry) re-extracts.
    """
    with obj.store() as (_, store), _progress(enabled=not as_json) as advance:
        report = jobs.extract_documents(
            store,
            refs=docs,
            case=case_slug,
            force=force,
            on_document=lambda doc_id, n: advance(jobs.ItemResult("new", doc_id)),
        )
    if as_json:
        print_json(
            {
                "extracted": report.extracted,
                "up_to_date": report.up_to_date,
                "claims": report.claims,
                "pipeline_version": report.pipeline_version,
                "warnings": [{"document": d, "warning": w} for d, w in report.warnings],
            }
        )
        return
    for doc_id, warning in report.warnings:
        err.print(f"warning   {doc_id}: {warning}", markup=False)
    err.print(
        f"extract: {report.extracted} documents extracted ({report.claims} claims), "
        f"{report.up_to_date} up to date; pipeline {report.pipeline_version}"
    )


@cli.command()
@click.option("--doc", "document", metavar="DOC", help="Only this document's claims.")
@click.option("--case", "case_slug", metavar="SLUG", help="Only this case's claims.")
@click.option("--outlet", metavar="NAME", help="Only claims in documents from this source.")
@click.option("--asserted-by", metavar="TEXT", help="Only claims asserted by (name contains).")
@click.option(
    "--event-type", metavar="TYPE", help="Only this event type (see extract/data/events.yaml)."
)
@click.option("--modality", type=click.Choice(list(MODALITIES)), help="Only this modality.")
@click.option(
    "--max-credibility",
    type=click.IntRange(1, 6),
    help="Only claims graded this credible or better (1 confirmed … 6 cannot be judged; "
    "needs 'watchboard assess').",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N claims.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip N claims.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (every field with spans).")
@pass_ctx
def claims(
    obj: Context,
    document: str | None,
    case_slug: str | None,
    outlet: str | None,
    asserted_by: str | None,
    event_type: str | None,
    modality: str | None,
    max_credibility: int | None,
    limit: int | None,
    offset: int,
    as_json: bool,
) -> None:
    """List claims: who asserts what, how, about what kind of event, when, where, how many,
    and (after 'watchboard assess') their Admiralty rating."""
    with obj.store() as (_, store):
        rows = jobs.list_claims(
            store,
            document=document,
            case=case_slug,
            outlet=outlet,
            asserted_by=asserted_by,
            event_type=event_type,
            modality=modality,
            max_credibility=max_credibility,
            limit=limit,
            offset=offset,
        )
    if as_json:
        print_json([_claim_json(r) for r in rows])
        return
    if not rows:
        out.print("no claims (run 'watchboard extract' first?)")
    for row in rows:
        data = row["data"]
        chain = " → ".join(row["attribution"])
        whens = ", ".join(t["value"] for t in data["times"])
        wheres = ", ".join((p.get("name") or p["mention"]["span"]["text"]) for p in data["places"])
        amounts = ", ".join(q["span"]["text"] for q in data["quantities"])
        rating = f"  [{row['rating']}]" if row.get("rating") else ""
        out.print(
            f"[bold]{row['id']}[/bold]{rating}  {row['event_type'] or '—'} · {row['modality']} "
            f"· {chain}",
            highlight=False,
            markup=True,
        )
        out.print(f"    “{row['quote']}”", markup=False)
        details = [
            f"when: {whens}" if whens else "",
            f"where: {wheres}" if wheres else "",
            f"how many: {amounts}" if amounts else "",
        ]
        if any(details):
            out.print("    " + "  ".join(d for d in details if d), markup=False)


def _claim_json(row: dict[str, Any]) -> dict[str, Any]:
    data = dict(row["data"])
    return {
        "id": row["id"],
        "document_id": row["document_id"],
        "version": row["version"],
        "start": row["start"],
        "end": row["end"],
        "quote": row["quote"],
        "attribution": row["attribution"],
        "asserted_by": row["asserted_by"],
        "source_identified": row["source_identified"],
        "modality": row["modality"],
        "event_type": row["event_type"],
        "outlet": row["outlet"],
        "title": row["title"],
        "published_at": row["published_at"],
        "pipeline_version": row["pipeline_version"],
        "credibility": row.get("credibility"),
        "rating": row.get("rating"),
        "negated": data.get("negated", False),
        "undisclosed": data.get("extra", {}).get("undisclosed", False),
        **{
            k: data[k]
            for k in (
                "times",
                "places",
                "quantities",
                "actors",
                "attribution_spans",
                "modality_cue",
                "event_cue",
                "explain",
            )
        },
    }


@cli.command()
@click.argument("claim")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def explain(obj: Context, claim: str, as_json: bool) -> None:
    """Show which component and rule produced each field of a claim, with its exact span."""
    from watchboard.jobs.assess import claim_assessment

    with obj.store() as (_, store):
        row = jobs.get_claim(store, claim)
        graded = claim_assessment(store, row["id"])
    data = _claim_json(row)
    data["assessment"] = graded
    if as_json:
        print_json(data)
        return
    out.print(
        f"claim {row['id']} in document {row['document_id']} v{row['version']} "
        f"({row['outlet']}), characters {row['start']}–{row['end']}",
        markup=False,
    )
    out.print(f"“{row['quote']}”\n", markup=False)
    explain_map = data["explain"]
    out.print(
        f"asserted by:  {' → '.join(row['attribution'])}"
        + ("" if row["source_identified"] else "  (source not identified)"),
        markup=False,
    )
    out.print(f"    why: {explain_map.get('attribution')}", markup=False)
    spans = data["attribution_spans"]
    if spans:
        for role in ("source", "cue", "content"):
            if spans.get(role):
                s = spans[role]
                out.print(f"    {role}: [{s['start']}–{s['end']}] “{s['text']}”", markup=False)
    out.print(
        f"modality:     {row['modality']}    why: {explain_map.get('modality')}", markup=False
    )
    out.print(
        f"event type:   {row['event_type'] or 'none'}    why: {explain_map.get('event_type')}",
        markup=False,
    )
    for t in data["times"]:
        interval = f"{t['start']}..{t['end']}" if t["start"] else "no interval"
        out.print(
            f"time:         “{t['span']['text']}” → {t['type']} {t['value']}"
            f"{' ' + t['mod'] if t['mod'] else ''} ({interval}, {t['granularity']}) "
            f"rule {t['rule']}",
            markup=False,
        )
    for p in data["places"]:
        where = (
            f"{p['name']} ({p['lat']:.3f}, {p['lon']:.3f}) geonames {p['geonames_id']} "
            f"confidence {p['confidence']:.2f}"
            if p["resolved"]
            else "unresolved"
        )
        out.print(
            f"place:        “{p['mention']['span']['text']}” → {where} rule {p['rule']}",
            markup=False,
        )
    for q in data["quantities"]:
        value = q["value"] if q["value"] is not None else f"{q['low']}–{q['high']}"
        out.print(
            f"quantity:     “{q['span']['text']}” → {value} {q['unit'] or q['counted'] or ''}"
            f"{' per ' + q['per'] if q['per'] else ''} ({q['bound']}) rule {q['rule']}",
            markup=False,
        )
    for a in data["actors"]:
        out.print(
            f"actor:        “{a['span']['text']}” → {a['name']} ({a['kind']}) rule {a['rule']}",
            markup=False,
        )
    if graded is None:
        out.print("grade:        not assessed yet (run 'watchboard assess')")
        return
    out.print(f"grade:        {graded['rating']}", markup=False)
    for line in graded["data"]["explain"]:
        out.print(f"    {line}", markup=False)
    for m in graded["data"]["matches"]:
        out.print(f"    matches {m['claim']}: {m['why']}", markup=False)
    for c in graded["contradictions"]:
        other = c["claim_b"] if c["claim_a"] == row["id"] else c["claim_a"]
        out.print(f"    contradiction ({c['kind']}) with {other}: {c['detail']}", markup=False)
    for x in graded["anachronisms"]:
        out.print(f"    anachronism ({x['kind']}): {x['detail']}", markup=False)


# -- evaluation ----------------------------------------------------------------------------

_EVALUATORS = {
    "time": "watchboard.evaluation.timeml",
    "places": "watchboard.evaluation.geo",
    "attribution": "watchboard.evaluation.attribution",
    "quantities": "watchboard.evaluation.quantities",
}


@cli.command("eval", context_settings={"ignore_unknown_options": True})
@click.argument("kind", type=click.Choice(sorted(_EVALUATORS)))
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def eval_cmd(kind: str, args: tuple[str, ...]) -> None:
    """Score extraction on an annotated gold set and print metrics, a per-category error
    breakdown and a sample of errors.

    \b
    time         TimeML (.tml files or directories): span P/R/F1 (strict, relaxed), value F1
    places       geoparsing XML (LGL/GeoVirus family): accuracy@161 km, exact GeoNames id;
                 --mode gold (given gold spans) or e2e
    attribution  BRAT standoff directory (text/ + attributions/): source, cue, content and
                 triple P/R/F1, exact and overlap
    quantities   quantulum3-style JSON: value+unit accuracy, ranges with both ends

    Options after PATH go to the evaluator (--json, --errors N, --mode ...); see
    'watchboard eval KIND --help'. 'make eval' runs all four on the development sets.
    """
    import importlib

    module = importlib.import_module(_EVALUATORS[kind])
    code = module.main(list(args))
    sys.exit(code or 0)


# -- demo ----------------------------------------------------------------------------------


@cli.command()
@click.argument(
    "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-workspace")
)
@click.option("--database", metavar="URL", help="Use a PostgreSQL server instead of SQLite.")
def demo(directory: Path, database: str | None) -> None:
    """Build the DPRK 2026 demo workspace in DIRECTORY from the shipped demonstration
    material, and print what it holds."""
    result = jobs.build_demo(directory, database_url=database, briefs=True, account=True)
    info = result.overview
    out.print(f"[bold]Watchboard demo[/bold]: case {jobs.DEMO_CASE} (demonstration material)")
    out.print(f"workspace: {info['workspace']}")
    out.print(f"database:  {info['database']}")
    out.print(f"ingest:    {result.ingest.summary()}")
    for failure in result.ingest.failures:
        out.print(f"  failed: {failure.label}: {failure.reason}", markup=False)
    with Store.open(result.settings.database_url) as store:
        registry = jobs.list_sources(store)
    used = [s for s in registry if s["documents"]]
    out.print(f"\nsources ({len(registry)} registered, {len(used)} with documents):")
    for s in used:
        out.print(
            f"  {s['name']:<28} {s['kind']:<12} grade {s['reliability']}  "
            f"group {s['independence_group']}  ({s['documents']} documents)",
            markup=False,
        )
    out.print(f"\ndocuments ({len(result.documents)}):")
    for doc in result.documents:
        out.print(
            f"  {doc.id}  {_fmt_date(doc.published_at)}  {doc.source:<22} {doc.title or doc.key}",
            markup=False,
        )
    out.print(f"\nnear-duplicate clusters ({len(result.clusters)}):")
    for group in result.clusters:
        out.print(
            f"  cluster {group[0].cluster_id}: " + ", ".join(f"{d.id} ({d.source})" for d in group),
            markup=False,
        )
    claims_by_modality: dict[str, int] = {}
    unidentified = 0
    for row in result.claims:
        claims_by_modality[row["modality"]] = claims_by_modality.get(row["modality"], 0) + 1
        unidentified += not row["source_identified"]
    out.print(
        f"\nclaims ({len(result.claims)}; pipeline {result.extraction.pipeline_version}): "
        + ", ".join(f"{n} {m}" for m, n in sorted(claims_by_modality.items(), key=lambda x: -x[1]))
    )
    out.print(f"  {unidentified} rest on a source the text does not identify")
    for row in [r for r in result.claims if r["modality"] in ("ordered", "planned")][:4]:
        chain = " → ".join(row["attribution"])
        out.print(
            f"  {row['id']}  {row['modality']:<8} {chain}: “{row['quote'][:90]}…”", markup=False
        )
    _print_demo_assessment(result.assessment)
    _print_demo_indicators(result)
    out.print("\nbrief (every sentence cites its quotes; open the HTML in a browser):")
    for path in result.briefs:
        out.print(f"  {path.resolve()}", markup=False)
    out.print("\nworkbench (web pages and API, on this machine only):")
    out.print(f"  watchboard -w {directory} serve --insecure-cookies", markup=False)
    out.print(
        f"  then open http://127.0.0.1:8000/ and sign in as {jobs.DEMO_USER} / "
        f"{jobs.DEMO_PASSWORD} (demo account; API docs at /api/docs)",
        markup=False,
    )
    out.print(
        f"\nnext: watchboard -w {directory} claims | explain CLAIM | contradictions | "
        "anachronisms | milestones | timeline | alerts | brief --format pdf | export"
    )
    if not result.ingest.ok:
        sys.exit(1)


# Command groups kept in their own modules register themselves on ``cli`` when imported.
from watchboard.cli import assess as _assess_commands  # noqa: E402, F401
from watchboard.cli import brief as _brief_commands  # noqa: E402, F401
from watchboard.cli import indicators as _indicator_commands  # noqa: E402, F401
from watchboard.cli import web as _web_commands  # noqa: E402, F401


def _print_demo_assessment(report: Any) -> None:
    from watchboard.assess.grading import GRADE_WORDS

    a = report.assessment
    by_grade: dict[int, int] = {}
    for g in a.grades.values():
        by_grade[g.credibility] = by_grade.get(g.credibility, 0) + 1
    out.print(
        "\nassessment: "
        + ", ".join(f"{by_grade[n]} graded {n} ({GRADE_WORDS[n]})" for n in sorted(by_grade))
    )
    unconfirmed = [g for g in a.grades.values() if g.credibility == 6]
    out.print(
        f"  {len(unconfirmed)} cannot be judged: they rest on unidentified or ungraded sources"
    )
    for c in a.contradictions[:3]:
        out.print(f"  contradiction ({c.kind}): {c.detail}", markup=False)
    if len(a.contradictions) > 3:
        out.print(f"  … {len(a.contradictions) - 3} more: watchboard contradictions")
    for x in a.anachronisms[:3]:
        out.print(f"  anachronism ({x.kind}): {x.detail}", markup=False)
    for m in a.milestones:
        out.print(f"  milestone {m.key}: {m.status} ({m.reason})", markup=False)
    out.print(f"  {len(report.new_alerts)} alerts raised: watchboard alerts")


def _print_demo_indicators(result: Any) -> None:
    from watchboard.report.brief import number

    out.print("\nindicators (SYNTHETIC demonstration data):")
    for imported in result.indicators:
        out.print(f"  {imported.summary()}", markup=False)
    for r in result.detected:
        out.print(
            f"  {r.indicator}: {r.detector} over {r.points} points: {len(r.changes)} change(s)",
            markup=False,
        )
        for c in r.changes[:3]:
            out.print(
                f"    {c['time']:%Y-%m-%d} {c['direction']} by {number(c['magnitude'])} "
                f"(score {c['score']:.1f}); alert raised once",
                markup=False,
            )


def main() -> None:
    cli(prog_name="watchboard")
