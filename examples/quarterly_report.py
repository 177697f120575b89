#!/usr/bin/env python3
"""Refresh a repository's activity and write this quarter's report against the last: run it from cron.

Each run refreshes the local store incrementally (only items updated since the last run are fetched),
then writes ``<out-dir>/<owner>__<repo>-<quarter>.{html,md,json}``. Runs during a quarter overwrite that
quarter's files, so the last run of a quarter leaves its final report; the first run of the next quarter
starts the next and rewrites the quarter just ended in full, if its last report was written before its end.
``--quarter`` writes a past quarter instead.

    # crontab -e: every Monday at 06:17, and keep a log
    17 6 * * 1  GITHUB_TOKEN=... /path/to/.venv/bin/python /path/to/examples/quarterly_report.py \\
                  owner/repo --out-dir /srv/reports --config /etc/contribfunnel.toml >> /var/log/cf.log 2>&1

TARGET may also be a local git clone (offline, no token). The token comes from GITHUB_TOKEN or GH_TOKEN and
is never written anywhere. Exit codes: 0 written, 1 data or network error, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

import contribfunnel as cf


def _name(meta: dict[str, object]) -> str:
    repos = meta["repos"]
    assert isinstance(repos, list)
    return "+".join(str(r) for r in repos).replace("/", "__")


def write(rep: cf.Report, out: Path) -> Path:
    """Write the report as HTML, Markdown and JSON beside each other; returns the common stem."""
    stem = out / f"{_name(rep.data['meta'])}-{rep.data['meta']['quarter']}"
    rep.to_html(stem.with_suffix(".html"))
    stem.with_suffix(".md").write_text(rep.to_markdown(), encoding="utf-8")
    stem.with_suffix(".json").write_text(rep.to_json(), encoding="utf-8")
    return stem


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("target", help="OWNER/REPO on GitHub, or a local git clone")
    p.add_argument("--out-dir", default="reports", help="where to write the report files (default: ./reports)")
    p.add_argument("--store", help="SQLite store (default: ~/.cache/contribfunnel/github/OWNER__REPO.sqlite)")
    p.add_argument("--base-url", help="GitHub Enterprise API URL, e.g. https://ghe.example.com/api/v3")
    p.add_argument("--config", help="TOML config: who is internal, bots, aliases, thresholds")
    p.add_argument("--quarter", help="the quarter to report on (default: the current one, so far)")
    p.add_argument("--compare-to", help="the quarter to compare with (default: the one before)")
    args = p.parse_args(argv)
    try:
        config = cf.load_config(args.config)
        if Path(args.target).expanduser().exists():
            act = cf.load_git(Path(args.target).expanduser(), config=config)
        else:
            act = cf.fetch_github(args.target, store=args.store, base_url=args.base_url, config=config, quiet=True)
        out = Path(args.out_dir)
        out.mkdir(parents=True, exist_ok=True)
        rep = cf.report(act, quarter=args.quarter, compare_to=args.compare_to, config=config)
        meta = rep.data["meta"]
        stem = write(rep, out)
        # The last run inside a quarter may have come days before its end: once it is over, write it whole.
        previous = str(pd.Period(meta["quarter"], freq="Q") - 1)
        done = out / f"{_name(meta)}-{previous}.json"
        if args.quarter is None and done.is_file() and not json.loads(done.read_text())["meta"]["quarter_complete"]:
            print(f"{write(cf.report(act, quarter=previous, config=config), out)}: {previous} completed")
    except cf.ContribfunnelError as exc:
        print(f"quarterly_report: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        print(f"quarterly_report: error: cannot write the report: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"{stem}.html/.md/.json: {meta['quarter']} against {meta['compare_to']}, stage 10 {meta['verdict']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
