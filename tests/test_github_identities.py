"""GitHub data carries commit e-mails, so the identity rules work on it as on git: organisations, e-mail domains."""

from __future__ import annotations

from pathlib import Path

import contribfunnel as cf
from contribfunnel.sources.github import Retry, commit_emails, fetch_github
from contribfunnel.testing import GitHubDouble

TOKEN = "ghp_identities0123456789"


def test_commit_emails_skip_noreply_and_unlinked_authors() -> None:
    node = {"commits": {"nodes": [
        {"commit": {"author": {"email": "Ann@Acme.COM", "name": "Ann", "user": {"login": "ann"}}}},
        {"commit": {"author": {"email": "12+ann@users.noreply.github.com", "name": "Ann", "user": {"login": "ann"}}}},
        {"commit": {"author": {"email": "ghost@nowhere.org", "name": "Ghost", "user": None}}},
    ]}}
    assert commit_emails(node) == {"ann": {"ann@acme.com"}}


def test_co_building_and_email_domains_work_on_github_data(tmp_path: Path) -> None:
    source = cf.make_activity(seed=11, n_prs=230, n_issues=120)
    with GitHubDouble(source, token=TOKEN) as gh:
        act = fetch_github("example/project", token=TOKEN, base_url=gh.base_url, store=tmp_path / "s.sqlite",
                           quiet=True, retry=Retry(sleep=lambda s: None, notify=lambda m: None))
    people = act.people.set_index("person")
    linked = people[people.emails.map(len) > 0]
    assert len(linked) > 10 and not any("noreply" in e for es in linked.emails for e in es)
    want = source.people.set_index("person").organization.dropna()
    got = people.organization.dropna()
    shared = got.index.intersection(want.index)
    assert len(shared) > 10 and (got[shared] == want[shared]).all()  # the same organisation as the source says
    c5 = cf.stage10(act).criteria[4]
    assert c5.verdict != "not enough data" and c5.value == cf.stage10(source).criteria[4].value
    # [internal] email_domains now classifies GitHub people too.
    domain = source.people.organization.value_counts().index[0]
    cfg = cf.Config.from_dict({"internal": {"email_domains": [domain]}})
    internal = cf.resolve_identities(act, config=cfg).people
    assert internal.is_internal.sum() >= (got == domain).sum() > 0
    # ... and no e-mail reaches a report.
    rep = cf.report(act)
    emails = {e for es in act.people.emails for e in es}
    for text in (rep.to_json(), rep.to_markdown()):
        assert not any(e in text for e in emails)
