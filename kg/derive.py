"""Derive the project's own source tables in ``data/`` from the reference files people download.

The reference files (national lists, ORPHA links and expert mappings, China drug approvals, network
hospitals, the FDA orphan approvals export, EMA orphan designations, Orphadata responses, a
ClinicalTrials.gov page) are not committed; this module turns them into the tables the loaders
read: CSV tables of the project's own where a source is a mapping or a list, and the upstream
format itself, reduced to facts, where a loader reads that format anyway (so that a user's own,
fuller download of the same format loads the same way). Each table cites its source: a ``source``
column, or a ``sources.csv`` in its folder. Rerunning it on the same reference files gives
byte-identical tables, and a test checks that the committed tables are exactly what it derives.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kg import tables as columns

LIST_SOURCES = {1: "nhc-2018-10", 2: "nhc-2023-26"}
ALIASES_SOURCE = "zebra-china-aliases-2"
CCRD_SOURCE = "timgroup-ccrd-orpha"
DRUGS_SOURCE = "zebra-china-drug-approvals-1"
CTGOV_SOURCE = "ctgov-sma-china-2026"
OMIM_SOURCE = "timgroup-ccrd-omim"
HPO_SOURCE = "timgroup-ccrd-hpo"
FDA_SOURCE = "fda-oopd-orphan-approvals-2022"
EMA_SOURCE = "ema-orphan-designations-sample"
HOSPITALS_SOURCE = "zebra-china-rare-network-hospitals"

# Issuing bodies as printed in the notices, and their ids in data/authorities.csv.
ISSUERS = {
    "国家卫生健康委员会": "nhc",
    "国家卫生健康委": "nhc",
    "科学技术部": "most",
    "科技部": "most",
    "工业和信息化部": "miit",
    "国家药品监督管理局": "nmpa",
    "国家药监局": "nmpa",
    "国家中医药管理局": "natcm",
    "国家中医药局": "natcm",
    "中央军委后勤保障部": "cmc-logistic-support-department",
}


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def derive_lists(ref: Path) -> dict[str, str]:
    """Tables for both national lists, their ORPHA links, folk names and the list-1 mapping."""
    lists = _read_json(ref / "china_rare_disease_lists.json")["diseases"]
    tables = {
        "lists/china_rare_disease_lists.csv": _csv_text(
            columns.LIST_ENTRIES,
            (
                (d["list"], d["no"], d["name_zh"], d["name_en"], LIST_SOURCES[d["list"]])
                for d in sorted(lists, key=lambda d: (d["list"], d["no"]))
            ),
        )
    }
    notices = _read_json(ref / "china_rare_disease_lists.json")["provenance"]["lists"]
    tables["lists/notices.csv"] = _csv_text(
        columns.NOTICES,
        (
            (
                no,
                f"{LIST_SOURCES[int(no)]}-notice",
                n["document"].split(" ")[0],
                n["document"].split(" ")[1],
                n["date"],
                ";".join(ISSUERS[name] for name in n["issuers"].split()),
                n["source_url"],
                LIST_SOURCES[int(no)],
            )
            for no, n in sorted(notices.items())
        ),
    )
    links = _read_csv(ref / "china_list_orpha_links.csv")
    tables["lists/orpha_links.csv"] = _csv_text(
        columns.ORPHA_LINKS,
        (
            (
                r["list"],
                r["no"],
                r["orpha"].removeprefix("ORPHA:"),
                r["orpha_match"],
                r["orpha_name_en"],
                r["orpha_name_zh"],
                r["orpha_disorder_group"],
                ALIASES_SOURCE,
            )
            for r in links
            if r["orpha"]
        ),
    )
    folk = _read_csv(ref / "china_list_folk_names.csv")
    tables["lists/folk_names.csv"] = _csv_text(
        columns.FOLK_NAMES,
        ((r["list"], r["no"], r["text"], ALIASES_SOURCE) for r in folk),
    )
    mapping = _read_json(ref / "china_list1_ccrd_to_orpha.json")

    def ccrd_key(key: str) -> tuple[int, int]:
        main, _, sub = key.removeprefix("CCRD:").partition(".")
        return int(main), int(sub or 0)

    names = _read_json(ref / "china_list1_compendium_hpo.json")

    def subtype_names(key: str) -> tuple[str, str]:
        if "." not in key or key not in names:
            return "", ""
        return names[key]["CNS_NAME"], names[key]["ENG_NAME"]

    tables["lists/ccrd_orpha_mapping.csv"] = _csv_text(
        columns.CCRD_ORPHA,
        (
            (*ccrd_key(key), *subtype_names(key), code.removeprefix("ORPHA:"), flag, CCRD_SOURCE)
            for key in sorted(mapping, key=ccrd_key)
            for code, flag in mapping[key]
        ),
    )
    return tables


def _json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _source_rows(rows: Iterable[Sequence[Any]]) -> str:
    return _csv_text(columns.SOURCES, rows)


ACCESSED = "2026-11-24"
ZEBRA = "https://github.com/zwbao/zebra-mod/blob/"
TIMGROUP = (
    "https://github.com/xiaohaomao/timgroup_disease_diagnosis/blob/"
    "f3a2c255ded96faa2caaa3737ff8ced0c0a8d2b8/"
)


def derive_annotations(ref: Path) -> dict[str, str]:
    """The list-1 expert annotations beyond ORPHA: the OMIM mapping and the HPO phenotypes."""
    names = _read_json(ref / "china_list1_compendium_hpo.json")

    def key(ccrd: str) -> tuple[int, int]:
        main, _, sub = ccrd.removeprefix("CCRD:").partition(".")
        return int(main), int(sub or 0)

    def subtype_names(ccrd: str) -> tuple[str, str]:
        if "." not in ccrd or ccrd not in names:
            return "", ""
        return names[ccrd]["CNS_NAME"], names[ccrd]["ENG_NAME"]

    omim = _read_json(ref / "china_list1_ccrd_to_omim.json")
    return {
        "lists/ccrd_omim_mapping.csv": _csv_text(
            columns.CCRD_OMIM,
            (
                (*key(k), *subtype_names(k), code.removeprefix("OMIM:"), flag, OMIM_SOURCE)
                for k in sorted(omim, key=key)
                for code, flag in omim[k]
            ),
        ),
        "lists/ccrd_hpo.csv": _csv_text(
            columns.CCRD_HPO,
            (
                (*key(k), *subtype_names(k), " ".join(names[k]["PHENOTYPE_LIST"]), HPO_SOURCE)
                for k in sorted(names, key=key)
            ),
        ),
        "lists/sources.csv": _source_rows(
            [
                (
                    OMIM_SOURCE,
                    "Dataset",
                    "CCRD to OMIM mapping of China's First National List of Rare Diseases",
                    "xiaohaomao",
                    "xiaohaomao/timgroup_disease_diagnosis",
                    "2024-11-28",
                    TIMGROUP + "data/CCRD_to_OMIM_ORPHA/ccrd_to_omim.json",
                    "en",
                    ACCESSED,
                    "Expert mapping with flags E, NTBT, BTNT for 6 entries (45 "
                    "pairs), including subtype "
                    "CCRD:72.4; Apache-2.0",
                ),
                (
                    HPO_SOURCE,
                    "Dataset",
                    "HPO annotations of China's First National List of Rare "
                    "Diseases (conpendium_hpo)",
                    "xiaohaomao",
                    "xiaohaomao/timgroup_disease_diagnosis",
                    "2024-11-28",
                    TIMGROUP + "codes/core/data/raw/CCRD/conpendium_hpo.json",
                    "en",
                    ACCESSED,
                    "HPO phenotype lists of 144 list-1 entries and subtypes "
                    "(4,258 annotations), with "
                    "the Chinese and English names of each; Apache-2.0",
                ),
            ]
        ),
    }


# Fields of a cited document that are facts about it (hashes, file names and retrieval methods are
# left out).
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
    data = _read_json(ref / "china_rare_drug_approvals.json")
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
        "nmpa/china_rare_drug_approvals.json": _json_text(reduced),
        "nmpa/sources.csv": _source_rows(_cited_rows(prov["sources"], DRUGS_SOURCE)),
    }


def derive_hospitals(ref: Path) -> dict[str, str]:
    """The network hospitals reference reduced to facts: every hospital, the notices it cites."""
    data = _read_json(ref / "china_rare_network_hospitals.json")
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
        "hospitals/china_rare_network_hospitals.json": _json_text(reduced),
        "hospitals/sources.csv": _source_rows(
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
        "fda/fda_orphan_approvals.csv": _csv_text([header[i] for i in keep], rows),
        "fda/sources.csv": _source_rows(
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
    data = _read_json(ref / "fixtures" / "ema_orphan_designations_sample.json")
    return {
        "ema/ema_orphan_designations.json": _json_text(data),
        "ema/sources.csv": _source_rows(
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
        data = _read_json(ref / "fixtures" / name)
        tables[f"orphadata/{slug}.json"] = _json_text(data)
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
    tables["orphadata/sources.csv"] = _source_rows(rows)
    return tables


def derive_trials(ref: Path) -> dict[str, str]:
    """The ClinicalTrials.gov page in its own format, without eligibility texts and site contacts
    (names, phones and e-mails of people)."""
    page = _read_json(ref / "fixtures" / "ctgov_v2_sma_china.json")
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
        "ctgov/ctgov_sma_china.json": _json_text(
            {"totalCount": page["totalCount"], "studies": studies}
        )
    }


def derive_tables(ref: Path) -> dict[str, str | bytes]:
    """All derived tables, keyed by their path under ``data/`` (bytes for gzip-compressed ones)."""
    from kg.derive_access import derive_access

    tables: dict[str, str | bytes] = {}
    for derive in (
        derive_lists,
        derive_annotations,
        derive_drugs,
        derive_hospitals,
        derive_fda,
        derive_ema,
        derive_orphadata,
        derive_trials,
        derive_access,
    ):
        tables.update(derive(ref))
    return tables


def write_tables(ref: Path, data_dir: Path) -> list[Path]:
    written = []
    for rel, text in derive_tables(ref).items():
        path = data_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
