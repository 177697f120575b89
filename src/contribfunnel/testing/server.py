"""The GitHub test double's HTTP server (:class:`GitHubDouble`).

A real HTTP/1.1 server on ``127.0.0.1`` (an ephemeral port) in a background
thread, serving the REST API under ``/`` and ``/api/v3`` and GraphQL at
``/graphql`` and ``/api/graphql``.  It does what GitHub's front end does around
the API proper: authentication (``401 Bad credentials``; anonymous callers get
60 requests an hour and no GraphQL), primary rate limits per resource with the
``x-ratelimit-*`` headers, ``ETag``/``If-None-Match`` (a 304 is not charged),
per-request latency, and the faults queued with :meth:`GitHubDouble.inject`.

Examples
--------
>>> import json, urllib.request
>>> import contribfunnel as cf
>>> with GitHubDouble(cf.make_activity(seed=1, n_prs=30, n_issues=10)) as gh:
...     with urllib.request.urlopen(gh.base_url + "/repos/example/project/pulls?state=all&per_page=5") as r:
...         [len(json.load(r)), r.headers["x-ratelimit-remaining"]]
[5, '59']
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import socket  # noqa: TID251 - the double drops connections on purpose
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from contribfunnel.testing.faults import SECONDARY_RATE_LIMIT_BODY, Fault, FaultQueue, graphql_timeout_body
from contribfunnel.testing.graphql_api import GraphQLApi
from contribfunnel.testing.model import RepoModel
from contribfunnel.testing.rest import Reply, RestApi, error_body
from contribfunnel.testing.rest_shapes import Urls

__all__ = ["GitHubDouble", "RateBucket", "RequestRecord"]

_SERVER_ERRORS = {
    500: "Server Error",
    502: "Server Error",
    503: "Service Unavailable",
    504: "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and "
         "contact us if the problem persists.",
}


@dataclass
class RequestRecord:
    """One request the double answered: ``status`` 0 means the connection was dropped.

    ``error`` is the ``type`` of a GraphQL error answered with status 200
    (``RATE_LIMITED``); ``variables`` are a GraphQL request's variables.
    """

    method: str
    path: str
    status: int
    resource: str | None = None
    points: int = 0
    error: str | None = None
    variables: dict[str, Any] | None = None


@dataclass
class RateBucket:
    """A primary rate limit: ``limit`` points per window ending at ``reset`` (epoch seconds)."""

    limit: int
    used: int = 0
    reset: int = 0
    spent_status: int | None = None

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


class _Limits:
    """Buckets per (caller, resource), each with an hour-long window from its first use."""

    def __init__(self, limits: dict[str, int], anonymous: int, clock: Callable[[], float]) -> None:
        self.limits = limits
        self.anonymous = anonymous
        self.clock = clock
        self.buckets: dict[tuple[str, str], RateBucket] = {}
        self.lock = threading.Lock()

    def bucket(self, caller: str, resource: str) -> RateBucket:
        now = int(self.clock())
        key = (caller, resource)
        b = self.buckets.get(key)
        if b is None or now >= b.reset:
            limit = self.anonymous if caller == "anonymous" and resource == "core" else self.limits.get(resource, 5000)
            b = self.buckets[key] = RateBucket(limit, 0, now + 3600)
        return b


class GitHubDouble:
    """A faithful stand-in for api.github.com on ``127.0.0.1``; use it as a context manager.

    Parameters
    ----------
    model : RepoModel or Activity
        The repository to serve (an Activity is converted with :meth:`RepoModel.from_activity`).
    token : str, optional
        The one token accepted; any other gets ``401 Bad credentials``.  ``None`` accepts every token.
    latency : float
        Seconds to wait before answering each request (for benchmarks).
    viewer : str
        Login of the authenticated user (``GET /user``).
    core_limit, graphql_limit, anonymous_limit : int
        Points per hour for authenticated REST, GraphQL, and anonymous REST callers.
    clock : callable
        Epoch seconds now; ``time.time`` by default.

    Attributes
    ----------
    base_url : str
        ``http://127.0.0.1:PORT`` (REST at its root, as api.github.com).
    enterprise_url : str
        ``base_url + "/api/v3"``, GitHub Enterprise's REST prefix (GraphQL then at ``/api/graphql``).
    requests : list of RequestRecord
        Every request answered, in order.
    graphql_points : int
        GraphQL points charged so far.
    """

    def __init__(self, model: Any, *, token: str | None = None, latency: float = 0.0, viewer: str = "double-tester",
                 core_limit: int = 5000, graphql_limit: int = 5000, anonymous_limit: int = 60,
                 clock: Callable[[], float] = time.time) -> None:
        self.model = model if isinstance(model, RepoModel) else RepoModel.from_activity(model)
        self.token = token
        self.latency = latency
        self.rest = RestApi(self.model, viewer=viewer)
        self.graphql = GraphQLApi(self.model)
        self.faults = FaultQueue()
        self.requests: list[RequestRecord] = []
        #: Exceptions raised inside the double while answering (each answered with 500); tests assert it stays empty.
        self.errors: list[Exception] = []
        self.graphql_points = 0
        self.limits = _Limits({"core": core_limit, "graphql": graphql_limit, "search": 30}, anonymous_limit, clock)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> GitHubDouble:
        """Bind ``127.0.0.1`` on a free port and serve in a daemon thread."""
        handler = type("Handler", (_Handler,), {"double": self})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="github-double", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> GitHubDouble:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the GitHub double is not running; use it in a with block")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def enterprise_url(self) -> str:
        return f"{self.base_url}/api/v3"

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    # -- test controls ----------------------------------------------------------------------------

    def inject(self, kind: str, *, times: int = 1, **options: Any) -> Fault:
        """Queue a fault for the next ``times`` matching requests (see :class:`~contribfunnel.testing.faults.Fault`)."""
        fault = Fault(kind, times=times, **options)
        self.faults.add(fault)
        return fault

    def count(self, *, method: str | None = None, path: str | None = None, status: int | None = None) -> int:
        """How many requests matched (``path`` is a prefix of the path without the query string)."""
        with self._lock:
            return sum(
                1 for r in self.requests
                if (method is None or r.method == method)
                and (path is None or r.path.split("?", 1)[0].startswith(path))
                and (status is None or r.status == status)
            )

    def rate_limit(self, resource: str = "core", *, caller: str = "token") -> RateBucket:
        """The current bucket of ``resource`` for an authenticated (``"token"``) or ``"anonymous"`` caller."""
        with self.limits.lock:
            return self.limits.bucket(caller, resource)

    def record(self, rec: RequestRecord) -> None:
        with self._lock:
            self.requests.append(rec)
            if rec.resource == "graphql":
                self.graphql_points += rec.points


# -- the request handler ------------------------------------------------------------------------------


def _json(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class _Handler(BaseHTTPRequestHandler):
    double: GitHubDouble
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; do not wait 40 ms between them
    server_version = "GitHub.com"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the double records requests in :attr:`GitHubDouble.requests` instead."""

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    # -- plumbing ---------------------------------------------------------------------------------

    _variables: dict[str, Any] | None = None

    def _handle(self, method: str) -> None:
        try:
            self._dispatch(method)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # a bug in the double: answer 500 and say so, as GitHub would
            self.double.errors.append(e)
            self._truncate = False
            self._send(method, 500, error_body(f"Server Error ({type(e).__name__} in the GitHub double)", 500), {}, None)

    def _dispatch(self, method: str) -> None:
        gh = self.double
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        self._variables = None
        with contextlib.suppress(ValueError, AttributeError, TypeError, KeyError):
            self._variables = dict(json.loads(raw)["variables"] or {}) if raw else None
        if gh.latency:
            time.sleep(gh.latency)
        split = urllib.parse.urlsplit(self.path)
        path = split.path
        is_graphql = path in ("/graphql", "/api/graphql")
        fault = gh.faults.take(method, path, is_graphql=is_graphql)
        self._truncate = False
        if fault is not None:
            if fault.kind == "drop_connection":
                gh.record(RequestRecord(method, self.path, 0))
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            if fault.kind == "server_error":
                status = fault.status or 502
                self._send(method, status, error_body(_SERVER_ERRORS.get(status, "Server Error"), status), {}, None)
                return
            if fault.kind == "client_error":
                status = fault.status or 403
                self._send(method, status, error_body(fault.message, status), {}, None)
                return
            if fault.kind == "secondary_rate_limit":
                extra = {} if fault.retry_after is None else {"retry-after": str(fault.retry_after)}
                self._send(method, fault.status or 403, dict(SECONDARY_RATE_LIMIT_BODY), extra, None)
                return
            if fault.kind == "primary_rate_limit":
                caller = self._caller()
                resource = "graphql" if is_graphql else "core"
                with gh.limits.lock:
                    b = gh.limits.bucket("anonymous" if caller is None else "token", resource)
                    b.used = b.limit
                    b.reset = int(gh.limits.clock()) + fault.reset_in
                    b.spent_status = fault.status or 403
            self._truncate = fault.kind == "truncated_body"
        caller = self._caller()
        if caller == "bad":
            self._send(method, 401, error_body("Bad credentials", 401), {}, None)
            return
        who = "anonymous" if caller is None else "token"
        if is_graphql:
            self._graphql(method, raw, who, fault)
        else:
            self._rest(method, split, who)

    def _caller(self) -> str | None:
        """``None`` for anonymous, ``"bad"`` for a rejected token, else ``"ok"``."""
        auth = self.headers.get("Authorization")
        if not auth:
            return None
        scheme, _, credential = auth.partition(" ")
        token = credential.strip()
        if scheme.lower() == "basic":
            try:
                token = base64.b64decode(token).decode().partition(":")[2]
            except (binascii.Error, UnicodeDecodeError):
                return "bad"
        expected = self.double.token
        return "ok" if expected is None or token == expected else "bad"

    def _rate_headers(self, b: RateBucket, resource: str) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(b.limit),
            "x-ratelimit-remaining": str(b.remaining),
            "x-ratelimit-reset": str(b.reset),
            "x-ratelimit-used": str(b.used),
            "x-ratelimit-resource": resource,
        }

    def _spent(self, b: RateBucket, who: str) -> dict[str, Any]:
        if who == "anonymous":
            message = (f"API rate limit exceeded for {self.client_address[0]}. (But here's the good news: "
                       "Authenticated requests get a higher rate limit. Check out the documentation for more details.)")
        else:
            user = self.double.model.user(self.double.rest.viewer)
            message = f"API rate limit exceeded for user ID {user.id}."
        return error_body(message, b.spent_status or 403,
                          "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api")

    def _urls(self, prefix: str) -> Urls:
        host = self.headers.get("Host") or f"127.0.0.1:{self.double.port}"
        web = f"http://{host}"
        return Urls(api=web + prefix, web=web)

    def _rest(self, method: str, split: urllib.parse.SplitResult, who: str) -> None:
        gh = self.double
        path = split.path
        prefix = "/api/v3" if path == "/api/v3" or path.startswith("/api/v3/") else ""
        path = path[len(prefix):] or "/"
        urls = self._urls(prefix)
        query = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        if method == "POST":
            self._send(method, 404, error_body("Not Found", 404), {}, None)
            return
        if path.rstrip("/") == "/rate_limit":
            headers = self._rate_headers(gh.rate_limit("core", caller=who), "core")
            self._send(method, 200, self._rate_limit_body(who), headers, None)
            return
        with gh.limits.lock:
            b = gh.limits.bucket(who, "core")
            spent = b.remaining == 0
            snapshot = RateBucket(b.limit, b.used, b.reset, b.spent_status)
        if spent:
            self._send(method, snapshot.spent_status or 403, self._spent(snapshot, who),
                       self._rate_headers(snapshot, "core"), None)
            return
        if path.rstrip("/") == "/user":
            reply = (gh.rest.viewer_reply(urls) if who == "token"
                     else Reply(401, error_body("Requires authentication", 401, "https://docs.github.com/rest/users/users#get-the-authenticated-user")))
        else:
            reply = gh.rest.get(path, query, urls)
        self._send(method, reply.status, reply.body, reply.headers, "core", who=who, etag=True)

    def _rate_limit_body(self, who: str) -> dict[str, Any]:
        gh = self.double
        resources = {}
        for name in ("core", "search", "graphql"):
            if name == "graphql" and who == "anonymous":
                b = RateBucket(0, 0, int(gh.limits.clock()) + 3600)
            else:
                b = gh.rate_limit(name, caller=who)
            resources[name] = {"limit": b.limit, "used": b.used, "remaining": b.remaining, "reset": b.reset}
        clock = int(gh.limits.clock())
        for name, limit in (("integration_manifest", 5000), ("source_import", 100),
                            ("actions_runner_registration", 10000), ("scim", 15000), ("dependency_snapshots", 100),
                            ("code_search", 10)):
            resources[name] = {"limit": limit, "used": 0, "remaining": limit, "reset": clock + 3600}
        return {"resources": resources, "rate": dict(resources["core"])}

    def _graphql(self, method: str, raw: bytes, who: str, fault: Fault | None) -> None:
        gh = self.double
        prefix = "/api" if self.path.startswith("/api/") else ""
        urls = self._urls(prefix + "/v3" if prefix else "")
        if method != "POST":
            self._send(method, 404, error_body("Not Found", 404), {}, None)
            return
        if who == "anonymous":
            self._send(method, 401, {"message": "This endpoint requires you to be authenticated.",
                                     "documentation_url": "https://docs.github.com/graphql/guides/forming-calls-with-"
                                                          "graphql#authenticating-with-graphql"}, {}, None)
            return
        try:
            payload = json.loads(raw or b"null")
        except ValueError:
            self._send(method, 400, {"message": "Problems parsing JSON",
                                     "documentation_url": "https://docs.github.com/graphql"}, {}, None)
            return
        with gh.limits.lock:
            b = gh.limits.bucket("token", "graphql")
            spent = b.remaining == 0
            snapshot = RateBucket(b.limit, b.used, b.reset, b.spent_status)
        if spent:
            user = gh.model.user(gh.rest.viewer)
            self._send(method, snapshot.spent_status or 200,
                       {"errors": [{"type": "RATE_LIMITED", "message": f"API rate limit exceeded for user ID {user.id}."}]},
                       self._rate_headers(snapshot, "graphql"), None)
            return
        prepared = gh.graphql.prepare(payload)
        if prepared.errors:
            self._send(method, 200, {"errors": prepared.errors}, {}, "graphql", points=0)
            return
        if fault is not None and fault.kind == "graphql_timeout":
            self._send(method, fault.status or 200, graphql_timeout_body(), {}, "graphql",
                       points=prepared.cost.points)
            return
        points = prepared.cost.points
        charge = 0 if prepared.cost.dry_run else points
        with gh.limits.lock:
            b = gh.limits.bucket("token", "graphql")
            b.used = min(b.limit, b.used + charge)
            rate = {"cost": points, "limit": b.limit, "remaining": b.remaining, "used": b.used,
                    "resetAt": datetime.fromtimestamp(b.reset, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "nodeCount": prepared.cost.nodes}
            headers = self._rate_headers(b, "graphql")
        body = gh.graphql.execute(prepared, urls, rate,
                                  fail_field=fault.field if fault is not None and fault.kind == "graphql_error" else None)
        self._send(method, 200, body, headers, None, points=charge, resource_name="graphql")

    def _send(self, method: str, status: int, body: Any, headers: dict[str, str], charge: str | None, *,
              who: str = "token", etag: bool = False, points: int = 1, resource_name: str | None = None) -> None:
        """Write one response; ``charge`` names the bucket charged one point (GraphQL charges before)."""
        gh = self.double
        data = b"" if body is None else _json(body)
        out = {"Content-Type": "application/json; charset=utf-8", "X-GitHub-Media-Type": "github.v3; format=json",
               "X-GitHub-Api-Version-Selected": "2022-11-28",
               "X-GitHub-Request-Id": f"0000:{len(gh.requests):04X}:{gh.model.version:04X}",
               "Cache-Control": "private, max-age=60, s-maxage=60",
               "Vary": "Accept, Authorization, Cookie, X-GitHub-OTP"}
        if etag and status == 200:
            tag = f'W/"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"'
            out["ETag"] = tag
            wanted = [t.strip() for t in (self.headers.get("If-None-Match") or "").split(",") if t.strip()]
            if tag in wanted or tag.removeprefix("W/") in wanted or "*" in wanted:
                status, data = 304, b""
                charge = None
        resource = resource_name or charge
        if charge is not None:
            with gh.limits.lock:
                b = gh.limits.bucket(who, charge)
                b.used = min(b.limit, b.used + points)
                headers = {**headers, **self._rate_headers(b, charge)}
        elif status == 304:
            headers = {**headers, **self._rate_headers(gh.rate_limit("core", caller=who), "core")}
        out.update(headers)
        error = None
        if isinstance(body, dict) and body.get("errors") and isinstance(body["errors"][0], dict):
            error = body["errors"][0].get("type")
        gh.record(RequestRecord(method, self.path, status, resource, points if charge or resource_name else 0, error,
                                self._variables))
        self.send_response(status)
        for k, v in out.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if method == "HEAD" or status == 304:
            return
        if self._truncate and len(data) > 1:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(data)
