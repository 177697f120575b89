"""Behaviour of the GitHub double: pagination, ETags, rate limits, errors, faults, GraphQL, PyGithub."""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import github
import pytest

import contribfunnel as cf
from contribfunnel.testing import GitHubDouble, RepoModel

TOKEN = "server-token"
REPO = "/repos/example/project"


@pytest.fixture(scope="module")
def activity() -> cf.Activity:
    return cf.make_activity(seed=5, n_prs=230, n_issues=70)


@pytest.fixture
def gh(activity: cf.Activity) -> Iterator[GitHubDouble]:
    with GitHubDouble(RepoModel.from_activity(activity), token=TOKEN) as double:
        yield double
        assert double.errors == []


def call(gh: GitHubDouble, path: str, *, token: str | None = TOKEN, headers: dict[str, str] | None = None,
         base: str | None = None) -> tuple[int, Any, http.client.HTTPMessage]:
    """GET with urllib; returns (status, parsed body or None, headers) for every status."""
    hdrs = dict(headers or {})
    if token is not None:
        hdrs["Authorization"] = f"token {token}"
    url = path if path.startswith("http") else (base or gh.base_url) + path
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=hdrs), timeout=10) as r:
            raw = r.read()
            return r.status, json.loads(raw) if raw else None, r.headers
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, json.loads(raw) if raw else None, e.headers


def gql(gh: GitHubDouble, query: str, variables: dict[str, Any] | None = None, *,
        token: str | None = TOKEN) -> tuple[int, Any]:
    data = json.dumps({"query": query, "variables": variables or {}}).encode()
    hdrs = {"Content-Type": "application/json"}
    if token is not None:
        hdrs["Authorization"] = f"bearer {token}"
    req = urllib.request.Request(gh.graphql_url, data=data, headers=hdrs, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def links(headers: http.client.HTTPMessage) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', headers.get("Link") or "")}


# -- REST: pagination, parameters, prefixes ---------------------------------------------------------------------------


def test_pages_follow_link_headers_to_every_item_once(gh: GitHubDouble) -> None:
    url: str | None = f"{REPO}/issues?state=all&per_page=40"
    numbers: list[int] = []
    rels = []
    while url:
        status, body, headers = call(gh, url)
        assert status == 200
        numbers += [i["number"] for i in body]
        rels.append(list(links(headers)))
        url = links(headers).get("next")
    assert sorted(numbers) == sorted(gh.model.items)
    assert len(numbers) == len(set(numbers))
    assert rels[0] == ["next", "last"]
    assert rels[1] == ["prev", "next", "last", "first"]
    assert rels[-1] == ["prev", "first"]


def test_per_page_is_capped_at_100_and_defaults_to_30(gh: GitHubDouble) -> None:
    assert len(call(gh, f"{REPO}/pulls?state=all&per_page=500")[1]) == 100
    assert len(call(gh, f"{REPO}/pulls?state=all")[1]) == 30


def test_state_sort_direction_and_since(gh: GitHubDouble) -> None:
    _, closed, _ = call(gh, f"{REPO}/pulls?state=closed&per_page=100")
    assert closed and {p["state"] for p in closed} == {"closed"}
    _, default, _ = call(gh, f"{REPO}/pulls?per_page=100")
    assert {p["state"] for p in default} == {"open"}
    _, newest, _ = call(gh, f"{REPO}/pulls?state=all&per_page=100")
    created = [p["created_at"] for p in newest]
    assert created == sorted(created, reverse=True)  # created, desc by default
    _, updated, _ = call(gh, f"{REPO}/issues?state=all&sort=updated&direction=asc&per_page=100")
    assert [i["updated_at"] for i in updated] == sorted(i["updated_at"] for i in updated)
    since = "2026-01-01T00:00:00Z"
    _, recent, _ = call(gh, f"{REPO}/issues?state=all&since={since}&per_page=100")
    expected = {i.number for i in gh.model.items.values() if i.updated_at >= datetime(2026, 1, 1, tzinfo=UTC)}
    assert {i["number"] for i in recent} == expected or len(recent) == 100
    assert call(gh, f"{REPO}/pulls?state=bogus")[0] == 422


def test_issue_lists_include_pull_requests_marked_as_such(gh: GitHubDouble) -> None:
    _, body, _ = call(gh, f"{REPO}/issues?state=all&per_page=100")
    prs = [i for i in body if "pull_request" in i]
    assert prs and len(prs) < len(body)
    assert all(i["pull_request"]["url"].endswith(f"/pulls/{i['number']}") for i in prs)


def test_enterprise_prefix_and_repository_id_alias_serve_the_same(gh: GitHubDouble) -> None:
    n = gh.model.pulls()[2].number
    _, plain, _ = call(gh, f"{REPO}/pulls/{n}")
    _, prefixed, _ = call(gh, f"/api/v3{REPO}/pulls/{n}")
    _, by_id, _ = call(gh, f"/repositories/{gh.model.id}/pulls/{n}")
    assert plain["number"] == prefixed["number"] == by_id["number"] == n
    assert prefixed["url"].startswith(gh.base_url + "/api/v3/repos/")
    assert plain["url"].startswith(gh.base_url + "/repos/")


def test_bots_are_bot_type_in_rest(gh: GitHubDouble) -> None:
    _, user, _ = call(gh, "/users/dependabot[bot]")
    assert user["type"] == "Bot"
    _, human, _ = call(gh, "/users/k8s-ci-robot")  # a bot only by the known list: a User on GitHub
    assert human["type"] == "User"


def test_contents_and_community_profile(gh: GitHubDouble) -> None:
    import base64

    _, f, _ = call(gh, f"{REPO}/contents/.github/CODEOWNERS")
    assert "@" in base64.b64decode(f["content"]).decode()
    _, listing, _ = call(gh, f"{REPO}/contents/")
    assert {"README.md", "src"} <= {e["name"] for e in listing}
    _, profile, _ = call(gh, f"{REPO}/community/profile")
    assert profile["files"]["contributing"] is not None
    assert call(gh, f"{REPO}/contents/NOPE.md")[0] == 404


# -- REST: ETags, rate limits, errors ---------------------------------------------------------------------------------


def test_etag_gives_304_which_is_not_charged(gh: GitHubDouble) -> None:
    n = gh.model.pulls()[2].number
    status, _, headers = call(gh, f"{REPO}/pulls/{n}")
    assert status == 200
    remaining = int(headers["x-ratelimit-remaining"])
    status, body, again = call(gh, f"{REPO}/pulls/{n}", headers={"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, None)
    assert int(again["x-ratelimit-remaining"]) == remaining
    gh.model.touch(n, at=datetime(2026, 9, 29, tzinfo=UTC))
    assert call(gh, f"{REPO}/pulls/{n}", headers={"If-None-Match": headers["ETag"]})[0] == 200


def test_rate_limit_headers_go_down(gh: GitHubDouble) -> None:
    seen = []
    for _ in range(3):
        _, _, headers = call(gh, REPO)
        seen.append((int(headers["x-ratelimit-remaining"]), int(headers["x-ratelimit-used"])))
        assert headers["x-ratelimit-limit"] == "5000"
        assert headers["x-ratelimit-resource"] == "core"
        assert int(headers["x-ratelimit-reset"]) > time.time()
    assert [r for r, _ in seen] == [4999, 4998, 4997]
    assert [u for _, u in seen] == [1, 2, 3]
    _, body, _ = call(gh, "/rate_limit")  # not charged
    assert body["resources"]["core"]["remaining"] == 4997 == body["rate"]["remaining"]


def test_anonymous_callers_get_60(gh: GitHubDouble) -> None:
    _, _, headers = call(gh, REPO, token=None)
    assert headers["x-ratelimit-limit"] == "60"


def test_not_found_and_bad_credentials(gh: GitHubDouble) -> None:
    status, body, _ = call(gh, "/repos/example/missing")
    assert status == 404
    assert body["message"] == "Not Found" and body["documentation_url"].startswith("https://docs.github.com/")
    status, body, _ = call(gh, REPO, token="wrong")
    assert (status, body["message"]) == (401, "Bad credentials")
    assert call(gh, f"{REPO}/pulls/99999")[0] == 404


def test_private_org_members_are_refused(activity: cf.Activity) -> None:
    with GitHubDouble(RepoModel.from_activity(activity, members_private=True)) as gh:
        status, body, _ = call(gh, "/orgs/example/members")
    assert status == 403
    assert "SAML" in body["message"]


# -- faults, as a plain client sees them -------------------------------------------------------------------------------


def test_server_error_burst(gh: GitHubDouble) -> None:
    gh.inject("server_error", times=2, status=502)
    gh.inject("server_error", status=503)
    assert [call(gh, REPO)[0] for _ in range(4)] == [502, 502, 503, 200]
    assert gh.faults.pending == 0


def test_secondary_rate_limit(gh: GitHubDouble) -> None:
    gh.inject("secondary_rate_limit", retry_after=7)
    status, body, headers = call(gh, REPO)
    assert status == 403
    assert headers["retry-after"] == "7"
    assert "secondary rate limit" in body["message"]
    assert call(gh, REPO)[0] == 200
    gh.inject("secondary_rate_limit", retry_after=None, status=429)  # GitHub does not always say how long
    status, body, headers = call(gh, REPO)
    assert (status, headers["retry-after"]) == (429, None) and "secondary rate limit" in body["message"]


@pytest.mark.parametrize("status", [403, 429])
def test_spent_primary_limit_until_reset(activity: cf.Activity, status: int) -> None:
    now = [1_800_000_000.0]
    with GitHubDouble(RepoModel.from_activity(activity), clock=lambda: now[0]) as gh:
        gh.inject("primary_rate_limit", reset_in=30, status=status)
        code, body, headers = call(gh, REPO)
        assert code == status
        assert headers["x-ratelimit-remaining"] == "0"
        assert int(headers["x-ratelimit-reset"]) == 1_800_000_030
        assert "rate limit exceeded" in body["message"]
        assert call(gh, REPO)[0] == status  # still spent
        now[0] += 31
        code, _, headers = call(gh, REPO)
        assert code == 200
        assert headers["x-ratelimit-remaining"] == "4999"


def test_dropped_connection(gh: GitHubDouble) -> None:
    gh.inject("drop_connection")
    with pytest.raises((urllib.error.URLError, http.client.RemoteDisconnected, ConnectionError)):
        urllib.request.urlopen(gh.base_url + REPO, timeout=10)
    assert call(gh, REPO)[0] == 200
    assert gh.requests[0].status == 0


def test_truncated_body(gh: GitHubDouble) -> None:
    gh.inject("truncated_body", path="/pulls")
    with urllib.request.urlopen(urllib.request.Request(gh.base_url + f"{REPO}/pulls?state=all"), timeout=10) as r:
        declared = int(r.headers["Content-Length"])
        with pytest.raises(http.client.IncompleteRead) as e:
            r.read()
    assert len(e.value.partial) < declared
    assert call(gh, f"{REPO}/pulls?state=all")[0] == 200


def test_latency(activity: cf.Activity) -> None:
    with GitHubDouble(RepoModel.from_activity(activity), latency=0.05) as gh:
        start = time.perf_counter()
        for _ in range(3):
            call(gh, REPO)
        assert time.perf_counter() - start >= 0.15


# -- GraphQL ----------------------------------------------------------------------------------------------------------

PAGE = """query($after: String) { repository(owner: "example", name: "project") {
  pullRequests(first: 100, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { number state isDraft author { __typename login }
      reviews(first: 10) { totalCount nodes { state author { login } } }
      changesRequested: reviews(states: CHANGES_REQUESTED) { totalCount }
      timelineItems(first: 10, itemTypes: [READY_FOR_REVIEW_EVENT, MERGED_EVENT]) {
        nodes { __typename ... on MergedEvent { actor { login } createdAt } } } } } }
  rateLimit { cost remaining used limit resetAt nodeCount } }"""


def test_graphql_pages_of_pull_requests_with_nested_reviews(gh: GitHubDouble) -> None:
    after = None
    numbers: list[int] = []
    costs = []
    while True:
        status, body = gql(gh, PAGE, {"after": after})
        assert status == 200 and "errors" not in body, body
        conn = body["data"]["repository"]["pullRequests"]
        for node in conn["nodes"]:
            item = gh.model.items[node["number"]]
            assert node["reviews"]["totalCount"] == len(item.reviews)
            assert node["changesRequested"]["totalCount"] == sum(r.state == "CHANGES_REQUESTED" for r in item.reviews)
            assert [r["state"] for r in node["reviews"]["nodes"]] == [r.state for r in item.reviews[:10]]
            merged = [n for n in node["timelineItems"]["nodes"] if n["__typename"] == "MergedEvent"]
            assert len(merged) == (1 if item.merged else 0)
        numbers += [n["number"] for n in conn["nodes"]]
        costs.append(body["data"]["rateLimit"]["cost"])
        assert conn["totalCount"] == len(gh.model.pulls())
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert numbers == [p.number for p in gh.model.pulls()]
    # 1 + 100 (reviews) + 100 (changesRequested) + 100 (timelineItems) = 301 requests -> 3 points
    assert costs == [3, 3, 3]
    assert gh.graphql_points == 9
    rate = body["data"]["rateLimit"]
    assert (rate["used"], rate["remaining"], rate["limit"]) == (9, 4991, 5000)
    assert rate["nodeCount"] == 100 + 100 * 10 + 100 * 10


def test_graphql_cost_follows_github_s_documented_rule(gh: GitHubDouble) -> None:
    # GitHub's example: 1 + 100 + 100 * 50 = 5101 requests -> 51 points.
    q = """{ repository(owner: "example", name: "project") { pullRequests(first: 100) { nodes {
      reviews(first: 50) { nodes { comments(first: 60) { totalCount } } } } } }
      rateLimit { cost nodeCount } }"""
    _, body = gql(gh, q)
    assert body["data"]["rateLimit"] == {"cost": 51, "nodeCount": 100 + 5000 + 300000}
    _, cheap = gql(gh, '{ rateLimit { cost } repository(owner: "example", name: "project") { name } }')
    assert cheap["data"]["rateLimit"]["cost"] == 1
    assert gh.graphql_points == 52


def test_graphql_bots_and_headers(gh: GitHubDouble) -> None:
    number = next(i.number for i in gh.model.pulls() if i.author == "dependabot[bot]")
    q = 'query($n: Int!) { repository(owner: "example", name: "project") { pullRequest(number: $n) { author { __typename login } } } }'
    req = urllib.request.Request(gh.graphql_url, data=json.dumps({"query": q, "variables": {"n": number}}).encode(),
                                 headers={"Authorization": f"bearer {TOKEN}"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        body = json.load(r)
        assert r.headers["x-ratelimit-resource"] == "graphql"
        assert r.headers["x-ratelimit-used"] == "1"
    assert body["data"]["repository"]["pullRequest"]["author"] == {"__typename": "Bot", "login": "dependabot"}


def test_graphql_errors_like_github(gh: GitHubDouble) -> None:
    _, body = gql(gh, '{ repository(owner: "example", name: "nope") { name } }')
    assert body["data"] == {"repository": None}
    assert body["errors"][0]["type"] == "NOT_FOUND"
    assert body["errors"][0]["path"] == ["repository"]
    _, body = gql(gh, '{ repository(owner: "example", name: "project") { pullRequests { nodes { number } } } }')
    assert body["errors"][0]["type"] == "MISSING_PAGINATION_BOUNDARIES" and "data" not in body
    _, body = gql(gh, '{ repository(owner: "example", name: "project") { pullRequests(first: 101) { nodes { number } } } }')
    assert body["errors"][0]["type"] == "EXCESSIVE_PAGINATION"
    _, body = gql(gh, '{ repository(owner: "example", name: "project") { bogusField } }')
    assert "Cannot query field 'bogusField' on type 'Repository'" in body["errors"][0]["message"]
    _, body = gql(gh, '{ repository(owner: "example", name: "project") { pullRequests(first: 1, after: "zzz") { totalCount } } }')
    assert body["errors"][0]["type"] == "INVALID_CURSOR_ARGUMENTS"
    status, body = gql(gh, "{ rateLimit { cost } }", token=None)
    assert status == 401 and "authenticated" in body["message"]
    # Queries that fail validation or pricing cost nothing; executed ones (NOT_FOUND, bad cursor) cost 1 each.
    assert gh.graphql_points == 2


def test_graphql_partial_data_and_timeout_faults(gh: GitHubDouble) -> None:
    gh.inject("graphql_error", field="reviews")
    _, body = gql(gh, PAGE)
    nodes = body["data"]["repository"]["pullRequests"]["nodes"]
    assert nodes[0]["reviews"] is None and nodes[1]["reviews"] is not None
    assert body["errors"][0]["path"] == ["repository", "pullRequests", "nodes", 0, "reviews"]
    gh.inject("graphql_timeout")
    status, body = gql(gh, PAGE)
    assert status == 200 and body["data"] is None and "timeout" in body["errors"][0]["message"]
    assert call(gh, REPO)[0] == 200  # GraphQL faults never hit REST


def test_incremental_issues_since_after_a_new_comment(gh: GitHubDouble) -> None:
    at = datetime(2026, 9, 29, 12, tzinfo=UTC)
    issue = gh.model.issues()[0].number
    gh.model.add_comment(issue, author="newcomer-1", at=at)
    gh.model.touch(1, at=at)
    q = """query($since: DateTime) { repository(owner: "example", name: "project") {
      issues(first: 100, filterBy: {since: $since}, orderBy: {field: UPDATED_AT, direction: ASC}) {
        nodes { number updatedAt } } } }"""
    _, body = gql(gh, q, {"since": "2026-09-29T00:00:00Z"})
    nodes = body["data"]["repository"]["issues"]["nodes"]
    assert issue in [n["number"] for n in nodes]
    assert all(n["updatedAt"] >= "2026-09-29T00:00:00Z" for n in nodes)
    _, rest, _ = call(gh, f"{REPO}/issues?state=all&since=2026-09-29T00:00:00Z&per_page=100")
    assert {issue, 1} <= {i["number"] for i in rest}


def test_cursors_survive_new_items(gh: GitHubDouble) -> None:
    q = """query($after: String) { repository(owner: "example", name: "project") {
      pullRequests(first: 5, after: $after, orderBy: {field: UPDATED_AT, direction: DESC}) {
        pageInfo { endCursor } nodes { number } } } }"""
    _, first = gql(gh, q)
    page1 = [n["number"] for n in first["data"]["repository"]["pullRequests"]["nodes"]]
    cursor = first["data"]["repository"]["pullRequests"]["pageInfo"]["endCursor"]
    gh.model.touch(gh.model.pulls()[0].number, at=datetime(2026, 9, 29, 23, tzinfo=UTC))  # jumps to the front
    _, second = gql(gh, q, {"after": cursor})
    page2 = [n["number"] for n in second["data"]["repository"]["pullRequests"]["nodes"]]
    assert not set(page1) & set(page2)


# -- PyGithub against the double ---------------------------------------------------------------------------------------


def test_pygithub_lists_every_pull_request(gh: GitHubDouble) -> None:
    g = github.Github(auth=github.Auth.Token(TOKEN), base_url=gh.base_url, per_page=100)
    repo = g.get_repo("example/project")
    before = len(gh.requests)
    pulls = list(repo.get_pulls(state="all"))
    assert sorted(p.number for p in pulls) == [p.number for p in gh.model.pulls()]
    assert len(gh.requests) - before == -(-len(pulls) // 100)
    pr = repo.get_pull(pulls[0].number)
    assert pr.title == gh.model.items[pr.number].title
    assert [r.state for r in pr.get_reviews()] == [r.state for r in gh.model.items[pr.number].reviews]
    g.close()


def test_pygithub_graphql_query_on_enterprise_url(gh: GitHubDouble) -> None:
    g = github.Github(auth=github.Auth.Token(TOKEN), base_url=gh.enterprise_url)
    headers, data = g.requester.graphql_query(
        "query Q($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { url nameWithOwner } }",
        {"owner": "example", "name": "project"})
    assert data["data"]["repository"]["nameWithOwner"] == "example/project"
    assert headers["x-ratelimit-resource"] == "graphql"
    assert gh.count(path="/api/graphql") == 1
    g.close()


def test_pygithub_errors(gh: GitHubDouble) -> None:
    bad = github.Github(auth=github.Auth.Token("wrong"), base_url=gh.base_url, retry=None)
    with pytest.raises(github.BadCredentialsException):
        bad.get_repo("example/project")
    good = github.Github(auth=github.Auth.Token(TOKEN), base_url=gh.base_url, retry=None)
    with pytest.raises(github.UnknownObjectException):
        good.get_repo("example/missing")
    with pytest.raises(github.GithubException):
        good.requester.graphql_query('{ repository(owner: "example", name: "missing") { name } }', {})
    bad.close()
    good.close()


def test_perceval_fetches_pull_requests_and_issues(activity: cf.Activity) -> None:
    perceval_github = pytest.importorskip("perceval.backends.core.github", reason="Perceval is a bench extra")
    small = cf.make_activity(seed=5, n_prs=30, n_issues=10)
    with GitHubDouble(small, token=TOKEN) as gh:
        backend = perceval_github.GitHub(owner="example", repository="project", api_token=[TOKEN],
                                         base_url=gh.base_url, sleep_for_rate=True)
        pulls = list(backend.fetch(category="pull_request"))
        issues = list(backend.fetch(category="issue"))
        assert gh.errors == []
        assert {r.status for r in gh.requests} == {200}
        assert gh.count(path="/api/v3/repos/example/project/pulls") > 0
    assert sorted(p["data"]["number"] for p in pulls) == sorted(i.number for i in gh.model.pulls())
    assert len(issues) == len(gh.model.items)  # Perceval's issue category includes pull requests, as GitHub lists them


# -- review threads with replies, commits and node(id:) ----------------------------------------------------------------


def test_review_threads_commits_and_nodes_in_graphql_and_rest(gh: GitHubDouble) -> None:
    pr = next(i for i in gh.model.pulls() if i.author and i.author != "dependabot[bot]")
    at = datetime(2026, 9, 1, tzinfo=UTC)
    root = gh.model.add_review_comment(pr.number, author="rita-reviewer", at=at)
    reply = gh.model.add_review_comment(pr.number, author=pr.author or "x", at=at.replace(hour=2), reply_to=root)
    gh.model.add_commit(pr.number, author=pr.author or "x", at=at.replace(hour=3))
    bot_commit = gh.model.add_commit(pr.number, author="dependabot[bot]", at=at.replace(hour=4))
    q = """query($n: Int!) { repository(owner: "example", name: "project") { pullRequest(number: $n) {
      reviewThreads(first: 100) { totalCount nodes { id path comments(first: 10) { totalCount nodes { author { login } } } } }
      commits(first: 100) { totalCount nodes { commit { oid committedDate author { name email user { login } } } } } } } }"""
    status, body = gql(gh, q, {"n": pr.number})
    assert status == 200 and "errors" not in body, body
    node = body["data"]["repository"]["pullRequest"]
    thread = next(t for t in node["reviewThreads"]["nodes"] if t["id"] == root.thread_node_id)
    assert [c["author"]["login"] for c in thread["comments"]["nodes"]] == ["rita-reviewer", pr.author]
    assert node["reviewThreads"]["totalCount"] == len(pr.threads())
    assert node["commits"]["totalCount"] == len(pr.commits)
    last = node["commits"]["nodes"][-1]["commit"]
    assert last["oid"] == bot_commit.sha
    assert last["author"]["user"] is None and last["author"]["email"] == "dependabot[bot]@users.noreply.github.com"
    # node(id:) finds the thread, as GitHub's global ids do.
    status, body = gql(gh, """query($id: ID!) { node(id: $id) { __typename
      ... on PullRequestReviewThread { comments(first: 1, after: null) { totalCount } } } }""", {"id": root.thread_node_id})
    assert body["data"]["node"] == {"__typename": "PullRequestReviewThread", "comments": {"totalCount": 2}}
    _, body = gql(gh, '{ node(id: "bm9wZQ==") { id } }')
    assert body["data"]["node"] is None and body["errors"][0]["type"] == "NOT_FOUND"
    # REST: the reply says which thread it belongs to; the timeline has the commits and the thread.
    _, comments, _ = call(gh, f"{REPO}/pulls/{pr.number}/comments?per_page=100")
    by_id = {c["id"]: c for c in comments}
    assert by_id[reply.id]["in_reply_to_id"] == root.id and "in_reply_to_id" not in by_id[root.id]
    _, timeline, _ = call(gh, f"{REPO}/issues/{pr.number}/timeline?per_page=100")
    kinds = [e["event"] for e in timeline]
    assert kinds.count("committed") == len(pr.commits)
    assert [len(e["comments"]) for e in timeline if e["event"] == "line-commented"][-1] == 2
