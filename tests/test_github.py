"""The GitHub source against the test double: completeness, request budgets, faults, kills, token safety."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import contribfunnel as cf
from contribfunnel.errors import DataError, UsageError
from contribfunnel.sources.github import (
    _ISSUE_CONNS,
    _PR_CONNS,
    _THREAD_COMMENTS,
    ISSUE_QUERY,
    PR_QUERY,
    Retry,
    _Target,
    fetch_github,
    follow_up_query,
    read_store,
)
from contribfunnel.store import Store
from contribfunnel.testing import GitHubDouble

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "github"
TOKEN = "ghp_SENTINELtoken0123456789abcdefSENTINEL"
SLUG = "example/project"


def no_wait() -> Retry:
    return Retry(attempts=6, sleep=lambda s: None, notify=lambda m: None)


@pytest.fixture(scope="module")
def source() -> cf.Activity:
    return cf.make_activity(seed=11, n_prs=230, n_issues=120)


def fetch(gh: GitHubDouble, store: Path, **kw: Any) -> cf.Activity:
    return fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=store, quiet=True, retry=no_wait(), **kw)


def test_queries_validate_against_githubs_full_schema() -> None:
    if not (SHARED / "schema.graphql").is_file():
        pytest.skip("../shared/github/schema.graphql is absent (it sits beside the project; CI has it)")
    import graphql

    # GitHub's SDL defines a few fields twice and deprecates some interface fields only in implementations:
    # graphql-core would reject the schema itself, so trust it and validate our queries against it in full.
    schema = graphql.build_schema((SHARED / "schema.graphql").read_text(encoding="utf-8"),
                                  assume_valid_sdl=True, assume_valid=True)
    # Follow-ups: every nested connection of pull requests and issues, and a review thread's comments, in one query.
    targets = [_Target("pr", 7, c, {}) for c in _PR_CONNS] + [_Target("issue", 8, c, {}) for c in _ISSUE_CONNS]
    follow_ups = [follow_up_query(targets)[0], follow_up_query([_Target("thread", "PRRT_x", _THREAD_COMMENTS, {})])[0]]
    for query in (PR_QUERY, ISSUE_QUERY, *follow_ups):
        assert graphql.validate(schema, graphql.parse(query)) == []


def test_full_fetch_is_complete_and_within_budget(source: cf.Activity, tmp_path: Path) -> None:
    with GitHubDouble(source, token=TOKEN) as gh:
        got = fetch(gh, tmp_path / "s.sqlite")
        requests = len(gh.requests)
        assert not gh.errors
    items = len(source.items)
    assert requests <= items / 50 + 15
    key = ["number", "kind", "state"]
    assert got.items[key].sort_values(key).reset_index(drop=True).equals(
        source.items[key].astype(got.items[key].dtypes.to_dict()).sort_values(key).reset_index(drop=True))
    merged = source.items[source.items.merged_by.notna()].set_index("number").merged_by
    assert (got.items.set_index("number").merged_by.loc[merged.index] == merged).all()
    # Drafts: still-draft PRs have no ready_at; PRs that left draft are ready when they left it.
    src = source.items.set_index("number")
    mine = got.items.set_index("number")
    assert mine.ready_at.isna().sum() == src.ready_at.isna().sum()
    assert (mine.ready_at.dropna() == src.ready_at.loc[mine.ready_at.dropna().index]).all()
    # Bots are bots because GitHub says so.
    assert got.people.set_index("person").at["dependabot[bot]", "bot_reason"] == "github-type"
    assert {"contributing", "codeowners", "license"} <= set(got.repo_files.kind)
    gfi = source.items[(source.items.kind == "issue") & (source.items.state == "open")
                       & source.items.labels.map(lambda ls: "good first issue" in ls)]
    assert set(got.repo_files.loc[got.repo_files.kind == "good_first_issue", "path"].astype(int)) >= set(gfi.number)
    assert cf.stage10(got).criteria[0].checks[1].verdict in ("pass", "fail")


def test_incremental_refresh(source: cf.Activity, tmp_path: Path) -> None:
    with GitHubDouble(source, token=TOKEN) as gh:
        fetch(gh, tmp_path / "s.sqlite")
        changed = list(source.items.number.sample(60, random_state=1))
        now = datetime(2026, 10, 1, tzinfo=UTC)
        for n in changed[:30]:
            gh.model.touch(int(n), at=now)
        for n in changed[30:]:
            gh.model.add_comment(int(n), author="newcomer-zed", at=now)
        before = len(gh.requests)
        got = fetch(gh, tmp_path / "s.sqlite")
        spent = len(gh.requests) - before
    assert spent <= len(changed) / 50 + 5
    zed = got.events[got.events.actor == "newcomer-zed"]
    assert set(zed.number) == {int(n) for n in changed[30:]}


@pytest.mark.parametrize("kind", ["server_error", "secondary_rate_limit", "drop_connection", "truncated_body",
                                  "graphql_error", "graphql_timeout", "primary_rate_limit"])
def test_faults_never_change_the_result(kind: str, source: cf.Activity, tmp_path: Path) -> None:
    with GitHubDouble(source, token=TOKEN) as gh:
        fetch(gh, tmp_path / "clean.sqlite")
    clean = Store(tmp_path / "clean.sqlite").dump()
    clock = [time.time()]  # the double's reset times follow this clock, and our waits advance it
    with GitHubDouble(source, token=TOKEN, clock=lambda: clock[0]) as gh:
        options = {"retry_after": 1} if kind == "secondary_rate_limit" else {}
        gh.inject(kind, times=2, **options)
        waits: list[float] = []
        fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=tmp_path / "faulty.sqlite", quiet=True,
                     retry=Retry(sleep=lambda s: (waits.append(s), clock.__setitem__(0, clock[0] + s))[0],
                                 notify=lambda m: None))
        assert waits  # the fault was met and waited out
        assert not gh.errors
    assert Store(tmp_path / "faulty.sqlite").dump() == clean


def test_persistent_faults_stop_with_a_clear_error(source: cf.Activity, tmp_path: Path) -> None:
    with GitHubDouble(source, token=TOKEN) as gh:
        gh.inject("server_error", times=1000)
        with pytest.raises(DataError, match="kept failing"):
            fetch(gh, tmp_path / "s.sqlite")


def test_bad_input(source: cf.Activity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    with GitHubDouble(source, token=TOKEN) as gh:
        with pytest.raises(UsageError, match="unknown repository"):
            fetch_github("example/nope", token=TOKEN, base_url=gh.base_url, store=tmp_path / "a", retry=no_wait())
        with pytest.raises(UsageError, match="refused the token"):
            fetch_github(SLUG, token="wrong", base_url=gh.base_url, store=tmp_path / "b", retry=no_wait())
    with pytest.raises(UsageError, match="not a valid OWNER/REPO"):
        fetch_github("not a slug", token=TOKEN)
    with pytest.raises(DataError, match=r"cannot reach GitHub|kept failing"):
        fetch_github(SLUG, token=TOKEN, base_url="http://127.0.0.1:9", store=tmp_path / "d",
                     retry=Retry(attempts=2, sleep=lambda s: None, notify=lambda m: None))


_CHILD = """
import sys, time
from contribfunnel.sources.github import fetch_github, Retry
print("fetching", flush=True)
t = time.perf_counter()
fetch_github("example/project", base_url=sys.argv[1], store=sys.argv[2], quiet=True, page_size=10,
             retry=Retry(sleep=lambda s: None, notify=lambda m: None))
print(time.perf_counter() - t, flush=True)
"""


@pytest.mark.slow
def test_killed_at_any_moment_and_restarted_ends_with_the_same_data(source: cf.Activity, tmp_path: Path) -> None:
    env = {**os.environ, "GITHUB_TOKEN": TOKEN, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    rng = random.Random(20)
    with GitHubDouble(source, token=TOKEN, latency=0.01) as gh:
        clean_run = subprocess.run([sys.executable, "-c", _CHILD, gh.base_url, str(tmp_path / "clean.sqlite")],
                                   env=env, check=True, timeout=300, capture_output=True, text=True)
        fetch_seconds = float(clean_run.stdout.split()[-1])
        clean = Store(tmp_path / "clean.sqlite").dump()
        kills = 0
        for trial in range(20):
            store = tmp_path / f"killed{trial}.sqlite"
            child = subprocess.Popen([sys.executable, "-c", _CHILD, gh.base_url, str(store)], env=env,
                                     stdout=subprocess.PIPE, text=True)
            assert child.stdout is not None
            child.stdout.readline()  # "fetching": imports are done, requests begin
            time.sleep(rng.uniform(0, 0.9 * fetch_seconds))  # a random moment within a fetch's length
            if child.poll() is None:
                child.kill()  # SIGKILL: no cleanup, no flush
                kills += 1
            child.wait()
            child.stdout.close()
            subprocess.run([sys.executable, "-c", _CHILD, gh.base_url, str(store)], env=env, check=True, timeout=300,
                           capture_output=True)
            assert Store(store).dump() == clean, f"trial {trial}"
    assert kills >= 15  # the trials really were killed mid-fetch


def test_read_store_since_and_cli(source: cf.Activity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    store = tmp_path / "s.sqlite"
    with GitHubDouble(source, token=TOKEN) as gh:
        from contribfunnel.cli import main

        assert main(["fetch", SLUG, "--store", str(store), "--base-url", gh.base_url, "--quiet"]) == 0
        assert main(["check", SLUG, "--store", str(store), "--base-url", gh.base_url, "--quiet"]) in (0, 1)
        out = capsys.readouterr()
        assert "Stage 10" in out.out
    part = read_store(store, since="2026-01-01")
    assert (part.items.created_at >= "2026-01-01").all()
    assert not part.meta.history_complete


def test_git_and_github_combine_for_one_repository(source: cf.Activity, shaped_repo: Any, tmp_path: Path) -> None:
    with GitHubDouble(source, token=TOKEN) as gh:
        gh_act = fetch(gh, tmp_path / "s.sqlite")
    git_act = cf.load_git(shaped_repo.path, repo=SLUG)
    both = cf.combine(git_act, gh_act)
    assert set(both.meta.sources) == {"git", "github"}
    assert len(both.commits) == len(git_act.commits) and len(both.items) == len(gh_act.items)
    # bo-gh commits under a noreply address: one person with the GitHub login, across both sources.
    assert (both.people.person == "bo-gh").sum() == 1
    kinds = set(cf.contributions(both).kind)
    assert {"commit", "merged_pr", "review"} <= kinds
    assert both.meta.as_of == min(git_act.meta.as_of, gh_act.meta.as_of)
    assert cf.stage10(both).criteria[3].value >= cf.stage10(gh_act).criteria[3].value
