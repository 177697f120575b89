"""Plots as functions: each takes the table an analysis function returned (or the graph) first, draws
on ``ax`` (a new figure when omitted) and returns the matplotlib Axes.

One style everywhere: the Okabe–Ito palette, which stays distinct under the
common colour-vision deficiencies, the colour-blind-safe ``cividis`` map for
heat maps, and verdicts told apart by text and hatching as well as colour.

>>> import matplotlib; matplotlib.use("Agg")
>>> import contribfunnel as cf
>>> act = cf.load_example()
>>> ax = cf.plot.funnel(cf.funnel(act))
>>> ax.get_title()
'Newcomer funnel (complete cohorts, 180-day horizon)'
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.axes import Axes

from contribfunnel.community import ExternalContributors
from contribfunnel.errors import UsageError
from contribfunnel.graph import core_numbers, undirected
from contribfunnel.periods import period_of
from contribfunnel.stats import km, wilson

__all__ = ["COLORS", "PALETTE", "cohorts", "external", "funnel", "graph", "outcomes", "style", "survival"]

#: Okabe & Ito (2008), "Color Universal Design": distinguishable with any common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
#: Meanings, used the same way in every plot and in the report.
COLORS = {
    "external": "#0072B2", "internal": "#E69F00", "core": "#000000", "other": "#999999",
    "pass": "#009E73", "fail": "#D55E00", "not enough data": "#999999",
    "merged": "#009E73", "closed": "#D55E00", "open": "#999999", "line": "#000000",
}
_RC: Any = {  # Any: matplotlib types rc keys as a Literal union
    "axes.prop_cycle": cycler(color=list(PALETTE)),
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "axes.titlesize": 11, "axes.titleweight": "bold", "axes.labelsize": 10, "legend.frameon": False,
    "font.size": 9.5, "figure.dpi": 100, "savefig.dpi": 110, "image.cmap": "cividis",
    "svg.fonttype": "path",
}


@contextmanager
def style() -> Iterator[None]:
    """The contribfunnel look, as a ``matplotlib.rc_context``: ``with cf.plot.style(): ...``."""
    with mpl.rc_context(_RC):
        yield


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def _require(table: pd.DataFrame, columns: set[str], what: str) -> None:
    if table.empty and not len(table.columns):
        return  # no data at all (e.g. git history only): the plot says so instead of failing
    missing = columns - set(table.columns)
    if missing:
        raise UsageError(f"{what} needs columns {', '.join(sorted(missing))}: pass the table its analysis function returns")


def _empty(ax: Axes, title: str, message: str) -> Axes:
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#555555", wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    return ax


def funnel(table: pd.DataFrame, *, ax: Axes | None = None, complete_only: bool = True) -> Axes:
    """Horizontal bars of the share of newcomers reaching each stage, pooled over cohorts, with Wilson 95% intervals.

    ``table`` is :func:`contribfunnel.funnel`'s output.  Only cohorts whose
    horizon has passed are pooled (``complete_only=False`` pools all, and says so).
    """
    _require(table, {"cohort", "stage", "reached", "cohort_size", "is_complete"}, "plot.funnel")
    with style():
        ax = _axes(ax, (7, 3.2))
        rows = table[table.is_complete] if complete_only and bool(table.is_complete.any()) else table
        pooled_complete = complete_only and bool(table.is_complete.any())
        horizon = _horizon_label(table)
        title = f"Newcomer funnel ({'complete' if pooled_complete else 'all'} cohorts{horizon})"
        if rows.empty:
            return _empty(ax, title, "no newcomers in the data")
        stages = list(dict.fromkeys(rows.stage))
        reached = rows.groupby("stage", sort=False).reached.sum().reindex(stages)
        size = int(rows.drop_duplicates("cohort").cohort_size.sum())
        share = reached / size
        ci = np.array([wilson(int(k), size) for k in reached])
        y = np.arange(len(stages))[::-1]
        ax.barh(y, share, color=COLORS["external"], alpha=0.85, height=0.65)
        ax.errorbar(share, y, xerr=[share - ci[:, 0], ci[:, 1] - share], fmt="none", ecolor=COLORS["line"],
                    capsize=3, linewidth=1)
        for yi, hi, s, k in zip(y, ci[:, 1], share, reached, strict=True):
            ax.text(float(hi) + 0.015, yi, f"{int(k):,} ({s:.0%})", va="center", fontsize=8.5)
        ax.set_yticks(y, [s.replace("_", " ") for s in stages])
        ax.set_xlim(0, 1.18)
        ax.set_xlabel(f"share of {size:,} newcomers (95% Wilson interval)")
        ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
        ax.set_title(title)
        ax.grid(axis="y", visible=False)
    return ax


def _horizon_label(table: pd.DataFrame) -> str:
    days = table.attrs.get("horizon_days")
    return f", {days:g}-day horizon" if days else ""


def cohorts(table: pd.DataFrame, *, ax: Axes | None = None, last: int = 12) -> Axes:
    """A heat map of cohort × stage: the share of each quarter's newcomers reaching each stage.

    ``table`` is :func:`contribfunnel.funnel`'s output; the ``last`` cohorts are
    shown, and cohorts younger than the horizon are marked with an asterisk.
    """
    _require(table, {"cohort", "stage", "from_start", "cohort_size", "is_complete"}, "plot.cohorts")
    with style():
        ax = _axes(ax, (7.5, 0.32 * min(last, max(1, table.cohort.nunique())) + 1.6))
        if table.empty:
            return _empty(ax, "Funnel by cohort", "no newcomers in the data")
        grid = table.pivot(index="cohort", columns="stage", values="from_start")
        stages = list(dict.fromkeys(table.stage))
        grid = grid.reindex(columns=stages).sort_index().tail(last)
        meta = table.drop_duplicates("cohort").set_index("cohort").loc[grid.index]
        im = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap="cividis", vmin=0, vmax=1)
        for (i, j), v in np.ndenumerate(grid.to_numpy(dtype=float)):
            if v == v:
                ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=7.5,
                        color="white" if v < 0.55 else "black")
        ax.set_xticks(range(len(stages)), [s.replace("_", "\n") for s in stages])
        labels = [f"{c}{'' if ok else '*'} (n={n})" for c, ok, n in
                  zip(grid.index, meta.is_complete, meta.cohort_size, strict=True)]
        ax.set_yticks(range(len(grid.index)), labels)
        ax.grid(False)
        ax.set_title("Funnel by cohort: share of newcomers reaching each stage")
        if not bool(meta.is_complete.all()):
            ax.set_xlabel("* horizon not yet passed: the cohort can still move down the funnel")
        ax.figure.colorbar(im, ax=ax, format=mpl.ticker.PercentFormatter(1.0), fraction=0.04, pad=0.02)
    return ax


_LABELS = {True: "newcomers' first PRs", False: "regulars' PRs"}


def _wait(h: float) -> str:
    """Hours as the report writes them: '31 h' below three days, else '4.2 days'."""
    return f"{h:.0f} h" if h < 72 else f"{h / 24:.1f} days"


def survival(rows: pd.DataFrame, *, by: str | None = None, ax: Axes | None = None, time: str = "response_hours",
             observed: str = "is_responded", within_hours: float = 48, max_days: float = 30) -> Axes:
    """Kaplan–Meier curves of the share answered by each waiting time, with 95% bands; unanswered PRs are censored.

    ``rows`` come from :func:`contribfunnel.pr_timeline` or
    :func:`contribfunnel.first_contributions`; ``by`` names a column to split on
    (``"is_first_pr"`` is labelled newcomers / regulars).  ``time="decision_hours"``
    with ``observed="is_decided"`` draws time to decision instead.
    """
    _require(rows, {time, observed} | ({by} if by else set()), "plot.survival")
    what = "decision" if time.startswith("decision") else "first response"
    with style():
        ax = _axes(ax, (7, 3.4))
        title = f"Time to {what} (Kaplan–Meier, 95% band)"
        if rows.empty:
            return _empty(ax, title, "no pull requests in the data")
        groups = [("all", rows)] if by is None else [
            (_LABELS.get(k, str(k)) if by == "is_first_pr" else str(k), g) for k, g in rows.groupby(by, sort=True)]
        if by == "is_first_pr":
            groups.sort(key=lambda kg: kg[0] != _LABELS[True])
        for i, (label, g) in enumerate(groups):
            s = km(g[time].to_numpy(dtype=float) / 24, g[observed].to_numpy(dtype=bool))
            if s.n == 0:
                continue
            color = PALETTE[i % len(PALETTE)]
            x = np.concatenate([[0.0], np.minimum(s.times, max_days)])
            p = np.concatenate([[0.0], 1 - s.sf])
            lo = np.concatenate([[0.0], 1 - s.sf_high])
            hi = np.concatenate([[0.0], 1 - s.sf_low])
            med = s.median[0]
            med_text = "median not reached" if math.isinf(med) else f"median {_wait(med * 24)}"
            censored = s.n - s.events
            ax.step(x, p, where="post", color=color, linewidth=1.8,
                    label=f"{label}: n={s.n}, {censored} unanswered, {med_text}" if what == "first response"
                    else f"{label}: n={s.n}, {censored} undecided, {med_text}")
            ax.fill_between(x, lo, hi, step="post", color=color, alpha=0.18, linewidth=0)
        ax.axvline(within_hours / 24, color=COLORS["line"], linestyle="--", linewidth=1)
        ax.text(within_hours / 24, 1.02, f" {within_hours:g} h", transform=ax.get_xaxis_transform(), fontsize=8)
        ax.set_xlim(0, max_days)
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
        ax.set_xlabel("days since ready for review")
        ax.set_ylabel(f"share with a {what}")
        ax.set_title(title)
        ax.legend(loc="lower right", fontsize=8)
    return ax


def external(data: ExternalContributors | pd.DataFrame, *, ax: Axes | None = None, threshold: float = 30,
             last: int = 16) -> Axes:
    """External contributors by quarter against the stage-10 line.

    ``data`` is :func:`contribfunnel.external_contributors`'s result (its
    ``trailing`` series: distinct external people with merged work in the window
    ending at each quarter's end, the number the criterion counts), or a table with
    ``period`` and ``external`` (and optionally ``trailing``) columns.
    """
    table = data.by_quarter if isinstance(data, ExternalContributors) else data
    _require(table, {"period", "external"}, "plot.external")
    with style():
        ax = _axes(ax, (7.5, 3.2))
        title = "External contributors with merged work"
        if table.empty:
            return _empty(ax, title, "no merged contributions")
        t = table.tail(last).reset_index(drop=True)
        x = np.arange(len(t))
        ax.bar(x, t.external, color=COLORS["external"], alpha=0.55, label="in the quarter")
        if "trailing" in t.columns:
            days = data.window_days if isinstance(data, ExternalContributors) else t.attrs.get("window_days", 365)
            ax.plot(x, t.trailing, color=COLORS["external"], marker="o", linewidth=2,
                    label=f"in the trailing {days} days (what stage 10 counts)")
        ax.axhline(threshold, color=COLORS["fail"], linestyle="--", linewidth=1.2, label=f"stage 10: more than {threshold:g}")
        ax.set_ylim(0, max(float(threshold) * 1.15, float(t.external.max()),
                           float(t.trailing.max()) if "trailing" in t.columns else 0.0) * 1.1)
        _by_period(ax, x, list(t.period), "people", title)
    return ax


def _by_period(ax: Axes, x: np.ndarray, periods: list[str], ylabel: str, title: str) -> None:
    """The finish every per-period bar chart shares: slanted period labels, a legend, no vertical grid."""
    ax.set_xticks(x, periods, rotation=45, ha="right")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(axis="x", visible=False)


def outcomes(rows: pd.DataFrame, *, ax: Axes | None = None, by: str = "quarter", last: int = 8) -> Axes:
    """Newcomers' first PRs per period of ``ready_at``, stacked by outcome (merged, closed unmerged, still open).

    ``rows`` is :func:`contribfunnel.first_contributions`'s output.
    """
    _require(rows, {"ready_at", "outcome"}, "plot.outcomes")
    with style():
        ax = _axes(ax, (7.5, 3))
        title = "Outcomes of newcomers' first pull requests"
        if rows.empty:
            return _empty(ax, title, "no pull requests in the data")
        counts = (rows.assign(period=period_of(rows.ready_at, by)).groupby(["period", "outcome"]).size()
                  .unstack(fill_value=0).reindex(columns=["merged", "closed", "open"], fill_value=0).tail(last))
        x = np.arange(len(counts))
        bottom = np.zeros(len(counts))
        hatches = {"merged": "", "closed": "//", "open": ".."}
        for outcome in counts.columns:
            v = counts[outcome].to_numpy(dtype=float)
            ax.bar(x, v, bottom=bottom, color=COLORS[outcome], hatch=hatches[outcome], edgecolor="white",
                   label={"closed": "closed unmerged", "open": "still open"}.get(outcome, outcome))
            bottom += v
        _by_period(ax, x, list(counts.index), "first PRs", title)
    return ax


def graph(G: nx.Graph, *, ax: Axes | None = None, top: int = 120, labels: int = 15, seed: int = 0,
          summary: pd.DataFrame | None = None) -> Axes:
    """The contributor graph, readable at any size: the ``top`` people by interactions (weighted degree),
    kept where they connect to the busiest; the innermost k-core ringed; node area by interactions; external
    people as blue circles and internal as orange squares (shape tells them apart too); the ``labels``
    busiest are named.

    ``summary`` is :func:`contribfunnel.graph_summary`'s output for ``G`` when already at hand.
    """
    with style():
        ax = _axes(ax, (8, 6.5))
        n_all = G.number_of_nodes()
        if n_all == 0:
            return _empty(ax, "Contributor graph", "no interactions between people")
        U = undirected(G) if G.is_directed() else G
        # The people with the most interactions, in either direction (PageRank on reviewer -> author edges would
        # favour those who are reviewed over those who review).
        weight = dict(U.degree(weight="weight"))
        rank = sorted(weight, key=lambda n: (-weight[n], str(n)))
        core = core_numbers(U) if summary is None else dict(zip(summary.person, summary.core, strict=True))
        H = U.subgraph(rank[:top])
        # Keep the connected part around the most central person: isolated fringe nodes would squash the picture.
        main = max(nx.connected_components(H), key=lambda c: (len(c), rank[0] in c)) if len(H) else set()
        keep = [n for n in rank[:top] if n in main]
        H = U.subgraph(keep)
        kmax = max(core.values(), default=0)
        inner = {n for n in keep if core[n] == kmax and kmax > 0}
        core_size = sum(1 for v in core.values() if v == kmax and kmax > 0)
        # Kamada–Kawai spreads a few hundred nodes evenly (spring layouts pile the core into a blot).
        start = nx.circular_layout(sorted(H, key=str))
        pos = (nx.kamada_kawai_layout(H, pos=start, weight=None) if len(H) > 2
               else nx.spring_layout(H, seed=seed))
        strength = dict(H.degree(weight="weight"))
        smax = max(strength.values(), default=1) or 1
        widths = np.array([H[a][b].get("weight", 1) for a, b in H.edges], dtype=float)
        wmax = widths.max() if widths.size else 1.0
        nx.draw_networkx_edges(H, pos, ax=ax, width=0.3 + 2.2 * widths / wmax, edge_color="#888888", alpha=0.35)
        attrs: Mapping[Any, Mapping[str, Any]] = G.nodes
        for is_ext, shape in ((True, "o"), (False, "s")):
            nodes = [n for n in H if bool(attrs[n].get("is_external", True)) is is_ext]
            if not nodes:
                continue
            nx.draw_networkx_nodes(
                H, pos, nodelist=nodes, ax=ax, node_shape=shape,
                node_size=[30 + 420 * strength[n] / smax for n in nodes],
                node_color=[COLORS["external"] if is_ext else COLORS["internal"] for _ in nodes],
                edgecolors=[COLORS["core"] if n in inner else "white" for n in nodes],
                linewidths=[2.4 if n in inner else 0.6 for n in nodes], alpha=0.9)
        named = {n: str(n) for n in keep[:labels]}
        nx.draw_networkx_labels(H, {n: (x, y + 0.03) for n, (x, y) in pos.items() if n in named}, labels=named,
                                ax=ax, font_size=7.5, verticalalignment="bottom",
                                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
                                      "alpha": 0.75})
        handles = [
            mpl.lines.Line2D([], [], marker="o", linestyle="", color=COLORS["external"], label="external"),
            mpl.lines.Line2D([], [], marker="s", linestyle="", color=COLORS["internal"], label="internal"),
            mpl.lines.Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgewidth=2.4,
                             markeredgecolor=COLORS["core"],
                             label=f"innermost core (k = {kmax}): {len(inner)} of its {core_size} people shown"),
        ]
        ax.legend(handles=handles, loc="lower left", fontsize=8)
        shown = (f"the {len(keep)} with most interactions of {n_all:,} people" if n_all > len(keep)
                 else f"all {n_all} people")
        ax.set_title(f"Contributor graph: {shown}")
        ax.set_axis_off()
    return ax
