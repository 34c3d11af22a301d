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

from collections.abc import Iterable, Iterator
from typing import Any

from pyoxigraph import NamedNode, Quad, Store, Triple

from kg.store.embedded import bulk_extend

UNION_GRAPH = NamedNode("urn:x-rarekg:union-default-graph")


def _triples_of_every_graph(store: Store) -> Iterator[Quad]:
    for quad in store.quads_for_pattern(None, None, None, None):
        if quad.graph_name != UNION_GRAPH:
            yield Quad(quad.subject, quad.predicate, quad.object, UNION_GRAPH)


def materialize_union(store: Store) -> int:
    """Rewrite ``UNION_GRAPH`` as the set of triples of every other graph (the store's default
    graph included), a batch at a time; returns the number of quads read (a triple held in two
    graphs is stored once).  Raises ``OSError`` when the store cannot be written."""
    if store.contains_named_graph(UNION_GRAPH):
        store.remove_graph(UNION_GRAPH)
    store.add_graph(UNION_GRAPH)
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
