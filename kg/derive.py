"""Derive the project's own source tables in ``data/`` from the reference files people download.

The reference files (national lists, ORPHA links, drug approvals, ClinicalTrials.gov pages) are not
committed; this module turns them into the tables the loaders read, each row citing its source
document.  Rerunning it on the same reference files gives byte-identical tables, and a test checks that
the committed tables are exactly what it derives.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

LIST_SOURCES = {1: "nhc-2018-10", 2: "nhc-2023-26"}
ALIASES_SOURCE = "zebra-china-aliases-2"
CCRD_SOURCE = "timgroup-ccrd-orpha"
DRUGS_SOURCE = "zebra-china-drug-approvals-1"
CTGOV_SOURCE = "ctgov-sma-china-2026"

# Issuing bodies as printed in the notices, and their ids in data/authorities.csv.
ISSUERS = {
    "国家卫生健康委员会": "nhc", "国家卫生健康委": "nhc", "科学技术部": "most", "科技部": "most",
    "工业和信息化部": "miit", "国家药品监督管理局": "nmpa", "国家药监局": "nmpa",
    "国家中医药管理局": "natcm", "国家中医药局": "natcm",
    "中央军委后勤保障部": "cmc-logistic-support-department",
}

SOURCE_COLUMNS = [
    "id", "type", "title", "creator", "publisher", "date", "url", "language", "accessed", "note",
]


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
    """Tables for both national lists, their ORPHA links, folk names and the list-1 expert mapping."""
    lists = _read_json(ref / "china_rare_disease_lists.json")["diseases"]
    tables = {
        "lists/china_rare_disease_lists.csv": _csv_text(
            ["list", "no", "name_zh", "name_en", "source"],
            (
                (d["list"], d["no"], d["name_zh"], d["name_en"], LIST_SOURCES[d["list"]])
                for d in sorted(lists, key=lambda d: (d["list"], d["no"]))
            ),
        )
    }
    notices = _read_json(ref / "china_rare_disease_lists.json")["provenance"]["lists"]
    tables["lists/notices.csv"] = _csv_text(
        ["list", "id", "title_zh", "document_no", "date", "issuers", "url", "source"],
        (
            (no, f"{LIST_SOURCES[int(no)]}-notice", n["document"].split(" ")[0],
             n["document"].split(" ")[1], n["date"],
             ";".join(ISSUERS[name] for name in n["issuers"].split()), n["source_url"],
             LIST_SOURCES[int(no)])
            for no, n in sorted(notices.items())
        ),
    )
    links = _read_csv(ref / "china_list_orpha_links.csv")
    tables["lists/orpha_links.csv"] = _csv_text(
        ["list", "no", "orpha", "orpha_match", "orpha_name_en", "orpha_name_zh",
         "orpha_disorder_group", "source"],
        (
            (r["list"], r["no"], r["orpha"].removeprefix("ORPHA:"), r["orpha_match"],
             r["orpha_name_en"], r["orpha_name_zh"], r["orpha_disorder_group"], ALIASES_SOURCE)
            for r in links
            if r["orpha"]
        ),
    )
    folk = _read_csv(ref / "china_list_folk_names.csv")
    tables["lists/folk_names.csv"] = _csv_text(
        ["list", "no", "text", "source"],
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
        ["entry", "subtype", "subtype_name_zh", "subtype_name_en", "orpha", "relation", "source"],
        (
            (*ccrd_key(key), *subtype_names(key), code.removeprefix("ORPHA:"), flag, CCRD_SOURCE)
            for key in sorted(mapping, key=ccrd_key)
            for code, flag in mapping[key]
        ),
    )
    return tables


def drug_id(drug: dict[str, Any]) -> str:
    """A stable slug for a drug of the China approvals reference, from its Chinese name or INN."""
    key = drug.get("drug_zh") or drug.get("inn") or drug.get("brand") or ""
    return "cn-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def _doc_source_id(upstream_id: str) -> str:
    return "cn-" + upstream_id.replace("_", "-")


def derive_drugs(ref: Path) -> dict[str, str]:
    data = _read_json(ref / "china_rare_drug_approvals.json")
    docs = data["provenance"]["sources"]
    used: set[str] = set()
    rows = []
    seen: set[str] = set()
    for drug in data["drugs"]:
        ident = drug_id(drug)
        if ident in seen:
            raise ValueError(f"drug id {ident} is not unique ({drug.get('drug_zh')})")
        seen.add(ident)
        approval = drug.get("approval") or {}
        src = approval.get("source_id")
        quote = ""
        if src:
            used.add(src)
            quote = next(
                (e["what"] for e in drug.get("evidence", []) if e.get("source_id") == src), ""
            )
        else:
            first = (drug.get("evidence") or [{}])[0]
            src = first.get("source_id")
            quote = first.get("what", "")
            if src:
                used.add(src)
        diseases = ";".join(f"CN{d['list']}:{d['no']}" for d in drug.get("list_diseases", []))
        rows.append((
            ident, drug.get("drug_zh"), drug.get("inn"), drug.get("brand"),
            drug.get("indication_zh"), diseases, "yes" if approval else "no",
            approval.get("date"), approval.get("year"), approval.get("type"),
            _doc_source_id(src) if src else "", quote,
        ))
    tables = {
        "drugs/china_drug_approvals.csv": _csv_text(
            ["id", "drug_zh", "inn", "brand", "indication_zh", "diseases", "approved",
             "approval_date", "approval_year", "approval_type", "source", "quote"],
            rows,
        )
    }
    doc_rows = []
    for upstream_id in sorted(used):
        d = docs[upstream_id]
        title = d["title"] + (f" ({d['document_no']})" if d.get("document_no") else "")
        doc_type = "WebPage" if upstream_id.startswith("nmpa_news") else "OfficialNotice"
        doc_rows.append((
            _doc_source_id(upstream_id), doc_type, title, d.get("issuer", "").replace(" ", "; "),
            d.get("issuer", "").split(" ")[0], d.get("published"), d.get("url"), "zh",
            (d.get("retrieved_at") or "2026-10-06")[:10],
            f"cited by {DRUGS_SOURCE} as {upstream_id}",
        ))
    tables["drugs/sources.csv"] = _csv_text(SOURCE_COLUMNS, doc_rows)
    return tables


_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}


def _norm(name: str) -> str:
    """Lower case, inverted MeSH-style names turned round, punctuation dropped."""
    name = name.strip()
    if name.count(",") == 1:
        head, tail = (p.strip() for p in name.split(","))
        name = f"{tail} {head}"
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


def _condition_index(ref: Path) -> dict[str, str]:
    index: dict[str, str] = {}
    for d in _read_json(ref / "china_rare_disease_lists.json")["diseases"]:
        index[_norm(d["name_en"])] = f"CN{d['list']}:{d['no']}"
    for r in _read_csv(ref / "china_list_folk_names.csv"):
        if r["text"].isascii() and r["text"].isupper():
            index[_norm(r["text"])] = f"CN{r['list']}:{r['no']}"
    return index


def link_condition(condition: str, index: dict[str, str]) -> str | None:
    """The list entry a trial condition names unambiguously, or ``None`` (never a guess).

    Matches the whole normalised name, an acronym followed by the name (``SMA - Spinal Muscular
    Atrophy``), or a numbered subtype of a listed disease (``Spinal Muscular Atrophy Type I``).
    """
    key = _norm(condition)
    if key in index:
        return index[key]
    parts = [p.strip() for p in re.split(r"\s+-\s+", condition)]
    hits = {index[_norm(p)] for p in parts if _norm(p) in index}
    if len(hits) == 1 and len(parts) > 1:
        return hits.pop()
    m = re.fullmatch(r"(.+?) type (\d+|i{1,3}|iv)", key)
    if m and m.group(1) in index:
        return index[m.group(1)]
    return None


def derive_trials(ref: Path) -> dict[str, str]:
    page = _read_json(ref / "fixtures" / "ctgov_v2_sma_china.json")
    index = _condition_index(ref)
    rows = []
    for study in page["studies"]:
        p = study["protocolSection"]
        ident = p["identificationModule"]
        status = p.get("statusModule", {})
        design = p.get("designModule", {})
        conditions = p.get("conditionsModule", {}).get("conditions", [])
        linked = sorted({c for c in (link_condition(x, index) for x in conditions) if c})
        locations = p.get("contactsLocationsModule", {}).get("locations", [])
        countries = sorted({loc["country"] for loc in locations if loc.get("country")})
        interventions = [i["name"] for i in p.get("armsInterventionsModule", {}).get(
            "interventions", [])]
        rows.append((
            ident["nctId"], ident.get("briefTitle"), ident.get("officialTitle"),
            status.get("overallStatus"), ";".join(design.get("phases", [])),
            design.get("studyType"), design.get("enrollmentInfo", {}).get("count"),
            status.get("startDateStruct", {}).get("date"),
            ";".join(conditions), ";".join(linked), ";".join(interventions),
            p.get("sponsorCollaboratorsModule", {}).get("leadSponsor", {}).get("name"),
            ";".join(countries), CTGOV_SOURCE,
        ))
    return {
        "trials/ctgov_trials.csv": _csv_text(
            ["nct_id", "brief_title", "official_title", "overall_status", "phases", "study_type",
             "enrollment", "start_date", "conditions", "diseases", "interventions", "lead_sponsor",
             "countries", "source"],
            rows,
        )
    }


def derive_tables(ref: Path) -> dict[str, str]:
    """All derived tables, keyed by their path under ``data/``."""
    tables: dict[str, str] = {}
    for derive in (derive_lists, derive_drugs, derive_trials):
        tables.update(derive(ref))
    return tables


def write_tables(ref: Path, data_dir: Path) -> list[Path]:
    written = []
    for rel, text in derive_tables(ref).items():
        path = data_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
