"""The newcomer funnel and time to stage on a hand-built activity whose every count is known."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import contribfunnel as cf
from contribfunnel.stats import km

AS_OF = "2027-01-31"


def ts(day: str) -> pd.Timestamp:
    return pd.Timestamp(day, tz="UTC")


def pr(number: int, author: str, created: str, merged: str | None = None, by: str = "maint") -> dict[str, object]:
    row: dict[str, object] = {"repo": "o/r", "number": number, "kind": "pr", "author": author,
                              "created_at": ts(created), "ready_at": ts(created), "state": "open"}
    if merged:
        row |= {"merged_at": ts(merged), "closed_at": ts(merged), "merged_by": by, "state": "merged"}
    return row


def review(number: int, actor: str, at: str) -> dict[str, object]:
    return {"repo": "o/r", "number": number, "kind": "review", "actor": actor, "at": ts(at),
            "review_state": "APPROVED"}


def build() -> cf.Activity:
    """Cohort 2026Q1 (five people), 2025Q2 (maint alone), 2026Q4 (two people, younger than the horizon).

    - ann: every stage, the last (maintainer) on 2026-05-10, within 180 days of 2026-01-10;
    - bo: commented first, then one merged PR;
    - cy: reviewed (2026-04-20) before being sustained (2026-05-10): reviewer counts from 2026-05-10;
    - dee: an open PR and a review, never merged: not a reviewer in the funnel's sense;
    - eve: merged 223 days after her first PR: outside a 180-day horizon, inside a 365-day one;
    - maint: merges from 2025 but never opened a PR: participant only.
    """
    items = [
        {"repo": "o/r", "number": 99, "kind": "issue", "author": "maint", "created_at": ts("2025-06-01"),
         "ready_at": ts("2025-06-01"), "state": "open"},
        {"repo": "o/r", "number": 100, "kind": "issue", "author": "maint", "created_at": ts("2026-01-02"),
         "ready_at": ts("2026-01-02"), "state": "open"},
        {"repo": "o/r", "number": 101, "kind": "issue", "author": "cy", "created_at": ts("2026-02-15"),
         "ready_at": ts("2026-02-15"), "state": "open"},
        pr(1, "ann", "2026-01-10", "2026-01-11"),
        pr(2, "ann", "2026-02-01", "2026-02-02"),
        pr(3, "ann", "2026-04-20", "2026-04-21"),
        pr(4, "bo", "2026-02-05", "2026-02-06"),
        pr(5, "cy", "2026-03-01", "2026-03-02"),
        pr(6, "cy", "2026-05-05", "2026-05-10", by="ann"),
        pr(7, "dee", "2026-03-10"),
        pr(8, "eve", "2026-02-20", "2026-10-01"),
        pr(9, "fay", "2026-11-01", "2026-11-02"),
    ]
    events = [
        {"repo": "o/r", "number": 100, "kind": "comment", "actor": "bo", "at": ts("2026-01-20")},
        review(5, "ann", "2026-05-01"),
        review(3, "cy", "2026-04-20 12:00"),
        review(2, "dee", "2026-03-12"),
        {"repo": "o/r", "number": 9, "kind": "comment", "actor": "gus", "at": ts("2026-11-03")},
    ]
    people = [{"person": p, "logins": (p,)} for p in ("ann", "bo", "cy", "dee", "eve", "fay", "gus", "maint")]
    act = cf.Activity.from_tables(meta=cf.Meta(as_of=AS_OF, repos=("o/r",)), items=items, events=events,
                                  people=people)
    return cf.resolve_identities(act)


def wilson_by_hand(k: int, n: int) -> tuple[float, float]:
    """Wilson (1927): (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = 1.959964."""
    z, p = 1.959963984540054, k / n
    centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return ((centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n))


def test_funnel_counts_conversions_and_intervals() -> None:
    f = cf.funnel(build()).set_index(["cohort", "stage"])
    q1 = f.loc["2026Q1"]
    assert q1.reached.tolist() == [5, 5, 3, 2, 2, 2, 1]
    assert (q1.cohort_size == 5).all()
    assert q1.from_previous.tolist() == pytest.approx([1, 1, 3 / 5, 2 / 3, 1, 1, 1 / 2])
    assert q1.from_start.tolist() == pytest.approx([1, 1, 0.6, 0.4, 0.4, 0.4, 0.2])
    lo, hi = wilson_by_hand(3, 5)
    assert (q1.at["first_merged", "previous_low"], q1.at["first_merged", "previous_high"]) == (
        pytest.approx(lo), pytest.approx(hi))
    lo, hi = wilson_by_hand(1, 2)
    assert (q1.at["maintainer", "previous_low"], q1.at["maintainer", "previous_high"]) == (
        pytest.approx(lo), pytest.approx(hi))
    lo, hi = wilson_by_hand(2, 5)
    assert (q1.at["sustained", "start_low"], q1.at["sustained", "start_high"]) == (pytest.approx(lo), pytest.approx(hi))
    # All reached: the upper limit is 1 and the lower limit Wilson's n / (n + z²).
    assert q1.at["opened_pr", "start_high"] == 1.0
    assert q1.at["opened_pr", "start_low"] == pytest.approx(5 / (5 + 1.959963984540054**2))
    # Merging others' work without ever opening a PR is not the funnel: maint is a participant only.
    assert f.loc["2025Q2"].reached.tolist() == [1, 0, 0, 0, 0, 0, 0]
    assert math.isnan(f.loc["2025Q2"].at["first_merged", "from_previous"])  # 0 of 0
    assert f.loc["2026Q4"].reached.tolist() == [2, 1, 1, 0, 0, 0, 0]


def test_funnel_marks_cohorts_younger_than_the_horizon_incomplete() -> None:
    act = build()
    f = cf.funnel(act)
    complete = f.groupby("cohort").is_complete.first()
    assert complete.to_dict() == {"2025Q2": True, "2026Q1": True, "2026Q4": False}  # Dec 31 + 180 d > Jan 31
    assert f.attrs["horizon_days"] == 180
    # A longer horizon brings eve's late merge in, and makes 2026Q1 incomplete as of 2027-01-31.
    g = cf.funnel(act, horizon="365D").set_index(["cohort", "stage"])
    assert g.at[("2026Q1", "first_merged"), "reached"] == 4
    assert not g.at[("2026Q1", "participant"), "is_complete"]
    # Looking back from 2026-04-01: ann is not yet sustained, cy not yet merged twice, eve not merged.
    early = cf.funnel(act, as_of="2026-04-01").set_index(["cohort", "stage"])
    assert early.loc["2026Q1"].reached.tolist() == [5, 5, 3, 1, 0, 0, 0]
    assert not early.loc["2026Q1"].is_complete.any() and early.loc["2025Q2"].is_complete.all()


def test_funnel_with_fewer_stages_and_bad_stages() -> None:
    f = cf.funnel(build(), stages=("participant", "opened_pr", "reviewer")).set_index(["cohort", "stage"])
    # Without the merge stages in between, dee's review counts: ann, cy and dee reviewed.
    assert f.loc["2026Q1"].reached.tolist() == [5, 5, 3]
    with pytest.raises(cf.UsageError):
        cf.funnel(build(), stages=("opened_pr", "reviewer"))
    with pytest.raises(cf.UsageError):
        cf.time_to_stage(build(), stage="participant")


def test_time_to_stage_follows_the_funnels_order() -> None:
    act = build()
    curve = cf.time_to_stage(act, stage="reviewer")
    # Reached: cy on day 84 (2026-02-15 -> 05-10, when sustained; her review on 04-20 is too early)
    # and ann on day 111 (01-10 -> 05-01).  dee's review without a merge is not the stage.
    # Censored at as_of: fay (91 days) and gus (89) before day 111, everyone else later.
    assert curve.n.iloc[0] == 8
    jumps = curve[curve.probability.diff().fillna(curve.probability) > 0]
    assert jumps.days.tolist() == [84.0, 111.0]
    assert jumps.probability.tolist() == pytest.approx([1 / 8, 1 - 7 / 8 * 4 / 5])
    assert curve.probability.iloc[-1] == pytest.approx(0.3)
    times = cf.stage_times(act).set_index("person")
    assert times.at["dee", "reviewer"] == ts("2026-03-12")  # the raw first review is still there
    # With only opened_pr before it, dee's and cy's first reviews count as they are: days 2 and 64.5.
    loose = cf.time_to_stage(act, stage="reviewer", stages=("participant", "opened_pr", "reviewer"))
    loose_jumps = loose[loose.probability.diff().fillna(loose.probability) > 0]
    assert loose_jumps.days.tolist() == [2.0, 64.5, 111.0]


@pytest.mark.parametrize("seed", [0, 4])
def test_time_to_stage_agrees_with_the_funnel_on_complete_cohorts(seed: int) -> None:
    """In a complete cohort nobody is censored before the horizon, so the KM share reached by the horizon
    is exactly the funnel's from_start; and no stage's curve is ever above the previous stage's."""
    act = cf.make_activity(seed=seed, n_prs=400, n_issues=100)
    f = cf.funnel(act, horizon="180D")
    done = f[f.is_complete].set_index(["cohort", "stage"])
    assert done.index.get_level_values(0).nunique() >= 5
    previous = None
    for stage in cf.STAGES[1:]:
        curve = cf.time_to_stage(act, stage=stage, by="quarter")
        for cohort, grp in curve.groupby("group"):
            if (cohort, stage) not in done.index:
                continue
            at = grp.probability[grp.days <= 180]
            share = float(at.iloc[-1]) if len(at) else 0.0
            assert share == pytest.approx(done.at[(cohort, stage), "from_start"]), (cohort, stage)
        overall = cf.time_to_stage(act, stage=stage)
        if previous is not None:
            grid = np.linspace(0, 1000, 201)
            this = km_on_grid(overall, grid)
            assert (this <= km_on_grid(previous, grid) + 1e-12).all(), stage
        previous = overall


def km_on_grid(curve: pd.DataFrame, grid: np.ndarray) -> np.ndarray:
    i = np.searchsorted(curve.days.to_numpy(), grid, side="right") - 1
    return np.where(i >= 0, curve.probability.to_numpy()[np.maximum(i, 0)], 0.0)


def test_time_to_stage_is_kaplan_meier_of_the_chained_times() -> None:
    act = build()
    curve = cf.time_to_stage(act, stage="first_merged")
    # first_merged: ann day 1, bo day 17 (participant 01-20 -> 02-06), cy day 15 (02-15 -> 03-02),
    # eve day 223, fay day 1; censored: dee, gus, maint at as_of.
    days = [1, 17, 15, 223, 1, (ts(AS_OF) - ts("2026-03-10")).days, 89, (ts(AS_OF) - ts("2025-06-01")).days]
    seen = [True, True, True, True, True, False, False, False]
    s = km(days, seen)
    assert curve.days.tolist() == list(s.times)
    assert curve.probability.tolist() == pytest.approx(list(1 - s.sf))
    assert curve.low.tolist() == pytest.approx(list(1 - s.sf_high))
