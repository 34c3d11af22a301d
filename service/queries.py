"""Running the service's own SPARQL (pages, search, dashboard) through the same bounded executors
as ``/sparql``, so every backend and every limit applies to them too."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app

from kg.store.executor import QueryAnswer, QueryPool, QueryRequest

JSON_RESULTS = "application/sparql-results+json"


def pool() -> QueryPool:
    p = current_app.extensions["rarekg_pool"]
    assert isinstance(p, QueryPool)
    return p


def select(query: str) -> list[dict[str, dict[str, Any]]]:
    """The bindings of a SELECT query, as in SPARQL JSON results: ``{var: {"type", "value",
    "xml:lang"?, "datatype"?}}``.  Raises the query's ``RarekgError``."""
    answer = pool().run(QueryRequest(query=query, accept=JSON_RESULTS))
    data = json.loads(answer.body)
    bindings: list[dict[str, dict[str, Any]]] = data["results"]["bindings"]
    return bindings


def ask(query: str) -> bool:
    answer = pool().run(QueryRequest(query=query, accept=JSON_RESULTS))
    return bool(json.loads(answer.body)["boolean"])


def construct(query: str, media_type: str) -> bytes:
    """A graph result serialized as ``media_type`` (Turtle, N-Triples, JSON-LD, RDF/XML)."""
    return pool().run(QueryRequest(query=query, accept=media_type)).body


def answer(query: str, accept: str) -> QueryAnswer:
    """Any query's answer in the type ``accept`` prefers (for the query form, which shows SELECT,
    ASK and graph results).  Raises the query's ``RarekgError``."""
    return pool().run(QueryRequest(query=query, accept=accept))
