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
from contribfunnel.periods import to_utc
from contribfunnel.sources.trailers import CREDIT_KEYS, parse_people, pr_ref, trailers

__all__ = ["FORMAT", "load_git", "parse_log"]

FORMAT = "%H%x1f%P%x1f%aN%x1f%aE%x1f%at%x1f%cN%x1f%cE%x1f%ct%x1f%B"
_ENV = {"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_NO_LAZY_FETCH": "1", "GIT_PAGER": "cat"}
_REMOTE = re.compile(r"^(?:(?:https?|ssh|git)://(?:[^@/]+@)?[\w.-]+(?::\d+)?/|[\w.-]+@[\w.-]+:)"
                     r"(?P<path>[\w.-]+(?:/[\w.-]+)+)/?$")

# Governance documents: (kind, regex on the path relative to the repository root).
_DOCS: list[tuple[str, re.Pattern[str]]] = [
    (kind, re.compile(rx, re.IGNORECASE))
    for kind, rx in [
        # Language-tagged variants count: CONTRIBUTING.zh-CN.md, CONTRIBUTING_CN.md, PULL_REQUEST_TEMPLATE.zh-CN.md.
        ("contributing", r"^(\.github/|docs/|\.gitee/)?contributing([._-][\w.-]+)?$"),
        ("code_of_conduct", r"^(\.github/|docs/|\.gitee/)?code[_-]of[_-]conduct([._-][\w.-]+)?$"),
        ("license", r"^((licen[cs]e|copying)([._-][\w.-]+)?|licen[cs]es/.+)$"),
        ("security", r"^(\.github/|docs/)?security([._-][\w.-]+)?$"),
        ("pr_template", r"^(\.github/|docs/|\.gitee/|\.gitlab/)?(pull_request_template([._-][\w.-]+)?"
                        r"|pull_request_template/.+|merge_request_templates/.+)$"),
        ("issue_template", r"^(\.github/|docs/|\.gitee/|\.gitlab/)?(issue_template([._-][\w.-]+)?"
                           r"|issue_template/.+|issue_templates/.+)$"),
        ("codeowners", r"^(\.github/|docs/|\.gitlab/|\.gitee/)?codeowners$"),
        ("maintainers", r"^(maintainers|owners|committers|owners_aliases)([._-][\w.-]+)?$"),
        ("governance", r"^(\.github/|docs/)?governance([._-][\w.-]+)?$"),
        ("ci", r"^(\.github/workflows/.+\.ya?ml|\.gitlab-ci\.yml|\.travis\.yml|jenkinsfile|azure-pipelines\.yml"
               r"|\.circleci/config\.yml|\.cirrus\.yml|appveyor\.yml|\.gitee/workflows/.+)$"),
        ("readme", r"^readme([._-][\w.-]+)?$"),
    ]
]
_KEEP_CONTENT = {"codeowners", "maintainers", "governance", "contributing"}
_MAX_CONTENT = 64 * 1024


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
    return None if value is None else to_utc(value, name=name)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def _repo_slug(cwd: Path, top: Path) -> str:
    """``owner/name`` (GitLab: ``group/sub/name``) from a network ``origin``; else the folder's name."""
    url = _git(cwd, "config", "--get", "remote.origin.url", check=False).stdout.decode("utf-8", "replace").strip()
    m = _REMOTE.match(url)
    return m.group("path").removesuffix(".git") if m else top.name.removesuffix(".git")


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
    credits = _mailmap(root, credits)
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

    errors: list[bytes] = []
    stderr = proc.stderr
    threading.Thread(target=pump, daemon=True).start()
    drain = threading.Thread(target=lambda: errors.append(stderr.read()), daemon=True)
    drain.start()
    try:
        commits, credits = parse_log(iter(chunks.get, b""), repo)
    finally:
        returncode = proc.wait()
        drain.join()
        proc.stdout.close()
        stderr.close()
    if returncode != 0:
        lines = b"".join(errors).decode("utf-8", "replace").strip().splitlines()
        raise DataError(f"git log failed in {root}: {lines[-1] if lines else 'exit ' + str(returncode)}")
    return commits, credits


def _mailmap(root: Path, credits: pd.DataFrame) -> pd.DataFrame:
    """Map trailer identities through ``.mailmap`` as git maps authors (one ``git check-mailmap`` call)."""
    has = credits.email.notna() & (credits.email != "")
    pairs = credits.loc[has, ["name", "email"]].drop_duplicates()
    pairs = pairs[~(pairs.name + pairs.email).str.contains(r"[<>\n\0]", regex=True)]
    if pairs.empty:
        return credits
    lines = "".join(f"{n} <{e}>\n" for n, e in zip(pairs.name, pairs.email, strict=True)).encode("utf-8")
    try:
        proc = subprocess.run(["git", "check-mailmap", "--stdin"], cwd=root, input=lines, capture_output=True,
                              env={**os.environ, **_ENV}, check=False)
    except FileNotFoundError:
        return credits
    out = proc.stdout.decode("utf-8", "replace").splitlines()
    if proc.returncode != 0 or len(out) != len(pairs):
        return credits  # an old git without --stdin: trailers stay as written
    mapped = [re.match(r"^(.*?)\s*<([^<>]*)>$", line) for line in out]
    lookup = {(n, e): (m.group(1), m.group(2)) for n, e, m in zip(pairs.name, pairs.email, mapped, strict=True)
              if m and (m.group(1), m.group(2)) != (n, e)}
    if not lookup:
        return credits
    out_df = credits.copy()
    keys = list(zip(out_df.name, out_df.email, strict=True))
    out_df["name"] = [lookup.get(k, k)[0] for k in keys]
    out_df["email"] = [lookup.get(k, k)[1] if k in lookup else k[1] for k in keys]
    return out_df.drop_duplicates(["sha", "role", "name", "email"])


def parse_log(chunks: Iterable[bytes], repo: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse ``git log -z --format=`` :data:`FORMAT` output (in chunks) into commits and credits tables.

    Identity columns (``author``, ``committer``, ``person``) are left empty for
    :func:`~contribfunnel.resolve_identities` to fill.
    """
    cols: dict[str, list[Any]] = {
        k: [] for k in ("sha", "parents", "first_parent", "an", "ae", "at", "cn", "ce", "ct", "pr", "subject")
    }
    cred: dict[str, list[Any]] = {k: [] for k in ("sha", "role", "name", "email", "at")}
    rest = b""
    for chunk in chunks:
        records = (rest + chunk).split(b"\0")
        rest = records.pop()
        for raw in records:
            _parse(raw, cols, cred)
    if rest.strip(b"\n"):
        _parse(rest, cols, cred)
    # Only merges on HEAD's first-parent line merge someone's work into the project; a
    # contributor merging the main branch into their own branch merges nobody's work.
    mainline: set[str] = set()
    parent_of = dict(zip(cols["sha"], cols["first_parent"], strict=True))
    sha: str | None = cols["sha"][0] if cols["sha"] else None
    while sha and sha not in mainline:
        mainline.add(sha)
        sha = parent_of.get(sha)
    keep = [role != "merger" or sha_ in mainline for sha_, role in zip(cred["sha"], cred["role"], strict=True)]
    if not all(keep):
        cred = {k: [v for v, ok in zip(vals, keep, strict=True) if ok] for k, vals in cred.items()}
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
            "pr_number": pd.array([int(r[1:]) if r else None for r in cols["pr"]], dtype="Int64"),
            "pr_ref": pd.array(cols["pr"], dtype="string"),
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
    cols["first_parent"].append(parents.split(" ", 1)[0] if parents else None)
    cols["an"].append(an)
    cols["ae"].append(ae)
    cols["at"].append(at)
    cols["cn"].append(cn)
    cols["ce"].append(ce)
    cols["ct"].append(int(ct_s or 0))
    cols["subject"].append(subject)
    cols["pr"].append(pr_ref(subject, message))

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
    """Governance documents and top-level paths tracked at HEAD (untracked and ignored files do not count).

    Contents come from the working tree, or from HEAD's blobs where there is no
    checkout; a partial clone's missing blobs are never fetched.
    """
    listing = _git(root, "ls-tree", "-r", "-z", "--name-only", "--full-tree", "HEAD", check=False)
    paths = [p for p in _decode(listing.stdout).split("\0") if p]
    partial = bool(_git(root, "config", "--get", "extensions.partialclone", check=False).stdout.strip())
    rows: list[dict[str, Any]] = []
    for path in paths:
        kind = _kind(path)
        if not kind:
            continue
        size: int | None = None
        content: str | None = None
        local = None if bare else top / path
        try:
            if local is not None and local.is_file():
                size = local.stat().st_size
                if kind in _KEEP_CONTENT and size <= _MAX_CONTENT:
                    content = _decode(local.read_bytes())
            elif kind in _KEEP_CONTENT and not partial:
                blob = _git(root, "cat-file", "blob", f"HEAD:{path}", check=False)
                if blob.returncode == 0 and len(blob.stdout) <= _MAX_CONTENT:
                    size, content = len(blob.stdout), _decode(blob.stdout)
        except OSError:  # unreadable in the working tree: present, no content
            pass
        rows.append({"repo": repo, "kind": kind, "path": path, "size": size, "content": content})
    for name in sorted({p.split("/", 1)[0] for p in paths}):
        rows.append({"repo": repo, "kind": "tree", "path": name, "size": None, "content": None})
    df = pd.DataFrame(rows, columns=["repo", "kind", "path", "size", "content"])
    return df.drop_duplicates(["repo", "kind", "path"])


def _kind(rel: str) -> str | None:
    for kind, rx in _DOCS:
        if rx.match(rel):
            return kind
    return None
