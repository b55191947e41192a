"""Alert rules kept as data (``data/alerts.yaml``), applied to an assessment.

Each candidate alert has an id derived from its case, rule and subject, so storing it twice is
a no-op: an alert is raised once per event, however often a case is assessed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from watchboard.assess.engine import Assessment
from watchboard.errors import WatchboardError

KINDS = ("claim", "milestone", "contradiction", "anachronism", "indicator")
_CONDITIONS = {
    "claim": {"event_type", "modality", "at_site", "actors", "max_credibility"},
    "milestone": {"status"},
    "contradiction": {"kind"},
    "anachronism": {"kind"},
    "indicator": set(),
}


@dataclass(frozen=True)
class AlertRule:
    id: str
    about: str
    when: Mapping[str, Any]
    title: str


@dataclass(frozen=True)
class AlertCandidate:
    id: str
    case: str
    rule: str
    kind: str
    subject: str
    title: str
    body: str
    data: Mapping[str, Any] = field(default_factory=dict)


def alert_id(case: str, rule: str, subject: str) -> str:
    return hashlib.sha256(f"{case}\x1f{rule}\x1f{subject}".encode()).hexdigest()[:16]


def load_alert_rules(path: Path | None = None) -> tuple[AlertRule, ...]:
    if path is None:
        return _packaged()
    try:
        return _parse(path.read_text("utf-8"), str(path))
    except OSError as exc:
        raise WatchboardError(f"{path}: cannot read alert rules: {exc.strerror}") from None


@cache
def _packaged() -> tuple[AlertRule, ...]:
    text = resources.files("watchboard.assess").joinpath("data/alerts.yaml").read_text("utf-8")
    return _parse(text, "alerts.yaml")


def _parse(text: str, origin: str) -> tuple[AlertRule, ...]:
    try:
        raw = yaml.safe_load(text)
        rules = []
        for i, item in enumerate(raw["rules"]):
            rule = AlertRule(
                id=str(item["id"]),
                about=str(item["about"]),
                when=dict(item.get("when") or {}),
                title=str(item["title"]),
            )
            if rule.about not in KINDS:
                raise ValueError(
                    f"rule {i + 1} ({rule.id}): 'about' must be one of {', '.join(KINDS)}"
                )
            unknown = set(rule.when) - _CONDITIONS[rule.about]
            if unknown:
                raise ValueError(f"rule {rule.id}: unknown condition {sorted(unknown)[0]!r}")
            rules.append(rule)
        return tuple(rules)
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise WatchboardError(f"{origin}: invalid alert rules: {exc}") from None


def _in(expected: Any, value: Any) -> bool:
    return value in expected if isinstance(expected, list) else value == expected


def claim_alerts(rules: Sequence[AlertRule], assessment: Assessment) -> list[AlertCandidate]:
    out = []
    for rule in (r for r in rules if r.about == "claim"):
        w = rule.when
        for record in assessment.records.values():
            grade = assessment.grades[record.id]
            sites = sorted({p.site for p in record.places if p.site})
            if "event_type" in w and not _in(w["event_type"], record.event_type):
                continue
            if "modality" in w and not _in(w["modality"], record.modality):
                continue
            if "at_site" in w and bool(sites) != bool(w["at_site"]):
                continue
            if "actors" in w and not {a.lower() for a in w["actors"]} & set(record.actors):
                continue
            if "max_credibility" in w and grade.credibility > int(w["max_credibility"]):
                continue
            where = f" at {', '.join(sites)}" if sites else ""
            out.append(
                _candidate(
                    assessment.case,
                    rule,
                    "claim",
                    record.id,
                    f"{rule.title}{where}: {record.event_type or 'claim'} "
                    f"({record.modality.replace('_', ' ')}), {grade.rating}",
                    f"{record.outlet}: “{record.quote}”",
                    {"claim": record.id, "document": record.document_id, "rating": grade.rating},
                )
            )
    return out


def assessment_alerts(
    rules: Sequence[AlertRule],
    assessment: Assessment,
    previous_status: Mapping[str, str],
) -> list[AlertCandidate]:
    """Every alert the rules raise on this assessment (the store drops those already raised)."""
    out = claim_alerts(rules, assessment)
    for rule in rules:
        if rule.about == "milestone":
            for m in assessment.milestones:
                if previous_status.get(m.key) == m.status:
                    continue
                if "status" in rule.when and not _in(rule.when["status"], m.status):
                    continue
                before = previous_status.get(m.key, "new")
                out.append(
                    _candidate(
                        assessment.case,
                        rule,
                        "milestone",
                        f"{m.key}:{m.status}",
                        f"{rule.title}: {m.title} is {m.status}",
                        f"{m.title}: {before} -> {m.status} as of {assessment.as_of}. {m.reason}.",
                        {"milestone": m.key, "status": m.status, "previous": before},
                    )
                )
        elif rule.about == "contradiction":
            for c in assessment.contradictions:
                if "kind" in rule.when and not _in(rule.when["kind"], c.kind):
                    continue
                a, b = assessment.records[c.a], assessment.records[c.b]
                out.append(
                    _candidate(
                        assessment.case,
                        rule,
                        "contradiction",
                        c.id,
                        f"{rule.title} ({c.kind.replace('_', ' ')}): {c.detail}",
                        f"{a.outlet}: “{a.quote}”\n{b.outlet}: “{b.quote}”",
                        {"contradiction": c.id, "claims": [c.a, c.b], "kind": c.kind},
                    )
                )
        elif rule.about == "anachronism":
            for x in assessment.anachronisms:
                if "kind" in rule.when and not _in(rule.when["kind"], x.kind):
                    continue
                r = assessment.records[x.claim]
                out.append(
                    _candidate(
                        assessment.case,
                        rule,
                        "anachronism",
                        x.id,
                        f"{rule.title} ({x.kind.replace('_', ' ')}): {r.outlet}",
                        f"{x.detail}\n“{r.quote}”",
                        {"anachronism": x.id, "claim": x.claim, "document": x.document},
                    )
                )
    return out


def indicator_alert(
    rules: Sequence[AlertRule],
    case: str,
    *,
    indicator: str,
    subject: str,
    title: str,
    body: str,
    data: Mapping[str, Any] | None = None,
) -> AlertCandidate | None:
    """The alert for an indicator change, if a rule asks for one (the indicators' interface)."""
    rule = next((r for r in rules if r.about == "indicator"), None)
    if rule is None:
        return None
    return _candidate(
        case,
        rule,
        "indicator",
        f"{indicator}:{subject}",
        f"{rule.title}: {title}",
        body,
        {"indicator": indicator, **(data or {})},
    )


def _candidate(
    case: str,
    rule: AlertRule,
    kind: str,
    subject: str,
    title: str,
    body: str,
    data: Mapping[str, Any],
) -> AlertCandidate:
    return AlertCandidate(
        alert_id(case, rule.id, subject), case, rule.id, kind, subject, title, body, data
    )
