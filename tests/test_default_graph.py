"""The default graph holds every record of every source, each with provenance; the committed
tables are exactly what ``rarekg derive-tables`` derives from the reference files;
``rarekg build --source`` adds a user's own download as a graph of its own, counted in the VoID
description."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg.build.derive import derive_tables
from kg.build.pipeline import BuildReport
from kg.cli import main
from kg.drugs import DrugIdentity
from kg.paths import DATA_DIR
from kg.store import embedded as stores
from tests.upstream import PREFIXES, UPSTREAM

GRAPH = "https://w3id.org/rarekg/graph/"


def _store(store_dir: Path) -> Store:
    return stores.open_read_only(store_dir)


def _count(store: Store, graph: str, where: str, what: str = "?s") -> int:
    """How many distinct ``what`` (one or more variables) match ``where`` in ``graph``."""
    rows = list(
        store.query(
            PREFIXES + f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT {what} "
            f"WHERE {{ GRAPH <{GRAPH}{graph}> {{ {where} }} }} }}"
        )
    )
    return int(rows[0][0].value)  # type: ignore[index,union-attr]


def _json(rel: str) -> dict:  # type: ignore[type-arg]
    return json.loads((DATA_DIR / rel).read_text(encoding="utf-8"))


def _csv(rel: str) -> list[dict[str, str]]:
    with (DATA_DIR / rel).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_committed_tables_are_what_derive_tables_produces(shared_dir: Path) -> None:
    derived = derive_tables(shared_dir / "data")
    for rel, text in derived.items():
        committed_text: str | bytes = (
            (DATA_DIR / rel).read_bytes()
            if isinstance(text, bytes)
            else (DATA_DIR / rel).read_text(encoding="utf-8")
        )
        assert committed_text == text, (
            f"data/{rel} differs from what rarekg derive-tables derives: rerun it"
        )
    folders = {rel.split("/", 1)[0] for rel in derived}
    committed = {str(p.relative_to(DATA_DIR)) for f in folders for p in (DATA_DIR / f).iterdir()}
    assert committed == set(derived), "a derived folder holds a table derive-tables does not make"


def test_every_orpha_mapping_the_references_give(store_dir: Path) -> None:
    store = _store(store_dir)
    links = _csv("lists/orpha_links.csv")
    assert len(links) == 149
    # a reviewed relation replaces the exact match a link states (1/35: broader ORPHA:79201)
    reviewed = {(r["list"], r["no"], r["orpha"]) for r in _csv("reviews/orpha_relations.csv")}
    exact = [r for r in links if (r["list"], r["no"], r["orpha"]) not in reviewed]
    assert len(exact) == 148
    assert _count(
        store,
        "china-list-aliases",
        """?d skos:exactMatch ?o ; rk:orphaCode ?code .
        FILTER STRSTARTS(STR(?o), "http://www.orpha.net/ORDO/")""",
        "?d",
    ) == len(exact)
    mapping = _csv("lists/ccrd_orpha_mapping.csv")
    assert len(mapping) == 197
    assert _count(
        store,
        "ccrd-orpha-mapping",
        """?d ?match ?o .
        VALUES ?match { skos:exactMatch skos:broadMatch skos:narrowMatch }
        FILTER STRSTARTS(STR(?o), "http://www.orpha.net/ORDO/")""",
        "?d ?match ?o",
    ) == len(mapping)
    omim = _csv("lists/ccrd_omim_mapping.csv")
    assert len(omim) == 45
    assert (
        _count(
            store,
            "ccrd-omim-mapping",
            """?d ?match ?o .
        FILTER STRSTARTS(STR(?o), "https://omim.org/entry/")""",
            "?d ?match ?o",
        )
        == 45
    )
    phenotypes = {
        (r["entry"], r["subtype"], t) for r in _csv("lists/ccrd_hpo.csv") for t in r["hpo"].split()
    }
    assert _count(store, "ccrd-hpo", "?d rk:hasPhenotype ?p", "?d ?p") == len(phenotypes)


def test_every_fda_row(store_dir: Path) -> None:
    store = _store(store_dir)
    rows = _csv("fda/fda_orphan_approvals.csv")
    assert len(rows) == 1057
    # two rows of the export are byte-identical: the same approval, stated twice
    distinct = {tuple(r.values()) for r in rows}
    assert len(distinct) == 1056
    assert _count(
        store,
        "fda-orphan-approvals",
        "?s rk:statusType dt:marketing-approval ; rk:jurisdiction 'US'",
    ) == len(distinct)
    assert _count(
        store,
        "fda-orphan-approvals",
        "?s rk:statusType dt:orphan-designation ; rk:sourceRecord ?key",
        "?key",
    ) == len({r["CF Grid Key"] for r in rows})
    withdrawn = [r for r in rows if r["Orphan Designation Status"].endswith("/Withdrawn")]
    assert (
        _count(store, "fda-orphan-approvals", "?s rk:statusType dt:withdrawal")
        == len(withdrawn)
        == 6
    )


def test_every_china_drug_with_all_its_evidence(store_dir: Path) -> None:
    store = _store(store_dir)
    data = _json("nmpa/china_rare_drug_approvals.json")
    assert len(data["drugs"]) == 150
    # 150 records, 143 substances (kg.drugs): tafamidis (氯苯唑酸葡胺, 氯苯唑酸软胶囊), sapropterin,
    # rilonacept, dinutuximab beta and somatropin each have a Chinese and a CDE English record,
    # edaravone two Chinese ones (依达拉奉注射液; 依达拉奉氯化钠注射液: edaravone in saline), and
    # fitusiran two (芬妥司兰钠注射液; the CDE report's misprint 芬妥司兰纳注射液: reviewed rows)
    assert _count(store, "china-drug-approvals", "?s a rk:Drug") == 143
    quotes = {e["what"] for d in data["drugs"] for e in d["evidence"]}
    in_graph = {
        r[0].value
        for r in store.query(
            PREFIXES
            + f"""SELECT DISTINCT ?q WHERE {{
        GRAPH <{GRAPH}china-drug-approvals> {{ ?e a rk:Evidence ; rk:evidenceQuote ?q ;
            prov:wasDerivedFrom ?doc }} }}"""
        )
    }  # type: ignore[index,union-attr]
    assert in_graph == quotes
    assert sum(1 for d in data["drugs"] if d["approval"]) == 128
    ident = DrugIdentity.read(DATA_DIR / "drugs" / "drug_identity.csv")
    approved = len(
        {
            ident.drug(d["inn"], d["drug_zh"], *(d.get("names_zh") or []))
            for d in data["drugs"]
            if d["approval"]
        }
    )
    # tafamidis (氯苯唑酸葡胺, 氯苯唑酸软胶囊) and fitusiran (芬妥司兰纳, 芬妥司兰钠) are each
    # approved in two records
    assert approved == 126
    assert (
        _count(
            store,
            "china-drug-approvals",
            """?d a rk:Drug ; rk:hasRegulatoryStatus ?s .
        ?s rk:statusType dt:marketing-approval""",
            "?d",
        )
        >= approved
    )
    cited = data["provenance"]["sources"]
    assert (
        _count(
            store,
            "sources",
            "?s a rk:SourceDocument ; rdfs:comment ?c . FILTER "
            "CONTAINS(?c, 'cited by zebra-china-drug-approvals-1')",
        )
        == len(cited)
        == 53
    )
    # VAT lists and their follow-up, CDE urgent lists, annual reports: policies
    policies = [k for k in cited if not k.startswith("nmpa_news")]
    assert (
        _count(store, "china-drug-approvals", "?s a rk:Policy, schema:Legislation")
        == len(policies)
        == 14
    )


def test_every_network_hospital(store_dir: Path) -> None:
    store = _store(store_dir)
    hospitals = _json("hospitals/china_rare_network_hospitals.json")["hospitals"]
    assert len(hospitals) == 447
    g = "china-rare-disease-network"
    assert _count(store, g, "?s a rk:Hospital, schema:Hospital ; rk:location ?p") == 447
    assert _count(store, g, "?s rk:memberOf rkid:org\\/cn-rare-disease-network") == 419
    assert _count(store, g, "?s a rk:Membership ; rk:asOf '2024-02-28'^^xsd:date") == 419
    assert _count(store, g, "?s a rk:Membership ; rk:asOf '2019-02-12'^^xsd:date") == 324
    assert _count(store, g, "?s org:role nr:provincial-lead ; rk:asOf '2024-02-28'^^xsd:date") == 32


def test_the_ema_sample_the_fixture_trials_and_the_orphadata_cross_references(
    store_dir: Path,
) -> None:
    store = _store(store_dir)
    assert len(_json("ema/ema_orphan_designations.json")["data"]) == 17
    assert (
        _count(
            store,
            "ema-orphan-designations",
            "?s rk:statusType dt:orphan-designation ; rk:jurisdiction 'EU'",
        )
        == 17
    )
    assert len(_json("ctgov/ctgov_sma_china.json")["studies"]) == 8
    assert _count(store, "ctgov-trials", "?s a rk:ClinicalTrial") == 8
    references = _json("orphadata/orphadata-cross-33069-en.json")["data"]["results"][
        "ExternalReference"
    ]
    assert (
        _count(store, "orphadata", "rkid:disease\\/orpha-33069 rk:hasMapping ?m", "?m")
        == len(references)
        == 9
    )
    assert _count(store, "orphadata", "rkid:disease\\/orpha-33069 rk:hasPrevalence ?p", "?p") == 2


def test_every_node_of_the_upstream_graphs_has_provenance(store_dir: Path) -> None:
    store = _store(store_dir)
    for graph in (
        "ccrd-omim-mapping",
        "ccrd-hpo",
        "orphadata",
        "china-drug-approvals",
        "china-rare-disease-network",
        "fda-orphan-approvals",
        "ema-orphan-designations",
        "ctgov-trials",
        "orphanet",
        "orphanet-phenotypes",
        "orphanet-rd-code",
    ):
        assert _count(store, graph, "?s a ?c") > 0, graph
        orphans = _count(
            store,
            graph,
            """?s a ?c . FILTER NOT EXISTS {
            GRAPH ?g1 { ?s prov:wasDerivedFrom ?doc } GRAPH ?g2 { ?doc a rk:SourceDocument } }""",
        )
        assert orphans == 0, f"{graph}: {orphans} nodes without a source document"


def test_void_counts_every_source(store_dir: Path, built: BuildReport) -> None:
    store = _store(store_dir)
    described = {
        r[0].value: int(r[1].value)
        for r in store.query(  # type: ignore[index,union-attr]
            PREFIXES
            + """PREFIX void: <http://rdfs.org/ns/void#> SELECT ?g ?n WHERE {
        GRAPH <https://w3id.org/rarekg/graph/void> {
            <https://w3id.org/rarekg/id/dataset/rarekg> void:subset ?g . ?g void:triples ?n } }"""
        )
    }
    for name in (
        "orphadata",
        "china-drug-approvals",
        "china-rare-disease-network",
        "fda-orphan-approvals",
        "ema-orphan-designations",
        "ctgov-trials",
        "ccrd-omim-mapping",
        "ccrd-hpo",
        "orphanet",
        "orphanet-phenotypes",
        "orphanet-rd-code",
        "orphanet-zh",
        "mondo",
        "hpo",
        "hpo-zh",
        "gard",
    ):
        assert described[GRAPH + name] == built.triples[GRAPH + name] > 0


def test_build_with_own_downloads_adds_a_graph_for_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_dir = tmp_path / "store"
    assert (
        main(
            [
                "build",
                "--store",
                str(store_dir),
                "--source",
                f"ctgov={UPSTREAM / 'ctgov_page.json'}",
                "--source",
                f"ema={UPSTREAM / 'ema.json'}",
            ]
        )
        == 0
    )
    store = _store(store_dir)
    ctgov, ema = "download-ctgov-ctgov-page", "download-ema-ema"
    # linked to the default graph's drug (one per substance: the FDA, EMA, EPAR, NMPA and NRDL
    # records of nusinersen are one drug), and by the linking phase to its diseases
    assert _count(store, ctgov, "rkid:trial\\/NCT10000001 rk:testsDrug rkid:drug\\/nusinersen") == 1
    assert (
        _count(
            store,
            "disease-links",
            "rkid:trial\\/NCT10000001 schema:healthCondition rkid:disease\\/cn1-110",
        )
        == 1
    )
    assert (
        _count(store, ctgov, f"rkid:source\\/{ctgov} a rk:SourceDocument ; rk:asOf ?d", "?d") == 1
    )
    assert (
        _count(
            store,
            ema,
            f"?s rk:statusType dt:orphan-designation ; prov:wasDerivedFrom rkid:source\\/{ema}",
        )
        == 3
    )
    void = {
        r[0].value
        for r in store.query(  # type: ignore[index,union-attr]
            "SELECT ?g WHERE { GRAPH <https://w3id.org/rarekg/graph/void> { "
            "<https://w3id.org/rarekg/id/dataset/rarekg> <http://rdfs.org/ns/void#subset> ?g . "
            "?g <http://rdfs.org/ns/void#triples> ?n FILTER (?n > 0) } }"
        )
    }
    assert {GRAPH + ctgov, GRAPH + ema, GRAPH + "ctgov-trials"} <= void
    out = capsys.readouterr().out
    assert GRAPH + ctgov in out


def test_build_refuses_an_unknown_download_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "--store", str(tmp_path / "s"), "--source", "pdf=report.pdf"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "rarekg build: --source 'pdf=report.pdf': unknown format 'pdf' "
        "(one of ctgov, orphadata, fda, ema, nmpa, hospitals)"
    ]
    assert not (tmp_path / "s").exists()
