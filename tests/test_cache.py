"""The shared result cache (kg/store/cache.py) on a real store through the Flask client: a repeat
is a hit, a write (a new version) makes it a miss, ``Cache-Control: no-cache`` bypasses it, the
byte bound holds, and hits and misses are counted in /metrics."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kg.store.cache import (
    FILE_NAME,
    CachedAnswer,
    ResultCache,
    cache_key,
    normalize,
    repeatable,
)
from kg.store.executor import QueryPool
from kg.store.writer import WriterProcess
from service.app import create_app

TOKEN = "cache-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Accept": "application/sparql-results+json"}
NAMES = "SELECT ?name WHERE { ?p <http://xmlns.com/foaf/0.1/name> ?name } ORDER BY ?name"


def _insert(client: FlaskClient, name: str) -> None:
    update = (f'INSERT DATA {{ <http://www.example/p/{name}> '
              f'<http://xmlns.com/foaf/0.1/name> "{name}" }}')
    r = client.post("/sparql", data={"update": update}, headers=AUTH)
    assert r.status_code == 204, r.data


def _app(store: Path, cache_bytes: int, memory_bytes: int = 16 * 1024 * 1024) -> Flask:
    return create_app({"store": str(store), "update_token": TOKEN, "executors": 1,
                       "cache_bytes": cache_bytes, "answer_memory_bytes": memory_bytes})


def _close(app: Flask) -> None:
    pool = app.extensions["rarekg_pool"]
    assert isinstance(pool, QueryPool)
    pool.close()
    writer = app.extensions["rarekg_writer"]
    assert isinstance(writer, WriterProcess)
    writer.close()


@pytest.fixture()
def app(tmp_path: Path) -> Iterator[Flask]:
    app = _app(tmp_path / "store", 1_000_000)
    yield app
    _close(app)


def _metric(client: FlaskClient, name: str) -> float:
    text = client.get("/metrics").get_data(as_text=True)
    found = re.search(rf"^{name} (\S+)$", text, re.M)
    assert found, f"{name} not in /metrics"
    return float(found.group(1))


def _get(client: FlaskClient, query: str, **headers: str) -> tuple[str, str, bytes]:
    r = client.get("/sparql", query_string={"query": query}, headers={**JSON, **headers})
    assert r.status_code == 200, r.data
    return r.headers.get("X-Cache", ""), r.headers["X-Rarekg-Version"], r.data


def test_a_repeat_is_a_hit_until_a_write_changes_the_version(app: Flask) -> None:
    client = app.test_client()
    _insert(client, "Ada")
    hits, misses = _metric(client, "rarekg_cache_hits_total"), _metric(
        client, "rarekg_cache_misses_total")
    state, version, first = _get(client, NAMES)
    assert state == "miss"
    state, again, second = _get(client, NAMES)
    assert (state, again, second) == ("hit", version, first)
    assert b'"Ada"' in second
    # the same question typed with other spacing and a comment is the same entry
    assert _get(client, "# names\nSELECT  ?name\nWHERE {\n ?p <http://xmlns.com/foaf/0.1/name> "
                        "?name }  ORDER BY ?name")[0] == "hit"
    assert _metric(client, "rarekg_cache_hits_total") == hits + 2
    assert _metric(client, "rarekg_cache_misses_total") == misses + 1
    _insert(client, "Grace")
    state, newer, third = _get(client, NAMES)
    assert state == "miss" and newer != version
    assert b'"Grace"' in third and b'"Ada"' in third
    assert _get(client, NAMES)[0] == "hit"
    # entries of the replaced version were dropped when the new one was stored
    cache = ResultCache(Path(app.config["RAREKG"]["store"]), 1_000_000)
    assert cache.versions() == [newer]
    assert (Path(app.config["RAREKG"]["store"]) / FILE_NAME).is_file()


def test_no_cache_bypasses_and_media_type_is_part_of_the_key(app: Flask) -> None:
    client = app.test_client()
    _insert(client, "Ada")
    assert _get(client, NAMES)[0] == "miss"
    state, _, body = _get(client, NAMES, **{"Cache-Control": "no-cache"})
    assert state == "" and b'"Ada"' in body
    r = client.get("/sparql", query_string={"query": NAMES}, headers={"Accept": "text/csv"})
    assert r.headers["X-Cache"] == "miss" and r.data.decode().splitlines() == ["name", "Ada"]
    r = client.get("/sparql", query_string={"query": NAMES}, headers={"Accept": "text/csv"})
    assert r.headers["X-Cache"] == "hit" and r.data.decode().splitlines() == ["name", "Ada"]
    # a literal differing only in spacing is another question
    assert _get(client, NAMES.replace("?name }", '?name FILTER (?name != "A  da") }'))[0] == "miss"
    assert _get(client, NAMES.replace("?name }", '?name FILTER (?name != "A da") }'))[0] == "miss"


# an answer of about 600 bytes
QUESTION = ('SELECT ?name ?pad WHERE {{ ?p <http://xmlns.com/foaf/0.1/name> ?name '
            'BIND (CONCAT("{n}", "' + "y" * 500 + '") AS ?pad) }}')


def test_the_byte_bound_holds(tmp_path: Path) -> None:
    app = _app(tmp_path / "store", 2000, memory_bytes=0)  # the shared cache alone
    try:
        client = app.test_client()
        _insert(client, "Ada")
        cache = ResultCache(tmp_path / "store", 2000)
        sizes = []
        for n in range(6):
            q = QUESTION.format(n=n)
            assert _get(client, q)[0] == "miss"
            sizes.append(len(_get(client, q)[2]))
            assert cache.stored_bytes() <= 2000
        assert sum(sizes) > 2000  # so something was evicted: the oldest question
        assert _get(client, QUESTION.format(n=5))[0] == "hit"  # the newest is kept
        assert _get(client, QUESTION.format(n=0))[0] == "miss"  # the oldest was evicted
        # an answer larger than the whole bound is never stored
        big = ("SELECT ?name ?pad WHERE { ?p <http://xmlns.com/foaf/0.1/name> ?name "
               "BIND (CONCAT(" + ", ".join(['"' + "x" * 100 + '"'] * 30) + ") AS ?pad) }")
        assert [_get(client, big)[0] for _ in range(2)] == ["miss", "miss"]
        assert cache.stored_bytes() <= 2000
    finally:
        _close(app)


def test_many_tiny_answers_count_their_keys(tmp_path: Path) -> None:
    """An answer of a few bytes still costs its key, version and row: a bound of 5,000 bytes keeps
    a few dozen ASK answers, not hundreds, so the file cannot grow far past the bound."""
    app = _app(tmp_path / "store", 5000, memory_bytes=0)
    try:
        client = app.test_client()
        _insert(client, "Ada")
        cache = ResultCache(tmp_path / "store", 5000)
        for n in range(150):
            state, _, body = _get(client, f'ASK {{ ?s ?p "{n}" }}')
            assert state == "miss" and len(body) < 40
            assert cache.stored_bytes() <= 5000
        with sqlite3.connect(tmp_path / "store" / FILE_NAME) as db:
            rows = db.execute("SELECT COUNT(*) FROM answer").fetchone()[0]
        assert 5 < rows < 40
    finally:
        _close(app)


def test_normalize_keeps_strings_and_iris() -> None:
    assert normalize("SELECT  *\n\tWHERE { ?s ?p ?o }  # all\n") == "SELECT * WHERE { ?s ?p ?o }"
    assert normalize('ASK { ?s ?p "a  # b" }') == 'ASK { ?s ?p "a  # b" }'
    assert normalize("ASK { <http://x/a#b>  ?p ?o }") == "ASK { <http://x/a#b> ?p ?o }"
    assert normalize("ASK { ?s ?p '''x\n\n  y''' }") == "ASK { ?s ?p '''x\n\n  y''' }"
    assert normalize("# c\nASK {?a ?b ?c FILTER(?c < 3) }") == "ASK {?a ?b ?c FILTER(?c < 3) }"
    assert cache_key("ASK {}", accept="text/csv") != cache_key("ASK {}")
    assert cache_key("ASK {}", default_graph_uris=("http://g",)) != cache_key("ASK {}")


def test_answers_that_change_at_every_ask_are_never_kept(app: Flask) -> None:
    """NOW(), RAND(), UUID() and STRUUID() give another value at every evaluation: such a query is
    run every time, by neither cache kept, and its answer carries no ETag and ``no-store``."""
    client = app.test_client()
    _insert(client, "Ada")
    query = "SELECT (STRUUID() AS ?u) WHERE {}"
    answers = []
    for _ in range(3):
        r = client.get("/sparql", query_string={"query": query}, headers=JSON)
        assert r.status_code == 200
        assert "X-Cache" not in r.headers and "ETag" not in r.headers
        assert r.headers["Cache-Control"] == "no-store"
        answers.append(r.get_json()["results"]["bindings"][0]["u"]["value"])
    assert len(set(answers)) == 3
    # a random sample is drawn again at every ask (of two names, one order or the other)
    _insert(client, "Grace")
    sample = NAMES.replace("ORDER BY ?name", "ORDER BY RAND() LIMIT 1")
    drawn = {_get(client, sample)[2] for _ in range(30)}
    assert len(drawn) == 2 and all(_get(client, sample)[0] == "" for _ in range(2))
    # the same query without RAND() is kept as before
    assert [_get(client, NAMES)[0] for _ in range(2)] == ["miss", "hit"]


def test_repeatable_finds_the_calls_only() -> None:
    for volatile in ("SELECT (NOW() AS ?t) {}", "select (now () as ?t) {}",
                     "SELECT * { ?s ?p ?o } ORDER BY RAND()", "SELECT (UUID() AS ?u) {}",
                     'SELECT ?s { ?s ?p ?o FILTER (STRLEN(STRUUID()) > 0) }'):
        assert not repeatable(volatile), volatile
    for fixed in ("SELECT ?now WHERE { BIND (1 AS ?now) }", "SELECT ?now (1 AS ?x) {}",
                  'ASK { ?s ?p "NOW()" }', "# RAND()\nASK {}", "ASK { <http://x/rand(1)> ?p ?o }",
                  "PREFIX ex: <http://x/> SELECT (ex:rand(1) AS ?x) {}",
                  "ASK { ?s ?p ?o FILTER (?o < 3) }"):
        assert repeatable(fixed), fixed


def test_a_cache_of_zero_bytes_stores_nothing(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path, 0)
    assert not cache.put("v1", "k", CachedAnswer("text/csv", b"x\n", 0))
    assert cache.get("v1", "k") is None
    assert not (tmp_path / FILE_NAME).exists()


def _page(client: FlaskClient, lang: str = "en", **headers: str) -> tuple[str, str, str]:
    r = client.get("/page", query_string={"iri": "http://www.example/p/Ada"},
                   headers={"Accept": "text/html", "Accept-Language": lang, **headers})
    assert r.status_code == 200, r.data
    nonce = re.search(r"'nonce-([^']+)'", r.headers["Content-Security-Policy"])
    assert nonce
    body = r.get_data(as_text=True)
    assert f'<meta name="csp-style-nonce" content="{nonce.group(1)}">' in body
    return r.headers.get("X-Cache", ""), nonce.group(1), body.replace(nonce.group(1), "NONCE")


def test_resource_pages_are_kept_per_build_and_language_with_a_fresh_nonce(app: Flask) -> None:
    """A page is rendered once per build and language; a hit carries this response's own style
    nonce (the one its Content-Security-Policy names), never the nonce of the first response."""
    client = app.test_client()
    _insert(client, "Ada")
    state, first_nonce, first = _page(client)
    assert state == "miss" and "Ada" in first
    state, nonce, again = _page(client)
    assert (state, again) == ("hit", first) and nonce != first_nonce
    assert _page(client, "zh")[0] == "miss"  # the other language is another page
    assert _page(client, "zh")[0] == "hit"
    assert _page(client, **{"Cache-Control": "no-cache"})[0] == ""
    client.post("/sparql", data={"update": 'INSERT DATA { <http://www.example/p/Ada> '
                                           '<http://xmlns.com/foaf/0.1/nick> "Countess" }'},
                headers=AUTH)
    state, _, newer = _page(client)  # a write is a new build: the page is rendered again
    assert state == "miss" and "Countess" in newer and "Countess" not in first
