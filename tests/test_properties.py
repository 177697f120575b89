"""Properties that must hold on any activity (hypothesis draws generated repositories)."""

from __future__ import annotations

import dataclasses

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


@SETTINGS
@given(activities(), st.integers(1, 200))
def test_censored_waits_grow_with_time_and_observed_ones_do_not_move(act: cf.Activity, days: int) -> None:
    early = cf.pr_timeline(act).set_index(["repo", "number"])
    later = cf.pr_timeline(act, as_of=act.meta.as_of + pd.Timedelta(days=days)).set_index(["repo", "number"])
    later = later.loc[early.index]
    assert (later.response_hours >= early.response_hours - 1e-9).all()
    done = early.is_responded
    assert np.allclose(later.response_hours[done], early.response_hours[done])
    # A censored wait is never shorter than the observed waits it is compared with at the same ready time.
    assert (early.response_hours >= 0).all()


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
