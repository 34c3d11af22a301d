"""The RDF dataset of a query: the union by default, the query's FROM / FROM NAMED, and the
protocol's default-graph-uri / named-graph-uri (which take precedence); the base IRI."""

from __future__ import annotations

from flask.testing import FlaskClient

LISTS = "https://w3id.org/rarekg/graph/china-lists"
ALIASES = "https://w3id.org/rarekg/graph/china-list-aliases"
OI = "<https://w3id.org/rarekg/id/disease/cn1-086>"


def _ask(client: FlaskClient, query: str, **params: str | list[str]) -> bool:
    r = client.get("/sparql", query_string={"query": query, **params})
    assert r.status_code == 200, r.get_data(as_text=True)
    return bool(r.get_json()["boolean"])


def _count(client: FlaskClient, query: str, **params: str | list[str]) -> int:
    r = client.get("/sparql", query_string={"query": query, **params})
    assert r.status_code == 200, r.get_data(as_text=True)
    return int(r.get_json()["results"]["bindings"][0]["n"]["value"])


def test_from_narrows_the_default_graph_like_default_graph_uri(client: FlaskClient) -> None:
    union = _count(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ {OI} ?p ?o }}")
    from_lists = _count(client, f"SELECT (COUNT(*) AS ?n) FROM <{LISTS}> WHERE {{ {OI} ?p ?o }}")
    param = _count(
        client, f"SELECT (COUNT(*) AS ?n) WHERE {{ {OI} ?p ?o }}", **{"default-graph-uri": LISTS}
    )
    assert 0 < from_lists == param < union


def test_from_named_alone_leaves_the_default_graph_empty(client: FlaskClient) -> None:
    assert not _ask(client, f"ASK FROM NAMED <{LISTS}> {{ {OI} ?p ?o }}")
    assert _ask(client, f"ASK FROM NAMED <{LISTS}> {{ GRAPH <{LISTS}> {{ {OI} ?p ?o }} }}")
    assert not _ask(client, f"ASK FROM NAMED <{LISTS}> {{ GRAPH <{ALIASES}> {{ ?s ?p ?o }} }}")


def test_protocol_parameters_override_the_query_dataset(client: FlaskClient) -> None:
    query = f"ASK FROM <{ALIASES}> {{ GRAPH ?g {{ {OI} ?p ?o }} }}"
    assert _ask(client, query, **{"named-graph-uri": LISTS})
    assert not _ask(client, f"ASK FROM <{LISTS}> {{ {OI} ?p ?o }}", **{"named-graph-uri": LISTS})
    # only default graphs listed: no named graphs
    assert not _ask(client, "ASK { GRAPH ?g { ?s ?p ?o } }", **{"default-graph-uri": LISTS})
    assert _ask(client, "ASK { GRAPH ?g { ?s ?p ?o } }")


def test_words_like_from_in_strings_and_names_are_no_dataset(client: FlaskClient) -> None:
    assert _ask(client, 'ASK { BIND ("FROM" AS ?from) ' + OI + " ?p ?o }")


def test_relative_iris_resolve_against_the_endpoint(client: FlaskClient) -> None:
    """The endpoint's URL is the public base URL (by default the address the service listens on),
    whatever ``Host`` the request names."""
    r = client.get("/sparql", query_string={"query": "SELECT (STR(<x>) AS ?x) {}"},
                   headers={"Host": "evil.example"})
    assert r.get_json()["results"]["bindings"][0]["x"]["value"] == "http://127.0.0.1:8000/x"


def test_a_non_utf8_body_is_refused(client: FlaskClient) -> None:
    r = client.post(
        "/sparql",
        data="ASK {}".encode("utf-16"),
        content_type="application/sparql-query; charset=UTF-16",
    )
    assert r.status_code == 415
    assert "UTF-8" in r.get_json()["error"]["message"]
