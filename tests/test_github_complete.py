"""A fetch leaves nothing out: every nested connection longer than one page, and REST lists longer than 100."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

import contribfunnel as cf
from contribfunnel.sources.github import FOLLOW_UP_BATCH, Retry, fetch_github
from contribfunnel.testing import GitHubDouble, RepoModel

TOKEN = "ghp_completeness0123456789"
SLUG = "example/project"
T0 = datetime(2026, 3, 2, tzinfo=UTC)


def no_wait() -> Retry:
    return Retry(sleep=lambda s: None, notify=lambda m: None)


def long_model() -> RepoModel:
    """A generated repository (with its own threads of 101-260 comments) plus one pull request and one issue
    whose every connection is longer than the first page the page query asks for."""
    model = RepoModel.from_activity(cf.make_activity(seed=5, n_prs=120, n_issues=60))
    pr = next(i for i in model.pulls() if i.state == "open" and not i.is_draft)
    issue = next(i for i in model.issues() if i.state == "open")
    at = iter(T0 + timedelta(minutes=k) for k in range(100_000))
    people = [f"reviewer-{k}" for k in range(7)]
    for k in range(130):  # reviews: 100 come with the page
        model.add_review(pr.number, author=people[k % 7], at=next(at),
                         state=("CHANGES_REQUESTED", "COMMENTED", "APPROVED")[k % 3])
    for k in range(14):  # review threads: 10 come with the page; the first has 34 comments (20 come with it)
        root = model.add_review_comment(pr.number, author=people[k % 7], at=next(at))
        for j in range(33 if k == 0 else k % 3):
            model.add_review_comment(pr.number, author=people[(k + j + 1) % 7] if j % 2 else pr.author or "x",
                                     at=next(at), reply_to=root)
    for _ in range(120):  # commits: 100 come with the page
        model.add_commit(pr.number, author=pr.author or "someone", at=next(at))
    for k in range(70):  # timeline: 100 come with the page
        model.add_event(pr.number, "labeled", actor=people[k % 7], at=next(at), label=f"area/{k}")
    for k in range(45):
        model.add_event(pr.number, "converted_to_draft" if k % 2 == 0 else "ready_for_review", actor=pr.author or "x",
                        at=next(at))
    for k in range(150):  # comments: 100 come with the page
        model.add_comment(issue.number, author=people[k % 7], at=next(at))
    for k in range(110):
        model.add_event(issue.number, "labeled", actor=people[k % 7], at=next(at), label=f"kind/{k}")
    return model


def _rows(frame: pd.DataFrame) -> Counter[tuple[Any, ...]]:
    f = frame.copy()
    f["at"] = pd.to_datetime(f["at"], utc=True)
    f["review_state"] = f["review_state"].astype(object).where(f["review_state"].notna(), None)
    f["actor"] = f["actor"].astype(object).where(f["actor"].notna(), "ghost")  # GitHub shows deleted users as ghost
    return Counter(map(tuple, f[["number", "kind", "actor", "at", "review_state"]].itertuples(index=False)))


def test_every_event_of_every_item_is_fetched(tmp_path: Path) -> None:
    model = long_model()
    truth = pd.DataFrame(model.event_rows())
    per_item = truth.groupby(["number", "kind"]).size()
    assert (per_item.xs("comment", level="kind") > 100).sum() >= 3  # long threads really are longer than a page
    assert per_item.max() > 100
    with GitHubDouble(model, token=TOKEN) as gh:
        got = fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=tmp_path / "s.sqlite", quiet=True,
                           retry=no_wait())
        graphql = gh.count(path="/graphql")
        assert not gh.errors
    mine = got.events.copy()
    mine["actor"] = mine.actor.astype(object)
    # Per kind and per item, the same number of events...
    counted = mine.groupby(["number", "kind"]).size()
    assert {(int(n), str(k)): int(v) for (n, k), v in counted.items()} == {
        (int(n), str(k)): int(v) for (n, k), v in per_item.items()}
    # ... and exactly the same events (who, when, which review state).
    assert _rows(mine) == _rows(truth)
    # Labels beyond the first page are there too.
    labels = got.items.set_index("number").labels
    for item in model.items.values():
        assert set(labels.loc[item.number]) == set(item.labels), item.number
    # Follow-ups are batched: far fewer requests than unfinished connections paged one by one.
    pages = -(-len(model.pulls()) // 100) + -(-len(model.issues()) // 100)
    assert graphql <= pages + 12, graphql
    assert FOLLOW_UP_BATCH >= 10


def test_follow_ups_also_complete_items_on_an_incremental_fetch(tmp_path: Path) -> None:
    model = RepoModel.from_activity(cf.make_activity(seed=5, n_prs=40, n_issues=20))
    store = tmp_path / "s.sqlite"
    with GitHubDouble(model, token=TOKEN) as gh:
        fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=store, quiet=True, retry=no_wait())
        issue = model.issues()[0]
        later = max(i.updated_at for i in model.items.values()) + timedelta(days=1)  # changes happen after the fetch
        for k in range(230):
            model.add_comment(issue.number, author=f"late-{k % 5}", at=later + timedelta(minutes=k))
        got = fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=store, quiet=True, retry=no_wait())
    mine = got.events[(got.events.number == issue.number) & (got.events.kind == "comment")]
    assert len(mine) == len(issue.comments)


def test_rest_lists_follow_link_headers_beyond_100(tmp_path: Path) -> None:
    act = cf.make_activity(seed=5, n_prs=30, n_issues=10)
    model = RepoModel.from_activity(act)
    for k in range(230):
        model.label(f"extra-label-{k:03d}")
        model._user(f"member-{k:03d}", is_member=True)
    with GitHubDouble(model, token=TOKEN) as gh:
        got = fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=tmp_path / "s.sqlite", quiet=True,
                           retry=no_wait())
        label_pages = gh.count(path="/repos/example/project/labels") + gh.count(path=f"/repositories/{model.id}/labels")
        member_requests = [r.path for r in gh.requests if "/members" in r.path]
    labels = set(got.repo_files.loc[got.repo_files.kind == "label", "path"])
    assert labels == set(model.labels)
    assert len(model.labels) > 230 and label_pages == -(-len(model.labels) // 100)
    assert all("per_page=100" in p for p in member_requests) and len(member_requests) == -(-len(model.members()) // 100)
    internal = set(got.people.loc[got.people.is_internal, "person"])
    # Every member who took part is internal by the org-membership rule, including those on the last page.
    active = set(got.people.person)
    assert {m.login for m in model.members()} & active <= internal
    from contribfunnel.store import Store

    assert set(Store(tmp_path / "s.sqlite").repo_meta("example/project", "org_members")) == {
        m.login for m in model.members()}


def test_a_store_written_before_complete_records_is_refetched_once(tmp_path: Path) -> None:
    from contribfunnel.store import Store

    model = RepoModel.from_activity(cf.make_activity(seed=5, n_prs=40, n_issues=20))
    store = tmp_path / "s.sqlite"
    with GitHubDouble(model, token=TOKEN) as gh:
        fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=store, quiet=True, retry=no_wait())
        # What an older version stored: no review threads, no commits, no version mark.
        db = Store(store)
        old = [{k: v for k, v in r.items() if k not in ("reviewThreads", "commits")} for r in db.records(SLUG, "pr")]
        db.save_page(SLUG, "pr", [(str(r["number"]), r["updatedAt"], r) for r in old], stream="pr",
                     cursor=db.cursor(SLUG, "pr")[0], complete=True)
        db.set_meta(f"records_version:{SLUG}", None)
        stale = cf.read_store(store)
        assert "review_comment" not in set(stale.events.kind)
        assert any("older version" in n for n in stale.meta.notes)
        before = len(gh.requests)
        again = fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=store, quiet=True, retry=no_wait())
        refetch = len(gh.requests) - before
        before = len(gh.requests)
        fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=store, quiet=True, retry=no_wait())
        later = len(gh.requests) - before
    assert _rows(again.events) == _rows(pd.DataFrame(model.event_rows()))
    assert not any("older version" in n for n in again.meta.notes)
    assert refetch > later  # once only
