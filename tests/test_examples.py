"""Every example question of the catalogue runs against the built default graph; answers are checked
for specific facts."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kg.build.pipeline import BuildReport
from kg.paths import DATA_DIR, EXAMPLES_DIR
from tests.examples import example_query, rows_of, run_example

ID = "https://w3id.org/rarekg/id/"
ALL_EXAMPLES = sorted(p.stem for p in EXAMPLES_DIR.glob("*.ttl"))


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_every_example_runs_and_answers(store_dir: Path, name: str) -> None:
    assert rows_of(store_dir, example_query(name)), f"{name} has no answer"


def test_catalogue_has_the_required_questions() -> None:
    for number in ("q01", "q02", "q06", "q09", "q10", "q12", "q13", "q14"):
        assert any(n.startswith(number) for n in ALL_EXAMPLES), number


def _published_names() -> dict[str, tuple[str, str]]:
    with (DATA_DIR / "lists" / "china_rare_disease_lists.csv").open(encoding="utf-8") as f:
        return {
            f"{ID}disease/cn{r['list']}-{int(r['no']):03d}": (r["name_zh"], r["name_en"])
            for r in csv.DictReader(f)
        }


def test_question_1_lists_diseases_without_known_patient_organization(store_dir: Path) -> None:
    rows = run_example(store_dir, "q01")
    by_disease = {r["disease"]: r for r in rows}
    assert set(rows[0]) >= {"disease", "list", "entry", "name_zh", "name_en"}
    # spinal muscular atrophy: the SMA Care Center is named in the Frontiers 2025 paper
    assert f"{ID}disease/cn1-110" not in by_disease
    # tuberous sclerosis: the Beijing Bow Tuberous sclerosis Rare Disease Care Center
    assert f"{ID}disease/cn1-114" not in by_disease
    first = by_disease[f"{ID}disease/cn1-001"]
    assert (first["list"], first["entry"]) == (f"{ID}list/cn1", "1")
    # names exactly as published, for every row
    published = _published_names()
    for disease, row in by_disease.items():
        assert (row["name_zh"], row["name_en"]) == published[disease]
    # ORPHA codes come with the answer where the graph has them
    with (DATA_DIR / "lists" / "orpha_links.csv").open(encoding="utf-8") as f:
        codes = {
            f"{ID}disease/cn{r['list']}-{int(r['no']):03d}": r["orpha"] for r in csv.DictReader(f)
        }
    linked = [d for d in by_disease if d in codes]
    assert linked
    for disease in linked:
        assert codes[disease] in by_disease[disease]["orpha"].split()


def test_question_1_equals_question_2_rows_without_organizations(store_dir: Path) -> None:
    q1 = {r["disease"] for r in run_example(store_dir, "q01")}
    q2 = run_example(store_dir, "q02")
    assert len(q2) == 207
    assert len({r["disease"] for r in q2}) == 207
    assert q1 == {r["disease"] for r in q2 if r["organizations"] == "0"}
    assert 0 < len(q1) < 207


def test_question_2_counts_organizations_drugs_and_trials(store_dir: Path) -> None:
    rows = {r["disease"]: r for r in run_example(store_dir, "q02")}
    sma = rows[f"{ID}disease/cn1-110"]
    assert int(sma["organizations"]) >= 2  # SMA Care Center, SMA Europe
    assert int(sma["trials"]) >= 3  # NCT04089566, NCT06971094, NCT05614531
    # ALS: riluzole, edaravone (依达拉奉注射液 and 依达拉奉氯化钠注射液, both reimbursed for
    # ALS, are one drug: the sodium chloride is the carrier) and tofersen (托夫生注射液)
    assert rows[f"{ID}disease/cn1-004"]["drugs_china"] == "3"
    assert rows[f"{ID}disease/cn1-001"]["trials"] == "0"
    fda = {d: int(r["fda_orphan_drugs"]) for d, r in rows.items()}
    assert sum(1 for n in fda.values() if n > 0) >= 20  # FDA approvals linked by exact names
    assert all(n >= 0 for n in fda.values())


def test_question_6_lists_patient_organizations(store_dir: Path) -> None:
    names = {r["name"] for r in run_example(store_dir, "q06")}
    assert "Beijing Porcelain Doll Rare Disease Care Center" in names
    assert "SMA Care Center" in names


def test_question_9_gives_survey_shares_with_denominators(store_dir: Path) -> None:
    rows = run_example(store_dir, "q09")
    found = {(r["category"], r["value"], r.get("denominator")) for r in rows}
    assert ("challenge", "0.714", "28") in found  # lack of public awareness
    assert ("challenge", "0.679", "28") in found  # lack of financial resources
    assert ("recommendation", "0.821", "28") in found  # special insurance programme
    assert ("support-received", "0.073", "28") in found  # government support, as published
    assert all(r["quote"] and r["source"].startswith(f"{ID}source/") for r in rows)


def test_question_10_gives_list_notices_with_issuers(store_dir: Path) -> None:
    rows = {r["policy"]: r for r in run_example(store_dir, "q10")}
    notice = rows[f"{ID}policy/nhc-2018-10-notice"]
    assert notice["document_no"] == "国卫医发〔2018〕10号"
    assert notice["date"] == "2018-05-11"
    assert notice["establishes"] == f"{ID}list/cn1"
    assert "国家卫生健康委员会" in notice["issued_by"]
    second = rows[f"{ID}policy/nhc-2023-26-notice"]
    assert "中央军委后勤保障部" in second["issued_by"]


def test_question_12_gives_source_and_quote_of_a_fact(store_dir: Path) -> None:
    rows = run_example(store_dir, "q12")
    fact = [
        r
        for r in rows
        if r["subject"] == f"{ID}org/sma-care-center" and r["property"].endswith("servesDisease")
    ]
    assert fact and fact[0]["value"] == f"{ID}disease/cn1-110"
    assert fact[0]["source"] == f"{ID}source/frontiers-2025-dong-xie"
    assert "SMA Care Center" in fact[0]["quote"]
    assert fact[0]["date"] == "2025-04-02"


def test_question_13_reports_missing_and_multiple_mappings(store_dir: Path) -> None:
    rows = {r["disease"]: r for r in run_example(store_dir, "q13")}
    albinism = rows[f"{ID}disease/cn1-002"]
    assert (albinism["exact_matches"], albinism["narrow_matches"]) == ("0", "7")
    assert f"{ID}disease/cn1-003" not in rows  # Alport syndrome: exactly one mapping
    unmapped = [
        r
        for r in rows.values()
        if r["exact_matches"] == r["broad_matches"] == r["narrow_matches"] == "0"
    ]
    assert unmapped


def test_question_14_gives_triples_per_source(store_dir: Path, built: BuildReport) -> None:
    answer = run_example(store_dir, "q14")
    rows = {r["graph"]: r for r in answer}
    assert len(rows) == len(answer)  # one row per graph, its titles in two columns
    lists_graph = "https://w3id.org/rarekg/graph/china-lists"
    assert rows[lists_graph]["title"] == "China's national rare disease lists (2018, 2023)"
    assert rows[lists_graph]["title_zh"] == "中国国家罕见病目录（2018、2023）"
    assert int(rows[lists_graph]["triples"]) == built.triples[lists_graph]
    assert rows[lists_graph]["released"] == "2023-09-18"
    assert all(r["built"] for r in rows.values())
