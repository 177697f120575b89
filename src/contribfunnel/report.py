"""The quarterly report: every section computed once into a documented JSON-ready dict, rendered by
:mod:`contribfunnel.render` as HTML (self-contained, plots embedded), Markdown (pastes into a GitHub
issue) or JSON.

Top-level keys of the JSON, in the order the report shows them (``meta.schema_version`` is
:data:`SCHEMA_VERSION`; ``report.schema.json`` beside this module is the JSON Schema):
``meta``, ``scorecard``, ``funnel``, ``friction``, ``first_prs``, ``contributors``,
``external_contributors``, ``newcomers``, ``graph``, ``mentors``, ``autonomy``, ``bus_factor``,
``governance``, ``changes``, ``methods``.  Reports show names or logins, never e-mail addresses.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as _st

from contribfunnel.activity import Activity
from contribfunnel.community import bus_factor, contributors, elephant_factor, external_contributors, newcomers
from contribfunnel.config import Config
from contribfunnel.criteria import Scorecard, _jsonable, stage10
from contribfunnel.errors import UsageError
from contribfunnel.friction import compare_periods, first_contributions, friction_gap, friction_summary, pr_timeline
from contribfunnel.funnel import funnel
from contribfunnel.governance import governance
from contribfunnel.graph import autonomy, contributor_graph, graph_summary, mentors
from contribfunnel.identities import resolve_identities
from contribfunnel.periods import as_of_quarter, parse_quarter, period_of, quarter_end
from contribfunnel.stats import wilson

__all__ = ["SCHEMA_VERSION", "Report", "report"]

#: Version of the JSON layout; raised only when a key changes meaning or disappears (new keys keep it).
SCHEMA_VERSION = 2
SCHEMA_PATH = Path(__file__).with_name("report.schema.json")


@dataclasses.dataclass(frozen=True)
class Report:
    """Everything the report shows, computed once.

    ``data`` is the JSON-ready content; ``frames`` keeps the tables the plots are
    drawn from (PR timelines, first PRs, the funnel, the review graph and its
    summary).  Render with :meth:`to_json`, :meth:`to_markdown` or :meth:`to_html`;
    in Jupyter the report displays itself.
    """

    data: dict[str, Any]
    scorecard: Scorecard
    frames: dict[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return self.data

    def to_json(self) -> str:
        return json.dumps(self.data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"

    def to_markdown(self) -> str:
        """GitHub-flavoured Markdown that pastes cleanly into an issue (no images, nobody @-mentioned)."""
        from contribfunnel.render import to_markdown

        return to_markdown(self)

    def to_html(self, path: str | Path | None = None) -> str:
        """One self-contained HTML page (plots embedded as images); written to ``path`` when given."""
        from contribfunnel.render import to_html

        page = to_html(self)
        if path is not None:
            try:
                Path(path).write_text(page, encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        return page

    def _repr_html_(self) -> str:
        from contribfunnel.render import to_html

        return to_html(self, fragment=True)


def _quarters(as_of: pd.Timestamp, quarter: str | None, compare_to: str | None,
              starts_at: pd.Timestamp | None) -> tuple[pd.Period, pd.Period]:
    this = parse_quarter(quarter) if quarter else pd.Period((as_of - pd.Timedelta(1, "ns")).tz_convert(None), freq="Q")
    last = parse_quarter(compare_to) if compare_to else this - 1
    if last == this:
        raise UsageError(f"--compare-to {compare_to} is the quarter of the report itself")
    if last > this:
        raise UsageError(f"--compare-to {compare_to} comes after {this}: compare with an earlier quarter")
    if compare_to and starts_at is not None and quarter_end(last) <= starts_at:
        raise UsageError(f"quarter {last} ends before the data begins ({starts_at:%Y-%m-%d})")
    return this, last


def report(activity: Activity, *, quarter: str | None = None, compare_to: str | None = None,
           config: Config | None = None) -> Report:
    """Build the report on ``quarter`` (default: the quarter of ``as_of``), compared with ``compare_to``
    (default: the quarter before).

    The scorecard and the window's figures cover the trailing ``window_days`` to
    the end of ``quarter`` (or ``as_of``, if the data ends sooner); the
    quarter-over-quarter section compares PRs that became ready in each quarter, both seen with the same
    follow-up, and counts over equal spans.

    Examples
    --------
    >>> import contribfunnel as cf
    >>> r = cf.report(cf.load_example(), quarter="2026Q2")
    >>> list(r.to_dict())[:4]
    ['meta', 'scorecard', 'funnel', 'friction']
    >>> r.to_dict()["meta"]["as_of"], r.to_dict()["changes"]["a"]
    ('2026-07-01T00:00:00+00:00', '2026Q1')
    """
    if config is not None:
        activity = resolve_identities(activity, config=config)
    cfg = config or Config()
    t = cfg.thresholds
    as_of = as_of_quarter(activity.meta.as_of, quarter, starts_at=activity.starts_at)
    this_q, last_q = _quarters(as_of, quarter, compare_to, activity.starts_at)
    window = int(t["window_days"])
    start = as_of - pd.Timedelta(days=window)
    within = float(t["response_hours"])
    card = stage10(activity, config=cfg, as_of=as_of)
    has_prs = bool((activity.items.kind == "pr").any())

    prs = pr_timeline(activity, as_of=as_of) if has_prs else pd.DataFrame()
    first = (first_contributions(activity, as_of=as_of, max_guidance_comments=int(t["zero_guidance_max_comments"]))
             if has_prs else pd.DataFrame())
    prs_w = prs[prs.ready_at > start] if has_prs else prs
    first_w = first[first.ready_at > start] if has_prs else first
    fun = funnel(activity, as_of=as_of)
    G = contributor_graph(activity, kind="review", window=window, as_of=as_of)
    graph_kind = "review"
    if G.number_of_edges() == 0:  # no reviews recorded (git without Reviewed-by trailers): who worked together
        G, graph_kind = contributor_graph(activity, kind="collaboration", window=window, as_of=as_of), "collaboration"
    summary = graph_summary(G)
    ext = external_contributors(activity, window=window, as_of=as_of)
    by_q = contributors(activity)
    by_q = by_q[by_q.period <= str(this_q)]

    meta = activity.meta.to_dict() | {
        "as_of": as_of.isoformat(), "quarter": str(this_q), "compare_to": str(last_q),
        "quarter_complete": bool(quarter_end(this_q) <= activity.meta.as_of),
        "window_days": window, "window_start": start.isoformat(), "schema_version": SCHEMA_VERSION,
        "verdict": card.verdict,
    }
    data: dict[str, Any] = {
        "meta": meta,
        "scorecard": [c.to_dict() for c in card.criteria],
        "funnel": _funnel_section(fun),
        "friction": _friction_section(prs_w, within, _no_prs(activity, has_prs)),
        "first_prs": _first_pr_section(first_w, _no_prs(activity, has_prs), activity.items),
        "contributors": by_q.to_dict("records"),
        "external_contributors": _external_section(ext, float(t["external_contributors"])),
        "newcomers": _newcomer_rows(activity, as_of),
        "graph": _graph_section(G, summary, graph_kind),
        "mentors": _mentor_section(activity, window, as_of),
        "autonomy": autonomy(activity, window=f"{window}D", as_of=as_of).to_dict(),
        "bus_factor": {
            unit: bus_factor(activity, unit=unit, window=window, as_of=as_of).to_dict()
            for unit in ("merged", "commits", "merged_prs", "reviews", "merges")
        } | {"elephant": elephant_factor(activity, window=window, as_of=as_of).to_dict()},
        "governance": governance(activity).to_dict("records"),
        "changes": _changes(activity, this_q, last_q, as_of,
                            int(t["zero_guidance_max_comments"]) if has_prs else None),
        "methods": _methods(activity, card, prs_w, has_prs, as_of, start, within),
    }
    frames = {"prs": prs, "prs_window": prs_w, "first": first, "first_window": first_w, "funnel": fun,
              "graph": G, "graph_summary": summary, "external": ext}
    return Report(data=_jsonable(data), scorecard=card, frames=frames)


def _funnel_section(fun: pd.DataFrame) -> dict[str, Any]:
    """Pooled over complete cohorts (all cohorts when none is complete yet), plus the per-cohort table."""
    complete = bool(fun.is_complete.any())
    pool = fun[fun.is_complete] if complete else fun
    size = int(pool.drop_duplicates("cohort").cohort_size.sum())
    pooled = []
    for stage, g in pool.groupby("stage", sort=False):
        k = int(g.reached.sum())
        lo, hi = wilson(k, size)
        pooled.append({"stage": stage, "reached": k, "share": k / size if size else None, "low": lo, "high": hi})
    cohort_rows = [
        {"cohort": c, "cohort_size": int(g.cohort_size.iloc[0]), "is_complete": bool(g.is_complete.iloc[0]),
         "reached": {str(r.stage): int(r.reached) for r in g.itertuples(index=False)}}
        for c, g in fun.groupby("cohort", sort=True)
    ]
    horizon = fun.attrs.get("horizon_days")
    return {"horizon_days": int(horizon) if horizon is not None and float(horizon).is_integer() else horizon,
            "pooled_over": "complete cohorts" if complete else
            "all cohorts (none has passed the horizon yet)", "newcomers": size, "pooled": pooled, "cohorts": cohort_rows}


def _no_prs(activity: Activity, has_prs: bool) -> str:
    if has_prs:
        return "no pull request became ready for review in the window"
    if "github" in activity.meta.sources:
        return "the repository has no pull requests"
    return "needs GitHub data: this data has no pull requests (git history only)"


def _friction_section(prs: pd.DataFrame, within: float, note: str) -> dict[str, Any]:
    if prs.empty:
        return {"within_hours": within, "groups": [], "gap": [], "note": note}
    s = friction_summary(prs, by=None, within_hours=within)
    gap = friction_gap(prs, within_hours=within).drop(columns=["period"])
    waiting = ~prs.is_responded
    return {"within_hours": within, "groups": s.drop(columns=["period"]).to_dict("records"),
            "gap": gap.to_dict("records"), "censored": int(waiting.sum()),
            "censored_open": int((waiting & (prs.outcome == "open")).sum()),
            "censored_closed": int((waiting & (prs.outcome != "open")).sum())}


def _first_pr_section(first: pd.DataFrame, note: str, items: pd.DataFrame) -> dict[str, Any]:
    if first.empty:
        return {"count": 0, "outcomes": {}, "note": note.replace("no pull request", "no newcomer's first pull request")}
    out = first.outcome.value_counts().reindex(["merged", "closed", "open"], fill_value=0)
    decided = first[first.is_decided]
    merged = first[first.outcome == "merged"]

    def rate(k: int, n: int) -> dict[str, Any]:
        lo, hi = wilson(k, n)
        return {"value": k / n if n else None, "low": lo, "high": hi, "k": k, "n": n}

    by_q = (first.assign(period=period_of(first.ready_at, "quarter")).groupby(["period", "outcome"]).size()
            .unstack(fill_value=0).reindex(columns=["merged", "closed", "open"], fill_value=0))
    examples = first.sort_values("response_hours", ascending=False).head(5)
    labels = items.set_index(["repo", "number"]).labels
    return {
        "count": len(first),
        "outcomes": {k: int(v) for k, v in out.items()},
        "acceptance": rate(int((decided.outcome == "merged").sum()), len(decided)),
        "zero_guidance": rate(int(merged.is_zero_guidance.sum()), len(merged)),
        "abandonment": rate(int(first.is_abandoned.sum()), len(first)),
        "by_quarter": [{"period": p, **{k: int(v) for k, v in r.items()}} for p, r in by_q.iterrows()],
        "waited_longest": [
            {"repo": r.repo, "number": int(r.number), "title": r.title, "author": r.author,
             "labels": list(labels.get((r.repo, r.number), ())),
             "response_hours": round(float(r.response_hours), 1), "answered": bool(r.is_responded),
             "outcome": r.outcome, "wait": _wait_status(bool(r.is_responded), str(r.outcome))}
            for r in examples.itertuples(index=False)],
    }


def _wait_status(answered: bool, outcome: str) -> str:
    if answered:
        return "answered"
    return "still waiting" if outcome == "open" else "closed unanswered"


def _external_section(ext: Any, threshold: float) -> dict[str, Any]:
    d = ext.to_dict()
    return {k: d[k] for k in ("window_days", "count", "all_time", "committers", "by_quarter")} | {
        "threshold": threshold,
        "people": [{"person": str(r.person), "contributions": int(r.contributions), "last_at": r.last_at.isoformat()}
                   for r in ext.people.head(50).itertuples(index=False)],
    }


def _newcomer_rows(activity: Activity, as_of: pd.Timestamp) -> list[dict[str, Any]]:
    """Per cohort quarter: people whose first activity, and people whose first merged work, fell in it."""
    nc = newcomers(activity)
    nc = nc[nc.first_at < as_of]
    anyone = nc[nc.kind == "any"].groupby("cohort").person.nunique()
    merged = (nc[nc.kind.isin(["merged_pr", "commit"])].sort_values("first_at").drop_duplicates("person")
              .groupby("cohort").person.nunique())
    cohorts = sorted(set(anyone.index) | set(merged.index))
    return [{"cohort": str(c), "participants": int(anyone.get(c, 0)), "first_merged": int(merged.get(c, 0))}
            for c in cohorts]


def _graph_section(G: Any, summary: pd.DataFrame, kind: str) -> dict[str, Any]:
    """The people with the most interactions (strength), the innermost k-core and the communities."""
    kmax = int(summary.core.max()) if len(summary) else 0
    top = summary.sort_values(["strength", "degree"], ascending=False, kind="stable")
    core = top[top.core == kmax].person.astype(str).tolist() if kmax else []
    ext = {n: bool(d.get("is_external", True)) for n, d in G.nodes(data=True)}
    note = "" if kind == "review" else "no reviews in the window: the graph joins people who took part in the same items"
    return {
        "kind": kind, "note": note, "people": G.number_of_nodes(), "edges": G.number_of_edges(),
        "communities": int(summary.community.nunique()) if len(summary) else 0,
        "core_k": kmax, "core": core[:50], "core_size": len(core),
        "top": [{"person": str(r.person), "strength": int(r.strength), "degree": int(r.degree),
                 "pagerank": round(float(r.pagerank), 5), "betweenness": round(float(r.betweenness), 5),
                 "core": int(r.core), "community": int(r.community), "is_external": ext.get(r.person, True)}
                for r in top.head(20).itertuples(index=False)],
    }


def _mentor_section(activity: Activity, window: int, as_of: pd.Timestamp) -> dict[str, Any]:
    m = mentors(activity, window=f"{window}D", as_of=as_of)
    top = int(m.table.answered.iloc[0]) if len(m.table) else 0
    return {"first_prs": m.first_prs, "answered": m.answered, "top_answered": top, "top_share": m.top_share,
            "answered_by_others": m.answered - top, "hhi": m.hhi,
            "people": [{"person": str(r.person), "answered": int(r.answered), "share": round(float(r.share), 4)}
                       for r in m.table.head(15).itertuples(index=False)]}


def _poisson_test(a: int, b: int, exposure_a: float, exposure_b: float) -> float:
    """Exact conditional test of equal rates for two Poisson counts (b given a + b is binomial)."""
    if a + b == 0:
        return 1.0
    return float(_st.binomtest(b, a + b, exposure_b / (exposure_a + exposure_b)).pvalue)


def _holm(pvalues: list[float | None]) -> list[float | None]:
    """Holm's step-down adjustment (family-wise error) of the p-values that are not None."""
    known = sorted((p, i) for i, p in enumerate(pvalues) if p is not None)
    out: list[float | None] = [None] * len(pvalues)
    running = 0.0
    for rank, (p, i) in enumerate(known):
        running = max(running, min(1.0, (len(known) - rank) * p))
        out[i] = running
    return out


_FOLLOW_UP = pd.Timedelta(days=90)


def _changes(activity: Activity, this_q: pd.Period, last_q: pd.Period, as_of: pd.Timestamp,
             max_comments: int | None) -> dict[str, Any]:
    """Quarter ``this_q`` against ``last_q``; ``max_comments`` is the zero-guidance limit, None without PRs."""
    a, b = str(last_q), str(this_q)
    out: dict[str, Any] = {"a": a, "b": b, "comparable": True, "note": "", "counts": [], "prs": [], "first_prs": []}
    starts_at = activity.starts_at
    a_start, b_start = (q.start_time.tz_localize("UTC") for q in (last_q, this_q))
    if starts_at is None or quarter_end(last_q) <= starts_at:
        out |= {"comparable": False, "days_a": 0.0, "days_b": 0.0,
                "note": f"the data begins after {a}: there is no earlier quarter to compare with"}
        return out
    day = pd.Timedelta(days=1)
    len_b = (min(quarter_end(this_q), as_of) - b_start) / day
    # A quarter still running is compared with the same number of days at the start of the other quarter.
    equal = len_b < (quarter_end(this_q) - b_start) / day
    span_a = pd.Timedelta(days=len_b) if equal else quarter_end(last_q) - a_start
    span_b = pd.Timedelta(days=len_b)
    # Both quarters are seen with the same follow-up: the earlier one as it stood the same time after it began
    # as the report's quarter stands now, so late decisions and abandonment cannot favour the younger one.
    if equal:
        a_seen = a_start + (as_of - b_start)
        notes = [f"{b} is still running: both quarters' first {len_b:.0f} days are compared, {a} as it stood on "
                 f"{a_seen:%Y-%m-%d}"]
    else:
        lag = as_of - quarter_end(this_q)
        a_seen = quarter_end(last_q) + lag
        notes = [f"{a} is judged as it stood on {a_seen:%Y-%m-%d}, {lag / day:.0f} days after its end, as {b} is now"]
    if starts_at > a_start:
        notes.append(f"the data begins inside {a} ({starts_at:%Y-%m-%d}): its counts are a lower bound, not tested")
    out["note"] = "; ".join(notes)
    out["days_a"], out["days_b"] = span_a / day, span_b / day

    prs = first = pd.DataFrame()
    if max_comments is not None:
        def pair(fn: Any) -> pd.DataFrame:
            ra, rb = fn(as_of=a_seen), fn(as_of=as_of)
            ra = ra[(ra.ready_at >= a_start) & (ra.ready_at < a_start + span_a)]
            return pd.concat([ra, rb[rb.ready_at >= b_start]], ignore_index=True)

        prs = pair(lambda as_of: pr_timeline(activity, as_of=as_of))
        first = pair(lambda as_of: first_contributions(activity, as_of=as_of, max_guidance_comments=max_comments))
    nc = newcomers(activity)
    merged_first = (nc[nc.kind.isin(["merged_pr", "commit"])].sort_values("first_at").drop_duplicates("person"))
    anyone = nc[nc.kind == "any"]

    def count(start: pd.Timestamp, span: pd.Timedelta) -> dict[str, int]:
        stop = start + span
        got = {
            "external_contributors": external_contributors(activity, window=span, as_of=stop).count,
            "new_external_contributors": int((merged_first.is_external & (merged_first.first_at >= start)
                                              & (merged_first.first_at < stop)).sum()),
            "newcomers": int(((anyone.first_at >= start) & (anyone.first_at < stop)).sum()),
        }
        if len(first):
            got["first_prs"] = int(((first.ready_at >= start) & (first.ready_at < stop)).sum())
        return got

    ca, cb = count(a_start, span_a), count(b_start, span_b)
    testable = starts_at <= a_start
    for k in ca:
        p = _poisson_test(ca[k], cb[k], span_a / day, span_b / day) if testable else None
        out["counts"].append({"metric": k, "label": _METRICS[k], "a": ca[k], "b": cb[k],
                              "test": "exact Poisson rate" + (" (equal spans)" if equal else ""), "p_value": p,
                              "note": ""})
    for name, rows in (("prs", prs), ("first_prs", first)):
        if not len(rows):
            continue
        records: list[dict[str, Any]] = compare_periods(rows, a, b).table.to_dict("records")
        for r in records:
            r["label"] = _METRICS.get(r["metric"], r["metric"].replace("_", " "))
            early = r["metric"] == "abandonment" and as_of < quarter_end(this_q) + _FOLLOW_UP
            r["note"] = ("a PR counts as abandoned after 90 days without its author: until the quarter is that old, "
                         "this compares abandonment so far") if early else ""
            out[name].append({k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()})
    rows_all = [*out["counts"], *out["prs"], *out["first_prs"]]
    for r, adj in zip(rows_all, _holm([r["p_value"] for r in rows_all]), strict=True):
        r["p_holm"] = adj
    return out


_METRICS = {
    "response_hours": "median time to first response", "decision_hours": "median time to decision",
    "acceptance": "accepted (merged of decided)", "abandonment": "abandoned", "zero_guidance": "merged with zero guidance",
    "external_contributors": "external contributors with merged work", "new_external_contributors":
    "new external contributors", "newcomers": "newcomers (first activity)", "first_prs": "newcomers' first PRs",
}


def _methods(activity: Activity, card: Scorecard, prs: pd.DataFrame, has_prs: bool, as_of: pd.Timestamp,
             start: pd.Timestamp, within: float) -> dict[str, Any]:
    m = activity.meta
    people = activity.people
    missing = list(card.notes)
    if not has_prs and not any("GitHub" in n for n in missing) and "github" not in m.sources:
        missing.append("no pull request data (git history only): response times, first-PR friction and the "
                       "PR stages of the funnel need GitHub data")
    if people.organization.isna().all():
        missing.append("no organisations known: co-building (criterion 5) cannot be judged")
    censoring = (
        f"A pull request waits from ready_at (drafts do not count). With no human response by {as_of:%Y-%m-%d}, or "
        "before its author closed it, the wait is right-censored at that moment and kept: Kaplan–Meier curves and "
        "medians use it, nothing is dropped or imputed. Intervals are 95%: exponential Greenwood for curves and "
        "medians, Wilson for shares."
    )
    return {
        "data_from": activity.starts_at.isoformat() if activity.starts_at is not None else None,
        "as_of": as_of.isoformat(), "window_start": start.isoformat(), "window_days": card.window_days,
        "history_complete": m.history_complete, "sources": list(m.sources),
        "censoring": censoring,
        "censored_prs": int((~prs.is_responded).sum()) if has_prs and len(prs) else 0,
        "prs_in_window": len(prs),
        "response": f"first comment, review or review comment by a human other than the author, or a merge or close "
                    f"by someone else; answered within {within:g} hours is the Kaplan–Meier estimate at {within:g} h",
        "rule": m.rule,
        "bots": int(people.is_bot.sum()),
        "missing": list(dict.fromkeys(missing)),
    }
