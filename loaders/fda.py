"""FDA orphan drug designations and approvals: the CSV export of the Office of Orphan Products
Development's database ("Search Orphan Drug Designations and Approvals").

Each row is one marketing approval of a designated orphan drug: an ``rk:RegulatoryStatus`` of type
marketing approval (date, labelled indication, exclusivity end, sponsor), the designation it rests
on (per ``CF Grid Key`` and drug: type orphan designation, date, designated indication, under the
Orphan Drug Act) and, for a row whose status ends ``/Withdrawn``, the withdrawal. All in the United
States (``rk:jurisdiction "US"``), decided by the FDA. The drug is the substance of the generic
name as published (``kg.drugs``: the same IRI as the EMA, NMPA and NRDL records of that substance),
with the trade name as its brand. Dates are published as ``M/D/YY``, ``MM/DD/YY`` or
``MM/DD/YYYY``; two-digit years from 83 are 19xx (the Orphan Drug Act dates from 1983), the others
20xx. The designated and the approved indication are kept as published
(``rk:indicationText``); the build's linking phase (``kg/build/link.py``) resolves them to
diseases.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from kg import iri
from kg.drugs import DrugIdentity
from kg.errors import LoadError
from kg.rdf import QuadWriter, date_literal, text
from kg.records import ErrorPolicy, Skipped
from kg.vocab import DCT, ORG, PROV, RDF, RDFS, RK, SCHEMA
from loaders.table import Record

GRAPH = "fda-orphan-approvals"
FDA = iri.organization("us-food-and-drug-administration")
FDA_NAME = "U.S. Food and Drug Administration"
ORPHAN_DRUG_ACT = iri.policy("us-orphan-drug-act")
COLUMNS = (
    "Generic Name",
    "Trade Name",
    "Date Designated",
    "Orphan Designation",
    "Orphan Designation Status",
    "Approved Labeled Indication",
    "Marketing Approval Date",
    "Exclusivity End Date",
    "Sponsor Company",
    "CF Grid Key",
)
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
PROTECTED = (
    "Exclusivity Protected Indication * (Shown for approvals from Jan. 1, 2013, to the present)"
)
PIVOT = 83


def us_date(value: str) -> str:
    """``M/D/YY``, ``MM/DD/YY`` or ``MM/DD/YYYY`` as ``YYYY-MM-DD``.  Raises ``ValueError``."""
    match = _US_DATE.match(value.strip())
    if not match:
        raise ValueError("is not a date (M/D/YY, MM/DD/YY or MM/DD/YYYY)")
    month, day, year = (int(g) for g in match.groups())
    if len(match.group(3)) == 2:
        year += 1900 if year >= PIVOT else 2000
    return date(year, month, day).isoformat()


def _note(row: dict[str, str | None]) -> bool:
    """The export's closing note row ("Note: Exclusivity Protected Indications are shown ...")."""
    generic = (row.get("Generic Name") or "").strip()
    return generic.startswith("Note:") and not (row.get("Orphan Designation") or "").strip()


def load(
    path: Path,
    *,
    source: NamedNode,
    graph: str = GRAPH,
    identity: DrugIdentity | None = None,
    on_error: str = "stop",
    skipped: Skipped | None = None,
) -> Iterator[Quad]:
    """Quads of the OOPD export at ``path``; ``source`` is the export's document.  Raises
    ``LoadError`` naming file, record (data row, from 1) and field."""
    policy = ErrorPolicy(on_error, skipped)
    out = QuadWriter(iri.graph(graph))
    _authority(out, source)
    yield from out.drain()
    ident = identity or DrugIdentity()
    yield from policy.emit(out, _rows(path), lambda rec: _row(out, rec, source, ident))


def _rows(path: Path) -> Iterator[Record]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise LoadError(path.name, 0, None, f"cannot be read: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise LoadError(path.name, 0, missing[0], "column is missing from the header")
            for number, row in enumerate(reader, start=1):
                if not _note(row):
                    yield Record(path, number, row)
        except UnicodeDecodeError as exc:
            raise LoadError(path.name, "?", None, f"is not UTF-8: {exc.reason}") from None
        except csv.Error as exc:
            raise LoadError(path.name, reader.line_num, None, f"is not valid CSV: {exc}") from None


def _authority(out: QuadWriter, source: NamedNode) -> None:
    for cls in (
        RK.RegulatoryAuthority,
        RK.GovernmentBody,
        RK.Organization,
        SCHEMA.GovernmentOrganization,
        SCHEMA.Organization,
        ORG.Organization,
    ):
        out.add(FDA, RDF.type, cls)
    out.label(FDA, FDA_NAME, "en", RDFS.label, SCHEMA.name)
    out.add(FDA, RK.country, text("US"))
    out.add(FDA, PROV.wasDerivedFrom, source)


def _row(out: QuadWriter, rec: Record, source: NamedNode, ident: DrugIdentity) -> None:
    if None in rec.row:
        raise rec.error(None, "has more cells than the header")
    key = rec.require("CF Grid Key")
    generic = rec.require("Generic Name")
    drug = rec.convert("Generic Name", ident.drug, required=True)
    assert drug is not None
    designation = rec.convert(
        "CF Grid Key", lambda v: iri.fda_designation(source, v, drug), required=True
    )
    designated = rec.convert("Date Designated", us_date)
    approved = rec.convert("Marketing Approval Date", us_date, required=True)
    exclusivity = rec.convert("Exclusivity End Date", us_date)
    status_text = rec.require("Orphan Designation Status")
    if not status_text.startswith("Designated"):
        raise rec.error(
            "Orphan Designation Status",
            f"{status_text!r} is not a designation status (Designated/...)",
        )
    designated_use = rec.require("Orphan Designation")
    labelled = rec.get("Approved Labeled Indication")
    assert designation is not None and drug is not None and approved is not None
    protected = rec.get(PROTECTED)
    parts = (labelled, rec.get("Exclusivity End Date"), protected)
    approval = iri.fda_approval(source, key, approved, *parts)
    trade = rec.get("Trade Name")

    out.add(drug, RDF.type, RK.Drug)
    out.add(drug, RDF.type, SCHEMA.Drug)
    out.label(drug, generic, "en", RDFS.label, SCHEMA.name)
    if trade:
        out.add(drug, RK.brandName, text(trade))
    out.add(drug, PROV.wasDerivedFrom, source)

    sponsor = None
    sponsor_name = rec.get("Sponsor Company")
    if sponsor_name:
        sponsor = iri.organization(rec.convert("Sponsor Company", iri.name_slug) or "")
        for cls in (RK.Organization, SCHEMA.Organization, ORG.Organization):
            out.add(sponsor, RDF.type, cls)
        out.label(sponsor, sponsor_name, "en", RDFS.label, SCHEMA.name)
        out.add(sponsor, PROV.wasDerivedFrom, source)

    _status(out, designation, drug, generic, "orphan-designation", source, sponsor)
    out.add(designation, RK.basedOnPolicy, ORPHAN_DRUG_ACT)
    out.add(designation, RK.indicationText, text(designated_use, "en"))
    out.add(designation, RK.publishedStatus, text(status_text, "en"))
    out.add(designation, RK.sourceRecord, text(key))
    if designated:
        out.add(designation, DCT.date, date_literal(designated))

    _status(out, approval, drug, generic, "marketing-approval", source, sponsor)
    out.add(approval, DCT.date, date_literal(approved))
    out.add(approval, RK.sourceRecord, text(key))
    if labelled:
        out.add(approval, RK.indicationText, text(labelled, "en"))
    if exclusivity:
        out.add(approval, RK.exclusivityEnd, date_literal(exclusivity))
    if protected:
        out.add(
            approval, RDFS.comment, text(f"exclusivity protected indication: {protected}", "en")
        )
    if not labelled:  # the approval is for the designated use: the linking phase reads it there
        out.add(approval, RK.indicationText, text(designated_use, "en"))
    out.add(
        approval,
        RDFS.comment,
        text(f"approval of the orphan designation {key} ({designated_use})", "en"),
    )

    if status_text.endswith("/Withdrawn"):
        withdrawal = iri.fda_withdrawal(source, key, approved, *parts)
        _status(out, withdrawal, drug, generic, "withdrawal", source, sponsor)
        out.add(withdrawal, RK.publishedStatus, text(status_text, "en"))
        out.add(withdrawal, RK.sourceRecord, text(key))
        out.add(withdrawal, RK.indicationText, text(labelled or designated_use, "en"))


_LABELS = {
    "orphan-designation": "FDA orphan designation",
    "marketing-approval": "FDA orphan drug approval",
    "withdrawal": "withdrawal of the FDA orphan drug approval",
}


def _status(
    out: QuadWriter,
    status: NamedNode,
    drug: NamedNode,
    generic: str,
    kind: str,
    source: NamedNode,
    sponsor: NamedNode | None,
) -> None:
    out.add(drug, RK.hasRegulatoryStatus, status)
    out.add(status, RDF.type, RK.RegulatoryStatus)
    out.add(status, RDF.type, SCHEMA.DrugLegalStatus)
    out.add(status, RK.ofDrug, drug)
    out.add(status, RK.statusType, iri.concept("decision-type", kind))
    out.add(status, RK.jurisdiction, text("US"))
    out.add(status, SCHEMA.applicableLocation, text("US"))
    out.add(status, RK.decidedBy, FDA)
    out.add(status, RDFS.label, text(f"{generic}: {_LABELS[kind]}", "en"))
    if sponsor is not None:
        out.add(status, SCHEMA.sponsor, sponsor)
    out.add(status, PROV.wasDerivedFrom, source)
