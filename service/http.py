"""HTTP done right: CORS on reads, ETags tied to the dataset version, caching, compression,
health and Prometheus metrics."""

from __future__ import annotations

import hashlib
import os
import time

from flask import Flask, Response, current_app, g, jsonify, request
from flask_compress import Compress
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from pyoxigraph import QuerySolutions

from kg.errors import RarekgError
from kg.store.cache import repeatable
from service.queries import pool
from service.registry import REGISTRY
from service.state import store_handle

READ_PATHS = ("/sparql", "/.well-known/", "/health")
NOSNIFF = ("X-Content-Type-Options", "nosniff")
CORS = (  # on every answer of a read path
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
    ("Access-Control-Allow-Headers", "Accept, Content-Type"),
    ("Access-Control-Expose-Headers", "ETag, X-Rarekg-Version"),
)
CACHEABLE = "public, max-age=60"  # Cache-Control of a successful read answer
COMPRESS_MIN_BYTES = 1024  # smaller answers are sent as they are
REQUESTS = Counter(
    "rarekg_requests", "HTTP requests", ["method", "endpoint", "status"], registry=REGISTRY
)
LATENCY = Histogram(
    "rarekg_request_duration_seconds",
    "HTTP request latency",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=REGISTRY,
)
ERRORS = Counter("rarekg_errors", "Error answers", ["kind"], registry=REGISTRY)
TIMEOUTS = Counter("rarekg_query_timeouts", "Queries stopped at the time limit", registry=REGISTRY)
TRIPLES = Gauge(
    "rarekg_triples", "Triples in the served dataset", registry=REGISTRY, multiprocess_mode="max"
)


def _endpoint() -> str:
    return request.url_rule.rule if request.url_rule is not None else "other"


def etag(version: str, full_path: str, accept: str, accept_encoding: str) -> str:
    """The ETag of a read answer: the dataset version and everything of the request that decides
    the answer's bytes (the path with its query string, ``Accept``, ``Accept-Encoding``)."""
    key = "\x1f".join((version, full_path, accept, accept_encoding))
    return 'W/"' + hashlib.sha1(key.encode("utf-8")).hexdigest()[:24] + '"'


def _etag(version: str) -> str:
    return etag(version, request.full_path, request.headers.get("Accept", ""),
                request.headers.get("Accept-Encoding", ""))


def _is_read() -> bool:
    return request.method in ("GET", "HEAD") and request.path.startswith(READ_PATHS)


def _triples() -> int | None:
    store, _ = store_handle(current_app).get()
    result = store.query(
        "SELECT ?n WHERE { GRAPH <https://w3id.org/rarekg/graph/void> { "
        "<https://w3id.org/rarekg/id/dataset/rarekg> <http://rdfs.org/ns/void#triples> ?n } }"
    )
    assert isinstance(result, QuerySolutions)
    rows = list(result)
    if rows:
        n = rows[0]["n"]
        assert n is not None
        return int(n.value)
    return None


# what is compressed (flask-compress: gzip, deflate, Brotli or zstd, as the client accepts): pages
# and every text format of the SPARQL and Graph Store answers, from COMPRESS_MIN_BYTES on
COMPRESSED = (
    "text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
    "application/json", "application/xml", "text/xml", "image/svg+xml",
    "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
    "text/tab-separated-values", "application/n-triples", "application/n-quads", "text/turtle",
    "application/trig", "application/rdf+xml", "application/ld+json", "application/sparql-query",
)


def install(app: Flask) -> None:
    app.config.update(
        COMPRESS_MIMETYPES=list(COMPRESSED), COMPRESS_MIN_SIZE=COMPRESS_MIN_BYTES, COMPRESS_LEVEL=5,
        # conditional requests are answered before the query runs (the ETag is the dataset's
        # version), not by comparing compressed bodies
        COMPRESS_EVALUATE_CONDITIONAL_REQUEST=False,
    )
    Compress(app)  # registered first, so its after_request runs last: on the finished response

    @app.before_request
    def start() -> Response | None:
        g.started = time.perf_counter()
        query = request.args.get("query") if request.path == "/sparql" else None
        if query and not repeatable(query):
            g.volatile = True  # NOW(), RAND(), UUID(): no ETag, and no cache may keep it
        elif _is_read() and query:
            try:
                version = store_handle(current_app).get()[1]
            except RarekgError:
                return None
            g.etag = _etag(version)
            if g.etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
                response = Response(status=304)
                response.headers["ETag"] = g.etag
                return response
        return None

    @app.after_request
    def finish(response: Response) -> Response:
        response.headers.setdefault(*NOSNIFF)
        if request.path.startswith(READ_PATHS):
            for name, value in CORS:
                response.headers[name] = value
        if "volatile" in g:
            response.headers["Cache-Control"] = "no-store"
        elif _is_read() and 200 <= response.status_code < 300:
            if "etag" in g:
                response.headers["ETag"] = g.etag
            response.headers.setdefault("Cache-Control", CACHEABLE)
        elif response.status_code != 304:
            response.headers["Cache-Control"] = "no-store"
        endpoint = _endpoint()
        REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
        if "started" in g:
            LATENCY.labels(endpoint).observe(time.perf_counter() - g.started)
        if response.status_code >= 400 and response.is_json:
            kind = (response.get_json(silent=True) or {}).get("error", {}).get("type", "error")
            ERRORS.labels(kind).inc()
            if kind == "timeout":
                TIMEOUTS.inc()
        return response

    @app.route("/health")
    def health() -> tuple[Response, int]:
        try:
            _, version = store_handle(current_app).get()
            triples = _triples()
        except RarekgError as exc:
            return jsonify({"live": True, "ready": False, "reason": str(exc)}), 503
        if triples is not None:
            TRIPLES.set(triples)
        return jsonify({"live": True, "ready": True, "triples": triples, "version": version,
                        "network_isolated": pool().network_isolated()}), 200

    @app.route("/metrics")
    def metrics() -> Response:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            data = generate_latest(registry)
        else:
            data = generate_latest(REGISTRY)
        return Response(data, content_type=CONTENT_TYPE_LATEST)
