from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
import yaml

import watchboard
from watchboard.detect import (
    DETECTORS,
    SERIES_PARAMS,
    DetectorParamError,
    SeriesError,
    UnknownDetectorError,
    check_params,
    run_detector,
    split_params,
)
from watchboard.errors import WatchboardError

from .synth import daily

DEMO_CASE = Path(watchboard.__file__).parent / "demo" / "dprk-2026" / "case.yaml"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "detectors.md"
#: The least each detector needs to run.
REQUIRED = {"threshold": {"above": 100.0}}


def test_registry_names_every_detector():
    assert set(DETECTORS) == {
        "change_point",
        "seasonal_anomaly",
        "cusum",
        "threshold",
        "year_on_year",
    }
    for name, detector in DETECTORS.items():
        assert detector.name == name
        assert detector.summary


def test_param_defaults_are_the_function_signature_defaults():
    for detector in DETECTORS.values():
        signature = inspect.signature(detector.function)
        for name, param in detector.params.items():
            assert param.default == signature.parameters[name].default


def test_unknown_parameter_is_named_with_the_allowed_ones():
    with pytest.raises(DetectorParamError) as caught:
        run_detector("change_point", daily(3), [1.0, 2.0, 3.0], {"min_shift": 3})
    message = str(caught.value)
    assert "'min_shift'" in message and "unknown parameter" in message
    assert "min_shift_sd" in message and "kernel" in message
    assert caught.value.param == "min_shift"
    assert isinstance(caught.value, WatchboardError) and isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("name", "params", "match"),
    [
        ("change_point", {"min_shift_sd": "3"}, "must be a number, not str"),
        ("change_point", {"min_shift_sd": True}, "must be a number, not bool"),
        ("change_point", {"min_size": 6.0}, "must be an integer"),
        ("change_point", {"penalty": -1}, "must be > 0"),
        ("change_point", {"period": "decade"}, "not one of"),
        ("change_point", {"min_shift_sd": float("nan")}, "finite"),
        ("seasonal_anomaly", {"baseline_months": 6}, ">= 12"),
        ("seasonal_anomaly", {"consecutive": 0}, ">= 1"),
        ("seasonal_anomaly", {"consecutive": 2, "consecutive_scenes": 2}, "only one of them"),
        ("cusum", {"rebaseline": "yes"}, "true or false"),
        ("cusum", {"k": None}, "not null"),
        ("threshold", {}, "give 'above' or 'below'"),
        ("year_on_year", {"period": "week"}, "not one of"),
    ],
)
def test_bad_params_are_refused_with_a_reason(name, params, match):
    with pytest.raises(DetectorParamError, match=match):
        run_detector(name, daily(3), [1.0, 2.0, 3.0], params)


def test_unknown_detector_lists_the_known_ones():
    with pytest.raises(
        UnknownDetectorError, match="unknown detector 'pelt'; use one of: change_point"
    ):
        run_detector("pelt", [], [], {})


def test_every_demo_case_indicator_has_valid_detector_params():
    case = yaml.safe_load(DEMO_CASE.read_text(encoding="utf-8"))
    seen = set()
    for indicator in case["indicators"]:
        detector = indicator.get("detector")
        if detector:
            settings = check_params(detector["name"], detector.get("params"))
            assert not set(settings) & SERIES_PARAMS
            seen.add(detector["name"])
    assert seen == {"change_point", "threshold", "year_on_year"}


def test_series_params_are_split_off():
    settings, series = split_params({"hs_headings": ["8456"], "min_ratio": 2})
    assert settings == {"min_ratio": 2} and series == {"hs_headings": ["8456"]}


@pytest.mark.parametrize("name", sorted(DETECTORS))
@pytest.mark.parametrize(
    "values",
    [[], [1.0], [1.0, 2.0], [None] * 50, [4.0] * 200, [0.0] * 200],
    ids=["empty", "one", "two", "all-gaps", "constant", "zeros"],
)
def test_degenerate_series_give_no_change_and_no_crash(name, values):
    assert run_detector(name, daily(len(values)), values, REQUIRED.get(name, {})) == []


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_malformed_series_raise_series_error(name):
    from datetime import datetime

    with pytest.raises(SeriesError):
        run_detector(name, [datetime(2020, 1, 1)], [1.0], REQUIRED.get(name, {}))


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_docs_describe_every_parameter(name):
    text = DOCS.read_text(encoding="utf-8")
    section = re.search(rf"^## `{name}`.*?(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert section, f"docs/detectors.md has no section for {name}"
    for param in DETECTORS[name].params:
        assert f"`{param}`" in section.group(0), f"{name}.{param} is not documented"


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_docs_give_the_code_defaults(name):
    text = DOCS.read_text(encoding="utf-8")
    section = re.search(rf"^## `{name}`.*?(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert section
    for param, spec in DETECTORS[name].params.items():
        row = re.search(rf"^\| `{param}` \| ([^|]+) \|", section.group(0), re.MULTILINE)
        assert row, f"{name}.{param} has no row in the parameter table"
        cell = row.group(1).strip()
        default = spec.default
        if default is None:
            assert cell.startswith("`None`"), (param, cell)
        elif isinstance(default, bool):
            assert cell == f"`{str(default).lower()}`", (param, cell)
        elif isinstance(default, str):
            assert cell == f"`{default}`", (param, cell)
        else:
            assert float(cell) == default, (param, cell)
