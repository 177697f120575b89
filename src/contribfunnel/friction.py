"""First-contribution friction: response and decision times with right-censoring, newcomers' first PRs.

A PR waits from ``ready_at`` (drafts don't count).  A **response** is the first
comment, review or review comment by a human other than the author at or after
``ready_at``; a merge or close by someone else counts too unless
``count_decision=False``.  With no response yet the wait is **right-censored**
at ``as_of``, or at the author's own close: never dropped.  A **decision** is a
merge, or a close by someone other than the author; an author's own close
censors it (that is abandonment, not a decision).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from contribfunnel.activity import Activity
from contribfunnel.identities import internal_mask

__all__ = ["first_contributions", "pr_timeline"]

_RESPONSE_KINDS = ("comment", "review", "review_comment")
_HOUR = pd.Timedelta(hours=1)


def _end(activity: Activity, as_of: Any) -> pd.Timestamp:
    if as_of is None:
        return activity.meta.as_of
    ts = pd.Timestamp(as_of)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def pr_timeline(activity: Activity, *, as_of: Any = None, count_decision: bool = True) -> pd.DataFrame:
    """One row per PR that was ready for review by ``as_of``: waits for a response and a decision.

    Columns: ``repo``, ``number``, ``author``, ``is_external`` (at ``ready_at``),
    ``ready_at``, ``first_response_at``, ``responder``, ``response_hours``,
    ``is_responded`` (False = censored), ``decided_at``, ``decision_hours``,
    ``is_decided`` (False = censored), ``outcome`` (merged / closed / open, as of
    ``as_of``), ``review_rounds`` (CHANGES_REQUESTED reviews by others before the
    decision), ``guidance_comments`` (comments and review comments by others
    before the decision), ``is_abandoned``.

    >>> import contribfunnel as cf
    >>> t = cf.pr_timeline(cf.load_example())
    >>> bool((t.response_hours >= 0).all()), bool((~t.is_responded).any())
    (True, True)
    """
    end = _end(activity, as_of)
    items = activity.items
    prs = items[(items.kind == "pr") & items.ready_at.notna() & (items.ready_at <= end)].copy()
    bots = set(activity.people.loc[activity.people.is_bot, "person"])
    key = ["repo", "number"]
    # What was true at `end`: later closes and merges have not happened yet.
    closed = prs.closed_at.notna() & (prs.closed_at <= end)
    merged = prs.merged_at.notna() & (prs.merged_at <= end)
    closer = prs.merged_by.where(merged, prs.closed_by).where(closed)
    by_author = closed & ~merged & (closer.isna() | (closer == prs.author))
    prs["author_closed_at"] = prs.closed_at.where(by_author)
    decided = merged | (closed & ~by_author)
    prs["decided_at"] = prs.closed_at.where(decided)
    decision_by_other = decided & closer.notna() & (closer != prs.author) & ~closer.isin(bots)

    ev = activity.events
    ev = ev[ev.actor.notna() & (ev["at"] <= end)].merge(prs[[*key, "author", "ready_at", "decided_at"]], on=key)
    others = ev[(ev.actor != ev.author) & ~ev.actor.isin(bots)]
    talk = others[others.kind.isin(_RESPONSE_KINDS) & (others["at"] >= others.ready_at)]
    first = talk.sort_values("at").drop_duplicates(key)[[*key, "at", "actor"]]
    first = first.rename(columns={"at": "talk_at", "actor": "talk_by"})
    prs = prs.merge(first, on=key, how="left")
    use_decision = decision_by_other.to_numpy() & count_decision
    dec_at = prs.decided_at.where(use_decision)
    take_decision = dec_at.notna() & (prs.talk_at.isna() | (dec_at < prs.talk_at))
    prs["first_response_at"] = prs.talk_at.where(~take_decision, dec_at)
    prs["responder"] = prs.talk_by.where(~take_decision, closer.reset_index(drop=True).where(use_decision))
    stop = prs.author_closed_at.fillna(end)
    prs["is_responded"] = prs.first_response_at.notna() & (prs.first_response_at <= stop)
    waited_until = prs.first_response_at.where(prs.is_responded, stop)
    prs["response_hours"] = (waited_until - prs.ready_at) / _HOUR
    prs["is_decided"] = prs.decided_at.notna()
    prs["decision_hours"] = (prs.decided_at.where(prs.is_decided, stop) - prs.ready_at) / _HOUR
    prs["outcome"] = np.where(merged.to_numpy(), "merged", np.where(closed.to_numpy(), "closed", "open"))

    # Guidance before the decision (or before `end` while undecided).
    limit = others.decided_at.fillna(end)
    before = others[others["at"] <= limit]
    rounds = before[(before.kind == "review") & (before.review_state == "CHANGES_REQUESTED")].groupby(key).size()
    talk_n = before[before.kind.isin(["comment", "review_comment"])].groupby(key).size()
    idx = pd.MultiIndex.from_frame(prs[key])
    prs["review_rounds"] = rounds.reindex(idx, fill_value=0).to_numpy()
    prs["guidance_comments"] = talk_n.reindex(idx, fill_value=0).to_numpy()

    # Abandoned: closed unmerged by its author, or open with no author activity for 90 days.
    own = activity.events.merge(prs[[*key, "author"]], on=key)
    own = own[(own.actor == own.author) & (own["at"] <= end)].groupby(key)["at"].max()
    last_own = pd.Series(own.reindex(idx).to_numpy(), index=prs.index)
    last_own = last_own.where(last_own.notna(), prs.created_at)
    last_own = pd.concat([last_own, prs.created_at], axis=1).max(axis=1)
    stale = (prs.outcome == "open") & (end - last_own > pd.Timedelta(days=90))
    prs["is_abandoned"] = by_author.to_numpy() | stale.to_numpy()
    prs["is_external"] = ~internal_mask(activity.people, prs.author.fillna(""), prs.ready_at).to_numpy()
    prs = prs[~prs.author.isin(bots)]
    cols = ["repo", "number", "author", "is_external", "created_at", "ready_at", "first_response_at", "responder",
            "response_hours", "is_responded", "decided_at", "decision_hours", "is_decided", "outcome",
            "review_rounds", "guidance_comments", "is_abandoned", "title"]
    return prs[cols].reset_index(drop=True)


def first_contributions(activity: Activity, *, as_of: Any = None, count_decision: bool = True,
                        max_guidance_comments: int = 2) -> pd.DataFrame:
    """One row per newcomer's first pull request (over the whole loaded history), with its friction.

    The columns of :func:`pr_timeline`, plus ``is_zero_guidance``: merged with no
    changes requested and at most ``max_guidance_comments`` comments from others.

    >>> import contribfunnel as cf
    >>> fc = cf.first_contributions(cf.load_example())
    >>> bool(fc.author.is_unique), set(fc.outcome) <= {"merged", "closed", "open"}
    (True, True)
    """
    end = _end(activity, as_of)
    items = activity.items
    prs = items[(items.kind == "pr") & items.author.notna() & (items.created_at <= end)]
    firsts = prs.sort_values(["created_at", "number"]).drop_duplicates("author")[["repo", "number"]]
    t = pr_timeline(activity, as_of=end, count_decision=count_decision).merge(firsts, on=["repo", "number"])
    t["is_zero_guidance"] = (t.outcome == "merged") & (t.review_rounds == 0) & (
        t.guidance_comments <= max_guidance_comments)
    return t.sort_values("ready_at").reset_index(drop=True)
