"""China's national rare disease lists: the lists, their entries, the diseases and the issuing
notices."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, Quad

from kg import iri, tables
from kg.rdf import QuadWriter, date_literal, integer, text
from kg.vocab import DCT, PROV, RDF, RDFS, RK, SCHEMA, SKOS, XSD
from loaders.table import LIST_SIZES, read_table

GRAPH = "china-lists"
COLUMNS = tables.LIST_ENTRIES
NOTICE_COLUMNS = tables.NOTICES
LIST_NAMES = {
    1: ("第一批罕见病目录", "China First National List of Rare Diseases (2018)"),
    2: ("第二批罕见病目录", "China Second National List of Rare Diseases (2023)"),
}


def _list_number(value: str) -> int:
    number = int(value)
    if number not in LIST_SIZES:
        raise ValueError("list must be 1 or 2")
    return number


def _issuer(issuer: str, _value: str) -> Any:
    return iri.organization(issuer.strip())


def load(directory: Path) -> Iterator[Quad]:
    """Reads ``china_rare_disease_lists.csv`` and ``notices.csv`` in ``directory``."""
    out = QuadWriter(iri.graph(GRAPH))
    list_sources: dict[int, str] = {}
    counts: dict[int, int] = {}
    for rec in read_table(directory / "china_rare_disease_lists.csv", COLUMNS):
        list_no = rec.convert("list", _list_number, required=True)
        number = rec.convert("no", int, required=True)
        assert list_no is not None and number is not None
        if not 1 <= number <= LIST_SIZES[list_no]:
            raise rec.error(
                "no", f"{number} is outside list {list_no} (1 to {LIST_SIZES[list_no]})"
            )
        src = rec.convert("source", iri.source, required=True)
        assert src is not None
        list_sources[list_no] = rec.get("source")
        counts[list_no] = counts.get(list_no, 0) + 1
        name_zh, name_en = rec.require("name_zh"), rec.require("name_en")
        disease, entry, lst = (
            iri.disease(list_no, number),
            iri.list_entry(list_no, number),
            iri.national_list(list_no),
        )
        for cls in (RK.RareDisease, SCHEMA.MedicalCondition, SKOS.Concept):
            out.add(disease, RDF.type, cls)
        for lang, name in (("zh", name_zh), ("en", name_en)):
            out.label(disease, name, lang, SKOS.prefLabel, RDFS.label, SCHEMA.name)
            out.add(entry, RK.printedName, text(name, lang))
        out.add(disease, RK.listedIn, lst)
        out.add(disease, RK.hasListEntry, entry)
        out.add(disease, PROV.wasDerivedFrom, src)
        out.add(lst, SKOS.member, disease)
        out.add(entry, RDF.type, RK.ListEntry)
        out.add(entry, RDF.type, SCHEMA.ListItem)
        out.add(entry, RK.inList, lst)
        out.add(entry, RK.entryNumber, integer(number))
        out.add(entry, SCHEMA.position, integer(number))
        out.add(entry, RK.entryOf, disease)
        out.add(entry, SCHEMA.item, disease)
        out.add(entry, PROV.wasDerivedFrom, src)
        out.add(entry, RDFS.label, text(f"{name_zh} ({list_no}-{number})", "zh"))
        out.add(entry, RDFS.label, text(f"{name_en} (list {list_no}, entry {number})", "en"))
        yield from out.drain()
    for list_no, slug in sorted(list_sources.items()):
        lst = iri.national_list(list_no)
        for cls in (RK.RareDiseaseList, SKOS.Collection, SCHEMA.ItemList):
            out.add(lst, RDF.type, cls)
        zh, en = LIST_NAMES[list_no]
        out.label(lst, zh, "zh", SKOS.prefLabel, RDFS.label, SCHEMA.name)
        out.label(lst, en, "en", SKOS.prefLabel, RDFS.label, SCHEMA.name)
        out.add(lst, RK.listSize, integer(counts[list_no]))
        out.add(lst, PROV.wasDerivedFrom, iri.source(slug))
    yield from out.drain()
    yield from _load_notices(directory / "notices.csv", out)


def _load_notices(path: Path, out: QuadWriter) -> Iterator[Quad]:
    for rec in read_table(path, NOTICE_COLUMNS):
        list_no = rec.convert("list", _list_number, required=True)
        assert list_no is not None
        notice = rec.convert("id", iri.policy, required=True)
        src = rec.convert("source", iri.source, required=True)
        assert notice is not None and src is not None
        for cls in (RK.Policy, SCHEMA.Legislation):
            out.add(notice, RDF.type, cls)
        title = rec.require("title_zh")
        out.label(notice, title, "zh", SKOS.prefLabel, RDFS.label, SCHEMA.name)
        number = rec.require("document_no")
        out.add(notice, RK.documentNumber, text(number))
        out.add(notice, SCHEMA.legislationIdentifier, text(number))
        date = rec.convert("date", date_literal, required=True)
        assert date is not None
        out.add(notice, DCT.date, date)
        out.add(notice, SCHEMA.legislationDate, date)
        out.add(notice, RK.jurisdiction, text("CN"))
        out.add(notice, SCHEMA.legislationJurisdiction, text("CN"))
        out.add(notice, RK.establishesList, iri.national_list(list_no))
        for issuer in filter(None, rec.get("issuers").split(";")):
            org = rec.convert("issuers", partial(_issuer, issuer))
            assert org is not None
            out.add(notice, RK.issuedBy, org)
            out.add(notice, SCHEMA.legislationPassedBy, org)
        if rec.get("url"):
            out.add(notice, SCHEMA.url, Literal(rec.get("url"), datatype=XSD.anyURI))
        out.add(notice, PROV.wasDerivedFrom, src)
        yield from out.drain()
