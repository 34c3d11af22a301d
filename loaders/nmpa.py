"""Rare-disease drugs in China: the reference JSON compiled from official documents (VAT relief
lists, CDE lists of urgently needed overseas drugs, CDE annual review reports, NMPA approval news).

Every evidence item of a drug becomes an ``rk:Evidence`` node with its official source and the
source's words; an item that states a decision also becomes an ``rk:RegulatoryStatus``: listing
for VAT relief (and, since only approved drugs can be listed, a marketing approval), listing as an
urgently needed overseas drug, marketing approval, or under review.  Each status carries the
indication its own document publishes (``rk:indicationText``); the build's linking phase
(``kg/build/link.py``) resolves it to diseases, so an indication is dated by the document that
approved it and never inherits the drug's earlier approval (eculizumab: PNH and aHUS in 2018,
gMG and NMOSD added in 2023).  The drug's own indication (the reference's ``indication_zh``) is
given to its summary approval only when that approval's document publishes none and no other
document adds an indication (if one does, the indication the CDE annual report of the approval's
year gives, if any: eculizumab 2018, PNH and aHUS); an approval item without an indication takes
the one another item of the same document gives (not a new indication's).  An approval a CDE annual
report states for a drug the previous year's report had under review is dated by that report's
year.  The reference's literal ``list_diseases`` links are checked (list and number) but not
loaded: linking is the build's.  Each cited document is an ``rk:SourceDocument`` (unless
``documents_described``: a ``sources.csv`` describes them); the VAT lists, the CDE lists and the
annual reports are also ``rk:Policy`` nodes.  The drug is the substance of its INN or Chinese
name (``kg.drugs``: the same IRI as the FDA, EMA and NRDL records of that substance).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from kg import iri
from kg.drugs import DrugIdentity
from kg.errors import LoadError
from kg.rdf import QuadWriter, text
from kg.records import ErrorPolicy, Skipped
from kg.vocab import PROV, RDF, RDFS, RK, SCHEMA, SKOS, XSD
from loaders import documents
from loaders.table import LIST_SIZES
from loaders.upstream import JsonRecord, read_json, records

GRAPH = "china-drug-approvals"
NMPA = iri.organization("nmpa")
CDE = iri.organization("cde")
UNDER_REVIEW = ("在审评", "在审评品种")
_REPORT = re.compile(r"^rep_(\d{4})$")
SAME_YEAR = "indication as the CDE annual report of the year of approval gives it for the drug"
SAME_DOCUMENT = "indication as the same document gives it for the drug in another of its items"
DRUG_INDICATION = (
    "indication as the reference gives it for the drug: the approving document publishes none"
)
LABELS = {
    "marketing-approval": ("中国上市批准", "marketing approval in China"),
    "vat-relief-listing": ("列入罕见病药品增值税优惠清单", "listed for VAT relief in China"),
    "urgent-overseas-drug-listing": (
        "列入临床急需境外新药名单",
        "listed as an urgently needed overseas drug in China",
    ),
    "under-review": ("在审评", "under review in China"),
}


def is_policy(upstream_id: str) -> bool:
    """The VAT lists and their follow-up notice, the CDE urgent lists and the annual review reports
    are policies; NMPA news pages are documents only."""
    return not upstream_id.startswith("nmpa_news")


def load(
    path: Path,
    *,
    source: NamedNode,
    graph: str = GRAPH,
    documents_described: bool = False,
    identity: DrugIdentity | None = None,
    on_error: str = "stop",
    skipped: Skipped | None = None,
) -> Iterator[Quad]:
    """Quads of the China drug approvals reference file at ``path``; ``source`` is the document of
    the file itself (the compiled dataset).  Raises ``LoadError`` naming file, record and field."""
    policy = ErrorPolicy(on_error, skipped)
    data = read_json(path)
    out = QuadWriter(iri.graph(graph))
    cited = data.get("provenance", {}).get("sources") if isinstance(data, dict) else None
    if not isinstance(cited, dict):
        raise LoadError(path.name, 0, "provenance.sources", "is missing or not an object")

    def document(item: tuple[str, object]) -> None:
        upstream_id, entry = item
        rec = JsonRecord(path.name, 0, entry, f"provenance.sources.{upstream_id}.")
        kind = "WebPage" if upstream_id.startswith("nmpa_news") else "OfficialNotice"
        documents.describe(
            out,
            rec,
            documents.document_slug(upstream_id),
            kind=kind,
            policy=is_policy(upstream_id),
            dataset=source,
            document=not documents_described,
        )

    yield from policy.emit(out, sorted(cited.items()), document)

    def drug(rec: JsonRecord | LoadError) -> None:
        if isinstance(rec, LoadError):
            raise rec
        _drug(out, rec, source, cited, identity or DrugIdentity())

    yield from policy.emit(out, records(path, data, "drugs"), drug)


def _drug(
    out: QuadWriter,
    rec: JsonRecord,
    dataset: NamedNode,
    cited: dict[str, Any],
    ident: DrugIdentity,
) -> None:
    name_zh, inn, brand = rec.text("drug_zh"), rec.text("inn"), rec.text("brand")
    if not (name_zh or inn or brand):
        raise rec.error("drug_zh", "a drug needs a Chinese name (drug_zh), an INN or a brand")
    others = [n for n in rec.items("names_zh") if isinstance(n, str)]
    try:
        node = ident.drug(inn, name_zh, *others) if (inn or name_zh) else ident.drug(brand)
    except ValueError as exc:
        raise rec.error("drug_zh", str(exc)) from None
    display = name_zh or inn or brand or ""
    out.add(node, RDF.type, RK.Drug)
    out.add(node, RDF.type, SCHEMA.Drug)
    out.label(node, name_zh, "zh", SKOS.prefLabel, RDFS.label, SCHEMA.name)
    out.label(node, inn, "en", RDFS.label, SCHEMA.name)
    if inn:
        out.add(node, RK.inn, text(inn))
    if brand:
        out.add(node, RK.brandName, text(brand))
    for i, other in enumerate(rec.items("names_zh")):
        if not isinstance(other, str):
            raise rec.error(f"names_zh[{i}]", "is not a string")
        if other.strip() and other.strip() != name_zh:
            out.add(node, SKOS.altLabel, text(other.strip(), "zh"))
    out.label(node, rec.text("indication_zh"), "zh", RK.indicationText)
    out.label(node, rec.text("indication_en"), "en", RK.indicationText)
    out.label(node, rec.text("note"), "en", RDFS.comment)
    out.add(node, PROV.wasDerivedFrom, dataset)

    for link in rec.sub("list_diseases"):
        list_no = link.convert("list", int, required=True)
        number = link.convert("no", int, required=True)
        assert list_no is not None and number is not None
        if list_no not in LIST_SIZES:
            raise link.error("list", f"{list_no} is not a national list (1 or 2)")
        if not 1 <= number <= LIST_SIZES[list_no]:
            raise link.error(
                "no", f"{number} is outside list {list_no} (1 to {LIST_SIZES[list_no]})"
            )

    approval_id = rec.text("approval.source_id") if rec.get("approval") is not None else None
    if approval_id is not None and approval_id not in cited:
        raise rec.error(
            "approval.source_id", f"{approval_id!r} is not a document of provenance.sources"
        )
    summary: list[NamedNode] = []
    items = list(rec.sub("evidence"))
    under_review = {
        m.group(1)
        for i in items
        if (m := _REPORT.match(i.text("source_id") or ""))
        and not i.get("approved")
        and i.text("status") in UNDER_REVIEW
    }
    texts: dict[NamedNode, bool] = {}
    doc_texts: dict[str, str] = {}
    for it in items:
        if it.text("indication_zh") and it.text("scope") != "new_indication":
            doc_texts.setdefault(it.text("source_id") or "", it.text("indication_zh") or "")
    for item in items:
        upstream_id = item.require("source_id")
        if upstream_id not in cited:
            raise item.error(
                "source_id", f"{upstream_id!r} is not a document of provenance.sources"
            )
        doc = iri.source(documents.document_slug(upstream_id))
        quote = item.require("what")
        decisions = _decisions(out, node, display, item, upstream_id, cited, doc, quote)
        report = _REPORT.match(upstream_id)
        for kind, status in decisions:
            out.evidence(node, RK.hasRegulatoryStatus, status, doc, quote, "zh")
            texts[status] = bool(item.text("indication_zh"))
            if not texts[status] and kind == "marketing-approval" and upstream_id in doc_texts:
                out.add(status, RK.indicationText, text(doc_texts[upstream_id], "zh"))
                out.add(status, RDFS.comment, text(SAME_DOCUMENT, "en"))
                texts[status] = True
            year = report.group(1) if report else None
            dated = approval_id == upstream_id and rec.get("approval.year") is not None
            if (
                kind == "marketing-approval"
                and year
                and item.get("year") is None
                and not dated
                and str(int(year) - 1) in under_review
            ):
                out.add(status, RK.approvalYear, Literal(year, datatype=XSD.gYear))
                out.add(
                    status,
                    RDFS.comment,
                    text(
                        f"dated by the CDE annual reports: under review per the {int(year) - 1} "
                        f"report, approved per the {year} report",
                        "en",
                    ),
                )
        if not decisions:
            out.evidence(node, PROV.wasDerivedFrom, doc, doc, quote, "zh")
        if upstream_id == approval_id:
            summary += [s for kind, s in decisions if kind == "marketing-approval"]
    if approval_id is not None:
        if not summary:
            status = iri.status("cn-approval", node.value, display)
            doc = iri.source(documents.document_slug(approval_id))
            _status(out, node, display, status, "marketing-approval", doc)
            out.add(status, RK.decidedBy, NMPA)
            summary = [status]
        added_later = any(
            i.text("scope") == "new_indication" and i.text("source_id") != approval_id
            for i in items
        )
        year = rec.get("approval.year")
        same_year = doc_texts.get(f"rep_{year}") if year is not None else None
        for status in summary:
            _approval_details(out, status, rec, "approval.")
            if not texts.get(status) and same_year:
                out.add(status, RK.indicationText, text(same_year, "zh"))
                out.add(status, RDFS.comment, text(SAME_YEAR, "en"))
            elif not texts.get(status) and not added_later:
                for field, lang in (("indication_zh", "zh"), ("indication_en", "en")):
                    if rec.text(field):
                        out.add(status, RK.indicationText, text(rec.text(field) or "", lang))
                        out.add(status, RDFS.comment, text(DRUG_INDICATION, "en"))


def _decisions(
    out: QuadWriter,
    drug: NamedNode,
    display: str,
    item: JsonRecord,
    upstream_id: str,
    cited: dict[str, Any],
    doc: NamedNode,
    quote: str,
) -> list[tuple[str, NamedNode]]:
    """The decisions an evidence item states, each as a status node (possibly none)."""
    kinds: list[str] = []
    if upstream_id.startswith("vat_"):
        kinds.append("vat-relief-listing")
    elif upstream_id.startswith("cde_list"):
        kinds.append("urgent-overseas-drug-listing")
    approved = item.get("approved")
    if approved is not None and not isinstance(approved, bool):
        raise item.error("approved", "is not true or false")
    if approved:
        kinds.append("marketing-approval")
    elif item.text("status") in UNDER_REVIEW:
        kinds.append("under-review")
    decisions = []
    for kind in kinds:
        status = iri.status("cn", drug.value, upstream_id, kind, quote)
        _status(out, drug, display, status, kind, doc)
        out.add(status, RK.evidenceQuote, text(quote, "zh"))
        if kind == "vat-relief-listing":
            entry = cited[upstream_id]
            printed = entry.get("issuer", "") if isinstance(entry, dict) else ""
            for org in documents.issuers(printed or ""):
                out.add(status, RK.decidedBy, org)
            out.add(status, RK.basedOnPolicy, iri.policy(documents.document_slug(upstream_id)))
        elif kind == "urgent-overseas-drug-listing":
            out.add(status, RK.decidedBy, CDE)
            out.add(status, RK.basedOnPolicy, iri.policy(documents.document_slug(upstream_id)))
        elif kind == "marketing-approval":
            out.add(status, RK.decidedBy, NMPA)
            _approval_details(out, status, item, "")
        out.label(status, item.text("indication_zh"), "zh", RK.indicationText)
        out.label(status, item.text("status"), "zh", RK.publishedStatus)
        if item.text("scope") == "new_indication":
            out.add(status, RDFS.comment, text("approval of a new indication", "en"))
        decisions.append((kind, status))
    return decisions


def _status(
    out: QuadWriter, drug: NamedNode, display: str, status: NamedNode, kind: str, doc: NamedNode
) -> None:
    out.add(drug, RK.hasRegulatoryStatus, status)
    out.add(status, RDF.type, RK.RegulatoryStatus)
    out.add(status, RDF.type, SCHEMA.DrugLegalStatus)
    out.add(status, RK.ofDrug, drug)
    out.add(status, RK.statusType, iri.concept("decision-type", kind))
    out.add(status, RK.jurisdiction, text("CN"))
    out.add(status, SCHEMA.applicableLocation, text("CN"))
    out.add(status, PROV.wasDerivedFrom, doc)
    zh, en = LABELS[kind]
    out.add(status, RDFS.label, text(f"{display}: {zh}", "zh"))
    out.add(status, RDFS.label, text(f"{display}: {en}", "en"))


def _approval_details(out: QuadWriter, status: NamedNode, rec: JsonRecord, prefix: str) -> None:
    year = rec.convert(prefix + "year", lambda v: Literal(str(int(v)), datatype=XSD.gYear))
    if year is not None:
        out.add(status, RK.approvalYear, year)
    kind = rec.text(prefix + "type")
    if kind:
        out.add(status, RDFS.comment, text(f"审评审批: {kind}", "zh"))
    out.label(status, rec.text(prefix + "note"), "en", RDFS.comment)
