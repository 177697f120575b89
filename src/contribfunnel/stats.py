"""Intervals and estimators shared by the metrics."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special as _sp
from scipy import stats as _st

__all__ = ["Survival", "absence_factor", "ami", "greenwood", "km", "mover", "newcombe", "nmi", "wilson"]


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


def mover(a: tuple[float, float, float], b: tuple[float, float, float]) -> tuple[float, float, float]:
    """The difference ``a - b`` of two independent estimates, each ``(estimate, low, high)``, with the
    MOVER interval (Zou & Donner 2008) recovered from the two single-estimate intervals:
    ``d - sqrt((a - a_low)^2 + (b_high - b)^2)`` to ``d + sqrt((a_high - a)^2 + (b - b_low)^2)``.

    With Wilson intervals this is Newcombe's hybrid score interval (see :func:`newcombe`).

    >>> [round(x, 3) for x in mover((0.5, 0.4, 0.6), (0.2, 0.1, 0.35))]
    [0.3, 0.12, 0.441]
    """
    (pa, la, ha), (pb, lb, hb) = a, b
    d = pa - pb
    return (d, d - float(np.hypot(pa - la, hb - pb)), d + float(np.hypot(ha - pa, pb - lb)))


def newcombe(k1: int, n1: int, k2: int, n2: int, *, confidence: float = 0.95) -> tuple[float, float, float]:
    """``k1/n1 - k2/n2`` with Newcombe's hybrid score interval (1998, method 10: MOVER on Wilson intervals).

    ``(nan, nan, nan)`` when either ``n`` is 0.

    >>> [round(x, 4) for x in newcombe(56, 70, 48, 80)]  # Newcombe (1998), Table II, example (a)
    [0.2, 0.0524, 0.3339]
    """
    if n1 <= 0 or n2 <= 0:
        return (float("nan"),) * 3
    return mover((k1 / n1, *wilson(k1, n1, confidence=confidence)), (k2 / n2, *wilson(k2, n2, confidence=confidence)))


def greenwood(durations: Iterable[float] | np.ndarray, observed: Iterable[bool] | np.ndarray,
              t: float) -> tuple[float, float]:
    """Kaplan–Meier ``S(t)`` and Greenwood's sum ``sum d_i / (n_i (n_i - d_i))`` over event times ``t_i <= t``.

    ``var(S(t)) = S(t)^2 * sum`` (Greenwood); ``var(log(-log S(t))) = sum / log(S(t))^2``.
    ``(nan, nan)`` without data.

    >>> s, g = greenwood([1, 2, 3, 3, 5, 6], [True, False, True, True, False, True], 4)
    >>> round(s, 4), round(g, 4)  # 5/6 * 2/4 and 1/(6*5) + 2/(4*2)
    (0.4167, 0.2833)
    """
    d = np.asarray(list(durations) if not isinstance(durations, np.ndarray) else durations, dtype=float)
    o = np.asarray(list(observed) if not isinstance(observed, np.ndarray) else observed, dtype=bool)
    if d.size == 0:
        return (float("nan"), float("nan"))
    times, deaths = np.unique(d[o & (d <= t)], return_counts=True)
    at_risk = d.size - np.searchsorted(np.sort(d), times, side="left")
    surv = float(np.prod(1 - deaths / at_risk))
    with np.errstate(divide="ignore"):
        g = float(np.sum(deaths / (at_risk * (at_risk - deaths).astype(float))))
    return (surv, g)


def _contingency(a: Iterable[Any], b: Iterable[Any]) -> np.ndarray:
    a_ = np.asarray(list(a), dtype=object).astype(str)
    b_ = np.asarray(list(b), dtype=object).astype(str)
    if a_.size != b_.size:
        raise ValueError("two labelings of the same items must have the same length")
    _, ia = np.unique(a_, return_inverse=True)
    _, ib = np.unique(b_, return_inverse=True)
    table = np.zeros((int(ia.max(initial=-1)) + 1, int(ib.max(initial=-1)) + 1), dtype=np.int64)
    np.add.at(table, (ia, ib), 1)
    return table


def _entropy(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def _mi(table: np.ndarray) -> float:
    n = table.sum()
    rows, cols = table.sum(axis=1, keepdims=True), table.sum(axis=0, keepdims=True)
    nz = table > 0
    return float((table[nz] / n * np.log(table[nz] * n / (rows @ cols)[nz])).sum())


def nmi(a: Iterable[Any], b: Iterable[Any]) -> float:
    """Normalised mutual information of two labelings of the same items: ``I(A;B) / ((H(A) + H(B)) / 2)``.

    1 for the same partition, 0 for independent ones; not corrected for chance
    (see :func:`ami`).  1 when both put everything in one group; nan without items.

    >>> nmi(["x", "x", "y", "y"], [1, 1, 2, 2]), nmi(["x", "x", "y", "y"], [1, 2, 1, 2])
    (1.0, 0.0)
    """
    table = _contingency(a, b)
    if table.size == 0:
        return float("nan")
    if table.shape == (1, 1):
        return 1.0
    mi = _mi(table)
    denom = (_entropy(table.sum(axis=1)) + _entropy(table.sum(axis=0))) / 2
    return 0.0 if mi <= 0 or denom <= 0 else float(min(1.0, mi / denom))


def _expected_mi(table: np.ndarray) -> float:
    """E[I] under random labelings with the same group sizes (Vinh, Epps & Bailey 2010, eq. 24a)."""
    n = int(table.sum())
    a, b = table.sum(axis=1), table.sum(axis=0)
    lg = _sp.gammaln
    total = 0.0
    for ai in a:
        for bj in b:
            k = np.arange(max(1, ai + bj - n), min(ai, bj) + 1)
            if k.size == 0:
                continue
            log_p = (lg(ai + 1) + lg(bj + 1) + lg(n - ai + 1) + lg(n - bj + 1) - lg(n + 1) - lg(k + 1)
                     - lg(ai - k + 1) - lg(bj - k + 1) - lg(n - ai - bj + k + 1))
            total += float((k / n * np.log(n * k / (ai * bj)) * np.exp(log_p)).sum())
    return total


def ami(a: Iterable[Any], b: Iterable[Any]) -> float:
    """Adjusted mutual information (Vinh, Epps & Bailey 2010), arithmetic normalisation:
    ``(I - E[I]) / ((H(A) + H(B)) / 2 - E[I])``: 1 for the same partition, about 0 for chance agreement.

    >>> ami(["x", "x", "y", "y"], [1, 1, 2, 2])
    1.0
    >>> round(ami([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 4)  # scikit-learn gives the same
    0.2988
    """
    table = _contingency(a, b)
    if table.size == 0:
        return float("nan")
    if table.shape[0] == table.shape[1] == 1:
        return 1.0
    mi, emi = _mi(table), _expected_mi(table)
    denom = (_entropy(table.sum(axis=1)) + _entropy(table.sum(axis=0))) / 2 - emi
    eps = float(np.finfo(float).eps)
    denom = min(denom, -eps) if denom < 0 else max(denom, eps)
    return float((mi - emi) / denom)


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


@dataclass(frozen=True)
class Survival:
    """A Kaplan–Meier estimate of a time-to-event with right-censoring.

    ``at(t)`` is P(event by t) with its 95% interval (exponential Greenwood,
    i.e. scipy's "log-log" method); ``median`` with its interval where the
    bands reach one half (``inf`` when the curve never does).
    """

    n: int
    events: int
    times: np.ndarray
    sf: np.ndarray
    sf_low: np.ndarray
    sf_high: np.ndarray

    def at(self, t: float) -> tuple[float, float, float]:
        """(P(T <= t), low, high); nan when there is no data."""
        if self.n == 0:
            return (float("nan"),) * 3
        i = np.searchsorted(self.times, t, side="right") - 1
        if i < 0:
            return (0.0, 0.0, 0.0)
        return (1 - float(self.sf[i]), 1 - float(self.sf_high[i]), 1 - float(self.sf_low[i]))

    @staticmethod
    def _cross(times: np.ndarray, curve: np.ndarray) -> float:
        below = np.nonzero(curve <= 0.5)[0]
        return float(times[below[0]]) if below.size else float("inf")

    @property
    def median(self) -> tuple[float, float, float]:
        """(median, low, high) time; nan without data, inf where the curve stays above 1/2."""
        if self.n == 0:
            return (float("nan"),) * 3
        return (self._cross(self.times, self.sf), self._cross(self.times, self.sf_low),
                self._cross(self.times, self.sf_high))


def km(durations: Iterable[float] | np.ndarray, observed: Iterable[bool] | np.ndarray) -> Survival:
    """Kaplan–Meier from durations and an observed flag (False = right-censored), via ``scipy.stats.ecdf``.

    >>> s = km([1, 2, 3, 4, 5], [True, True, False, True, False])
    >>> [round(float(x), 4) for x in s.sf]
    [0.8, 0.6, 0.6, 0.3, 0.3]
    >>> s.median[0]
    4.0
    """
    d = np.asarray(list(durations) if not isinstance(durations, np.ndarray) else durations, dtype=float)
    o = np.asarray(list(observed) if not isinstance(observed, np.ndarray) else observed, dtype=bool)
    if d.size == 0:
        empty = np.array([], dtype=float)
        return Survival(0, 0, empty, empty, empty, empty)
    if not o.any():
        t = np.array([float(d.max())])
        one = np.ones(1)
        return Survival(int(d.size), 0, t, one, one, one)
    res = _st.ecdf(_st.CensoredData(uncensored=d[o], right=d[~o]))
    with warnings.catch_warnings():  # undefined where S(t) is 0 or 1; those bands are set to 0/1 below
        warnings.simplefilter("ignore", RuntimeWarning)
        ci = res.sf.confidence_interval(method="log-log")
    times = np.asarray(res.sf.quantiles, dtype=float)
    sf = np.asarray(res.sf.probabilities, dtype=float)
    low = np.asarray(ci.low.probabilities, dtype=float)
    high = np.asarray(ci.high.probabilities, dtype=float)
    low = np.where(np.isnan(low), sf, low)  # undefined only where S is 0 or 1: the band is S itself
    high = np.where(np.isnan(high), sf, high)
    return Survival(int(d.size), int(o.sum()), times, sf, low, high)
