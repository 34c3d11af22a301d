"""Queries run in worker processes that can be stopped: one deadline per request, a row cap and a
byte cap; executors are cut off from the network, capped in memory and die with their worker
(``kg/store/sandbox.py``), and an engine error is an answer, not a dead executor.

pyoxigraph has no query timeout or cancellation, so each query goes to an executor process of a
small pool; one that runs past the limit is killed and replaced, and the caller gets
``QueryTimeout``.
Results are serialized in the executor, so only bytes cross the pipe.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import multiprocessing
import os
import queue
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pyoxigraph import QueryTriples, RdfFormat, serialize

from kg import errors
from kg.errors import BadRequest, RarekgError, ResultTooLarge, StoreUnavailable
from kg.store.backend import Backend
from kg.store.child import aborted, pipe, quiet_main, readable, start_quietly
from kg.store.embedded import data_dir
from kg.store.lookup import point_lookup
from kg.store.query import MAX_DEPTH, MAX_OPERATORS, choose_media_type, run_query
from kg.store.sandbox import confine
from kg.store.sparql_tokens import check_complexity
from kg.store.union import union_dataset
from kg.vocab import PREFIXES

_CTX = multiprocessing.get_context("spawn")
STARTUP_SECONDS = 60.0
LOOKUP_BYTES = 4 * 2**20  # a point lookup's answer past this size comes from an executor


@dataclass(frozen=True)
class QueryRequest:
    query: str
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    accept: str = ""
    format_names: tuple[str, ...] = ()  # values of the format / output / results parameters
    base_iri: str | None = None  # relative IRIs in the query resolve against it (the endpoint)
    # the row cap of this query instead of the setting max_rows: for the server's own queries
    # (the search index of a store without one reads every name of the graph), never a client's
    max_rows: int | None = None


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
    in_worker: int = 0  # point lookups answered in the server's process (kg/store/lookup.py)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


# In the engine's JSON results every `{"` followed by a name opens an object: a JSON string
# holds `"` only escaped, and one that ends in `{` is followed by `,` or `}`.  The objects are the
# head, its vars, the results, one per solution and one per term (`{"type":"...`).
_OBJECT = re.compile(rb'\{"[^,}]')


def _json_rows(body: bytes) -> int:
    if b"{}" in body or b'"type":"triple"' in body:
        # an empty solution, or a quoted triple (terms inside a term): parse to be exact
        return len(json.loads(body).get("results", {}).get("bindings", []))
    return len(_OBJECT.findall(body)) - body.count(b'{"type":"') - 3


def count_rows(media_type: str, body: bytes) -> int:
    """Number of solutions in a SELECT result as the engine serialized it, counted by scanning
    the bytes (about five times faster than parsing JSON again; exact: tests/test_lean_path.py)."""
    if media_type in ("application/sparql-results+json", "application/json"):
        return _json_rows(body)
    if media_type in ("application/sparql-results+xml", "application/xml", "text/xml"):
        return body.count(b"<result>")
    if media_type == "text/tab-separated-values":  # newlines in terms are escaped
        return max(body.count(b"\n") - 1, 0) if body.endswith(b"\n") else body.count(b"\n")
    if media_type == "text/csv":
        if b'"' not in body:  # no quoted field, so no newline inside a field
            return max(body.count(b"\n") - 1, 0)
        return max(sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8")))) - 1, 0)
    return 0


@dataclass(frozen=True)
class Limits:
    """What an executor may spend on one query (the settings of the same names)."""

    max_rows: int = 100000
    max_result_bytes: int = 64 * 2**20
    max_query_depth: int = MAX_DEPTH
    max_query_operators: int = MAX_OPERATORS
    memory_bytes: int = 0
    service_allowlist: tuple[str, ...] = ()


def _too_large(what: str) -> ResultTooLarge:
    return ResultTooLarge(f"the result has more than {what}; add LIMIT or narrow the query")


_UNIONS: dict[str, tuple[Any, dict[str, Any]]] = {}  # version: (its store, its union dataset)


def _union(store: Any, version: str) -> dict[str, Any] | None:
    """The union dataset of a build's read-only store, listed once per version (a store without
    versioned builds may change under the same name: listed every time)."""
    if version.startswith(("dir-", "none")):
        return None
    found = _UNIONS.get(version)
    if found is None or found[0] is not store:
        _UNIONS.clear()
        found = _UNIONS[version] = (store, union_dataset(store))
    return found[1]


def execute(handle: Any, request: QueryRequest, limits: Limits,
            opened: tuple[Any, str] | None = None, lookup: bool = False) -> QueryAnswer:
    """Run one query on a store handle (in whatever process calls it; ``opened``: what
    ``handle.get()`` gave just before; ``lookup``: a point lookup, ``run_query``'s
    ``point_lookup``).
    Raises the query's ``RarekgError`` and ``ResultTooLarge`` past ``max_rows`` or
    ``max_result_bytes``."""
    store, version = opened or handle.get()
    max_rows = limits.max_rows if request.max_rows is None else request.max_rows
    result = run_query(
        store,
        request.query,
        default_graph_uris=request.default_graph_uris,
        named_graph_uris=request.named_graph_uris,
        service_allowlist=limits.service_allowlist,
        base_iri=request.base_iri,
        max_depth=limits.max_query_depth,
        max_operators=limits.max_query_operators,
        union=_union(store, version),
        point_lookup=lookup,
    )
    media_type = choose_media_type(result, request.format_names, request.accept)
    if isinstance(result.value, QueryTriples | list):
        triples = []
        for triple in result.value:
            triples.append(triple)
            if len(triples) > max_rows:
                raise _too_large(f"{max_rows} triples (setting max_rows)")
        fmt = result.media_types()[media_type]
        assert isinstance(fmt, RdfFormat)
        if fmt == RdfFormat.TURTLE:
            body = serialize(triples, format=fmt, prefixes=PREFIXES)
        else:
            body = serialize(triples, format=fmt)
        assert body is not None
        rows = len(triples)
    else:
        body = result.serialize(media_type)
        rows = count_rows(media_type, body) if result.kind == "results" else 0
        if rows > max_rows:
            raise _too_large(f"{max_rows} rows (setting max_rows)")
    if len(body) > limits.max_result_bytes:
        raise _too_large(f"{limits.max_result_bytes} bytes (setting max_result_bytes)")
    return QueryAnswer(media_type, body, version, rows)


def _failure(exc: BaseException) -> RarekgError:
    """An engine's own error as the one family (never a dead executor; no server paths)."""
    if isinstance(exc, RarekgError):
        return exc
    if isinstance(exc, MemoryError):
        return ResultTooLarge("the query needs more memory than an executor may use "
                              "(setting child_memory_mb); narrow it")
    if isinstance(exc, OSError):
        return BadRequest("the query could not be evaluated: the engine could not reach "
                          f"something it needed ({exc.strerror or type(exc).__name__})")
    return BadRequest(f"the query could not be evaluated: {exc}")


def _executor_main(conn: Connection, backend: Backend, limits: Limits, parent: int) -> None:
    isolated = confine(parent, network=bool(limits.service_allowlist) or backend.is_remote,
                       max_bytes=limits.memory_bytes)
    handle = backend.handle()
    served = data_dir(Path(backend.store_dir))
    if not backend.is_remote and served.is_dir() and any(served.iterdir()):
        with contextlib.suppress(RarekgError):  # the first query answers the error
            handle.get()  # open the store now, so that "ready" means ready
    conn.send(("ready", isolated))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", execute(handle, request, limits)))
        except (RarekgError, SyntaxError, RuntimeError, OSError, ValueError, MemoryError) as exc:
            failure = _failure(exc) if not isinstance(exc, SyntaxError) else BadRequest(str(exc))
            conn.send(("error", type(failure).__name__, failure.args,
                       getattr(failure, "__dict__", {})))


class _Executor:
    def __init__(self, backend: Backend, limits: Limits) -> None:
        self.conn, child = pipe()
        self.isolated: bool | None = None
        self.process = _CTX.Process(
            target=quiet_main,
            args=(_executor_main, child, backend, limits, os.getpid()),
            daemon=True,
            name="rarekg-query-executor",
        )
        start_quietly(self.process)
        child.close()

    def answer(self, timeout: float) -> Any:
        """The next answer within ``timeout`` seconds (None past it), after the ready message."""
        deadline = time.monotonic() + timeout
        while readable(self.conn, deadline - time.monotonic()):
            message = self.conn.recv()
            if message[0] != "ready":
                return message
            self.isolated = bool(message[1])
        return None

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """A pool of executor processes for one server process.

    ``run`` raises ``QueryTimeout`` past its deadline (waiting for an executor included; an
    executor still running is killed and replaced), ``ResultTooLarge`` past ``max_rows`` or
    ``max_result_bytes``, ``BadRequest`` for a query nested or chained too deeply (checked here,
    before an executor's parser could crash on it) or that the engine cannot evaluate, and the
    query's own errors (syntax, not acceptable, forbidden)."""

    def __init__(
        self,
        backend: Backend | Path,
        size: int,
        timeout: float,
        max_rows: int,
        service_allowlist: Sequence[str] = (),
        *,
        max_result_bytes: int = Limits.max_result_bytes,
        max_query_depth: int = MAX_DEPTH,
        max_query_operators: int = MAX_OPERATORS,
        memory_mb: int = 0,
        lookup_rows: int = 0,
        handle: Any = None,
    ) -> None:
        """``lookup_rows``: point lookups of up to that many rows are answered here, on
        ``handle`` (this process's handle on the embedded store), instead of by an executor."""
        if isinstance(backend, Path):
            backend = Backend(store_dir=str(backend))
        self.backend = backend
        self.store_dir = Path(backend.store_dir)
        self.timeout = timeout
        self.max_rows = max_rows
        self.allowlist = tuple(service_allowlist)
        self.limits = Limits(max_rows, max_result_bytes, max_query_depth, max_query_operators,
                             memory_mb * 2**20, self.allowlist)
        self.stats = PoolStats()
        local = not backend.is_remote and lookup_rows > 0
        self._here = (handle or backend.handle()) if local else None
        self._lookup = Limits(min(lookup_rows, max_rows), min(max_result_bytes, LOOKUP_BYTES),
                              max_query_depth, max_query_operators)
        # the executor that answered last takes the next query: at a low load one process answers
        # most queries, with its caches (the engine's blocks, parsed query texts) warm
        self._idle: queue.LifoQueue[_Executor] = queue.LifoQueue()
        self._all: list[_Executor] = []
        self._lock = threading.Lock()
        for _ in range(size):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Executor:
        executor = _Executor(self.backend, self.limits)
        with self._lock:
            self._all.append(executor)
        return executor

    def _retire(self, executor: _Executor) -> None:
        executor.kill()
        with self._lock:
            if executor in self._all:
                self._all.remove(executor)

    def _replace(self, executor: _Executor, timed_out: bool) -> None:
        """Kill ``executor`` and start another, which joins the idle ones once it has started
        (so that no query waits for a process that is still importing its libraries)."""
        self._retire(executor)
        with self.stats.lock:
            self.stats.restarts += 1
            self.stats.timeouts += timed_out
        fresh = self._spawn()

        def when_ready() -> None:
            if readable(fresh.conn, STARTUP_SECONDS):
                try:
                    message = fresh.conn.recv()
                    fresh.isolated = bool(message[1]) if message[0] == "ready" else None
                except (EOFError, OSError):
                    pass  # a dead executor fails its first query and is replaced then
            self._idle.put(fresh)

        threading.Thread(target=when_ready, daemon=True, name="rarekg-executor-start").start()

    def network_isolated(self) -> bool | None:
        """Whether every executor that has started is cut off from the network (None: none has
        said yet)."""
        with self._lock:
            known = [e.isolated for e in self._all if e.isolated is not None]
        return all(known) if known else None

    def run(self, request: QueryRequest, deadline: float | None = None) -> QueryAnswer:
        """The query's answer by ``deadline`` (``time.monotonic()``; default: ``timeout`` from
        now), the wait for a free executor included."""
        if deadline is None:
            deadline = time.monotonic() + self.timeout
        check_complexity(request.query, self.limits.max_query_depth,
                         self.limits.max_query_operators)
        try:
            executor = self._idle.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            with self.stats.lock:
                self.stats.timeouts += 1
            raise errors.QueryTimeout(
                f"no query executor became free within the limit of {self.timeout:g} s "
                "(setting query_timeout); try again shortly") from None
        done: _Executor | None = executor
        try:
            executor.conn.send(request)
            message = executor.answer(max(deadline - time.monotonic(), 0.01))
            if message is None:
                done = None
                self._replace(executor, timed_out=True)
                raise errors.QueryTimeout(
                    f"the query ran longer than the limit of {self.timeout:g} s and was stopped "
                    "(setting query_timeout)"
                )
        except (EOFError, OSError, BrokenPipeError):
            done = None
            out_of_memory = self.limits.memory_bytes > 0 and aborted(executor.process)
            self._replace(executor, timed_out=False)
            if out_of_memory:
                raise ResultTooLarge(
                    "the query needed more memory than an executor may use (setting "
                    "child_memory_mb) and was stopped; narrow it or add LIMIT") from None
            raise StoreUnavailable("the query executor failed; it has been restarted") from None
        finally:
            if done is not None:
                self._idle.put(done)
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

    def lookup(self, request: QueryRequest) -> QueryAnswer | None:
        """A point lookup's answer, computed in this process (``kg/store/lookup.py``), or None
        for the executors to answer (``run``): not a point lookup, a dataset of the request's
        own, the server's own query, a store without the materialized union, more than
        ``lookup_rows`` rows, or an error."""
        if (self._here is None or request.max_rows is not None or request.default_graph_uris
                or request.named_graph_uris):
            return None
        text = point_lookup(request.query, self._lookup.max_rows)
        if text is None:
            return None
        try:
            opened = self._here.get()
            union = _union(*opened)
            if union is None or "default_graph" not in union:
                return None  # Oxigraph's own union skips the default graph's quads: no bound
            answer = execute(self._here, replace(request, query=text), self._lookup, opened,
                             lookup=True)
        except (RarekgError, SyntaxError, RuntimeError, OSError, ValueError, MemoryError):
            return None
        with self.stats.lock:
            self.stats.queries += 1
            self.stats.in_worker += 1
        return answer

    def close(self) -> None:
        with self._lock:
            executors, self._all = self._all, []
        for executor in executors:
            executor.kill()
