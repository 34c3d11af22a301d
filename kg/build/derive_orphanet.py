"""Derive compact Orphanet tables in ``data/orphanet/`` from the ORPHApackets (JSON, one file per
ORPHA code in a tar.gz), the RD-CODE nomenclature pack (the list of rare diseases with active and
inactive codes; the Master file with ICD-10 and ICD-11 codes) and Orphanet's Chinese preferred
names.

The reference files are tens of megabytes; the graph needs a few columns of each. Every table is a
sorted CSV compressed with gzip at mtime 0, so rerunning on the same files gives the same bytes.
``sources.csv`` in the folder names each source document with its version and licence; a table's
rows cite it in their folder (one source per table, named in ``TABLE_SOURCES``).

Tables (all keyed by ORPHA code as digits):

- ``orpha_entities`` (orpha, type, status): every code of the packets and of the RD-CODE list, with
  the packet's DisorderType and the list's status (active, Deprecated, Obsolete), and the
  classification heads the packets name only as parents (no type, no status);
- ``orpha_names`` (orpha, lang, kind, name): English preferred names and synonyms (packets, then the
  RD-CODE list for codes without a packet), Chinese preferred names (only names written in Chinese:
  the Chinese endpoint returns an English label for some codes, which is not a Chinese name);
- ``orpha_parents`` (orpha, parent): direct classification parents;
- ``orpha_replaced`` (orpha, status, target): inactive codes and the active code the list names;
- ``orpha_definitions``, ``orpha_omim``, ``orpha_genes``, ``orpha_prevalence``,
  ``orpha_phenotypes``, ``orpha_traits`` (inheritance and onset), ``orpha_icd`` (RD-CODE Master
  file).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import tarfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from kg import tables

PACKETS = "orphanet/orphapacket-json.tar.gz"
RD_LIST = "orphanet/RD-CODE_List_of_rare_diseases_2025_en.xlsx"
MASTER = "orphanet/RD-CODE_ORPHAnomenclature_MasterFile_en_2025.xlsx"
ZH_NAMES = "orphanet/orphanet_zh_names.json"

PACKETS_SOURCE = "orphanet-orphapackets-2025-12"
RD_CODE_SOURCE = "orphanet-rd-code-2025"
ZH_SOURCE = "orphanet-zh-names-2020"

ENTITIES = ("orpha", "type", "status")
NAMES = ("orpha", "lang", "kind", "name")
PARENTS = ("orpha", "parent")
REPLACED = ("orpha", "status", "target")
DEFINITIONS = ("orpha", "definition")
OMIM = ("orpha", "omim", "relation")
GENES = ("orpha", "symbol", "name", "hgnc", "omim", "association")
PREVALENCE = ("orpha", "type", "qualification", "class", "value", "geography", "source")
PHENOTYPES = ("orpha", "hpo", "frequency")
TRAITS = ("orpha", "kind", "value")
ICD = ("orpha", "system", "code", "printed", "icd11_uri")

CJK = re.compile(r"[\u3400-\u9fff]")
_CODE = re.compile(r"^(?:ORPHA:)?\s*([0-9]+)\s*$")


class DeriveError(ValueError):
    """A reference record that cannot be read: names file, record and field."""

    def __init__(self, file: str, record: object, field: str, message: str) -> None:
        super().__init__(f"{file} record {record}, field {field}: {message}")


def gz_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV table compressed with gzip, mtime 0 and no file name: the same rows give the same
    bytes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return gzip.compress(out.getvalue().encode("utf-8"), compresslevel=9, mtime=0)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8")


def _as_list(value: Any) -> list[Any]:
    """The packets give a dict where they usually give a list (one element): always a list."""
    if value is None or value == "no data":
        return []
    return value if isinstance(value, list) else [value]


def _items(value: Any, key: str) -> list[Any]:
    """The records of a packet list whose elements wrap them (``[{"Gene": {...}}]``); the wrapper
    may hold one record or a list of them, and the list may be a single dict."""
    out: list[Any] = []
    for element in _as_list(value):
        inner = element.get(key, element) if isinstance(element, dict) else element
        out.extend(r for r in _as_list(inner))
    return out


def _records(p: dict[str, Any], field: str, key: str, file: str, code: str) -> list[dict[str, Any]]:
    """The records of ``field``, each a dict (else ``DeriveError`` naming the record)."""
    records = _items(p.get(field), key)
    for i, r in enumerate(records):
        if not isinstance(r, dict):
            raise DeriveError(file, code, f"{field}[{i}]", "is not an object")
    return records


def code_of(value: Any, file: str, record: object, field: str) -> str:
    match = _CODE.match(str(value or ""))
    if not match:
        raise DeriveError(file, record, field, f"{value!r} is not an ORPHA code")
    return match.group(1)


def read_packets(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(file name, packet) for every ``ORPHApacket_<code>.json`` in the tar.gz, in member order."""
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".json"):
                continue
            f = tar.extractfile(member)
            assert f is not None
            name = member.name.rsplit("/", 1)[-1]
            try:
                data = json.load(f)
            except json.JSONDecodeError as exc:
                raise DeriveError(name, 1, "(file)", f"is not JSON: {exc}") from exc
            packet = data.get("Orphapacket") if isinstance(data, dict) else None
            if not isinstance(packet, dict):
                raise DeriveError(name, 1, "Orphapacket", "is missing")
            yield name, packet


def _key(row: Sequence[Any]) -> tuple[tuple[int, int, str], ...]:
    """Rows sorted by their cells, numbers (ORPHA codes) as numbers."""
    cells = ("" if v is None else str(v) for v in row)
    return tuple((0, int(v), "") if v.isdigit() else (1, 0, v) for v in cells)


class Collected:
    """The rows of every packet table, collected in one pass over the archive."""

    def __init__(self) -> None:
        self.entities: dict[str, str] = {}
        self.names: set[tuple[str, str, str, str]] = set()
        self.parents: set[tuple[str, str]] = set()
        self.definitions: set[tuple[str, str]] = set()
        self.omim: set[tuple[str, str, str]] = set()
        self.genes: set[tuple[str, ...]] = set()
        self.prevalence: set[tuple[str, ...]] = set()
        self.phenotypes: set[tuple[str, str, str]] = set()
        self.traits: set[tuple[str, str, str]] = set()
        self.parent_labels: dict[str, str] = {}
        self.version = ""


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value not in (None, "no data") else ""


def _packet(c: Collected, name: str, p: dict[str, Any]) -> None:
    code = code_of(p.get("ORPHAcode"), name, 1, "ORPHAcode")
    c.version = str(p.get("version", ""))
    dtype = p.get("DisorderType")
    kind = _text(dtype.get("value")) if isinstance(dtype, dict) else ""
    if not kind:
        raise DeriveError(name, code, "DisorderType.value", "is missing")
    c.entities[code] = kind
    label = _text(p.get("Label"))
    if not label:
        raise DeriveError(name, code, "Label", "is missing")
    c.names.add((code, "en", "preferred", label))
    for i, s in enumerate(_items(p.get("Synonyms"), "Synonym")):
        syn = _text(s) if isinstance(s, str) else ""
        if not syn:
            raise DeriveError(name, code, f"Synonyms[{i}].Synonym", "is missing")
        c.names.add((code, "en", "synonym", syn))
    for section in _as_list(p.get("TextSection")):
        if isinstance(section, dict) and section.get("TextSectionType") == "Definition":
            text = _text(section.get("Contents"))
            if text:
                c.definitions.add((code, text))
    for i, parent in enumerate(_records(p, "Parents", "Parent", name, code)):
        parent_code = code_of(parent.get("ORPHAcode"), name, code, f"Parents[{i}]")
        c.parents.add((code, parent_code))
        if _text(parent.get("Label")):
            c.parent_labels[parent_code] = _text(parent.get("Label"))
    for i, ref in enumerate(_records(p, "ExternalReferences", "ExternalReference", name, code)):
        if ref.get("Source") != "OMIM":
            raise DeriveError(name, code, f"ExternalReferences[{i}].Source", "is not OMIM")
        relation = str(ref.get("DisorderMappingRelation") or "").split(" ", 1)[0]
        if not relation:
            raise DeriveError(
                name, code, f"ExternalReferences[{i}].DisorderMappingRelation", "is missing"
            )
        c.omim.add((code, _text(ref.get("Reference")), relation))
    for i, gene in enumerate(_records(p, "Genes", "Gene", name, code)):
        refs = {
            r.get("Source"): _text(r.get("Reference"))
            for r in _as_list(gene.get("ExternalReferences"))
            if isinstance(r, dict)
        }
        symbol = _text(gene.get("Symbol"))
        association = _text(gene.get("DisorderGeneAssociationType"))
        if not symbol or not association:
            raise DeriveError(name, code, f"Genes[{i}]", "needs Symbol and association type")
        gene_name = _text(gene.get("Name") or gene.get("Label"))
        c.genes.add(
            (code, symbol, gene_name, refs.get("HGNC", ""), refs.get("OMIM", ""), association)
        )
    for i, r in enumerate(_records(p, "Prevalences", "Prevalence", name, code)):
        if r.get("PrevalenceType") == "no data":
            continue  # an empty record (one in the 2025 packets): nothing to keep
        kind = _text(r.get("PrevalenceType"))
        if not kind:
            raise DeriveError(name, code, f"Prevalences[{i}].PrevalenceType", "is missing")
        c.prevalence.add(
            (
                code,
                kind,
                _text(r.get("PrevalenceQualification")),
                _text(r.get("PrevalenceClass")),
                _text(r.get("ValMoy")),
                _text(r.get("PrevalenceGeographic")),
                _text(r.get("Source")),
            )
        )
    for i, r in enumerate(_records(p, "Phenotypes", "Phenotype", name, code)):
        hpo = _text(r.get("HPOId"))
        if not re.fullmatch(r"HP:[0-9]{7}", hpo):
            raise DeriveError(name, code, f"Phenotypes[{i}].HPOId", f"{hpo!r} is not an HPO id")
        c.phenotypes.add((code, hpo, _text(r.get("HPOFrequency"))))
    for field, inner, kind in (
        ("TypeOfInheritances", "TypeOfInheritance", "inheritance"),
        ("AverageAgeOfOnsets", "AverageAgeOfOnset", "onset"),
    ):
        for v in _items(p.get(field), inner):
            value = _text(v.get("value") if isinstance(v, dict) else v)
            if value:
                c.traits.add((code, kind, value))


def collect_packets(path: Path) -> Collected:
    c = Collected()
    for name, packet in read_packets(path):
        _packet(c, name, packet)
    return c


def _sheet_rows(path: Path, sheet: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        for number, row in enumerate(wb[sheet].iter_rows(values_only=True), start=1):
            if number == 1 or not any(v is not None for v in row):
                continue
            yield number, tuple(row)
    finally:
        wb.close()


def read_rd_list(path: Path) -> tuple[
    dict[str, str], set[tuple[str, str, str, str]], dict[str, tuple[str, str]]
]:
    """Active codes (code -> level), their names, and inactive codes (code -> status, target)."""
    active: dict[str, str] = {}
    names: set[tuple[str, str, str, str]] = set()
    file = path.name
    for number, row in _sheet_rows(path, "List_active_alphabethical_order"):
        code = code_of(row[0], file, number, "ORPHAcode")
        label, kind = _text(row[1]), _text(row[2])
        if kind not in ("Main name", "Synonym"):
            raise DeriveError(file, number, "Type of label", f"{kind!r} is not a label type")
        names.add((code, "en", "preferred" if kind == "Main name" else "synonym", label))
        active[code] = _text(row[3])
    inactive: dict[str, tuple[str, str]] = {}
    for number, row in _sheet_rows(path, "List_deprecated_obsoleted"):
        code = code_of(row[0], file, number, "Inactive ORPHAcode")
        status = _text(row[4])
        if status not in ("Deprecated", "Obsolete"):
            raise DeriveError(file, number, "Status", f"{status!r} is not Deprecated or Obsolete")
        target = code_of(row[5], file, number, "Target active ORPHAcode") if row[5] else ""
        inactive[code] = (status, target)
        if _text(row[2]) == "Main name":
            names.add((code, "en", "preferred", _text(row[1])))
    return active, names, inactive


def read_master(path: Path) -> set[tuple[str, str, str, str, str]]:
    """ICD-10 and ICD-11 codes of the Master file's ORPHA codes (rows with a code)."""
    rows: set[tuple[str, str, str, str, str]] = set()
    file = path.name
    for number, row in _sheet_rows(path, "ICD10"):
        if row[3]:
            code = code_of(row[0], file, f"ICD10:{number}", "ORPHAcode")
            for printed in str(row[3]).split(","):
                printed = printed.strip()
                if printed:
                    rows.add((code, "ICD-10", printed.rstrip("*+"), printed, ""))
    for number, row in _sheet_rows(path, "ICD11"):
        if row[3]:
            code = code_of(row[0], file, f"ICD11:{number}", "ORPHAcode")
            uri = "" if row[4] == "N/A" else _text(row[4])  # the file says N/A: no URI
            if uri and not uri.isdigit():
                raise DeriveError(file, f"ICD11:{number}", "ICD-11 URI", f"{uri!r} is not a number")
            rows.add((code, "ICD-11", _text(row[3]), _text(row[3]), uri))
    return rows


def read_zh_names(path: Path) -> tuple[dict[str, str], dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        data = json.load(f)
    names = data.get("names")
    if not isinstance(names, dict):
        raise DeriveError(path.name, 1, "names", "is missing")
    return {code_of(k, path.name, k, "names"): _text(v) for k, v in names.items()}, data.get(
        "provenance", {}
    )


def derive_orphanet(ref: Path) -> dict[str, bytes]:
    """All Orphanet tables, keyed by their path under ``data/``."""
    c = collect_packets(ref / PACKETS)
    active, list_names, inactive = read_rd_list(ref / RD_LIST)
    zh, zh_provenance = read_zh_names(ref / ZH_NAMES)
    # classification heads named only as parents (e.g. ORPHA:602659 Pediatric cancer)
    heads = {k: v for k, v in c.parent_labels.items() if k not in c.entities}
    codes = set(c.entities) | set(active) | set(inactive) | set(heads)

    def status(code: str) -> str:
        if code in active:
            return "active"
        return inactive[code][0] if code in inactive else ""

    names = set(c.names)
    # The RD-CODE list names codes the packets do not have (inactive codes, newer codes).
    names |= {n for n in list_names if n[0] not in c.entities}
    listed = {n[0] for n in list_names}
    names |= {(k, "en", "preferred", v) for k, v in heads.items() if k not in listed}
    names |= {(k, "zh", "preferred", v) for k, v in zh.items() if k in codes and CJK.search(v)}
    tables = {
        "orphanet/orpha_entities.csv.gz": gz_csv(
            ENTITIES, sorted(((k, c.entities.get(k, ""), status(k)) for k in codes), key=_key)
        ),
        "orphanet/orpha_names.csv.gz": gz_csv(NAMES, sorted(names, key=_key)),
        "orphanet/orpha_parents.csv.gz": gz_csv(PARENTS, sorted(c.parents, key=_key)),
        "orphanet/orpha_replaced.csv.gz": gz_csv(
            REPLACED, sorted(((k, *v) for k, v in inactive.items()), key=_key)
        ),
        "orphanet/orpha_definitions.csv.gz": gz_csv(DEFINITIONS, sorted(c.definitions, key=_key)),
        "orphanet/orpha_omim.csv.gz": gz_csv(OMIM, sorted(c.omim, key=_key)),
        "orphanet/orpha_genes.csv.gz": gz_csv(GENES, sorted(c.genes, key=_key)),
        "orphanet/orpha_prevalence.csv.gz": gz_csv(PREVALENCE, sorted(c.prevalence, key=_key)),
        "orphanet/orpha_phenotypes.csv.gz": gz_csv(PHENOTYPES, sorted(c.phenotypes, key=_key)),
        "orphanet/orpha_traits.csv.gz": gz_csv(TRAITS, sorted(c.traits, key=_key)),
        "orphanet/orpha_icd.csv.gz": gz_csv(ICD, sorted(read_master(ref / MASTER), key=_key)),
    }
    tables["orphanet/sources.csv"] = _sources(c.version, zh_provenance)
    return tables


SOURCE_COLUMNS = tables.SOURCES  # data/sources.csv's columns, for each source table


def _sources(version: str, zh: dict[str, Any]) -> bytes:
    return csv_bytes(
        SOURCE_COLUMNS,
        [
            (
                PACKETS_SOURCE, "Dataset",
                "ORPHApackets: Orphanet entities as JSON packets (names, definitions, synonyms, "
                "classification, OMIM references, genes, prevalence, HPO phenotypes, inheritance, "
                "onset)",
                "Orphanet", "INSERM (Orphanet)", "2025-12-09",
                "https://github.com/Orphanet/orphapacket/tree/"
                "cbae63b4b85679ff3d745d48b8575e0854c254fd/json",
                "en", "2026-12-06",
                f"data version {version}; each packet states 'Orphanet (c) 2025'; the repository "
                "states no licence, Orphanet publishes its data under CC BY 4.0 "
                "(https://creativecommons.org/licenses/by/4.0/)",
            ),
            (
                RD_CODE_SOURCE, "Dataset",
                "Orphanet nomenclature pack for coding 2025 (RD-CODE): list of rare diseases "
                "(July 2025 release) and Master file with ICD-10 and ICD-11 codes",
                "Orphanet", "INSERM (Orphanet)", "2025-07-09",
                "https://github.com/orphanet-rare-diseases-issues/RD-CODE/tree/"
                "127bc4f58444a44acea7fedd63a1e3fe2337ffc2",
                "en", "2026-12-06",
                "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Orphadata: Free access "
                "data from Orphanet. (c) INSERM 1999. The Master file states no relation between "
                "an ORPHA code and its ICD code",
            ),
            (
                ZH_SOURCE, "Dataset",
                "Orphanet Chinese preferred terms by ORPHAcode",
                "Orphanet", "INSERM (Orphanet)", str(zh.get("dataset_date", "")),
                str(zh.get("source_url", "")),
                "zh", str(zh.get("retrieved_at", ""))[:10],
                "as kept in zwbao/zebra-mod zebra/data/orphanet_zh_names.json (MIT); Orphanet "
                "content CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/); names without "
                "Chinese characters (English fallbacks of the endpoint) are left out",
            ),
        ],
    )

