"""Rate limits and timeouts: waited out (never fatal, never using up the 5xx attempts), with an injected clock."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

import contribfunnel as cf
from contribfunnel.errors import DataError
from contribfunnel.sources.github import Retry, fetch_github
from contribfunnel.store import Store
from contribfunnel.testing import GitHubDouble

TOKEN = "ghp_limits0123456789"
SLUG = "example/project"


class Clock:
    """A clock shared by the double and the source; sleeping advances it instead of waiting."""

    def __init__(self) -> None:
        self.now = time.time()
        self.waits: list[float] = []
        self.messages: list[str] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def retry(self, **kw: Any) -> Retry:
        return Retry(sleep=self.sleep, clock=self, notify=self.messages.append, **kw)


@pytest.fixture(scope="module")
def source() -> cf.Activity:
    return cf.make_activity(seed=11, n_prs=230, n_issues=120)


@pytest.fixture(scope="module")
def clean(source: cf.Activity, tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    store = tmp_path_factory.mktemp("clean") / "s.sqlite"
    with GitHubDouble(source, token=TOKEN) as gh:
        fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=store, quiet=True,
                     retry=Retry(sleep=lambda s: None, notify=lambda m: None))
    return Store(store).dump()


def fetch(gh: GitHubDouble, store: Path, clock: Clock, **kw: Any) -> None:
    fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=store, quiet=True, retry=clock.retry(**kw))


def test_a_spent_graphql_budget_is_waited_out_and_the_fetch_resumes(source: cf.Activity, clean: list[Any],
                                                                     tmp_path: Path) -> None:
    clock = Clock()
    with GitHubDouble(source, token=TOKEN, clock=clock) as gh:
        bucket = gh.rate_limit("graphql")
        bucket.used = bucket.limit  # spent elsewhere: GitHub answers 200 with errors of type RATE_LIMITED
        reset = bucket.reset
        fetch(gh, tmp_path / "s.sqlite", clock)
        limited = [r for r in gh.requests if r.error == "RATE_LIMITED"]
        assert not gh.errors
    assert len(limited) == 1 and limited[0].status == 200
    assert Store(tmp_path / "s.sqlite").dump() == clean
    assert clock.waits[0] == pytest.approx(reset - (clock.now - sum(clock.waits)) + 1, abs=2)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(reset))
    assert any("rate limit is spent" in m and stamp in m for m in clock.messages), clock.messages  # says when


def test_b_budgets_are_read_and_waited_for_before_they_are_spent(source: cf.Activity, clean: list[Any],
                                                                 tmp_path: Path) -> None:
    clock = Clock()
    # 40 GraphQL points (a page of 100 pull requests costs 17) and 5 REST requests an hour.
    with GitHubDouble(source, token=TOKEN, clock=clock, graphql_limit=40, core_limit=5) as gh:
        fetch(gh, tmp_path / "s.sqlite", clock)
        refused = [r for r in gh.requests if r.error == "RATE_LIMITED" or r.status in (403, 429)]
        assert not gh.errors
    assert refused == []  # never ran into a limit: waited before
    assert Store(tmp_path / "s.sqlite").dump() == clean
    nearly = [m for m in clock.messages if "nearly spent" in m]
    assert any("GraphQL points left" in m for m in nearly) and any("requests left" in m for m in nearly)
    assert all(w > 3000 for w in clock.waits)  # each a wait for the hourly reset, nothing else


def test_c_secondary_limit_without_retry_after_backs_off_from_a_minute(source: cf.Activity, clean: list[Any],
                                                                       tmp_path: Path) -> None:
    clock = Clock()
    with GitHubDouble(source, token=TOKEN, clock=clock) as gh:
        gh.inject("secondary_rate_limit", times=3, retry_after=None)
        fetch(gh, tmp_path / "s.sqlite", clock)
        assert not gh.errors
    assert clock.waits == [60, 120, 240]  # at least a minute, doubling, as GitHub's docs ask
    assert Store(tmp_path / "s.sqlite").dump() == clean


def test_d_graphql_timeouts_as_502_shrink_the_page_which_grows_back(source: cf.Activity, clean: list[Any],
                                                                   tmp_path: Path) -> None:
    clock = Clock()
    with GitHubDouble(source, token=TOKEN, clock=clock) as gh:
        gh.inject("graphql_timeout", times=2, status=502)
        fetch(gh, tmp_path / "s.sqlite", clock)
        firsts = [r.variables["first"] for r in gh.requests
                  if r.variables and "first" in r.variables and "after" in r.variables]
        assert not gh.errors
    assert firsts[:3] == [100, 50, 25]
    assert max(firsts[3:]) > 25  # grown back after pages that succeeded
    assert Store(tmp_path / "s.sqlite").dump() == clean


def test_e_rate_limit_waits_do_not_use_up_the_attempts(source: cf.Activity, clean: list[Any], tmp_path: Path) -> None:
    clock = Clock()
    with GitHubDouble(source, token=TOKEN, clock=clock) as gh:
        gh.inject("secondary_rate_limit", times=4, retry_after=2)
        gh.inject("primary_rate_limit", times=1, reset_in=30)
        gh.inject("server_error", times=1)
        fetch(gh, tmp_path / "s.sqlite", clock, attempts=2)  # two tries for 5xx, yet five rate-limit waits are fine
        assert not gh.errors
    assert Store(tmp_path / "s.sqlite").dump() == clean
    assert clock.waits.count(2) == 4


def test_endless_rate_limits_stop_with_a_clear_error(source: cf.Activity, tmp_path: Path) -> None:
    clock = Clock()
    with GitHubDouble(source, token=TOKEN, clock=clock) as gh:
        gh.inject("secondary_rate_limit", times=1000, retry_after=None)
        with pytest.raises(DataError, match="rate limit exceeded"):
            fetch(gh, tmp_path / "s.sqlite", clock, limit_waits=4)
    assert len(clock.waits) == 4
