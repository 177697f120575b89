"""The git source on small repositories of every shape we promise to survive."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import contribfunnel as cf
from contribfunnel.errors import EmptyRepositoryError, NotARepositoryError, UsageError
from contribfunnel.sources.git import FORMAT, parse_log

FIXTURES = Path(__file__).parent / "fixtures"


def credits_of(act: cf.Activity, subject: str) -> set[tuple[str, str]]:
    sha = act.commits.loc[act.commits.subject == subject, "sha"].iloc[0]
    rows = act.credits[act.credits.sha == sha]
    return set(zip(rows.person, rows.role, strict=True))


def test_shapes(shaped_repo: Any) -> None:
    act = cf.load_git(shaped_repo.path, as_of="2024-06-01")
    c = act.commits.set_index("subject")
    assert c.at["Add feature (#34)", "pr_number"] == 34
    assert c.at["Merge pull request #12 from bo-gh/topic", "pr_number"] == 12
    assert c.at["!56 修复文档", "pr_number"] == 56
    assert c.at["Merge pull request !57 from 韩梅梅/gitee", "pr_number"] == 57
    assert c.at["Merge branch 'gl' into 'main'", "pr_number"] == 78
    assert pd.isna(c.at["Tidy", "pr_number"])
    assert bool(c.at["Merge pull request #12 from bo-gh/topic", "is_merge"])
    assert act.meta.as_of == pd.Timestamp("2024-06-01", tz="UTC")
    assert act.meta.sources == ("git",)
    assert act.meta.history_complete


def test_attribution_by_author_and_trailers(shaped_repo: Any) -> None:
    act = cf.load_git(shaped_repo.path)
    # Squash merge committed by GitHub: the author is credited, GitHub is a bot committer.
    assert credits_of(act, "Add feature (#34)") >= {("Zoë Ångström", "author"), ("李雷", "co-author")}
    people = act.people.set_index("person")
    assert bool(people.at["GitHub", "is_bot"])
    # Merge commits credit their author as merger, not author.
    assert credits_of(act, "Merge pull request #12 from bo-gh/topic") == {("Ann Author", "merger")}
    # PostgreSQL style: Author: trailer credits the real author; the git author applied it.
    fix = credits_of(act, "Fix crash")
    assert ("Dana Patch", "author") in fix
    assert ("Ann Author", "committer") in fix
    assert ("Ann Author", "author") not in fix
    assert ("bo-gh", "reviewed-by") in fix  # "Bo Builder" without e-mail merges by full name


def test_identities_mailmap_noreply_bots(shaped_repo: Any) -> None:
    act = cf.load_git(shaped_repo.path)
    people = act.people.set_index("person")
    # .mailmap folds the old address into Ann; noreply e-mail becomes the login.
    assert "Ann A." not in people.index
    old = act.commits.loc[act.commits.subject == "Old e-mail"]
    assert old.author.tolist() == ["Ann Author"]
    assert old.author_email.tolist() == ["ann@example.org"]
    assert "bo-gh" in people.index
    assert people.at["bo-gh", "logins"] == ("bo-gh",)
    assert people.at["dependabot[bot]", "is_bot"]
    assert people.at["dependabot[bot]", "bot_reason"] == "[bot]-suffix"
    assert not people.at["Terry Talbot", "is_bot"]  # never "name ends with bot"
    # Non-ASCII names survive intact; 李雷 and Li Lei share an e-mail, so they are one person.
    assert "韩梅梅" in people.index
    assert set(people.at["李雷", "names"]) == {"Li Lei", "李雷"}  # the commoner name is the id
    # E-mail domains give organisations, public providers and noreply do not.
    assert people.at["Carl Contributor", "organization"] == "contoso-labs.com"
    assert pd.isna(people.at["bo-gh", "organization"])
    # Roles: Ann merged others' work and reviewed; CODEOWNERS lists @ann-gh, not Ann's e-mail.
    assert "maintainer" in people.at["Ann Author", "roles"]
    assert "reviewer" in people.at["Ann Author", "roles"]
    assert "maintainer" in people.at["bo-gh", "roles"]  # listed in CODEOWNERS as @bo-gh


def test_governance_files(shaped_repo: Any) -> None:
    act = cf.load_git(shaped_repo.path)
    kinds = set(act.repo_files.kind)
    assert {"license", "contributing", "code_of_conduct", "pr_template", "codeowners", "governance", "ci",
            "readme", "tree"} <= kinds
    g = cf.governance(act).set_index("check")
    assert g.at["names_toc", "present"] and g.at["names_sigs", "present"]
    assert g.at["codeowners_coverage", "present"]  # "*" covers every top-level path


def test_since_until_and_shallow(shaped_repo: Any, tmp_path: Path) -> None:
    full = cf.load_git(shaped_repo.path)
    cut = full.commits.authored_at.sort_values().iloc[5]
    part = cf.load_git(shaped_repo.path, since=cut)
    assert 0 < len(part.commits) < len(full.commits)
    assert not part.meta.history_complete
    assert any("earlier contributors look like newcomers" in n for n in part.meta.notes)
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "3", f"file://{shaped_repo.path}", str(shallow)], check=True)
    sh = cf.load_git(shallow)
    assert not sh.meta.history_complete
    assert any("shallow" in n for n in sh.meta.notes)


def test_partial_clone_with_missing_blobs(shaped_repo: Any, tmp_path: Path) -> None:
    shaped_repo.git("config", "uploadpack.allowFilter", "true")
    dest = tmp_path / "partial"
    subprocess.run(["git", "clone", "-q", "--no-checkout", "--filter=blob:none", f"file://{shaped_repo.path}",
                    str(dest)], check=True)
    act = cf.load_git(dest)  # no blobs at all, no working tree files: history still loads
    assert len(act.commits) == len(cf.load_git(shaped_repo.path).commits)


def test_bare_repository_reads_governance_from_head(shaped_repo: Any, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(shaped_repo.path), str(bare)], check=True)
    act = cf.load_git(bare)
    assert {"contributing", "codeowners", "governance"} <= set(act.repo_files.kind)
    assert act.repo_files.loc[act.repo_files.kind == "codeowners", "content"].str.contains("@ann-gh").all()


def test_odd_encodings(make_repo: Any) -> None:
    r = make_repo("enc")
    r.git("config", "i18n.commitEncoding", "ISO-8859-1")
    r.clock += 86400
    msg = "Caf\xe9 fix".encode("latin-1")
    env = {"GIT_AUTHOR_NAME": "Jos\xe9".encode("latin-1").decode("latin-1"), "GIT_AUTHOR_EMAIL": "jose@example.org",
           "GIT_AUTHOR_DATE": f"@{r.clock} +0000", "GIT_COMMITTER_DATE": f"@{r.clock} +0000"}
    r.write("a.txt", "a")
    r.git("add", "-A")
    r.git("commit", "-q", "-F", "-", env=env, input=msg)
    # An undeclared, non-UTF-8 message must not break the load either.
    r.git("config", "--unset", "i18n.commitEncoding")
    r.clock += 86400
    r.write("b.txt", "b")
    r.git("add", "-A")
    r.git("commit", "-q", "-F", "-", env={**env, "GIT_AUTHOR_DATE": f"@{r.clock} +0000"},
          input="Na\xefve bytes".encode("latin-1"))
    act = cf.load_git(r.path)
    assert set(act.commits.subject) == {"Café fix", "Naïve bytes"}


def test_bad_paths(tmp_path: Path, make_repo: Any) -> None:
    with pytest.raises(UsageError, match="no such path"):
        cf.load_git(tmp_path / "missing")
    (tmp_path / "plain").mkdir()
    with pytest.raises(NotARepositoryError, match="not a git repository"):
        cf.load_git(tmp_path / "plain")
    empty = make_repo("empty")
    with pytest.raises(EmptyRepositoryError, match="no commits"):
        cf.load_git(empty.path)


def test_parse_log_fixture() -> None:
    """A recorded ``git log -z`` text (hand-made, pinned) parses to known commits and credits."""
    raw = (FIXTURES / "gitlog_mailing_list.bin").read_bytes()
    commits, credits = parse_log([raw[:100], raw[100:]], "demo")  # chunk boundary inside a record
    assert list(commits.sha.str.slice(0, 4)) == ["aaaa", "bbbb", "cccc"]
    assert commits.pr_number.tolist()[:2] == [101, pd.NA] or commits.pr_number.iloc[0] == 101
    roles = set(zip(credits.name, credits.role, strict=True))
    assert ("Hugh Reviewer", "reviewed-by") in roles
    assert ("Tess Tester", "tested-by") in roles
    assert ("Rita Reporter", "reported-by") in roles
    assert ("Ack Person", "acked-by") in roles
    assert ("Help Person", "helped-by") in roles
    assert ("Sue Suggester", "suggested-by") in roles
    assert ("Mal Maintainer", "signed-off-by") in roles
    # The prose paragraph with a colon is not a trailer block.
    assert not any(n == "Note" for n in credits.name)
    assert FORMAT.startswith("%H")


def test_crlf_trailers_mailmap_and_first_parent_merges(make_repo: Any) -> None:
    r = make_repo("more")
    r.commit("Base", author=("Maya Maintainer", "maya@corp.example.net"))
    r.commit("Windows tool (#7)\r\n\r\nBody.\r\n\r\nCo-authored-by: Wen Win <wen@win.example.net>\r\n",
             author=("Ola Outsider", "ola@outside.example.net"))
    r.commit("Patch\n\nReviewed-by: Old Name <old@corp.example.net>\nTested-by: @tess\n",
             author=("Ola Outsider", "ola@outside.example.net"))
    # A contributor merges main into their branch: not a merge of anyone's work.
    r.git("checkout", "-q", "-b", "feature")
    r.commit("Feature work", author=("Ola Outsider", "ola@outside.example.net"))
    r.git("checkout", "-q", "main")
    r.commit("Main moves on", author=("Maya Maintainer", "maya@corp.example.net"))
    r.git("checkout", "-q", "feature")
    r.merge("main", "Merge branch 'main' into feature", author=("Ola Outsider", "ola@outside.example.net"))
    r.git("checkout", "-q", "main")
    r.merge("feature", "Merge pull request #9 from ola/feature", author=("Maya Maintainer", "maya@corp.example.net"))
    r.commit("Gitee squash", author=("Maya Maintainer", "maya@corp.example.net"),
             files={".mailmap": "Rex Reviewer <rex@corp.example.net> <old@corp.example.net>\n"})
    r.git("commit", "-q", "--amend", "-m", "!9 Gitee squash",
          env={"GIT_COMMITTER_DATE": f"@{r.clock} +0000", "GIT_AUTHOR_DATE": f"@{r.clock} +0000"})
    act = cf.load_git(r.path)
    assert credits_of(act, "Windows tool (#7)") >= {("Wen Win", "co-author")}
    patch = credits_of(act, "Patch")
    assert ("Rex Reviewer", "reviewed-by") in patch  # .mailmap applies to trailers too
    assert ("tess", "tested-by") in patch  # "@tess" names a login
    assert credits_of(act, "Merge branch 'main' into feature") == set()
    assert credits_of(act, "Merge pull request #9 from ola/feature") == {("Maya Maintainer", "merger")}
    refs = dict(zip(act.commits.subject, act.commits.pr_ref, strict=True))
    assert refs["Merge pull request #9 from ola/feature"] == "#9"
    assert refs["!9 Gitee squash"] == "!9"  # same number, another number space


def test_governance_counts_tracked_files_only(shaped_repo: Any, tmp_path: Path) -> None:
    shaped_repo.commit("Chinese guide", files={"LICENSES/Apache-2.0.txt": "license\n",
                                               "docs/CONTRIBUTING.zh-CN.md": "贡献指南\n"})
    shaped_repo.write("SECURITY.md", "untracked\n")
    shaped_repo.write(".venv/x", "untracked\n")
    act = cf.load_git(shaped_repo.path)
    files = act.repo_files
    assert "SECURITY.md" not in set(files.path)
    assert ".venv" not in set(files.loc[files.kind == "tree", "path"])
    assert "docs/CONTRIBUTING.zh-CN.md" in set(files.loc[files.kind == "contributing", "path"])
    assert "LICENSES/Apache-2.0.txt" in set(files.loc[files.kind == "license", "path"])
    # No checkout at all: documents still come from HEAD's tree.
    shaped_repo.git("config", "uploadpack.allowFilter", "true")
    dest = tmp_path / "nocheckout"
    subprocess.run(["git", "clone", "-q", "--no-checkout", f"file://{shaped_repo.path}", str(dest)], check=True)
    assert {"contributing", "codeowners", "license"} <= set(cf.load_git(dest).repo_files.kind)
    assert cf.load_git(dest).meta.repos == ("nocheckout",)  # a file:// origin names no owner/repo


def test_shared_addresses_never_join_people(make_repo: Any) -> None:
    r = make_repo("shared")
    r.commit("Web edit", author=("Jane Doe", "noreply@github.com"))
    r.commit("Real work", author=("Jane Doe", "jane@jane.example.net"))
    r.commit("Web merge", author=("GitHub", "noreply@github.com"))
    r.commit("From the mail", author=("995608517@qq.com", "995608517@qq.com"))
    act = cf.load_git(r.path, config=cf.Config.from_dict({"identities": {"merge_by_name": False}}))
    people = act.people.set_index("person")
    assert people.at["GitHub", "is_bot"]
    assert not people.loc[people.index.str.startswith("Jane Doe"), "is_bot"].any()
    assert not any("@" in p for p in people.index)  # an e-mail never becomes a person id
    assert "995608517" in people.index
