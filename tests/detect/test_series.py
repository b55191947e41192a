from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchboard.detect import SeriesError, noise_sd, robust_sd
from watchboard.detect.series import (
    add_months,
    fit_baseline,
    loo_residuals,
    period_key,
    prepare_series,
    scale_floor,
)

from .synth import daily, noise


def test_robust_sd_of_gaussian_noise_is_close_to_its_sd():
    assert robust_sd(noise(20_000, 1, sd=2.0)) == pytest.approx(2.0, rel=0.03)


def test_robust_sd_ignores_a_few_outliers():
    x = noise(1000, 2)
    x[:10] = 1e6
    assert robust_sd(x) == pytest.approx(1.0, rel=0.1)


def test_robust_sd_falls_back_to_mean_deviation_when_mad_is_zero():
    x = np.zeros(100)
    x[:3] = 5.0  # most values equal: MAD 0
    assert robust_sd(x) > 0
    assert robust_sd(np.zeros(50)) == 0.0
    assert robust_sd(np.array([1.0])) == 0.0


def test_robust_sd_of_a_repeating_pattern_is_not_rounding_noise():
    # Regression: the differences of 10.0, 10.3, ... 11.2, 10.0, ... are 0.3 up to rounding,
    # so their MAD was ~1e-15 and every shift scored ~1e8 noise SDs.
    x = np.array([10.0 + (i % 5) * 0.3 for i in range(40)])
    assert noise_sd(x) > 0.1


def test_noise_sd_is_not_moved_by_a_level_shift():
    x = noise(2000, 3)
    x[1000:] += 50.0
    assert noise_sd(x) == pytest.approx(1.0, rel=0.1)


def test_scale_floor_is_never_zero():
    assert scale_floor(0.0, 0.0) > 0
    assert scale_floor(0.0, 1e6) == pytest.approx(1e-3)
    assert scale_floor(2.0, 5.0) == 2.0


@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.floats(-100, 100, allow_nan=False)),
        min_size=1,
        max_size=40,
    )
)
def test_loo_residuals_equal_brute_force(pairs):
    keys = np.array([k for k, _ in pairs])
    values = np.array([v for _, v in pairs])
    expected = []
    for key in sorted(set(keys.tolist())):
        group = values[keys == key]
        for i in range(len(group)):
            if len(group) > 1:
                expected.append(group[i] - np.median(np.delete(group, i)))
    got = loo_residuals(values, keys)
    assert sorted(got.tolist()) == pytest.approx(sorted(expected))


def test_fit_baseline_levels_are_per_key_medians():
    values = np.array([1.0, 2.0, 3.0, 10.0, 20.0])
    keys = np.array([0, 0, 0, 1, 1])
    base = fit_baseline(values, keys)
    assert base.levels == {0: 2.0, 1: 15.0}
    assert base.counts == {0: 3, 1: 2}
    assert base.level(7) == base.overall == 3.0
    assert base.scale > 0


def test_prepare_series_keeps_positions_of_observed_values():
    series = prepare_series(daily(5), [1.0, None, float("nan"), 4, math.inf])
    assert series.index.tolist() == [0, 3]
    assert series.x.tolist() == [1.0, 4.0]


@pytest.mark.parametrize(
    ("times", "values", "message"),
    [
        (daily(3), [1.0, 2.0], "3 times but 2 values"),
        ([datetime(2020, 1, 1)], [1.0], "timezone-aware"),
        (list(reversed(daily(3))), [1.0, 2.0, 3.0], "must not decrease"),
        (daily(2), [1.0, "2"], "not a number"),
        (daily(2), [1.0, True], "not a number"),
    ],
)
def test_prepare_series_rejects_malformed_series(times, values, message):
    with pytest.raises(SeriesError, match=message):
        prepare_series(times, values)


def test_add_months_clamps_the_day():
    assert add_months(datetime(2024, 1, 31, tzinfo=UTC), 1) == datetime(2024, 2, 29, tzinfo=UTC)
    assert add_months(datetime(2024, 3, 15, tzinfo=UTC), -15) == datetime(2022, 12, 15, tzinfo=UTC)


def test_period_keys_are_taken_in_utc():
    from datetime import timedelta, timezone

    seoul = timezone(timedelta(hours=9))
    t = datetime(2026, 2, 1, 3, 0, tzinfo=seoul)  # still January in UTC
    assert period_key(t, "month") == 0
    assert period_key(t, "quarter") == 0
    assert period_key(t, None) == 0
    assert 0 <= period_key(t, "week") <= 52
