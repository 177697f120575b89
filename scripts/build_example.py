"""Rebuild the bundled example (``contribfunnel.load_example()``) from the synthetic generator.

Run from the repository's root::

    python scripts/build_example.py

It writes ``src/contribfunnel/data/example/`` (CSV files plus ``meta.json``),
checks that the saved folder reads back identical and stays small, and that it
has enough material for a stage-10 scorecard: more than 30 external people with
a merged pull request in the 365 days before ``as_of`` and at least 3 external
organisations among them.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pandas as pd

from contribfunnel.activity import read_activity
from contribfunnel.synthetic import make_activity

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src" / "contribfunnel" / "data" / "example"
MAX_BYTES = 1_500_000
TABLES = ("items", "events", "commits", "credits", "people", "repo_files")


def main() -> int:
    activity = make_activity(seed=2026, repo="example/project")
    if TARGET.exists():
        shutil.rmtree(TARGET)
    activity.to_dir(TARGET)

    again = read_activity(TARGET)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(again, name), getattr(activity, name))
    assert again.meta == activity.meta, "meta differs after a round trip"

    size = sum(f.stat().st_size for f in TARGET.iterdir())
    people = activity.people.set_index("person")
    external = people.index[~people.is_internal & ~people.is_bot]
    items = activity.items
    window = activity.meta.as_of - pd.Timedelta(days=365)
    merged = items[(items.state == "merged") & (items.merged_at >= window) & items.author.isin(external)]
    n_people = merged.author.nunique()
    n_orgs = people.loc[merged.author.unique(), "organization"].nunique()
    print(f"{activity!r}")
    print(f"wrote {TARGET.relative_to(ROOT)}: {size / 1e6:.2f} MB")
    print(f"trailing 365 days: {n_people} external people with a merged PR, from {n_orgs} external organisations")
    problems = []
    if size > MAX_BYTES:
        problems.append(f"the example is {size} bytes, more than {MAX_BYTES}")
    if n_people <= 30:
        problems.append(f"only {n_people} external people with merged PRs in the trailing year (need > 30)")
    if n_orgs < 3:
        problems.append(f"only {n_orgs} external organisations with merged PRs (need >= 3)")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
