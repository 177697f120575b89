"""The in-memory repository behind the GitHub test double (:class:`RepoModel`).

A :class:`RepoModel` holds one repository as GitHub stores it: pull requests
and issues with their comments, reviews, review comments, commits and timeline
events, the users who made them, labels, files and organisation members.  It is
built from an :class:`~contribfunnel.Activity` (usually a synthetic one from
:func:`contribfunnel.make_activity`) by :meth:`RepoModel.from_activity`, and
tests change it with :meth:`RepoModel.touch`, :meth:`RepoModel.add_comment`,
:meth:`~RepoModel.add_review`, :meth:`~RepoModel.add_review_comment` (threads
with replies), :meth:`~RepoModel.add_commit` and :meth:`~RepoModel.add_event`
to exercise incremental fetches and connections longer than a page.
:meth:`RepoModel.event_rows` is the ground truth a complete fetch reproduces.

Identifiers are deterministic: database ids count up per kind, node ids use
GitHub's legacy form (``base64("04:User1")``), commit shas are SHA-1 digests of
the repository, number and position.

Examples
--------
>>> import contribfunnel as cf
>>> m = RepoModel.from_activity(cf.make_activity(seed=1, n_prs=20, n_issues=10))
>>> m.full_name
'example/project'
>>> sorted({i.kind for i in m.items.values()})
['issue', 'pr']
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

__all__ = [
    "EVENT_TYPES",
    "Comment",
    "Commit",
    "Event",
    "Item",
    "Label",
    "RepoFile",
    "RepoModel",
    "Review",
    "ReviewComment",
    "ReviewThread",
    "User",
    "node_id",
]

#: GitHub's placeholder for deleted accounts (REST ``ghost``, id 10137).
GHOST_LOGIN = "ghost"

#: Labels GitHub creates in every new repository (``default: true``), with their descriptions.
DEFAULT_LABELS = {
    "bug": "Something isn't working",
    "documentation": "Improvements or additions to documentation",
    "duplicate": "This issue or pull request already exists",
    "enhancement": "New feature or request",
    "good first issue": "Good for newcomers",
    "help wanted": "Extra attention is needed",
    "invalid": "This doesn't seem right",
    "question": "Further information is requested",
    "wontfix": "This will not be worked on",
}

#: Timeline event kinds of the Activity's events table that the model keeps as timeline events.
TIMELINE_KINDS = ("ready_for_review", "converted_to_draft", "closed", "merged", "reopened", "labeled")


def node_id(type_name: str, database_id: int) -> str:
    """GitHub's legacy global node id: base64 of ``"<len>:<Type><id>"``.

    >>> node_id("User", 1)
    'MDQ6VXNlcjE='
    """
    raw = f"{len(type_name):02d}:{type_name}{database_id}"
    return base64.b64encode(raw.encode()).decode()


@dataclass
class User:
    """A GitHub account: ``kind`` is ``"User"``, ``"Bot"`` or ``"Organization"``."""

    login: str
    id: int
    kind: str = "User"
    name: str | None = None
    created_at: datetime = datetime(2015, 1, 1, tzinfo=UTC)
    is_member: bool = False
    #: What the person writes on their git commits; None: GitHub's noreply address (e-mail kept private).
    email: str | None = None

    @property
    def commit_email(self) -> str:
        return self.email or f"{self.login}@users.noreply.github.com"

    @property
    def node_id(self) -> str:
        return node_id(self.kind, self.id)

    @property
    def graphql_login(self) -> str:
        """The login as GraphQL shows it: GitHub drops the ``[bot]`` suffix of app bots there."""
        return self.login.removesuffix("[bot]") if self.kind == "Bot" else self.login


@dataclass
class Label:
    """A repository label."""

    name: str
    id: int
    color: str
    description: str | None = None
    is_default: bool = False
    created_at: datetime = datetime(2015, 1, 1, tzinfo=UTC)

    @property
    def node_id(self) -> str:
        return node_id("Label", self.id)


@dataclass
class Comment:
    """An issue comment (on an issue or on a pull request's conversation)."""

    id: int
    number: int
    author: str | None
    body: str
    created_at: datetime
    updated_at: datetime
    association: str = "NONE"

    @property
    def node_id(self) -> str:
        return node_id("IssueComment", self.id)


@dataclass
class Review:
    """A submitted pull request review; ``state`` is GitHub's review state."""

    id: int
    number: int
    author: str | None
    state: str
    submitted_at: datetime
    body: str = ""
    association: str = "NONE"
    commit_id: str = ""

    @property
    def node_id(self) -> str:
        return node_id("PullRequestReview", self.id)


@dataclass
class ReviewComment:
    """A review comment on a diff line: it starts a thread, or replies (``in_reply_to``) to the thread's first comment."""

    id: int
    number: int
    author: str | None
    body: str
    created_at: datetime
    updated_at: datetime
    path: str
    review_id: int | None = None
    association: str = "NONE"
    commit_id: str = ""
    in_reply_to: int | None = None

    @property
    def node_id(self) -> str:
        return node_id("PullRequestReviewComment", self.id)

    @property
    def thread_id(self) -> int:
        """The id of the comment that started this comment's thread."""
        return self.in_reply_to if self.in_reply_to is not None else self.id

    @property
    def thread_node_id(self) -> str:
        return node_id("PullRequestReviewThread", self.thread_id)


@dataclass
class ReviewThread:
    """A review thread: the comment that started it and its replies, oldest first."""

    number: int
    comments: list[ReviewComment]

    @property
    def id(self) -> int:
        return self.comments[0].id

    @property
    def created_at(self) -> datetime:
        return self.comments[0].created_at

    @property
    def path(self) -> str:
        return self.comments[0].path

    @property
    def node_id(self) -> str:
        return node_id("PullRequestReviewThread", self.id)


@dataclass
class Commit:
    """A commit of a pull request."""

    sha: str
    number: int
    author: str | None
    message: str
    authored_at: datetime


#: Timeline event kinds (as in ``events.kind``) and the GraphQL type GitHub gives each.
EVENT_TYPES = {
    "ready_for_review": "ReadyForReviewEvent",
    "converted_to_draft": "ConvertToDraftEvent",
    "closed": "ClosedEvent",
    "merged": "MergedEvent",
    "reopened": "ReopenedEvent",
    "labeled": "LabeledEvent",
}


@dataclass
class Event:
    """A timeline event: ``kind`` is one of :data:`TIMELINE_KINDS`."""

    id: int
    number: int
    kind: str
    actor: str | None
    created_at: datetime
    label: str | None = None

    @property
    def node_id(self) -> str:
        return node_id(EVENT_TYPES[self.kind], self.id)


@dataclass
class Item:
    """A pull request (``kind == "pr"``) or an issue, with everything attached to it."""

    number: int
    kind: str
    id: int
    title: str
    author: str | None
    association: str
    created_at: datetime
    updated_at: datetime
    state: str = "open"
    merged: bool = False
    is_draft: bool = False
    closed_at: datetime | None = None
    merged_at: datetime | None = None
    merged_by: str | None = None
    closed_by: str | None = None
    body: str | None = None
    labels: list[str] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    review_comments: list[ReviewComment] = field(default_factory=list)
    commits: list[Commit] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    requested_reviewers: list[str] = field(default_factory=list)

    @property
    def is_pr(self) -> bool:
        return self.kind == "pr"

    @property
    def node_id(self) -> str:
        return node_id("PullRequest" if self.is_pr else "Issue", self.id)

    @property
    def issue_id(self) -> int:
        """The id of the issue half of a pull request (REST ``/issues`` shows PRs as issues)."""
        return self.id + 500_000_000 if self.is_pr else self.id

    def threads(self) -> list[ReviewThread]:
        """The review threads of a pull request, by their first comment's time."""
        by_root: dict[int, list[ReviewComment]] = {}
        for c in sorted(self.review_comments, key=lambda c: (c.created_at, c.id)):
            by_root.setdefault(c.thread_id, []).append(c)
        return [ReviewThread(self.number, rows) for rows in by_root.values()]


@dataclass
class RepoFile:
    """A file (``content`` is its text) or a directory (``content is None``) in the default branch."""

    path: str
    content: str | None

    @property
    def is_dir(self) -> bool:
        return self.content is None

    @property
    def sha(self) -> str:
        data = b"" if self.content is None else self.content.encode()
        return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _ts(value: Any) -> datetime | None:
    if value is None or pd.isna(value):
        return None
    out: datetime = pd.Timestamp(value).to_pydatetime().replace(microsecond=0)
    return out


def _str(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


class RepoModel:
    """One GitHub repository in memory; thread-safe through :attr:`lock`.

    Parameters
    ----------
    full_name : str
        ``owner/name``.
    created_at : datetime
        When the repository was created.
    members_private : bool
        Whether ``GET /orgs/{org}/members`` is refused with 403 (SAML-enforced organisation).
    """

    def __init__(self, full_name: str, *, created_at: datetime | None = None, members_private: bool = False) -> None:
        self.owner, _, self.name = full_name.partition("/")
        self.id = 100_000 + int(hashlib.sha1(full_name.encode(), usedforsecurity=False).hexdigest()[:6], 16)
        self.created_at = created_at or datetime(2020, 1, 1, tzinfo=UTC)
        self.members_private = members_private
        self.users: dict[str, User] = {}
        self.labels: dict[str, Label] = {}
        self.items: dict[int, Item] = {}
        self.files: dict[str, RepoFile] = {}
        self.lock = threading.RLock()
        #: Bumped on every change; the server uses it in ETags.
        self.version = 0
        self._ids: dict[str, int] = {}
        self.org = self._user(self.owner, kind="Organization")

    # -- building ---------------------------------------------------------------------------------

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def node_id(self) -> str:
        return node_id("Repository", self.id)

    def next_id(self, kind: str) -> int:
        """The next database id of ``kind`` (ids of different kinds live in different ranges)."""
        base = {"user": 1_000, "item": 10_000_000, "comment": 20_000_000, "review": 30_000_000,
                "review_comment": 40_000_000, "event": 50_000_000, "label": 60_000_000}[kind]
        self._ids[kind] = self._ids.get(kind, base) + 1
        return self._ids[kind]

    def _user(self, login: str, *, kind: str = "User", name: str | None = None, is_member: bool = False,
              email: str | None = None) -> User:
        if login not in self.users:
            self.users[login] = User(login, self.next_id("user"), kind=kind, name=name, is_member=is_member,
                                     email=email)
        return self.users[login]

    def label(self, name: str) -> Label:
        """The label called ``name``, created on first use."""
        if name not in self.labels:
            lid = self.next_id("label")
            color = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()[:6]
            description = DEFAULT_LABELS.get(name, f"Issues and pull requests about {name}")
            self.labels[name] = Label(name, lid, color, description, is_default=name in DEFAULT_LABELS)
        return self.labels[name]

    @classmethod
    def from_activity(cls, activity: Any, *, repo: str | None = None, members_private: bool = False) -> RepoModel:
        """Build the model of one repository of an :class:`~contribfunnel.Activity`.

        Parameters
        ----------
        activity : Activity
            Usually ``contribfunnel.make_activity(seed=...)``.
        repo : str, optional
            Which repository (``owner/name``); the first of ``activity.meta.repos`` by default.
        members_private : bool
            Refuse ``GET /orgs/{org}/members`` with 403.

        Returns
        -------
        RepoModel
        """
        full_name = repo or activity.meta.repos[0]
        items = activity.items[activity.items.repo == full_name].sort_values("number")
        events = activity.events[activity.events.repo == full_name].sort_values(["number", "at"], kind="stable")
        start = _ts(items.created_at.min()) if len(items) else None
        model = cls(full_name, created_at=start, members_private=members_private)
        people = activity.people
        login_of: dict[str, str] = {}
        for row in people.itertuples(index=False):
            login = row.logins[0] if len(row.logins) else str(row.person)
            login_of[str(row.person)] = login
            github_bot = bool(row.is_bot) and row.bot_reason in ("github-type", "[bot]-suffix")
            name = row.names[0] if len(row.names) else None
            emails = [e for e in row.emails if "noreply" not in e]
            user = model._user(login, kind="Bot" if github_bot else "User", name=name,
                               is_member=bool(row.is_internal) and not bool(row.is_bot),
                               email=emails[0] if emails and not github_bot else None)
            if not pd.isna(row.first_seen_at):
                user.created_at = min(user.created_at, _ts(row.first_seen_at) or user.created_at)

        def who(person: Any) -> str | None:
            p = _str(person)
            if p is None:
                return None
            login = login_of.get(p, p)
            model._user(login)
            return login

        for name in activity.repo_files.loc[activity.repo_files.kind == "label", "path"]:
            model.label(str(name))
        merged_authors: set[str] = set()
        for row in items.itertuples(index=False):
            created = _ts(row.created_at) or model.created_at
            item = Item(
                number=int(row.number), kind=str(row.kind), id=model.next_id("item"),
                title=_str(row.title) or "", author=who(row.author),
                association=_str(row.author_association) or "NONE",
                created_at=created, updated_at=_ts(row.updated_at) or created,
                state="open" if row.state == "open" else "closed", merged=row.state == "merged",
                is_draft=bool(row.is_draft), closed_at=_ts(row.closed_at), merged_at=_ts(row.merged_at),
                merged_by=who(row.merged_by), closed_by=who(row.closed_by), labels=[str(x) for x in row.labels],
            )
            for name in item.labels:
                model.label(name)
            model.items[item.number] = item
            if item.merged and item.author:
                merged_authors.add(item.author)

        def association(login: str | None) -> str:
            if login is None:
                return "NONE"
            user = model.users.get(login)
            if login == model.owner:
                return "OWNER"
            if user is not None and user.is_member:
                return "MEMBER"
            return "CONTRIBUTOR" if login in merged_authors else "NONE"

        labeled_seen: dict[int, int] = {}
        for row in events.itertuples(index=False):
            found = model.items.get(int(row.number))
            at = _ts(row.at)
            if found is None or at is None:
                continue
            item = found
            actor = who(row.actor)
            kind = str(row.kind)
            if kind == "comment":
                cid = model.next_id("comment")
                item.comments.append(Comment(cid, item.number, actor, f"Comment {cid} on #{item.number}.", at, at,
                                             association(actor)))
            elif kind == "review" and item.is_pr:
                state = _str(row.review_state) or "COMMENTED"
                item.reviews.append(Review(model.next_id("review"), item.number, actor, state, at,
                                           body="" if state == "APPROVED" else f"Review of #{item.number}.",
                                           association=association(actor)))
            elif kind == "review_comment" and item.is_pr:
                review = next((r for r in reversed(item.reviews) if r.author == actor and r.submitted_at <= at), None)
                cid = model.next_id("review_comment")
                item.review_comments.append(ReviewComment(
                    cid, item.number, actor, f"Nit {cid}.", at, at, path=f"src/module_{cid % 7}.py",
                    review_id=review.id if review else None, association=association(actor)))
            elif kind == "commit" and item.is_pr:
                sha = hashlib.sha1(f"{full_name}#{item.number}:{len(item.commits)}".encode(),
                                   usedforsecurity=False).hexdigest()
                item.commits.append(Commit(sha, item.number, actor, f"Change {len(item.commits) + 1} for #{item.number}", at))
            elif kind in TIMELINE_KINDS:
                label = None
                if kind == "labeled":
                    k = labeled_seen.get(item.number, 0)
                    labeled_seen[item.number] = k + 1
                    label = item.labels[k % len(item.labels)] if item.labels else "needs-triage"
                    model.label(label)
                item.events.append(Event(model.next_id("event"), item.number, kind, actor, at, label))
        for item in model.items.values():
            head = item.commits[-1].sha if item.commits else hashlib.sha1(
                f"{full_name}#{item.number}".encode(), usedforsecurity=False).hexdigest()
            for review in item.reviews:
                review.commit_id = head
            for rc in item.review_comments:
                rc.commit_id = head
        model._files_from(activity.repo_files[activity.repo_files.repo == full_name])
        return model

    def _files_from(self, repo_files: pd.DataFrame) -> None:
        for row in repo_files.itertuples(index=False):
            kind, path = str(row.kind), str(row.path)
            if kind in ("label", "good_first_issue"):
                continue
            if kind == "tree":
                if path not in self.files:
                    self.files[path] = RepoFile(path, None if "." not in path or path == ".github" else "")
                continue
            content = _str(row.content)
            if content is None:
                size = 0 if pd.isna(row.size) else int(row.size)
                line = f"{path}: placeholder text of the GitHub test double.\n"
                content = (line * (size // len(line) + 1))[:size]
            self.files[path] = RepoFile(path, content)
            parts = path.split("/")
            for i in range(1, len(parts)):
                self.files.setdefault("/".join(parts[:i]), RepoFile("/".join(parts[:i]), None))

    # -- reading ----------------------------------------------------------------------------------

    def user(self, login: str | None) -> User:
        """The account ``login``; GitHub's ``ghost`` for a deleted account (``None``)."""
        if login is None:
            if GHOST_LOGIN not in self.users:
                self.users[GHOST_LOGIN] = User(GHOST_LOGIN, 10137)
            return self.users[GHOST_LOGIN]
        return self.users.get(login) or self._user(login)

    def pulls(self) -> list[Item]:
        """Pull requests, by number."""
        return [i for i in self.items.values() if i.is_pr]

    def issues(self) -> list[Item]:
        """Issues only (not pull requests), by number."""
        return [i for i in self.items.values() if not i.is_pr]

    def members(self) -> list[User]:
        """Organisation members (the core team), by login."""
        return sorted((u for u in self.users.values() if u.is_member and u.kind == "User"), key=lambda u: u.login)

    def all_comments(self) -> Iterator[Comment]:
        for item in self.items.values():
            yield from item.comments

    def all_review_comments(self) -> Iterator[ReviewComment]:
        for item in self.items.values():
            yield from item.review_comments

    def node(self, node_id_: str) -> Item | ReviewThread | None:
        """The pull request, issue or review thread whose global node id is ``node_id_`` (``None`` if none)."""
        for item in self.items.values():
            if item.node_id == node_id_:
                return item
            if item.is_pr:
                for thread in item.threads():
                    if thread.node_id == node_id_:
                        return thread
        return None

    def event_rows(self) -> list[dict[str, Any]]:
        """Everything that happened on items, one row per event as in an Activity's ``events`` table.

        The ground truth a complete fetch must reproduce: ``repo``, ``number``,
        ``kind`` (``comment``, ``review``, ``review_comment``, ``commit`` and the
        timeline kinds), ``actor`` (``None`` for a deleted account), ``at`` and
        ``review_state``.
        """
        rows: list[dict[str, Any]] = []

        def add(item: Item, kind: str, actor: str | None, at: datetime, state: str | None = None) -> None:
            rows.append({"repo": self.full_name, "number": item.number, "kind": kind, "actor": actor, "at": at,
                         "review_state": state})

        with self.lock:
            for item in self.items.values():
                for c in item.comments:
                    add(item, "comment", c.author, c.created_at)
                for r in item.reviews:
                    add(item, "review", r.author, r.submitted_at, r.state)
                for rc in item.review_comments:
                    add(item, "review_comment", rc.author, rc.created_at)
                for cm in item.commits:
                    add(item, "commit", cm.author, cm.authored_at)
                for e in item.events:
                    add(item, e.kind, e.actor, e.created_at)
        return rows

    def directory(self, path: str) -> list[RepoFile]:
        """Entries directly inside ``path`` ("" is the root), by path."""
        prefix = f"{path.strip('/')}/" if path.strip("/") else ""
        out = [f for p, f in self.files.items() if p.startswith(prefix) and "/" not in p[len(prefix):] and p != path]
        return sorted(out, key=lambda f: f.path)

    # -- mutations for tests ----------------------------------------------------------------------

    def touch(self, number: int, *, at: datetime) -> Item:
        """Mark item ``number`` as updated at ``at`` (as any edit on GitHub would)."""
        with self.lock:
            item = self.items[number]
            item.updated_at = max(item.updated_at, at.astimezone(UTC).replace(microsecond=0))
            self.version += 1
            return item

    def add_comment(self, number: int, *, author: str, at: datetime, body: str = "A new comment.") -> Comment:
        """Add an issue comment to item ``number`` at ``at``; bumps the item's ``updated_at``."""
        with self.lock:
            item = self.items[number]
            self.user(author)
            at = at.astimezone(UTC).replace(microsecond=0)
            comment = Comment(self.next_id("comment"), number, author, body, at, at)
            item.comments.append(comment)
            self.touch(number, at=at)
            return comment

    def add_review(self, number: int, *, author: str, at: datetime, state: str = "COMMENTED") -> Review:
        """Add a submitted review (``state`` as GitHub spells it) to pull request ``number``."""
        with self.lock:
            item = self.items[number]
            self.user(author)
            at = at.astimezone(UTC).replace(microsecond=0)
            review = Review(self.next_id("review"), number, author, state, at, body=f"Review of #{number}.",
                            commit_id=item.commits[-1].sha if item.commits else "")
            item.reviews.append(review)
            self.touch(number, at=at)
            return review

    def add_review_comment(self, number: int, *, author: str, at: datetime,
                           reply_to: ReviewComment | None = None) -> ReviewComment:
        """Add a review comment to pull request ``number``: a new thread, or a reply in ``reply_to``'s thread."""
        with self.lock:
            item = self.items[number]
            self.user(author)
            at = at.astimezone(UTC).replace(microsecond=0)
            cid = self.next_id("review_comment")
            review = next((r for r in reversed(item.reviews) if r.author == author and r.submitted_at <= at), None)
            comment = ReviewComment(cid, number, author, f"Nit {cid}.", at, at,
                                    path=reply_to.path if reply_to else f"src/module_{cid % 7}.py",
                                    review_id=review.id if review else None,
                                    commit_id=item.commits[-1].sha if item.commits else "",
                                    in_reply_to=reply_to.thread_id if reply_to else None)
            item.review_comments.append(comment)
            self.touch(number, at=at)
            return comment

    def add_commit(self, number: int, *, author: str, at: datetime) -> Commit:
        """Add a commit by ``author`` to pull request ``number``."""
        with self.lock:
            item = self.items[number]
            self.user(author)
            at = at.astimezone(UTC).replace(microsecond=0)
            sha = hashlib.sha1(f"{self.full_name}#{number}:{len(item.commits)}".encode(),
                               usedforsecurity=False).hexdigest()
            commit = Commit(sha, number, author, f"Change {len(item.commits) + 1} for #{number}", at)
            item.commits.append(commit)
            self.touch(number, at=at)
            return commit

    def add_event(self, number: int, kind: str, *, actor: str, at: datetime, label: str | None = None) -> Event:
        """Add a timeline event (``kind`` one of :data:`TIMELINE_KINDS`); ``labeled`` also adds the label."""
        if kind not in TIMELINE_KINDS:
            raise ValueError(f"unknown timeline kind {kind!r}")
        with self.lock:
            item = self.items[number]
            self.user(actor)
            at = at.astimezone(UTC).replace(microsecond=0)
            if kind == "labeled":
                label = label or "needs-triage"
                self.label(label)
                if label not in item.labels:
                    item.labels.append(label)
            event = Event(self.next_id("event"), number, kind, actor, at, label)
            item.events.append(event)
            self.touch(number, at=at)
            return event
