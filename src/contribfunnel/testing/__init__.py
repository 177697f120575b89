"""A faithful test double of GitHub's API, for tests and benchmarks (no network needed).

:class:`GitHubDouble` serves a :class:`RepoModel` (built from an
:class:`~contribfunnel.Activity`, usually :func:`contribfunnel.make_activity`)
over HTTP on ``127.0.0.1``: the REST endpoints PyGithub and Perceval call,
with bodies shaped as GitHub's OpenAPI description says, ``Link`` pagination,
rate-limit headers and ETags; and GraphQL over a subset of GitHub's schema,
priced as GitHub prices it.  It counts requests and GraphQL points and injects
faults on demand.

Examples
--------
>>> import json, urllib.request
>>> import contribfunnel as cf
>>> from contribfunnel.testing import GitHubDouble
>>> with GitHubDouble(cf.make_activity(seed=1, n_prs=30, n_issues=10), token="t") as gh:
...     req = urllib.request.Request(gh.base_url + "/repos/example/project", headers={"Authorization": "token t"})
...     with urllib.request.urlopen(req) as r:
...         json.load(r)["full_name"]
'example/project'
"""

from __future__ import annotations

from contribfunnel.testing.faults import FAULT_KINDS, Fault
from contribfunnel.testing.model import RepoModel
from contribfunnel.testing.server import GitHubDouble, RateBucket, RequestRecord

__all__ = ["FAULT_KINDS", "Fault", "GitHubDouble", "RateBucket", "RepoModel", "RequestRecord"]
