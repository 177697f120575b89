"""Intervals and estimators shared by the metrics."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy import stats as _st

__all__ = ["absence_factor", "wilson"]


def wilson(successes: int, n: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion; ``(nan, nan)`` when ``n`` is 0.

    >>> [round(x, 3) for x in wilson(8, 10)]
    [0.49, 0.943]
    """
    if n <= 0:
        return (float("nan"), float("nan"))
    z = float(_st.norm.ppf(0.5 + confidence / 2))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes <= 0 else max(0.0, float(centre - half))
    high = 1.0 if successes >= n else min(1.0, float(centre + half))
    return (low, high)


def absence_factor(counts: Iterable[float] | np.ndarray) -> int:
    """CHAOSS Contributor Absence Factor: fewest contributors whose contributions exceed 50% of the total.

    >>> absence_factor([1000, 202, 90, 33, 332, 343, 42, 433])
    2
    >>> absence_factor([])
    0
    """
    values = np.sort(np.asarray(counts if isinstance(counts, np.ndarray) else list(counts), dtype=float))[::-1]
    values = values[values > 0]
    total = values.sum()
    if total <= 0:
        return 0
    return int(np.searchsorted(np.cumsum(values), total / 2, side="right") + 1)
