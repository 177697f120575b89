"""Friction rules on hand-built pull requests: who counts as a response, censoring, drafts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact, norm

import contribfunnel as cf
from contribfunnel.friction import friction_gap
from contribfunnel.stats import km, wilson

norm_sf = norm.sf

T0 = pd.Timestamp("2026-01-05", tz="UTC")


def activity(prs: list[dict[str, object]], events: list[dict[str, object]], as_of: str = "2026-03-01") -> cf.Activity:
    people = [{"person": p, "logins": (p,), "is_bot": p.endswith("[bot]"),
               "bot_reason": "github-type" if p.endswith("[bot]") else None}
              for p in ("newbie", "maint", "ci[bot]", "other", *[f"n{i}" for i in range(20)])]
    items = [{"repo": "o/r", "kind": "pr", "created_at": T0, "ready_at": T0, "state": "open", **p} for p in prs]
    evs = [{"repo": "o/r", **e} for e in events]
    act = cf.Activity.from_tables(meta=cf.Meta(as_of=as_of, repos=("o/r",)), items=items, events=evs, people=people)
    return cf.resolve_identities(act)


def h(hours: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(hours=hours)


def test_bots_and_author_never_respond() -> None:
    act = activity([{"number": 1, "author": "newbie"}], [
        {"number": 1, "kind": "comment", "actor": "ci[bot]", "at": h(0.1)},
        {"number": 1, "kind": "comment", "actor": "newbie", "at": h(1)},
        {"number": 1, "kind": "review", "actor": "maint", "at": h(30), "review_state": "CHANGES_REQUESTED"},
    ])
    row = cf.pr_timeline(act).iloc[0]
    assert row.responder == "maint"
    assert row.response_hours == 30
    assert row.is_responded and row.review_rounds == 1


def test_draft_waits_from_ready_at() -> None:
    act = activity([{"number": 1, "author": "newbie", "ready_at": h(48), "is_draft": False}], [
        {"number": 1, "kind": "comment", "actor": "maint", "at": h(10)},  # while draft: not a response
        {"number": 1, "kind": "comment", "actor": "maint", "at": h(50)},
    ])
    row = cf.pr_timeline(act).iloc[0]
    assert row.response_hours == 2


def test_unanswered_is_censored_at_as_of_or_author_close() -> None:
    act = activity([
        {"number": 1, "author": "newbie"},
        {"number": 2, "author": "other", "closed_at": h(100), "closed_by": "other", "state": "closed"},
    ], [], as_of="2026-01-15")
    t = cf.pr_timeline(act).set_index("number")
    assert not t.at[1, "is_responded"] and t.at[1, "response_hours"] == 240
    assert not t.at[2, "is_responded"] and t.at[2, "response_hours"] == 100
    assert t.at[2, "is_abandoned"] and t.at[2, "outcome"] == "closed" and not t.at[2, "is_decided"]


def test_merge_by_someone_else_is_a_response_unless_told_otherwise() -> None:
    act = activity([{"number": 1, "author": "newbie", "merged_at": h(5), "closed_at": h(5), "merged_by": "maint",
                     "state": "merged"}], [])
    assert cf.pr_timeline(act).iloc[0].response_hours == 5
    assert not cf.pr_timeline(act, count_decision=False).iloc[0].is_responded


def test_adding_unanswered_prs_moves_the_median_up_not_down() -> None:
    answered = [{"number": i, "author": f"n{i}"} for i in range(6)]
    events = [{"number": i, "kind": "comment", "actor": "maint", "at": h(10 * (i + 1))} for i in range(6)]
    base = cf.pr_timeline(activity(answered, events))
    more = cf.pr_timeline(activity([*answered, *({"number": 10 + i, "author": f"n{10 + i}"} for i in range(4))],
                                   events))
    m0 = km(base.response_hours.to_numpy(), base.is_responded.to_numpy()).median[0]
    m1 = km(more.response_hours.to_numpy(), more.is_responded.to_numpy()).median[0]
    assert m1 > m0
    # Dropping the unanswered (what peers do) would have left the median where it was: biased low.
    kept = more[more.is_responded]
    assert km(kept.response_hours.to_numpy(), np.ones(len(kept), bool)).median[0] == m0


def test_first_contributions_one_per_newcomer_and_zero_guidance() -> None:
    act = activity([
        {"number": 1, "author": "newbie", "merged_at": h(20), "closed_at": h(20), "merged_by": "maint",
         "state": "merged"},
        {"number": 2, "author": "newbie", "created_at": h(100), "ready_at": h(100)},
    ], [{"number": 1, "kind": "comment", "actor": "maint", "at": h(2)}])
    fc = cf.first_contributions(act)
    assert fc.number.tolist() == [1]
    assert bool(fc.iloc[0].is_zero_guidance)


def test_reviews_only_and_maintainers_only() -> None:
    act = activity([{"number": 1, "author": "newbie"},
                    {"number": 2, "author": "n1", "merged_at": h(50), "closed_at": h(50), "merged_by": "maint",
                     "state": "merged"}], [
        {"number": 1, "kind": "comment", "actor": "other", "at": h(1)},
        {"number": 1, "kind": "review", "actor": "maint", "at": h(9), "review_state": "APPROVED"},
    ])
    t = cf.pr_timeline(act).set_index("number")
    assert t.at[1, "response_hours"] == 1
    assert cf.pr_timeline(act, reviews_only=True).set_index("number").at[1, "response_hours"] == 9
    # maint merged someone else's PR, so has the maintainer role; "other" does not.
    assert cf.pr_timeline(act, maintainers_only=True).set_index("number").at[1, "responder"] == "maint"


def test_first_issues_censoring_and_close_by_other() -> None:
    items = [{"number": 1, "author": "newbie", "kind": "issue"},
             {"number": 2, "author": "other", "kind": "issue", "closed_at": h(30), "closed_by": "maint",
              "state": "closed"},
             {"number": 3, "author": "n1", "kind": "issue", "closed_at": h(4), "closed_by": "n1", "state": "closed"}]
    act = activity(items, [{"number": 1, "kind": "comment", "actor": "ci[bot]", "at": h(1)},
                           {"number": 3, "kind": "comment", "actor": "maint", "at": h(6)}], as_of="2026-01-15")
    fi = cf.first_issues(act).set_index("number")
    assert not fi.at[1, "is_responded"] and fi.at[1, "response_hours"] == 240  # a bot is no answer
    assert fi.at[2, "is_responded"] and fi.at[2, "response_hours"] == 30 and fi.at[2, "responder"] == "maint"
    assert not fi.at[3, "is_responded"] and fi.at[3, "response_hours"] == 4  # the author closed it first
    assert fi.at[3, "closed_by_author"]


def test_first_issues_count_decision_and_maintainers_only() -> None:
    items = [{"number": 1, "author": "newbie", "kind": "issue", "closed_at": h(30), "closed_by": "maint",
              "state": "closed"},
             {"number": 2, "author": "n1", "kind": "issue"},
             # maint merged someone else's PR: the maintainer role.
             {"number": 3, "author": "n2", "merged_at": h(5), "closed_at": h(5), "merged_by": "maint",
              "state": "merged"}]
    act = activity(items, [{"number": 1, "kind": "comment", "actor": "other", "at": h(40)},
                           {"number": 2, "kind": "comment", "actor": "other", "at": h(3)},
                           {"number": 2, "kind": "comment", "actor": "maint", "at": h(7)}], as_of="2026-01-15")
    fi = cf.first_issues(act).set_index("number")
    assert fi.at[1, "response_hours"] == 30 and fi.at[1, "responder"] == "maint"  # the close came first
    assert fi.at[2, "response_hours"] == 3 and fi.at[2, "responder"] == "other"
    no_close = cf.first_issues(act, count_decision=False).set_index("number")
    assert no_close.at[1, "response_hours"] == 40 and no_close.at[1, "responder"] == "other"
    maint = cf.first_issues(act, maintainers_only=True).set_index("number")
    assert maint.at[2, "response_hours"] == 7 and maint.at[2, "responder"] == "maint"
    neither = cf.first_issues(act, maintainers_only=True, count_decision=False).set_index("number")
    assert not neither.at[1, "is_responded"] and neither.at[1, "response_hours"] == 240  # censored, not dropped


def test_a_merge_or_close_by_a_bot_or_the_author_is_never_a_response() -> None:
    act = activity([
        {"number": 1, "author": "newbie", "merged_at": h(2), "closed_at": h(2), "merged_by": "ci[bot]",
         "state": "merged"},
        {"number": 2, "author": "n1", "closed_at": h(3), "closed_by": "ci[bot]", "state": "closed"},
        {"number": 3, "author": "n2", "merged_at": h(4), "closed_at": h(4), "merged_by": "n2", "state": "merged"},
        {"number": 4, "author": "n3", "closed_at": h(5), "closed_by": "n3", "state": "closed"},
        {"number": 5, "author": "n4", "merged_at": h(6), "closed_at": h(6), "merged_by": "maint", "state": "merged"},
        {"number": 6, "author": "n5", "merged_at": h(8), "closed_at": h(8), "merged_by": "n5", "state": "merged"},
    ], [{"number": 6, "kind": "comment", "actor": "maint", "at": h(20)}], as_of="2026-01-15")
    for options in ({}, {"maintainers_only": True}, {"reviews_only": True}):
        t = cf.pr_timeline(act, **options).set_index("number")
        # Bot merge/close, own merge: no response; the wait runs on to as_of (240 h), censored.
        for n in (1, 2, 3):
            assert not t.at[n, "is_responded"] and t.at[n, "response_hours"] == 240, (options, n)
            assert pd.isna(t.at[n, "responder"])
        # The author's own close censors the wait at that close, and is no decision.
        assert not t.at[4, "is_responded"] and t.at[4, "response_hours"] == 5 and not t.at[4, "is_decided"]
        # A merge by someone else is one (maint has the maintainer role, having merged n4's PR).
        assert t.at[5, "is_responded"] and t.at[5, "response_hours"] == 6 and t.at[5, "responder"] == "maint"
        assert t.at[3, "is_decided"] and t.at[1, "is_decided"]  # merges are decisions, just not responses
    # A comment after the author's own merge still counts: the wait ended then, not at the merge.
    t = cf.pr_timeline(act).set_index("number")
    assert t.at[6, "is_responded"] and t.at[6, "response_hours"] == 20
    fi = cf.first_issues(activity([{"number": 7, "author": "newbie", "kind": "issue", "closed_at": h(2),
                                    "closed_by": "ci[bot]", "state": "closed"}], [], as_of="2026-01-15"))
    assert not fi.is_responded.iloc[0] and fi.response_hours.iloc[0] == 240


def gap_rows(groups: dict[bool, list[tuple[float, bool, str]]], ready: str = "2026-01-05") -> pd.DataFrame:
    """pr_timeline-shaped rows: per group (is_first_pr) a list of (response_hours, is_responded, outcome)."""
    rows = []
    for first, waits in groups.items():
        for hours, seen, outcome in waits:
            rows.append({"ready_at": pd.Timestamp(ready, tz="UTC"), "is_first_pr": first, "response_hours": hours,
                         "is_responded": seen, "decision_hours": hours * 2, "is_decided": outcome != "open",
                         "outcome": outcome, "is_abandoned": outcome == "closed"})
    return pd.DataFrame(rows)


def test_friction_gap_acceptance_is_newcombes_interval_and_fisher() -> None:
    # Newcombe (1998), Table II, example (a): 56/70 - 48/80 = 0.2, hybrid score interval 0.0524 to 0.3339.
    new = [(10.0, True, "merged")] * 56 + [(10.0, True, "closed")] * 14
    reg = [(5.0, True, "merged")] * 48 + [(5.0, True, "closed")] * 32
    g = friction_gap(gap_rows({True: new, False: reg})).set_index("metric")
    acc = g.loc["acceptance"]
    assert (acc.newcomer, acc.regular, acc.n_newcomer, acc.n_regular) == (0.8, 0.6, 70, 80)
    assert acc.difference == pytest.approx(0.2)
    assert acc.difference_low == pytest.approx(0.0524, abs=5e-5) and acc.difference_high == pytest.approx(0.3339,
                                                                                                          abs=5e-5)
    assert acc.p_value == pytest.approx(fisher_exact([[56, 14], [48, 32]]).pvalue)
    assert (acc.newcomer_low, acc.newcomer_high) == pytest.approx(wilson(56, 70))
    ab = g.loc["abandonment"]  # closed unmerged here counts as abandoned: 14/70 vs 32/80
    assert ab.difference == pytest.approx(0.2 - 0.4)
    assert ab.difference_low < ab.difference < ab.difference_high < 0


def test_friction_gap_answered_within_and_medians() -> None:
    logrank_test = pytest.importorskip("lifelines.statistics").logrank_test

    # Uncensored before 48 h: the KM share is the plain share (12/20 vs 24/30 answered within 48 h).
    new = [(float(h_), True, "merged") for h_ in range(30, 42)] + [(float(h_), True, "open") for h_ in range(60, 68)]
    reg = [(float(h_), True, "merged") for h_ in range(1, 25)] + [(100.0, False, "open")] * 6
    rows = gap_rows({True: new, False: reg})
    g = friction_gap(rows, within_hours=48).set_index("metric")
    aw = g.loc["answered_within"]
    assert (aw.newcomer, aw.regular) == (pytest.approx(0.6), pytest.approx(0.8))
    assert aw.difference == pytest.approx(-0.2)
    # MOVER from the two groups' own (log-log) intervals.
    lo = -0.2 - np.hypot(0.6 - aw.newcomer_low, aw.regular_high - 0.8)
    hi = -0.2 + np.hypot(aw.newcomer_high - 0.6, 0.8 - aw.regular_low)
    assert (aw.difference_low, aw.difference_high) == (pytest.approx(lo), pytest.approx(hi))
    # The cloglog test with Greenwood variances; uncensored, Greenwood's variance is binomial: S(1-S)/n.
    theta = [np.log(-np.log(s)) for s in (0.4, 0.2)]
    var = [(1 - s) / (n * s) / np.log(s) ** 2 for s, n in ((0.4, 20), (0.2, 30))]
    z = (theta[0] - theta[1]) / np.sqrt(sum(var))
    assert aw.p_value == pytest.approx(2 * norm_sf(abs(z)))
    med = g.loc["median_response_hours"]
    new_df, reg_df = rows[rows.is_first_pr], rows[~rows.is_first_pr]
    assert med.newcomer == km(new_df.response_hours.to_numpy(), new_df.is_responded.to_numpy()).median[0]
    assert med.difference == med.newcomer - med.regular and np.isnan(med.difference_low)
    ref = logrank_test(new_df.response_hours, reg_df.response_hours, event_observed_A=new_df.is_responded,
                       event_observed_B=reg_df.is_responded)
    assert med.p_value == pytest.approx(ref.p_value, rel=1e-6)


def test_friction_gap_degenerate_band_falls_back_to_wilson() -> None:
    # No newcomer answered within 48 h (two censored early, at 10 h: their status at 48 h is unknown).
    new = [(100.0, True, "merged")] * 8 + [(10.0, False, "open")] * 2
    reg = [(5.0, True, "merged")] * 5 + [(200.0, True, "merged")] * 5
    aw = friction_gap(gap_rows({True: new, False: reg})).set_index("metric").loc["answered_within"]
    assert aw.newcomer == 0.0 and aw.newcomer_low == 0.0
    assert aw.newcomer_high == pytest.approx(wilson(0, 8)[1])  # the 8 whose status at 48 h is known
    assert np.isnan(aw.p_value)
    assert aw.difference == pytest.approx(-0.5) and aw.difference_low < -0.5 < aw.difference_high


def test_friction_gap_by_period_and_on_generated_data() -> None:
    act = cf.make_activity(seed=5, n_prs=1500, n_issues=300)
    t = cf.pr_timeline(act)
    g = friction_gap(t).set_index("metric")
    # The generator makes newcomers wait longer and get merged less: the gap must show it, clearly.
    assert g.at["median_response_hours", "difference"] > 0 and g.at["median_response_hours", "p_value"] < 0.01
    assert g.at["answered_within", "difference_high"] < 0
    assert g.at["acceptance", "difference_high"] < 0
    # Each side's estimate is the one friction_summary gives for that group.
    s = cf.friction_summary(t, by=None).set_index("group")
    for metric, col in (("median_response_hours", "median_response_hours"), ("answered_within", "answered_within"),
                        ("acceptance", "acceptance"), ("abandonment", "abandonment")):
        assert g.at[metric, "newcomer"] == pytest.approx(s.at["newcomer", col]), metric
        assert g.at[metric, "regular"] == pytest.approx(s.at["regular", col]), metric
    q = friction_gap(t, by="quarter")
    assert q.period.nunique() == cf.friction_summary(t).period.nunique()
    assert (q.groupby("period").size() == 5).all()
    assert q[q.metric == "acceptance"].n_newcomer.sum() == g.at["acceptance", "n_newcomer"]
    with pytest.raises(cf.UsageError):
        friction_gap(t.drop(columns="is_first_pr"))


def test_maintainers_only_warns_when_roles_were_never_resolved() -> None:
    import dataclasses
    import warnings

    act = cf.make_activity(seed=1, n_prs=60, n_issues=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # resolved roles: no warning
        assert cf.pr_timeline(act, maintainers_only=True).is_responded.any()
    bare = dataclasses.replace(act, people=act.people.assign(roles=[()] * len(act.people)))
    with pytest.warns(UserWarning, match="resolve_identities"):
        t = cf.pr_timeline(bare, maintainers_only=True)
    assert not t.is_responded.any() and len(t) == len(cf.pr_timeline(act))  # censored, never dropped
    with pytest.warns(UserWarning, match="no response can count"):
        cf.first_issues(bare, maintainers_only=True)


@pytest.mark.parametrize("seed", [0, 7, 23])
def test_scorecard_decides_every_criterion_on_generated_data(seed: int) -> None:
    card = cf.stage10(cf.make_activity(seed=seed))
    undecided = [(c.id, ch.name, ch.note) for c in card.criteria for ch in c.checks if ch.verdict == "not enough data"]
    assert not undecided
    for c in card.criteria:
        assert c.value is not None and c.advice and c.evidence
    evidence = card.criteria[2].evidence
    assert evidence["review_shares"] and evidence["newcomer_responders"]
    assert sum(evidence["review_shares"].values()) <= 1.0001


def test_mechanism_advice_says_when_too_few_external_prs() -> None:
    act = cf.make_activity(seed=2, n_prs=12, n_issues=5)
    card = cf.stage10(act, config=cf.Config().with_thresholds(min_newcomer_prs=1000))
    c = card.criteria[0]
    assert c.checks[0].verdict == "pass" and c.verdict == "not enough data"
    assert "too few external pull requests" in c.advice and "promptly" not in c.advice
