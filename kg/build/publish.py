"""Publishing a built graph to a remote SPARQL engine, graph by graph, in bounded chunks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pyoxigraph import NamedNode, Store, Triple

from kg.store.remote import RemoteStore
from kg.store.union import UNION_GRAPH
from kg.vocab import GRAPH_BASE


@dataclass
class PublishReport:
    seconds: float
    triples: dict[str, int] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)


def publish(
    local: Store, remote: RemoteStore, log: Callable[[str], None] = lambda _m: None
) -> PublishReport:
    """Replace each named graph of ``local`` on ``remote`` (PUT then POST chunks, so a rerun gives
    the same graph, never duplicates) and drop rarekg graphs the remote has that ``local`` lacks.

    Raises ``BuildError`` naming the graph and chunk that failed; rerunning completes the job."""
    started = time.perf_counter()
    report = PublishReport(0.0)
    graphs = [
        row["g"]
        for row in local.query(  # type: ignore[union-attr]
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
        )
        if row["g"] != UNION_GRAPH  # the embedded store's own copy of the default graph
    ]
    for graph in graphs:
        assert isinstance(graph, NamedNode)
        triples = (
            Triple(q.subject, q.predicate, q.object)
            for q in local.quads_for_pattern(None, None, None, graph)
        )
        log(f"publishing <{graph.value}>")
        report.triples[graph.value] = remote.replace_graph(
            graph, triples, label=graph.value.rsplit("/", 1)[-1]
        )
    ours = {g.value for g in graphs}
    for graph in remote.named_graphs():
        if graph.value.startswith(GRAPH_BASE) and graph.value not in ours:
            log(f"dropping <{graph.value}> (not in this build)")
            remote.drop_graph(graph)
            report.dropped.append(graph.value)
    report.seconds = time.perf_counter() - started
    return report
