"""The default graph of the service as a set: the RDF merge of every graph of the store.

Oxigraph 0.5 evaluates a union default graph (``use_default_graph_as_union``) as a bag: a triple
held in two named graphs comes back twice, so ``COUNT(*)`` and ``SUM`` over it are inflated (fixed
upstream only in the unreleased 0.6 line).  So the union is materialized once, deduplicated, into a
graph of its own (``UNION_GRAPH``): the build calls ``materialize_union`` once at its end, and the
writer after every write.  Queries without a dataset of their own then take that graph as their
default graph and every other named graph as their named graphs (``union_dataset``), so the union
graph is never seen by ``GRAPH ?g``.  A store without it (an older build, an empty directory) is
queried with Oxigraph's own union, as before.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, Triple

from kg.store.embedded import BATCH, bulk_extend

UNION_GRAPH = NamedNode("urn:x-rarekg:union-default-graph")


def _triples_of_every_graph(store: Store) -> Iterator[Quad]:
    for quad in store.quads_for_pattern(None, None, None, None):
        if quad.graph_name != UNION_GRAPH:
            yield Quad(quad.subject, quad.predicate, quad.object, UNION_GRAPH)


# The graph term that ends a line of N-Quads: an IRI (no white space or angle brackets inside)
# before " .", which only ends a line (a literal holds its line breaks escaped).
_GRAPH_AT_END = re.compile(rb" <[^\s<>]*> \.\n")
_UNION_END = f" <{UNION_GRAPH.value}> .\n".encode()
_UNION_LINE = re.compile(rb"(?m)^.*" + re.escape(_UNION_END))  # a dump taken with the union
# A line that may hold a blank node (or only "_:" in a literal): the loader would give its blank
# nodes new names, so the triples of its graph are copied from the store instead.
_BLANK_LINE = re.compile(rb"(?m)^.*_:.*\n")
_GRAPH_OF_LINE = re.compile(rb" <([^\s<>]*)> \.\n$")


class _TriplesOfDump:
    """A gzip-compressed N-Quads dump read as N-Triples (each line without its graph term), for the
    bulk loader, in passes of about ``BATCH`` lines (each pass ends like a file, so one call of the
    loader holds one pass in memory); counts the lines it has given."""

    def __init__(self, path: Path) -> None:
        self._file = gzip.open(path, "rb")  # noqa: SIM115 (closed by close(), as a file)
        self._rest = b""  # the start of a line whose end is not read yet
        self._out, self._at = b"", 0  # lines without their graph, and how far they are given
        self.lines = 0
        self._pass_ends = BATCH
        self.finished = False
        self.graphs_with_blank_nodes: set[str] = set()

    def _refill(self) -> None:
        more = self._file.read(1 << 20)
        block = self._rest + more
        cut = block.rfind(b"\n") + 1
        if not more:
            self.finished = not block
            if block and not cut:
                raise ValueError("the dump does not end with a line break")
        block, self._rest = block[:cut], block[cut:]
        self.lines += block.count(b"\n")
        if _UNION_END in block:
            block = _UNION_LINE.sub(b"", block)
        if b"_:" in block:
            for line in _BLANK_LINE.findall(block):
                graph = _GRAPH_OF_LINE.search(line)
                assert graph is not None  # every line ends with its graph (_dump_is_usable)
                self.graphs_with_blank_nodes.add(graph.group(1).decode())
            block = _BLANK_LINE.sub(b"", block)
        self._out, self._at = _GRAPH_AT_END.sub(b" .\n", block), 0

    def next_pass(self) -> bool:
        """Start the next pass; False when the dump has been read to its end."""
        self._pass_ends = self.lines + BATCH
        return not self.finished

    def read(self, size: int = -1) -> bytes:
        """At most ``size`` bytes (the engine's reader asks for a buffer's worth); b"" at the end
        of a pass."""
        while self._at >= len(self._out):
            if self.finished or self.lines >= self._pass_ends:
                return b""
            self._refill()
        size = size if size and size > 0 else len(self._out) - self._at
        piece = self._out[self._at:self._at + size]
        self._at += len(piece)
        return piece

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._file.close()


def _dump_is_usable(store: Store) -> bool:
    """Whether every quad of ``store`` is in a graph named by an IRI (so that each line of its
    N-Quads dump ends with the graph's IRI)."""
    if next(iter(store.quads_for_pattern(None, None, None, DefaultGraph())), None) is not None:
        return False
    return all(isinstance(g, NamedNode) for g in store.named_graphs())


def materialize_union(store: Store, dump: Path | None = None) -> int:
    """Rewrite ``UNION_GRAPH`` as the set of triples of every other graph (the store's default
    graph included); returns the number of quads read (a triple held in two graphs is stored once).
    Raises ``OSError`` when the store cannot be written.

    With ``dump``, a gzip-compressed N-Quads dump of the store as it is (without the union graph:
    ``kg/store/dumps.py``), the union is bulk-loaded from that file with each line's graph term
    cut off, in the engine (2-3 times faster than handing it every quad from Python; the graphs
    with blank nodes are copied quad by quad, so that a blank node stays one node); without
    one, or for a store with triples in its default graph or a graph named by a blank node, the
    quads are read from the store a batch at a time."""
    if store.contains_named_graph(UNION_GRAPH):
        store.remove_graph(UNION_GRAPH)
    store.add_graph(UNION_GRAPH)
    if dump is not None and _dump_is_usable(store):
        triples = _TriplesOfDump(dump)
        try:
            while True:  # lenient: the dump is this store's own output, its IRIs already checked
                store.bulk_load(triples, format=RdfFormat.N_TRIPLES,  # type: ignore[arg-type]
                                to_graph=UNION_GRAPH, lenient=True)
                if not triples.next_pass():
                    break
        finally:
            triples.close()
        for graph in sorted(triples.graphs_with_blank_nodes):  # the same blank nodes as there
            bulk_extend(store, (Quad(q.subject, q.predicate, q.object, UNION_GRAPH)
                                for q in store.quads_for_pattern(None, None, None,
                                                                 NamedNode(graph))))
        return triples.lines
    return bulk_extend(store, _triples_of_every_graph(store))


def refresh_union(store: Store, touched: Iterable[Triple] | None = None) -> None:
    """Bring ``UNION_GRAPH`` up to date after a write (nothing to do in a store without it).

    With ``touched`` (every triple the write added or removed, as for the Graph Store Protocol),
    only those are looked at: each is in the union exactly when some other graph holds it.
    Without it (a SPARQL Update may change anything), the union and the other graphs are
    compared triple by triple."""
    if not store.contains_named_graph(UNION_GRAPH):
        return
    if touched is not None:
        for t in set(touched):
            held = any(q.graph_name != UNION_GRAPH
                       for q in store.quads_for_pattern(t.subject, t.predicate, t.object))
            quad = Quad(t.subject, t.predicate, t.object, UNION_GRAPH)
            if held:
                store.add(quad)
            elif quad in store:
                store.remove(quad)
        return
    wanted = {Triple(q.subject, q.predicate, q.object)
              for q in store.quads_for_pattern(None, None, None, None)
              if q.graph_name != UNION_GRAPH}
    present = {Triple(q.subject, q.predicate, q.object)
               for q in store.quads_for_pattern(None, None, None, UNION_GRAPH)}
    store.extend(Quad(t.subject, t.predicate, t.object, UNION_GRAPH) for t in wanted - present)
    for t in present - wanted:
        store.remove(Quad(t.subject, t.predicate, t.object, UNION_GRAPH))


def union_dataset(store: object) -> dict[str, Any]:
    """The ``Store.query`` arguments of a query without a dataset of its own: the materialized
    union as the default graph and every other graph as a named graph (or Oxigraph's own union
    when the store has no materialized union)."""
    if not isinstance(store, Store) or not store.contains_named_graph(UNION_GRAPH):
        return {"use_default_graph_as_union": True}  # a remote engine has its own union
    named = [g for g in store.named_graphs() if g != UNION_GRAPH]
    return {"default_graph": UNION_GRAPH, "named_graphs": named}
