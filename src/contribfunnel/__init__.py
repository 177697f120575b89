"""contribfunnel: can outsiders contribute to your project without hand-holding, and do enough of them?

>>> import contribfunnel as cf
>>> card = cf.stage10(cf.load_example())
>>> card.verdict in ("pass", "fail", "not enough data")
True
"""

import typing as _typing

from contribfunnel.activity import Activity, Meta, read_activity
from contribfunnel.community import (
    bus_factor,
    contributions,
    contributors,
    elephant_factor,
    external_contributors,
    newcomers,
    retention,
)
from contribfunnel.config import THRESHOLDS, Config, load_config
from contribfunnel.criteria import Scorecard, stage10
from contribfunnel.datasets import load_example
from contribfunnel.errors import ConfigError, ContribfunnelError, DataError, UsageError
from contribfunnel.friction import (
    PeriodComparison,
    compare_periods,
    first_contributions,
    first_issues,
    friction_gap,
    friction_summary,
    pr_timeline,
)
from contribfunnel.funnel import STAGES, funnel, stage_times, time_to_stage
from contribfunnel.governance import governance
from contribfunnel.graph import Autonomy, Mentors, autonomy, contributor_graph, graph_summary, mentors
from contribfunnel.identities import combine, is_known_bot, resolve_identities
from contribfunnel.report import Report, report
from contribfunnel.sources.git import load_git
from contribfunnel.sources.github import fetch_github, read_store
from contribfunnel.synthetic import make_activity

if _typing.TYPE_CHECKING:
    from contribfunnel import plot as plot


def __getattr__(name: str) -> object:
    # ``cf.plot`` imports matplotlib on first use only, so ``import contribfunnel`` stays quick.
    if name == "plot":
        import importlib

        return importlib.import_module("contribfunnel.plot")
    raise AttributeError(f"module 'contribfunnel' has no attribute {name!r}")


__all__ = [
    "STAGES",
    "THRESHOLDS",
    "Activity",
    "Autonomy",
    "Config",
    "ConfigError",
    "ContribfunnelError",
    "DataError",
    "Mentors",
    "Meta",
    "PeriodComparison",
    "Report",
    "Scorecard",
    "UsageError",
    "autonomy",
    "bus_factor",
    "combine",
    "compare_periods",
    "contributions",
    "contributor_graph",
    "contributors",
    "elephant_factor",
    "external_contributors",
    "fetch_github",
    "first_contributions",
    "first_issues",
    "friction_gap",
    "friction_summary",
    "funnel",
    "governance",
    "graph_summary",
    "is_known_bot",
    "load_config",
    "load_example",
    "load_git",
    "make_activity",
    "mentors",
    "newcomers",
    "pr_timeline",
    "read_activity",
    "read_store",
    "report",
    "resolve_identities",
    "retention",
    "stage10",
    "stage_times",
    "time_to_stage",
]
