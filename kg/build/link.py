"""The linking phase of the build: every disease text the loaded store holds is resolved to diseases
(``kg.resolve``) and the links are written into a named graph of their own, ``disease-links``.

It runs once every source is loaded and before validation.  It reads

* every regulatory or reimbursement status with an ``rk:indicationText`` (FDA, EMA, NMPA, EPAR,
  NRDL, and the user's own downloads), and
* every clinical trial with an ``rk:conditionText``,

and writes, for each disease a text names at or above ``kg.resolve.THRESHOLD``, the link the
catalogue questions read (``?status rk:forIndication ?disease``; a trial:
``?trial schema:healthCondition ?disease``); below the threshold, ``rk:candidateIndication``.
Every link, above or below, gets an ``rk:DiseaseLink`` node saying how it was made: the statement it
supports (``rdf:subject``, ``rdf:predicate``, ``rdf:object``), the method (``rk:linkMethod``), the
words of the text (``rk:matchedText``), the name they matched (``rk:matchedName``), the confidence
(``rk:confidence``) and the sources of the text (``prov:wasDerivedFrom``).  A link to an Orphanet
entity that is not on a list is written only when the store holds that entity.

The loaders link nothing themselves: one resolver, one place, one threshold.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator

from pyoxigraph import Literal, NamedNode, Quad, QuerySolution, QuerySolutions, Store

from kg import iri
from kg.describe import SourceInfo
from kg.rdf import QuadWriter, text
from kg.resolve import THRESHOLD, DiseaseResolver, Link
from kg.store.union import union_dataset
from kg.vocab import ID_BASE, PROV, RDF, RK, SCHEMA, VOCAB, XSD

GRAPH = "disease-links"
TITLE = "Disease links: indications and trial conditions resolved to diseases"
TITLE_ZH = "疾病链接：解析到疾病的适应症与试验疾病条件"
_TEXTS = f"""
PREFIX rk: <{VOCAB}>
SELECT ?node ?text ?kind WHERE {{
  {{ ?node rk:indicationText ?text .
     {{ ?node a rk:RegulatoryStatus }} UNION {{ ?node a rk:ReimbursementStatus }}
     BIND ("status" AS ?kind) }}
  UNION
  {{ ?node a rk:ClinicalTrial ; rk:conditionText ?text . BIND ("trial" AS ?kind) }}
}}"""
_SOURCES = f"""
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rk: <{VOCAB}>
SELECT DISTINCT ?node ?source WHERE {{
  ?node prov:wasDerivedFrom ?source .
  {{ ?node a rk:RegulatoryStatus }} UNION {{ ?node a rk:ReimbursementStatus }}
  UNION {{ ?node a rk:ClinicalTrial }}
}}"""
_ORPHA_DISEASES = f"""
PREFIX rk: <{VOCAB}>
SELECT ?d WHERE {{
  ?d a rk:RareDisease FILTER STRSTARTS(STR(?d), "{ID_BASE}disease/orpha-")
}}"""


def link_info() -> SourceInfo:
    return SourceInfo(GRAPH, TITLE, title_zh=TITLE_ZH)


def link_store(
    store: Store, resolver: DiseaseResolver, threshold: float = THRESHOLD
) -> Iterator[Quad]:
    """The quads of the ``disease-links`` graph for the texts in ``store`` (read fully first, so
    the caller may write them into the same store)."""
    texts: dict[tuple[NamedNode, str], list[Literal]] = defaultdict(list)
    for row in _select(store, _TEXTS):
        node, value, kind = row[0], row[1], row[2]
        if isinstance(node, NamedNode) and isinstance(value, Literal):
            texts[(node, str(getattr(kind, "value", "")))].append(value)
    sources: dict[NamedNode, list[NamedNode]] = defaultdict(list)
    for row in _select(store, _SOURCES):
        if isinstance(row[0], NamedNode) and isinstance(row[1], NamedNode):
            sources[row[0]].append(row[1])
    present = {str(getattr(row[0], "value", "")) for row in _select(store, _ORPHA_DISEASES)}
    out = QuadWriter(iri.graph(GRAPH))
    for (node, kind), literals in sorted(texts.items(), key=lambda x: x[0][0].value):
        best: dict[NamedNode, Link] = {}
        for literal in literals:
            lang = literal.language or None
            for link in resolver.resolve(literal.value, lang):
                if link.entry is None and link.disease.value not in present:
                    continue
                old = best.get(link.disease)
                if old is None or link.confidence > old.confidence:
                    best[link.disease] = link
        for link in best.values():
            _write(out, node, kind, link, threshold, sources.get(node, []))
        yield from out.drain()


def _decimal(value: float) -> str:
    """The canonical xsd:decimal form (``0.98``, ``1.0``)."""
    digits = f"{value:.3f}".rstrip("0")
    return digits + "0" if digits.endswith(".") else digits


def _select(store: Store, query: str) -> list[QuerySolution]:
    rows = store.query(query, **union_dataset(store))
    assert isinstance(rows, QuerySolutions)
    return list(rows)


def _write(
    out: QuadWriter,
    node: NamedNode,
    kind: str,
    link: Link,
    threshold: float,
    sources: list[NamedNode],
) -> None:
    strong = link.confidence >= threshold
    if not strong:
        predicate = RK.candidateIndication
    elif kind == "trial":
        predicate = SCHEMA.healthCondition
    else:
        predicate = RK.forIndication
    out.add(node, predicate, link.disease)
    digest = hashlib.sha256(f"{node.value} {predicate.value} {link.disease.value}".encode())
    made = iri.entity("disease-link", digest.hexdigest()[:16])
    out.add(made, RDF.type, RK.DiseaseLink)
    out.add(made, RDF.type, PROV.Entity)
    out.add(made, RDF.subject, node)
    out.add(made, RDF.predicate, predicate)
    out.add(made, RDF.object, link.disease)
    out.add(made, RK.linkMethod, text(link.method))
    out.add(made, RK.matchedText, text(link.matched_text))
    out.add(made, RK.matchedName, text(link.matched_name))
    out.add(made, RK.confidence, Literal(_decimal(link.confidence), datatype=XSD.decimal))
    for source in sources:
        out.add(made, PROV.wasDerivedFrom, source)
