"""Flat tables of a case for spreadsheets and scripts: claims, milestones, observations, alerts.

Built from a case snapshot (``watchboard.store.snapshot.dump_case``), one row per claim (with
its grade), milestone (with its last computed status), observation and alert (with its
deliveries). ``csv_tables`` writes them as CSV (UTF-8, a header row, RFC 4180 quoting);
``json_tables`` as one JSON object of lists. These are for reading; the lossless export that
imports back is the snapshot itself (``watchboard export --format json``).

Spreadsheet safety: a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is prefixed with an apostrophe in CSV, so a quote from a hostile page cannot run as a
formula when an analyst opens the file (OWASP "CSV injection"). JSON is written unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

TABLES = ("claims", "milestones", "observations", "alerts")

CLAIM_COLUMNS = (
    "id",
    "document_id",
    "outlet",
    "published_at",
    "title",
    "url",
    "start",
    "end",
    "quote",
    "attribution",
    "asserted_by",
    "source_identified",
    "modality",
    "event_type",
    "negated",
    "places",
    "sites",
    "times",
    "quantities",
    "actors",
    "rating",
    "credibility",
    "rule",
    "independent_groups",
    "match_group",
    "created_at",
)
MILESTONE_COLUMNS = (
    "key",
    "title",
    "origin",
    "event_type",
    "due_start",
    "due_end",
    "site_key",
    "status",
    "status_reason",
    "status_as_of",
    "evidence",
    "description",
)
OBSERVATION_COLUMNS = (
    "indicator_key",
    "site_key",
    "time",
    "value",
    "unit",
    "period",
    "quality",
    "source",
    "ref",
    "file_sha256",
    "imported_at",
)
ALERT_COLUMNS = (
    "id",
    "rule",
    "kind",
    "subject",
    "title",
    "body",
    "created_at",
    "acknowledged_at",
    "acknowledged_by",
    "ack_note",
    "deliveries",
)
COLUMNS = {
    "claims": CLAIM_COLUMNS,
    "milestones": MILESTONE_COLUMNS,
    "observations": OBSERVATION_COLUMNS,
    "alerts": ALERT_COLUMNS,
}


def _join(values: Sequence[Any]) -> str:
    return "; ".join(str(v) for v in values if v not in (None, ""))


def claim_rows(snapshot: Mapping[str, Any]) -> list[dict[str, Any]]:
    tables = snapshot["tables"]
    docs = {d["id"]: d for d in tables.get("documents", [])}
    versions = {(v["document_id"], v["version"]): v for v in tables.get("document_versions", [])}
    grades = {a["claim_id"]: a for a in tables.get("assessments", [])}
    rows = []
    for c in tables.get("claims", []):
        data = c.get("data") or {}
        doc = docs.get(c["document_id"], {})
        version = versions.get((c["document_id"], doc.get("current_version")), {})
        grade = grades.get(c["id"], {})
        places = data.get("places") or []
        rows.append(
            {
                "id": c["id"],
                "document_id": c["document_id"],
                "outlet": version.get("source_id"),
                "published_at": version.get("published_at"),
                "title": version.get("title"),
                "url": version.get("url"),
                "start": c["start"],
                "end": c["end"],
                "quote": c["quote"],
                "attribution": " → ".join(c.get("attribution") or []),
                "asserted_by": c["asserted_by"],
                "source_identified": c["source_identified"],
                "modality": c["modality"],
                "event_type": c.get("event_type"),
                "negated": bool(data.get("negated")),
                "places": _join([p.get("name") or p["mention"]["span"]["text"] for p in places]),
                "sites": _join(sorted({p["site"] for p in places if p.get("site")})),
                "times": _join(
                    [t.get("value") or t["span"]["text"] for t in data.get("times") or []]
                ),
                "quantities": _join([q["span"]["text"] for q in data.get("quantities") or []]),
                "actors": _join([a.get("name") for a in data.get("actors") or []]),
                "rating": grade.get("rating"),
                "credibility": grade.get("credibility"),
                "rule": grade.get("rule"),
                "independent_groups": grade.get("independent_groups"),
                "match_group": grade.get("match_group"),
                "created_at": c.get("created_at"),
            }
        )
    return rows


def milestone_rows(snapshot: Mapping[str, Any]) -> list[dict[str, Any]]:
    tables = snapshot["tables"]
    statuses = {s["milestone_key"]: s for s in tables.get("milestone_status", [])}
    rows = []
    for m in tables.get("milestones", []):
        status = statuses.get(m["key"], {})
        rows.append(
            {
                "key": m["key"],
                "title": m["title"],
                "origin": m["origin"],
                "event_type": m.get("event_type"),
                "due_start": m.get("due_start"),
                "due_end": m.get("due_end"),
                "site_key": m.get("site_key"),
                "status": status.get("status"),
                "status_reason": status.get("reason"),
                "status_as_of": status.get("as_of"),
                "evidence": _join([e.get("claim") for e in status.get("evidence") or []]),
                "description": m.get("description"),
            }
        )
    return rows


def observation_rows(snapshot: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {k: o.get(k) for k in OBSERVATION_COLUMNS}
        for o in snapshot["tables"].get("observations", [])
    ]


def alert_rows(snapshot: Mapping[str, Any]) -> list[dict[str, Any]]:
    tables = snapshot["tables"]
    deliveries: dict[str, list[str]] = {}
    for d in tables.get("alert_deliveries", []):
        deliveries.setdefault(d["alert_id"], []).append(f"{d['channel']}:{d['status']}")
    return [
        {k: a.get(k) for k in ALERT_COLUMNS if k != "deliveries"}
        | {"deliveries": _join(deliveries.get(a["id"], []))}
        for a in tables.get("alerts", [])
    ]


def rows(snapshot: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {
        "claims": claim_rows(snapshot),
        "milestones": milestone_rows(snapshot),
        "observations": observation_rows(snapshot),
        "alerts": alert_rows(snapshot),
    }


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_tables(snapshot: Mapping[str, Any]) -> dict[str, str]:
    """``{"claims.csv": text, ...}``: one CSV per table."""
    out = {}
    for name, table in rows(snapshot).items():
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS[name], lineterminator="\r\n")
        writer.writeheader()
        for row in table:
            writer.writerow({k: _cell(v) for k, v in row.items()})
        out[f"{name}.csv"] = buffer.getvalue()
    return out


def json_tables(snapshot: Mapping[str, Any]) -> str:
    """The four tables as one JSON object: ``{"case": slug, "claims": [...], ...}``."""
    return json.dumps(
        {"case": snapshot["case"]["slug"], **rows(snapshot)}, ensure_ascii=False, indent=1
    )
