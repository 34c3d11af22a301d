"""Pages that summarize, forgiving search, known prefixes and downloads (the Flask test client on a
real store built from the default graph)."""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask
from flask.testing import FlaskClient
from pyoxigraph import RdfFormat, Store, parse

from kg.build.pipeline import BuildReport
from kg.store.embedded import data_dir

HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}
RESULTS = {"Accept": "application/sparql-results+json"}


# --- a disease at a glance ----------------------------------------------------------------------


def test_a_disease_page_opens_with_what_is_known_at_a_glance(client: FlaskClient) -> None:
    html = client.get("/id/disease/cn1-086", headers=HTML).get_data(as_text=True)
    glance = html.split('id="summary"', 1)[1].split("</section>", 1)[0]
    assert "entry 86" in glance
    orgs = re.search(r'id="count-organizations".*?<strong>(\d+)</strong>', glance, re.S)
    assert orgs is not None and int(orgs.group(1)) >= 2  # China-Dolls and others serve OI
    # each count opens the query that lists what it counts, and that query gives as many rows
    link = re.search(r'id="count-organizations"[^>]*><a href="([^"]+)"', glance)
    assert link is not None
    found = re.search(r"query=([^&\"]+)", link.group(1).replace("&amp;", "&"))
    assert found is not None
    query = found.group(1)
    from urllib.parse import unquote_plus
    rows = client.post("/", data={"query": unquote_plus(query)}, headers=JSON).get_json()
    assert len({r[0]["text"] for r in rows["rows"]}) == int(orgs.group(1))
    # the summary comes before the facts and the technical kinds come last
    assert html.index('id="summary"') < html.index('id="group-names"') < html.index(
        'id="types-heading"')


def test_a_drug_approved_in_china_without_a_stated_indication_is_not_hidden_behind_a_zero(
        client: FlaskClient) -> None:
    """Phenylketonuria has no drug approved in China for it known to this graph, but sapropterin,
    approved for it in the US and the EU, is on China's VAT relief list of 2019 as an approved
    drug, with no indication published: the page says so next to the zero, in both languages.
    Lymphangioleiomyomatosis's sirolimus is approved in China for another, stated, indication: no
    such line there."""
    def glance(path: str) -> str:
        html = client.get(path, headers=HTML).get_data(as_text=True)
        return html.split('id="summary"', 1)[1].split("</section>", 1)[0]

    pku = glance("/id/disease/cn1-090?lang=en")
    china = re.search(r'id="count-drugs-cn".*?<strong>(\d+)</strong>', pku, re.S)
    unstated = re.search(r'id="count-drugs-cn-unstated"[^>]*><a href="([^"]+)"><strong>(\d+)'
                         r'</strong> <span>([^<]+)</span>', pku)
    assert china is not None and china.group(1) == "0"
    assert unstated is not None and unstated.group(2) == "1"
    assert unstated.group(3) == ("Drugs approved for it in the US or EU, and in China for an "
                                 "indication not stated")
    from urllib.parse import unquote_plus
    query = unquote_plus(unstated.group(1).replace("&amp;", "&").split("query=", 1)[1])
    rows = client.post("/", data={"query": query}, headers=JSON).get_json()["rows"]
    assert {r[0]["text"] for r in rows} == {"https://w3id.org/rarekg/id/drug/sapropterin"}, rows
    assert "在中国获批但未写明适应症的药物" in glance("/id/disease/cn1-090?lang=zh")
    assert 'id="count-drugs-cn-unstated"' not in glance("/id/disease/cn1-064?lang=en")


def test_an_organization_page_offers_a_correction_with_the_record_filled_in(
        client: FlaskClient) -> None:
    html = client.get("/id/org/beijing-porcelain-doll-rare-disease-care-center", headers=HTML)
    link = re.search(r'id="suggest-correction" href="([^"]+)"', html.get_data(as_text=True))
    assert link is not None
    form = client.get(link.group(1).replace("&amp;", "&"), headers=HTML).get_data(as_text=True)
    assert 'value="correction" checked' in form
    assert "https://w3id.org/rarekg/id/org/beijing-porcelain-doll-rare-disease-care-center" in form
    assert re.search(r'id="name_zh" name="name_zh" value="[^"]*瓷娃娃[^"]*"', form)
    assert re.search(r'<input[^>]+value="CN1:86"[^>]*checked', form) or "CN1:86" in form


def test_contribute_is_in_the_navigation_and_vocab_is_a_table(client: FlaskClient) -> None:
    html = client.get("/vocab", headers=HTML).get_data(as_text=True)
    assert 'href="/contribute"' in html
    row = re.search(r'<tr id="servesDisease">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>",
                                                                       row.group(1), re.S)]
    assert (cells[0] == "rk:servesDisease" and "rk:PatientOrganization" in " ".join(cells)) or \
        "rk:" in cells[3]
    # RDF clients still get the ontology
    turtle = client.get("/vocab", headers={"Accept": "text/turtle"})
    assert turtle.content_type.startswith("text/turtle") and b"servesDisease" in turtle.data


# --- forgiving search ---------------------------------------------------------------------------


def _hits(client: FlaskClient, q: str) -> list[dict[str, str]]:
    results: list[dict[str, str]] = client.get("/search?" + urlencode({"q": q}),
                                                 headers=JSON).get_json()["results"]
    return results


def test_misspelt_and_british_names_find_the_disease(client: FlaskClient) -> None:
    fabry = _hits(client, "Fabri")
    assert fabry and fabry[0]["iri"].endswith("/disease/cn1-027"), fabry[:3]
    for spelling in ("haemophilia", "hemophilia", "Haemophilia"):
        found = [h["iri"] for h in _hits(client, spelling)]
        assert any(i.endswith("/disease/cn1-036") for i in found[:3]), (spelling, found[:3])


def test_suggestions_as_you_type(client: FlaskClient) -> None:
    data = client.get("/search/suggest?q=Fabr", headers=JSON).get_json()
    labels = [s["label"] for s in data["suggestions"]]
    assert any("Fabry" in label for label in labels), labels
    assert all(s["href"].startswith("/") for s in data["suggestions"])
    # the header box names the endpoint it asks, and works as a plain form without it
    html = client.get("/gaps", headers=HTML).get_data(as_text=True)
    assert 'data-suggest="/search/suggest"' in html and 'action="/search"' in html


# --- known prefixes -----------------------------------------------------------------------------


def test_known_prefixes_need_no_prefix_line(client: FlaskClient) -> None:
    query = ("SELECT ?n WHERE { <https://w3id.org/rarekg/id/disease/cn1-086> skos:prefLabel ?n "
             "FILTER (lang(?n) = 'zh') }")
    answer = client.get("/sparql?" + urlencode({"query": query}), headers=RESULTS)
    assert answer.status_code == 200, answer.data[:300]
    assert "成骨不全" in answer.get_json()["results"]["bindings"][0]["n"]["value"]
    # a query's own declaration wins
    own = client.get("/sparql?" + urlencode({"query": "PREFIX skos: <http://example.org/> "
                                                      "ASK { ?d skos:prefLabel ?n }"}),
                     headers=RESULTS)
    assert own.get_json()["boolean"] is False
    # the service description lists them (SHACL prefix declarations)
    sd = client.get("/sparql", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert ('"rk"' in sd and "https://w3id.org/rarekg/vocab#" in sd and "sh:declare" in sd) or \
        "http://www.w3.org/ns/shacl#declare" in sd


# --- downloads and content negotiation ----------------------------------------------------------


def test_the_build_writes_a_dump_of_the_whole_dataset(client: FlaskClient,
                                                      built: BuildReport) -> None:
    with client.get("/download/rarekg.nq.gz") as answer:
        assert answer.status_code == 200
        quads = list(parse(gzip.decompress(answer.data), format=RdfFormat.N_QUADS))
    store = Store.read_only(str(data_dir(built.store_dir)))
    from kg.store.union import UNION_GRAPH  # the hidden deduplicated union is not data of its own
    assert len(quads) == len(store) - len(list(store.quads_for_pattern(None, None, None,
                                                                      UNION_GRAPH)))
    page = client.get("/download", headers=HTML).get_data(as_text=True)
    assert 'href="/download/rarekg.nq.gz"' in page
    assert 'href="/download/graph/china-lists.nt.gz"' in page


def test_one_graph_downloads_as_ntriples_and_as_turtle_its_data(client: FlaskClient) -> None:
    answer = client.get("/download/graph/china-lists.nt.gz")
    triples = list(parse(gzip.decompress(answer.data), format=RdfFormat.N_TRIPLES))
    assert any("成骨不全" in t.object.value for t in triples)
    turtle = client.get("/graph/china-lists", headers={"Accept": "text/turtle"})
    data = list(parse(turtle.data, format=RdfFormat.TURTLE))
    assert len(data) == len(triples)  # the graph's data, not only its description


def test_the_dataset_as_nquads_and_trig_by_content_negotiation(client: FlaskClient) -> None:
    for media, fmt in (("application/n-quads", RdfFormat.N_QUADS),
                       ("application/trig", RdfFormat.TRIG)):
        answer = client.get("/rdf-graph-store", headers={"Accept": media})
        assert answer.status_code == 200 and answer.content_type.startswith(media)
        assert answer.headers["Content-Encoding"] == "gzip"
        quads = list(parse(io.BytesIO(gzip.decompress(answer.data)), format=fmt))
        assert any(q.graph_name.value.endswith("/graph/china-lists") for q in quads)


def test_void_announces_the_dumps_and_browsers_get_pages(client: FlaskClient) -> None:
    void = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    text = void.get_data(as_text=True)
    assert "dataDump" in text and "/download/rarekg.nq.gz" in text
    assert "/download/graph/china-lists.nt.gz" in text
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    assert client.get("/.well-known/void", headers=browser).status_code == 303
    opened = client.get("/sparql?" + urlencode({"query": "ASK {}"}), headers=browser)
    assert opened.status_code == 303 and opened.headers["Location"].startswith("/?query=")
    # programs still get results
    assert client.get("/sparql?query=ASK%20%7B%7D", headers=RESULTS).status_code == 200


def test_a_disease_pages_counts_are_question_2s_for_every_listed_disease(
        app: Flask, store_dir: Path) -> None:
    """What a page says at a glance and what the coverage table says must agree: the same drugs
    approved in China and the US, authorised in the EU (an authorisation since withdrawn does not
    count), reimbursed, the same organizations and trials, for each of the 207 entries."""
    from service.summary import summary
    from tests.examples import example_query, rows_of

    columns = {"organizations": "organizations", "drugs-cn": "drugs_china",
               "drugs-us": "fda_orphan_drugs", "drugs-eu": "drugs_authorised_eu",
               "reimbursed": "drugs_reimbursed_china", "trials": "trials"}
    rows = rows_of(store_dir, example_query("q02"))
    assert len(rows) == 207
    differences = []
    with app.test_request_context("/"):
        for row in rows:
            found = summary(row["disease"])["counts"]
            assert isinstance(found, list)
            counts = {c["id"]: int(str(c["n"])) for c in found}
            differences += [(row["disease"], count, counts[count], row[column])
                            for count, column in columns.items()
                            if counts[count] != int(row[column])]
    assert differences == []
    eu = [int(r["drugs_authorised_eu"]) for r in rows]
    assert sum(eu) > 100 and max(eu) >= 17  # not all zero: the comparison means something
