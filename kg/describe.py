"""The VoID description of a built graph: one subset per source graph, with counts and dates."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from pyoxigraph import Literal, NamedNode, Quad, Store

from kg import iri
from kg.iri import UNION_GRAPH
from kg.rdf import QuadWriter, date_literal, integer, text
from kg.vocab import DCT, PAV, PROV, RDF, RDFS, VOID, XSD

GRAPH = "void"
DATASET = iri.dataset("rarekg")


@dataclass(frozen=True)
class SourceInfo:
    """What the description says about one source graph."""

    name: str
    title: str
    documents: tuple[str, ...] = ()
    release: str | None = None
    licence: str | None = None  # IRI of the licence of the copy loaded (dct:license)
    retrieved: str | None = None  # when a fetched source was retrieved (xsd:dateTime, UTC)
    version: str | None = None  # the upstream's own version or data timestamp, as it prints it
    rights: str | None = None  # in words: whose data, which terms (dct:rights)
    title_zh: str | None = None  # the title in Chinese, for the pages in Chinese


def graph_counts(store: Store) -> dict[str, int]:
    """Triples per named graph, keyed by graph IRI (not the union graph: the service's own copy of
    the default graph, ``kg/store/union.py``)."""
    counts = {}
    for graph in store.named_graphs():
        if isinstance(graph, NamedNode) and graph != UNION_GRAPH:
            rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> "
                               "{ ?s ?p ?o } }")
            n = int(next(iter(rows))["n"].value)  # type: ignore[arg-type]
            if n:
                counts[graph.value] = n
    return counts


def _partitions(store: Store, graph: NamedNode, what: str) -> list[tuple[NamedNode, int]]:
    if what == "class":
        q = (
            f"SELECT ?x (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{graph.value}> "
            "{ ?s a ?x } } GROUP BY ?x ORDER BY ?x"
        )
    else:
        q = (
            f"SELECT ?x (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> "
            "{ ?s ?x ?o } } GROUP BY ?x ORDER BY ?x"
        )
    return [(row["x"], int(row["n"].value)) for row in store.query(q)]  # type: ignore[union-attr]


def describe(store: Store, sources: Sequence[SourceInfo], built: datetime) -> Iterator[Quad]:
    """Quads of the VoID description, for the graph ``graph/void``."""
    out = QuadWriter(iri.graph(GRAPH))
    counts = graph_counts(store)
    created = Literal(built.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    out.add(DATASET, RDF.type, VOID.Dataset)
    out.add(DATASET, DCT.title, text("rarekg: the rare-disease ecosystem knowledge graph", "en"))
    out.add(DATASET, RDFS.label, text("rarekg", "en"))
    out.add(DATASET, DCT.created, created)
    out.add(DATASET, DCT.modified, created)
    out.add(DATASET, VOID.triples, integer(sum(counts.values())))
    for source in sources:
        graph = iri.graph(source.name)
        out.add(DATASET, VOID.subset, graph)
        out.add(graph, RDF.type, VOID.Dataset)
        out.add(graph, DCT.title, text(source.title, "en"))
        out.add(graph, RDFS.label, text(source.title, "en"))
        if source.title_zh:
            out.add(graph, DCT.title, text(source.title_zh, "zh"))
            out.add(graph, RDFS.label, text(source.title_zh, "zh"))
        out.add(graph, VOID.triples, integer(counts.get(graph.value, 0)))
        out.add(graph, DCT.created, created)
        for doc in source.documents:
            out.add(graph, DCT.source, iri.source(doc))
            out.add(graph, PROV.wasDerivedFrom, iri.source(doc))
        if source.release:
            out.add(graph, DCT.issued, date_literal(source.release))
        if source.retrieved:
            out.add(graph, PAV.retrievedOn, Literal(source.retrieved, datatype=XSD.dateTime))
        if source.version:
            out.add(graph, PAV.version, text(source.version))
        if source.licence:
            out.add(graph, DCT.license, NamedNode(source.licence))
        if source.rights:
            out.add(graph, DCT.rights, text(source.rights, "en"))
        classes = _partitions(store, graph, "class")
        properties = _partitions(store, graph, "property")
        out.add(graph, VOID.classes, integer(len(classes)))
        out.add(graph, VOID.properties, integer(len(properties)))
        for cls, n in classes:
            part = NamedNode(f"{graph.value}#class-{iri.evidence(cls.value).value[-16:]}")
            out.add(graph, VOID.classPartition, part)
            out.add(part, VOID["class"], cls)
            out.add(part, VOID.entities, integer(n))
        yield from out.drain()
