"""The union default graph (kg/store/union.py): the set of the triples of every graph, written by
the build from its own N-Quads dump (each line's graph term cut off, bulk-loaded in passes) or,
without a usable dump, from the store's quads.  Both ways must give the same set, whatever the
literals hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Store, Triple

from kg.store import union
from kg.store.dumps import write_dataset_dump
from kg.store.union import UNION_GRAPH, materialize_union

G = "https://w3id.org/rarekg/graph/"
EX = "http://example.org/"
TEXTS = ["plain", "ends like a quad <http://example.org/g> .", "line\nbreak <x> .\n", "> .",
         "中文 <https://w3id.org/rarekg/graph/a> .", "x" * 1_500_000]  # a line past 1 MiB


def _quads() -> list[Quad]:
    quads = []
    for g in ("a", "b", "c"):
        graph = NamedNode(G + g)
        for i, text in enumerate(TEXTS):
            s = NamedNode(f"{EX}s{i}")
            quads.append(Quad(s, NamedNode(EX + "label"), Literal(text), graph))
            quads.append(Quad(s, NamedNode(EX + "in"), NamedNode(G + "b"), graph))  # an IRI object
            quads.append(Quad(s, NamedNode(EX + "only-" + g), Literal(i), graph))
        quads.append(Quad(BlankNode("n1"), NamedNode(EX + "p"), Literal("x", language="en"),
                          graph))
    return quads


def _union(store: Store) -> set[Triple]:
    return {Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, UNION_GRAPH)}


def _expected(store: Store) -> set[Triple]:
    return {Triple(q.subject, q.predicate, q.object) for q in store
            if q.graph_name != UNION_GRAPH}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(str(tmp_path / "store"))
    s.extend(_quads())
    return s


def test_the_union_from_the_dump_is_the_set_of_every_graphs_triples(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(union, "BATCH", 7)  # many passes of the loader, as at full size
    dump = write_dataset_dump(store, tmp_path)
    read = materialize_union(store, dump.path)
    assert read == len(_quads())
    got = _union(store)
    assert got == _expected(store)
    # a triple held by three graphs is there once; the blank node (one node in all three graphs)
    # is the store's own node, not one renamed by the loader
    assert len(got) == len(TEXTS) * (1 + 1 + 3) + 1
    assert Triple(BlankNode("n1"), NamedNode(EX + "p"), Literal("x", language="en")) in got
    assert Triple(NamedNode(f"{EX}s1"), NamedNode(EX + "in"), NamedNode(G + "b")) in got
    assert any(t.object.value == "x" * 1_500_000 for t in got)


def test_the_same_union_either_way_and_after_a_rebuild(store: Store, tmp_path: Path) -> None:
    materialize_union(store)  # from the quads
    from_quads = _union(store)
    store.remove_graph(NamedNode(G + "c"))
    dump = write_dataset_dump(store, tmp_path)  # the dump never holds the union graph itself
    materialize_union(store, dump.path)
    assert _union(store) == _expected(store) != from_quads


def test_a_store_with_triples_in_its_default_graph_is_read_from_its_quads(
        store: Store, tmp_path: Path) -> None:
    """A default-graph line of N-Quads ends with its object, not a graph: the dump is not used."""
    store.add(Quad(NamedNode(EX + "d"), NamedNode(EX + "p"), NamedNode(G + "a"), DefaultGraph()))
    dump = write_dataset_dump(store, tmp_path)
    materialize_union(store, dump.path)
    got = _union(store)
    assert Triple(NamedNode(EX + "d"), NamedNode(EX + "p"), NamedNode(G + "a")) in got
    assert got == _expected(store)


def test_a_dump_cut_short_is_an_error_not_a_smaller_union(store: Store, tmp_path: Path) -> None:
    import gzip

    dump = write_dataset_dump(store, tmp_path)
    data = gzip.decompress(dump.path.read_bytes())
    dump.path.write_bytes(gzip.compress(data[:-5]))  # the last line without its end
    with pytest.raises((ValueError, OSError, SyntaxError)):
        materialize_union(store, dump.path)
