"""Mondo's mappings, HPO term labels and GARD cross-references, from the tables ``rarekg
derive-tables`` makes in ``data/mondo``, ``data/hpo`` and ``data/gard``; each into its own graph.

External codes stay links, never our subjects' identity: a MONDO concept, an HPO term and a GARD
disease are described by their own IRIs (labels and SKOS matches as their source states them), and
our ORPHA diseases (``disease/orpha-<code>``) get ``skos:exactMatch`` to the MONDO and GARD concepts
that their sources map exactly to that ORPHA code.

- ``mondo``: ``skos:exactMatch`` for Mondo's exact-match files (Orphanet, OMIM, ICD-10, ICD-11
  foundation), ``skos:relatedMatch`` for its database cross-references (``oboInOwl:hasDbXref``:
  GARD, NANDO, NORD), which claim no equivalence;
- ``hpo``: English labels of HPO terms (hp.obo); ``hpo-zh``: the official Chinese labels;
- ``gard``: GARD names and cross-references with their relation (Exact, NTBT broad, BTNT narrow,
  NA as ``skos:relatedMatch``; ND, not decided, left out).

Codes without an IRI of their own (GARD, UMLS, MeSH, NANDO, NORD) are identifiers.org IRIs, as the
Orphadata loader makes them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from kg import iri
from kg.rdf import QuadWriter, text
from kg.vocab import DCT, PROV, RDFS, SKOS
from loaders.table import Record, read_table

MONDO_GRAPH = "mondo"
HPO_GRAPH = "hpo"
HPO_ZH_GRAPH = "hpo-zh"
GARD_GRAPH = "gard"
MONDO_SOURCE = "mondo-sssom-2026-08-04"
HPO_SOURCE = "hpo-2025-01-16"
HPO_ZH_SOURCE = "hpo-zh-babelon"
GARD_SOURCE = "ncats-rdas-gard"
ICD10_BLOCK = re.compile(r"^[A-Z][0-9]{2}-[A-Z][0-9]{2}$")


def icd10(code: str) -> NamedNode:
    """An ICD-10 code or block (``A15-A19``) at WHO's ICD-10 IRIs."""
    if ICD10_BLOCK.match(code):
        return NamedNode(f"http://id.who.int/icd/release/10/{code}")
    return iri.icd10(code)


TARGETS: dict[str, Callable[[str], NamedNode]] = {
    "ORPHA": iri.ordo,
    "OMIM": iri.omim,
    "ICD-10": icd10,
    "ICD-11": iri.icd11_entity,
    "GARD": lambda c: iri.identifiers_org("gard", c.removeprefix("GARD:")),
    "NANDO": lambda c: iri.identifiers_org("nando", c),
    "NORD": lambda c: iri.identifiers_org("nord", c),
    "UMLS": lambda c: iri.identifiers_org("umls", c),
    "MeSH": lambda c: iri.identifiers_org("mesh", c),
}
MONDO_PREDICATES = {"exactMatch": SKOS.exactMatch, "hasDbXref": SKOS.relatedMatch}
GARD_RELATIONS = {
    "Exact": SKOS.exactMatch,
    "NTBT": SKOS.broadMatch,
    "BTNT": SKOS.narrowMatch,
    "NA": SKOS.relatedMatch,
}
GARD_LEFT_OUT = ("ND",)


def _target(rec: Record, system: str) -> NamedNode:
    if system not in TARGETS:
        raise rec.error("system", f"{system!r} is not one of {', '.join(TARGETS)}")
    node = rec.convert("code", TARGETS[system], required=True)
    assert node is not None
    return node


def load_mondo(folder: Path) -> Iterator[Quad]:
    source = iri.source(MONDO_SOURCE)
    out = QuadWriter(iri.graph(MONDO_GRAPH))
    described: set[str] = set()
    for rec in read_table(
        folder / "mondo_mappings.csv.gz", ("mondo", "label", "predicate", "system", "code")
    ):
        mondo = rec.convert("mondo", iri.mondo, required=True)
        predicate = rec.one_of("predicate", tuple(MONDO_PREDICATES), required=True)
        system = rec.require("system")
        assert mondo is not None and predicate is not None
        if mondo.value not in described:
            described.add(mondo.value)
            out.add(mondo, SKOS.notation, text(rec.require("mondo")))
            out.label(mondo, rec.get("label"), "en", RDFS.label)
            out.add(mondo, PROV.wasDerivedFrom, source)
        out.add(mondo, MONDO_PREDICATES[predicate], _target(rec, system))
        if system == "ORPHA" and predicate == "exactMatch":
            orpha = rec.convert("code", iri.orpha_disease, required=True)
            assert orpha is not None
            out.add(orpha, SKOS.exactMatch, mondo)
        yield from out.drain()


def load_hpo(folder: Path) -> Iterator[Quad]:
    """English labels of the HPO terms (graph ``hpo``), and the term each alternative id stands
    for (``dct:isReplacedBy``: older annotations, e.g. the CCRD compendium's, use 28 of them)."""
    source = iri.source(HPO_SOURCE)
    out = QuadWriter(iri.graph(HPO_GRAPH))
    for rec in read_table(folder / "hpo_terms.csv.gz", ("hpo", "label_en", "label_zh")):
        term = rec.convert("hpo", iri.hpo, required=True)
        assert term is not None
        out.add(term, SKOS.notation, text(rec.require("hpo")))
        out.add(term, RDFS.label, text(rec.require("label_en"), "en"))
        out.add(term, PROV.wasDerivedFrom, source)
        yield from out.drain()
    for rec in read_table(folder / "hpo_alt_ids.csv.gz", ("alt", "hpo")):
        alt = rec.convert("alt", iri.hpo, required=True)
        term = rec.convert("hpo", iri.hpo, required=True)
        assert alt is not None and term is not None
        out.add(alt, DCT.isReplacedBy, term)
        out.add(alt, PROV.wasDerivedFrom, source)
        yield from out.drain()


def load_hpo_zh(folder: Path) -> Iterator[Quad]:
    """Official Chinese labels of the HPO terms (graph ``hpo-zh``)."""
    source = iri.source(HPO_ZH_SOURCE)
    out = QuadWriter(iri.graph(HPO_ZH_GRAPH))
    for rec in read_table(folder / "hpo_terms.csv.gz", ("hpo", "label_en", "label_zh")):
        if not rec.get("label_zh"):
            continue
        term = rec.convert("hpo", iri.hpo, required=True)
        assert term is not None
        out.add(term, RDFS.label, text(rec.get("label_zh"), "zh"))
        out.add(term, PROV.wasDerivedFrom, source)
        yield from out.drain()


def load_gard(folder: Path) -> Iterator[Quad]:
    source = iri.source(GARD_SOURCE)
    out = QuadWriter(iri.graph(GARD_GRAPH))
    for rec in read_table(
        folder / "gard_diseases.csv.gz", ("gard", "source", "source_id", "name")
    ):
        gard = rec.convert("gard", TARGETS["GARD"], required=True)
        assert gard is not None
        out.add(gard, SKOS.notation, text(rec.require("gard")))
        out.add(gard, RDFS.label, text(rec.require("name"), "en"))
        out.add(gard, PROV.wasDerivedFrom, source)
        yield from out.drain()
    for rec in read_table(folder / "gard_xrefs.csv.gz", ("gard", "system", "code", "relation")):
        relation = rec.one_of("relation", (*GARD_RELATIONS, *GARD_LEFT_OUT), required=True)
        if relation is None or relation in GARD_LEFT_OUT:
            continue
        gard = rec.convert("gard", TARGETS["GARD"], required=True)
        system = rec.require("system")
        assert gard is not None
        out.add(gard, GARD_RELATIONS[relation], _target(rec, system))
        if system == "ORPHA" and relation == "Exact":
            orpha = rec.convert("code", iri.orpha_disease, required=True)
            assert orpha is not None
            out.add(orpha, SKOS.exactMatch, gard)
        yield from out.drain()
