"""The catalogue questions that need the upstream sources (3, 4, 5, 7, 8, 11, 15, 16), run against
the default graph and checked for specific facts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, Quad, Store
from rdflib.namespace import RDFS, SH

from kg import iri
from kg.paths import EXAMPLES_DIR
from kg.store import embedded as stores
from kg.store.query import run_query
from kg.store.union import union_dataset
from kg.vocab import RDF, RK, SKOS
from tests.examples import example_query, rows_of, run_example
from tests.upstream import PREFIXES

ID = iri.ID_BASE
DT = "https://w3id.org/rarekg/vocab/decision-type/"
QUESTIONS = ("q03", "q04", "q05", "q07", "q08", "q11", "q15", "q16")


@pytest.mark.parametrize("number", QUESTIONS)
def test_each_question_is_a_bilingual_sparql_executable(number: str) -> None:
    path = next(EXAMPLES_DIR.glob(f"{number}-*.ttl"))
    graph = rdflib.Graph().parse(path, format="turtle")
    node = next(graph.subjects(rdflib.RDF.type, SH.SPARQLSelectExecutable))
    assert (node, rdflib.RDF.type, SH.SPARQLExecutable) in graph
    for prop in (RDFS.label, RDFS.comment):
        assert {v.language for v in graph.objects(node, prop)} == {"en", "zh"}, (path.name, prop)
    schema = rdflib.Namespace("http://schema.org/")
    assert list(graph.objects(node, schema.keywords))
    assert str(graph.value(node, schema.target)) == "https://w3id.org/rarekg/sparql"
    assert str(node).endswith(path.stem)


def _diseases(store_dir: Path, jurisdiction: str, kind: str) -> set[str]:
    """The listed diseases (or their parents) that a decision of ``kind`` in ``jurisdiction`` is
    for, by a query of its own (not the example's)."""
    store = stores.open_read_only(store_dir)
    rows = store.query(
        PREFIXES
        + f"""SELECT DISTINCT ?d WHERE {{
        ?s rk:jurisdiction "{jurisdiction}" ; rk:statusType <{DT}{kind}> ; rk:forIndication ?i .
        ?i skos:broader* ?d . ?d rk:hasListEntry ?e }}""",
        **union_dataset(store),
    )
    return {r[0].value for r in rows}  # type: ignore[index,union-attr]


def _reimbursed_in_china(store_dir: Path) -> set[str]:
    """The listed diseases (or their parents) an NRDL listing is for."""
    store = stores.open_read_only(store_dir)
    rows = store.query(
        PREFIXES
        + """SELECT DISTINCT ?d WHERE {
        ?s a rk:ReimbursementStatus ; rk:jurisdiction "CN" ; rk:forIndication ?i .
        ?i skos:broader* ?d . ?d rk:hasListEntry ?e }""",
        **union_dataset(store),
    )
    return {r[0].value for r in rows}  # type: ignore[index,union-attr]


def _eu_authorised(store_dir: Path) -> set[str]:
    """The listed diseases an EU marketing authorisation that is not withdrawn is for."""
    store = stores.open_read_only(store_dir)
    rows = store.query(
        PREFIXES
        + f"""SELECT DISTINCT ?d WHERE {{
        ?s rk:jurisdiction "EU" ; rk:statusType <{DT}marketing-approval> ; rk:forIndication ?i .
        FILTER NOT EXISTS {{ ?s rk:publishedStatus "Withdrawn"@en }}
        ?i skos:broader* ?d . ?d rk:hasListEntry ?e }}""",
        **union_dataset(store),
    )
    return {r[0].value for r in rows}  # type: ignore[index,union-attr]


def test_question_3_lists_fda_or_eu_decisions_only_without_a_chinese_approval(
    store_dir: Path,
) -> None:
    rows = run_example(store_dir, "q03")
    by_disease: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_disease.setdefault(row["disease"], []).append(row)
    us = _diseases(store_dir, "US", "marketing-approval")
    eu = _diseases(store_dir, "EU", "orphan-designation") | _eu_authorised(store_dir)
    china = _diseases(store_dir, "CN", "marketing-approval") | _reimbursed_in_china(store_dir)
    assert set(by_disease) == (us | eu) - china
    assert by_disease and china
    # spinal muscular atrophy: FDA approvals (nusinersen, risdiplam, ...) and approved in China
    sma = f"{ID}disease/cn1-110"
    assert sma in us and sma in china and sma not in by_disease
    # Lennox-Gastaut syndrome: no Chinese approval in the NMPA reference, but 氯巴占片 (clobazam)
    # is in the NRDL for it, and the NRDL lists only drugs approved in China: not an import gap
    lgs = f"{ID}disease/cn2-044"
    assert lgs in us and lgs not in _diseases(store_dir, "CN", "marketing-approval")
    assert lgs not in by_disease
    # cystinosis: cysteamine approved by the FDA and authorised in the EU, nothing in China
    cystinosis = {r["drug_name"]: r for r in by_disease[f"{ID}disease/cn2-021"]}
    assert any("cysteamine" in name.lower() for name in cystinosis)
    assert {r["jurisdiction"] for r in cystinosis.values()} == {"US", "EU"}
    # Kennedy disease: no FDA approval, EU orphan designations from the EMA sample
    kennedy = by_disease[f"{ID}disease/cn1-109"]
    assert {r["jurisdiction"] for r in kennedy} == {"EU"}
    assert sum(int(r["decisions"]) for r in kennedy) == 2
    assert (kennedy[0]["name_zh"], kennedy[0]["name_en"]) == (
        "脊髓延髓肌萎缩症（肯尼迪病）",
        "Spinal and Bulbar Muscular Atrophy (Kennedy Disease)",
    )
    assert all(int(r["drug_approvals_in_china"]) == 0 for r in cystinosis.values())


def test_question_3_says_when_the_same_drug_is_approved_in_china_for_something_else(
    store_dir: Path,
) -> None:
    """A row of the import gap whose drug is approved in China, for another indication or for one
    its record does not state, says so: phenylketonuria's sapropterin is on the VAT relief list
    of 2019 (盐酸沙丙蝶呤片, 已获准上市的剂型 片剂: approved in China, no indication published);
    lymphangioleiomyomatosis's sirolimus is approved in China for the facial angiofibroma of
    tuberous sclerosis (two approvals, each with its indication)."""
    rows = {(r["disease"], r["jurisdiction"], r["drug"]): r for r in run_example(store_dir, "q03")}
    pku = rows[(f"{ID}disease/cn1-090", "EU", f"{ID}drug/sapropterin")]
    assert (pku["drug_approvals_in_china"], pku["drug_approvals_in_china_without_indication"]) == (
        "1", "1")
    lam = rows[(f"{ID}disease/cn1-064", "US", f"{ID}drug/sirolimus")]
    assert (lam["drug_approvals_in_china"], lam["drug_approvals_in_china_without_indication"]) == (
        "2", "0")
    # every count is of approvals that question 3 itself does not link to the disease
    china = _diseases(store_dir, "CN", "marketing-approval")
    assert not {d for d, _, _ in rows} & china
    assert sum(int(r["drug_approvals_in_china"]) > 0 for r in rows.values()) >= 10


def test_question_2_counts_approval_in_china_as_question_3_does(store_dir: Path) -> None:
    """The coverage table (question 2, /gaps, the disease pages) and the import gap (question 3)
    agree on which listed diseases have a drug approved in China: an approval in the China
    reference, or a listing in the NRDL (which lists only drugs approved in China) whose
    restriction names the disease."""
    rows = {r["disease"]: r for r in run_example(store_dir, "q02")}
    china = _diseases(store_dir, "CN", "marketing-approval") | _reimbursed_in_china(store_dir)
    assert {d for d, r in rows.items() if int(r["drugs_china"]) > 0} == china & set(rows)
    # Lennox-Gastaut syndrome: clobazam (氯巴占片) is reimbursed for it, so approved in China,
    # though the China approvals reference does not name it
    lgs = rows[f"{ID}disease/cn2-044"]
    assert int(lgs["drugs_china"]) == 1 and int(lgs["drugs_reimbursed_china"]) == 1
    # Castleman disease: siltuximab (司妥昔单抗), reimbursed for HIV- and HHV-8-negative MCD
    assert int(rows[f"{ID}disease/cn1-016"]["drugs_china"]) >= 1
    # cystinosis: nothing approved in China known to this graph
    assert int(rows[f"{ID}disease/cn2-021"]["drugs_china"]) == 0


def test_question_4_lists_approved_drugs_that_the_nrdl_does_not_list(store_dir: Path) -> None:
    rows = run_example(store_dir, "q04")
    assert rows and {r["reimbursement"] for r in rows} == {"not in the reimbursement data loaded"}
    drugs = {(r["entry"], r["drug"].rsplit("/", 1)[-1]) for r in rows}
    # approved in China for MPS (list 1 entry 73) and Wilson disease (37), not in the NRDL 2025
    assert ("73", "elosulfase-alfa") in drugs and ("73", "laronidase") in drugs
    assert ("37", "trientine") in drugs
    # nusinersen (SMA) and nitisinone (tyrosinemia) are approved and reimbursed: not gaps
    assert not any(d in ("nusinersen", "nitisinone") for _, d in drugs)


def test_question_4_answers_once_reimbursement_data_is_loaded() -> None:
    """The same query on a small graph that has one reimbursement status: the reimbursed drug is
    left out and the others read 'not in the reimbursement data loaded'."""
    disease, entry, cn1 = iri.disease(1, 110), iri.list_entry(1, 110), iri.national_list(1)
    quads = [
        Quad(entry, RDF.type, RK.ListEntry),
        Quad(entry, RK.inList, cn1),
        Quad(
            entry,
            RK.entryNumber,
            Literal("110", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ),
        Quad(entry, RK.entryOf, disease),
        Quad(entry, RK.printedName, Literal("脊髓性肌萎缩症", language="zh")),
    ]
    for name in ("a", "b"):
        drug, approval = iri.drug(f"test-{name}"), iri.status("test", name)
        quads += [
            Quad(approval, RK.jurisdiction, Literal("CN")),
            Quad(approval, RK.statusType, NamedNode(DT + "marketing-approval")),
            Quad(approval, RK.ofDrug, drug),
            Quad(approval, RK.forIndication, disease),
            Quad(drug, SKOS.prefLabel, Literal(name)),
        ]
    quads += [
        Quad(iri.status("nrdl", "a"), RDF.type, RK.ReimbursementStatus),
        Quad(iri.status("nrdl", "a"), RK.ofDrug, iri.drug("test-a")),
    ]
    store = Store()
    store.extend(quads)
    data = json.loads(
        run_query(store, example_query("q04")).serialize("application/sparql-results+json")
    )
    rows = [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]
    assert [(r["drug"], r["reimbursement"]) for r in rows] == [
        (f"{ID}drug/test-b", "not in the reimbursement data loaded")
    ]


def test_question_5_gives_trials_in_china_and_patient_organizations(store_dir: Path) -> None:
    rows = run_example(store_dir, "q05")
    sma = [r for r in rows if r["disease"] == f"{ID}disease/cn1-110"]
    assert {"NCT04089566", "NCT06971094", "NCT05614531"} <= {r["trial_id"] for r in sma}
    assert all(int(r["organizations"]) >= 1 for r in sma)  # the SMA Care Center, among others
    # prostate cancer studies with sites in China stay unlinked, whatever MeSH says
    assert f"{ID}disease/cn1-109" not in {r["disease"] for r in rows}
    assert not {"NCT02294461", "NCT07190300"} & {r["trial_id"] for r in rows}
    organizations = [int(r["organizations"]) for r in rows]
    assert organizations == sorted(organizations)


def test_question_7_names_organizations_in_trials_with_source_and_quote(store_dir: Path) -> None:
    rows = {r["organization"]: r for r in run_example(store_dir, "q07")}
    for org in ("sma-care-center", "beijing-bow-tuberous-sclerosis-rare-disease-care-center"):
        row = rows[f"{ID}org/{org}"]
        assert row["role"] == "trial participation"
        assert row["source"] == f"{ID}source/frontiers-2025-dong-xie"
        assert "SMA Care Center" in row["evidence"]
        assert "clinical trials" in row["evidence"]


def test_question_8_gives_international_links_and_umbrella_organizations(store_dir: Path) -> None:
    rows = run_example(store_dir, "q08")
    links = {
        (r["organization"], r["relation"], r["body"])
        for r in rows
        if r["kind"] == "international link"
    }
    # Fabry Korea (KR) is a member of the Fabry International Network (its own page says so) ...
    assert (f"{ID}org/fabry-korea", "memberOf", f"{ID}org/fabry-international-network") in links
    # ... but "joined ... as consultants" does not make the Kode centre a member of anything
    assert not any(
        org == f"{ID}org/kode-rare-disease-center" and rel == "memberOf" for org, rel, _ in links
    )
    # the network hospitals are members of a Chinese network, not of an international body
    assert not any("/org/cn-rdnet-" in org for org, _, _ in links)
    # a link crosses a border: the two countries differ (Taiwan's TFRD and the Kode centre)
    crossing = [r for r in rows if r["kind"] == "international link"]
    assert all(r["country"] != r["body_country"] for r in crossing)
    assert (
        f"{ID}org/taiwan-foundation-for-rare-disorders",
        "partnerOf",
        f"{ID}org/kode-rare-disease-center",
    ) in links
    umbrella = [r for r in rows if r["kind"] == "umbrella"]
    assert {
        r["country"]
        for r in umbrella
        if r["organization"] == f"{ID}org/seven-pansy-rare-disease-community"
    } == {"CN"}
    eurordis = [r for r in umbrella if r["organization"] == f"{ID}org/eurordis"]
    assert {(r["country"], r["relation"]) for r in eurordis} == {("INT", "alliance")}
    assert "policy advocacy" in {r.get("activity") for r in eurordis}


def test_question_11_gives_programme_outputs_and_diseases(store_dir: Path) -> None:
    rows = run_example(store_dir, "q11")
    care = [r for r in rows if r["programme"] == f"{ID}policy/rare-disease-care-action"]
    outputs = {r["measure"]: (r["value"], r.get("qualifier"), r.get("as_of")) for r in care}
    assert outputs["patients with rare diseases assisted"] == ("700", "more-than", "2021-07")
    assert outputs["physicians trained"][0] == "100"
    assert {r["launched_by"] for r in care} == {"China Red Cross Foundation"}
    tour = [r for r in rows if r["programme"] == f"{ID}policy/rare-diseases-healthy-china-tour"]
    assert {(r["disease"], r["disease_name"]) for r in tour} == {
        (f"{ID}disease/cn1-038", "Hereditary Angioedema (HAE)")
    }


def test_question_15_gives_everything_about_an_iri_with_its_graph(store_dir: Path) -> None:
    rows = run_example(store_dir, "q15")
    facts = {
        (
            r["direction"],
            r["property"].rsplit("#", 1)[-1].rsplit("/", 1)[-1],
            r["value"],
            r["graph"].rsplit("/", 1)[-1],
        )
        for r in rows
    }
    assert ("out", "prefLabel", "成骨不全症（脆骨病）", "china-lists") in facts
    assert ("out", "altLabel", "瓷娃娃", "china-list-aliases") in facts
    assert ("out", "listedIn", f"{ID}list/cn1", "china-lists") in facts
    assert ("in", "entryOf", f"{ID}list-entry/cn1-086", "china-lists") in facts
    assert any(d == "in" and p == "servesDisease" for d, p, _, _ in facts)
    labelled = [r for r in rows if r["value"] == f"{ID}list/cn1"]
    assert labelled[0]["value_label"].startswith("China First National List")


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("瓷娃娃", {"cn1-086"}),
        ("渐冻症", {"cn1-004"}),
        # Orphanet's Fabry disease (ORPHA:324) is list 1's entry 27; two syndromes named after
        # Fabry are Orphanet entities of their own
        ("Fabry", {"cn1-027", "orpha-1570", "orpha-2497"}),
        ("Anderson-Fabry", {"cn1-027"}),  # an Orphanet synonym finds the listed disease
        ("ORPHA:324", {"cn1-027"}),
        ("ORPHA:32", {"orpha-32"}),  # a code is matched whole: not ORPHA:324
        ("Orphanet_33069", {"cn1-105"}),
        ("severe myoclonic epilepsy of infancy", {"cn1-105"}),
        ("upper limb mesomelic dysplasia", {"orpha-2497"}),
        ("no disease has this name", set()),
    ],
)
def test_question_16_finds_a_disease_by_any_name(
    store_dir: Path, term: str, expected: set[str]
) -> None:
    query = example_query("q16")
    assert '"瓷娃娃"' in query
    rows = rows_of(store_dir, query.replace('"瓷娃娃"', json.dumps(term, ensure_ascii=False), 1))
    assert {r["disease"].rsplit("/", 1)[-1] for r in rows} == expected
    listed = [r for r in rows if r["disease"].startswith(f"{ID}disease/cn")]
    assert all(r["list"] and r["entry"] for r in listed)
