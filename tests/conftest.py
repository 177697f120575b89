"""Shared fixtures: small git repositories with pinned names, e-mails and dates."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


class Repo:
    """A throw-away git repository whose commits have pinned identities and dates."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.clock = 1_700_000_000  # 2023-11-14
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Default Person")
        self.git("config", "user.email", "default@example.net")

    def git(self, *args: str, env: dict[str, str] | None = None, input: bytes | None = None) -> str:
        full_env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(self.path), **(env or {})}
        out = subprocess.run(["git", *args], cwd=self.path, env=full_env, check=True, capture_output=True, input=input)
        return out.stdout.decode("utf-8", "replace")

    def write(self, rel: str, text: str) -> None:
        p = self.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")

    def commit(
        self,
        message: str,
        *,
        author: tuple[str, str] = ("Ann Author", "ann@example.org"),
        committer: tuple[str, str] | None = None,
        files: dict[str, str] | None = None,
        days: float = 1,
    ) -> str:
        self.clock += int(days * 86400)
        for rel, text in (files or {f"f{self.clock}.txt": message}).items():
            self.write(rel, text)
        self.git("add", "-A")
        c = committer or author
        env = {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1], "GIT_COMMITTER_NAME": c[0],
               "GIT_COMMITTER_EMAIL": c[1], "GIT_AUTHOR_DATE": f"@{self.clock} +0000",
               "GIT_COMMITTER_DATE": f"@{self.clock} +0000"}
        self.git("commit", "-q", "--allow-empty", "-F", "-", env=env, input=message.encode("utf-8"))
        return self.git("rev-parse", "HEAD").strip()

    def merge(self, branch: str, message: str, *, author: tuple[str, str]) -> str:
        self.clock += 3600
        env = {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1], "GIT_COMMITTER_NAME": "GitHub",
               "GIT_COMMITTER_EMAIL": "noreply@github.com", "GIT_AUTHOR_DATE": f"@{self.clock} +0000",
               "GIT_COMMITTER_DATE": f"@{self.clock} +0000"}
        self.git("merge", "-q", "--no-ff", "-m", message, branch, env=env)
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[str], Repo]:
    def make(name: str = "repo") -> Repo:
        path = tmp_path / name
        path.mkdir()
        return Repo(path)

    return make


@pytest.fixture
def shaped_repo(make_repo: Callable[[str], Repo]) -> Repo:
    """Merge commits, squash merges, trailers, Gitee and GitLab merges, non-ASCII names, bots, a .mailmap."""
    r = make_repo("shaped")
    r.commit("Initial import", files={
        "README.md": "# demo\n", "LICENSE": "MIT\n", "CONTRIBUTING.md": "Send PRs.\n",
        "CODE_OF_CONDUCT.md": "Be kind.\n", ".github/PULL_REQUEST_TEMPLATE.md": "Describe it.\n",
        ".github/CODEOWNERS": "* @ann-gh\n/docs/ @bo-gh @acme/docs-team\n",
        "GOVERNANCE.md": "The Technical Steering Committee (TSC) charters SIGs.\n",
        ".github/workflows/ci.yml": "on: push\n", "src/app.py": "print(1)\n", "docs/index.md": "hi\n"})
    r.commit("Add feature (#34)\n\nCo-authored-by: Li Lei <lilei@example.cn>",
             author=("Zoë Ångström", "zoe@uni.example.edu"), committer=("GitHub", "noreply@github.com"))
    r.git("checkout", "-q", "-b", "topic")
    r.commit("Topic work", author=("Bo Builder", "12345+bo-gh@users.noreply.github.com"))
    r.git("checkout", "-q", "main")
    r.merge("topic", "Merge pull request #12 from bo-gh/topic\n\nTopic work", author=("Ann Author", "ann@example.org"))
    r.commit("!56 修复文档\n\n修复了文档。", author=("李雷", "lilei@example.cn"))
    r.git("checkout", "-q", "-b", "gitee")
    r.commit("Gitee branch work", author=("韩梅梅", "hanmeimei@gitee.example.com"))
    r.git("checkout", "-q", "main")
    r.merge("gitee", "Merge pull request !57 from 韩梅梅/gitee", author=("Ann Author", "ann@example.org"))
    r.git("checkout", "-q", "-b", "gl")
    r.commit("GitLab work", author=("Carl Contributor", "carl@dev.contoso-labs.com"))
    r.git("checkout", "-q", "main")
    r.merge("gl", "Merge branch 'gl' into 'main'\n\nGitLab work\n\nSee merge request group/proj!78",
            author=("Ann Author", "ann@example.org"))
    r.commit("Fix crash\n\nLong explanation of the crash.\n\nAuthor: Dana Patch <dana@patches.example.org>\n"
             "Reviewed-by: Ann Author <ann@example.org>, Bo Builder\nDiscussion: https://lists.example.org/m/1",
             author=("Ann Author", "ann@example.org"))
    r.commit("Bump lib from 1 to 2 (#90)\n\nSigned-off-by: dependabot[bot] <support@github.com>",
             author=("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"))
    r.commit("Tidy", author=("Terry Talbot", "talbot@example.org"))
    r.commit("Old e-mail", author=("Ann A.", "ann@old.example.org"))
    r.write(".mailmap", "Ann Author <ann@example.org> <ann@old.example.org>\n")
    r.commit("Add mailmap", author=("Ann Author", "ann@example.org"), files={".mailmap": (r.path / ".mailmap").read_text()})
    return r
