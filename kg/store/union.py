"""The default graph of the service as a set: the RDF merge of every graph of the store.

Oxigraph 0.5 evaluates a union default graph (``use_default_graph_as_union``) as a bag: a triple
held in two named graphs comes back twice, so ``COUNT(*)`` and ``SUM`` over it are inflated (fixed
upstream only in the unreleased 0.6 line).  So the union is materialized, deduplicated, into a
graph of its own (``UNION_GRAPH``): the build writes each quad together with its triple there
(``kg/store/bulkwriter.py``), and the writer brings it up to date after every write
(``refresh_union``).  Queries without a dataset of their own then take that graph as their
default graph and every other named graph as their named graphs (``union_dataset``), so the union
graph is never seen by ``GRAPH ?g``.  A store without it (an older build, an empty directory) is
queried with Oxigraph's own union, as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyoxigraph import Quad, Store, Triple

from kg.iri import UNION_GRAPH

__all__ = ["UNION_GRAPH", "refresh_union", "union_dataset"]


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
