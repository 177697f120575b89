"""Faults the GitHub test double can inject, each shaped as GitHub (or the network) really fails.

A :class:`Fault` says what goes wrong and for how many of the matching
requests; :class:`FaultQueue` hands each request the first pending fault that
matches it.  Use them through :meth:`GitHubDouble.inject
<contribfunnel.testing.server.GitHubDouble.inject>`::

    gh.inject("server_error", times=3, status=502)
    gh.inject("secondary_rate_limit", retry_after=1)
    gh.inject("secondary_rate_limit", retry_after=None)    # no retry-after header: wait a minute or more
    gh.inject("primary_rate_limit", reset_in=1, status=429)
    gh.inject("drop_connection", path="/graphql")
    gh.inject("truncated_body")
    gh.inject("graphql_error", field="reviews")
    gh.inject("graphql_timeout")
    gh.inject("client_error", status=451, message="Repository access blocked", path="^/repos")
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

__all__ = ["FAULT_KINDS", "SECONDARY_RATE_LIMIT_BODY", "Fault", "FaultQueue", "graphql_timeout_body"]

#: Every kind of fault :class:`Fault` accepts.
FAULT_KINDS = (
    "server_error",
    "secondary_rate_limit",
    "primary_rate_limit",
    "drop_connection",
    "truncated_body",
    "graphql_error",
    "graphql_timeout",
    "client_error",
)

#: The body of GitHub's secondary rate limit response (403 with ``retry-after``).
SECONDARY_RATE_LIMIT_BODY = {
    "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you "
    "reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.",
    "documentation_url": "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api"
    "#about-secondary-rate-limits",
    "status": "403",
}


def graphql_timeout_body() -> dict[str, object]:
    """What GitHub answers when a GraphQL query times out: no data, one error."""
    return {
        "data": None,
        "errors": [{
            "message": "Something went wrong while executing your query. This may be the result of a timeout, or it "
            "could be a GitHub bug. Please include `0000:0000:0000000:0000000:00000000` when reporting this issue."
        }],
    }


@dataclass
class Fault:
    """One fault, applied to the next ``times`` requests that match.

    Parameters
    ----------
    kind : str
        One of :data:`FAULT_KINDS`.
    times : int
        How many matching requests it hits.
    path : str, optional
        A regular expression searched in the request path (``None`` matches all);
        GraphQL faults match only GraphQL requests anyway.
    method : str, optional
        ``"GET"`` or ``"POST"``; ``None`` matches both.
    status : int, optional
        HTTP status: 502 by default for ``server_error`` (503 and 504 work too),
        403 for ``primary_rate_limit`` and ``secondary_rate_limit`` (or 429), 200 for
        ``graphql_timeout`` (or 502), 403 for ``client_error`` (any 4xx: GitHub's 410
        for a disabled repository, 451 for one blocked for legal reasons, ...).
    retry_after : int or None
        Seconds in the ``retry-after`` header of a secondary rate limit; ``None``
        sends no such header (GitHub then expects a wait of at least a minute).
    reset_in : int
        Seconds until a spent primary limit resets (``x-ratelimit-reset``).
    field : str
        For ``graphql_error``: the name of the field whose resolution fails
        (the first such field in the response gets ``null`` and an error with its path).
    message : str
        For ``client_error``: the ``message`` of GitHub's error body.
    """

    kind: str
    times: int = 1
    path: str | None = None
    method: str | None = None
    status: int | None = None
    retry_after: int | None = 60
    reset_in: int = 60
    field: str = "reviews"
    message: str = "Forbidden"

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        if self.times < 1:
            raise ValueError("times must be at least 1")

    @property
    def graphql_only(self) -> bool:
        return self.kind in ("graphql_error", "graphql_timeout")

    def matches(self, method: str, path: str, *, is_graphql: bool) -> bool:
        if self.graphql_only and not is_graphql:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or re.search(self.path, path) is not None


class FaultQueue:
    """Pending faults in the order they were injected; thread-safe."""

    def __init__(self) -> None:
        self._pending: list[Fault] = []
        self._lock = threading.Lock()
        #: Faults actually applied, in order (kind of each).
        self.applied: list[str] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._pending.append(fault)

    def take(self, method: str, path: str, *, is_graphql: bool) -> Fault | None:
        """The first pending fault matching this request, used up by one."""
        with self._lock:
            for fault in self._pending:
                if fault.matches(method, path, is_graphql=is_graphql):
                    fault.times -= 1
                    if fault.times == 0:
                        self._pending.remove(fault)
                    self.applied.append(fault.kind)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

    @property
    def pending(self) -> int:
        """How many faulty responses are still to come."""
        with self._lock:
            return sum(f.times for f in self._pending)
