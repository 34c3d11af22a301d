"""Linking names to the graph: exact after normalisation or not at all; IRIs minted from source ids;
the stop-or-skip policy of the loaders."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode

from kg import iri
from kg.drugs import DrugIdentity
from kg.errors import LoadError
from kg.names import DiseaseIndex, normalise
from kg.rdf import QuadWriter
from kg.records import ErrorPolicy, Skipped
from tests.upstream import disease_index, drug_index

D = iri.ID_BASE + "disease/"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Muscular Atrophy, Spinal", "spinal muscular atrophy"),
        ("Kennedy\u2019s disease", "kennedy disease"),
        ("Spinal Muscular Atrophy Type II", "spinal muscular atrophy type 2"),
        ("测试病１", "测试病1"),
    ],
)
def test_normalise(text: str, key: str) -> None:
    assert normalise(text) == key


@pytest.mark.parametrize(
    ("text", "disease"),
    [
        ("Spinal Muscular Atrophy", "cn1-110"),
        ("SMA", "cn1-110"),  # a folk name (acronym) of the entry, as a whole name
        ("Muscular Atrophy, Spinal", "cn1-110"),
        ("SMA - Spinal Muscular Atrophy", "cn1-110"),
        ("Treatment of spinal muscular atrophy", "cn1-110"),
        ("Spinal muscular atrophy type 1", "cn1-110-1"),
        ("Spinal Muscular Atrophy Type III", "cn1-110"),
        ("ORPHA:33069", "cn1-105"),
        ("Treatment of Dravet syndrome", "cn1-105"),
        ("Severe myoclonic epilepsy of infancy", "cn1-105"),  # Orphadata synonym of ORPHA:33069
        ("脊髓性肌萎缩症", "cn1-110"),
        ("Infantile spasms syndrome", "cn2-086"),
        ("Treatment of Fabry's disease.", "cn1-027"),
        ("X-linked spinal and bulbar muscular atrophy (Kennedy's disease)", "cn1-109"),
    ],
)
def test_disease_index_links_exact_names(text: str, disease: str) -> None:
    assert disease_index().match(text) == NamedNode(D + disease)


@pytest.mark.parametrize(
    "text",
    [
        "Parkinson Disease",  # entry 87 is the young-onset, early-onset form
        "Severe Myoclonic Epilepsy in Infancy",  # only a part of entry 105's printed name
        "Breast Cancer (SMA)",  # an acronym in brackets is not enough
        "primary myelofibrosis (MF), post-polycythemia vera MF",
        "Pulmonary arterial hypertension",
        "ORPHA:70",  # a broader-to-narrower mapping, not an exact link
        "Recruitment",
    ],
)
def test_disease_index_never_guesses(text: str) -> None:
    assert disease_index().match(text) is None


def test_a_name_two_diseases_share_links_to_neither() -> None:
    index = DiseaseIndex()
    index.add_name("Shared name", NamedNode(D + "cn1-001"))
    index.add_name("shared  name", NamedNode(D + "cn1-002"))
    index.add_name("Unique name", NamedNode(D + "cn1-003"))
    assert index.match("Shared Name") is None
    assert index.match("unique name") == NamedNode(D + "cn1-003")


def test_drug_index_matches_names_inn_and_brands_of_every_source() -> None:
    drugs = drug_index()
    # the FDA, EMA and China records of nusinersen are one drug (kg.drugs)
    nusinersen = {DrugIdentity().drug("nusinersen")}
    assert drugs.match("Nusinersen") == nusinersen
    assert drugs.match("SPINRAZA") == nusinersen
    assert drugs.match("诺西那生钠注射液") == nusinersen
    assert drugs.match("Placebo") == set()


def test_iris_are_deterministic_and_checked() -> None:
    assert iri.substance("Zinc acetate") == iri.substance("zinc  ACETATE")
    long = iri.substance("humanised IgG1 monoclonal antibody against muscle specific kinase")
    assert len(long.value.rsplit("/", 1)[-1]) <= len("substance-") + 60
    assert iri.network_hospital(2019, 1).value.endswith("/org/cn-rdnet-2019-001")
    src, other = iri.source("a"), iri.source("b")
    assert "/status/eu-designation-eu-3-18-2115-" in iri.eu_designation(src, "EU/3/18/2115").value
    # the same decision stated by two sources is two status nodes, each with its one source
    assert iri.eu_designation(src, "EU/3/18/2115") != iri.eu_designation(other, "EU/3/18/2115")
    assert iri.fda_approval(src, "134200", "2001-11-20", "a") != iri.fda_approval(
        src, "134200", "2001-11-20", "b"
    )
    assert iri.omim("OMIM:604856").value == "https://omim.org/entry/604856"
    assert iri.hpo("HP:0000007").value == "http://purl.obolibrary.org/obo/HP_0000007"
    for bad in (
        lambda: iri.eu_designation(src, "EU-3-18-2115"),
        lambda: iri.omim("12345"),
        lambda: iri.hpo("HP:7"),
        lambda: iri.fda_designation(src, "12a", long),
        lambda: iri.substance("测试"),
        lambda: iri.icd10("G40..4"),
    ):
        with pytest.raises(ValueError):
            bad()


def test_error_policy_stops_or_skips_whole_records() -> None:
    out = QuadWriter(iri.graph("test"))
    node = iri.entity("thing", "x")

    def build(n: int) -> None:
        out.add(node, iri.entity("p", f"p{n}"), iri.entity("o", "o"))
        if n == 2:
            raise LoadError("f.json", n, "field", "is bad")

    skipped = Skipped()
    quads = list(ErrorPolicy("skip", skipped).emit(out, [1, 2, 3], build))
    assert [q.predicate.value.rsplit("/", 1)[-1] for q in quads] == ["p1", "p3"]
    assert skipped.count == 1 and skipped.errors[0].record == 2
    with pytest.raises(LoadError, match=r"f\.json, record 2, field 'field'"):
        list(ErrorPolicy("stop").emit(out, [1, 2, 3], build))
    with pytest.raises(ValueError):
        ErrorPolicy("warn")
