"""``/``: the query form.  An editor with SPARQL highlighting and prefix help, the gallery of
example questions from the catalogue, and results as a paged, sortable table.

Every state is a URL: ``/?query=<SPARQL>`` opens the form with that query and runs it (``page``,
``sort`` and ``desc`` pick the page and order).  Without JavaScript the form submits and the table
is rendered here; with it, the scripts in ``static/`` ask for the same answer as JSON
(``Accept: application/json``) and render it in place.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, render_template, request
from flask_babel import gettext

from kg.errors import RarekgError
from kg.vocab import QUERY_PREFIXES
from service import queries, terms, web

bp = Blueprint("form", __name__)

PAGE_SIZE = 50
KEEP_ROWS = 5000  # rows sent to the page; the downloads have them all
GRAPH_CHARS = 200_000
ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
DEFAULT_QUERY = """PREFIX rk: <https://w3id.org/rarekg/vocab#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?disease ?name_zh ?name_en WHERE {
  ?disease rk:listedIn ?list ;
           skos:prefLabel ?name_zh, ?name_en .
  FILTER (lang(?name_zh) = "zh" && lang(?name_en) = "en")
} LIMIT 10
"""
EXAMPLES_QUERY = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
SELECT ?example ?query ?text ?lang ?what WHERE {
  GRAPH <https://w3id.org/rarekg/graph/examples> {
    ?example a sh:SPARQLExecutable ; sh:select|sh:ask|sh:construct ?query .
    OPTIONAL {
      { ?example rdfs:label ?text BIND ("label" AS ?what) }
      UNION { ?example rdfs:comment ?text BIND ("comment" AS ?what) }
      UNION { ?example schema:keywords ?text BIND ("keyword" AS ?what) }
      BIND (lang(?text) AS ?lang)
    }
  }
} ORDER BY ?example
"""
def examples() -> list[dict[str, Any]]:
    """The example questions of the catalogue (read once per build being served)."""
    try:
        return web.cached("examples", _examples)
    except RarekgError:
        return []  # the form still works without its gallery


def _examples() -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for row in queries.select(EXAMPLES_QUERY):
        iri = row["example"]["value"]
        ex = found.setdefault(iri, {
            "id": iri.rsplit("/", 1)[-1], "iri": iri, "query": row["query"]["value"],
            "label": {}, "comment": {}, "keywords": [],
        })
        if "text" not in row:
            continue
        text, lang, what = row["text"]["value"], row["lang"]["value"], row["what"]["value"]
        if what == "keyword":
            if text not in ex["keywords"]:
                ex["keywords"].append(text)
        else:
            ex[what][terms.language_of(text, lang)] = text
    for ex in found.values():
        ex["href"] = "/?" + urlencode({"query": ex["query"]})
        ex["title"] = ex["label"].get("en") or ex["comment"].get("en") or ex["id"]
    return list(found.values())


VOCAB_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?t ?class ?label ?comment WHERE {
  GRAPH <https://w3id.org/rarekg/graph/ontology> {
    ?t a ?type . FILTER (STRSTARTS(STR(?t), "https://w3id.org/rarekg/vocab#"))
    BIND (?type IN (owl:Class, rdfs:Class) AS ?class)
    OPTIONAL { ?t rdfs:label ?label FILTER (lang(?label) = "en") }
    OPTIONAL { ?t rdfs:comment ?comment FILTER (lang(?comment) = "en") }
  }
} ORDER BY ?t
"""


def vocabulary_terms() -> dict[str, list[dict[str, str]]]:
    """The vocabulary's terms for the editor's completion, by prefix (read once per build)."""
    try:
        return web.cached("vocab-terms", _vocabulary_terms)
    except RarekgError:
        return {}


def _vocabulary_terms() -> dict[str, list[dict[str, str]]]:
    found: dict[str, dict[str, str]] = {}
    for row in queries.select(VOCAB_QUERY):
        name = row["t"]["value"].rsplit("#", 1)[-1]
        term = found.setdefault(name, {"name": name, "kind": "property"})
        if row.get("class", {}).get("value") in ("true", "1"):
            term["kind"] = "class"
        for what in ("label", "comment"):
            if what in row:
                term[what] = row[what]["value"][:200]
    return {"rk": list(found.values())}


def downloads(query: str, kind: str) -> list[dict[str, str]]:
    formats = ([("CSV", "csv", "csv"), ("TSV", "tsv", "tsv"), ("JSON", "json", "json")]
               if kind == "select" else
               [("Turtle", "turtle", "ttl"), ("N-Triples", "nt", "nt"), ("JSON-LD", "json-ld",
                                                                       "jsonld")]
               if kind == "graph" else [("JSON", "json", "json")])
    found = [{"label": label, "href": "/sparql?" + urlencode({"query": query, "format": fmt}),
              "file": f"rarekg-result.{ext}"} for label, fmt, ext in formats]
    if kind == "select":  # Excel reads UTF-8 CSV only with a byte-order mark
        found.insert(1, {"label": gettext("CSV for Excel"), "href": "/sparql?" + urlencode(
            {"query": query, "format": "csv", "bom": "1"}), "file": "rarekg-result.csv"})
    return found


def run(query: str) -> dict[str, Any]:
    """The answer to ``query`` as the form shows it; errors are part of the answer."""
    started = time.perf_counter()
    try:
        answer = queries.answer(query, ACCEPT)
    except RarekgError as exc:
        error = {"type": exc.kind, "status": exc.status, "message": str(exc),
                 "line": getattr(exc, "line", None), "column": getattr(exc, "column", None),
                 "detail": getattr(exc, "detail", None)}
        return {"kind": "error", "error": error,
                "elapsed_ms": round((time.perf_counter() - started) * 1000)}
    elapsed = round((time.perf_counter() - started) * 1000)
    out: dict[str, Any] = {"elapsed_ms": elapsed}
    if answer.media_type == "text/turtle":
        text = answer.body.decode("utf-8")
        out.update(kind="graph", total=answer.rows, graph=text[:GRAPH_CHARS],
                   truncated=len(text) > GRAPH_CHARS)
    else:
        data = json.loads(answer.body)
        if "boolean" in data:
            out.update(kind="ask", boolean=bool(data["boolean"]), total=1)
        else:
            variables: list[str] = data["head"].get("vars", [])
            bindings = data["results"]["bindings"]
            kept = bindings[:KEEP_ROWS]
            names = terms.labels(terms.result_iris(kept))
            rows = terms.table(kept, variables, names)
            out.update(kind="select", variables=variables, rows=rows, total=len(bindings),
                       truncated=len(bindings) > KEEP_ROWS)
    out["downloads"] = downloads(query, out["kind"])
    return out


def sort_key(cell: dict[str, Any]) -> tuple[int, float, str]:
    """How the table orders a column (the browser script orders the same way): numbers by value,
    IRIs by their short name, text as text; empty cells last."""
    if cell["kind"] == "empty":
        return (2, 0.0, "")
    if cell.get("numeric"):
        try:
            return (0, float(cell["text"]), "")
        except ValueError:
            pass
    return (1, 0.0, str(cell.get("short") or cell["text"]).casefold())


def _int(name: str, default: int) -> int:
    try:
        return max(int(request.args.get(name, default)), 1)
    except ValueError:
        return default


@bp.route("/", methods=["GET", "POST"])
def form() -> Response | tuple[str, int] | str:
    query = request.values.get("query", "")
    result = run(query) if query.strip() else None
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        if result is None:
            return jsonify({"kind": "error", "elapsed_ms": 0,
                            "error": {"type": "bad-request", "message": "no query given"}})
        return jsonify(result)
    page, sort = _int("page", 1), request.args.get("sort", "")
    desc = request.args.get("desc") == "1"
    view: dict[str, Any] = {}
    if result and result["kind"] == "select":
        rows = result["rows"]
        if sort in result["variables"]:
            column = result["variables"].index(sort)
            rows = sorted(rows, key=lambda r: sort_key(r[column]), reverse=desc)
        pages = max((len(rows) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        page = min(page, pages)
        view = {"page_rows": rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], "page": page,
                "pages": pages, "sort": sort, "desc": desc,
                "first_row": (page - 1) * PAGE_SIZE + 1}

    def state_url(**changes: Any) -> str:
        params = {"query": query, "page": page, "sort": sort, "desc": "1" if desc else ""}
        params.update(changes)
        return "/?" + urlencode({k: v for k, v in params.items() if v not in ("", None, 1)
                                 or k == "query"})

    status = result["error"]["status"] if result and result["kind"] == "error" else 200
    html = render_template(
        "form.html", query=query or DEFAULT_QUERY, ran=bool(result), result=result,
        examples=examples(), prefixes=sorted(QUERY_PREFIXES.items()), state_url=state_url,
        vocab_terms=vocabulary_terms(),
        page_size=PAGE_SIZE, **view)
    return html, status
