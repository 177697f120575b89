"""Statistics pinned to independent results: a hand calculation and lifelines."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as st

import contribfunnel as cf
from contribfunnel.stats import ami, greenwood, km, mover, newcombe, nmi, wilson

lifelines = pytest.importorskip("lifelines")


def test_km_hand_calculation() -> None:
    # n=6: events at 1, 3 (two), censored at 2 and 5, event at 6.
    s = km([1, 2, 3, 3, 5, 6], [True, False, True, True, False, True])
    # S(1)=5/6; S(3)=5/6*(2/4); S(6)=5/6*2/4*0/1=0
    assert s.sf[list(s.times).index(1.0)] == pytest.approx(5 / 6)
    assert s.sf[list(s.times).index(3.0)] == pytest.approx(5 / 6 * 2 / 4)
    assert s.sf[-1] == pytest.approx(0.0)
    assert s.median[0] == 3.0
    assert s.at(2.5)[0] == pytest.approx(1 / 6)


def test_km_exponential_greenwood_intervals_by_hand() -> None:
    """The "log-log" band, written out: with Greenwood's sum G(t) = sum over event times t_i <= t of
    d_i / (n_i (n_i - d_i)), the variance of log(-log S) is V = G / (log S)^2 and the 95% band is
    exp(-exp(log(-log S) -/+ z sqrt(V))), i.e. S ** exp(+z sqrt(V)) (low) and S ** exp(-z sqrt(V)) (high)."""
    s = km([1, 2, 3, 3, 5, 6], [True, False, True, True, False, True])
    z = float(st.norm.ppf(0.975))

    def band(surv: float, greenwood: float) -> tuple[float, float]:
        root_v = math.sqrt(greenwood) / abs(math.log(surv))
        return surv ** math.exp(z * root_v), surv ** math.exp(-z * root_v)

    # t=1: n=6, d=1 -> S = 5/6, G = 1/(6*5).  t=3: n=4 (one censored at 2), d=2 -> S = 5/12, G += 2/(4*2).
    lo1, hi1 = band(5 / 6, 1 / 30)
    lo3, hi3 = band(5 / 12, 1 / 30 + 2 / 8)
    assert (lo1, hi1) == (pytest.approx(0.273123, abs=1e-6), pytest.approx(0.974712, abs=1e-6))  # the numbers
    assert (lo3, hi3) == (pytest.approx(0.055992, abs=1e-6), pytest.approx(0.766522, abs=1e-6))
    times = list(s.times)
    for t, lo, hi in ((1.0, lo1, hi1), (2.0, lo1, hi1), (3.0, lo3, hi3), (5.0, lo3, hi3)):
        i = times.index(t)
        assert (s.sf_low[i], s.sf_high[i]) == (pytest.approx(lo, rel=1e-9), pytest.approx(hi, rel=1e-9)), t
    # At t=6 the one person at risk has the event: S = 0 and the band collapses onto it.
    assert (s.sf[-1], s.sf_low[-1], s.sf_high[-1]) == (0.0, 0.0, 0.0)
    # P(T <= 2.5) with its band is 1 - S and the band flipped.
    assert s.at(2.5) == (pytest.approx(1 / 6), pytest.approx(1 - hi1), pytest.approx(1 - lo1))
    # Median 3; its interval: where the low band first reaches 1/2 (t=1) and the high band does (t=6).
    assert s.median == (3.0, 1.0, 6.0)
    # A curve that never reaches one half has an infinite median and upper limit.
    never = km([1, 2, 3, 4], [True, False, False, False])
    assert never.median[0] == math.inf and never.median[2] == math.inf


def _generated_waits() -> list[tuple[str, np.ndarray, np.ndarray]]:
    out = []
    for seed in (0, 7):
        act = cf.make_activity(seed=seed, n_prs=250, n_issues=60)
        t, fc = cf.pr_timeline(act), cf.first_contributions(act)
        out += [(f"response {seed}", t.response_hours.to_numpy(float), t.is_responded.to_numpy(bool)),
                (f"decision {seed}", t.decision_hours.to_numpy(float), t.is_decided.to_numpy(bool)),
                (f"first response {seed}", fc.response_hours.to_numpy(float), fc.is_responded.to_numpy(bool))]
    rows = cf.pr_timeline(cf.load_example())
    out.append(("example response", rows.response_hours.to_numpy(float), rows.is_responded.to_numpy(bool)))
    rng = np.random.default_rng(1)
    for i in range(3):  # small samples with ties and heavy censoring
        n = int(rng.integers(8, 40))
        out.append((f"random {i}", np.round(rng.exponential(10, n)), rng.random(n) < 0.5))
    return out


@pytest.mark.parametrize(("name", "d", "o"), _generated_waits(), ids=lambda v: v if isinstance(v, str) else "")
def test_km_matches_lifelines_on_generated_data(name: str, d: np.ndarray, o: np.ndarray) -> None:
    from lifelines.utils import median_survival_times

    ours = km(d, o)
    kmf = lifelines.KaplanMeierFitter().fit(d, event_observed=o, alpha=0.05)
    theirs = kmf.survival_function_at_times(ours.times).to_numpy()
    assert np.allclose(ours.sf, theirs, atol=1e-12)
    ci = kmf.confidence_interval_survival_function_
    at = ci.reindex(ours.times, method="ffill")
    inside = (ours.sf > 0) & (ours.sf < 1)  # lifelines and scipy both use the exponential Greenwood band
    assert np.allclose(ours.sf_low[inside], at.iloc[:, 0].to_numpy()[inside], atol=1e-6)
    assert np.allclose(ours.sf_high[inside], at.iloc[:, 1].to_numpy()[inside], atol=1e-6)
    assert ours.median[0] == pytest.approx(kmf.median_survival_time_)
    # The median's interval: lifelines' medians of its band's two curves, where they are defined.
    ref = median_survival_times(kmf.confidence_interval_)  # one row, the band's lower and upper curves
    ref_low = float(ref.filter(like="_lower_").iloc[0, 0])  # the lower survival curve reaches 1/2 first
    ref_high = float(ref.filter(like="_upper_").iloc[0, 0])
    assert np.isfinite(ref_low), name
    assert ours.median[1] == pytest.approx(ref_low), name
    assert ours.median[2] == pytest.approx(ref_high), name  # inf == inf where the band never reaches 1/2
    assert ours.median[1] <= ours.median[0] <= ours.median[2]


def test_compare_periods_matches_lifelines_and_fisher() -> None:
    from lifelines.statistics import logrank_test

    rows = cf.pr_timeline(cf.load_example())
    cmp = cf.compare_periods(rows, "2025Q3", "2026Q3")
    period = rows.ready_at.dt.tz_convert(None).dt.to_period("Q").astype(str)
    a, b = rows[period == "2025Q3"], rows[period == "2026Q3"]
    ref = logrank_test(a.response_hours, b.response_hours, event_observed_A=a.is_responded,
                       event_observed_B=b.is_responded)
    got = cmp.table.set_index("metric")
    assert got.at["response_hours", "p_value"] == pytest.approx(ref.p_value, rel=1e-6)
    ka, kb = int(a.is_abandoned.sum()), int(b.is_abandoned.sum())
    fisher = st.fisher_exact([[ka, len(a) - ka], [kb, len(b) - kb]]).pvalue
    assert got.at["abandonment", "p_value"] == pytest.approx(fisher)
    assert "log-rank" in repr(cmp) and "<table" in cmp._repr_html_()


def test_wilson_against_statsmodels_formula() -> None:
    # Reference values from the closed form (Wilson 1927), z = 1.959964.
    assert wilson(0, 10) == (0.0, pytest.approx(0.27753, abs=1e-5))
    assert wilson(10, 10) == (pytest.approx(0.72247, abs=1e-5), 1.0)


def test_friction_summary_intervals_contain_estimates() -> None:
    s = cf.friction_summary(cf.pr_timeline(cf.load_example()))
    for col in ("acceptance", "abandonment", "answered_within"):
        ok = s[col].isna() | ((s[f"{col}_low"] <= s[col] + 1e-12) & (s[col] <= s[f"{col}_high"] + 1e-12))
        assert ok.all(), col
    finite = np.isfinite(s.median_response_hours)
    assert (s.median_response_low[finite] <= s.median_response_hours[finite]).all()
    assert set(s.group) == {"newcomer", "regular"}
    assert list(s.period) == sorted(s.period)


@pytest.mark.parametrize(("counts", "low", "high"), [
    ((56, 70, 48, 80), 0.0524, 0.3339),  # Newcombe (1998), Table II, method 10, examples (a), (b), (d), (e)
    ((9, 10, 3, 10), 0.1705, 0.8090),
    ((5, 56, 0, 29), -0.0381, 0.1926),
    ((0, 10, 0, 20), -0.1611, 0.2775),
])
def test_newcombe_hybrid_score_interval_matches_the_paper(counts: tuple[int, int, int, int], low: float,
                                                           high: float) -> None:
    k1, n1, k2, n2 = counts
    d, lo, hi = newcombe(k1, n1, k2, n2)
    assert d == pytest.approx(k1 / n1 - k2 / n2)
    assert (lo, hi) == (pytest.approx(low, abs=5e-5), pytest.approx(high, abs=5e-5))
    # It is MOVER on the two Wilson intervals, and antisymmetric.
    assert mover((k1 / n1, *wilson(k1, n1)), (k2 / n2, *wilson(k2, n2))) == (d, lo, hi)
    assert newcombe(k2, n2, k1, n1) == (pytest.approx(-d), pytest.approx(-hi), pytest.approx(-lo))
    assert all(np.isnan(newcombe(1, 0, 1, 2)))


def test_greenwood_sum_by_hand_and_binomial_without_censoring() -> None:
    s, g = greenwood([1, 2, 3, 3, 5, 6], [True, False, True, True, False, True], 3)
    assert (s, g) == (pytest.approx(5 / 12), pytest.approx(1 / 30 + 2 / 8))
    assert greenwood([1, 2, 3, 3, 5, 6], [True, False, True, True, False, True], 0.5) == (1.0, 0.0)
    rng = np.random.default_rng(3)
    d = rng.exponential(10, 200)
    s, g = greenwood(d, np.ones(200, bool), 8.0)
    p = float((d <= 8).mean())
    assert s == pytest.approx(1 - p) and s * s * g == pytest.approx(p * (1 - p) / 200)  # Greenwood = binomial
    assert s == pytest.approx(1 - km(d, np.ones(200, bool)).at(8.0)[0])


def _labelings(seed: int, size: int, k1: int, k2: int) -> tuple[list[int], list[int]]:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, k1, size)
    y = x + rng.integers(0, k2, size) * (rng.random(size) < 0.5)
    return x.tolist(), y.tolist()


@pytest.mark.parametrize(("case", "want_ami", "want_nmi"), [
    # Reference values from scikit-learn 1.9.1 (adjusted_mutual_info_score, normalized_mutual_info_score,
    # arithmetic normalisation) on these very labelings.
    ((0, 10, 2, 3), 0.23629036029447137, 0.4053046307334021),
    ((1, 25, 4, 4), 0.5142831427126847, 0.6464356536571325),
    ((2, 60, 3, 6), 0.3308444565505759, 0.39288813407614004),
    ((3, 200, 8, 5), 0.47597494271676627, 0.5278613135357378),
    ((4, 7, 7, 2), 0.6641230050227843, 0.81670744554602),
    ((5, 40, 1, 3), 0.0, 0.0),
])
def test_mutual_information_matches_scikit_learn(case: tuple[int, int, int, int], want_ami: float,
                                                 want_nmi: float) -> None:
    x, y = _labelings(*case)
    assert ami(x, y) == pytest.approx(want_ami, abs=1e-10)
    assert nmi(x, y) == pytest.approx(want_nmi, abs=1e-10)
    assert ami(y, x) == pytest.approx(want_ami, abs=1e-10)  # symmetric


def test_mutual_information_by_hand_and_by_chance() -> None:
    # A = {a a b b}, B = {1 1 1 2}: I = H(B) - H(B|A) with H(B) = -(3/4 ln 3/4 + 1/4 ln 1/4), H(B|A) = ln 2 / 2.
    h_b = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    mi = h_b - math.log(2) / 2
    assert nmi(["a", "a", "b", "b"], [1, 1, 1, 2]) == pytest.approx(mi / ((math.log(2) + h_b) / 2))
    # Labels are names, not numbers: renaming changes nothing; the same partition scores 1.
    assert ami(["x", "x", "y", "z"], [7, 7, 3, 9]) == pytest.approx(1.0)
    assert np.isnan(nmi([], [])) and np.isnan(ami([], []))
    # Independent random labelings: NMI stays well above 0 on small samples, AMI is 0 on average.
    rng = np.random.default_rng(0)
    draws = [(rng.integers(0, 4, 30), rng.integers(0, 4, 30)) for _ in range(200)]
    assert np.mean([nmi(a, b) for a, b in draws]) > 0.05
    assert abs(np.mean([ami(a, b) for a, b in draws])) < 0.01
    with pytest.raises(ValueError, match="same length"):
        nmi([1, 2], [1])
