"""The quarterly report: its sections in order, a documented JSON layout, quarter comparisons, and every
repository string escaped in HTML and Markdown."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import contribfunnel as cf
from contribfunnel.report import SCHEMA_PATH

jsonschema = pytest.importorskip("jsonschema")

SECTIONS = ["scorecard", "funnel", "response", "first-prs", "external", "graph", "mentors", "governance", "changes",
            "methods"]
#: Hostile text that a repository can carry in a title, login, name, label or file name.
XSS_TITLE = "<script>window.__pwned = 1</script> fix, cc @octocat"
XSS_LOGIN = "<img src=x onerror=window.__pwned=2>"
XSS_LABEL = "\"><svg onload=window.__pwned=3>"
XSS_FILE = ".github/ISSUE_TEMPLATE/<iframe src=javascript:window.__pwned=4>.md"


def hostile_activity() -> cf.Activity:
    """The example with a hostile title, a hostile login (an active newcomer and responder), label and file name."""
    act = cf.load_example()
    fc = cf.first_contributions(act)
    fc = fc[fc.ready_at > act.meta.as_of - pd.Timedelta(days=365)].sort_values("response_hours", ascending=False)
    victim = str(fc.author.iloc[0])  # its first PR is listed as the one that waited longest
    mentor = str(cf.mentors(act).table.person.iloc[0])  # the busiest responder: in the mentor table and the graph

    def rename(s: pd.Series) -> pd.Series:
        return s.replace({victim: XSS_LOGIN, mentor: XSS_LOGIN + "2"})

    items = act.items.copy()
    for col in ("author", "merged_by", "closed_by"):
        items[col] = rename(items[col])
    first_pr = fc.number.iloc[0]
    items.loc[items.number == first_pr, "title"] = XSS_TITLE
    items["labels"] = items.labels.map(lambda t: (*t, XSS_LABEL))
    events = act.events.assign(actor=rename(act.events.actor))
    credits = act.credits.assign(person=rename(act.credits.person))
    commits = act.commits.assign(author=rename(act.commits.author), committer=rename(act.commits.committer))
    people = act.people.assign(person=rename(act.people.person))
    files = act.repo_files.copy()
    files.loc[files.kind == "issue_template", "path"] = XSS_FILE  # governance lists it as the issue template
    return cf.Activity.from_tables(meta=act.meta, items=items, events=events, credits=credits, commits=commits,
                                   people=people, repo_files=files)


@pytest.fixture(scope="module")
def example_report() -> cf.Report:
    return cf.report(cf.load_example(), quarter="2026Q3")


@pytest.fixture(scope="module")
def hostile_report() -> cf.Report:
    return cf.report(hostile_activity(), quarter="2026Q3")


class _Elements(HTMLParser):
    """Every element and attribute the browser would build from the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> _Elements:
    p = _Elements()
    p.feed(page)
    return p


def test_json_follows_its_schema_in_the_documented_order(example_report: cf.Report) -> None:
    data = json.loads(example_report.to_json())
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.validate(data, schema)
    assert list(data) == schema["required"]
    assert data["meta"]["schema_version"] == 2
    assert data["meta"]["quarter"] == "2026Q3" and data["changes"] == data["changes"] | {"a": "2026Q2", "b": "2026Q3"}
    # The module docstring documents the same keys in the same order.
    doc = re.sub(r"\s+", " ", sys.modules["contribfunnel.report"].__doc__ or "")
    assert ", ".join(f"``{k}``" for k in schema["required"]) in doc


def test_schema_pins_every_nested_key(example_report: cf.Report) -> None:
    """A new or renamed key anywhere in the JSON must be a deliberate change to report.schema.json."""
    schema = json.loads(SCHEMA_PATH.read_text())
    for path in (("graph", "top", 0), ("changes", "prs", 0), ("friction", "groups", 0), ("scorecard", 0, "checks", 0),
                 ("autonomy",), ("meta",), ("first_prs", "acceptance")):
        data = json.loads(example_report.to_json())
        node = data
        for key in path:
            node = node[key]
        node["surprise"] = 1
        with pytest.raises(jsonschema.ValidationError, match="surprise"):
            jsonschema.validate(data, schema)


def test_json_of_git_only_data_follows_the_schema_too(shaped_repo: Any) -> None:
    rep = cf.report(cf.load_git(shaped_repo.path), quarter="2023Q4")
    data = json.loads(rep.to_json())
    jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text()))
    assert data["friction"]["groups"] == [] and "needs GitHub data" in data["friction"]["note"]
    assert any("GitHub" in n for n in data["methods"]["missing"])
    page = parse(rep.to_html())
    alts = [a["alt"] or "" for t, a in page.tags if t == "img"]
    assert len(alts) == 4 and not any("first response" in a for a in alts)  # no empty survival charts
    assert "needs GitHub data" in "".join(page.text)


def test_figures_agree_with_the_analysis(example_report: cf.Report) -> None:
    d = example_report.data
    act = cf.load_example()
    ext = cf.external_contributors(act, as_of=d["meta"]["as_of"])
    assert d["external_contributors"]["count"] == ext.count == d["external_contributors"]["by_quarter"][-1]["trailing"]
    assert d["scorecard"][3]["value"] == ext.count
    groups = {g["group"]: g for g in d["friction"]["groups"]}
    assert set(groups) == {"newcomer", "regular"}
    first = cf.first_contributions(act)
    window = first[first.ready_at > pd.Timestamp(d["meta"]["window_start"])]
    assert d["first_prs"]["count"] == len(window) == groups["newcomer"]["prs"]
    assert sum(d["first_prs"]["outcomes"].values()) == len(window)
    # Unanswered PRs are censored and counted, never dropped.
    assert d["methods"]["censored_prs"] == sum(g["unanswered"] for g in groups.values()) > 0
    gap = {g["metric"]: g for g in d["friction"]["gap"]}
    assert gap["acceptance"]["newcomer"] == pytest.approx(groups["newcomer"]["acceptance"])
    assert gap["acceptance"]["difference_low"] <= gap["acceptance"]["difference"] <= gap["acceptance"]["difference_high"]
    assert gap["median_response_hours"]["test"] == "log-rank"
    pooled = {s["stage"]: s["reached"] for s in d["funnel"]["pooled"]}
    assert list(pooled.values()) == sorted(pooled.values(), reverse=True)
    longest = d["first_prs"]["waited_longest"]
    assert [w["response_hours"] for w in longest] == sorted((w["response_hours"] for w in longest), reverse=True)


def test_quarter_comparison_defaults_to_the_quarter_before_and_takes_another() -> None:
    act = cf.load_example()
    rep = cf.report(act, quarter="2026Q2", compare_to="2025Q2")
    ch = rep.data["changes"]
    assert (ch["a"], ch["b"]) == ("2025Q2", "2026Q2")
    counts = {c["metric"]: c for c in ch["counts"]}
    by_q = cf.contributors(act).set_index("period")
    assert counts["external_contributors"]["a"] == by_q.at["2025Q2", "external"]
    assert counts["external_contributors"]["b"] == by_q.at["2026Q2", "external"]
    assert all(0 <= c["p_value"] <= 1 for c in ch["counts"])
    assert {c["test"] for c in ch["prs"]} == {"log-rank", "Fisher exact"}
    with pytest.raises(cf.UsageError, match="quarter of the report itself"):
        cf.report(act, quarter="2026Q2", compare_to="2026Q2")
    with pytest.raises(cf.UsageError, match="compare with an earlier quarter"):
        cf.report(act, quarter="2026Q2", compare_to="2026Q4")
    with pytest.raises(cf.UsageError, match="ends before the data begins"):
        cf.report(act, quarter="2026Q2", compare_to="2020Q1")


def test_a_quarter_without_an_earlier_one_is_not_compared() -> None:
    act = cf.load_example()
    first_q = str(act.starts_at.tz_convert(None).to_period("Q"))
    ch = cf.report(act, quarter=first_q).data["changes"]
    assert ch["comparable"] is False and "no earlier quarter" in ch["note"]
    assert ch["counts"] == ch["prs"] == []


def test_quarters_are_compared_at_equal_follow_up() -> None:
    act = cf.load_example()
    ch = cf.report(act, quarter="2026Q2").data["changes"]  # as_of 2026-07-01: 2026Q2 has just ended
    assert "2026Q1 is judged as it stood on 2026-04-01" in ch["note"]
    # 2026Q1's first PRs as they stood at its own end, not with three more months to be decided.
    seen = cf.first_contributions(act, as_of="2026-04-01")
    q1 = seen[(seen.ready_at >= "2026-01-01") & (seen.ready_at < "2026-04-01")]
    row = {r["metric"]: r for r in ch["first_prs"]}["acceptance"]
    decided = q1[q1.is_decided]
    assert row["n_a"] == len(decided) and row["a"] == pytest.approx((decided.outcome == "merged").mean())
    later = cf.first_contributions(act)
    later = later[(later.ready_at >= "2026-01-01") & (later.ready_at < "2026-04-01")]
    assert later.is_decided.sum() > len(decided)  # what a naive comparison would have used
    assert all(r["p_value"] is not None for r in ch["prs"] + ch["first_prs"])
    rows = ch["counts"] + ch["prs"] + ch["first_prs"]
    assert all(r["p_holm"] >= r["p_value"] for r in rows)
    assert any("abandoned after 90 days" in r["note"] for r in ch["prs"])


def test_a_running_quarter_is_compared_over_equal_spans() -> None:
    act = cf.make_activity(seed=4, as_of="2026-08-15")
    ch = cf.report(act).data["changes"]
    assert (ch["a"], ch["b"]) == ("2026Q2", "2026Q3")
    assert ch["days_a"] == ch["days_b"] == pytest.approx(45)  # July 1 to August 15, against April 1 to May 16
    assert "still running" in ch["note"]
    with pytest.raises(cf.UsageError, match="starts after the data ends"):
        cf.report(cf.make_activity(seed=4, as_of="2026-07-01"), quarter="2026Q3")  # no day of it in the data


def test_html_is_one_self_contained_page_with_sections_in_order(example_report: cf.Report, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    page = example_report.to_html(out)
    assert out.read_text(encoding="utf-8") == page
    els = parse(page)
    ids = [a["id"] for t, a in els.tags if t == "section"]
    assert ids == SECTIONS
    imgs = [a for t, a in els.tags if t == "img"]
    assert len(imgs) == 7 and all((a["src"] or "").startswith("data:image/png;base64,") and a.get("alt") for a in imgs)
    # Nothing is fetched from anywhere: no scripts, no stylesheets or frames, no remote URLs.
    assert not [t for t, _ in els.tags if t in ("script", "link", "iframe", "object", "embed")]
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page)
    assert "Content-Security-Policy" in page


def test_every_repository_string_is_escaped_in_html(hostile_report: cf.Report) -> None:
    page = hostile_report.to_html()
    els = parse(page)
    assert not [t for t, _ in els.tags if t in ("script", "svg", "iframe")]
    assert not [(t, a) for t, a in els.tags if any(k.startswith("on") for k in a)]
    assert all((a.get("src") or "").startswith("data:image/png") for t, a in els.tags if t == "img")
    text = "".join(els.text)
    for hostile in (XSS_TITLE, XSS_LOGIN, XSS_LABEL, XSS_FILE):
        assert hostile in text, hostile  # shown as text, where a reader can see it
    # The fragment shown in Jupyter is escaped the same way.
    frag = parse(hostile_report._repr_html_())
    assert not [t for t, _ in frag.tags if t in ("script", "html", "body")]
    assert XSS_TITLE in "".join(frag.text)


def test_markdown_pastes_into_an_issue_without_html_mentions_or_emails(hostile_report: cf.Report) -> None:
    md = hostile_report.to_markdown()
    assert "<script" not in md and "<img" not in md and "<svg" not in md and "<iframe" not in md
    assert "&lt;iframe" in md and "&gt;&lt;svg" in md  # the file name and the label, as text
    assert "&lt;script&gt;" in md  # escaped, so GitHub shows the text
    assert not re.search(r"(?<![\w`])@[A-Za-z0-9]", md)  # nobody is @-mentioned
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", md.replace("@\u200b", ""))
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert [h.split()[1] for h in headings] == ["Newcomer", "Time", "Newcomers'", "External", "Contributor", "Mentor",
                                                "Governance", "2026Q3", "Methods"]
    # Tables stay tables: every row of a table has as many cells as its header.
    for block in re.findall(r"(?:^\|.*\|\n)+", md, flags=re.M):
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in block.strip().splitlines()}
        assert len(widths) == 1, block


def test_reports_never_show_email_addresses(example_report: cf.Report, shaped_repo: Any) -> None:
    emails = {e for es in cf.load_example().people.emails for e in es}
    assert emails
    for text in (example_report.to_json(), example_report.to_html(), example_report.to_markdown()):
        assert not any(e in text for e in emails)
    shaped_repo.commit("Named by e-mail", author=("mail.only@hidden.example.com", "mail.only@hidden.example.com"))
    git = cf.load_git(shaped_repo.path)
    rep = cf.report(git, quarter="2023Q4")
    git_emails = {e for es in git.people.emails for e in es}
    for text in (rep.to_json(), rep.to_html(), rep.to_markdown()):
        assert not any(e in text for e in git_emails)


def test_control_characters_never_reach_a_report() -> None:
    act = hostile_activity()
    items = act.items.copy()
    items.loc[items.index[-1], "title"] = "bell\x07 and escape\x1b[31m red"
    rep = cf.report(dataclasses.replace(act, items=items), quarter="2026Q3")
    assert "\x1b" not in rep.to_markdown() and "\x07" not in rep.to_markdown()
    assert "\x1b" not in rep.to_html()


def test_repr_html_is_a_fragment(example_report: cf.Report) -> None:
    frag = example_report._repr_html_()
    assert "<html" not in frag and "<main class=\"cf-report\">" in frag and "data:image/png" in frag
