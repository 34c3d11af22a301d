"""The expert annotations of China's First List (CCRD numbering, including subtypes such as
``CCRD:72.4``) beyond ORPHA: the mapping to OMIM (E / NTBT / BTNT as SKOS exact / broad / narrow
matches) and the HPO phenotypes of each entry (``rk:hasPhenotype``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from kg import iri, tables
from kg.rdf import QuadWriter
from kg.vocab import PROV, RDF, RDFS, RK, SCHEMA, SKOS
from loaders.table import LIST_SIZES, Record, read_table

OMIM_GRAPH = "ccrd-omim-mapping"
HPO_GRAPH = "ccrd-hpo"
OMIM_COLUMNS = tables.CCRD_OMIM
HPO_COLUMNS = tables.CCRD_HPO
RELATIONS = {"E": SKOS.exactMatch, "NTBT": SKOS.broadMatch, "BTNT": SKOS.narrowMatch}


def _disease(out: QuadWriter, rec: Record, source: NamedNode) -> NamedNode:
    """The entry's disease, or its subtype (typed and named as the table names it)."""
    number = rec.convert("entry", int, required=True)
    sub = rec.convert("subtype", int) or 0
    assert number is not None
    if not 1 <= number <= LIST_SIZES[1]:
        raise rec.error("entry", f"{number} is outside list 1 (1 to {LIST_SIZES[1]})")
    parent = iri.disease(1, number)
    if not sub:
        return parent
    node = iri.subtype(1, number, sub)
    for cls in (RK.RareDisease, SCHEMA.MedicalCondition, SKOS.Concept):
        out.add(node, RDF.type, cls)
    out.add(node, SKOS.broader, parent)
    for lang in ("zh", "en"):
        name = rec.get(f"subtype_name_{lang}")
        if not name:
            raise rec.error(f"subtype_name_{lang}", "a subtype needs its name")
        out.label(node, name, lang, SKOS.prefLabel, RDFS.label, SCHEMA.name)
    out.add(node, PROV.wasDerivedFrom, source)
    return node


def load_omim(path: Path) -> Iterator[Quad]:
    """Reads ``ccrd_omim_mapping.csv``: list-1 entries and subtypes mapped to OMIM numbers."""
    out = QuadWriter(iri.graph(OMIM_GRAPH))
    for rec in read_table(path, OMIM_COLUMNS):
        source = rec.convert("source", iri.source, required=True)
        relation = rec.one_of("relation", tuple(RELATIONS), required=True)
        target = rec.convert("omim", iri.omim, required=True)
        assert source is not None and relation is not None and target is not None
        disease = _disease(out, rec, source)
        out.add(disease, RELATIONS[relation], target)
        out.add(disease, PROV.wasDerivedFrom, source)
        yield from out.drain()


def load_hpo(path: Path) -> Iterator[Quad]:
    """Reads ``ccrd_hpo.csv``: the HPO terms (space-separated) annotated to each list-1 entry."""
    out = QuadWriter(iri.graph(HPO_GRAPH))
    for rec in read_table(path, HPO_COLUMNS):
        source = rec.convert("source", iri.source, required=True)
        assert source is not None
        disease = _disease(out, rec, source)
        for term in rec.require("hpo").split():
            try:
                phenotype = iri.hpo(term)
            except ValueError as exc:
                raise rec.error("hpo", str(exc)) from None
            out.add(disease, RK.hasPhenotype, phenotype)
        out.add(disease, PROV.wasDerivedFrom, source)
        yield from out.drain()
