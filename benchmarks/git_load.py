"""Time ``contribfunnel.load_git`` against bare ``git log``, PyDriller and Perceval on one local clone.

Run from the repository's root, with the peers installed by the ``bench`` extra::

    pip install -e ".[bench]"
    python benchmarks/git_load.py /path/to/clone [--repeat 3]

All four are measured side by side in one process, on the same clone, one
after the other (``time.perf_counter``, best of ``--repeat`` runs each, after
one untimed ``git log`` that warms the page cache):

``git_log_s``
    the bare ``git log`` that contribfunnel runs (same arguments, stdout to a
    pipe that is read to the end): the floor;
``contribfunnel_s``
    ``contribfunnel.load_git(PATH)``: parse, credits, identities, governance files;
``pydriller_s``
    PyDriller's metadata-only walk (hash, people, dates, message, parents, merge;
    no modified files, no line counts);
``perceval_s``
    Perceval's git backend reading the clone with its own ``git log``.

The clone is only read, with one exception we undo: PyDriller writes
``blame.markUnblamableLines = true`` into the clone's ``.git/config`` every
time it opens it, so that file is saved before each contender and put back
(bytes and times) after it.  Human-readable lines go to stderr; stdout gets exactly
one JSON line with the times (seconds), the number of commits contribfunnel
loaded and the ratios.  A peer that is not installed is reported on stderr and
recorded as ``null``.  Targets (printed as PASS/FAIL): load_git within 2.5x
``git log``, at least 3x faster than PyDriller, at least 15x faster than Perceval.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

# (JSON key, label, limit, True when the limit is an upper bound)
TARGETS = [
    ("ratio_vs_git_log", "load_git within 2.5x git log", 2.5, True),
    ("speedup_vs_pydriller", "load_git >= 3x faster than PyDriller", 3.0, False),
    ("speedup_vs_perceval", "load_git >= 15x faster than Perceval", 15.0, False),
]


def say(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def git_out(path: Path, *args: str) -> str | None:
    proc = subprocess.run(["git", *args], cwd=path, capture_output=True, check=False)
    return proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else None


def best_of(label: str, repeat: int, run: Callable[[], int]) -> tuple[float, int]:
    """Run ``run`` ``repeat`` times; return the best wall time and the commit count it reported."""
    best, count = float("inf"), 0
    for i in range(repeat):
        start = time.perf_counter()
        count = run()
        elapsed = time.perf_counter() - start
        best = min(best, elapsed)
        say(f"  {label} run {i + 1}/{repeat}: {elapsed:.3f} s ({count} commits)")
    return best, count


class KeepConfig:
    """Put the clone's git config back as it was (bytes and times) if a contender rewrote it."""

    def __init__(self, path: Path) -> None:
        where = git_out(path, "rev-parse", "--git-path", "config")
        self.file = (path / where) if where else None
        self.saved = self.file.read_bytes() if self.file and self.file.is_file() else None
        self.times = os.stat(self.file) if self.saved is not None and self.file else None

    def restore(self, label: str) -> None:
        if self.file is None or self.saved is None or self.times is None:
            return
        if self.file.read_bytes() != self.saved:
            self.file.write_bytes(self.saved)
            say(f"  {label} rewrote {self.file}; restored it")
        os.utime(self.file, ns=(self.times.st_atime_ns, self.times.st_mtime_ns))


# --- the four contenders -------------------------------------------------------------------------


def git_log(path: Path) -> Callable[[], int]:
    from contribfunnel.sources.git import FORMAT

    cmd = ["git", "-c", "log.showSignature=false", "-c", "core.quotepath=off", "log", "--no-color",
           "--encoding=UTF-8", "-z", f"--format={FORMAT}", "HEAD", "--"]
    env = {**os.environ, "LC_ALL": "C", "GIT_PAGER": "cat"}  # the locale contribfunnel runs git with

    def run() -> int:
        out = subprocess.run(cmd, cwd=path, capture_output=True, env=env, check=True).stdout
        return out.count(b"\0") + (0 if out.endswith(b"\0") or not out else 1)

    return run


def contribfunnel(path: Path) -> Callable[[], int]:
    from contribfunnel import load_git

    def run() -> int:
        return len(load_git(path).commits)

    return run


def pydriller(path: Path) -> Callable[[], int]:
    from pydriller import Repository

    def run() -> int:
        seen = []
        for c in Repository(str(path)).traverse_commits():
            # Metadata only: modified_files, lines, dmm_* and friends would each run a diff.
            seen.append((c.hash, c.author.name, c.author.email, c.author_date, c.committer.name,
                         c.committer.email, c.committer_date, c.msg, c.parents, c.merge))
        return len(seen)

    return run


def perceval(path: Path) -> Callable[[], int]:
    from perceval.backends.core.git import Git

    # Perceval reads a clone in place when ``gitpath`` is a folder holding ``HEAD``,
    # i.e. the git directory (``PATH/.git`` for a working clone; a working tree
    # itself is refused as "not a Git mirror"), and then runs its own
    # ``git log --raw --numstat --pretty=fuller -M -C -c ...`` there.  We use that
    # rather than ``--git-log FILE`` (parse a log written beforehand), so the time
    # includes Perceval's git run as contribfunnel's includes its own.
    # ``no_update=True`` is essential: without it Perceval first runs
    # ``git fetch origin +refs/heads/*:refs/heads/* --prune``, which rewrites the
    # clone's branches.  ``branches=[current branch]`` makes it log the history
    # reachable from HEAD (by default it logs every branch, tag and origin remote).
    gitdir = git_out(path, "rev-parse", "--absolute-git-dir")
    if gitdir is None:
        raise RuntimeError(f"not a git repository: {path}")
    branch = git_out(path, "symbolic-ref", "-q", "--short", "HEAD")
    if not branch:
        say("  perceval: HEAD is detached, so Perceval reads all branches, tags and origin remotes")
    branches = [branch] if branch else None

    def run() -> int:
        n = 0
        for _item in Git(uri=str(path), gitpath=gitdir).fetch(branches=branches, no_update=True):
            n += 1
        return n

    return run


# --- driver --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="a local git clone (only read)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool; the best is kept (default 3)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    path: Path = args.path.expanduser().resolve()
    if git_out(path, "rev-parse", "--verify", "-q", "HEAD^{commit}") is None:
        parser.error(f"{path}: not a git repository with commits")
    top = git_out(path, "rev-parse", "--show-toplevel")  # PyDriller wants the top; a bare repository has none
    path = Path(top) if top else path

    say(f"benchmark: {path}, best of {args.repeat}")
    floor = git_log(path)
    floor()  # untimed: warm the page cache so the first contender is not penalised

    times: dict[str, float | None] = {}
    counts: dict[str, int] = {}
    contenders: list[tuple[str, str, Callable[[Path], Callable[[], int]], bool]] = [
        ("git_log_s", "git log", git_log, False),
        ("contribfunnel_s", "contribfunnel", contribfunnel, False),
        ("pydriller_s", "pydriller", pydriller, True),
        ("perceval_s", "perceval", perceval, True),
    ]
    keep = KeepConfig(path)
    for key, label, make, is_peer in contenders:
        try:
            run = make(path)
        except ImportError as exc:
            if not is_peer:
                raise
            say(f"{label}: not installed ({exc}); install the peers with pip install -e '.[bench]'. Recorded as null.")
            times[key] = None
            continue
        try:
            times[key], counts[label] = best_of(label, args.repeat, run)
        except Exception as exc:
            if not is_peer:
                raise
            say(f"{label}: failed: {type(exc).__name__}: {exc}. Recorded as null.")
            times[key] = None
        finally:
            keep.restore(label)

    cf = times["contribfunnel_s"]
    assert cf is not None
    floor_s, pyd, perc = times["git_log_s"], times["pydriller_s"], times["perceval_s"]
    result = {
        "commits": counts["contribfunnel"],
        "contribfunnel_s": round(cf, 4),
        "git_log_s": round(floor_s, 4) if floor_s is not None else None,
        "pydriller_s": round(pyd, 4) if pyd is not None else None,
        "perceval_s": round(perc, 4) if perc is not None else None,
        "ratio_vs_git_log": round(cf / floor_s, 2) if floor_s else None,
        "speedup_vs_pydriller": round(pyd / cf, 2) if pyd is not None else None,
        "speedup_vs_perceval": round(perc / cf, 2) if perc is not None else None,
    }

    say("")
    for key, label, _make, _peer in contenders:
        t = times.get(key)
        n = counts.get(label)
        say(f"{label:>14}: " + (f"{t:8.3f} s  ({n} commits)" if t is not None else "     n/a"))
    if len(set(counts.values())) > 1:
        say("note: the tools counted different numbers of commits:", counts)
    for key, label, limit, upper in TARGETS:
        value = result[key]
        if value is None:
            say(f"SKIP  {label} (peer not measured)")
            continue
        ok = value <= limit if upper else value >= limit
        say(f"{'PASS' if ok else 'FAIL'}  {label}: {value:.2f}x")

    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
