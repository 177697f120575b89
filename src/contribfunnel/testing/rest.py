"""The REST half of the GitHub test double: routing, parameters and pagination.

:class:`RestApi` answers one ``GET`` (path and query string already split) with
a :class:`Reply`.  It knows GitHub's list parameters (``per_page`` up to 100,
``page``, ``state``, ``sort``, ``direction``, ``since``, ``labels``) and writes
``Link`` headers exactly as GitHub does: ``prev``, ``next``, ``last``,
``first``, pointing at the ``/repositories/{id}/...`` form of the path.
Rate limits, authentication, ETags and faults are the server's business
(:mod:`contribfunnel.testing.server`).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contribfunnel.testing import rest_shapes as shapes
from contribfunnel.testing.model import Comment, Commit, Event, Item, RepoModel, Review, ReviewThread, User

__all__ = ["Reply", "RestApi", "error_body"]

Query = dict[str, str]

DOCS = "https://docs.github.com/rest"


@dataclass
class Reply:
    """A response to send: status, JSON body (``None`` for none) and extra headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


def error_body(message: str, status: int, documentation_url: str = DOCS, **extra: Any) -> dict[str, Any]:
    """GitHub's error JSON: ``{"message", "documentation_url", "status"}``."""
    return {"message": message, **extra, "documentation_url": documentation_url, "status": str(status)}


class _NotFoundError(Exception):
    pass


class _InvalidError(Exception):
    def __init__(self, resource: str, fieldname: str) -> None:
        super().__init__(fieldname)
        self.resource = resource
        self.field = fieldname


def _since(query: Query) -> datetime | None:
    raw = query.get("since")
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise _InvalidError("Issue", "since") from None


def _choice(query: Query, name: str, allowed: Sequence[str], default: str, resource: str) -> str:
    value = query.get(name, default) or default
    if value not in allowed:
        raise _InvalidError(resource, name)
    return value


class RestApi:
    """GitHub's REST endpoints over one :class:`~contribfunnel.testing.model.RepoModel`.

    Parameters
    ----------
    model : RepoModel
        The repository served.
    viewer : str
        Login of the authenticated user (``GET /user``).
    """

    def __init__(self, model: RepoModel, *, viewer: str = "double-tester") -> None:
        self.model = model
        self.viewer = viewer
        repo = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
        routes: list[tuple[str, Callable[..., Reply]]] = [
            (repo, self._repo),
            (repo + "/pulls", self._pulls),
            (repo + r"/pulls/comments", self._repo_review_comments),
            (repo + r"/pulls/comments/(?P<id>\d+)/reactions", self._empty_list),
            (repo + r"/pulls/(?P<n>\d+)", self._pull),
            (repo + r"/pulls/(?P<n>\d+)/reviews", self._reviews),
            (repo + r"/pulls/(?P<n>\d+)/comments", self._review_comments),
            (repo + r"/pulls/(?P<n>\d+)/commits", self._commits),
            (repo + r"/pulls/(?P<n>\d+)/requested_reviewers", self._requested_reviewers),
            (repo + "/issues", self._issues),
            (repo + "/issues/comments", self._repo_comments),
            (repo + r"/issues/comments/(?P<id>\d+)/reactions", self._empty_list),
            (repo + r"/issues/(?P<n>\d+)", self._issue),
            (repo + r"/issues/(?P<n>\d+)/comments", self._comments),
            (repo + r"/issues/(?P<n>\d+)/timeline", self._timeline),
            (repo + r"/issues/(?P<n>\d+)/reactions", self._empty_list),
            (repo + "/community/profile", self._community),
            (repo + r"/contents/?(?P<path>.*)", self._contents),
            (repo + "/labels", self._labels),
            (repo + "/contributors", self._contributors),
            (repo + "/collaborators", self._collaborators),
            (repo + "/stargazers", self._empty_list),
            (repo + "/forks", self._empty_list),
            (r"/orgs/(?P<org>[^/]+)/members", self._members),
            (r"/orgs/(?P<org>[^/]+)/public_members", self._public_members),
            (r"/users/(?P<login>[^/]+)", self._user),
            (r"/users/(?P<login>[^/]+)/orgs", self._empty_list),
        ]
        self._routes = [(re.compile(p + "/?$"), h) for p, h in routes]

    # -- dispatch ---------------------------------------------------------------------------------

    def canonical(self, path: str) -> str:
        """Map GitHub's id-based aliases (``/repositories/{id}``, ``/organizations/{id}``) to names."""
        m = self.model
        path = re.sub(rf"^/repositories/{m.id}(?=/|$)", f"/repos/{m.full_name}", path)
        return re.sub(rf"^/organizations/{m.org.id}(?=/|$)", f"/orgs/{m.owner}", path)

    def get(self, path: str, query: Query, urls: shapes.Urls) -> Reply:
        """Answer ``GET path?query``; ``path`` has no ``/api/v3`` prefix."""
        path = self.canonical(urllib.parse.unquote(path))
        for pattern, handler in self._routes:
            match = pattern.match(path)
            if match is None:
                continue
            args = match.groupdict()
            if "owner" in args and (args.pop("owner").lower(), args.pop("repo").lower()) != (
                    self.model.owner.lower(), self.model.name.lower()):
                return Reply(404, error_body("Not Found", 404, f"{DOCS}/repos/repos#get-a-repository"))
            try:
                with self.model.lock:
                    return handler(query, urls, **args)
            except _NotFoundError:
                return Reply(404, error_body("Not Found", 404))
            except _InvalidError as e:
                return Reply(422, error_body("Validation Failed", 422,
                                             errors=[{"resource": e.resource, "field": e.field, "code": "invalid"}]))
        return Reply(404, error_body("Not Found", 404))

    # -- pagination -------------------------------------------------------------------------------

    def page(self, items: Sequence[Any], query: Query, urls: shapes.Urls, path: str,
             render: Callable[[Any], Any]) -> Reply:
        """One page of ``items`` with GitHub's ``Link`` header.

        ``path`` is the canonical path (``/repos/o/r/...``); links use GitHub's
        ``/repositories/{id}/...`` form and keep the caller's other parameters
        in their order, with ``page`` last.
        """
        try:
            per_page = max(1, min(100, int(query.get("per_page") or 30)))
            number = max(1, int(query.get("page") or 1))
        except ValueError:
            per_page, number = 30, 1
        last = max(1, -(-len(items) // per_page))
        chunk = items[(number - 1) * per_page: number * per_page]
        m = self.model
        link_path = path.replace(f"/repos/{m.full_name}", f"/repositories/{m.id}", 1)
        link_path = link_path.replace(f"/orgs/{m.owner}/", f"/organizations/{m.org.id}/", 1)
        kept = [(k, v) for k, v in query.items() if k != "page"]

        def url(n: int) -> str:
            return f"{urls.api}{link_path}?{urllib.parse.urlencode([*kept, ('page', str(n))], safe=',:')}"

        rels: list[tuple[int, str]] = []
        if number > 1:
            rels.append((min(number - 1, last), "prev"))
        if number < last:
            rels += [(number + 1, "next"), (last, "last")]
        if number > 1:
            rels.append((1, "first"))
        headers = {"Link": ", ".join(f'<{url(n)}>; rel="{rel}"' for n, rel in rels)} if rels else {}
        return Reply(200, [render(x) for x in chunk], headers)

    def _item(self, n: str, *, pr: bool | None = None) -> Item:
        item = self.model.items.get(int(n))
        if item is None or (pr is not None and item.is_pr != pr):
            raise _NotFoundError
        return item

    # -- handlers ---------------------------------------------------------------------------------

    def _repo(self, query: Query, urls: shapes.Urls) -> Reply:
        return Reply(200, shapes.full_repository(self.model, urls))

    def _pulls(self, query: Query, urls: shapes.Urls) -> Reply:
        state = _choice(query, "state", ("open", "closed", "all"), "open", "PullRequest")
        sort = _choice(query, "sort", ("created", "updated", "popularity", "long-running"), "created", "PullRequest")
        direction = _choice(query, "direction", ("asc", "desc"), "desc" if sort == "created" else "asc", "PullRequest")
        items = [i for i in self.model.pulls() if state == "all" or i.state == state]
        items = _sorted(items, sort, direction)
        return self.page(items, query, urls, f"/repos/{self.model.full_name}/pulls",
                         lambda i: shapes.pull_request(i, self.model, urls, full=False))

    def _pull(self, query: Query, urls: shapes.Urls, n: str) -> Reply:
        return Reply(200, shapes.pull_request(self._item(n, pr=True), self.model, urls, full=True))

    def _reviews(self, query: Query, urls: shapes.Urls, n: str) -> Reply:
        item = self._item(n, pr=True)
        return self.page(item.reviews, query, urls, f"/repos/{self.model.full_name}/pulls/{n}/reviews",
                         lambda r: shapes.review(r, self.model, urls))

    def _review_comments(self, query: Query, urls: shapes.Urls, n: str) -> Reply:
        item = self._item(n, pr=True)
        rows = _comment_order(item.review_comments, query)
        return self.page(rows, query, urls, f"/repos/{self.model.full_name}/pulls/{n}/comments",
                         lambda c: shapes.review_comment(c, self.model, urls))

    def _repo_review_comments(self, query: Query, urls: shapes.Urls) -> Reply:
        rows = _comment_order(list(self.model.all_review_comments()), query)
        return self.page(rows, query, urls, f"/repos/{self.model.full_name}/pulls/comments",
                         lambda c: shapes.review_comment(c, self.model, urls))

    def _commits(self, query: Query, urls: shapes.Urls, n: str) -> Reply:
        item = self._item(n, pr=True)
        return self.page(item.commits[:250], query, urls, f"/repos/{self.model.full_name}/pulls/{n}/commits",
                         lambda c: shapes.commit(c, self.model, urls))

    def _requested_reviewers(self, query: Query, urls: shapes.Urls, n: str) -> Reply:
        item = self._item(n, pr=True)
        users = [shapes.simple_user(self.model.user(r), urls) for r in item.requested_reviewers]
        return Reply(200, {"users": users, "teams": []})

    def _issues(self, query: Query, urls: shapes.Urls) -> Reply:
        state = _choice(query, "state", ("open", "closed", "all"), "open", "Issue")
        sort = _choice(query, "sort", ("created", "updated", "comments"), "created", "Issue")
        direction = _choice(query, "direction", ("asc", "desc"), "desc", "Issue")
        since = _since(query)
        wanted = {x for x in (query.get("labels") or "").split(",") if x}
        creator = query.get("creator")
        items = [
            i for i in self.model.items.values()
            if (state == "all" or i.state == state)
            and (since is None or i.updated_at >= since)
            and wanted.issubset(i.labels)
            and (creator is None or i.author == creator)
        ]
        items = _sorted(items, sort, direction)
        return self.page(items, query, urls, f"/repos/{self.model.full_name}/issues",
                         lambda i: shapes.issue(i, self.model, urls))

    def _issue(self, query: Query, urls: shapes.Urls, n: str) -> Reply:
        return Reply(200, shapes.issue_single(self._item(n), self.model, urls))

    def _comments(self, query: Query, urls: shapes.Urls, n: str) -> Reply:
        item = self._item(n)
        since = _since(query)
        rows = [c for c in item.comments if since is None or c.updated_at >= since]
        return self.page(rows, query, urls, f"/repos/{self.model.full_name}/issues/{n}/comments",
                         lambda c: shapes.comment(c, self.model, urls))

    def _repo_comments(self, query: Query, urls: shapes.Urls) -> Reply:
        rows = _comment_order(list(self.model.all_comments()), query)
        return self.page(rows, query, urls, f"/repos/{self.model.full_name}/issues/comments",
                         lambda c: shapes.comment(c, self.model, urls))

    def _timeline(self, query: Query, urls: shapes.Urls, n: str) -> Reply:
        item = self._item(n)
        entries: list[Event | Comment | Review | Commit | ReviewThread] = [
            *item.events, *item.comments, *item.reviews, *item.commits, *item.threads()]
        entries.sort(key=_when)
        return self.page(entries, query, urls, f"/repos/{self.model.full_name}/issues/{n}/timeline",
                         lambda e: shapes.timeline_event(e, self.model, urls))

    def _community(self, query: Query, urls: shapes.Urls) -> Reply:
        return Reply(200, shapes.community_profile(self.model, urls))

    def _contents(self, query: Query, urls: shapes.Urls, path: str) -> Reply:
        path = path.strip("/")
        f = self.model.files.get(path)
        if path and f is None:
            raise _NotFoundError
        if f is None or f.is_dir:
            entries = self.model.directory(path)
            return Reply(200, [shapes.content(e, self.model, urls, listing=True) for e in entries])
        return Reply(200, shapes.content(f, self.model, urls))

    def _labels(self, query: Query, urls: shapes.Urls) -> Reply:
        labels = sorted(self.model.labels.values(), key=lambda lab: lab.name)
        return self.page(labels, query, urls, f"/repos/{self.model.full_name}/labels",
                         lambda lab: shapes.label(lab, self.model, urls))

    def _contributors(self, query: Query, urls: shapes.Urls) -> Reply:
        counts: dict[str, int] = {}
        for item in self.model.pulls():
            if item.merged:
                for c in item.commits:
                    if c.author:
                        counts[c.author] = counts.get(c.author, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return self.page(ranked, query, urls, f"/repos/{self.model.full_name}/contributors",
                         lambda kv: {**shapes.simple_user(self.model.user(kv[0]), urls), "contributions": kv[1]})

    def _collaborators(self, query: Query, urls: shapes.Urls) -> Reply:
        perms = {"pull": True, "triage": True, "push": True, "maintain": True, "admin": False}
        return self.page(self.model.members(), query, urls, f"/repos/{self.model.full_name}/collaborators",
                         lambda u: {**shapes.simple_user(u, urls), "permissions": perms, "role_name": "maintain"})

    def _members(self, query: Query, urls: shapes.Urls, org: str) -> Reply:
        if org.lower() != self.model.owner.lower():
            raise _NotFoundError
        if self.model.members_private:
            return Reply(403, error_body("Resource protected by organization SAML enforcement. You must grant your "
                                         "Personal Access token access to this organization.", 403))
        return self._member_page(query, urls, f"/orgs/{self.model.owner}/members")

    def _public_members(self, query: Query, urls: shapes.Urls, org: str) -> Reply:
        if org.lower() != self.model.owner.lower():
            raise _NotFoundError
        return self._member_page(query, urls, f"/orgs/{self.model.owner}/public_members")

    def _member_page(self, query: Query, urls: shapes.Urls, path: str) -> Reply:
        return self.page(self.model.members(), query, urls, path, lambda u: shapes.simple_user(u, urls))

    def _user(self, query: Query, urls: shapes.Urls, login: str) -> Reply:
        user: User | None = self.model.users.get(login)
        if user is None:
            user = next((u for u in self.model.users.values() if u.login.lower() == login.lower()), None)
        if user is None:
            raise _NotFoundError
        return Reply(200, shapes.public_user(user, urls))

    def viewer_reply(self, urls: shapes.Urls) -> Reply:
        """``GET /user`` for the authenticated caller."""
        return Reply(200, shapes.public_user(self.model.user(self.viewer), urls))

    def _empty_list(self, query: Query, urls: shapes.Urls, **_: str) -> Reply:
        return Reply(200, [])


def _when(entry: Event | Comment | Review | Commit | ReviewThread) -> datetime:
    if isinstance(entry, Review):
        return entry.submitted_at
    if isinstance(entry, Commit):
        return entry.authored_at
    return entry.created_at


def _sorted(items: list[Item], sort: str, direction: str) -> list[Item]:
    keys: dict[str, Callable[[Item], Any]] = {
        "created": lambda i: (i.created_at, i.number),
        "updated": lambda i: (i.updated_at, i.number),
        "comments": lambda i: (len(i.comments), i.number),
        "popularity": lambda i: (len(i.comments), i.number),
        "long-running": lambda i: (i.created_at, i.number),
    }
    return sorted(items, key=keys[sort], reverse=direction == "desc")


def _comment_order(rows: list[Any], query: Query) -> list[Any]:
    since = _since(query)
    rows = [c for c in rows if since is None or c.updated_at >= since]
    sort = _choice(query, "sort", ("created", "updated"), "created", "IssueComment")
    direction = _choice(query, "direction", ("asc", "desc"), "asc", "IssueComment") if "sort" in query else "asc"
    attr = "created_at" if sort == "created" else "updated_at"
    return sorted(rows, key=lambda c: (getattr(c, attr), c.id), reverse=direction == "desc")
