"""REST response bodies of the GitHub test double, shaped as GitHub's OpenAPI description says.

Each function turns one object of the :mod:`~contribfunnel.testing.model` into
the JSON GitHub sends for it (``simple-user``, ``pull-request``, ``issue``,
``issue-comment``, ``pull-request-review``, ...).  URLs point back at the
double: API URLs under :attr:`Urls.api` (``http://127.0.0.1:PORT`` or its
``/api/v3`` form) and web URLs under :attr:`Urls.web`, as on GitHub Enterprise.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contribfunnel.testing.model import (
    Comment,
    Commit,
    Event,
    Item,
    Label,
    RepoFile,
    RepoModel,
    Review,
    ReviewComment,
    ReviewThread,
    User,
)

__all__ = [
    "Urls",
    "comment",
    "commit",
    "community_profile",
    "content",
    "full_repository",
    "issue",
    "label",
    "public_user",
    "pull_request",
    "review",
    "review_comment",
    "simple_user",
    "timeline_event",
]

Json = dict[str, Any]


@dataclass(frozen=True)
class Urls:
    """Where the double lives: ``api`` prefixes API URLs, ``web`` prefixes html URLs."""

    api: str
    web: str

    def repo(self, model: RepoModel) -> str:
        return f"{self.api}/repos/{model.full_name}"


def iso(at: datetime | None) -> str | None:
    """GitHub's timestamp form, ``2011-01-26T19:01:12Z``."""
    return None if at is None else at.strftime("%Y-%m-%dT%H:%M:%SZ")


def simple_user(u: User, urls: Urls) -> Json:
    """``simple-user``."""
    api = f"{urls.api}/users/{u.login}"
    return {
        "login": u.login,
        "id": u.id,
        "node_id": u.node_id,
        "avatar_url": f"{urls.web}/avatars/u/{u.id}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{urls.web}/{u.login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": u.kind,
        "user_view_type": "public",
        "site_admin": False,
    }


def public_user(u: User, urls: Urls) -> Json:
    """``public-user`` (``GET /users/{username}``)."""
    out = simple_user(u, urls)
    out.update({
        "name": u.name,
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "twitter_username": None,
        "public_repos": 1 if u.kind == "Organization" else 0,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": iso(u.created_at),
        "updated_at": iso(u.created_at),
    })
    return out


def _license(urls: Urls) -> Json:
    return {"key": "apache-2.0", "name": "Apache License 2.0", "spdx_id": "Apache-2.0",
            "url": f"{urls.api}/licenses/apache-2.0", "node_id": "MDc6TGljZW5zZTI="}


def repository(model: RepoModel, urls: Urls) -> Json:
    """``repository`` as nested in a pull request's ``head``/``base``."""
    api = urls.repo(model)
    web = f"{urls.web}/{model.full_name}"
    host = urls.web.split("://", 1)[-1]
    updated = max((i.updated_at for i in model.items.values()), default=model.created_at)
    open_issues = sum(1 for i in model.items.values() if i.state == "open")
    return {
        "id": model.id,
        "node_id": model.node_id,
        "name": model.name,
        "full_name": model.full_name,
        "owner": simple_user(model.org, urls),
        "private": False,
        "html_url": web,
        "description": f"{model.name}: a repository served by the GitHub test double",
        "fork": False,
        "url": api,
        "archive_url": f"{api}/{{archive_format}}{{/ref}}",
        "assignees_url": f"{api}/assignees{{/user}}",
        "blobs_url": f"{api}/git/blobs{{/sha}}",
        "branches_url": f"{api}/branches{{/branch}}",
        "collaborators_url": f"{api}/collaborators{{/collaborator}}",
        "comments_url": f"{api}/comments{{/number}}",
        "commits_url": f"{api}/commits{{/sha}}",
        "compare_url": f"{api}/compare/{{base}}...{{head}}",
        "contents_url": f"{api}/contents/{{+path}}",
        "contributors_url": f"{api}/contributors",
        "deployments_url": f"{api}/deployments",
        "downloads_url": f"{api}/downloads",
        "events_url": f"{api}/events",
        "forks_url": f"{api}/forks",
        "git_commits_url": f"{api}/git/commits{{/sha}}",
        "git_refs_url": f"{api}/git/refs{{/sha}}",
        "git_tags_url": f"{api}/git/tags{{/sha}}",
        "git_url": f"git://{host}/{model.full_name}.git",
        "issue_comment_url": f"{api}/issues/comments{{/number}}",
        "issue_events_url": f"{api}/issues/events{{/number}}",
        "issues_url": f"{api}/issues{{/number}}",
        "keys_url": f"{api}/keys{{/key_id}}",
        "labels_url": f"{api}/labels{{/name}}",
        "languages_url": f"{api}/languages",
        "merges_url": f"{api}/merges",
        "milestones_url": f"{api}/milestones{{/number}}",
        "notifications_url": f"{api}/notifications{{?since,all,participating}}",
        "pulls_url": f"{api}/pulls{{/number}}",
        "releases_url": f"{api}/releases{{/id}}",
        "ssh_url": f"git@{host}:{model.full_name}.git",
        "stargazers_url": f"{api}/stargazers",
        "statuses_url": f"{api}/statuses/{{sha}}",
        "subscribers_url": f"{api}/subscribers",
        "subscription_url": f"{api}/subscription",
        "tags_url": f"{api}/tags",
        "teams_url": f"{api}/teams",
        "trees_url": f"{api}/git/trees{{/sha}}",
        "clone_url": f"{web}.git",
        "mirror_url": None,
        "hooks_url": f"{api}/hooks",
        "svn_url": web,
        "homepage": None,
        "language": "Python",
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "size": 1024,
        "default_branch": "main",
        "open_issues_count": open_issues,
        "is_template": False,
        "topics": [],
        "has_issues": True,
        "has_projects": True,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": True,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "visibility": "public",
        "pushed_at": iso(updated),
        "created_at": iso(model.created_at),
        "updated_at": iso(updated),
        "allow_forking": True,
        "web_commit_signoff_required": False,
        "license": _license(urls),
        "forks": 0,
        "open_issues": open_issues,
        "watchers": 0,
    }


def full_repository(model: RepoModel, urls: Urls) -> Json:
    """``full-repository`` (``GET /repos/{owner}/{repo}``), as an anonymous caller sees it."""
    out = repository(model, urls)
    out.update({
        "temp_clone_token": None,
        "organization": simple_user(model.org, urls),
        "network_count": 0,
        "subscribers_count": 0,
    })
    return out


def label(lab: Label, model: RepoModel, urls: Urls) -> Json:
    """``label``."""
    return {
        "id": lab.id,
        "node_id": lab.node_id,
        "url": f"{urls.repo(model)}/labels/{lab.name.replace(' ', '%20')}",
        "name": lab.name,
        "color": lab.color,
        "default": lab.is_default,
        "description": lab.description,
    }


def _head_sha(item: Item, model: RepoModel) -> str:
    if item.commits:
        return item.commits[-1].sha
    return hashlib.sha1(f"{model.full_name}#{item.number}".encode(), usedforsecurity=False).hexdigest()


def _ref(model: RepoModel, urls: Urls, ref: str, sha: str) -> Json:
    return {"label": f"{model.owner}:{ref}", "ref": ref, "sha": sha,
            "user": simple_user(model.org, urls), "repo": repository(model, urls)}


def pull_request(item: Item, model: RepoModel, urls: Urls, *, full: bool) -> Json:
    """``pull-request-simple`` (lists) or, with ``full``, ``pull-request`` (``GET .../pulls/{n}``)."""
    api = f"{urls.repo(model)}/pulls/{item.number}"
    issue_api = f"{urls.repo(model)}/issues/{item.number}"
    html = f"{urls.web}/{model.full_name}/pull/{item.number}"
    sha = _head_sha(item, model)
    merge_sha = hashlib.sha1(f"merge:{sha}".encode(), usedforsecurity=False).hexdigest() if item.merged else None
    out: Json = {
        "url": api,
        "id": item.id,
        "node_id": item.node_id,
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue_api,
        "number": item.number,
        "state": item.state,
        "locked": False,
        "title": item.title,
        "user": simple_user(model.user(item.author), urls),
        "body": item.body,
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
        "closed_at": iso(item.closed_at),
        "merged_at": iso(item.merged_at),
        "merge_commit_sha": merge_sha,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [simple_user(model.user(r), urls) for r in item.requested_reviewers],
        "requested_teams": [],
        "labels": [label(model.label(n), model, urls) for n in item.labels],
        "milestone": None,
        "draft": item.is_draft,
        "commits_url": f"{api}/commits",
        "review_comments_url": f"{api}/comments",
        "review_comment_url": f"{urls.repo(model)}/pulls/comments{{/number}}",
        "comments_url": f"{issue_api}/comments",
        "statuses_url": f"{urls.repo(model)}/statuses/{sha}",
        "head": _ref(model, urls, f"topic-{item.number}", sha),
        "base": _ref(model, urls, "main", hashlib.sha1(f"base:{sha}".encode(), usedforsecurity=False).hexdigest()),
        "_links": {
            "self": {"href": api},
            "html": {"href": html},
            "issue": {"href": issue_api},
            "comments": {"href": f"{issue_api}/comments"},
            "review_comments": {"href": f"{api}/comments"},
            "review_comment": {"href": f"{urls.repo(model)}/pulls/comments{{/number}}"},
            "commits": {"href": f"{api}/commits"},
            "statuses": {"href": f"{urls.repo(model)}/statuses/{sha}"},
        },
        "author_association": item.association,
        "auto_merge": None,
        "active_lock_reason": None,
    }
    if full:
        out.update({
            "merged": item.merged,
            "mergeable": None if item.state == "closed" else True,
            "rebaseable": None if item.state == "closed" else True,
            "mergeable_state": "unknown" if item.state == "closed" else "clean",
            "merged_by": simple_user(model.user(item.merged_by), urls) if item.merged else None,
            "comments": len(item.comments),
            "review_comments": len(item.review_comments),
            "maintainer_can_modify": False,
            "commits": len(item.commits),
            "additions": 10 * len(item.commits),
            "deletions": 3 * len(item.commits),
            "changed_files": min(len(item.commits), 5),
        })
    return out


def _reactions(url: str) -> Json:
    return {"url": f"{url}/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0,
            "confused": 0, "heart": 0, "rocket": 0, "eyes": 0}


def issue(item: Item, model: RepoModel, urls: Urls) -> Json:
    """``issue`` (pull requests appear in issue lists with a ``pull_request`` key, as on GitHub)."""
    api = f"{urls.repo(model)}/issues/{item.number}"
    html = f"{urls.web}/{model.full_name}/{'pull' if item.is_pr else 'issues'}/{item.number}"
    out: Json = {
        "url": api,
        "repository_url": urls.repo(model),
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "html_url": html,
        "id": item.issue_id,
        "node_id": item.node_id,
        "number": item.number,
        "title": item.title,
        "user": simple_user(model.user(item.author), urls),
        "labels": [label(model.label(n), model, urls) for n in item.labels],
        "state": item.state,
        "locked": False,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": len(item.comments),
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
        "closed_at": iso(item.closed_at),
        "author_association": item.association,
        "active_lock_reason": None,
        "body": item.body,
        "closed_by": None,
        "reactions": _reactions(api),
        "timeline_url": f"{api}/timeline",
        "performed_via_github_app": None,
        "state_reason": None if item.state == "open" else ("completed" if not item.is_pr else None),
    }
    if item.is_pr:
        out["draft"] = item.is_draft
        pr_api = f"{urls.repo(model)}/pulls/{item.number}"
        out["pull_request"] = {"url": pr_api, "html_url": html, "diff_url": f"{html}.diff",
                               "patch_url": f"{html}.patch", "merged_at": iso(item.merged_at)}
    return out


def issue_single(item: Item, model: RepoModel, urls: Urls) -> Json:
    """``issue`` as ``GET .../issues/{n}`` returns it: with ``closed_by`` filled in."""
    out = issue(item, model, urls)
    if item.state == "closed":
        out["closed_by"] = simple_user(model.user(item.closed_by or item.merged_by or item.author), urls)
    return out


def comment(c: Comment, model: RepoModel, urls: Urls) -> Json:
    """``issue-comment``."""
    api = f"{urls.repo(model)}/issues/comments/{c.id}"
    item = model.items[c.number]
    html_kind = "pull" if item.is_pr else "issues"
    return {
        "id": c.id,
        "node_id": c.node_id,
        "url": api,
        "html_url": f"{urls.web}/{model.full_name}/{html_kind}/{c.number}#issuecomment-{c.id}",
        "body": c.body,
        "user": simple_user(model.user(c.author), urls),
        "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
        "issue_url": f"{urls.repo(model)}/issues/{c.number}",
        "author_association": c.association,
        "performed_via_github_app": None,
        "reactions": _reactions(api),
    }


def review(r: Review, model: RepoModel, urls: Urls) -> Json:
    """``pull-request-review``."""
    html = f"{urls.web}/{model.full_name}/pull/{r.number}#pullrequestreview-{r.id}"
    pr_api = f"{urls.repo(model)}/pulls/{r.number}"
    return {
        "id": r.id,
        "node_id": r.node_id,
        "user": simple_user(model.user(r.author), urls),
        "body": r.body,
        "state": r.state,
        "html_url": html,
        "pull_request_url": pr_api,
        "author_association": r.association,
        "_links": {"html": {"href": html}, "pull_request": {"href": pr_api}},
        "submitted_at": iso(r.submitted_at),
        "commit_id": r.commit_id,
    }


def review_comment(c: ReviewComment, model: RepoModel, urls: Urls) -> Json:
    """``pull-request-review-comment``."""
    api = f"{urls.repo(model)}/pulls/comments/{c.id}"
    pr_api = f"{urls.repo(model)}/pulls/{c.number}"
    html = f"{urls.web}/{model.full_name}/pull/{c.number}#discussion_r{c.id}"
    line = 1 + c.id % 40
    out: Json = {
        "url": api,
        "pull_request_review_id": c.review_id,
        "id": c.id,
        "node_id": c.node_id,
        "diff_hunk": f"@@ -{line},3 +{line},4 @@\n context\n+added line",
        "path": c.path,
        "position": 4,
        "original_position": 4,
        "commit_id": c.commit_id,
        "original_commit_id": c.commit_id,
        "user": simple_user(model.user(c.author), urls),
        "body": c.body,
        "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
        "html_url": html,
        "pull_request_url": pr_api,
        "author_association": c.association,
        "_links": {"self": {"href": api}, "html": {"href": html}, "pull_request": {"href": pr_api}},
        "reactions": _reactions(api),
        "start_line": None,
        "original_start_line": None,
        "start_side": None,
        "line": line + 1,
        "original_line": line + 1,
        "side": "RIGHT",
        "subject_type": "line",
    }
    if c.in_reply_to is not None:  # GitHub sends the key only on replies
        out["in_reply_to_id"] = c.in_reply_to
    return out


def commit(c: Commit, model: RepoModel, urls: Urls) -> Json:
    """``commit`` (``GET .../pulls/{n}/commits``)."""
    api = f"{urls.repo(model)}/commits/{c.sha}"
    user = model.user(c.author)
    person = _git_person(c, model)
    tree = hashlib.sha1(f"tree:{c.sha}".encode(), usedforsecurity=False).hexdigest()
    parent = hashlib.sha1(f"parent:{c.sha}".encode(), usedforsecurity=False).hexdigest()
    return {
        "sha": c.sha,
        "node_id": node_id_commit(c.sha),
        "commit": {
            "author": person,
            "committer": dict(person),
            "message": c.message,
            "tree": {"sha": tree, "url": f"{urls.repo(model)}/git/trees/{tree}"},
            "url": f"{urls.repo(model)}/git/commits/{c.sha}",
            "comment_count": 0,
            "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None,
                             "verified_at": None},
        },
        "url": api,
        "html_url": f"{urls.web}/{model.full_name}/commit/{c.sha}",
        "comments_url": f"{api}/comments",
        "author": simple_user(user, urls) if c.author else None,
        "committer": simple_user(user, urls) if c.author else None,
        "parents": [{"sha": parent, "url": f"{urls.repo(model)}/commits/{parent}",
                     "html_url": f"{urls.web}/{model.full_name}/commit/{parent}"}],
    }


def _git_person(c: Commit, model: RepoModel) -> Json:
    user = model.user(c.author)
    return {"name": user.name or user.login, "email": user.commit_email,
            "date": iso(c.authored_at)}


def _committed(c: Commit, model: RepoModel, urls: Urls) -> Json:
    """A timeline ``committed`` event: git's author and committer (name, e-mail, date), no GitHub account."""
    tree = hashlib.sha1(f"tree:{c.sha}".encode(), usedforsecurity=False).hexdigest()
    parent = hashlib.sha1(f"parent:{c.sha}".encode(), usedforsecurity=False).hexdigest()
    git = f"{urls.repo(model)}/git/commits"
    return {
        "sha": c.sha,
        "node_id": node_id_commit(c.sha),
        "url": f"{git}/{c.sha}",
        "html_url": f"{urls.web}/{model.full_name}/commit/{c.sha}",
        "author": _git_person(c, model),
        "committer": _git_person(c, model),
        "tree": {"sha": tree, "url": f"{urls.repo(model)}/git/trees/{tree}"},
        "message": c.message,
        "parents": [{"sha": parent, "url": f"{git}/{parent}", "html_url": f"{urls.web}/{model.full_name}/commit/{parent}"}],
        "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None,
                         "verified_at": None},
        "event": "committed",
    }


def node_id_commit(sha: str) -> str:
    """A commit's node id in GitHub's legacy form."""
    return base64.b64encode(f"06:Commit{sha}".encode()).decode()


_REST_EVENT = {"ready_for_review": "ready_for_review", "converted_to_draft": "convert_to_draft", "closed": "closed",
               "merged": "merged", "reopened": "reopened", "labeled": "labeled"}


def timeline_event(entry: Event | Comment | Review | Commit | ReviewThread, model: RepoModel, urls: Urls) -> Json:
    """One entry of ``GET .../issues/{n}/timeline``: an issue event, a comment, a review, a commit or a review thread."""
    if isinstance(entry, Commit):
        return _committed(entry, model, urls)
    if isinstance(entry, ReviewThread):
        return {"event": "line-commented", "node_id": entry.node_id,
                "comments": [review_comment(c, model, urls) for c in entry.comments]}
    if isinstance(entry, Comment):
        out = comment(entry, model, urls)
        out["event"] = "commented"
        out["actor"] = out["user"]
        return out
    if isinstance(entry, Review):
        out = review(entry, model, urls)
        out["event"] = "reviewed"
        return out
    item = model.items[entry.number]
    sha = _head_sha(item, model) if entry.kind == "merged" else None
    out = {
        "id": entry.id,
        "node_id": entry.node_id,
        "url": f"{urls.repo(model)}/issues/events/{entry.id}",
        "actor": simple_user(model.user(entry.actor), urls),
        "event": _REST_EVENT[entry.kind],
        "commit_id": sha,
        "commit_url": f"{urls.repo(model)}/commits/{sha}" if sha else None,
        "created_at": iso(entry.created_at),
        "performed_via_github_app": None,
    }
    if entry.kind == "labeled" and entry.label is not None:
        lab = model.label(entry.label)
        out["label"] = {"name": lab.name, "color": lab.color}
    if entry.kind in ("closed", "reopened"):
        out["state_reason"] = None
    return out


def content(f: RepoFile, model: RepoModel, urls: Urls, *, listing: bool = False) -> Json:
    """``content-file`` or, for a directory listing entry, ``content-directory`` item."""
    api = f"{urls.repo(model)}/contents/{f.path}?ref=main"
    kind = "dir" if f.is_dir else "file"
    html = f"{urls.web}/{model.full_name}/{'tree' if f.is_dir else 'blob'}/main/{f.path}"
    git = f"{urls.repo(model)}/git/{'trees' if f.is_dir else 'blobs'}/{f.sha}"
    download = None if f.is_dir else f"{urls.web}/raw/{model.full_name}/main/{f.path}"
    data = (f.content or "").encode()
    out: Json = {
        "type": kind,
        "size": 0 if f.is_dir else len(data),
        "name": f.path.rsplit("/", 1)[-1],
        "path": f.path,
        "sha": f.sha,
        "url": api,
        "git_url": git,
        "html_url": html,
        "download_url": download,
        "_links": {"self": api, "git": git, "html": html},
    }
    if not listing:
        encoded = base64.b64encode(data).decode()
        out["content"] = "\n".join(encoded[i:i + 60] for i in range(0, len(encoded), 60)) + "\n"
        out["encoding"] = "base64"
    return out


def community_profile(model: RepoModel, urls: Urls) -> Json:
    """``community-profile``: which health files the repository has."""

    def health(*paths: str) -> Json | None:
        for p in paths:
            if p in model.files and not model.files[p].is_dir:
                return {"url": f"{urls.repo(model)}/contents/{p}",
                        "html_url": f"{urls.web}/{model.full_name}/blob/main/{p}"}
        return None

    files = {
        "code_of_conduct": None,
        "code_of_conduct_file": health("CODE_OF_CONDUCT.md", ".github/CODE_OF_CONDUCT.md", "docs/CODE_OF_CONDUCT.md"),
        "license": dict(_license(urls), html_url=f"{urls.web}/{model.full_name}/blob/main/LICENSE")
        if "LICENSE" in model.files else None,
        "contributing": health("CONTRIBUTING.md", ".github/CONTRIBUTING.md", "docs/CONTRIBUTING.md"),
        "readme": health("README.md", "README"),
        "issue_template": health(*(p for p in model.files if p.startswith(".github/ISSUE_TEMPLATE/"))),
        "pull_request_template": health(".github/PULL_REQUEST_TEMPLATE.md", "PULL_REQUEST_TEMPLATE.md"),
    }
    present = sum(v is not None for k, v in files.items() if k != "code_of_conduct")
    updated = max((i.updated_at for i in model.items.values()), default=model.created_at)
    return {
        "health_percentage": round(100 * present / 6),
        "description": f"{model.name}: a repository served by the GitHub test double",
        "documentation": None,
        "files": files,
        "updated_at": iso(updated),
        "content_reports_enabled": False,
    }
