"""Score the assessment of the fab-case fixture against its gold (``fixtures/fab-case``).

Used by ``test_fab_case.py``, and runnable on its own to print the figures:

    .venv/bin/python tests/assess/fab_case.py
"""

from __future__ import annotations

import itertools
import re
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from watchboard import jobs
from watchboard.jobs import assess as assess_jobs
from watchboard.store import Store

FIXTURE = Path(__file__).parent / "fixtures" / "fab-case"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Scores:
    match_precision: float
    match_recall: float
    match_pairs: tuple[int, int, int]  # true positives, predicted, gold
    credibility_within: float
    credibility_misses: list[str] = field(default_factory=list)
    contradictions_found: int = 0
    contradictions_gold: int = 0
    anachronisms_found: int = 0
    anachronisms_gold: int = 0
    anachronisms_extra: int = 0
    milestones_right: int = 0
    milestones_total: int = 0
    milestone_misses: list[str] = field(default_factory=list)
    leaks: int = 0

    def lines(self) -> list[str]:
        tp, pred, gold = self.match_pairs
        return [
            f"matching: precision {self.match_precision:.2f} recall {self.match_recall:.2f} "
            f"({tp} right of {pred} predicted pairs, {gold} gold pairs)",
            f"credibility within the analyst's range: {self.credibility_within:.2f}",
            *[f"  miss: {m}" for m in self.credibility_misses],
            f"contradictions: {self.contradictions_found}/{self.contradictions_gold} found",
            f"anachronisms: {self.anachronisms_found}/{self.anachronisms_gold} found, "
            f"{self.anachronisms_extra} others flagged",
            f"milestone statuses: {self.milestones_right}/{self.milestones_total} right",
            *[f"  miss: {m}" for m in self.milestone_misses],
            f"later documents leaking into replays: {self.leaks}",
        ]


def build_workspace(directory: Path, database_url: str | None = None) -> Any:
    settings = jobs.init_workspace(directory, database_url=database_url)
    with Store.open(settings.database_url) as store:
        jobs.load_case(store, FIXTURE / "case.yaml")
        report = jobs.ingest_inputs(
            store,
            settings,
            [str(FIXTURE / "reports")],
            options=jobs.IngestOptions(case="vn-fab-2026"),
        )
        assert report.ok, report.failures
        jobs.extract_documents(store, case="vn-fab-2026")
    return settings


def score(settings: Any) -> Scores:
    gold = yaml.safe_load((FIXTURE / "gold.yaml").read_text("utf-8"))
    with Store.open(settings.database_url) as store:
        report = assess_jobs.assess_case(store, settings, "vn-fab-2026")
        rows = jobs.list_claims(store, case="vn-fab-2026")
        replays = {
            day: assess_jobs.assess_case(
                store, settings, "vn-fab-2026", as_of=date.fromisoformat(day)
            ).assessment
            for m in gold["milestones"]
            for day in m["status"]
        }
    a = report.assessment
    quotes = {r["id"]: _norm(r["quote"]) for r in rows}
    doc_of = {r["id"]: r["document_id"] for r in rows}

    def carriers(fragment: str) -> set[str]:
        f = _norm(fragment)
        return {cid for cid, quote in quotes.items() if f in quote}

    # Matching: pairs of claims (in different documents) that carry fragments of one event.
    gold_pairs: set[frozenset[str]] = set()
    scored: set[str] = set()
    for event in gold["events"]:
        claims = set().union(*(carriers(f) for f in event["fragments"]))
        scored |= claims
        for x, y in itertools.combinations(sorted(claims), 2):
            if doc_of[x] != doc_of[y]:
                gold_pairs.add(frozenset((x, y)))
    predicted = {
        frozenset((m.a, m.b)) for m in a.matches.matches if m.a in scored and m.b in scored
    }
    tp = len(predicted & gold_pairs)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(gold_pairs) if gold_pairs else 0.0

    within, misses = 0, []
    for item in gold["credibility"]:
        allowed = item.get("allowed") or [item["grade"]]
        grades = {a.grades[c].credibility for c in carriers(item["fragment"]) if c in a.grades}
        if grades & set(allowed):
            within += 1
        else:
            misses.append(f"{item['fragment'][:60]!r}: got {sorted(grades)}, want {allowed}")

    found = 0
    for item in gold["contradictions"]:
        side_a = set().union(*(carriers(f) for f in [item["a"], *item.get("same_as_a", [])]))
        side_b = set().union(*(carriers(f) for f in [item["b"], *item.get("same_as_b", [])]))
        if any(
            {c.a, c.b} & side_a and {c.a, c.b} & side_b and c.kind == item["kind"]
            for c in a.contradictions
        ):
            found += 1

    flagged = {(x.claim, x.kind) for x in a.anachronisms}
    hit = 0
    gold_flags = set()
    for item in gold["anachronisms"]:
        keys = {(c, item["kind"]) for c in carriers(item["fragment"])}
        gold_flags |= keys
        hit += bool(keys & flagged)
    extra = len(flagged - gold_flags)

    right, total, m_misses = 0, 0, []
    leaks = 0
    for m in gold["milestones"]:
        for day, expected in m["status"].items():
            replay = replays[day]
            got = next(s.status for s in replay.milestones if s.key == m["id"])
            total += 1
            if got == expected:
                right += 1
            else:
                m_misses.append(f"{m['id']} on {day}: got {got}, want {expected}")
    for day, replay in replays.items():
        limit = date.fromisoformat(day)
        leaks += sum(1 for r in replay.records.values() if r.published and r.published > limit)

    return Scores(
        match_precision=precision,
        match_recall=recall,
        match_pairs=(tp, len(predicted), len(gold_pairs)),
        credibility_within=within / len(gold["credibility"]),
        credibility_misses=misses,
        contradictions_found=found,
        contradictions_gold=len(gold["contradictions"]),
        anachronisms_found=hit,
        anachronisms_gold=len(gold["anachronisms"]),
        anachronisms_extra=extra,
        milestones_right=right,
        milestones_total=total,
        milestone_misses=m_misses,
        leaks=leaks,
    )


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        result = score(build_workspace(Path(tmp) / "ws"))
    print("\n".join(result.lines()))
    sys.exit(0)
