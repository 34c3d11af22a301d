"""kg/vocab.py's RK and ontology/rarekg.ttl name the same terms, each with English and Chinese
labels and definitions; the concept schemes the loaders use hold the concepts they mint."""

from __future__ import annotations

import rdflib
from rdflib.namespace import RDFS, SKOS

from kg import iri
from kg.paths import ONTOLOGY_DIR
from kg.vocab import RK, VOCAB


def test_every_rk_term_is_declared_with_bilingual_label_and_definition() -> None:
    graph = rdflib.Graph().parse(ONTOLOGY_DIR / "rarekg.ttl", format="turtle")
    declared = {str(s).removeprefix(VOCAB) for s in graph.subjects() if str(s).startswith(VOCAB)}
    assert declared == set(RK.terms)
    for term in RK.terms:
        node = rdflib.URIRef(VOCAB + term)
        for prop in (RDFS.label, SKOS.definition):
            assert {v.language for v in graph.objects(node, prop)} >= {"en", "zh"}, (term, prop)


def test_the_network_roles_and_orpha_relations_are_concepts_of_their_schemes() -> None:
    graph = rdflib.Graph().parse(ONTOLOGY_DIR / "schemes.ttl", format="turtle")
    for role in ("national-lead", "provincial-lead", "member"):
        concept = rdflib.URIRef(iri.concept("network-role", role).value)
        assert (concept, SKOS.inScheme, rdflib.URIRef(RK.NetworkRoleScheme.value)) in graph
    for code in ("E", "NTBT", "BTNT"):
        concept = rdflib.URIRef(iri.orpha_relation(code).value)
        assert (concept, SKOS.inScheme, rdflib.URIRef(RK.OrphaMappingScheme.value)) in graph
