"""Derive compact tables of the other reference terminologies: Mondo's SSSOM mappings
(``data/mondo/``), HPO term labels in English and official Chinese (``data/hpo/``) and GARD diseases
with their cross-references (``data/gard/``, from NCATS RDAS).

Only what the graph uses is kept: MONDO concepts that Mondo maps exactly to an ORPHA code, with all
their mappings (OMIM, ICD-10, ICD-11, GARD, NANDO, NORD), since the graph reaches MONDO through its
ORPHA entities; HPO terms that are not obsolete; GARD diseases and their cross-references to the
terminologies the catalogue reports (ORPHA, OMIM, ICD-10, MeSH, UMLS; GARD gives ICD-11 as MMS
codes without the entity numbers the graph uses for ICD-11, which RD-CODE and Mondo give). Tables
are sorted CSV compressed with gzip at mtime 0 (deterministic bytes), each folder with a
``sources.csv``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from kg.build.derive_orphanet import SOURCE_COLUMNS, DeriveError, csv_bytes, gz_csv

MONDO_FILES = {
    "ORPHA": ("mondo_exactmatch_orphanet.sssom.tsv", "Orphanet:"),
    "OMIM": ("mondo_exactmatch_omim.sssom.tsv", "OMIM:"),
    "ICD-10": ("mondo_exactmatch_icd10who.sssom.tsv", "ICD10WHO:"),
    "ICD-11": ("mondo_exactmatch_icd11.foundation.sssom.tsv", "icd11.foundation:"),
    "GARD": ("mondo_hasdbxref_gard.sssom.tsv", "GARD:"),
    "NANDO": ("mondo_hasdbxref_nando.sssom.tsv", "NANDO:"),
    "NORD": ("mondo_hasdbxref_nord.sssom.tsv", "NORD:"),
}
PREDICATES = {"skos:exactMatch": "exactMatch", "oboInOwl:hasDbXref": "hasDbXref"}
MONDO_SOURCE = "mondo-sssom-2026-08-04"
HPO_SOURCE = "hpo-2025-01-16"
HPO_ZH_SOURCE = "hpo-zh-babelon"
GARD_SOURCE = "ncats-rdas-gard"

MONDO_MAPPINGS = ("mondo", "label", "predicate", "system", "code")
HPO_TERMS = ("hpo", "label_en", "label_zh")
HPO_ALT = ("alt", "hpo")
GARD_DISEASES = ("gard", "source", "source_id", "name")
GARD_XREFS = ("gard", "system", "code", "relation")
GARD_SYSTEMS = {
    "Orphanet": "ORPHA", "OMIM": "OMIM", "ICD-10": "ICD-10", "MeSH": "MeSH",
    "UMLS": "UMLS",
}
_MONDO = re.compile(r"^MONDO:[0-9]{7}$")
_HP = re.compile(r"^HP:[0-9]{7}$")
_GARD = re.compile(r"^GARD:[0-9]{7}$")


def _sssom(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The SSSOM header lines (``#`` YAML) and the rows of the TSV table after them."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = [line[1:].strip() for line in lines if line.startswith("#")]
    body = [line for line in lines if not line.startswith("#")]

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        reader = csv.DictReader(body, delimiter="\t")
        for number, row in enumerate(reader, start=1):
            if None in row:
                raise DeriveError(path.name, number, "(row)", "has more cells than the header")
            yield number, row

    return header, rows()


def _version(header: list[str]) -> str:
    for line in header:
        if line.startswith("mapping_set_version:"):
            return line.split(":", 1)[1].strip()
    return ""


def derive_mondo(ref: Path) -> dict[str, bytes]:
    rows: set[tuple[str, str, str, str, str]] = set()
    version = ""
    for system, (name, prefix) in MONDO_FILES.items():
        header, body = _sssom(ref / "mondo" / name)
        version = version or _version(header)
        for number, row in body:
            mondo = row.get("subject_id", "")
            if not _MONDO.match(mondo):
                raise DeriveError(name, number, "subject_id", f"{mondo!r} is not a MONDO id")
            predicate = PREDICATES.get(row.get("predicate_id", ""))
            if predicate is None:
                raise DeriveError(name, number, "predicate_id", "is not a known predicate")
            target = row.get("object_id", "")
            if not target.startswith(prefix):
                raise DeriveError(name, number, "object_id", f"{target!r} lacks {prefix}")
            code = target[len(prefix):]
            rows.add((mondo, row.get("subject_label", "").strip(), predicate, system, code))
    orpha_mapped = {r[0] for r in rows if r[3] == "ORPHA"}
    kept = sorted(r for r in rows if r[0] in orpha_mapped)
    return {
        "mondo/mondo_mappings.csv.gz": gz_csv(MONDO_MAPPINGS, kept),
        "mondo/sources.csv": csv_bytes(
            SOURCE_COLUMNS,
            [(
                MONDO_SOURCE, "Dataset",
                "Mondo Disease Ontology SSSOM mappings (Orphanet, OMIM, ICD-10, ICD-11 exact "
                "matches; GARD, NANDO, NORD database cross-references)",
                "Monarch Initiative", "Monarch Initiative", "2026-08-04",
                "https://github.com/monarch-initiative/mondo/tree/"
                "fad2512b4845f483fc1268cdf0bf7a8ef43697cb/src/ontology/mappings",
                "en", "2026-12-06",
                f"mapping_set_version {version}; repository licence CC BY 4.0 "
                "(https://creativecommons.org/licenses/by/4.0/), each SSSOM file's header states "
                "CC0 (https://creativecommons.org/publicdomain/zero/1.0/); only MONDO concepts "
                "mapped exactly to an ORPHA code are kept",
            )],
        ),
    }


def _obo_terms(path: Path) -> Iterator[dict[str, list[str]]]:
    """The ``[Term]`` stanzas of an OBO file as tag -> values."""
    stanza: dict[str, list[str]] | None = None
    with path.open(encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.startswith("["):
                if stanza is not None:
                    yield stanza
                stanza = {} if line == "[Term]" else None
                continue
            if stanza is not None and ": " in line:
                tag, value = line.split(": ", 1)
                stanza.setdefault(tag, []).append(value)
    if stanza is not None:
        yield stanza


def derive_hpo(ref: Path) -> dict[str, bytes]:
    obo = ref / "hpo" / "hp.obo"
    labels: dict[str, str] = {}
    alts: set[tuple[str, str]] = set()
    version = ""
    with obo.open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("data-version:"):
                version = line.split(":", 1)[1].strip()
                break
    for number, stanza in enumerate(_obo_terms(obo), start=1):
        term = (stanza.get("id") or [""])[0]
        if not _HP.match(term):
            continue  # terms of imported ontologies, if any
        if stanza.get("is_obsolete") == ["true"]:
            continue
        name = (stanza.get("name") or [""])[0].strip()
        if not name:
            raise DeriveError(obo.name, f"{number} ({term})", "name", "is missing")
        labels[term] = name
        alts |= {(alt, term) for alt in stanza.get("alt_id", [])}
    zh: dict[str, str] = {}
    babelon = ref / "hpo" / "hp-zh.babelon.tsv"
    with babelon.open(encoding="utf-8", newline="") as f:
        for number, row in enumerate(csv.DictReader(f, delimiter="\t"), start=1):
            if row.get("predicate_id") != "rdfs:label" or row.get("translation_status") != (
                "OFFICIAL"
            ):
                continue
            term = row.get("subject_id", "")
            if not _HP.match(term):
                raise DeriveError(babelon.name, number, "subject_id", f"{term!r} is not HP:")
            value = (row.get("translation_value") or "").strip()
            if value:
                zh[term] = value
    rows = sorted((t, labels[t], zh.get(t, "")) for t in labels)
    return {
        "hpo/hpo_terms.csv.gz": gz_csv(HPO_TERMS, rows),
        "hpo/hpo_alt_ids.csv.gz": gz_csv(HPO_ALT, sorted(alts)),
        "hpo/sources.csv": csv_bytes(
            SOURCE_COLUMNS,
            [
                (
                    HPO_SOURCE, "Dataset", "Human Phenotype Ontology (hp.obo)",
                    "Human Phenotype Ontology Consortium; Monarch Initiative",
                    "Human Phenotype Ontology Consortium", version.rsplit("/", 1)[-1],
                    "https://github.com/obophenotype/human-phenotype-ontology",
                    "en", "2026-12-06",
                    f"data-version {version}; licence: the HPO licence terms at "
                    "https://hpo.jax.org/app/license (the repository's LICENSE.md only points "
                    "there); term labels of non-obsolete terms and alternative ids are kept",
                ),
                (
                    HPO_ZH_SOURCE, "Dataset",
                    "HPO official Chinese translations (hp-zh.babelon.tsv)",
                    "Human Phenotype Ontology Consortium",
                    "Human Phenotype Ontology Consortium", "",
                    "https://github.com/obophenotype/hpo-translations",
                    "zh", "2026-12-06",
                    "rdfs:label rows with translation_status OFFICIAL; licence: the HPO licence "
                    "terms at https://hpo.jax.org/app/license",
                ),
            ],
        ),
    }


def derive_gard(ref: Path) -> dict[str, bytes]:
    diseases: set[tuple[str, str, str, str]] = set()
    path = ref / "gard" / "RDAS_GARD.csv"
    with path.open(encoding="utf-8", newline="") as f:
        for number, row in enumerate(csv.DictReader(f), start=1):
            gard = row.get("GardID", "")
            if not _GARD.match(gard):
                raise DeriveError(path.name, number, "GardID", f"{gard!r} is not a GARD id")
            name = (row.get("Name") or "").strip()
            if not name:
                raise DeriveError(path.name, number, "Name", "is missing")
            diseases.add(
                (gard, row.get("DataSource", ""), (row.get("SourceID") or "").strip(), name)
            )
    xrefs: set[tuple[str, str, str, str]] = set()
    path = ref / "gard" / "RDAS_GARD_xrefs.csv"
    with path.open(encoding="utf-8", newline="") as f:
        for number, row in enumerate(csv.DictReader(f), start=1):
            gard = row.get("GardID", "")
            if not _GARD.match(gard):
                raise DeriveError(path.name, number, "GardID", f"{gard!r} is not a GARD id")
            system = GARD_SYSTEMS.get(row.get("XrefSource", ""))
            if system is None:
                continue
            relation = (row.get("MapRelationship") or "").split(" ", 1)[0]
            code = (row.get("SourceID") or "").strip()
            if not code:
                raise DeriveError(path.name, number, "SourceID", "is missing")
            if system == "ICD-10":
                code = code.rstrip("*+")  # dagger and asterisk marks are not part of the code
            xrefs.add((gard, system, code, relation))
    return {
        "gard/gard_diseases.csv.gz": gz_csv(GARD_DISEASES, sorted(diseases)),
        "gard/gard_xrefs.csv.gz": gz_csv(GARD_XREFS, sorted(xrefs)),
        "gard/sources.csv": csv_bytes(
            SOURCE_COLUMNS,
            [(
                GARD_SOURCE, "Dataset",
                "GARD diseases and cross-references (NCATS Rare Disease Alert System, RDAS_GARD)",
                "National Center for Advancing Translational Sciences (NCATS)", "NCATS", "",
                "https://github.com/ncats/RDAS", "en", "2026-12-06",
                "no licence file at the current commit; the repository's earlier LICENSE (2022, "
                "commit 3279b279646de314f3aea2ad6538517364d39157) is the NCATS public domain "
                "notice (United States Government Work), its scope over today's RDAS_GARD data "
                "not stated; the GARD rows are built from Orphanet and OMIM content; cross-"
                "references to ORPHA, OMIM, ICD-10, MeSH and UMLS are kept, genes are not "
                "(they repeat Orphanet's)",
            )],
        ),
    }


def derive_reference(ref: Path) -> dict[str, bytes]:
    return {**derive_mondo(ref), **derive_hpo(ref), **derive_gard(ref)}
