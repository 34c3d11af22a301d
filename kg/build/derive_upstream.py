"""Derived tables in upstream formats, reduced to facts: China drug approvals, network hospitals,
the FDA orphan approvals export, EMA orphan designations, Orphadata responses, a ClinicalTrials.gov
page."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from kg.build.derive_lists import (
    DRUGS_SOURCE,
    EMA_SOURCE,
    FDA_SOURCE,
    HOSPITALS_SOURCE,
)
from kg.build.tabular import (
    ACCESSED,
    ZEBRA,
    csv_text,
    json_text,
    read_json,
    source_rows,
)

DOCUMENT_FIELDS = (
    "title",
    "document_no",
    "issuer",
    "published",
    "url",
    "attachment_url",
    "retrieved_at",
    "note",
)


def _documents(sources: dict[str, Any]) -> dict[str, Any]:
    return {
        key: {f: doc[f] for f in DOCUMENT_FIELDS if doc.get(f) is not None}
        for key, doc in sources.items()
    }


def _issuer_names(printed: str) -> list[str]:
    separators = r"[\s、,，]+"
    return [n for n in re.split(separators, re.sub(r"\s*\(.*?\)", "", printed)) if n]


def _cited_rows(sources: dict[str, Any], dataset: str) -> list[tuple[Any, ...]]:
    """``sources.csv`` rows of the documents a reference file cites (its ``provenance.sources``),
    with the slugs the loaders give them (``vat_2019`` is ``cn-vat-2019``)."""
    rows = []
    for key in sorted(sources):
        doc = sources[key]
        number = doc.get("document_no")
        title = doc["title"] + (f" ({number})" if number and number not in doc["title"] else "")
        kind = (
            "WebPage"
            if key.startswith("nmpa_news")
            else "NewsArticle"
            if key.startswith("govcn_news")
            else "OfficialNotice"
        )
        names = _issuer_names(doc.get("issuer") or "")
        rows.append(
            (
                "cn-" + re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-"),
                kind,
                title,
                "; ".join(names),
                names[0] if names else "",
                (doc.get("published") or "")[:10],
                doc.get("url"),
                "zh",
                (doc.get("retrieved_at") or "")[:10],
                f"cited by {dataset} as {key}",
            )
        )
    return rows


def derive_drugs(ref: Path) -> dict[str, str]:
    """The China drug approvals reference reduced to facts: every drug with all its evidence, and
    the documents it cites."""
    data = read_json(ref / "china_rare_drug_approvals.json")
    prov = data["provenance"]
    reduced = {
        "schema": data["schema"],
        "title": data["title"],
        "provenance": {
            "sources": _documents(prov["sources"]),
            "counts": prov["counts"],
            "coverage": prov["coverage"],
            "method": {k: prov["method"][k] for k in ("merge", "approval", "list_diseases")},
        },
        "drugs": data["drugs"],
    }
    return {
        "nmpa/china_rare_drug_approvals.json": json_text(reduced),
        "nmpa/sources.csv": source_rows(_cited_rows(prov["sources"], DRUGS_SOURCE)),
    }


def derive_hospitals(ref: Path) -> dict[str, str]:
    """The network hospitals reference reduced to facts: every hospital, the notices it cites."""
    data = read_json(ref / "china_rare_network_hospitals.json")
    prov = data["provenance"]
    reduced = {
        "schema": data["schema"],
        "title": data["title"],
        "provenance": {
            "sources": _documents(prov["sources"]),
            "counts": prov["counts"],
            "status_definitions": prov["status_definitions"],
            "provinces": prov["provinces"],
            "coverage": prov["coverage"],
        },
        "hospitals": data["hospitals"],
    }
    return {
        "hospitals/china_rare_network_hospitals.json": json_text(reduced),
        "hospitals/sources.csv": source_rows(
            [
                (
                    HOSPITALS_SOURCE,
                    "Dataset",
                    data["title"],
                    "zwbao",
                    "zwbao/zebra-mod",
                    prov["built_at"][:10],
                    ZEBRA + "944b50fc75f152cd3a3473d3190883df4b1af2cf/zebra/data/"
                    "china_rare_network_hospitals.json",
                    "zh",
                    ACCESSED,
                    "Hospitals of the 2019 list (国卫办医函〔2019〕157号, 324) and the adjusted "
                    "2024 list (国卫办医政函〔2024〕64号, 419), 447 rows; official "
                    "PRC publications; "
                    "MIT",
                ),
                *_cited_rows(prov["sources"], HOSPITALS_SOURCE),
            ]
        ),
    }


# Upstream columns that are sponsors' addresses, not facts about the designation or approval.
FDA_ADDRESS = (
    "Sponsor Address 1",
    "Sponsor Address 2",
    "Sponsor City",
    "Sponsor State",
    "Sponsor Zip",
    "Sponsor Country",
)


def derive_fda(ref: Path) -> dict[str, str]:
    """The OOPD export in its own format, without sponsor addresses and the closing note row."""
    with (ref / "fda_orphan_approvals_2022.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        keep = [i for i, name in enumerate(header) if name not in FDA_ADDRESS]
        rows = [
            [row[i] for i in keep]
            for row in reader
            if not (row[0].startswith("Note:") and not any(row[1:-1]))
        ]
    return {
        "fda/fda_orphan_approvals.csv": csv_text([header[i] for i in keep], rows),
        "fda/sources.csv": source_rows(
            [
                (
                    FDA_SOURCE,
                    "Dataset",
                    "Search Orphan Drug Designations and Approvals: designated and "
                    "approved orphan drugs "
                    "(export)",
                    "U.S. Food and Drug Administration, Office of Orphan Products Development",
                    "U.S. Food and Drug Administration",
                    "2022-11-11",
                    "https://github.com/jhylin/Portfolio-projects/blob/"
                    "c1bbf1d782d70f2f588d59d84177086163d94264/Rare_diseases_drugs_FDA.csv",
                    "en",
                    ACCESSED,
                    "OOPD database export (1,057 designation/approval rows, "
                    "approvals 1983-07-20 to "
                    "2022-05-20) as kept in jhylin/Portfolio-projects; the query "
                    "used is not recorded; "
                    "sponsor addresses and the closing note row left out; a US-government work",
                )
            ]
        ),
    }


def derive_ema(ref: Path) -> dict[str, str]:
    data = read_json(ref / "fixtures" / "ema_orphan_designations_sample.json")
    return {
        "ema/ema_orphan_designations.json": json_text(data),
        "ema/sources.csv": source_rows(
            [
                (
                    EMA_SOURCE,
                    "Dataset",
                    "Orphan designations (EMA medicine data): sample of "
                    f"{len(data['data'])} of {data['meta']['total_records']} records",
                    "European Medicines Agency",
                    "European Medicines Agency",
                    data["meta"]["timestamp"][:10],
                    ZEBRA + "7a923a38e982cd0074455fb88c76668b8aa266cc/tests/fixtures/ema/"
                    "orphan_sample.json",
                    "en",
                    ACCESSED,
                    "EMA orphan designation records as kept in zwbao/zebra-mod tests/fixtures/ema "
                    "(spinal muscular atrophy, Kennedy's disease, Dravet syndrome, "
                    "primary hyperoxaluria); "
                    "EMA's reuse terms not checked",
                )
            ]
        ),
    }


ORPHADATA_FILES = {
    "orphadata-cross-33069-en": ("orphadata_api_cross_33069_en.json", "cross_33069_en.json"),
    "orphadata-cross-33069-zh": ("orphadata_api_cross_33069_zh.json", "cross_33069_zh.json"),
    "orphadata-epidemiology-33069": (
        "orphadata_api_epidemiology_33069.json",
        "epidemiology_33069.json",
    ),
}


def derive_orphadata(ref: Path) -> dict[str, str]:
    """The Orphadata API responses as published, one file per response, each a source document."""
    tables: dict[str, str] = {}
    rows = []
    for slug, (name, upstream) in ORPHADATA_FILES.items():
        data = read_json(ref / "fixtures" / name)
        tables[f"orphadata/{slug}.json"] = json_text(data)
        result = data["data"]["results"]
        rows.append(
            (
                slug,
                "Dataset",
                f"{data['datasetCategory']['name']}: ORPHA:{result['ORPHAcode']} "
                f"({data['datasetCategory']['lang']})",
                "Orphanet",
                "Orphadata (INSERM)",
                result["Date"][:10],
                data["uri"],
                data["datasetCategory"]["lang"],
                ACCESSED,
                "Orphadata API response as kept in zwbao/zebra-mod tests/fixtures/orphanet/"
                f"{upstream}; "
                f"{data['data']['__licence']['identifier']}",
            )
        )
    tables["orphadata/sources.csv"] = source_rows(rows)
    return tables


def derive_trials(ref: Path) -> dict[str, str]:
    """The ClinicalTrials.gov page in its own format, without eligibility texts and site contacts
    (names, phones and e-mails of people)."""
    page = read_json(ref / "fixtures" / "ctgov_v2_sma_china.json")
    studies = []
    for study in page["studies"]:
        protocol = {k: v for k, v in study["protocolSection"].items() if k != "eligibilityModule"}
        sites = protocol.get("contactsLocationsModule", {}).get("locations")
        if sites is not None:
            protocol["contactsLocationsModule"] = {
                "locations": [{k: v for k, v in s.items() if k != "contacts"} for s in sites]
            }
        studies.append(
            {
                "protocolSection": protocol,
                "derivedSection": study["derivedSection"],
                "hasResults": study["hasResults"],
            }
        )
    return {
        "ctgov/ctgov_sma_china.json": json_text(
            {"totalCount": page["totalCount"], "studies": studies}
        )
    }
