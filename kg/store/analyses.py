"""Fixed analyses of a build, computed once at build time into a graph of their own
(``https://w3id.org/rarekg/graph/analyses``), so that the gaps dashboard reads a few dozen
triples instead of running twenty aggregate queries over the whole graph at every new version.

For each national list and each kind of data the dashboard shows (patient organizations, drugs
approved in China, FDA orphan approvals, trials, reimbursement, EU authorisations) one
``rk:CoverageCount``: how many listed diseases have that data, how many have none, how many are
listed.  The counts are the row
counts of the very queries ``/gaps`` runs when the graph is absent (``service/gaps.py``: an older
build, or a remote engine without it); a test checks that both agree.  The analyses dataset says
what it was derived from (every graph it read, ``prov:wasDerivedFrom``) and when
(``prov:generatedAtTime``, the build date), and the build's VoID lists the graph as a subset.

Every write to the store (SPARQL Update, Graph Store, an approved submission) computes the graph
again from the graph as written (``refresh``, called by ``kg/store/writer.py``), so that what is
read from it (question 2, the coverage table; questions 1 and 5, the organization counts; ``/gaps``)
never lags behind the data it summarizes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime

from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions, Store, Triple

from kg import iri
from kg.coverage import MEASURES, PREAMBLE, TABLE_COLUMNS, TABLE_QUERY, Measure
from kg.rdf import QuadWriter, integer, text
from kg.store.remote import RemoteStore
from kg.store.union import union_dataset
from kg.vocab import DCT, GRAPH_BASE, PROV, QB, RDF, RK, VOID, XSD

GRAPH = "analyses"
Readable = Store | RemoteStore  # the embedded store, or a remote engine (computed there alike)
DATASET = iri.entity("analysis", "coverage")
TABLE = iri.entity("analysis", "coverage-table")
VOID_DATASET = iri.dataset("rarekg")


def _entries(list_iri: str) -> str:
    return (f"  ?e rk:inList <{list_iri}> ; rk:entryNumber ?entry ; rk:entryOf ?disease ;\n"
            "     rk:printedName ?name_zh, ?name_en .\n"
            "  FILTER (lang(?name_zh) = \"zh\" && lang(?name_en) = \"en\")\n")


def _count(store: Readable, query: str) -> int:
    result = store.query(query, **union_dataset(store))  # as the service asks
    assert isinstance(result, QuerySolutions)
    return sum(1 for _ in result)


def counts(store: Readable, list_iri: str, measure: Measure) -> tuple[int, int, int]:
    """(listed, with, without) for one list and one measure: the row counts of the dashboard's
    queries (listed entries; entries joined to the diseases the pattern matches, found once;
    entries MINUS matches)."""
    listed = _count(store, f"{PREAMBLE}SELECT ?disease WHERE {{\n{_entries(list_iri)}}}")
    with_ = _count(store, f"{PREAMBLE}SELECT ?disease ?entry ?name_zh ?name_en WHERE {{\n"
                          f"  {{ SELECT DISTINCT ?disease WHERE {{\n  {measure.pattern}\n  }} }}\n"
                          f"{_entries(list_iri)}}}")
    without = _count(store, f"{PREAMBLE}SELECT ?disease WHERE {{\n{_entries(list_iri)}"
                            f"  MINUS {{\n    {measure.pattern}\n  }}\n}}")
    return listed, with_, without


def _lists(store: Readable) -> list[str]:
    result = store.query(f"{PREAMBLE}SELECT ?list WHERE {{ ?list a rk:RareDiseaseList }} "
                         "ORDER BY ?list", **union_dataset(store))
    assert isinstance(result, QuerySolutions)
    return [row["list"].value for row in result]


def _graphs(store: Readable) -> list[NamedNode]:
    """The named graphs the analyses read: every graph of the build so far (not the analyses
    themselves, nor the VoID description, when they are computed again after a write)."""
    own = (iri.graph(GRAPH), iri.graph("void"))
    return sorted((g for g in store.named_graphs() if isinstance(g, NamedNode)
                   and g.value.startswith(GRAPH_BASE) and g not in own), key=lambda g: g.value)


def digest(pattern: str) -> str:
    """A short digest of a measure's graph pattern (as ``/gaps`` computes it too)."""
    return hashlib.sha256(pattern.encode("utf-8")).hexdigest()[:16]


def observation(list_iri: str, measure: str) -> NamedNode:
    return iri.entity("analysis", f"coverage-{list_iri.rstrip('/').rsplit('/', 1)[-1]}-{measure}")


def coverage_table(store: Readable, out: QuadWriter, created: Literal,
                   sources: list[NamedNode]) -> int:
    """The coverage table of question 2, one ``rk:DiseaseCoverage`` per list entry: the rows of
    ``kg.coverage.TABLE_QUERY`` on the store as the service asks it; returns the number of rows."""
    out.add(TABLE, RDF.type, QB.DataSet)
    out.add(TABLE, DCT.title, text("Coverage table of the national rare-disease lists", "en"))
    out.add(TABLE, DCT.title, text("国家罕见病目录覆盖表", "zh"))
    out.add(TABLE, DCT.description, text(
        "Per list entry: patient organizations, drugs approved in China, drugs with an FDA orphan "
        "approval, clinical trials, drugs reimbursed in China and drugs authorised in the EU "
        "that this graph links to the disease or one of its subtypes; computed when the build "
        "ran, by the query kg.coverage.TABLE_QUERY of rarekg.", "en"))
    out.add(TABLE, PROV.generatedAtTime, created)
    for source in sources:
        out.add(TABLE, PROV.wasDerivedFrom, source)
    result = store.query(TABLE_QUERY, **union_dataset(store))
    assert isinstance(result, QuerySolutions)
    rows = 0
    for row in result:
        entry = row["e"]
        assert isinstance(entry, NamedNode)
        obs = iri.entity("analysis", "coverage-table-" + entry.value.rstrip("/").rsplit("/", 1)[-1])
        out.add(obs, RDF.type, RK.DiseaseCoverage)
        out.add(obs, QB.dataSet, TABLE)
        out.add(obs, RK.coverageEntry, entry)
        for column, prop in TABLE_COLUMNS:
            value = row[column]
            assert isinstance(value, Literal)
            out.add(obs, RK[prop], integer(int(value.value)))
        rows += 1
    return rows


def analyses(store: Readable, built: datetime) -> Iterator[Quad]:
    """The quads of the analyses graph and of its VoID subset, for a store whose sources are all
    loaded and linked."""
    graph = iri.graph(GRAPH)
    sources = _graphs(store)
    out = QuadWriter(graph)
    created = Literal(built.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    out.add(DATASET, RDF.type, QB.DataSet)
    out.add(DATASET, DCT.title, text("Coverage of the national rare-disease lists", "en"))
    out.add(DATASET, DCT.title, text("国家罕见病目录覆盖情况", "zh"))
    out.add(DATASET, PROV.generatedAtTime, created)
    for source in sources:
        out.add(DATASET, PROV.wasDerivedFrom, source)
    for list_iri in _lists(store):
        for measure in MEASURES:
            listed, with_, without = counts(store, list_iri, measure)
            obs = observation(list_iri, measure.id)
            out.add(obs, RDF.type, RK.CoverageCount)
            out.add(obs, QB.dataSet, DATASET)
            out.add(obs, RK.coverageOf, NamedNode(list_iri))
            out.add(obs, RK.coverageMeasure, Literal(measure.id))
            out.add(obs, DCT.identifier, Literal(digest(measure.pattern)))
            out.add(obs, RK.listedCount, integer(listed))
            out.add(obs, RK.withCount, integer(with_))
            out.add(obs, RK.withoutCount, integer(without))
    coverage_table(store, out, created, sources)
    quads = list(out.drain())
    yield from quads
    void = QuadWriter(iri.graph("void"))
    void.add(VOID_DATASET, VOID.subset, graph)
    void.add(graph, RDF.type, VOID.Dataset)
    void.add(graph, DCT.title, text("Analyses computed at build time: coverage counts and the "
                                    "coverage table", "en"))
    void.add(graph, DCT.description, text(
        "Fixed analyses of this build (the coverage counts of /gaps and the coverage table of "
        "question 2), computed from the graphs it was derived from when the build ran and again "
        "after every write (dct:created); read instead of recomputed at query time.", "en"))
    void.add(graph, DCT.created, created)
    void.add(graph, VOID.triples, integer(len(quads)))
    for source in sources:
        void.add(graph, PROV.wasDerivedFrom, source)
    yield from void.drain()


def refresh(store: Store, at: datetime) -> list[Triple]:
    """After a write: the analyses graph and its VoID subset computed again from the store as
    written (the union graph already brought up to date), if the store has an analyses graph (a
    store without one, or one whose analyses graph was dropped, is left as it is).  Returns the
    triples removed and added, for the union graph."""
    graph = iri.graph(GRAPH)
    if not store.contains_named_graph(graph):
        return []
    old = list(store.quads_for_pattern(None, None, None, graph))
    described = list(store.quads_for_pattern(graph, None, None, iri.graph("void")))
    old += described
    store.remove_graph(graph)
    for quad in described:
        store.remove(quad)
    new = list(analyses(store, at))
    store.add_graph(graph)
    store.extend(new)
    return [Triple(q.subject, q.predicate, q.object) for q in (*old, *new)]


def refresh_remote(remote: RemoteStore, at: datetime) -> None:
    """``refresh`` on a remote engine after a write: the analyses graph replaced and its VoID
    subset described again, if the engine has an analyses graph."""
    graph, void = iri.graph(GRAPH), iri.graph("void")
    if not remote.has_graph(graph):
        return
    quads = list(analyses(remote, at))
    remote.replace_graph(graph, [Triple(q.subject, q.predicate, q.object)
                                 for q in quads if q.graph_name == graph])
    remote.update(f"DELETE WHERE {{ GRAPH <{void.value}> {{ <{graph.value}> ?p ?o }} }}")
    remote.add_to_graph(void, [Triple(q.subject, q.predicate, q.object)
                               for q in quads if q.graph_name == void])
