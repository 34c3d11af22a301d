"""Derive the access tables: China's National Reimbursement Drug List 2025 (NRDL, Western
medicines) and the EMA's table of European public assessment reports (EPAR), from the reference
files people download.

The NRDL transcription is kept in its own JSON format, reduced to facts (the rows, the category
headings, the document that publishes the list, its counts and coverage); the EPAR spreadsheet
becomes a CSV of the human medicines that have an authorisation status, with the columns that are
facts about the authorisation. Both are gzip-compressed with mtime 0, so rerunning gives the same
bytes. ``openpyxl`` reads the spreadsheet only here: the loaders read the derived CSV.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kg import tables

NRDL_SOURCE = "nhsa-nrdl-2025"
EPAR_SOURCE = "ema-epar-2023-06"
NRDL_TABLE = "nrdl/china_nrdl_2025.json.gz"
EPAR_TABLE = "epar/epar_human.csv.gz"
SOURCE_COLUMNS = tables.SOURCES  # data/sources.csv's columns, for each source table
ZEBRA = "https://github.com/zwbao/zebra-mod/blob/944b50fc75f152cd3a3473d3190883df4b1af2cf/"
EPAR_ORIGIN = (
    "https://github.com/Pritamghara/hacathhon-medical-website/blob/"
    "363f4b82acb6b824ad252cdecc1553011e7d2105/"
    "Medicines_output_european_public_assessment_reports.xlsx"
)
# EPAR columns kept (upstream header → our column), in order.
EPAR_COLUMNS = {
    "Product number": "product_number",
    "Medicine name": "medicine_name",
    "International non-proprietary name (INN) / common name": "inn",
    "Active substance": "active_substance",
    "Therapeutic area": "therapeutic_area",
    "Authorisation status": "status",
    "Orphan medicine": "orphan",
    "Generic": "generic",
    "Biosimilar": "biosimilar",
    "Conditional approval": "conditional",
    "Exceptional circumstances": "exceptional",
    "ATC code": "atc",
    "Marketing authorisation holder/company name": "holder",
    "Date of opinion": "opinion_date",
    "Marketing authorisation date": "authorisation_date",
    "Date of refusal of marketing authorisation": "refusal_date",
    "Condition / indication": "indication",
    "First published": "first_published",
    "Revision date": "revised",
    "URL": "url",
}
EPAR_HEADER_ROW = 9


def gzip_bytes(text: str) -> bytes:
    """``text`` as UTF-8, gzip-compressed with mtime 0 and no file name: the same text always
    gives the same bytes."""
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as f:
        f.write(text.encode("utf-8"))
    return out.getvalue()


def _sources_csv(rows: list[tuple[str, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SOURCE_COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def derive_nrdl(ref: Path) -> dict[str, str | bytes]:
    """The NRDL 2025 transcription reduced to facts, and its ``sources.csv``."""
    with (ref / "china" / "china_nrdl.json").open(encoding="utf-8") as f:
        data = json.load(f)
    prov = data["provenance"]
    doc = prov["sources"]["nrdl2025"]
    keep = (
        "title",
        "document_no",
        "issuer",
        "published",
        "signed",
        "url",
        "origin",
        "attachment_url",
        "retrieved_at",
        "stated_total",
        "stated_totals_fanli",
        "note",
        "footnotes",
    )
    reduced = {
        "schema": data["schema"],
        "title": data["title"],
        "provenance": {
            "edition": prov["edition"],
            "document_no": prov["document_no"],
            "effective": prov["effective"],
            "replaces": prov["replaces"],
            "sources": {"nrdl2025": {k: doc[k] for k in keep if k in doc}},
            "counts": prov["counts"],
            "coverage": prov["coverage"],
        },
        "categories": data["categories"],
        "drugs": data["drugs"],
    }
    text = json.dumps(reduced, ensure_ascii=False, indent=0, sort_keys=False) + "\n"
    note = (
        "Western-medicine part (西药部分, 2,000 rows), negotiated drugs (协议期内谈判药品部分（一）"
        "西药, 399) and bidding drugs (竞价药品部分, 12) of the list in force from "
        f"{prov['effective']}, transcribed from the PDF by zwbao/zebra-mod "
        "(zebra/data/china_nrdl.json, MIT); Chinese patent medicines (中成药), decoction pieces "
        "and the commercial innovative list are not loaded; a government publication"
    )
    return {
        NRDL_TABLE: gzip_bytes(text),
        "nrdl/sources.csv": _sources_csv(
            [
                (
                    NRDL_SOURCE,
                    "OfficialNotice",
                    f"{doc['title']} ({doc['document_no']})",
                    "国家医疗保障局; 人力资源社会保障部",
                    "国家医疗保障局",
                    doc["published"],
                    doc["url"],
                    "zh",
                    doc["retrieved_at"][:10],
                    note,
                )
            ]
        ),
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


def derive_epar(ref: Path) -> dict[str, str | bytes]:
    """The EPAR table's human medicines with an authorisation status, and its ``sources.csv``."""
    from openpyxl import load_workbook

    book = load_workbook(
        ref / "ema" / "Medicines_output_european_public_assessment_reports.xlsx", read_only=True
    )
    sheet = book["Worksheet 1"]
    rows = sheet.iter_rows(min_row=EPAR_HEADER_ROW, values_only=True)
    header = [str(h) for h in next(rows)]
    missing = [c for c in EPAR_COLUMNS if c not in header]
    if missing:
        raise ValueError(f"EPAR table: column {missing[0]!r} is missing")
    records = []
    for values in rows:
        row = dict(zip(header, values, strict=False))
        if row["Category"] != "Human" or not row["Authorisation status"]:
            continue
        records.append([_cell(row[c]) for c in EPAR_COLUMNS])
    book.close()
    records.sort(key=lambda r: r[0])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EPAR_COLUMNS.values())
    writer.writerows(records)
    note = (
        "EMA 'Medicines output: European public assessment reports' export of 2023-06-12/13 "
        "(latest decision 2023-06-12; the export date is not printed) as kept in "
        "Pritamghara/hacathhon-medical-website; human medicines with an authorisation status "
        f"({len(records)} rows): authorised, withdrawn or refused; veterinary medicines and one "
        "row without a status (Aplidin) left out; EMA's reuse terms not checked"
    )
    return {
        EPAR_TABLE: gzip_bytes(out.getvalue()),
        "epar/sources.csv": _sources_csv(
            [
                (
                    EPAR_SOURCE,
                    "Dataset",
                    "Medicines output: European public assessment reports (EPAR)",
                    "European Medicines Agency",
                    "European Medicines Agency",
                    "2023-06-12",
                    EPAR_ORIGIN,
                    "en",
                    "2026-11-24",
                    note,
                )
            ]
        ),
    }


def derive_access(ref: Path) -> dict[str, str | bytes]:
    """Both access tables, keyed by their path under ``data/``."""
    return {**derive_nrdl(ref), **derive_epar(ref)}
