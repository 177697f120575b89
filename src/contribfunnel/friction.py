"""First-contribution friction: response and decision times with right-censoring, newcomers' first PRs.

A PR waits from ``ready_at`` (drafts don't count).  A **response** is the first
comment, review or review comment by a human other than the author at or after
``ready_at``; a merge or close by someone else counts too unless
``count_decision=False``; ``reviews_only=True`` counts only reviews and
``maintainers_only=True`` only people with the maintainer role (they merged
others' work or are listed in CODEOWNERS/MAINTAINERS).  With no response yet the wait is **right-censored**
at ``as_of``, or at the author's own close: never dropped.  A **decision** is a
merge, or a close by someone other than the author; an author's own close
censors it (that is abandonment, not a decision).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as _st

from contribfunnel.activity import Activity
from contribfunnel.errors import UsageError
from contribfunnel.identities import internal_mask
from contribfunnel.periods import parse_quarter, period_of
from contribfunnel.stats import greenwood, km, mover, newcombe, wilson

__all__ = [
    "PeriodComparison",
    "compare_periods",
    "first_contributions",
    "first_issues",
    "friction_gap",
    "friction_summary",
    "pr_timeline",
]

_RESPONSE_KINDS = ("comment", "review", "review_comment")
_HOUR = pd.Timedelta(hours=1)




def pr_timeline(activity: Activity, *, as_of: Any = None, count_decision: bool = True, reviews_only: bool = False,
                maintainers_only: bool = False) -> pd.DataFrame:
    """One row per PR that was ready for review by ``as_of``: waits for a response and a decision.

    Columns: ``repo``, ``number``, ``author``, ``is_external`` (at ``ready_at``),
    ``ready_at``, ``first_response_at``, ``responder``, ``response_hours``,
    ``is_responded`` (False = censored), ``decided_at``, ``decision_hours``,
    ``is_decided`` (False = censored), ``outcome`` (merged / closed / open, as of
    ``as_of``), ``review_rounds`` (CHANGES_REQUESTED reviews by others before the
    decision), ``guidance_comments`` (comments and review comments by others
    before the decision), ``is_abandoned``, ``is_first_pr`` (the author's first
    PR in the whole loaded history).

    >>> import contribfunnel as cf
    >>> t = cf.pr_timeline(cf.load_example())
    >>> bool((t.response_hours >= 0).all()), bool((~t.is_responded).any())
    (True, True)
    """
    end = activity.end(as_of)
    key = ("pr_timeline", end, count_decision, reviews_only, maintainers_only)
    if key not in activity._cache:
        activity._cache[key] = _pr_timeline(activity, end, count_decision, reviews_only, maintainers_only)
    return activity._cache[key].copy()


def _pr_timeline(activity: Activity, end: pd.Timestamp, count_decision: bool, reviews_only: bool,
                 maintainers_only: bool) -> pd.DataFrame:
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
    kinds = ("review",) if reviews_only else _RESPONSE_KINDS
    talk = others[others.kind.isin(kinds) & (others["at"] >= others.ready_at)]
    maint = _maintainers(activity, stacklevel=4) if maintainers_only else set()
    if maintainers_only:
        talk = talk[talk.actor.isin(maint)]
    first = talk.sort_values("at").drop_duplicates(key)[[*key, "at", "actor"]]
    first = first.rename(columns={"at": "talk_at", "actor": "talk_by"})
    prs = prs.merge(first, on=key, how="left")
    if maintainers_only:
        decision_by_other &= closer.isin(maint)
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
    own = ev[ev.actor == ev.author].groupby(key)["at"].max()  # ev: this PR's events up to `end`
    last_own = pd.Series(own.reindex(idx).to_numpy(), index=prs.index)
    last_own = last_own.where(last_own.notna(), prs.created_at)
    last_own = pd.concat([last_own, prs.created_at], axis=1).max(axis=1)
    stale = (prs.outcome == "open") & (end - last_own > pd.Timedelta(days=90))
    prs["is_abandoned"] = by_author.to_numpy() | stale.to_numpy()
    prs["is_external"] = ~internal_mask(activity.people, prs.author.fillna(""), prs.ready_at).to_numpy()
    all_prs = items[(items.kind == "pr") & items.author.notna()].sort_values(["created_at", "number"])
    firsts = all_prs.drop_duplicates("author")[key].assign(is_first_pr=True)
    prs = prs.merge(firsts, on=key, how="left")
    prs["is_first_pr"] = prs.is_first_pr.eq(True).to_numpy(dtype=bool)
    prs = prs[~prs.author.isin(bots)]
    cols = ["repo", "number", "author", "is_external", "created_at", "ready_at", "first_response_at", "responder",
            "response_hours", "is_responded", "decided_at", "decision_hours", "is_decided", "outcome",
            "review_rounds", "guidance_comments", "is_abandoned", "is_first_pr", "title"]
    return prs[cols].reset_index(drop=True)


def _maintainers(activity: Activity, *, stacklevel: int) -> set[str]:
    people = activity.people
    if len(people) and not people.roles.map(len).any():
        warnings.warn("maintainers_only: nobody in activity.people has any role (identities not resolved?), "
                      "so no response can count; run contribfunnel.resolve_identities first", UserWarning,
                      stacklevel=stacklevel)
    return set(people.loc[people.roles.map(lambda r: "maintainer" in r), "person"])


def first_contributions(activity: Activity, *, as_of: Any = None, count_decision: bool = True,
                        reviews_only: bool = False, maintainers_only: bool = False,
                        max_guidance_comments: int = 2) -> pd.DataFrame:
    """One row per newcomer's first pull request (over the whole loaded history), with its friction.

    The columns of :func:`pr_timeline`, plus ``is_zero_guidance``: merged with no
    changes requested and at most ``max_guidance_comments`` comments from others.

    >>> import contribfunnel as cf
    >>> fc = cf.first_contributions(cf.load_example())
    >>> bool(fc.author.is_unique), set(fc.outcome) <= {"merged", "closed", "open"}
    (True, True)
    """
    end = activity.end(as_of)
    items = activity.items
    prs = items[(items.kind == "pr") & items.author.notna() & (items.created_at <= end)]
    firsts = prs.sort_values(["created_at", "number"]).drop_duplicates("author")[["repo", "number"]]
    t = pr_timeline(activity, as_of=end, count_decision=count_decision, reviews_only=reviews_only,
                    maintainers_only=maintainers_only).merge(firsts, on=["repo", "number"])
    t["is_zero_guidance"] = (t.outcome == "merged") & (t.review_rounds == 0) & (
        t.guidance_comments <= max_guidance_comments)
    return t.sort_values("ready_at").reset_index(drop=True)


def _rate(flags: pd.Series) -> tuple[float, float, float, int]:
    n = int(flags.size)
    k = int(flags.sum())
    lo, hi = wilson(k, n)
    return (k / n if n else float("nan"), lo, hi, n)


def _summary_row(rows: pd.DataFrame, within_hours: float) -> dict[str, Any]:
    resp = km(rows.response_hours.to_numpy(dtype=float), rows.is_responded.to_numpy(dtype=bool))
    dec = km(rows.decision_hours.to_numpy(dtype=float), rows.is_decided.to_numpy(dtype=bool))
    med, med_lo, med_hi = resp.median
    dmed, dmed_lo, dmed_hi = dec.median
    p48 = resp.at(within_hours)
    decided = rows[rows.is_decided]
    acc = _rate(decided.outcome == "merged")
    merged = rows[rows.outcome == "merged"]
    out: dict[str, Any] = {
        "prs": len(rows), "unanswered": int((~rows.is_responded).sum()),
        "median_response_hours": med, "median_response_low": med_lo, "median_response_high": med_hi,
        "median_decision_hours": dmed, "median_decision_low": dmed_lo, "median_decision_high": dmed_hi,
        "answered_within": p48[0], "answered_within_low": p48[1], "answered_within_high": p48[2],
        "acceptance": acc[0], "acceptance_low": acc[1], "acceptance_high": acc[2],
        "abandonment": (ab := _rate(rows.is_abandoned))[0], "abandonment_low": ab[1], "abandonment_high": ab[2],
    }
    if "is_zero_guidance" in rows.columns:
        zg = _rate(merged.is_zero_guidance)
        out |= {"zero_guidance": zg[0], "zero_guidance_low": zg[1], "zero_guidance_high": zg[2]}
    return out


def friction_summary(rows: pd.DataFrame, *, by: str | None = "quarter", within_hours: float = 48) -> pd.DataFrame:
    """Friction per period of ``ready_at`` (``by=None``: overall), from :func:`pr_timeline` or
    :func:`first_contributions` rows.

    Kaplan–Meier medians of time to first response and to decision with 95%
    intervals (``inf``: the curve has not reached one half), the KM share
    answered within ``within_hours``, acceptance (merged / decided), abandonment
    and, for first contributions, the zero-guidance rate of merged PRs, each with
    a Wilson 95% interval.  Rows from :func:`pr_timeline` also get the
    newcomer-vs-regular split (``group`` = 'newcomer' / 'regular').

    >>> import contribfunnel as cf
    >>> s = cf.friction_summary(cf.first_contributions(cf.load_example()), by=None)
    >>> bool(s.median_response_low.iloc[0] <= s.median_response_hours.iloc[0] <= s.median_response_high.iloc[0])
    True
    """
    data = rows.copy()
    data["period"] = period_of(data.ready_at, by) if by else "all"
    keys = ["period"]
    if "is_first_pr" in data.columns and "is_zero_guidance" not in data.columns:
        data["group"] = np.where(data.is_first_pr, "newcomer", "regular")
        keys.append("group")
    out = [{**dict(zip(keys, k if isinstance(k, tuple) else (k,), strict=True)), **_summary_row(g, within_hours)}
           for k, g in data.groupby(keys, sort=True)]
    return pd.DataFrame(out)


_GAP_COLUMNS = ["period", "metric", "newcomer", "newcomer_low", "newcomer_high", "n_newcomer", "regular",
                "regular_low", "regular_high", "n_regular", "difference", "difference_low", "difference_high",
                "test", "p_value"]


def friction_gap(rows: pd.DataFrame, *, by: str | None = None, within_hours: float = 48) -> pd.DataFrame:
    """The newcomer-vs-regular gap in :func:`pr_timeline` rows: newcomers' first PRs (``is_first_pr``)
    against everyone else's, per period of ``ready_at`` (``by=None``: overall).

    Tidy, one row per (``period``, ``metric``): each group's estimate with its
    95% interval and size (``newcomer``, ``newcomer_low/high``, ``n_newcomer``;
    the same for ``regular``), ``difference`` = newcomer − regular with a 95%
    interval where one is sound, and the ``test`` behind ``p_value``:

    - ``median_response_hours``, ``median_decision_hours``: Kaplan–Meier medians
      (censored waits kept; intervals from the exponential-Greenwood band);
      the curves compared by the log-rank test.  No interval for the
      difference of medians (nan): the test is on the whole curves.
    - ``answered_within``: KM P(response within ``within_hours``); difference
      interval by MOVER (Zou & Donner 2008) from the two log-log intervals, and
      a test of the two curves at that time on the complementary log-log scale
      with Greenwood variances (Klein et al. 2007).  Where a curve is 0 or 1 at
      that time its band is degenerate: that group's interval is then Wilson's
      over the PRs whose status at that time is known (the KM estimate equals
      their share), and the test is undefined (nan).
    - ``acceptance`` (merged / decided) and ``abandonment``: shares with Wilson
      intervals, Newcombe's hybrid score interval for the difference, Fisher's
      exact test.

    >>> import contribfunnel as cf
    >>> g = cf.friction_gap(cf.pr_timeline(cf.load_example())).set_index("metric")
    >>> list(g.index)
    ['median_response_hours', 'median_decision_hours', 'answered_within', 'acceptance', 'abandonment']
    >>> r = g.loc["acceptance"]
    >>> bool(r.difference_low <= r.newcomer - r.regular <= r.difference_high)
    True
    """
    if "is_first_pr" not in rows.columns:
        raise UsageError("friction_gap needs pr_timeline rows (with is_first_pr)")
    data = rows.assign(period=period_of(rows.ready_at, by) if by else "all")
    out: list[dict[str, Any]] = []
    for period, grp in data.groupby("period", sort=True):
        new, reg = grp[grp.is_first_pr.astype(bool)], grp[~grp.is_first_pr.astype(bool)]
        out += [{"period": str(period), **r} for r in _gap_rows(new, reg, within_hours)]
    table = pd.DataFrame(out, columns=_GAP_COLUMNS)
    table.attrs["within_hours"] = within_hours
    return table


def _gap_rows(new: pd.DataFrame, reg: pd.DataFrame, within_hours: float) -> list[dict[str, Any]]:
    nan = float("nan")
    res: list[dict[str, Any]] = []

    def row(metric: str, a: tuple[float, float, float], na: int, b: tuple[float, float, float], nb: int,
            diff: tuple[float, float, float], test: str, p: float) -> None:
        res.append({"metric": metric, "newcomer": a[0], "newcomer_low": a[1], "newcomer_high": a[2], "n_newcomer": na,
                    "regular": b[0], "regular_low": b[1], "regular_high": b[2], "n_regular": nb,
                    "difference": diff[0], "difference_low": diff[1], "difference_high": diff[2],
                    "test": test, "p_value": p})

    for metric, wait, seen in (("median_response_hours", "response_hours", "is_responded"),
                               ("median_decision_hours", "decision_hours", "is_decided")):
        a = km(new[wait].to_numpy(float), new[seen].to_numpy(bool)).median
        b = km(reg[wait].to_numpy(float), reg[seen].to_numpy(bool)).median
        with np.errstate(invalid="ignore"):
            d = a[0] - b[0]
        row(metric, a, len(new), b, len(reg), (d if d == d else nan, nan, nan), "log-rank",
            _logrank(new, reg, wait, seen))

    a, pa = _within(new, within_hours)
    b, pb = _within(reg, within_hours)
    p = nan
    if 0 < pa[0] < 1 and 0 < pb[0] < 1:  # the complementary log-log test needs 0 < S(t) < 1 in both
        theta = [np.log(-np.log(s)) for s, _ in (pa, pb)]
        var = [g / np.log(s) ** 2 for s, g in (pa, pb)]
        p = float(2 * _st.norm.sf(abs(theta[0] - theta[1]) / np.sqrt(var[0] + var[1])))
    row("answered_within", a, len(new), b, len(reg), mover(a, b) if len(new) and len(reg) else (nan,) * 3,
        "KM at t, cloglog z", p)

    for metric, fa, fb in (("acceptance", new[new.is_decided].outcome == "merged",
                            reg[reg.is_decided].outcome == "merged"),
                           ("abandonment", new.is_abandoned, reg.is_abandoned)):
        ka, na, kb, nb = int(fa.sum()), len(fa), int(fb.sum()), len(fb)
        p = float(_st.fisher_exact([[ka, na - ka], [kb, nb - kb]]).pvalue) if na and nb else nan
        row(metric, (ka / na if na else nan, *wilson(ka, na)), na, (kb / nb if nb else nan, *wilson(kb, nb)), nb,
            newcombe(ka, na, kb, nb), "Fisher exact", p)
    return res


def _logrank(a: pd.DataFrame, b: pd.DataFrame, wait: str, seen: str) -> float:
    if not len(a) or not len(b) or not (a[seen].any() or b[seen].any()):
        return float("nan")
    res = _st.logrank(*(_st.CensoredData(uncensored=x.loc[x[seen], wait].to_numpy(float),
                                         right=x.loc[~x[seen], wait].to_numpy(float)) for x in (a, b)))
    return float(res.pvalue)


def _within(rows: pd.DataFrame, hours: float) -> tuple[tuple[float, float, float], tuple[float, float]]:
    """KM P(answered within ``hours``) with its interval, and (S, Greenwood sum) at ``hours``."""
    d, o = rows.response_hours.to_numpy(float), rows.is_responded.to_numpy(bool)
    est = km(d, o).at(hours)
    surv, g = greenwood(d, o, hours)
    if len(rows) and surv in (0.0, 1.0):  # degenerate band: the KM estimate is the share among the known
        hit = o & (d <= hours)
        known = int(hit.sum() + (~hit & (d >= hours)).sum())
        est = (1 - surv, *wilson(int(hit.sum()), known))
    return est, (surv, g)


@dataclass(frozen=True)
class PeriodComparison:
    """Two periods compared: log-rank tests for times, Fisher's exact test for proportions."""

    a: str
    b: str
    table: pd.DataFrame

    def __repr__(self) -> str:
        lines = [f"{self.a} vs {self.b}"]
        for r in self.table.itertuples(index=False):
            lines.append(f"  {r.metric:<22} {_fmt(r.a):>8} {_fmt(r.b):>8}   {r.test:<14} p = {r.p_value:.3g}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return str(self.table.to_html(index=False, escape=True, float_format=lambda x: f"{x:.3g}"))


def _fmt(x: float) -> str:
    return "–" if x != x else format(float(x), ".3g")


def compare_periods(rows: pd.DataFrame, a: str, b: str) -> PeriodComparison:
    """Compare quarter ``a`` with quarter ``b`` (periods of ``ready_at``) in :func:`pr_timeline` or
    :func:`first_contributions` rows.

    >>> import contribfunnel as cf
    >>> cmp = cf.compare_periods(cf.pr_timeline(cf.load_example()), "2025Q3", "2026Q3")
    >>> list(cmp.table.metric)[:2]
    ['response_hours', 'decision_hours']
    """
    a_q, b_q = parse_quarter(a), parse_quarter(b)
    period = period_of(rows.ready_at, "quarter")
    ra, rb = rows[period == str(a_q)], rows[period == str(b_q)]
    out = []
    for metric, observed in (("response_hours", "is_responded"), ("decision_hours", "is_decided")):
        p = _logrank(ra, rb, metric, observed) if ra[observed].any() and rb[observed].any() else float("nan")
        out.append({"metric": metric, "a": km(ra[metric].to_numpy(float), ra[observed].to_numpy(bool)).median[0],
                    "b": km(rb[metric].to_numpy(float), rb[observed].to_numpy(bool)).median[0],
                    "statistic": "KM median", "test": "log-rank", "p_value": p, "n_a": len(ra), "n_b": len(rb)})
    props = [("acceptance", ra[ra.is_decided].outcome == "merged", rb[rb.is_decided].outcome == "merged"),
             ("abandonment", ra.is_abandoned, rb.is_abandoned)]
    if "is_zero_guidance" in rows.columns:
        props.append(("zero_guidance", ra[ra.outcome == "merged"].is_zero_guidance,
                      rb[rb.outcome == "merged"].is_zero_guidance))
    for metric, fa, fb in props:
        ka, na, kb, nb = int(fa.sum()), len(fa), int(fb.sum()), len(fb)
        p = float(_st.fisher_exact([[ka, na - ka], [kb, nb - kb]]).pvalue) if na and nb else float("nan")
        out.append({"metric": metric, "a": ka / na if na else float("nan"), "b": kb / nb if nb else float("nan"),
                    "statistic": "share", "test": "Fisher exact", "p_value": p, "n_a": na, "n_b": nb})
    return PeriodComparison(str(a_q), str(b_q), pd.DataFrame(out))


def first_issues(activity: Activity, *, as_of: Any = None, count_decision: bool = True,
                 maintainers_only: bool = False) -> pd.DataFrame:
    """One row per newcomer's first issue (over the whole loaded history): the wait for a first human answer.

    Columns: ``repo``, ``number``, ``author``, ``is_external``, ``created_at``,
    ``first_response_at``, ``responder``, ``response_hours``, ``is_responded``
    (False = right-censored at ``as_of`` or at the author's own close),
    ``outcome`` (closed / open), ``closed_by_author``, ``title``.

    An answer is a comment by a human other than the author; a close by someone
    else (not a bot) counts too unless ``count_decision=False``;
    ``maintainers_only=True`` counts only people with the maintainer role, as in
    :func:`pr_timeline`.  :func:`pr_timeline`'s ``reviews_only`` has no
    counterpart: issues get comments, not reviews.

    >>> import contribfunnel as cf
    >>> fi = cf.first_issues(cf.load_example())
    >>> bool(fi.author.is_unique), bool((fi.response_hours >= 0).all())
    (True, True)
    """
    end = activity.end(as_of)
    items = activity.items
    bots = set(activity.people.loc[activity.people.is_bot, "person"])
    issues = items[(items.kind == "issue") & items.author.notna() & ~items.author.isin(bots)
                   & (items.created_at <= end)]
    first = issues.sort_values(["created_at", "number"]).drop_duplicates("author").copy()
    key = ["repo", "number"]
    ev = activity.events
    ev = ev[ev.actor.notna() & (ev["at"] <= end) & (ev.kind == "comment")].merge(first[[*key, "author"]], on=key)
    ev = ev[(ev.actor != ev.author) & ~ev.actor.isin(bots)]
    maint = _maintainers(activity, stacklevel=3) if maintainers_only else set()
    if maintainers_only:
        ev = ev[ev.actor.isin(maint)]
    answer = ev.sort_values("at").drop_duplicates(key)[[*key, "at", "actor"]].rename(
        columns={"at": "talk_at", "actor": "talk_by"})
    first = first.merge(answer, on=key, how="left")
    closed = first.closed_at.notna() & (first.closed_at <= end)
    own = closed & (first.closed_by.isna() | (first.closed_by == first.author))
    other_close = closed & ~own & ~first.closed_by.isin(bots) & count_decision
    if maintainers_only:
        other_close &= first.closed_by.isin(maint)
    close_at = first.closed_at.where(other_close)
    take_close = close_at.notna() & (first.talk_at.isna() | (close_at < first.talk_at))
    first["first_response_at"] = first.talk_at.where(~take_close, close_at)
    first["responder"] = first.talk_by.where(~take_close, first.closed_by)
    stop = first.closed_at.where(own).fillna(end)
    first["is_responded"] = first.first_response_at.notna() & (first.first_response_at <= stop)
    first["response_hours"] = (first.first_response_at.where(first.is_responded, stop) - first.created_at) / _HOUR
    first["outcome"] = np.where(closed.to_numpy(), "closed", "open")
    first["closed_by_author"] = own.to_numpy(dtype=bool)
    first["is_external"] = ~internal_mask(activity.people, first.author, first.created_at).to_numpy()
    cols = ["repo", "number", "author", "is_external", "created_at", "first_response_at", "responder",
            "response_hours", "is_responded", "outcome", "closed_by_author", "title"]
    return first[cols].sort_values("created_at").reset_index(drop=True)
