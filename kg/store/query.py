"""Running SPARQL queries on a store and serializing their results (no rdflib on this path)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    serialize,
)

from kg.errors import BadRequest, NotAcceptable
from kg.store.embedded import syntax_error
from kg.store.sparql_tokens import check_complexity, check_service, has_clause
from kg.store.union import union_dataset
from kg.vocab import PREFIXES, QUERY_PREFIXES

RESULT_TYPES = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
    "application/json": QueryResultsFormat.JSON,
    "application/xml": QueryResultsFormat.XML,
    "text/xml": QueryResultsFormat.XML,
}
GRAPH_TYPES = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "text/plain": RdfFormat.N_TRIPLES,
    "application/x-turtle": RdfFormat.TURTLE,
    "text/n3": RdfFormat.TURTLE,
    "application/json": RdfFormat.JSON_LD,
    "application/xml": RdfFormat.RDF_XML,
}
# The `format` / `output` / `results` parameter values clients such as SPARQLWrapper send.
FORMAT_NAMES = {
    "results": {
        "json": "application/sparql-results+json",
        "xml": "application/sparql-results+xml",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
    },
    "graph": {
        "turtle": "text/turtle",
        "ttl": "text/turtle",
        "n3": "text/turtle",
        "nt": "application/n-triples",
        "ntriples": "application/n-triples",
        "n-triples": "application/n-triples",
        "json-ld": "application/ld+json",
        "jsonld": "application/ld+json",
        "json": "application/ld+json",
        "xml": "application/rdf+xml",
        "rdf": "application/rdf+xml",
        "rdf+xml": "application/rdf+xml",
        "rdfxml": "application/rdf+xml",
    },
}
CHARSET = {
    "text/csv",
    "text/tab-separated-values",
    "text/turtle",
    "application/n-triples",
    "text/plain",
}

_STRINGS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
MAX_DEPTH = 100  # the defaults of the settings max_query_depth and max_query_operators
MAX_OPERATORS = 2000
DEFAULTS = {"results": "application/sparql-results+json", "graph": "text/turtle"}


@dataclass
class Result:
    """An executed query's result, still to be serialized."""

    value: QuerySolutions | QueryBoolean | QueryTriples | list[Triple]

    @property
    def kind(self) -> str:
        return "graph" if isinstance(self.value, QueryTriples | list) else "results"

    def media_types(self) -> dict[str, QueryResultsFormat | RdfFormat]:
        return dict(GRAPH_TYPES) if self.kind == "graph" else dict(RESULT_TYPES)

    def serialize(self, media_type: str) -> bytes:
        fmt = self.media_types().get(media_type)
        if fmt is None:
            raise NotAcceptable(f"{media_type} is not available for this query's result")
        if isinstance(self.value, QueryTriples | list):
            assert isinstance(fmt, RdfFormat)
            if fmt == RdfFormat.TURTLE:
                data = serialize(self.value, format=fmt, prefixes=PREFIXES)
            else:
                data = serialize(self.value, format=fmt)
        else:
            assert isinstance(fmt, QueryResultsFormat)
            data = self.value.serialize(format=fmt)
        assert data is not None
        return data


def strip_literals(query: str) -> str:
    """The query without its strings, IRIs and comments (to look for keywords safely)."""
    return _STRINGS.sub(" ", query)


def choose_media_type(result: Result, format_names: Sequence[str], accept: str) -> str:
    """The media type to answer with: from the first ``format`` / ``output`` / ``results``
    parameter if given, else from ``Accept``.  Raises ``NotAcceptable``."""
    offered = result.media_types()
    for value in format_names:
        value = value.lower()
        if "/" in value:
            if value in offered:
                return value
        elif value in FORMAT_NAMES[result.kind]:
            return FORMAT_NAMES[result.kind][value]
        raise NotAcceptable(f"format {value!r} is not available for this query's result")
    chosen = negotiate(accept, list(offered), DEFAULTS[result.kind])
    if chosen is None:
        raise NotAcceptable(
            "none of the requested types is available; this result is offered as "
            + ", ".join(sorted(offered))
        )
    return chosen


def run_query(
    store: Store,
    query: str,
    *,
    default_graph_uris: Sequence[str] = (),
    named_graph_uris: Sequence[str] = (),
    service_allowlist: Sequence[str] = (),
    base_iri: str | None = None,
    max_depth: int = MAX_DEPTH,
    max_operators: int = MAX_OPERATORS,
    union: Mapping[str, Any] | None = None,
    point_lookup: bool = False,
) -> Result:
    """Execute ``query`` on its RDF dataset.

    With protocol dataset parameters (``default_graph_uris`` / ``named_graph_uris``), the dataset is
    exactly the listed graphs and overrides the query's own ``FROM`` / ``FROM NAMED``; else a query
    with ``FROM`` / ``FROM NAMED`` gets the dataset it names; else the default graph is the union of
    all graphs of the store, as a set (``kg/store/union.py``), and every named graph can be reached
    with ``GRAPH``.  Relative IRIs resolve against ``base_iri`` (the protocol's choice: the
    endpoint's URL); the prefixes of ``kg.vocab.QUERY_PREFIXES`` need no ``PREFIX`` line.

    ``union``: ``union_dataset(store)`` when the caller keeps it (it lists the store's graphs).
    ``point_lookup``: ``query`` is a point lookup (``kg/store/lookup.py``), known to have one
    triple pattern and nothing else: no nesting, ``SERVICE``, ``FROM`` or ``GRAPH``, so neither
    the checks nor the named graphs are needed (the union as the default graph is).

    Raises ``BadRequest`` for a query nested or chained past ``max_depth`` / ``max_operators``
    (checked before the parser, which crashes on thousands of levels), ``QuerySyntaxError`` (400,
    with line and column) for a query that does not parse and ``Forbidden`` for a federated query
    (``SERVICE``, however spelled) to an endpoint not on ``service_allowlist``.
    """
    kwargs: dict[str, object] = {}
    if point_lookup:  # one pattern in the default graph: nothing to check, no named graph needed
        dataset = union_dataset(store) if union is None else union
        kwargs.update((k, v) for k, v in dataset.items() if k != "named_graphs")
    else:
        check_complexity(query, max_depth, max_operators)
        check_service(query, service_allowlist, base_iri)
        try:
            if default_graph_uris or named_graph_uris:
                kwargs["default_graph"] = [NamedNode(u) for u in default_graph_uris]
                kwargs["named_graphs"] = [NamedNode(u) for u in named_graph_uris]
            elif not has_clause(query, "from"):
                kwargs.update(union_dataset(store) if union is None else union)
        except ValueError as exc:
            raise BadRequest(f"not an IRI: {exc}") from None
    try:
        value = store.query(
            query, base_iri=base_iri, prefixes=QUERY_PREFIXES, **kwargs  # type: ignore[arg-type]
        )
    except SyntaxError as exc:
        raise syntax_error(exc, query) from None
    return Result(value)


def negotiate(accept: str, offered: Sequence[str], default: str) -> str | None:
    """The offered media type the ``Accept`` header prefers (``default`` for ``*/*`` or none)."""
    if not accept.strip():
        return default
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        q = 1.0
        for param in pieces[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        if media in ("*/*", ""):
            candidate = default
        elif media.endswith("/*"):
            candidate = next((o for o in offered if o.startswith(media[:-1])), "")
        else:
            candidate = media if media in offered else ""
        if candidate:
            key = (q, -position, candidate)
            if best is None or key[:2] > best[:2]:
                best = key
    return best[2] if best else None
