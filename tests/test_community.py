"""Community metrics on hand-built data with known answers."""

from __future__ import annotations

import pandas as pd
import pytest

import contribfunnel as cf
from contribfunnel.errors import UsageError
from contribfunnel.periods import parse_quarter, parse_window
from contribfunnel.stats import absence_factor, wilson


def test_chaoss_absence_factor_example() -> None:
    assert absence_factor([1000, 202, 90, 33, 332, 343, 42, 433]) == 2
    assert absence_factor([10]) == 1
    assert absence_factor([1, 1]) == 2  # exactly half is not "more than half"
    assert absence_factor([0, 0]) == 0


def test_wilson_matches_reference() -> None:
    low, high = wilson(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    assert wilson(0, 0) != wilson(0, 0)  # nan, never a made-up number


def git_activity(rows: list[tuple[str, str, str]], as_of: str = "2025-12-31") -> cf.Activity:
    commits = [{"repo": "o/r", "sha": f"{i:040x}", "author_name": n, "author_email": e, "authored_at": t,
                "committer_name": n, "committer_email": e, "committed_at": t, "subject": "x"}
               for i, (n, e, t) in enumerate(rows)]
    credits = [{"repo": "o/r", "sha": c["sha"], "role": "author", "name": c["author_name"],
                "email": c["author_email"], "at": c["authored_at"]} for c in commits]
    act = cf.Activity.from_tables(meta=cf.Meta(as_of=as_of, repos=("o/r",)), commits=commits, credits=credits)
    return cf.resolve_identities(act)


def test_newcomers_use_whole_history_not_window() -> None:
    act = git_activity([("Old Hand", "old@x.org", "2020-01-10"), ("Old Hand", "old@x.org", "2025-11-01"),
                        ("New Face", "new@y.org", "2025-11-02")])
    nc = cf.newcomers(act)
    first = nc[nc.kind == "commit"].set_index("person").first_at
    assert first["Old Hand"] == pd.Timestamp("2020-01-10", tz="UTC")
    by_q = cf.contributors(act).set_index("period")
    assert by_q.at["2025Q4", "contributors"] == 2
    assert by_q.at["2025Q4", "new"] == 1  # the old hand is not new again


def test_external_counts_window_and_quarters() -> None:
    rows = [(f"Person {i}", f"p{i}@org{i % 4}.net", f"2025-0{1 + i % 9}-15") for i in range(40)]
    rows += [("Gone Person", "gone@x.org", "2022-01-01")]
    act = git_activity(rows)
    ext = cf.external_contributors(act)
    assert ext.window_days == 365
    assert ext.count == 40
    assert ext.all_time == 41
    assert ext.by_quarter.external.sum() >= 40
    assert cf.external_contributors(act, window="30D").count == 0
    card = cf.stage10(act)
    assert card.criteria[3].verdict == "pass" and card.criteria[3].value == 40
    assert card.criteria[4].value == 4  # four organisations


def test_bus_factor_units_and_bad_unit() -> None:
    act = git_activity([("A Person", "a@x.org", "2025-01-01")] * 1 + [("B Person", "b@x.org", "2025-02-01")])
    bf = cf.bus_factor(act, unit="commits")
    assert bf.value == 2 and bf.total == 2
    with pytest.raises(UsageError, match="bad unit"):
        cf.bus_factor(act, unit="stars")


def test_retention_cohorts() -> None:
    act = git_activity([("A Person", "a@x.org", "2025-01-05"), ("A Person", "a@x.org", "2025-04-05"),
                        ("B Person", "b@x.org", "2025-01-06")])
    r = cf.retention(act).set_index(["cohort", "after"])
    assert r.at[("2025Q1", 1), "retained"] == 1
    assert r.at[("2025Q1", 1), "cohort_size"] == 2
    assert r.at[("2025Q1", 1), "is_complete"]
    assert not r.at[("2025Q1", 4), "is_complete"]  # 2026Q1 has not ended by as_of


def test_periods() -> None:
    assert str(parse_quarter("2026-q3")) == "2026Q3"
    with pytest.raises(UsageError):
        parse_quarter("Q3 2026")
    with pytest.raises(UsageError):
        parse_window("-5D")


def test_git_only_scorecard_never_guesses() -> None:
    act = git_activity([("A Person", "a@x.org", "2025-01-01")])
    card = cf.stage10(act)
    mech, zero = card.criteria[0], card.criteria[1]
    assert zero.verdict == "not enough data"
    assert all("needs GitHub activity" in c.note for c in zero.checks)
    assert mech.verdict == "fail"  # documents are missing: that much git can decide
    assert "CONTRIBUTING" in mech.advice
    d = card.to_dict()
    assert [c["id"] for c in d["criteria"]] == ["mechanism", "zero_guidance", "autonomy", "external_contributors",
                                                 "co_building"]
    assert "<table>" in card._repr_html_() and "| # |" in card.to_markdown()
