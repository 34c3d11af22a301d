"""Point lookups over HTTP, answered before Flask runs.

A point lookup (``kg/store/lookup.py``: one triple pattern, nothing else, such as ``SELECT ?p ?o
WHERE { <iri> ?p ?o }``) costs the engine about 0.15 ms, and Flask's routing, hooks and response
objects cost it about as much again.  ``PointLookups`` wraps the Flask app and answers the plain
``GET /sparql`` of a point lookup itself: the same result cache (``service/queries.py``), the same
client share of the executors (``service/limits.py``), the same answer computed in the worker
(``QueryPool``), and the headers the app gives a query's answer (``service/sparql.py``,
``service/http.py``), counted in ``/metrics`` as the app counts them.  Every other request goes to
the app: other methods and paths, conditional requests, other parameters than ``query``,
``format``, ``output`` and ``results`` (a dataset, ``lang``, ``bom``), an ``Accept`` naming HTML (a
browser gets the query form), an ``Accept-Encoding`` (the app compresses), a query that is not a
point lookup, and any error (the app answers it in its usual words and shape).
``tests/test_lookups.py`` checks that both give the same status, headers and bytes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

import werkzeug.urls  # noqa: F401  (registers the "werkzeug.url_quote" error handler it parses with)
from flask import Flask
from werkzeug.wsgi import get_current_url

from kg.errors import RarekgError
from kg.store.executor import QueryAnswer, QueryPool, QueryRequest
from kg.store.lookup import point_lookup
from service import limits
from service.http import CACHEABLE, CORS, LATENCY, NOSNIFF, REQUESTS, etag
from service.queries import cached, compute, result_cache
from service.sparql import FORMAT_PARAMS, answer_headers, content_type

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
PARAMS = {"query", *FORMAT_PARAMS}
Answer = tuple[str, list[tuple[str, str]], bytes]
_log = logging.getLogger(__name__)


class PointLookups:
    """WSGI middleware around the Flask app ``flask_app`` (whose WSGI callable is ``app``)."""

    def __init__(self, app: WSGIApp, flask_app: Flask) -> None:
        self.app = app
        self.flask_app = flask_app
        settings = flask_app.config["RAREKG"]
        self.cap = min(int(settings["lookup_rows"]), int(settings["max_rows"]))
        self.timeout = float(settings["query_timeout"])
        self._requests = REQUESTS.labels("GET", "/sparql", "200")
        self._latency = LATENCY.labels("/sparql")
        self._bases: dict[tuple[str, ...], str] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        started = time.perf_counter()
        try:
            found = self._answer(environ)
        except Exception:  # a fault of this layer: the app answers, and the log says why
            _log.exception("point lookup layer failed; the app answers the request")
            found = None
        if found is None:
            return self.app(environ, start_response)
        status, headers, body = found
        start_response(status, headers)
        self._requests.inc()
        self._latency.observe(time.perf_counter() - started)
        return [body]

    def _answer(self, environ: dict[str, Any]) -> Answer | None:
        if (environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != "/sparql"
                or "HTTP_IF_NONE_MATCH" in environ):
            return None
        accept = environ.get("HTTP_ACCEPT", "")
        coding = environ.get("HTTP_ACCEPT_ENCODING", "")
        if "html" in accept.lower() or coding.strip():
            return None
        try:
            query_string = environ.get("QUERY_STRING", "").encode("latin-1").decode()
        except UnicodeError:
            return None
        params: dict[str, list[str]] = {}
        for name, value in parse_qsl(query_string, keep_blank_values=True,
                                     errors="werkzeug.url_quote"):
            params.setdefault(name, []).append(value)
        queries = params.get("query", [])
        if len(queries) != 1 or not set(params) <= PARAMS:
            return None
        if point_lookup(queries[0], self.cap) is None:
            return None
        request = QueryRequest(
            query=queries[0], accept=accept,
            format_names=tuple(v for name in FORMAT_PARAMS for v in params.get(name, []) if v),
            base_iri=self._base_url(environ))
        try:
            answer, how = self._run(environ, request)
        except RarekgError:
            return None  # the app answers it again, in the one error shape
        headers = [("Content-Type", content_type(answer.media_type)),
                   ("Content-Length", str(len(answer.body))),
                   *answer_headers(answer, how), NOSNIFF, *CORS,
                   ("ETag", etag(answer.version, "/sparql?" + query_string, accept, coding)),
                   ("Cache-Control", CACHEABLE)]
        return "200 OK", headers, answer.body

    def _run(self, environ: dict[str, Any], request: QueryRequest) -> tuple[QueryAnswer, str]:
        app = self.flask_app
        pool: QueryPool = app.extensions["rarekg_pool"]
        slots: limits.ClientSlots = app.extensions[limits.KEY]
        bypass = "no-cache" in environ.get("HTTP_CACHE_CONTROL", "")
        cache = None if bypass else result_cache(app)
        version = app.extensions["rarekg_store"].get()[1] if cache is not None else ""
        deadline = time.monotonic() + self.timeout
        client = environ.get("REMOTE_ADDR") or "unknown"

        def answer(req: QueryRequest) -> QueryAnswer:
            return compute(pool, slots, client, deadline, req)

        return cached(cache, version, request, bypass, answer)

    def _base_url(self, environ: dict[str, Any]) -> str:
        """The endpoint's URL (relative IRIs of the query resolve against it), as Flask's
        ``request.base_url`` gives it: from the public origin ``PublicOrigin`` set."""
        key = tuple(str(environ.get(name, "")) for name in (
            "wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME"))
        found = self._bases.get(key)
        if found is None:
            found = self._bases[key] = get_current_url(environ, strip_querystring=True)
        return found
