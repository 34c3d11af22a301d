"""Each loader on small inputs of its own format, checked against expected triples."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest
from pyoxigraph import Quad, Store

from kg.errors import LoadError
from loaders import aliases, lists, seeds, sources

DATA = Path(__file__).parent / "data"
PREFIXES = """
PREFIX rk: <https://w3id.org/rarekg/vocab#>
PREFIX rkid: <https://w3id.org/rarekg/id/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX sdmx: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX qb: <http://www.w3.org/ns/qb#>
PREFIX rkv: <https://w3id.org/rarekg/vocab/>
"""


def store_of(quads: Iterable[Quad]) -> Store:
    store = Store()
    store.extend(list(quads))
    return store


def ask(store: Store, where: str, graph: str) -> bool:
    return bool(
        store.query(
            PREFIXES + f"ASK {{ GRAPH <https://w3id.org/rarekg/graph/{graph}> {{ {where} }} }}"
        )
    )


def test_lists_loader_gives_disease_entry_and_list_with_printed_names() -> None:
    store = store_of(lists.load(DATA / "lists"))
    g = "china-lists"
    assert ask(
        store,
        """
        <https://w3id.org/rarekg/id/disease/cn1-086> a rk:RareDisease, schema:MedicalCondition ;
            skos:prefLabel "成骨不全症"@zh, "Osteogenesis Imperfecta"@en ;
            rk:listedIn <https://w3id.org/rarekg/id/list/cn1> ;
            prov:wasDerivedFrom <https://w3id.org/rarekg/id/source/nhc-2018-10> .
        <https://w3id.org/rarekg/id/list-entry/cn1-086> a rk:ListEntry ;
            rk:entryNumber 86 ; rk:inList <https://w3id.org/rarekg/id/list/cn1> ;
            rk:entryOf <https://w3id.org/rarekg/id/disease/cn1-086> ;
            rk:printedName "Osteogenesis Imperfecta"@en .
        <https://w3id.org/rarekg/id/list/cn1> a rk:RareDiseaseList ; rk:listSize 2 .""",
        g,
    )
    # names are kept exactly as published, full-width digit included
    assert ask(
        store, '<https://w3id.org/rarekg/id/disease/cn2-006> skos:prefLabel "测试病１"@zh', g
    )
    assert ask(
        store,
        """
        <https://w3id.org/rarekg/id/policy/nhc-2018-10-notice> a rk:Policy, schema:Legislation ;
            rk:documentNumber "国卫医发〔2018〕10号" ; dct:date "2018-05-11"^^xsd:date ;
            rk:establishesList <https://w3id.org/rarekg/id/list/cn1> ;
            rk:issuedBy rkid:org\\/nhc, rkid:org\\/most .
        """,
        g,
    )


def test_lists_loader_is_deterministic() -> None:
    first = sorted(str(q) for q in lists.load(DATA / "lists"))
    second = sorted(str(q) for q in lists.load(DATA / "lists"))
    assert first == second


def test_aliases_loader_links_orpha_and_folk_names() -> None:
    store = store_of(aliases.load(DATA / "lists"))
    g = "china-list-aliases"
    assert ask(
        store,
        """<https://w3id.org/rarekg/id/disease/cn1-086>
        skos:exactMatch <http://www.orpha.net/ORDO/Orphanet_666> ; rk:orphaCode "666" ;
        skos:altLabel "瓷娃娃"@zh .""",
        g,
    )
    assert ask(store, '<https://w3id.org/rarekg/id/disease/cn1-110> skos:altLabel "SMA"@en', g)


def test_mapping_loader_turns_flags_into_skos_matches_and_subtypes() -> None:
    store = store_of(aliases.load_mapping(DATA / "lists" / "ccrd_orpha_mapping.csv"))
    g = "ccrd-orpha-mapping"
    assert ask(
        store,
        """<https://w3id.org/rarekg/id/disease/cn1-110>
        skos:narrowMatch <http://www.orpha.net/ORDO/Orphanet_70> .""",
        g,
    )
    assert ask(
        store,
        """<https://w3id.org/rarekg/id/disease/cn1-110-1> a rk:RareDisease ;
        skos:broader <https://w3id.org/rarekg/id/disease/cn1-110> ;
        skos:exactMatch <http://www.orpha.net/ORDO/Orphanet_83330> ;
        skos:prefLabel "Spinal muscular atrophy type 1"@en .""",
        g,
    )
    assert not ask(
        store,
        """<https://w3id.org/rarekg/id/disease/cn1-110>
        skos:exactMatch ?any""",
        g,
    )


def test_seeds_loader_states_each_fact_with_source_and_quote() -> None:
    store = store_of(seeds.load(DATA / "seeds"))
    g = "seed-documents"
    assert ask(
        store,
        """
        rkid:org\\/oi-care a rk:PatientOrganization, schema:NGO ;
            skos:prefLabel "OI Care Center"@en, "瓷娃娃关怀中心"@zh ;
            rk:servesDisease <https://w3id.org/rarekg/id/disease/cn1-086> ;
            rk:servesDiseaseText "brittle bone disease"@en ;
            rk:location "Beijing" ;
            rk:registrationStatus
                rkv:registration-status\\/civil-affairs-social-service-institution ;
            prov:wasDerivedFrom <https://w3id.org/rarekg/id/source/paper-a> ;
            rk:hasEvidence ?e .
        ?e a rk:Evidence ; rdf:subject rkid:org\\/oi-care ; rdf:predicate rk:servesDisease ;
           rdf:object <https://w3id.org/rarekg/id/disease/cn1-086> ;
           prov:wasDerivedFrom <https://w3id.org/rarekg/id/source/paper-a> ;
           rk:evidenceQuote "groups such as the OI Care Center, founded by patients in Beijing"@en .
        """,
        g,
    )
    assert ask(
        store,
        """<https://w3id.org/rarekg/id/policy/care-action> a rk:Programme, schema:Project ;
        rk:launchedBy rkid:org\\/red-cross ; dct:date "2019-07"^^xsd:gYearMonth .
        <https://w3id.org/rarekg/id/org/red-cross> a rk:Organization, rk:Foundation .""",
        g,
    )
    assert ask(
        store,
        """<https://w3id.org/rarekg/id/observation/government-support>
        a rk:SurveyObservation, qb:Observation ; sdmx:obsValue 0.073 ; rk:denominator 28 ;
        rk:observationCategory rkv:observation-category\\/support-received ;
        qb:dataSet <https://w3id.org/rarekg/id/dataset/survey-a> .
        <https://w3id.org/rarekg/id/observation/patients> rk:qualifier "more-than" ;
        rk:surveyItem <https://w3id.org/rarekg/id/policy/care-action> .""",
        g,
    )


def _copy_tables(tmp_path: Path, folder: str) -> Path:
    target = tmp_path / folder
    shutil.copytree(DATA / folder, target)
    return target


@pytest.mark.parametrize(
    ("table", "old", "new", "field", "record"),
    [
        ("statements.csv", "CN1:86", "CN1:122", "value", 1),
        ("statements.csv", "civil-affairs-social-service-institution", "registered", "value", 3),
        ("statements.csv", "launchedBy,red-cross", "launchedBy,nobody", "value", 5),
        ("organizations.csv", "PatientOrganization,disease", "Club,disease", "class", 1),
        ("observations.csv", "0.714", "71.4", "value", 1),
        ("observations.csv", "2021-07", "July 2021", "as_of", 3),
    ],
)
def test_seeds_loader_names_file_record_and_field_of_a_bad_value(
    tmp_path: Path, table: str, old: str, new: str, field: str, record: int
) -> None:
    folder = _copy_tables(tmp_path, "seeds")
    path = folder / table
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(LoadError) as info:
        list(seeds.load(folder))
    assert (info.value.file, info.value.record, info.value.field) == (table, record, field)
    assert table in str(info.value) and f"record {record}" in str(info.value)


def test_lists_loader_rejects_entry_outside_its_list(tmp_path: Path) -> None:
    folder = _copy_tables(tmp_path, "lists")
    path = folder / "china_rare_disease_lists.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2,6,", "2,87,"), encoding="utf-8")
    with pytest.raises(LoadError, match=r"china_rare_disease_lists.csv, record 3, field 'no'"):
        list(lists.load(folder))


def test_missing_column_is_reported(tmp_path: Path) -> None:
    folder = _copy_tables(tmp_path, "lists")
    path = folder / "folk_names.csv"
    path.write_text("list,no,source\n1,86,x\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"folk_names.csv, record 0, field 'text'"):
        list(aliases.load(folder))


def test_sources_loader_types_documents(tmp_path: Path) -> None:
    path = tmp_path / "sources.csv"
    path.write_text(
        "id,type,title,creator,publisher,date,url,language,accessed,note\n"
        "paper-a,ScholarlyArticle,A paper,A. Author; B. Author,A Journal,2021-03,"
        "https://doi.org/10.1/x,en,2026-11-24,seed document x\n",
        encoding="utf-8",
    )
    store = store_of(sources.load_sources([path]))
    assert ask(
        store,
        """<https://w3id.org/rarekg/id/source/paper-a> a rk:SourceDocument,
        schema:ScholarlyArticle, prov:Entity ; dct:title "A paper"@en ;
        dct:creator "A. Author", "B. Author" ; dct:issued "2021-03"^^xsd:gYearMonth .""",
        "sources",
    )
