"""Point lookups (kg/store/lookup.py) are answered in the worker, and over HTTP before Flask runs
(service/lookups.py): the same status, headers and bytes as the app gives, on the default graph;
anything else, and anything past the row bound, is answered by the executors and the app as before.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import Client

from kg.iri import UNION_GRAPH
from kg.store.executor import QueryPool
from kg.store.lookup import point_lookup
from service.app import create_app
from service.lookups import PointLookups
from service.origin import PublicOrigin, public_base_url
from tests.conftest import Server

RK = "https://w3id.org/rarekg/vocab#"
LGS = "https://w3id.org/rarekg/id/disease/cn2-044"  # Lennox-Gastaut syndrome, Second List
JSON = {"Accept": "application/sparql-results+json"}
VOID_GRAPH = "https://w3id.org/rarekg/graph/void"


@pytest.mark.parametrize("query", [
    f"SELECT ?p ?o WHERE {{ <{LGS}> ?p ?o }}",
    f"select * {{ <{LGS}> ?p ?o . }}",
    "PREFIX d: <https://w3id.org/rarekg/id/disease/> SELECT ?o WHERE { d:cn2-044 a ?o }",
    "BASE <https://w3id.org/rarekg/id/> SELECT ?p { <disease/cn2-044> ?p ?o } LIMIT 10",
    f"ASK {{ <{LGS}> a rk:RareDisease }}",
    f"CONSTRUCT WHERE {{ <{LGS}> ?p ?o }}",
    f"CONSTRUCT {{ ?s <{RK}x> ?o }} WHERE {{ ?s skos:exactMatch ?o }} LIMIT 5",
    'SELECT ?s WHERE { ?s rdfs:label "Lennox-Gastaut syndrome"@en }',
    'SELECT ?s WHERE { ?s ?p "3"^^xsd:integer } LIMIT 3',
    "SELECT ?s $p WHERE { ?s $p 3 } # a comment",
])
def test_point_lookups_are_recognized(query: str) -> None:
    text = point_lookup(query, 1000)
    assert text is not None
    assert text == query or text == query + "\nLIMIT 1001"


@pytest.mark.parametrize("query", [
    f"SELECT DISTINCT ?p WHERE {{ <{LGS}> ?p ?o }}",  # DISTINCT scans to find few rows
    f"SELECT REDUCED ?p WHERE {{ <{LGS}> ?p ?o }}",
    f"SELECT (COUNT(*) AS ?n) WHERE {{ <{LGS}> ?p ?o }}",
    f"SELECT ?p WHERE {{ <{LGS}> ?p ?o FILTER(?o = 1) }}",  # a filter may reject every row
    "SELECT * WHERE { ?s ?p ?s }",  # a repeated variable is a filter
    "SELECT * WHERE { ?s ?p $s }",
    f"SELECT ?p WHERE {{ <{LGS}> ?p ?o }} OFFSET 100000",  # skipped rows are work too
    f"SELECT ?p WHERE {{ <{LGS}> ?p ?o }} ORDER BY ?p",
    f"SELECT ?p WHERE {{ <{LGS}> ?p ?o }} LIMIT 1001",  # past the bound
    f"SELECT ?p WHERE {{ <{LGS}> ?p ?o . ?o ?q ?r }}",  # two patterns join
    f"SELECT ?o WHERE {{ <{LGS}> skos:broader+ ?o }}",  # a path
    f"SELECT ?o WHERE {{ <{LGS}> skos:broader/skos:broader ?o }}",
    f"SELECT ?o WHERE {{ <{LGS}> ?p ?o ; a ?t }}",
    f"SELECT ?o WHERE {{ GRAPH ?g {{ <{LGS}> ?p ?o }} }}",
    f"SELECT ?o FROM <{UNION_GRAPH}> WHERE {{ <{LGS}> ?p ?o }}",
    f"SELECT ?o WHERE {{ <{LGS}> ?p ?o }} VALUES ?o {{ 1 }}",
    f"DESCRIBE <{LGS}>",  # follows blank nodes as far as they go
    "SELECT ?o WHERE { [] ?p ?o }",
    "SELECT ?o WHERE { ?s ?p ?o SERVICE <http://example.org/> { } }",
    f"SELECT ?p WHERE {{ <{LGS}> ?p ?o }} LIMIT 1 LIMIT 2",
    f"ASK {{ <{LGS}> ?p ?o }} OFFSET 5",
    "INSERT DATA { <http://e.org/s> <http://e.org/p> 1 }",
    "SELECT ?p WHERE { <x ?p ?o }",
    "",
])
def test_everything_else_is_left_to_the_executors(query: str) -> None:
    assert point_lookup(query, 1000) is None


def test_a_bound_of_zero_switches_it_off() -> None:
    assert point_lookup(f"ASK {{ <{LGS}> ?p ?o }}", 0) is None


class Spy:
    """Counts the requests that reach the app behind the lookup layer."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        self.calls += 1
        return self.app(environ, start_response)


def _layers(app: Flask) -> tuple[PointLookups, Spy, Client, Client]:
    """The lookup layer, a spy on the app behind it, a client of the whole app and a client of
    the app without the layer (the same public origin in front of both)."""
    memory = app.wsgi_app.app  # type: ignore[attr-defined]  # PublicOrigin(AnswerMemory(...))
    layer = memory.app
    assert isinstance(layer, PointLookups)
    spy = Spy(layer.app)
    layer.app = spy
    origin = public_base_url(app.config["RAREKG"])
    return layer, spy, Client(PublicOrigin(layer, origin)), Client(PublicOrigin(spy.app, origin))


def _pool(app: Flask) -> QueryPool:
    pool = app.extensions["rarekg_pool"]
    assert isinstance(pool, QueryPool)
    return pool


@pytest.fixture(scope="module")
def lean(store_dir: Path) -> Iterator[tuple[Flask, PointLookups, Spy, Client, Client]]:
    app = create_app({"store": str(store_dir), "executors": 1})
    yield (app, *_layers(app))
    _pool(app).close()


REQUESTS: list[tuple[dict[str, str], dict[str, str]]] = [
    ({"query": f"SELECT ?p ?o WHERE {{ <{LGS}> ?p ?o }}"}, JSON),
    ({"query": f"SELECT ?p ?o WHERE {{ <{LGS}> ?p ?o }}", "format": "csv"}, {}),
    ({"query": f"ASK {{ <{LGS}> a rk:RareDisease }}"},
     {"Accept": "application/sparql-results+xml"}),
    ({"query": f"CONSTRUCT WHERE {{ <{LGS}> ?p ?o }}"}, {"Accept": "text/turtle"}),
    ({"query": "SELECT * { ?s ?p <disease/cn2-044> } LIMIT 20"}, {}),  # relative to the endpoint
    ({"query": 'SELECT ?s WHERE { ?s rdfs:label "Lennox-Gastaut syndrome"@en }'},
     {"Accept": "text/tab-separated-values"}),
]


@pytest.mark.parametrize(("params", "headers"), REQUESTS)
def test_the_layer_answers_as_the_app_does(
        lean: tuple[Flask, PointLookups, Spy, Client, Client], params: dict[str, str],
        headers: dict[str, str]) -> None:
    app, _, spy, whole, without = lean
    headers = {**headers, "Cache-Control": "no-cache"}  # both compute: no X-Cache on either
    calls, in_worker = spy.calls, _pool(app).stats.in_worker
    mine = whole.get("/sparql", query_string=params, headers=headers)
    assert spy.calls == calls, "the app was asked"
    assert _pool(app).stats.in_worker == in_worker + 1
    theirs = without.get("/sparql", query_string=params, headers=headers)
    assert mine.status == theirs.status == "200 OK"
    assert dict(mine.headers) == dict(theirs.headers)
    assert mine.data == theirs.data


def test_a_lookup_gives_the_facts_of_the_resource(
        lean: tuple[Flask, PointLookups, Spy, Client, Client]) -> None:
    _, _, _, whole, _ = lean
    r = whole.get("/sparql", query_string={"query": f"SELECT ?p ?o WHERE {{ <{LGS}> ?p ?o }}"},
                  headers=JSON)
    rows = json.loads(r.data)["results"]["bindings"]
    assert int(r.headers["X-Rarekg-Rows"]) == len(rows) > 5
    facts = {(b["p"]["value"], b["o"]["value"]) for b in rows}
    assert ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", RK + "RareDisease") in facts
    assert any(o == "Lennox-Gastaut syndrome" for _, o in facts), sorted(facts)


def test_the_result_cache_and_its_header_work_as_for_every_query(
        lean: tuple[Flask, PointLookups, Spy, Client, Client]) -> None:
    _, _, spy, whole, _ = lean
    params = {"query": f"SELECT ?o WHERE {{ <{LGS}> rdfs:label ?o }}"}
    calls = spy.calls
    first = whole.get("/sparql", query_string=params, headers=JSON)
    again = whole.get("/sparql", query_string=params, headers=JSON)
    assert (first.headers["X-Cache"], again.headers["X-Cache"]) == ("miss", "hit")
    assert first.data == again.data and first.headers["ETag"] == again.headers["ETag"]
    assert spy.calls == calls


@pytest.mark.parametrize(("params", "headers", "status"), [
    ({"query": f"SELECT ?p WHERE {{ <{LGS}> ?p ?o FILTER(isIRI(?o)) }}"}, JSON, 200),
    ({"query": f"SELECT ?p ?o WHERE {{ <{LGS}> ?p ?o }}"}, {"Accept-Encoding": "gzip"}, 200),
    ({"query": f"SELECT ?p ?o WHERE {{ <{LGS}> ?p ?o }}"},
     {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, 303),
    ({"query": f"SELECT ?p ?o WHERE {{ <{LGS}> ?p ?o }}", "lang": "zh"}, JSON, 200),
    ({"query": f"SELECT ?p ?o WHERE {{ <{LGS}> ?p ?o }}", "default-graph-uri": VOID_GRAPH},
     JSON, 200),
    ({"query": "SELECT ?p ?o WHERE { nope:x ?p ?o }"}, JSON, 400),  # undeclared prefix
    ({"query": f"SELECT ?p ?o WHERE {{ <{LGS}> ?p ?o }}"}, {"Accept": "image/png"}, 406),
])
def test_other_requests_go_to_the_app(
        lean: tuple[Flask, PointLookups, Spy, Client, Client], params: dict[str, str],
        headers: dict[str, str], status: int) -> None:
    _, _, spy, whole, _ = lean
    calls = spy.calls
    r = whole.get("/sparql", query_string=params, headers=headers)
    assert spy.calls == calls + 1
    assert r.status_code == status
    if status >= 400:
        assert set(json.loads(r.data)["error"]) >= {"type", "status", "message"}


def test_past_the_row_bound_the_executors_give_the_whole_answer(store_dir: Path) -> None:
    app = create_app({"store": str(store_dir), "executors": 1, "lookup_rows": 3})
    try:
        _, spy, whole, _ = _layers(app)
        query = f"SELECT ?p ?o WHERE {{ <{LGS}> ?p ?o }}"
        r = whole.get("/sparql", query_string={"query": query},
                      headers={**JSON, "Cache-Control": "no-cache"})
        rows = json.loads(r.data)["results"]["bindings"]
        assert len(rows) == int(r.headers["X-Rarekg-Rows"]) > 3
        assert _pool(app).stats.in_worker == 0 and _pool(app).stats.queries == 1
        small = whole.get("/sparql", query_string={"query": query + " LIMIT 2"},
                          headers={**JSON, "Cache-Control": "no-cache"})
        assert len(json.loads(small.data)["results"]["bindings"]) == 2
        assert _pool(app).stats.in_worker == 1 and spy.calls == 0
    finally:
        _pool(app).close()


def test_a_real_server_answers_lookups_in_its_workers(server: Server) -> None:
    query = f"SELECT ?p ?o WHERE {{ <{LGS}> ?p ?o }}"
    url = server.url + "/sparql?" + urllib.parse.urlencode({"query": query})
    req = urllib.request.Request(url, headers={**JSON, "Cache-Control": "no-cache"})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        rows = json.loads(r.read())["results"]["bindings"]
    assert any(b["o"]["value"] == RK + "RareDisease" for b in rows)
    with urllib.request.urlopen(server.url + "/metrics", timeout=30) as r:
        metrics = r.read().decode()
    found = re.search(r"^rarekg_point_lookups_in_worker_total (\S+)$", metrics, re.M)
    assert found and float(found.group(1)) >= 1


def test_a_fault_of_the_layer_leaves_the_answer_to_the_app(
        lean: tuple[Flask, PointLookups, Spy, Client, Client],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _, layer, spy, whole, _ = lean

    def broken(environ: dict[str, Any], request: Any) -> Any:
        raise KeyError("a fault")

    monkeypatch.setattr(layer, "_run", broken)
    calls = spy.calls
    r = whole.get("/sparql", query_string={"query": f"SELECT ?p ?o WHERE {{ <{LGS}> ?p ?o }}"},
                  headers=JSON)
    assert r.status_code == 200 and spy.calls == calls + 1
    assert len(json.loads(r.data)["results"]["bindings"]) > 5
