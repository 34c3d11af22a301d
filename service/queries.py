"""Running the service's own SPARQL (pages, search, dashboard) through the same bounded executors
as ``/sparql``, so every backend and every limit applies to them too."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context, request
from prometheus_client import Counter

from kg.store.cache import CachedAnswer, ResultCache, cache_key, repeatable
from kg.store.executor import QueryAnswer, QueryPool, QueryRequest
from service import limits
from service.guard import client_address
from service.registry import REGISTRY
from service.state import store_handle

JSON_RESULTS = "application/sparql-results+json"
CACHE_HITS = Counter("rarekg_cache_hits", "Query answers served from the result cache",
                     registry=REGISTRY)
CACHE_MISSES = Counter("rarekg_cache_misses", "Query answers computed and stored in the result "
                       "cache", registry=REGISTRY)
IN_WORKER = Counter("rarekg_point_lookups_in_worker", "Point lookups answered in the worker "
                    "instead of by a query executor (setting lookup_rows)", registry=REGISTRY)


def pool() -> QueryPool:
    p = current_app.extensions["rarekg_pool"]
    assert isinstance(p, QueryPool)
    return p


def _execute(req: QueryRequest) -> QueryAnswer:
    """Run a query for the current request (``compute``)."""
    return compute(pool(), limits.slots(), client_address(), limits.deadline(), req)


def compute(runner: QueryPool, slots: limits.ClientSlots, client: str, deadline: float,
            req: QueryRequest) -> QueryAnswer:
    """A query's answer: a point lookup's from this process, any other's from an executor
    within ``client``'s share of them and by ``deadline``.  Raises ``RateLimited`` past the
    share, and the query's errors."""
    answer = runner.lookup(req)
    if answer is not None:
        IN_WORKER.inc()
        return answer
    with slots.hold(client, deadline):
        return runner.run(req, deadline)


def result_cache(app: Flask | None = None) -> ResultCache | None:
    """This server's result cache (None for a remote engine, whose writes rarekg may not see,
    and for a store directory without versioned builds)."""
    app = app or current_app
    if "rarekg_cache" not in app.extensions:
        backend = app.extensions["rarekg_backend"]
        size = int(app.config["RAREKG"].get("cache_bytes") or 0)
        ok = not backend.is_remote and size > 0
        app.extensions["rarekg_cache"] = ResultCache(Path(backend.store_dir), size) if ok else None
    cache: ResultCache | None = app.extensions["rarekg_cache"]
    return cache


def cached(cache: ResultCache | None, version: str, req: QueryRequest, bypass: bool,
           source: Callable[[QueryRequest], QueryAnswer]) -> tuple[QueryAnswer, str]:
    """``req``'s answer from ``cache`` or from ``source``: the answer and ``hit``, ``miss`` or
    ``""`` (not cached: no cache, ``bypass`` (``Cache-Control: no-cache`` in the request), the
    server's own queries, or a query whose answer changes from one ask to the next,
    ``kg.store.cache.repeatable``)."""
    own_cap = req.max_rows is not None  # the server's own queries: never answered to a client
    if (cache is None or bypass or own_cap or version.startswith(("dir-", "none"))
            or not repeatable(req.query)):
        return source(req), ""
    key = cache_key(req.query, req.default_graph_uris, req.named_graph_uris, req.accept,
                    req.format_names, req.base_iri)
    found = cache.get(version, key)
    if found is not None:
        CACHE_HITS.inc()
        return QueryAnswer(found.media_type, found.body, version, found.rows), "hit"
    answer = source(req)
    CACHE_MISSES.inc()
    if answer.version == version:
        cache.put(version, key, CachedAnswer(answer.media_type, answer.body, answer.rows))
    return answer, "miss"


def run(req: QueryRequest) -> tuple[QueryAnswer, str]:
    """Answer a query of the current request from the result cache or the executors (``cached``)."""
    cache = result_cache()
    version = store_handle(current_app).get()[1] if cache is not None else ""
    bypass = has_request_context() and "no-cache" in request.headers.get("Cache-Control", "")
    return cached(cache, version, req, bypass, _execute)


def select(query: str, *, max_rows: int | None = None) -> list[dict[str, dict[str, Any]]]:
    """The bindings of a SELECT query, as in SPARQL JSON results: ``{var: {"type", "value",
    "xml:lang"?, "datatype"?}}``; ``max_rows`` instead of the setting for the server's own
    queries.  Raises the query's ``RarekgError``."""
    answer = run(QueryRequest(query=query, accept=JSON_RESULTS, max_rows=max_rows))[0]
    data = json.loads(answer.body)
    bindings: list[dict[str, dict[str, Any]]] = data["results"]["bindings"]
    return bindings


def ask(query: str) -> bool:
    answer = run(QueryRequest(query=query, accept=JSON_RESULTS))[0]
    return bool(json.loads(answer.body)["boolean"])


def construct(query: str, media_type: str) -> bytes:
    """A graph result serialized as ``media_type`` (Turtle, N-Triples, JSON-LD, RDF/XML)."""
    return run(QueryRequest(query=query, accept=media_type))[0].body


def answer(query: str, accept: str) -> QueryAnswer:
    """Any query's answer in the type ``accept`` prefers (for the query form, which shows SELECT,
    ASK and graph results).  Raises the query's ``RarekgError``."""
    return run(QueryRequest(query=query, accept=accept))[0]
