"""The shipped examples stay true: the config loads and documents every threshold."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import contribfunnel as cf

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_example_config_loads_and_documents_every_threshold() -> None:
    path = EXAMPLES / "contribfunnel.toml"
    cfg = cf.load_config(path)
    text = path.read_text(encoding="utf-8")
    documented = set(re.findall(r"^(\w+)\s*=", text.split("[thresholds]", 1)[1], flags=re.M))
    assert documented == set(cf.THRESHOLDS)
    assert dict(cfg.thresholds) == dict(cf.THRESHOLDS)  # the file states the defaults
    assert cfg.organizations["acme.com"] == "Acme"
    card = cf.stage10(cf.resolve_identities(cf.load_example(), config=cfg), config=cfg)
    assert "alice" in card.rule


def _run_script(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
    full["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return subprocess.run([sys.executable, str(EXAMPLES / "quarterly_report.py"), *args], capture_output=True,
                          text=True, env=full | env, timeout=300)


def test_quarterly_script_refreshes_incrementally_and_writes_the_quarter(tmp_path: Path) -> None:
    from contribfunnel.testing import GitHubDouble

    token = "ghp_EXAMPLEsentinel0123456789abcdefEXAMPLE"
    source = cf.make_activity(seed=5, n_prs=120, n_issues=60)
    store, out = tmp_path / "store.sqlite", tmp_path / "reports"
    with GitHubDouble(source, token=token) as gh:
        args = ("example/project", "--store", str(store), "--base-url", gh.base_url, "--out-dir", str(out))
        first = _run_script(*args, env={"GITHUB_TOKEN": token})
        assert first.returncode == 0, first.stderr
        full = len(gh.requests)
        again = _run_script(*args, "--quarter", "2026Q2", env={"GITHUB_TOKEN": token})
        assert again.returncode == 0, again.stderr
        assert len(gh.requests) - full < full / 4  # the second run only asks what changed
    # By default the quarter the data's as_of falls in (a fetch's as_of is when it ran), so far.
    current = next(p for p in out.glob("*.json") if "2026Q2" not in p.name)
    meta = json.loads(current.read_text())["meta"]
    assert meta["quarter"] == str(pd.Timestamp(meta["as_of"]).tz_convert(None).to_period("Q"))
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"example__project-{q}.{ext}" for q in ("2026Q2", meta["quarter"])
                           for ext in ("html", "json", "md"))
    data = json.loads((out / "example__project-2026Q2.json").read_text())
    assert (data["meta"]["quarter"], data["meta"]["compare_to"]) == ("2026Q2", "2026Q1")
    for path in [*out.iterdir(), store]:
        assert token.encode() not in path.read_bytes()
    assert token not in first.stdout + first.stderr + again.stdout + again.stderr


def test_quarterly_script_works_offline_on_a_clone_and_fails_in_one_line(shaped_repo: Any, tmp_path: Path) -> None:
    ok = _run_script(str(shaped_repo.path), "--out-dir", str(tmp_path), "--quarter", "2023Q4", env={})
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "shaped-2023Q4.md").read_text().startswith("# contribfunnel report: shaped")
    bad = _run_script(str(shaped_repo.path), "--out-dir", str(tmp_path), "--quarter", "2023Q9", env={})
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "bad quarter" in bad.stderr


def test_scheduled_workflow_runs_commands_the_cli_accepts() -> None:
    yaml = pytest.importorskip("yaml")
    from contribfunnel.cli import _parser

    flow = yaml.safe_load((EXAMPLES / "stage10-check.yml").read_text(encoding="utf-8"))
    assert flow[True]["schedule"][0]["cron"]  # PyYAML reads the key 'on' as True
    steps = flow["jobs"]["stage10"]["steps"]
    runs = [s for s in steps if "contribfunnel " in s.get("run", "") and "pip install" not in s["run"]]
    assert [shlex.split(s["run"])[1] for s in runs] == ["fetch", "report", "check"]
    for step in runs:
        argv = shlex.split(step["run"].split(">>")[0].replace("$GITHUB_REPOSITORY", "owner/repo"))[1:]
        args = _parser().parse_args(argv)  # raises UsageError on a flag the CLI does not take
        assert args.target == "owner/repo" and args.quiet
        assert step["env"] == {"GITHUB_TOKEN": "${{ secrets.GITHUB_TOKEN }}"}  # the token only from secrets
    assert steps[-1] is runs[-1] and "continue-on-error" not in steps[-1]  # a failing check fails the job


def test_quarterly_script_completes_the_quarter_just_ended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from contribfunnel.testing import GitHubDouble

    spec = importlib.util.spec_from_file_location("quarterly_report", EXAMPLES / "quarterly_report.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    token = "ghp_EXAMPLEsentinel0123456789abcdefEXAMPLE"
    monkeypatch.setenv("GITHUB_TOKEN", token)
    out, store = tmp_path / "reports", tmp_path / "store.sqlite"
    with GitHubDouble(cf.make_activity(seed=6, n_prs=100, n_issues=40), token=token) as gh:
        args = ["example/project", "--store", str(store), "--base-url", gh.base_url, "--out-dir", str(out)]
        assert script.main(args) == 0
        current = json.loads(next(out.glob("*.json")).read_text())["meta"]["quarter"]
        previous = str(pd.Period(current, freq="Q") - 1)
        # The last run inside the previous quarter came a few days before its end...
        end = pd.Period(previous, freq="Q").end_time.normalize()
        stale = cf.make_activity(seed=6, n_prs=100, n_issues=40, as_of=str((end - pd.Timedelta(days=5)).date()))
        script.write(cf.report(stale), out)
        path = out / f"example__project-{previous}.json"
        assert json.loads(path.read_text())["meta"]["quarter_complete"] is False
        # ...so the next run writes that quarter again, whole.
        assert script.main(args) == 0
    meta = json.loads(path.read_text())["meta"]
    assert meta["quarter_complete"] is True and meta["quarter"] == previous
