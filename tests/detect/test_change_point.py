from __future__ import annotations

import math

import numpy as np
import pytest

from watchboard.detect import DetectorParamError, change_point

from .synth import daily, monthly, noise, seasonal, step


def test_change_point_finds_an_upward_shift_where_it_is():
    values = step(300, 180, 4.0, seed=1)
    [change] = change_point(daily(300), values)
    assert abs(change.index - 180) <= 2
    assert change.time == daily(300)[change.index]
    assert change.detector == "change_point"
    assert change.direction == "up"
    assert change.magnitude == pytest.approx(4.0, abs=0.4)
    assert change.after - change.before == pytest.approx(change.magnitude)
    assert change.before == pytest.approx(10.0, abs=0.3)
    assert change.score == pytest.approx(4.0, abs=0.8)  # the shift in noise SDs
    assert change.params["min_shift_sd"] > 0
    assert change.params["penalty"] > 0  # the kernel default, made explicit


def test_change_point_finds_a_downward_shift_in_monthly_data():
    values = step(60, 30, -5.0, seed=2)
    [change] = change_point(monthly(60), values)
    assert abs(change.index - 30) <= 1
    assert change.direction == "down"
    assert change.magnitude == pytest.approx(-5.0, abs=0.6)


def test_change_point_finds_two_shifts():
    x = noise(600, 3)
    x[200:] += 5
    x[400:] -= 8
    changes = change_point(daily(600), [float(v) for v in x])
    assert [c.direction for c in changes] == ["up", "down"]
    assert abs(changes[0].index - 200) <= 2 and abs(changes[1].index - 400) <= 2


@pytest.mark.parametrize("seed", range(10))
def test_change_point_finds_nothing_in_pure_noise(seed):
    assert change_point(daily(500), [float(v) for v in noise(500, 100 + seed)]) == []


def test_change_point_reports_positions_in_the_series_with_gaps():
    values = step(300, 150, 5.0, seed=4)
    for i in range(0, 300, 3):  # a third of the points missing, the first shifted one too
        values[i] = None
    values[150] = None
    [change] = change_point(daily(300), values)
    assert values[change.index] is not None
    assert abs(change.index - 150) <= 3


@pytest.mark.parametrize("n", [0, 1, 2, 5, 11])
def test_change_point_on_a_short_series_gives_nothing(n):
    assert change_point(daily(n), [1.0] * n) == []


def test_change_point_on_a_constant_series_gives_nothing():
    assert change_point(daily(100), [3.0] * 100) == []
    assert change_point(daily(100), [None] * 100) == []


def test_change_point_on_a_noiseless_step_gives_one_finite_change():
    values = [1.0] * 50 + [2.0] * 50  # MAD of differences is 0
    [change] = change_point(daily(100), values)
    assert change.index == 50
    assert math.isfinite(change.score) and change.score > 3
    assert change.magnitude == pytest.approx(1.0)


def test_min_shift_sd_filters_small_shifts():
    values = step(400, 200, 2.0, seed=5)
    assert change_point(daily(400), values, min_shift_sd=3.0) == []
    [change] = change_point(daily(400), values, min_shift_sd=1.5)
    assert abs(change.index - 200) <= 5


def test_baseline_months_suppresses_breaks_in_the_first_months():
    values = step(48, 8, 5.0, seed=6)
    assert len(change_point(monthly(48), values)) == 1
    assert change_point(monthly(48), values, baseline_months=12) == []


def test_period_removes_an_annual_cycle_first():
    x = seasonal(144, 7, amplitude=4.0)
    x[90:] += 4.0
    values = [float(v) for v in x]
    [change] = change_point(monthly(144), values, period="month")
    assert abs(change.index - 90) <= 2
    assert change.direction == "up"


def test_rbf_kernel_finds_the_shift_and_ignores_a_single_outlier():
    values = step(400, 250, 4.0, seed=8)
    values[100] = 60.0
    [change] = change_point(daily(400), values, kernel="rbf")
    assert abs(change.index - 250) <= 3


def test_long_series_are_searched_in_blocks_and_placed_precisely():
    values = step(20_000, 12_345, 3.5, seed=9)
    [change] = change_point(daily(20_000), values, max_points=1000)
    assert abs(change.index - 12_345) <= 3


def test_change_point_rejects_bad_params():
    with pytest.raises(DetectorParamError, match=r"'kernel'.*'cosine'"):
        change_point(daily(10), [1.0] * 10, kernel="cosine")
    with pytest.raises(DetectorParamError, match=r"'min_size'.*>= 2"):
        change_point(daily(10), [1.0] * 10, min_size=1)


def test_change_point_is_deterministic():
    values = list(np.round(noise(300, 10), 3))
    values[150:] = [v + 4 for v in values[150:]]
    assert change_point(daily(300), values) == change_point(daily(300), values)
