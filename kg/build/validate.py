"""Validating a built graph with the SHACL shapes of ``ontology/shapes*.ttl``."""

from __future__ import annotations

from pathlib import Path

import rdflib
from pyoxigraph import QueryTriples, RdfFormat, Store

from kg.shapes import SHAPES, Finding, validate_graph

__all__ = ["Finding", "union_graph", "validate_store"]


def union_graph(store: Store) -> rdflib.Graph:
    """All triples of all named graphs of ``store`` as one rdflib graph (for validation only)."""
    data = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(data, QueryTriples)
    graph = rdflib.Graph()
    graph.parse(data=data.serialize(format=RdfFormat.N_TRIPLES), format="nt")
    return graph


def validate_store(store: Store, shapes_path: Path = SHAPES) -> list[Finding]:
    return validate_graph(union_graph(store), shapes_path)
