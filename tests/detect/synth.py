"""Seeded synthetic series for the detector tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from watchboard.detect.series import add_months

START = datetime(2020, 1, 1, tzinfo=UTC)


def daily(n: int, start: datetime = START) -> list[datetime]:
    return [start + timedelta(days=i) for i in range(n)]


def monthly(n: int, start: datetime = START) -> list[datetime]:
    return [add_months(start, i) for i in range(n)]


def noise(n: int, seed: int, *, sd: float = 1.0, level: float = 10.0) -> np.ndarray:
    return level + sd * np.random.default_rng(seed).normal(size=n)


def step(n: int, at: int, shift: float, seed: int, *, sd: float = 1.0) -> list[float | None]:
    x = noise(n, seed, sd=sd)
    x[at:] += shift
    return [float(v) for v in x]


def seasonal(n: int, seed: int, *, amplitude: float = 3.0, per_year: int = 12) -> np.ndarray:
    """Noise plus an annual sine cycle (``per_year`` points a year)."""
    i = np.arange(n)
    return noise(n, seed) + amplitude * np.sin(2 * np.pi * i / per_year)
