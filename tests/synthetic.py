"""A synthetic source shaped like the reference layer, to measure the build at millions of triples
before the real sources reach that size (``tests/bench_build.py``).

Each synthetic disease looks like an Orphanet disease of the default graph: two classes plus
``skos:Concept``, names in English and Chinese, synonyms, an ORPHA code, a definition, a parent in
the classification, HPO phenotypes, cross-references as ``rk:Mapping`` nodes (with their relation,
terminology, code and source) and a prevalence estimate.  Every node conforms to the shapes of
``ontology/``, so a build validates all of it.  The data is deterministic (a fixed seed) and is
never part of the default graph: its IRIs say ``synthetic``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from pyoxigraph import Literal, NamedNode, Quad

from kg import iri
from kg.vocab import DCT, PROV, RDF, RDFS, RK, SCHEMA, SDMX_MEASURE, SKOS, XSD

GRAPH = "synthetic"
TRIPLES_PER_DISEASE = 80  # about, with the HPO terms' labels
HPO_TERMS = 15_000
PHENOTYPES_PER_DISEASE = 12
MAPPINGS_PER_DISEASE = 4
RELATIONS = (
    (SKOS.exactMatch, "E"),
    (SKOS.broadMatch, "NTBT"),
    (SKOS.narrowMatch, "BTNT"),
)
TERMINOLOGIES = ("ICD-10", "OMIM", "MONDO", "GARD")


def _hpo(n: int) -> NamedNode:
    return NamedNode(f"http://purl.obolibrary.org/obo/HP_{n:07d}")


def synthetic_quads(diseases: int, seed: int = 15) -> Iterator[Quad]:
    """About ``TRIPLES_PER_DISEASE * diseases`` quads in the graph ``graph/synthetic``, one
    disease at a time (nothing is held in memory)."""
    rng = random.Random(seed)
    g = iri.graph(GRAPH)
    source = iri.source("synthetic-reference")
    scheme = "https://w3id.org/rarekg/vocab/orpha-mapping/"
    yield Quad(source, RDF.type, RK.SourceDocument, g)
    title = Literal("Synthetic reference data (benchmark only)", language="en")
    yield Quad(source, DCT.title, title, g)
    yield Quad(source, SCHEMA.url, NamedNode("https://example.org/rarekg/synthetic"), g)
    for n in range(1, HPO_TERMS + 1):
        yield Quad(_hpo(n), RDFS.label, Literal(f"Phenotypic abnormality {n}", language="en"), g)
        yield Quad(_hpo(n), RDFS.label, Literal(f"表型异常 {n}", language="zh"), g)
    for i in range(diseases):
        code = str(900_000 + i)
        d = NamedNode(f"https://w3id.org/rarekg/id/disease/synthetic-orpha-{code}")
        for cls in (RK.RareDisease, SCHEMA.MedicalCondition, SKOS.Concept):
            yield Quad(d, RDF.type, cls, g)
        en, zh = f"Synthetic disorder {code}", f"合成疾病 {code}"
        for p in (RDFS.label, SKOS.prefLabel):
            yield Quad(d, p, Literal(en, language="en"), g)
            yield Quad(d, p, Literal(zh, language="zh"), g)
        yield Quad(d, SCHEMA.name, Literal(en, language="en"), g)
        for k in range(3):
            yield Quad(d, SKOS.altLabel, Literal(f"{en} type {k}", language="en"), g)
        yield Quad(d, RK.orphaCode, Literal(code), g)
        yield Quad(d, SKOS.definition, Literal(
            f"A synthetic rare disorder ({code}) with onset in childhood and "
            f"{rng.randrange(2, 9)} organ systems involved.", language="en"), g)
        if i:
            parent = str(900_000 + rng.randrange(0, i))
            yield Quad(d, SKOS.broader,
                       NamedNode(f"https://w3id.org/rarekg/id/disease/synthetic-orpha-{parent}"), g)
        yield Quad(d, PROV.wasDerivedFrom, source, g)
        for hp in rng.sample(range(1, HPO_TERMS + 1), PHENOTYPES_PER_DISEASE):
            yield Quad(d, RK.hasPhenotype, _hpo(hp), g)
        for m in range(MAPPINGS_PER_DISEASE):
            predicate, relation = RELATIONS[rng.randrange(len(RELATIONS))]
            terminology = TERMINOLOGIES[m]
            target = NamedNode(f"https://example.org/{terminology.lower()}/{code}-{m}")
            node = NamedNode(f"https://w3id.org/rarekg/id/mapping/synthetic-{code}-{m}")
            yield Quad(d, RK.hasMapping, node, g)
            yield Quad(d, predicate, target, g)
            yield Quad(node, RDF.type, RK.Mapping, g)
            yield Quad(node, RDF.subject, d, g)
            yield Quad(node, RDF.predicate, predicate, g)
            yield Quad(node, RDF.object, target, g)
            yield Quad(node, RK.mappingRelation, NamedNode(scheme + relation), g)
            yield Quad(node, RK.terminology, Literal(terminology), g)
            yield Quad(node, SKOS.notation, Literal(f"{code}-{m}"), g)
            yield Quad(node, PROV.wasDerivedFrom, source, g)
            yield Quad(node, RDFS.label, Literal(f"ORPHA:{code} {relation} {terminology}"), g)
        prevalence = NamedNode(f"https://w3id.org/rarekg/id/prevalence/synthetic-{code}")
        yield Quad(d, RK.hasPrevalence, prevalence, g)
        yield Quad(prevalence, RDF.type, RK.PrevalenceEstimate, g)
        yield Quad(prevalence, RK.prevalenceType, Literal("Point prevalence"), g)
        yield Quad(prevalence, RK.geography, Literal("Worldwide"), g)
        yield Quad(prevalence, RK.prevalenceQualification, Literal("Value and class"), g)
        yield Quad(prevalence, RK.prevalenceClass, Literal("1-9 / 100 000"), g)
        yield Quad(prevalence, SDMX_MEASURE.obsValue,
                   Literal(f"{rng.randrange(1, 90) / 10:.1f}", datatype=XSD.decimal), g)
        yield Quad(prevalence, PROV.wasDerivedFrom, source, g)
        yield Quad(prevalence, RDFS.label, Literal(f"ORPHA:{code} Point prevalence, Worldwide"), g)
