"""Plots: each function returns matplotlib Axes, draws what the table holds, and says so when there is no data."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.axes import Axes

import contribfunnel as cf


@pytest.fixture(scope="module")
def act() -> cf.Activity:
    return cf.load_example()


@pytest.fixture(autouse=True)
def _close() -> Iterator[None]:
    yield
    plt.close("all")


def test_funnel_draws_one_bar_per_stage_with_intervals(act: cf.Activity) -> None:
    ax = cf.plot.funnel(cf.funnel(act))
    assert isinstance(ax, Axes)
    bars = ax.patches
    assert len(bars) == len(cf.STAGES)
    widths = [b.get_width() for b in bars]
    assert widths[0] == 1.0 and widths == sorted(widths, reverse=True)  # counts never grow down the funnel
    assert ax.get_yticklabels()[0].get_text() == "participant"


def test_cohorts_heat_map_marks_incomplete_cohorts(act: cf.Activity) -> None:
    f = cf.funnel(act)
    ax = cf.plot.cohorts(f, last=6)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 6
    young = set(f.loc[~f.is_complete, "cohort"])
    assert all(("*" in lab) == (lab.split("*")[0].split(" ")[0] in young) for lab in labels)


def test_survival_curves_per_group_with_censoring_in_the_legend(act: cf.Activity) -> None:
    prs = cf.pr_timeline(act)
    ax = cf.plot.survival(prs, by="is_first_pr")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith("newcomers' first PRs") and legend[1].startswith("regulars' PRs")
    unanswered = int((~prs[prs.is_first_pr].is_responded).sum())
    assert f"{unanswered} unanswered" in legend[0]
    curve = ax.get_lines()[0].get_ydata()
    assert (pd.Series(curve).diff().dropna() >= 0).all() and curve.max() <= 1


def test_external_draws_the_stage_10_line(act: cf.Activity) -> None:
    ext = cf.external_contributors(act)
    ax = cf.plot.external(ext, threshold=30)
    assert any(list(line.get_ydata()) == [30, 30] for line in ax.get_lines())
    trailing = next(line for line in ax.get_lines() if len(line.get_ydata()) > 2)
    assert trailing.get_ydata()[-1] == ext.count


def test_outcomes_stack_to_the_number_of_first_prs(act: cf.Activity) -> None:
    fc = cf.first_contributions(act)
    ax = cf.plot.outcomes(fc, last=100)
    assert sum(b.get_height() for b in ax.patches) == len(fc)


def test_graph_stays_readable_on_a_large_graph() -> None:
    big = cf.make_activity(seed=3, n_prs=3000, n_issues=1000)
    G = cf.contributor_graph(big, kind="review")
    assert G.number_of_nodes() > 500
    ax = cf.plot.graph(G, top=100, labels=10)
    assert "with most interactions of" in ax.get_title()
    named = {t.get_text() for t in ax.texts if t.get_text()}
    assert len(named) == 10
    busiest = max(cf.graph.undirected(G).degree(weight="weight"), key=lambda kv: kv[1])[0]
    assert busiest in named  # the person with most interactions is always named
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    kmax = max(cf.graph.core_numbers(cf.graph.undirected(G)).values())
    assert any(f"innermost core (k = {kmax})" in t and "shown" in t for t in legend)
    drawn = sum(len(c.get_offsets()) for c in ax.collections if hasattr(c, "get_offsets") and c.get_offsets().ndim == 2
                and len(c.get_offsets()) > 1)
    assert 0 < drawn <= 100


def test_plots_say_when_there_is_no_data() -> None:
    for ax in (cf.plot.survival(pd.DataFrame()), cf.plot.outcomes(pd.DataFrame()),
               cf.plot.funnel(cf.funnel(cf.make_activity(seed=1, n_prs=0, n_issues=0, with_commits=False)))):
        assert isinstance(ax, Axes)
        assert any("no " in t.get_text() for t in ax.texts)


def test_a_wrong_table_is_a_clear_error(act: cf.Activity) -> None:
    with pytest.raises(cf.UsageError, match=r"plot\.survival needs columns"):
        cf.plot.survival(cf.funnel(act))


def test_axes_are_drawn_where_asked(act: cf.Activity) -> None:
    _, (a, b) = plt.subplots(1, 2)
    assert cf.plot.funnel(cf.funnel(act), ax=a) is a
    assert cf.plot.external(cf.external_contributors(act), ax=b) is b
