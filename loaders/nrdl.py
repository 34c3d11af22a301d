"""China's National Reimbursement Drug List 2025 (国家医保药品目录, 医保发〔2025〕33号), Western
medicines: the transcription's JSON (``drugs[]`` with ``section``, ``no``, ``name_zh``, ``class``,
``restriction``, ``agreement_period``, ``payment_standard``), gzip-compressed or plain.

Every row (and, where one number prints several names joined by ``、``, every name) is an
``rk:ReimbursementStatus`` (also ``schema:DrugCost``) in China (``rk:jurisdiction "CN"``), decided
by the National Healthcare Security Administration, derived from the list's document (its date is
the document's publication date; the list is in force from its effective date): its category (西药 /
谈判 / 竞价, a concept of ``rk:ReimbursementCategoryScheme``), its list number as printed, class 甲
or 乙, the restriction (备注) verbatim as ``rk:indicationText`` in Chinese so that the linking phase
reads it, and for negotiated and bidding drugs the payment standard and the agreement period. The
drug is the substance of the printed name (``kg.drugs``: the same IRI as the NMPA, FDA and EMA
records of that substance). No disease is linked here: the linking phase does that.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, Quad

from kg import iri
from kg.drugs import DrugIdentity
from kg.errors import LoadError
from kg.rdf import QuadWriter, date_literal, text
from kg.records import ErrorPolicy, Skipped
from kg.vocab import DCT, ORG, PROV, RDF, RDFS, RK, SCHEMA
from loaders.upstream import JsonRecord, records

GRAPH = "china-nrdl-2025"
NHSA = iri.organization("nhsa")
NHSA_NAME = ("国家医疗保障局", "National Healthcare Security Administration")
SECTIONS = {
    "西药部分": "western-medicine",
    "协议期内谈判药品部分（一）西药": "negotiated",
    "竞价药品部分": "bidding",
}
CLASSES = ("甲", "乙")
_PERIOD = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日至(\d{4})年(\d{1,2})月(\d{1,2})日$")


def agreement_period(value: str) -> tuple[str, str]:
    """``2026年1月1日至2027年12月31日`` as ISO start and end dates.  Raises ``ValueError``."""
    match = _PERIOD.match(value.strip())
    if not match:
        raise ValueError("is not a period (YYYY年M月D日至YYYY年M月D日)")
    y1, m1, d1, y2, m2, d2 = (int(g) for g in match.groups())
    return f"{y1:04d}-{m1:02d}-{d1:02d}", f"{y2:04d}-{m2:02d}-{d2:02d}"


def read(path: Path) -> Any:
    """The parsed JSON of ``path`` (``.gz`` or plain).  Raises ``LoadError`` (record 0)."""
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as f:
            return json.load(f)
    except OSError as exc:
        raise LoadError(path.name, 0, None, f"cannot be read: {exc}") from None
    except UnicodeDecodeError as exc:
        raise LoadError(path.name, 0, None, f"is not UTF-8: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        message = f"is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise LoadError(path.name, 0, None, message) from None


def load(
    path: Path,
    *,
    source: NamedNode,
    identity: DrugIdentity | None = None,
    graph: str = GRAPH,
    on_error: str = "stop",
    skipped: Skipped | None = None,
) -> Iterator[Quad]:
    """Quads of the NRDL file at ``path``; ``source`` is the list's document.  Raises
    ``LoadError`` naming file, record (row of ``drugs``, from 1) and field."""
    policy = ErrorPolicy(on_error, skipped)
    data = read(path)
    ident = identity or DrugIdentity()
    prov = data.get("provenance") if isinstance(data, dict) else None
    if not isinstance(prov, dict):
        raise LoadError(path.name, 0, "provenance", "is missing or not an object")
    head = JsonRecord(path.name, 0, prov, "provenance.")
    doc = head.require("sources.nrdl2025.document_no")
    published = head.convert("sources.nrdl2025.published", date_literal, required=True)
    effective = head.convert("effective", date_literal, required=True)
    assert published is not None and effective is not None
    out = QuadWriter(iri.graph(graph))
    for cls in (
        RK.GovernmentBody,
        RK.Organization,
        SCHEMA.GovernmentOrganization,
        SCHEMA.Organization,
        ORG.Organization,
    ):
        out.add(NHSA, RDF.type, cls)
    out.label(NHSA, NHSA_NAME[0], "zh", RDFS.label, SCHEMA.name)
    out.label(NHSA, NHSA_NAME[1], "en", RDFS.label, SCHEMA.name)
    out.add(NHSA, RK.country, text("CN"))
    out.add(NHSA, PROV.wasDerivedFrom, source)
    yield from out.drain()

    def build(rec: JsonRecord | LoadError) -> None:
        if isinstance(rec, LoadError):
            raise rec
        _row(out, rec, source, ident, doc, published, effective)

    yield from policy.emit(out, records(path, data, "drugs"), build)


def _row(
    out: QuadWriter,
    rec: JsonRecord,
    source: NamedNode,
    ident: DrugIdentity,
    doc: str,
    published: Any,
    effective: Any,
) -> None:
    section = rec.require("section")
    if section not in SECTIONS:
        raise rec.error("section", f"{section!r} is not one of {', '.join(SECTIONS)}")
    category = SECTIONS[section]
    number = rec.require("no")
    names = [n.strip() for n in rec.require("name_zh").split("、") if n.strip()]
    klass = rec.text("class")
    if klass is not None and klass not in CLASSES:
        raise rec.error("class", f"{klass!r} is not 甲 or 乙")
    restriction = rec.text("restriction")
    period = rec.convert("agreement_period", agreement_period)
    payment = rec.text("payment_standard")
    if category != "western-medicine" and (period is None or payment is None):
        field = "agreement_period" if period is None else "payment_standard"
        raise rec.error(field, "is required for a negotiated or bidding drug")
    form = rec.text("dosage_form")
    for i, name in enumerate(names):
        try:
            drug = ident.drug(name)
        except ValueError as exc:
            raise rec.error("name_zh", str(exc)) from None
        suffix = [str(i + 1)] if len(names) > 1 else []
        status = iri.entity("status", "-".join([f"cn-nrdl-2025-{rec.number:04d}", *suffix]))
        out.add(drug, RDF.type, RK.Drug)
        out.add(drug, RDF.type, SCHEMA.Drug)
        out.label(drug, name, "zh", RDFS.label, SCHEMA.name)
        out.add(drug, PROV.wasDerivedFrom, source)
        out.add(status, RDF.type, RK.ReimbursementStatus)
        out.add(status, RDF.type, SCHEMA.DrugCost)
        out.add(status, RK.ofDrug, drug)
        out.add(status, RK.reimbursementCategory, iri.concept("reimbursement-category", category))
        out.add(status, RK.listNumber, text(number))
        out.add(status, RK.jurisdiction, text("CN"))
        out.add(status, SCHEMA.applicableLocation, text("CN"))
        out.add(status, RK.decidedBy, NHSA)
        out.add(status, RK.documentNumber, text(doc))
        out.add(status, DCT.date, published)
        out.add(status, PROV.wasDerivedFrom, source)
        out.add(status, RDFS.label, text(f"{name}: 国家医保药品目录（2025年）{number}", "zh"))
        out.add(status, RDFS.label, text(f"{name}: NRDL 2025, {section} {number}", "en"))
        if klass:
            out.add(status, RK.reimbursementClass, text(klass, "zh"))
        if form:
            out.add(status, RDFS.comment, text(f"剂型: {form}", "zh"))
        if restriction:
            out.add(status, RK.indicationText, text(restriction, "zh"))
        if payment:
            out.add(status, RK.paymentStandard, text(payment, "zh"))
        if period:
            out.add(status, SCHEMA.validFrom, date_literal(period[0]))
            out.add(status, SCHEMA.validThrough, date_literal(period[1]))
        else:
            out.add(status, SCHEMA.validFrom, effective)
