"""Safety and bad input: the token is never shown, errors are one line with the right exit code, the progress bar."""

from __future__ import annotations

import fcntl
import logging
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import contribfunnel as cf
from contribfunnel.errors import DataError, UsageError
from contribfunnel.sources.github import Retry, fetch_github
from contribfunnel.testing import GitHubDouble, RepoModel

TOKEN = "ghp_SENTINELtoken0123456789abcdefSENTINEL"
SLUG = "example/project"


@pytest.fixture(scope="module")
def source() -> cf.Activity:
    return cf.make_activity(seed=11, n_prs=230, n_issues=120)


@contextmanager
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bytes]]:
    """``sys.stderr`` becomes a pseudo-terminal (120 columns); yields what was drawn on it, once the block ends."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    drawn: list[bytes] = []
    stop = threading.Event()

    def drain() -> None:
        while True:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    return
                if not data:
                    return
                drawn.append(data)
            elif stop.is_set():
                return

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    stream = os.fdopen(slave, "w", buffering=1, encoding="utf-8")
    original = sys.stderr
    monkeypatch.setattr(sys, "stderr", stream)
    try:
        yield drawn
    finally:
        stream.flush()
        time.sleep(0.1)
        stop.set()
        reader.join(5)
        sys.stderr = original
        stream.close()
        os.close(master)


def cli(*args: str, token: str | None = TOKEN, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    if token is not None:
        env["GITHUB_TOKEN"] = token
    return subprocess.run([sys.executable, "-m", "contribfunnel", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


# -- the token ---------------------------------------------------------------------------------------------------------


def test_token_never_reaches_a_terminal_a_log_or_the_cli(source: cf.Activity, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    for name in ("github", "urllib3", ""):
        caplog.set_level(logging.DEBUG, logger=name)
    with GitHubDouble(source, token=TOKEN) as gh:
        gh.inject("server_error", times=2)
        gh.inject("secondary_rate_limit", times=1, retry_after=1)
        with terminal(monkeypatch) as drawn:
            act = fetch_github(SLUG, base_url=gh.base_url, store=tmp_path / "lib.sqlite",
                               retry=Retry(sleep=lambda s: None))  # warnings to stderr, the terminal
        run = cli("fetch", SLUG, "--store", str(tmp_path / "cli.sqlite"), "--base-url", gh.base_url)
        assert not gh.errors
    screen = b"".join(drawn).decode("utf-8", "replace")
    assert "prs" in screen and "secondary rate limit" in screen  # the bar and the warnings were really drawn
    assert any(r.name.startswith("github") for r in caplog.records)  # PyGithub did log, at DEBUG
    assert any(r.name.startswith("urllib3") for r in caplog.records)
    assert run.returncode == 0, run.stderr
    texts = [screen, caplog.text, run.stdout, run.stderr, repr(act.meta), cf.report(act).to_json()]
    blobs = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()]
    assert len(blobs) >= 2
    for text in texts:
        assert TOKEN not in text and TOKEN[4:20] not in text
    for blob in blobs:
        assert TOKEN.encode() not in blob and TOKEN[4:20].encode() not in blob


# -- the progress bar ---------------------------------------------------------------------------------------------------


def test_progress_bar_shows_items_done_of_the_total_on_a_terminal(source: cf.Activity, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    prs, issues = (source.items.kind == "pr").sum(), (source.items.kind == "issue").sum()
    with GitHubDouble(source, token=TOKEN) as gh, terminal(monkeypatch) as drawn:
        fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=tmp_path / "s.sqlite", retry=Retry())
    screen = b"".join(drawn).decode("utf-8", "replace")
    for done in (100, 200, prs):
        assert f"{done}/{prs}" in screen, screen[-500:]
    assert f"{issues}/{issues}" in screen
    assert "prs" in screen and "issues" in screen


def test_progress_bar_is_silent_when_quiet_or_not_a_terminal(source: cf.Activity, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capfd: pytest.CaptureFixture[str]) -> None:
    with GitHubDouble(source, token=TOKEN) as gh:
        with terminal(monkeypatch) as drawn:
            fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=tmp_path / "a.sqlite", quiet=True,
                         retry=Retry())
        assert b"".join(drawn) == b""
        capfd.readouterr()
        fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=tmp_path / "b.sqlite", retry=Retry())
        out, err = capfd.readouterr()  # stderr is a pipe here, not a terminal
    assert (out, err) == ("", "")


# -- bad input: one line, the right exit code ---------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "code", "expected"), [
    ("unknown repository", 2, "unknown repository: example/nope"),
    ("bad token", 2, "refused the token"),
    ("unreachable host", 1, "cannot reach GitHub at 127.0.0.1:9"),
    ("blocked repository", 1, "GitHub answered 451 for /graphql: Repository access blocked"),
])
def test_cli_errors_are_one_line_with_the_right_exit_code(source: cf.Activity, tmp_path: Path, case: str, code: int,
                                                          expected: str) -> None:
    with GitHubDouble(source, token=TOKEN) as gh:
        args = ["fetch", SLUG, "--store", str(tmp_path / "s.sqlite"), "--base-url", gh.base_url, "--quiet"]
        token = TOKEN
        if case == "unknown repository":
            args[1] = "example/nope"
        elif case == "bad token":
            token = "ghp_wrong"
        elif case == "unreachable host":
            args[5] = "http://127.0.0.1:9"
        else:
            gh.inject("client_error", times=100, status=451, message="Repository access blocked")
        t = time.perf_counter()
        run = cli(*args, token=token)
        seconds = time.perf_counter() - t
    lines = run.stderr.strip().splitlines()
    assert run.returncode == code, run.stderr
    assert "Traceback" not in run.stderr
    assert len(lines) == 1 and lines[0].startswith("contribfunnel: error: ") and expected in lines[0], run.stderr
    assert TOKEN not in run.stderr
    assert seconds < 30  # bounded: no retrying for minutes


def test_other_github_errors_become_one_line_library_errors(source: cf.Activity, tmp_path: Path) -> None:
    quiet = Retry(sleep=lambda s: None, notify=lambda m: None)
    with GitHubDouble(source, token=TOKEN) as gh:
        gh.inject("client_error", times=1, status=410, message="Repository access disabled", path="graphql")
        with pytest.raises(DataError, match=r"^GitHub answered 410 for /graphql: Repository access disabled$"):
            fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=tmp_path / "a.sqlite", quiet=True, retry=quiet)
        gh.inject("client_error", times=1, status=403, message="Resource protected by organization SAML enforcement",
                  path="community/profile")
        with pytest.raises(DataError, match="GitHub answered 403 for /repos/example/project/community/profile"):
            fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=tmp_path / "b.sqlite", quiet=True, retry=quiet)
        with pytest.raises(UsageError, match="bad GitHub URL"):
            fetch_github(SLUG, token=TOKEN, base_url="ftp://127.0.0.1:9", store=tmp_path / "c.sqlite", quiet=True,
                         retry=quiet)


def test_unreachable_host_is_one_line_naming_the_host_in_bounded_time(tmp_path: Path) -> None:
    slept: list[float] = []
    for url, host in (("http://127.0.0.1:9", "127.0.0.1:9"), ("http://no-such-host.invalid", "no-such-host.invalid")):
        t = time.perf_counter()
        with pytest.raises(DataError) as e:
            fetch_github(SLUG, token=TOKEN, base_url=url, store=tmp_path / "s.sqlite", quiet=True,
                         retry=Retry(sleep=slept.append, notify=lambda m: pytest.fail(f"said more than one line: {m}")))
        assert str(e.value).startswith(f"cannot reach GitHub at {host} (")
        assert "\n" not in str(e.value)
        assert time.perf_counter() - t < 20
    assert sum(slept) <= 2


# -- organisation members that cannot be seen ----------------------------------------------------------------------------


def test_hidden_org_members_carry_on_and_say_so(source: cf.Activity, tmp_path: Path) -> None:
    model = RepoModel.from_activity(source, members_private=True)
    messages: list[str] = []
    with GitHubDouble(model, token=TOKEN) as gh:
        act = fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=tmp_path / "s.sqlite", quiet=True,
                           retry=Retry(sleep=lambda s: None, notify=messages.append))
        run = cli("fetch", SLUG, "--store", str(tmp_path / "cli.sqlite"), "--base-url", gh.base_url, "--quiet")
    note = "organisation members of example are not visible (this token, GitHub answered 403)"
    assert len(act.items) == len(source.items)
    assert any(note in m for m in messages) and any(note in n for n in act.meta.notes)
    assert run.returncode == 0
    assert f"contribfunnel: {note}" in run.stderr  # the CLI user sees it too, on stderr like every warning


def test_a_server_without_community_profile_or_rate_limit_endpoints_still_fetches(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Older GitHub Enterprise servers answer 404 for these two; the rest of the fetch does not depend on them.
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    quiet = Retry(sleep=lambda s: None, notify=lambda m: None)
    source = cf.make_activity(seed=2, n_prs=20, n_issues=10)  # small enough for 60 anonymous requests
    with GitHubDouble(source, token=TOKEN) as gh:
        gh.inject("client_error", times=10, status=404, message="Not Found", path="community/profile|rate_limit")
        act = fetch_github(SLUG, token=TOKEN, base_url=gh.base_url, store=tmp_path / "s.sqlite", quiet=True,
                           retry=quiet)
        anonymous = fetch_github(SLUG, base_url=gh.base_url, store=tmp_path / "s.sqlite", quiet=True, retry=quiet)
    assert len(act.items) == len(anonymous.items) == len(source.items)
    assert "codeowners" in set(act.repo_files.kind) and "contributing" not in set(act.repo_files.kind)
    assert any("anonymously" in n for n in anonymous.meta.notes)
