"""Contributor graphs, mentors and autonomy on hand-built activity with known answers."""

from __future__ import annotations

import networkx as nx
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import contribfunnel as cf
from contribfunnel.graph import core_numbers

T0 = pd.Timestamp("2026-01-05", tz="UTC")


def build(merges: list[tuple[int, str, str]], reviews: list[tuple[int, str]]) -> cf.Activity:
    """PR n by author, merged by merger; reviews (n, reviewer)."""
    people = ["ann", "bo", "cy", "dee", "eve", "ci[bot]"]
    items = [{"repo": "o/r", "number": n, "kind": "pr", "author": a, "created_at": T0 + pd.Timedelta(days=n),
              "ready_at": T0 + pd.Timedelta(days=n), "merged_at": T0 + pd.Timedelta(days=n, hours=5),
              "closed_at": T0 + pd.Timedelta(days=n, hours=5), "merged_by": m, "state": "merged"}
             for n, a, m in merges]
    events = [{"repo": "o/r", "number": n, "kind": "review", "actor": r, "review_state": "APPROVED",
               "at": T0 + pd.Timedelta(days=n, hours=1)} for n, r in reviews]
    ppl = [{"person": p, "logins": (p,), "is_bot": p.endswith("[bot]"),
            "bot_reason": "github-type" if p.endswith("[bot]") else None} for p in people]
    act = cf.Activity.from_tables(meta=cf.Meta(as_of="2026-03-01", repos=("o/r",)), items=items, events=events,
                                  people=ppl)
    return cf.resolve_identities(act)


def test_review_graph_edges_and_attributes() -> None:
    act = build([(1, "bo", "ann"), (2, "cy", "ann"), (3, "bo", "dee")],
                [(1, "ann"), (1, "ci[bot]"), (2, "ann"), (3, "dee"), (3, "bo")])
    graph = cf.contributor_graph(act, kind="review")
    assert set(graph.edges) == {("ann", "bo"), ("ann", "cy"), ("dee", "bo")}  # no bot, no self-review
    assert graph["ann"]["bo"]["weight"] == 1
    assert graph.nodes["ann"]["is_bot"] is False
    assert "ci[bot]" not in graph
    assert "ci[bot]" in cf.contributor_graph(act, kind="review", exclude_bots=False)
    collab = cf.contributor_graph(act, kind="collaboration")
    assert collab.has_edge("ann", "bo") and not collab.is_directed()


def test_summary_is_reproducible() -> None:
    graph = cf.contributor_graph(cf.load_example(), kind="collaboration")
    a, b = cf.graph_summary(graph, seed=3), cf.graph_summary(graph, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert abs(a.pagerank.sum() - 1) < 1e-9
    assert set(a.person) == set(graph.nodes)


def test_autonomy_single_merger_and_star_review_graph() -> None:
    act = build([(1, "bo", "ann"), (2, "cy", "ann"), (3, "dee", "ann"), (4, "eve", "ann")],
                [(1, "ann"), (2, "ann"), (3, "ann"), (4, "ann")])
    a = cf.autonomy(act)
    assert a.mergers == 1 and a.top_merger == "ann" and a.top_merger_share == 1.0
    assert a.review_top_node == "ann"
    assert a.review_connected_without_top is False  # a star falls apart without its centre
    assert a.newcomer_answered_without_top == 0.0  # ann answered every first PR
    m = cf.mentors(act)
    assert m.top_share == 1.0 and m.hhi == 1.0 and m.answered == m.first_prs == 4
    card = cf.stage10(act, config=cf.Config().with_thresholds(min_newcomer_prs=1))
    auto = card.criteria[2]
    assert auto.verdict == "fail"
    assert {c.name: c.verdict for c in auto.checks}["mergers"] == "fail"


def test_autonomy_spread() -> None:
    act = build([(1, "bo", "ann"), (2, "cy", "dee"), (3, "eve", "bo"), (4, "ann", "cy")],
                [(1, "ann"), (1, "cy"), (2, "dee"), (2, "bo"), (3, "bo"), (3, "ann"), (4, "cy"), (4, "dee")])
    a = cf.autonomy(act)
    assert a.mergers == 4 and a.top_merger_share == 0.25
    assert a.bus_factor_merges_reviews >= 2
    assert a.review_connected_without_top is True
    graph = cf.contributor_graph(act, kind="review").to_undirected()
    assert nx.is_connected(graph)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 60), st.floats(0.0, 0.5), st.integers(0, 10_000))
def test_core_numbers_equal_networkx(n: int, p: float, seed: int) -> None:
    graph = nx.gnp_random_graph(n, p, seed=seed)
    assert core_numbers(graph) == nx.core_number(graph)
