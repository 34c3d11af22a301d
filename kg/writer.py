"""Writes to a served store, copy-on-write: each write applies to a hard-linked copy of the build
being served, which is then swapped in atomically.  Readers never see a store that is being written,
a failed write changes nothing, and writes are serialized by a lock file."""

from __future__ import annotations

import fcntl
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, parse

from kg import store as stores
from kg.errors import BadRequest, Forbidden, RarekgError
from kg.query import strip_literals

T = TypeVar("T")
LOCK = ".write-lock"
_LOAD = re.compile(r"\bLOAD\s+(?:SILENT\s+)?(<[^>]*>|\S+)", re.IGNORECASE)
_USING = re.compile(r"(?<![\w:?$])(USING|WITH)(?![\w:-])", re.IGNORECASE)
_WHERE = re.compile(r"(?<![\w:?$])WHERE(?![\w:-])", re.IGNORECASE)
_STRINGS_AND_COMMENTS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n]*'
)


def _without_strings(text: str) -> str:
    """The text with strings and comments blanked out (same length, IRIs kept)."""
    return _STRINGS_AND_COMMENTS.sub(lambda m: " " * len(m.group(0)), text)


def check_load(update: str, allowed: Sequence[str]) -> None:
    """Refuse ``LOAD`` of ``file:`` IRIs and of URLs that do not start with an allow-listed prefix,
    before anything is read.  Raises ``Forbidden``."""
    for match in _LOAD.finditer(_without_strings(update)):
        target = match.group(1)
        if not target.startswith("<"):
            raise Forbidden("LOAD needs a full IRI in angle brackets")
        url = target[1:-1]
        if url.lower().startswith("file:"):
            raise Forbidden(f"LOAD of local files is not allowed: <{url}>")
        if not any(url.startswith(prefix) for prefix in allowed if prefix):
            raise Forbidden(f"LOAD of <{url}> is not allowed: it is not on the allow-list "
                            "(setting load_allowlist)")


def add_using(update: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """The update with the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` turned into
    ``USING`` / ``USING NAMED`` clauses before each ``WHERE``.

    Raises ``BadRequest`` when the update names its own dataset (``USING`` or ``WITH``): the protocol
    forbids both at once."""
    if not using and not using_named:
        return update
    bare = strip_literals(update)
    if _USING.search(bare):
        raise BadRequest("the update names its dataset (USING or WITH) and the request gives "
                         "using-graph-uri / using-named-graph-uri too")
    clause = " ".join([*(f"USING <{g}>" for g in using),
                       *(f"USING NAMED <{g}>" for g in using_named)]) + " "
    masked = _without_strings(update)
    out, last = [], 0
    for match in _WHERE.finditer(masked):
        before = masked[:match.start()].rstrip()
        if before.upper().endswith(("DELETE", "INSERT")):
            continue  # DELETE WHERE { } has no dataset clause
        out.append(update[last:match.start()])
        out.append(clause)
        last = match.start()
    out.append(update[last:])
    return "".join(out)


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
    """Apply ``change`` to a copy of the served build and swap the copy in.

    Raises whatever ``change`` raises (nothing is swapped in then)."""
    with _locked(store_dir):
        source = stores.data_dir(store_dir)
        target = stores.new_build_dir(store_dir)
        target.rmdir()  # backup() creates it
        try:
            if any(p.name not in (stores.BUILDS, stores.SERVING, LOCK) and not
                   p.name.startswith(".") for p in source.iterdir()):
                Store.read_only(str(source)).backup(str(target))
            else:
                target.mkdir()
            store = Store(str(target))
            result = change(store)
            store.flush()
            del store
            stores.swap_in(store_dir, target)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        return result


GraphName = NamedNode | DefaultGraph


def run_update(store_dir: Path, update: str, *, base_iri: str | None = None) -> None:
    """Execute a SPARQL Update on the served store.  Raises ``QuerySyntaxError``."""

    def change(store: Store) -> None:
        try:
            store.update(update, base_iri=base_iri)
        except SyntaxError as exc:
            raise stores.syntax_error(exc) from None
        except OSError as exc:
            raise RarekgError(f"update failed: {exc}") from None

    write(store_dir, change)


def put_graph(store_dir: Path, graph: GraphName, data: bytes, fmt: RdfFormat,
              base_iri: str | None) -> bool:
    """Replace a graph's content; returns whether the graph is new.  Raises ``BadRequest`` for
    data that does not parse."""

    def change(store: Store) -> bool:
        existed = _has_triples(store, graph)
        quads = _parse(data, fmt, base_iri, graph)
        store.remove_graph(graph) if not isinstance(graph, DefaultGraph) else store.clear_graph(graph)
        store.extend(quads)
        return not existed

    return write(store_dir, change)


def post_graph(store_dir: Path, graph: GraphName, data: bytes, fmt: RdfFormat,
               base_iri: str | None) -> bool:
    """Merge data into a graph; returns whether the graph is new."""

    def change(store: Store) -> bool:
        existed = _has_triples(store, graph)
        store.extend(_parse(data, fmt, base_iri, graph))
        return not existed

    return write(store_dir, change)


def delete_graph(store_dir: Path, graph: GraphName) -> bool:
    """Remove a graph; returns whether it existed."""

    def change(store: Store) -> bool:
        existed = _has_triples(store, graph)
        if isinstance(graph, DefaultGraph):
            store.clear_graph(graph)
        elif existed:
            store.remove_graph(graph)
        return existed

    return write(store_dir, change)


def _has_triples(store: Store, graph: GraphName) -> bool:
    return next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None


def _parse(data: bytes, fmt: RdfFormat, base_iri: str | None, graph: GraphName) -> list[Quad]:
    try:
        return [Quad(t.subject, t.predicate, t.object, graph)
                for t in parse(data, format=fmt, base_iri=base_iri)]
    except SyntaxError as exc:
        raise BadRequest(f"the request body is not valid {fmt}: {exc}") from None
