"""Scoring quantities against quantulum3-style gold files written by the tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from watchboard.errors import InputError
from watchboard.evaluation.quantities import (
    evaluate_quantities,
    main,
    read_quantities,
    unit_signature,
)
from watchboard.extract.quantities import load_units

GOLD = [
    {
        "req": "The tank holds 3 to 4 L of fuel and weighs 10kg (25lbs).",
        "res": [
            {"value": 3.5, "unit": "litre", "surface": "3 to 4 L", "uncertainty": 0.5},
            {"value": 10, "unit": "kilogram", "surface": "10kg", "entity": "mass"},
            {"value": 25, "unit": "pound-mass", "surface": "25lbs", "extra": {"x": 1}},
        ],
    },
    {
        "req": "They bought a dozen crates for $15.4/hour and 44 ml of oil.",
        "res": [
            {"value": 1, "unit": "dozen", "surface": "a dozen"},
            {"value": 15.4, "unit": "dollar per hour", "surface": "$15.4/hour"},
            {"value": 44, "unit": "cubic centimetre", "surface": "44 ml"},
        ],
    },
    {
        "req": "The site is 12 km away and grew 5% since 1999.",
        "res": [
            {"value": 12, "unit": "mile", "surface": "12 km"},
            {"value": 5, "unit": "percentage", "surface": "5%"},
            {"value": 1999, "unit": "dimensionless", "surface": "1999"},
        ],
    },
    {"req": "Nothing to see here.", "res": []},
    {"req": "Nothing here either, 42 times.", "res": []},
]


@pytest.fixture
def gold_file(tmp_path: Path) -> Path:
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(GOLD), encoding="utf-8")
    return path


def test_read_quantities_turns_uncertainty_into_range_ends(gold_file: Path) -> None:
    sentences = read_quantities(str(gold_file))
    assert len(sentences) == 5
    first = sentences[0].quantities[0]
    assert (first.low, first.high, first.is_range) == (3.0, 4.0, True)
    assert sentences[0].text[first.start : first.end] == "3 to 4 L"  # type: ignore[misc]


def test_read_quantities_accepts_other_range_shapes(tmp_path: Path) -> None:
    path = tmp_path / "ranges.json"
    path.write_text(
        json.dumps(
            [
                {
                    "req": "between 50 and 70 km, 2-3 kg, 8-9 m",
                    "res": [
                        {"value": 50, "unit": "kilometre", "surface": "between 50 and 70 km"},
                        {"value": 70, "unit": "kilometre", "surface": "between 50 and 70 km"},
                        {"value": [2, 3], "unit": "kilogram", "surface": "2-3 kg"},
                        {"low": 8, "high": 9, "unit": {"name": "metre"}, "surface": "8-9 m"},
                    ],
                }
            ]
        ),
        encoding="utf-8",
    )
    [sentence] = read_quantities(str(path))
    assert [(q.low, q.high, q.unit) for q in sentence.quantities] == [
        (50, 70, "kilometre"),
        (2, 3, "kilogram"),
        (8, 9, "metre"),
    ]
    result = evaluate_quantities(str(path))
    assert result["value_unit_accuracy"] == 1.0


def test_read_quantities_reports_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_quantities(str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not JSON"):
        read_quantities(str(bad))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("millilitre", "cubic centimetre"),
        ("dollar", "US dollar"),
        ("pound-mass", "pound"),
        ("percentage", "percent"),
        ("kilometre per hour", "kilometre per hour"),
        ("count per week", "per week"),
        ("inverse second", "hertz"),
        ("watt hour", "watt hour"),
        ("joule per square metre per year", "joule per square metre per year"),
    ],
)
def test_unit_signatures_compare_physical_units(a: str, b: str) -> None:
    table = load_units()
    sa, sb = unit_signature(a, table), unit_signature(b, table)
    assert sa is not None and sb is not None
    assert sa[0] == sb[0]
    assert sa[1] == pytest.approx(sb[1])


def test_unit_signature_keeps_temperatures_and_currencies_apart() -> None:
    table = load_units()
    celsius = unit_signature("degree Celsius", table)
    kelvin = unit_signature("kelvin", table)
    assert celsius is not None and kelvin is not None and celsius[0] != kelvin[0]
    euro, dollar = unit_signature("euro", table), unit_signature("dollar", table)
    assert euro is not None and dollar is not None and euro[0] != dollar[0]
    assert unit_signature("no such unit", table) is None
    assert unit_signature("dimensionless", table) == ((), 1.0)


def test_evaluate_quantities_scores_value_and_unit(gold_file: Path) -> None:
    result = evaluate_quantities(str(gold_file), sample_errors=10)
    assert result["gold"] == 9
    # wrong: "12 km" annotated as miles (unit error); "1999" is a year, not extracted
    assert result["correct"] == 7
    assert result["value_unit_accuracy"] == pytest.approx(7 / 9, abs=1e-4)
    assert result["value_accuracy"] == pytest.approx(8 / 9, abs=1e-4)
    assert result["spurious"] == 1  # "42 times" has no gold quantity
    kinds = sorted(e["kind"] for e in result["errors"])
    assert kinds == ["missed", "wrong unit"]
    assert result["by_dimension"]["length"] == {
        "gold": 1,
        "correct": 0,
        "value_correct": 1,
        "accuracy": 0.0,
    }
    assert result["by_dimension"]["volume"]["correct"] == 2


def test_evaluate_quantities_limits_the_error_sample(gold_file: Path) -> None:
    assert evaluate_quantities(str(gold_file), sample_errors=1)["errors"][0]["kind"] == "wrong unit"
    assert evaluate_quantities(str(gold_file), sample_errors=0)["errors"] == []


def test_main_prints_a_report(gold_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(gold_file)]) == 0
    out = capsys.readouterr().out
    assert "value+unit accuracy  0.7778" in out
    assert "[wrong unit] '12 km'" in out
    assert main([str(gold_file), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["correct"] == 7


def test_main_reports_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nope.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
