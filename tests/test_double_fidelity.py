"""The GitHub double agrees with GitHub's own descriptions and with responses recorded from GitHub.

Reads ``../shared/github`` (GitHub's GraphQL SDL, its REST OpenAPI subset and
recorded responses); skips, saying so, where that folder is absent.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import graphql
import pytest

import contribfunnel as cf
from contribfunnel.testing import GitHubDouble
from contribfunnel.testing.fidelity import response_schema, response_validator, shape_diff, unknown_keys
from contribfunnel.testing.graphql_schema import extract_subset, load_schema, subset_sdl

GITHUB = Path(__file__).resolve().parents[1].parent / "shared" / "github"
TOKEN = "fidelity-token"
R = "/repos/{owner}/{repo}"


def _need(name: str) -> Path:
    path = GITHUB / name
    if not path.exists():
        pytest.skip(f"{path} is absent (GitHub's reference files sit beside the project, in ../shared; CI has them)")
    return path


@pytest.fixture(scope="module")
def full_schema() -> graphql.GraphQLSchema:
    text = _need("schema.graphql").read_text(encoding="utf-8")
    return graphql.build_schema(text, assume_valid_sdl=True, assume_valid=True)


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return json.loads(_need("rest-openapi-subset.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def gh() -> Iterator[GitHubDouble]:
    with GitHubDouble(cf.make_activity(seed=3, n_prs=60, n_issues=25), token=TOKEN) as double:
        yield double
        assert double.errors == []


def _get(gh: GitHubDouble, path: str) -> Any:
    req = urllib.request.Request(gh.base_url + path, headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def _graphql(gh: GitHubDouble, query: str, variables: dict[str, Any] | None = None) -> Any:
    data = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(gh.graphql_url, data=data, method="POST",
                                 headers={"Authorization": f"bearer {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def _recorded(name: str) -> Any:
    return json.loads(_need(f"recorded/{name}").read_text(encoding="utf-8"))


# -- (a) the GraphQL subset is GitHub's schema, cut, not rewritten --------------------------------------------------


def _args(field: graphql.GraphQLField) -> dict[str, tuple[str, Any, str | None]]:
    return {n: (str(a.type), a.default_value, a.description) for n, a in field.args.items()}


def test_schema_subset_is_valid_and_builds() -> None:
    assert graphql.validate_schema(load_schema()) == []


def test_schema_subset_agrees_with_github_type_for_type(full_schema: graphql.GraphQLSchema) -> None:
    sub = load_schema()
    checked = 0
    for name, t in sub.type_map.items():
        if name.startswith("__"):
            continue
        assert name in full_schema.type_map, f"{name} is not in GitHub's schema"
        full = full_schema.type_map[name]
        assert type(t) is type(full), f"{name}: {type(t).__name__} here, {type(full).__name__} at GitHub"
        assert t.description == full.description, name
        if isinstance(t, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType):
            assert isinstance(full, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType)
            assert {i.name for i in t.interfaces} <= {i.name for i in full.interfaces}, name
            for fname, f in t.fields.items():
                assert fname in full.fields, f"{name}.{fname} is not in GitHub's schema"
                g = full.fields[fname]
                assert str(f.type) == str(g.type), f"{name}.{fname}: {f.type} here, {g.type} at GitHub"
                assert _args(f) == _args(g), f"{name}.{fname}: arguments differ from GitHub's"
                assert f.deprecation_reason == g.deprecation_reason, f"{name}.{fname}"
                checked += 1
        elif isinstance(t, graphql.GraphQLUnionType):
            assert isinstance(full, graphql.GraphQLUnionType)
            assert {m.name for m in t.types} <= {m.name for m in full.types}, name
        elif isinstance(t, graphql.GraphQLEnumType):
            assert isinstance(full, graphql.GraphQLEnumType)
            assert list(t.values) == list(full.values), f"{name}: enum values differ"
        elif isinstance(t, graphql.GraphQLInputObjectType):
            assert isinstance(full, graphql.GraphQLInputObjectType)
            assert {k: (str(v.type), v.default_value) for k, v in t.fields.items()} == {
                k: (str(v.type), v.default_value) for k, v in full.fields.items()}, name
    assert checked > 100


def test_shipped_subset_is_what_the_extractor_cuts() -> None:
    text = _need("schema.graphql").read_text(encoding="utf-8")
    assert subset_sdl() == extract_subset(text), (
        "schema_subset.graphql is stale: run python -m contribfunnel.testing.graphql_schema ../shared/github/schema.graphql")


QUERIES = {
    "pages": """query($owner: String!, $name: String!, $after: String) {
      repository(owner: $owner, name: $name) {
        pullRequests(first: 50, after: $after, orderBy: {field: UPDATED_AT, direction: DESC}) {
          totalCount pageInfo { hasNextPage endCursor }
          nodes { number title state isDraft createdAt updatedAt closedAt mergedAt authorAssociation
            author { __typename login } mergedBy { login }
            labels(first: 10) { nodes { name } }
            reviews(first: 20) { totalCount nodes { state submittedAt author { login } } }
            changesRequested: reviews(states: CHANGES_REQUESTED) { totalCount }
            comments(first: 20) { totalCount nodes { createdAt author { login } } }
            reviewThreads(first: 10) { totalCount nodes { comments(first: 5) { nodes { createdAt author { login } } } } }
            timelineItems(first: 30, itemTypes: [READY_FOR_REVIEW_EVENT, CLOSED_EVENT, MERGED_EVENT, REOPENED_EVENT,
                                                 LABELED_EVENT]) {
              totalCount
              nodes { __typename
                ... on ReadyForReviewEvent { createdAt actor { login } }
                ... on ClosedEvent { createdAt actor { login } }
                ... on MergedEvent { createdAt actor { login } }
                ... on ReopenedEvent { createdAt actor { login } }
                ... on LabeledEvent { createdAt actor { login } label { name } } } } } }
      }
      rateLimit { cost remaining resetAt limit used nodeCount }
    }""",
    "issues_since": """query($owner: String!, $name: String!, $since: DateTime) {
      repository(owner: $owner, name: $name) {
        issues(first: 100, filterBy: {since: $since}, orderBy: {field: UPDATED_AT, direction: ASC}) {
          totalCount nodes { number updatedAt author { login } comments(first: 10) { totalCount } } } } }""",
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_the_double_s_queries_validate_against_github_s_full_schema(full_schema: graphql.GraphQLSchema, name: str) -> None:
    assert graphql.validate(full_schema, graphql.parse(QUERIES[name])) == []
    assert graphql.validate(load_schema(), graphql.parse(QUERIES[name])) == []


# -- (c) every REST body validates against GitHub's OpenAPI response schema --------------------------------------------

ENDPOINTS = [
    (R, "/repos/example/project"),
    (R + "/pulls", "/repos/example/project/pulls?state=all&per_page=100"),
    (R + "/pulls/{pull_number}", "/repos/example/project/pulls/9"),
    (R + "/pulls/{pull_number}", "/repos/example/project/pulls/1"),
    (R + "/pulls/{pull_number}/reviews", "/repos/example/project/pulls/9/reviews"),
    (R + "/pulls/{pull_number}/comments", "/repos/example/project/pulls/9/comments"),
    (R + "/pulls/comments", "/repos/example/project/pulls/comments?per_page=100"),
    (R + "/pulls/{pull_number}/commits", "/repos/example/project/pulls/9/commits"),
    (R + "/issues", "/repos/example/project/issues?state=all&per_page=100"),
    (R + "/issues/{issue_number}", "/repos/example/project/issues/4"),
    (R + "/issues/{issue_number}", "/repos/example/project/issues/9"),
    (R + "/issues/{issue_number}/comments", "/repos/example/project/issues/4/comments"),
    (R + "/issues/comments", "/repos/example/project/issues/comments?per_page=100"),
    (R + "/issues/{issue_number}/timeline", "/repos/example/project/issues/9/timeline?per_page=100"),
    (R + "/issues/{issue_number}/timeline", "/repos/example/project/issues/4/timeline"),
    (R + "/contributors", "/repos/example/project/contributors"),
    (R + "/collaborators", "/repos/example/project/collaborators"),
    (R + "/community/profile", "/repos/example/project/community/profile"),
    (R + "/contents/{path}", "/repos/example/project/contents/.github/CODEOWNERS"),
    (R + "/contents/{path}", "/repos/example/project/contents/.github"),
    (R + "/labels", "/repos/example/project/labels?per_page=100"),
    (R + "/stargazers", "/repos/example/project/stargazers"),
    (R + "/forks", "/repos/example/project/forks"),
    ("/orgs/{org}/members", "/orgs/example/members"),
    ("/orgs/{org}/public_members", "/orgs/example/public_members"),
    ("/users/{username}", "/users/dependabot[bot]"),
    ("/users/{username}", "/users/example"),
    ("/user", "/user"),
    ("/rate_limit", "/rate_limit"),
]


@pytest.mark.parametrize(("schema_path", "path"), ENDPOINTS, ids=[p for _, p in ENDPOINTS])
def test_rest_body_validates_against_openapi(gh: GitHubDouble, spec: dict[str, Any], schema_path: str, path: str) -> None:
    body = _get(gh, path)
    assert body != [] or path.endswith(("stargazers", "forks")), f"{path}: pick an endpoint with data"
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in response_validator(spec, schema_path).iter_errors(body)]
    assert errors == []
    assert list(unknown_keys(body, response_schema(spec, schema_path))) == [], "keys GitHub does not document"


def test_not_found_body_validates_against_openapi(gh: GitHubDouble, spec: dict[str, Any]) -> None:
    with pytest.raises(urllib.error.HTTPError) as e:
        _get(gh, "/repos/example/nope")
    assert e.value.code == 404
    assert list(response_validator(spec, R, "404").iter_errors(json.load(e.value))) == []


# -- (d) the same key sets and value types as responses recorded from GitHub ------------------------------------------

#: Keys a recording has that the double deliberately leaves out, and why.
ABSENT_ON_PURPOSE = {
    "body_html": "sent only for Accept: application/vnd.github.full+json, which the double does not implement",
    "body_text": "sent only for Accept: application/vnd.github.full+json, which the double does not implement",
    "code_scanning_upload": "a rate-limit resource GitHub's current OpenAPI description no longer lists",
    "code_scanning_autofix": "a rate-limit resource for code scanning; not served",
    "audit_log": "an enterprise rate-limit resource; not served",
    "audit_log_streaming": "an enterprise rate-limit resource; not served",
    "status": "PyGithub's old recordings carry it as a header-like field of 403 bodies",
}

RECORDED_REST = [
    ("rest_pulls_list_page.json", "/repos/example/project/pulls?state=all"),
    ("rest_pulls_list_2012_pygithub.json", "/repos/example/project/pulls?state=all"),
    ("rest_pull_single.json", "/repos/example/project/pulls/9"),
    ("rest_pull_single_pygithub.json", "/repos/example/project/pulls/9"),
    ("rest_pull_reviews.json", "/repos/example/project/pulls/9/reviews"),
    ("rest_pull_reviews_pygithub.json", "/repos/example/project/pulls/9/reviews"),
    ("rest_pull_review_comments.json", "/repos/example/project/pulls/9/comments"),
    ("rest_pull_commits_pygithub.json", "/repos/example/project/pulls/9/commits"),
    ("rest_issue_comments.json", "/repos/example/project/issues/4/comments"),
    ("rest_pr_issue_comments.json", "/repos/example/project/issues/9/comments"),
    ("rest_issue_comments_recent_pygithub.json", "/repos/example/project/issues/4/comments"),
    ("rest_issues_list_page1.json", "/repos/example/project/issues?state=all&per_page=100"),
    ("rest_contributors_page1.json", "/repos/example/project/contributors"),
    ("rest_org_members.json", "/orgs/example/members"),
    ("rest_user.json", "/users/novakn"),
    ("rest_rate_limit_2018.json", "/rate_limit"),
    ("rest_rate_limit_pygithub.json", "/rate_limit"),
    ("rest_requested_reviewers_perceval.json", "/repos/example/project/pulls/9/requested_reviewers"),
]


def _diff(recorded: Any, ours: Any, spec_schema: Any | None = None) -> list[tuple[str, str]]:
    out = []
    for path, what in shape_diff(recorded, ours):
        leaf = path.rsplit(".", 1)[-1]
        if what == "missing" and leaf in ABSENT_ON_PURPOSE:
            continue
        if what == "extra":
            continue  # keys GitHub added since the recording; the OpenAPI test checks we invent none
        out.append((path, what))
    return out


@pytest.mark.parametrize(("recording", "path"), RECORDED_REST, ids=[r for r, _ in RECORDED_REST])
def test_rest_body_has_the_recorded_shape(gh: GitHubDouble, recording: str, path: str) -> None:
    recorded = _recorded(recording)["response"]["body"]
    ours = _get(gh, path)
    if recording == "rest_pulls_list_2012_pygithub.json":
        # The 2012 list shape lacked most of today's keys; it must still be a subset of ours.
        assert set(recorded[0]) - set(ours[0]) == set()
        return
    assert _diff(recorded, ours) == []


def test_rate_limited_and_secondary_bodies_have_the_recorded_shape(gh: GitHubDouble) -> None:
    secondary = _recorded("rest_secondary_rate_limit_body_perceval.json")["response"]["body"]
    primary = _recorded("rest_rate_limited_403_pygithub.json")["response"]
    gh.inject("secondary_rate_limit")
    with pytest.raises(urllib.error.HTTPError) as e:
        _get(gh, "/repos/example/project")
    assert _diff(secondary, json.load(e.value)) == []
    with GitHubDouble(gh.model, anonymous_limit=1) as anon:
        urllib.request.urlopen(anon.base_url + "/repos/example/project", timeout=10).close()
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(anon.base_url + "/repos/example/project", timeout=10)
        assert e.value.code == primary["status"] == 403
        assert _diff(primary["body"], json.load(e.value)) == []
        recorded_headers = {k.lower() for k in primary["headers"] if k.lower().startswith("x-ratelimit")}
        assert recorded_headers <= {k.lower() for k in e.value.headers}
        assert e.value.headers["x-ratelimit-remaining"] == "0"


def test_rest_headers_include_the_recorded_ones(gh: GitHubDouble) -> None:
    recorded = _recorded("rest_issues_list_page1.json")["response"]["headers"]
    req = urllib.request.Request(gh.base_url + "/repos/example/project/issues?state=all&per_page=10",
                                 headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        ours = {k.lower() for k in r.headers}
    wanted = {"content-type", "etag", "link", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
              "cache-control", "vary", "x-github-media-type"}
    assert wanted <= {k.lower() for k in recorded}
    assert wanted <= ours


def test_link_headers_are_formatted_like_github_s(gh: GitHubDouble) -> None:
    nock = _recorded("octokit_paginate_issues_normalized.nock.json")
    recorded = [x["headers"]["link"] for x in nock if "issues" in x["path"]]
    n_pages = len(recorded)
    # Serve exactly as many issues as the recording had pages of 3.
    per_page = -(-len([i for i in gh.model.items.values() if i.state == "open"]) // n_pages)
    link_re = re.compile(r'<([^>]+)>; rel="(\w+)"')
    for page, rec in enumerate(recorded, start=1):
        req = urllib.request.Request(
            f"{gh.base_url}/repos/example/project/issues?per_page={per_page}&page={page}",
            headers={"Authorization": f"token {TOKEN}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            ours = r.headers["Link"]
        rec_rels = [(re.sub(r".*[?&]page=(\d+).*", r"\1", u), rel) for u, rel in link_re.findall(rec)]
        our_rels = [(re.sub(r".*[?&]page=(\d+).*", r"\1", u), rel) for u, rel in link_re.findall(ours)]
        assert our_rels == rec_rels, f"page {page}"
        assert ", ".join(f'<{u}>; rel="{rel}"' for u, rel in link_re.findall(ours)) == ours
        for u, _ in link_re.findall(ours):
            assert re.fullmatch(rf"{gh.base_url}/repositories/{gh.model.id}/issues\?per_page={per_page}&page=\d+", u)
    for u, _ in link_re.findall(recorded[1]):
        assert re.fullmatch(r"https://api.github.com/repositories/\d+/issues\?per_page=3&page=\d+", u)


def _graphql_shape(gh: GitHubDouble, recording: str, query: str, variables: dict[str, Any]) -> list[tuple[str, str]]:
    recorded = _recorded(recording)["response"]["body"]
    ours = _graphql(gh, query, variables)
    assert "errors" not in ours, ours
    return _diff(recorded, ours)


def test_graphql_simple_query_has_the_recorded_shape(gh: GitHubDouble) -> None:
    rec = _recorded("graphql_query_simple_pygithub.json")["request"]["body"]
    assert _graphql_shape(gh, "graphql_query_simple_pygithub.json", rec["query"],
                          {"owner": "example", "name": "project"}) == []


def test_graphql_issue_timeline_has_the_recorded_shape(gh: GitHubDouble) -> None:
    number = next(i.number for i in gh.model.issues() if sum(e.kind == "labeled" for e in i.events) >= 2)
    query = """query($n: Int!) { repository(owner: "example", name: "project") { issue(number: $n) {
      timelineItems(first: 2, itemTypes: [LABELED_EVENT]) {
        nodes { eventType: __typename ... on LabeledEvent { actor { login } id createdAt
          label { name description createdAt isDefault updatedAt } } }
        pageInfo { endCursor hasNextPage } } } } }"""
    assert _graphql_shape(gh, "graphql_issue_timeline_page1_perceval.json", query, {"n": number}) == []


def test_graphql_review_events_have_the_recorded_shape(gh: GitHubDouble) -> None:
    query = """{ repository(owner: "example", name: "project") { pullRequest(number: 9) {
      timelineItems(first: 10, itemTypes: [PULL_REQUEST_REVIEW]) {
        nodes { eventType: __typename ... on PullRequestReview { state body createdAt
          pullRequest { closed closedAt createdAt merged mergedAt updatedAt url } url author { login } } }
        pageInfo { hasNextPage endCursor } } } } }"""
    assert _graphql_shape(gh, "graphql_pr_review_events_perceval.json", query, {}) == []


def test_graphql_connection_page_has_the_recorded_page_info_shape(gh: GitHubDouble) -> None:
    """The discussions page PyGithub recorded is outside the subset; its pageInfo and totalCount are not."""
    recorded = _recorded("graphql_paginated_discussions_pygithub.json")["response"]["body"]
    rec_conn = recorded["data"]["repository"]["discussions"]
    ours = _graphql(gh, """{ repository(owner: "example", name: "project") { pullRequests(first: 2) {
      totalCount pageInfo { startCursor endCursor hasNextPage hasPreviousPage } } } }""")
    conn = ours["data"]["repository"]["pullRequests"]
    assert _diff({k: rec_conn[k] for k in ("totalCount", "pageInfo") if k in rec_conn},
                 {k: conn[k] for k in ("totalCount", "pageInfo") if k in rec_conn}) == []
