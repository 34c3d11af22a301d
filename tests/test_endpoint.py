"""The endpoint to standard: bounded queries, safe writes, HTTP behaviour, well-known
descriptions."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kg.build.pipeline import build_graph
from kg.build.sources import default_sources
from kg.store import embedded as stores
from service.app import create_app
from tests.conftest import Server

# a cross product that runs on and on in little memory: every triple with every typed resource (a
# four-way cross product of the whole graph fills an executor's memory cap within seconds instead)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?t }"
QUICK = "ASK { <https://w3id.org/rarekg/id/list/cn1> ?p ?o }"
TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def limited_app(store_dir: Path) -> Flask:
    return create_app({"store": str(store_dir), "max_rows": 5, "query_timeout": 2.0})


@pytest.fixture()
def writable(tmp_path: Path) -> Iterator[FlaskClient]:
    app = create_app(
        {"store": str(tmp_path / "store"), "update_token": TOKEN, "load_allowlist": ""}
    )
    (tmp_path / "store").mkdir()
    yield app.test_client()
    app.extensions["rarekg_pool"].close()


class Listener:
    """A loopback TCP listener that records whether anything connected to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self) -> None:
        self._stop = True
        self.thread.join(2)
        self.sock.close()


def test_row_cap_gives_a_clear_error(limited_app: Flask) -> None:
    client = limited_app.test_client()
    q = "SELECT ?e WHERE { ?e a <https://w3id.org/rarekg/vocab#ListEntry> }"
    r = client.get("/sparql", query_string={"query": q})
    assert r.status_code == 413
    assert r.get_json()["error"]["type"] == "result-too-large"
    assert "max_rows" in r.get_json()["error"]["message"]
    ok = client.get("/sparql", query_string={"query": q + " LIMIT 5"})
    assert ok.status_code == 200 and len(ok.get_json()["results"]["bindings"]) == 5


def test_runaway_query_is_stopped_and_the_executor_recovers(limited_app: Flask) -> None:
    client = limited_app.test_client()
    started = time.monotonic()
    r = client.get("/sparql", query_string={"query": RUNAWAY})
    elapsed = time.monotonic() - started
    assert r.status_code == 503
    assert r.get_json()["error"]["type"] == "timeout"
    assert "query_timeout" in r.get_json()["error"]["message"]
    assert elapsed < 10
    for _ in range(3):  # the replaced executors answer again
        assert client.get("/sparql", query_string={"query": QUICK}).get_json()["boolean"] is True


def test_a_query_past_the_memory_cap_is_told_so(store_dir: Path) -> None:
    """A four-way cross product of the whole graph fills an executor's address space (the engine
    aborts on the failed allocation): the client hears which limit stopped it, and the next query
    gets a new executor."""
    app = create_app({"store": str(store_dir), "child_memory_mb": 1024, "query_timeout": 60,
                      "executors": 1})
    client = app.test_client()
    try:
        hog = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
        r = client.get("/sparql", query_string={"query": hog})
        assert r.status_code == 413, r.data
        error = r.get_json()["error"]
        assert error["type"] == "result-too-large" and "child_memory_mb" in error["message"]
        assert client.get("/sparql", query_string={"query": QUICK}).get_json()["boolean"] is True
    finally:
        app.extensions["rarekg_pool"].close()


def test_other_clients_are_answered_while_a_query_runs_away(
    store_dir: Path, tmp_path: Path
) -> None:
    srv = Server(
        store_dir,
        tmp_path / "serve.log",
        "--query-timeout",
        "4",
        "--workers",
        "1",
        "--executors",
        "2",
    )
    try:
        srv.wait_ready()
        outcome: dict[str, object] = {}

        def runaway() -> None:
            t0 = time.monotonic()
            try:
                urllib.request.urlopen(
                    srv.url + "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY}), timeout=60
                )
            except urllib.error.HTTPError as exc:
                outcome["status"] = exc.code
                outcome["body"] = json.loads(exc.read())
            outcome["seconds"] = time.monotonic() - t0

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(0.5)
        answered = 0
        while thread.is_alive():  # another client: another address
            other = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10,
                                               source_address=("127.0.0.2", 0))
            other.request("GET", "/sparql?" + urllib.parse.urlencode({"query": QUICK}))
            assert json.loads(other.getresponse().read())["boolean"] is True
            other.close()
            answered += 1
            time.sleep(0.1)
        thread.join()
        assert outcome["status"] == 503
        assert answered >= 5
        assert 3.5 <= float(outcome["seconds"]) < 15  # type: ignore[arg-type]
        with urllib.request.urlopen(srv.url + "/metrics") as r:
            metrics = r.read().decode("utf-8")
        assert "rarekg_query_timeouts_total 1.0" in metrics
    finally:
        srv.stop()


def test_service_is_refused_without_any_connection(client: FlaskClient) -> None:
    listener = Listener()
    try:
        q = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
        r = client.get("/sparql", query_string={"query": q})
        assert r.status_code == 403
        assert "allow-list" in r.get_json()["error"]["message"]
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()


def test_allow_listed_service_endpoint_is_called(store_dir: Path) -> None:
    listener = Listener()
    app = create_app(
        {"store": str(store_dir), "service_allowlist": f"http://127.0.0.1:{listener.port}/sparql"}
    )
    try:
        q = (
            f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{listener.port}/sparql> "
            "{ ?s ?p ?o } }"
        )
        app.test_client().get("/sparql", query_string={"query": q})
        assert listener.connections >= 1
    finally:
        listener.close()
        app.extensions["rarekg_pool"].close()


def test_updates_need_the_token(writable: FlaskClient) -> None:
    update = "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> 'c' } }"
    assert writable.post("/sparql", data={"update": update}).status_code == 401
    r = writable.post("/sparql", data={"update": update}, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    r = writable.post(
        "/sparql",
        data=update,
        content_type="application/sparql-update",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 204
    ask = writable.get(
        "/sparql", query_string={"query": "ASK { GRAPH <urn:g> { <urn:a> ?p 'c' } }"}
    )
    assert ask.get_json()["boolean"] is True


def test_load_of_local_files_and_unlisted_urls_is_refused(
    writable: FlaskClient, tmp_path: Path
) -> None:
    data = tmp_path / "data.ttl"
    data.write_text("<urn:x> <urn:y> <urn:z> .\n", encoding="utf-8")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for target in ("file:///etc/passwd", data.as_uri()):
        r = writable.post(
            "/sparql", data={"update": f"LOAD <{target}> INTO GRAPH <urn:loaded>"}, headers=auth
        )
        assert r.status_code == 403
        assert "local files" in r.get_json()["error"]["message"]
    listener = Listener()
    try:
        r = writable.post(
            "/sparql",
            headers=auth,
            data={"update": f"LOAD <http://127.0.0.1:{listener.port}/data.ttl> INTO GRAPH <urn:l>"},
        )
        assert r.status_code == 403 and "allow-list" in r.get_json()["error"]["message"]
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()
    ask = writable.get("/sparql", query_string={"query": "ASK { GRAPH ?g { <urn:x> ?p ?o } }"})
    assert ask.get_json()["boolean"] is False


def test_etag_and_conditional_get(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": QUICK})
    etag = r.headers["ETag"]
    assert r.headers["Cache-Control"].startswith("public")
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get("/sparql", query_string={"query": QUICK}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    other = client.get(
        "/sparql",
        query_string={"query": QUICK},
        headers={"If-None-Match": etag, "Accept": "text/csv"},
    )
    assert other.status_code == 200


def test_large_answers_are_gzipped(client: FlaskClient) -> None:
    q = "SELECT ?s ?o WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?o }"
    r = client.get("/sparql", query_string={"query": q}, headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip"
    data = json.loads(gzip.decompress(r.get_data()))
    assert len(data["results"]["bindings"]) > 200
    plain = client.get("/sparql", query_string={"query": q})
    assert "Content-Encoding" not in plain.headers


def test_errors_share_one_json_shape(client: FlaskClient) -> None:
    for r in (
        client.get("/sparql", query_string={"query": "SELECT"}),
        client.post("/sparql", data="x", content_type="text/plain"),
        client.post("/sparql", data={"update": "CLEAR ALL"}),
    ):
        error = r.get_json()["error"]
        assert set(error) >= {"type", "status", "message"} and error["status"] == r.status_code
        assert r.headers["Cache-Control"] == "no-store"


def test_health_and_metrics(client: FlaskClient, store_dir: Path) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    health = r.get_json()
    assert health["ready"] is True and health["triples"] > 10000
    assert health["version"] == stores.version(store_dir)
    metrics = client.get("/metrics").get_data(as_text=True)
    assert "rarekg_requests_total" in metrics
    assert "rarekg_request_duration_seconds_bucket" in metrics


def test_well_known_void_and_examples(client: FlaskClient) -> None:
    r = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "<https://w3id.org/rarekg/graph/china-lists> <http://rdfs.org/ns/void#triples>" in text
    assert "http://rdfs.org/ns/void#sparqlEndpoint" in text
    r = client.get("/.well-known/sparql-examples", headers={"Accept": "text/turtle"})
    assert "q01-diseases-without-patient-organization" in r.get_data(as_text=True)


def test_rebuilt_store_is_picked_up_without_dropping_requests(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    # the ontology, the sources and the national lists: enough for QUICK, quick to rebuild
    sources = default_sources()[:3]
    build_graph(store_dir, sources, validate=False)
    srv = Server(store_dir, tmp_path / "serve.log")
    try:
        srv.wait_ready()
        statuses: list[int] = []
        versions: set[str] = set()
        stop = threading.Event()

        def ask() -> None:
            while not stop.is_set():
                try:
                    with urllib.request.urlopen(
                        srv.url + "/sparql?" + urllib.parse.urlencode({"query": QUICK}),
                        timeout=30,
                    ) as r:
                        statuses.append(r.status)
                        versions.add(r.headers["X-Rarekg-Version"])
                except urllib.error.HTTPError as exc:  # reported by the assertion below
                    statuses.append(exc.code)

        threads = [threading.Thread(target=ask) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        build_graph(store_dir, sources, validate=False)
        time.sleep(1.5)
        stop.set()
        for t in threads:
            t.join()
        assert statuses and set(statuses) == {200}
        assert len(versions) == 2
    finally:
        srv.stop()
