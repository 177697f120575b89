"""Without a token: GitHub's GraphQL refuses anonymous callers, so the same data comes through REST, with a warning."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import contribfunnel as cf
from contribfunnel.errors import UsageError
from contribfunnel.sources.github import Retry, fetch_github
from contribfunnel.testing import GitHubDouble, RepoModel

TOKEN = "ghp_anonymous0123456789"
SLUG = "example/project"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "github"


@pytest.fixture(autouse=True)
def no_token_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)


def events(act: cf.Activity) -> Counter[tuple[Any, ...]]:
    e = act.events.copy()
    e["at"] = pd.to_datetime(e["at"], utc=True)
    cols = ["number", "kind", "actor", "at", "review_state"]
    return Counter(tuple(None if pd.isna(v) else v for v in row) for row in e[cols].itertuples(index=False))


def test_graphql_refuses_anonymous_callers_as_github_does() -> None:
    # GitHub's own record: an anonymous /rate_limit gives GraphQL a limit of 0 (and POST /graphql answers 401).
    path = SHARED / "recorded" / "rest_rate_limit_2018.json"
    if not path.is_file():
        pytest.skip("../shared/github/recorded is absent (it sits beside the project; CI has it)")
    recorded = json.loads(path.read_text(encoding="utf-8"))["response"]["body"]["resources"]
    with GitHubDouble(cf.make_activity(seed=2, n_prs=5, n_issues=2)) as gh:
        with urllib.request.urlopen(gh.base_url + "/rate_limit", timeout=10) as r:
            ours = json.load(r)["resources"]
        req = urllib.request.Request(gh.graphql_url, data=b'{"query": "{ viewer { login } }"}', method="POST")
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=10)
    assert (recorded["graphql"]["limit"], recorded["core"]["limit"]) == (0, 60)
    assert (ours["graphql"]["limit"], ours["core"]["limit"]) == (0, 60)
    assert e.value.code == 401


def test_a_small_repository_fetches_anonymously_with_the_same_data(tmp_path: Path) -> None:
    model = RepoModel.from_activity(cf.make_activity(seed=2, n_prs=22, n_issues=12))
    messages: list[str] = []
    with GitHubDouble(model, token=TOKEN) as gh:
        with_token = fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=tmp_path / "t.sqlite", quiet=True,
                                  retry=Retry(sleep=lambda s: None, notify=lambda m: None))
        before = len(gh.requests)
        anonymous = fetch_github(SLUG, base_url=gh.base_url, store=tmp_path / "a.sqlite", quiet=True,
                                 retry=Retry(sleep=lambda s: None, notify=messages.append))
        spent = gh.requests[before:]
        assert not gh.errors
    assert not [r for r in spent if "graphql" in r.path]
    charged = [r for r in spent if r.resource == "core" and r.status != 304]
    assert len(charged) <= 60  # within one hour's anonymous budget
    assert any("anonymously" in m and "60 requests an hour" in m and "GITHUB_TOKEN" in m for m in messages)
    key = ["number", "kind", "state", "author", "created_at", "closed_at", "merged_at", "merged_by", "ready_at"]
    a = anonymous.items[key].sort_values("number").reset_index(drop=True)
    t = with_token.items[key].sort_values("number").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, t)
    # Everything but commits is the same. REST timelines give a commit only its git author (name and e-mail), so a
    # commit is tied to its GitHub account only through a noreply address: the rest keep their time, not their actor.
    commits = [k for k in events(with_token) if k[1] == "commit"]
    assert commits
    assert {k: v for k, v in events(anonymous).items() if k[1] != "commit"} == \
        {k: v for k, v in events(with_token).items() if k[1] != "commit"}
    anon_commits = [k for k in events(anonymous).elements() if k[1] == "commit"]
    assert sorted((k[0], k[3]) for k in anon_commits) == sorted((k[0], k[3]) for k in events(with_token).elements()
                                                                if k[1] == "commit")
    assert all(k[2] is None or k in events(with_token) for k in anon_commits)
    assert set(anonymous.repo_files.kind) == set(with_token.repo_files.kind)
    assert any("anonymously" in n for n in anonymous.meta.notes)


def test_anonymous_waits_for_the_hourly_reset_and_says_when(tmp_path: Path) -> None:
    clock = [time.time()]
    waits: list[float] = []
    messages: list[str] = []

    def sleep(s: float) -> None:
        waits.append(s)
        clock[0] += s

    model = RepoModel.from_activity(cf.make_activity(seed=2, n_prs=50, n_issues=30))
    with GitHubDouble(model, clock=lambda: clock[0]) as gh:
        got = fetch_github(SLUG, base_url=gh.base_url, store=tmp_path / "a.sqlite", quiet=True,
                           retry=Retry(sleep=sleep, clock=lambda: clock[0], notify=messages.append))
        refused = [r for r in gh.requests if r.status == 403]
    assert len(got.items) == 80
    assert refused == []  # the budget was watched: the wait came before GitHub refused anything
    assert waits and all(w > 3000 for w in waits)
    assert any("waiting until" in m and "UTC" in m for m in messages)


def test_unknown_repository_anonymously_is_one_clear_error(tmp_path: Path) -> None:
    with GitHubDouble(cf.make_activity(seed=2, n_prs=5, n_issues=2)) as gh, \
            pytest.raises(UsageError, match="unknown repository: example/nope"):
        fetch_github("example/nope", base_url=gh.base_url, store=tmp_path / "a.sqlite", quiet=True,
                     retry=Retry(sleep=lambda s: None, notify=lambda m: None))
