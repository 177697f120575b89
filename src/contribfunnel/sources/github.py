"""The GitHub source: pull requests and issues through GraphQL (via PyGithub's requester), the rest by REST.

Requests a full fetch makes with a token (``p`` = pages of ``page_size`` items):

- GraphQL ``POST /graphql``: ``p`` pages of pull requests and ``p`` pages of
  issues, each item with, nested, the first page of each of its connections:
  labels, comments, reviews (with states) and the count of change requests,
  review threads with their comments, commits, and timeline events (ready for
  review, converted to draft, closed, merged, reopened, labeled);
- GraphQL follow-ups, only for items whose connection did not fit in the
  first nested page (a thread of 187 comments, say): one request pages up to
  :data:`FOLLOW_UP_BATCH` such connections at once, 100 nodes each, by aliases;
- REST ``GET /repos/{owner}/{repo}``, ``/community/profile``,
  ``/contents/{path}`` for CODEOWNERS, GOVERNANCE and MAINTAINERS/OWNERS,
  ``/labels`` and ``/orgs/{org}/members`` (where visible; lists of 100 a page,
  following ``Link``): about a dozen requests, repeated at most once a day.

Every answer the library gives depends on the whole events table (the first
human response, the guidance before a decision, newcomers' first comments,
the review graph), so no nested connection is cut short: the page's
``pageInfo`` says when a connection goes on, and only then is it paged
further.  Items come in ascending ``updatedAt`` order, so a later fetch
resumes from the stored cursor and sees everything updated since.  Each page
is stored, complete, in one transaction with its cursor.

Without a token (GitHub's GraphQL API refuses anonymous callers with 401) the
same records are built from REST: the issues list (pull requests included)
and one timeline per item, within GitHub's 60 requests an hour for anonymous
callers; a warning says so.  Never the Search API (it stops at 1,000 results)
and never lazy PyGithub attributes.  Rate limits are read from every answer
(``x-ratelimit-*`` headers, GraphQL's ``rateLimit``) and waited out before
they are spent.  The token is used for requests only: it is never stored,
logged or shown.
"""

from __future__ import annotations

import base64
import os
import random
import re
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
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

__all__ = [
    "FOLLOW_UP_BATCH",
    "ISSUE_QUERY",
    "PR_QUERY",
    "Retry",
    "commit_emails",
    "fetch_github",
    "file_rows",
    "follow_up_query",
    "item_rows",
    "member_logins",
    "rate_from_body",
    "read_store",
    "rest_node",
]

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
_ANONYMOUS_LIMIT = 60
#: What stored records hold: 2 = every nested connection complete, with review threads and commits.
#: Stores written before (1) are refetched in full once, so no item keeps the old, cut-short record.
_RECORDS_VERSION = 2
_NOREPLY = re.compile(r"^(?:\d+\+)?(?P<login>[^@\s]+)@users\.noreply\.github\.com$", re.IGNORECASE)

# -- the queries ------------------------------------------------------------------------------------------------------

_ACTOR = "{ __typename login }"
_PAGE_INFO = "totalCount pageInfo { hasNextPage endCursor }"
_TIMELINE = {"ReadyForReviewEvent": "ready_for_review", "ConvertToDraftEvent": "converted_to_draft",
             "ClosedEvent": "closed", "MergedEvent": "merged", "ReopenedEvent": "reopened", "LabeledEvent": "labeled"}
_ITEM_TYPE = {"ReadyForReviewEvent": "READY_FOR_REVIEW_EVENT", "ConvertToDraftEvent": "CONVERT_TO_DRAFT_EVENT",
              "ClosedEvent": "CLOSED_EVENT", "MergedEvent": "MERGED_EVENT", "ReopenedEvent": "REOPENED_EVENT",
              "LabeledEvent": "LABELED_EVENT"}


def _events(*types: str) -> str:
    def one(t: str) -> str:
        label = " label { name }" if t == "LabeledEvent" else ""
        return f"... on {t} {{ actor {_ACTOR} createdAt{label} }}"

    return f"__typename {' '.join(one(t) for t in types)}"


@dataclass(frozen=True)
class _Conn:
    """A nested connection of an item: its field, what each node carries, and how many come with the item."""

    field: str
    nodes: str
    first: int
    extra: str = ""

    def select(self, args: str) -> str:
        arguments = ", ".join(a for a in (args, self.extra) if a)
        return f"{self.field}({arguments}) {{ {_PAGE_INFO} nodes {{ {self.nodes} }} }}"


_PR_TYPES = ("ReadyForReviewEvent", "ConvertToDraftEvent", "ClosedEvent", "MergedEvent", "ReopenedEvent", "LabeledEvent")
_ISSUE_TYPES = ("ClosedEvent", "ReopenedEvent", "LabeledEvent")
_THREAD_COMMENTS = _Conn("comments", f"author {_ACTOR} createdAt", 20)
_LABELS = _Conn("labels", "name", 50)
_COMMENTS = _Conn("comments", f"author {_ACTOR} createdAt", 100)
_PR_CONNS = (
    _LABELS,
    _COMMENTS,
    _Conn("reviews", f"author {_ACTOR} state submittedAt createdAt", 100),
    _Conn("reviewThreads", f"id {_THREAD_COMMENTS.select(f'first: {_THREAD_COMMENTS.first}')}", 10),
    _Conn("commits", "commit { committedDate author { name email user { login } } }", 100),
    _Conn("timelineItems", _events(*_PR_TYPES), 100, f"itemTypes: [{', '.join(_ITEM_TYPE[t] for t in _PR_TYPES)}]"),
)
_ISSUE_CONNS = (
    _LABELS,
    _COMMENTS,
    _Conn("timelineItems", _events(*_ISSUE_TYPES), 100,
          f"itemTypes: [{', '.join(_ITEM_TYPE[t] for t in _ISSUE_TYPES)}]"),
)
_CONNS = {"pr": _PR_CONNS, "issue": _ISSUE_CONNS}
_RATE = "rateLimit { cost remaining resetAt limit used }"


def _page_query(kind: str) -> str:
    key = "pullRequests" if kind == "pr" else "issues"
    nested = "\n        ".join(c.select(f"first: {c.first}") for c in _CONNS[kind])
    extra = ("isDraft mergedAt mergedBy " + _ACTOR + "\n        changesRequested: reviews(states: CHANGES_REQUESTED) "
             "{ totalCount }\n        ") if kind == "pr" else ""
    return f"""query($owner: String!, $name: String!, $first: Int!, $after: String) {{
  {_RATE}
  repository(owner: $owner, name: $name) {{
    {key}(first: $first, after: $after, orderBy: {{field: UPDATED_AT, direction: ASC}}) {{
      {_PAGE_INFO}
      nodes {{
        number title state createdAt updatedAt closedAt author {_ACTOR} authorAssociation
        {extra}{nested}
      }}
    }}
  }}
}}"""


PR_QUERY = _page_query("pr")
"""One page of pull requests with the first page of every nested connection (design §4)."""

ISSUE_QUERY = _page_query("issue")
"""One page of issues with their first labels, comments and close/reopen/label events."""

#: How many unfinished nested connections one follow-up request pages at once (100 nodes each).
FOLLOW_UP_BATCH = 20


@dataclass
class _Target:
    """A nested connection that goes on: where it lives, the nodes kept so far, and the cursor to go on from."""

    kind: str  # "pr", "issue" or "thread"
    ref: int | str  # item number, or the thread's node id
    conn: _Conn
    into: dict[str, Any]  # the connection object in the stored record, extended in place

    @property
    def cursor(self) -> str | None:
        return (self.into.get("pageInfo") or {}).get("endCursor")


def follow_up_query(targets: Sequence[_Target]) -> tuple[str, dict[str, Any]]:
    """One GraphQL query paging every target further by 100, with an alias per target, and its variables."""
    decl: list[str] = []
    in_repo: list[str] = []
    top: list[str] = []
    variables: dict[str, Any] = {}
    for k, t in enumerate(targets):
        sel = t.conn.select(f"first: 100, after: $c{k}")
        variables[f"c{k}"] = t.cursor
        if t.kind == "thread":
            decl += [f"$id{k}: ID!", f"$c{k}: String"]
            variables[f"id{k}"] = t.ref
            top.append(f"f{k}: node(id: $id{k}) {{ ... on PullRequestReviewThread {{ {sel} }} }}")
        else:
            decl += [f"$n{k}: Int!", f"$c{k}: String"]
            variables[f"n{k}"] = int(t.ref)
            top_field = "pullRequest" if t.kind == "pr" else "issue"
            in_repo.append(f"f{k}: {top_field}(number: $n{k}) {{ {sel} }}")
    repo = ""
    if in_repo:
        decl = ["$owner: String!", "$name: String!", *decl]
        repo = f"repository(owner: $owner, name: $name) {{ {' '.join(in_repo)} }}"
    query = f"query({', '.join(decl)}) {{ {_RATE} {repo} {' '.join(top)} }}"
    return query, variables


def _unfinished(kind: str, number: int, node: Mapping[str, Any]) -> Iterator[_Target]:
    """The connections of one item (and of its review threads) that go on beyond what the page returned."""
    for conn in _CONNS[kind]:
        got = node.get(conn.field)
        if isinstance(got, dict) and (got.get("pageInfo") or {}).get("hasNextPage"):
            yield _Target(kind, number, conn, got)
    yield from _unfinished_threads((node.get("reviewThreads") or {}).get("nodes") or [])


def _unfinished_threads(threads: Sequence[Mapping[str, Any]]) -> Iterator[_Target]:
    for thread in threads:
        got = (thread or {}).get("comments")
        if isinstance(got, dict) and (got.get("pageInfo") or {}).get("hasNextPage") and thread.get("id"):
            yield _Target("thread", str(thread["id"]), _THREAD_COMMENTS, got)


# -- retries, rate limits and requests ---------------------------------------------------------------------------------


def _stderr(msg: str) -> None:
    print(f"contribfunnel: {msg}", file=sys.stderr)


@dataclass
class Retry:
    """How faults and rate limits are handled; ``sleep`` and ``clock`` are injectable so tests never wait.

    Parameters
    ----------
    attempts
        Tries of one request on 5xx answers, GraphQL timeouts or partial data and
        dropped connections (bounded exponential backoff with full jitter).
        Rate-limit waits do not use these up.
    base, cap
        Backoff: a random wait of up to ``min(cap, base * 2**attempt)`` seconds.
    sleep, clock
        ``time.sleep`` and ``time.time`` by default; the source reads the clock
        only through ``clock``.
    notify
        Where warnings and waits are told (stderr by default).
    limit_waits
        Rate-limit waits in a row for one request before giving up.
    secondary_wait
        The first wait on a secondary rate limit that names no ``retry-after``
        (GitHub asks for at least a minute); doubled on each repeat.
    max_wait, max_total_wait
        No single wait is longer than ``max_wait`` (a primary limit resets within the hour; a reset further
        off means a skewed clock or a bogus header), and a fetch that would wait longer than
        ``max_total_wait`` in all stops with a one-line error naming the reset instead.
    """

    attempts: int = 6
    base: float = 1.0
    cap: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    notify: Callable[[str], None] = field(default=_stderr)
    clock: Callable[[], float] = time.time
    limit_waits: int = 12
    secondary_wait: float = 60.0
    max_wait: float = 3900.0
    max_total_wait: float = 4 * 3600.0

    def delay(self, attempt: int) -> float:
        return random.uniform(0, min(self.cap, self.base * 2**attempt))


class _TransientError(Exception):
    """A fault worth retrying: 5xx, dropped connection, truncated body, GraphQL timeout or partial data."""

    def __init__(self, message: str, *, timeout: bool = False, connect: bool = False) -> None:
        super().__init__(message)
        self.timeout = timeout
        self.connect = connect


class _HTTPError(DataError):
    """GitHub answered with an error status the caller may expect (404 on a missing file, 403 on members)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _one_line(text: Any, limit: int = 200) -> str:
    return " ".join(str(text or "").split())[:limit]


def _reset_at(value: Any) -> float | None:
    """Epoch seconds of a reset given as epoch seconds (REST) or an ISO time (GraphQL's ``resetAt``)."""
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        try:
            return float(pd.Timestamp(value).timestamp())
        except (TypeError, ValueError):
            return None


def rate_from_body(body: Mapping[str, Any], resource: str = "core") -> tuple[int, int, float] | None:
    """``(remaining, limit, reset epoch seconds)`` of one resource from ``GET /rate_limit`` (old and new shapes)."""
    found = ((body.get("resources") or {}).get(resource)) or (body.get("rate") if resource == "core" else None)
    if not found:
        return None
    reset = _reset_at(found.get("reset"))
    if reset is None:
        return None
    return int(found["remaining"]), int(found["limit"]), reset


def _is_secondary(message: str) -> bool:
    m = message.lower()
    return "secondary rate limit" in m or "abuse" in m or m.endswith("please retry your request again later.")


class _Client:
    """PyGithub's requester with our own retry, rate-limit and page-size policy; counts requests."""

    def __init__(self, token: str | None, base_url: str | None, retry: Retry) -> None:
        # PyGithub's own retry and pacing are off: it treats every GraphQL POST as a write and sleeps a
        # second before each. Requests here are serial reads; faults and limits are handled below.
        kwargs: dict[str, Any] = {"retry": None, "per_page": 100, "timeout": 30, "seconds_between_requests": None,
                                  "seconds_between_writes": None}
        if base_url:
            parts = urllib.parse.urlsplit(base_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise UsageError(f"bad GitHub URL {_one_line(_without_credentials(base_url), 100)!r}: "
                                 "use https://HOST/api/v3 (or http://)")
            if parts.username or parts.password:
                raise UsageError("the GitHub URL carries credentials: put the token in GITHUB_TOKEN, not in the URL")
            kwargs["base_url"] = base_url.rstrip("/")
        self._gh = github.Github(auth=Auth.Token(token) if token else None, **kwargs)
        self._req = self._gh.requester
        parsed = urllib.parse.urlsplit(base_url or "https://api.github.com")
        self.host = (parsed.hostname or "api.github.com") + (f":{parsed.port}" if parsed.port else "")
        self.waited = 0.0  # seconds spent waiting out rate limits in this fetch
        self.retry = retry
        self.anonymous = not token
        self.requests = 0
        self.points = 0
        self.reached = False  # whether GitHub ever answered
        self.budget: dict[str, tuple[int, float]] = {}  # resource -> (remaining, reset epoch seconds)
        self.costs: dict[str, int] = {}  # what the next request of a kind will probably cost

    def close(self) -> None:
        self._gh.close()

    # -- one exchange, rate limits waited out --------------------------------------------------------------------------

    def _note_limits(self, headers: Mapping[str, Any]) -> None:
        h = {str(k).lower(): v for k, v in headers.items()}
        if "x-ratelimit-remaining" in h and "x-ratelimit-reset" in h:
            reset = _reset_at(h["x-ratelimit-reset"])
            try:
                remaining = int(float(h["x-ratelimit-remaining"]))
            except (TypeError, ValueError):
                return
            if reset is not None:
                self.budget[str(h.get("x-ratelimit-resource") or "core")] = (remaining, reset)

    def _wait_until(self, reset: float, why: str) -> None:
        at = pd.Timestamp(reset, unit="s", tz="UTC")
        wait = self._bounded(max(0.0, reset - self.retry.clock()) + 1, f"{at:%Y-%m-%d %H:%M:%S} UTC")
        self.retry.notify(f"{why}: waiting until {at:%Y-%m-%d %H:%M:%S} UTC ({wait:.0f} s), then resuming")
        self.retry.sleep(wait)

    def _bounded(self, wait: float, until: str) -> float:
        """A rate-limit wait, at most ``max_wait``; past ``max_total_wait`` in all, stop and say until when."""
        wait = min(wait, self.retry.max_wait)
        if self.waited + wait > self.retry.max_total_wait:
            raise DataError(f"GitHub's rate limit would keep this fetch waiting for more than "
                            f"{self.retry.max_total_wait / 3600:g} h (until {until}); run it again later")
        self.waited += wait
        return wait

    def _pace(self, resource: str, cost: int) -> None:
        """Wait for the reset before a request the remaining budget cannot pay for."""
        if resource not in self.budget:
            return
        remaining, reset = self.budget[resource]
        if remaining < cost and reset > self.retry.clock():
            what = "GraphQL points" if resource == "graphql" else "requests"
            self._wait_until(reset, f"GitHub's rate limit is nearly spent ({remaining} {what} left)")
            del self.budget[resource]

    def _limit_wait(self, status: int, headers: Mapping[str, Any], data: Any, secondary: int) -> tuple[str, float] | None:
        """How to wait out a rate-limit answer (``None`` if it is not one): ``("until", reset)`` or ``("for", s)``."""
        h = {str(k).lower(): v for k, v in headers.items()}
        errors = data.get("errors") if isinstance(data, dict) else None
        graphql_limited = bool(errors) and any(isinstance(e, dict) and e.get("type") == "RATE_LIMITED"
                                               for e in errors or [])
        message = str(data.get("message") or "") if isinstance(data, dict) else ""
        if not graphql_limited and status not in (403, 429):
            return None
        if "retry-after" in h:
            try:
                return "for", max(1.0, float(h["retry-after"]))
            except (TypeError, ValueError):
                pass
        reset = _reset_at(h.get("x-ratelimit-reset"))
        limited = graphql_limited or status == 429 or not message or "rate limit" in message.lower()
        if str(h.get("x-ratelimit-remaining")) == "0" and reset is not None and limited:
            return "until", reset  # (a 403 that spent the last request for another reason is not a rate limit)
        if graphql_limited or status == 429 or _is_secondary(message) or message.lower().startswith(
                "api rate limit exceeded"):
            return "for", self.retry.secondary_wait * 2**secondary  # no header says how long: back off, doubling
        return None

    def _exchange(self, verb: str, url: str, body: Any = None) -> tuple[Mapping[str, Any], Any]:
        """One request; rate limits are waited out here (not counted as attempts).

        Raises :class:`_TransientError` for what is worth retrying and a
        :class:`~contribfunnel.errors.ContribfunnelError` for the rest.
        """
        resource = "graphql" if verb == "POST" else "core"
        waits = secondary = 0
        while True:
            self._pace(resource, self.costs.get(resource, 1))
            self.requests += 1
            status = 200
            headers: Mapping[str, Any] = {}
            data: Any = None
            try:
                headers, data = self._req.requestJsonAndCheck(verb, url, input=body)
            except github.GithubException as exc:
                status, headers, data = exc.status, exc.headers or {}, exc.data
            except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                    requests.exceptions.InvalidSchema):
                raise UsageError(f"bad GitHub URL: {self.host}") from None
            except requests.exceptions.ConnectionError as exc:
                connect = isinstance(exc, requests.exceptions.ConnectTimeout) or "NewConnectionError" in repr(exc) \
                    or "NameResolution" in repr(exc) or "Failed to resolve" in str(exc)
                raise _TransientError(_why(exc), connect=connect) from None
            except (requests.exceptions.RequestException, ValueError) as exc:
                raise _TransientError(_why(exc)) from None
            except (AssertionError, RuntimeError) as exc:  # PyGithub: a redirect or a link to another host
                raise DataError(f"GitHub at {self.host} sent an answer this library cannot follow: "
                                f"{_one_line(exc)}") from None
            self.reached = True
            self._note_limits(headers)
            how = self._limit_wait(status, headers, data, secondary)
            if how is not None:
                waits += 1
                if waits > self.retry.limit_waits:
                    raise DataError(f"GitHub kept answering 'rate limit exceeded' ({waits - 1} waits); try again later")
                kind, value = how
                if kind == "until":
                    self._wait_until(value, "GitHub's rate limit is spent")
                else:
                    secondary += 1
                    value = self._bounded(value, f"{value:.0f} s from now")
                    self.retry.notify(f"GitHub's secondary rate limit: waiting {value:.0f} s before retrying")
                    self.retry.sleep(value)
                self.budget.pop(resource, None)
                continue
            if status < 400:
                return headers, data
            message = _one_line(data.get("message") if isinstance(data, dict) else data)
            if status == 401:
                if self.anonymous:
                    raise UsageError(f"GitHub at {self.host} needs a token here (401 {message}): set GITHUB_TOKEN")
                raise UsageError("GitHub refused the token (401 Bad credentials): check GITHUB_TOKEN") from None
            if status >= 500:
                raise _TransientError(f"GitHub answered {status}", timeout=status in (502, 504))
            path = urllib.parse.urlsplit(url).path if "://" in url else url.split("?", 1)[0]
            raise _HTTPError(f"GitHub answered {status} for {path}: {message or 'no message'}", status)

    # -- retried requests ----------------------------------------------------------------------------------------------

    def _retrying(self, send: Callable[[], Any], what: str, shrink: Callable[[], str | None] | None = None) -> Any:
        attempt = 0
        while True:
            try:
                return send()
            except _TransientError as exc:
                attempt += 1
                if exc.connect and not self.reached:
                    # Nothing ever answered: a wrong host or no network. One quick retry, then say so.
                    if attempt >= min(2, self.retry.attempts):
                        raise DataError(f"cannot reach GitHub at {self.host} ({exc})") from None
                    self.retry.sleep(0.5 * attempt)
                    continue
                if attempt >= self.retry.attempts:
                    raise DataError(f"GitHub kept failing after {self.retry.attempts} attempts ({what}: {exc}); "
                                    "try again later") from None
                smaller = shrink() if shrink is not None and exc.timeout else None
                wait = self.retry.delay(attempt - 1)
                self.retry.notify(f"{exc} ({what}){'; ' + smaller if smaller else ''}; retrying in {wait:.1f} s")
                self.retry.sleep(wait)

    def rest(self, path: str) -> Any:
        """One REST GET (retried on faults)."""
        return self._retrying(lambda: self._exchange("GET", path)[1], f"GET {path.split('?', 1)[0]}")

    def rest_list(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[list[Any]]:
        """A REST list, 100 a page, following ``Link: rel="next"``; yields one page at a time."""
        url: str | None = f"{path}?{urllib.parse.urlencode({'per_page': 100, **(params or {})})}"
        while url is not None:
            headers, body = self._retrying(lambda u=url: self._exchange("GET", u), f"GET {path}")  # type: ignore[misc]
            yield list(body or [])
            url = _next_link(headers)

    def graphql(self, build: Callable[[], tuple[str, Mapping[str, Any]]], what: str,
                shrink: Callable[[], str | None] | None = None, *, aliases: bool = False) -> dict[str, Any]:
        """One GraphQL request, retried; errors and partial data are never returned as complete.

        ``build`` gives the query and variables of each try (a page may have
        shrunk); with ``aliases``, an alias that GitHub cannot resolve (an item
        deleted meanwhile) comes back as ``None`` instead of failing.
        """

        def send() -> dict[str, Any]:
            query, variables = build()
            _, data = self._exchange("POST", self._req.graphql_url, {"query": query, "variables": dict(variables)})
            return self._check(data, variables, aliases)

        return dict(self._retrying(send, what, shrink))

    def _check(self, data: Any, variables: Mapping[str, Any], aliases: bool) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise _TransientError("GitHub sent no JSON object")
        errors = [e for e in data.get("errors") or [] if isinstance(e, dict)]
        missing = [e for e in errors if e.get("type") == "NOT_FOUND"]
        if any(list(e.get("path") or [])[:1] == ["repository"] and len(e.get("path") or []) == 1 for e in missing) or (
                missing and not aliases):
            raise UsageError(f"unknown repository: {variables.get('owner')}/{variables.get('name')} (404)")
        errors = [e for e in errors if e not in missing]
        message = "; ".join(_one_line(e.get("message", e)) for e in errors)[:300]
        types = {str(e.get("type")) for e in errors if e.get("type")}
        if "FORBIDDEN" in types:  # SAML enforcement, or a token without access: retrying cannot help
            raise UsageError(f"GitHub refused access to {variables.get('owner')}/{variables.get('name')} with this "
                             f"token (FORBIDDEN: {message}); check the token's access, or authorise it for SAML")
        if types & _QUERY_ERRORS:
            raise DataError(f"GitHub rejected the query ({', '.join(sorted(types & _QUERY_ERRORS))}): {message}")
        timeout = "timeout" in message.lower() or "timedout" in message.lower()
        if errors and data.get("data") is None and not timeout:
            raise DataError(f"GitHub rejected the query: {message}")  # a bug of ours, not a passing fault
        if errors:
            raise _TransientError(f"GitHub returned an incomplete answer ({message})", timeout=timeout)
        out = data.get("data")
        if not isinstance(out, dict):
            raise _TransientError("GitHub returned no data")
        rate = out.get("rateLimit") or {}
        cost = int(rate.get("cost") or 0)
        self.points += cost
        if "remaining" in rate:
            reset = _reset_at(rate.get("resetAt"))
            if reset is not None:
                self.budget["graphql"] = (int(rate["remaining"]), reset)
        return out


#: GraphQL error types that say the query itself is wrong: retrying the same query cannot help.
_QUERY_ERRORS = frozenset({"MAX_NODE_LIMIT_EXCEEDED", "EXCESSIVE_PAGINATION", "MISSING_PAGINATION_BOUNDARIES",
                           "INVALID_CURSOR_ARGUMENTS", "ARGUMENT_LIMIT", "UNPROCESSABLE"})


def _without_credentials(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.username or parts.password:
        parts = parts._replace(netloc=(parts.hostname or "") + (f":{parts.port}" if parts.port else ""))
    return urllib.parse.urlunsplit(parts)


def _why(exc: BaseException) -> str:
    text = f"{exc!r} {exc}"
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out"
    if "Name or service not known" in text or "NameResolution" in text or "Failed to resolve" in text or \
            "nodename nor servname" in text or "getaddrinfo" in text:
        return "host name not found"
    if "refused" in text.lower():
        return "connection refused"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "connection dropped"
    if isinstance(exc, ValueError | requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return "incomplete answer"
    return f"connection problem ({type(exc).__name__})"


def _next_link(headers: Mapping[str, Any]) -> str | None:
    link = next((v for k, v in headers.items() if str(k).lower() == "link"), None)
    if not link:
        return None
    for part in str(link).split(","):
        m = re.match(r'\s*<([^>]+)>\s*;\s*rel="([^"]+)"', part)
        if m and "next" in m.group(2).split():
            return m.group(1)
    return None


# -- the fetch ------------------------------------------------------------------------------------------------------


def _token(token: str | None) -> str | None:
    """The token to use, trimmed; a malformed one is a one-line usage error that never shows the token."""
    found = token or os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN") or None
    if found is None:
        return None
    found = found.strip()
    if not found or not all(33 <= ord(ch) < 127 for ch in found):
        raise UsageError("the GitHub token is malformed (empty, or with spaces, line breaks or non-ASCII "
                         "characters): check GITHUB_TOKEN")
    return found


def _store_path(slug: str, store: str | Path | None) -> Path:
    if store is not None:
        return Path(store)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "contribfunnel" / "github" / f"{slug.replace('/', '__')}.sqlite"


def _now(retry: Retry) -> pd.Timestamp:
    return pd.Timestamp(retry.clock(), unit="s", tz="UTC")


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
        requests only, never stored or shown.  Without one, the fetch goes
        through REST anonymously (60 requests an hour: small repositories only)
        and says so.
    base_url
        GitHub Enterprise (``https://host/api/v3``) or a test double.
    store
        The SQLite store; by default ``~/.cache/contribfunnel/github/owner__repo.sqlite``.
    page_size
        Items per GraphQL request (at most 100); halved when GitHub times out,
        and grown back after pages that succeed.
    quiet
        No progress bar (it is also silent when stderr is not a terminal).
    retry
        Backoff, rate-limit policy, clock and where warnings go (see :class:`Retry`).

    Raises
    ------
    UsageError
        A bad slug, an unknown repository, a refused token (exit code 2).
    DataError
        GitHub unreachable or failing beyond the retries, or an answer that
        cannot be used (exit code 1).
    """
    if not _SLUG.match(slug):
        raise UsageError(f"{slug}: not a valid OWNER/REPO")
    tok = _token(token)
    retry = retry or Retry()
    owner, name = slug.split("/")
    db = Store(_store_path(slug, store))
    client = _Client(tok, base_url, retry)
    try:
        repo = None
        if int(db.meta(f"records_version:{slug}", 1) or 1) < _RECORDS_VERSION:
            if slug in db.repos():  # records of an older version: fetch from the start again, upserting each
                for stream in ("pr", "issue", "rest_items"):
                    if db.cursor(slug, stream)[0] is not None:
                        db.save_page(slug, "pr", [], stream=stream, cursor=None)
            db.set_meta(f"records_version:{slug}", _RECORDS_VERSION)  # what is fetched from here on is complete
        if tok:
            size = max(1, min(100, page_size))
            if all(db.cursor(slug, kind)[0] is None for kind in ("pr", "issue")):
                db.set_repo_meta(slug, "token_pass", True)  # a full pass through GraphQL starts (and may be resumed)
            for kind in ("pr", "issue"):
                _fetch_stream(client, db, slug, kind, size, quiet)
            if db.repo_meta(slug, "token_pass"):  # every record now comes from GraphQL: an anonymous caveat is gone
                db.set_repo_meta(slug, "anonymous_note", None)
                db.set_repo_meta(slug, "token_pass", None)
        else:
            repo = _fetch_anonymous(client, db, slug, quiet)
        last = db.repo_meta(slug, "rest_fetched_at")
        if last is None or _now(retry) - pd.Timestamp(last) > _REST_EVERY:
            _fetch_rest(client, db, slug, owner, name, repo)
        db.set_repo_meta(slug, "fetched_at", _now(retry).isoformat())
        db.set_repo_meta(slug, "requests_last_fetch", client.requests)
    except _HTTPError as exc:
        if exc.status == 404:
            raise UsageError(f"unknown repository: {slug} (404)") from None
        raise DataError(str(exc)) from None
    finally:
        client.close()
    return read_store(db.path, repo=slug, since=since, config=config)


class _PageSize:
    """The page size: halved when GitHub times out, doubled back after a few pages that succeed."""

    def __init__(self, wanted: int, grow_after: int = 3) -> None:
        self.wanted = self.now = wanted
        self.grow_after = grow_after
        self.ok = 0

    def shrink(self) -> str | None:
        if self.now <= 1:
            return None
        self.now = max(1, self.now // 2)
        self.ok = 0
        return f"asking for {self.now} items a page"

    def succeeded(self) -> None:
        self.ok += 1
        if self.now < self.wanted and self.ok >= self.grow_after:
            self.now = min(self.wanted, self.now * 2)
            self.ok = 0


def _fetch_stream(client: _Client, db: Store, slug: str, kind: str, page_size: int, quiet: bool) -> None:
    owner, name = slug.split("/")
    key = "pullRequests" if kind == "pr" else "issues"
    query = PR_QUERY if kind == "pr" else ISSUE_QUERY
    cursor, _ = db.cursor(slug, kind)
    bar = _progress(kind, quiet)
    size = _PageSize(page_size)

    def page(after: str | None) -> Callable[[], tuple[str, dict[str, Any]]]:
        return lambda: (query, {"owner": owner, "name": name, "first": size.now, "after": after})

    try:
        while True:
            data = client.graphql(page(cursor), f"{kind}s page", size.shrink)
            size.succeeded()
            cost = int((data.get("rateLimit") or {}).get("cost") or 1)
            client.costs["graphql"] = max(1, cost)
            repo = data.get("repository")
            if repo is None:
                raise UsageError(f"unknown repository: {slug} (404)")
            conn = repo[key]
            nodes = [n for n in conn["nodes"] if n]
            _complete(client, slug, kind, nodes)
            info = conn["pageInfo"]
            end = info.get("endCursor") or cursor
            if info["hasNextPage"] and end == cursor:
                raise DataError(f"GitHub's paging of {slug}'s {kind}s did not advance (cursor {end!r}); try again later")
            db.save_page(slug, kind, [(str(n["number"]), n.get("updatedAt"), n) for n in nodes], stream=kind,
                         cursor=end, complete=not info["hasNextPage"])
            if bar is not None:
                bar.total = conn.get("totalCount")
                bar.update(len(nodes))
                bar.refresh()
            cursor = end
            if not info["hasNextPage"]:
                return
    finally:
        if bar is not None:
            bar.close()


def _complete(client: _Client, slug: str, kind: str, nodes: Sequence[dict[str, Any]]) -> None:
    """Page every nested connection of a page's items that goes on, in batched follow-ups, before it is stored."""
    owner, name = slug.split("/")
    pending = [t for n in nodes for t in _unfinished(kind, int(n["number"]), n)]
    batch = [FOLLOW_UP_BATCH]

    def smaller() -> str | None:
        if batch[0] <= 1:
            return None
        batch[0] = max(1, batch[0] // 2)
        return f"following up {batch[0]} connections a request"

    def build() -> tuple[str, dict[str, Any]]:
        query, variables = follow_up_query(pending[:batch[0]])
        return query, ({"owner": owner, "name": name, **variables} if "$owner" in query else variables)

    while pending:
        data = client.graphql(build, f"{kind}s follow-up", smaller, aliases=True)
        done = pending[:batch[0]]
        del pending[:batch[0]]
        repo = data.get("repository") or {}
        for k, t in enumerate(done):
            holder = (data if t.kind == "thread" else repo).get(f"f{k}")
            more = (holder or {}).get(t.conn.field)
            if not isinstance(more, dict):  # deleted meanwhile: keep what was fetched
                t.into["pageInfo"] = {"hasNextPage": False, "endCursor": t.cursor}
                continue
            new = [x for x in more.get("nodes") or [] if x]
            t.into.setdefault("nodes", []).extend(new)
            before = t.cursor
            t.into["pageInfo"] = more.get("pageInfo") or {"hasNextPage": False}
            t.into["totalCount"] = more.get("totalCount", t.into.get("totalCount"))
            if t.into["pageInfo"].get("hasNextPage"):
                if t.into["pageInfo"].get("endCursor") in (None, before):
                    raise DataError(f"GitHub's paging of {slug} {t.ref} {t.conn.field} did not advance; "
                                    "try again later")
                pending.append(t)
            if t.conn.field == "reviewThreads":
                pending.extend(_unfinished_threads(new))


def _progress(kind: str, quiet: bool) -> Any:
    stream = sys.stderr
    if quiet or not stream.isatty():
        return None
    from tqdm import tqdm

    return tqdm(desc=f"{kind}s", unit=" items", file=stream, leave=False, dynamic_ncols=True)


# -- anonymous: the same records from REST ------------------------------------------------------------------------------


_REST_EVENTS = {"ready_for_review": "ReadyForReviewEvent", "convert_to_draft": "ConvertToDraftEvent",
                "closed": "ClosedEvent", "merged": "MergedEvent", "reopened": "ReopenedEvent", "labeled": "LabeledEvent"}


def _rest_actor(user: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not user or not user.get("login"):
        return None
    kind = user.get("type")
    return {"__typename": kind if kind in ("User", "Bot", "Organization") else "User", "login": user["login"]}


def _conn(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    return {"totalCount": len(nodes), "pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": nodes}


def rest_node(issue: Mapping[str, Any], timeline: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The record GraphQL would give for an item, built from its REST issue object and its REST timeline.

    Parameters
    ----------
    issue
        One element of ``GET /repos/{o}/{r}/issues`` (pull requests carry a ``pull_request`` key).
    timeline
        Every element of ``GET /repos/{o}/{r}/issues/{n}/timeline``.

    Returns
    -------
    dict
        Shaped as a node of :data:`PR_QUERY` or :data:`ISSUE_QUERY`, so :func:`read_store` reads both alike.
    """
    is_pr = "pull_request" in issue
    comments, reviews, threads, commits, events = [], [], [], [], []
    merged_by = None
    for e in timeline:
        kind = e.get("event")
        if kind == "commented":
            comments.append({"author": _rest_actor(e.get("user") or e.get("actor")), "createdAt": e.get("created_at")})
        elif kind == "reviewed" and e.get("submitted_at"):
            reviews.append({"author": _rest_actor(e.get("user")), "state": str(e.get("state") or "").upper(),
                            "submittedAt": e.get("submitted_at"), "createdAt": e.get("submitted_at")})
        elif kind == "line-commented":
            rows = [{"author": _rest_actor(c.get("user")), "createdAt": c.get("created_at")}
                    for c in e.get("comments") or []]
            threads.append({"id": e.get("node_id"), "comments": _conn(rows)})
        elif kind == "committed":
            git_author, committer = e.get("author") or {}, e.get("committer") or {}
            commits.append({"commit": {"committedDate": committer.get("date") or git_author.get("date"),
                                       "author": {"name": git_author.get("name"), "email": git_author.get("email"),
                                                  "user": None}}})
        elif kind in _REST_EVENTS:
            node: dict[str, Any] = {"__typename": _REST_EVENTS[kind], "actor": _rest_actor(e.get("actor")),
                                    "createdAt": e.get("created_at")}
            if kind == "labeled":
                node["label"] = {"name": (e.get("label") or {}).get("name")}
            if kind == "merged":
                merged_by = node["actor"]
            events.append(node)
    labels = [{"name": lab["name"] if isinstance(lab, dict) else str(lab)} for lab in issue.get("labels") or []]
    out: dict[str, Any] = {
        "number": int(issue["number"]), "title": issue.get("title"),
        "state": str(issue.get("state") or "open").upper(), "createdAt": issue.get("created_at"),
        "updatedAt": issue.get("updated_at"), "closedAt": issue.get("closed_at"),
        "author": _rest_actor(issue.get("user")), "authorAssociation": issue.get("author_association"),
        "labels": _conn(labels), "comments": _conn(comments), "timelineItems": _conn(events),
    }
    if is_pr:
        merged_at = (issue.get("pull_request") or {}).get("merged_at")
        out.update({"isDraft": bool(issue.get("draft")), "mergedAt": merged_at,
                    "mergedBy": merged_by if merged_at else None, "reviews": _conn(reviews),
                    "changesRequested": {"totalCount": sum(r["state"] == "CHANGES_REQUESTED" for r in reviews)},
                    "reviewThreads": _conn(threads), "commits": _conn(commits)})
        if merged_at:
            out["state"] = "MERGED"
    return out


def _updated_since(client: _Client, path: str, since: str | None) -> Iterator[dict[str, Any]]:
    """Every item of a REST list sorted by update time, oldest first, each version once.

    Page numbers shift when an item is updated during the walk (it moves to the end and everything after
    it moves up one place, so the item at the next page boundary would be skipped, and for good: its
    update time is older than the cursor). Each request is therefore anchored on ``since`` = just before the
    last update time seen, and what was already yielded is skipped; only a whole page within one second is
    walked on by page number.
    """
    seen: set[tuple[int, str]] = set()
    page = 1
    while True:
        params = {"state": "all", "sort": "updated", "direction": "asc", "per_page": 100, "page": page,
                  **({"since": since} if since else {})}
        body = list(client.rest(f"{path}?{urllib.parse.urlencode(params)}") or [])
        for issue in body:
            key = (int(issue["number"]), str(issue.get("updated_at")))
            if key not in seen:
                seen.add(key)
                yield issue
        if len(body) < 100:
            return
        # A second before the last update seen, so ties at that instant come again whether GitHub's ``since``
        # is inclusive or not (the repeats are skipped above).
        anchor = (pd.Timestamp(body[-1]["updated_at"]) - pd.Timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        if since is not None and pd.Timestamp(anchor) <= pd.Timestamp(since):
            page += 1  # a whole page within one second: walk on by page number
        else:
            page, since = 1, anchor


def _fetch_anonymous(client: _Client, db: Store, slug: str, quiet: bool) -> Any:
    """Items through REST (no token): the issues list, pull requests included, and one timeline per item.

    Returns the repository's REST object (fetched first, so an unknown repository fails at once).
    """
    owner, name = slug.split("/")
    try:
        rate = client.rest("/rate_limit")  # not charged by GitHub
    except _HTTPError:  # GitHub Enterprise without rate limits answers 404
        rate = None
    left = rate_from_body(rate) if isinstance(rate, dict) else None
    if left is not None:
        client.budget["core"] = (left[0], left[2])
    when = f"; {left[0]} of {left[1]} left until {pd.Timestamp(left[2], unit='s', tz='UTC'):%H:%M} UTC" if left else ""
    client.retry.notify(f"no GitHub token: fetching {slug} anonymously through REST, which GitHub limits to "
                        f"{left[1] if left else _ANONYMOUS_LIMIT} requests an hour{when}. That suits a small "
                        "repository; for a larger one set GITHUB_TOKEN (a token with no scopes will do)")
    repo = client.rest(f"/repos/{owner}/{name}")  # an unknown repository fails here, with one line
    cursor, _ = db.cursor(slug, "rest_items")
    bar = _progress("item", quiet)
    try:
        for issue in _updated_since(client, f"/repos/{owner}/{name}/issues", cursor):
            number = int(issue["number"])
            timeline = [e for p in client.rest_list(f"/repos/{owner}/{name}/issues/{number}/timeline") for e in p]
            node = rest_node(issue, timeline)
            kind = "pr" if "pull_request" in issue else "issue"
            cursor = node.get("updatedAt") or cursor
            db.save_page(slug, kind, [(str(number), node.get("updatedAt"), node)], stream="rest_items", cursor=cursor)
            if bar is not None:
                bar.update(1)
                bar.refresh()
    finally:
        if bar is not None:
            bar.close()
    db.set_repo_meta(slug, "anonymous_note", "GitHub: fetched anonymously through REST; commits are attributed to GitHub "
                                  "accounts only through their noreply e-mail addresses")
    return repo


# -- REST: files, labels, members -----------------------------------------------------------------------------------------


def _profile_path(found: Mapping[str, Any]) -> str | None:
    """The file's path in the repository: from its contents URL, else its web URL, else its name (a licence's)."""
    url = str(found.get("url") or "")
    if "/contents/" in url:
        return urllib.parse.unquote(url.split("/contents/", 1)[1].split("?", 1)[0]) or None
    m = re.search(r"/blob/[^/]+/(.+)$", str(found.get("html_url") or ""))
    if m:
        return urllib.parse.unquote(m.group(1))
    return found.get("name") or found.get("key")


def file_rows(profile: Mapping[str, Any] | None, contents: Mapping[str, Any],
              labels: Sequence[Mapping[str, Any]]) -> list[tuple[str, str | None, dict[str, Any]]]:
    """Governance records from the community profile, the contents of ``_FILES`` (path -> body) and the labels."""
    rows: list[tuple[str, str | None, dict[str, Any]]] = []
    for field_name, kind in _PROFILE.items():
        found = ((profile or {}).get("files") or {}).get(field_name)
        if found:
            path = _profile_path(found) or kind
            rows.append((f"{kind}:{path}", None, {"kind": kind, "path": path}))
    for path, body in contents.items():
        kind = _FILES.get(path, "file")
        if isinstance(body, dict) and body.get("type") == "file":
            text = None
            if body.get("encoding") == "base64" and body.get("content"):
                try:
                    text = base64.b64decode(str(body["content"])).decode("utf-8", "replace")[:65536]
                except ValueError:  # not base64 after all: the file is there, its text unknown
                    text = None
            rows.append((f"{kind}:{path}", None, {"kind": kind, "path": path, "size": body.get("size"),
                                                  "content": text}))
    for label in labels:
        rows.append((f"label:{label['name']}", None, {"kind": "label", "path": label["name"]}))
    return rows


def member_logins(pages: Sequence[Sequence[Mapping[str, Any]]]) -> list[str]:
    """The logins in ``GET /orgs/{org}/members`` pages."""
    return [m["login"] for page in pages for m in page if m.get("login")]


def _fetch_rest(client: _Client, db: Store, slug: str, owner: str, name: str, repo: Any = None) -> None:
    if repo is None:
        repo = client.rest(f"/repos/{owner}/{name}")
    try:
        profile = client.rest(f"/repos/{owner}/{name}/community/profile")
    except _HTTPError as exc:  # older GitHub Enterprise servers have no community profile
        if exc.status != 404:
            raise
        profile = None
    contents: dict[str, Any] = {}
    for path in _FILES:
        try:
            contents[path] = client.rest(f"/repos/{owner}/{name}/contents/{path}")
        except _HTTPError as exc:
            if exc.status != 404:
                raise
    labels = [lab for page in client.rest_list(f"/repos/{owner}/{name}/labels") for lab in page]
    rows = file_rows(profile, contents, labels)
    members: list[str] = []
    note = None
    if (repo.get("owner") or {}).get("type") == "Organization":
        try:
            members = member_logins(list(client.rest_list(f"/orgs/{owner}/members")))
        except _HTTPError as exc:
            if exc.status not in (401, 403, 404):
                raise
            note = (f"organisation members of {owner} are not visible ({'no token' if client.anonymous else 'this token'}"
                    f", GitHub answered {exc.status}): the org-membership rule was skipped")
            client.retry.notify(note)
    db.save_page(slug, "file", rows, stream="rest", cursor=None, complete=True, replace=True)
    db.set_repo_meta(slug, "org_members", members)
    db.set_repo_meta(slug, "org_members_note", note)
    db.set_repo_meta(slug, "rest_fetched_at", _now(client.retry).isoformat())


# -- records -> tables ----------------------------------------------------------------------------------------------------


def _login(actor: Mapping[str, Any] | None) -> str | None:
    if not actor:
        return None
    login = str(actor.get("login") or "")
    if actor.get("__typename") == "Bot" and not login.endswith("[bot]"):
        login += "[bot]"  # GraphQL drops the suffix REST shows; keep one identity
    return login or None


def _commit_actor(commit: Mapping[str, Any]) -> dict[str, Any] | None:
    """A commit's GitHub account: GitHub's link, else a noreply address, else a ``[bot]`` name (bots are no Users)."""
    author = commit.get("author") or {}
    user = author.get("user")
    if user and user.get("login"):
        return {"__typename": "User", "login": user["login"]}
    m = _NOREPLY.match(str(author.get("email") or ""))
    login = m.group("login") if m else None
    git_name = str(author.get("name") or "")
    if login is None and git_name.endswith("[bot]"):
        login = git_name
    if not login:
        return None
    return {"__typename": "Bot" if login.endswith("[bot]") else "User", "login": login}


def commit_emails(n: Mapping[str, Any]) -> dict[str, set[str]]:
    """The e-mail each GitHub user wrote on a PR's commits (noreply addresses left out): login -> e-mails.

    They let the identity rules work on GitHub data as on git: an organisation from the e-mail domain
    (co-building, criterion 5) and ``[internal] email_domains``.  Reports never show them.
    """
    out: dict[str, set[str]] = {}
    for pc in ((n.get("commits") or {}).get("nodes") or []):
        author = ((pc or {}).get("commit") or {}).get("author") or {}
        login = ((author.get("user") or {}).get("login"))
        email = str(author.get("email") or "").strip()
        if login and "@" in email and not _NOREPLY.match(email):
            out.setdefault(str(login), set()).add(email.lower())
    return out


def item_rows(slug: str, kind: str, n: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]], set[str]]:
    """One stored record (a GraphQL node, or :func:`rest_node`'s) as an ``items`` row, its ``events`` rows and its bots.

    Events: ``comment`` (comments), ``review`` (reviews, with their state),
    ``review_comment`` (every comment of every review thread), ``commit``
    (commits, at their commit time) and the timeline kinds; timeline entries of
    type ``IssueComment`` or ``PullRequestReview`` count as comments and reviews.
    """
    bots: set[str] = set()

    def actor(a: Mapping[str, Any] | None) -> str | None:
        login = _login(a)
        if login and a and a.get("__typename") == "Bot":
            bots.add(login)
        return login

    def nodes(conn: Any) -> list[dict[str, Any]]:
        return [x for x in ((conn or {}).get("nodes") or []) if x] if isinstance(conn, dict) else []

    number = int(n["number"])
    author = actor(n.get("author"))
    timeline = nodes(n.get("timelineItems"))
    drafty = [t for t in timeline if t.get("__typename") in ("ReadyForReviewEvent", "ConvertToDraftEvent")]
    ready_at: Any = n["createdAt"]
    if kind == "pr" and drafty and drafty[0]["__typename"] == "ReadyForReviewEvent":
        ready_at = drafty[0]["createdAt"]  # opened as a draft
    if kind == "pr" and n.get("isDraft"):
        ready_at = None
    closes = [t for t in timeline if t.get("__typename") == "ClosedEvent"]
    state = "merged" if n.get("mergedAt") else ("closed" if n["state"] in ("CLOSED", "MERGED") else "open")
    merged_by = actor(n.get("mergedBy"))
    item = {
        "repo": slug, "number": number, "kind": kind, "author": author, "created_at": n["createdAt"],
        "ready_at": ready_at, "updated_at": n.get("updatedAt"), "closed_at": n.get("closedAt"),
        "merged_at": n.get("mergedAt"), "merged_by": merged_by,
        "closed_by": merged_by if state == "merged" else (actor(closes[-1].get("actor")) if closes else None),
        "state": state, "is_draft": bool(n.get("isDraft")), "title": n.get("title"),
        "labels": tuple(lb["name"] for lb in nodes(n.get("labels")) if lb.get("name")),
        "author_association": n.get("authorAssociation"),
    }
    events: list[dict[str, Any]] = []

    def add(kind_: str, who: Mapping[str, Any] | None, at: Any, review_state: Any = None) -> None:
        if at:
            events.append({"repo": slug, "number": number, "kind": kind_, "actor": actor(who), "at": at,
                           "review_state": review_state})

    for c in nodes(n.get("comments")):
        add("comment", c.get("author"), c.get("createdAt"))
    for r in nodes(n.get("reviews")):
        if str(r.get("state") or "").upper() != "PENDING":  # a draft review only its author sees
            add("review", r.get("author"), r.get("submittedAt") or r.get("createdAt"), str(r.get("state")).upper())
    for thread in nodes(n.get("reviewThreads")):
        for c in nodes(thread.get("comments")):
            add("review_comment", c.get("author"), c.get("createdAt"))
    for pc in nodes(n.get("commits")):
        commit = pc.get("commit") or {}
        add("commit", _commit_actor(commit), commit.get("committedDate") or commit.get("authoredDate"))
    for t in timeline:
        typename = t.get("__typename")
        if typename in _TIMELINE:
            add(_TIMELINE[typename], t.get("actor"), t.get("createdAt"))
        elif typename == "IssueComment":
            add("comment", t.get("author"), t.get("createdAt"))
        elif typename == "PullRequestReview":
            add("review", t.get("author"), t.get("submittedAt") or t.get("createdAt"), str(t.get("state")).upper())
    return item, events, bots


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
    fetched = db.repo_meta(slug, "fetched_at")
    if fetched is None:
        raise DataError(f"{path}: nothing fetched for {slug} yet")
    items: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    bots: set[str] = set()
    emails: dict[str, set[str]] = {}
    for kind in ("pr", "issue"):
        for n in db.records(slug, kind):
            try:
                for login, found_emails in commit_emails(n).items():
                    emails.setdefault(login, set()).update(found_emails)
                item, evs, found = item_rows(slug, kind, n)
            except (KeyError, TypeError, ValueError) as exc:
                raise DataError(f"{path}: a stored {kind} record cannot be read ({type(exc).__name__}: "
                                f"{_one_line(exc, 80)})") from None
            items.append(item)
            events += evs
            bots |= found
    files = [{"repo": slug, "kind": f["kind"], "path": f["path"], "size": f.get("size"), "content": f.get("content")}
             for f in db.records(slug, "file")]
    # Open "good first issue" items come with the issues already fetched: no extra request.
    files += [{"repo": slug, "kind": "good_first_issue", "path": str(i["number"])} for i in items
              if i["kind"] == "issue" and i["state"] == "open"
              and any(lb.lower().replace("-", " ") in _GOOD_FIRST for lb in i["labels"])]
    members = set(db.repo_meta(slug, "org_members", []) or [])
    logins = {i["author"] for i in items} | {e["actor"] for e in events} | {i["merged_by"] for i in items}
    people = [{"person": lg, "logins": (lg,), "emails": tuple(sorted(emails.get(lg, ()))), "is_bot": lg in bots,
               "bot_reason": "github-type" if lg in bots else None,
               "is_internal": lg in members, "internal_rule": "organisation member" if lg in members else None}
              for lg in sorted(x for x in logins if x)]
    ev = pd.DataFrame(events, columns=["repo", "number", "kind", "actor", "at", "review_state"])
    notes = [str(db.repo_meta(slug, k)) for k in ("org_members_note", "anonymous_note") if db.repo_meta(slug, k)]
    if int(db.meta(f"records_version:{slug}", 1) or 1) < _RECORDS_VERSION:
        notes.append("GitHub: stored by an older version that left out review comments, commits, labeled events "
                     "and long threads past their first page; fetch again to complete them")
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

