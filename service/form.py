"""``/``: a plain query form that runs a query and shows the result as a table."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request
from pyoxigraph import Literal, NamedNode, QueryBoolean, QuerySolutions

from kg.errors import RarekgError
from kg.query import run_query
from service import store_handle

bp = Blueprint("form", __name__)

SHOWN_ROWS = 1000
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
SELECT ?example ?comment ?query WHERE {
  GRAPH <https://w3id.org/rarekg/graph/examples> {
    ?example a sh:SPARQLExecutable ; rdfs:comment ?comment ; sh:select|sh:ask|sh:construct ?query .
    FILTER (lang(?comment) = "en" || lang(?comment) = "")
  }
} ORDER BY ?example
"""


def _cell(term: Any) -> dict[str, str]:
    if term is None:
        return {"text": ""}
    if isinstance(term, NamedNode):
        return {"text": term.value, "href": term.value}
    if isinstance(term, Literal):
        return {"text": term.value, "lang": term.language or ""}
    return {"text": str(term)}


def _examples() -> list[dict[str, str]]:
    try:
        store, _ = store_handle(current_app).get()
        rows = store.query(EXAMPLES_QUERY)
    except (RarekgError, OSError):
        return []
    examples = []
    for row in rows:  # type: ignore[union-attr]
        query = row["query"].value  # type: ignore[index,union-attr]
        examples.append({
            "id": row["example"].value.rsplit("/", 1)[-1],  # type: ignore[index,union-attr]
            "comment": row["comment"].value,  # type: ignore[index,union-attr]
            "href": "/?" + urlencode({"query": query}),
        })
    return examples


@bp.route("/", methods=["GET"])
def form() -> str:
    query = request.args.get("query", "")
    context: dict[str, Any] = {"query": query or DEFAULT_QUERY, "examples": _examples()}
    if query:
        started = time.perf_counter()
        try:
            store, _ = store_handle(current_app).get()
            result = run_query(store, query)
            value = result.value
            if isinstance(value, QuerySolutions):
                variables = [v.value for v in value.variables]
                rows = []
                truncated = False
                for i, solution in enumerate(value):
                    if i >= SHOWN_ROWS:
                        truncated = True
                        break
                    rows.append([_cell(solution[v]) for v in variables])
                context.update(variables=variables, rows=rows, truncated=truncated)
            elif isinstance(value, QueryBoolean):
                context.update(boolean=bool(value))
            else:
                context.update(graph=result.serialize("application/n-triples").decode("utf-8"))
        except RarekgError as exc:
            context["error"] = str(exc)
        context["elapsed"] = f"{(time.perf_counter() - started) * 1000:.0f} ms"
    return render_template("form.html", **context)
