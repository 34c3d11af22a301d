"""EU marketing authorisations: the EMA's table of European public assessment reports (EPAR), as
derived (``product_number``, ``medicine_name``, ``inn``, ``active_substance``, ``status``,
``orphan``, dates as ``YYYY-MM-DD``, ``indication``, ``url``), gzip-compressed or plain CSV.

Every medicine is an ``rk:RegulatoryStatus`` in the European Union (``rk:jurisdiction "EU"``): an
``Authorised`` medicine a marketing approval dated by its marketing authorisation date, decided by
the European Commission on the opinion of the EMA (the opinion date is kept as a comment); a
``Withdrawn`` one the same approval plus a withdrawal (the table gives no withdrawal date); a
``Refused`` one a refusal dated by the date of refusal (a date the table leaves empty stays
undated: 2 authorisations, 2 refusals). Each keeps the product number, the status
as published, the orphan flag (``rk:orphanMedicine``), the indication text verbatim (whitespace
runs as one space) for the linking phase, and the EPAR page. The drug is the substance of the INN
(else the active substance), through ``kg.drugs``: the same IRI as the FDA, NMPA and NRDL records
of that substance; the medicine name is its brand. No disease is linked here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from kg import iri
from kg.drugs import DrugIdentity
from kg.rdf import QuadWriter, date_literal, text
from kg.records import ErrorPolicy, Skipped
from kg.vocab import DCT, ORG, PROV, RDF, RDFS, RK, SCHEMA, XSD
from loaders.table import Record, read_table

GRAPH = "ema-epar"
EMA = iri.organization("european-medicines-agency")
EC = iri.organization("european-commission")
COLUMNS = (
    "product_number",
    "medicine_name",
    "inn",
    "active_substance",
    "status",
    "orphan",
    "conditional",
    "exceptional",
    "opinion_date",
    "authorisation_date",
    "refusal_date",
    "indication",
    "url",
)
STATUSES = ("Authorised", "Withdrawn", "Refused")
FLAGS = ("yes", "no")
LABELS = {
    "marketing-approval": "EU marketing authorisation",
    "withdrawal": "EU marketing authorisation withdrawn",
    "refusal": "EU marketing authorisation refused",
}


def load(
    path: Path,
    *,
    source: NamedNode,
    identity: DrugIdentity | None = None,
    graph: str = GRAPH,
    on_error: str = "stop",
    skipped: Skipped | None = None,
) -> Iterator[Quad]:
    """Quads of the EPAR table at ``path``; ``source`` is the table's document.  Raises
    ``LoadError`` naming file, record (data row, from 1) and field."""
    policy = ErrorPolicy(on_error, skipped)
    ident = identity or DrugIdentity()
    out = QuadWriter(iri.graph(graph))
    for node, name in ((EMA, "European Medicines Agency"), (EC, "European Commission")):
        for cls in (
            RK.GovernmentBody,
            RK.Organization,
            SCHEMA.GovernmentOrganization,
            SCHEMA.Organization,
            ORG.Organization,
        ):
            out.add(node, RDF.type, cls)
        out.label(node, name, "en", RDFS.label, SCHEMA.name)
        out.add(node, RK.country, text("INT"))
        out.add(node, PROV.wasDerivedFrom, source)
    out.add(EMA, RDF.type, RK.RegulatoryAuthority)
    yield from out.drain()
    rows = read_table(path, COLUMNS)
    yield from policy.emit(out, rows, lambda rec: _row(out, rec, source, ident))


def _row(out: QuadWriter, rec: Record, source: NamedNode, ident: DrugIdentity) -> None:
    if None in rec.row:
        raise rec.error(None, "has more cells than the header")
    number = rec.require("product_number")
    medicine = rec.require("medicine_name")
    inn, substance = rec.get("inn"), rec.get("active_substance")
    if not (inn or substance):
        raise rec.error("inn", "a medicine needs an INN or an active substance")
    published = rec.one_of("status", STATUSES, required=True)
    orphan = rec.one_of("orphan", FLAGS, required=True)
    indication = rec.get("indication")
    try:
        drug = ident.drug(inn, substance)
    except ValueError as exc:
        raise rec.error("inn", str(exc)) from None
    slug = iri.name_slug(number)
    name = inn or substance

    out.add(drug, RDF.type, RK.Drug)
    out.add(drug, RDF.type, SCHEMA.Drug)
    out.label(drug, name, "en", RDFS.label, SCHEMA.name)
    if inn:
        out.add(drug, RK.inn, text(inn))
    out.add(drug, RK.brandName, text(medicine))
    out.add(drug, PROV.wasDerivedFrom, source)

    kinds: list[tuple[str, str | None]] = []
    if published == "Refused":
        kinds.append(("refusal", rec.convert("refusal_date", _date)))
    else:
        approved = rec.convert("authorisation_date", _date)
        kinds.append(("marketing-approval", approved))
        if published == "Withdrawn":
            kinds.append(("withdrawal", None))
    opinion = rec.convert("opinion_date", _date)
    for kind, when in kinds:
        status = iri.entity("status", f"eu-epar-{slug}-{kind}")
        out.add(drug, RK.hasRegulatoryStatus, status)
        out.add(status, RDF.type, RK.RegulatoryStatus)
        out.add(status, RDF.type, SCHEMA.DrugLegalStatus)
        out.add(status, RK.ofDrug, drug)
        out.add(status, RK.statusType, iri.concept("decision-type", kind))
        out.add(status, RK.jurisdiction, text("EU"))
        out.add(status, SCHEMA.applicableLocation, text("EU"))
        out.add(status, RK.decidedBy, EC)
        out.add(status, RK.publishedStatus, text(published or "", "en"))
        out.add(status, RK.sourceRecord, text(number))
        out.add(status, SCHEMA.identifier, text(number))
        out.add(
            status, RK.orphanMedicine, Literal(str(orphan == "yes").lower(), datatype=XSD.boolean)
        )
        out.add(status, RDFS.label, text(f"{medicine} ({name}): {LABELS[kind]}", "en"))
        out.add(status, PROV.wasDerivedFrom, source)
        if when:
            out.add(status, DCT.date, date_literal(when))
        if indication:
            out.add(status, RK.indicationText, text(indication, "en"))
        url = rec.get("url")
        if url:
            out.add(status, SCHEMA.url, Literal(url, datatype=XSD.anyURI))
        if opinion and kind != "withdrawal":
            out.add(status, RDFS.comment, text(f"opinion of the EMA (CHMP): {opinion}", "en"))
        for flag, words in (
            ("conditional", "conditional approval"),
            ("exceptional", "under exceptional circumstances"),
        ):
            if rec.get(flag) == "yes" and kind == "marketing-approval":
                out.add(status, RDFS.comment, text(words, "en"))


def _date(value: str) -> str:
    date_literal(value)
    if len(value) != 10:
        raise ValueError("is not a date (YYYY-MM-DD)")
    return value
