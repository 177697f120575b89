"""The newcomer funnel: from first participation to maintainer, per cohort, within a fixed horizon.

Stages (design §7): ``participant`` (any issue, comment, review, PR or commit)
→ ``opened_pr`` (a PR, or a credited commit where the data has no PRs) →
``first_merged`` → ``second_merged`` → ``sustained`` (merged work in two or
more quarters) → ``reviewer`` (reviewed someone else's work) → ``maintainer``
(merged someone else's work).  A person reaches a stage in the funnel only
after all earlier stages, and only within ``horizon`` of their first participation, so old and young cohorts are
comparable; cohorts whose horizon has not passed by ``as_of`` are marked
incomplete.  Times to each stage are Kaplan–Meier curves (not yet reached =
right-censored at ``as_of``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from contribfunnel.activity import Activity
from contribfunnel.community import MERGED_KINDS, contributions
from contribfunnel.errors import UsageError
from contribfunnel.periods import parse_window, period_of
from contribfunnel.stats import km, wilson

__all__ = ["STAGES", "funnel", "stage_times", "time_to_stage"]

STAGES = ("participant", "opened_pr", "first_merged", "second_merged", "sustained", "reviewer", "maintainer")




def stage_times(activity: Activity, *, as_of: Any = None) -> pd.DataFrame:
    """When each person first reached each stage (NaT: not by ``as_of``); one row per person, bots excluded.

    >>> import contribfunnel as cf
    >>> t = cf.stage_times(cf.load_example())
    >>> bool((t.participant <= t.first_merged).all() or t.first_merged.isna().any())
    True
    """
    end = activity.end(as_of)
    c = contributions(activity)
    c = c[c["at"] <= end]
    g = c.groupby("person")["at"]
    out = pd.DataFrame({"participant": g.min()})
    has_prs = bool((activity.items.kind == "pr").any())
    opened_kinds = ("pr",) if has_prs else ("pr", "commit")
    out["opened_pr"] = c[c.kind.isin(opened_kinds)].groupby("person")["at"].min()
    merged = c[c.kind.isin(MERGED_KINDS)].drop_duplicates(["person", "ref"]).sort_values(["person", "at"])
    out["first_merged"] = merged.groupby("person")["at"].min()
    out["second_merged"] = merged.groupby("person")["at"].nth(1).groupby(merged.person).first() if len(merged) else pd.NaT
    q = period_of(merged["at"], "quarter")
    first_q = q.groupby(merged.person).transform("first")
    out["sustained"] = merged[q != first_q].groupby("person")["at"].min()
    out["reviewer"] = c[c.kind == "review"].groupby("person")["at"].min()
    out["maintainer"] = c[c.kind == "merge"].groupby("person")["at"].min()
    out = out.reindex(columns=list(STAGES))
    for col in STAGES:
        out[col] = pd.to_datetime(out[col], utc=True)
    out.index.name = "person"
    return out.reset_index()


def _chained(t: pd.DataFrame, stages: tuple[str, ...]) -> pd.DataFrame:
    """When each stage counts as reached: only once every earlier stage is, at the latest of its own
    time and the earlier stages' times (NaT while any is missing), so counts never grow along the stages."""
    out = {}
    running = t[stages[0]]
    for s in stages:
        both = running.notna() & t[s].notna()
        running = t[s].where(both & (t[s] >= running), running).where(both)
        out[s] = running
    return pd.DataFrame(out, index=t.index)


def funnel(activity: Activity, *, by: str = "quarter", horizon: Any = "180D", as_of: Any = None,
           stages: tuple[str, ...] = STAGES) -> pd.DataFrame:
    """The funnel per cohort (period of first participation): tidy, one row per (cohort, stage).

    Columns: ``cohort``, ``stage``, ``reached`` (people who reached the stage
    within ``horizon`` of their first participation), ``cohort_size``,
    ``from_previous`` and ``from_start`` with Wilson 95% intervals
    (``previous_low/high``, ``start_low/high``), and ``is_complete`` (the whole
    cohort's horizon has passed by ``as_of``).

    >>> import contribfunnel as cf
    >>> f = cf.funnel(cf.load_example())
    >>> list(f.stage.unique()) == list(cf.STAGES)
    True
    >>> bool((f.groupby("cohort").reached.diff().dropna() <= 0).all())
    True
    """
    unknown = [s for s in stages if s not in STAGES]
    if unknown or not stages or stages[0] != "participant":
        raise UsageError(f"bad stages {stages!r}: choose from {', '.join(STAGES)}, starting with 'participant'")
    end = activity.end(as_of)
    span = parse_window(horizon)
    t = stage_times(activity, as_of=end)
    t["cohort"] = period_of(t.participant, by)
    limit = t.participant + span
    chained = _chained(t, stages)
    reached = pd.DataFrame({s: chained[s].notna() & (chained[s] <= limit) & (chained[s] <= end) for s in stages},
                           index=t.index)
    reached["cohort"] = t.cohort
    freq = {"quarter": "Q", "month": "M", "year": "Y"}.get(by, by)
    rows = []
    for cohort, grp in reached.groupby("cohort", sort=True):
        size = len(grp)
        cohort_end = pd.Period(str(cohort), freq=freq).end_time.tz_localize("UTC")
        complete = bool(cohort_end + span <= end)
        prev = size
        for s in stages:
            n = int(grp[s].sum())
            p_lo, p_hi = wilson(n, prev)
            s_lo, s_hi = wilson(n, size)
            rows.append({"cohort": str(cohort), "stage": s, "reached": n, "cohort_size": size,
                         "from_previous": n / prev if prev else np.nan, "previous_low": p_lo, "previous_high": p_hi,
                         "from_start": n / size if size else np.nan, "start_low": s_lo, "start_high": s_hi,
                         "is_complete": complete})
            prev = n
    out = pd.DataFrame(rows, columns=["cohort", "stage", "reached", "cohort_size", "from_previous", "previous_low",
                                      "previous_high", "from_start", "start_low", "start_high", "is_complete"])
    out.attrs["horizon_days"] = span / pd.Timedelta(days=1)
    return out


def time_to_stage(activity: Activity, *, stage: str = "first_merged", by: str | None = None,
                  as_of: Any = None, stages: tuple[str, ...] = STAGES) -> pd.DataFrame:
    """Kaplan–Meier curve of days from first participation to ``stage``; not yet reached = censored at ``as_of``.

    As in :func:`funnel`, a stage is reached only once every earlier stage (of
    ``stages``) is, at the latest of their times: a reviewer who has not yet had
    a PR merged has not reached ``reviewer``.  Unlike the funnel's counts, the
    curve needs no horizon: people not there yet are censored, not failures.

    Tidy: ``group`` (the cohort period when ``by`` is given, else 'all'), ``days``,
    ``probability`` (of having reached the stage), ``low``, ``high``, ``n``.

    >>> import contribfunnel as cf
    >>> curve = cf.time_to_stage(cf.load_example(), stage="first_merged")
    >>> bool(curve.probability.is_monotonic_increasing)
    True
    """
    unknown = [s for s in stages if s not in STAGES]
    if unknown or not stages or stages[0] != "participant":
        raise UsageError(f"bad stages {stages!r}: choose from {', '.join(STAGES)}, starting with 'participant'")
    if stage not in stages[1:]:
        raise UsageError(f"bad stage {stage!r}: choose from {', '.join(stages[1:])}")
    end = activity.end(as_of)
    t = stage_times(activity, as_of=end)
    t[stage] = _chained(t, stages[: stages.index(stage) + 1])[stage]
    t["group"] = period_of(t.participant, by) if by else "all"
    frames = []
    for group, grp in t.groupby("group", sort=True):
        reached = grp[stage].notna().to_numpy()
        stop = grp[stage].where(grp[stage].notna(), end)
        days = ((stop - grp.participant) / pd.Timedelta(days=1)).to_numpy(dtype=float)
        s = km(days, reached)
        frames.append(pd.DataFrame({"group": str(group), "days": s.times, "probability": 1 - s.sf,
                                    "low": 1 - s.sf_high, "high": 1 - s.sf_low, "n": s.n}))
    cols = ["group", "days", "probability", "low", "high", "n"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)
