"""The web pages on the default graph, through the Flask test client: the query form (server-side,
without JavaScript), resource pages and their content negotiation, and the escaping of data."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import quote, urlencode

import pytest
from flask.testing import FlaskClient
from pyoxigraph import RdfFormat, parse

OI = "https://w3id.org/rarekg/id/disease/cn1-086"
OI_ZH = "成骨不全症\uff08脆骨病\uff09"  # as the First List prints it
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
Q1 = "q01-diseases-without-patient-organization"


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def form_query(client: FlaskClient, query: str, **params: str) -> str:
    response = client.get("/?" + urlencode({"query": query, **params}), headers=HTML)
    assert response.status_code in (200, 400), response.data[:500]
    return response.get_data(as_text=True)


# --- the query form ---------------------------------------------------------------------------


def test_form_lists_the_examples_of_the_catalogue_in_english_and_chinese(
        client: FlaskClient) -> None:
    html = client.get("/", headers=HTML).get_data(as_text=True)
    assert f'id="example-{Q1}"' in html
    assert "Listed diseases with no patient organization known to this graph" in html
    assert "患者组织" in html  # a keyword
    # the Chinese page titles the examples in Chinese
    zh = client.get("/?lang=zh", headers=HTML).get_data(as_text=True)
    assert "没有已知患者组织的目录罕见病" in zh
    # each example is a link that opens the form with its query and runs it (works without JS)
    link = re.search(rf'id="example-{Q1}".*?href="(/\?query=[^"]+)"', html, re.S)
    assert link is not None
    page = client.get(unescape(link.group(1)), headers=HTML).get_data(as_text=True)
    assert 'class="result-table"' in page
    assert "/id/disease/cn2-" in page or "/id/disease/cn1-" in page


def test_form_renders_a_result_table_server_side_with_links_and_labels(client: FlaskClient) -> None:
    html = form_query(client, "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                      f"SELECT ?d WHERE {{ VALUES ?d {{ <{OI}> }} }}")
    assert '<a class="iri" href="/id/disease/cn1-086">rkid:disease/cn1-086</a>' in html
    assert OI_ZH in html  # the label beside the IRI
    assert "Osteogenesis Imperfecta (Brittle Bone Disease)" in html
    assert "<strong>1 row(s)</strong> ·" in html
    assert re.search(r'<span class="time">(\d+|&lt; 1) ms</span>', html)  # "< 1" from the cache
    # the downloads go through /sparql with the format parameter
    for fmt in ("csv", "tsv", "json"):
        assert f"format={fmt}" in html


def test_downloads_answer_in_their_format(client: FlaskClient) -> None:
    query = f"SELECT ?d WHERE {{ VALUES ?d {{ <{OI}> }} }}"
    html = form_query(client, query)
    hrefs = [unescape(h) for h in re.findall(r'href="(/sparql\?[^"]+)" download', html)]
    assert len(hrefs) == 4  # CSV, CSV for Excel, TSV, JSON
    types = {client.get(h).content_type.split(";")[0] for h in hrefs}
    assert types == {"text/csv", "text/tab-separated-values", "application/sparql-results+json"}
    csv = client.get(hrefs[0]).get_data(as_text=True)
    assert csv.splitlines() == ["d", OI]
    # the spreadsheet download starts with a byte-order mark, the plain one does not
    assert "bom=1" in hrefs[1]
    assert client.get(hrefs[1]).data.startswith("\ufeff".encode())
    assert not client.get(hrefs[0]).data.startswith("\ufeff".encode())


def test_form_pages_and_sorts_without_javascript(client: FlaskClient) -> None:
    query = ("PREFIX rk: <https://w3id.org/rarekg/vocab#> SELECT ?entry WHERE { "
             "?e rk:inList <https://w3id.org/rarekg/id/list/cn1> ; rk:entryNumber ?entry }")
    first = form_query(client, query, sort="entry")
    assert "<strong>121 row(s)</strong>" in first
    assert "Page 1 of 3" in first
    numbers = [int(n) for n in re.findall(r'<span class="lit">(\d+)</span>', first)]
    assert numbers == list(range(1, 51))
    last = form_query(client, query, sort="entry", desc="1", page="3")
    numbers = [int(n) for n in re.findall(r'<span class="lit">(\d+)</span>', last)]
    assert numbers == list(range(21, 0, -1))
    assert 'aria-sort="descending"' in last


def test_form_answers_json_for_the_browser_script(client: FlaskClient) -> None:
    response = client.post("/", data={"query": f"SELECT ?d WHERE {{ VALUES ?d {{ <{OI}> }} }}"},
                           headers={"Accept": "application/json"})
    data = response.get_json()
    assert data["kind"] == "select" and data["total"] == 1 and data["variables"] == ["d"]
    cell = data["rows"][0][0]
    assert cell["href"] == "/id/disease/cn1-086"
    assert cell["zh"] == OI_ZH
    assert isinstance(data["elapsed_ms"], int)


def test_syntax_error_is_shown_inline_with_the_query_kept(client: FlaskClient) -> None:
    broken = "SELECT ?x WHERE { ?x ?p }"
    response = client.get("/?" + urlencode({"query": broken}), headers=HTML)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'role="alert"' in html and "The query does not parse (line 1, column" in html
    textarea = re.search(r'<textarea id="query"[^>]*>(.*?)</textarea>', html, re.S)
    assert textarea is not None and unescape(textarea.group(1)) == broken


def test_ask_and_construct_results_are_shown(client: FlaskClient) -> None:
    assert "Answer: <strong>yes</strong>" in form_query(client, f"ASK {{ <{OI}> ?p ?o }}")
    html = form_query(client, f"CONSTRUCT {{ <{OI}> ?p ?o }} WHERE {{ <{OI}> ?p ?o }} LIMIT 3")
    assert '<pre class="graph">' in html and "3 triple(s)" in html


def test_markup_in_a_literal_is_shown_as_text(client: FlaskClient) -> None:
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    html = form_query(client, "SELECT ?x WHERE { BIND (" + json.dumps(evil) + " AS ?x) }")
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the data for the browser script cannot close its <script> element
    data = re.search(r'<script type="application/json" id="result-data">(.*?)</script>', html, re.S)
    assert data is not None and "<" not in data.group(1)
    assert json.loads(data.group(1))["rows"][0][0]["text"] == evil


def test_pages_forbid_inline_scripts(client: FlaskClient) -> None:
    response = client.get("/", headers=HTML)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # the editor's stylesheet is allowed by a nonce given to this response only
    nonce = re.search(r"style-src 'self' 'nonce-([\w-]+)'", csp).group(1)
    assert f'<meta name="csp-style-nonce" content="{nonce}">' in response.get_data(as_text=True)
    again = client.get("/", headers=HTML).headers["Content-Security-Policy"]
    assert nonce not in again


def test_static_assets_are_our_own_and_local(client: FlaskClient) -> None:
    html = client.get("/", headers=HTML).get_data(as_text=True)
    for src in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html):
        assert src.startswith("/"), src
        with client.get(src) as response:
            assert response.status_code == 200
            # no address to load anything from: only the SVG namespace, which names, not loads
            data = response.data.replace(b"http://www.w3.org/2000/svg", b"")
            assert b"http://" not in data and b"https://" not in data, src


# --- resource pages ---------------------------------------------------------------------------


def test_disease_page_shows_names_types_facts_and_the_source_notice(client: FlaskClient) -> None:
    response = client.get("/id/disease/cn1-086", headers=HTML)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"<h1><span lang=\"zh-Hans\">{OI_ZH}</span>" in html
    assert "Osteogenesis Imperfecta (Brittle Bone Disease)" in html
    assert "瓷娃娃" in html  # a folk name, with the other names
    assert "rare disease" in html  # its type, by the ontology's label
    # the source notice of the First List, with its date
    assert "关于公布第一批罕见病目录的通知" in text_of(html)
    assert "2018-05-11" in html
    assert 'href="/graph/china-lists"' in html


def test_page_shows_the_quote_and_source_of_facts_curated_from_prose(client: FlaskClient) -> None:
    html = client.get("/id/disease/cn1-086", headers=HTML).get_data(as_text=True)
    # organizations that serve the disease link here, each with the sentence that says so
    linked = html.split('id="incoming-heading"', 1)[1]
    assert "/id/org/china-dolls-rare-disease-care-fund" in linked
    assert "“瓷娃娃是对“成骨不全症”患者的通俗叫法" in linked
    assert 'class="evidence"' in linked and "evidence record" in linked


def test_organization_page_shows_evidence_of_its_own_statements(client: FlaskClient) -> None:
    html = client.get("/id/org/foich-chile", headers=HTML).get_data(as_text=True)
    facts = text_of(html)
    assert "Our main objective is to generate actions for the social inclusion of people with OI" \
        in facts
    assert "/id/disease/cn1-086" in html


@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", RdfFormat.TURTLE),
    ("application/n-triples", RdfFormat.N_TRIPLES),
    ("application/ld+json", RdfFormat.JSON_LD),
    ("application/rdf+xml", RdfFormat.RDF_XML),
])
def test_resource_in_rdf_by_content_negotiation(client: FlaskClient, accept: str,
                                                fmt: RdfFormat) -> None:
    response = client.get("/id/disease/cn1-086", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.content_type.split(";")[0] == accept
    assert "Accept" in response.headers["Vary"]
    triples = list(parse(response.data, format=fmt))
    labels = {t.object.value for t in triples if t.subject.value == OI
              and t.predicate.value.endswith("prefLabel")}
    assert OI_ZH in labels
    # the links to it come too
    assert any(t.object.value == OI and t.subject.value.endswith("/list-entry/cn1-086")
               for t in triples)


def test_format_parameter_and_browser_accept(client: FlaskClient) -> None:
    assert client.get("/id/disease/cn1-086?format=ttl").content_type.startswith("text/turtle")
    assert client.get("/id/disease/cn1-086", headers=HTML).content_type.startswith("text/html")
    assert client.get("/id/disease/cn1-086",
                      headers={"Accept": "image/png"}).status_code == 406


def test_unknown_minted_iri_is_404(client: FlaskClient) -> None:
    assert client.get("/id/disease/cn9-999", headers=HTML).status_code == 404
    assert client.get("/id/disease/cn9-999", headers={"Accept": "text/turtle"}).status_code == 404


def test_page_shows_any_iri(client: FlaskClient) -> None:
    orpha = "http://www.orpha.net/ORDO/Orphanet_666"
    response = client.get("/page?iri=" + quote(orpha, safe=""), headers=HTML)
    assert response.status_code == 200
    assert "/id/disease/cn1-086" in response.get_data(as_text=True)  # linked from the disease
    minted = client.get("/page?iri=" + quote(OI, safe=""), headers=HTML)
    assert OI_ZH in minted.get_data(as_text=True)
    assert client.get("/page?iri=" + quote("http://example.org/nothing", safe=""),
                      headers=HTML).status_code == 404
    assert client.get("/page?iri=" + quote("not an iri>", safe=""),
                      headers=HTML).status_code == 400


def test_graph_and_vocabulary_pages(client: FlaskClient) -> None:
    html = client.get("/graph/china-lists", headers=HTML).get_data(as_text=True)
    assert "China&#39;s national rare disease lists" in html or \
        "China's national rare disease lists" in html
    vocab = client.get("/vocab", headers=HTML).get_data(as_text=True)
    assert 'id="servesDisease"' in vocab and "服务病种" in vocab
    turtle = client.get("/vocab", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and b"servesDisease" in turtle.data
    concept = client.get("/vocab/registration-status/registered", headers=HTML)
    assert concept.status_code in (200, 404)


def test_base_iri_setting_moves_the_pages(store_dir: object) -> None:
    from service.app import create_app

    app = create_app({"store": str(store_dir), "executors": 1,
                      "base_iri": "https://example.org/other/"})
    client = app.test_client()
    try:
        # the graph's IRIs are no longer under the base: the path is not one of them
        assert client.get("/id/disease/cn1-086", headers=HTML).status_code == 404
        html = client.get("/page?iri=" + quote(OI, safe=""), headers=HTML).get_data(as_text=True)
        assert "/page?iri=https%3A%2F%2Fw3id.org%2Frarekg%2Fid%2Flist%2Fcn1" in html
    finally:
        app.extensions["rarekg_pool"].close()
