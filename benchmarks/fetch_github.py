"""Fetching from GitHub, side by side with Perceval, against the test double (no network).

Run:  python benchmarks/fetch_github.py [--prs 10000] [--issues 5000] [--latency 0.002] [--changed 200]

A generated repository (long threads, bots, drafts, unanswered items) is served
by ``contribfunnel.testing.GitHubDouble`` with a per-request latency.  In one
run: contribfunnel's full fetch into a fresh store; Perceval's GitHub backend
(REST; categories pull_request and issue) pointed at the same server through
its enterprise-URL option; then ``--changed`` items are updated on the server
and contribfunnel refreshes incrementally.  Requests are counted by the server.

Targets (design §11): a full fetch in at most items/50 + 15 requests, with
every event the server holds, and at least 100x fewer requests than Perceval;
an incremental refresh in at most changed/50 + 5 requests.  A PASS, FAIL or
SKIP line per target goes to stderr; stdout gets one JSON line; the exit
status is 1 when a target fails (a fetch that raises fails its targets).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import contribfunnel as cf
from contribfunnel.sources.github import Retry, fetch_github
from contribfunnel.testing import GitHubDouble

TOKEN = "bench-token"


def _fetch(store: Path, gh: GitHubDouble, retry: Retry) -> str | None:
    """Run contribfunnel's fetch; the error's one line if it failed."""
    try:
        fetch_github("example/project", token=TOKEN, base_url=gh.base_url, store=store, quiet=True, retry=retry)
    except cf.ContribfunnelError as exc:
        return str(exc)
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prs", type=int, default=10_000)
    parser.add_argument("--issues", type=int, default=5_000)
    parser.add_argument("--latency", type=float, default=0.002, help="seconds added to every response")
    parser.add_argument("--changed", type=int, default=200, help="items updated before the incremental refresh")
    parser.add_argument("--skip-perceval", action="store_true")
    args = parser.parse_args()

    source = cf.make_activity(seed=7, n_prs=args.prs, n_issues=args.issues)
    items = len(source.items)
    out: dict[str, object] = {"items": items}
    results: list[tuple[str, bool | None, str]] = []  # (target, passed or None when not run, figures)
    # Limits raised far above GitHub's 5,000 an hour: Perceval's ~4 REST requests per item would otherwise
    # sleep until the reset (as on GitHub), and what is compared here is the number of requests.
    with tempfile.TemporaryDirectory() as tmp, GitHubDouble(source, token=TOKEN, latency=args.latency,
                                                            core_limit=10_000_000, graphql_limit=10_000_000) as gh:
        store = Path(tmp) / "store.sqlite"
        quiet_retry = Retry(notify=lambda m: print(f"  contribfunnel: {m}", file=sys.stderr))
        t = time.perf_counter()
        failed = _fetch(store, gh, quiet_retry)
        out["contribfunnel_seconds"] = round(time.perf_counter() - t, 2)
        full = len(gh.requests)
        out["contribfunnel_requests"] = full
        out["contribfunnel_points"] = gh.graphql_points
        fetched = cf.read_store(store).events if failed is None else None
        out["contribfunnel_events"] = None if fetched is None else len(fetched)
        print(f"contribfunnel: {full} requests, {gh.graphql_points} points, {out['contribfunnel_seconds']} s for "
              f"{items} items" + (f"; FAILED: {failed}" if failed else ""), file=sys.stderr)
        budget = items / 50 + 15
        results.append((f"full fetch <= {budget:.0f} requests", failed is None and full <= budget,
                        f"{full} requests" + (f", failed: {failed}" if failed else "")))
        served = len(gh.model.event_rows())
        results.append(("full fetch has every event the server holds",
                        fetched is not None and len(fetched) == served, f"{out['contribfunnel_events']} of {served}"))

        if args.skip_perceval:
            results.append((">= 100x fewer requests than Perceval", None, "skipped (--skip-perceval)"))
        else:
            try:
                from perceval.backends.core.github import GitHub as PercevalGitHub
            except ImportError:
                print("perceval is not installed (pip install -e '.[bench]'): skipped", file=sys.stderr)
                results.append((">= 100x fewer requests than Perceval", None, "skipped (perceval not installed)"))
            else:
                before = len(gh.requests)
                t = time.perf_counter()
                backend = PercevalGitHub(owner="example", repository="project", api_token=[TOKEN],
                                         base_url=gh.base_url, sleep_for_rate=True)  # Perceval adds /api/v3
                n = 0
                for category in ("pull_request", "issue"):
                    for _ in backend.fetch(category=category):
                        n += 1
                out["perceval_seconds"] = round(time.perf_counter() - t, 2)
                out["perceval_requests"] = len(gh.requests) - before
                out["perceval_items"] = n
                print(f"perceval: {out['perceval_requests']} requests, {out['perceval_seconds']} s, {n} items",
                      file=sys.stderr)
                ratio = int(out["perceval_requests"]) / max(1, full)  # type: ignore[call-overload]
                out["perceval_ratio"] = round(ratio, 1)
                results.append((">= 100x fewer requests than Perceval", failed is None and ratio >= 100,
                                f"{ratio:.0f}x"))

        numbers = list(source.items.number.sample(min(args.changed, items), random_state=3))
        now = datetime.now(UTC)
        for i, number in enumerate(numbers):
            if i % 2:
                gh.model.add_comment(int(number), author="late-reviewer", at=now)
            else:
                gh.model.touch(int(number), at=now)
        before = len(gh.requests)
        failed_inc = _fetch(store, gh, quiet_retry)
        out["incremental_changed"] = len(numbers)
        out["incremental_requests"] = len(gh.requests) - before
        inc_budget = len(numbers) / 50 + 5
        results.append((f"incremental <= {inc_budget:.0f} requests",
                        failed_inc is None and int(out["incremental_requests"]) <= inc_budget,  # type: ignore[call-overload]
                        f"{out['incremental_requests']} requests" + (f", failed: {failed_inc}" if failed_inc else "")))

    for target, passed, figures in results:
        verdict = "SKIP" if passed is None else "PASS" if passed else "FAIL"
        print(f"{verdict} {target}: {figures}", file=sys.stderr)
    out["passed"] = all(p is not False for _, p, _ in results)
    print(json.dumps(out))
    return 0 if out["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
