"""Rare-disease drugs approved in China (the project's table derived from the official documents)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from kg import iri
from kg.rdf import QuadWriter, date_literal, text
from kg.vocab import DCT, PROV, RDF, RDFS, RK, SCHEMA, SKOS, XSD
from loaders.table import disease_ref, read_table

GRAPH = "china-drug-approvals"
COLUMNS = ("id", "drug_zh", "inn", "brand", "indication_zh", "diseases", "approved",
           "approval_date", "approval_year", "approval_type", "source", "quote")
NMPA = "nmpa"


def load(path: Path) -> Iterator[Quad]:
    out = QuadWriter(iri.graph(GRAPH))
    approval = iri.concept("decision-type", "marketing-approval")
    for rec in read_table(path, COLUMNS):
        drug = rec.convert("id", iri.drug, required=True)
        src = rec.convert("source", iri.source, required=True)
        assert drug is not None and src is not None
        name_zh, inn, brand = rec.get("drug_zh"), rec.get("inn"), rec.get("brand")
        if not (name_zh or inn or brand):
            raise rec.error("drug_zh", "a drug needs a Chinese name, an INN or a brand")
        out.add(drug, RDF.type, RK.Drug)
        out.add(drug, RDF.type, SCHEMA.Drug)
        out.label(drug, name_zh, "zh", SKOS.prefLabel, RDFS.label, SCHEMA.name)
        out.label(drug, inn, "en", RDFS.label, SCHEMA.name)
        if inn:
            out.add(drug, RK.inn, text(inn))
        if brand:
            out.add(drug, RK.brandName, text(brand))
        out.add(drug, PROV.wasDerivedFrom, src)
        diseases: list[NamedNode] = []
        for ref in filter(None, rec.get("diseases").split(";")):
            target = rec.convert("diseases", lambda _v, r=ref: disease_ref(r.strip()))
            if not isinstance(target, NamedNode):
                raise rec.error("diseases", f"{ref!r} must name a list entry")
            diseases.append(target)
        approved = rec.one_of("approved", ("yes", "no"), required=True)
        if approved == "yes":
            status = iri.status("cn-approval", rec.require("id"))
            out.add(drug, RK.hasRegulatoryStatus, status)
            out.add(status, RDF.type, RK.RegulatoryStatus)
            out.add(status, RDF.type, SCHEMA.DrugLegalStatus)
            out.add(status, RK.ofDrug, drug)
            out.add(status, RK.statusType, approval)
            out.add(status, RK.jurisdiction, text("CN"))
            out.add(status, SCHEMA.applicableLocation, text("CN"))
            out.add(status, RK.decidedBy, iri.organization(NMPA))
            label = name_zh or inn or brand
            out.add(status, RDFS.label, text(f"{label}: 中国上市批准", "zh"))
            out.add(status, RDFS.label, text(f"{label}: marketing approval in China", "en"))
            date = rec.convert("approval_date", date_literal)
            if date is not None:
                out.add(status, DCT.date, date)
            year = rec.convert("approval_year", lambda v: Literal(str(int(v)), datatype=XSD.gYear))
            if year is not None:
                out.add(status, RK.approvalYear, year)
            for d in diseases:
                out.add(status, RK.forIndication, d)
            if rec.get("indication_zh"):
                out.add(status, RK.indicationText, text(rec.get("indication_zh"), "zh"))
            if rec.get("approval_type"):
                out.add(status, RDFS.comment, text(f"审评审批: {rec.get('approval_type')}", "zh"))
            out.add(status, PROV.wasDerivedFrom, src)
            out.add(status, RK.evidenceQuote, text(rec.require("quote"), "zh"))
        elif rec.get("indication_zh"):
            out.add(drug, RK.indicationText, text(rec.get("indication_zh"), "zh"))
        yield from out.drain()

