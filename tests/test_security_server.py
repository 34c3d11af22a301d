"""Every reproduction of issue 12, against a real ``rarekg serve`` (gunicorn, gevent workers,
``--query-timeout 5``): SERVICE and LOAD spellings over every protocol form with a loopback
listener, body and result limits, nesting, bad input of every kind, the Host header, a damaged
store, leftover builds, orphaned executors."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.store import embedded as stores
from tests.conftest import Server, scratch
from tests.fuzz_sparql import Listener, load_spellings, service_spellings
from tests.submitting import (
    TOKEN,
    code_of,
    copy_store,
    diseases_without_organization,
    new_organization,
    serving_a_copy,
)

pytestmark = pytest.mark.server
QUICK = "ASK { ?s ?p ?o }"
AUTH = f"Authorization: Bearer {TOKEN}\r\n"


@pytest.fixture(scope="module")
def hostile(request: pytest.FixtureRequest, store_dir: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with scratch(request, tmp_path_factory, "hostile") as tmp, serving_a_copy(
            store_dir, tmp, "--query-timeout", "5", "--max-result-bytes", "1000000",
            "--public-base-url", "https://rarekg.example.org") as srv:
        yield srv


def raw(port: int, data: bytes, source: str = "127.0.0.1",
        timeout: float = 20) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are; the answer's status, headers (lower-case names) and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                  source_address=(source, 0)) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
            length = [line for line in head.split(b"\r\n") if line.lower().startswith(
                b"content-length:")]
            if length and len(body) >= int(length[0].split(b":")[1]):
                break
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def request(method: str, path: str, body: bytes = b"", headers: str = "",
            content_type: str = "") -> bytes:
    ctype = f"Content-Type: {content_type}\r\n" if content_type else ""
    return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{ctype}"
            f"{headers}Content-Length: {len(body)}\r\n\r\n").encode("latin-1") + body


def error_of(body: bytes) -> dict[str, Any]:
    data = json.loads(body)
    error: dict[str, Any] = data["error"]
    assert set(error) >= {"type", "status", "message"}
    return error


def get(srv: Server, path: str, source: str = "127.0.0.1") -> tuple[int, dict[str, str], bytes]:
    return raw(srv.port, request("GET", path), source)


def test_service_spellings_through_every_protocol_form_connect_nowhere(hostile: Server) -> None:
    listener = Listener()
    try:
        spellings = list(service_spellings(listener.url))[::45]
        sent = 0
        for query in spellings:
            encoded = urllib.parse.urlencode({"query": query}).encode("utf-8")
            for data in (
                request("GET", "/sparql?" + encoded.decode()),
                request("POST", "/sparql", encoded,
                        content_type="application/x-www-form-urlencoded"),
                request("POST", "/sparql", query.encode("utf-8"),
                        content_type="application/sparql-query"),
                request("POST", "/", encoded, content_type="application/x-www-form-urlencoded",
                        headers="Accept: application/json\r\n"),
            ):
                status, _, body = raw(hostile.port, data)
                sent += 1
                if data.startswith(b"POST / "):  # the form answers its errors inline
                    assert json.loads(body)["error"]["type"] == "forbidden", body[:300]
                else:
                    assert status == 403, (query, body[:300])
        time.sleep(0.5)
        assert (len(spellings), sent, listener.connections) == (200, 800, 0)
    finally:
        listener.close()


def test_load_spellings_with_the_token_connect_nowhere(hostile: Server) -> None:
    listener = Listener()
    try:
        for update in load_spellings(listener.url):
            status, _, body = raw(hostile.port, request(
                "POST", "/sparql", update.encode("utf-8"), AUTH,
                "application/sparql-update"))
            assert status == 403 and error_of(body)["type"] == "forbidden", (update, body)
        assert listener.connections == 0
    finally:
        listener.close()


def test_bodies_past_the_limits_are_refused_before_they_are_read(hostile: Server) -> None:
    for path, ctype, headers in (("/sparql", "application/sparql-query", ""),
                                 ("/rdf-graph-store?graph=urn:x:g", "text/turtle", AUTH)):
        started = time.monotonic()
        head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\n{headers}"
                "Content-Length: 104857600\r\n\r\n").encode("latin-1")
        status, _, body = raw(hostile.port, head + b"SELECT", timeout=10)
        assert status == 413 and error_of(body)["type"] == "request-too-large", body
        assert time.monotonic() - started < 3
    chunked = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
               b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
               + (b"10000\r\n" + b"#" * 0x10000 + b"\r\n") * 5 + b"0\r\n\r\n")
    status, _, body = raw(hostile.port, chunked)
    assert status == 413 and error_of(body)["status"] == 413, body


def test_a_result_past_the_byte_cap_is_refused(hostile: Server) -> None:
    doubling = " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(12))
    query = f'SELECT ?v12 WHERE {{ BIND("{"x" * 512}" AS ?v0) {doubling} }}'  # one 2 MB row
    status, _, body = get(hostile, "/sparql?" + urllib.parse.urlencode({"query": query}))
    assert status == 413 and "max_result_bytes" in error_of(body)["message"]


def test_deep_nesting_is_refused_before_the_parser_and_executors_survive(hostile: Server) -> None:
    deep = "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }"
    for _ in range(20):
        status, _, body = raw(hostile.port, request("POST", "/sparql", deep.encode(),
                                                    content_type="application/sparql-query"))
        assert status == 400 and "max_query_depth" in error_of(body)["message"]
    status, _, body = get(hostile, "/sparql?" + urllib.parse.urlencode({"query": QUICK}))
    assert status == 200 and json.loads(body)["boolean"] is True


NON_ASCII = "Authorization: Bearer t\xf6ken\u00e9\r\n"


@pytest.mark.parametrize(("method", "path", "ctype", "body"), [
    ("POST", "/sparql", "application/sparql-update", b"CLEAR ALL"),
    ("PUT", "/rdf-graph-store?graph=urn:x:g", "text/turtle", b""),
    ("GET", "/api/submissions", "", b""),
    ("POST", "/review/login", "application/x-www-form-urlencoded", b"token=t%C3%B6ken"),
])
def test_a_non_ascii_bearer_token_is_refused_in_json(
    hostile: Server, method: str, path: str, ctype: str, body: bytes
) -> None:
    status, _headers, answer = raw(hostile.port, request(method, path, body, NON_ASCII, ctype))
    assert status in (401, 403), answer[:300]
    if path != "/review/login":
        assert error_of(answer)["type"] == "unauthorized"


@pytest.mark.parametrize(("body", "message"), [
    (b"[" * 30_000 + b"]" * 30_000, "nests 30000 levels"),
    (b'{"kind": "\\ud800"}', "lone surrogate"),
    (b'{"kind": ' + b"9" * 5000 + b"}", "more than 40 characters"),
])
def test_hostile_json_submissions_answer_400(hostile: Server, body: bytes, message: str) -> None:
    status, _, answer = raw(hostile.port, request("POST", "/api/submissions", body,
                                                  content_type="application/json"))
    assert status == 400 and message in error_of(answer)["message"], answer[:300]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_on_sparql_answer_405_in_json(hostile: Server, method: str) -> None:
    status, headers, body = raw(hostile.port, request(method, "/sparql"))
    assert status == 405 and error_of(body)["type"] == "method-not-allowed"
    assert set(headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_head_answers_like_get_without_a_body(hostile: Server) -> None:
    path = "/sparql?" + urllib.parse.urlencode({"query": QUICK})
    status, headers, body = raw(hostile.port, request("HEAD", path))
    get_status, get_headers, _get_body = get(hostile, path)
    assert (status, body) == (get_status, b"") == (200, b"")
    assert headers["content-type"] == get_headers["content-type"]
    status, _, body = raw(hostile.port, request("HEAD", "/sparql?query="))
    assert status == 400 and body == b""


def test_what_gunicorn_answers_itself_is_json(hostile: Server) -> None:
    status, headers, body = raw(hostile.port, b"GET /sparql?query=" + b"A" * 9000
                                + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 414 and headers["content-type"] == "application/json"
    assert error_of(body)["status"] == 414
    status, headers, body = raw(hostile.port, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: "
                                + b"a" * 9000 + b"\r\n\r\n")
    assert status in (400, 431) and error_of(body)["status"] == status
    broken = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
              b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nASK {}\r\n0\r\n\r\n")
    status, headers, body = raw(hostile.port, broken)
    assert status == 400 and error_of(body)["status"] == 400, body


def test_urls_come_from_the_public_base_url_never_from_host(
    hostile: Server, store_dir: Path
) -> None:
    evil = "Host: evil.example\r\n"
    status, headers, _ = raw(hostile.port, request(
        "POST", "/rdf-graph-store", b"<urn:x:s> <urn:x:p> 1 .", AUTH.replace("\r\n", "\r\n")
        + "X-Note: 1\r\n", "text/turtle").replace(b"Host: 127.0.0.1", evil.strip().encode()))
    assert status == 201
    assert headers["location"].startswith("https://rarekg.example.org/rdf-graphs/")
    query = urllib.parse.urlencode({"query": "SELECT (STR(<x>) AS ?x) {}"})
    status, _, body = raw(hostile.port, request("GET", "/sparql?" + query).replace(
        b"Host: 127.0.0.1", evil.strip().encode()))
    assert json.loads(body)["results"]["bindings"][0]["x"]["value"] == \
        "https://rarekg.example.org/x"
    disease = code_of(diseases_without_organization(store_dir)[0])
    payload = json.dumps(new_organization("主机测试会", "Host Test Group", disease,
                                          "host@example.org")).encode("utf-8")
    status, _, body = raw(hostile.port, request("POST", "/api/submissions", payload,
                                                content_type="application/json").replace(
        b"Host: 127.0.0.1", evil.strip().encode()))
    assert status == 201, body
    sub_id = json.loads(body)["id"]
    status, _, body = raw(hostile.port, request(
        "POST", f"/api/submissions/{sub_id}/approve", b'{"reviewer": "Maintainer"}', AUTH,
        "application/json").replace(b"Host: 127.0.0.1", evil.strip().encode()))
    assert status == 200, body
    ask = urllib.parse.urlencode({"query": 'ASK { GRAPH ?g { ?s ?p ?o FILTER(CONTAINS(STR(?o), '
                                           '"evil.example")) } }'})
    assert json.loads(get(hostile, "/sparql?" + ask)[2])["boolean"] is False
    published = f"https://rarekg.example.org/api/submissions/{sub_id}"
    ask = urllib.parse.urlencode({"query": "ASK { GRAPH ?g { ?s <http://schema.org/url> ?o "
                                           f'FILTER(STR(?o) = "{published}") }} }}'})
    assert json.loads(get(hostile, "/sparql?" + ask)[2])["boolean"] is True


def test_errors_name_no_server_path(hostile: Server, store_dir: Path) -> None:
    for data in (request("POST", "/sparql", b"LOAD <http://127.0.0.1:9/x>", AUTH,
                         "application/sparql-update"),
                 request("PUT", "/rdf-graph-store?graph=urn:x:g", b"<a> <b> .", AUTH,
                         "text/turtle"),
                 request("GET", "/sparql?query=SELEC")):
        status, _, body = raw(hostile.port, data)
        assert 400 <= status < 500 and str(store_dir.parent) not in body.decode("utf-8"), body


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_executors_die_with_their_worker(store_dir: Path, tmp_path: Path) -> None:
    srv = Server(store_dir, tmp_path / "serve.log", "--workers", "1", "--query-timeout", "60")
    try:
        srv.wait_ready()
        [worker] = _children(srv.proc.pid)
        executors = _children(worker)
        assert len(executors) >= 2
        sock = socket.create_connection(("127.0.0.1", srv.port))
        runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?t }"  # long, little memory
        sock.sendall(request("GET", "/sparql?" + urllib.parse.urlencode({"query": runaway})))
        time.sleep(1)
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists()
                                                  and "Z" not in Path(f"/proc/{p}/stat")
                                                  .read_text().rpartition(")")[2][:3]
                                                  for p in executors):
            time.sleep(0.2)
        alive = [p for p in executors if Path(f"/proc/{p}").exists()
                 and "Z" not in Path(f"/proc/{p}/stat").read_text().rpartition(")")[2][:3]]
        assert alive == [], "executors outlived their worker"
        sock.close()
    finally:
        srv.stop()


def test_a_damaged_store_answers_503_in_json_and_leftovers_are_removed(
    store_dir: Path, tmp_path: Path
) -> None:
    store = copy_store(store_dir, tmp_path / "store")
    leftover = store / stores.BUILDS / "99991231T235959.000000000-999999999"
    leftover.mkdir()
    (leftover / "CURRENT").write_text("")
    serving = stores.data_dir(store)
    shutil.copy(serving / "CURRENT", tmp_path / "CURRENT")
    srv = Server(store, tmp_path / "serve.log")
    try:
        srv.wait_ready()
        assert not leftover.exists(), "the unfinished build was not removed on start"
        (serving / "CURRENT").write_text("")
        new = store / stores.BUILDS / (serving.name + "x")  # a swap makes every worker reopen
        shutil.copytree(serving, new)
        os.replace(store / stores.SERVING, tmp_path / "old-link")
        os.symlink(Path(stores.BUILDS) / new.name, store / stores.SERVING)
        status, _, body = get(srv, "/sparql?" + urllib.parse.urlencode({"query": QUICK}))
        error = error_of(body)
        assert status == 503 and error["type"] == "store-unavailable", body
        assert str(tmp_path) not in error["message"]
        status, _, body = get(srv, "/health")
        assert status == 503 and json.loads(body)["ready"] is False
    finally:
        srv.stop()
