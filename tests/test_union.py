"""The union default graph (kg/store/union.py) as the build writes it (kg/store/bulkwriter.py):
each batch of quads goes to the bulk loader with its triples in the union graph, on worker
threads, as text (each line's graph term cut off) or, for blank nodes and mixed batches, as
quads.  Whatever the batches and literals hold, the union must be the set of the triples of every
other graph, the same set ``refresh_union`` makes from the quads, and the dataset dump
(kg/store/dumps.py) must hold every quad but the union's."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    Triple,
    parse,
)

from kg.describe import graph_counts
from kg.store.bulkwriter import BulkWriter
from kg.store.dumps import write_dataset_dump
from kg.store.union import UNION_GRAPH, refresh_union, union_dataset

G = "https://w3id.org/rarekg/graph/"
EX = "http://example.org/"
TEXTS = ["plain", "ends like a quad <http://example.org/g> .", "line\nbreak <x> .\n", "> .",
         "中文 <https://w3id.org/rarekg/graph/a> .", " .\n", "x" * 1_500_000]  # a long line
NODE = BlankNode("n1")


def _quads() -> list[Quad]:
    quads = []
    for g in ("a", "b", "c"):
        graph = NamedNode(G + g)
        for i, text in enumerate(TEXTS):
            s = NamedNode(f"{EX}s{i}")
            quads.append(Quad(s, NamedNode(EX + "label"), Literal(text), graph))
            quads.append(Quad(s, NamedNode(EX + "in"), NamedNode(G + "b"), graph))  # an IRI object
            quads.append(Quad(s, NamedNode(EX + "only-" + g), Literal(i), graph))
        quads.append(Quad(NODE, NamedNode(EX + "p"), Literal("x", language="en"), graph))
    return quads


def _union(store: Store) -> set[Triple]:
    return {Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, UNION_GRAPH)}


def _expected(store: Store) -> set[Triple]:
    return {Triple(q.subject, q.predicate, q.object) for q in store
            if q.graph_name != UNION_GRAPH}


def _written(path: Path, quads: list[Quad], batch: int) -> Store:
    store = Store(str(path))
    with BulkWriter(store, batch=batch) as writer:
        assert writer.extend(quads) == len(quads)
    return store


@pytest.mark.parametrize("batch", [1, 7, 10_000])
def test_the_union_is_the_set_of_every_graphs_triples(tmp_path: Path, batch: int) -> None:
    store = _written(tmp_path / "s", _quads(), batch)
    assert store.contains_named_graph(UNION_GRAPH)  # so queries take it as their default graph
    assert union_dataset(store)["default_graph"] == UNION_GRAPH
    got = _union(store)
    assert got == _expected(store)
    # a triple held by three graphs is there once; the blank node, one node in all three graphs
    # and written in several batches, is one node there too
    assert len(got) == len(TEXTS) * (1 + 1 + 3) + 1
    assert Triple(NODE, NamedNode(EX + "p"), Literal("x", language="en")) in got
    assert len({q.subject for q in store.quads_for_pattern(None, NamedNode(EX + "p"), None)}) == 1
    assert Triple(NamedNode(f"{EX}s1"), NamedNode(EX + "in"), NamedNode(G + "b")) in got
    assert Triple(NamedNode(f"{EX}s5"), NamedNode(EX + "label"), Literal(" .\n")) in got
    assert Triple(NamedNode(f"{EX}s6"), NamedNode(EX + "label"), Literal("x" * 1_500_000)) in got
    # the union is no graph of the data: not counted, not in the dump
    assert set(graph_counts(store)) == {G + "a", G + "b", G + "c"}


def test_the_same_union_as_refresh_makes_from_the_quads(tmp_path: Path) -> None:
    written = _written(tmp_path / "w", _quads(), 5)
    plain = Store(str(tmp_path / "p"))
    plain.extend(_quads())
    plain.add_graph(UNION_GRAPH)
    refresh_union(plain)  # every triple of the other graphs, compared one by one
    assert _union(plain) == _union(written)


def test_mixed_batches_and_the_default_graph(tmp_path: Path) -> None:
    """A default-graph line of N-Quads ends with its object, not a graph: a batch holding one is
    copied quad by quad, and its triples are in the union too."""
    g = NamedNode(G + "a")
    quads = [Quad(NamedNode(EX + "d"), NamedNode(EX + "p"), g, DefaultGraph()),
             Quad(NamedNode(EX + "e"), NamedNode(EX + "p"), g, g),
             Quad(NamedNode(EX + "f"), NamedNode(EX + "p"), Literal("in b"), NamedNode(G + "b"))]
    store = _written(tmp_path / "s", quads, 3)
    assert _union(store) == {Triple(q.subject, q.predicate, q.object) for q in quads}
    assert set(store.quads_for_pattern(None, None, None, DefaultGraph())) == {quads[0]}


def test_the_dump_holds_every_quad_but_the_unions(tmp_path: Path) -> None:
    quads = [*_quads(), Quad(NamedNode(EX + "d"), NamedNode(EX + "p"), Literal("default"),
                             DefaultGraph())]
    store = _written(tmp_path / "s", quads, 7)
    dump = write_dataset_dump(store, tmp_path / "one")
    again = write_dataset_dump(store, tmp_path / "two", workers=1)
    assert dump.sha256 == again.sha256  # the same bytes, however many threads wrote the graphs
    with gzip.open(dump.path, "rb") as f:  # one gzip member per graph: one file to a reader
        data = f.read()
    read = list(parse(data, format=RdfFormat.N_QUADS))
    assert len(read) == len(set(read)) == len(store) - len(_union(store))
    assert all(q.graph_name != UNION_GRAPH for q in read)
    # blank nodes keep one label through the whole dump (the node shared by three graphs)
    assert len({q.subject for q in read if isinstance(q.subject, BlankNode)}) == 1
    key = {(q.subject, q.predicate, q.object, q.graph_name) for q in read
           if not isinstance(q.subject, BlankNode)}
    assert key == {(q.subject, q.predicate, q.object, q.graph_name) for q in store
                   if q.graph_name != UNION_GRAPH and not isinstance(q.subject, BlankNode)}


def test_a_failed_load_is_raised_as_an_os_error(tmp_path: Path) -> None:
    _written(tmp_path / "s", _quads()[:3], 10)
    read_only = Store.read_only(str(tmp_path / "s"))
    with pytest.raises(OSError, match="bulk loader failed"), BulkWriter(read_only, batch=2) as w:
        w.extend(_quads()[3:9])  # raised here, or when the writer is closed
