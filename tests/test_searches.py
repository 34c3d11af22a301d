"""Documented searches for patient organizations: the loader of ``data/searches/`` on small inputs
of its own, the build's check that organization records are not duplicated, and, on the built
default graph, that every disease of question 1 says what was looked for (questions 1 and 23 and the
disease page)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from pyoxigraph import Store

from kg.build.consistency import check_organizations, normalize
from kg.errors import BuildError, LoadError
from kg.paths import DATA_DIR
from loaders import organizations, searches
from tests.examples import run_example

DATA = Path(__file__).parent / "data"
ORGS = DATA / "organizations"
SEEDS = DATA / "seeds" / "organizations.csv"
TABLE = DATA / "searches" / "searches.csv"
ID = "https://w3id.org/rarekg/id/"
HTML = {"Accept": "text/html"}
PREFIXES = """
PREFIX rk: <https://w3id.org/rarekg/vocab#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def loaded(table: Path = TABLE) -> Store:
    store = Store()
    store.extend(list(searches.load(table, ORGS / "good")))
    return store


def ask(store: Store, where: str) -> bool:
    graph = f"https://w3id.org/rarekg/graph/{searches.GRAPH}"
    return bool(store.query(PREFIXES + f"ASK {{ GRAPH <{graph}> {{ {where} }} }}"))


def with_row(tmp_path: Path, **changes: str) -> Path:
    """The fixture table with its first row changed."""
    with TABLE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[0].update(changes)
    path = tmp_path / "searches.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


# ---------------------------------------------------------------- the loader on small inputs


def test_a_search_names_disease_queries_date_outcome_and_organizations_found() -> None:
    store = loaded()
    assert ask(
        store,
        f"""
        <{ID}search/s-cn1-086-1> a rk:DiseaseSearch, prov:Activity ;
            rk:searchedFor <{ID}disease/cn1-086> ;
            prov:endedAtTime "2026-12-06"^^xsd:date ;
            rk:searchQuery "成骨不全症 病友会 瓷娃娃", "osteogenesis imperfecta patient organization" ;
            rk:searchedCollection "full-text index of stored public web pages"@en ;
            rk:searchOutcome <https://w3id.org/rarekg/vocab/search-outcome/found> ;
            prov:generated <{ID}org/oi-group> ;
            rk:rejectedCandidate "OI Foundation [not-patient-org]: the page says it funds research and does not say patients run it" .""",  # noqa: E501
    )
    # a file that adds to a seed organization generated the seed's IRI, not one of its own
    assert ask(store, f"<{ID}search/s-cn1-086-1> prov:generated <{ID}org/oi-care> .")
    assert not ask(store, f"?s prov:generated <{ID}org/oi-care-more> .")
    # the label says when and what came of it, in English and Chinese
    assert ask(
        store,
        f'<{ID}search/s-cn1-024-1> rdfs:label "Search s-cn1-024-1 of 2026-12-06: nothing found"@en,'
        ' "检索 s-cn1-024-1（2026-12-06）：未找到"@zh .',
    )
    # rejected candidates are kept as written, markup and all (the pages escape them)
    assert ask(
        store,
        f"<{ID}search/s-cn2-053-1> rk:rejectedCandidate ?c . "
        'FILTER (STRSTARTS(?c, "<b>Kids</b> & Co"))',
    )
    assert not ask(store, f"<{ID}search/s-cn2-053-1> prov:generated ?org .")


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"result": "maybe"}, "result", "is not one of"),
        ({"found": "no-such-group"}, "found", "no-such-group"),
        ({"found": ""}, "found", "exactly when the result is 'found'"),
        ({"disease": "CN1:87"}, "disease", "does not match the id"),
        ({"id": "search-86"}, "id", "s-cn1-086-1"),
        ({"searched_on": "6 December"}, "searched_on", "6 December"),
        ({"candidates": "OI Foundation [too-small]: no"}, "candidates", "too-small"),
        ({"candidates": "OI Foundation, no reason given"}, "candidates", "name [reason]: detail"),
        ({"queries": " | "}, "queries", "at least one query"),
    ],
)
def test_malformed_rows_name_file_record_and_field(
    tmp_path: Path, changes: dict[str, str], field: str, words: str
) -> None:
    with pytest.raises(LoadError) as info:
        loaded(with_row(tmp_path, **changes))
    assert info.value.file == "searches.csv"
    assert info.value.record == 1
    assert info.value.field == field
    assert words in str(info.value)


def test_the_project_table_loads_and_every_row_is_a_list_disease() -> None:
    quads = list(searches.load(DATA_DIR / "searches" / "searches.csv", DATA_DIR / "organizations"))
    assert quads
    with (DATA_DIR / "searches" / "searches.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["searched_on"] for r in rows} == {"2026-12-06"}

    # every disease searched was searched with at least one Chinese and one English query
    def chinese(q: str) -> bool:
        return any("\u4e00" <= ch <= "\u9fff" for ch in q)

    queries: dict[str, list[str]] = {}
    for r in rows:
        queries.setdefault(r["disease"], []).extend(r["queries"].split(" | "))
    for disease, qs in queries.items():
        assert any(chinese(q) for q in qs), f"{disease}: no Chinese query"
        assert any(not chinese(q) for q in qs), f"{disease}: no English query"


# ---------------------------------------------------------------- one organization, one record


def test_names_that_differ_only_in_case_width_and_spaces_stop_the_build(tmp_path: Path) -> None:
    assert normalize("ｃｏｒｄ　 Care") == normalize("CORD care") == "cordcare"
    with pytest.raises(BuildError) as info:
        check_organizations(ORGS / "consistency" / "clash", SEEDS)
    message = str(info.value)
    assert "alpha-group.toml" in message and "beta-group.toml" in message
    assert "'CORD Care'" in message
    # declared distinct with a reason, the pair passes
    folder = tmp_path / "clash"
    shutil.copytree(ORGS / "consistency" / "clash", folder)
    (folder / "distinct.csv").write_text(
        "id_a,id_b,reason\nalpha-group,beta-group,two groups of different cities share a name\n",
        encoding="utf-8",
    )
    check_organizations(folder, SEEDS)
    # a reason is required
    (folder / "distinct.csv").write_text("id_a,id_b,reason\nalpha-group,beta-group,\n")
    with pytest.raises(BuildError, match="needs id_a, id_b and a reason"):
        check_organizations(folder, SEEDS)


def test_a_name_shared_with_a_seed_row_stops_the_build_unless_attached(tmp_path: Path) -> None:
    folder = tmp_path / "orgs"
    folder.mkdir()
    text = (ORGS / "consistency" / "claim" / "delta-center.toml").read_text(encoding="utf-8")
    (folder / "delta-center.toml").write_text(text.replace("德尔塔关爱中心", "瓷娃娃关怀中心"))
    with pytest.raises(BuildError, match=r"organizations.csv line 2 \(oi-care\).*瓷娃娃关怀中心"):
        check_organizations(folder, SEEDS)
    # the same file attached to the seed (same_as) describes the seed: no conflict
    (folder / "delta-center.toml").write_text(
        text.replace("德尔塔关爱中心", "瓷娃娃关怀中心").replace(
            'class = "PatientOrganization"', 'same_as = "oi-care"'
        )
    )
    check_organizations(folder, SEEDS)


def test_a_source_saying_two_records_are_one_stops_the_build() -> None:
    with pytest.raises(BuildError) as info:
        check_organizations(ORGS / "consistency" / "claim", SEEDS)
    message = str(info.value)
    assert "gamma-group.toml" in message and "delta-center.toml" in message
    assert "cites a source saying it is the same" in message
    # the loader itself keeps the claim as a sourced statement
    quads = list(organizations.load(ORGS / "consistency" / "claim", SEEDS))
    assert any(q.predicate.value.endswith("exactMatch") for q in quads)


def test_the_project_records_have_no_unmerged_duplicates() -> None:
    check_organizations(DATA_DIR / "organizations", DATA_DIR / "seeds" / "organizations.csv")


# ---------------------------------------------------------------- the built default graph


def test_every_disease_of_question_1_has_a_documented_search(store_dir: Path) -> None:
    rows = run_example(store_dir, "q01")
    assert rows
    unsearched = [r["disease"] for r in rows if int(r["searches"]) < 1]
    assert not unsearched, f"no documented search for {unsearched}"
    assert {r["last_searched"] for r in rows} == {"2026-12-06"}


def test_question_23_gives_queries_dates_and_outcomes(store_dir: Path) -> None:
    rows = run_example(store_dir, "q23")
    assert set(rows[0]) >= {"disease", "searched_on", "query", "result"}
    by_search = {r["search"]: r for r in rows}
    pnh = by_search[f"{ID}search/s-cn1-088-1"]
    assert pnh["disease"] == f"{ID}disease/cn1-088"
    assert pnh["result"] == "found"
    assert "paroxysmal nocturnal hemoglobinuria PNH patient support group association" in (
        pnh["query"].split(" | ")
    )
    assert "PNH Patient Group" in pnh["organizations_found"]
    assert pnh["still_without_organization"] == "false"
    ectasia = by_search[f"{ID}search/s-cn1-024-1"]
    assert (ectasia["result"], ectasia["still_without_organization"]) == ("nothing-found", "true")
    arginase = by_search[f"{ID}search/s-cn1-006-1"]
    assert "[no-verbatim-source]" in arginase["candidates_rejected"]


def test_disease_page_shows_the_searches_made_for_it(client: FlaskClient) -> None:
    html = client.get("/id/disease/cn1-024", headers=HTML).get_data(as_text=True)
    assert 'href="/id/search/s-cn1-024-1"' in html
    assert "nothing found" in html
    # the search's own page escapes what a candidate says, as every other value
    page = client.get("/id/search/s-cn1-049-1", headers=HTML).get_data(as_text=True)
    assert "Montreal Children&#39;s Hospital" in page
    assert "Montreal Children's Hospital" not in page
