"""The command line: reports in every format, check's exit codes, and one clear line for every bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from contribfunnel.cli import main


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command in a child process, as a user would."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return subprocess.run([sys.executable, "-m", "contribfunnel", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int, fragment: str) -> None:
    assert proc.returncode == code, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("contribfunnel: error: ")
    assert fragment in lines[0]
    assert "Traceback" not in proc.stderr


def test_report_example_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--example"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# contribfunnel report: example/project")
    assert "| # | Criterion | Value | Threshold | Verdict |" in out
    assert "Classification rule" in out


def test_report_json_keys_and_criteria(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert main(["report", "--example", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert list(data) == ["meta", "scorecard", "funnel", "friction", "first_prs", "contributors",
                          "external_contributors", "newcomers", "graph", "mentors", "autonomy", "bus_factor",
                          "governance", "changes", "methods"]
    assert [c["id"] for c in data["scorecard"]] == ["mechanism", "zero_guidance", "autonomy",
                                                     "external_contributors", "co_building"]
    for c in data["scorecard"]:
        assert {"id", "value", "threshold", "verdict"} <= set(c)
        assert c["verdict"] in {"pass", "fail", "not enough data"}
    assert set(data["external_contributors"]) >= {"window_days", "count", "all_time", "by_quarter"}
    assert data["external_contributors"]["window_days"] == 365
    assert "@" not in json.dumps(data["contributors"])


def test_report_git_html_escapes_repository_text(shaped_repo: Any, tmp_path: Path) -> None:
    shaped_repo.commit("<script>alert(1)</script> (#5)",
                       author=("Mal & \"Co\" 'x' img src=x onerror=alert(2)", "evil@hostile.example.net"))
    out = tmp_path / "r.html"
    proc = run("report", str(shaped_repo.path), "--out", str(out), "--quarter", "2023Q4")
    assert proc.returncode == 0, proc.stderr
    page = out.read_text()
    assert "<script>" not in page
    assert page.count("<img") == page.count('<img src="data:image/png;base64,')  # only the report's own charts
    # git itself strips < and > from names; what is left must still be escaped.
    assert "Mal &amp; &#34;Co&#34; &#39;x&#39; img src=x onerror=alert(2)" in page
    assert "evil@hostile.example.net" not in page  # reports never show e-mail addresses


def test_check_exit_codes(shaped_repo: Any, tmp_path: Path) -> None:
    # The tiny repository has far fewer than 30 external contributors: criterion 4 fails.
    proc = run("check", str(shaped_repo.path))
    assert proc.returncode == 1
    assert "FAIL" in proc.stdout and "More than 30 external contributors" in proc.stdout
    assert "Rule:" in proc.stdout
    # Lower the threshold: nothing fails, the git-only criteria lack data, so only --strict fails.
    cfg = tmp_path / "c.toml"
    cfg.write_text("[thresholds]\nexternal_contributors = 1\nmin_mergers = 1\nmax_top_merger_share = 1.0\n"
                   "min_bus_factor = 1\nmin_organizations = 1\nmin_elephant_factor = 1\n")
    ok = run("check", str(shaped_repo.path), "--config", str(cfg), "--quarter", "2023Q4")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "NOT ENOUGH DATA" in ok.stdout
    assert run("check", str(shaped_repo.path), "--config", str(cfg), "--quarter", "2023Q4", "--strict").returncode == 1


def test_check_prints_a_table_readable_without_colour_or_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--example"]) == 1
    out = capsys.readouterr().out
    assert "\x1b[" not in out  # no colour codes: the verdicts are words
    header = next(line for line in out.splitlines() if "Criterion" in line)
    assert header.split() == ["#", "Criterion", "Value", "Verdict"]
    rows = [line for line in out.splitlines() if line[:3].strip() in {"1", "2", "3", "4", "5"}]
    assert len(rows) == 5 and all(r.split()[-1] in {"PASS", "FAIL", "DATA"} for r in rows)
    assert "advice:" in out
    assert main(["check", "--example", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "fail" and [c["id"] for c in data["criteria"]][3] == "external_contributors"
    info = [ch for c in data["criteria"] for ch in c["checks"] if ch["name"] == "external_committers"]
    assert info[0]["verdict"] == "info"  # shown for context, never decides


def test_report_compares_quarters(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert main(["report", "--example", "--quarter", "2026Q2", "--compare-to", "2025Q2", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert (data["changes"]["a"], data["changes"]["b"]) == ("2025Q2", "2026Q2")
    proc = run("report", "--example", "--quarter", "2026Q2", "--compare-to", "2026Q2")
    assert_one_line_error(proc, 2, "quarter of the report itself")


def test_saved_activity_is_a_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import contribfunnel as cf

    folder = cf.load_example().to_dir(tmp_path / "saved")
    assert main(["check", str(folder)]) in (0, 1)
    assert "Stage 10" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["report", "/definitely/not/here"], 2, "no such path"),
        (["report", "{plain}"], 2, "not a git repository"),
        (["report", "{empty}"], 1, "empty repository"),
        (["report", "--example", "--quarter", "2026Q5"], 2, "bad quarter"),
        (["report", "--example", "--quarter", "2031Q1"], 2, "starts after the data ends"),
        (["check", "--example", "--quarter", "1999Q1"], 2, "ends before the data begins"),
        (["report", "--example", "--config", "{badcfg}"], 2, "unknown key 'interal'"),
        (["report", "--example", "--config", "{missingcfg}"], 2, "config file not found"),
        (["report", "--example", "--out", "/proc/forbidden/report.md"], 2, "cannot write"),
        (["report", "--example", "--format", "pdf"], 2, "invalid choice: 'pdf'"),
        (["report", "not//a/slug"], 2, "not a valid OWNER/REPO"),
        (["report", "octocat/hello-world", "--base-url", "http://127.0.0.1:9"], 1, "cannot reach GitHub at 127.0.0.1:9"),
        (["fetch", "bad slug!"], 2, "not a valid OWNER/REPO"),
        (["report"], 2, "missing TARGET"),
        (["report", "--example", "somewhere"], 2, "not both"),
        (["frobnicate"], 2, "invalid choice"),
    ],
)
def test_bad_input_one_line(args: list[str], code: int, fragment: str, tmp_path: Path, make_repo: Any) -> None:
    (tmp_path / "plain").mkdir()
    empty = make_repo("empty")
    (tmp_path / "bad.toml").write_text("[interal]\nlogins = ['x']\n")
    subs = {"{plain}": str(tmp_path / "plain"), "{empty}": str(empty.path), "{badcfg}": str(tmp_path / "bad.toml"),
            "{missingcfg}": str(tmp_path / "nope.toml")}
    proc = run(*[subs.get(a, a) for a in args], cwd=tmp_path)
    assert_one_line_error(proc, code, fragment)
