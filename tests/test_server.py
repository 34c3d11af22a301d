"""A real ``rarekg serve`` process on a free loopback port, queried with SPARQLWrapper."""

from __future__ import annotations

import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from tests.conftest import Server
from tests.examples import example_query, run_example

ID = "https://w3id.org/rarekg/id/"


def client(server: Server) -> SPARQLWrapper:
    return SPARQLWrapper(server.url + "/sparql")


def test_question_1_through_sparqlwrapper_agrees_with_question_2(server: Server) -> None:
    s = client(server)
    s.setQuery(example_query("q01"))
    s.setReturnFormat(JSON)
    q1 = s.query().convert()["results"]["bindings"]
    s.setQuery(example_query("q02"))
    q2 = s.query().convert()["results"]["bindings"]
    without = {b["disease"]["value"] for b in q2 if b["organizations"]["value"] == "0"}
    assert {b["disease"]["value"] for b in q1} == without
    assert f"{ID}disease/cn1-110" not in without
    names = {b["disease"]["value"]: b["name_zh"]["value"] for b in q1}
    assert names[f"{ID}disease/cn1-001"] == "21-羟化酶缺乏症"


def test_sparqlwrapper_post_and_other_formats(server: Server) -> None:
    s = client(server)
    s.setMethod(POST)
    s.setQuery("ASK { ?d <https://w3id.org/rarekg/vocab#listedIn> ?l }")
    s.setReturnFormat(JSON)
    assert s.query().convert()["boolean"] is True
    s.setQuery(
        "SELECT ?n WHERE { <https://w3id.org/rarekg/id/list/cn2> "
        "<https://w3id.org/rarekg/vocab#listSize> ?n }"
    )
    s.setReturnFormat(CSV)
    assert s.query().convert().decode("utf-8").splitlines() == ["n", "86"]
    s.setReturnFormat(XML)
    doc = s.query().convert()
    assert doc.getElementsByTagName("literal")[0].firstChild.data == "86"
    s.setQuery(
        "CONSTRUCT { ?l ?p ?o } WHERE { BIND (<https://w3id.org/rarekg/id/list/cn1> AS ?l) "
        "?l ?p ?o }"
    )
    s.setReturnFormat(TURTLE)
    turtle = s.query().convert().decode("utf-8")
    assert "121" in turtle


def test_syntax_error_reaches_sparqlwrapper_as_bad_query(server: Server) -> None:
    s = client(server)
    s.setQuery("SELECT * WHERE { ?s ?p }")
    s.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed, match="1:"):
        s.query()


def test_server_is_gunicorn_with_several_workers(server: Server) -> None:
    log = server.log.read_text(errors="replace")
    assert "gunicorn" in log.lower() or "Booting worker" in log
    assert log.count("Booting worker") >= 2
    with urllib.request.urlopen(server.url + "/") as r:
        assert r.status == 200
        assert "rarekg" in r.read().decode("utf-8")


def test_a_shared_link_of_several_kilobytes_opens(server: Server) -> None:
    """A ``/?query=`` link as long as the form makes shareable (8,000 characters) is read."""
    names = " ".join(f'"name {n:04d}"@en' for n in range(300))
    query = f"SELECT ?d WHERE {{ VALUES ?name {{ {names} }} ?d ?p ?name }}"
    url = server.url + "/?" + urllib.parse.urlencode({"query": query})
    assert 6000 < len(url) < 8000
    with urllib.request.urlopen(url) as r:
        assert r.status == 200 and "name 0299" in r.read().decode("utf-8")
    sparql = server.url + "/sparql?" + urllib.parse.urlencode({"query": query})
    with urllib.request.urlopen(sparql) as r:
        assert r.status == 200


def test_serve_builds_the_default_graph_when_the_store_is_missing(tmp_path: Path) -> None:
    store = tmp_path / "new-store"
    srv = Server(store, tmp_path / "serve.log")
    try:
        srv.wait_ready(timeout=900)  # the whole default graph is built first (2-5 min)
        s = SPARQLWrapper(srv.url + "/sparql")
        s.setQuery(
            "SELECT (COUNT(?e) AS ?n) WHERE { ?e a <https://w3id.org/rarekg/vocab#ListEntry> }"
        )
        s.setReturnFormat(JSON)
        assert s.query().convert()["results"]["bindings"][0]["n"]["value"] == "207"
    finally:
        srv.stop()
    assert (store / "serving").is_symlink()


def test_serve_serves_an_existing_empty_directory_as_it_is(tmp_path: Path) -> None:
    store = tmp_path / "empty"
    store.mkdir()
    srv = Server(store, tmp_path / "serve.log")
    try:
        srv.wait_ready()
        s = SPARQLWrapper(srv.url + "/sparql")
        s.setQuery("ASK { ?s ?p ?o }")
        s.setReturnFormat(JSON)
        assert s.query().convert()["boolean"] is False
    finally:
        srv.stop()
    assert not (store / "serving").exists()


def test_examples_helper_matches_server(server: Server, store_dir: Path) -> None:
    s = client(server)
    s.setQuery(example_query("q14"))
    s.setReturnFormat(JSON)
    served = {b["graph"]["value"] for b in s.query().convert()["results"]["bindings"]}
    assert served == {r["graph"] for r in run_example(store_dir, "q14")}
