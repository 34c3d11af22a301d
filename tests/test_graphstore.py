"""The Graph Store Protocol (``/rdf-graphs/…``, ``/rdf-graph-store``) and writes: statuses, formats,
the token, and writes that are stopped at the time limit without changing anything."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kg.store.executor import QueryPool
from kg.store.writer import WriterProcess
from service.app import create_app

TOKEN = "gsp-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TTL = "text/turtle; charset=utf-8"
LISTS = "https://w3id.org/rarekg/graph/china-lists"
PERSON = b'<http://www.example/p/1> <http://xmlns.com/foaf/0.1/name> "Jane Doe"@en .\n'


def _close(app: Flask) -> None:
    pool = app.extensions["rarekg_pool"]
    assert isinstance(pool, QueryPool)
    pool.close()
    process = app.extensions["rarekg_writer"]
    assert isinstance(process, WriterProcess)
    process.close()


@pytest.fixture()
def writable(tmp_path: Path) -> Iterator[FlaskClient]:
    """A client of an app on a new, empty store with writes switched on."""
    store = tmp_path / "store"
    store.mkdir()
    app = create_app({"store": str(store), "update_token": TOKEN, "executors": 1,
                      "public_base_url": "http://localhost"})
    yield app.test_client()
    _close(app)


def _ask(client: FlaskClient, query: str) -> bool:
    answer = client.get("/sparql", query_string={"query": query})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return bool(answer.get_json()["boolean"])


def test_reads_are_anonymous_and_come_in_four_formats(client: FlaskClient) -> None:
    for accept, mimetype in [
        ("text/turtle", "text/turtle"),
        ("", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
    ]:
        r = client.get(
            "/rdf-graph-store",
            query_string={"graph": LISTS},
            headers={"Accept": accept} if accept else {},
        )
        assert r.status_code == 200, accept
        assert r.mimetype == mimetype
    nt = client.get(
        "/rdf-graph-store",
        query_string={"graph": LISTS},
        headers={"Accept": "application/n-triples"},
    ).get_data(as_text=True)
    assert (
        "<https://w3id.org/rarekg/id/disease/cn1-001> "
        '<http://www.w3.org/2004/02/skos/core#prefLabel> "21-羟化酶缺乏症"@zh .'
    ) in nt
    assert client.head("/rdf-graph-store", query_string={"graph": LISTS}).status_code == 200
    r = client.get(
        "/rdf-graph-store", query_string={"graph": LISTS}, headers={"Accept": "image/png"}
    )
    assert r.status_code == 406


def test_missing_graphs_and_bad_requests(client: FlaskClient) -> None:
    r = client.get("/rdf-graph-store", query_string={"graph": "https://w3id.org/rarekg/graph/no"})
    assert r.status_code == 404
    assert r.get_json()["error"]["type"] == "not-found"
    assert client.get("/rdf-graphs/nothing-here").status_code == 404
    assert client.get("/rdf-graph-store").status_code == 400
    assert client.get("/rdf-graph-store", query_string={"graph": "not an iri"}).status_code == 400
    assert client.get("/rdf-graph-store?default&graph=" + LISTS).status_code == 400


def test_writes_are_refused_on_a_read_only_service(client: FlaskClient) -> None:
    for method in ("PUT", "POST", "DELETE"):
        r = client.open(
            "/rdf-graph-store",
            method=method,
            query_string={"graph": LISTS},
            data=PERSON,
            content_type="application/n-triples",
            headers=AUTH,
        )
        assert r.status_code == 403, method
    assert client.head("/rdf-graph-store", query_string={"graph": LISTS}).status_code == 200


def test_writes_need_the_token(writable: FlaskClient) -> None:
    url = "/rdf-graphs/people"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        r = writable.put(url, data=PERSON, content_type="application/n-triples", headers=headers)
        assert r.status_code == 401
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
        assert r.get_json()["error"]["type"] == "unauthorized"
    assert writable.get(url).status_code == 404
    assert (
        writable.put(
            url, data=PERSON, content_type="application/n-triples", headers=AUTH
        ).status_code
        == 201
    )


def test_put_post_delete_and_the_graph_in_sparql(writable: FlaskClient) -> None:
    url = "/rdf-graphs/people"
    iri = "http://localhost/rdf-graphs/people"
    assert writable.put(url, data=PERSON, content_type=TTL, headers=AUTH).status_code == 201
    assert _ask(writable, f'ASK {{ GRAPH <{iri}> {{ ?p ?name "Jane Doe"@en }} }}')
    more = b'{"@id": "http://www.example/p/1", "http://xmlns.com/foaf/0.1/age": 42}'
    assert (
        writable.post(url, data=more, content_type="application/ld+json", headers=AUTH).status_code
        == 204
    )
    nt = writable.get(url, headers={"Accept": "application/n-triples"}).get_data(as_text=True)
    assert '"Jane Doe"@en' in nt and '"42"^^<http://www.w3.org/2001/XMLSchema#integer>' in nt
    # the same graph, identified indirectly
    r = writable.get("/rdf-graph-store", query_string={"graph": iri})
    assert r.status_code == 200 and "Jane Doe" in r.get_data(as_text=True)
    assert writable.put(url, data=b"", content_type=TTL, headers=AUTH).status_code == 204
    assert writable.get(url).status_code == 200  # an empty graph still exists
    assert writable.delete(url, headers=AUTH).status_code == 204
    assert writable.get(url).status_code == 404
    assert writable.delete(url, headers=AUTH).status_code == 404


def test_relative_iris_resolve_against_the_graph(writable: FlaskClient) -> None:
    body = b'<#me> <http://xmlns.com/foaf/0.1/name> "Me" .'
    assert (
        writable.put("/rdf-graphs/doc", data=body, content_type=TTL, headers=AUTH).status_code
        == 201
    )
    nt = writable.get("/rdf-graphs/doc", headers={"Accept": "application/n-triples"})
    assert "<http://localhost/rdf-graphs/doc#me>" in nt.get_data(as_text=True)


def test_post_to_the_store_creates_a_graph(writable: FlaskClient) -> None:
    r = writable.post(
        "/rdf-graph-store", data=PERSON, content_type="application/n-triples", headers=AUTH
    )
    assert r.status_code == 201
    location = r.headers["Location"]
    assert location.startswith("http://localhost/rdf-graphs/")
    assert "Jane Doe" in writable.get(location.removeprefix("http://localhost")).get_data(
        as_text=True
    )


def test_blank_nodes_of_two_posts_stay_apart(writable: FlaskClient) -> None:
    body = b'_:b <http://xmlns.com/foaf/0.1/name> "%s" .'
    for name in (b"A", b"B"):
        writable.post(
            "/rdf-graphs/b", data=body % name, content_type="application/n-triples", headers=AUTH
        )
    assert not _ask(writable, 'ASK { ?x <http://xmlns.com/foaf/0.1/name> "A", "B" }')


def test_unparsable_and_unsupported_bodies(writable: FlaskClient) -> None:
    url = "/rdf-graphs/people"
    r = writable.put(url, data=b"<a> <b> .", content_type=TTL, headers=AUTH)
    assert r.status_code == 400 and r.get_json()["error"]["type"] == "bad-request"
    for ctype in ("text/plain", "application/json", "text/turtle; charset=latin-1"):
        r = writable.put(url, data=PERSON, content_type=ctype, headers=AUTH)
        assert r.status_code == 415, ctype
    r = writable.put(url, data=PERSON, headers=AUTH)
    assert r.status_code == 415
    assert writable.get(url).status_code == 404  # nothing was written


def test_default_graph_put_and_delete(writable: FlaskClient) -> None:
    assert writable.get("/rdf-graph-store?default").status_code == 200
    assert (
        writable.put(
            "/rdf-graph-store?default",
            data=PERSON,
            content_type="application/n-triples",
            headers=AUTH,
        ).status_code
        == 204
    )
    assert _ask(writable, 'ASK { ?p ?name "Jane Doe"@en }')
    assert writable.delete("/rdf-graph-store?default", headers=AUTH).status_code == 204
    assert not _ask(writable, 'ASK { ?p ?name "Jane Doe"@en }')


def test_update_with_using_graph_uri_and_a_subquery(writable: FlaskClient) -> None:
    writable.put(
        "/rdf-graph-store?graph=urn:x:a",
        data=PERSON,
        content_type="application/n-triples",
        headers=AUTH,
    )
    update = (
        "INSERT { GRAPH <urn:x:out> { ?s a <urn:x:Named> } } WHERE { "
        "{ SELECT ?s WHERE { ?s ?p ?o } } }"
    )
    r = writable.post(
        "/sparql?using-graph-uri=urn:x:a",
        data=update,
        content_type="application/sparql-update",
        headers=AUTH,
    )
    assert r.status_code == 204, r.get_data(as_text=True)
    assert _ask(writable, "ASK { GRAPH <urn:x:out> { <http://www.example/p/1> a <urn:x:Named> } }")
    # DELETE WHERE has no USING clause: it goes in its long form DELETE { P } USING … WHERE { P }
    r = writable.post(
        "/sparql?using-named-graph-uri=urn:x:out",
        data="DELETE WHERE { GRAPH <urn:x:out> { ?s ?p ?o } }",
        content_type="application/sparql-update",
        headers=AUTH,
    )
    assert r.status_code == 204, r.get_data(as_text=True)
    assert writable.get("/rdf-graph-store?graph=urn:x:out").get_data() == b""
    assert _ask(writable, "ASK { GRAPH <urn:x:a> { ?s ?p ?o } }")


def test_a_failed_update_is_a_client_error(writable: FlaskClient) -> None:
    r = writable.post(
        "/sparql",
        data="DROP GRAPH <urn:x:none>",
        content_type="application/sparql-update",
        headers=AUTH,
    )
    assert r.status_code == 400 and "does not exist" in r.get_json()["error"]["message"]
    r = writable.post(
        "/sparql",
        data="DROP SILENT GRAPH <urn:x:none>",
        content_type="application/sparql-update",
        headers=AUTH,
    )
    assert r.status_code == 204


def test_a_runaway_write_is_stopped_and_changes_nothing(store_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "store"
    shutil.copytree(store_dir, copy, symlinks=True)
    app = create_app(
        {"store": str(copy), "update_token": TOKEN, "query_timeout": 6, "executors": 1}
    )  # a SPARQL Update also rewrites the union default graph: a few seconds at this size
    client = app.test_client()
    try:
        runaway = (
            "INSERT { GRAPH <urn:x:all> { ?a <urn:x:p> ?c } } WHERE { "
            "GRAPH ?g { ?a ?p ?b } GRAPH ?h { ?c ?q ?d } GRAPH ?i { ?e ?r ?f } }"
        )
        started = time.monotonic()
        r = client.post(
            "/sparql", data=runaway, content_type="application/sparql-update", headers=AUTH
        )
        # stopped by the time limit, or by the writer's memory cap (child_memory_mb) if the
        # cross product fills it first; either way said as such, and nothing is changed
        kind = r.get_json()["error"]["type"]
        assert (r.status_code, kind) in ((503, "timeout"), (413, "result-too-large")), r.data
        if kind == "result-too-large":
            assert "child_memory_mb" in r.get_json()["error"]["message"]
        assert time.monotonic() - started < 14
        assert not _ask(client, "ASK { GRAPH <urn:x:all> { ?s ?p ?o } }")
        assert _ask(
            client,
            'ASK { ?d <http://www.w3.org/2004/02/skos/core#prefLabel> "21-羟化酶缺乏症"@zh }',
        )
        # the next write gets a new writer process
        r = client.post(
            "/sparql",
            data="INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> 1 } }",
            content_type="application/sparql-update",
            headers=AUTH,
        )
        assert r.status_code == 204
        assert _ask(client, "ASK { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> 1 } }")
    finally:
        _close(app)
