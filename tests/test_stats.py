"""Statistics pinned to independent results: a hand calculation and lifelines."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as st

import contribfunnel as cf
from contribfunnel.stats import km, wilson

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


def test_km_matches_lifelines_on_generated_data() -> None:
    rows = cf.pr_timeline(cf.load_example())
    d, o = rows.response_hours.to_numpy(float), rows.is_responded.to_numpy(bool)
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
