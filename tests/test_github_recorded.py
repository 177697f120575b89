"""Responses recorded from the real GitHub go through the library's own parsers to the expected rows.

The double is held to these recordings elsewhere (tests/test_double_fidelity.py); here the code that turns
GitHub's answers into records and table rows (``item_rows``, ``rest_node``, ``file_rows``,
``member_logins``, ``rate_from_body``, the client's checks of GraphQL answers and rate-limit answers) reads
them directly, so a parser that disagrees with what GitHub really sends fails here.  Reads
``../shared/github``; skips, saying so, where it is absent.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from contribfunnel.errors import UsageError
from contribfunnel.sources.github import (
    Retry,
    _Client,
    _next_link,
    _unfinished,
    file_rows,
    follow_up_query,
    item_rows,
    member_logins,
    rate_from_body,
    rest_node,
)

GITHUB = Path(__file__).resolve().parents[1].parent / "shared" / "github"
SLUG = "o/r"


def recorded(name: str) -> dict[str, Any]:
    path = GITHUB / "recorded" / name
    if not path.is_file():
        pytest.skip(f"{path} is absent (GitHub's recorded responses sit beside the project, in ../shared; CI has them)")
    return dict(json.loads(path.read_text(encoding="utf-8"))["response"])


def example(path: str, name: str = "default") -> Any:
    spec = GITHUB / "rest-openapi-subset.json"
    if not spec.is_file():
        pytest.skip(f"{spec} is absent (GitHub's OpenAPI description sits beside the project, in ../shared; CI has it)")
    content = json.loads(spec.read_text(encoding="utf-8"))["paths"][path]["get"]["responses"]["200"]["content"]
    return content["application/json"]["examples"][name]["value"]


def client() -> _Client:
    return _Client("t", "http://127.0.0.1:9", Retry(sleep=lambda s: None, notify=lambda m: None, clock=lambda: 0.0))


def node(**extra: Any) -> dict[str, Any]:
    """An item as our queries ask for it, with the recorded connection(s) in place of ours."""
    return {"number": 387, "title": "t", "state": "MERGED", "createdAt": "2020-09-25T15:41:15Z",
            "updatedAt": "2020-10-07T18:08:10Z", "closedAt": "2020-10-07T18:08:10Z",
            "mergedAt": "2020-10-07T18:08:10Z", "author": {"__typename": "User", "login": "zhquan"}, **extra}


def typed(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Perceval's query aliased __typename as eventType; our queries ask for __typename itself.
    return [{"__typename" if k == "eventType" else k: v for k, v in n.items()} for n in nodes]


# -- GraphQL ---------------------------------------------------------------------------------------------------------


def test_recorded_labeled_events_become_labeled_rows_and_a_follow_up() -> None:
    conn = recorded("graphql_issue_timeline_page1_perceval.json")["body"]["data"]["repository"]["issue"]["timelineItems"]
    n = node(state="OPEN", mergedAt=None, closedAt=None, timelineItems={**conn, "nodes": typed(conn["nodes"])})
    item, events, _ = item_rows(SLUG, "issue", n)
    assert [(e["kind"], e["actor"], e["at"]) for e in events] == [
        ("labeled", "valeriocos", "2020-04-07T11:21:12Z"), ("labeled", "valeriocos", "2020-04-07T11:21:19Z")]
    assert item["state"] == "open"
    # hasNextPage: the connection is paged further from the recorded cursor.
    targets = list(_unfinished("issue", 387, n))
    assert [(t.kind, t.ref, t.conn.field, t.cursor) for t in targets] == [
        ("issue", 387, "timelineItems", "Y3Vyc29yOnYyOpPPAAABcVRfh5gBqjMyMDkzOTMxMzI=")]
    query, variables = follow_up_query(targets)
    assert variables == {"n0": 387, "c0": "Y3Vyc29yOnYyOpPPAAABcVRfh5gBqjMyMDkzOTMxMzI="}
    assert "itemTypes: [CLOSED_EVENT, REOPENED_EVENT, LABELED_EVENT]" in query


def test_recorded_review_timeline_becomes_review_rows_with_states() -> None:
    body = recorded("graphql_pr_review_events_perceval.json")["body"]
    conn = body["data"]["repository"]["pullRequest"]["timelineItems"]
    item, events, _ = item_rows(SLUG, "pr", node(timelineItems={"nodes": typed(conn["nodes"])}))
    reviews = [(e["kind"], e["actor"], e["at"], e["review_state"]) for e in events]
    assert reviews[:3] == [("review", "zhquan", "2020-09-25T16:02:47Z", "CHANGES_REQUESTED"),
                           ("review", "zhquan", "2020-09-28T12:00:22Z", "COMMENTED"),
                           ("review", "zhquan", "2020-10-07T18:06:51Z", "APPROVED")]
    assert (item["state"], item["merged_at"]) == ("merged", "2020-10-07T18:08:10Z")


def test_recorded_graphql_answers_pass_the_client_checks() -> None:
    simple = recorded("graphql_query_simple_pygithub.json")
    c = client()
    assert c._check(simple["body"], {"owner": "PyGithub", "name": "PyGithub"}, False) == {
        "repository": {"url": "https://github.com/PyGithub/PyGithub"}}
    c._note_limits(simple["headers"])  # recorded with capitalised header names
    assert c.budget["graphql"] == (4979, 1726598744.0)
    discussions = recorded("graphql_paginated_discussions_pygithub.json")["body"]
    data = c._check(discussions, {}, False)
    page = data["repository"]["discussions"]
    assert page["totalCount"] >= len(page["edges"] if "edges" in page else page["nodes"])
    with pytest.raises(UsageError, match="unknown repository: o/nope"):
        c._check({"data": {"repository": None}, "errors": [{"type": "NOT_FOUND", "path": ["repository"],
                                                            "message": "Could not resolve"}]},
                 {"owner": "o", "name": "nope"}, True)


# -- REST -----------------------------------------------------------------------------------------------------------


def test_recorded_issues_list_becomes_item_rows_and_its_link_the_next_page() -> None:
    page = recorded("rest_issues_list_page1.json")
    rows = {}
    for issue in page["body"]:
        kind = "pr" if "pull_request" in issue else "issue"
        rows[issue["number"]] = (kind, item_rows(SLUG, kind, rest_node(issue, []))[0])
    kind, first = rows[150]
    assert kind == "issue"
    assert (first["author"], first["state"], first["created_at"], first["closed_at"]) == (
        "facetoe", "closed", "2017-12-17T00:21:05Z", "2017-12-17T01:47:44Z")
    assert rows[145][1]["labels"] == ("Enhancement", "good first issue", "Tests")
    assert any(k == "pr" for k, _ in rows.values())  # the issues list shows pull requests too
    assert _next_link(page["headers"]) == "https://api.github.com/repositories/11439734/issues?state=all&per_page=100&page=2"


def test_recorded_reviews_comments_review_comments_and_commits_become_event_rows() -> None:
    reviews = recorded("rest_pull_reviews.json")["body"]
    comments = recorded("rest_pr_issue_comments.json")["body"]
    review_comments = recorded("rest_pull_review_comments.json")["body"]
    commits = recorded("rest_pull_commits_pygithub.json")["body"]
    pr = recorded("rest_pull_single.json")["body"]
    issue = {**pr, "pull_request": {"merged_at": pr["merged_at"]}}
    timeline = ([{**r, "event": "reviewed"} for r in reviews] + [{**c, "event": "commented"} for c in comments]
                + [{"event": "line-commented", "comments": review_comments}]
                + [{"event": "committed", "author": c["commit"]["author"], "committer": c["commit"]["committer"]}
                   for c in commits])
    item, events, _ = item_rows(SLUG, "pr", rest_node(issue, timeline))
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for e in events:
        by_kind.setdefault(e["kind"], []).append(e)
    assert [(e["actor"], e["at"], e["review_state"]) for e in by_kind["review"]] == [
        (r["user"]["login"], r["submitted_at"], r["state"]) for r in reviews]
    assert [(e["actor"], e["at"]) for e in by_kind["comment"]] == [(c["user"]["login"], c["created_at"]) for c in comments]
    assert [(e["actor"], e["at"]) for e in by_kind["review_comment"]] == [
        (c["user"]["login"], c["created_at"]) for c in review_comments]
    assert [e["at"] for e in by_kind["commit"]] == [c["commit"]["committer"]["date"] for c in commits]
    assert (item["state"], item["merged_at"]) == ("merged", pr["merged_at"])


def test_recorded_org_members_rate_limits_and_limit_answers() -> None:
    members = recorded("rest_org_members.json")["body"]
    assert member_logins([members]) == ["esacteksab", "gh3test", "itsmemattchung", "omgjlk", "seveas", "sigmavirus24"]
    assert rate_from_body(recorded("rest_rate_limit_2018.json")["body"]) == (60, 60, 1516994313.0)
    assert rate_from_body(recorded("rest_rate_limit_2018.json")["body"], "graphql") == (0, 0, 1516994313.0)
    newer = recorded("rest_rate_limit_pygithub.json")["body"]
    assert rate_from_body(newer, "graphql") == (4808, 5000, 1734072222.0)
    c = client()
    # GitHub's primary-limit answer without a reset header, and its old "abuse" answer: back off from a minute.
    primary = recorded("rest_rate_limited_403_pygithub.json")
    assert c._limit_wait(403, primary["headers"], primary["body"], 0) == ("for", 60.0)
    abuse = recorded("rest_secondary_rate_limit_body_perceval.json")["body"]
    assert c._limit_wait(403, {}, abuse, 1) == ("for", 120.0)
    assert c._limit_wait(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1516994313"}, {}, 0) == (
        "until", 1516994313.0)
    assert c._limit_wait(403, {"x-ratelimit-remaining": "12"}, {"message": "Resource protected by SAML"}, 0) is None
    # A 403 for another reason that happened to spend the last request is not a rate limit: no hour-long wait.
    assert c._limit_wait(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1516994313"},
                         {"message": "Resource not accessible by integration"}, 0) is None


def test_githubs_own_examples_of_profile_contents_labels_and_timeline() -> None:
    profile = example("/repos/{owner}/{repo}/community/profile")
    readme = example("/repos/{owner}/{repo}/contents/{path}", "response-if-content-is-a-file")
    labels = example("/repos/{owner}/{repo}/labels")
    # The example escapes its line breaks twice ("\\n"); GitHub sends base64 in lines of 60 with real ones.
    readme = {**readme, "content": readme["content"].replace("\\n", "\n")}
    broken = {**readme, "content": "not base64!"}
    rows = file_rows(profile, {"GOVERNANCE.md": readme, "OWNERS": {"type": "dir"}, "MAINTAINERS": broken}, labels)
    got = {(r["kind"], r["path"]) for _, _, r in rows}
    assert {("code_of_conduct", "CODE_OF_CONDUCT.md"), ("contributing", "CONTRIBUTING"), ("license", "LICENSE"),
            ("pr_template", "PULL_REQUEST_TEMPLATE"), ("issue_template", "ISSUE_TEMPLATE"), ("readme", "README.md"),
            ("label", "bug"), ("label", "enhancement")} <= got
    governance = next(r for _, _, r in rows if r["kind"] == "governance")
    assert governance["size"] == 5362
    assert governance["content"] == base64.b64decode(readme["content"]).decode("utf-8", "replace")
    assert governance["content"].startswith("# Yoga")
    assert not any(r["path"] == "OWNERS" for _, _, r in rows)  # a directory is not the file
    assert next(r for _, _, r in rows if r["path"] == "MAINTAINERS")["content"] is None  # there, text unreadable
    timeline = example("/repos/{owner}/{repo}/issues/{issue_number}/timeline")
    issue = {"number": 1, "title": "t", "state": "open", "created_at": "2022-04-13T20:49:00Z",
             "updated_at": "2022-05-19T00:52:15Z", "closed_at": None, "user": {"login": "a", "type": "User"}}
    _, events, bots = item_rows(SLUG, "issue", rest_node(issue, timeline))
    by = {(e["kind"], e["at"]) for e in events}
    assert by == {("labeled", "2022-04-13T20:49:34Z"), ("comment", "2022-05-19T00:52:15Z")}  # locked, renamed: not ours
    assert bots == set()
