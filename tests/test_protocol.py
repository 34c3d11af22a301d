"""SPARQL 1.1 Protocol cases through the Flask test client, on the built default graph."""

from __future__ import annotations

import csv
import io
import json

from flask.testing import FlaskClient

ASK_OI = (
    "ASK { <https://w3id.org/rarekg/id/disease/cn1-086> "
    '<http://www.w3.org/2004/02/skos/core#prefLabel> "成骨不全症（脆骨病）"@zh }'
)
SELECT_LIST = (
    "SELECT ?name WHERE { <https://w3id.org/rarekg/id/disease/cn1-110> "
    "<http://www.w3.org/2004/02/skos/core#prefLabel> ?name } ORDER BY ?name"
)
CONSTRUCT = (
    "CONSTRUCT { ?d <http://www.w3.org/2004/02/skos/core#prefLabel> ?n } WHERE { "
    "BIND (<https://w3id.org/rarekg/id/disease/cn1-086> AS ?d) "
    "?d <http://www.w3.org/2004/02/skos/core#prefLabel> ?n }"
)


def test_get_select_answers_sparql_json_by_default(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": SELECT_LIST})
    assert r.status_code == 200
    assert r.mimetype == "application/sparql-results+json"
    names = [b["name"]["value"] for b in r.get_json()["results"]["bindings"]]
    assert names == ["Spinal Muscular Atrophy", "脊髓性肌萎缩症"]


def test_post_form_and_post_direct_give_the_same_answer(client: FlaskClient) -> None:
    a = client.post("/sparql", data={"query": ASK_OI})
    b = client.post("/sparql", data=ASK_OI.encode("utf-8"), content_type="application/sparql-query")
    assert a.status_code == b.status_code == 200
    assert a.get_json() == b.get_json() == {"head": {}, "boolean": True}


def test_result_formats_by_accept(client: FlaskClient) -> None:
    for accept, mimetype in [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/html;q=0.9, application/sparql-results+json", "application/sparql-results+json"),
    ]:
        r = client.get("/sparql", query_string={"query": SELECT_LIST}, headers={"Accept": accept})
        assert r.status_code == 200, accept
        assert r.mimetype == mimetype
    r = client.get("/sparql", query_string={"query": SELECT_LIST}, headers={"Accept": "text/csv"})
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows == [["name"], ["Spinal Muscular Atrophy"], ["脊髓性肌萎缩症"]]
    xml = client.get(
        "/sparql",
        query_string={"query": SELECT_LIST},
        headers={"Accept": "application/sparql-results+xml"},
    ).get_data(as_text=True)
    assert '<literal xml:lang="zh">脊髓性肌萎缩症</literal>' in xml


def test_graph_formats_by_accept_and_format_parameter(client: FlaskClient) -> None:
    cases = [
        ({"Accept": "text/turtle"}, {}, "text/turtle"),
        ({"Accept": "application/n-triples"}, {}, "application/n-triples"),
        ({"Accept": "application/ld+json"}, {}, "application/ld+json"),
        ({"Accept": "application/rdf+xml"}, {}, "application/rdf+xml"),
        ({}, {"format": "xml"}, "application/rdf+xml"),
        ({}, {"output": "json"}, "application/ld+json"),
        ({}, {"format": "turtle"}, "text/turtle"),
    ]
    for headers, params, mimetype in cases:
        r = client.get("/sparql", query_string={"query": CONSTRUCT, **params}, headers=headers)
        assert r.status_code == 200, (headers, params)
        assert r.mimetype == mimetype
        assert "成骨不全症（脆骨病）" in r.get_data(as_text=True) or "\\u6210" in r.get_data(
            as_text=True
        )
    nt = client.get(
        "/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": "application/n-triples"}
    ).get_data(as_text=True)
    assert (
        "<https://w3id.org/rarekg/id/disease/cn1-086> "
        '<http://www.w3.org/2004/02/skos/core#prefLabel> "成骨不全症（脆骨病）"@zh .'
    ) in nt


def test_format_parameter_as_sparqlwrapper_sends_it(client: FlaskClient) -> None:
    r = client.get(
        "/sparql",
        query_string={"query": SELECT_LIST, "format": "json", "output": "json", "results": "json"},
    )
    assert r.mimetype == "application/sparql-results+json"
    r = client.get("/sparql", query_string={"query": SELECT_LIST, "format": "csv"})
    assert r.mimetype == "text/csv"


def test_syntax_error_returns_400_with_line_and_column(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE {\n  ?s ?p \n}"})
    assert r.status_code == 400
    error = r.get_json()["error"]
    assert error["type"] == "syntax-error"
    assert error["line"] == 3
    assert error["column"] in (1, 2)  # the parser's own position, passed on as it gives it
    assert f"error at 3:{error['column']}" in error["detail"]  # the parser's own text
    assert error["message"] == ("incomplete triple pattern '?s ?p' at line 2, column 3: a triple "
                                "needs a subject, a predicate and an object")


def test_get_without_query_gives_the_service_description(client: FlaskClient) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    text = r.get_data(as_text=True)
    assert "sd:Service" in text and "sd:SPARQL11Query" in text and "sd:UnionDefaultGraph" in text
    assert "SPARQL_Results_JSON" in text
    assert "SPARQL11Update" not in text  # read-only
    r = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert r.mimetype == "application/ld+json"
    r = client.get("/sparql", headers={"Accept": "application/rdf+xml"})
    assert r.mimetype == "application/rdf+xml"


def test_missing_query_and_bad_content_type_are_client_errors(client: FlaskClient) -> None:
    assert client.post("/sparql", data={"nothing": "here"}).status_code == 400
    r = client.post("/sparql", data="x", content_type="text/plain")
    assert r.status_code == 415
    assert "application/sparql-query" in r.get_json()["error"]["message"]


def test_updates_are_refused_on_the_read_only_endpoint(client: FlaskClient) -> None:
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    assert client.post("/sparql", data={"update": update}).status_code == 403
    r = client.post("/sparql", data=update, content_type="application/sparql-update")
    assert r.status_code == 403
    ask = client.get("/sparql", query_string={"query": "ASK { <urn:a> <urn:b> <urn:c> }"})
    assert ask.get_json()["boolean"] is False


def test_service_is_refused_before_any_connection(client: FlaskClient) -> None:
    q = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    r = client.get("/sparql", query_string={"query": q})
    assert r.status_code == 403
    assert "SERVICE" in r.get_json()["error"]["message"]
    # the word inside a string or an IRI is no federated query
    q = 'SELECT ("SERVICE" AS ?x) WHERE { OPTIONAL { <urn:SERVICE> ?p ?o } }'
    assert client.get("/sparql", query_string={"query": q}).status_code == 200


def test_default_graph_is_the_union_and_dataset_parameters_narrow_it(
    client: FlaskClient,
) -> None:
    q = "SELECT (COUNT(*) AS ?n) WHERE { <https://w3id.org/rarekg/id/disease/cn1-086> ?p ?o }"

    def count(**params: str | list[str]) -> int:
        r = client.get("/sparql", query_string={"query": q, **params})
        return int(r.get_json()["results"]["bindings"][0]["n"]["value"])

    union = count()
    lists_only = count(**{"default-graph-uri": "https://w3id.org/rarekg/graph/china-lists"})
    assert 0 < lists_only < union
    both = count(
        **{
            "default-graph-uri": [
                "https://w3id.org/rarekg/graph/china-lists",
                "https://w3id.org/rarekg/graph/china-list-aliases",
            ]
        }
    )
    assert lists_only < both <= union


def test_unacceptable_format_is_406(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": SELECT_LIST}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert json.loads(r.get_data())["error"]["type"] == "not-acceptable"


def test_form_runs_a_query_and_escapes_values(client: FlaskClient) -> None:
    r = client.get("/", query_string={"query": SELECT_LIST})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "脊髓性肌萎缩症" in page and "2 row(s)" in page
    evil = 'SELECT ?x WHERE { BIND ("<script>alert(1)</script>" AS ?x) }'
    page = client.get("/", query_string={"query": evil}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_form_shows_errors_inline_and_keeps_the_query(client: FlaskClient) -> None:
    page = client.get("/", query_string={"query": "SELECT nonsense"}).get_data(as_text=True)
    assert 'role="alert"' in page and "SELECT nonsense" in page


def test_form_lists_the_example_questions(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "no patient organization known to this graph" in page
