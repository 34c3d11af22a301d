"""The China reference formats (drug approvals with their evidence, network hospitals) and the CCRD
annotations (OMIM mapping, HPO phenotypes) on small fixtures: specific triples and named errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg import iri
from kg.drugs import DrugIdentity
from kg.errors import LoadError
from kg.records import Skipped
from kg.store.union import union_dataset
from loaders import ccrd, hospitals, nmpa
from tests.upstream import LISTS, PREFIXES, UPSTREAM, ask, store_of, values

DATASET = iri.source("fixture-dataset")
VAT_QUOTE = "罕见病药品清单（第一批）一、制剂 序号1: 测试酶 / 已获准上市的剂型 注射剂"
VAT_NO = "财税〔2019〕24号"
VAT_TITLE = f"财政部 海关总署 税务总局 药监局关于罕见病药品增值税政策的通知 ({VAT_NO})"
ROW_2024 = "国卫办医政函〔2024〕64号 编号1: 北京 / 国家级牵头医院 / 测试协和医院"
G = "china-drug-approvals"
DATED_2019 = (
    "dated by the CDE annual reports: under review per the 2018 report, "
    "approved per the 2019 report"
)


@pytest.fixture(scope="module")
def drugs() -> Store:
    return store_of(nmpa.load(UPSTREAM / "nmpa.json", source=DATASET))


def test_nmpa_vat_listing_is_a_listing_and_an_approval(drugs: Store) -> None:
    drug = DrugIdentity().drug("测试酶").value
    assert ask(
        drugs,
        f"""<{drug}> a rk:Drug, schema:Drug ; skos:prefLabel "测试酶"@zh ;
            prov:wasDerivedFrom rkid:source\\/fixture-dataset ;
            rk:hasRegulatoryStatus ?listing, ?approval .
        ?listing a rk:RegulatoryStatus ; rk:statusType dt:vat-relief-listing ; rk:ofDrug <{drug}> ;
            rk:jurisdiction "CN" ;
            rk:decidedBy rkid:org\\/mof, rkid:org\\/gacc, rkid:org\\/sta, rkid:org\\/nmpa ;
            rk:basedOnPolicy rkid:policy\\/cn-vat-2019 ;
            prov:wasDerivedFrom rkid:source\\/cn-vat-2019 ;
            rk:evidenceQuote "{VAT_QUOTE}"@zh .
        ?approval rk:statusType dt:marketing-approval ; rk:decidedBy rkid:org\\/nmpa ;
            prov:wasDerivedFrom rkid:source\\/cn-vat-2019 .""",
        G,
    )


def test_nmpa_every_evidence_item_has_its_official_source_and_words(drugs: Store) -> None:
    drug = DrugIdentity().drug("Nusinersen", "诺西那生钠").value
    assert ask(
        drugs,
        f"""<{drug}> rk:inn "Nusinersen" ; rk:brandName "Spinraza" ;
            skos:altLabel "诺西那生钠注射液"@zh ; rk:indicationText "用于治疗5q脊髓性肌萎缩症"@zh ;
            rk:hasRegulatoryStatus ?urgent, ?review, ?approval .
        ?urgent rk:statusType dt:urgent-overseas-drug-listing ; rk:decidedBy rkid:org\\/cde ;
            rk:basedOnPolicy rkid:policy\\/cn-cde-list1 ; rk:indicationText "脊髓性肌萎缩症"@zh ;
            prov:wasDerivedFrom rkid:source\\/cn-cde-list1 .
        ?review rk:statusType dt:under-review ; rk:publishedStatus "在审评"@zh ;
            prov:wasDerivedFrom rkid:source\\/cn-rep-2019 .
        ?approval rk:statusType dt:marketing-approval ; rk:approvalYear "2019"^^xsd:gYear ;
            rk:indicationText "用于治疗5q脊髓性肌萎缩症"@zh ;
            rdfs:comment "审评审批: 优先审评审批"@zh, "{nmpa.DRUG_INDICATION}"@en ;
            prov:wasDerivedFrom rkid:source\\/cn-nmpa-news-1 .""",
        G,
    )
    # the loader links nothing: the build's linking phase resolves every indication text
    assert not ask(drugs, "?s rk:forIndication ?d", G)
    quotes = values(
        drugs,
        f"""SELECT ?q WHERE {{ <{drug}> rk:hasEvidence ?e .
        ?e a rk:Evidence ; rdf:subject <{drug}> ; prov:wasDerivedFrom ?s ;
           rk:evidenceQuote ?q }}""",
    )
    assert len(quotes) == 4
    # an item that states no decision is still evidence: the drug is derived from that report
    assert ask(
        drugs,
        f"""<{drug}> rk:hasEvidence ?e . ?e rdf:predicate prov:wasDerivedFrom ;
        rdf:object rkid:source\\/cn-rep-2019 ;
        rk:evidenceQuote "2019年度药品审评报告 重点品种 1. 诺西那生钠注射液"@zh""",
        G,
    )


def test_nmpa_an_indication_added_later_is_not_given_to_the_first_approval(drugs: Store) -> None:
    drug = DrugIdentity().drug("测试单抗").value
    rows = drugs.query(
        PREFIXES
        + f"""SELECT ?year ?text WHERE {{ <{drug}> rk:hasRegulatoryStatus ?s .
        ?s rk:statusType dt:marketing-approval ; rk:approvalYear ?year .
        OPTIONAL {{ ?s rk:indicationText ?text }} }} ORDER BY ?year""",
        **union_dataset(drugs),
    )
    found = [tuple(v.value if v else None for v in row) for row in rows]  # type: ignore[union-attr]
    # 2021: no indication of its own, and the drug's indication (which names gMG, added in
    # 2023) is not given to it; 2023: the new indication, dated by its own document
    assert found == [("2021", None), ("2023", "全身型重症肌无力（gMG）")]


def test_nmpa_an_approval_is_dated_by_the_first_report_after_review(drugs: Store) -> None:
    drug = DrugIdentity().drug("测试那嗪").value
    assert ask(
        drugs,
        f"""<{drug}> rk:hasRegulatoryStatus ?s . ?s rk:statusType dt:marketing-approval ;
        rk:approvalYear "2019"^^xsd:gYear ; rk:indicationText "亨廷顿氏舞蹈症"@zh ;
        prov:wasDerivedFrom rkid:source\\/cn-rep-2019 ;
        rdfs:comment "{DATED_2019}"@en""",
        G,
    )


def test_nmpa_drug_known_only_by_english_name_and_not_approved(drugs: Store) -> None:
    drug = DrugIdentity().drug("Fixturumab").value
    assert ask(
        drugs,
        f"""<{drug}> rdfs:label "Fixturumab"@en ;
        rdfs:comment "known only by its English name"@en ; rk:hasEvidence ?e .
        ?e rk:evidenceQuote ?q FILTER CONTAINS(?q, "待申报")""",
        G,
    )
    assert not ask(drugs, f"<{drug}> rk:hasRegulatoryStatus ?s", G)


def test_nmpa_cited_documents_are_source_documents_and_policies(drugs: Store) -> None:
    assert ask(
        drugs,
        f"""rkid:source\\/cn-vat-2019 a rk:SourceDocument, prov:Entity ;
            dct:title "{VAT_TITLE}"@zh ;
            dct:creator "财政部", "药监局" ; dct:issued "2019-02-20"^^xsd:date ;
            rk:asOf "2026-10-06"^^xsd:date .
        rkid:policy\\/cn-vat-2019 a rk:Policy, schema:Legislation ;
            rk:documentNumber "{VAT_NO}" ; rk:jurisdiction "CN" ;
            rk:issuedBy rkid:org\\/mof, rkid:org\\/nmpa ;
            prov:wasDerivedFrom rkid:source\\/cn-vat-2019 .
        rkid:policy\\/cn-cde-list1 a rk:Policy ; rk:issuedBy rkid:org\\/cde .
        rkid:policy\\/cn-rep-2019 a rk:Policy ; rk:issuedBy rkid:org\\/cde .
        rkid:source\\/cn-rep-2019 dct:creator "国家药品监督管理局药品审评中心" .
        rkid:source\\/cn-nmpa-news-1 a schema:WebPage .""",
        G,
    )
    # news pages are documents, not policies
    assert not ask(drugs, "rkid:policy\\/cn-nmpa-news-1 ?p ?o", G)
    described = store_of(
        nmpa.load(UPSTREAM / "nmpa.json", source=DATASET, documents_described=True)
    )
    assert not ask(described, "?d a rk:SourceDocument", G)
    assert ask(described, "rkid:policy\\/cn-vat-2019 a rk:Policy", G)


def test_nmpa_bad_records_stop_or_are_skipped_and_counted() -> None:
    path = UPSTREAM / "nmpa_bad.json"
    with pytest.raises(LoadError) as info:
        list(nmpa.load(path, source=DATASET))
    assert (info.value.record, info.value.field) == (0, "provenance.sources.rep_bad.published")
    skipped = Skipped()
    store = store_of(nmpa.load(path, source=DATASET, on_error="skip", skipped=skipped))
    assert [(e.record, e.field) for e in skipped.errors] == [
        (0, "provenance.sources.rep_bad.published"),
        (2, "list_diseases[0].no"),
        (3, "evidence[0].source_id"),
        (4, "drug_zh"),
    ]
    assert values(store, "SELECT ?l WHERE { ?d a rk:Drug ; skos:prefLabel ?l }") == ["好药"]


# --- network hospitals -------------------------------------------------------------------------

H = "china-rare-disease-network"


@pytest.fixture(scope="module")
def network() -> tuple[Store, Skipped]:
    skipped = Skipped()
    store = store_of(
        hospitals.load(
            UPSTREAM / "hospitals.json", source=DATASET, on_error="skip", skipped=skipped
        )
    )
    return store, skipped


def test_hospital_has_province_role_and_both_memberships(network: tuple[Store, Skipped]) -> None:
    store, _ = network
    assert ask(
        store,
        f"""rkid:org\\/cn-rdnet-2019-001 a rk:Hospital, rk:Organization,
            schema:Hospital ;
            skos:prefLabel "测试协和医院"@zh ; rk:location "北京"@zh ;
            rk:memberOf rkid:org\\/cn-rare-disease-network ;
            org:hasMembership rkid:membership\\/cn-rdnet-2019-001-2019,
                              rkid:membership\\/cn-rdnet-2019-001-2024 ;
            prov:wasDerivedFrom rkid:source\\/cn-nhc2019-157, rkid:source\\/cn-nhc2024-64 ;
            rk:hasEvidence ?e .
        ?e rdf:predicate rk:location ; rdf:object "北京"@zh ;
           prov:wasDerivedFrom rkid:source\\/cn-nhc2024-64 ;
           rk:evidenceQuote "{ROW_2024}"@zh .
        rkid:membership\\/cn-rdnet-2019-001-2024 a rk:Membership, org:Membership ;
            org:member rkid:org\\/cn-rdnet-2019-001 ;
            org:organization rkid:org\\/cn-rare-disease-network ; org:role nr:national-lead ;
            schema:roleName "国家级牵头医院"@zh ; schema:position 1 ;
            rk:asOf "2024-02-28"^^xsd:date ; prov:wasDerivedFrom rkid:source\\/cn-nhc2024-64 .
        rkid:org\\/cn-rare-disease-network a rk:Organization ;
            skos:prefLabel "全国罕见病诊疗协作网"@zh .""",
        H,
    )


def test_hospital_renamed_role_changed_added_and_removed(network: tuple[Store, Skipped]) -> None:
    store, _ = network
    assert ask(
        store,
        """rkid:org\\/cn-rdnet-2019-005 skos:prefLabel "测试大学附属测试医院"@zh ;
            skos:altLabel "测试医院"@zh .
        rkid:membership\\/cn-rdnet-2019-005-2019 schema:name "测试医院"@zh ; schema:position 5 .
        rkid:membership\\/cn-rdnet-2019-007-2019 org:role nr:member .
        rkid:membership\\/cn-rdnet-2019-007-2024 org:role nr:provincial-lead ; schema:position 3 .
        rkid:org\\/cn-rdnet-2024-004 rk:location "西藏"@zh .
        rkid:membership\\/cn-rdnet-2024-004-2024 org:role nr:member ;
            schema:roleName "成员单位"@zh .
        rkid:org\\/cn-rdnet-2019-009
            org:hasMembership rkid:membership\\/cn-rdnet-2019-009-2019 .""",
        H,
    )
    # a hospital only in the 2019 list is not a current member
    assert not ask(store, "rkid:org\\/cn-rdnet-2019-009 rk:memberOf ?n", H)
    assert not ask(store, "rkid:membership\\/cn-rdnet-2019-009-2024 ?p ?o", H)
    assert not ask(store, "rkid:membership\\/cn-rdnet-2024-004-2019 ?p ?o", H)


def test_hospital_notices_are_policies_once(network: tuple[Store, Skipped]) -> None:
    store, _ = network
    assert values(store, "SELECT ?p WHERE { ?p a rk:Policy }") == [
        f"{iri.ID_BASE}policy/cn-nhc2019-157",
        f"{iri.ID_BASE}policy/cn-nhc2024-64",
    ]


def test_hospital_bad_records_are_named_skipped_and_counted(network: tuple[Store, Skipped]) -> None:
    store, skipped = network
    assert skipped.count == 2
    assert [(e.file, e.record, e.field) for e in skipped.errors] == [
        ("hospitals.json", 6, "role_zh"),
        ("hospitals.json", 7, "name"),
    ]
    assert len(values(store, "SELECT ?h WHERE { ?h a rk:Hospital }")) == 5
    with pytest.raises(LoadError, match=r"hospitals.json, record 6, field 'role_zh'"):
        list(hospitals.load(UPSTREAM / "hospitals.json", source=DATASET))


# --- CCRD annotations --------------------------------------------------------------------------


def test_ccrd_omim_mapping_and_subtypes() -> None:
    store = store_of(ccrd.load_omim(LISTS / "ccrd_omim_mapping.csv"))
    assert ask(
        store,
        """rkid:disease\\/cn1-060 skos:exactMatch <https://omim.org/entry/604856> ;
            skos:narrowMatch <https://omim.org/entry/246400> ;
            prov:wasDerivedFrom rkid:source\\/timgroup-ccrd-omim .
        rkid:disease\\/cn1-072-4 a rk:RareDisease ; skos:broader rkid:disease\\/cn1-072 ;
            skos:prefLabel "A test subtype"@en, "测试亚型"@zh ;
            skos:narrowMatch <https://omim.org/entry/157640> .""",
        "ccrd-omim-mapping",
    )


def test_ccrd_hpo_phenotypes() -> None:
    store = store_of(ccrd.load_hpo(LISTS / "ccrd_hpo.csv"))
    assert ask(
        store,
        """rkid:disease\\/cn1-001 rk:hasPhenotype
            <http://purl.obolibrary.org/obo/HP_0008665>,
            <http://purl.obolibrary.org/obo/HP_0000007> .
        rkid:disease\\/cn1-072-4 rk:hasPhenotype <http://purl.obolibrary.org/obo/HP_0001250> ;
            skos:broader rkid:disease\\/cn1-072 .""",
        "ccrd-hpo",
    )


def test_ccrd_bad_hpo_term_is_named(tmp_path: Path) -> None:
    path = tmp_path / "ccrd_hpo.csv"
    shutil.copy(LISTS / "ccrd_hpo.csv", path)
    path.write_text(
        path.read_text(encoding="utf-8").replace("HP:0001250", "HP:12"), encoding="utf-8"
    )
    with pytest.raises(LoadError, match=r"ccrd_hpo.csv, record 2, field 'hpo'"):
        list(ccrd.load_hpo(path))
