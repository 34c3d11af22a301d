"""The lean request path stays exact.

The executors count the rows of a result by scanning the bytes the engine serialized, not by
parsing them again: the count must equal the parsed one for every kind of term and every text a
literal can hold (braces, quotes, newlines, commas, escapes), in every result format.  The query
checks split a text into SPARQL terminals trying only the terminals its next character can begin:
the tokens must be those of trying every terminal, as the grammar says.
"""

from __future__ import annotations

import csv
import io
import json
import random

import pytest
from pyoxigraph import Literal, NamedNode, Quad, QueryResultsFormat, QuerySolutions, Store

from kg.store import sparql_tokens
from kg.store.executor import count_rows
from tests.examples import example_query

EX = "http://example.org/"
NASTY = [
    "plain", "a{", "{", "}", "{}", '{"type":"uri"}', 'ends with {"', "}},{", '"', '\\"',
    "line\nbreak", "tab\there", "comma, and \"quote\"", "{\"x\":{\"type\":\"literal\"}}", "",
    "中文{名称}", "\u2028", "[{},{}]", '{"head":{"vars":[]}}',
]
FORMATS = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/tab-separated-values": QueryResultsFormat.TSV,
    "text/csv": QueryResultsFormat.CSV,
}


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store()
    for i, text in enumerate(NASTY):
        s.add(Quad(NamedNode(f"{EX}s{i}"), NamedNode(f"{EX}label"), Literal(text)))
        s.add(Quad(NamedNode(f"{EX}s{i}"), NamedNode(f"{EX}label"), Literal(text, language="en")))
        s.add(Quad(NamedNode(f"{EX}s{i}"), NamedNode(f"{EX}type"), NamedNode(f"{EX}T{i % 3}")))
    return s


QUERIES = [
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT ?o WHERE { ?s <http://example.org/label> ?o }",
    "SELECT ?type ?s WHERE { ?s <http://example.org/type> ?type }",  # a variable named type
    "SELECT ?s ?missing WHERE { ?s ?p ?o OPTIONAL { ?s <http://example.org/none> ?missing } }",
    "SELECT * WHERE { }",  # one empty solution
    "SELECT ?x WHERE { VALUES ?x { UNDEF UNDEF 1 } }",  # empty solutions among others
    "SELECT ?s WHERE { ?s ?p ?o } LIMIT 0",
    "SELECT ?t WHERE { VALUES ?t { <<( <http://a> <http://b> \"{\" )>> } }",  # a quoted triple
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("media_type", list(FORMATS))
def test_counted_rows_equal_parsed_rows(store: Store, query: str, media_type: str) -> None:
    solutions = store.query(query)
    assert isinstance(solutions, QuerySolutions)
    expected = len(list(solutions))
    result = store.query(query)
    assert isinstance(result, QuerySolutions)
    body = result.serialize(format=FORMATS[media_type])
    assert body is not None
    assert count_rows(media_type, body) == expected
    if media_type == "application/sparql-results+json":
        assert len(json.loads(body)["results"]["bindings"]) == expected
    if media_type == "text/csv":
        assert len(list(csv.reader(io.StringIO(body.decode())))) - 1 == expected


def test_the_literals_of_the_fixture_reach_the_json_as_written(store: Store) -> None:
    """The scan is only as good as the texts it meets: every awkward text is in a result."""
    result = store.query("SELECT ?o WHERE { ?s <http://example.org/label> ?o }")
    assert isinstance(result, QuerySolutions)
    body = result.serialize(format=QueryResultsFormat.JSON)
    assert body is not None
    values = {b["o"]["value"] for b in json.loads(body)["results"]["bindings"]}
    assert values == set(NASTY)
    assert count_rows("application/sparql-results+json", body) == 2 * len(NASTY)


@pytest.mark.parametrize("query", [
    'SELECT ?o WHERE { ?s <http://example.org/label> ?o FILTER (!CONTAINS(?o, "{}")) }',
    'SELECT ?s ?type ?o WHERE { ?s <http://example.org/type> ?type ; ?p ?o '
    'FILTER (!CONTAINS(STR(?o), "{}")) }',
])
def test_json_rows_are_counted_without_parsing(store: Store, query: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an empty solution or a quoted triple the JSON is scanned, never parsed, and the
    scan is exact over braces, quotes and escapes in literals."""
    solutions = store.query(query)
    assert isinstance(solutions, QuerySolutions)
    expected = len(list(solutions))
    result = store.query(query)
    assert isinstance(result, QuerySolutions)
    body = result.serialize(format=QueryResultsFormat.JSON)
    assert body is not None and b'{"' in body and b"a{" in body

    def no_parse(*_: object) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr("kg.store.executor.json.loads", no_parse)
    assert count_rows("application/sparql-results+json", body) == expected > 20


def _every_terminal(text: str) -> list[tuple[str, str, int]]:
    """The grammar's tokenizer without shortcuts: at each position every terminal is tried and
    the longest match wins (the first of equals)."""
    found, position = [], 0
    while position < len(text):
        best = (0, "other")
        for kind, pattern in sparql_tokens._TERMINALS:
            match = pattern.match(text, position)
            if match and match.end() - position > best[0]:
                best = (match.end() - position, kind)
        length = best[0] or 1
        if best[1] not in ("space", "comment"):
            found.append((best[1], text[position:position + length], position))
        position += length
    return found


def test_tokens_are_those_of_trying_every_terminal() -> None:
    pieces = [*' \t\n#<>"\'?$_:@0123456789.aZeEsSx|&!=^{}()[];,+-*/~\\%`中é·\u00b7',
              "SERVICE", "LOAD", '"""', "'''", "e+5", "1.5e-3", "ex:", "ex:a.b", "_:b", "<http://a>",
              "@en-US", "^^", '\\"', "\\n", "rk:", "?x", "$y", "%2F"]
    rnd = random.Random(16)
    texts = [example_query(f"q{n:02d}") for n in range(1, 24)]
    texts += ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 40))) for _ in range(5000)]
    for text in texts:
        tokens = [(t.kind, t.text, t.start) for t in sparql_tokens.tokenize(text)]
        assert tokens == _every_terminal(text), text
