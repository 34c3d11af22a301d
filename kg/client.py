"""A small client for notebooks, built on SPARQLWrapper: any query, or a question of the example
catalogue by name, against a local or remote rarekg endpoint.

- ``select`` gives a pandas DataFrame with typed columns: ``xsd:integer`` (and its subtypes) as
  ``Int64``, ``xsd:decimal`` / ``xsd:double`` / ``xsd:float`` as ``float64``, ``xsd:date`` and
  ``xsd:dateTime`` as ``datetime64``, ``xsd:boolean`` as ``boolean``, everything else (IRIs, blank
  nodes as ``_:id``, plain and language-tagged strings) as ``string``.  A column with
  language-tagged values gets a companion column ``<name>@lang`` right after it with the tags.
  Unbound values are missing (``<NA>``, ``NaN``, ``NaT``).  A column whose values mix types stays
  ``string`` (dates of different precision too: ``xsd:date`` with ``xsd:gYearMonth``).
- ``construct`` (also for ``DESCRIBE``) gives an rdflib ``Graph``; ``ask`` a ``bool``.
- ``example(name)`` runs a question of the catalogue the service publishes at
  ``/.well-known/sparql-examples``; ``name`` is the local part of the example's IRI or a prefix of
  it that names one example (``"q01"``).
- A query that does not parse raises ``QuerySyntaxError`` (a ``QueryBadFormed``) whose message is
  the plain-words one the service gives (``kg.syntax``), with ``line``, ``column`` and the parser's
  own text as ``detail``; other endpoints' errors are put into the same words here.

Needs the ``notebook`` extra (pandas).
"""

from __future__ import annotations

import ast
import json
import math
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urljoin

import pandas as pd
import rdflib
from rdflib.namespace import RDFS, SH
from SPARQLWrapper import GET, JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.syntax import explain

XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER_TYPES = {
    XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}
FLOAT_TYPES = {XSD + t for t in ("decimal", "double", "float")}
DATE_TYPES = {XSD + "date"}
DATETIME_TYPES = {XSD + "dateTime", XSD + "dateTimeStamp"}
BOOLEAN_TYPE = XSD + "boolean"
LANG_SUFFIX = "@lang"
EXAMPLES_PATH = ".well-known/sparql-examples"  # beside the endpoint
GET_LIMIT = 1500  # longer queries are sent with POST

Term = dict[str, str]


@dataclass(frozen=True)
class Example:
    """A question of the catalogue."""

    name: str  # local part of the IRI, e.g. "q01-diseases-without-patient-organization"
    iri: str
    label: str
    query: str
    form: str  # "select", "construct" or "ask"


class QuerySyntaxError(QueryBadFormed):
    """A query the endpoint could not parse: ``str()`` is the plain-words message; ``line`` and
    ``column`` say where; ``detail`` is the parser's own text."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None,
                 detail: str | None = None) -> None:
        Exception.__init__(self, message)
        self.message = message
        self.line = line
        self.column = column
        self.detail = detail

    @classmethod
    def from_response(cls, exc: QueryBadFormed, query: str) -> QuerySyntaxError:
        """From the endpoint's answer: rarekg's JSON error as it is, any other text explained."""
        text = str(exc)
        body = text.split("Response:\n", 1)[1] if "Response:\n" in text else ""
        try:
            raw = ast.literal_eval(body).decode("utf-8", errors="replace") if body else text
        except (ValueError, SyntaxError):
            raw = body or text
        try:
            error = json.loads(raw)["error"]
            if error.get("type") == "syntax-error":
                return cls(error["message"], error.get("line"), error.get("column"),
                           error.get("detail"))
        except (ValueError, KeyError, TypeError, AttributeError):
            pass
        explained = explain(raw, query)
        return cls(explained.message, explained.line, explained.column, explained.detail)


class Client:
    """A SPARQL endpoint, e.g. ``Client("http://127.0.0.1:8000/sparql")``.

    ``examples`` is where the catalogue is (default: ``.well-known/sparql-examples`` beside the
    endpoint); ``timeout`` is in seconds.  Errors of the endpoint come as SPARQLWrapper's
    exceptions (``QueryBadFormed`` for a syntax error, ``EndPointInternalError``, …)."""

    def __init__(
        self, endpoint: str, *, examples: str | None = None, timeout: float = 60.0
    ) -> None:
        self.endpoint = endpoint
        self.examples_url = examples or urljoin(endpoint, EXAMPLES_PATH)
        self.timeout = timeout
        self._catalogue: dict[str, Example] | None = None

    def _wrapper(self, query: str, fmt: str) -> SPARQLWrapper:
        sparql = SPARQLWrapper(self.endpoint, agent="rarekg-client")
        sparql.setQuery(query)
        sparql.setReturnFormat(fmt)
        sparql.setMethod(POST if len(query) > GET_LIMIT else GET)
        sparql.setTimeout(math.ceil(self.timeout))
        return sparql

    def _run(self, query: str, fmt: str) -> Any:
        try:
            return self._wrapper(query, fmt).query().convert()
        except QueryBadFormed as exc:
            raise QuerySyntaxError.from_response(exc, query) from None

    def select(self, query: str) -> pd.DataFrame:
        """The solutions of a ``SELECT`` query as a DataFrame with typed columns.  Raises
        ``ValueError`` for a query that is not a ``SELECT``."""
        data = self._run(query, JSON)
        if not isinstance(data, dict) or "results" not in data:
            raise ValueError("not a SELECT query: use ask() or construct()")
        return frame(data)

    def ask(self, query: str) -> bool:
        """The answer to an ``ASK`` query.  Raises ``ValueError`` for another query form."""
        data = self._run(query, JSON)
        if not isinstance(data, dict) or "boolean" not in data:
            raise ValueError("not an ASK query")
        return bool(data["boolean"])

    def construct(self, query: str) -> rdflib.Graph:
        """The graph of a ``CONSTRUCT`` or ``DESCRIBE`` query."""
        data = self._run(query, TURTLE)
        graph = rdflib.Graph()
        graph.parse(data=cast(bytes, data), format="turtle")
        return graph

    def examples(self) -> dict[str, Example]:
        """The catalogue of example questions, by name (fetched once)."""
        if self._catalogue is None:
            request = urllib.request.Request(self.examples_url, headers={"Accept": "text/turtle"})
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
            self._catalogue = read_catalogue(rdflib.Graph().parse(data=body, format="turtle"))
        return self._catalogue

    def example(self, name: str) -> pd.DataFrame | rdflib.Graph | bool:
        """Run the catalogue question ``name`` (its IRI's local part, or a prefix naming one
        question): a DataFrame for ``SELECT``, a Graph for ``CONSTRUCT``, a bool for ``ASK``.
        Raises ``KeyError`` for no question or more than one."""
        question = find_example(self.examples(), name)
        run: dict[str, Callable[[str], Any]] = {
            "select": self.select,
            "construct": self.construct,
            "ask": self.ask,
        }
        return cast(pd.DataFrame | rdflib.Graph | bool, run[question.form](question.query))


def read_catalogue(graph: rdflib.Graph) -> dict[str, Example]:
    """The ``sh:SPARQLExecutable`` questions of a catalogue graph, by name."""
    forms = {SH.select: "select", SH.construct: "construct", SH.ask: "ask"}
    found: dict[str, Example] = {}
    for prop, form in forms.items():
        for subject, query in graph.subject_objects(prop):
            iri = str(subject)
            name = iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            labels = {
                getattr(label, "language", None): str(label)
                for label in graph.objects(subject, RDFS.label)
            }
            label = labels.get("en") or next(iter(labels.values()), name)
            found[name] = Example(name, iri, label, str(query), form)
    return dict(sorted(found.items()))


def find_example(catalogue: dict[str, Example], name: str) -> Example:
    """The question called ``name``, or the only one whose name starts with it.  Raises
    ``KeyError``."""
    if name in catalogue:
        return catalogue[name]
    matches = [q for n, q in catalogue.items() if n.startswith(name)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise KeyError(
            f"{name!r} names {len(matches)} questions: " + ", ".join(q.name for q in matches)
        )
    raise KeyError(f"no question {name!r}; the catalogue has " + ", ".join(catalogue))


def frame(results: dict[str, Any]) -> pd.DataFrame:
    """SPARQL JSON results as a DataFrame with typed columns (see the module's description)."""
    bindings: list[dict[str, Term]] = results["results"]["bindings"]
    columns: dict[str, Any] = {}
    for var in results["head"].get("vars", []):
        terms = [b.get(var) for b in bindings]
        columns[var] = column(terms)
        if any(t is not None and "xml:lang" in t for t in terms):
            columns[var + LANG_SUFFIX] = pd.array(
                [t.get("xml:lang") if t is not None else None for t in terms], dtype="string"
            )
    return pd.DataFrame(columns, index=pd.RangeIndex(len(bindings)))


def column(terms: Sequence[Term | None]) -> Any:
    """One column's values, typed by the datatypes of its literals."""
    present = [t for t in terms if t is not None]
    datatypes = {
        t.get("datatype") if t["type"] in ("literal", "typed-literal") else t["type"]
        for t in present
    }
    values = [
        None if t is None else "_:" + t["value"] if t["type"] == "bnode" else t["value"]
        for t in terms
    ]
    typed: Any = None
    if present and datatypes <= INTEGER_TYPES:
        typed = _convert(values, int, "Int64")
    elif present and datatypes <= INTEGER_TYPES | FLOAT_TYPES:
        typed = _convert(values, float, "float64")
    elif present and datatypes <= {BOOLEAN_TYPE}:
        typed = _convert(values, lambda v: v in ("true", "1"), "boolean")
    elif present and datatypes <= DATE_TYPES | DATETIME_TYPES:
        typed = _dates(values)
    if typed is not None:
        return typed
    return pd.array(values, dtype="string")


def _convert(values: list[str | None], convert: Callable[[str], Any], dtype: str) -> Any:
    try:
        converted = [convert(v) if v is not None else None for v in values]
    except ValueError:
        return None  # a value outside its datatype's lexical space: kept as text
    if dtype == "float64":
        return pd.array([math.nan if v is None else v for v in converted], dtype=dtype)
    return pd.array(converted, dtype=dtype)


def _dates(values: list[str | None]) -> Any:
    try:
        return pd.to_datetime(pd.Series(values, dtype="object"), format="ISO8601").array
    except (ValueError, TypeError):
        try:  # mixed time zones: all in UTC
            return pd.to_datetime(
                pd.Series(values, dtype="object"), format="ISO8601", utc=True
            ).array
        except (ValueError, TypeError):
            return None
