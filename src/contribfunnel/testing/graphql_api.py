"""The GraphQL half of the GitHub test double: cost, pagination and resolvers.

:class:`GraphQLApi` parses and validates a query against the shipped subset of
GitHub's schema (:mod:`contribfunnel.testing.graphql_schema`), prices it the
way GitHub documents (:func:`query_cost`), then executes it with graphql-core
over the :class:`~contribfunnel.testing.model.RepoModel`.

GitHub's price of a query: add up, over every connection in it, the number of
requests needed to fill that connection when every enclosing connection
returns its ``first``/``last`` count (the outermost connection needs one
request); divide by 100 and round; at least 1 point.  ``nodeCount`` is the
number of nodes the query can return (the sum of the products).

Cursors are opaque base64 strings, as GitHub's (``Y3Vyc29yOnYyOp...``),
encoding the sort key of the row they point after, so a page stays correct
when rows are added before it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import graphql
from graphql import language as ast

from contribfunnel.testing.graphql_schema import load_schema
from contribfunnel.testing.model import (
    EVENT_TYPES,
    Comment,
    Commit,
    Event,
    Item,
    Label,
    RepoModel,
    Review,
    ReviewComment,
    ReviewThread,
    User,
    node_id,
)
from contribfunnel.testing.rest_shapes import Urls, iso

__all__ = ["Cost", "GitHubError", "GraphQLApi", "Prepared", "decode_cursor", "encode_cursor", "query_cost"]

MAX_PAGE = 100
MAX_NODES = 500_000
#: GitHub lists at most 250 commits of a pull request (REST and GraphQL alike).
MAX_PR_COMMITS = 250


@dataclass(frozen=True)
class PullCommit:
    """A ``PullRequestCommit``: one commit as part of one pull request (``position`` counts from 0)."""

    commit: Commit
    position: int

    @property
    def node_id(self) -> str:
        return node_id("PullRequestCommit", self.commit.number * 1000 + self.position)


_ITEM_TYPES = {
    "ReadyForReviewEvent": "READY_FOR_REVIEW_EVENT",
    "ConvertToDraftEvent": "CONVERT_TO_DRAFT_EVENT",
    "ClosedEvent": "CLOSED_EVENT",
    "MergedEvent": "MERGED_EVENT",
    "ReopenedEvent": "REOPENED_EVENT",
    "LabeledEvent": "LABELED_EVENT",
    "IssueComment": "ISSUE_COMMENT",
    "PullRequestReview": "PULL_REQUEST_REVIEW",
}


class GitHubError(Exception):
    """An error GitHub reports in ``errors`` with a ``type`` (``NOT_FOUND``, ``INVALID_CURSOR_ARGUMENTS``, ...)."""

    def __init__(self, message: str, type_: str | None = None) -> None:
        super().__init__(message)
        self.type = type_


@dataclass
class Cost:
    """The price of one query: ``requests`` (GitHub's aggregate), ``nodes`` and the ``points`` charged."""

    requests: int = 0
    nodes: int = 0
    dry_run: bool = False
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def points(self) -> int:
        """``max(1, round(requests / 100))``, rounding halves up."""
        return max(1, int(self.requests / 100 + 0.5))


def query_cost(schema: graphql.GraphQLSchema, document: ast.DocumentNode, variables: Mapping[str, Any],
               operation_name: str | None = None) -> Cost:
    """Price ``document`` as GitHub does, and find connections without ``first``/``last`` or over 100.

    >>> from contribfunnel.testing.graphql_schema import load_schema
    >>> q = graphql.parse('{ repository(owner: "o", name: "r") { pullRequests(first: 100) {'
    ...                   ' nodes { reviews(first: 50) { totalCount } comments(first: 10) { totalCount } } } } }')
    >>> c = query_cost(load_schema(), q, {})
    >>> (c.requests, c.nodes, c.points)
    (201, 6100, 2)
    """
    cost = Cost()
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, ast.FragmentDefinitionNode)}
    ops = [d for d in document.definitions if isinstance(d, ast.OperationDefinitionNode)]
    op = next((o for o in ops if operation_name is None or (o.name and o.name.value == operation_name)), None)
    if op is None:
        return cost
    root = schema.query_type if op.operation == ast.OperationType.QUERY else schema.mutation_type
    if root is None:
        return cost

    def count(node: ast.FieldNode, name: str) -> int | None:
        for a in node.arguments or ():
            if a.name.value == name:
                value = graphql.value_from_ast(a.value, graphql.GraphQLInt, dict(variables))
                return None if value is None or value is graphql.Undefined else int(value)
        return None

    def walk(sel: ast.SelectionSetNode, parent: graphql.GraphQLNamedType, mult: int, path: list[str]) -> None:
        for s in sel.selections:
            if isinstance(s, ast.FieldNode):
                if not isinstance(parent, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType):
                    continue
                fdef = parent.fields.get(s.name.value)
                if fdef is None:
                    continue
                named = graphql.get_named_type(fdef.type)
                key = s.alias.value if s.alias else s.name.value
                if s.name.value == "rateLimit":
                    for a in s.arguments or ():
                        if a.name.value == "dryRun":
                            cost.dry_run = bool(graphql.value_from_ast(a.value, graphql.GraphQLBoolean, dict(variables)))
                child = mult
                if named.name.endswith("Connection"):
                    first, last = count(s, "first"), count(s, "last")
                    n = max(first or 0, last or 0)
                    loc = s.loc.source.get_location(s.loc.start) if s.loc else None
                    where = {"path": [*path, key], "locations": [{"line": loc.line, "column": loc.column}] if loc else []}
                    lists = {x.name.value for x in (s.selection_set.selections if s.selection_set else ())
                             if isinstance(x, ast.FieldNode)} & {"edges", "nodes"}
                    if first is None and last is None and lists:
                        cost.errors.append({"type": "MISSING_PAGINATION_BOUNDARIES", **where,
                                            "message": f"You must provide a `first` or `last` value to properly "
                                                       f"paginate the `{s.name.value}` connection."})
                    elif n > MAX_PAGE or min(first or 0, last or 0) < 0:
                        arg = "first" if (first or 0) >= (last or 0) else "last"
                        cost.errors.append({"type": "EXCESSIVE_PAGINATION", **where,
                                            "message": f"Requesting {n} records on the `{s.name.value}` connection "
                                                       f"exceeds the `{arg}` limit of {MAX_PAGE} records."})
                    cost.requests += mult
                    cost.nodes += mult * n
                    child = mult * max(n, 1)
                if s.selection_set is not None:
                    walk(s.selection_set, named, child, [*path, key])
            elif isinstance(s, ast.InlineFragmentNode):
                t = schema.get_type(s.type_condition.name.value) if s.type_condition else parent
                walk(s.selection_set, t or parent, mult, path)
            elif isinstance(s, ast.FragmentSpreadNode):
                frag = fragments.get(s.name.value)
                if frag is not None:
                    t = schema.get_type(frag.type_condition.name.value)
                    walk(frag.selection_set, t or parent, mult, path)

    walk(op.selection_set, root, 1, [])
    return cost


def encode_cursor(key: Sequence[Any]) -> str:
    """An opaque cursor for the row whose sort key is ``key``."""
    return base64.b64encode(b"cursor:v2:" + json.dumps(list(key), separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str) -> list[Any]:
    """The sort key inside ``cursor``; :class:`GitHubError` for a cursor this server did not issue."""
    try:
        raw = base64.b64decode(cursor.encode(), validate=True)
        if not raw.startswith(b"cursor:v2:"):
            raise ValueError(cursor)
        key = json.loads(raw[len(b"cursor:v2:"):])
        if not isinstance(key, list):
            raise ValueError(cursor)
        return key
    except (ValueError, json.JSONDecodeError):
        raise GitHubError(f"`{cursor}` does not appear to be a valid cursor.", "INVALID_CURSOR_ARGUMENTS") from None


def _stamp(at: datetime | None) -> int:
    return 0 if at is None else int(at.timestamp())


def connection(rows: Sequence[Any], args: Mapping[str, Any], key: Callable[[Any], list[Any]], *,
               descending: bool = False) -> dict[str, Any]:
    """A Relay connection over ``rows`` (already in order) honouring first/after/last/before."""
    keys = [key(r) for r in rows]

    def after(k: list[Any], c: list[Any]) -> bool:
        return k < c if descending else k > c

    lo, hi = 0, len(rows)
    if args.get("after") is not None:
        c = decode_cursor(args["after"])
        lo = next((i for i, k in enumerate(keys) if after(k, c)), len(rows))
    if args.get("before") is not None:
        c = decode_cursor(args["before"])
        hi = next((i for i, k in enumerate(keys) if not after(c, k)), len(rows))
        hi = max(hi, lo)
    if args.get("first") is not None:
        hi = min(hi, lo + int(args["first"]))
    if args.get("last") is not None:
        lo = max(lo, hi - int(args["last"]))
    window = list(range(lo, hi))
    edges = [{"cursor": encode_cursor(keys[i]), "node": rows[i]} for i in window]
    return {
        "edges": edges,
        "nodes": [rows[i] for i in window],
        "totalCount": len(rows),
        "filteredCount": len(rows),
        "pageCount": len(window),
        "pageInfo": {
            "hasNextPage": hi < len(rows),
            "hasPreviousPage": lo > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


@dataclass
class Context:
    """What resolvers see: the model, URLs, the rate limit after this query, and an injected failure."""

    model: RepoModel
    urls: Urls
    rate: dict[str, Any]
    fail_field: str | None = None
    failed: bool = False


@dataclass
class Prepared:
    """A parsed, validated and priced query, ready to run."""

    document: ast.DocumentNode | None
    variables: dict[str, Any]
    operation_name: str | None
    cost: Cost
    errors: list[dict[str, Any]]


class GraphQLApi:
    """GitHub's GraphQL endpoint over one :class:`~contribfunnel.testing.model.RepoModel`."""

    def __init__(self, model: RepoModel) -> None:
        self.model = model
        self.schema = load_schema()

    def prepare(self, payload: Any) -> Prepared:
        """Parse, validate and price a request body ``{"query", "variables", "operationName"}``."""
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return Prepared(None, {}, None, Cost(), [{"message": "A query attribute must be specified and must be a string."}])
        variables = payload.get("variables") or {}
        name = payload.get("operationName")
        try:
            document = graphql.parse(payload["query"])
        except graphql.GraphQLError as e:
            return Prepared(None, variables, name, Cost(), [_format(e)])
        errors = [_format(e) for e in graphql.validate(self.schema, document)]
        if errors:
            return Prepared(document, variables, name, Cost(), errors)
        cost = query_cost(self.schema, document, variables, name)
        if cost.nodes > MAX_NODES:
            cost.errors.append({"type": "MAX_NODE_LIMIT_EXCEEDED",
                                "message": f"This query requests up to {cost.nodes:,} possible nodes which exceeds "
                                           f"the maximum limit of {MAX_NODES:,}."})
        return Prepared(document, variables, name, cost, list(cost.errors))

    def execute(self, prepared: Prepared, urls: Urls, rate: dict[str, Any], *, fail_field: str | None = None) -> dict[str, Any]:
        """Run a prepared query; returns the JSON body (``data`` and, if any, ``errors``)."""
        assert prepared.document is not None
        ctx = Context(self.model, urls, rate, fail_field)
        with self.model.lock:
            result = graphql.execute_sync(
                self.schema, prepared.document, variable_values=prepared.variables,
                operation_name=prepared.operation_name, context_value=ctx,
                field_resolver=_resolve, type_resolver=_type_of,
            )
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [_format(e) for e in result.errors]
        return body


def _format(e: graphql.GraphQLError) -> dict[str, Any]:
    out: dict[str, Any] = {}
    original = e.original_error
    if isinstance(original, GitHubError) and original.type:
        out["type"] = original.type
    if e.path:
        out["path"] = list(e.path)
    if e.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in e.locations]
    out["message"] = e.message
    return out


# -- resolvers --------------------------------------------------------------------------------------


def _type_of(value: Any, info: Any, abstract: Any) -> str | None:
    if isinstance(value, Item):
        return "PullRequest" if value.is_pr else "Issue"
    if isinstance(value, User):
        return value.kind
    if isinstance(value, Event):
        return EVENT_TYPES[value.kind]
    if isinstance(value, Comment):
        return "IssueComment"
    if isinstance(value, Review):
        return "PullRequestReview"
    if isinstance(value, ReviewComment):
        return "PullRequestReviewComment"
    if isinstance(value, ReviewThread):
        return "PullRequestReviewThread"
    if isinstance(value, PullCommit):
        return "PullRequestCommit"
    if isinstance(value, Commit):
        return "Commit"
    if isinstance(value, RepoModel):
        return "Repository"
    return None


def _resolve(source: Any, info: Any, **args: Any) -> Any:
    ctx: Context = info.context
    name = info.field_name
    if ctx.fail_field == name and not ctx.failed:
        ctx.failed = True
        raise GitHubError("Something went wrong while executing your query. This may be the result of a timeout, or "
                          "it could be a GitHub bug. Please include `0000:0000:0000000:0000000:00000000` when "
                          "reporting this issue.")
    fn = _RESOLVERS.get(info.parent_type.name, {}).get(name)
    if fn is None:
        fn = _COMMON.get(name)
    value = fn(ctx, source, args) if fn is not None else (
        source.get(name) if isinstance(source, dict) else getattr(source, name, None))
    return iso(value) if isinstance(value, datetime) else value


Resolver = Callable[[Context, Any, dict[str, Any]], Any]


def _repository(ctx: Context, _: Any, args: dict[str, Any]) -> RepoModel:
    m = ctx.model
    if (args["owner"].lower(), args["name"].lower()) != (m.owner.lower(), m.name.lower()):
        raise GitHubError(f"Could not resolve to a Repository with the name '{args['owner']}/{args['name']}'.",
                          "NOT_FOUND")
    return m


def _item_key(field_name: str) -> Callable[[Item], list[Any]]:
    attr = {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at"}.get(field_name)
    if attr is None:  # COMMENTS
        return lambda i: [len(i.comments), i.number]
    return lambda i: [_stamp(getattr(i, attr)), i.number]


def _items(ctx: Context, rows: list[Item], args: dict[str, Any], *, pr: bool) -> dict[str, Any]:
    states = args.get("states")
    filters = args.get("filterBy") or {}
    since = filters.get("since")
    labels = set(args.get("labels") or ()) | set(filters.get("labels") or ())
    if filters.get("states"):
        states = filters["states"]
    created_by = filters.get("createdBy")

    def state(i: Item) -> str:
        return "MERGED" if i.merged else i.state.upper()

    since_at = datetime.fromisoformat(since.replace("Z", "+00:00")) if since else None
    rows = [i for i in rows
            if (not states or state(i) in states)
            and (not labels or labels & set(i.labels))
            and (since_at is None or i.updated_at >= since_at)
            and (created_by is None or i.author == created_by)]
    order = args.get("orderBy") or {"field": "CREATED_AT", "direction": "ASC"}
    key = _item_key(order["field"])
    descending = order["direction"] == "DESC"
    rows = sorted(rows, key=key, reverse=descending)
    return connection(rows, args, key, descending=descending)


def _by_time(rows: Sequence[Any], args: dict[str, Any], attr: str = "created_at") -> dict[str, Any]:
    key: Callable[[Any], list[Any]] = lambda r: [_stamp(getattr(r, attr)), r.id]  # noqa: E731
    return connection(sorted(rows, key=key), args, key)


def _number(kind: str | None) -> Resolver:
    def resolve(ctx: Context, _: Any, args: dict[str, Any]) -> Item | None:
        item = ctx.model.items.get(int(args["number"]))
        if item is None or (kind == "pr" and not item.is_pr) or (kind == "issue" and item.is_pr):
            what = {"pr": "PullRequest", "issue": "Issue", None: "issue or pull request"}[kind]
            raise GitHubError(f"Could not resolve to {'an' if kind == 'issue' else 'a'} {what} with the number of "
                              f"{args['number']}.", "NOT_FOUND")
        return item
    return resolve


def _labels(ctx: Context, names: Sequence[str], args: dict[str, Any]) -> dict[str, Any]:
    labels = [ctx.model.label(n) for n in names]
    order = args.get("orderBy") or {"field": "CREATED_AT", "direction": "ASC"}
    if order["field"] == "NAME":
        key: Callable[[Label], list[Any]] = lambda lab: [lab.name, lab.id]  # noqa: E731
    else:
        key = lambda lab: [_stamp(lab.created_at), lab.id]  # noqa: E731
    descending = order["direction"] == "DESC"
    return connection(sorted(labels, key=key, reverse=descending), args, key, descending=descending)


def _timeline(ctx: Context, item: Item, args: dict[str, Any]) -> dict[str, Any]:
    entries: list[Any] = [*item.events, *item.comments, *(item.reviews if item.is_pr else ())]
    types = args.get("itemTypes")
    if types:
        entries = [e for e in entries if _ITEM_TYPES[_type_of(e, None, None) or ""] in types]
    since = args.get("since")
    if since:
        since_at = datetime.fromisoformat(since.replace("Z", "+00:00"))
        entries = [e for e in entries if _when(e) >= since_at]
    key: Callable[[Any], list[Any]] = lambda e: [_stamp(_when(e)), e.id]  # noqa: E731
    entries.sort(key=key)
    skip = int(args.get("skip") or 0)
    out = connection(entries[skip:], args, key)
    out["totalCount"] = out["filteredCount"] = len(entries)
    out["updatedAt"] = iso(item.updated_at)
    return out


def _when(e: Any) -> datetime:
    when: datetime = e.submitted_at if isinstance(e, Review) else e.created_at
    return when


def _commits(ctx: Context, item: Item, args: dict[str, Any]) -> dict[str, Any]:
    rows = [PullCommit(c, k) for k, c in enumerate(item.commits[:MAX_PR_COMMITS])]
    key: Callable[[PullCommit], list[Any]] = lambda pc: [pc.position]  # noqa: E731 - pushed order, as GitHub lists them
    return connection(rows, args, key)


def _git_actor(ctx: Context, c: Commit) -> dict[str, Any]:
    """A commit's ``GitActor``: ``user`` is null for bots (the field is typed ``User``) and deleted accounts."""
    u = ctx.model.user(c.author)
    return {"name": u.name or u.login, "email": u.commit_email, "date": iso(c.authored_at),
            "user": u if c.author and u.kind == "User" else None}


def _node(ctx: Context, _: Any, args: dict[str, Any]) -> Any:
    found = ctx.model.node(str(args["id"]))
    if found is None:
        raise GitHubError(f"Could not resolve to a node with the global id of '{args['id']}'", "NOT_FOUND")
    return found


def _user(login_attr: str) -> Resolver:
    return lambda ctx, src, _: ctx.model.user(getattr(src, login_attr))


def _web(ctx: Context, path: str) -> str:
    return f"{ctx.urls.web}/{path}"


def _item_url(ctx: Context, item: Item) -> str:
    return _web(ctx, f"{ctx.model.full_name}/{'pull' if item.is_pr else 'issues'}/{item.number}")


_ITEM: dict[str, Resolver] = {
    "author": _user("author"),
    "authorAssociation": lambda ctx, i, _: i.association,
    "body": lambda ctx, i, _: i.body or "",
    "closed": lambda ctx, i, _: i.state == "closed",
    "comments": lambda ctx, i, a: _by_time(i.comments, a),
    "databaseId": lambda ctx, i, _: i.id,
    "id": lambda ctx, i, _: i.node_id,
    "labels": lambda ctx, i, a: _labels(ctx, i.labels, a),
    "mergedBy": lambda ctx, i, _: ctx.model.user(i.merged_by) if i.merged else None,
    "reviews": lambda ctx, i, a: _by_time(
        [r for r in i.reviews if (not a.get("states") or r.state in a["states"])
         and (a.get("author") is None or r.author == a["author"])], a, "submitted_at"),
    "reviewThreads": lambda ctx, i, a: _by_time(i.threads(), a),
    "commits": lambda ctx, i, a: _commits(ctx, i, a),
    "state": lambda ctx, i, _: ("MERGED" if i.merged else i.state.upper()) if i.is_pr else i.state.upper(),
    "timelineItems": lambda ctx, i, a: _timeline(ctx, i, a),
    "url": lambda ctx, i, _: _item_url(ctx, i),
}

_COMMENTLIKE: dict[str, Resolver] = {
    "author": _user("author"),
    "authorAssociation": lambda ctx, c, _: c.association,
    "databaseId": lambda ctx, c, _: c.id,
    "id": lambda ctx, c, _: c.node_id,
}

_ACTOR_EVENT: dict[str, Resolver] = {
    "actor": _user("actor"),
    "id": lambda ctx, e, _: e.node_id,
    "url": lambda ctx, e, _: f"{_item_url(ctx, ctx.model.items[e.number])}#event-{e.id}",
}


def _actor(kind: str) -> dict[str, Resolver]:
    def path(u: User) -> str:
        return f"/apps/{u.graphql_login}" if u.kind == "Bot" else f"/{u.login}"

    return {
        "avatarUrl": lambda ctx, u, a: f"{ctx.urls.web}/avatars/u/{u.id}?v=4" + (f"&s={a['size']}" if a.get("size") else ""),
        "databaseId": lambda ctx, u, _: u.id,
        "id": lambda ctx, u, _: u.node_id,
        "login": lambda ctx, u, _: u.graphql_login,
        "resourcePath": lambda ctx, u, _: path(u),
        "updatedAt": lambda ctx, u, _: u.created_at,
        "url": lambda ctx, u, _: f"{ctx.urls.web}{path(u)}",
    }


_RESOLVERS: dict[str, dict[str, Resolver]] = {
    "Query": {
        "id": lambda ctx, _, a: "MDU6UXVlcnk=",
        "node": _node,
        "repository": _repository,
        "rateLimit": lambda ctx, _, a: ctx.rate,
    },
    "Repository": {
        "databaseId": lambda ctx, m, _: m.id,
        "id": lambda ctx, m, _: m.node_id,
        "nameWithOwner": lambda ctx, m, _: m.full_name,
        "owner": lambda ctx, m, _: m.org,
        "url": lambda ctx, m, _: _web(ctx, m.full_name),
        "updatedAt": lambda ctx, m, _: max((i.updated_at for i in m.items.values()), default=m.created_at),
        "pullRequests": lambda ctx, m, a: _items(ctx, m.pulls(), a, pr=True),
        "issues": lambda ctx, m, a: _items(ctx, m.issues(), a, pr=False),
        "pullRequest": _number("pr"),
        "issue": _number("issue"),
        "issueOrPullRequest": _number(None),
        "labels": lambda ctx, m, a: _labels(ctx, sorted(m.labels), a),
    },
    "PullRequest": _ITEM,
    "Issue": _ITEM,
    "Label": {
        "id": lambda ctx, lab, _: lab.node_id,
        "isDefault": lambda ctx, lab, _: lab.is_default,
        "updatedAt": lambda ctx, lab, _: lab.created_at,
        "url": lambda ctx, lab, _: _web(ctx, f"{ctx.model.full_name}/labels/{lab.name.replace(' ', '%20')}"),
    },
    "IssueComment": {
        **_COMMENTLIKE,
        "url": lambda ctx, c, _: f"{_item_url(ctx, ctx.model.items[c.number])}#issuecomment-{c.id}",
    },
    "PullRequestReview": {
        **_COMMENTLIKE,
        "comments": lambda ctx, r, a: _by_time(
            [c for c in ctx.model.items[r.number].review_comments if c.review_id == r.id], a),
        "createdAt": lambda ctx, r, _: r.submitted_at,
        "updatedAt": lambda ctx, r, _: r.submitted_at,
        "pullRequest": lambda ctx, r, _: ctx.model.items[r.number],
        "url": lambda ctx, r, _: f"{_item_url(ctx, ctx.model.items[r.number])}#pullrequestreview-{r.id}",
    },
    "PullRequestReviewComment": {
        **_COMMENTLIKE,
        "pullRequestReview": lambda ctx, c, _: next(
            (r for r in ctx.model.items[c.number].reviews if r.id == c.review_id), None),
        "url": lambda ctx, c, _: f"{_item_url(ctx, ctx.model.items[c.number])}#discussion_r{c.id}",
    },
    "PullRequestReviewThread": {
        "comments": lambda ctx, t, a: _by_time(t.comments, a),
        "id": lambda ctx, t, _: t.node_id,
        "isResolved": lambda ctx, t, _: False,
        "path": lambda ctx, t, _: t.path,
    },
    "PullRequestCommit": {
        "commit": lambda ctx, pc, _: pc.commit,
        "id": lambda ctx, pc, _: pc.node_id,
        "url": lambda ctx, pc, _: f"{_item_url(ctx, ctx.model.items[pc.commit.number])}/commits/{pc.commit.sha}",
    },
    "Commit": {
        "author": lambda ctx, c, _: _git_actor(ctx, c),
        "authoredDate": lambda ctx, c, _: c.authored_at,
        "committedDate": lambda ctx, c, _: c.authored_at,
        "committer": lambda ctx, c, _: _git_actor(ctx, c),
        "id": lambda ctx, c, _: base64.b64encode(f"06:Commit{c.sha}".encode()).decode(),
        "message": lambda ctx, c, _: c.message,
        "oid": lambda ctx, c, _: c.sha,
        "url": lambda ctx, c, _: _web(ctx, f"{ctx.model.full_name}/commit/{c.sha}"),
    },
    "ClosedEvent": _ACTOR_EVENT,
    "MergedEvent": _ACTOR_EVENT,
    "ReadyForReviewEvent": _ACTOR_EVENT,
    "ConvertToDraftEvent": _ACTOR_EVENT,
    "ReopenedEvent": _ACTOR_EVENT,
    "LabeledEvent": {**_ACTOR_EVENT, "label": lambda ctx, e, _: ctx.model.label(e.label or "")},
    "User": _actor("User"),
    "Bot": _actor("Bot"),
    "Organization": _actor("Organization"),
}

#: Field names resolved the same way on every type.
_COMMON: dict[str, Resolver] = {
    "createdAt": lambda ctx, s, _: getattr(s, "created_at", None),
    "updatedAt": lambda ctx, s, _: getattr(s, "updated_at", None),
    "closedAt": lambda ctx, s, _: getattr(s, "closed_at", None),
    "mergedAt": lambda ctx, s, _: getattr(s, "merged_at", None),
    "submittedAt": lambda ctx, s, _: getattr(s, "submitted_at", None),
    "isDraft": lambda ctx, s, _: getattr(s, "is_draft", None),
}
