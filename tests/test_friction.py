"""Friction rules on hand-built pull requests: who counts as a response, censoring, drafts."""

from __future__ import annotations

import numpy as np
import pandas as pd

import contribfunnel as cf
from contribfunnel.stats import km

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
