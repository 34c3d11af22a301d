"""The gap dashboard on the default graph: its numbers are the row counts of the queries they link
to, they agree with the example catalogue, and data that is not loaded says so."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from flask.testing import FlaskClient
from pyoxigraph import Literal, NamedNode, Quad, Store

from kg.build.pipeline import BuildReport, Source, build_graph
from kg.describe import SourceInfo
from kg.store.embedded import data_dir
from kg.store.union import union_dataset
from service.app import create_app

HTML = {"Accept": "text/html"}
RK = "https://w3id.org/rarekg/vocab#"
Q1 = Path(__file__).resolve().parents[1] / "ontology" / "examples" / \
    "q01-diseases-without-patient-organization.ttl"


def rows(client: FlaskClient, href: str) -> int:
    query = parse_qs(urlparse(href).query)["query"][0]
    response = client.post("/", data={"query": query}, headers={"Accept": "application/json"})
    data = response.get_json()
    assert data["kind"] == "select", data
    return int(data["total"])


def table(html: str) -> dict[str, list[str]]:
    """Row header (English list name) -> the cells of the numbers table."""
    body = html.split('class="data gaps"', 1)[1].split("</table>", 1)[0]
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S):
        name = re.sub(r"<[^>]+>", " ", re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1))
        out[" ".join(name.split())] = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return out


def test_dashboard_has_charts_and_a_table_for_both_lists(client: FlaskClient) -> None:
    response = client.get("/gaps", headers=HTML)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('<svg viewBox=') == 2 and html.count('role="img"') >= 2
    zh = client.get("/gaps?lang=zh", headers=HTML).get_data(as_text=True)
    assert "第一批罕见病目录" in zh and "第二批罕见病目录" in zh  # the charts' captions
    assert "第一批" in table(zh)  # compact row labels
    cells = table(html)
    first = next(v for k, v in cells.items() if "List 1" in k)
    second = next(v for k, v in cells.items() if "List 2" in k)
    assert ">121</a>" in first[0] and ">86</a>" in second[0]


def test_every_number_is_the_row_count_of_its_query(client: FlaskClient) -> None:
    html = client.get("/gaps", headers=HTML).get_data(as_text=True)
    body = html.split('class="data gaps"', 1)[1]
    links = re.findall(r'<a href="(/\?query=[^"]+)"[^>]*>(\d+)(?: without)?</a>', body)
    assert len(links) >= 2 * (1 + 2 * 4)  # totals, and with/without for four loaded measures
    for href, number in links:
        assert rows(client, unescape(href)) == int(number)


def test_with_and_without_add_up_and_agree_with_question_1(client: FlaskClient) -> None:
    html = client.get("/gaps", headers=HTML).get_data(as_text=True)
    for name, cells in table(html).items():
        total = int(re.search(r">(\d+)</a>", cells[0]).group(1))
        org = cells[1]
        have = int(re.search(r">(\d+)</a>", org).group(1))
        lack = int(re.search(r">(\d+) without</a>", org).group(1))
        assert have + lack == total, name
    # question 1 of the catalogue lists the diseases lacking a patient organization
    text = Q1.read_text(encoding="utf-8")
    query = text.split('sh:select """', 1)[1].rsplit('"""', 1)[0]
    data = client.post("/", data={"query": query},
                       headers={"Accept": "application/json"}).get_json()
    lacking = {}
    for row in data["rows"]:
        lst = row[1]["text"].rsplit("/", 1)[-1]
        lacking[lst] = lacking.get(lst, 0) + 1
    cells = table(html)
    first = next(v for k, v in cells.items() if "List 1" in k)
    assert int(re.search(r">(\d+) without</a>", first[1]).group(1)) == lacking["cn1"]


def test_organization_coverage_is_stated(client: FlaskClient, built: BuildReport) -> None:
    html = client.get("/gaps", headers=HTML).get_data(as_text=True)
    store = Store.read_only(str(data_dir(built.store_dir)))
    answer = store.query("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a "
                         f"<{RK}PatientOrganization> }}",
                         **union_dataset(store))
    n = next(iter(answer))["n"].value  # type: ignore[index,union-attr]
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert f"Patient organizations known to this graph: {n}, from" in text
    assert re.search(r"from \d+ source documents?, as of \d{4}-\d{2}-\d{2}", text)


def test_the_graphs_of_organizations_are_named_in_the_page_language(client: FlaskClient) -> None:
    """The graphs' titles come from the VoID description, which has them in English and Chinese."""
    def graphs(lang: str) -> list[str]:
        html = client.get(f"/gaps?lang={lang}", headers=HTML).get_data(as_text=True)
        return [unescape(t) for t in re.findall(r'<li><a href="/graph/[^"]+">([^<]+)</a>', html)]

    en, zh = graphs("en"), graphs("zh")
    assert "Patient organizations from public sources" in en
    assert "Organizations, policies and statistics of the seed documents" in en
    assert "公开来源中的患者组织" in zh
    assert "种子文献中的组织、政策与统计数据" in zh
    assert len(en) == len(zh)
    assert not any(re.search(r"[A-Za-z]{4}", t) for t in zh), zh


def test_reimbursement_reads_not_loaded_unless_the_void_has_it(client: FlaskClient,
                                                               built: BuildReport) -> None:
    store = Store.read_only(str(data_dir(built.store_dir)))
    loaded = store.query(
        "ASK { GRAPH <https://w3id.org/rarekg/graph/void> { ?g "
        "<http://rdfs.org/ns/void#classPartition>/<http://rdfs.org/ns/void#class> "
        f"<{RK}ReimbursementStatus> }} }}")
    html = client.get("/gaps", headers=HTML).get_data(as_text=True)
    reimbursement = [cells[5] for cells in table(html).values()]
    if bool(loaded):
        assert all("without</a>" in c for c in reimbursement)
    else:
        assert all("not loaded" in c for c in reimbursement)
        assert "Not loaded in this build" in html


def test_a_graph_without_drugs_or_trials_says_not_loaded(tmp_path: Path) -> None:
    graph = NamedNode("https://w3id.org/rarekg/graph/tiny")
    lst = NamedNode("https://w3id.org/rarekg/id/list/cn1")
    entry = NamedNode("https://w3id.org/rarekg/id/list-entry/cn1-001")
    disease = NamedNode("https://w3id.org/rarekg/id/disease/cn1-001")
    quads = [
        Quad(lst, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
             NamedNode(RK + "RareDiseaseList"), graph),
        Quad(entry, NamedNode(RK + "inList"), lst, graph),
        Quad(entry, NamedNode(RK + "entryNumber"), Literal(1), graph),
        Quad(entry, NamedNode(RK + "entryOf"), disease, graph),
        Quad(entry, NamedNode(RK + "printedName"), Literal("甲病", language="zh"), graph),
        Quad(entry, NamedNode(RK + "printedName"), Literal("Disease A", language="en"), graph),
    ]
    store_dir = tmp_path / "store"
    build_graph(store_dir, [Source(SourceInfo("tiny", "tiny"), lambda: iter(quads))],
                validate=False)
    app = create_app({"store": str(store_dir), "executors": 1})
    try:
        html = app.test_client().get("/gaps", headers=HTML).get_data(as_text=True)
    finally:
        app.extensions["rarekg_pool"].close()
    cells = table(html)
    assert len(cells) == 1
    (row,) = cells.values()
    assert ">1</a>" in row[0]
    assert all("not loaded" in c for c in row[1:])
    assert html.count(">no such data in this build</text>") == 6
