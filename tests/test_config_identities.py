"""Config parsing and identity resolution: bots, aliases, dated internal rules, organisations."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import contribfunnel as cf
from contribfunnel.config import Config
from contribfunnel.errors import ConfigError
from contribfunnel.identities import internal_mask


def small_activity() -> cf.Activity:
    """Three humans, one bot, a noreply alias, over 2023-2025; built by hand, no git."""
    meta = cf.Meta(as_of="2025-06-30", repos=("o/r",), sources=("test",))
    commits = [
        {"repo": "o/r", "sha": f"{i:040x}", "author_name": n, "author_email": e, "authored_at": t,
         "committer_name": n, "committer_email": e, "committed_at": t, "subject": f"c{i}"}
        for i, (n, e, t) in enumerate([
            ("Ann Lee", "ann@acme.com", "2023-03-01"),
            ("Ann Lee", "ann.lee@gmail.com", "2025-03-01"),
            ("Bo", "7+bo@users.noreply.github.com", "2024-05-01"),
            ("Bo", "bo@partner.org", "2024-06-01"),
            ("Cy Talbot", "cy@talbot.example.net", "2025-01-01"),
            ("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com", "2025-02-01"),
        ])
    ]
    credits = [{"repo": c["repo"], "sha": c["sha"], "role": "author", "name": c["author_name"],
                "email": c["author_email"], "at": c["authored_at"]} for c in commits]
    items = [{"repo": "o/r", "number": 1, "kind": "pr", "author": "bo", "created_at": "2024-05-01",
              "merged_at": "2024-05-02", "closed_at": "2024-05-02", "merged_by": "ann-gh", "state": "merged",
              "author_association": "CONTRIBUTOR"},
             {"repo": "o/r", "number": 2, "kind": "pr", "author": "ann-gh", "created_at": "2024-07-01",
              "author_association": "MEMBER", "state": "open"}]
    act = cf.Activity.from_tables(meta=meta, commits=commits, credits=credits, items=items)
    return cf.resolve_identities(act)


def test_config_from_toml(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text(
        '[internal]\nlogins = ["alice", { login = "bob", until = "2024-06-30" }]\n'
        'email_domains = ["acme.com"]\nuse_author_association = false\n'
        '[bots]\nadd = ["release-robot"]\nremove = ["talbot"]\n'
        '[aliases]\nalice = ["alice-work"]\n[organizations]\n"acme.com" = "Acme"\n'
        '[thresholds]\nexternal_contributors = 10\n'
    )
    cfg = cf.load_config(p)
    assert [v.value for v in cfg.internal_logins] == ["alice", "bob"]
    assert cfg.internal_logins[1].until == pd.Timestamp("2024-06-30 23:59:59.999999999", tz="UTC")
    assert cfg.thresholds["external_contributors"] == 10
    assert cfg.thresholds["min_mergers"] == 3
    assert "bob (… to 2024-06-30)" in cfg.describe()
    assert "author_association" not in cfg.describe()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"interal": {}}, "unknown key 'interal'"),
        ({"internal": {"login": ["x"]}}, "unknown key 'login'"),
        ({"thresholds": {"external": 3}}, "unknown key 'external'"),
        ({"thresholds": {"external_contributors": "many"}}, "expected a number"),
        ({"internal": {"logins": [{"login": "x", "since": "soon"}]}}, "not a date"),
        ({"internal": {"logins": [{"login": "x", "since": "2025-01-01", "until": "2024-01-01"}]}}, "since is after"),
        ({"internal": {"logins": [{"user": "x"}]}}, "unknown key 'user'"),
        ({"bots": {"add": "x"}}, "expected a list"),
        ({"identities": {"merge_by_name": "yes"}}, "expected true or false"),
    ],
)
def test_config_rejects(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.from_dict(data)


def test_bad_toml(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text("[internal\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        cf.load_config(p)


def test_bots_never_by_suffix() -> None:
    people = small_activity().people.set_index("person")
    assert people.at["renovate[bot]", "is_bot"]
    assert not people.at["Cy Talbot", "is_bot"]
    assert cf.is_known_bot("k8s-ci-robot") and not cf.is_known_bot("talbot")


def test_noreply_merges_login_and_default_rule() -> None:
    act = small_activity()
    people = act.people.set_index("person")
    assert "bo" in people.index  # commits under the noreply address join the GitHub login
    assert people.at["bo", "is_internal"] == False  # noqa: E712 - numpy bool
    # author_association MEMBER is the last-resort rule.
    assert people.at["ann-gh", "internal_rule"] == "author_association OWNER/MEMBER"
    assert "Everyone else is external" in act.meta.rule


def test_aliases_and_dated_domains() -> None:
    cfg = Config.from_dict({
        "internal": {"email_domains": [{"domain": "acme.com", "until": "2024-12-31"}], "use_author_association": False},
        "aliases": {"Ann Lee": ["ann-gh"], "bo": ["bo@partner.org"]},
        "bots": {"add": ["cy talbot"]},
        "organizations": {"partner.org": "Partner Inc"},
    })
    act = cf.resolve_identities(small_activity(), config=cfg)
    people = act.people.set_index("person")
    # The alias folds the login into Ann's git identity (login wins as the id).
    assert "Ann Lee" not in people.index
    assert set(people.at["ann-gh", "names"]) == {"Ann Lee"}
    assert people.at["ann-gh", "internal_rule"].startswith("config e-mail domain: acme.com")
    # Internal until the end of 2024, external afterwards: judged at the time of each contribution.
    assert not people.at["ann-gh", "is_internal"]
    mask = internal_mask(act.people, pd.Series(["ann-gh", "ann-gh"]),
                         pd.Series(pd.to_datetime(["2023-03-01", "2025-03-01"], utc=True)))
    assert mask.tolist() == [True, False]
    assert people.at["Cy Talbot", "is_bot"] and people.at["Cy Talbot", "bot_reason"] == "config"
    assert people.at["bo", "organization"] == "Partner Inc"
    # Merged PR by bo (external) counts; the 2023 commit by Ann was internal then.
    ext = cf.external_contributors(act, window="1000D")
    assert set(ext.people.person) == {"bo", "ann-gh"}


def test_merge_by_name_can_be_turned_off() -> None:
    act = small_activity()
    split = cf.resolve_identities(act, config=Config.from_dict({"identities": {"merge_by_name": False}}))
    assert len(split.people) > len(act.people)
