"""Orphadata API responses: "Rare diseases and cross-referencing" (``/rd-cross-referencing``, in any
language) and "Epidemiology of rare diseases" (``/rd-epidemiology``).

Each result is the disease of one ORPHA code, as Orphanet names it (``disease/orpha-<code>``,
``skos:exactMatch`` its ORDO IRI): its preferred term and synonyms in the response's language, its
definition, and

- for each external reference (ICD-10, ICD-11, OMIM, MONDO, GARD, UMLS, MedDRA) the SKOS match
  the relation names (E exact, NTBT broad, BTNT narrow, from the ORPHA concept) and an
  ``rk:Mapping`` node with the relation, the terminology, the code and the validation status as
  published; references marked ND (not decided) or W (wrong) are left out;
- for each prevalence an ``rk:PrevalenceEstimate`` with class, type, geography, qualification,
  validation status, mean value (when the qualification includes a value) and cited sources.

A listed disease that is linked exactly to the same ORPHA code is found through the ORDO IRI; this
loader does not touch the list entries.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, Quad

from kg import iri
from kg.errors import LoadError
from kg.rdf import QuadWriter, decimal, text
from kg.records import ErrorPolicy, Skipped
from kg.vocab import DCT, PROV, RDF, RDFS, RK, SCHEMA, SDMX_MEASURE, SKOS
from loaders.upstream import JsonRecord, read_json

GRAPH = "orphadata"
MATCHES = {"E": SKOS.exactMatch, "NTBT": SKOS.broadMatch, "BTNT": SKOS.narrowMatch}
# The relations as the Chinese edition words them.
RELATIONS_ZH = {
    "完全对应：2个等同概念": "E",
    "ORPHA代码的较窄术语映射于较广术语": "NTBT",
    "ORPHA代码的较广术语映射于较窄术语": "BTNT",
}
LEFT_OUT = ("ND", "W")
_PMID = re.compile(r"^\s*([0-9]+)\[PMID\]\s*$")


def load(
    path: Path,
    *,
    source: NamedNode,
    graph: str = GRAPH,
    on_error: str = "stop",
    skipped: Skipped | None = None,
) -> Iterator[Quad]:
    """Quads of one Orphadata API response at ``path``; ``source`` is the response's document.
    Raises ``LoadError`` naming file, record (result, from 1) and field."""
    policy = ErrorPolicy(on_error, skipped)
    data = read_json(path)
    results = data.get("data", {}).get("results") if isinstance(data, dict) else None
    if isinstance(results, dict):
        results = [results]
    if not isinstance(results, list):
        raise LoadError(path.name, 0, "data.results", "is missing or not an object or a list")
    lang = _language(data)
    out = QuadWriter(iri.graph(graph))

    def build(item: tuple[int, Any]) -> None:
        number, result = item
        _result(out, JsonRecord(path.name, number, result), source, lang)

    yield from policy.emit(out, enumerate(results, start=1), build)


def _language(data: dict[str, Any]) -> str:
    category = data.get("datasetCategory")
    lang = category.get("lang") if isinstance(category, dict) else None
    if not lang:
        query = data.get("parameters", {}).get("query", {})
        lang = query.get("lang") if isinstance(query, dict) else None
    return str(lang or "en")


def _relation(rec: JsonRecord, lang: str) -> str | None:
    """E, NTBT or BTNT; ``None`` for a relation the graph leaves out (ND, W)."""
    printed = rec.require("DisorderMappingRelation")
    code = printed.split(" ", 1)[0]
    if code in MATCHES:
        return code
    if code in LEFT_OUT:
        return None
    if printed in RELATIONS_ZH:
        return RELATIONS_ZH[printed]
    raise rec.error(
        "DisorderMappingRelation",
        f"{printed!r} is not a known mapping relation (E, NTBT, BTNT, ND, W) in {lang}",
    )


def _target(rec: JsonRecord, terminology: str, code: str) -> NamedNode | None:
    """The IRI of an external code, or ``None`` for a terminology without a known IRI pattern."""
    field = "Reference"
    if terminology == "ICD-10":
        return rec.convert(field, iri.icd10)
    if terminology == "ICD-11":
        return rec.convert("DisorderMappingICDRefUri", iri.icd11_entity)
    if terminology == "OMIM":
        return rec.convert(field, iri.omim)
    if terminology == "MONDO":
        return rec.convert(field, iri.mondo)
    prefixes = {"GARD": "gard", "UMLS": "umls", "MedDRA": "meddra"}
    if terminology in prefixes:
        return rec.convert(field, lambda v: iri.identifiers_org(prefixes[terminology], v))
    return None


def _result(out: QuadWriter, rec: JsonRecord, source: NamedNode, lang: str) -> None:
    code = rec.require("ORPHAcode")
    disease = rec.convert("ORPHAcode", iri.orpha_disease, required=True)
    ordo = iri.ordo(code)
    assert disease is not None
    for cls in (RK.RareDisease, SCHEMA.MedicalCondition, SKOS.Concept):
        out.add(disease, RDF.type, cls)
    out.label(disease, rec.require("Preferred term"), lang, SKOS.prefLabel, RDFS.label, SCHEMA.name)
    for i, synonym in enumerate(rec.items("Synonym")):
        if not isinstance(synonym, str):
            raise rec.error(f"Synonym[{i}]", "is not a string")
        out.label(disease, synonym.strip(), lang, SKOS.altLabel)
    for summary in rec.sub("SummaryInformation"):
        out.label(disease, summary.text("Definition"), lang, SKOS.definition)
    out.add(disease, RK.orphaCode, text(code))
    out.add(disease, SKOS.exactMatch, ordo)
    group = rec.text("DisorderGroup")
    typology = rec.text("Typology")
    if group or typology:
        out.add(
            disease,
            RDFS.comment,
            text("Orphanet: " + " / ".join(v for v in (group, typology) if v), lang),
        )
    out.add(disease, PROV.wasDerivedFrom, source)
    for ref in rec.sub("ExternalReference"):
        _mapping(out, ref, disease, code, source, lang)
    for prevalence in rec.sub("Prevalence"):
        _prevalence(out, prevalence, disease, code, source, lang)


def _mapping(
    out: QuadWriter, rec: JsonRecord, disease: NamedNode, code: str, source: NamedNode, lang: str
) -> None:
    terminology = rec.require("Source")
    reference = rec.require("Reference")
    relation = _relation(rec, lang)
    if relation is None:
        return
    target = _target(rec, terminology, reference)
    node = iri.mapping(code, terminology, reference)
    out.add(disease, RK.hasMapping, node)
    out.add(node, RDF.type, RK.Mapping)
    out.add(node, RDF.subject, disease)
    out.add(node, RDF.predicate, MATCHES[relation])
    if target is not None:
        out.add(disease, MATCHES[relation], target)
        out.add(node, RDF.object, target)
    out.add(node, RK.mappingRelation, iri.orpha_relation(relation))
    out.add(node, RK.terminology, text(terminology))
    out.add(node, SKOS.notation, text(reference))
    out.add(node, RDFS.label, text(f"ORPHA:{code} {relation} {terminology} {reference}"))
    out.label(node, rec.text("DisorderMappingValidationStatus"), lang, RK.validationStatus)
    out.label(node, rec.text("DisorderMappingICDRelation"), lang, RDFS.comment)
    out.add(node, PROV.wasDerivedFrom, source)


def _prevalence(
    out: QuadWriter, rec: JsonRecord, disease: NamedNode, code: str, source: NamedNode, lang: str
) -> None:
    kind = rec.require("PrevalenceType")
    geography = rec.require("PrevalenceGeographic")
    qualification = rec.require("PrevalenceQualification")
    cls = rec.text("PrevalenceClass")
    cited = rec.text("Source")
    node = iri.prevalence(code, kind, geography, cls or "", qualification, cited or "")
    out.add(disease, RK.hasPrevalence, node)
    out.add(node, RDF.type, RK.PrevalenceEstimate)
    out.add(node, RK.prevalenceType, text(kind))
    out.add(node, RK.geography, text(geography))
    out.add(node, RK.prevalenceQualification, text(qualification))
    if cls:
        out.add(node, RK.prevalenceClass, text(cls))
    out.label(node, rec.text("PrevalenceValidationStatus"), lang, RK.validationStatus)
    if "value" in qualification.lower():
        value = rec.convert("ValMoy", decimal)
        if value is not None:
            out.add(node, SDMX_MEASURE.obsValue, value)
    if cited:
        out.add(node, RK.sourceCitation, text(cited))
        for part in cited.split("_"):
            pmid = _PMID.match(part)
            if pmid:
                out.add(
                    node, DCT.source, NamedNode(f"https://pubmed.ncbi.nlm.nih.gov/{pmid.group(1)}/")
                )
    out.add(node, RDFS.label, text(f"ORPHA:{code} {kind}, {geography}: {cls or qualification}"))
    out.add(node, PROV.wasDerivedFrom, source)
