from __future__ import annotations

import math
from datetime import datetime

import pytest

from watchboard.detect import CusumState, DetectorParamError, SeriesError, cusum

from .synth import daily, monthly, noise, seasonal, step


def stream(times, values, **params):
    state = CusumState(**params)
    return [c for t, v in zip(times, values, strict=True) if (c := state.update(v, t))]


def test_cusum_alarms_soon_after_a_shift_and_places_its_onset():
    values = step(400, 200, 3.0, seed=1)
    change = cusum(daily(400), values)[0]
    assert change.detector == "cusum"
    assert change.direction == "up"
    assert 200 <= change.params["alarm_index"] <= 215
    assert abs(change.index - 200) <= 3
    assert change.time == daily(400)[change.index]
    # Estimated from the few points between onset and alarm: rough, and biased upwards.
    assert change.magnitude == pytest.approx(3.0, abs=1.0)
    assert change.before == pytest.approx(10.0, abs=0.3)
    assert change.score > 2.0  # the shift in baseline SDs (30 points: the SD itself is rough)


def test_cusum_detects_a_fall():
    [change] = cusum(daily(400), step(400, 250, -4.0, seed=2))
    assert change.direction == "down"
    assert 250 <= change.params["alarm_index"] <= 260


def test_cusum_raises_no_alarm_on_pure_noise():
    assert cusum(daily(1000), [float(v) for v in noise(1000, 200)]) == []


def test_cusum_false_alarm_rate_on_noise_is_low():
    # docs/detectors.md: about 1 false alarm per 1,000 points at the defaults (2 leaves margin
    # for the sampling error of 20 series).
    alarms = sum(
        len(cusum(daily(1000), [float(v) for v in noise(1000, 300 + s)])) for s in range(20)
    )
    assert alarms <= 2 * 20


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"k": 0.25, "h": 4.0},
        {"rebaseline": False, "h": 3.0},
        {"direction": "down"},
        {"clip": None},
        {"period": "month", "baseline": 365},
    ],
)
def test_streaming_equals_batch(params):
    times = daily(1500)
    values = step(1500, 700, 2.0, seed=3)
    values[900:] = [v - 4 for v in values[900:] if v is not None]
    for i in range(0, 1500, 7):
        values[i] = None
    batch = cusum(times, values, **params)
    assert batch  # the comparison means something
    assert stream(times, values, **params) == batch


def test_gaps_are_skipped_and_positions_kept():
    values = step(300, 150, 5.0, seed=4)
    values[150:160] = [None] * 10
    [change] = cusum(daily(300), values)
    assert abs(change.index - 160) <= 12
    assert values[change.index] is not None
    assert values[change.params["alarm_index"]] is not None


def test_rebaseline_gives_one_alarm_per_lasting_shift():
    values = step(600, 200, 3.0, seed=5)
    assert len(cusum(daily(600), values)) == 1
    assert len(cusum(daily(600), values, rebaseline=False)) > 5


def test_a_constant_baseline_does_not_divide_by_zero():
    values: list[float | None] = [2.0] * 120 + [2.5] * 20
    [change] = cusum(daily(140), values)
    assert change.index == 120
    assert math.isfinite(change.score)
    assert cusum(daily(140), [2.0] * 140) == []


@pytest.mark.parametrize("n", [0, 1, 10, 30])
def test_short_series_give_nothing(n):
    assert cusum(daily(n), [1.0] * n) == []


def test_seasonal_reference_finds_a_shift_the_cycle_would_hide():
    x = seasonal(120, 6, amplitude=5.0)
    x[70:] += 3.0
    values = [float(v) for v in x]
    # Without a seasonal reference the cycle inflates the scale: the shift goes unseen.
    assert cusum(monthly(120), values, baseline=24) == []
    [change] = cusum(monthly(120), values, baseline=24, period="month")
    assert change.index == 70
    assert 70 <= change.params["alarm_index"] <= 90  # two Junes per baseline month: slow


def test_state_reports_while_collecting_and_counts_gaps():
    state = CusumState(baseline=3)
    times = daily(5)
    assert state.collecting
    for t, v in zip(times, [1.0, None, 2.0, 3.0, 2.0], strict=True):
        assert state.update(v, t) is None
    assert not state.collecting
    assert state.index == 4


def test_state_checks_params_and_time_order():
    with pytest.raises(DetectorParamError, match="'h'"):
        CusumState(h=0)
    with pytest.raises(DetectorParamError, match=r"'baseline'.*integer"):
        CusumState(baseline=2.5)  # type: ignore[arg-type]
    state = CusumState()
    state.update(1.0, daily(2)[1])
    with pytest.raises(SeriesError, match="time order"):
        state.update(1.0, daily(2)[0])
    with pytest.raises(SeriesError, match="timezone-aware"):
        state.update(1.0, datetime(2030, 1, 1))
    with pytest.raises(SeriesError, match="not a number"):
        state.update("1", daily(3)[2])  # type: ignore[arg-type]


def test_state_and_batch_share_their_defaults():
    import inspect

    from watchboard.detect import DETECTORS

    signature = inspect.signature(CusumState.__init__)
    state_defaults = {name: p.default for name, p in signature.parameters.items() if name != "self"}
    assert state_defaults == DETECTORS["cusum"].defaults()
