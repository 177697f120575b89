"""The git source: any local clone, offline, no token.

:func:`load_git` runs one ``git log`` over the history reachable from HEAD and
parses it while git is still writing; governance documents come from the
working tree (or, in a bare repository, from HEAD's tree).

Requests: none.  Subprocesses: ``git rev-parse`` (twice), ``git config``,
``git --version`` and one ``git log``.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import threading
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from io import BufferedReader
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from contribfunnel.activity import Activity, Meta
from contribfunnel.config import Config
from contribfunnel.errors import DataError, EmptyRepositoryError, NotARepositoryError, UsageError
from contribfunnel.identities import resolve_identities
from contribfunnel.sources.trailers import CREDIT_KEYS, parse_people, pr_number, trailers

__all__ = ["FORMAT", "load_git", "parse_log"]

FORMAT = "%H%x1f%P%x1f%aN%x1f%aE%x1f%at%x1f%cN%x1f%cE%x1f%ct%x1f%B"
_ENV = {"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_NO_LAZY_FETCH": "1", "GIT_PAGER": "cat"}
_REMOTE = re.compile(r"(?:github\.com|gitee\.com|gitlab\.com|[\w.-]+)[:/]+(?P<slug>[\w.-]+/[\w.-]+?)(?:\.git)?/?$")

# Governance documents: (kind, regex on the path relative to the repository root).
_DOCS: list[tuple[str, re.Pattern[str]]] = [
    (kind, re.compile(rx, re.IGNORECASE))
    for kind, rx in [
        ("contributing", r"^(\.github/|docs/|\.gitee/)?contributing(\.[\w.]+)?$"),
        ("code_of_conduct", r"^(\.github/|docs/|\.gitee/)?code[_-]of[_-]conduct(\.[\w.]+)?$"),
        ("license", r"^(licen[cs]e|copying)([.-][\w.-]+)?$"),
        ("security", r"^(\.github/|docs/)?security(\.[\w.]+)?$"),
        ("pr_template", r"^(\.github/|docs/|\.gitee/|\.gitlab/)?(pull_request_template(\.[\w]+)?|pull_request_template/.+|merge_request_templates/.+)$"),
        ("issue_template", r"^(\.github/|docs/|\.gitee/|\.gitlab/)?(issue_template(\.[\w]+)?|issue_template/.+|issue_templates/.+)$"),
        ("codeowners", r"^(\.github/|docs/|\.gitlab/|\.gitee/)?codeowners$"),
        ("maintainers", r"^(maintainers|owners|committers|owners_aliases)(\.[\w]+)?$"),
        ("governance", r"^(\.github/|docs/)?governance(\.[\w.]+)?$"),
        ("ci", r"^(\.github/workflows/.+\.ya?ml|\.gitlab-ci\.yml|\.travis\.yml|jenkinsfile|azure-pipelines\.yml|\.circleci/config\.yml|\.cirrus\.yml|appveyor\.yml|\.gitee/workflows/.+)$"),
        ("readme", r"^readme(\.[\w.]+)?$"),
    ]
]
_KEEP_CONTENT = {"codeowners", "maintainers", "governance", "contributing"}
_MAX_CONTENT = 64 * 1024
_SCAN_DIRS = ("", ".github", ".github/workflows", ".github/ISSUE_TEMPLATE", ".github/PULL_REQUEST_TEMPLATE",
              "docs", ".gitee", ".gitee/ISSUE_TEMPLATE", ".gitlab", ".gitlab/issue_templates",
              ".gitlab/merge_request_templates", ".circleci")


def _git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, env={**os.environ, **_ENV}, check=False
        )
    except FileNotFoundError:
        raise DataError("git is not installed or not on PATH") from None
    if check and proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DataError(f"git {args[0]} failed in {cwd}: {msg[-1] if msg else 'exit ' + str(proc.returncode)}")
    return proc


def _timestamp(value: Any, name: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise UsageError(f"{name}: not a date: {value!r}") from None
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def _repo_slug(cwd: Path, top: Path) -> str:
    url = _git(cwd, "config", "--get", "remote.origin.url", check=False).stdout.decode("utf-8", "replace").strip()
    m = _REMOTE.search(url) if url else None
    return m.group("slug") if m else top.name


def load_git(
    path: str | Path,
    *,
    since: Any = None,
    until: Any = None,
    config: Config | None = None,
    repo: str | None = None,
    as_of: Any = None,
) -> Activity:
    """Load a local git clone's history, credits and governance files as an :class:`Activity`.

    Parameters
    ----------
    path
        A clone (any folder inside its working tree) or a bare repository.
    since, until
        Limit the history by commit date (git's ``--since``/``--until``).  A
        ``since`` makes the history incomplete: newcomers are then only
        "new within the window", and ``meta.history_complete`` says so.
    config
        Identity and classification rules; see :class:`~contribfunnel.Config`.
    repo
        The repository name to record; by default ``owner/name`` from the
        ``origin`` remote, else the folder name.
    as_of
        The analysis date recorded in ``meta.as_of``; by default ``until``, else now.

    Notes
    -----
    Attribution goes to the author (after ``.mailmap``), not the committer:
    web merges and applied patches are committed by someone else.  Merge
    commits credit their author as ``merger``, not ``author``.  A commit whose
    message has ``Author:`` trailers (PostgreSQL style) credits those people as
    authors and its git author as ``committer``.  Trailers are parsed by the
    rule in :mod:`contribfunnel.sources.trailers`.  Items and events (PRs,
    reviews, response times) are not in git: those metrics say
    "needs GitHub activity".

    Examples
    --------
    >>> import contribfunnel as cf
    >>> act = cf.load_git(".")  # doctest: +SKIP
    """
    root = Path(path).expanduser()
    if not root.exists():
        raise UsageError(f"no such path: {root}")
    if not root.is_dir():
        raise NotARepositoryError(f"not a git repository: {root} (not a folder)")
    probe = _git(root, "rev-parse", "--is-bare-repository", "--is-shallow-repository", check=False)
    if probe.returncode != 0:
        raise NotARepositoryError(f"not a git repository: {root}")
    bare, shallow = (line.strip() == "true" for line in probe.stdout.decode("utf-8", "replace").splitlines()[:2])
    if bare:
        top = root.resolve()
    else:
        top = Path(_git(root, "rev-parse", "--show-toplevel").stdout.decode("utf-8", "replace").strip())
    if _git(root, "rev-parse", "--verify", "-q", "HEAD^{commit}", check=False).returncode != 0:
        raise EmptyRepositoryError(f"empty repository: {top} has no commits yet")
    since_ts, until_ts = _timestamp(since, "since"), _timestamp(until, "until")
    as_of_ts = _timestamp(as_of, "as_of") or until_ts or pd.Timestamp.now(tz="UTC").floor("s")
    name = repo or _repo_slug(root, top)

    commits, credits = _log(root, name, since_ts, until_ts)
    files = _repo_files(root, top, name, bare)
    notes = []
    if shallow:
        notes.append("shallow clone: the history is cut, so people active before the cut look like newcomers")
    if since_ts is not None:
        notes.append(f"history loaded from {since_ts:%Y-%m-%d} only: earlier contributors look like newcomers")
    notes.append("git only: no pull requests, reviews or response times (needs GitHub activity)")
    git_version = _git(root, "--version", check=False).stdout.decode().strip().removeprefix("git version ")
    try:
        own = version("contribfunnel")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        own = "dev"
    meta = Meta(
        as_of=as_of_ts,
        repos=(name,),
        sources=("git",),
        since=since_ts,
        until=until_ts,
        history_complete=not shallow and since_ts is None,
        notes=tuple(notes),
        versions={"contribfunnel": own, "git": git_version, "pandas": pd.__version__},
    )
    act = Activity.from_tables(meta=meta, commits=commits, credits=credits, repo_files=files)
    return resolve_identities(act, config=config)


def _log(
    root: Path, repo: str, since: pd.Timestamp | None, until: pd.Timestamp | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    args = ["git", "-c", "log.showSignature=false", "-c", "core.quotepath=off", "log", "--no-color",
            "--encoding=UTF-8", "-z", f"--format={FORMAT}"]
    if since is not None:
        args.append(f"--since={since.isoformat()}")
    if until is not None:
        args.append(f"--until={until.isoformat()}")
    args += ["HEAD", "--"]
    try:
        proc = subprocess.Popen(args, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env={**os.environ, **_ENV})
    except FileNotFoundError:
        raise DataError("git is not installed or not on PATH") from None
    assert proc.stdout is not None
    assert proc.stderr is not None
    # A reader thread drains the pipe so git never waits on the parser: the
    # read releases the GIL, so git's work and ours overlap.
    chunks: queue.SimpleQueue[bytes] = queue.SimpleQueue()
    stdout = cast("BufferedReader", proc.stdout)

    def pump() -> None:
        while chunk := stdout.read1(1 << 20):
            chunks.put(chunk)
        chunks.put(b"")

    threading.Thread(target=pump, daemon=True).start()
    commits, credits = parse_log(iter(chunks.get, b""), repo)
    err = proc.stderr.read()
    if proc.wait() != 0:
        lines = err.decode("utf-8", "replace").strip().splitlines()
        raise DataError(f"git log failed in {root}: {lines[-1] if lines else 'exit ' + str(proc.returncode)}")

    return commits, credits



def parse_log(chunks: Iterable[bytes], repo: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse ``git log -z --format=`` :data:`FORMAT` output (in chunks) into commits and credits tables.

    Identity columns (``author``, ``committer``, ``person``) are left empty for
    :func:`~contribfunnel.resolve_identities` to fill.
    """
    cols: dict[str, list[Any]] = {k: [] for k in ("sha", "parents", "an", "ae", "at", "cn", "ce", "ct", "pr", "subject")}
    cred: dict[str, list[Any]] = {k: [] for k in ("sha", "role", "name", "email", "at")}
    rest = b""
    for chunk in chunks:
        records = (rest + chunk).split(b"\0")
        rest = records.pop()
        for raw in records:
            _parse(raw, cols, cred)
    if rest.strip(b"\n"):
        _parse(rest, cols, cred)
    at = pd.to_datetime(np.asarray(cols["at"], dtype="int64"), unit="s", utc=True)
    commits = pd.DataFrame(
        {
            "repo": repo,
            "sha": cols["sha"],
            "author_name": cols["an"],
            "author_email": cols["ae"],
            "authored_at": at,
            "committer_name": cols["cn"],
            "committer_email": cols["ce"],
            "committed_at": pd.to_datetime(np.asarray(cols["ct"], dtype="int64"), unit="s", utc=True),
            "is_merge": np.asarray(cols["parents"], dtype="int64") > 1,
            "pr_number": pd.array(cols["pr"], dtype="Int64"),
            "subject": cols["subject"],
        }
    )
    credits = pd.DataFrame(
        {
            "repo": repo,
            "sha": cred["sha"],
            "role": cred["role"],
            "name": cred["name"],
            "email": cred["email"],
            "at": pd.to_datetime(np.asarray(cred["at"], dtype="int64"), unit="s", utc=True),
        }
    )
    credits = credits.drop_duplicates(["sha", "role", "name", "email"])
    return commits, credits

def _parse(raw: bytes, cols: dict[str, list[Any]], cred: dict[str, list[Any]]) -> None:
    raw = raw.lstrip(b"\n")
    if not raw:
        return
    fields = _decode(raw).split("\x1f", 8)
    if len(fields) < 9:
        return
    sha, parents, an, ae, at_s, cn, ce, ct_s, message = fields
    n_parents = len(parents.split())
    at = int(at_s or 0)
    subject = message.split("\n", 1)[0].strip()
    cols["sha"].append(sha)
    cols["parents"].append(n_parents)
    cols["an"].append(an)
    cols["ae"].append(ae)
    cols["at"].append(at)
    cols["cn"].append(cn)
    cols["ce"].append(ce)
    cols["ct"].append(int(ct_s or 0))
    cols["subject"].append(subject)
    cols["pr"].append(pr_number(subject, message))

    def credit(role: str, name: str, email: str | None) -> None:
        cred["sha"].append(sha)
        cred["role"].append(role)
        cred["name"].append(name)
        cred["email"].append(email)
        cred["at"].append(at)

    found = trailers(message) if ":" in message else []
    authors: list[tuple[str, str | None]] = []
    for key, value in found:
        role = CREDIT_KEYS.get(key.lower())
        if role is None:
            continue
        for name, email in parse_people(value):
            if role == "author":
                authors.append((name, email))
            else:
                credit(role, name, email)
    if n_parents > 1:
        credit("merger", an, ae)
    elif authors:
        for name, email in authors:
            credit("author", name, email)
        is_listed = any((e or "").lower() == ae.lower() or n.lower() == an.lower() for n, e in authors)
        if not is_listed:
            credit("committer", an, ae)
    else:
        credit("author", an, ae)
    if (cn.lower(), ce.lower()) != (an.lower(), ae.lower()) and n_parents <= 1:
        credit("committer", cn, ce)


def _repo_files(root: Path, top: Path, repo: str, bare: bool) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    if bare:
        listing = _git(root, "ls-tree", "-r", "-l", "HEAD", check=False).stdout.decode("utf-8", "replace")
        tops = _git(root, "ls-tree", "--name-only", "HEAD", check=False).stdout.decode("utf-8", "replace").splitlines()
        entries: list[tuple[str, int | None]] = []
        for line in listing.splitlines():  # "<mode> <type> <object> <size>\t<path>"
            info, _, path = line.partition("\t")
            size_text = info.split()[-1] if info else ""
            entries.append((path, int(size_text) if size_text.isdigit() else None))
        for path, blob_size in entries:
            kind = _kind(path)
            if kind:
                content = None
                if kind in _KEEP_CONTENT and (blob_size or 0) <= _MAX_CONTENT:
                    blob = _git(root, "cat-file", "blob", f"HEAD:{path}", check=False)
                    content = _decode(blob.stdout) if blob.returncode == 0 else None
                rows.append({"repo": repo, "kind": kind, "path": path, "size": blob_size, "content": content})
    else:
        tops = sorted(p.name for p in top.iterdir() if p.name != ".git")
        for d in _SCAN_DIRS:
            folder = top / d if d else top
            if not folder.is_dir():
                continue
            for entry in sorted(folder.iterdir()):
                rel = entry.relative_to(top).as_posix()
                kind = _kind(rel)
                if not kind:
                    continue
                if entry.is_dir():
                    if kind in ("pr_template", "issue_template"):
                        rows.append({"repo": repo, "kind": kind, "path": rel + "/", "size": None, "content": None})
                    continue
                size: int | None
                try:
                    size = entry.stat().st_size
                    content = (
                        _decode(entry.read_bytes()) if kind in _KEEP_CONTENT and size <= _MAX_CONTENT else None
                    )
                except OSError:  # a missing blob or a broken link: present, unreadable
                    size, content = None, None
                rows.append({"repo": repo, "kind": kind, "path": rel, "size": size, "content": content})
    for name in tops:
        rows.append({"repo": repo, "kind": "tree", "path": name, "size": None, "content": None})
    df = pd.DataFrame(rows, columns=["repo", "kind", "path", "size", "content"])
    return df.drop_duplicates(["repo", "kind", "path"])


def _kind(rel: str) -> str | None:
    for kind, rx in _DOCS:
        if rx.match(rel):
            return kind
    return None
