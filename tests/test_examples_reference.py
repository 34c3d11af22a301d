"""Catalogue questions of the reference layer (q17 codes, q18 genes, q20 prevalence, q22 phenotypes)
against the built default graph, checked for specific facts."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDFS, SH

from kg.paths import EXAMPLES_DIR
from tests.examples import run_example

ID = "https://w3id.org/rarekg/id/"
OI, GAUCHER, XLA = f"{ID}disease/cn1-086", f"{ID}disease/cn1-031", f"{ID}disease/cn1-119"


@pytest.mark.parametrize("number", ["q17", "q18", "q20", "q22"])
def test_each_question_is_a_bilingual_sparql_executable(number: str) -> None:
    path = next(EXAMPLES_DIR.glob(f"{number}-*.ttl"))
    graph = rdflib.Graph().parse(path, format="turtle")
    node = next(graph.subjects(rdflib.RDF.type, SH.SPARQLSelectExecutable))
    for prop in (RDFS.label, RDFS.comment):
        assert {v.language for v in graph.objects(node, prop)} == {"en", "zh"}, (path.name, prop)
    assert str(node).endswith(path.stem)


def _rows(store_dir: Path, name: str, disease: str) -> list[dict[str, str]]:
    return [r for r in run_example(store_dir, name) if r["disease"] == disease]


def test_q17_codes_of_osteogenesis_imperfecta(store_dir: Path) -> None:
    rows = _rows(store_dir, "q17", OI)
    codes = {(r["system"], r["code"], r["relation"]) for r in rows}
    assert rows[0]["list"].endswith("list/cn1") and rows[0]["entry"] == "86"
    assert {
        ("ORPHA", "666", "exact"),
        ("ICD-10", "Q78.0", "related"),  # RD-CODE Master file: no relation stated
        ("ICD-11", "LD24.K0", "related"),
        ("MONDO", "MONDO:0019019", "exact"),
        ("GARD", "0001017", "exact"),
        ("OMIM", "166200", "narrower"),  # ORPHA:666 BTNT OMIM 166200 (type 1)
        ("UMLS", "C0029434", "exact"),
        ("MeSH", "D010013", "exact"),
        ("NANDO", "1200873", "related"),
    } <= codes
    assert {r.get("via") for r in rows if r["system"] == "ICD-10"} == {"666"}
    # one spelling per code: Orphanet's own mappings write MONDO and GARD codes bare
    assert {r["code"] for r in rows if r["system"] == "MONDO"} == {"MONDO:0019019"}
    assert {r["code"] for r in rows if r["system"] == "GARD"} == {"0001017"}


def test_q17_x_linked_agammaglobulinemia_has_its_own_orpha_code(store_dir: Path) -> None:
    orpha = {(r["code"], r["relation"]) for r in _rows(store_dir, "q17", XLA)
             if r["system"] == "ORPHA"}
    assert ("47", "exact") in orpha
    assert not any(code == "43" for code, _ in orpha)


def test_q18_genes_of_gaucher_disease_and_osteogenesis_imperfecta(store_dir: Path) -> None:
    gaucher = {(r["gene"], r.get("hgnc"), r["association"]) for r in
               _rows(store_dir, "q18", GAUCHER)}
    assert ("GBA1", "4177", "Disease-causing germline mutation(s) in") in gaucher
    oi = {(r["gene"], r.get("hgnc"), r["via"]) for r in _rows(store_dir, "q18", OI)}
    # genes annotated on the subtype OI type 1 (ORPHA:216796) count for the listed disease
    assert ("COL1A1", "2197", "216796") in oi


def test_q20_prevalence_of_gaucher_disease_in_china(store_dir: Path) -> None:
    rows = _rows(store_dir, "q20", GAUCHER)
    assert {
        "prevalence_type": "Point prevalence",
        "value": "1-9 / 1 000 000",
        "geography": "China",
        "source": "34103049[PMID]",
    }.items() <= next(r for r in rows if r.get("geography") == "China").items()


def test_q22_phenotypes_have_english_and_official_chinese_labels(store_dir: Path) -> None:
    rows = _rows(store_dir, "q22", GAUCHER)
    gingival = [r for r in rows if r["hpo"].endswith("HP_0000225")]
    assert {(r["label_en"], r["label_zh"], r.get("frequency")) for r in gingival} >= {
        ("Gingival bleeding", "牙龈出血", "Occasional (29-5%)")
    }
    # XLA (1/119) has the agammaglobulinemia's phenotypes of the expert compendium
    xla = {r["hpo"].rsplit("_", 1)[-1] for r in _rows(store_dir, "q22", XLA)}
    assert "0002720" in xla  # IgA deficiency
