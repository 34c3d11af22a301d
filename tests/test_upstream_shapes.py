"""The SHACL shapes of the upstream sources (ontology/shapes-upstream.ttl): the fixtures of every
format conform; a broken membership, phenotype, mapping or decision is a violation with its
message."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

import rdflib
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store

from kg import iri
from kg.paths import ONTOLOGY_DIR
from kg.shapes import Finding, validate_graph
from kg.vocab import DCT, ORG, PROV, RDF, RK, SKOS
from loaders import ctgov, ema, fda, hospitals, nmpa, orphadata, rdffiles
from tests.upstream import UPSTREAM, drug_index

SOURCES = [
    iri.source(s)
    for s in (
        "fixture",
        "cn-vat-2019",
        "cn-cde-list1",
        "cn-rep-2018",
        "cn-rep-2019",
        "cn-rep-2023",
        "cn-nmpa-news-1",
        "cn-nhc2019-157",
        "cn-nhc2019-157-nhc-copy",
        "cn-nhc2024-64",
    )
]
SRC = SOURCES[0]


def _fixtures() -> list[Quad]:
    return list(
        chain(
            rdffiles.load([ONTOLOGY_DIR / "rarekg.ttl", ONTOLOGY_DIR / "schemes.ttl"], "ontology"),
            ctgov.load(
                UPSTREAM / "ctgov_page.json", source=SRC, drugs=drug_index()
            ),
            fda.load(UPSTREAM / "fda.csv", source=SRC),
            ema.load(UPSTREAM / "ema.json", source=SRC),
            orphadata.load(UPSTREAM / "orphadata_cross_en.json", source=SRC),
            orphadata.load(UPSTREAM / "orphadata_epidemiology.json", source=SRC),
            nmpa.load(UPSTREAM / "nmpa.json", source=SRC, documents_described=True),
            hospitals.load(
                UPSTREAM / "hospitals.json", source=SRC, on_error="skip", documents_described=True
            ),
            (Quad(s, RDF.type, RK.SourceDocument, iri.graph("test")) for s in SOURCES),
            (Quad(s, DCT.title, Literal("a fixture document"), iri.graph("test")) for s in SOURCES),
        )
    )


def _violations(quads: Iterable[Quad]) -> list[Finding]:
    store = Store()
    store.extend(list(quads))
    graph = rdflib.Graph()
    data = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    graph.parse(data=data.serialize(format=RdfFormat.N_TRIPLES), format="nt")
    return [f for f in validate_graph(graph) if f.severity == "Violation"]


def _ours(findings: list[Finding]) -> list[Finding]:
    """Findings on the nodes of the upstream fixtures (the lists and organizations they point to
    are not part of this small graph)."""
    return [
        f
        for f in findings
        if "listed disease" not in f.message
        and "/disease/cn" not in f.value
        and "/policy/us-orphan-drug-act" not in f.value
        and "/org/nmpa" not in f.value
        and "/org/cde" not in f.value
        and "/org/mof" not in f.value
        and "/org/gacc" not in f.value
        and "/org/sta" not in f.value
        and "/org/european-medicines-agency" not in f.value
    ]


def test_fixtures_of_every_format_conform() -> None:
    findings = _ours(_violations(_fixtures()))
    assert not findings, "\n".join(str(f) for f in findings[:20])


def test_broken_upstream_nodes_are_violations() -> None:
    g = iri.graph("test")
    member = iri.membership(iri.network_hospital(2024, 4), 2024)
    disease = iri.orpha_disease("33069")
    status = iri.eu_designation(SRC, "EU/3/12/976")
    mapping = next(iter({q.object for q in _fixtures() if q.predicate == RK.hasMapping}))
    broken = [
        Quad(member, ORG.role, iri.concept("decision-type", "withdrawal"), g),
        Quad(disease, RK.hasPhenotype, NamedNode("http://example.org/phenotype/1"), g),
        Quad(status, RK.jurisdiction, Literal("European Union"), g),
        Quad(mapping, RK.mappingRelation, iri.concept("decision-type", "refusal"), g),
        Quad(member, PROV.wasDerivedFrom, iri.source("cn-nhc2019-157"), g),
        Quad(mapping, SKOS.notation, Literal("another code"), g),
    ]
    findings = _ours(_violations([*_fixtures(), *broken]))
    messages = {(f.focus, f.message) for f in findings}
    assert (member.value, "the role is a concept of the network-role scheme") in messages
    assert (member.value, "a membership is stated by exactly one list") in messages
    assert (disease.value, "a phenotype is an HPO term (HP_ and 7 digits)") in messages
    assert (
        status.value,
        "a decision applies in one jurisdiction (ISO 3166-1 alpha-2, EU or INT)",
    ) in messages
    assert (
        mapping.value,
        "the relation is a concept of the Orphanet mapping scheme (E, NTBT, BTNT)",
    ) in messages
    assert any(f.focus == mapping.value and f.path == "skos:notation" for f in findings)
    # nothing else of the fixtures is reported
    assert {f.focus for f in findings} - {
        member.value,
        disease.value,
        status.value,
        mapping.value,
    } <= {
        iri.concept("decision-type", "withdrawal").value,
        iri.concept("decision-type", "refusal").value,
    }
