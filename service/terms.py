"""RDF terms for people: where an IRI's page is, a short name for it, its labels in Chinese and
English, and one ``Cell`` shape that templates and the browser scripts both render."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from flask import current_app
from pyoxigraph import NamedNode

from kg.errors import BadRequest
from kg.vocab import ID_BASE, PREFIXES
from service.queries import select

Binding = Mapping[str, Any]
LABEL_PROPERTIES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://schema.org/name",
    "http://purl.org/dc/terms/title",
)
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long",
                             "nonNegativeInteger", "positiveInteger", "gYear")}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
LABEL_CHUNK = 200
_LIST = re.compile(re.escape(ID_BASE) + r"list/cn(\d+)")
# Short names for codes of other terminologies, as people write them.
CODE_PREFIXES = {
    "ORPHA:": "http://www.orpha.net/ORDO/Orphanet_",
    "HP:": "http://purl.obolibrary.org/obo/HP_",
    "MONDO:": "http://purl.obolibrary.org/obo/MONDO_",
    "OMIM:": "https://omim.org/entry/",
}
PLAIN_TYPES = NUMERIC | {XSD + t for t in ("date", "dateTime", "boolean", "anyURI", "gYearMonth")}


def base_iri() -> str:
    value = current_app.config["RAREKG"]["base_iri"]
    assert isinstance(value, str)
    return value


def check_iri(value: str) -> str:
    """``value`` when it is an absolute IRI that can go into a query; raises ``BadRequest``."""
    try:
        NamedNode(value)
    except ValueError:
        raise BadRequest(f"not an IRI: {value!r}") from None
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
        raise BadRequest(f"not an absolute IRI: {value!r}")
    return value


def page_link(iri: str) -> str:
    """Where the service shows ``iri``: the same path for the IRIs the graph mints, else
    ``/page?iri=``."""
    base = base_iri()
    if iri.startswith(base):
        rest = iri[len(base):]
        path, _, fragment = rest.partition("#")
        if re.fullmatch(r"(id|graph|vocab)(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?", path):
            return "/" + path + ("#" + fragment if fragment else "")
    return "/page?iri=" + quote(iri, safe="")


def compact(iri: str) -> str:
    """A short name: ``rk:servesDisease``, ``rkid:disease/cn1-086``; the IRI itself otherwise."""
    for code, namespace in CODE_PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return code + iri[len(namespace):]
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best = namespace
            name = prefix
    if best and len(iri) > len(best):
        return f"{name}:{iri[len(best):]}"
    return iri


def language_of(text: str, lang: str) -> str:
    """``zh`` or ``en`` for a label: its tag, else ``zh`` when it holds Chinese characters."""
    tag = lang.split("-")[0].lower()
    if tag in ("zh", "en"):
        return tag
    if tag:
        return tag
    return "zh" if _CJK.search(text) else "en"


def labels(iris: Iterable[str]) -> dict[str, dict[str, str]]:
    """The Chinese and English labels of each IRI that has any (``{iri: {"zh": .., "en": ..}}``),
    preferring ``skos:prefLabel``, then ``rdfs:label``, ``schema:name``, ``dct:title``."""
    todo = sorted({i for i in iris if i})
    found: dict[str, dict[str, tuple[int, str]]] = {}
    props = ", ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    for start in range(0, len(todo), LABEL_CHUNK):
        values = " ".join(f"<{check_iri(i)}>" for i in todo[start:start + LABEL_CHUNK])
        # One VALUES for the subjects and a FILTER for the properties: Oxigraph evaluates two
        # VALUES blocks as a cross product first (7-58 times slower, docs/queries.md).
        rows = select(f"SELECT ?x ?p ?l WHERE {{ VALUES ?x {{ {values} }} ?x ?p ?l . "
                      f"FILTER (?p IN ({props}) && isLiteral(?l)) }}")
        for row in rows:
            text = row["l"]["value"]
            lang = language_of(text, row["l"].get("xml:lang", ""))
            if lang not in ("zh", "en"):
                continue
            rank = LABEL_PROPERTIES.index(row["p"]["value"])
            mine = found.setdefault(row["x"]["value"], {})
            if rank < mine.get(lang, (99, ""))[0] or (
                    rank == mine.get(lang, (99, ""))[0] and text < mine[lang][1]):
                mine[lang] = (rank, text)
    out = {iri: {lang: text for lang, (_, text) in by_lang.items()}
           for iri, by_lang in found.items()}
    for iri in todo:  # the national lists by a short name in tables: 第一批, List 1
        number = _LIST.fullmatch(iri)
        if number:
            n = int(number.group(1))
            out[iri] = {"zh": f"第{'一二三四五六七八九'[n - 1]}批" if 0 < n < 10 else f"第{n}批",
                        "en": f"List {n}"}
    return out


def cell(binding: Binding | None, names: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """One value of a result or a page, ready to show: ``kind`` is ``iri``, ``literal``, ``bnode``
    or ``empty``; IRIs carry ``href`` (their page), ``short`` and labels ``zh`` / ``en``."""
    if binding is None:
        return {"kind": "empty", "text": ""}
    value = str(binding["value"])
    if binding["type"] == "uri":
        label = names.get(value, {})
        out_iri: dict[str, Any] = {
            "kind": "iri", "text": value, "href": page_link(value), "short": compact(value),
            "zh": label.get("zh", ""), "en": label.get("en", "")}
        if not value.startswith(base_iri()) and value.startswith(("http://", "https://")):
            out_iri["external"] = value
        return out_iri
    if binding["type"] == "bnode":
        return {"kind": "bnode", "text": "_:" + value}
    datatype = str(binding.get("datatype", ""))
    out: dict[str, Any] = {"kind": "literal", "text": value, "lang": binding.get("xml:lang", "")}
    if datatype and datatype != XSD + "string":
        if datatype not in PLAIN_TYPES:
            out["datatype"] = compact(datatype)
        if datatype in NUMERIC:
            out["numeric"] = True
        if datatype == XSD + "anyURI" and value.startswith(("http://", "https://")):
            out["url"] = value
    return out


def table(bindings: Iterable[Mapping[str, Binding]], variables: Sequence[str],
          names: Mapping[str, Mapping[str, str]]) -> list[list[dict[str, Any]]]:
    """The cells of a result table, a row per binding: an IRI seen before reuses its cell (one
    page link and short name per IRI: a large result names the same few IRIs again and again)."""
    seen: dict[str, dict[str, Any]] = {}
    rows = []
    for binding in bindings:
        row = []
        for v in variables:
            term = binding.get(v)
            if term is not None and term["type"] == "uri":
                value = str(term["value"])
                if value not in seen:
                    seen[value] = cell(term, names)
                row.append(seen[value])
            else:
                row.append(cell(term, names))
        rows.append(row)
    return rows


def result_iris(bindings: Iterable[Mapping[str, Binding]], limit: int = 2000) -> list[str]:
    """The distinct IRIs of a result (the first ``limit``), to look their labels up."""
    seen: dict[str, None] = {}
    for row in bindings:
        for term in row.values():
            if term.get("type") == "uri":
                seen[str(term["value"])] = None
                if len(seen) >= limit:
                    return list(seen)
    return list(seen)
