"""Properties that must hold on any activity (hypothesis draws generated repositories)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import contribfunnel as cf

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def activities(draw: st.DrawFn) -> cf.Activity:
    seed = draw(st.integers(0, 10_000))
    n_prs = draw(st.integers(20, 80))
    return cf.make_activity(seed=seed, n_prs=n_prs, n_issues=n_prs // 2, n_people=max(12, n_prs // 2))


def shuffled(act: cf.Activity, seed: int) -> cf.Activity:
    rng = np.random.default_rng(seed)
    tables = {name: getattr(act, name).sample(frac=1, random_state=rng).reset_index(drop=True)
              for name in ("items", "events", "commits", "credits", "people", "repo_files")}
    return dataclasses.replace(act, **tables)


@SETTINGS
@given(activities())
def test_funnel_never_increases_along_the_stages(act: cf.Activity) -> None:
    f = cf.funnel(act)
    for _, grp in f.groupby("cohort"):
        assert (np.diff(grp.reached.to_numpy()) <= 0).all()
        assert grp.reached.iloc[0] == grp.cohort_size.iloc[0]


@settings(max_examples=25, deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow])
@given(activities(), st.floats(0.02, 0.98), st.floats(0.0, 1.2))
def test_censoring_at_an_earlier_as_of(act: cf.Activity, early_frac: float, late_frac: float) -> None:
    """Truncate the data at a random earlier ``as_of`` and compare with a later one (up to past the data's end).

    Every PR censored early waits, later, at least as long (observed or still censored); every wait
    observed early is the same later, with the same responder; likewise for decisions.
    """
    start, end = act.starts_at, act.meta.as_of
    assert start is not None
    early_at = start + (end - start) * early_frac
    late_at = early_at + (end - early_at) * late_frac  # beyond the data's end when late_frac > 1
    early = cf.pr_timeline(act, as_of=early_at).set_index(["repo", "number"])
    later = cf.pr_timeline(act, as_of=late_at).set_index(["repo", "number"])
    assert early.index.isin(later.index).all()  # nothing ready early disappears later
    assert (early.ready_at <= early_at).all()
    later = later.loc[early.index]
    for wait, seen in (("response_hours", "is_responded"), ("decision_hours", "is_decided")):
        cens = ~early[seen]
        assert (early.loc[cens, wait] <= later.loc[cens, wait] + 1e-9).all(), wait
        # A censored wait is exactly the time from ready to as_of, or to the author's own close before it.
        assert (early.loc[cens, wait] <= (early_at - early.ready_at[cens]) / pd.Timedelta(hours=1) + 1e-9).all()
        done = early[seen]
        assert later.loc[done, seen].all(), wait
        np.testing.assert_allclose(later.loc[done, wait], early.loc[done, wait], rtol=0, atol=1e-9)
    done = early.is_responded
    assert (later.responder[done] == early.responder[done]).all()
    assert (later.first_response_at[done] == early.first_response_at[done]).all()
    assert (early.response_hours >= 0).all() and (early.decision_hours >= 0).all()


@SETTINGS
@given(activities(), st.integers(0, 1000))
def test_results_do_not_depend_on_row_order(act: cf.Activity, seed: int) -> None:
    other = shuffled(act, seed)
    pd.testing.assert_frame_equal(cf.funnel(act), cf.funnel(other))
    a = cf.friction_summary(cf.pr_timeline(act), by=None)
    b = cf.friction_summary(cf.pr_timeline(other), by=None)
    pd.testing.assert_frame_equal(a, b)
    assert cf.external_contributors(act).count == cf.external_contributors(other).count
    assert [c.verdict for c in cf.stage10(act).criteria] == [c.verdict for c in cf.stage10(other).criteria]


@SETTINGS
@given(activities(), st.integers(1, 30))
def test_adding_a_bot_changes_no_people_count(act: cf.Activity, n: int) -> None:
    pr = act.items[act.items.kind == "pr"].iloc[0]
    bot = "helpful-robot[bot]"
    people = pd.concat([act.people, cf.schema.frame("people", [{
        "person": bot, "logins": (bot,), "is_bot": True, "bot_reason": "github-type",
        "first_seen_at": pr.created_at}])], ignore_index=True)
    items = pd.concat([act.items, cf.schema.frame("items", [{
        "repo": pr.repo, "number": 100_000 + i, "kind": "pr", "author": bot, "created_at": pr.created_at,
        "ready_at": pr.created_at, "merged_at": pr.created_at + pd.Timedelta(hours=1),
        "closed_at": pr.created_at + pd.Timedelta(hours=1), "merged_by": bot, "state": "merged"} for i in range(n)])],
        ignore_index=True)
    events = pd.concat([act.events, cf.schema.frame("events", [{
        "repo": pr.repo, "number": int(pr.number), "kind": "comment", "actor": bot,
        "at": pr.ready_at + pd.Timedelta(seconds=i + 1)} for i in range(n)])], ignore_index=True)
    with_bot = dataclasses.replace(act, people=people, items=items, events=events)
    assert cf.external_contributors(with_bot).count == cf.external_contributors(act).count
    pd.testing.assert_frame_equal(cf.contributors(with_bot), cf.contributors(act))
    pd.testing.assert_frame_equal(cf.funnel(with_bot), cf.funnel(act))
    before = cf.pr_timeline(act).set_index("number").response_hours
    after = cf.pr_timeline(with_bot).set_index("number").response_hours.loc[before.index]
    pd.testing.assert_series_equal(before, after)  # a bot's comment is never a response
