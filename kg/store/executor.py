"""Queries run in worker processes that can be stopped: a per-query time limit and a row cap.

pyoxigraph has no query timeout or cancellation, so each query goes to an executor process of a
small pool; one that runs past the limit is killed and replaced, and the caller gets
``QueryTimeout``.
Results are serialized in the executor, so only bytes cross the pipe.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pyoxigraph import QueryTriples, RdfFormat, serialize

from kg import errors
from kg.errors import RarekgError, ResultTooLarge, StoreUnavailable
from kg.store.backend import Backend
from kg.store.child import quiet_main, start_quietly
from kg.vocab import PREFIXES

_CTX = multiprocessing.get_context("spawn")


@dataclass(frozen=True)
class QueryRequest:
    query: str
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    accept: str = ""
    format_names: tuple[str, ...] = ()  # values of the format / output / results parameters
    base_iri: str | None = None  # relative IRIs in the query resolve against it (the endpoint)


@dataclass(frozen=True)
class QueryAnswer:
    media_type: str
    body: bytes
    version: str
    rows: int


@dataclass
class PoolStats:
    """Counters for the metrics endpoint."""

    queries: int = 0
    timeouts: int = 0
    too_large: int = 0
    restarts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def count_rows(media_type: str, body: bytes) -> int:
    """Number of solutions in a serialized SELECT result."""
    if media_type in ("application/sparql-results+json", "application/json"):
        data = json.loads(body)
        return len(data.get("results", {}).get("bindings", []))
    if media_type in ("application/sparql-results+xml", "application/xml", "text/xml"):
        return body.count(b"<result>")
    if media_type == "text/tab-separated-values":
        return max(body.count(b"\n") - 1, 0) if body.endswith(b"\n") else body.count(b"\n")
    if media_type == "text/csv":
        return max(sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8")))) - 1, 0)
    return 0


def execute(
    handle: Any, request: QueryRequest, max_rows: int, service_allowlist: Sequence[str]
) -> QueryAnswer:
    """Run one query on a store handle (in whatever process calls it)."""
    from kg.store.query import choose_media_type, run_query

    store, version = handle.get()
    result = run_query(
        store,
        request.query,
        default_graph_uris=request.default_graph_uris,
        named_graph_uris=request.named_graph_uris,
        service_allowlist=service_allowlist,
        base_iri=request.base_iri,
    )
    media_type = choose_media_type(result, request.format_names, request.accept)
    if isinstance(result.value, QueryTriples | list):
        triples = []
        for triple in result.value:
            triples.append(triple)
            if len(triples) > max_rows:
                raise ResultTooLarge(
                    f"the result has more than {max_rows} triples (setting "
                    "max_rows); add LIMIT or narrow the query"
                )
        fmt = result.media_types()[media_type]
        assert isinstance(fmt, RdfFormat)
        if fmt == RdfFormat.TURTLE:
            body = serialize(triples, format=fmt, prefixes=PREFIXES)
        else:
            body = serialize(triples, format=fmt)
        assert body is not None
        return QueryAnswer(media_type, body, version, len(triples))
    body = result.serialize(media_type)
    rows = count_rows(media_type, body) if result.kind == "results" else 0
    if rows > max_rows:
        raise ResultTooLarge(
            f"the result has more than {max_rows} rows (setting max_rows); "
            "add LIMIT or narrow the query"
        )
    return QueryAnswer(media_type, body, version, rows)


def _executor_main(
    conn: Connection, backend: Backend, max_rows: int, service_allowlist: Sequence[str]
) -> None:
    handle = backend.handle()
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = execute(handle, request, max_rows, service_allowlist)
            conn.send(("ok", answer))
        except RarekgError as exc:
            conn.send(("error", type(exc).__name__, exc.args, getattr(exc, "__dict__", {})))
        except SyntaxError as exc:  # pragma: no cover - run_query turns these into 400s
            conn.send(("error", "BadRequest", (str(exc),), {}))


class _Executor:
    def __init__(self, backend: Backend, max_rows: int, allowlist: Sequence[str]) -> None:
        self.conn, child = _CTX.Pipe()
        self.process = _CTX.Process(
            target=quiet_main,
            args=(_executor_main, child, backend, max_rows, tuple(allowlist)),
            daemon=True,
            name="rarekg-query-executor",
        )
        start_quietly(self.process)
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """A pool of executor processes for one server process.

    ``run`` raises ``QueryTimeout`` past ``timeout`` seconds (the executor is killed and replaced),
    ``ResultTooLarge`` past ``max_rows``, ``StoreUnavailable`` when no executor is free within the
    timeout, and the query's own errors (syntax, not acceptable, forbidden)."""

    def __init__(
        self,
        backend: Backend | Path,
        size: int,
        timeout: float,
        max_rows: int,
        service_allowlist: Sequence[str] = (),
    ) -> None:
        if isinstance(backend, Path):
            backend = Backend(store_dir=str(backend))
        self.backend = backend
        self.store_dir = Path(backend.store_dir)
        self.timeout = timeout
        self.max_rows = max_rows
        self.allowlist = tuple(service_allowlist)
        self.stats = PoolStats()
        self._idle: queue.Queue[_Executor] = queue.Queue()
        self._all: list[_Executor] = []
        self._lock = threading.Lock()
        for _ in range(size):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Executor:
        executor = _Executor(self.backend, self.max_rows, self.allowlist)
        with self._lock:
            self._all.append(executor)
        return executor

    def _retire(self, executor: _Executor) -> None:
        executor.kill()
        with self._lock:
            if executor in self._all:
                self._all.remove(executor)

    def run(self, request: QueryRequest) -> QueryAnswer:
        started = time.monotonic()
        try:
            executor = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise StoreUnavailable("all query executors are busy; try again shortly") from None
        remaining = max(self.timeout - (time.monotonic() - started), 0.1)
        try:
            executor.conn.send(request)
            if not executor.conn.poll(remaining):
                self._retire(executor)
                with self.stats.lock:
                    self.stats.timeouts += 1
                    self.stats.restarts += 1
                executor = self._spawn()
                raise errors.QueryTimeout(
                    f"the query ran longer than the limit of {self.timeout:g} s and was stopped "
                    "(setting query_timeout)"
                )
            message = executor.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._retire(executor)
            with self.stats.lock:
                self.stats.restarts += 1
            executor = self._spawn()
            raise StoreUnavailable("the query executor failed; it has been restarted") from None
        finally:
            self._idle.put(executor)
        with self.stats.lock:
            self.stats.queries += 1
        if message[0] == "ok":
            answer: QueryAnswer = message[1]
            return answer
        _, name, args, attrs = message
        cls = getattr(errors, name, RarekgError)
        exc = cls.__new__(cls)
        Exception.__init__(exc, *args)
        exc.__dict__.update(attrs)
        if isinstance(exc, ResultTooLarge):
            with self.stats.lock:
                self.stats.too_large += 1
        raise exc

    def close(self) -> None:
        with self._lock:
            executors, self._all = self._all, []
        for executor in executors:
            executor.kill()
