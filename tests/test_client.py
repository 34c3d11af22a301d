"""The notebook client (``kg.client``) against a real server, and the README's example run as it is
printed."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest
import rdflib
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.client import Client, frame
from kg.paths import ROOT
from tests.conftest import Server

ID = "https://w3id.org/rarekg/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
README_ENDPOINT = "http://127.0.0.1:8000/sparql"


def readme_example() -> str:
    """The Python block of the README's "Notebook client" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Notebook client\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1, "the section has one Python example"
    return str(blocks[0])


@pytest.mark.server
def test_readme_example_runs_against_a_real_server(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    code = readme_example()
    assert README_ENDPOINT in code
    namespace: dict[str, Any] = {}
    exec(
        compile(code.replace(README_ENDPOINT, server.url + "/sparql"), "README.md", "exec"),
        namespace,
    )
    gaps = namespace["gaps"]
    assert isinstance(gaps, pd.DataFrame)
    assert {"disease", "list", "entry", "name_zh", "name_en"} <= set(gaps.columns)
    assert gaps["entry"].dtype == "Int64"
    row = gaps.loc[gaps["disease"] == f"{ID}disease/cn1-001"].iloc[0]
    assert row["name_zh"] == "21-羟化酶缺乏症"
    assert row["entry"] == 1
    assert row["list"] == f"{ID}list/cn1"
    assert set(gaps["name_zh@lang"]) == {"zh"} and set(gaps["name_en@lang"]) == {"en"}
    assert f"{ID}disease/cn1-110" not in set(gaps["disease"])  # SMA has organizations

    sizes = namespace["sizes"]
    assert sizes["size"].dtype == "Int64" and sizes["list"].dtype == "string"
    assert dict(zip(sizes["list"], sizes["size"], strict=True)) == {
        f"{ID}list/cn1": 121,
        f"{ID}list/cn2": 86,
    }
    graph = namespace["graph"]
    assert isinstance(graph, rdflib.Graph)
    assert (
        rdflib.URIRef(f"{ID}disease/cn1-086"),
        rdflib.SKOS.prefLabel,
        rdflib.Literal("成骨不全症\uff08脆骨病\uff09", lang="zh"),
    ) in graph  # full-width ( )
    printed = capsys.readouterr().out
    assert "21-羟化酶缺乏症" in printed and "Int64" in printed and "skos:prefLabel" in printed


@pytest.mark.server
def test_catalogue_names_prefixes_dates_and_ask(server: Server) -> None:
    client = Client(server.url + "/sparql")
    catalogue = client.examples()
    assert "q01-diseases-without-patient-organization" in catalogue
    assert catalogue["q01-diseases-without-patient-organization"].form == "select"
    with pytest.raises(KeyError, match="names"):
        client.example("q1")  # q10, q12, q13, q14
    with pytest.raises(KeyError, match="no question"):
        client.example("nothing")
    policies = client.example("q10")
    assert isinstance(policies, pd.DataFrame)
    notice = policies.loc[policies["policy"] == f"{ID}policy/nhc-2018-10-notice"].iloc[0]
    assert notice["document_no"] == "国卫医发\u30142018\u301510号"
    dates = client.select(
        "SELECT ?date WHERE { <https://w3id.org/rarekg/id/policy/"
        "nhc-2018-10-notice> <http://purl.org/dc/terms/date> ?date }"
    )
    assert str(dates["date"].dtype).startswith("datetime64")
    assert dates["date"].tolist() == [pd.Timestamp("2018-05-11")]
    assert client.ask("ASK { ?e a <https://w3id.org/rarekg/vocab#ListEntry> }") is True
    with pytest.raises(ValueError, match="not a SELECT"):
        client.select("ASK {}")
    with pytest.raises(QueryBadFormed):
        client.select("SELECT * WHERE { ?s ?p }")


@pytest.mark.server
def test_long_queries_go_by_post(server: Server) -> None:
    client = Client(server.url + "/sparql")
    padding = "#" + "x" * 3000 + "\n"
    df = client.select(
        padding + "SELECT (COUNT(*) AS ?n) (1.5 AS ?x) WHERE { "
        "?e a <https://w3id.org/rarekg/vocab#ListEntry> }"
    )
    assert df["n"].tolist() == [207]
    assert df["x"].dtype == "float64" and df["x"].tolist() == [1.5]


def test_frame_types_missing_values_and_mixed_columns() -> None:
    results = {
        "head": {"vars": ["n", "when", "flag", "label", "mixed", "node"]},
        "results": {
            "bindings": [
                {
                    "n": {"type": "literal", "datatype": XSD + "integer", "value": "3"},
                    "when": {"type": "literal", "datatype": XSD + "date", "value": "2023-09-18"},
                    "flag": {"type": "literal", "datatype": XSD + "boolean", "value": "true"},
                    "label": {"type": "literal", "xml:lang": "en", "value": "Albinism"},
                    "mixed": {"type": "literal", "datatype": XSD + "integer", "value": "1"},
                    "node": {"type": "bnode", "value": "b0"},
                },
                {
                    "label": {"type": "literal", "value": "no tag"},
                    "mixed": {"type": "uri", "value": "urn:x"},
                },
            ]
        },
    }
    df = frame(results)
    assert list(df.columns) == ["n", "when", "flag", "label", "label@lang", "mixed", "node"]
    assert df["n"].dtype == "Int64" and df["n"].isna().tolist() == [False, True]
    assert df["when"].iloc[0] == pd.Timestamp("2023-09-18") and pd.isna(df["when"].iloc[1])
    assert df["flag"].dtype == "boolean"
    assert df["label@lang"].tolist()[0] == "en" and pd.isna(df["label@lang"].iloc[1])
    assert df["mixed"].dtype == "string" and df["mixed"].tolist() == ["1", "urn:x"]
    assert df["node"].iloc[0] == "_:b0"
    empty = frame({"head": {"vars": ["x"]}, "results": {"bindings": []}})
    assert list(empty.columns) == ["x"] and len(empty) == 0
