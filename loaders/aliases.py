"""ORPHA links and folk names of the national list entries, and the expert list-1 mapping to
ORPHA."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from kg import iri, tables
from kg.rdf import QuadWriter, text
from kg.vocab import PROV, RDF, RDFS, RK, SCHEMA, SKOS
from loaders.table import LIST_SIZES, Record, read_table

GRAPH = "china-list-aliases"
MAPPING_GRAPH = "ccrd-orpha-mapping"
LINK_COLUMNS = tables.ORPHA_LINKS
FOLK_COLUMNS = tables.FOLK_NAMES
MAPPING_COLUMNS = tables.CCRD_ORPHA
RELATIONS = {"E": SKOS.exactMatch, "NTBT": SKOS.broadMatch, "BTNT": SKOS.narrowMatch}


def _entry(rec: Record, list_field: str = "list", no_field: str = "no") -> NamedNode:
    list_no = rec.convert(list_field, int, required=True)
    number = rec.convert(no_field, int, required=True)
    assert list_no is not None and number is not None
    if list_no not in LIST_SIZES:
        raise rec.error(list_field, f"{list_no} is not a national list (1 or 2)")
    if not 1 <= number <= LIST_SIZES[list_no]:
        raise rec.error(no_field, f"{number} is outside list {list_no}")
    return iri.disease(list_no, number)


REVIEW_COLUMNS = ("list", "no", "orpha", "relation", "replaces", "reason", "source")
Review = dict[tuple[int, int, str], tuple[str, str, NamedNode, str]]


def read_review(path: Path | None) -> Review:
    """Reviewed relations of list entries to ORPHA codes (``data/reviews/orpha_relations.csv``):
    (list, entry, ORPHA code) -> (relation, the relation it replaces, source, reason)."""
    review: Review = {}
    if path is None:
        return review
    for rec in read_table(path, REVIEW_COLUMNS):
        _entry(rec)
        list_no, number = int(rec.require("list")), int(rec.require("no"))
        code = rec.require("orpha")
        relation = rec.one_of("relation", tuple(RELATIONS), required=True)
        replaces = rec.one_of("replaces", tuple(RELATIONS), required=True)
        src = rec.convert("source", iri.source, required=True)
        assert relation is not None and replaces is not None and src is not None
        review[(list_no, number, code)] = (relation, replaces, src, rec.require("reason"))
    return review


def _link(out: QuadWriter, subject: NamedNode, relation: str, ordo: NamedNode,
          reviewed: tuple[str, str, NamedNode, str] | None) -> None:
    """``subject`` matches ``ordo`` as its source states, or as the review corrects it (the
    correction as an evidence node with the review's reason)."""
    if reviewed is None or reviewed[1] != relation:
        out.add(subject, RELATIONS[relation], ordo)
        return
    corrected, _, src, reason = reviewed
    out.evidence(subject, RELATIONS[corrected], ordo, src, reason, "en")


def load(directory: Path, review: Path | None = None) -> Iterator[Quad]:
    """Reads ``orpha_links.csv`` and ``folk_names.csv``: ORPHA exact matches (as corrected by the
    reviewed relations in ``review``) and folk names."""
    out = QuadWriter(iri.graph(GRAPH))
    reviewed = read_review(review)
    for rec in read_table(directory / "orpha_links.csv", LINK_COLUMNS):
        disease = _entry(rec)
        code = rec.require("orpha")
        ordo = rec.convert("orpha", iri.ordo, required=True)
        src = rec.convert("source", iri.source, required=True)
        assert ordo is not None and src is not None
        key = (int(rec.require("list")), int(rec.require("no")), code)
        _link(out, disease, "E", ordo, reviewed.get(key))
        out.add(disease, RK.orphaCode, text(code))
        out.add(disease, PROV.wasDerivedFrom, src)
        out.add(ordo, RDFS.label, text(rec.get("orpha_name_en"), "en"))
        if rec.get("orpha_name_zh"):
            out.add(ordo, RDFS.label, text(rec.get("orpha_name_zh"), "zh"))
        if rec.get("orpha_disorder_group"):
            out.add(ordo, RDFS.comment, text(f"Orphanet: {rec.get('orpha_disorder_group')}", "en"))
        for lang in ("en", "zh"):
            name = rec.get(f"orpha_name_{lang}")
            if name:
                out.add(disease, SKOS.altLabel, text(name, lang))
        yield from out.drain()
    for rec in read_table(directory / "folk_names.csv", FOLK_COLUMNS):
        disease = _entry(rec)
        src = rec.convert("source", iri.source, required=True)
        assert src is not None
        name = rec.require("text")
        out.add(disease, SKOS.altLabel, text(name, "zh" if not name.isascii() else "en"))
        out.add(disease, PROV.wasDerivedFrom, src)
        yield from out.drain()


def load_mapping(path: Path, review: Path | None = None) -> Iterator[Quad]:
    """Reads ``ccrd_orpha_mapping.csv``: list-1 entries and their subtypes mapped to ORPHA codes
    with E (skos:exactMatch), NTBT (skos:broadMatch) or BTNT (skos:narrowMatch), as corrected by
    the reviewed relations in ``review`` (entries only, not subtypes)."""
    out = QuadWriter(iri.graph(MAPPING_GRAPH))
    reviewed = read_review(review)
    for rec in read_table(path, MAPPING_COLUMNS):
        number = rec.convert("entry", int, required=True)
        subtype = rec.convert("subtype", int) or 0
        assert number is not None
        if not 1 <= number <= LIST_SIZES[1]:
            raise rec.error("entry", f"{number} is outside list 1")
        parent = iri.disease(1, number)
        src = rec.convert("source", iri.source, required=True)
        relation = rec.one_of("relation", tuple(RELATIONS), required=True)
        ordo = rec.convert("orpha", iri.ordo, required=True)
        assert src is not None and relation is not None and ordo is not None
        subject = parent
        if subtype:
            subject = iri.entity("disease", f"{iri.list_key(1, number)}-{subtype}")
            for cls in (RK.RareDisease, SCHEMA.MedicalCondition, SKOS.Concept):
                out.add(subject, RDF.type, cls)
            out.add(subject, SKOS.broader, parent)
            for lang in ("zh", "en"):
                name = rec.get(f"subtype_name_{lang}")
                if not name:
                    raise rec.error(f"subtype_name_{lang}", "a subtype needs its name")
                out.label(subject, name, lang, SKOS.prefLabel, RDFS.label, SCHEMA.name)
            out.add(subject, PROV.wasDerivedFrom, src)
        fix = None if subtype else reviewed.get((1, number, rec.require("orpha")))
        _link(out, subject, relation, ordo, fix)
        out.add(subject, PROV.wasDerivedFrom, src)
        yield from out.drain()
