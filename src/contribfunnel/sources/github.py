"""The GitHub source: pull requests and issues through GraphQL (via PyGithub's requester), the rest by REST.

Requests a full fetch makes (``p`` = pages of ``page_size`` items):

- GraphQL ``POST /graphql``: ``p`` pages of pull requests and ``p`` pages of
  issues, each item with its first comments, reviews (with states), the count
  of change requests, labels and timeline events (ready for review, converted
  to draft, closed, merged, reopened) in the same request;
- REST ``GET /repos/{owner}/{repo}``, ``/community/profile``,
  ``/contents/{path}`` for CODEOWNERS, GOVERNANCE and MAINTAINERS/OWNERS,
  ``/labels`` and ``/orgs/{org}/members`` (where visible): about ten requests,
  repeated at most once a day.

A later fetch resumes from the stored cursors: items come in ascending
``updatedAt`` order, so everything updated since the last fetch lies after the
last cursor.  Never the Search API (it stops at 1,000 results) and never lazy
PyGithub attributes.  The token is used for requests only: it is never stored,
logged or shown.
"""

from __future__ import annotations

import base64
import os
import random
import re
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import github
import pandas as pd
import requests
from github import Auth

from contribfunnel.activity import Activity, Meta
from contribfunnel.config import Config
from contribfunnel.errors import DataError, UsageError
from contribfunnel.identities import resolve_identities
from contribfunnel.periods import to_utc
from contribfunnel.store import Store

__all__ = ["ISSUE_QUERY", "PR_QUERY", "Retry", "fetch_github", "read_store"]

_SLUG = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_FILES = {  # REST contents fetched for governance: path -> kind
    ".github/CODEOWNERS": "codeowners", "CODEOWNERS": "codeowners", "docs/CODEOWNERS": "codeowners",
    "GOVERNANCE.md": "governance", "MAINTAINERS": "maintainers", "MAINTAINERS.md": "maintainers",
    "OWNERS": "maintainers",
}
_PROFILE = {"contributing": "contributing", "code_of_conduct_file": "code_of_conduct", "license": "license",
            "pull_request_template": "pr_template", "issue_template": "issue_template", "readme": "readme"}
_REST_EVERY = pd.Timedelta(days=1)
_GOOD_FIRST = {"good first issue", "good first bug", "beginner", "beginner friendly", "starter", "easy",
               "first timers only", "newcomer"}

_ACTOR = "{ __typename login }"
def _fragments(*types: str) -> str:
    return " ".join(f"... on {t} {{ actor {_ACTOR} createdAt }}" for t in types)


_EVENTS = _fragments("ReadyForReviewEvent", "ConvertToDraftEvent", "ClosedEvent", "MergedEvent", "ReopenedEvent")
_ISSUE_EVENTS = _fragments("ClosedEvent", "ReopenedEvent")
_EVENT_KINDS = {"ReadyForReviewEvent": "ready_for_review", "ConvertToDraftEvent": "converted_to_draft",
                "ClosedEvent": "closed", "MergedEvent": "merged", "ReopenedEvent": "reopened"}
_COMMON = f"""
        number title state createdAt updatedAt closedAt
        author {_ACTOR} authorAssociation
        labels(first: 20) {{ nodes {{ name }} }}
        comments(first: 50) {{ totalCount nodes {{ author {_ACTOR} createdAt }} }}"""

PR_QUERY = f"""query($owner: String!, $name: String!, $first: Int!, $after: String) {{
  rateLimit {{ cost remaining resetAt limit used }}
  repository(owner: $owner, name: $name) {{
    pullRequests(first: $first, after: $after, orderBy: {{field: UPDATED_AT, direction: ASC}}) {{
      totalCount
      pageInfo {{ hasNextPage endCursor }}
      nodes {{{_COMMON}
        isDraft mergedAt mergedBy {_ACTOR}
        reviews(first: 50) {{ totalCount nodes {{ author {_ACTOR} state submittedAt createdAt }} }}
        changesRequested: reviews(states: CHANGES_REQUESTED) {{ totalCount }}
        timelineItems(first: 50, itemTypes: [READY_FOR_REVIEW_EVENT, CONVERT_TO_DRAFT_EVENT, CLOSED_EVENT,
                                              MERGED_EVENT, REOPENED_EVENT]) {{
          nodes {{ __typename {_EVENTS} }}
        }}
      }}
    }}
  }}
}}"""
"""One page of pull requests with everything the friction metrics need (design §4)."""

ISSUE_QUERY = f"""query($owner: String!, $name: String!, $first: Int!, $after: String) {{
  rateLimit {{ cost remaining resetAt limit used }}
  repository(owner: $owner, name: $name) {{
    issues(first: $first, after: $after, orderBy: {{field: UPDATED_AT, direction: ASC}}) {{
      totalCount
      pageInfo {{ hasNextPage endCursor }}
      nodes {{{_COMMON}
        timelineItems(first: 50, itemTypes: [CLOSED_EVENT, REOPENED_EVENT]) {{
          nodes {{ __typename {_ISSUE_EVENTS} }}
        }}
      }}
    }}
  }}
}}"""
"""One page of issues with their first comments and close/reopen events."""


@dataclass
class Retry:
    """How faults are retried: bounded exponential backoff with full jitter; ``sleep`` is injectable for tests."""

    attempts: int = 6
    base: float = 1.0
    cap: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    notify: Callable[[str], None] = field(default=lambda msg: print(f"contribfunnel: {msg}", file=sys.stderr))

    def delay(self, attempt: int) -> float:
        return random.uniform(0, min(self.cap, self.base * 2**attempt))


class _TransientError(Exception):
    """A fault worth retrying (5xx, dropped connection, truncated body, GraphQL timeout or partial data)."""


class _Client:
    """PyGithub's requester with our own retry, rate-limit and page-size policy; counts requests."""

    def __init__(self, token: str | None, base_url: str | None, retry: Retry) -> None:
        # PyGithub's own retry and pacing are off: it treats every GraphQL POST as a write and sleeps a
        # second before each. Requests here are serial reads; faults and limits are handled below.
        kwargs: dict[str, Any] = {"retry": None, "per_page": 100, "timeout": 30, "seconds_between_requests": None,
                                  "seconds_between_writes": None}
        if base_url:
            kwargs["base_url"] = base_url.rstrip("/")
        self._gh = github.Github(auth=Auth.Token(token) if token else None, **kwargs)
        self._req = self._gh.requester
        self.retry = retry
        self.requests = 0
        self.points = 0

    def close(self) -> None:
        self._gh.close()

    def _call(self, verb: str, url: str, body: Any = None) -> tuple[Mapping[str, Any], Any]:
        for attempt in range(self.retry.attempts):
            self.requests += 1
            try:
                headers, data = self._req.requestJsonAndCheck(verb, url, input=body)
                return headers, data
            except github.GithubException as exc:
                status, headers = exc.status, exc.headers or {}
                if status in (401,):
                    raise UsageError("GitHub refused the token (401 Bad credentials): check GITHUB_TOKEN") from None
                if status in (403, 429) and self._limited(headers, attempt):
                    continue
                if status >= 500:
                    self._backoff(attempt, f"GitHub answered {status}")
                    continue
                raise
            except (requests.exceptions.RequestException, ValueError) as exc:
                if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
                    raise UsageError(f"bad GitHub URL {url!r}") from None
                self._backoff(attempt, f"connection problem ({type(exc).__name__})")
        raise DataError(f"GitHub kept failing after {self.retry.attempts} attempts; try again later")

    def _limited(self, headers: Mapping[str, Any], attempt: int) -> bool:
        h = {k.lower(): v for k, v in headers.items()}
        if "retry-after" in h:
            wait = float(h["retry-after"])
            self.retry.notify(f"secondary rate limit: waiting {wait:.0f} s as GitHub asks")
            self.retry.sleep(wait)
            return True
        if h.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in h:
            reset = pd.Timestamp(int(h["x-ratelimit-reset"]), unit="s", tz="UTC")
            wait = max(0.0, float(h["x-ratelimit-reset"]) - time.time()) + 1
            self.retry.notify(f"rate limit spent: waiting until {reset:%H:%M:%S} UTC ({wait:.0f} s)")
            self.retry.sleep(wait)
            return True
        return False

    def _backoff(self, attempt: int, why: str) -> None:
        if attempt + 1 < self.retry.attempts:
            wait = self.retry.delay(attempt)
            self.retry.notify(f"{why}; retrying in {wait:.1f} s")
            self.retry.sleep(wait)

    def rest(self, path: str) -> Any:
        return self._call("GET", path)[1]

    def graphql(self, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        """One GraphQL request; errors and partial data raise :class:`_TransientError`, never returned as complete."""
        _, data = self._call("POST", self._req.graphql_url, {"query": query, "variables": dict(variables)})
        errors = data.get("errors") or []
        if any(e.get("type") == "NOT_FOUND" for e in errors):
            raise UsageError(f"unknown repository: {variables.get('owner')}/{variables.get('name')} (404)")
        message = "; ".join(str(e.get("message", e)) for e in errors)[:300]
        if errors and data.get("data") is None and "timeout" not in message.lower():
            raise DataError(f"GitHub rejected the query: {message}")  # a bug of ours, not a passing fault
        if errors:
            raise _TransientError(message)  # partial data or a timeout: never stored as a complete page
        cost = ((data.get("data") or {}).get("rateLimit") or {}).get("cost")
        self.points += int(cost or 0)
        return dict(data["data"])


def _token(token: str | None) -> str | None:
    return token or os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN") or None


def _store_path(slug: str, store: str | Path | None) -> Path:
    if store is not None:
        return Path(store)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "contribfunnel" / "github" / f"{slug.replace('/', '__')}.sqlite"


def fetch_github(
    slug: str,
    *,
    since: Any = None,
    token: str | None = None,
    base_url: str | None = None,
    store: str | Path | None = None,
    config: Config | None = None,
    page_size: int = 100,
    quiet: bool = False,
    retry: Retry | None = None,
) -> Activity:
    """Fetch (or refresh) a GitHub repository's activity into the local store and return it as an Activity.

    Parameters
    ----------
    slug
        ``"owner/repo"``.
    since
        Keep only items created on or after this date in the returned Activity
        (the store keeps everything fetched).
    token
        A GitHub token; by default ``GITHUB_TOKEN`` or ``GH_TOKEN``.  Used for
        requests only, never stored or shown.
    base_url
        GitHub Enterprise (``https://host/api/v3``) or a test double.
    store
        The SQLite store; by default ``~/.cache/contribfunnel/github/owner__repo.sqlite``.
    page_size
        Items per GraphQL request (at most 100); halved when GitHub times out.
    quiet
        No progress bar (it is also silent when stderr is not a terminal).
    retry
        Backoff and rate-limit policy (see :class:`Retry`).
    """
    if not _SLUG.match(slug):
        raise UsageError(f"{slug}: not a valid OWNER/REPO")
    tok = _token(token)
    if not tok:
        raise UsageError("GitHub's GraphQL API needs a token: set GITHUB_TOKEN (a token with no scopes will do)")
    owner, name = slug.split("/")
    db = Store(_store_path(slug, store))
    client = _Client(tok, base_url, retry or Retry())
    try:
        for kind, query, key in (("pr", PR_QUERY, "pullRequests"), ("issue", ISSUE_QUERY, "issues")):
            _fetch_stream(client, db, slug, kind, query, key, max(1, min(100, page_size)), quiet)
        last = db.meta("rest_fetched_at")
        if last is None or pd.Timestamp.now(tz="UTC") - pd.Timestamp(last) > _REST_EVERY:
            _fetch_rest(client, db, slug, owner, name)
        db.set_meta("fetched_at", pd.Timestamp.now(tz="UTC").isoformat())
        db.set_meta("requests_last_fetch", client.requests)
    except requests.exceptions.ConnectionError:
        raise DataError(f"cannot reach GitHub at {base_url or 'api.github.com'}") from None
    finally:
        client.close()
    return read_store(db.path, repo=slug, since=since, config=config)


def _fetch_stream(client: _Client, db: Store, slug: str, kind: str, query: str, key: str, page_size: int,
                  quiet: bool) -> None:
    owner, name = slug.split("/")
    cursor, _ = db.cursor(slug, kind)
    bar = _progress(kind, quiet)
    size = page_size
    attempts = 0
    try:
        while True:
            try:
                data = client.graphql(query, {"owner": owner, "name": name, "first": size, "after": cursor})
            except _TransientError as exc:
                attempts += 1
                if attempts >= client.retry.attempts:
                    raise DataError(f"GitHub kept returning errors for {slug} {kind}s: {exc}") from None
                if "timeout" in str(exc).lower() or "timedout" in str(exc).lower():
                    size = max(5, size // 2)  # GitHub gives up on heavy pages: ask for fewer items
                client._backoff(attempts - 1, f"GitHub returned an incomplete page ({exc})")
                continue
            attempts = 0
            repo = data.get("repository")
            if repo is None:
                raise UsageError(f"unknown repository: {slug} (404)")
            conn = repo[key]
            nodes = [n for n in conn["nodes"] if n]
            info = conn["pageInfo"]
            end = info.get("endCursor") or cursor
            db.save_page(slug, kind, [(str(n["number"]), n.get("updatedAt"), n) for n in nodes], stream=kind,
                         cursor=end, complete=not info["hasNextPage"])
            if bar is not None:
                bar.total = conn.get("totalCount")
                bar.update(len(nodes))
            cursor = end
            if not info["hasNextPage"]:
                return
    finally:
        if bar is not None:
            bar.close()


def _progress(kind: str, quiet: bool) -> Any:
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(desc=f"{kind}s", unit=" items", file=sys.stderr, leave=False)


def _fetch_rest(client: _Client, db: Store, slug: str, owner: str, name: str) -> None:
    repo = client.rest(f"/repos/{owner}/{name}")
    rows: list[tuple[str, str | None, Mapping[str, Any]]] = []
    profile = client.rest(f"/repos/{owner}/{name}/community/profile")
    for field_name, kind in _PROFILE.items():
        found = (profile.get("files") or {}).get(field_name)
        if found:
            path = found.get("name") or found.get("key") or found.get("html_url", "").rsplit("/", 1)[-1] or kind
            rows.append((f"{kind}:{path}", None, {"kind": kind, "path": path}))
    for path, kind in _FILES.items():
        try:
            body = client.rest(f"/repos/{owner}/{name}/contents/{path}")
        except github.GithubException as exc:
            if exc.status == 404:
                continue
            raise
        if isinstance(body, dict) and body.get("type") == "file":
            text = None
            if body.get("encoding") == "base64" and body.get("content"):
                text = base64.b64decode(body["content"]).decode("utf-8", "replace")[:65536]
            rows.append((f"{kind}:{path}", None, {"kind": kind, "path": path, "size": body.get("size"),
                                                  "content": text}))
    for label in client.rest(f"/repos/{owner}/{name}/labels") or []:
        rows.append((f"label:{label['name']}", None, {"kind": "label", "path": label["name"]}))
    members: list[str] = []
    note = None
    if (repo.get("owner") or {}).get("type") == "Organization":
        try:
            members = [m["login"] for m in client.rest(f"/orgs/{owner}/members") or []]
        except github.GithubException as exc:
            if exc.status not in (403, 404):
                raise
            note = "organisation members are not visible with this token: the org-membership rule was skipped"
    db.save_page(slug, "file", rows, stream="rest", cursor=None, complete=True)
    db.set_meta("org_members", members)
    db.set_meta("org_members_note", note)
    db.set_meta("rest_fetched_at", pd.Timestamp.now(tz="UTC").isoformat())


def _login(actor: Mapping[str, Any] | None) -> str | None:
    if not actor:
        return None
    login = str(actor.get("login") or "")
    if actor.get("__typename") == "Bot" and not login.endswith("[bot]"):
        login += "[bot]"  # GraphQL drops the suffix REST shows; keep one identity
    return login or None


def read_store(path: str | Path, *, repo: str | None = None, since: Any = None, config: Config | None = None,
               as_of: Any = None) -> Activity:
    """Build an Activity from a store written by :func:`fetch_github` (no network).

    ``repo`` (``owner/name``) may be left out when the store holds one repository;
    ``as_of`` defaults to the time of the last fetch.
    """
    db = Store(path)
    stored = db.repos()
    if repo is None:
        if len(stored) != 1:
            raise UsageError(f"{path}: holds {len(stored)} repositories; say which with repo=")
        repo = stored[0]
    elif repo not in stored:
        raise UsageError(f"{path}: nothing fetched for {repo}")
    slug = repo
    fetched = db.meta("fetched_at")
    if fetched is None:
        raise DataError(f"{path}: nothing fetched for {slug} yet")
    items, events, bots = [], [], {}

    def actor(a: Mapping[str, Any] | None) -> str | None:
        login = _login(a)
        if login and a and a.get("__typename") == "Bot":
            bots[login] = True
        return login

    for kind in ("pr", "issue"):
        for n in db.records(slug, kind):
            number = int(n["number"])
            author = actor(n.get("author"))
            timeline = [t for t in ((n.get("timelineItems") or {}).get("nodes") or []) if t]
            drafty = [t for t in timeline if t["__typename"] in ("ReadyForReviewEvent", "ConvertToDraftEvent")]
            ready_at: Any = n["createdAt"]
            if kind == "pr" and drafty and drafty[0]["__typename"] == "ReadyForReviewEvent":
                ready_at = drafty[0]["createdAt"]  # opened as a draft
            if kind == "pr" and n.get("isDraft"):
                ready_at = None
            closes = [t for t in timeline if t["__typename"] == "ClosedEvent"]
            state = "merged" if n.get("mergedAt") else ("closed" if n["state"] == "CLOSED" else "open")
            merged_by = actor(n.get("mergedBy"))
            items.append({
                "repo": slug, "number": number, "kind": kind, "author": author, "created_at": n["createdAt"],
                "ready_at": ready_at, "updated_at": n.get("updatedAt"), "closed_at": n.get("closedAt"),
                "merged_at": n.get("mergedAt"), "merged_by": merged_by,
                "closed_by": merged_by if state == "merged" else (actor(closes[-1].get("actor")) if closes else None),
                "state": state, "is_draft": bool(n.get("isDraft")), "title": n.get("title"),
                "labels": tuple(lb["name"] for lb in (n.get("labels") or {}).get("nodes") or []),
                "author_association": n.get("authorAssociation"),
            })
            for c in (n.get("comments") or {}).get("nodes") or []:
                events.append({"repo": slug, "number": number, "kind": "comment", "actor": actor(c.get("author")),
                               "at": c["createdAt"]})
            for r in (n.get("reviews") or {}).get("nodes") or []:
                events.append({"repo": slug, "number": number, "kind": "review", "actor": actor(r.get("author")),
                               "at": r.get("submittedAt") or r["createdAt"], "review_state": r["state"]})
            for t in timeline:
                events.append({"repo": slug, "number": number, "kind": _EVENT_KINDS[t["__typename"]],
                               "actor": actor(t.get("actor")), "at": t["createdAt"]})
    files = [{"repo": slug, "kind": f["kind"], "path": f["path"], "size": f.get("size"), "content": f.get("content")}
             for f in db.records(slug, "file")]
    # Open "good first issue" items come with the issues already fetched: no extra request.
    files += [{"repo": slug, "kind": "good_first_issue", "path": str(i["number"])} for i in items
              if i["kind"] == "issue" and i["state"] == "open"
              and any(lb.lower().replace("-", " ") in _GOOD_FIRST for lb in i["labels"])]
    members = set(db.meta("org_members", []) or [])
    logins = {i["author"] for i in items} | {e["actor"] for e in events} | {i["merged_by"] for i in items}
    people = [{"person": lg, "logins": (lg,), "is_bot": lg in bots, "bot_reason": "github-type" if lg in bots else None,
               "is_internal": lg in members, "internal_rule": "organisation member" if lg in members else None}
              for lg in sorted(x for x in logins if x)]
    ev = pd.DataFrame(events, columns=["repo", "number", "kind", "actor", "at", "review_state"])
    ev = ev.drop_duplicates(["repo", "number", "kind", "actor", "at"])
    notes = ["GitHub: review comments are not fetched (a review precedes its comments, so response times hold)"]
    if db.meta("org_members_note"):
        notes.append(str(db.meta("org_members_note")))
    since_ts = None if since is None else to_utc(since, name="since")
    try:
        own = version("contribfunnel")
    except PackageNotFoundError:  # pragma: no cover
        own = "dev"
    meta = Meta(as_of=as_of or fetched, repos=(slug,), sources=("github",), since=since_ts,
                history_complete=since_ts is None, notes=tuple(notes),
                versions={"contribfunnel": own, "PyGithub": version("PyGithub")})
    act = Activity.from_tables(meta=meta, items=items, events=ev, people=people, repo_files=files)
    if since_ts is not None:
        keep = act.items[act.items.created_at >= since_ts][["repo", "number"]]
        act = Activity.from_tables(meta=meta, items=act.items.merge(keep), events=act.events.merge(keep),
                                   people=act.people, repo_files=act.repo_files)
    return resolve_identities(act, config=config)

