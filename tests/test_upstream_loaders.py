"""The loaders of upstream formats (ClinicalTrials.gov, Orphadata, FDA, EMA) on small fixtures of
each format: specific triples; bad records named by file, record and field, stopped or skipped."""

from __future__ import annotations

import pytest
from pyoxigraph import Store

from kg import iri
from kg.drugs import DrugIdentity
from kg.errors import LoadError
from kg.records import Skipped
from loaders import ctgov, ema, fda, orphadata
from tests.upstream import UPSTREAM, ask, drug_index, store_of, values

SRC = iri.source("fixture")
EMA_URL = "https://www.ema.europa.eu/en/medicines/human/orphan-designations/eu-3-12-976"


# --- ClinicalTrials.gov ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trials() -> Store:
    return store_of(
        ctgov.load(
            UPSTREAM / "ctgov_page.json", source=SRC, drugs=drug_index()
        )
    )


def test_ctgov_study_gives_its_facts_and_links(trials: Store) -> None:
    assert ask(
        trials,
        """rkid:trial\\/NCT10000001 a rk:ClinicalTrial, schema:MedicalTrial ;
        rk:trialId "NCT10000001" ; schema:identifier "NCT10000001" ;
        rdfs:label "A nusinersen study in spinal muscular atrophy"@en ;
        schema:alternateName "FIXTURE-1",
            "An open-label study of nusinersen in children with spinal muscular atrophy"@en ;
        schema:status "RECRUITING" ; schema:phase "PHASE2", "PHASE3" ;
        rk:studyType "INTERVENTIONAL" ; rk:enrollment 40 ;
        schema:startDate "2021-05"^^xsd:gYearMonth ;
        rk:conditionText "Muscular Atrophy, Spinal"@en ;
        rk:interventionText "Nusinersen"@en, "Sham procedure"@en ;
        rk:testsDrug rkid:drug\\/nusinersen ;
        schema:sponsor rkid:org\\/fixture-pharma-inc ;
        rk:collaborator rkid:org\\/peking-university-first-hospital ;
        rk:country "China", "Japan" ;
        rk:trialSite "Peking University First Hospital, Beijing" ;
        prov:wasDerivedFrom rkid:source\\/fixture .
        rkid:org\\/fixture-pharma-inc a rk:Organization, schema:Organization ;
            rdfs:label "Fixture Pharma Inc."@en ; prov:wasDerivedFrom rkid:source\\/fixture .""",
        "ctgov-trials",
    )
    # the FDA and the China approvals' records of nusinersen are one drug
    drugs = values(trials, "SELECT ?d WHERE { rkid:trial\\/NCT10000001 rk:testsDrug ?d }")
    assert drugs == [DrugIdentity().drug("nusinersen").value]
    # sites outside China are summarised by country only
    assert not ask(
        trials,
        'rkid:trial\\/NCT10000001 rk:trialSite ?s FILTER CONTAINS(?s, "Osaka")',
        "ctgov-trials",
    )


def test_ctgov_conditions_are_kept_as_published_and_not_linked_by_the_loader(
    trials: Store,
) -> None:
    # disease links are the build's linking phase (tests/test_linking.py)
    assert not ask(trials, "?t schema:healthCondition ?d", "ctgov-trials")
    assert values(
        trials, "SELECT ?c WHERE { rkid:trial\\/NCT10000004 rk:conditionText ?c }"
    ) == ["ORPHA:33069", "Parkinson Disease", "West syndrome"]
    # an intervention no drug of the graph is named by stays text
    assert not ask(trials, "rkid:trial\\/NCT10000002 rk:testsDrug ?d", "ctgov-trials")


def test_ctgov_reads_a_single_study_record() -> None:
    store = store_of(
        ctgov.load(UPSTREAM / "ctgov_study.json", source=SRC)
    )
    assert ask(
        store,
        """rkid:trial\\/NCT30000001
        rk:conditionText "SMA - Spinal Muscular Atrophy"@en ;
        rk:trialSite "Fixture Hospital, Guangzhou" """,
        "ctgov-trials",
    )


def test_ctgov_bad_study_stops_the_load_naming_file_record_and_field() -> None:
    with pytest.raises(LoadError) as info:
        list(ctgov.load(UPSTREAM / "ctgov_bad.json", source=SRC))
    err = info.value
    assert (err.file, err.record, err.field) == (
        "ctgov_bad.json",
        2,
        "protocolSection.identificationModule.nctId",
    )
    assert str(err).startswith(
        "ctgov_bad.json, record 2, field 'protocolSection.identificationModule.nctId'"
    )


def test_ctgov_bad_studies_are_skipped_and_counted() -> None:
    skipped = Skipped()
    store = store_of(
        ctgov.load(
            UPSTREAM / "ctgov_bad.json",
            source=SRC,
            on_error="skip",
            skipped=skipped,
        )
    )
    assert skipped.count == 3
    assert [(e.record, e.field) for e in skipped.errors] == [
        (2, "protocolSection.identificationModule.nctId"),
        (3, "protocolSection.designModule.enrollmentInfo.count"),
        (4, "protocolSection.statusModule.startDateStruct.date"),
    ]
    assert values(store, "SELECT ?t WHERE { ?t a rk:ClinicalTrial }") == [
        f"{iri.ID_BASE}trial/NCT20000001"
    ]
    # nothing of a skipped study is left behind
    assert not values(store, 'SELECT ?t WHERE { ?t rk:trialId "NCT20000003" }')
    assert ask(
        store,
        'rkid:trial\\/NCT20000001 rk:conditionText "Spinal Muscular Atrophy Type I"@en',
        "ctgov-trials",
    )


def test_unknown_error_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="on_error"):
        list(ctgov.load(UPSTREAM / "ctgov_bad.json", source=SRC, on_error="ignore"))


# --- Orphadata -------------------------------------------------------------------------------


def test_orphadata_cross_referencing_gives_names_and_mappings_with_their_relation() -> None:
    store = store_of(orphadata.load(UPSTREAM / "orphadata_cross_en.json", source=SRC))
    g = "orphadata"
    assert ask(
        store,
        """rkid:disease\\/orpha-33069 a rk:RareDisease, schema:MedicalCondition ;
        skos:prefLabel "Dravet syndrome"@en ; skos:altLabel "SMEI"@en,
            "Severe myoclonic epilepsy of infancy"@en ;
        skos:definition "A fixture definition of an epileptic encephalopathy."@en ;
        rk:orphaCode "33069" ;
        skos:exactMatch <http://www.orpha.net/ORDO/Orphanet_33069> ;
        skos:broadMatch <http://id.who.int/icd/release/10/G40.4> ;
        skos:exactMatch <http://id.who.int/icd/entity/1255654700>,
                        <https://omim.org/entry/607208>,
                        <http://purl.obolibrary.org/obo/MONDO_0011794> ;
        skos:narrowMatch <https://omim.org/entry/612164> ;
        prov:wasDerivedFrom rkid:source\\/fixture .""",
        g,
    )
    assert ask(
        store,
        """rkid:disease\\/orpha-33069 rk:hasMapping ?m .
        ?m a rk:Mapping ; rdf:subject rkid:disease\\/orpha-33069 ; rdf:predicate skos:narrowMatch ;
           rdf:object <https://omim.org/entry/612164> ; rk:mappingRelation om:BTNT ;
           rk:terminology "OMIM" ; skos:notation "612164" ;
           rk:validationStatus "Not yet validated"@en ;
           prov:wasDerivedFrom rkid:source\\/fixture .""",
        g,
    )
    # ND (not decided) is left out; a terminology without IRIs keeps its code on the mapping only
    assert not ask(store, '?m skos:notation "C9999999"', g)
    assert ask(
        store,
        """?m rk:terminology "SomeOtherTerminology" ; skos:notation "X-1" ;
        rk:mappingRelation om:E . FILTER NOT EXISTS { ?m rdf:object ?o }""",
        g,
    )


def test_orphadata_chinese_edition_reads_the_chinese_relations() -> None:
    store = store_of(orphadata.load(UPSTREAM / "orphadata_cross_zh.json", source=SRC))
    assert ask(
        store,
        """rkid:disease\\/orpha-33069 skos:prefLabel "Dravet综合征"@zh ;
        skos:altLabel "婴儿严重肌阵挛型癫痫"@zh ;
        skos:broadMatch <http://id.who.int/icd/release/10/G40.4> ;
        skos:exactMatch <https://omim.org/entry/607208> ; rk:hasMapping ?m .
        ?m skos:notation "G40.4" ; rk:mappingRelation om:NTBT ;
           rk:validationStatus "已确认"@zh .""",
        "orphadata",
    )
    # the same mapping in both editions is one node
    both = store_of(
        [
            *orphadata.load(UPSTREAM / "orphadata_cross_zh.json", source=SRC),
            *orphadata.load(UPSTREAM / "orphadata_cross_en.json", source=SRC),
        ]
    )
    assert len(values(both, 'SELECT ?m WHERE { ?m skos:notation "G40.4" }')) == 1


def test_orphadata_epidemiology_gives_prevalence_with_type_geography_and_source() -> None:
    store = store_of(orphadata.load(UPSTREAM / "orphadata_epidemiology.json", source=SRC))
    assert ask(
        store,
        """rkid:disease\\/orpha-33069 rk:hasPrevalence ?p .
        ?p a rk:PrevalenceEstimate ; rk:prevalenceClass "1-9 / 100 000" ;
           rk:prevalenceType "Prevalence at birth" ; rk:geography "Europe" ;
           rk:prevalenceQualification "Value and class" ; rk:validationStatus "Validated"@en ;
           sdmx:obsValue 3.3 ; rk:sourceCitation "11111111[PMID]_ 22222222[PMID]" ;
           dct:source <https://pubmed.ncbi.nlm.nih.gov/11111111/>,
                      <https://pubmed.ncbi.nlm.nih.gov/22222222/> ;
           prov:wasDerivedFrom rkid:source\\/fixture .""",
        "orphadata",
    )
    # a class-only figure has no value
    assert ask(
        store,
        """?p rk:prevalenceClass "Unknown" ; rk:geography "Worldwide" ;
        rk:sourceCitation "ORPHANET" . FILTER NOT EXISTS { ?p sdmx:obsValue ?v }""",
        "orphadata",
    )


def test_orphadata_bad_results_stop_or_are_skipped() -> None:
    path = UPSTREAM / "orphadata_bad.json"
    with pytest.raises(LoadError) as info:
        list(orphadata.load(path, source=SRC))
    assert (info.value.record, info.value.field) == (
        2,
        "ExternalReference[1].DisorderMappingRelation",
    )
    skipped = Skipped()
    store = store_of(orphadata.load(path, source=SRC, on_error="skip", skipped=skipped))
    assert [(e.file, e.record, e.field) for e in skipped.errors] == [
        ("orphadata_bad.json", 2, "ExternalReference[1].DisorderMappingRelation"),
        ("orphadata_bad.json", 3, "ORPHAcode"),
    ]
    assert values(store, "SELECT ?d WHERE { ?d a rk:RareDisease }") == [
        f"{iri.ID_BASE}disease/orpha-481"
    ]
    assert not values(store, 'SELECT ?m WHERE { ?m skos:notation "301500" }')


# --- FDA -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published", "iso"),
    [
        ("10/06/00", "2000-10-06"),
        ("9/05/17", "2017-09-05"),
        ("1/17/91", "1991-01-17"),
        ("11/06/85", "1985-11-06"),
        ("12/23/2016", "2016-12-23"),
        ("07/20/1983", "1983-07-20"),
    ],
)
def test_fda_dates_in_every_published_format_are_normalised(published: str, iso: str) -> None:
    assert fda.us_date(published) == iso


@pytest.mark.parametrize("bad", ["13/45/2001", "2001-11-20", "02/30/2020", "1/2/3"])
def test_fda_malformed_dates_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        fda.us_date(bad)


@pytest.fixture(scope="module")
def fda_store() -> Store:
    return store_of(fda.load(UPSTREAM / "fda.csv", source=SRC))


def test_fda_row_gives_designation_and_approval_in_the_united_states(fda_store: Store) -> None:
    drug = DrugIdentity().drug("nusinersen")
    designation = iri.fda_designation(SRC, "100001", drug)
    assert ask(
        fda_store,
        f"""<{drug.value}> a rk:Drug, schema:Drug ; rdfs:label "nusinersen"@en ;
            rk:brandName "Spinraza" ; rk:hasRegulatoryStatus <{designation.value}>, ?approval .
        <{designation.value}> a rk:RegulatoryStatus, schema:DrugLegalStatus ;
            rk:statusType dt:orphan-designation ; rk:ofDrug <{drug.value}> ;
            rk:jurisdiction "US" ; rk:decidedBy rkid:org\\/us-food-and-drug-administration ;
            dct:date "2011-04-18"^^xsd:date ;
            rk:indicationText "Treatment of spinal muscular atrophy"@en ;
            rk:basedOnPolicy rkid:policy\\/us-orphan-drug-act ;
            rk:sourceRecord "100001" ; rk:publishedStatus "Designated/Approved"@en ;
            schema:sponsor rkid:org\\/fixture-biogen-inc ;
            prov:wasDerivedFrom rkid:source\\/fixture .
        ?approval rk:statusType dt:marketing-approval ; rk:ofDrug <{drug.value}> ;
            rk:jurisdiction "US" ; dct:date "2016-12-23"^^xsd:date ;
            rk:exclusivityEnd "2023-12-23"^^xsd:date ;
            rk:indicationText
                "Treatment of spinal muscular atrophy in pediatric and adult patients"@en .
        rkid:org\\/us-food-and-drug-administration a rk:RegulatoryAuthority ;
            rdfs:label "U.S. Food and Drug Administration"@en .""",
        "fda-orphan-approvals",
    )


def test_fda_two_digit_years_several_approvals_and_withdrawals(fda_store: Store) -> None:
    drug = DrugIdentity().drug("fixturestat")
    assert values(
        fda_store,
        f"""SELECT ?date WHERE {{ ?s rk:ofDrug <{drug.value}> ;
        rk:statusType dt:marketing-approval ; dct:date ?date }}""",
    ) == ["2001-11-20", "2017-09-05"]
    assert values(
        fda_store,
        f"""SELECT ?date WHERE {{ ?s rk:ofDrug <{drug.value}> ;
        rk:statusType dt:orphan-designation ; dct:date ?date }}""",
    ) == ["2000-10-06"]
    # the loader links no disease: the linking phase does (tests/test_linking.py)
    assert not ask(fda_store, "?s rk:forIndication ?d", "fda-orphan-approvals")
    # Designated/Approved/Withdrawn: the withdrawal is a status of its own, with the indication
    assert ask(
        fda_store,
        f"""?w rk:ofDrug <{DrugIdentity().drug("fixturase").value}> ;
        rk:statusType dt:withdrawal ; rk:publishedStatus "Designated/Approved/Withdrawn"@en ;
        rk:indicationText "Treatment of Fabry disease"@en .
        ?d rk:ofDrug <{DrugIdentity().drug("fixturase").value}> ;
           rk:statusType dt:orphan-designation ;
        dct:date "1991-01-17"^^xsd:date""",
        "fda-orphan-approvals",
    )


def test_fda_export_note_row_and_sponsor_addresses_are_not_facts(fda_store: Store) -> None:
    assert not ask(
        fda_store,
        '?s ?p ?o FILTER (CONTAINS(STR(?o), "Note:") || CONTAINS(STR(?o), "Fixture Way"))',
        "fda-orphan-approvals",
    )
    assert len(values(fda_store, "SELECT ?s WHERE { ?s rk:statusType dt:marketing-approval }")) == 5


def test_fda_bad_rows_stop_or_are_skipped_and_counted() -> None:
    path = UPSTREAM / "fda_bad.csv"
    with pytest.raises(LoadError, match=r"fda_bad.csv, record 2, field 'Marketing Approval Date'"):
        list(fda.load(path, source=SRC))
    skipped = Skipped()
    store = store_of(fda.load(path, source=SRC, on_error="skip", skipped=skipped))
    assert [(e.record, e.field) for e in skipped.errors] == [
        (2, "Marketing Approval Date"),
        (3, "CF Grid Key"),
        (4, "Orphan Designation Status"),
    ]
    assert values(store, "SELECT ?l WHERE { ?d a rk:Drug ; rdfs:label ?l }") == [
        "fixturase",
        "nusinersen",
    ]


# --- EMA -------------------------------------------------------------------------------------


def test_ema_record_is_an_eu_orphan_designation() -> None:
    store = store_of(ema.load(UPSTREAM / "ema.json", source=SRC))
    g = "ema-orphan-designations"
    assert ask(
        store,
        f"""<{iri.eu_designation(SRC, "EU/3/12/976").value}>
            a rk:RegulatoryStatus, schema:DrugLegalStatus ; rk:statusType dt:orphan-designation ;
            rk:ofDrug rkid:drug\\/nusinersen ; rk:jurisdiction "EU" ;
            rk:decidedBy rkid:org\\/european-medicines-agency ;
            dct:date "2012-07-02"^^xsd:date ; schema:datePublished "2012-08-01"^^xsd:date ;
            dct:modified "2020-03-05"^^xsd:date ; rk:publishedStatus "Positive"@en ;
            rk:sourceRecord "EU/3/12/976" ;
            rk:indicationText "Treatment of spinal muscular atrophy"@en ;
            schema:url "{EMA_URL}"^^xsd:anyURI ;
            prov:wasDerivedFrom rkid:source\\/fixture .
        rkid:drug\\/nusinersen rk:brandName "Fixtura" .""",
        g,
    )
    assert ask(
        store,
        f"<{iri.eu_designation(SRC, 'EU/3/01/071').value}> rk:indicationText "
        '"Treatment of X-linked spinal and bulbar muscular atrophy (Kennedy\u2019s disease)"@en ; '
        'rk:publishedStatus "Expired"@en',
        g,
    )
    # withdrawn: also a withdrawal; the loader links no disease (tests/test_linking.py)
    withdrawal = iri.eu_withdrawal(SRC, "EU/3/14/1339").value
    assert ask(
        store,
        f"""<{withdrawal}> rk:statusType dt:withdrawal ;
        rk:ofDrug rkid:drug\\/fixturol""",
        g,
    )
    assert not ask(store, "?s rk:forIndication ?d", g)


def test_ema_bad_records_stop_or_are_skipped_and_counted() -> None:
    path = UPSTREAM / "ema_bad.json"
    with pytest.raises(LoadError) as info:
        list(ema.load(path, source=SRC))
    assert (info.value.file, info.value.record, info.value.field) == (
        "ema_bad.json",
        2,
        "date_of_designation_or_refusal",
    )
    skipped = Skipped()
    store = store_of(ema.load(path, source=SRC, on_error="skip", skipped=skipped))
    assert [(e.record, e.field) for e in skipped.errors] == [
        (2, "date_of_designation_or_refusal"),
        (3, "eu_designation_number"),
        (4, "status"),
        (5, None),
    ]
    assert values(
        store, "SELECT ?n WHERE { ?s rk:statusType dt:orphan-designation ; rk:sourceRecord ?n }"
    ) == ["EU/3/14/1339"]
