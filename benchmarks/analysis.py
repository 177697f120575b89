"""Full analysis on a generated Activity: 100,000 PRs, ~1,000,000 events, 20,000 people (and 10x smaller).

Run:  python benchmarks/analysis.py [--only 10k|100k]

Each size runs in a fresh child process, which generates the data (untimed),
then times the full analysis: funnel and time-to-stage curves, PR timelines
and first contributions with friction summaries (Kaplan–Meier), external
contributors and per-quarter counts, bus and elephant factors, review and
collaboration graphs with their summaries, mentors, autonomy, and the stage-10
scorecard.  Peak RSS is the child's maximum resident set, data generation
included, so it is an upper bound on the analysis alone.

Targets (design §11): at most 10 s and 2 GB at 100k PRs on 2 cores, and the
100k time at most 12x the 10k time.  Ends with one JSON line:
``{"seconds", "seconds_10k", "peak_rss_mb", "report_seconds", ...}``; exits 1 when a target is missed.
``report_seconds`` (for information, no target) builds the quarterly report on a fresh copy of the
100k Activity and renders its HTML with every chart.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import time

SIZES = {"10k": (10_000, 2_000, 2_000), "100k": (100_000, 20_000, 20_000)}


def run_one(size: str) -> dict[str, float]:
    import resource

    import contribfunnel as cf

    n_prs, n_issues, n_people = SIZES[size]
    act = cf.make_activity(seed=1, n_prs=n_prs, n_issues=n_issues, n_people=n_people)
    steps: dict[str, float] = {}

    def step(name: str, fn: object) -> object:
        assert callable(fn)
        t = time.perf_counter()
        out = fn()
        steps[name] = round(time.perf_counter() - t, 3)
        return out

    t0 = time.perf_counter()
    step("contributions", lambda: cf.contributions(act))
    step("funnel", lambda: cf.funnel(act))
    step("time_to_stage", lambda: cf.time_to_stage(act, stage="first_merged", by="quarter"))
    timeline = step("pr_timeline", lambda: cf.pr_timeline(act))
    step("friction_summary", lambda: cf.friction_summary(timeline))  # type: ignore[arg-type]
    first = step("first_contributions", lambda: cf.first_contributions(act))
    step("first_summary", lambda: cf.friction_summary(first))  # type: ignore[arg-type]
    step("external", lambda: (cf.external_contributors(act), cf.contributors(act)))
    step("bus_factor", lambda: [cf.bus_factor(act, unit=u) for u in ("merged", "reviews", "merges")]
         + [cf.elephant_factor(act)])
    review = step("review_graph", lambda: cf.contributor_graph(act, kind="review", window="365D"))
    step("review_summary", lambda: cf.graph_summary(review))  # type: ignore[arg-type]
    collab = step("collaboration_graph", lambda: cf.contributor_graph(act, kind="collaboration", window="365D"))
    step("collaboration_summary", lambda: cf.graph_summary(collab))  # type: ignore[arg-type]
    step("mentors_autonomy", lambda: (cf.mentors(act), cf.autonomy(act)))
    step("stage10", lambda: cf.stage10(act))
    total = time.perf_counter() - t0
    # The quarterly report on a fresh copy (nothing cached): every section built, then the HTML with its charts.
    fresh = dataclasses.replace(act)
    t1 = time.perf_counter()
    rep = cf.report(fresh)
    steps["report_build"] = round(time.perf_counter() - t1, 3)
    t2 = time.perf_counter()
    rep.to_html()
    steps["report_html"] = round(time.perf_counter() - t2, 3)
    report_total = time.perf_counter() - t1
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": round(total, 3), "report_seconds": round(report_total, 3), "peak_rss_mb": round(peak_mb, 1), "items": len(act.items),
            "events": len(act.events), "people": len(act.people), "steps": steps}  # type: ignore[dict-item]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(SIZES))
    parser.add_argument("--child", choices=sorted(SIZES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child)))
        return 0
    results = {}
    for size in [args.only] if args.only else ["10k", "100k"]:
        out = subprocess.run([sys.executable, __file__, "--child", size], capture_output=True, text=True, check=True)
        results[size] = json.loads(out.stdout.strip().splitlines()[-1])
        r = results[size]
        print(f"{size}: {r['seconds']} s, peak {r['peak_rss_mb']} MB, {r['items']} items, {r['events']} events, "
              f"{r['people']} people", file=sys.stderr)
        for name, secs in sorted(r["steps"].items(), key=lambda kv: -kv[1]):
            print(f"    {name:<24} {secs:>7.3f} s", file=sys.stderr)
    line: dict[str, object] = {}
    ok = True
    if "100k" in results:
        big = results["100k"]
        line |= {"seconds": big["seconds"], "peak_rss_mb": big["peak_rss_mb"], "events": big["events"],
                 "report_seconds": big["report_seconds"]}
        ok &= big["seconds"] <= 10 and big["peak_rss_mb"] <= 2048
        print(f"target <= 10 s: {'PASS' if big['seconds'] <= 10 else 'FAIL'}; "
              f"target <= 2048 MB: {'PASS' if big['peak_rss_mb'] <= 2048 else 'FAIL'}; "
              f"the report on top (for information): {big['report_seconds']} s", file=sys.stderr)
    if "10k" in results:
        line["seconds_10k"] = results["10k"]["seconds"]
    if "10k" in results and "100k" in results:
        ratio = results["100k"]["seconds"] / results["10k"]["seconds"]
        line["ratio"] = round(ratio, 2)
        ok &= ratio <= 12
        print(f"target 100k/10k <= 12: {'PASS' if ratio <= 12 else 'FAIL'} ({ratio:.1f}x)", file=sys.stderr)
    print(json.dumps(line))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
