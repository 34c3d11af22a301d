"""Search: the index written with each build (``kg/store/search.py``) and ``/search`` on the default
graph; the served build's index is the one used, and a store without an index still searches."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from pyoxigraph import Literal, NamedNode, Quad, Store

from kg.build.pipeline import BuildReport, Source, build_graph
from kg.describe import SourceInfo
from kg.store import search
from kg.store.embedded import data_dir
from kg.store.union import union_dataset
from service.app import create_app

ID = "https://w3id.org/rarekg/id/"
OI_ZH = "成骨不全症\uff08脆骨病\uff09"  # as the First List prints it
JSON = {"Accept": "application/json"}


def ids(client: FlaskClient, q: str) -> list[str]:
    response = client.get("/search", query_string={"q": q}, headers=JSON)
    assert response.status_code == 200
    return [hit["iri"].removeprefix(ID) for hit in response.get_json()["results"]]


@pytest.mark.parametrize(("q", "first"), [
    ("瓷娃娃", "disease/cn1-086"),  # folk name
    ("渐冻症", "disease/cn1-004"),  # folk name of ALS
    ("ORPHA:63", "disease/cn1-003"),  # Alport syndrome by its ORPHA code
    ("orpha 324", "disease/cn1-027"),  # Fabry disease
    ("1-86", "disease/cn1-086"),  # list and entry number
    ("第一批 86", "disease/cn1-086"),
    ("第二批第12号", "disease/cn2-012"),
    ("Osteogenesis imperfecta", "disease/cn1-086"),  # English synonym
    ("fabry", "disease/cn1-027"),  # by the start of an English name, any case
    ("法布雷", "disease/cn1-027"),  # by part of a Chinese name
    (OI_ZH, "disease/cn1-086"),  # the printed name, full-width brackets
])
def test_search_finds_a_disease_first(client: FlaskClient, q: str, first: str) -> None:
    assert ids(client, q)[0] == first


def test_folk_name_also_finds_the_organizations_named_after_it(client: FlaskClient) -> None:
    found = ids(client, "瓷娃娃")
    assert found[0] == "disease/cn1-086"
    assert "org/china-dolls-rare-disease-care-fund" in found
    assert "org/beijing-porcelain-doll-rare-disease-care-center" in found


def test_search_by_trial_number_and_organization_name(client: FlaskClient, built: BuildReport
                                                      ) -> None:
    store = Store.read_only(str(data_dir(built.store_dir)))
    trial = next(iter(store.query(
        "SELECT ?t ?id WHERE { ?t <https://w3id.org/rarekg/vocab#trialId> ?id } LIMIT 1",
        **union_dataset(store))))
    assert ids(client, trial["id"].value)[0] == trial["t"].value.removeprefix(ID)  # type: ignore[index,union-attr]
    assert "org/foich-chile" in ids(client, "FOICH")


def test_search_json_shape(client: FlaskClient) -> None:
    data = client.get("/search?q=%E7%93%B7%E5%A8%83%E5%A8%83", headers=JSON).get_json()
    hit = data["results"][0]
    assert hit["kind"] == "disease"
    assert hit["label_zh"] == OI_ZH
    assert hit["label_en"] == "Osteogenesis Imperfecta (Brittle Bone Disease)"
    assert hit["matched"] == "瓷娃娃"
    assert hit["href"] == "/id/disease/cn1-086"
    assert "First List 86" in hit["detail"] and "ORPHA:666" in hit["detail"]
    assert data["query"] == "瓷娃娃" and data["took_ms"] >= 0


def test_search_html_links_to_the_page(client: FlaskClient) -> None:
    html = client.get("/search?q=%E6%B8%90%E5%86%BB%E7%97%87",
                      headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<a href="/id/disease/cn1-004">' in html
    assert "肌萎缩侧索硬化" in html
    assert '<mark lang="zh">渐冻症</mark>' in html
    assert client.get("/search", headers={"Accept": "text/html"}).status_code == 200


def test_nothing_found_and_markup_in_the_query(client: FlaskClient) -> None:
    assert ids(client, "zzzz-no-such-name") == []
    html = client.get("/search", query_string={"q": "<script>alert(1)</script>"},
                      headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_the_build_writes_the_index_beside_the_store(built: BuildReport) -> None:
    path = data_dir(built.store_dir) / search.INDEX_FILE
    assert path.is_file()
    conn = search.open_index(path)
    try:
        entities = int(conn.execute("SELECT value FROM meta WHERE key = 'entities'").fetchone()[0])
        assert entities > 500
        kinds = {k for (k,) in conn.execute("SELECT DISTINCT kind FROM entities")}
        assert {"disease", "organization", "drug", "trial", "policy"} <= kinds
    finally:
        conn.close()


def test_search_is_fast_on_the_default_graph(built: BuildReport) -> None:
    conn = search.open_index(data_dir(built.store_dir) / search.INDEX_FILE)
    queries = ["瓷娃娃", "渐冻症", "ORPHA:324", "Fabry", "a", "脊髓性肌萎缩", "第一批 86",
               "osteogenesis", "SMA", "病"]
    try:
        started = time.perf_counter()
        for _ in range(10):
            for q in queries:
                search.search(conn, q)
        per_query = (time.perf_counter() - started) / (10 * len(queries))
    finally:
        conn.close()
    assert per_query < 0.05, f"{per_query * 1000:.1f} ms per search"


def test_codes_and_tokens() -> None:
    assert search.codes_of(search.normalize("ORPHA:324")) == ["orpha:324"]
    assert search.codes_of(search.normalize("NCT04089566")) == ["nct04089566"]
    assert search.codes_of(search.normalize("第二批 3")) == ["cn2-003"]
    assert search.codes_of(search.normalize("cn1-086")) == ["cn1-086"]
    assert search.codes_of(search.normalize("Second list, entry 7")) == ["cn2-007"]
    assert search.tokens("alport综合征") == ["alport", "综", "合", "征"]
    assert search.fts_query("alport 综合征") == '"alport"* "综 合 征"'


def _source(name: str, disease: str, label: str) -> Source:
    graph = NamedNode(f"https://w3id.org/rarekg/graph/{name}")
    node = NamedNode(ID + "disease/" + disease)
    quads = [
        Quad(node, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
             NamedNode("https://w3id.org/rarekg/vocab#RareDisease"), graph),
        Quad(node, NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
             Literal(label, language="zh"), graph),
    ]
    return Source(SourceInfo(name, f"test source {name}"), lambda: iter(quads))


def test_a_rebuilt_store_swaps_in_its_own_index(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    build_graph(store_dir, [_source("one", "t-1", "甲病")], validate=False)
    app = create_app({"store": str(store_dir), "executors": 1})
    client = app.test_client()
    try:
        assert ids(client, "甲病") == ["disease/t-1"]
        build_graph(store_dir, [_source("two", "t-2", "乙病")], validate=False)
        assert ids(client, "乙病") == ["disease/t-2"]
        assert ids(client, "甲病") == []
    finally:
        app.extensions["rarekg_pool"].close()


def test_a_store_without_index_is_indexed_through_the_query_executors(tmp_path: Path) -> None:
    store_dir = tmp_path / "plain"
    store = Store(str(store_dir))  # a bare Oxigraph directory, as a SPARQL Update leaves none
    store.bulk_extend(_source("plain", "t-3", "丙病").load())
    store.flush()
    del store
    assert not (store_dir / search.INDEX_FILE).exists()
    app = create_app({"store": str(store_dir), "executors": 1})
    try:
        assert ids(app.test_client(), "丙") == ["disease/t-3"]
    finally:
        app.extensions["rarekg_pool"].close()
