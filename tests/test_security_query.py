"""No outbound connection from an untrusted query or update, however it is spelled: the token-based
check refuses every spelling of the grammar-aware fuzzer (while the same queries, unchecked, do
reach a loopback listener), and a confined child process cannot connect at all."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Iterator

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from kg.errors import BadRequest, Forbidden
from kg.store import sandbox
from kg.store.query import run_query
from kg.store.sparql_tokens import (
    check_complexity,
    check_load,
    check_service,
    has_clause,
    service_targets,
)
from tests.fuzz_sparql import Listener, load_spellings, service_spellings

# On this data, every one of the 9,000 spellings calls the listener when nothing checks it.
REACHED_UNCHECKED = 9000


@pytest.fixture()
def listener() -> Iterator[Listener]:
    srv = Listener()
    yield srv
    srv.close()


def _store_with_a_triple() -> Store:
    """A store where the patterns before the ``SERVICE`` match (``?a ?b ?c``, ``?a ?b "x"@en``,
    ``?a ?b 1``), so that no join is empty and the call skipped."""
    store = Store()
    for value in (NamedNode("http://example.org/c"), Literal("x", language="en"), Literal(1)):
        store.add(Quad(NamedNode("http://example.org/a"), NamedNode("http://example.org/b"),
                       value))
    return store


def test_every_service_spelling_is_refused_before_any_connection(listener: Listener) -> None:
    spellings = list(service_spellings(listener.url))
    store = _store_with_a_triple()
    reached = 0
    for query in spellings:  # the control: unchecked, Oxigraph runs them all, most call out
        before = listener.connections
        list(store.query(query))  # type: ignore[call-overload]
        reached += listener.connections > before
    assert reached == REACHED_UNCHECKED, "the fuzzer's spellings should reach the network"
    listener.connections = 0
    refused = 0
    for query in spellings:
        with pytest.raises(Forbidden):
            run_query(store, query)
        refused += 1
    assert (len(spellings), refused, listener.connections) == (9000, 9000, 0)


def test_every_load_spelling_is_refused(listener: Listener) -> None:
    spellings = list(load_spellings(listener.url))
    reached = 0
    for update in spellings[::5]:  # the control, unchecked
        before = listener.connections
        with contextlib.suppress(OSError, SyntaxError, RuntimeError, ValueError):
            Store().update(update)  # the listener's answer is not Turtle: an error
        reached += listener.connections > before
    assert reached > len(spellings[::5]) // 2
    listener.connections = 0
    for update in spellings:
        with pytest.raises(Forbidden):
            check_load(update, [])
        with pytest.raises(Forbidden):
            check_load(update, ["http://example.org/"])
    assert listener.connections == 0


def test_load_is_allowed_exactly_under_an_allow_listed_prefix() -> None:
    check_load("LOAD <http://example.org/data/x.ttl>", ["http://example.org/data/"])
    with pytest.raises(Forbidden):
        check_load("LOAD <http://example.org/database.ttl>", ["http://example.org/data"])
    with pytest.raises(Forbidden, match="local files"):
        check_load("BASE <file:///etc/> LOAD <passwd>", ["file:///"])
    with pytest.raises(Forbidden, match="local files"):
        check_load("LOAD <passwd>", [], base_iri="file:///etc/")


def test_service_spelled_in_strings_comments_and_names_is_not_a_service() -> None:
    assert service_targets('SELECT * { ?s ?p "SERVICE <http://x/>" # SERVICE <http://y/>\n}') == []
    assert service_targets("SELECT * { ?s <http://schema.org/serviceType> ?service }") == []
    assert service_targets("PREFIX s: <http://schema.org/> SELECT * { ?s s:serviceType ?o }") == []


def test_allow_listed_endpoint_resolves_relative_iris_against_base() -> None:
    allow = ["http://sparql.example.org/sparql"]
    check_service("BASE <http://sparql.example.org/> SELECT * { SERVICE <sparql> {} }", allow)
    check_service("SELECT * { SERVICE <sparql> {} }", allow, base_iri="http://sparql.example.org/")
    with pytest.raises(Forbidden, match="not on the allow-list"):
        check_service("BASE <http://evil.example/> SELECT * { SERVICE <sparql> {} }", allow)
    with pytest.raises(Forbidden, match="not on the allow-list"):
        check_service("SELECT * { SERVICE <http://sparql.example.org/sparqlx> {} }", allow)
    with pytest.raises(Forbidden, match="full IRI"):
        check_service("SELECT * { SERVICE ?endpoint {} }", allow)


def test_dataset_clauses_are_found_however_they_touch_what_follows() -> None:
    assert has_clause("SELECT * FROM<http://g> { }", "from")
    assert has_clause("select * from named<http://g> { }", "from")
    assert has_clause("WITH<http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "using", "with")
    assert not has_clause('SELECT * { ?s ?p "FROM <x>" }', "from")
    assert not has_clause("SELECT * { { SELECT ?from WHERE { ?from ?p ?o } } }", "from")


def test_nesting_and_chains_are_refused_before_the_parser() -> None:
    deep = "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }"
    with pytest.raises(BadRequest, match="more than 100 deep"):
        check_complexity(deep, 100, 2000)
    chain = "SELECT * WHERE { " + "{} UNION " * 10_000 + "{} }"
    with pytest.raises(BadRequest, match="more than 2000 parts"):
        check_complexity(chain, 100, 2000)
    check_complexity("SELECT * WHERE { VALUES ?x {" + " 1" * 10_000 + "} }", 100, 2000)


def _try_connect(url: str, confine: bool, answer: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    isolated = sandbox.confine(os.getppid(), network=False, max_bytes=0) if confine else False
    store = Store()
    store.add(Quad(NamedNode("http://example.org/a"), NamedNode("http://example.org/b"),
                   NamedNode("http://example.org/c")))
    try:
        rows = len(list(store.query(  # type: ignore[call-overload]
            f"SELECT * WHERE {{ ?a ?b ?c SERVICE <{url}sparql> {{ }} }}")))
        answer.put((isolated, f"rows {rows}"))
    except (OSError, RuntimeError) as exc:
        answer.put((isolated, f"error {exc}"))


@pytest.mark.parametrize("confine", [False, True])
def test_a_confined_process_cannot_connect_even_to_loopback(
    listener: Listener, confine: bool
) -> None:
    ctx = multiprocessing.get_context("spawn")
    answer = ctx.Queue()
    process = ctx.Process(target=_try_connect, args=(listener.url, confine, answer))
    process.start()
    isolated, outcome = answer.get(timeout=60)
    process.join(10)
    if confine:
        assert isolated, "network isolation is not available here (no namespaces)"
        assert outcome.startswith("error") and listener.connections == 0, outcome
    else:  # the control: the same query in an unconfined process reaches the listener
        assert (outcome, listener.connections) == ("rows 1", 1)
