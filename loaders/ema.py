"""EU orphan designations: the JSON records of the European Medicines Agency's orphan designation
data (``meta`` and ``data[]`` with ``eu_designation_number``, ``active_substance``,
``intended_use``, ``status``, dates as ``DD/MM/YYYY``).

Each record is an ``rk:RegulatoryStatus`` of type orphan designation (``Positive``, and designations
since ``Withdrawn`` or ``Expired``; a ``Negative`` opinion is a refusal) in the European Union
(``rk:jurisdiction "EU"``), decided by the EMA, for the drug named by its active substance
(``kg.drugs``: the same IRI as the FDA, EPAR, NMPA and NRDL records of that substance) with the
medicine name as its brand.  A withdrawn designation also gets a withdrawal status.  The intended
use is kept as published (``rk:indicationText``); the build's linking phase (``kg/build/link.py``)
resolves it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from kg import iri
from kg.drugs import DrugIdentity
from kg.errors import LoadError
from kg.rdf import QuadWriter, date_literal, text
from kg.records import ErrorPolicy, Skipped
from kg.vocab import DCT, ORG, PROV, RDF, RDFS, RK, SCHEMA, XSD
from loaders.upstream import JsonRecord, read_json, records

GRAPH = "ema-orphan-designations"
EMA = iri.organization("european-medicines-agency")
EMA_NAME = "European Medicines Agency"
DESIGNATED = ("Positive", "Withdrawn", "Expired")
REFUSED = ("Negative",)
_EU_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def eu_date(value: str) -> str:
    """``DD/MM/YYYY`` as ``YYYY-MM-DD``.  Raises ``ValueError``."""
    match = _EU_DATE.match(value.strip())
    if not match:
        raise ValueError("is not a date (DD/MM/YYYY)")
    day, month, year = (int(g) for g in match.groups())
    return date(year, month, day).isoformat()


def load(
    path: Path,
    *,
    source: NamedNode,
    graph: str = GRAPH,
    identity: DrugIdentity | None = None,
    on_error: str = "stop",
    skipped: Skipped | None = None,
) -> Iterator[Quad]:
    """Quads of the EMA orphan designation records at ``path``; ``source`` is the file's document.
    Raises ``LoadError`` naming file, record (from 1) and field."""
    policy = ErrorPolicy(on_error, skipped)
    data = read_json(path)
    out = QuadWriter(iri.graph(graph))
    for cls in (
        RK.RegulatoryAuthority,
        RK.GovernmentBody,
        RK.Organization,
        SCHEMA.GovernmentOrganization,
        SCHEMA.Organization,
        ORG.Organization,
    ):
        out.add(EMA, RDF.type, cls)
    out.label(EMA, EMA_NAME, "en", RDFS.label, SCHEMA.name)
    out.add(EMA, RK.country, text("INT"))
    out.add(EMA, PROV.wasDerivedFrom, source)
    yield from out.drain()

    def build(rec: JsonRecord | LoadError) -> None:
        if isinstance(rec, LoadError):
            raise rec
        _record(out, rec, source, identity or DrugIdentity())

    yield from policy.emit(out, records(path, data, "data"), build)


def _record(out: QuadWriter, rec: JsonRecord, source: NamedNode, ident: DrugIdentity) -> None:
    number = rec.require("eu_designation_number")
    status = rec.convert(
        "eu_designation_number", lambda v: iri.eu_designation(source, v), required=True
    )
    substance = rec.require("active_substance")
    drug = rec.convert("active_substance", ident.drug, required=True)
    published_status = rec.require("status")
    if published_status not in DESIGNATED + REFUSED:
        raise rec.error(
            "status", f"{published_status!r} is not one of {', '.join(DESIGNATED + REFUSED)}"
        )
    decided = rec.convert("date_of_designation_or_refusal", eu_date, required=True)
    first_published = rec.convert("first_published_date", eu_date)
    updated = rec.convert("last_updated_date", eu_date)
    intended_use = rec.require("intended_use")
    medicine = rec.text("medicine_name")
    assert status is not None and drug is not None and decided is not None

    out.add(drug, RDF.type, RK.Drug)
    out.add(drug, RDF.type, SCHEMA.Drug)
    out.label(drug, substance, "en", RDFS.label, SCHEMA.name)
    if medicine:
        out.add(drug, RK.brandName, text(medicine))
    out.add(drug, PROV.wasDerivedFrom, source)

    kind = "orphan-designation" if published_status in DESIGNATED else "refusal"
    nodes = [(status, kind)]
    if published_status == "Withdrawn":
        nodes.append((iri.eu_withdrawal(source, number), "withdrawal"))
    for node, node_kind in nodes:
        out.add(drug, RK.hasRegulatoryStatus, node)
        out.add(node, RDF.type, RK.RegulatoryStatus)
        out.add(node, RDF.type, SCHEMA.DrugLegalStatus)
        out.add(node, RK.ofDrug, drug)
        out.add(node, RK.statusType, iri.concept("decision-type", node_kind))
        out.add(node, RK.jurisdiction, text("EU"))
        out.add(node, SCHEMA.applicableLocation, text("EU"))
        out.add(node, RK.decidedBy, EMA)
        out.add(node, RK.indicationText, text(intended_use, "en"))
        out.add(node, RK.publishedStatus, text(published_status, "en"))
        out.add(node, RK.sourceRecord, text(number))
        out.add(node, SCHEMA.identifier, text(number))
        label = {
            "orphan-designation": "EU orphan designation",
            "refusal": "EU orphan designation refused",
            "withdrawal": "withdrawal of the EU orphan designation",
        }[node_kind]
        out.add(node, RDFS.label, text(f"{substance}: {label} {number}", "en"))
        out.add(node, PROV.wasDerivedFrom, source)
    out.add(status, DCT.date, date_literal(decided))
    if first_published:
        out.add(status, SCHEMA.datePublished, date_literal(first_published))
    if updated:
        out.add(status, DCT.modified, date_literal(updated))
    url = rec.text("orphan_designation_url")
    if url:
        out.add(status, SCHEMA.url, Literal(url, datatype=XSD.anyURI))
    product = rec.text("related_ema_product_number")
    if product:
        out.add(
            status,
            RDFS.comment,
            text(f"related EMA product {product}" + (f" ({medicine})" if medicine else ""), "en"),
        )
