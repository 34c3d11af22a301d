"""Finished answers of repeated queries kept in each worker's memory (service/answers.py), on a
real store through the Flask client and through a real server: the same request again gets the
same bytes and headers with ``X-Cache: hit`` even when the shared result cache has lost the entry,
a write (a new version) empties it, requests that must reach the app do, and the byte bound
holds."""

from __future__ import annotations

import gzip
import sqlite3
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kg.store.cache import FILE_NAME
from service.answers import AnswerMemory
from service.i18n import COOKIE
from tests.conftest import Server
from tests.test_cache import NAMES, QUESTION, _app, _close, _insert, _metric

JSON = {"Accept": "application/sparql-results+json"}


def _memory(app: Flask) -> AnswerMemory:
    memory = app.wsgi_app.app  # type: ignore[attr-defined]  # PublicOrigin(AnswerMemory(...))
    assert isinstance(memory, AnswerMemory)
    return memory


def _forget_shared_cache(app: Flask) -> None:
    with sqlite3.connect(Path(app.config["RAREKG"]["store"]) / FILE_NAME) as db:
        db.execute("DELETE FROM answer")


@pytest.fixture()
def app(tmp_path: Path) -> Iterator[Flask]:
    app = _app(tmp_path / "store", 1_000_000)
    yield app
    _close(app)


def _get(client: FlaskClient, query: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    r = client.get("/sparql", query_string={"query": query}, headers={**JSON, **headers})
    return r.status_code, dict(r.headers), r.data


def test_a_repeat_is_answered_from_memory_with_the_same_bytes_and_headers(app: Flask) -> None:
    client = app.test_client()
    _insert(client, "Ada")
    hits = _metric(client, "rarekg_cache_hits_total")
    status, first_headers, first = _get(client, NAMES)
    assert status == 200 and first_headers["X-Cache"] == "miss" and b'"Ada"' in first
    assert len(_memory(app)) == 1
    _forget_shared_cache(app)  # only the memory can answer now
    status, headers, again = _get(client, NAMES)
    assert (status, again) == (200, first)
    assert headers == {**first_headers, "X-Cache": "hit"}
    assert headers["ETag"] and headers["Access-Control-Allow-Origin"] == "*"
    assert _metric(client, "rarekg_cache_hits_total") == hits + 1
    # another spelling of the question is another request: the shared cache (now empty) is asked
    assert _get(client, NAMES + " ")[1]["X-Cache"] == "miss"


def test_compressed_answers_are_kept_per_accept_encoding(app: Flask) -> None:
    client = app.test_client()
    _insert(client, "Ada")
    big = QUESTION.format(n=1).replace('"y', '"' + "z" * 2000 + "y")  # compressed (> 1 KB)
    _, plain_headers, plain = _get(client, big)
    _, zipped_headers, zipped = _get(client, big, **{"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain_headers
    assert zipped_headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped) == plain
    _forget_shared_cache(app)
    for headers, body in ((plain_headers, plain), (zipped_headers, zipped)):
        extra = {"Accept-Encoding": "gzip"} if "Content-Encoding" in headers else {}
        status, again_headers, again = _get(client, big, **extra)
        assert (status, again, again_headers["X-Cache"]) == (200, body, "hit")
        assert again_headers.get("Content-Encoding") == headers.get("Content-Encoding")


def test_a_write_empties_it(app: Flask) -> None:
    client = app.test_client()
    _insert(client, "Ada")
    _get(client, NAMES)
    assert _get(client, NAMES)[1]["X-Cache"] == "hit"
    _insert(client, "Grace")
    _, headers, body = _get(client, NAMES)
    assert headers["X-Cache"] == "miss" and b'"Grace"' in body
    assert len(_memory(app)) == 1  # the entry of the new version only


def test_requests_that_must_reach_the_app_do(app: Flask) -> None:
    client = app.test_client()
    _insert(client, "Ada")
    _, headers, _ = _get(client, NAMES)
    assert _get(client, NAMES, **{"If-None-Match": headers["ETag"]})[0] == 304
    assert "X-Cache" not in _get(client, NAMES, **{"Cache-Control": "no-cache"})[1]
    r = client.head("/sparql", query_string={"query": NAMES}, headers=JSON)
    assert r.status_code == 200 and r.data == b""
    # a browser asking for HTML goes to the form; the redirect is never kept
    r = client.get("/sparql", query_string={"query": NAMES}, headers={"Accept": "text/html"})
    assert r.status_code == 303
    # a lang parameter may set a cookie (when the client's differs): never kept
    for cookie in ("", "zh"):
        client.set_cookie(COOKIE, cookie or "en")
        r = client.get("/sparql", query_string={"query": NAMES, "lang": "zh"}, headers=JSON)
        assert r.status_code == 200 and r.headers["X-Cache"] in ("hit", "miss")
        assert (f"{COOKIE}=zh" in r.headers.get("Set-Cookie", "")) == (cookie == "")
    assert len(_memory(app)) == 1


def test_the_byte_bound_holds(tmp_path: Path) -> None:
    app = _app(tmp_path / "store", 1_000_000, memory_bytes=8 * 700)  # entries up to 700 bytes
    try:
        client = app.test_client()
        _insert(client, "Ada")
        memory = _memory(app)
        sizes = []
        for n in range(12):
            _, _, body = _get(client, QUESTION.format(n=n))
            sizes.append(len(body))
            assert memory.stored_bytes() <= 8 * 700
        assert sum(sizes) > 8 * 700 and len(memory) < 12
        _forget_shared_cache(app)
        assert _get(client, QUESTION.format(n=11))[1]["X-Cache"] == "hit"  # the newest is kept
        assert _get(client, QUESTION.format(n=0))[1]["X-Cache"] == "miss"  # the oldest went
        big = QUESTION.format(n=99).replace('"y', '"' + "x" * 800 + "y")  # past an eighth
        _get(client, big)
        _forget_shared_cache(app)
        assert _get(client, big)[1]["X-Cache"] == "miss"
    finally:
        _close(app)


def test_many_tiny_answers_count_their_keys_and_headers(tmp_path: Path) -> None:
    """Answers of a few bytes still cost their key, headers and objects: a bound of 16 KB keeps
    a few dozen ASK answers, not hundreds."""
    app = _app(tmp_path / "store", 1_000_000, memory_bytes=16_000)
    try:
        client = app.test_client()
        _insert(client, "Ada")
        memory = _memory(app)
        for n in range(200):
            r = client.get("/sparql", query_string={"query": f'ASK {{ ?s ?p "{n}" }}'},
                           headers=JSON)
            assert r.status_code == 200 and len(r.data) < 40
            assert memory.stored_bytes() <= 16_000
        assert 5 < len(memory) < 40
    finally:
        _close(app)


def test_a_real_server_answers_a_repeat_from_memory(store_dir: Path, tmp_path: Path) -> None:
    server = Server(store_dir, tmp_path / "server.log")
    server.wait_ready()
    try:
        query = (f'SELECT (COUNT(DISTINCT ?e) AS ?n) ("{uuid.uuid4()}" AS ?tag) WHERE {{ '
                 "?d <https://w3id.org/rarekg/vocab#hasListEntry> ?e }")  # asked nowhere else
        url = server.url + "/sparql?" + urllib.parse.urlencode({"query": query})
        answers = []
        for _ in range(3):
            with urllib.request.urlopen(urllib.request.Request(url, headers=JSON)) as r:
                answers.append((r.headers["X-Cache"], r.headers["ETag"], r.read()))
        # the two workers may each see the first ask; the third is a hit either way
        assert answers[0][0] == "miss" and answers[2][0] == "hit"
        assert answers[0][1:] == answers[1][1:] == answers[2][1:]
        assert b'"n":{"type":"literal","value":"207"' in answers[2][2]  # 121 + 86 list entries
    finally:
        server.stop()
