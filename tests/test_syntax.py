"""Readable syntax errors (kg.syntax): the parser's message in plain words for the common cases,
with the parser's line and column and its raw text kept in ``detail``."""

from __future__ import annotations

import html

import pytest
from flask.testing import FlaskClient
from pyoxigraph import Store

from kg.syntax import explain
from tests.conftest import Server


def _explain(query: str):  # type: ignore[no-untyped-def]
    with pytest.raises(SyntaxError) as info:
        Store().query(query)
    return explain(str(info.value), query)


def test_undeclared_known_prefix_names_it_and_gives_the_prefix_line() -> None:
    e = _explain("SELECT * WHERE {\n  ?s a skos:Concept\n}")
    assert e.message == (
        "undeclared prefix skos: (in skos:Concept at line 2, column 8); "
        "add the line: PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
    )
    assert (e.line, e.column) == (2, 20)
    assert e.detail.startswith("error at 2:20: expected one of Prefix not found")


def test_undeclared_unknown_prefix_is_named() -> None:
    e = _explain("SELECT * WHERE { ?s a ex:Thing }")
    assert e.message.startswith("undeclared prefix ex: (in ex:Thing at line 1, column 23)")
    assert "PREFIX ex: <...>" in e.message


def test_declared_prefix_of_the_project_is_not_reported() -> None:
    e = _explain(
        "PREFIX rk: <https://w3id.org/rarekg/vocab#>\nSELECT * WHERE { ?s a rk:X . ?s ?p }"
    )
    assert "prefix" not in e.message


def test_unterminated_string_and_iri() -> None:
    assert _explain('SELECT * WHERE { ?s ?p "abc }').message == (
        'unterminated string: the string that starts with " at line 1, column 24 is not closed '
        '(a " is missing)'
    )
    assert _explain("ASK { ?s ?p <http://example.org/x }").message == (
        "unterminated IRI: the IRI that starts with < at line 1, column 13 is not closed "
        "(a > is missing)"
    )


def test_unbalanced_brackets() -> None:
    assert _explain("SELECT * WHERE { ?s ?p ?o ").message == (
        "unbalanced brackets: { opened at line 1, column 16 is never closed (a } is missing)"
    )
    assert _explain("SELECT * WHERE { ?s ?p ?o }}").message == (
        "unbalanced brackets: } at line 1, column 28 closes nothing"
    )
    assert _explain("SELECT * WHERE { FILTER(?x = 1 }").message == (
        "unbalanced brackets: } at line 1, column 32 does not match ( opened at line 1, column 24"
    )


def test_brackets_in_strings_iris_and_comments_do_not_count() -> None:
    e = _explain("# a comment with {\nASK { ?s ?p \"}\" . <http://x/a(> ?p ?o . ?s ?p }")
    assert "brackets" not in e.message


def test_unexpected_token_says_what_was_found_and_what_could_come() -> None:
    e = _explain("SELECT * WHERE { ?s ?p ?o } LIMIT x")
    assert e.message == (
        "unexpected 'x' at line 1, column 35; expected 'HAVING', 'OFFSET', 'OPTIONAL', "
        "'VALUES' or a number there"
    )
    assert (e.line, e.column) == (1, 35)
    assert _explain("ASK {} x").message == (
        "the query ends too early after 'x' (line 1, column 9); expected 'DESCRIBE' or 'FROM'"
    )


def test_triple_pattern_without_object() -> None:
    assert _explain("SELECT * WHERE {\n  ?s ?p\n}").message == (
        "incomplete triple pattern '?s ?p' at line 2, column 3: a triple needs a subject, a "
        "predicate and an object"
    )
    assert _explain("ASK { ?s ?p ?o . ?s a }").message == (
        "incomplete triple pattern '?s a' at line 1, column 18: a triple needs a subject, a "
        "predicate and an object"
    )
    assert _explain("   ").message == "the query is empty"


def test_without_the_text_the_expected_tokens_are_still_cleaned() -> None:
    e = explain("error at 1:25: expected one of LATERAL, SERVICE, [_]")
    assert e.message == "syntax error at line 1, column 25: expected 'LATERAL' or 'SERVICE'"
    assert e.detail == "error at 1:25: expected one of LATERAL, SERVICE, [_]"


BAD = "SELECT * WHERE { ?d a ex:Thing }"  # the graph's known prefixes need none
READABLE = (
    "undeclared prefix ex: (in ex:Thing at line 1, column 23); "
    "declare it with a line PREFIX ex: <...> before the query"
)


def test_http_error_has_the_readable_message_and_the_parser_detail(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": BAD})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["type"] == "syntax-error"
    assert error["message"] == READABLE
    assert (error["line"], error["column"]) == (1, 31)
    assert error["detail"].startswith("error at 1:31: expected one of Prefix not found")


def test_web_form_shows_the_readable_message(client: FlaskClient) -> None:
    page = client.get("/", query_string={"query": BAD}).get_data(as_text=True)
    assert html.escape(READABLE) in page
    assert "The parser&#39;s own message" in page or "The parser's own message" in page


def test_notebook_client_raises_the_readable_message(server: Server) -> None:
    from kg.client import Client, QuerySyntaxError

    with pytest.raises(QuerySyntaxError) as info:
        Client(server.url + "/sparql").select(BAD)
    assert str(info.value) == READABLE
    assert (info.value.line, info.value.column) == (1, 31)
    assert info.value.detail is not None and "Prefix not found" in info.value.detail
