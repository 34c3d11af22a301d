"""Validating a built graph with the SHACL shapes of ``ontology/shapes*.ttl``, on the store itself.

The shapes are compiled once per process into SPARQL queries (``kg.build.shape_queries``), each of
which finds the violations of one constraint over all focus nodes at once: no copy of the graph
leaves the store, so validation grows with the graph the way its queries do.  pySHACL on an rdflib
copy (``union_graph`` with ``kg.shapes.validate_graph``) stays for small graphs and for the test
that the two agree.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import rdflib
from pyoxigraph import QueryTriples, RdfFormat, Store

from kg.build.shape_checks import Check, run_checks
from kg.build.shape_queries import compile_shapes, load_shapes
from kg.shapes import SHAPES, Finding

__all__ = ["Finding", "compiled_checks", "union_graph", "validate_store"]


def union_graph(store: Store) -> rdflib.Graph:
    """All triples of all named graphs of ``store`` as one rdflib graph (small graphs only)."""
    data = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(data, QueryTriples)
    graph = rdflib.Graph()
    graph.parse(data=data.serialize(format=RdfFormat.N_TRIPLES), format="nt")
    return graph


@cache
def compiled_checks(shapes_path: Path = SHAPES) -> tuple[Check, ...]:
    """The shapes of ``shapes_path`` as queries, compiled on first use."""
    return tuple(compile_shapes(load_shapes(shapes_path)))


def validate_store(store: Store, shapes_path: Path = SHAPES) -> list[Finding]:
    """The SHACL findings on the union of the named graphs of ``store``, violations first."""
    return run_checks(store, compiled_checks(shapes_path))
