"""What an independent review of the GitHub source found, each pinned: anonymous paging while items change, stores
holding several repositories, deleted files, bounded waits, permanent errors and malformed tokens."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import contribfunnel as cf
from contribfunnel.errors import DataError, UsageError
from contribfunnel.sources.github import Retry, _Client, _fetch_stream, fetch_github
from contribfunnel.store import Store
from contribfunnel.testing import GitHubDouble, RepoModel

TOKEN = "ghp_robust0123456789abcdef"


def quiet_retry(**kw: Any) -> Retry:
    return Retry(sleep=lambda s: None, notify=lambda m: None, **kw)


@pytest.fixture(autouse=True)
def _no_env_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)


def test_anonymous_paging_loses_nothing_when_an_item_is_updated_meanwhile(tmp_path: Path) -> None:
    model = RepoModel.from_activity(cf.make_activity(seed=2, n_prs=120, n_issues=40))
    with GitHubDouble(model) as gh:
        gh.limits.bucket("anonymous", "core").limit = 100_000  # room for one request per item
        served = gh.rest.get
        touched: list[int] = []

        def get(path: str, query: Any, urls: Any) -> Any:
            answer = served(path, query, urls)
            if path.endswith("/issues") and not touched:  # right after the first page is served
                oldest = min(model.items.values(), key=lambda i: (i.updated_at, i.number))
                model.touch(oldest.number, at=datetime(2030, 1, 1, tzinfo=UTC))
                touched.append(oldest.number)
            return answer

        gh.rest.get = get  # type: ignore[method-assign]
        act = fetch_github("example/project", base_url=gh.base_url, store=tmp_path / "a.sqlite", quiet=True,
                           retry=quiet_retry())
    assert touched
    assert set(act.items.number) == set(model.items)  # an item shifted across a page boundary is not skipped


def test_one_store_holds_several_repositories_apart(tmp_path: Path) -> None:
    store = tmp_path / "two.sqlite"
    acts = {slug: cf.make_activity(seed=seed, n_prs=20, n_issues=5, repo=slug)
            for seed, slug in ((3, "orga/alpha"), (4, "orgb/beta"))}

    def fetch(slug: str, path: Path) -> cf.Activity:
        with GitHubDouble(RepoModel.from_activity(acts[slug]), token=TOKEN) as gh:
            return fetch_github(slug, token=TOKEN, base_url=gh.base_url, store=path, quiet=True, retry=quiet_retry())

    fetch("orga/alpha", store)
    together = fetch("orgb/beta", store)
    alone = fetch("orgb/beta", tmp_path / "alone.sqlite")
    assert sorted(together.repo_files.path) == sorted(alone.repo_files.path)
    assert sorted(together.people[together.people.is_internal].person) == sorted(
        alone.people[alone.people.is_internal].person)
    assert cf.read_store(store, repo="orga/alpha").meta.repos == ("orga/alpha",)


def test_files_and_labels_deleted_upstream_leave_the_store(tmp_path: Path) -> None:
    now = [datetime(2026, 11, 1, tzinfo=UTC).timestamp()]
    retry = quiet_retry(clock=lambda: now[0])
    model = RepoModel.from_activity(cf.make_activity(seed=3, n_prs=20, n_issues=5))
    with GitHubDouble(model, token=TOKEN) as gh:
        def fetch() -> cf.Activity:
            return fetch_github("example/project", token=TOKEN, base_url=gh.base_url, store=tmp_path / "s.sqlite",
                                quiet=True, retry=retry)

        before = fetch()
        gone = [p for p in model.files if p.upper().endswith(("CODEOWNERS", "GOVERNANCE.MD"))]
        label = sorted(model.labels)[0]
        assert gone
        for p in gone:
            del model.files[p]
        del model.labels[label]
        now[0] += 2 * 86400  # past the daily refresh of files and labels
        after = fetch()
    assert set(gone) <= set(before.repo_files.path)
    assert not set(gone) & set(after.repo_files.path)
    labels = after.repo_files[after.repo_files.kind == "label"].path
    assert label not in set(labels) and len(labels) == len(model.labels)


class _StuckClient:
    """Says there is a next page but never moves its cursor."""

    def __init__(self) -> None:
        self.costs: dict[str, int] = {}

    def graphql(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return {"repository": {"pullRequests": {"nodes": [], "totalCount": 5,
                                                "pageInfo": {"hasNextPage": True, "endCursor": "same"}}}}


def test_paging_that_does_not_advance_stops_with_one_line(tmp_path: Path) -> None:
    db = Store(tmp_path / "s.sqlite")
    db.save_page("o/r", "pr", [], stream="pr", cursor="same")
    with pytest.raises(DataError, match="did not advance"):
        _fetch_stream(_StuckClient(), db, "o/r", "pr", 100, True)  # type: ignore[arg-type]


def test_rate_limit_waits_are_bounded(tmp_path: Path) -> None:
    slept: list[float] = []
    clock = [datetime(2026, 11, 1, tzinfo=UTC).timestamp()]

    def sleep(s: float) -> None:
        slept.append(s)
        clock[0] += s

    retry = Retry(sleep=sleep, notify=lambda m: None, clock=lambda: clock[0], max_wait=600, max_total_wait=1800)
    model = RepoModel.from_activity(cf.make_activity(seed=2, n_prs=10, n_issues=3))
    with GitHubDouble(model, token=TOKEN, clock=lambda: clock[0]) as gh:
        gh.inject("primary_rate_limit", reset_in=10**7, times=50)  # a reset months away: a skewed clock, say
        with pytest.raises(DataError, match=r"waiting for more than 0\.5 h"):
            fetch_github("example/project", token=TOKEN, base_url=gh.base_url, store=tmp_path / "s.sqlite",
                         quiet=True, retry=retry)
    assert slept and max(slept) <= 600 and sum(slept) <= 1800


def test_permanent_graphql_errors_are_not_retried() -> None:
    c = _Client(TOKEN, "http://127.0.0.1:9", quiet_retry())
    forbidden = {"data": {"repository": None}, "errors": [
        {"type": "FORBIDDEN", "path": ["repository"], "message": "Resource protected by organization SAML enforcement."}]}
    with pytest.raises(UsageError, match="SAML"):
        c._check(forbidden, {"owner": "o", "name": "r"}, False)
    too_big = {"data": None, "errors": [{"type": "MAX_NODE_LIMIT_EXCEEDED", "message": "too many nodes"}]}
    with pytest.raises(DataError, match="MAX_NODE_LIMIT_EXCEEDED"):
        c._check(too_big, {"owner": "o", "name": "r"}, False)


@pytest.mark.parametrize("bad", ["ghp_abc\r\n def", "ghp_ábc", "   "])
def test_a_malformed_token_is_a_usage_error_before_any_request(bad: str, tmp_path: Path) -> None:
    with GitHubDouble(cf.make_activity(seed=2, n_prs=3, n_issues=1)) as gh:
        with pytest.raises(UsageError, match="malformed") as err:
            fetch_github("example/project", token=bad, base_url=gh.base_url, store=tmp_path / "s.sqlite", quiet=True,
                         retry=quiet_retry())
        assert not gh.requests
    assert bad.strip() not in str(err.value) or not bad.strip()


def test_credentials_in_the_url_are_refused_and_never_shown(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="carries credentials") as err:
        fetch_github("example/project", base_url="https://user:ghp_secret@ghe.example.com/api/v3",
                     store=tmp_path / "s.sqlite", quiet=True, retry=quiet_retry())
    assert "ghp_secret" not in str(err.value)


def test_the_anonymous_caveat_goes_once_a_resumed_token_pass_completes(tmp_path: Path) -> None:
    model = RepoModel.from_activity(cf.make_activity(seed=2, n_prs=30, n_issues=10))
    store = tmp_path / "s.sqlite"
    with GitHubDouble(model, token=TOKEN) as gh:
        gh.limits.bucket("anonymous", "core").limit = 100_000
        anon = fetch_github("example/project", base_url=gh.base_url, store=store, quiet=True, retry=quiet_retry())
        assert any("anonymously" in n for n in anon.meta.notes)
        gh.inject("server_error", times=100, path="/graphql")  # the token pass breaks off ...
        with pytest.raises(DataError):
            fetch_github("example/project", token=TOKEN, base_url=gh.base_url, store=store, quiet=True,
                         retry=quiet_retry(attempts=2), page_size=10)
        gh.faults.clear()
        done = fetch_github("example/project", token=TOKEN, base_url=gh.base_url, store=store, quiet=True,
                            retry=quiet_retry(), page_size=10)  # ... and is resumed to its end
    assert not any("anonymously" in n for n in done.meta.notes)
