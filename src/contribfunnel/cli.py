"""The ``contribfunnel`` command: ``report``, ``check`` and ``fetch``.

Exit codes: 0 ok (check: no criterion fails), 1 check failed or data error,
2 usage error.  A user's mistake is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from contribfunnel.activity import Activity, read_activity
from contribfunnel.config import Config, load_config
from contribfunnel.criteria import stage10
from contribfunnel.datasets import load_example
from contribfunnel.errors import ContribfunnelError, UsageError
from contribfunnel.identities import resolve_identities
from contribfunnel.periods import as_of_quarter
from contribfunnel.report import report
from contribfunnel.sources.git import load_git
from contribfunnel.sources.github import fetch_github

__all__ = ["main"]

_SLUG = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".json": "json"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="contribfunnel", description="Can outsiders contribute without hand-holding, and do enough of them?")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def github(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--store", metavar="PATH", help="SQLite store (default: ~/.cache/contribfunnel/github/...)")
        sp.add_argument("--base-url", metavar="URL", help="GitHub Enterprise API URL, e.g. https://host/api/v3")
        sp.add_argument("--since", metavar="DATE", help="analyse only items created on or after DATE")
        sp.add_argument("--quiet", action="store_true", help="no progress bar")

    def target(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("target", nargs="?", help="a git clone, a saved Activity folder, or OWNER/REPO")
        sp.add_argument("--example", action="store_true", help="use the bundled example data (offline, no token)")
        sp.add_argument("--config", metavar="FILE", help="TOML config: internal people, bots, aliases, thresholds")
        sp.add_argument("--quarter", metavar="YYYYQn", help="report on the window ending with this quarter")
        github(sp)

    rp = sub.add_parser("report", help="write a report (Markdown to stdout by default)")
    target(rp)
    rp.add_argument("--format", choices=["html", "md", "json"], help="default: from --out's suffix, else md")
    rp.add_argument("--out", metavar="PATH", help="write to PATH instead of stdout")
    rp.add_argument("--compare-to", metavar="YYYYQn", help="the quarter to compare with (default: the one before)")
    cp = sub.add_parser("check", help="print the stage-10 scorecard; exit 1 when a criterion fails")
    target(cp)
    cp.add_argument("--strict", action="store_true", help="also exit 1 when a criterion lacks data")
    cp.add_argument("--format", choices=["text", "json"], default="text", help="a table (default) or JSON")
    fp = sub.add_parser("fetch", help="fetch or refresh a GitHub repository's activity in the local store")
    fp.add_argument("target", help="OWNER/REPO")
    fp.add_argument("--config", metavar="FILE", help=argparse.SUPPRESS)
    github(fp)
    return p


def _load(args: argparse.Namespace, config: Config) -> Activity:
    if args.example:
        if args.target:
            raise UsageError("give a TARGET or --example, not both")
        act = load_example()
        return resolve_identities(act, config=config) if args.config else act
    if not args.target:
        raise UsageError("missing TARGET: a git clone path, a saved Activity folder, or --example")
    path = Path(args.target).expanduser()
    if path.exists():
        if (path / "meta.json").is_file():
            act = read_activity(path)
            return resolve_identities(act, config=config) if args.config else act
        return load_git(path, config=config)
    return _github_target(args, config)


def _github_target(args: argparse.Namespace, config: Config) -> Activity:
    text = args.target
    if _SLUG.match(text):
        return fetch_github(text, since=args.since, base_url=args.base_url, store=args.store, config=config,
                            quiet=args.quiet)
    if text.count("/") >= 1 and not text.startswith((".", "/", "~")):
        raise UsageError(f"{text}: no such path, and not a valid OWNER/REPO")
    raise UsageError(f"no such path: {text}")


def _run(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    config = load_config(args.config)
    if args.command == "fetch":
        if not _SLUG.match(args.target):
            raise UsageError(f"{args.target}: not a valid OWNER/REPO")
        act = fetch_github(args.target, since=args.since, base_url=args.base_url, store=args.store, config=config,
                           quiet=args.quiet)
        print(f"{args.target}: {(act.items.kind == 'pr').sum()} pull requests, {(act.items.kind == 'issue').sum()} "
              f"issues, {len(act.events)} events, {len(act.people)} people in the store", file=sys.stderr)
        return 0
    act = _load(args, config)
    if args.command == "check":
        card = stage10(act, config=config, as_of=as_of_quarter(act.meta.as_of, args.quarter, starts_at=act.starts_at))
        if args.format == "json":
            sys.stdout.write(json.dumps(card.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n")
        else:
            print(card.to_text(width=max(60, shutil.get_terminal_size((100, 24)).columns)))
            print(f"\nRule: {card.rule}")
            for note in card.notes:
                print(f"Note: {note}")
        if card.verdict == "fail" or (args.strict and card.verdict != "pass"):
            return 1
        return 0
    rep = report(act, quarter=args.quarter, compare_to=args.compare_to, config=config if args.config else None)
    fmt = args.format or (_FORMATS.get(Path(args.out).suffix.lower(), "md") if args.out else "md")
    text = rep.to_html() if fmt == "html" else rep.to_json() if fmt == "json" else rep.to_markdown()
    if args.out:
        out = Path(args.out)
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
        print(f"wrote {out} ({fmt}); stage 10: {rep.scorecard.verdict}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``contribfunnel`` console script."""
    try:
        return _run(argv)
    except ContribfunnelError as exc:
        print(f"contribfunnel: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("contribfunnel: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
