"""Derived tables of China's national lists: the entries, notices, ORPHA links, folk names and the
expert mappings of list 1 (ORPHA, OMIM, HPO)."""

from __future__ import annotations

from pathlib import Path

from kg import tables as columns
from kg.build.tabular import (
    ACCESSED,
    TIMGROUP,
    csv_text,
    read_csv,
    read_json,
    source_rows,
)

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


def derive_lists(ref: Path) -> dict[str, str]:
    """Tables for both national lists, their ORPHA links, folk names and the list-1 mapping."""
    lists = read_json(ref / "china_rare_disease_lists.json")["diseases"]
    tables = {
        "lists/china_rare_disease_lists.csv": csv_text(
            columns.LIST_ENTRIES,
            (
                (d["list"], d["no"], d["name_zh"], d["name_en"], LIST_SOURCES[d["list"]])
                for d in sorted(lists, key=lambda d: (d["list"], d["no"]))
            ),
        )
    }
    notices = read_json(ref / "china_rare_disease_lists.json")["provenance"]["lists"]
    tables["lists/notices.csv"] = csv_text(
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
    links = read_csv(ref / "china_list_orpha_links.csv")
    tables["lists/orpha_links.csv"] = csv_text(
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
    folk = read_csv(ref / "china_list_folk_names.csv")
    tables["lists/folk_names.csv"] = csv_text(
        columns.FOLK_NAMES,
        ((r["list"], r["no"], r["text"], ALIASES_SOURCE) for r in folk),
    )
    mapping = read_json(ref / "china_list1_ccrd_to_orpha.json")

    def ccrd_key(key: str) -> tuple[int, int]:
        main, _, sub = key.removeprefix("CCRD:").partition(".")
        return int(main), int(sub or 0)

    names = read_json(ref / "china_list1_compendium_hpo.json")

    def subtype_names(key: str) -> tuple[str, str]:
        if "." not in key or key not in names:
            return "", ""
        return names[key]["CNS_NAME"], names[key]["ENG_NAME"]

    tables["lists/ccrd_orpha_mapping.csv"] = csv_text(
        columns.CCRD_ORPHA,
        (
            (*ccrd_key(key), *subtype_names(key), code.removeprefix("ORPHA:"), flag, CCRD_SOURCE)
            for key in sorted(mapping, key=ccrd_key)
            for code, flag in mapping[key]
        ),
    )
    return tables


def derive_annotations(ref: Path) -> dict[str, str]:
    """The list-1 expert annotations beyond ORPHA: the OMIM mapping and the HPO phenotypes."""
    names = read_json(ref / "china_list1_compendium_hpo.json")

    def key(ccrd: str) -> tuple[int, int]:
        main, _, sub = ccrd.removeprefix("CCRD:").partition(".")
        return int(main), int(sub or 0)

    def subtype_names(ccrd: str) -> tuple[str, str]:
        if "." not in ccrd or ccrd not in names:
            return "", ""
        return names[ccrd]["CNS_NAME"], names[ccrd]["ENG_NAME"]

    omim = read_json(ref / "china_list1_ccrd_to_omim.json")
    return {
        "lists/ccrd_omim_mapping.csv": csv_text(
            columns.CCRD_OMIM,
            (
                (*key(k), *subtype_names(k), code.removeprefix("OMIM:"), flag, OMIM_SOURCE)
                for k in sorted(omim, key=key)
                for code, flag in omim[k]
            ),
        ),
        "lists/ccrd_hpo.csv": csv_text(
            columns.CCRD_HPO,
            (
                (*key(k), *subtype_names(k), " ".join(names[k]["PHENOTYPE_LIST"]), HPO_SOURCE)
                for k in sorted(names, key=key)
            ),
        ),
        "lists/sources.csv": source_rows(
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
