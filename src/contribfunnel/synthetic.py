"""A seeded generator of realistic, GitHub-shaped activity (:func:`make_activity`).

The generator builds every table of an :class:`~contribfunnel.activity.Activity`
with numpy arrays (no per-event Python objects), so that a repository of
100,000 pull requests and about a million events takes seconds.  It models what
the analyses have to get right on real data:

- a core team (internal) that reviews and merges, and external people arriving
  at a growing rate, with heavy-tailed activity (most send one pull request,
  a few send hundreds);
- log-normal times to the first human response, slower for newcomers; pull
  requests nobody answers, abandoned ones (closed by their own author, or left
  silent), stale-bot closes, drafts, reopened items, review rounds (more of them
  on newcomers' first pull requests), threads of more than 100 comments;
- bots that are not responses: a coverage comment minutes after a pull request
  opens, greeting and labelling bots, dependency pull requests, a stale bot;
  ``k8s-ci-robot`` is a bot only by the known list, and ``talbot`` is a human;
- commits with squash and merge-commit subjects, ``Co-authored-by`` credits,
  web-flow as the committer of web merges, direct pushes by the core team;
- governance files, labels and open "good first issue" items;
- untrusted text: hostile titles and non-ASCII names.

Only ``numpy.random.default_rng(seed)`` is a source of randomness, so the same
arguments give the same Activity.
"""

from __future__ import annotations

import importlib.metadata
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from contribfunnel import schema
from contribfunnel.activity import Activity, Meta
from contribfunnel.errors import UsageError
from contribfunnel.identities import _roles
from contribfunnel.periods import to_utc

__all__ = ["make_activity"]

Arr = npt.NDArray[Any]

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0

# Event kinds and review states, as small integer codes until the end.
EVENT_KINDS = (
    "comment",
    "review",
    "review_comment",
    "commit",
    "ready_for_review",
    "converted_to_draft",
    "closed",
    "merged",
    "reopened",
    "labeled",
)
COMMENT, REVIEW, REVIEW_COMMENT, COMMIT, READY, TO_DRAFT, CLOSED, MERGED, REOPENED, LABELED = range(10)
REVIEW_STATES = ("APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED")
APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED = range(4)

LABELS = (
    "bug",
    "enhancement",
    "documentation",
    "question",
    "good first issue",
    "help wanted",
    "dependencies",
    "stale",
    "area/core",
    "area/docs",
    "area/ci",
    "area/api",
    "size/S",
    "size/M",
    "size/L",
    "size/XL",
    "needs-ok-to-test",
    "confirmed",
    "duplicate",
    "wontfix",
    "ci-failure",
    "triage: <needs-info>",
)
_L = {name: i for i, name in enumerate(LABELS)}

# Pull-request author classes.
BOT, INTERNAL, FIRST, REGULAR = range(4)

# Outcomes of an answered pull request.
MERGE, REJECT, ABANDON_CLOSE, ABANDON_SILENT = range(4)

HOSTILE_TITLES = ("<script>alert(1)</script> fix", "<img src=x onerror=alert(1)>")

# fmt: off
_FIRST = (
    "Anna", "Ben", "Carla", "David", "Elif", "Fatima", "Georg", "Hana", "Ivan", "Julia", "Kenji", "Laura", "Mateo",
    "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tomas", "Uma", "Victor", "Wei", "Ximena", "Yusuf", "Zara",
    "Aisha", "Bruno", "Chen", "Diego", "Emma", "Felix", "Grace", "Hugo", "Ines", "Jonas", "Kofi", "Lena", "Marco",
    "Nina", "Oscar", "Paula", "Ravi", "Sara", "Theo", "Ugo", "Vera", "Will", "Yara", "Zoltan", "Amir", "Bea",
    "Cyril", "Dana", "Erik", "Femi", "Gus", "Helga", "Ike", "Jana", "Kai", "Luca", "Mia", "Noor", "Otto", "Pia",
    "Rui", "Sam", "Tara", "Ulla", "Vik", "Wanda", "Xiu", "Yan",
)
_LAST = (
    "Smith", "Garcia", "Muller", "Rossi", "Novak", "Kim", "Tanaka", "Silva", "Cohen", "Ivanova", "Nguyen", "Okafor",
    "Larsen", "Dubois", "Jansen", "Kowalski", "Horvat", "Petrov", "Santos", "Haddad", "Singh", "Patel", "Moreau",
    "Becker", "Fischer", "Weber", "Lopez", "Costa", "Mendes", "Andersen", "Berg", "Dahl", "Ek", "Falk", "Gray",
    "Hill", "Ito", "Joshi", "Khan", "Lee", "Meyer", "Nagy", "Olsen", "Park", "Quist", "Reyes", "Sato", "Torres",
    "Usman", "Varga", "Wong", "Young", "Zhou", "Abe", "Bauer", "Chavez", "Diaz", "Evans", "Ford",
)
_ADJ = (
    "quiet", "brave", "lazy", "rapid", "tiny", "cosmic", "rusty", "silver", "hidden", "frozen", "lucky", "misty",
    "bold", "sunny",
)
_NOUN = (
    "otter", "falcon", "badger", "comet", "pixel", "kernel", "lambda", "panda", "fox", "maple", "river", "cactus",
    "photon", "walrus",
)
# fmt: on

# External people with fixed logins: non-ASCII display names, and a human whose login ends in "bot".
_SPECIAL = (
    ("talbot", "Sarah Talbot"),
    ("zoe-angstrom", "Zoë Ångström"),
    ("lilei", "李雷"),
    ("hanmeimei", "韩梅梅"),
    ("jose-muller", "José Müller"),
    ("sodegaard", "Søren Ødegård"),
    ("lzolc", "Łukasz Żółć"),
    ("nguyen-van-an", "Nguyễn Văn An"),
    ("dima-ivanov", "Дмитрий Иванов"),
    ("m-ali", "محمد علي"),
)

# (login, display name, e-mail, bot_reason)
_BOTS = (
    ("dependabot[bot]", "dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com", "github-type"),
    (
        "github-actions[bot]",
        "github-actions[bot]",
        "41898282+github-actions[bot]@users.noreply.github.com",
        "github-type",
    ),
    ("codecov[bot]", "codecov[bot]", "22429695+codecov[bot]@users.noreply.github.com", "github-type"),
    ("k8s-ci-robot", "Kubernetes Prow Robot", "20407524+k8s-ci-robot@users.noreply.github.com", "known-list"),
    ("stale[bot]", "stale[bot]", "26384082+stale[bot]@users.noreply.github.com", "github-type"),
    ("web-flow", "GitHub", "noreply@github.com", "known-list"),
)
DEPENDABOT, ACTIONS, CODECOV, PROW, STALE, WEBFLOW = range(6)

_COMPANIES = (
    "acme.io",
    "globex.com",
    "initech.net",
    "umbrella.dev",
    "hooli.com",
    "cyberdyne.ai",
    "tyrell.tech",
    "soylent.co",
    "wonka-industries.com",
    "aperture.science",
    "uni-heidelberg.de",
    "tsinghua.edu.cn",
)
_PUBLIC_MAIL = ("gmail.com", "outlook.com", "proton.me", "yahoo.com", "qq.com", "163.com")

# fmt: off
_VERBS = (
    "Fix", "Add", "Update", "Remove", "Refactor", "Improve", "Document", "Support", "Handle", "Deprecate",
    "Simplify", "Test",
)
# fmt: on
_THINGS = (
    "edge case",
    "error message",
    "timeout handling",
    "type hints",
    "memory leak",
    "race condition",
    "retry option",
    "usage example",
    "deprecation warning",
    "unicode handling",
    "config validation",
    "progress output",
)
_AREAS = (
    "parser",
    "CLI",
    "cache",
    "docs",
    "scheduler",
    "API",
    "config loader",
    "logging",
    "test suite",
    "CI",
    "plugin system",
    "HTTP client",
    "serializer",
)
_PROBLEMS = (
    "crash on empty input",
    "wrong output with non-ASCII paths",
    "feature request: support for",
    "docs unclear about",
    "slow with large inputs in",
    "unexpected error from",
    "regression since last release in",
    "question about",
)
_EXTRA_TITLES = (
    "Support für Umlaute in Pfaden",
    "修复文档中的拼写错误",
    "Handle emoji 🎉 in messages",
    'Quote "names" & <tags> safely',
)
# fmt: off
_PACKAGES = (
    "requests", "urllib3", "pytest", "numpy", "actions/checkout", "actions/setup-python", "black", "ruff", "mypy",
    "certifi",
)
# fmt: on
_COMMIT_SUBJECTS = (
    "Address review comments",
    "Fix tests",
    "Add tests",
    "Update docs",
    "Fix lint",
    "WIP",
    "Apply suggestions from code review",
)
_DIRECT_SUBJECTS = (
    "Update changelog",
    "Fix typo in README",
    "Bump version",
    "Release",
    "Revert accidental change",
    "Tidy CI config",
)


def make_activity(
    *,
    seed: int = 0,
    repo: str = "example/project",
    n_prs: int = 400,
    n_issues: int = 250,
    n_people: int | None = None,
    start: str = "2023-01-01",
    as_of: str = "2026-09-30",
    internal_share: float = 0.15,
    with_commits: bool = True,
) -> Activity:
    """Make a realistic, reproducible Activity for one synthetic repository.

    Everything is drawn from ``numpy.random.default_rng(seed)``: the same
    arguments give identical tables.  No network, no clock.

    Parameters
    ----------
    seed : int
        Seed of the random generator.
    repo : str
        Repository name as ``owner/name``; the owner also names the core team's
        organisation (``<owner>.com``).
    n_prs, n_issues : int
        Number of pull requests and issues.  About 6% of the pull requests are
        dependency bumps by ``dependabot[bot]`` and about 2% of the issues are
        filed by ``github-actions[bot]``.
    n_people : int, optional
        Number of humans (core team plus external people); by default about
        0.4 per pull request plus 0.25 per issue.  People left without any
        activity are not listed.
    start, as_of : str
        The history covers ``[start, as_of)``; ``as_of`` becomes ``meta.as_of``
        and nothing happens at or after it (later events are censored).
    internal_share : float
        Share of the human pull requests and issues authored by the core team.
    with_commits : bool
        Also make the ``commits`` and ``credits`` tables (squash or merge commits
        of merged pull requests, and direct pushes by the core team).

    Returns
    -------
    Activity
        With ``meta.sources == ("synthetic",)`` and ``meta.history_complete``.

    Raises
    ------
    UsageError
        For a negative count, a share outside ``[0, 1)``, fewer than 10 people,
        a malformed ``repo`` or ``as_of`` not after ``start``.

    Notes
    -----
    The core team is marked internal (``internal_rule`` "synthetic: core team");
    everyone else, bots included, is external ("default: external").  A few
    external regulars become reviewers after six months and some of them merge
    after a year (``author_association`` COLLABORATOR).  One core member's
    items say CONTRIBUTOR (a private organisation membership, as GitHub reports
    it), and one issue author deleted their account (author missing).  Web
    merges are committed by ``web-flow`` ("GitHub" <noreply@github.com>), a
    known-list bot with ``committer`` credits.  People's ``roles`` are those
    :func:`~contribfunnel.resolve_identities` would give (contributor, reviewer,
    maintainer; design §6), computed by the same code.  Issues
    have ``ready_at == created_at``.  The ``labels`` of an item are exactly the
    labels of its ``labeled`` events, in order.

    Examples
    --------
    >>> from contribfunnel.synthetic import make_activity
    >>> act = make_activity(seed=3, n_prs=60, n_issues=30)
    >>> act.items.kind.value_counts().sort_index().to_dict()
    {'issue': 30, 'pr': 60}
    >>> act.events.kind.value_counts().sort_index().to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'closed': 76, 'comment': 644, 'commit': 105, 'converted_to_draft': 3, 'labeled': 157,
     'merged': 37, 'ready_for_review': 10, 'reopened': 2, 'review': 65, 'review_comment': 49}
    >>> act.people.loc[act.people.person == "talbot", ["is_bot", "is_internal"]].to_numpy().tolist()
    [[False, False]]
    >>> make_activity(seed=3, n_prs=60, n_issues=30).events.equals(act.events)
    True
    """
    _check(repo, n_prs, n_issues, n_people, internal_share)
    t_start, t_end = _seconds(start, "start"), _seconds(as_of, "as_of")
    if t_end - t_start < 30 * DAY:
        raise UsageError(f"as_of ({as_of}) must be at least 30 days after start ({start})")
    rng = np.random.default_rng(seed)
    if n_people is None:
        n_people = max(40, round(0.4 * n_prs + 0.25 * n_issues))
    gen = _Generator(rng, repo, t_start, t_end, n_prs, n_issues, n_people, internal_share)
    gen.run(with_commits=with_commits)
    meta = Meta(
        as_of=pd.Timestamp(as_of),
        repos=(repo,),
        sources=("synthetic",),
        since=None,
        history_complete=True,
        rule="synthetic: the generator marks its core team internal",
        notes=(f"synthetic data, seed {seed}",),
        versions={"contribfunnel": _version()},
    )
    tables = {name: schema.frame(name, table) for name, table in gen.tables.items()}
    tables["people"]["roles"] = _people_roles(tables, meta)
    return Activity.from_tables(meta=meta, **tables)


def _people_roles(tables: dict[str, pd.DataFrame], meta: Meta) -> list[tuple[str, ...]]:
    """Roles as :func:`~contribfunnel.identities.resolve_identities` assigns them (design §6), by the same code.

    Contributor: authored a PR or a credited commit; reviewer: reviewed someone
    else's PR; maintainer: merged someone else's work or is listed in CODEOWNERS.
    """
    # _roles reads only the repo files of the Activity it is given.
    files = Activity.from_tables(meta=meta, repo_files=tables["repo_files"])
    return _roles(tables["people"], tables["items"], tables["events"], tables.get("commits", schema.empty("commits")),
                  tables.get("credits", schema.empty("credits")), files)


def _version() -> str:
    try:
        return importlib.metadata.version("contribfunnel")
    except importlib.metadata.PackageNotFoundError:
        return "dev"


def _check(repo: str, n_prs: int, n_issues: int, n_people: int | None, internal_share: float) -> None:
    if not isinstance(repo, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+", repo):
        raise UsageError(f"repo must look like owner/name, got {repo!r}")
    for name, value in (("n_prs", n_prs), ("n_issues", n_issues)):
        if not isinstance(value, (int, np.integer)) or value < 0:
            raise UsageError(f"{name} must be a non-negative integer, got {value!r}")
    if n_people is not None and (not isinstance(n_people, (int, np.integer)) or n_people < 10):
        raise UsageError(f"n_people must be an integer of at least 10, got {n_people!r}")
    if not 0.0 <= internal_share < 1.0:
        raise UsageError(f"internal_share must be in [0, 1), got {internal_share!r}")


def _seconds(value: str, name: str) -> float:
    return float(to_utc(value, name=name).value // 10**9)


# --------------------------------------------------------------------------- helpers


def _lognormal(rng: np.random.Generator, median: Arr | float, sigma: Arr | float, n: int) -> Arr:
    """Log-normal durations with the given median(s) (seconds)."""
    return np.asarray(median, dtype=float) * np.exp(np.asarray(sigma, dtype=float) * rng.standard_normal(n))


def _group_rank(counts: Arr) -> Arr:
    """Position of each row within its group, for rows made by ``np.repeat(x, counts)``."""
    starts = np.cumsum(counts) - counts
    return np.asarray(np.arange(int(counts.sum())) - np.repeat(starts, counts))


def _group_cumsum(values: Arr, counts: Arr) -> tuple[Arr, Arr]:
    """Exclusive running sum within each group, and each group's total."""
    total = np.concatenate([[0.0], np.cumsum(values)])
    starts = np.cumsum(counts) - counts
    excl = total[:-1] - np.repeat(total[starts], counts)
    return excl, total[starts + counts] - total[starts]


def _heavy_counts(rng: np.random.Generator, total: int, n: int, sigma: float) -> Arr:
    """Split ``total`` among ``n`` people, at least one each, with log-normal (heavy-tailed) weights."""
    counts = np.zeros(n, dtype=np.int64)
    if n == 0 or total == 0:
        return counts
    if total < n:
        counts[rng.choice(n, size=total, replace=False)] = 1
        return counts
    w = np.exp(sigma * rng.standard_normal(n))
    return 1 + rng.multinomial(total - n, w / w.sum()).astype(np.int64)


def _uniform_between(rng: np.random.Generator, lo: Arr, hi: Arr) -> Arr:
    return lo + (np.maximum(hi, lo) - lo) * rng.random(len(lo))


@dataclass
class _Pool:
    """People who may act as reviewers (or mergers) from a given time on."""

    members: Arr
    p: Arr
    active_from: Arr
    fallback: Arr  # two people active from the start

    def draw(self, rng: np.random.Generator, at: Arr, exclude: Arr) -> Arr:
        n = len(at)
        k = rng.choice(len(self.members), size=n, p=self.p)
        who = self.members[k]
        bad = (who == exclude) | (self.active_from[k] > at)
        f = self.fallback[rng.integers(0, 2, int(bad.sum()))]
        alt = np.where(f == self.fallback[0], self.fallback[1], self.fallback[0])
        who[bad] = np.where(f == exclude[bad], alt, f)
        return who


class _Collector:
    """Columns appended in chunks, concatenated once."""

    def __init__(self, **dtypes: Any) -> None:
        self.dtypes = dtypes
        self.parts: dict[str, list[Arr]] = {k: [] for k in dtypes}

    def add(self, **cols: Any) -> None:
        sizes = [np.size(v) for v in cols.values() if np.ndim(v) > 0]
        n = min(sizes) if sizes else 1
        if n == 0:
            return
        for k, dtype in self.dtypes.items():
            self.parts[k].append(np.broadcast_to(np.asarray(cols.get(k, -1), dtype=dtype), (n,)))

    def build(self) -> dict[str, Arr]:
        return {k: np.concatenate(v) if v else np.zeros(0, dtype=self.dtypes[k]) for k, v in self.parts.items()}


# --------------------------------------------------------------------------- the generator


class _Generator:
    def __init__(
        self,
        rng: np.random.Generator,
        repo: str,
        t_start: float,
        t_end: float,
        n_prs: int,
        n_issues: int,
        n_people: int,
        internal_share: float,
    ) -> None:
        self.rng = rng
        self.repo = repo
        self.t_start = t_start
        self.t_end = t_end
        self.n_prs = int(n_prs)
        self.n_issues = int(n_issues)
        self.n_people = int(n_people)
        self.internal_share = float(internal_share)
        self.events = _Collector(
            item=np.int64, kind=np.int8, actor=np.int64, at=np.float64, state=np.int8, anchor=np.bool_
        )
        self.labels = _Collector(item=np.int64, label=np.int16, actor=np.int64, at=np.float64)
        self.tables: dict[str, Any] = {}

    # ---------------------------------------------------------------- people

    def _make_people(self) -> None:
        rng = self.rng
        owner = self.repo.split("/")[0].lower()
        n_core = int(np.clip(round(self.n_people**0.5 / 2), 3, 60))
        n_core = max(3, min(n_core, self.n_people // 3))
        n_ext = self.n_people - n_core
        n_h = n_core + n_ext
        span = self.t_end - self.t_start

        first = np.array(_FIRST, dtype=object)[rng.integers(0, len(_FIRST), n_h)]
        last = np.array(_LAST, dtype=object)[rng.integers(0, len(_LAST), n_h)]
        pattern = rng.integers(0, 6, n_h)
        number = rng.integers(2, 9999, n_h)
        adj = rng.integers(0, len(_ADJ), n_h)
        noun = rng.integers(0, len(_NOUN), n_h)
        reserved = {b[0] for b in _BOTS} | {s[0] for s in _SPECIAL} | {"ghost"}
        logins: list[str] = []
        seen: dict[str, int] = {}
        for i in range(n_h):
            f, la, p = first[i].lower(), last[i].lower(), int(pattern[i])
            base = (
                f + la,
                f[0] + la,
                f + "-" + la,
                f + str(number[i]),
                _ADJ[adj[i]] + _NOUN[noun[i]],
                la + f[0],
            )[p]
            login = base
            while login in seen or login in reserved:
                seen[base] = seen.get(base, 1) + 1
                login = f"{base}{seen[base]}"
            seen[login] = 1
            logins.append(login)
        names = [f"{a} {b}" for a, b in zip(first, last, strict=True)]

        # Split the external people: PR authors, issue-only participants, commenters.
        n_bot_prs = round(0.06 * self.n_prs)
        n_int_prs = round(self.internal_share * (self.n_prs - n_bot_prs))
        n_ext_prs = self.n_prs - n_bot_prs - n_int_prs
        n_bot_issues = round(0.02 * self.n_issues)
        n_int_issues = round(self.internal_share * (self.n_issues - n_bot_issues))
        n_ext_issues = self.n_issues - n_bot_issues - n_int_issues
        n_pa = min(round(0.62 * n_ext), n_ext_prs)
        n_io = min(round(0.30 * n_ext), n_ext_issues, n_ext - n_pa)
        self.n_core, self.n_ext, self.n_pa, self.n_io = n_core, n_ext, n_pa, n_io

        # Fixed externals among the PR authors (talbot first), when there is room.
        n_special = min(len(_SPECIAL), n_pa)
        special_pos = n_core + rng.choice(n_pa, size=n_special, replace=False) if n_special else np.zeros(0, int)
        for (login, name), pos in zip(_SPECIAL[:n_special], special_pos, strict=True):
            logins[int(pos)] = login
            names[int(pos)] = name
        self.talbot = int(special_pos[0]) if n_special else -1

        # Arrival: core mostly at the start; externals at a rate growing ~3.3x over the period.
        arrival = np.empty(n_h)
        arrival[:2] = self.t_start + rng.uniform(0, 3 * DAY, 2)
        k = n_core - 2
        early = rng.random(k) < 0.5
        arrival[2:n_core] = self.t_start + np.where(early, rng.uniform(0, 60 * DAY, k), rng.uniform(0, 0.7 * span, k))
        g = 1.2
        u = rng.random(n_ext)
        arrival[n_core:] = self.t_start + span * np.log1p(u * np.expm1(g)) / g
        arrival = np.minimum(arrival, self.t_end - 2 * HOUR)

        # Organisations and e-mails.
        domain = re.sub(r"[^a-z0-9-]", "", owner) or "example"
        self.owner_org = f"{domain}.com"
        org: list[str | None] = [self.owner_org] * n_core + [None] * n_ext
        cw = 1.0 / np.arange(1, len(_COMPANIES) + 1) ** 1.1
        has_org = rng.random(n_ext) < 0.3
        comp = rng.choice(len(_COMPANIES), size=n_ext, p=cw / cw.sum())
        mail_kind = rng.random(n_h)  # < 0.4 noreply, else public provider (externals without org)
        provider = rng.integers(0, len(_PUBLIC_MAIL), n_h)
        gh_id = rng.integers(10_000, 99_999_999, n_h)
        second = rng.random(n_h) < 0.1
        emails: list[tuple[str, ...]] = []
        for i in range(n_h):
            noreply = f"{gh_id[i]}+{logins[i]}@users.noreply.github.com"
            if i < n_core:
                primary = f"{logins[i]}@{self.owner_org}"
            elif has_org[i - n_core]:
                org[i] = _COMPANIES[comp[i - n_core]]
                primary = f"{logins[i]}@{org[i]}"
            elif mail_kind[i] < 0.4:
                primary = noreply
            else:
                primary = f"{logins[i].replace('-', '.')}@{_PUBLIC_MAIL[provider[i]]}"
            emails.append((primary, noreply) if second[i] and primary != noreply else (primary,))

        # Bots go last.
        self.bot0 = n_h
        self.logins = np.array(logins + [b[0] for b in _BOTS], dtype=object)
        self.names = np.array(names + [b[1] for b in _BOTS], dtype=object)
        self.emails = emails + [(b[2],) for b in _BOTS]
        self.org = np.array(org + [None] * len(_BOTS), dtype=object)
        self.arrival = np.concatenate([arrival, np.full(len(_BOTS), self.t_start)])
        self.n_all = len(self.logins)

        # Reviewer pool: core (Zipf weights) plus trusted external regulars chosen later.
        self.core_w = 1.0 / np.arange(1, n_core + 1) ** 0.9
        self.founders = np.array([0, 1])
        self.bot_issue_counts = n_bot_issues
        self.counts = (n_bot_prs, n_int_prs, n_ext_prs, n_int_issues, n_ext_issues)

    # ---------------------------------------------------------------- items

    def _make_items(self) -> None:
        rng = self.rng
        n_core, n_pa, n_io = self.n_core, self.n_pa, self.n_io
        n_bot_prs, n_int_prs, n_ext_prs, n_int_issues, n_ext_issues = self.counts
        ext0 = n_core

        pr_counts = np.zeros(self.n_all, dtype=np.int64)
        pr_counts[:n_core] = _heavy_counts(rng, n_int_prs, n_core, 0.8)
        pr_counts[ext0 : ext0 + n_pa] = _heavy_counts(rng, n_ext_prs, n_pa, 2.2)
        if self.talbot >= 0 and pr_counts[self.talbot] < 3 and n_ext_prs >= n_pa + 3:
            top = int(np.argmax(pr_counts))
            moved = 3 - int(pr_counts[self.talbot])
            pr_counts[top] -= moved
            pr_counts[self.talbot] += moved
        issue_counts = np.zeros(self.n_all, dtype=np.int64)
        issue_counts[:n_core] = _heavy_counts(rng, n_int_issues, n_core, 0.8)
        issue_counts[ext0 + n_pa : ext0 + n_pa + n_io] = 1
        rest = n_ext_issues - n_io
        if rest > 0 and n_pa + n_io > 0:
            w = np.exp(1.0 * rng.standard_normal(n_pa + n_io))
            issue_counts[ext0 : ext0 + n_pa + n_io] += rng.multinomial(rest, w / w.sum())
        self.pr_counts = pr_counts

        # Trusted external regulars: review after six months; half of them also merge after a year.
        n_trusted = min(max(2, n_core // 2), n_pa)
        ext_order = np.argsort(-pr_counts[ext0 : ext0 + n_pa], kind="stable")[:n_trusted] + ext0
        self.trusted = ext_order
        self.mergers_ext = ext_order[: max(1, n_trusted // 2)] if n_trusted else ext_order
        members = np.concatenate([np.arange(n_core), self.trusted])
        w = np.concatenate([self.core_w, np.full(n_trusted, 0.4 * self.core_w.mean())])
        active = np.concatenate([self.arrival[:n_core], self.arrival[self.trusted] + 180 * DAY])
        self.reviewers = _Pool(members, w / w.sum(), active, self.founders)
        m_members = np.concatenate([np.arange(n_core), self.mergers_ext])
        mw = np.concatenate([self.core_w, np.full(len(self.mergers_ext), 0.3 * self.core_w.mean())])
        m_active = np.concatenate([self.arrival[:n_core], self.arrival[self.mergers_ext] + 365 * DAY])
        self.mergers = _Pool(m_members, mw / mw.sum(), m_active, self.founders)

        # Human items: per person, the first at arrival, the others over a log-normal tenure.
        counts = pr_counts + issue_counts
        person = np.repeat(np.arange(self.n_all), counts)
        rank = _group_rank(counts)
        kind_h = (rank >= np.repeat(pr_counts, counts)).astype(np.int8)  # a person's PRs, then issues
        # Shuffle within each person, so which item comes first (at arrival) is random.
        kind_h = kind_h[np.lexsort((rng.random(len(person)), person))]
        left = np.maximum(self.t_end - self.arrival, HOUR)
        tenure_med = 120 * DAY * np.maximum(counts, 1) ** 0.4
        tenure = np.minimum(left, _lognormal(rng, tenure_med, 1.0, self.n_all))
        offset = np.where(rank == 0, 0.0, tenure[person] * rng.random(len(person)))
        created_h = self.arrival[person] + offset

        # Bot items: dependency PRs (dependabot) and nightly-failure issues (github-actions).
        t_bot0 = self.t_start + 30 * DAY
        created_b = np.concatenate(
            [
                rng.uniform(t_bot0, self.t_end, n_bot_prs),
                rng.uniform(t_bot0, self.t_end, self.bot_issue_counts),
            ]
        )
        person_b = np.r_[
            np.full(n_bot_prs, self.bot0 + DEPENDABOT), np.full(self.bot_issue_counts, self.bot0 + ACTIONS)
        ]
        kind_b = np.r_[np.zeros(n_bot_prs, np.int8), np.ones(self.bot_issue_counts, np.int8)]

        author = np.concatenate([person, person_b]).astype(np.int64)
        kind_all = np.concatenate([kind_h, kind_b])
        created = np.minimum(np.concatenate([created_h, created_b]), self.t_end - 30 * MINUTE)
        created = np.floor(created)
        order = np.lexsort((author, created))
        self.author = author[order]
        self.kind = kind_all[order]
        self.created = created[order]
        self.n_items = len(self.author)
        self.number = np.arange(1, self.n_items + 1)

        # Author class for PRs: first PR of an external person, or a later one.
        cls = np.full(self.n_items, REGULAR, dtype=np.int8)
        cls[self.author < n_core] = INTERNAL
        cls[self.author >= self.bot0] = BOT
        is_pr = self.kind == 0
        ext_pr = is_pr & (cls == REGULAR)
        pr_idx = np.flatnonzero(ext_pr)  # already in created order
        _, first_pos = np.unique(self.author[pr_idx], return_index=True)
        cls[pr_idx[first_pos]] = FIRST
        self.cls = cls
        first_any = np.zeros(self.n_items, dtype=bool)
        _, pos = np.unique(self.author, return_index=True)
        first_any[pos] = True
        self.first_any = first_any & (self.author >= n_core) & (self.author < self.bot0)

        # Per-item results, filled by the simulations (NaN = never / censored later).
        n = self.n_items
        self.ready = self.created.copy()
        self.is_draft = np.zeros(n, dtype=bool)
        self.t_resp = np.full(n, np.nan)  # first human response
        self.responder = np.full(n, -1, dtype=np.int64)
        self.hi = np.full(n, np.nan)  # end of the discussion window (terminal time, capped at as_of)
        self.t_term = np.full(n, np.inf)  # terminal close/merge time (inf = none)
        self.closer = np.full(n, -1, dtype=np.int64)
        self.merged = np.zeros(n, dtype=bool)

    # ---------------------------------------------------------------- pull requests

    def _simulate_prs(self) -> None:
        rng, ev = self.rng, self.events
        idx = np.flatnonzero(self.kind == 0)
        n = len(idx)
        if n == 0:
            return
        author, created, cls = self.author[idx], self.created[idx], self.cls[idx].astype(np.int64)
        human = cls != BOT
        first = cls == FIRST

        def per(bot: float, internal: float, first_: float, regular: float) -> Arr:
            return np.array([bot, internal, first_, regular])[cls]

        # Drafts: some leave draft later, a few never do.
        draft = human & (rng.random(n) < 0.15)
        never = draft & (rng.random(n) < 0.08)
        ready = created + np.where(draft, np.maximum(10 * MINUTE, _lognormal(rng, 2 * DAY, 1.2, n)), 0.0)
        ready = np.floor(np.where(never, np.inf, ready))
        still_draft = ready >= self.t_end
        left_draft = draft & ~still_draft
        t0 = np.where(still_draft, np.nan, ready)
        self.ready[idx] = np.where(still_draft, np.nan, ready)
        self.is_draft[idx] = still_draft

        # Commits pushed before opening; the author marks drafts ready.
        n_init = 1 + rng.poisson(0.3, n)
        rows = np.repeat(np.arange(n), n_init)
        ev.add(item=idx[rows], kind=COMMIT, actor=author[rows], at=created[rows] - rng.uniform(60, 2 * HOUR, len(rows)))
        ev.add(item=idx[left_draft], kind=READY, actor=author[left_draft], at=ready[left_draft], anchor=True)

        # Bots reacting within minutes: these are never responses.
        m = rng.random(n) < 0.65
        ev.add(
            item=idx[m],
            kind=COMMENT,
            actor=self.bot0 + CODECOV,
            at=created[m] + rng.uniform(2, 15, int(m.sum())) * MINUTE,
        )
        m = first
        ev.add(item=idx[m], kind=COMMENT, actor=self.bot0 + PROW, at=created[m] + rng.uniform(20, 90, int(m.sum())))
        self.labels.add(
            item=idx[m],
            label=_L["needs-ok-to-test"],
            actor=self.bot0 + PROW,
            at=created[m] + rng.uniform(91, 120, int(m.sum())),
        )
        m = human & (rng.random(n) < 0.4)
        size = rng.choice(4, size=int(m.sum()), p=[0.4, 0.35, 0.18, 0.07])
        self.labels.add(
            item=idx[m],
            label=_L["size/S"] + size,
            actor=self.bot0 + PROW,
            at=created[m] + rng.uniform(5, 19, int(m.sum())),
        )
        n_area = np.where(human, rng.choice(3, size=n, p=[0.55, 0.35, 0.1]), 0)
        rows = np.repeat(np.arange(n), n_area)
        area = (rng.integers(0, 4, n)[rows] + _group_rank(n_area)) % 4
        self.labels.add(
            item=idx[rows],
            label=_L["area/core"] + area,
            actor=self.bot0 + ACTIONS,
            at=created[rows] + 121 + 7 * _group_rank(n_area),
        )
        bot = ~human
        self.labels.add(item=idx[bot], label=_L["dependencies"], actor=author[bot], at=created[bot] + 2)

        # Who answers, when, and how many rounds of changes they ask for.
        superseded = bot & (rng.random(n) < 0.12)
        responded = ~still_draft & ~superseded & (rng.random(n) >= per(0.0, 0.03, 0.14, 0.07))
        resp = np.maximum(
            15 * MINUTE, _lognormal(rng, per(10 * HOUR, 22 * HOUR, 3 * DAY, 30 * HOUR), per(1.0, 1.1, 1.4, 1.3), n)
        )
        t_resp = np.where(responded, np.floor(np.nan_to_num(t0) + resp), np.nan)
        when = np.where(responded, t_resp, created)
        reviewer = self.reviewers.draw(rng, when, author)
        rounds = np.where(responded & human, np.minimum(rng.poisson(per(0.0, 0.3, 1.1, 0.45)), 8), 0)

        u, v = rng.random(n), rng.random(n)
        merge_ok = u < per(0.97, 0.9, 0.55, 0.8)
        abandon = ~merge_ok & (v < per(0.0, 0.6, 0.55, 0.5))
        outcome = np.where(
            merge_ok, MERGE, np.where(abandon, np.where(rng.random(n) < 0.5, ABANDON_CLOSE, ABANDON_SILENT), REJECT)
        )
        outcome = np.where(responded, outcome, -1)
        abandoned = (outcome == ABANDON_CLOSE) | (outcome == ABANDON_SILENT)
        full = np.where(abandoned, np.maximum(rounds, 1) - 1, rounds)
        full = np.where(responded, full, 0)

        # Review rounds: changes requested, then the author pushes fixes.
        rr = np.repeat(np.arange(n), full)
        rank = _group_rank(full)
        fix = _lognormal(rng, np.where(first[rr], 2.5 * DAY, 1.5 * DAY), 1.0, len(rr))
        back = _lognormal(rng, np.where(first[rr], 1.5 * DAY, 1.0 * DAY), 1.1, len(rr))
        excl, total = _group_cumsum(fix + back, full)
        req_at = np.floor(t_resp[rr] + excl)
        fix_at = np.floor(req_at + np.maximum(fix, 10 * MINUTE))
        self._review(idx[rr], reviewer[rr], req_at, CHANGES_REQUESTED)
        n_fc = 1 + (rng.random(len(rr)) < 0.3)
        rows = np.repeat(np.arange(len(rr)), n_fc)
        ev.add(item=idx[rr][rows], kind=COMMIT, actor=author[rr][rows], at=fix_at[rows] + 90 * _group_rank(n_fc))
        m = rng.random(len(rr)) < 0.3
        ev.add(item=idx[rr][m], kind=COMMENT, actor=author[rr][m], at=fix_at[m] + rng.uniform(60, 600, int(m.sum())))
        # A few authors convert back to draft after the first round, and mark ready again with the fix.
        m = (rank == 0) & (rng.random(len(rr)) < 0.08)
        ev.add(item=idx[rr][m], kind=TO_DRAFT, actor=author[rr][m], at=req_at[m] + HOUR)
        ev.add(item=idx[rr][m], kind=READY, actor=author[rr][m], at=fix_at[m] + 200)

        t_final = np.floor(t_resp + np.where(responded, total, 0.0))
        t_term = np.full(n, np.inf)
        closer = np.full(n, -1, dtype=np.int64)
        t_last = np.where(responded, t_final, np.where(np.isnan(t0), created, t0))

        # Merged: approval, then the merge (merged + closed by the merger).
        m = outcome == MERGE
        self._review(idx[m], reviewer[m], t_final[m], APPROVED, comments=False)
        merger = np.where(rng.random(n) < 0.7, reviewer, self.mergers.draw(rng, t_final, author))
        merger = np.where(self._not_yet_merger(merger, t_final), self.mergers.draw(rng, t_final, author), merger)
        self_merge = (cls == INTERNAL) & (rng.random(n) < 0.25)
        merger = np.where(self_merge, author, merger)
        t_merge = np.floor(t_final + np.maximum(MINUTE, _lognormal(rng, 2 * HOUR, 1.3, n)))
        t_term[m], closer[m] = t_merge[m], merger[m]

        # Rejected: a maintainer explains and closes.
        m = outcome == REJECT
        ev.add(item=idx[m], kind=COMMENT, actor=reviewer[m], at=t_final[m])
        t_term[m] = t_final[m] + np.floor(rng.uniform(MINUTE, 2 * HOUR, int(m.sum())))
        closer[m] = reviewer[m]

        # Abandoned after a request: the author closes it, or goes silent.
        m = abandoned & (rounds >= 1)
        self._review(idx[m], reviewer[m], t_final[m], CHANGES_REQUESTED)
        m = abandoned & (rounds == 0)
        ev.add(item=idx[m], kind=COMMENT, actor=reviewer[m], at=t_final[m])
        m = outcome == ABANDON_CLOSE
        t_term[m] = np.floor(t_final[m] + _lognormal(rng, 7 * DAY, 1.0, int(m.sum())))
        closer[m] = author[m]

        # Nobody answered: the author may ping, then closes it, or a stale bot does, or it stays open.
        quiet = ~responded & ~still_draft & human
        ping = quiet & (rng.random(n) < 0.3)
        t_ping = np.floor(t_last + _lognormal(rng, 10 * DAY, 0.8, n))
        ev.add(item=idx[ping], kind=COMMENT, actor=author[ping], at=t_ping[ping])
        t_last = np.where(ping, t_ping, t_last)
        w = rng.random(n)
        m = quiet & (w < 0.35)
        t_term[m] = np.floor(t_last[m] + _lognormal(rng, 20 * DAY, 0.9, int(m.sum())))
        closer[m] = author[m]
        stale = (quiet & (w >= 0.35) & (w < 0.65)) | ((outcome == ABANDON_SILENT) & (w < 0.5))
        self._stale(idx[stale], t_last[stale], t_term, closer, np.flatnonzero(stale))

        # Dependency bumps superseded by a newer one; drafts that never left draft.
        m = superseded
        t_sup = np.floor(created[m] + _lognormal(rng, 10 * DAY, 0.8, int(m.sum())))
        ev.add(item=idx[m], kind=COMMENT, actor=author[m], at=t_sup - 1)
        t_term[m], closer[m] = t_sup, author[m]
        m = never & (rng.random(n) < 0.3)
        t_term[m] = np.floor(created[m] + _lognormal(rng, 30 * DAY, 1.0, int(m.sum())))
        closer[m] = author[m]

        merged = outcome == MERGE
        has_term = np.isfinite(t_term)
        ev.add(item=idx[has_term], kind=CLOSED, actor=closer[has_term], at=t_term[has_term], anchor=True)
        m = merged & has_term
        ev.add(item=idx[m], kind=MERGED, actor=closer[m], at=t_term[m], anchor=True)

        self.t_resp[idx] = t_resp
        self.responder[idx] = np.where(responded, reviewer, -1)
        self.t_term[idx] = t_term
        self.closer[idx] = closer
        self.merged[idx] = merged
        silent = (outcome == ABANDON_SILENT) | quiet  # no activity after t_last, whatever the stale bot does
        self.hi[idx] = np.minimum(np.where(silent, t_last, np.where(has_term, t_term, np.inf)), self.t_end)
        self.reviewer_of[idx] = reviewer

        # Maintainers label some answered PRs when they first look.
        m = responded & human & (rng.random(n) < 0.4)
        lab = rng.choice([_L["bug"], _L["enhancement"], _L["documentation"]], size=int(m.sum()))
        self.labels.add(item=idx[m], label=lab, actor=reviewer[m], at=t_resp[m] + rng.integers(60, 1800, int(m.sum())))

        # More discussion after the first response: others comment, a second reviewer chimes in.
        self._discussion(idx[responded], per(0.1, 0.7, 1.5, 0.9)[responded], per(0.0, 0.8, 0.9, 0.7)[responded])
        m = responded & human & (rng.random(n) < 0.12)
        second = self.reviewers.draw(rng, t_resp, author)
        at = np.floor(_uniform_between(rng, t_resp[m] + HOUR, self.hi[idx[m]]))
        self._review(idx[m], second[m], at, COMMENTED)
        m = responded & human & (rng.random(n) < 0.03)
        at = np.floor(_uniform_between(rng, t_resp[m] + HOUR, self.hi[idx[m]]))
        self._review(idx[m], second[m], at, DISMISSED, comments=False)

    def _not_yet_merger(self, who: Arr, at: Arr) -> Arr:
        """True where ``who`` may not merge yet at ``at`` (external mergers start after a year)."""
        start = np.full(self.n_all, np.inf)
        start[self.mergers.members] = self.mergers.active_from
        return start[who] > at

    def _review(self, item: Arr, actor: Arr, at: Arr, state: int, *, comments: bool = True) -> None:
        """A review, with inline review comments for requests and comment-only reviews."""
        self.events.add(item=item, kind=REVIEW, actor=actor, at=at, state=state)
        if not comments or len(item) == 0:
            return
        k = 1 + self.rng.poisson(1.2, len(item))
        rows = np.repeat(np.arange(len(item)), k)
        gap = 1 + _group_rank(k) * 2 + self.rng.integers(0, 2, len(rows))
        self.events.add(item=item[rows], kind=REVIEW_COMMENT, actor=actor[rows], at=at[rows] + gap)

    def _stale(self, item: Arr, last: Arr, t_term: Arr, closer: Arr, local: Arr) -> None:
        """The stale bot: a warning and a label 60 days after the last activity, a close 7 days later."""
        bot = self.bot0 + STALE
        warn = np.floor(last + 60 * DAY)
        self.events.add(item=item, kind=COMMENT, actor=bot, at=warn)
        self.labels.add(item=item, label=_L["stale"], actor=bot, at=warn + 1)
        t_term[local] = warn + 7 * DAY
        closer[local] = bot

    def _discussion(self, item: Arr, lam_others: Arr, lam_author: Arr) -> None:
        """Comments by others and by the author inside [first response, end of discussion)."""
        rng = self.rng
        lo, hi = self.t_resp[item], self.hi[item]
        room = hi - lo > 2 * MINUTE
        k = np.where(room, rng.poisson(lam_others), 0)
        rows = np.repeat(np.arange(len(item)), k)
        at = np.floor(_uniform_between(rng, lo[rows] + MINUTE, hi[rows] - MINUTE))
        self.events.add(item=item[rows], kind=COMMENT, actor=self._others(item[rows], at), at=at)
        k = np.where(room, rng.poisson(lam_author), 0)
        rows = np.repeat(np.arange(len(item)), k)
        at = np.floor(_uniform_between(rng, lo[rows] + MINUTE, hi[rows] - MINUTE))
        self.events.add(item=item[rows], kind=COMMENT, actor=self.author[item[rows]], at=at)

    def _others(self, item: Arr, at: Arr) -> Arr:
        """Humans other than the author: mostly maintainers, sometimes any external who has arrived."""
        rng = self.rng
        author = self.author[item]
        who = self.reviewers.draw(rng, at, author)
        anyone = rng.random(len(item)) < 0.35
        ext = self.n_core + rng.integers(0, max(self.n_ext, 1), len(item))
        ok = anyone & (self.arrival[ext] <= at) & (ext != author) & (ext != self.deleted)
        return np.where(ok, ext, who)

    # ---------------------------------------------------------------- issues

    def _simulate_issues(self) -> None:
        rng, ev = self.rng, self.events
        idx = np.flatnonzero(self.kind == 1)
        n = len(idx)
        if n == 0:
            return
        author, created = self.author[idx], self.created[idx]
        bot = author >= self.bot0
        internal = author < self.n_core

        # Template labels by the author; the greeting bot on a newcomer's first item.
        lab = np.where(bot, _L["ci-failure"], np.where(rng.random(n) < 0.6, _L["bug"], _L["enhancement"]))
        self.labels.add(item=idx, label=lab, actor=author, at=created + 1)
        greet = self.first_any[idx]
        ev.add(
            item=idx[greet],
            kind=COMMENT,
            actor=self.bot0 + ACTIONS,
            at=created[greet] + rng.uniform(5, 40, int(greet.sum())),
        )

        p_answer = np.where(bot, 0.9, np.where(internal, 0.85, 0.75))
        responded = rng.random(n) < p_answer
        med = np.where(bot, 12 * HOUR, np.where(internal, DAY, 2 * DAY))
        t_resp = np.where(responded, np.floor(created + np.maximum(10 * MINUTE, _lognormal(rng, med, 1.5, n))), np.nan)
        responder = self.reviewers.draw(rng, np.where(responded, t_resp, created), author)
        ev.add(item=idx[responded], kind=COMMENT, actor=responder[responded], at=t_resp[responded])

        # Triage labels when first answered; some become good first issues.
        m = responded & (rng.random(n) < 0.55)
        choice = rng.choice(
            [
                _L["confirmed"],
                _L["question"],
                _L["documentation"],
                _L["help wanted"],
                _L["duplicate"],
                _L["wontfix"],
                _L["triage: <needs-info>"],
            ],
            size=int(m.sum()),
            p=[0.35, 0.2, 0.15, 0.15, 0.07, 0.07, 0.01],
        )
        self.labels.add(item=idx[m], label=choice, actor=responder[m], at=t_resp[m] + 30)
        gfi = responded & ~bot & (rng.random(n) < 0.14)
        self.labels.add(item=idx[gfi], label=_L["good first issue"], actor=responder[gfi], at=t_resp[gfi] + 60)

        # Outcomes: fixed and closed by a maintainer, closed by the author, stale, or still open.
        u = rng.random(n)
        t_term = np.full(n, np.inf)
        closer = np.full(n, -1, dtype=np.int64)
        fixed = responded & (u < np.where(gfi, 0.45, 0.6))
        t_fix = np.floor(t_resp + _lognormal(rng, 10 * DAY, 1.5, n))
        fixer = np.where(
            rng.random(n) < 0.6, responder, self.mergers.draw(rng, np.where(responded, t_fix, created), author)
        )
        t_term[fixed], closer[fixed] = t_fix[fixed], fixer[fixed]
        m = fixed & (rng.random(n) < 0.5)
        at = np.maximum(t_fix[m] - rng.integers(60, 3600, int(m.sum())), t_resp[m] + 1)
        ev.add(item=idx[m], kind=COMMENT, actor=fixer[m], at=at)
        own = ~fixed & (rng.random(n) < 0.18)
        start = np.where(responded, t_resp, created)
        t_own = np.floor(start + _lognormal(rng, 15 * DAY, 1.2, n))
        t_term[own], closer[own] = t_own[own], author[own]
        last = np.where(responded, t_resp, created)
        stale = ~fixed & ~own & ~gfi & (rng.random(n) < 0.4)
        self._stale(idx[stale], last[stale], t_term, closer, np.flatnonzero(stale))
        has_term = np.isfinite(t_term)
        ev.add(item=idx[has_term], kind=CLOSED, actor=closer[has_term], at=t_term[has_term], anchor=True)

        self.t_resp[idx] = t_resp
        self.responder[idx] = np.where(responded, responder, -1)
        self.t_term[idx] = t_term
        self.closer[idx] = closer
        self.hi[idx] = np.minimum(np.where(stale, last, np.where(has_term, t_term, np.inf)), self.t_end)
        self.reviewer_of[idx] = responder
        self._discussion(idx[responded], np.where(bot, 0.3, 1.2)[responded], np.where(bot, 0.0, 0.8)[responded])

    # ---------------------------------------------------------------- cross-cutting

    def _long_threads(self) -> None:
        """A few answered items with more than 100 comments (longer than one page)."""
        rng = self.rng
        ok = np.isfinite(self.t_resp) & (self.hi - self.t_resp > 20 * DAY) & (self.author < self.bot0)
        n_long = max(2, round(self.n_items * 0.0004))
        issues = np.flatnonzero(ok & (self.kind == 1))
        prs = np.flatnonzero(ok & (self.kind == 0))
        pick = np.concatenate(
            [
                rng.choice(prs, size=min(1, len(prs)), replace=False),
                rng.choice(issues, size=min(n_long - 1, len(issues)), replace=False),
            ]
        ).astype(np.int64)
        k = rng.integers(101, 260, len(pick))
        rows = np.repeat(pick, k)
        at = np.floor(_uniform_between(rng, self.t_resp[rows] + MINUTE, self.hi[rows] - MINUTE))
        by_author = rng.random(len(rows)) < 0.15
        actor = np.where(by_author, self.author[rows], self._others(rows, at))
        self.events.add(item=rows, kind=COMMENT, actor=actor, at=at)

    def _commenters(self) -> None:
        """External people whose only activity is commenting on answered items."""
        rng = self.rng
        people = np.arange(self.n_core + self.n_pa + self.n_io, self.n_core + self.n_ext)
        if len(people) == 0:
            return
        answered = np.flatnonzero(np.isfinite(self.t_resp) & (self.hi > self.t_resp + HOUR))
        if len(answered) == 0:
            return
        k = 1 + rng.poisson(1.0, len(people))
        who = np.repeat(people, k)
        # Items opened after the person arrived (items are in created order); the last one otherwise.
        lo = np.searchsorted(self.created[answered], self.arrival[who])
        lo = np.minimum(lo, len(answered) - 1)
        item = answered[lo + (rng.random(len(who)) * (len(answered) - lo)).astype(np.int64)]
        start = np.maximum(self.t_resp[item], self.arrival[who]) + MINUTE
        at = np.floor(_uniform_between(rng, np.minimum(start, self.hi[item] - MINUTE), self.hi[item] - MINUTE))
        self.events.add(item=item, kind=COMMENT, actor=who, at=at)

    def _reopened(self) -> None:
        """Some items were closed (by a maintainer, or the author) and reopened by their author before the end."""
        rng = self.rng
        lo = np.where(np.isfinite(self.t_resp), self.t_resp, self.created) + MINUTE
        hi = np.minimum(self.t_term, self.t_end) - HOUR
        ok = (hi - lo > DAY) & (self.author < self.bot0) & ~self.is_draft
        pick = np.flatnonzero(ok & (rng.random(self.n_items) < 0.03))
        t_close = np.floor(lo[pick] + (hi[pick] - lo[pick]) * rng.uniform(0.1, 0.6, len(pick)))
        t_open = np.floor(t_close + (hi[pick] - t_close) * rng.uniform(0.05, 0.3, len(pick)) + 1)
        closer = np.where(self.responder[pick] >= 0, self.responder[pick], self.author[pick])
        self.events.add(item=pick, kind=CLOSED, actor=closer, at=t_close)
        self.events.add(item=pick, kind=REOPENED, actor=self.author[pick], at=t_open)

    # ---------------------------------------------------------------- assembly

    def _finish_events(self) -> dict[str, Arr]:
        lab = self.labels.build()
        ev = self.events.build()
        ev = {
            "item": np.concatenate([ev["item"], lab["item"]]),
            "kind": np.concatenate([ev["kind"], np.full(len(lab["item"]), LABELED, np.int8)]),
            "actor": np.concatenate([ev["actor"], lab["actor"]]),
            "at": np.concatenate([ev["at"], lab["at"]]),
            "state": np.concatenate([ev["state"], np.full(len(lab["item"]), -1, np.int8)]),
            "anchor": np.concatenate([ev["anchor"], np.zeros(len(lab["item"]), bool)]),
            "label": np.concatenate([np.full(len(ev["item"]), -1, np.int16), lab["label"]]),
        }
        keep = np.isfinite(ev["at"]) & (ev["at"] < self.t_end)
        ev = {k: v[keep] for k, v in ev.items()}
        at = np.floor(ev["at"]).astype(np.int64)
        # The key (item, kind, actor, at) must be unique: move later duplicates on by a second.
        for _ in range(50):
            order = np.lexsort((~ev["anchor"], at, ev["actor"], ev["kind"], ev["item"]))
            same = np.zeros(len(order), dtype=bool)
            if len(order) > 1:
                a, b = order[1:], order[:-1]
                same[1:] = (
                    (ev["item"][a] == ev["item"][b])
                    & (ev["kind"][a] == ev["kind"][b])
                    & (ev["actor"][a] == ev["actor"][b])
                    & (at[a] == at[b])
                )
            dup = order[same]
            if len(dup) == 0:
                break
            at[dup] += 1
        keep = at < int(self.t_end)
        ev = {k: v[keep] for k, v in ev.items()}
        ev["at"] = at[keep]
        order = np.lexsort((ev["kind"], ev["at"], ev["item"]))
        return {k: v[order] for k, v in ev.items()}

    def run(self, *, with_commits: bool) -> None:
        self._make_people()
        self._make_items()
        # One issue-only person deleted their account: their login is gone from items and events.
        io = np.arange(self.n_core + self.n_pa, self.n_core + self.n_pa + self.n_io)
        self.deleted = int(self.rng.choice(io)) if len(io) else -1
        self.reviewer_of = np.full(self.n_items, -1, dtype=np.int64)
        self._simulate_prs()
        self._simulate_issues()
        self._long_threads()
        self._commenters()
        self._reopened()
        ev = self._finish_events()
        self._build_items(ev)
        commits = self._build_commits(ev) if with_commits else None
        self._build_people(ev, commits)
        self._build_repo_files()

    def _times(self, seconds: Arr) -> pd.Series:
        """Float or int seconds (NaN/inf = missing) as a datetime64[ns, UTC] Series."""
        s = np.asarray(seconds, dtype=np.float64)
        ok = np.isfinite(s)
        ns = np.where(ok, s, 0).astype(np.int64) * 10**9
        ns[~ok] = np.iinfo(np.int64).min
        return pd.Series(ns.view("datetime64[ns]")).dt.tz_localize("UTC")

    def _strings(self, values: Arr) -> pd.Series:
        return pd.Series(values, dtype=object).astype("string")

    def _login(self, who: Arr) -> pd.Series:
        logins = np.concatenate([self.logins, [None]])  # index -1 -> missing
        out = logins[np.where(who < 0, len(logins) - 1, who)]
        out[who == self.deleted] = None
        return self._strings(out)

    def _build_items(self, ev: dict[str, Arr]) -> None:
        rng, n = self.rng, self.n_items
        end = self.t_end
        closed = self.t_term < end
        merged = self.merged & closed
        state = np.where(merged, "merged", np.where(closed, "closed", "open"))
        updated = self.created.copy()
        np.maximum.at(updated, ev["item"], ev["at"].astype(np.float64))

        # Labels: exactly the surviving labeled events, in order, each once.
        lab = ev["label"] >= 0
        li, ll = ev["item"][lab], ev["label"][lab]
        first = np.unique(li * 64 + ll, return_index=True)[1]
        first.sort()
        li, ll = li[first], ll[first]
        names = np.array(LABELS, dtype=object)[ll]
        bounds = np.searchsorted(li, np.arange(n + 1))
        labels = [tuple(names[bounds[i] : bounds[i + 1]]) for i in range(n)]
        self.item_labels = labels

        # Titles.
        verb = rng.integers(0, len(_VERBS), n)
        thing = rng.integers(0, len(_THINGS), n)
        area = rng.integers(0, len(_AREAS), n)
        prob = rng.integers(0, len(_PROBLEMS), n)
        pkg = rng.integers(0, len(_PACKAGES), n)
        ver = rng.integers(0, 30, (n, 3))
        titles: list[str] = []
        for i in range(n):
            who = int(self.author[i])
            if who == self.bot0 + DEPENDABOT:
                t = f"Bump {_PACKAGES[pkg[i]]} from {ver[i, 0]}.{ver[i, 1]}.{ver[i, 2]} to {ver[i, 0]}.{ver[i, 1]}.{ver[i, 2] + 1}"
            elif who == self.bot0 + ACTIONS:
                t = f"Nightly build failed ({pd.Timestamp(self.created[i], unit='s'):%Y-%m-%d})"
            elif self.kind[i] == 0:
                t = f"{_VERBS[verb[i]]} {_THINGS[thing[i]]} in {_AREAS[area[i]]}"
            else:
                t = f"{_AREAS[area[i]]}: {_PROBLEMS[prob[i]]} {_THINGS[thing[i]]}"
            titles.append(t)
        human_pr = np.flatnonzero((self.kind == 0) & (self.cls >= FIRST))
        human_issue = np.flatnonzero((self.kind == 1) & (self.author < self.bot0))
        picks = list(rng.choice(human_pr, size=min(3, len(human_pr)), replace=False))
        picks += list(rng.choice(human_issue, size=min(3, len(human_issue)), replace=False))
        picks = picks[0::3] + picks[1::3] + picks[2::3] if len(picks) == 6 else picks
        for text, i in zip(HOSTILE_TITLES + _EXTRA_TITLES, picks, strict=False):
            titles[int(i)] = text

        # author_association as GitHub would report it at as_of (current state, not history).
        has_merge = np.zeros(self.n_all, dtype=bool)
        has_merge[self.author[merged]] = True
        is_pr = self.kind == 0
        a = self.author
        assoc = np.where(has_merge[a], "CONTRIBUTOR", np.where(is_pr, "FIRST_TIME_CONTRIBUTOR", "NONE")).astype(object)
        assoc[np.isin(a, self.mergers_ext)] = "COLLABORATOR"
        assoc[a < self.n_core] = "MEMBER"
        assoc[a == 0] = "OWNER"
        assoc[a == 2] = "CONTRIBUTOR"  # private org membership: GitHub says CONTRIBUTOR
        assoc[a == self.bot0 + ACTIONS] = "NONE"

        ready = np.where(is_pr, self.ready, self.created)
        self.tables["items"] = pd.DataFrame(
            {
                "repo": self._strings(np.full(n, self.repo, dtype=object)),
                "number": pd.array(self.number, dtype="Int64"),
                "kind": self._strings(np.where(is_pr, "pr", "issue").astype(object)),
                "author": self._login(self.author),
                "created_at": self._times(self.created),
                "ready_at": self._times(np.where(ready < end, ready, np.nan)),
                "updated_at": self._times(updated),
                "closed_at": self._times(np.where(closed, self.t_term, np.nan)),
                "merged_at": self._times(np.where(merged, self.t_term, np.nan)),
                "merged_by": self._login(np.where(merged, self.closer, -1)),
                "closed_by": self._login(np.where(closed, self.closer, -1)),
                "state": self._strings(state.astype(object)),
                "is_draft": self.is_draft.copy(),
                "title": self._strings(np.array(titles, dtype=object)),
                "labels": pd.Series(labels, dtype=object),
                "author_association": self._strings(assoc),
            }
        )
        self.titles = titles
        self.state_merged = merged
        self.closed_mask = closed

        kinds = np.array(EVENT_KINDS, dtype=object)
        states = np.array((*REVIEW_STATES, None), dtype=object)
        self.tables["events"] = pd.DataFrame(
            {
                "repo": self._strings(np.full(len(ev["item"]), self.repo, dtype=object)),
                "number": pd.array(self.number[ev["item"]], dtype="Int64"),
                "kind": self._strings(kinds[ev["kind"]]),
                "actor": self._login(ev["actor"]),
                "at": self._times(ev["at"]),
                "review_state": self._strings(states[ev["state"]]),
            }
        )

    def _build_commits(self, ev: dict[str, Arr]) -> dict[str, Arr]:
        """Squash or merge commits of merged PRs, the PRs' own commits for merge commits, direct pushes."""
        rng = self.rng
        pr = np.flatnonzero(self.state_merged)
        n = len(pr)
        squash = rng.random(n) < 0.8
        author, merger, at = self.author[pr], self.closer[pr], self.t_term[pr]

        # Rows: (author, committer, at, is_merge, pr_number, subject, committer is web-flow)
        web = self.bot0 + WEBFLOW
        subj_squash = [f"{self.titles[i]} (#{self.number[i]})" for i in pr]
        subj_merge = [
            f"Merge pull request #{self.number[i]} from {self.logins[self.author[i]]}/patch-{self.number[i]}"
            for i in pr
        ]
        c_author = [np.where(squash, author, merger)]
        c_committer = [np.full(n, web)]
        c_at = [at]
        c_merge = [~squash]
        c_pr = [self.number[pr]]
        c_subject = [np.where(squash, np.array(subj_squash, dtype=object), np.array(subj_merge, dtype=object))]
        c_item = [pr]

        # The PR's own commits land too when merged with a merge commit.
        mc = np.zeros(self.n_items, dtype=bool)
        mc[pr[~squash]] = True
        m = (ev["kind"] == COMMIT) & mc[ev["item"]] & (ev["actor"] == self.author[ev["item"]])
        k = int(m.sum())
        c_author.append(ev["actor"][m])
        c_committer.append(ev["actor"][m])
        c_at.append(ev["at"][m].astype(np.float64))
        c_merge.append(np.zeros(k, dtype=bool))
        c_pr.append(np.full(k, -1))
        c_subject.append(np.array(_COMMIT_SUBJECTS, dtype=object)[rng.integers(0, len(_COMMIT_SUBJECTS), k)])
        c_item.append(ev["item"][m])

        # Direct pushes by the core team.
        k = max(3, round(0.05 * self.n_prs))
        who = rng.choice(self.n_core, size=k, p=self.core_w / self.core_w.sum())
        when = np.floor(_uniform_between(rng, self.arrival[who] + DAY, np.full(k, self.t_end - HOUR)))
        c_author.append(who)
        c_committer.append(who)
        c_at.append(when)
        c_merge.append(np.zeros(k, dtype=bool))
        c_pr.append(np.full(k, -1))
        major, minor = rng.integers(0, 4, k), rng.integers(0, 20, k)
        subj = np.array(_DIRECT_SUBJECTS, dtype=object)[rng.integers(0, len(_DIRECT_SUBJECTS), k)]
        c_subject.append(
            np.array(
                [
                    f"{s} v{a}.{b}.0" if s in ("Release", "Bump version") else s
                    for s, a, b in zip(subj, major, minor, strict=True)
                ],
                dtype=object,
            )
        )
        c_item.append(np.full(k, -1))

        ca, cc = np.concatenate(c_author).astype(np.int64), np.concatenate(c_committer).astype(np.int64)
        cat = np.floor(np.concatenate(c_at))
        cmerge, cpr = np.concatenate(c_merge), np.concatenate(c_pr)
        csubj, citem = np.concatenate(c_subject), np.concatenate(c_item)
        total = len(ca)
        raw = rng.bytes(20 * total).hex()
        sha = np.array([raw[40 * i : 40 * i + 40] for i in range(total)], dtype=object)
        order = np.argsort(cat, kind="stable")
        ca, cc, cat, cmerge, cpr, csubj, citem, sha = (
            ca[order],
            cc[order],
            cat[order],
            cmerge[order],
            cpr[order],
            csubj[order],
            citem[order],
            sha[order],
        )

        # E-mails: a person's second address now and then.
        use2 = rng.random(total) < 0.3
        a_email = np.array(
            [
                self.emails[p][1] if u and len(self.emails[p]) > 1 else self.emails[p][0]
                for p, u in zip(ca, use2, strict=True)
            ],
            dtype=object,
        )
        c_email = np.array(
            [
                self.emails[p][1] if u and len(self.emails[p]) > 1 and p != web else self.emails[p][0]
                for p, u in zip(cc, use2, strict=True)
            ],
            dtype=object,
        )
        c_email = np.where(cc == ca, a_email, c_email)

        self.tables["commits"] = pd.DataFrame(
            {
                "repo": self._strings(np.full(total, self.repo, dtype=object)),
                "sha": self._strings(sha),
                "author": self._strings(self.logins[ca]),
                "committer": self._strings(self.logins[cc]),
                "author_name": self._strings(self.names[ca]),
                "author_email": self._strings(a_email),
                "authored_at": self._times(cat),
                "committer_name": self._strings(self.names[cc]),
                "committer_email": self._strings(c_email),
                "committed_at": self._times(cat),
                "is_merge": cmerge.astype(bool),
                "pr_number": pd.Series(cpr, dtype="Int64").mask(cpr < 0),
                "pr_ref": pd.Series(np.char.add("#", cpr.astype(str)), dtype="string").mask(cpr < 0),
                "subject": self._strings(csubj),
            }
        )

        # Credits: author and committer of every commit; co-authors and sign-offs from trailers.
        r_sha, r_person, r_role, r_email, r_at = (
            [sha, sha],
            [ca, cc],
            ["author", "committer"],
            [a_email, c_email],
            [cat, cat],
        )
        squash_pr = ~cmerge & (cpr >= 0) & (ca < self.bot0)
        co = squash_pr & (rng.random(total) < 0.08)
        rows = np.flatnonzero(co)
        rows = np.repeat(rows, 1 + (rng.random(len(rows)) < 0.3))
        reviewer = self.reviewer_of[np.maximum(citem[rows], 0)]
        pool_ext = self.n_core + rng.integers(0, max(self.n_pa, 1), len(rows))
        mate = np.where((rng.random(len(rows)) < 0.5) & (reviewer >= 0), reviewer, pool_ext)
        mate = np.where(
            mate == ca[rows], np.where(ca[rows] == self.founders[0], self.founders[1], self.founders[0]), mate
        )
        pair = np.unique(np.stack([rows, mate]), axis=1) if len(rows) else np.zeros((2, 0), dtype=np.int64)
        rows, mate = pair[0], pair[1]
        r_sha.append(sha[rows])
        r_person.append(mate)
        r_role.append("co-author")
        r_email.append(np.array([self.emails[p][0] for p in mate], dtype=object))
        r_at.append(cat[rows])
        so = (ca < self.bot0) & (rng.random(total) < 0.15)
        r_sha.append(sha[so])
        r_person.append(ca[so])
        r_role.append("signed-off-by")
        r_email.append(a_email[so])
        r_at.append(cat[so])
        person = np.concatenate(r_person).astype(np.int64)
        roles = np.concatenate([np.full(len(p), r, dtype=object) for p, r in zip(r_person, r_role, strict=True)])
        self.tables["credits"] = pd.DataFrame(
            {
                "repo": self._strings(np.full(len(person), self.repo, dtype=object)),
                "sha": self._strings(np.concatenate(r_sha)),
                "person": self._strings(self.logins[person]),
                "role": self._strings(roles),
                "name": self._strings(self.names[person]),
                "email": self._strings(np.concatenate(r_email)),
                "at": self._times(np.concatenate(r_at)),
            }
        )
        return {"person": np.concatenate([ca, cc, person]), "at": np.concatenate([cat, cat, np.concatenate(r_at)])}

    def _build_people(self, ev: dict[str, Arr], commits: dict[str, Arr] | None) -> None:
        who = [self.author, ev["actor"]]
        at = [self.created, ev["at"].astype(np.float64)]
        if commits is not None:
            who.append(commits["person"])
            at.append(commits["at"])
        w, t = np.concatenate(who), np.concatenate(at)
        ok = w >= 0
        first_seen = np.full(self.n_all, np.inf)
        np.minimum.at(first_seen, w[ok], t[ok])
        keep = np.flatnonzero(np.isfinite(first_seen) & (np.arange(self.n_all) != self.deleted))
        n_h = self.bot0
        is_bot = keep >= n_h
        reason = np.array([None] * n_h + [b[3] for b in _BOTS], dtype=object)
        internal = keep < self.n_core
        self.tables["people"] = pd.DataFrame(
            {
                "person": self._strings(self.logins[keep]),
                "logins": pd.Series([(self.logins[p],) for p in keep], dtype=object),
                "names": pd.Series([(self.names[p],) for p in keep], dtype=object),
                "emails": pd.Series([self.emails[p] for p in keep], dtype=object),
                "is_bot": is_bot,
                "bot_reason": self._strings(reason[keep]),
                "organization": self._strings(self.org[keep]),
                "is_internal": internal,
                "internal_rule": self._strings(
                    np.where(internal, "synthetic: core team", "default: external").astype(object)
                ),
                "first_seen_at": self._times(first_seen[keep]),
            }
        )

    def _build_repo_files(self) -> None:
        core = [str(x) for x in self.logins[: self.n_core]]
        ext = [str(x) for x in self.logins[self.mergers_ext]]
        org = self.repo.split("/")[0]
        codeowners = "\n".join(
            [
                "# Each line is a file pattern followed by one or more owners.",
                f"/src/ @{org}/maintainers @{core[0]}",
                f"/docs/ @{core[1]} @{core[-1]}",
                f"/tests/ @{core[min(2, len(core) - 1)]}" + (f" @{ext[0]}" if ext else ""),
                f"/.github/ @{core[0]} @{core[1]}",
                "",
            ]
        )
        sigs = (("sig-core", core[:3]), ("sig-docs", core[1:2] + ext[:1]), ("sig-release", core[-2:]))
        governance = "\n".join(
            [
                "# Governance",
                "",
                "## Technical Oversight Committee",
                "",
                "The Technical Oversight Committee (TOC) sets technical direction and resolves disputes.",
                "Members: " + ", ".join(f"@{c}" for c in core[:5]) + ".",
                "",
                "## Special Interest Groups (SIGs)",
                "",
                *[f"- **{name}**: " + ", ".join(f"@{m}" for m in members) for name, members in sigs],
                "",
                "Maintainers are nominated by an existing maintainer and approved by the TOC.",
                "",
            ]
        )
        docs = [
            ("contributing", "CONTRIBUTING.md", 4211, None),
            ("license", "LICENSE", 11357, None),
            ("code_of_conduct", "CODE_OF_CONDUCT.md", 5220, None),
            ("security", "SECURITY.md", 1043, None),
            ("pr_template", ".github/PULL_REQUEST_TEMPLATE.md", 612, None),
            ("issue_template", ".github/ISSUE_TEMPLATE/bug.md", 498, None),
            ("codeowners", ".github/CODEOWNERS", len(codeowners.encode()), codeowners),
            ("governance", "GOVERNANCE.md", len(governance.encode()), governance),
            ("ci", ".github/workflows/ci.yml", 1874, None),
            ("readme", "README.md", 6120, None),
        ]
        tree = [
            "src",
            "docs",
            "tests",
            ".github",
            "benchmarks",
            "examples",
            "README.md",
            "LICENSE",
            "CONTRIBUTING.md",
            "CODE_OF_CONDUCT.md",
            "SECURITY.md",
            "GOVERNANCE.md",
            "pyproject.toml",
        ]
        rows: list[dict[str, Any]] = [
            {"repo": self.repo, "kind": k, "path": p, "size": s, "content": c} for k, p, s, c in docs
        ]
        rows += [{"repo": self.repo, "kind": "tree", "path": p} for p in tree]
        used = sorted({label for labels in self.item_labels for label in labels})
        rows += [{"repo": self.repo, "kind": "label", "path": label} for label in used]
        gfi = [
            self.number[i]
            for i, labels in enumerate(self.item_labels)
            if "good first issue" in labels and self.kind[i] == 1 and not self.closed_mask[i]
        ]
        rows += [{"repo": self.repo, "kind": "good_first_issue", "path": str(num)} for num in gfi]
        self.tables["repo_files"] = rows
