from __future__ import annotations

import math

import pytest

from watchboard.detect import run_detector, seasonal_anomaly

from .synth import daily, monthly, noise, seasonal

#: Single-point anomalies at 5 robust SDs, whatever the defaults are.
SPIKE = {"threshold": 5.0, "consecutive": 1}


def seasonal_values(n: int, seed: int) -> list[float | None]:
    return [float(v) for v in seasonal(n, seed)]


def test_seasonal_anomaly_flags_a_spike_against_the_same_month_of_earlier_years():
    values = seasonal_values(72, 1)
    values[50] += 10.0  # a March far above the previous Marches
    changes = seasonal_anomaly(monthly(72), values, **SPIKE)
    assert [c.index for c in changes] == [50]
    [change] = changes
    assert change.direction == "up"
    assert change.magnitude == pytest.approx(10.0, abs=2.0)
    assert change.score >= change.params["threshold"]
    assert change.params["alarm_index"] == 50
    assert change.after - change.before == pytest.approx(change.magnitude)


def test_the_cycle_itself_is_not_anomalous():
    # An amplitude of 6 noise SDs: far beyond the threshold without a seasonal baseline.
    values = [float(v) for v in seasonal(96, 2, amplitude=6.0)]
    assert seasonal_anomaly(monthly(96), values) == []


@pytest.mark.parametrize("seed", range(50, 60))
def test_seasonal_anomaly_finds_nothing_in_monthly_seasonal_noise(seed):
    values = [float(v) for v in seasonal(120, seed)]
    assert seasonal_anomaly(monthly(120), values) == []


def test_seasonal_anomaly_false_alarm_rate_on_daily_seasonal_noise_is_low():
    # docs/detectors.md: <= 1 false alarm per 1,000 points at the defaults (about 0.2 measured
    # here); 2 leaves margin for the sampling error, and for the within-month slope of a fast
    # cycle in daily data, which a month-of-year baseline does not follow.
    days = daily(4 * 365)
    alarms = sum(
        len(seasonal_anomaly(days, [float(v) for v in seasonal(len(days), s, per_year=365)]))
        for s in range(60, 70)
    )
    assert alarms <= 2 * 10 * len(days) / 1000


def test_consecutive_requires_a_run():
    values = seasonal_values(72, 3)
    values[50] += 10.0
    assert seasonal_anomaly(monthly(72), values, threshold=5.0, consecutive=2) == []
    values[51] += 10.0
    [change] = seasonal_anomaly(monthly(72), values, threshold=5.0, consecutive=2)
    assert change.index == 50
    assert change.params["alarm_index"] == 51


def test_gaps_neither_extend_nor_break_a_run():
    values = seasonal_values(72, 3)
    values[50] += 10.0
    values[51] = None
    values[52] += 10.0
    [change] = seasonal_anomaly(monthly(72), values, threshold=5.0, consecutive=2)
    assert (change.index, change.params["alarm_index"]) == (50, 52)


def test_direction_limits_what_is_reported():
    values = seasonal_values(72, 4)
    values[50] += 10.0
    values[60] -= 10.0
    both = seasonal_anomaly(monthly(72), values, **SPIKE)
    assert [c.direction for c in both] == ["up", "down"]
    down = seasonal_anomaly(monthly(72), values, direction="down", **SPIKE)
    assert [c.index for c in down] == [60]


@pytest.mark.parametrize("period", ["month", "quarter", "week"])
def test_daily_data_with_each_period(period):
    days = daily(3 * 365)
    values = [float(v) for v in noise(len(days), 5)]
    values[900] += 12.0
    changes = seasonal_anomaly(days, values, period=period, baseline_months=24, **SPIKE)
    assert [c.index for c in changes] == [900]


def test_first_year_is_not_scored():
    values = seasonal_values(24, 6)
    values[5] += 50.0  # no earlier June to compare with
    assert seasonal_anomaly(monthly(24), values, **SPIKE) == []


def test_constant_series_gives_nothing_and_a_jump_from_it_scores_finite():
    values: list[float | None] = [5.0] * 48
    assert seasonal_anomaly(monthly(48), values) == []
    values[40] = 6.0
    [change] = seasonal_anomaly(monthly(48), values, **SPIKE)
    assert change.index == 40
    assert math.isfinite(change.score)


@pytest.mark.parametrize("n", [0, 1, 3, 12])
def test_short_series_give_nothing(n):
    assert seasonal_anomaly(monthly(n), [1.0] * n) == []


def test_consecutive_scenes_is_accepted_through_run_detector():
    values = seasonal_values(72, 3)
    values[50] += 10.0
    values[51] += 10.0
    params = {"threshold": 5.0, "consecutive_scenes": 2}
    [change] = run_detector("seasonal_anomaly", monthly(72), values, params)
    assert change.params["consecutive"] == 2
