"""What a resource page shows about one IRI: its names and types, its properties grouped and
labelled, the source of each fact (the named graph it is in and, for facts curated from prose, the
evidence node with its source document and quote), and the links to it from elsewhere."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from kg.vocab import GRAPH_BASE, PREFIXES
from service import terms
from service.i18n import N_
from service.queries import ask, select

RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
SKOS = PREFIXES["skos"]
DCT = PREFIXES["dct"]
PROV = PREFIXES["prov"]
SCHEMA = PREFIXES["schema"]
RK = PREFIXES["rk"]
TYPE = RDF + "type"
HAS_EVIDENCE = RK + "hasEvidence"
SHOWN_VALUES = 200
SHOWN_INCOMING = 50
INCOMING_ROWS = 3000

GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("names", N_("Names"), (
        SKOS + "prefLabel", RK + "printedName", SKOS + "altLabel", RDFS + "label",
        SCHEMA + "name", SCHEMA + "alternateName", DCT + "title", RK + "inn", RK + "brandName",
        SKOS + "notation")),
    ("about", N_("Description"), (
        RDFS + "comment", DCT + "description", SCHEMA + "description", SKOS + "definition")),
    ("codes", N_("Identifiers and mappings"), (
        RK + "orphaCode", RK + "trialId", SCHEMA + "identifier", DCT + "identifier",
        RK + "documentNumber", SCHEMA + "legislationIdentifier", SKOS + "exactMatch",
        SKOS + "closeMatch", SKOS + "broadMatch", SKOS + "narrowMatch", SKOS + "relatedMatch",
        SCHEMA + "url", RDFS + "seeAlso")),
    ("provenance", N_("Provenance"), (
        PROV + "wasDerivedFrom", DCT + "source", RK + "sourceRecord", RK + "asOf",
        DCT + "issued", DCT + "created", DCT + "modified", PROV + "generatedAtTime",
        DCT + "license")),
)
FACTS = ("facts", N_("Facts"))
# Names for properties the ontology graph does not label (ours carry rdfs:label @en @zh).
PROPERTY_NAMES = {
    RDFS + "label": N_("label"),
    RDFS + "comment": N_("comment"),
    RDFS + "seeAlso": N_("see also"),
    RDFS + "subClassOf": N_("subclass of"),
    SKOS + "prefLabel": N_("preferred name"),
    SKOS + "altLabel": N_("other name"),
    SKOS + "notation": N_("notation"),
    SKOS + "definition": N_("definition"),
    SKOS + "exactMatch": N_("same as"),
    SKOS + "closeMatch": N_("close to"),
    SKOS + "broadMatch": N_("broader term elsewhere"),
    SKOS + "narrowMatch": N_("narrower term elsewhere"),
    SKOS + "relatedMatch": N_("related"),
    SKOS + "broader": N_("broader"),
    SKOS + "narrower": N_("narrower"),
    SKOS + "member": N_("member"),
    SKOS + "inScheme": N_("in scheme"),
    SCHEMA + "name": N_("name"),
    SCHEMA + "alternateName": N_("alternate name"),
    SCHEMA + "url": N_("web address"),
    SCHEMA + "identifier": N_("identifier"),
    SCHEMA + "description": N_("description"),
    SCHEMA + "healthCondition": N_("condition"),
    SCHEMA + "sponsor": N_("sponsor"),
    SCHEMA + "phase": N_("phase"),
    SCHEMA + "status": N_("status"),
    SCHEMA + "startDate": N_("start date"),
    SCHEMA + "foundingDate": N_("founded"),
    SCHEMA + "position": N_("position"),
    SCHEMA + "item": N_("item"),
    SCHEMA + "inLanguage": N_("language"),
    DCT + "title": N_("title"),
    DCT + "issued": N_("issued"),
    DCT + "created": N_("created"),
    DCT + "modified": N_("modified"),
    DCT + "date": N_("date"),
    DCT + "publisher": N_("publisher"),
    DCT + "creator": N_("creator"),
    DCT + "source": N_("source"),
    DCT + "license": N_("license"),
    DCT + "description": N_("description"),
    DCT + "identifier": N_("identifier"),
    PROV + "wasDerivedFrom": N_("source document"),
    PROV + "generatedAtTime": N_("generated"),
    RDF + "subject": N_("subject"),
    RDF + "predicate": N_("property"),
    RDF + "object": N_("value"),
    "http://rdfs.org/ns/void#triples": N_("triples"),
    "http://rdfs.org/ns/void#entities": N_("entities"),
    "http://rdfs.org/ns/void#classes": N_("classes"),
    "http://rdfs.org/ns/void#properties": N_("properties"),
    "http://rdfs.org/ns/void#subset": N_("subset"),
    "http://rdfs.org/ns/void#class": N_("class"),
    "http://rdfs.org/ns/void#property": N_("property"),
    "http://rdfs.org/ns/void#classPartition": N_("class partition"),
    "http://rdfs.org/ns/void#propertyPartition": N_("property partition"),
    "http://rdfs.org/ns/void#sparqlEndpoint": N_("SPARQL endpoint"),
}


def key(term: Mapping[str, Any]) -> tuple[str, str, str, str]:
    return (str(term.get("type", "")), str(term.get("value", "")), str(term.get("xml:lang", "")),
            str(term.get("datatype", "")))


@dataclass
class Value:
    term: dict[str, Any]
    cell: dict[str, Any] = field(default_factory=dict)
    graphs: list[dict[str, str]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    nested: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)


@dataclass
class Property:
    iri: str
    values: list[Value] = field(default_factory=list)
    total: int = 0
    more_href: str = ""
    label: dict[str, str] = field(default_factory=dict)

    @property
    def inline(self) -> bool:
        """Many bare codes (phenotypes, mappings): shown as a flowing list."""
        return len(self.values) > 6 and all(
            v.cell.get("kind") == "iri" and not v.cell.get("zh") and not v.cell.get("en")
            and not v.evidence and not v.nested for v in self.values)

    @property
    def has_evidence(self) -> bool:
        return any(v.evidence for v in self.values)


def known(iri: str) -> bool:
    """Whether the graph says anything about ``iri`` (as subject, object or graph name)."""
    node = f"<{terms.check_iri(iri)}>"
    return ask(f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} "
               f"UNION {{ GRAPH {node} {{ ?s ?p ?o }} }} }}")


def describe_query(iri: str) -> str:
    """The CONSTRUCT query of a resource's RDF: its triples (blank nodes one level deep), its
    evidence nodes and the triples that point to it."""
    node = f"<{terms.check_iri(iri)}>"
    return (f"CONSTRUCT {{ {node} ?p ?o . ?o ?bp ?bo . ?e ?ep ?eo . ?s ?ip {node} }} WHERE {{ "
            f"{{ {node} ?p ?o . OPTIONAL {{ FILTER (isBlank(?o)) ?o ?bp ?bo }} }} "
            f"UNION {{ {node} <{HAS_EVIDENCE}> ?e . ?e ?ep ?eo }} "
            f"UNION {{ ?s ?ip {node} }} }}")


def _graph_chip(graph: str) -> dict[str, str]:
    name = graph[len(GRAPH_BASE):] if graph.startswith(GRAPH_BASE) else terms.compact(graph)
    return {"name": name, "href": terms.page_link(graph)}


def _form_link(query: str) -> str:
    return "/?" + urlencode({"query": query})


def _outgoing(node: str) -> dict[str, Property]:
    rows = select(
        f"SELECT ?p ?o ?g ?bp ?bo WHERE {{ {node} ?p ?o . "
        f"OPTIONAL {{ GRAPH ?g {{ {node} ?p ?o }} }} "
        f"OPTIONAL {{ FILTER (isBlank(?o)) ?o ?bp ?bo }} }}")
    props: dict[str, Property] = {}
    index: dict[tuple[str, tuple[str, str, str, str]], Value] = {}
    for row in rows:
        p = row["p"]["value"]
        prop = props.setdefault(p, Property(p))
        k = (p, key(row["o"]))
        value = index.get(k)
        if value is None:
            value = index[k] = Value(row["o"])
            prop.values.append(value)
        if "g" in row:
            chip = _graph_chip(row["g"]["value"])
            if chip not in value.graphs:
                value.graphs.append(chip)
        if "bp" in row:
            pair = (row["bp"], row["bo"])
            if pair not in value.nested:
                value.nested.append(pair)
    for prop in props.values():
        prop.total = len(prop.values)
    return props


def _evidence(node: str) -> list[dict[str, Any]]:
    return select(
        f"SELECT ?e ?p ?o ?src ?quote ?stated WHERE {{ {node} <{HAS_EVIDENCE}> ?e . "
        f"?e <{RDF}predicate> ?p ; <{RDF}object> ?o . "
        f"OPTIONAL {{ ?e <{PROV}wasDerivedFrom> ?src }} "
        f"OPTIONAL {{ ?e <{RK}evidenceQuote> ?quote }} "
        f"OPTIONAL {{ ?e <{RK}statedValue> ?stated }} }}")


def _incoming(node: str) -> tuple[dict[str, Property], list[dict[str, Any]]]:
    skip = f"<{RDF}subject>, <{RDF}object>"
    counts = select(f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p {node} . "
                    f"FILTER (?p NOT IN ({skip})) }} GROUP BY ?p")
    rows = select(f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {node} . FILTER (?p NOT IN ({skip})) }} "
                  f"ORDER BY ?p ?s LIMIT {INCOMING_ROWS}")
    props: dict[str, Property] = {}
    for row in counts:
        p = row["p"]["value"]
        props[p] = Property(p, total=int(row["n"]["value"]))
    for row in rows:
        prop = props.get(row["p"]["value"])
        if prop is not None and len(prop.values) < SHOWN_INCOMING:
            prop.values.append(Value(row["s"]))
    for prop in props.values():
        if prop.total > len(prop.values):
            prop.more_href = _form_link(
                f"SELECT ?s WHERE {{ ?s <{prop.iri}> {node} }} ORDER BY ?s")
    evidence = select(
        f"SELECT ?s ?p ?e ?src ?quote WHERE {{ ?e <{RDF}object> {node} ; <{RDF}subject> ?s ; "
        f"<{RDF}predicate> ?p . OPTIONAL {{ ?e <{PROV}wasDerivedFrom> ?src }} "
        f"OPTIONAL {{ ?e <{RK}evidenceQuote> ?quote }} }} LIMIT {INCOMING_ROWS}")
    return props, evidence


def _sources(iris: list[str]) -> dict[str, dict[str, Any]]:
    """Date and address of each source document."""
    if not iris:
        return {}
    values = " ".join(f"<{terms.check_iri(i)}>" for i in sorted(set(iris))[:200])
    rows = select(
        f"SELECT ?src ?date ?url ?publisher WHERE {{ VALUES ?src {{ {values} }} "
        f"OPTIONAL {{ ?src <{DCT}issued>|<{DCT}date>|<{SCHEMA}datePublished> ?date }} "
        f"OPTIONAL {{ ?src <{SCHEMA}url> ?url }} "
        f"OPTIONAL {{ ?src <{DCT}publisher> ?publisher }} }}")
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        info = out.setdefault(row["src"]["value"], {})
        for name in ("date", "url", "publisher"):
            if name in row and name not in info:
                info[name] = row[name]["value"]
    return out


def _evidence_item(row: Mapping[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"node": row["e"]["value"], "href": terms.page_link(row["e"]["value"])}
    if "src" in row:
        item["source"] = row["src"]["value"]
    if "quote" in row:
        item["quote"] = row["quote"]["value"]
        item["quote_lang"] = terms.language_of(row["quote"]["value"],
                                               row["quote"].get("xml:lang", ""))
    if "stated" in row:
        item["stated"] = row["stated"]["value"]
    return item


def _collect_iris(props: Mapping[str, Property], into: list[str]) -> None:
    for prop in props.values():
        into.append(prop.iri)
        for value in prop.values:
            if value.term["type"] == "uri":
                into.append(value.term["value"])
            for bp, bo in value.nested:
                into.append(bp["value"])
                if bo["type"] == "uri":
                    into.append(bo["value"])


def describe(iri: str) -> dict[str, Any]:
    """Everything the HTML page of ``iri`` shows."""
    node = f"<{terms.check_iri(iri)}>"
    out = _outgoing(node)
    evidence_rows = _evidence(node) if HAS_EVIDENCE in out else []
    incoming, incoming_evidence = _incoming(node)

    # Evidence of each outgoing fact, matched on property and value.
    unmatched: list[dict[str, Any]] = []
    by_fact: dict[tuple[str, tuple[str, str, str, str]], Value] = {
        (p.iri, key(v.term)): v for p in out.values() for v in p.values}
    for row in evidence_rows:
        item = _evidence_item(row)
        value = by_fact.get((row["p"]["value"], key(row["o"])))
        if value is not None:
            value.evidence.append(item)
        else:
            item["property"] = row["p"]["value"]
            item["object"] = row["o"]
            unmatched.append(item)
    by_subject: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in incoming_evidence:
        by_subject.setdefault((row["s"]["value"], row["p"]["value"]), []).append(
            _evidence_item(row))
    for prop in incoming.values():
        for value in prop.values:
            value.evidence = by_subject.get((value.term["value"], prop.iri), [])

    iris: list[str] = [iri]
    _collect_iris(out, iris)
    _collect_iris(incoming, iris)
    sources = [v.term["value"] for v in out.get(PROV + "wasDerivedFrom", Property("")).values]
    evidence_sources = [e["source"] for p in (*out.values(), *incoming.values())
                        for v in p.values for e in v.evidence if "source" in e]
    evidence_sources += [e["source"] for e in unmatched if "source" in e]
    iris += sources + evidence_sources
    names = terms.labels(iris)

    def finish(props: Mapping[str, Property]) -> None:
        for prop in props.values():
            prop.label = dict(names.get(prop.iri, {}))
            prop.label.setdefault("en", PROPERTY_NAMES.get(prop.iri, terms.compact(prop.iri)))
            for value in prop.values:
                value.cell = terms.cell(value.term, names)
                value.nested = [(terms.cell(bp, names), terms.cell(bo, names))
                                for bp, bo in value.nested]
                for e in value.evidence:
                    if "source" in e:
                        e["source_cell"] = terms.cell({"type": "uri", "value": e["source"]}, names)

    finish(out)
    finish(incoming)
    for e in unmatched:
        e["property_cell"] = terms.cell({"type": "uri", "value": e["property"]}, names)
        e["object_cell"] = terms.cell(e["object"], names)
        if "source" in e:
            e["source_cell"] = terms.cell({"type": "uri", "value": e["source"]}, names)

    graphs = sorted({g["name"]: g for p in out.values() for v in p.values
                     for g in v.graphs}.values(), key=lambda g: g["name"])
    types = out.pop(TYPE, Property(TYPE))
    out.pop(HAS_EVIDENCE, None)
    if sources:
        out.pop(PROV + "wasDerivedFrom", None)  # shown, with dates, under "Where this comes from"
    groups = _group(out, node)
    info = _sources(sources + evidence_sources)
    source_list = [{"cell": terms.cell({"type": "uri", "value": s}, names), **info.get(s, {})}
                   for s in dict.fromkeys(sources)]
    label = names.get(iri, {})
    size = None
    if iri.startswith(GRAPH_BASE):
        counted = select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}")
        size = int(counted[0]["n"]["value"]) if counted else 0
    return {
        "graph_size": size,
        "iri": iri, "label": label, "types": [v.cell for v in types.values],
        "groups": groups, "unmatched": unmatched, "sources": source_list,
        "incoming": sorted(incoming.values(),
                           key=lambda p: (not p.has_evidence, p.label.get("en", p.iri))),
        "graphs": graphs,
        "is_graph": iri.startswith(GRAPH_BASE),
    }


def _group(props: dict[str, Property], node: str) -> list[dict[str, Any]]:
    """Properties in their groups, in the groups' order; within the names, each name once."""
    placed: set[str] = set()
    groups: list[dict[str, Any]] = []
    for group_id, title, members in GROUPS:
        chosen = [props[p] for p in members if p in props]
        placed.update(p.iri for p in chosen)
        if group_id == "names":
            seen: set[tuple[str, str]] = set()
            for prop in chosen:
                kept = []
                for value in prop.values:
                    k = (value.cell.get("text", ""), value.cell.get("lang", ""))
                    if k not in seen or value.evidence:
                        seen.add(k)
                        kept.append(value)
                prop.values = kept
            chosen = [p for p in chosen if p.values]
        if chosen:
            groups.append({"id": group_id, "title": title, "properties": chosen})
    rest = sorted((p for p in props.values() if p.iri not in placed),
                  key=lambda p: p.label.get("en", p.iri).casefold())
    if rest:
        at = sum(1 for g in groups if g["id"] in ("names", "about"))
        groups.insert(at, {"id": FACTS[0], "title": FACTS[1], "properties": rest})
    for group in groups:
        for prop in group["properties"]:
            if len(prop.values) > SHOWN_VALUES:
                prop.total = len(prop.values)
                prop.values = prop.values[:SHOWN_VALUES]
                prop.more_href = _form_link(
                    f"SELECT ?o WHERE {{ {node} <{prop.iri}> ?o }} ORDER BY ?o")
    return groups
