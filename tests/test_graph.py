"""Contributor graphs, mentors and autonomy on hand-built activity with known answers."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest
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


def team_activity(files: list[dict[str, object]], *, extra_people: tuple[str, ...] = ()) -> cf.Activity:
    """Two review circles, {ann, bo, cy} and {dee, eve, fay}, joined by one review; merges by ann and dee."""
    pairs = [("ann", "bo"), ("bo", "cy"), ("cy", "ann"), ("dee", "eve"), ("eve", "fay"), ("fay", "dee"), ("cy", "dee")]
    items, events = [], []
    n = 0
    for author, reviewer in pairs:
        for _ in range(1 if (author, reviewer) == ("cy", "dee") else 3):
            n += 1
            at = T0 + pd.Timedelta(days=n)
            items.append({"repo": "o/r", "number": n, "kind": "pr", "author": author, "created_at": at,
                          "ready_at": at, "merged_at": at + pd.Timedelta(hours=5),
                          "closed_at": at + pd.Timedelta(hours=5),
                          "merged_by": "ann" if author != "ann" else "dee", "state": "merged"})
            events.append({"repo": "o/r", "number": n, "kind": "review", "actor": reviewer,
                           "review_state": "APPROVED", "at": at + pd.Timedelta(hours=1)})
    people = [{"person": p, "logins": (p,), "emails": (f"{p}@example.org",)}
              for p in ("ann", "bo", "cy", "dee", "eve", "fay", *extra_people)]
    act = cf.Activity.from_tables(meta=cf.Meta(as_of="2026-03-01", repos=("o/r",)), items=items, events=events,
                                  people=people, repo_files=[{"repo": "o/r", **f} for f in files])
    return cf.resolve_identities(act)


GOVERNANCE = """# Governance

The Technical Steering Committee charters SIGs.

- **sig-alpha**: @ann, @bo and @cy.

## SIG Beta

Meets weekly. Chairs:

- @dee
- Eve Example <eve@example.org>
- @fay
- @ghost (left the project)

## Elections

@bo runs them.
"""


def test_declared_teams_compared_with_review_communities() -> None:
    act = team_activity([{"kind": "governance", "path": "GOVERNANCE.md", "content": GOVERNANCE},
                         {"kind": "codeowners", "path": ".github/CODEOWNERS", "content": "* @o/core @ann\n"}])
    a = cf.autonomy(act)
    assert a.declared_teams == ("@o/core", "SIG Beta", "sig-alpha")
    assert a.communities == 2
    t = a.team_overlap.set_index("team")
    assert t.at["sig-alpha", "members"] == ("ann", "bo", "cy")  # named on the team's line
    assert t.at["SIG Beta", "members"] == ("dee", "eve", "fay")  # under its heading, by login and e-mail
    assert t.at["SIG Beta", "listed"] == 4 and t.at["SIG Beta", "unresolved"] == 1  # @ghost is nobody here
    for team in ("sig-alpha", "SIG Beta"):
        assert t.at[team, "jaccard"] == 1.0 and t.at[team, "shared"] == 3 and t.at[team, "community_size"] == 3
    assert t.at["sig-alpha", "community"] != t.at["SIG Beta", "community"]
    # A GitHub team's members are not in the files: listed with none, matched with nothing.
    assert t.at["@o/core", "members"] == () and pd.isna(t.at["@o/core", "community"])
    assert pd.isna(t.at["@o/core", "jaccard"])
    assert a.team_people == 6 and a.team_nmi == pytest.approx(1.0) and a.team_ami == pytest.approx(1.0)
    assert "@o/core" in a.team_note and "2 of 3" in a.team_note
    # Community numbers are graph_summary's.
    summary = cf.graph_summary(cf.contributor_graph(act, kind="review", window="365D"))
    assert summary.set_index("person").community["ann"] == t.at["sig-alpha", "community"]
    d = a.to_dict()
    assert json.loads(json.dumps(d, allow_nan=False))["team_overlap"][0]["community"] is None


def test_teams_that_cut_across_communities_score_low() -> None:
    crossed = GOVERNANCE.replace("@ann, @bo and @cy", "@ann, @dee and @cy").replace("- @dee\n", "- @bo\n")
    a = cf.autonomy(team_activity([{"kind": "governance", "path": "GOVERNANCE.md", "content": crossed}]))
    t = a.team_overlap.set_index("team")
    assert t.at["sig-alpha", "jaccard"] == pytest.approx(2 / 4)  # {ann, cy} of {ann, bo, cy} and dee
    assert a.team_nmi < 0.5 and a.team_ami < a.team_nmi


def test_teams_without_listed_members_say_so() -> None:
    a = cf.autonomy(team_activity([{"kind": "codeowners", "path": "CODEOWNERS", "content": "* @o/core @ann @bo\n"}]))
    assert a.declared_teams == ("@o/core",)
    assert a.team_overlap.members.tolist() == [()]  # co-owners of a path are not the team's members
    assert np.isnan(a.team_nmi) and np.isnan(a.team_ami) and a.team_people == 0
    assert "cannot be compared" in a.team_note
    none = cf.autonomy(team_activity([]))
    assert none.declared_teams == () and none.team_overlap.empty and "no declared teams" in none.team_note


def test_coauthor_graph_edges_times_and_weights() -> None:
    t1, t2, t3 = (T0 + pd.Timedelta(days=d) for d in (1, 5, 9))
    credits = [
        {"repo": "o/r", "sha": "a1", "person": "ann", "role": "author", "at": t1},
        {"repo": "o/r", "sha": "a1", "person": "bo", "role": "co-author", "at": t1},
        {"repo": "o/r", "sha": "a2", "person": "bo", "role": "author", "at": t2},
        {"repo": "o/r", "sha": "a2", "person": "ann", "role": "co-author", "at": t2},
        {"repo": "o/r", "sha": "a2", "person": "cy", "role": "co-author", "at": t2},
        {"repo": "o/r", "sha": "a3", "person": "cy", "role": "author", "at": t3},
        {"repo": "o/r", "sha": "a3", "person": "dee", "role": "reviewed-by", "at": t3},  # not a co-author
        {"repo": "o/r", "sha": "a3", "person": "ci[bot]", "role": "co-author", "at": t3},
    ]
    people = [{"person": p, "logins": (p,), "is_bot": p.endswith("[bot]"), "is_internal": p == "ann",
               "organization": "acme" if p == "bo" else None, "roles": ("contributor",),
               "first_seen_at": t1} for p in ("ann", "bo", "cy", "dee", "ci[bot]")]
    act = cf.Activity.from_tables(meta=cf.Meta(as_of="2026-03-01", repos=("o/r",)), credits=credits, people=people)
    graph = cf.contributor_graph(act, kind="coauthor")
    assert not graph.is_directed()
    assert {frozenset(e) for e in graph.edges} == {frozenset(("ann", "bo")), frozenset(("ann", "cy")),
                                                  frozenset(("bo", "cy"))}
    ab = graph["ann"]["bo"]
    assert ab["weight"] == 2 and ab["first_at"] == t1.to_pydatetime() and ab["last_at"] == t2.to_pydatetime()
    assert ab["first_at"].tzinfo is not None
    assert graph["bo"]["cy"]["weight"] == 1
    assert graph.nodes["ann"] == {"is_external": False, "is_bot": False, "roles": ("contributor",),
                                  "first_seen_at": t1, "organization": None}
    assert graph.nodes["bo"]["is_external"] and graph.nodes["bo"]["organization"] == "acme"
    assert "ci[bot]" in cf.contributor_graph(act, kind="coauthor", exclude_bots=False)
    # A window keeps only what happened in it.
    recent = cf.contributor_graph(act, kind="coauthor", window="2D", as_of=t2 + pd.Timedelta(days=1))
    assert recent["ann"]["bo"]["weight"] == 1 and recent["ann"]["bo"]["first_at"] == t2.to_pydatetime()


def test_review_edge_times_and_node_roles() -> None:
    act = build([(1, "bo", "ann"), (2, "bo", "ann"), (3, "cy", "dee")],
                [(1, "ann"), (2, "ann"), (3, "ann"), (3, "bo")])
    graph = cf.contributor_graph(act, kind="review")
    e = graph["ann"]["bo"]
    assert e["weight"] == 2
    assert e["first_at"] == (T0 + pd.Timedelta(days=1, hours=1)).to_pydatetime()
    assert e["last_at"] == (T0 + pd.Timedelta(days=2, hours=1)).to_pydatetime()
    roles = nx.get_node_attributes(graph, "roles")
    assert roles["ann"] == ("reviewer", "maintainer") and roles["cy"] == ("contributor",)
    assert set(roles["bo"]) == {"contributor", "reviewer"}
    seen = nx.get_node_attributes(graph, "first_seen_at")
    assert seen["ann"] == T0 + pd.Timedelta(days=1, hours=1)
    # Generated data now carries roles too.
    gen = cf.contributor_graph(cf.make_activity(seed=0, n_prs=150, n_issues=40), kind="review")
    gen_roles = nx.get_node_attributes(gen, "roles")
    assert sum("maintainer" in r for r in gen_roles.values()) >= 3 and all(gen_roles.values())


def test_sampled_betweenness_ranks_like_the_exact_one() -> None:
    graph = nx.relabel_nodes(nx.barabasi_albert_graph(400, 2, seed=1), str)
    nx.set_edge_attributes(graph, 1, "weight")
    exact = pd.Series(nx.betweenness_centrality(graph, normalized=True))
    sampled = cf.graph_summary(graph, betweenness_sample=64).set_index("person").betweenness
    assert sampled.nunique() > 50  # estimated from 64 of 400 sources, not exact
    rho = sampled.rank().corr(exact.reindex(sampled.index).rank())  # Spearman
    assert rho > 0.9
    top = set(exact.nlargest(10).index)
    assert len(top & set(sampled.nlargest(10).index)) >= 7
    small = nx.relabel_nodes(nx.barabasi_albert_graph(30, 2, seed=2), str)
    got = cf.graph_summary(small, betweenness_sample=32).set_index("person").betweenness
    want = pd.Series(nx.betweenness_centrality(small, normalized=True))
    assert np.allclose(got.sort_index(), want.sort_index())  # exact up to the sample size


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("k", [None, 1, 7])
def test_vectorised_betweenness_equals_networkx(directed: bool, k: int | None) -> None:
    from contribfunnel.graph import betweenness

    for seed in range(3):
        g = nx.gnp_random_graph(40, 0.08, seed=seed, directed=directed)  # sparse: several components, isolates
        g.add_edge(0, 0)  # a self-loop is not a path
        want = nx.betweenness_centrality(g, k=k, seed=seed, normalized=True)
        got = betweenness(g, k=k, seed=seed)
        assert set(got) == set(want)
        for v in want:
            assert got[v] == pytest.approx(want[v], abs=1e-12, nan_ok=True), v


def test_communities_are_seeded_and_find_planted_groups() -> None:
    from contribfunnel.graph import communities

    planted = nx.planted_partition_graph(4, 12, 0.9, 0.02, seed=1)
    found = communities(planted, seed=3)
    assert found == communities(planted, seed=3)  # reproducible
    truth = [set(range(i * 12, (i + 1) * 12)) for i in range(4)]
    assert sorted(map(sorted, found)) == sorted(map(sorted, truth))
    assert [len(c) for c in found] == sorted((len(c) for c in found), reverse=True)
