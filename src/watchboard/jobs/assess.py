"""Assessment use cases: assess a case (now or as of a date), analysts' judgments, alerts.

Everything an analyst changes by hand (a source's reliability, a claim's grade, a milestone
suggestion accepted, evidence linked, an alert acknowledged) is written to the audit log in the
same transaction as the change, and a replay as of a date applies only what was done by then.
"""

from __future__ import annotations

import getpass
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from watchboard import delivery
from watchboard.assess import (
    Assessment,
    MilestoneSpec,
    Override,
    SourceInfo,
    assess,
    load_rules,
    record_from_claim,
)
from watchboard.assess import alerts as alert_rules
from watchboard.assess.records import RELIABILITY, ClaimRecord, PlaceSlot
from watchboard.assess.timeline import TimelineEntry, timeline  # noqa: F401 (re-exported)
from watchboard.config import Settings
from watchboard.errors import NotFoundError, WatchboardError
from watchboard.extract.events import choose_event, event_taxonomy, find_event_cues
from watchboard.store import Store
from watchboard.store import assessment as q
from watchboard.store import cases as case_queries
from watchboard.store import claims as claim_queries
from watchboard.store import observations as obs_queries
from watchboard.store import sources as source_queries
from watchboard.store.schema import anachronisms, contradictions, sites

log = logging.getLogger(__name__)


def analyst_name() -> str:
    """Who is making a change: $WATCHBOARD_USER, else the login name."""
    try:
        return os.environ.get("WATCHBOARD_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def resolve_case(conn: Connection, slug: str | None) -> tuple[int, str]:
    if slug is None:
        case_id = case_queries.only_case_id(conn)
        if case_id is None:
            raise NotFoundError("more than one case (or none) in this workspace; give --case SLUG")
        return case_id, case_queries.slugs(conn)[case_id]
    case_id = case_queries.find_id(conn, slug)
    if case_id is None:
        raise NotFoundError(f"no case {slug!r} (see 'watchboard case list')")
    return case_id, slug


# -- reading the inputs ------------------------------------------------------------------------


def _records(
    conn: Connection, case_id: int, slug: str, until: datetime | None
) -> list[ClaimRecord]:
    from watchboard.jobs.review import merges

    # Analysts' corrections are already in the claims' data; entity merges are applied here.
    folded = merges(conn, case_id)
    records = []
    for row in q.claim_rows(conn, case_id, until=until):
        data = row.data
        if folded:
            data = {
                **data,
                "actors": [
                    {**a, "name": folded.get(a["name"].lower(), a["name"])}
                    for a in data.get("actors") or ()
                ],
            }
        published = None
        if row.published_at is not None:
            local = _aware(row.published_at) + timedelta(minutes=row.published_offset or 0)
            published = local.date()
        available = _aware(row.published_at or row.retrieved_at)
        records.append(
            record_from_claim(
                data,
                case=slug,
                outlet=row.outlet,
                cluster=row.cluster_id or row.document_id,
                published=published,
                available_at=available,
                title=row.title,
                url=row.url,
            )
        )
    return records


def _sources(conn: Connection, until: datetime | None) -> list[SourceInfo]:
    """The registry, with each source's reliability as it was at ``until``."""
    registry = source_queries.registry(conn).values()
    reliability = {s.name: s.reliability for s in registry}
    if until is not None:
        later: dict[str, str] = {}
        for entry in q.audit_entries(conn, action="source.reliability"):
            if _aware(entry["at"]) > until and entry["target"] not in later:
                later[entry["target"]] = str(entry["before"])
        reliability.update(later)
    return [
        SourceInfo(
            name=s.name,
            reliability=reliability[s.name],
            group=s.independence_group or s.name,
            kind=s.kind.value,
            names=tuple(a.lower() for a in s.aliases),
        )
        for s in registry
    ]


def _overrides(conn: Connection, until: datetime | None) -> dict[str, Override]:
    current: dict[str, Override | None] = {}
    for entry in q.audit_entries(conn, action="claim.credibility", until=until):
        after = entry["after"]
        current[entry["target"]] = (
            None
            if after is None
            else Override(int(after), entry["reason"] or "", entry["actor"], _aware(entry["at"]))
        )
    return {k: v for k, v in current.items() if v is not None}


def infer_event_type(text: str) -> str | None:
    cue = choose_event(find_event_cues(text))
    return cue.label if cue else None


def _milestones(conn: Connection, case_id: int, until: datetime | None) -> list[MilestoneSpec]:
    site_rows = {r.key: r for r in conn.execute(sites.select().where(sites.c.case_id == case_id))}
    accepted_later = set()
    if until is not None:
        for entry in q.audit_entries(conn, action="milestone.accept", case_id=case_id):
            if _aware(entry["at"]) > until:
                accepted_later.add(entry["target"])
    link_rows = q.links(conn, case_id, until=until)
    # Indicator changes an analyst linked as evidence, as linked at the replay date.
    change_links: dict[str, str | None] = {}
    for entry in q.audit_entries(conn, action="change.link", case_id=case_id, until=until):
        change_links[entry["target"]] = (entry["after"] or {}).get("milestone")
    changes = {c["id"]: c for c in obs_queries.changes(conn, case_id, active_only=False)}
    specs = []
    for row in q.milestone_rows(conn, case_id):
        if row["key"] in accepted_later:
            continue
        site = site_rows.get(row["site_key"]) if row["site_key"] else None
        slot = None
        if site is not None and site.lat is not None:
            slot = PlaceSlot(
                text=site.name,
                resolved=True,
                name=site.name,
                lat=site.lat,
                lon=site.lon,
                geonames_id=site.geonames_id,
                country=site.country,
                admin1=None,
                feature="P.PPL",
                site=site.key,
            )
        specs.append(
            MilestoneSpec(
                key=row["key"],
                title=row["title"],
                due_start=row["due_start"],
                due_end=row["due_end"],
                event_type=row["event_type"] or infer_event_type(row["title"]),
                description=row["description"],
                site=slot,
                origin=row["origin"],
                links=tuple(
                    (link["claim_id"], link["role"], link["note"] or "")
                    for link in link_rows
                    if link["milestone_key"] == row["key"]
                ),
                changes=tuple(
                    (
                        cid,
                        f"{changes[cid]['indicator_key']} {changes[cid]['direction']} from "
                        f"{_aware(changes[cid]['time']):%Y-%m-%d}",
                    )
                    for cid, key in change_links.items()
                    if key == row["key"] and cid in changes
                ),
            )
        )
    return specs


# -- assessing ---------------------------------------------------------------------------------


@dataclass
class AssessReport:
    assessment: Assessment
    stored: bool
    new_alerts: list[str] = field(default_factory=list)
    new_suggestions: int = 0
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


def assess_case(
    store: Store,
    settings: Settings,
    case: str | None = None,
    *,
    as_of: date | None = None,
    now: datetime | None = None,
) -> AssessReport:
    """Assess a case. Without ``as_of`` the result is stored and alerts are raised; with it,
    the workspace is replayed as it stood at the end of that day and nothing is written."""
    started = datetime.now(UTC)
    now = now or started
    rules = load_rules(settings.assessment.rules)
    until = _end_of(as_of) if as_of is not None else None
    warnings = []
    with store.reading() as conn:
        case_id, slug = resolve_case(conn, case)
        records = _records(conn, case_id, slug, until)
        source_infos = _sources(conn, until)
        overrides = _overrides(conn, until)
        specs = _milestones(conn, case_id, until)
        if until is not None:
            changed = q.changed_after(conn, case_id, until)
            if changed:
                warnings.append(
                    f"{changed} document(s) were edited after {as_of}; their claims are from "
                    "the current version"
                )
    assessment = assess(
        slug,
        records,
        source_infos,
        as_of=as_of or now.date(),
        milestones=specs,
        overrides=overrides,
        rules=rules,
    )
    report = AssessReport(assessment, stored=as_of is None, warnings=warnings)
    if as_of is None:
        _store(store, settings, case_id, assessment, report, now)
    report.seconds = (datetime.now(UTC) - started).total_seconds()
    return report


def _grade_row(
    assessment: Assessment, claim_id: str, case_id: int, now: datetime
) -> dict[str, Any]:
    g = assessment.grades[claim_id]
    return {
        "claim_id": claim_id,
        "case_id": case_id,
        "credibility": g.credibility,
        "rating": g.rating,
        "rule": g.rule if g.override is None else "override",
        "match_group": assessment.matches.groups.get(claim_id, claim_id),
        "independent_groups": int(g.features["groups"]),
        "data": grade_data(assessment, claim_id),
        "assessed_at": now,
    }


def grade_data(assessment: Assessment, claim_id: str) -> dict[str, Any]:
    g = assessment.grades[claim_id]
    return {
        "explain": g.explain(),
        "features": dict(g.features),
        "computed": g.computed,
        "computed_rule": g.rule,
        "origin": g.origin.__dict__,
        "confirming": [list(c) for c in g.confirming],
        "contradicting": [list(c) for c in g.contradicting],
        "witnesses": list(g.witnesses),
        "matches": [
            {"claim": m.b if m.a == claim_id else m.a, "why": m.reasons()}
            for m in assessment.matches.neighbours.get(claim_id, [])
        ],
        "override": None
        if g.override is None
        else {
            "credibility": g.override.credibility,
            "reason": g.override.reason,
            "by": g.override.by,
            "at": g.override.at.isoformat(),
        },
    }


def _store(
    store: Store,
    settings: Settings,
    case_id: int,
    assessment: Assessment,
    report: AssessReport,
    now: datetime,
) -> None:
    alert_rule_set = alert_rules.load_alert_rules(settings.assessment.alert_rules)
    channels = [c.name for c in _channels(settings) if not isinstance(c, delivery.AtomChannel)]
    with store.transaction() as conn:
        q.replace_assessments(
            conn, case_id, [_grade_row(assessment, cid, case_id, now) for cid in assessment.grades]
        )
        q.sync_findings(
            conn,
            contradictions,
            case_id,
            [
                {
                    "id": c.id,
                    "kind": c.kind,
                    "claim_a": c.a,
                    "claim_b": c.b,
                    "detail": c.detail,
                    "a_text": c.a_text,
                    "b_text": c.b_text,
                }
                for c in assessment.contradictions
            ],
            now=now,
        )
        q.sync_findings(
            conn,
            anachronisms,
            case_id,
            [
                {
                    "id": a.id,
                    "kind": a.kind,
                    "claim_id": a.claim,
                    "document_id": a.document,
                    "detail": a.detail,
                    "text": a.text,
                }
                for a in assessment.anachronisms
            ],
            now=now,
        )
        previous = q.previous_statuses(conn, case_id)
        q.replace_statuses(
            conn,
            case_id,
            [
                {
                    "milestone_key": m.key,
                    "status": m.status,
                    "reason": m.reason,
                    "evidence": [e.__dict__ for e in m.evidence],
                    "as_of": assessment.as_of,
                    "computed_at": now,
                }
                for m in assessment.milestones
            ],
        )
        report.new_suggestions = q.add_suggestions(
            conn,
            case_id,
            [
                {
                    "key": s.key,
                    "title": s.title,
                    "event_type": s.event_type,
                    "due_start": s.due_start,
                    "due_end": s.due_end,
                    "site_key": s.site,
                    "claim_id": s.claim,
                    "quote": s.quote,
                    "status": "pending",
                    "created_at": now,
                }
                for s in assessment.suggestions
            ],
        )
        candidates = alert_rules.assessment_alerts(alert_rule_set, assessment, previous)
        report.new_alerts = q.insert_alerts(
            conn, [_alert_row(c, case_id) for c in candidates], channels, now=now
        )


def _alert_row(c: alert_rules.AlertCandidate, case_id: int) -> dict[str, Any]:
    return {
        "id": c.id,
        "case_id": case_id,
        "rule": c.rule,
        "kind": c.kind,
        "subject": c.subject,
        "title": c.title,
        "body": c.body,
        "data": dict(c.data),
    }


def raise_indicator_alert(
    store: Store,
    settings: Settings,
    case: str,
    *,
    indicator: str,
    subject: str,
    title: str,
    body: str,
    data: dict[str, Any] | None = None,
) -> str | None:
    """Raise an alert for an indicator change (once per indicator and subject); its id if new."""
    rules = alert_rules.load_alert_rules(settings.assessment.alert_rules)
    candidate = alert_rules.indicator_alert(
        rules, case, indicator=indicator, subject=subject, title=title, body=body, data=data
    )
    if candidate is None:
        return None
    channels = [c.name for c in _channels(settings) if not isinstance(c, delivery.AtomChannel)]
    with store.transaction() as conn:
        case_id, _ = resolve_case(conn, case)
        new = q.insert_alerts(
            conn, [_alert_row(candidate, case_id)], channels, now=datetime.now(UTC)
        )
    return new[0] if new else None


# -- analysts' judgments -----------------------------------------------------------------------


def regrade_source(
    store: Store, name: str, reliability: str, *, reason: str, actor: str | None = None
) -> dict[str, str]:
    reliability = reliability.upper()
    if len(reliability) != 1 or reliability not in RELIABILITY:
        raise WatchboardError(f"reliability must be one of A-F, not {reliability!r}")
    if not reason.strip():
        raise WatchboardError("give a reason for the change (--reason)")
    with store.transaction() as conn:
        source_id = source_queries.find_id(conn, name)
        if source_id is None:
            raise NotFoundError(f"no source {name!r} (see 'watchboard sources')")
        source = source_queries.registry(conn)[source_id]
        if source.reliability == reliability:
            return {"source": source.name, "before": reliability, "after": reliability}
        source_queries.set_reliability(conn, source_id, reliability)
        q.audit(
            conn,
            at=datetime.now(UTC),
            actor=actor or analyst_name(),
            action="source.reliability",
            target=source.name,
            before=source.reliability,
            after=reliability,
            reason=reason,
        )
    return {"source": source.name, "before": source.reliability, "after": reliability}


def override_grade(
    store: Store,
    claim: str,
    credibility: int | None,
    *,
    reason: str,
    actor: str | None = None,
) -> dict[str, Any]:
    """Set (or with ``None`` clear) an analyst's credibility grade for a claim."""
    if credibility is not None and not 1 <= credibility <= 6:
        raise WatchboardError("credibility must be 1-6")
    if not reason.strip():
        raise WatchboardError("give a reason for the override (--reason)")
    with store.transaction() as conn:
        row = claim_queries.get(conn, claim)
        current = q.assessment_of(conn, row["id"])
        before = None
        entries = q.audit_entries(conn, action="claim.credibility", target=row["id"])
        if entries:
            before = entries[-1]["after"]
        q.audit(
            conn,
            at=datetime.now(UTC),
            actor=actor or analyst_name(),
            action="claim.credibility",
            target=row["id"],
            before=before,
            after=credibility,
            reason=reason,
        )
    return {
        "claim": row["id"],
        "before": before,
        "after": credibility,
        "computed": current["data"]["computed"] if current else None,
    }


def milestone_suggestions(
    store: Store, case: str | None = None, *, status: str | None = "pending"
) -> list[dict[str, Any]]:
    with store.reading() as conn:
        case_id, _ = resolve_case(conn, case)
        return q.suggestions(conn, case_id, status=status)


def review_suggestion(
    store: Store,
    ref: str,
    *,
    accept: bool,
    case: str | None = None,
    key: str | None = None,
    title: str | None = None,
    reason: str | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    with store.transaction() as conn:
        case_id, _ = resolve_case(conn, case)
        row = q.suggestion(conn, case_id, ref)
        if row["status"] != "pending":
            raise WatchboardError(f"suggestion {row['key']} was already {row['status']}")
        status = "accepted" if accept else "rejected"
        q.set_suggestion_status(conn, row["id"], status)
        milestone_key = key or row["key"]
        if accept:
            if any(m["key"] == milestone_key for m in q.milestone_rows(conn, case_id)):
                raise WatchboardError(f"a milestone {milestone_key!r} exists; give --key")
            q.add_milestone(
                conn,
                case_id=case_id,
                key=milestone_key,
                title=title or row["title"],
                due_start=row["due_start"],
                due_end=row["due_end"],
                site_key=row["site_key"],
                description=f"Suggested from claim {row['claim_id']}: “{row['quote']}”",
                origin="suggested",
                event_type=row["event_type"],
            )
        q.audit(
            conn,
            at=datetime.now(UTC),
            actor=actor or analyst_name(),
            action="milestone.accept" if accept else "milestone.reject",
            target=milestone_key,
            case_id=case_id,
            before={"suggestion": row["key"], "status": "pending"},
            after={"status": status},
            reason=reason,
        )
    return {
        "suggestion": row["key"],
        "status": status,
        "milestone": milestone_key if accept else None,
    }


def link_evidence(
    store: Store,
    milestone: str,
    claim: str,
    *,
    contradicts: bool = False,
    note: str | None = None,
    case: str | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    who = actor or analyst_name()
    role = "contradicts" if contradicts else "supports"
    with store.transaction() as conn:
        case_id, _ = resolve_case(conn, case)
        if not any(m["key"] == milestone for m in q.milestone_rows(conn, case_id)):
            raise NotFoundError(f"no milestone {milestone!r} (see 'watchboard milestones')")
        claim_id = claim_queries.get(conn, claim)["id"]
        at = datetime.now(UTC)
        q.add_link(
            conn,
            case_id=case_id,
            milestone_key=milestone,
            claim_id=claim_id,
            role=role,
            note=note,
            actor=who,
            at=at,
        )
        q.audit(
            conn,
            at=at,
            actor=who,
            action="milestone.link",
            target=milestone,
            case_id=case_id,
            after={"claim": claim_id, "role": role},
            reason=note,
        )
    return {"milestone": milestone, "claim": claim_id, "role": role}


# -- reading results ---------------------------------------------------------------------------


def claim_assessment(store: Store, claim_id: str) -> dict[str, Any] | None:
    with store.reading() as conn:
        row = q.assessment_of(conn, claim_id)
        if row is None:
            return None
        row.update(q.claim_findings(conn, claim_id))
        return row


def document_anachronisms(store: Store, document_id: str) -> list[dict[str, Any]]:
    """The anachronisms found in a document at the last stored assessment."""
    with store.reading() as conn:
        return q.document_anachronisms(conn, document_id)


def list_findings(
    store: Store, kind: str, case: str | None = None, *, include_inactive: bool = False
) -> list[dict[str, Any]]:
    table = {"contradictions": contradictions, "anachronisms": anachronisms}[kind]
    with store.reading() as conn:
        case_id, _ = resolve_case(conn, case)
        rows = q.findings(conn, table, case_id, include_inactive=include_inactive)
        ids = {r.get("claim_a") or r.get("claim_id") for r in rows} | {
            r.get("claim_b") for r in rows if r.get("claim_b")
        }
        graded = q.assessments_by_claim(conn, [i for i in ids if i])
        for r in rows:
            for side in ("claim_a", "claim_b", "claim_id"):
                if r.get(side) in graded:
                    r[f"{side}_rating"] = graded[r[side]]["rating"]
        return rows


# -- alerts ------------------------------------------------------------------------------------


def list_alerts(
    store: Store, case: str | None = None, *, include_acknowledged: bool = False
) -> list[dict[str, Any]]:
    with store.reading() as conn:
        case_id = resolve_case(conn, case)[0] if case else None
        return q.alert_rows(conn, case_id=case_id, include_acknowledged=include_acknowledged)


def acknowledge_alert(
    store: Store, ref: str, *, note: str | None = None, actor: str | None = None
) -> dict[str, Any]:
    who = actor or analyst_name()
    with store.transaction() as conn:
        row = q.alert(conn, ref)
        if row["acknowledged_at"] is not None:
            raise WatchboardError(
                f"alert {row['id']} was acknowledged by {row['acknowledged_by']} on "
                f"{_aware(row['acknowledged_at']):%Y-%m-%d}"
            )
        at = datetime.now(UTC)
        q.acknowledge(conn, row["id"], at=at, by=who, note=note)
        q.audit(
            conn,
            at=at,
            actor=who,
            action="alert.ack",
            target=row["id"],
            case_id=row["case_id"],
            after={"acknowledged": True},
            reason=note,
        )
    return {"alert": row["id"], "acknowledged_by": who, "note": note}


def _channels(settings: Settings) -> list[delivery.Channel]:
    return delivery.channels_from_config(settings.alerts, base_dir=settings.workspace)


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    feed: Path | None = None
    errors: list[str] = field(default_factory=list)


def _message(row: dict[str, Any], slugs: dict[int, str]) -> delivery.AlertMessage:
    return delivery.AlertMessage(
        id=row["id"],
        case=slugs.get(row["case_id"], "?"),
        rule=row["rule"],
        kind=row["kind"],
        title=row["title"],
        body=row["body"],
        created_at=_aware(row["created_at"]),
        data=row["data"] or {},
    )


def deliver_alerts(
    store: Store, settings: Settings, *, now: datetime | None = None
) -> DeliveryReport:
    """Send every pending delivery that is due; failures stay pending with backoff.

    A delivery is marked done in its own transaction right after the receiver accepted it; if
    the process dies in between, the alert is sent again with the same id, which receivers can
    use to drop the repeat (webhook header X-Watchboard-Alert-Id, e-mail Message-ID).
    """
    now = now or datetime.now(UTC)
    channels = {c.name: c for c in _channels(settings)}
    report = DeliveryReport()
    with store.reading() as conn:
        slugs = case_queries.slugs(conn)
        due = q.due_deliveries(conn, now=now)
    for row in due:
        channel = channels.get(row["channel"])
        if channel is None or isinstance(channel, delivery.AtomChannel):
            continue  # a channel removed from the settings: leave the row pending
        attempts = row["attempts"] + 1
        try:
            delivery.send(_message(row, slugs), channel)
        except delivery.DeliveryError as exc:
            report.errors.append(str(exc))
            values: dict[str, Any] = {"attempts": attempts, "last_error": str(exc)}
            if exc.retryable:
                wait = exc.retry_after or delivery.backoff(attempts)
                values["next_attempt_at"] = now + timedelta(seconds=wait)
                report.retrying += 1
            else:
                values["status"] = "failed"
                report.failed += 1
            with store.transaction() as conn:
                q.set_delivery(conn, row["alert_id"], row["channel"], **values)
            continue
        with store.transaction() as conn:
            q.set_delivery(
                conn,
                row["alert_id"],
                row["channel"],
                status="delivered",
                attempts=attempts,
                delivered_at=datetime.now(UTC),
                last_error=None,
            )
        report.delivered += 1
    for channel in channels.values():
        if isinstance(channel, delivery.AtomChannel):
            with store.reading() as conn:
                rows = q.alert_rows(conn, include_acknowledged=True, limit=channel.max_entries)
            delivery.write_atom_feed(channel, [_message(r, slugs) for r in rows], updated=now)
            report.feed = channel.path
    return report


def retry_failed(store: Store, *, now: datetime | None = None) -> int:
    """Put failed deliveries back in the queue (after fixing a webhook URL, say)."""
    now = now or datetime.now(UTC)
    with store.transaction() as conn:
        return q.requeue_failed(conn, now=now)


def event_types() -> Sequence[str]:
    return tuple(event_taxonomy().weights)


def audit_log(store: Store, *, limit: int = 50) -> list[dict[str, Any]]:
    """The newest ``limit`` entries of the audit log, newest first."""
    with store.reading() as conn:
        return q.recent_audit(conn, limit=limit)
