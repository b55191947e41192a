from __future__ import annotations

import pytest

from watchboard.detect import DetectorParamError, run_detector, threshold, year_on_year

from .synth import daily, monthly


def test_threshold_reports_a_run_above_at_its_start():
    values: list[float | None] = [0.05, 0.08, 0.2, 0.1, 0.18, None, 0.22, 0.3, 0.05]
    [change] = threshold(daily(9), values, above=0.15, consecutive=2)
    assert change.detector == "threshold"
    assert (change.index, change.params["alarm_index"]) == (4, 6)  # the gap does not break it
    assert change.direction == "up"
    assert change.before == 0.15
    assert change.magnitude == pytest.approx(0.05)  # median excess of 0.18 and 0.22
    assert change.after == pytest.approx(0.2)


def test_threshold_reports_one_change_per_run():
    values = [0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0]
    changes = threshold(daily(7), values, above=0.5)
    assert [c.index for c in changes] == [1, 5]


def test_threshold_below_and_band():
    values = [5.0, 1.0, 5.0, 9.0, 5.0]
    assert [(c.index, c.direction) for c in threshold(daily(5), values, below=2.0)] == [(1, "down")]
    band = threshold(daily(5), values, above=8.0, below=2.0)
    assert [(c.index, c.direction) for c in band] == [(1, "down"), (3, "up")]


def test_threshold_needs_a_level():
    with pytest.raises(DetectorParamError, match="give 'above' or 'below'"):
        threshold(daily(3), [1.0, 2.0, 3.0])
    with pytest.raises(DetectorParamError, match="must be less than"):
        threshold(daily(3), [1.0, 2.0, 3.0], above=1.0, below=2.0)


def test_demo_construction_indicator_params_run():
    params = {"above": 0.15, "consecutive_scenes": 2}
    values = [0.1, 0.2, None, 0.25, 0.1]
    [change] = run_detector("threshold", daily(5), values, params)
    assert change.params["consecutive"] == 2


def test_year_on_year_compares_with_the_same_month_a_year_earlier():
    values: list[float | None] = [100.0] * 30
    values[20] = 180.0  # September of year 2 vs September of year 1
    [change] = year_on_year(monthly(30), values, min_ratio=1.5)
    assert change.index == 20
    assert change.direction == "up"
    assert change.score == pytest.approx(1.8)
    assert (change.before, change.after, change.magnitude) == (100.0, 180.0, 80.0)
    # ... and the next September is not a rise against 180
    assert len(year_on_year(monthly(30), values, min_ratio=1.5, max_ratio=0.5)) == 1


def test_year_on_year_falls_and_consecutive_periods():
    values: list[float | None] = [100.0] * 36
    values[14] = values[15] = 40.0
    values[20] = 300.0
    falls = year_on_year(monthly(36), values, min_ratio=None, max_ratio=0.5)
    assert [c.index for c in falls] == [14, 32]  # 32: 100 against 300 a year before
    both = year_on_year(monthly(36), values, min_ratio=2.0, max_ratio=0.5, consecutive=2)
    assert [(c.index, c.params["alarm_index"]) for c in both] == [(14, 15), (26, 27)]


def test_year_on_year_skips_missing_and_zero_bases():
    values: list[float | None] = [0.0] * 12 + [5.0] * 12
    values[13] = None
    assert year_on_year(monthly(24), values) == []


def test_year_on_year_sums_daily_values_per_month():
    days = daily(2 * 366)
    values: list[float | None] = [1.0] * len(days)
    for i, t in enumerate(days):
        if t.year == 2021 and t.month == 3:
            values[i] = 2.0
    changes = year_on_year(days, values, aggregate="sum")
    assert [(days[c.index].year, days[c.index].month) for c in changes] == [(2021, 3)]
    assert changes[0].magnitude == pytest.approx(31.0)


def test_year_on_year_quarters_and_years():
    values: list[float | None] = [10.0] * 24 + [20.0] * 12
    by_quarter = year_on_year(monthly(36), values, period="quarter")
    assert [c.index for c in by_quarter] == [24]
    by_year = year_on_year(monthly(36), values, period="year", aggregate="sum")
    assert [c.index for c in by_year] == [24]
    assert by_year[0].score == pytest.approx(2.0)


def test_demo_trade_indicator_params_run():
    params = {"hs_headings": ["8456", "8457"], "min_ratio": 1.5}
    values: list[float | None] = [1e6] * 24
    values[18] = 2e6
    [change] = run_detector("year_on_year", monthly(24), values, params)
    assert "hs_headings" not in change.params


def test_year_on_year_needs_a_ratio():
    with pytest.raises(DetectorParamError, match="min_ratio"):
        year_on_year(monthly(3), [1.0, 2.0, 3.0], min_ratio=None)
