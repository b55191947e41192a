"""The evaluation suite's floor check and the `watchboard eval` command."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from watchboard.cli import cli
from watchboard.evaluation.suite import check_floors


def test_a_score_more_than_two_points_below_its_floor_fails() -> None:
    results = {"time": {"score": 0.80}, "quantities": {"score": 0.95}}
    assert check_floors(results, {"time": 0.81, "quantities": 0.95}) == []
    failures = check_floors(results, {"time": 0.83, "places-lgl-gold": 0.9})
    assert failures == [
        "time: 0.8000 is more than 0.02 below the recorded floor 0.8300",
        "places-lgl-gold: no score (the benchmark did not run)",
    ]


def test_eval_command_scores_a_quantities_file(tmp_path: Path) -> None:
    gold = tmp_path / "q.json"
    gold.write_text(
        json.dumps(
            [
                {
                    "req": "They built 12 new plants.",
                    "res": [{"value": 12, "unit": "dimensionless", "surface": "12"}],
                },
                {
                    "req": "The hall is 40 metres long.",
                    "res": [{"value": 40, "unit": "metre", "surface": "40 metres"}],
                },
            ]
        )
    )
    result = CliRunner().invoke(cli, ["eval", "quantities", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["gold"] == 2 and report["value_unit_accuracy"] == 1.0
