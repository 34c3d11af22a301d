"""Fixed analyses computed at build time (kg/store/analyses.py): the coverage counts of /gaps in
the graph ``analyses``, with provenance and a VoID subset, and /gaps reading them, or computing
them when a store has no such graph."""

from __future__ import annotations

import shutil
from pathlib import Path

from pyoxigraph import NamedNode, Store

from kg.build.pipeline import BuildReport
from kg.store import analyses
from kg.store.embedded import data_dir
from service import gaps
from service.app import create_app
from tests.examples import rows_of, run_example

ANALYSES = "https://w3id.org/rarekg/graph/analyses"
VOID = "https://w3id.org/rarekg/graph/void"
CN1 = "https://w3id.org/rarekg/id/list/cn1"
CN2 = "https://w3id.org/rarekg/id/list/cn2"
COUNTS = f"""PREFIX rk: <https://w3id.org/rarekg/vocab#>
SELECT ?list ?m ?listed ?with ?without WHERE {{ GRAPH <{ANALYSES}> {{
  ?o a rk:CoverageCount ; rk:coverageOf ?list ; rk:coverageMeasure ?m ;
     rk:listedCount ?listed ; rk:withCount ?with ; rk:withoutCount ?without }} }}"""


def _counts(store_dir: Path) -> dict[tuple[str, str], tuple[int, int, int]]:
    return {(r["list"], r["m"]): (int(r["listed"]), int(r["with"]), int(r["without"]))
            for r in rows_of(store_dir, COUNTS)}


def test_the_build_counts_coverage_per_list_and_measure(store_dir: Path) -> None:
    counts = _counts(store_dir)
    measures = {m.id for m in gaps.MEASURES}
    assert set(counts) == {(lst, m) for lst in (CN1, CN2) for m in measures}
    # the two national lists: 121 and 86 diseases
    assert {counts[(CN1, m)][0] for m in measures} == {121}
    assert {counts[(CN2, m)][0] for m in measures} == {86}
    for listed, with_, without in counts.values():
        assert with_ + without == listed
    # question 1 lists the diseases without a patient organization, list by list
    lacking: dict[str, int] = {}
    for row in run_example(store_dir, "q01"):
        lacking[row["list"]] = lacking.get(row["list"], 0) + 1
    assert counts[(CN1, "organization")][2] == lacking[CN1]
    assert counts[(CN2, "organization")][2] == lacking[CN2]
    assert 0 < counts[(CN1, "organization")][1] < 121


def test_the_build_counts_with_the_patterns_of_the_dashboard() -> None:
    """kg/store/analyses.py keeps a copy of the dashboard's measures (the build may not import the
    service): a pattern changed in service/gaps.py must be changed there too (until then /gaps
    computes that measure itself, since the digests differ)."""
    assert {m.id: m.pattern for m in analyses.MEASURES} == {m.id: m.pattern for m in gaps.MEASURES}


def test_the_analyses_say_what_they_were_derived_from_and_when(store_dir: Path) -> None:
    rows = rows_of(store_dir, f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dct: <http://purl.org/dc/terms/> PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?source ?at ?built ?triples WHERE {{
          GRAPH <{ANALYSES}> {{ ?d prov:generatedAtTime ?at ; prov:wasDerivedFrom ?source }}
          GRAPH <{VOID}> {{ ?rarekg void:subset <{ANALYSES}> ; dct:created ?built .
                           <{ANALYSES}> void:triples ?triples ; dct:created ?at ;
                                        prov:wasDerivedFrom ?source }} }}""")
    sources = {r["source"] for r in rows}
    assert "https://w3id.org/rarekg/graph/china-lists" in sources
    assert ANALYSES not in sources and VOID not in sources
    assert {r["at"] for r in rows} == {rows[0]["built"]}
    store = Store.read_only(str(data_dir(store_dir)))
    n = sum(1 for _ in store.quads_for_pattern(None, None, None, NamedNode(ANALYSES)))
    assert {int(r["triples"]) for r in rows} == {n}


def test_gaps_read_the_analyses_and_compute_them_when_absent(built: BuildReport,
                                                              tmp_path: Path) -> None:
    copy = tmp_path / "store"
    shutil.copytree(built.store_dir, copy, symlinks=True)
    # the build is changed in place below, which no rarekg command does (a write is a new build,
    # a new version): answers cached for the original build must not answer for the copy
    for cached in copy.glob("result-cache.sqlite*"):
        cached.unlink()
    store = Store(str(data_dir(copy)))
    store.remove_graph(NamedNode(ANALYSES))
    store.flush()
    del store
    numbers = {}
    for name, store_dir in (("precomputed", built.store_dir), ("computed", copy)):
        app = create_app({"store": str(store_dir), "executors": 1})
        with app.test_request_context("/gaps"):
            assert bool(gaps._precomputed()) == (name == "precomputed")
            data = gaps._dashboard()
        app.extensions["rarekg_pool"].close()
        numbers[name] = {(lst["iri"], c["measure"].id): (lst["total"], c.get("with"),
                                                          c.get("without"))
                         for lst in data["lists"] for c in lst["cells"]}
    assert numbers["precomputed"] == numbers["computed"]
    pre = _counts(built.store_dir)
    assert numbers["precomputed"][(CN1, "organization")] == pre[(CN1, "organization")]


def test_question_2_reads_the_coverage_table_the_build_computed(store_dir: Path) -> None:
    """Question 2 reads rk:DiseaseCoverage rows from the graph analyses: the same numbers as the
    counting query kg.coverage.TABLE_QUERY gives on the graph now, for all 207 entries."""
    from kg.coverage import TABLE_COLUMNS, TABLE_QUERY

    live = {r["e"]: r for r in rows_of(store_dir, TABLE_QUERY)}
    entries = {r["e"]: r["disease"] for r in rows_of(store_dir, """
        PREFIX rk: <https://w3id.org/rarekg/vocab#>
        SELECT ?e ?disease WHERE { ?e a rk:ListEntry ; rk:entryOf ?disease }""")}
    q2 = run_example(store_dir, "q02")
    assert len(q2) == len(live) == len(entries) == 207
    by_disease = {}
    for e, disease in entries.items():
        by_disease.setdefault(disease, []).append(live[e])
    for row in q2:
        assert any(all(row[column] == counted[column] for column, _ in TABLE_COLUMNS)
                   for counted in by_disease[row["disease"]]), row["disease"]
    # a specific fact: spinal muscular atrophy (list 1, entry 110) has trials and organizations
    sma = next(r for r in q2 if r["disease"].endswith("/disease/cn1-110"))
    assert int(sma["trials"]) >= 3 and int(sma["organizations"]) >= 2
    # and the rows are in the analyses graph, in the table's dataset, with its provenance
    rows = rows_of(store_dir, f"""PREFIX rk: <https://w3id.org/rarekg/vocab#>
        PREFIX qb: <http://www.w3.org/ns/qb#> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?row ?at WHERE {{ GRAPH <{ANALYSES}> {{
          ?row a rk:DiseaseCoverage ; qb:dataSet ?table .
          ?table prov:generatedAtTime ?at ;
                 prov:wasDerivedFrom <https://w3id.org/rarekg/graph/china-lists> }} }}""")
    assert len(rows) == 207


def test_a_write_computes_the_analyses_again(built: BuildReport, tmp_path: Path) -> None:
    """A patient organization written after the build (as an approved submission is) counts at
    once in what is read from the analyses: question 1 leaves its disease out, question 2 counts
    it, the dashboard's counts move by one, and the analyses say they were derived from the new
    graph.  A write that drops the analyses graph leaves it dropped (/gaps then counts itself)."""
    from pyoxigraph import Literal, Triple

    from kg.store import writer

    copy = tmp_path / "store"
    shutil.copytree(built.store_dir, copy, symlinks=True)
    lacking = run_example(copy, "q01")
    row = next(r for r in lacking if r["list"] == CN2)
    before = _counts(copy)[(CN2, "organization")]
    rk = "https://w3id.org/rarekg/vocab#"
    org = NamedNode("https://w3id.org/rarekg/id/organization/analyses-test")
    graph = NamedNode("https://w3id.org/rarekg/graph/analyses-test")
    writer.post_graph(copy, graph, [
        Triple(org, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
               NamedNode(rk + "PatientOrganization")),
        Triple(org, NamedNode(rk + "servesDisease"), NamedNode(row["disease"])),
        Triple(org, NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
               Literal("Analyses test group", language="en")),
    ])
    assert row["disease"] not in {r["disease"] for r in run_example(copy, "q01")}
    assert len(run_example(copy, "q01")) == len(lacking) - 1
    q2 = next(r for r in run_example(copy, "q02") if r["disease"] == row["disease"])
    assert q2["organizations"] == "1"
    listed, with_, without = _counts(copy)[(CN2, "organization")]
    assert (listed, with_, without) == (before[0], before[1] + 1, before[2] - 1)
    rows = rows_of(copy, f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?at ?triples WHERE {{
          GRAPH <{ANALYSES}> {{ ?d prov:generatedAtTime ?at ; prov:wasDerivedFrom <{graph.value}> }}
          GRAPH <{VOID}> {{ <{ANALYSES}> void:triples ?triples ; prov:wasDerivedFrom
                              <{graph.value}> }} }}""")
    store = Store.read_only(str(data_dir(copy)))
    n = sum(1 for _ in store.quads_for_pattern(None, None, None, NamedNode(ANALYSES)))
    del store
    assert {int(r["triples"]) for r in rows} == {n}
    built_at = rows_of(built.store_dir, f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?at WHERE {{ GRAPH <{ANALYSES}> {{ ?d prov:generatedAtTime ?at }} }} LIMIT 1""")
    assert rows[0]["at"] > built_at[0]["at"]

    writer.run_update(copy, f"DROP GRAPH <{ANALYSES}>")
    assert not _counts(copy)
    assert not rows_of(copy, f"SELECT * WHERE {{ GRAPH <{ANALYSES}> {{ ?s ?p ?o }} }} LIMIT 1")
