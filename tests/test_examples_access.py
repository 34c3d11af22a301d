"""Catalogue questions on access: q19 (reimbursement of drugs for listed diseases), q21 (one drug
across jurisdictions) and the reimbursement and EU columns of q02, against the default graph and,
for q19's query itself, a small graph made of the NRDL loader's output and one disease link."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from pyoxigraph import Literal, NamedNode, Quad, Store

from kg import iri
from kg.drugs import DrugIdentity
from kg.paths import DATA_DIR, ONTOLOGY_DIR
from kg.store import embedded as stores
from kg.store.query import run_query
from kg.store.union import union_dataset
from kg.vocab import RDF, RK
from loaders import nrdl, rdffiles
from tests.examples import example_query, run_example
from tests.upstream import PREFIXES, UPSTREAM

ID = iri.ID_BASE
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
ELIGLUSTAT = (
    "限经CYP2D6基因型检测为弱代谢型(PMs)、中间代谢型(IMs)或快代谢型(EMs)的Ⅰ型戈谢病(GD1)成年患者。"
)
NEEDS_LINKS = (
    "needs the linking phase of the build (graph disease-links), which links NRDL and EPAR "
    "indication texts to listed diseases; the loaders do not link inline"
)


def _linked(store_dir: Path, cls: str) -> bool:
    store = stores.open_read_only(store_dir)
    return bool(
        store.query(
            PREFIXES + f"ASK {{ ?s a rk:{cls} ; rk:forIndication ?d }}",
            **union_dataset(store),
        )
    )


def test_question_21_gives_one_drug_with_its_decisions_in_three_jurisdictions(
    store_dir: Path,
) -> None:
    rows = run_example(store_dir, "q21")
    nusinersen = [r for r in rows if r["drug"] == f"{ID}drug/nusinersen"]
    assert {(r["name_zh"], r["inn"]) for r in nusinersen} == {("诺西那生钠", "Nusinersen")}
    decisions = {(r["jurisdiction"], r["status_type"], r.get("date")) for r in nusinersen}
    assert {
        ("US", "marketing-approval", "2016-12-23"),
        ("EU", "marketing-approval", "2017-05-30"),
        ("CN", "reimbursement", "2025-12-07"),
        ("CN", "vat-relief-listing", None),
    } <= decisions
    # every decision keeps its own source
    sources = {r["source"].rsplit("/", 1)[-1] for r in nusinersen}
    assert {"fda-oopd-orphan-approvals-2022", "ema-epar-2023-06", "nhsa-nrdl-2025"} <= sources
    eliglustat = {
        (r["jurisdiction"], r["status_type"], r.get("date"), r["name_zh"])
        for r in rows
        if r["drug"] == f"{ID}drug/eliglustat"
    }
    assert ("CN", "reimbursement", "2025-12-07", "酒石酸艾格司他胶囊") in eliglustat
    assert ("US", "marketing-approval", "2014-08-19", "酒石酸艾格司他胶囊") in eliglustat
    # only drugs with a decision in China and one in the US or the EU
    assert all(
        {"CN"} < {r["jurisdiction"] for r in rows if r["drug"] == drug}
        for drug in {r["drug"] for r in rows}
    )


def test_question_2_has_reimbursement_and_eu_columns(store_dir: Path) -> None:
    rows = {r["disease"]: r for r in run_example(store_dir, "q02")}
    assert len(rows) == 207
    for row in rows.values():
        assert int(row["drugs_reimbursed_china"]) >= 0 and int(row["drugs_authorised_eu"]) >= 0
    if not _linked(store_dir, "ReimbursementStatus"):
        pytest.skip(NEEDS_LINKS)
    sma = rows[f"{ID}disease/cn1-110"]
    assert int(sma["drugs_reimbursed_china"]) >= 2  # nusinersen, risdiplam
    assert int(sma["drugs_authorised_eu"]) >= 2  # Spinraza, Evrysdi
    assert int(rows[f"{ID}disease/cn1-031"]["drugs_reimbursed_china"]) >= 1  # Gaucher: eliglustat


def test_question_19_in_the_default_graph(store_dir: Path) -> None:
    if not _linked(store_dir, "ReimbursementStatus"):
        pytest.skip(NEEDS_LINKS)
    rows = run_example(store_dir, "q19")
    gaucher = {
        (r["drug_name_zh"], r["category"], r.get("restriction"))
        for r in rows
        if r["disease"] == f"{ID}disease/cn1-031"
    }
    assert ("酒石酸艾格司他胶囊", "谈判药品", ELIGLUSTAT) in gaucher
    sma = {(r["drug_name_zh"], r.get("restriction")) for r in rows if r["entry"] == "110"}
    assert ("诺西那生钠注射液", "限5q脊髓性肌萎缩症。") in sma


def test_question_19_reads_the_listing_of_a_linked_reimbursement_status() -> None:
    """q19 on the NRDL loader's output for the fixture rows, the concept schemes, list entry 1/31
    and one link of the contract (``status rk:forIndication disease``)."""
    store = Store()
    store.extend(
        list(
            nrdl.load(
                UPSTREAM / "nrdl.json",
                source=iri.source("nhsa-nrdl-2025"),
                identity=DrugIdentity.read(DATA_DIR / "drugs" / "drug_identity.csv"),
            )
        )
    )
    store.extend(
        list(rdffiles.load([ONTOLOGY_DIR / "schemes.ttl"], rdffiles.ONTOLOGY_GRAPH))
    )
    gaucher, entry = iri.disease(1, 31), iri.list_entry(1, 31)
    status = next(
        q.subject
        for q in store.quads_for_pattern(None, RK.listNumber, Literal("38"), None)
    )
    store.extend(
        [
            Quad(entry, RDF.type, RK.ListEntry),
            Quad(entry, RK.inList, iri.national_list(1)),
            Quad(entry, RK.entryNumber, Literal("31", datatype=XSD_INTEGER)),
            Quad(entry, RK.entryOf, gaucher),
            Quad(entry, RK.printedName, Literal("戈谢病", language="zh")),
            Quad(status, RK.forIndication, gaucher),  # type: ignore[arg-type]
        ]
    )
    data = json.loads(
        run_query(store, example_query("q19")).serialize("application/sparql-results+json")
    )
    rows = [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]
    assert rows == [
        {
            "disease": gaucher.value,
            "list": iri.national_list(1).value,
            "entry": "31",
            "disease_name": "戈谢病",
            "drug": f"{ID}drug/eliglustat",
            "drug_name_zh": "酒石酸艾格司他胶囊",
            "category": "谈判药品",
            "restriction": ELIGLUSTAT,
            "list_number": "38",
            "class": "乙",
            "payment_standard": "381.00元(84mg/粒(按C23H36N2O4计))",
            "valid_from": "2026-01-01",
            "valid_through": "2027-12-31",
            "document": "医保发〔2025〕33号",
            "status": status.value,
        }
    ]


def test_gaps_page_shows_reimbursement_and_eu_columns_with_coverage_notes(
    client: FlaskClient,
) -> None:
    html = client.get("/gaps", headers={"Accept": "text/html"}).get_data(as_text=True)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    assert "Reimbursement in China" in text and "EU marketing authorisation" in text
    zh = client.get("/gaps?lang=zh", headers={"Accept": "text/html"}).get_data(as_text=True)
    # the Chinese page names the columns in Chinese
    assert "医保报销" in zh and "欧盟上市许可" in zh
    # each column says which source, as of when, and what it does not cover
    assert "Drug List 2025 (医保发〔2025〕33号, in force from 2026-01-01)" in text
    assert "Chinese patent medicines (中成药)" in text and "are not loaded" in text
    assert "EPAR) table exported 2023-06-12/13" in text
    assert "trials come from one sample" in text
