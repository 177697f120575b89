"""Fetching from GitHub, side by side with Perceval, against the test double (no network).

Run:  python benchmarks/fetch_github.py [--prs 10000] [--issues 5000] [--latency 0.002] [--changed 200]

A generated repository (long threads, bots, drafts, unanswered items) is served
by ``contribfunnel.testing.GitHubDouble`` with a per-request latency.  In one
run: contribfunnel's full fetch into a fresh store; Perceval's GitHub backend
(REST; categories pull_request and issue) pointed at the same server through
its enterprise-URL option; then ``--changed`` items are updated on the server
and contribfunnel refreshes incrementally.  Requests are counted by the server.

Targets (design §11): a full fetch in at most items/50 + 15 requests and at
least 100x fewer requests than Perceval; an incremental refresh in at most
changed/50 + 5 requests.  Ends with one JSON line.
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
    # Limits raised far above GitHub's 5,000 an hour: Perceval's ~4 REST requests per item would otherwise
    # sleep until the reset (as on GitHub), and what is compared here is the number of requests.
    with tempfile.TemporaryDirectory() as tmp, GitHubDouble(source, token=TOKEN, latency=args.latency,
                                                            core_limit=10_000_000, graphql_limit=10_000_000) as gh:
        store = Path(tmp) / "store.sqlite"
        quiet_retry = Retry(notify=lambda m: print(f"  contribfunnel: {m}", file=sys.stderr))
        t = time.perf_counter()
        fetch_github("example/project", token=TOKEN, base_url=gh.base_url, store=store, quiet=True, retry=quiet_retry)
        out["contribfunnel_seconds"] = round(time.perf_counter() - t, 2)
        out["contribfunnel_requests"] = len(gh.requests)
        out["contribfunnel_points"] = gh.graphql_points
        print(f"contribfunnel: {out['contribfunnel_requests']} requests, {out['contribfunnel_points']} points, "
              f"{out['contribfunnel_seconds']} s for {items} items", file=sys.stderr)

        if not args.skip_perceval:
            try:
                from perceval.backends.core.github import GitHub as PercevalGitHub
            except ImportError:
                print("perceval is not installed (pip install -e '.[bench]'): skipped", file=sys.stderr)
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

        numbers = list(source.items.number.sample(args.changed, random_state=3))
        now = datetime.now(UTC)
        for i, number in enumerate(numbers):
            if i % 2:
                gh.model.add_comment(int(number), author="late-reviewer", at=now)
            else:
                gh.model.touch(int(number), at=now)
        before = len(gh.requests)
        fetch_github("example/project", token=TOKEN, base_url=gh.base_url, store=store, quiet=True, retry=quiet_retry)
        out["incremental_changed"] = args.changed
        out["incremental_requests"] = len(gh.requests) - before

    budget = items / 50 + 15
    print(f"target full fetch <= {budget:.0f} requests: "
          f"{'PASS' if out['contribfunnel_requests'] <= budget else 'FAIL'}", file=sys.stderr)  # type: ignore[operator]
    if "perceval_requests" in out:
        ratio = out["perceval_requests"] / out["contribfunnel_requests"]  # type: ignore[operator]
        out["perceval_ratio"] = round(ratio, 1)
        print(f"target >= 100x fewer requests than Perceval: {'PASS' if ratio >= 100 else 'FAIL'} ({ratio:.0f}x)",
              file=sys.stderr)
    inc_budget = args.changed / 50 + 5
    print(f"target incremental <= {inc_budget:.0f} requests: "
          f"{'PASS' if out['incremental_requests'] <= inc_budget else 'FAIL'}", file=sys.stderr)  # type: ignore[operator]
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
