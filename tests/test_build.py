"""Building: bulk load, validation that fails the build and keeps the old store, VoID, atomic
swap."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from kg import iri
from kg.build.pipeline import BuildReport, Source, build_graph
from kg.build.sources import default_sources
from kg.describe import SourceInfo
from kg.errors import LoadError, ValidationFailed
from kg.paths import DATA_DIR
from kg.store import embedded as stores
from kg.store.union import union_dataset
from kg.vocab import RDF, RDFS, RK


def test_default_build_has_every_source_graph(built: BuildReport) -> None:
    names = {g.rsplit("/", 1)[-1] for g in built.triples}
    assert {"ontology", "sources", "china-lists", "china-list-aliases", "ccrd-orpha-mapping",
            "seed-documents", "china-drug-approvals", "ctgov-trials", "examples",
            "void"} <= names
    assert all(n > 0 for n in built.triples.values())


def test_default_build_has_all_207_list_entries(store_dir: Path) -> None:
    store = stores.open_read_only(store_dir)
    rows = list(store.query(
        "PREFIX rk: <https://w3id.org/rarekg/vocab#> SELECT ?l (COUNT(?e) AS ?n) "
        "WHERE { ?e a rk:ListEntry ; rk:inList ?l } GROUP BY ?l ORDER BY ?l",
        **union_dataset(store)))
    assert [(r["l"].value.rsplit("/", 1)[-1], int(r["n"].value)) for r in rows] == [
        ("cn1", 121), ("cn2", 86)]


def test_void_gives_triples_per_source_and_build_date(store_dir: Path,
                                                      built: BuildReport) -> None:
    store = stores.open_read_only(store_dir)
    rows = {r["g"].value: int(r["n"].value) for r in store.query(
        "PREFIX void: <http://rdfs.org/ns/void#> PREFIX dct: <http://purl.org/dc/terms/> "
        "SELECT ?g ?n WHERE { GRAPH <https://w3id.org/rarekg/graph/void> { "
        "<https://w3id.org/rarekg/id/dataset/rarekg> void:subset ?g ; dct:created ?d . "
        "?g void:triples ?n } }")}
    lists_graph = "https://w3id.org/rarekg/graph/china-lists"
    assert rows[lists_graph] == built.triples[lists_graph]


def _tiny_sources(extra: list[Quad]) -> list[Source]:
    sources = [s for s in default_sources() if s.info.name in ("ontology", "sources")]
    return [*sources, Source(SourceInfo("extra", "extra"), lambda: iter(extra))]


def _served_labels(store_dir: Path) -> set[str]:
    store = stores.open_read_only(store_dir)
    return {r["l"].value for r in store.query(
        "SELECT ?l WHERE { GRAPH <https://w3id.org/rarekg/graph/extra> { ?s "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l } }")}


def _drug(label: str, with_source: bool) -> list[Quad]:
    g = iri.graph("extra")
    d = iri.drug("test-drug")
    quads = [Quad(d, RDF.type, RK.Drug, g), Quad(d, RDFS.label, Literal(label), g)]
    if with_source:
        quads.append(Quad(d, NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"),
                          iri.source("nhc-2018-10"), g))
    return quads


def test_build_whose_validation_fails_keeps_the_old_store(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    build_graph(store_dir, _tiny_sources(_drug("good drug", with_source=True)))
    before = stores.version(store_dir)
    with pytest.raises(ValidationFailed) as info:
        build_graph(store_dir, _tiny_sources(_drug("bad drug", with_source=False)))
    assert "drug/test-drug" in info.value.report
    assert "source document" in info.value.report
    assert stores.version(store_dir) == before
    assert _served_labels(store_dir) == {"good drug"}
    assert len(list((store_dir / "builds").iterdir())) == 1


def test_build_with_a_malformed_source_names_it_and_keeps_the_old_store(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    build_graph(store_dir, _tiny_sources(_drug("good drug", with_source=True)))
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    table = data / "lists" / "china_rare_disease_lists.csv"
    lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[5] = lines[5].replace("1,5,", "1,five,", 1)
    table.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(LoadError) as info:
        build_graph(store_dir, default_sources(data))
    assert str(info.value).startswith("china_rare_disease_lists.csv, record 5, field 'no'")
    assert _served_labels(store_dir) == {"good drug"}


def test_rebuild_swaps_atomically_and_keeps_one_previous_build(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    versions = []
    for label in ("one", "two", "three"):
        build_graph(store_dir, _tiny_sources(_drug(label, with_source=True)))
        versions.append(stores.version(store_dir))
        assert _served_labels(store_dir) == {label}
    assert len(set(versions)) == 3
    assert (store_dir / "serving").is_symlink()
    # old builds stay while readers may still use them, then go
    assert len(list((store_dir / "builds").iterdir())) == 3
    stores.prune(store_dir, keep=stores.data_dir(store_dir), grace=0)
    assert len(list((store_dir / "builds").iterdir())) == 2
    assert _served_labels(store_dir) == {"three"}


def test_an_empty_directory_is_served_as_an_empty_store(tmp_path: Path) -> None:
    store = stores.open_read_only(tmp_path)
    assert not bool(store.query("ASK { ?s ?p ?o }"))


def test_survey_arithmetic_gives_a_warning_not_a_failure(built: BuildReport) -> None:
    # 7.3% of 28 organizations is not a whole number: the published figure stays, with a warning
    assert any("0.073" in w.message and "28" in w.message for w in built.warnings)
