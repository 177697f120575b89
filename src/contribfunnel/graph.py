"""Contributor graphs (networkx) and what they say about a self-governing group.

- ``review``: reviewer → author (directed), from reviews of someone else's PR
  and from ``Reviewed-by``/``Acked-by`` trailers;
- ``collaboration``: people who took part in the same item (undirected);
- ``coauthor``: people credited as author or co-author on the same commit.

Edges carry ``weight`` (interactions), ``first_at`` and ``last_at`` (tz-aware UTC datetimes); nodes carry
``is_external``, ``is_bot``, ``roles``, ``first_seen_at`` and ``organization``.
Bots are left out unless ``exclude_bots=False``.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

import igraph
import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from contribfunnel.activity import Activity
from contribfunnel.community import contributions
from contribfunnel.errors import UsageError
from contribfunnel.friction import first_contributions
from contribfunnel.governance import _EMAIL, _LOGIN
from contribfunnel.periods import parse_window
from contribfunnel.stats import absence_factor, ami, nmi

__all__ = [
    "Autonomy",
    "Mentors",
    "autonomy",
    "betweenness",
    "communities",
    "contributor_graph",
    "core_numbers",
    "graph_summary",
    "mentors",
    "undirected",
]

_KINDS = ("review", "collaboration", "coauthor")
_MAX_PARTICIPANTS = 50  # a thread's collaboration edges join only its first 50 participants (no 1000-person cliques)




def _edges(activity: Activity, kind: str, start: pd.Timestamp | None, end: pd.Timestamp) -> pd.DataFrame:
    """Tidy interactions: ``source``, ``target``, ``at`` (one row per interaction)."""
    ev, items, credits = activity.events, activity.items, activity.credits
    if kind == "review":
        prs = items.loc[items.kind == "pr", ["repo", "number", "author"]]
        rv = ev.loc[ev.kind.isin(["review", "review_comment"]), ["repo", "number", "actor", "at"]].merge(
            prs, on=["repo", "number"])
        parts = [rv.rename(columns={"actor": "source", "author": "target"})[["source", "target", "at"]]]
        trail = credits[credits.role.isin(["reviewed-by", "acked-by"])]
        authors = credits.loc[credits.role.isin(["author", "co-author"]), ["repo", "sha", "person"]]
        tr = trail.merge(authors, on=["repo", "sha"], suffixes=("", "_author"))
        parts.append(tr.rename(columns={"person": "source", "person_author": "target"})[["source", "target", "at"]])
        out = pd.concat(parts, ignore_index=True)
    elif kind == "collaboration":
        who = pd.concat([
            items[["repo", "number", "author", "created_at"]].set_axis(["repo", "number", "person", "at"], axis=1),
            ev[["repo", "number", "actor", "at"]].set_axis(["repo", "number", "person", "at"], axis=1),
        ]).dropna()
        who = who[(who["at"] <= end) & ((who["at"] > start) if start is not None else True)]
        first = who.groupby(["repo", "number", "person"], as_index=False)["at"].min()
        first = first.sort_values(["repo", "number", "at", "person"])
        first = first[first.groupby(["repo", "number"]).cumcount() < _MAX_PARTICIPANTS]
        first = first[first.groupby(["repo", "number"]).person.transform("size") > 1]
        pairs = first.merge(first, on=["repo", "number"], suffixes=("", "_b"))
        pairs = pairs[pairs.person < pairs.person_b]
        later = np.maximum(pairs["at"].to_numpy(dtype="datetime64[ns]"), pairs["at_b"].to_numpy(dtype="datetime64[ns]"))
        out = pd.DataFrame({"source": pairs.person.to_numpy(), "target": pairs.person_b.to_numpy(),
                            "at": pd.DatetimeIndex(later).tz_localize("UTC")})
    elif kind == "coauthor":
        auth = credits.loc[credits.role.isin(["author", "co-author"]), ["repo", "sha", "person", "at"]].dropna()
        pairs = auth.merge(auth, on=["repo", "sha"], suffixes=("", "_b"))
        pairs = pairs[pairs.person < pairs.person_b]
        out = pairs.rename(columns={"person": "source", "person_b": "target"})[["source", "target", "at"]]
    else:
        raise UsageError(f"bad graph kind {kind!r}: use one of {', '.join(_KINDS)}")
    out = out.dropna()
    out = out[(out.source != out.target) & (out["at"] <= end)]
    if start is not None:
        out = out[out["at"] > start]
    return out


def _edge_table(activity: Activity, kind: str, start: pd.Timestamp | None, end: pd.Timestamp,
                exclude_bots: bool) -> pd.DataFrame:
    """One row per edge: ``source``, ``target``, ``weight``, ``first_at``, ``last_at``."""
    e = _edges(activity, kind, start, end)
    if exclude_bots:
        people = activity.people
        bots = set(people.loc[people.is_bot, "person"])
        e = e[~e.source.isin(bots) & ~e.target.isin(bots)]
    if kind != "review":  # undirected: one edge per pair, whichever way round it was seen
        swap = e.source > e.target
        e = e.assign(source=e.source.where(~swap, e.target), target=e.target.where(~swap, e.source))
    return (e.groupby(["source", "target"])["at"].agg(["size", "min", "max"]).reset_index()
            .rename(columns={"size": "weight", "min": "first_at", "max": "last_at"}))


def contributor_graph(activity: Activity, *, kind: str = "review", window: Any = None, as_of: Any = None,
                      exclude_bots: bool = True) -> nx.Graph:
    """A contributor graph of ``kind`` 'review' (directed), 'collaboration' or 'coauthor'.

    ``window`` limits it to the trailing period before ``as_of`` (default: all history).

    >>> import contribfunnel as cf
    >>> G = cf.contributor_graph(cf.load_example(), kind="review")
    >>> G.is_directed(), all("weight" in d for _, _, d in G.edges(data=True))
    (True, True)
    """
    end = activity.end(as_of)
    start = end - parse_window(window) if window is not None else None
    key = ("graph_edges", kind, start, end, exclude_bots)
    if key not in activity._cache:  # the graph itself is built afresh each time: callers may change it
        activity._cache[key] = _edge_table(activity, kind, start, end, exclude_bots)
    g: pd.DataFrame = activity._cache[key]
    people = activity.people.set_index("person")
    G: nx.Graph = nx.DiGraph() if kind == "review" else nx.Graph()
    # Edge times as tz-aware datetimes, made in one vectorised call rather than one Timestamp per edge.
    firsts = pd.DatetimeIndex(g.first_at).to_pydatetime()
    lasts = pd.DatetimeIndex(g.last_at).to_pydatetime()
    G.add_edges_from(
        (str(a), str(b), {"weight": int(w), "first_at": f, "last_at": t})
        for a, b, w, f, t in zip(g.source, g.target, g.weight.to_numpy(), firsts, lasts, strict=True)
    )
    known = people.loc[people.index.intersection(list(G.nodes))]
    attrs = {
        str(n): {"is_external": not bool(r.is_internal), "is_bot": bool(r.is_bot), "roles": tuple(r.roles),
                 "first_seen_at": r.first_seen_at,
                 "organization": None if pd.isna(r.organization) else str(r.organization)}
        for n, r in zip(known.index, known.itertuples(index=False), strict=True)
    }
    nx.set_node_attributes(G, attrs)
    return G


def undirected(G: nx.Graph) -> nx.Graph:
    """A simple undirected graph whose edge ``weight`` sums both directions' weights (no other attributes).

    >>> D = nx.DiGraph([("a", "b", {"weight": 2}), ("b", "a", {"weight": 3})])
    >>> undirected(D)["a"]["b"]["weight"]
    5
    """
    U = nx.Graph()
    U.add_nodes_from(G.nodes)
    for a, b, w in G.edges(data="weight", default=1):
        if a == b:
            continue
        if U.has_edge(a, b):
            U[a][b]["weight"] += w
        else:
            U.add_edge(a, b, weight=w)
    return U


def core_numbers(G: nx.Graph) -> dict[Any, int]:
    """k-core number of every node (as ``networkx.core_number``), by vectorised peeling.

    >>> core_numbers(nx.complete_graph(4)) == nx.core_number(nx.complete_graph(4))
    True
    """
    nodes = list(G.nodes)
    if not nodes:
        return {}
    index = {n: i for i, n in enumerate(nodes)}
    edges = np.array([(index[a], index[b]) for a, b in G.edges if a != b], dtype=np.int64).reshape(-1, 2)
    n = len(nodes)
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    adj = sparse.csr_matrix((np.ones(rows.size, dtype=np.int64), (rows, cols)), shape=(n, n))
    adj.data[:] = 1  # simple graph: parallel entries count once
    alive = np.ones(n, dtype=bool)
    degree = np.asarray(adj.sum(axis=1)).ravel()
    core = np.zeros(n, dtype=np.int64)
    k = 0
    while alive.any():
        k = max(k, int(degree[alive].min()))
        while True:  # peel everyone below k+1 until nobody else drops
            peel = alive & (degree <= k)
            if not peel.any():
                break
            core[peel] = k
            alive &= ~peel
            degree = degree - np.asarray(adj @ peel.astype(np.int64)).ravel()
    return {node: int(core[i]) for i, node in enumerate(nodes)}


def betweenness(G: nx.Graph, *, k: int | None = None, seed: int = 0) -> dict[Any, float]:
    """Brandes betweenness (unweighted, normalised, endpoints excluded), from every source or from ``k``
    sources sampled as networkx samples them; the values equal ``networkx.betweenness_centrality(G, k=k,
    seed=seed)``.

    All sources are searched at once, breadth-first, one sparse-matrix product per level, so a
    sampled estimate on a graph of 100,000 edges costs a fraction of a second.

    >>> P = nx.path_graph(4)
    >>> betweenness(P) == nx.betweenness_centrality(P)
    True
    """
    nodes = list(G.nodes)
    n = len(nodes)
    if n < 3:
        return dict.fromkeys(nodes, 0.0)
    index = {v: i for i, v in enumerate(nodes)}
    pairs = np.array([(index[a], index[b]) for a, b in G.edges if a != b], dtype=np.int64).reshape(-1, 2)
    if not G.is_directed():
        pairs = np.concatenate([pairs, pairs[:, ::-1]])
    adj = sparse.csr_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    adj.data[:] = 1.0  # a simple graph: parallel entries count once
    sources = nodes if k is None else random.Random(seed).sample(nodes, k)
    src = np.array([index[v] for v in sources])
    cols = np.arange(len(src))
    dist = np.full((n, len(src)), -1, dtype=np.int32)
    dist[src, cols] = 0
    sigma = np.zeros((n, len(src)))
    sigma[src, cols] = 1.0
    frontier, rev, depth = sigma.copy(), adj.T.tocsr(), 0
    while True:  # breadth-first: paths into each newly reached node, counted from the frontier
        reach = rev @ frontier
        new = (reach > 0) & (dist < 0)
        if not new.any():
            break
        depth += 1
        dist[new] = depth
        frontier = np.where(new, reach, 0.0)
        sigma += frontier
    delta = np.zeros_like(sigma)
    safe = np.where(sigma > 0, sigma, 1.0)
    for d in range(depth, 0, -1):  # dependencies flow back one level at a time
        coef = np.where(dist == d, (1.0 + delta) / safe, 0.0)
        delta += np.where(dist == d - 1, sigma * (adj @ coef), 0.0)
    delta[src, cols] = 0.0  # a source is an endpoint of its own paths
    total = delta.sum(axis=1)
    m = n - 1  # networkx's rescaling (3.6): pairs (s, t), s != t, with v not an endpoint
    if k is None:
        scale = np.full(n, 1 / (m * (m - 1)))
    else:
        scale = np.full(n, 1 / (k * (m - 1)))
        scale[src] = 1 / ((k - 1) * (m - 1)) if k > 1 else float("nan")
    return {v: float(x) for v, x in zip(nodes, total * scale, strict=True)}


def communities(G: nx.Graph, *, seed: int = 0) -> list[set[Any]]:
    """Louvain communities of the undirected weighted graph, largest first; the same for the same seed.

    Runs igraph's C implementation of Louvain (Blondel et al. 2008): the same
    modularity as networkx's on these graphs, some twenty times faster at
    100,000 edges.

    >>> two = nx.union(nx.complete_graph(4), nx.complete_graph(range(4, 8)))
    >>> two.add_edge(0, 4)
    >>> [sorted(c) for c in communities(two)]
    [[0, 1, 2, 3], [4, 5, 6, 7]]
    """
    U = undirected(G) if G.is_directed() else G
    nodes = list(U.nodes)
    if not nodes:
        return []
    index = {v: i for i, v in enumerate(nodes)}
    edges = [(index[a], index[b]) for a, b in U.edges if a != b]
    weights = [float(w) for a, b, w in U.edges(data="weight", default=1) if a != b]
    graph = igraph.Graph(n=len(nodes), edges=edges)
    with _IGRAPH_RNG:  # igraph draws from one global generator: seed it, then put Python's back
        igraph.set_random_number_generator(random.Random(seed))
        try:
            parts = graph.community_multilevel(weights=weights or None)
        finally:
            igraph.set_random_number_generator(random)
    found = [{nodes[i] for i in part} for part in parts]
    return sorted(found, key=lambda c: (-len(c), min(index[v] for v in c)))


_IGRAPH_RNG = threading.Lock()


def graph_summary(G: nx.Graph, *, seed: int = 0, betweenness_sample: int = 32) -> pd.DataFrame:
    """Per-person centrality: degree, weighted degree, PageRank, k-core, community and betweenness.

    Communities are seeded Louvain on the undirected weighted graph (:func:`communities`, reproducible
    for a seed); betweenness (:func:`betweenness`) is exact up to ``betweenness_sample`` nodes and
    estimated from that many sampled sources above it (Brandes & Pich 2007).

    >>> import contribfunnel as cf
    >>> s = cf.graph_summary(cf.contributor_graph(cf.load_example(), kind="collaboration"))
    >>> list(s.columns)
    ['person', 'degree', 'strength', 'pagerank', 'core', 'community', 'betweenness']
    """
    cols = ["person", "degree", "strength", "pagerank", "core", "community", "betweenness"]
    if G.number_of_nodes() == 0:
        return pd.DataFrame(columns=cols)
    U = undirected(G) if G.is_directed() or nx.number_of_selfloops(G) else G
    pr = nx.pagerank(G, weight="weight")
    core = core_numbers(U)
    community = {n: i for i, c in enumerate(communities(U, seed=seed)) for n in c}
    k = None if U.number_of_nodes() <= betweenness_sample else betweenness_sample
    btw = betweenness(U, k=k, seed=seed)
    nodes = list(G.nodes)
    degree, strength = dict(G.degree()), dict(G.degree(weight="weight"))
    out = pd.DataFrame({"person": nodes, "degree": [degree[n] for n in nodes],
                        "strength": [strength[n] for n in nodes], "pagerank": [pr[n] for n in nodes],
                        "core": [core[n] for n in nodes], "community": [community[n] for n in nodes],
                        "betweenness": [btw[n] for n in nodes]}, columns=cols)
    return out.sort_values("pagerank", ascending=False, kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class Mentors:
    """Who answers newcomers' first PRs, and how concentrated that load is."""

    table: pd.DataFrame
    first_prs: int
    answered: int
    top_share: float
    hhi: float

    def _repr_html_(self) -> str:
        return str(self.table.head(20).to_html(index=False, escape=True))


def mentors(activity: Activity, *, window: Any = "365D", as_of: Any = None) -> Mentors:
    """Responders to newcomers' first PRs (ready in the window): count, share, and concentration.

    ``top_share`` is the busiest responder's share of the answered first PRs;
    ``hhi`` the Herfindahl index of the shares (1 = one person answers everyone).

    >>> import contribfunnel as cf
    >>> m = cf.mentors(cf.load_example())
    >>> 0 < m.top_share <= 1 and m.answered <= m.first_prs
    True
    """
    end = activity.end(as_of)
    fc = first_contributions(activity, as_of=end)
    if window is not None:
        fc = fc[fc.ready_at > end - parse_window(window)]
    answered = fc[fc.is_responded & fc.responder.notna()]
    counts = answered.responder.value_counts()
    shares = counts / counts.sum() if len(counts) else counts.astype(float)
    table = pd.DataFrame({"person": counts.index.astype(str), "answered": counts.to_numpy(),
                          "share": shares.to_numpy()})
    return Mentors(table=table, first_prs=len(fc), answered=len(answered),
                   top_share=float(shares.iloc[0]) if len(shares) else float("nan"),
                   hhi=float((shares**2).sum()) if len(shares) else float("nan"))


_OVERLAP_COLUMNS = ["team", "members", "listed", "unresolved", "in_graph", "community", "community_size", "shared",
                    "jaccard"]


@dataclass(frozen=True)
class Autonomy:
    """Whether the development group governs itself (design §7).

    ``communities`` counts seeded-Louvain communities of the review graph in the
    window (numbered by size, as :func:`graph_summary` numbers them).  They are
    compared with ``declared_teams`` where the files say who is in a team
    (MAINTAINERS/OWNERS or GOVERNANCE, on the team's line or under its heading):
    ``team_overlap`` has, per team, its ``members``, how many identities were
    ``listed`` and how many of them match no person (``unresolved``), how many
    members are in the review graph (``in_graph``), and the best-matching
    community by Jaccard index of its members in the graph and the community
    (``community``, ``community_size``, ``shared``, ``jaccard``).  Over people
    in the graph listed in exactly one team, ``team_nmi`` is the normalised and
    ``team_ami`` the chance-adjusted mutual information (Vinh et al. 2010)
    between teams and communities (nan with fewer than two such people).
    ``team_note`` says what could be compared: a GitHub team's members are not
    in the files, so such a team is listed with no members rather than guessed.
    """

    mergers: int
    top_merger: str | None
    top_merger_share: float
    bus_factor_merges_reviews: int
    newcomer_answered_without_top: float
    top_responder: str | None
    review_connected_without_top: bool | None
    review_top_node: str | None
    communities: int
    declared_teams: tuple[str, ...]
    merge_shares: pd.DataFrame = field(repr=False)
    #: One row per declared team: its listed members and the detected review community that matches it best.
    team_overlap: pd.DataFrame = field(repr=False, default_factory=lambda: pd.DataFrame(columns=_OVERLAP_COLUMNS))
    #: Normalised and chance-adjusted mutual information, declared teams vs detected communities (nan: no basis).
    team_nmi: float = float("nan")
    team_ami: float = float("nan")
    #: People compared: in the review graph and listed in exactly one declared team.
    team_people: int = 0
    #: What the comparison could and could not use, in words.
    team_note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()
               if k not in ("merge_shares", "team_overlap")}
        out["team_overlap"] = [{k: _plain(v) for k, v in r.items()} for r in self.team_overlap.to_dict("records")]
        for k in ("team_nmi", "team_ami"):
            out[k] = _plain(out[k])
        return out


def _plain(v: Any) -> Any:
    """A JSON-ready value: tuples as lists, missing (nan, NA, None) as None, numpy scalars as Python ones."""
    if isinstance(v, tuple):
        return list(v)
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    return v.item() if isinstance(v, np.generic) else v


# A team: @org/team (GitHub teams in CODEOWNERS and elsewhere), "SIG Name"/"SIG-Name", or Kubernetes-style sig-name.
_TEAM = re.compile(r"@[\w.-]+/[\w.-]+|\bSIG[- ][\w-]+|\bsig-[\w-]+")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*)$")


def _team_key(team: str) -> str:
    return team.lower().replace(" ", "-")


def _declared_teams(activity: Activity) -> tuple[str, ...]:
    files = activity.repo_files
    text = "\n".join(files.loc[files.kind.isin(["codeowners", "governance", "maintainers"]), "content"].dropna())
    seen: dict[str, str] = {}
    for m in sorted(t.strip() for t in _TEAM.findall(text)):
        seen.setdefault(_team_key(m), m)  # "SIG Docs" and "sig-docs" are one team
    return tuple(sorted(seen.values()))


def _listed_members(activity: Activity) -> dict[str, set[str]]:
    """Lower-cased logins and e-mails listed with each team (by team key) in MAINTAINERS/OWNERS and GOVERNANCE.

    A member is named on the team's own line ("- **sig-docs**: @ann, @bo") or under a Markdown heading naming
    the team, up to the next heading of the same or a higher level.  CODEOWNERS lines are not memberships:
    the owners on a line own a path together, and a GitHub team's members are not in the files.
    """
    files = activity.repo_files
    out: dict[str, set[str]] = {}
    for text in files.loc[files.kind.isin(["governance", "maintainers"]), "content"].dropna():
        section: tuple[int, list[str]] | None = None
        for line in str(text).splitlines():
            head = _HEADING.match(line)
            if head:
                level, named = len(head.group(1)), _TEAM.findall(head.group(2))
                if named:
                    section = (level, [_team_key(t) for t in named])
                elif section is not None and level <= section[0]:
                    section = None
                continue
            named = [_team_key(t) for t in _TEAM.findall(line)]
            ids = {h.lower() for h in _LOGIN.findall(line)} | {e.lower() for e in _EMAIL.findall(line)}
            for key in named or (section[1] if section else []):
                out.setdefault(key, set()).update(ids)
    return out


def _team_overlap(activity: Activity, G: nx.Graph, community: dict[Any, int],
                  teams: tuple[str, ...]) -> tuple[pd.DataFrame, float, float, int, str]:
    people = activity.people
    person_of: dict[str, str] = {}
    for person, logins, emails in zip(people.person, people.logins, people.emails, strict=True):
        for ident in (person, *logins, *emails):
            person_of.setdefault(str(ident).lower(), str(person))
    listed = _listed_members(activity)
    sizes = pd.Series(community).value_counts() if community else pd.Series(dtype=int)
    rows = []
    member_sets: dict[str, set[str]] = {}
    for team in teams:
        ids = listed.get(_team_key(team), set())
        members = {person_of[i] for i in ids if i in person_of}
        member_sets[team] = members
        in_graph = {m for m in members if m in community}
        best: tuple[float, int, int] | None = None  # (jaccard, shared, community) of the best match
        if in_graph:
            counts = pd.Series([community[m] for m in in_graph]).value_counts()
            for c, shared in counts.items():
                jac = shared / (len(in_graph) + int(sizes[c]) - shared)
                if best is None or (jac, shared, -int(c)) > (best[0], best[1], -best[2]):
                    best = (float(jac), int(shared), int(c))
        rows.append({"team": team, "members": tuple(sorted(members)), "listed": len(ids),
                     "unresolved": len(ids) - sum(i in person_of for i in ids), "in_graph": len(in_graph),
                     "community": best[2] if best else None,
                     "community_size": int(sizes[best[2]]) if best else None,
                     "shared": best[1] if best else 0, "jaccard": best[0] if best else float("nan")})
    table = pd.DataFrame(rows, columns=_OVERLAP_COLUMNS).astype({"community": "Int64", "community_size": "Int64"})
    # One label per person for the partition measures: people listed in exactly one team, in the graph.
    team_of: dict[str, list[str]] = {}
    for team, members in member_sets.items():
        for m in members:
            team_of.setdefault(m, []).append(team)
    both = sorted(m for m, ts in team_of.items() if len(ts) == 1 and m in community)
    mapped = int((table.listed > 0).sum())
    if not teams:
        note = "no declared teams (CODEOWNERS @org/team, SIGs) in the repository files"
    elif not mapped:
        note = ("declared teams name no members in the files (a GitHub team's members are not in the data): "
                "teams cannot be compared with communities")
    else:
        unlisted = [t for t, n in zip(table.team, table.listed, strict=True) if n == 0]
        note = (f"{mapped} of {len(teams)} declared teams list their members in MAINTAINERS/GOVERNANCE files"
                + (f"; members unknown for {', '.join(unlisted)}" if unlisted else "")
                + f"; {len(both)} people in the review graph belong to exactly one of them")
    if len(both) >= 2:
        labels_t, labels_c = [team_of[m][0] for m in both], [community[m] for m in both]
        return table, nmi(labels_t, labels_c), ami(labels_t, labels_c), len(both), note
    return table, float("nan"), float("nan"), len(both), note


def autonomy(activity: Activity, *, window: Any = "365D", as_of: Any = None, seed: int = 0) -> Autonomy:
    """Distinct mergers, the top merger's share, the bus factor over merges and reviews, the share of
    newcomers' first PRs answered by someone other than the busiest responder, whether the review graph
    stays connected without its most connected person, and detected communities against declared teams.

    >>> import contribfunnel as cf
    >>> a = cf.autonomy(cf.load_example())
    >>> a.mergers >= 1 and 0 <= a.top_merger_share <= 1
    True
    """
    end = activity.end(as_of)
    key = ("autonomy", end, str(window), seed)
    if key not in activity._cache:
        activity._cache[key] = _autonomy(activity, window, end, seed)
    result: Autonomy = activity._cache[key]
    return result


def _autonomy(activity: Activity, window: Any, end: pd.Timestamp, seed: int) -> Autonomy:
    span = parse_window(window)
    c = contributions(activity)
    c = c[(c["at"] <= end) & (c["at"] > end - span)]
    merges = c[c.kind == "merge"].person.value_counts()
    shares = merges / merges.sum() if len(merges) else merges.astype(float)
    bf = absence_factor(c[c.kind.isin(["merge", "review"])].person.value_counts().to_numpy())
    fc = first_contributions(activity, as_of=end)
    fc = fc[fc.ready_at > end - span]
    resp = fc.responder[fc.is_responded].value_counts()
    top_resp = str(resp.index[0]) if len(resp) else None
    without = (float((fc.is_responded & fc.responder.notna() & (fc.responder != top_resp)).sum() / len(fc))
               if len(fc) else float("nan"))
    G = undirected(contributor_graph(activity, kind="review", window=window, as_of=end))
    connected: bool | None = None
    top_node: str | None = None
    if G.number_of_nodes() >= 3:
        main = max(nx.connected_components(G), key=len)
        top_node = max(G.degree(main, weight="weight"), key=lambda kv: (kv[1], str(kv[0])))[0]
        rest = G.subgraph(main - {top_node})  # a view: nothing copied
        connected = rest.number_of_nodes() > 0 and nx.is_connected(rest)
    # Working groups show in who reviews whom: communities of the review graph, numbered as graph_summary does.
    comms = communities(G, seed=seed)
    community = {n: i for i, c in enumerate(comms) for n in c}
    teams = _declared_teams(activity)
    overlap, t_nmi, t_ami, t_people, t_note = _team_overlap(activity, G, community, teams)
    return Autonomy(
        mergers=len(merges),
        top_merger=str(merges.index[0]) if len(merges) else None,
        top_merger_share=float(shares.iloc[0]) if len(shares) else float("nan"),
        bus_factor_merges_reviews=int(bf),
        newcomer_answered_without_top=without,
        top_responder=top_resp,
        review_connected_without_top=connected,
        review_top_node=top_node,
        communities=len(comms),
        declared_teams=teams,
        merge_shares=pd.DataFrame({"person": merges.index.astype(str), "merges": merges.to_numpy(),
                                   "share": shares.to_numpy()}),
        team_overlap=overlap, team_nmi=t_nmi, team_ami=t_ami, team_people=t_people, team_note=t_note,
    )
