"""Writes to a served store, copy-on-write: each write applies to a hard-linked copy of the build
being served, which is then swapped in atomically.  Readers never see a store that is being written,
a failed write changes nothing, and writes are serialized by a lock file.

A server applies its writes in a ``WriterProcess``: a spawned process with a time limit.  A write
that runs past the limit is stopped by killing that process, which leaves the served store as it
was.  (It also keeps RocksDB working: a process forked from one that has opened a store, such as a
gunicorn worker, lacks RocksDB's background threads and hangs on its first flush.)
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TypeVar

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, Triple, parse

from kg import errors
from kg.errors import BadRequest, RarekgError
from kg.store import analyses, sparql_tokens
from kg.store import embedded as stores
from kg.store.backend import Backend
from kg.store.child import ChildProcess
from kg.store.remote import DEFAULT_GRAPH_MESSAGE, RemoteStore
from kg.store.sandbox import confine
from kg.store.union import refresh_union

T = TypeVar("T")
LOCK = ".write-lock"
_WHERE = re.compile(r"(?<![\w:?$])WHERE(?![\w:-])", re.IGNORECASE)
_DELETE_END = re.compile(r"(?<![\w:?$])DELETE\s*$", re.IGNORECASE)
_STRINGS_AND_COMMENTS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n]*'
)


def _without_strings(text: str) -> str:
    """The text with strings and comments blanked out (same length, IRIs kept)."""
    return _STRINGS_AND_COMMENTS.sub(lambda m: " " * len(m.group(0)), text)


def check_load(update: str, allowed: Sequence[str], base_iri: str | None = None) -> None:
    """Refuse ``LOAD`` of ``file:`` IRIs and of IRIs not under an allow-listed prefix, however the
    update spells it (``kg/store/sparql_tokens.py``), before anything is read.  Raises
    ``Forbidden``."""
    sparql_tokens.check_load(update, allowed, base_iri)


def add_using(update: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """The update with the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` turned into
    ``USING`` / ``USING NAMED`` clauses before the ``WHERE`` of each operation (not of subqueries).
    ``DELETE WHERE { P }`` has no dataset clause, so it becomes its long form
    ``DELETE { P } USING ... WHERE { P }``.

    Raises ``BadRequest`` when the update names its own dataset (``USING`` or ``WITH``), which the
    protocol forbids together with the parameters, and for IRIs that are not absolute."""
    if not using and not using_named:
        return update
    if sparql_tokens.has_clause(update, "using", "with"):
        raise BadRequest(
            "the update names its dataset (USING or WITH) and the request gives "
            "using-graph-uri / using-named-graph-uri too"
        )
    for iri in (*using, *using_named):
        try:
            NamedNode(iri)
        except ValueError as exc:
            raise BadRequest(f"not an IRI: {iri!r}: {exc}") from None
    clause = (
        " ".join([*(f"USING <{g}>" for g in using), *(f"USING NAMED <{g}>" for g in using_named)])
        + " "
    )
    masked = _without_strings(update)
    out, last = [], 0
    for match in _WHERE.finditer(masked):
        if _depth(masked, match.start()) != 0:
            continue  # the WHERE of a subquery
        out.append(update[last : match.start()])
        if _DELETE_END.search(masked[: match.start()]):
            start, end = _group(masked, match.end())
            out.append(update[start:end] + " ")
        out.append(clause)
        last = match.start()
    out.append(update[last:])
    return "".join(out)


def _depth(masked: str, position: int) -> int:
    """How many ``{`` are open at ``position`` (strings and comments are blanked out; IRIs cannot
    hold braces)."""
    head = masked[:position]
    return head.count("{") - head.count("}")


def _group(masked: str, position: int) -> tuple[int, int]:
    """Start and end of the ``{ ... }`` group that begins after ``position``.  Raises ``BadRequest``
    when there is none (the parser would reject the update anyway)."""
    start = masked.find("{", position)
    if start < 0 or masked[position:start].strip():
        raise BadRequest("DELETE WHERE without a { } pattern")
    depth = 0
    for i in range(start, len(masked)):
        if masked[i] == "{":
            depth += 1
        elif masked[i] == "}":
            depth -= 1
            if depth == 0:
                return start, i + 1
    raise BadRequest("DELETE WHERE pattern is not closed")


@contextmanager
def _locked(store_dir: Path) -> Iterator[None]:
    store_dir.mkdir(parents=True, exist_ok=True)
    with (store_dir / LOCK).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write(store_dir: Path, change: Callable[[Store], T]) -> T:
    """Apply ``change`` to a copy of the served build, compute its analyses again
    (``kg/store/analyses.py``) and swap the copy in.

    Raises whatever ``change`` raises (nothing is swapped in then)."""
    with _locked(store_dir):
        source = stores.data_dir(store_dir)
        target = stores.new_build_dir(store_dir)
        target.rmdir()  # backup() creates it
        try:
            if any(
                p.name not in (stores.BUILDS, stores.SERVING, LOCK) and not p.name.startswith(".")
                for p in source.iterdir()
            ):
                Store.read_only(str(source)).backup(str(target))
            else:
                target.mkdir()
            store = Store(str(target))
            result = change(store)
            # what the build computed from the data is computed again from the data as written
            refresh_union(store, analyses.refresh(store, datetime.now(UTC)))
            store.flush()
            del store
            stores.swap_in(store_dir, target)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        return result


GraphName = NamedNode | DefaultGraph
Payload = tuple[bytes, RdfFormat]


def run_update(store_dir: Path, update: str, *, base_iri: str | None = None) -> None:
    """Execute a SPARQL Update on the served store.  Raises ``QuerySyntaxError``."""

    named = sparql_tokens.named_iris(update, base_iri)

    def touched(store: Store) -> list[Triple]:
        """The triples of every graph the update may change (the default graph and the graphs
        it names)."""
        assert named is not None
        graphs: list[GraphName] = [DefaultGraph()]
        graphs += [g for g in store.named_graphs() if isinstance(g, NamedNode) and g.value in named]
        return [t for g in graphs for t in _triples(store, g)]

    def change(store: Store) -> None:
        before = touched(store) if named is not None else None
        try:
            store.update(update, base_iri=base_iri)
        except SyntaxError as exc:
            raise stores.syntax_error(exc, update) from None
        except RuntimeError as exc:  # e.g. DROP GRAPH of a graph that does not exist
            raise BadRequest(f"update failed: {exc}") from None
        except OSError as exc:  # e.g. a LOAD that cannot connect (no server paths in the answer)
            raise BadRequest(f"update failed: {exc.strerror or type(exc).__name__}") from None
        refresh_union(store, None if before is None else [*before, *touched(store)])

    write(store_dir, change)


def parse_payloads(payloads: Sequence[Payload], base_iri: str | None) -> list[Triple]:
    """The triples of one or more RDF documents (each with its own blank nodes, renamed so that
    they never meet blank nodes already in the store).  Parse before taking the write lock.

    Raises ``BadRequest`` for a document that does not parse or that holds named graphs."""
    triples: list[Triple] = []
    for data, fmt in payloads:
        try:
            for quad in parse(
                data,
                format=fmt,
                base_iri=base_iri,
                without_named_graphs=True,
                rename_blank_nodes=True,
            ):
                triples.append(Triple(quad.subject, quad.predicate, quad.object))
        except SyntaxError as exc:
            raise BadRequest(f"the request body is not valid {fmt}: {exc}") from None
    return triples


def put_graph(store_dir: Path, graph: GraphName, triples: Sequence[Triple]) -> bool:
    """Replace a graph's content (a named graph is created, even when ``triples`` is empty);
    returns whether the graph is new."""

    def change(store: Store) -> bool:
        existed = graph_exists(store, graph)
        old = _triples(store, graph)
        if isinstance(graph, DefaultGraph):
            store.clear_graph(graph)
        else:
            if existed:
                store.remove_graph(graph)
            store.add_graph(graph)
        store.extend(Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        refresh_union(store, [*old, *triples])
        return not existed

    return write(store_dir, change)


def post_graph(store_dir: Path, graph: GraphName, triples: Sequence[Triple]) -> bool:
    """Merge triples into a graph (creating a named graph that does not exist); returns whether the
    graph is new."""

    def change(store: Store) -> bool:
        existed = graph_exists(store, graph)
        if not existed and isinstance(graph, NamedNode):
            store.add_graph(graph)
        store.extend(Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        refresh_union(store, triples)
        return not existed

    return write(store_dir, change)


def delete_graph(store_dir: Path, graph: GraphName) -> bool:
    """Remove a named graph, or empty the default graph; returns whether the graph existed (the
    default graph always does)."""

    def change(store: Store) -> bool:
        existed = graph_exists(store, graph)
        old = _triples(store, graph)
        if isinstance(graph, DefaultGraph):
            store.clear_graph(graph)
        elif existed:
            store.remove_graph(graph)
        refresh_union(store, old)
        return existed

    return write(store_dir, change)


def _triples(store: Store, graph: GraphName) -> list[Triple]:
    return [Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, graph)]


def graph_exists(store: Store | RemoteStore, graph: GraphName) -> bool:
    """The default graph always exists; a named graph once created (even empty) until dropped."""
    return isinstance(graph, DefaultGraph) or store.contains_named_graph(graph)


@dataclass(frozen=True)
class Write:
    """One write, as data (so that it can be sent to a writer process)."""

    kind: str  # "update", "put", "post" or "delete"
    update: str = ""
    base_iri: str | None = None
    graph: GraphName = field(default_factory=DefaultGraph)
    triples: tuple[Triple, ...] = ()
    # RDF documents and their media types, parsed in the writer process
    payloads: tuple[tuple[bytes, str], ...] = ()


def apply(store_dir: Path, change: Write) -> bool:
    """Apply one write in this process.  Returns whether a graph was created (``put`` / ``post``),
    existed (``delete``), or ``True`` (``update``)."""
    if change.kind == "update":
        run_update(store_dir, change.update, base_iri=change.base_iri)
        return True
    if change.kind == "put":
        return put_graph(store_dir, change.graph, change.triples)
    if change.kind == "post":
        return post_graph(store_dir, change.graph, change.triples)
    if change.kind == "delete":
        return delete_graph(store_dir, change.graph)
    raise ValueError(f"unknown write {change.kind!r}")


def apply_remote(remote: RemoteStore, change: Write) -> bool:
    """Apply one write to a remote engine (SPARQL Update and Graph Store Protocol)."""
    if change.kind == "update":
        update = change.update
        if change.base_iri and not sparql_tokens.has_clause(update, "base"):
            update = f"BASE <{change.base_iri}>\n{update}"
        try:
            Store().update(update)  # parse here: the same syntax errors on every backend
        except SyntaxError as exc:
            raise stores.syntax_error(exc, update) from None
        remote.update(update)
        return True
    if isinstance(change.graph, DefaultGraph):
        raise BadRequest(DEFAULT_GRAPH_MESSAGE)
    existed = remote.has_graph(change.graph)
    if change.kind == "put":
        remote.replace_graph(change.graph, change.triples)
        return not existed
    if change.kind == "post":
        remote.add_to_graph(change.graph, change.triples)
        return not existed
    if change.kind == "delete":
        if existed:
            remote.drop_graph(change.graph)
        return existed
    raise ValueError(f"unknown write {change.kind!r}")


def _with_triples(change: Write) -> Write:
    """The write with its documents parsed (here, in the writer process, under its time and
    memory limits).  Raises ``BadRequest``."""
    if not change.payloads:
        return change
    documents = []
    for data, media_type in change.payloads:
        fmt = RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise BadRequest(f"{media_type} is not an RDF format this service reads")
        documents.append((data, fmt))
    triples = tuple(parse_payloads(documents, change.base_iri))
    return Write(change.kind, change.update, change.base_iri, change.graph, triples)


def _failure(exc: BaseException) -> RarekgError:
    if isinstance(exc, RarekgError):
        return exc
    if isinstance(exc, MemoryError):
        return errors.RequestTooLarge("the write needs more memory than the writer may use "
                                      "(setting child_memory_mb)")
    if isinstance(exc, OSError):
        return BadRequest(f"the write failed: {exc.strerror or type(exc).__name__}")
    return BadRequest(f"the write failed: {exc}")


def _writer_main(conn: Connection, backend: Backend, parent: int, network: bool,
                 memory_bytes: int) -> None:
    confine(parent, network=network or backend.is_remote, max_bytes=memory_bytes)
    remote = backend.remote() if backend.is_remote else None
    while True:
        try:
            change = conn.recv()
        except (EOFError, OSError):
            return
        try:
            change = _with_triples(change)
            if remote is None:
                result = apply(Path(backend.store_dir), change)
            else:  # the analyses computed again, as write() does on the embedded store
                result = apply_remote(remote, change)
                analyses.refresh_remote(remote, datetime.now(UTC))
            conn.send(("ok", result))
        except (RarekgError, RuntimeError, OSError, ValueError, MemoryError) as exc:
            failure = _failure(exc)
            conn.send(("error", type(failure).__name__, failure.args, dict(failure.__dict__)))


class WriterProcess(ChildProcess):
    """Applies writes one at a time in a spawned process, started on the first write.

    ``run`` raises ``QueryTimeout`` past ``timeout`` seconds (the process is killed, nothing is
    changed, and the next write starts a new one), ``StoreUnavailable`` if the process dies, and the
    write's own errors (syntax, bad request)."""

    def __init__(self, backend: Backend | Path, timeout: float, *, network: bool = True,
                 memory_mb: int = 0) -> None:
        """``network``: whether the process may connect anywhere (``LOAD`` of allow-listed
        URLs, a remote engine); ``memory_mb``: its address-space cap (0: none)."""
        if isinstance(backend, Path):
            backend = Backend(store_dir=str(backend))
        super().__init__(_writer_main, (backend, os.getpid(), network, memory_mb * 2**20),
                         "rarekg-writer", timeout)
        self.backend = backend
        self.store_dir = Path(backend.store_dir)
        self.memory_capped = memory_mb > 0

    def run(self, change: Write) -> bool:
        message = self.call(
            lambda conn: conn.send(change),
            f"the write ran longer than the limit of {self.timeout:g} s and was stopped; nothing "
            "was changed (setting query_timeout)",
            "the writer process failed; nothing was changed",
        )
        if message[0] == "ok":
            return bool(message[1])
        _, name, args, attrs = message
        cls = getattr(errors, name, RarekgError)
        exc = cls.__new__(cls)
        Exception.__init__(exc, *args)
        exc.__dict__.update(attrs)
        raise exc
