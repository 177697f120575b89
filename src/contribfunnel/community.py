"""Who contributes: newcomers, contributors and external contributors, bus and elephant factors, retention.

Pure functions of an :class:`~contribfunnel.Activity`.  Bots never count as
people.  "Now" is ``activity.meta.as_of`` unless ``as_of=`` is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from contribfunnel.activity import Activity
from contribfunnel.identities import internal_mask
from contribfunnel.periods import parse_window, period_of, quarter_end
from contribfunnel.stats import absence_factor, wilson

__all__ = [
    "BusFactor",
    "ExternalContributors",
    "bus_factor",
    "contributions",
    "contributors",
    "elephant_factor",
    "external_contributors",
    "newcomers",
    "retention",
]

#: Kinds of contribution that count as "merged work".
MERGED_KINDS = ("merged_pr", "commit")
_UNITS = {"commits": ("commit",), "merged_prs": ("merged_pr",), "reviews": ("review",), "merges": ("merge",),
          "merged": MERGED_KINDS}




def contributions(activity: Activity, *, exclude_bots: bool = True) -> pd.DataFrame:
    """Every act of every person, one row each: ``person``, ``kind``, ``at``, ``repo``, ``ref``.

    Kinds: ``merged_pr`` (authored a merged PR), ``commit`` (credited author or
    co-author of a commit), ``pr``, ``issue``, ``comment`` (comments and review
    comments), ``review`` (reviewed someone else's PR), ``merge`` (merged someone
    else's PR, or committed or merged someone else's commit).

    >>> import contribfunnel as cf
    >>> sorted(cf.contributions(cf.load_example()).kind.unique())
    ['comment', 'commit', 'issue', 'merge', 'merged_pr', 'pr', 'review']
    """
    key = ("contributions", exclude_bots)
    if key not in activity._cache:
        activity._cache[key] = _contributions(activity, exclude_bots=exclude_bots)
    return activity._cache[key].copy()


def _contributions(activity: Activity, *, exclude_bots: bool) -> pd.DataFrame:
    items, events, credits = activity.items, activity.events, activity.credits
    prs = items[items.kind == "pr"]
    merged = prs[prs.merged_at.notna()]
    frames = [
        pd.DataFrame({"person": merged.author, "kind": "merged_pr", "at": merged.merged_at, "repo": merged.repo,
                      "ref": "#" + merged.number.astype(str)}),
        pd.DataFrame({"person": items.author, "kind": items.kind, "at": items.created_at, "repo": items.repo,
                      "ref": "#" + items.number.astype(str)}),
    ]
    by_other = merged[merged.merged_by.notna() & (merged.merged_by != merged.author)]
    frames.append(pd.DataFrame({"person": by_other.merged_by, "kind": "merge", "at": by_other.merged_at,
                                "repo": by_other.repo, "ref": "#" + by_other.number.astype(str)}))
    talk = events[events.kind.isin(["comment", "review_comment"])]
    frames.append(pd.DataFrame({"person": talk.actor, "kind": "comment", "at": talk["at"], "repo": talk.repo,
                                "ref": "#" + talk.number.astype(str)}))
    rev = events[events.kind == "review"].merge(prs[["repo", "number", "author"]], on=["repo", "number"], how="left")
    rev = rev[rev.actor != rev.author.fillna("")]
    frames.append(pd.DataFrame({"person": rev.actor, "kind": "review", "at": rev["at"], "repo": rev.repo,
                                "ref": "#" + rev.number.astype(str)}))
    # A squash or merge commit that names its PR is the same contribution as the PR: same ref.
    pr_refs = activity.commits.loc[activity.commits.pr_ref.notna(), ["repo", "sha", "pr_ref"]]
    authored = credits[credits.role.isin(["author", "co-author"])].merge(pr_refs, on=["repo", "sha"], how="left")
    frames.append(pd.DataFrame({"person": authored.person, "kind": "commit", "at": authored["at"],
                                "repo": authored.repo,
                                "ref": authored.pr_ref.fillna(authored.sha.str.slice(0, 12))}))
    reviewed = credits[credits.role.isin(["reviewed-by", "acked-by"])]
    frames.append(pd.DataFrame({"person": reviewed.person, "kind": "review", "at": reviewed["at"],
                                "repo": reviewed.repo, "ref": reviewed.sha.str.slice(0, 12)}))
    # Git: merging a branch, committing someone else's patch, or applying it with an Author: trailer.
    merged_in = credits[credits.role.isin(["merger", "committer"])]
    own = credits.loc[credits.role.isin(["author", "co-author"]), ["repo", "sha", "person"]].assign(_own=True)
    merged_in = merged_in.merge(own, on=["repo", "sha", "person"], how="left")
    merged_in = merged_in[merged_in._own.isna()]  # committing your own work is not merging someone else's
    frames.append(pd.DataFrame({"person": merged_in.person, "kind": "merge", "at": merged_in["at"],
                                "repo": merged_in.repo, "ref": merged_in.sha.str.slice(0, 12)}))
    out = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else frames[0]
    out = out.dropna(subset=["person", "at"])
    if exclude_bots:
        bots = set(activity.people.loc[activity.people.is_bot, "person"])
        out = out[~out.person.isin(bots)]
    out = out.astype({"person": "string", "kind": "string", "repo": "string", "ref": "string"})
    return out.sort_values(["at", "person", "kind"], kind="stable").reset_index(drop=True)


def lookup(keys: pd.Series, mapping: pd.Series) -> pd.Series:
    """``keys.map(mapping)`` that works for any value dtype (pandas cannot map string keys to datetimes)."""
    values = mapping.reindex(pd.Index(keys.astype(object))).to_numpy()
    return pd.Series(values, index=keys.index, dtype=mapping.dtype)


def _affiliated(activity: Activity) -> pd.DataFrame:
    """:func:`contributions` with ``is_internal`` at the moment of each one, computed once per Activity."""
    key = ("contributions_affiliated",)
    if key not in activity._cache:
        out = contributions(activity)
        out["is_internal"] = internal_mask(activity.people, out.person, out["at"]).to_numpy()
        activity._cache[key] = out
    frame: pd.DataFrame = activity._cache[key]
    return frame


def newcomers(activity: Activity, *, by: str = "quarter") -> pd.DataFrame:
    """Each person's first activity of each kind over the whole loaded history, never a query window.

    One row per (person, kind), plus kind ``any``: ``first_at``, its ``cohort``
    period and ``is_external`` at that moment.  When ``meta.history_complete`` is
    False the earliest cohort mixes old hands with newcomers; the report says so.

    >>> import contribfunnel as cf
    >>> nc = cf.newcomers(cf.load_example())
    >>> bool(nc.groupby("kind").person.nunique()["any"] >= nc.groupby("kind").person.nunique()["merged_pr"])
    True
    """
    key = ("newcomers", by)
    if key not in activity._cache:
        activity._cache[key] = _newcomers(activity, by)
    return activity._cache[key].copy()


def _newcomers(activity: Activity, by: str) -> pd.DataFrame:
    c = contributions(activity)
    per_kind = c.groupby(["person", "kind"], as_index=False)["at"].min()
    anyone = c.groupby("person", as_index=False)["at"].min().assign(kind="any")
    first = pd.concat([per_kind, anyone], ignore_index=True).rename(columns={"at": "first_at"})
    first["kind"] = first.kind.astype("string")
    first["cohort"] = period_of(first.first_at, by)
    first["is_external"] = ~internal_mask(activity.people, first.person, first.first_at).to_numpy()
    return first.sort_values(["first_at", "person", "kind"]).reset_index(drop=True)


def contributors(activity: Activity, *, by: str = "quarter", kinds: tuple[str, ...] = MERGED_KINDS) -> pd.DataFrame:
    """Distinct people with merged work per period: total, internal, external and first-timers.

    ``kinds`` chooses what counts (default: merged PRs and credited commits).

    >>> import contribfunnel as cf
    >>> t = cf.contributors(cf.load_example())
    >>> list(t.columns)
    ['period', 'contributors', 'internal', 'external', 'new', 'new_external']
    """
    key = ("contributors", by, tuple(kinds))
    if key not in activity._cache:
        activity._cache[key] = _contributors(activity, by, kinds)
    return activity._cache[key].copy()


def _contributors(activity: Activity, by: str, kinds: tuple[str, ...]) -> pd.DataFrame:
    c = _affiliated(activity)
    first = c[c.kind.isin(kinds)].groupby("person")["at"].min()
    c = c[c.kind.isin(kinds)].copy()
    c["period"] = period_of(c["at"], by)
    # A person who was internal at any time in a period counts as internal there.
    per = c.groupby(["period", "person"], as_index=False).agg(is_internal=("is_internal", "max"))
    per["is_new"] = period_of(lookup(per.person, first), by) == per.period
    per["external"] = ~per.is_internal.astype(bool)
    per["new_external"] = per.is_new & per.external
    out = (
        per.groupby("period")
        .agg(contributors=("person", "nunique"), internal=("is_internal", "sum"), external=("external", "sum"),
             new=("is_new", "sum"), new_external=("new_external", "sum"))
        .reset_index()
    )
    return out.astype({c: "int64" for c in out.columns if c != "period"})


@dataclass(frozen=True)
class ExternalContributors:
    """External people with merged work: in the trailing window, all-time and by quarter."""

    window_days: int
    count: int
    all_time: int
    by_quarter: pd.DataFrame
    people: pd.DataFrame
    committers: int
    rule: str
    as_of: pd.Timestamp
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "window_days": self.window_days,
            "count": self.count,
            "all_time": self.all_time,
            "committers": self.committers,
            "as_of": self.as_of.isoformat(),
            "rule": self.rule,
            "by_quarter": [
                {"quarter": r.period, "external": int(r.external), "contributors": int(r.contributors),
                 "trailing": int(r.trailing)}
                for r in self.by_quarter.itertuples(index=False)
            ],
        }


def external_contributors(activity: Activity, *, window: Any = "365D", as_of: Any = None) -> ExternalContributors:
    """Distinct external people with a merged contribution (merged PR or credited commit).

    A contribution is external when its author was not internal *at that time*
    under the rule in force (``meta.rule``).  ``committers``: external people with
    the maintainer role who merged someone else's work in the window.

    >>> import contribfunnel as cf
    >>> ext = cf.external_contributors(cf.load_example())
    >>> ext.window_days, ext.count > 30, ext.all_time >= ext.count
    (365, True, True)
    """
    end = activity.end(as_of)
    span = parse_window(window)
    c = _affiliated(activity)
    c = c[c["at"] <= end]
    merged = c[c.kind.isin(MERGED_KINDS) & ~c.is_internal]
    recent = merged[merged["at"] > end - span]
    people = (
        recent.groupby("person").agg(contributions=("ref", "nunique"), first_at=("at", "min"), last_at=("at", "max"))
        .sort_values(["contributions", "last_at"], ascending=[False, False]).reset_index()
    )
    merges = c[(c.kind == "merge") & ~c.is_internal & (c["at"] > end - span)]
    by_quarter = contributors(activity)
    by_quarter = by_quarter[by_quarter.period <= str(pd.Period(end.tz_convert(None), freq="Q"))].reset_index(drop=True)
    by_quarter["trailing"] = _trailing_counts(merged, by_quarter.period, span, end)
    notes = () if activity.meta.history_complete else ("history incomplete: all-time counts start at the window",)
    return ExternalContributors(
        window_days=int(span.days),
        count=int(recent.person.nunique()),
        all_time=int(merged.person.nunique()),
        by_quarter=by_quarter,
        people=people,
        committers=int(merges.person.nunique()),
        rule=activity.meta.rule,
        as_of=end,
        notes=notes,
    )


def _trailing_counts(merged: pd.DataFrame, periods: pd.Series, span: pd.Timedelta, end: pd.Timestamp) -> list[int]:
    """Distinct people in ``merged`` within ``span`` before each quarter's end (or ``end``, if sooner)."""
    merged = merged.sort_values("at")
    at = merged["at"].to_numpy(dtype="datetime64[ns]")
    person = merged.person.to_numpy()
    out = []
    for p in periods:
        stop = min(quarter_end(pd.Period(p, freq="Q")), end).tz_convert(None).to_datetime64()
        lo, hi = at.searchsorted(stop - span.to_timedelta64(), side="right"), at.searchsorted(stop, side="right")
        out.append(int(pd.unique(person[lo:hi]).size))
    return out


@dataclass(frozen=True)
class BusFactor:
    """A Contributor Absence (or Elephant) Factor with the shares behind it."""

    value: int
    unit: str
    over: str
    total: int
    shares: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        top = self.shares.head(10)
        return {
            "value": self.value,
            "unit": self.unit,
            "over": self.over,
            "total": self.total,
            "top": [{self.over: str(r[0]), "count": int(r[1]), "share": round(float(r[2]), 4)}
                    for r in top.itertuples(index=False)],
        }


def _factor(df: pd.DataFrame, key: str, unit: str) -> BusFactor:
    counts = df.groupby(key).size().sort_values(ascending=False)
    total = int(counts.sum())
    shares = pd.DataFrame({key: counts.index.astype(str), "count": counts.to_numpy(),
                           "share": counts.to_numpy() / total if total else []})
    return BusFactor(value=absence_factor(counts.to_numpy()), unit=unit, over=key, total=total, shares=shares)


def _unit_rows(activity: Activity, unit: str, window: Any, as_of: Any) -> pd.DataFrame:
    if unit not in _UNITS:
        from contribfunnel.errors import UsageError

        raise UsageError(f"bad unit {unit!r}: use one of {', '.join(_UNITS)}")
    end = activity.end(as_of)
    c = contributions(activity)
    c = c[c.kind.isin(_UNITS[unit]) & (c["at"] <= end)]
    if window is not None:
        c = c[c["at"] > end - parse_window(window)]
    return c


def bus_factor(activity: Activity, *, unit: str = "merged", window: Any = "365D", as_of: Any = None) -> BusFactor:
    """CHAOSS Contributor Absence Factor: fewest people whose contributions exceed half the total.

    ``unit``: 'merged' (merged PRs and credited commits), 'commits', 'merged_prs',
    'reviews' or 'merges'; ``window=None`` for all time.

    >>> import contribfunnel as cf
    >>> cf.bus_factor(cf.load_example(), unit="commits").value >= 1
    True
    """
    return _factor(_unit_rows(activity, unit, window, as_of), "person", unit)


def elephant_factor(activity: Activity, *, unit: str = "merged", window: Any = "365D", as_of: Any = None) -> BusFactor:
    """CHAOSS Elephant Factor: fewest organisations whose people made more than half the contributions.

    People with no known organisation are left out (``shares`` lists the known ones only).
    """
    c = _unit_rows(activity, unit, window, as_of)
    orgs = activity.people.set_index("person").organization
    c = c.assign(organization=lookup(c.person, orgs)).dropna(subset=["organization"])
    return _factor(c, "organization", unit)


def retention(activity: Activity, *, by: str = "quarter", periods: int = 4, as_of: Any = None) -> pd.DataFrame:
    """Newcomer retention: of the people whose first merged work fell in a cohort period, the share with
    merged work again ``k`` periods later (k = 1..periods), with Wilson 95% intervals.

    Cells whose period has not ended by ``as_of`` are ``is_complete=False``.

    >>> import contribfunnel as cf
    >>> r = cf.retention(cf.load_example())
    >>> bool(((r.low <= r.share) & (r.share <= r.high)).all())
    True
    """
    end = activity.end(as_of)
    c = contributions(activity)
    c = c[c.kind.isin(MERGED_KINDS) & (c["at"] <= end)]
    if c.empty:
        return pd.DataFrame(columns=["cohort", "after", "cohort_size", "retained", "share", "low", "high", "is_complete"])
    freq = {"quarter": "Q", "month": "M", "year": "Y"}.get(by, by)
    p = c["at"].dt.tz_convert(None).dt.to_period(freq)
    c = c.assign(p=p)
    first = c.groupby("person").p.min()
    c = c.assign(cohort=lookup(c.person, first))
    c["after"] = (c.p - c.cohort).map(lambda off: off.n)
    rows = []
    active = c.groupby(["cohort", "after"]).person.nunique()
    sizes = first.value_counts().sort_index()
    for cohort, size in sizes.items():
        for k in range(1, periods + 1):
            retained = int(active.get((cohort, k), 0))
            low, high = wilson(retained, int(size))
            rows.append({"cohort": str(cohort), "after": k, "cohort_size": int(size), "retained": retained,
                         "share": retained / int(size), "low": low, "high": high,
                         "is_complete": bool((cohort + k).end_time.tz_localize("UTC") <= end)})
    return pd.DataFrame(rows)
