"""Assessment commands: assess, grade, contradictions, anachronisms, milestones, timeline,
alerts, audit."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import click
from rich.table import Table

from watchboard.assess.grading import GRADE_WORDS
from watchboard.cli import Context, case_option, cli, json_option, out, pass_ctx, print_json
from watchboard.jobs import assess as jobs

_AS_OF_HELP = (
    "Replay the workspace as it stood at the end of this day (YYYY-MM-DD): only documents "
    "published (or retrieved) by then and analysts' changes made by then; nothing is stored."
)


def _as_of(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


as_of_option = click.option("--as-of", callback=_as_of, metavar="DATE", help=_AS_OF_HELP)


def _grade_mix(report: jobs.AssessReport) -> str:
    counts = Counter(g.credibility for g in report.assessment.grades.values())
    return ", ".join(f"{counts[n]}×{n} {GRADE_WORDS[n]}" for n in sorted(counts))


def _summary(report: jobs.AssessReport) -> dict[str, Any]:
    a = report.assessment
    return {
        "case": a.case,
        "as_of": a.as_of,
        "stored": report.stored,
        "stats": a.stats,
        "credibility": dict(Counter(g.credibility for g in a.grades.values())),
        "contradictions": [c.__dict__ for c in a.contradictions],
        "anachronisms": [x.__dict__ for x in a.anachronisms],
        "milestones": [m.__dict__ for m in a.milestones],
        "suggestions": [s.__dict__ for s in a.suggestions],
        "new_alerts": report.new_alerts,
        "warnings": report.warnings,
        "seconds": round(report.seconds, 3),
    }


@cli.command("assess")
@case_option
@as_of_option
@click.option("--no-deliver", is_flag=True, help="Do not send pending alerts afterwards.")
@json_option
@pass_ctx
def assess_cmd(
    obj: Context, case_slug: str | None, as_of: date | None, no_deliver: bool, as_json: bool
) -> None:
    """Grade every claim of a case, match reports, find contradictions and anachronisms,
    compute milestone status and raise alerts.

    Without --as-of the results are stored (see 'claims', 'explain', 'alerts') and pending
    alerts are delivered to the channels in watchboard.toml.
    """
    with obj.store() as (settings, store):
        report = jobs.assess_case(store, settings, case_slug, as_of=as_of)
        delivered = None
        if report.stored and not no_deliver:
            delivered = jobs.deliver_alerts(store, settings)
    if as_json:
        data = _summary(report)
        data["delivery"] = delivered
        print_json(data)
        return
    a = report.assessment
    verb = "assessed" if report.stored else "replayed"
    out.print(
        f"{verb} case {a.case} as of {a.as_of}: {a.stats['claims']} claims, "
        f"{a.stats['matches']} cross-report matches ({report.seconds:.2f} s)"
    )
    for warning in report.warnings:
        out.print(f"  warning: {warning}", markup=False)
    out.print(f"credibility: {_grade_mix(report) or 'no claims'}")
    out.print(f"contradictions: {len(a.contradictions)}  anachronisms: {len(a.anachronisms)}")
    for m in a.milestones:
        out.print(f"  milestone {m.key}: {m.status} — {m.reason}", markup=False)
    if a.suggestions:
        out.print(
            f"{len(a.suggestions)} milestone suggestion(s) from projected claims "
            "(see 'watchboard milestones suggestions')"
        )
    if report.stored:
        out.print(f"new alerts: {len(report.new_alerts)}")
    if delivered is not None and (delivered.delivered or delivered.retrying or delivered.failed):
        out.print(
            f"delivery: {delivered.delivered} sent, {delivered.retrying} to retry, "
            f"{delivered.failed} failed"
        )
        for error in delivered.errors[:5]:
            out.print(f"  {error}", markup=False)


@cli.command("grade")
@click.argument("claim")
@click.argument("credibility", type=click.Choice(["1", "2", "3", "4", "5", "6", "clear"]))
@click.option("--reason", required=True, help="Why (kept in the audit log).")
@click.option("--by", "actor", metavar="NAME", help="Who (default: $WATCHBOARD_USER or login).")
@json_option
@pass_ctx
def grade_cmd(
    obj: Context, claim: str, credibility: str, reason: str, actor: str | None, as_json: bool
) -> None:
    """Override a claim's credibility grade (1-6), or 'clear' the override.

    Takes effect at the next 'watchboard assess'; the computed grade stays visible in
    'watchboard explain'.
    """
    value = None if credibility == "clear" else int(credibility)
    with obj.store() as (_, store):
        result = jobs.override_grade(store, claim, value, reason=reason, actor=actor)
    if as_json:
        print_json(result)
        return
    shown = "cleared" if value is None else f"set to {value} ({GRADE_WORDS[value]})"
    out.print(f"claim {result['claim']}: credibility override {shown}; run 'watchboard assess'")


def _findings(
    obj: Context, kind: str, case_slug: str | None, show_all: bool, as_json: bool
) -> None:
    with obj.store() as (_, store):
        rows = jobs.list_findings(store, kind, case_slug, include_inactive=show_all)
    if as_json:
        print_json(rows)
        return
    if not rows:
        out.print(f"no {kind} (run 'watchboard assess' first?)")
    for r in rows:
        inactive = "" if r["active"] else "  [no longer found]"
        if kind == "contradictions":
            out.print(f"[bold]{r['id']}[/bold]  {r['kind']}{inactive}")
            out.print(f"    {r['detail']}", markup=False)
            out.print(
                f"    {r['claim_a']} ({r.get('claim_a_rating', '?')}): “{r['a_text']}”",
                markup=False,
            )
            out.print(
                f"    {r['claim_b']} ({r.get('claim_b_rating', '?')}): “{r['b_text']}”",
                markup=False,
            )
        else:
            out.print(
                f"[bold]{r['id']}[/bold]  {r['kind']}  document {r['document_id']}  "
                f"claim {r['claim_id']}{inactive}"
            )
            out.print(f"    {r['detail']}", markup=False)


@cli.command("contradictions")
@case_option
@click.option("--all", "show_all", is_flag=True, help="Include ones no longer found.")
@json_option
@pass_ctx
def contradictions_cmd(obj: Context, case_slug: str | None, show_all: bool, as_json: bool) -> None:
    """Where sources disagree: numbers, dates, places, denials, 'not given' against specifics."""
    _findings(obj, "contradictions", case_slug, show_all, as_json)


@cli.command("anachronisms")
@case_option
@click.option("--all", "show_all", is_flag=True, help="Include ones no longer found.")
@json_option
@pass_ctx
def anachronisms_cmd(obj: Context, case_slug: str | None, show_all: bool, as_json: bool) -> None:
    """Reports inconsistent with their own dates: done after publication, wrong weekdays."""
    _findings(obj, "anachronisms", case_slug, show_all, as_json)


@cli.group("milestones", invoke_without_command=True)
@case_option
@as_of_option
@json_option
@click.pass_context
def milestones_cmd(
    ctx: click.Context, case_slug: str | None, as_of: date | None, as_json: bool
) -> None:
    """Milestone status (pending, due, achieved, overdue, contradicted) with evidence."""
    if ctx.invoked_subcommand is not None:
        return
    obj = ctx.find_object(Context)
    assert obj is not None
    with obj.store() as (settings, store):
        report = jobs.assess_case(store, settings, case_slug, as_of=as_of or date.today())
    a = report.assessment
    if as_json:
        print_json({"as_of": a.as_of, "milestones": [m.__dict__ for m in a.milestones]})
        return
    if not a.milestones:
        out.print("no milestones (declare them in the case file, or accept suggestions)")
    for m in a.milestones:
        window = f"{m.due_start or '…'} to {m.due_end or '…'}"
        out.print(f"[bold]{m.key}[/bold]  {m.status.upper()}  due {window}  {m.title}")
        out.print(f"    {m.reason}", markup=False)
        for e in m.evidence[:5]:
            record = a.records.get(e.claim)
            if record is None:  # an indicator change
                out.print(f"    {e.role:<11} {e.claim} {e.why}", markup=False)
                continue
            out.print(
                f"    {e.role:<11} {e.claim} {a.grades[e.claim].rating}  {record.outlet}: "
                f"“{record.quote[:110]}”",
                markup=False,
            )
    out.print(f"as of {a.as_of}")


@milestones_cmd.command("suggestions")
@case_option
@click.option("--all", "show_all", is_flag=True, help="Include accepted and rejected ones.")
@json_option
@pass_ctx
def suggestions_cmd(obj: Context, case_slug: str | None, show_all: bool, as_json: bool) -> None:
    """Milestones suggested from planned or projected claims (accept or reject them)."""
    with obj.store() as (_, store):
        rows = jobs.milestone_suggestions(store, case_slug, status=None if show_all else "pending")
    if as_json:
        print_json(rows)
        return
    if not rows:
        out.print("no suggestions (run 'watchboard assess' first?)")
    for r in rows:
        out.print(
            f"[bold]{r['id']}[/bold] {r['key']}  {r['status']}  due {r['due_start']} to "
            f"{r['due_end']}  {r['title']}"
        )
        out.print(f"    from {r['claim_id']}: “{r['quote'][:140]}”", markup=False)


@milestones_cmd.command("accept")
@click.argument("suggestion")
@case_option
@click.option("--key", help="Milestone id (default: the suggestion's key).")
@click.option("--title", help="Milestone title (default: the suggestion's).")
@click.option("--reason", help="Why (kept in the audit log).")
@pass_ctx
def accept_cmd(
    obj: Context,
    suggestion: str,
    case_slug: str | None,
    key: str | None,
    title: str | None,
    reason: str | None,
) -> None:
    """Accept a suggested milestone (by number or key): it is tracked from now on."""
    with obj.store() as (_, store):
        result = jobs.review_suggestion(
            store, suggestion, accept=True, case=case_slug, key=key, title=title, reason=reason
        )
    out.print(f"accepted: milestone {result['milestone']}")


@milestones_cmd.command("reject")
@click.argument("suggestion")
@case_option
@click.option("--reason", required=True, help="Why (kept in the audit log).")
@pass_ctx
def reject_cmd(obj: Context, suggestion: str, case_slug: str | None, reason: str) -> None:
    """Reject a suggested milestone (by number or key)."""
    with obj.store() as (_, store):
        result = jobs.review_suggestion(
            store, suggestion, accept=False, case=case_slug, reason=reason
        )
    out.print(f"rejected: {result['suggestion']}")


@milestones_cmd.command("link")
@click.argument("milestone")
@click.argument("claim")
@case_option
@click.option("--contradicts", is_flag=True, help="The claim is evidence against it.")
@click.option("--note", help="Why (kept in the audit log).")
@pass_ctx
def link_cmd(
    obj: Context,
    milestone: str,
    claim: str,
    case_slug: str | None,
    contradicts: bool,
    note: str | None,
) -> None:
    """Link a claim to a milestone as evidence that it happened (or, --contradicts, not)."""
    with obj.store() as (_, store):
        result = jobs.link_evidence(
            store, milestone, claim, contradicts=contradicts, note=note, case=case_slug
        )
    out.print(f"linked claim {result['claim']} to {result['milestone']} ({result['role']})")


@cli.command("timeline")
@case_option
@as_of_option
@json_option
@pass_ctx
def timeline_cmd(obj: Context, case_slug: str | None, as_of: date | None, as_json: bool) -> None:
    """Dated events (one line per matched story) and milestones, in order, with grades."""
    with obj.store() as (settings, store):
        report = jobs.assess_case(store, settings, case_slug, as_of=as_of or date.today())
    entries = jobs.timeline(report.assessment)
    if as_json:
        print_json({"as_of": report.assessment.as_of, "entries": entries})
        return
    table = Table("date", "", "what", "grade / status", "ref", box=None)
    for e in entries:
        when = str(e.day) if e.day else "—"
        if e.end and e.day and e.end != e.day:
            when += f" … {e.end}"
        table.add_row(
            when,
            "◆" if e.kind == "milestone" else "•",
            e.title,
            e.status.upper() if e.status else (e.rating or ""),
            e.ref,
        )
    out.print(table)
    out.print(f"as of {report.assessment.as_of}")


@cli.group("alerts", invoke_without_command=True)
@case_option
@click.option("--all", "show_all", is_flag=True, help="Include acknowledged alerts.")
@json_option
@click.pass_context
def alerts_cmd(ctx: click.Context, case_slug: str | None, show_all: bool, as_json: bool) -> None:
    """Alerts raised by 'watchboard assess' (and indicator change detection)."""
    if ctx.invoked_subcommand is not None:
        return
    obj = ctx.find_object(Context)
    assert obj is not None
    with obj.store() as (_, store):
        rows = jobs.list_alerts(store, case_slug, include_acknowledged=show_all)
    if as_json:
        print_json(rows)
        return
    if not rows:
        out.print("no alerts" + ("" if show_all else " waiting (--all shows acknowledged ones)"))
    for r in rows:
        state = f"acknowledged by {r['acknowledged_by']}" if r["acknowledged_at"] else "new"
        deliveries = ", ".join(f"{d['channel']}: {d['status']}" for d in r["deliveries"])
        out.print(f"[bold]{r['id']}[/bold]  {r['created_at']:%Y-%m-%d %H:%M}  {r['rule']}  {state}")
        out.print(f"    {r['title']}", markup=False)
        if deliveries:
            out.print(f"    delivery: {deliveries}", markup=False)


@alerts_cmd.command("ack")
@click.argument("alert")
@click.option("--note", help="What was done about it (kept in the audit log).")
@click.option("--by", "actor", metavar="NAME", help="Who (default: $WATCHBOARD_USER or login).")
@pass_ctx
def ack_cmd(obj: Context, alert: str, note: str | None, actor: str | None) -> None:
    """Acknowledge an alert, with a note."""
    with obj.store() as (_, store):
        result = jobs.acknowledge_alert(store, alert, note=note, actor=actor)
    out.print(f"acknowledged {result['alert']}")


@alerts_cmd.command("deliver")
@click.option("--retry-failed", is_flag=True, help="Queue failed deliveries again first.")
@json_option
@pass_ctx
def deliver_cmd(obj: Context, retry_failed: bool, as_json: bool) -> None:
    """Send pending alerts to the channels in watchboard.toml (webhooks, e-mail, Atom file)."""
    with obj.store() as (settings, store):
        if retry_failed:
            jobs.retry_failed(store)
        report = jobs.deliver_alerts(store, settings)
    if as_json:
        print_json(report)
        return
    out.print(
        f"{report.delivered} sent, {report.retrying} to retry later, {report.failed} failed"
        + (f"; feed written to {report.feed}" if report.feed else "")
    )
    for error in report.errors:
        out.print(f"  {error}", markup=False)


@cli.command("regrade")
@click.argument("source")
@click.argument("reliability", type=click.Choice(list("ABCDEF"), case_sensitive=False))
@click.option("--reason", required=True, help="Why (kept in the audit log).")
@click.option("--by", "actor", metavar="NAME", help="Who (default: $WATCHBOARD_USER or login).")
@pass_ctx
def regrade_cmd(
    obj: Context, source: str, reliability: str, reason: str, actor: str | None
) -> None:
    """Change a source's reliability grade (A-F); replays before the change use the old one."""
    with obj.store() as (_, store):
        result = jobs.regrade_source(store, source, reliability, reason=reason, actor=actor)
    out.print(
        f"{result['source']}: {result['before']} → {result['after']}; run 'watchboard assess'"
    )


@cli.command("audit")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@json_option
@pass_ctx
def audit_cmd(obj: Context, limit: int, as_json: bool) -> None:
    """The audit log: every change an analyst made, with before, after and reason."""
    with obj.store() as (_, store):
        rows = jobs.audit_log(store, limit=limit)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        out.print(
            f"{r['at']:%Y-%m-%d %H:%M}  {r['actor']}  {r['action']}  {r['target']}: "
            f"{r['before']} → {r['after']}" + (f"  ({r['reason']})" if r["reason"] else ""),
            markup=False,
        )
