"""What an approved submission becomes: its own named graph
``https://w3id.org/rarekg/graph/submission-<id>`` holding the record's statements and evidence (made
by the loader of ``data/organizations/``), the submission as a source document of kind self-report
(submitted on), the approval as a ``prov:Activity`` (approved by, approved on), and its VoID subset;
written in one SPARQL Update (``approval_update``) so that readers see all of it or none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, Store

from kg import describe, iri
from kg.contrib.contribution import SELF, Review, display_name, self_title
from kg.rdf import date_literal, text
from kg.vocab import CONCEPT_BASE, DCT, PROV, RDF, RDFS, SCHEMA, SKOS, XSD, ClosedNamespace
from kg.vocab import VOID as VOID_NS

# Terms of PROV and Dublin Core that only the provenance of submissions uses.
PROV_REVIEW = ClosedNamespace(
    PROV.base, "Activity Agent used wasAssociatedWith endedAtTime wasGeneratedBy"
)
DCT_TYPE = NamedNode(DCT.base + "type")
SELF_REPORT = NamedNode(CONCEPT_BASE + "source-kind/self-report")

# A record loader: a complete record in the curation format -> its quads (raises LoadError).  The
# composition root (kg/server.py) gives the service the loader of data/organizations/.
RecordLoader = Callable[[Mapping[str, Any]], list[Quad]]


def void_title(submission_id: str, record: Mapping[str, Any], review: Review) -> str:
    """The title of a submission's graph in the VoID description."""
    return (f"Submission {submission_id}: {display_name(record)}, self-reported, approved by "
            f"{review.reviewer} on {review.at[:10]}")


def graph_name(submission_id: str) -> str:
    return f"submission-{submission_id}"


def source_iri(submission_id: str) -> NamedNode:
    return iri.source(graph_name(submission_id))


def record_quads(load: RecordLoader, complete_record: Mapping[str, Any], submission_id: str,
                 submitted: str, language: str, review: Review | None) -> list[Quad]:
    """The quads of a submission in its own graph: the loader's statements and evidence, the
    submission as a self-report source document, and, once approved, the approval (who and when)
    as a ``prov:Activity``.  Raises the loader's ``LoadError``."""
    graph = iri.graph(graph_name(submission_id))
    doc = source_iri(submission_id)
    url = Literal(complete_record["sources"][SELF]["url"], datatype=XSD.anyURI)
    loaded = load(complete_record)
    # The loader names a web source after its URL; the self-report is named after the submission.
    minted = {q.subject for q in loaded if q.predicate == SCHEMA.url and q.object == url}

    def rename(term: Any) -> Any:
        return doc if term in minted else term

    quads = [Quad(rename(q.subject), q.predicate, rename(q.object), graph) for q in loaded]
    quads += provenance(submission_id, submitted, language, review, graph)
    return list(dict.fromkeys(quads))


def _agent(name: str) -> NamedNode:
    return iri.entity("agent", "reviewer-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12])


def provenance(submission_id: str, submitted: str, language: str, review: Review | None,
               graph: NamedNode) -> list[Quad]:
    """The self-report source document (kind, submitted on) and the approval (approved by, on)."""
    doc = source_iri(submission_id)
    day = date_literal(submitted[:10])
    other = "en" if language == "zh" else "zh"
    triples: list[tuple[Any, Any, Any]] = [
        (doc, DCT_TYPE, SELF_REPORT),
        (doc, DCT.issued, day),
        (doc, PROV.generatedAtTime, Literal(submitted, datatype=XSD.dateTime)),
        (doc, DCT.title, text(self_title(submission_id, submitted, review, other), other)),
        (doc, RDFS.label, text(self_title(submission_id, submitted, review, other), other)),
        (SELF_REPORT, RDF.type, SKOS.Concept),
        (SELF_REPORT, SKOS.prefLabel, text("self-report", "en")),
        (SELF_REPORT, SKOS.prefLabel, text("自报", "zh")),
        (SELF_REPORT, SKOS.definition, text(
            "A source document that is a submission to rarekg: what an organization, or someone "
            "for it, reported about itself, checked and approved by a maintainer.", "en")),
    ]
    if review is not None:
        activity = iri.entity("review", graph_name(submission_id))
        agent = _agent(review.reviewer)
        at = Literal(review.at, datatype=XSD.dateTime)
        triples += [
            (activity, RDF.type, PROV_REVIEW.Activity),
            (activity, RDFS.label, text(f"Approval of submission {submission_id} by "
                                        f"{review.reviewer} on {review.at[:10]}", "en")),
            (activity, PROV_REVIEW.used, doc),
            (activity, PROV_REVIEW.wasAssociatedWith, agent),
            (activity, PROV_REVIEW.endedAtTime, at),
            (agent, RDF.type, PROV_REVIEW.Agent),
            (agent, RDFS.label, text(review.reviewer)),
            (graph, PROV_REVIEW.wasGeneratedBy, activity),
            (graph, PROV.wasDerivedFrom, doc),
            (graph, DCT.created, at),
        ]
    return [Quad(s, p, o, graph) for s, p, o in triples]


def void_quads(quads: list[Quad], submission_id: str, title: str, approved: str) -> list[Quad]:
    """The VoID subset of a submission's graph (counts, classes, source, date), described by the
    same code as the build's graphs; without the build's own dataset totals."""
    store = Store()
    store.extend(quads)
    info = describe.SourceInfo(graph_name(submission_id), title, (graph_name(submission_id),),
                               approved[:10])
    built = datetime.fromisoformat(approved.replace("Z", "+00:00"))
    return [q for q in describe.describe(store, [info], built)
            if q.subject != describe.DATASET or q.predicate == VOID_NS.subset]


def _data(quads: Iterable[Quad]) -> str:
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        by_graph.setdefault(str(q.graph_name), []).append(f"{q.subject} {q.predicate} {q.object} .")
    return "\n".join(f"GRAPH {g} {{\n" + "\n".join(lines) + "\n}" for g, lines in by_graph.items())


def approval_update(quads: list[Quad], void: list[Quad], submission_id: str,
                    approved: str) -> str:
    """One SPARQL Update, applied as one write: the submission's graph replaced by ``quads``, its
    VoID subset by ``void``, and the dataset's triple count and modification date brought up to
    date.  Running it twice gives the same store."""
    graph = iri.graph(graph_name(submission_id))
    void_graph = iri.graph(describe.GRAPH)
    dataset = describe.DATASET
    count = len({(q.subject, q.predicate, q.object) for q in quads})
    modified = Literal(approved, datatype=XSD.dateTime)
    return f"""PREFIX void: <{VOID_NS.base}>
PREFIX dct: <{DCT.base}>
DELETE {{ GRAPH {void_graph} {{ {dataset} void:triples ?n ; dct:modified ?m }} }}
INSERT {{ GRAPH {void_graph} {{ {dataset} void:triples ?total ; dct:modified {modified} }} }}
WHERE {{ GRAPH {void_graph} {{ {dataset} void:triples ?n OPTIONAL {{ {dataset} dct:modified ?m }}
         OPTIONAL {{ {graph} void:triples ?old }} }}
        BIND ((?n - COALESCE(?old, 0) + {count}) AS ?total) }} ;
DELETE {{ GRAPH {void_graph} {{ ?x ?p ?o }} }}
WHERE {{ GRAPH {void_graph} {{ ?x ?p ?o
        FILTER (?x = {graph} || STRSTARTS(STR(?x), "{graph.value}#")) }} }} ;
DROP SILENT GRAPH {graph} ;
INSERT DATA {{
{_data([*quads, *void])}
}}
"""
