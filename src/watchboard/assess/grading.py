"""Information credibility (1-6) from rules kept as data (``data/assessment.yaml``).

Each claim gets features (independent groups asserting it, contradicting groups, the origin's
reliability, modality ...) and the first rule whose conditions hold gives the grade, with the
rule's reason and the features it read — what ``watchboard explain`` shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from watchboard.assess.records import RELIABILITY
from watchboard.errors import WatchboardError

GRADE_WORDS = {
    1: "confirmed",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "cannot be judged",
}


@dataclass(frozen=True)
class Rule:
    id: str
    when: Mapping[str, Any]
    grade: int
    reason: str


def load_rules(raw: Sequence[Mapping[str, Any]], *, origin: str) -> list[Rule]:
    rules = []
    for i, item in enumerate(raw):
        try:
            rule = Rule(
                str(item["id"]),
                dict(item.get("when") or {}),
                int(item["grade"]),
                str(item["reason"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise WatchboardError(f"{origin}: credibility rule {i + 1}: {exc}") from None
        if not 1 <= rule.grade <= 6:
            raise WatchboardError(f"{origin}: credibility rule {rule.id}: grade must be 1-6")
        for key in rule.when:
            if _feature_of(key) not in FEATURES and key != "outweighed":
                raise WatchboardError(
                    f"{origin}: credibility rule {rule.id}: unknown condition {key!r}"
                )
        rules.append(rule)
    if not rules or rules[-1].when:
        raise WatchboardError(f"{origin}: the last credibility rule must have no conditions")
    return rules


FEATURES = (
    "groups",
    "witnesses",
    "contradicting",
    "identified",
    "reliability",
    "best_reliability",
    "modality",
    "speech_act",
)


def _feature_of(key: str) -> str:
    for suffix in ("_min", "_max"):
        if key.endswith(suffix):
            return key[: -len(suffix)]
    return key


def _order(value: Any) -> Any:
    if isinstance(value, str) and len(value) == 1 and value in RELIABILITY:
        return RELIABILITY.index(value)
    return value


def holds(rule: Rule, features: Mapping[str, Any]) -> bool:
    for key, expected in rule.when.items():
        if key == "outweighed":
            if bool(expected) != (features["contradicting"] > features["groups"]):
                return False
            continue
        name = _feature_of(key)
        actual = features[name]
        if key.endswith("_min"):
            if _order(actual) < _order(expected):
                return False
        elif key.endswith("_max"):
            if _order(actual) > _order(expected):
                return False
        elif isinstance(expected, list):
            if actual not in expected:
                return False
        elif actual != expected:
            return False
    return True


def grade(rules: Sequence[Rule], features: Mapping[str, Any]) -> Rule:
    for rule in rules:
        if holds(rule, features):
            return rule
    raise AssertionError("the last rule has no conditions")  # checked by load_rules
