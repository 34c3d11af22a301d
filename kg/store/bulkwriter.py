"""Writing a build: every quad goes to the engine's bulk loader together with its copy in the union
default graph (``kg/store/union.py``), on worker threads.

A batch of quads is serialized as N-Quads by the engine (fast: no store lookups) and handed to the
bulk loader as text, which parses and loads it without Python's lock. So the loaders' Python work,
the loading of one batch and the loading of its union copy run at the same time on separate
cores, and the union graph is complete when the last source is written, with no pass of its own
at the end of the build.

A batch holding a blank node is written from its quads instead, in the calling thread: the parser
would give the blank nodes of each text it reads names of their own, so a blank node split across
two batches, or between a graph and its union copy, would become two nodes.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, serialize

from kg.store.union import UNION_GRAPH

# quads per batch: two texts of 200,000 quads per worker kept the build's peak memory near 700 MiB
# (batches of 500,000: 1.5 GiB, in a separate run of the same speed; docs/benchmarks.md)
BATCH = 200_000


def _workers() -> int:
    return max(2, min(4, os.cpu_count() or 1))


def _union_quads(chunk: list[Quad]) -> list[Quad]:
    return [Quad(q.subject, q.predicate, q.object, UNION_GRAPH) for q in chunk]


def _union_copy(chunk: list[Quad], text: bytes) -> tuple[bytes, RdfFormat, NamedNode | None]:
    """The batch's triples for the union graph: when every quad is in the same named graph, its
    text with that graph's term cut off each line (a literal keeps its line breaks escaped, so
    " <g> .\\n" only ends a line); else the quads copied one by one."""
    graph = chunk[0].graph_name
    if isinstance(graph, NamedNode) and all(q.graph_name == graph for q in chunk):
        return text.replace(f" {graph} .\n".encode(), b" .\n"), RdfFormat.N_TRIPLES, UNION_GRAPH
    return serialize(_union_quads(chunk), format=RdfFormat.N_QUADS) or b"", RdfFormat.N_QUADS, None


class BulkWriter:
    """Quads to ``store`` and their triples to the union graph, a batch of ``batch`` quads at a
    time, at most as many loads at once as there are workers (which bounds the memory held: about
    two texts of one batch per worker).

    ``wait()`` returns once everything handed over is in the store, raising the first error of a
    load; use it before reading what was written. As a context manager it waits on exit."""

    def __init__(self, store: Store, batch: int = BATCH) -> None:
        self._store = store
        self._batch = batch
        workers = _workers()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bulk-load")
        self._slots = threading.BoundedSemaphore(workers)
        self._pending: list[Future[None]] = []

    def extend(self, quads: Iterable[Quad]) -> int:
        """Hand ``quads`` over; the number handed over (a quad given twice counts twice)."""
        it, count = iter(quads), 0
        while chunk := list(itertools.islice(it, self._batch)):
            count += len(chunk)
            self._write(chunk)
        return count

    def _write(self, chunk: list[Quad]) -> None:
        self._raise_failed()
        text = serialize(chunk, format=RdfFormat.N_QUADS) or b""
        if b"_:" in text:  # a blank node (or "_:" in a literal or IRI): written as quads
            self._store.bulk_extend(chunk + _union_quads(chunk))
            return
        self._submit(text, RdfFormat.N_QUADS, None)
        self._submit(*_union_copy(chunk, text))

    def _submit(self, text: bytes, fmt: RdfFormat, to_graph: NamedNode | None) -> None:
        self._slots.acquire()  # blocks while every worker is busy: at most that many texts held
        try:
            future = self._pool.submit(self._load, text, fmt, to_graph)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _f: self._slots.release())
        self._pending.append(future)

    def _load(self, text: bytes, fmt: RdfFormat, to_graph: NamedNode | None) -> None:
        # lenient: the text is the engine's own serialization of terms it has already checked
        try:
            if to_graph is None:
                self._store.bulk_load(text, format=fmt, lenient=True)
            else:
                self._store.bulk_load(text, format=fmt, to_graph=to_graph, lenient=True)
        except RuntimeError as exc:  # the engine's storage errors (a read-only store, a full disk)
            raise OSError(f"the bulk loader failed: {exc}") from exc

    def _raise_failed(self) -> None:
        done = [f for f in self._pending if f.done()]
        self._pending = [f for f in self._pending if not f.done()]
        for f in done:
            f.result()  # raises the load's error

    def wait(self) -> None:
        """Block until every load handed over has finished; raises the first one's error."""
        pending, self._pending = self._pending, []
        error: BaseException | None = None
        for f in pending:
            try:
                f.result()
            except BaseException as exc:  # the first is raised once all are done
                error = error or exc
        if error is not None:
            raise error

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._pool.shutdown(wait=True)

    def __enter__(self) -> BulkWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None:
            self.close()
            return
        with contextlib.suppress(BaseException):  # already failing: keep that error
            self.close()  # (the loads still finish: the store stays usable)
