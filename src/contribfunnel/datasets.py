"""Data bundled with the package, to try the library offline (:func:`load_example`)."""

from __future__ import annotations

import tempfile
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from contribfunnel.activity import Activity, read_activity

__all__ = ["load_example"]


def load_example() -> Activity:
    """Load the bundled example: a synthetic repository ``example/project`` as of 2026-09-30.

    It is ``make_activity(seed=2026, repo="example/project")`` saved with
    :meth:`~contribfunnel.activity.Activity.to_dir` (rebuilt by
    ``scripts/build_example.py``): about four years of pull requests, issues,
    reviews, commits, bots, drafts, unanswered and abandoned pull requests, and
    governance files.  Reading it touches no network and no clock.

    Returns
    -------
    Activity
        With ``meta.as_of`` 2026-09-30 UTC and ``meta.sources == ("synthetic",)``.

    See Also
    --------
    contribfunnel.synthetic.make_activity : the generator, for other sizes and seeds.

    Examples
    --------
    >>> from contribfunnel.datasets import load_example
    >>> act = load_example()
    >>> act.meta.as_of
    Timestamp('2026-09-30 00:00:00+0000', tz='UTC')
    >>> act.meta.repos, act.meta.sources
    (('example/project',), ('synthetic',))
    >>> act.items.kind.value_counts().sort_index().to_dict()
    {'issue': 250, 'pr': 400}
    """
    folder = resources.files("contribfunnel") / "data" / "example"
    if isinstance(folder, Path):
        return read_activity(folder)
    # Installed as a zip (or another non-filesystem loader): copy the files out first.
    with tempfile.TemporaryDirectory(prefix="contribfunnel-example-") as tmp:
        _copy(folder, Path(tmp))
        return read_activity(tmp)


def _copy(source: Traversable, target: Path) -> None:
    for entry in source.iterdir():
        if entry.is_file():
            (target / entry.name).write_bytes(entry.read_bytes())
