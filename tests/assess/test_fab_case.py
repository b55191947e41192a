"""The fab-case: one invented story from ten reports, scored against an analyst's gold.

Floors sit a little under the figures measured when the rules were tuned (precision 0.91,
recall 0.42, credibility 0.70, anachronisms 3/3 with none extra, milestones 9/9); a change that
drops below them has made the assessment worse.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assess.fab_case import build_workspace, score


@pytest.fixture(scope="module")
def scores(tmp_path_factory: pytest.TempPathFactory):
    settings = build_workspace(Path(tmp_path_factory.mktemp("fab")) / "ws")
    result = score(settings)
    print("\n".join(result.lines()))
    return result


def test_matching_precision_and_recall(scores) -> None:
    assert scores.match_precision >= 0.85
    assert scores.match_recall >= 0.38


def test_credibility_mostly_within_the_analysts_range(scores) -> None:
    assert scores.credibility_within >= 0.65, scores.credibility_misses


def test_every_anachronism_found_and_nothing_else(scores) -> None:
    assert scores.anachronisms_found == scores.anachronisms_gold == 3
    assert scores.anachronisms_extra == 0


def test_milestone_status_at_each_date(scores) -> None:
    assert scores.milestones_right == scores.milestones_total, scores.milestone_misses


def test_replays_never_see_later_documents(scores) -> None:
    assert scores.leaks == 0


def test_the_capacity_contradiction_is_found(scores) -> None:
    assert scores.contradictions_found >= 3
