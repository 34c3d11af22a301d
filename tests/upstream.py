"""Helpers for the upstream-format tests: the fixture folder, small stores, ASK in a graph, and the
disease and drug indexes built from the fixture tables."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from pathlib import Path

from pyoxigraph import Quad, Store

from kg import iri
from kg.names import DiseaseIndex, DrugIndex
from kg.store.union import union_dataset
from loaders import aliases, fda, lists, nmpa, orphadata

UPSTREAM = Path(__file__).parent / "data" / "upstream"
LISTS = UPSTREAM / "lists"
ID = "https://w3id.org/rarekg/id/"
PREFIXES = """
PREFIX rk: <https://w3id.org/rarekg/vocab#>
PREFIX rkid: <https://w3id.org/rarekg/id/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX sdmx: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX dt: <https://w3id.org/rarekg/vocab/decision-type/>
PREFIX om: <https://w3id.org/rarekg/vocab/orpha-mapping/>
PREFIX nr: <https://w3id.org/rarekg/vocab/network-role/>
"""


def store_of(quads: Iterable[Quad]) -> Store:
    store = Store()
    store.extend(list(quads))
    return store


def ask(store: Store, where: str, graph: str) -> bool:
    return bool(
        store.query(
            PREFIXES + f"ASK {{ GRAPH <https://w3id.org/rarekg/graph/{graph}> {{ {where} }} }}"
        )
    )


def values(store: Store, select: str) -> list[str]:
    """The values of the first variable of a SELECT over all graphs, sorted."""
    rows = store.query(PREFIXES + select, **union_dataset(store))
    return sorted(row[0].value for row in rows)  # type: ignore[index,union-attr]


def disease_index() -> DiseaseIndex:
    """The listed diseases of the fixture lists, with the Orphadata names of ORPHA:33069."""
    return DiseaseIndex.from_quads(
        chain(
            lists.load(LISTS),
            aliases.load(LISTS),
            aliases.load_mapping(LISTS / "ccrd_orpha_mapping.csv"),
            orphadata.load(UPSTREAM / "orphadata_cross_en.json", source=iri.source("orphadata-en")),
        )
    )


def drug_index() -> DrugIndex:
    return DrugIndex.from_quads(
        chain(
            nmpa.load(UPSTREAM / "nmpa.json", source=iri.source("nmpa-fixture")),
            fda.load(UPSTREAM / "fda.csv", source=iri.source("fda-fixture")),
        )
    )
