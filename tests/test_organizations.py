"""The organization layer: the loader of ``data/organizations/`` on small inputs of its own, its
SHACL shapes, and the organizations of the built default graph (every statement sourced and
quoted)."""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import Quad, RdfFormat, Store, serialize

from kg.errors import LoadError
from kg.paths import DATA_DIR, ONTOLOGY_DIR
from kg.shapes import validate_graph
from loaders import lists, organizations
from tests.examples import rows_of

DATA = Path(__file__).parent / "data"
ORGS = DATA / "organizations"
SEEDS = DATA / "seeds" / "organizations.csv"
ID = "https://w3id.org/rarekg/id/"
PREFIXES = """
PREFIX rk: <https://w3id.org/rarekg/vocab#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX void: <http://rdfs.org/ns/void#>
"""
GRAPH = "https://w3id.org/rarekg/graph/organizations"


def store_of(quads: Iterable[Quad]) -> Store:
    store = Store()
    store.extend(list(quads))
    return store


def ask(store: Store, where: str) -> bool:
    return bool(store.query(PREFIXES + f"ASK {{ GRAPH <{GRAPH}> {{ {where} }} }}"))


def load_good() -> list[Quad]:
    return list(organizations.load(ORGS / "good", SEEDS))


def doc(url: str) -> str:
    return f"{ID}source/web-{hashlib.sha1(url.encode()).hexdigest()[:12]}"


# ---------------------------------------------------------------- the loader on small inputs


def test_loader_states_each_fact_with_its_source_and_quote() -> None:
    store = store_of(load_good())
    paper = doc("https://example.org/paper")
    assert ask(
        store,
        f"""
        <{ID}org/oi-group> a rk:PatientOrganization, rk:Organization, schema:NGO ;
            skos:prefLabel "OI Group"@en, "脆骨病小组"@zh ; rdfs:label "OI Group"@en ;
            rk:country "CN" ;
            rk:organizationType <https://w3id.org/rarekg/vocab/organization-type/disease-specific> ;
            rk:servesDisease <{ID}disease/cn1-086>, <{ID}disease/orpha-558> ;
            rk:servesDiseaseText "brittle bones"@en ;
            schema:foundingDate "2008"^^xsd:gYear ; rk:location "Beijing" ;
            rk:registrationStatus
                <https://w3id.org/rarekg/vocab/registration-status/hosted-by-another-body> ;
            rk:hostedBy <{ID}org/host-foundation> ;
            rk:activityType <https://w3id.org/rarekg/vocab/activity-type/meetups> ;
            schema:url "https://oi.example.org/"^^xsd:anyURI .
        <{ID}org/host-foundation> a rk:Foundation .""",
    )
    # the disease served, with the source document and the verbatim quote that state it
    assert ask(
        store,
        f"""
        <{ID}org/oi-group> rk:hasEvidence ?ev .
        ?ev a rk:Evidence ; rdf:subject <{ID}org/oi-group> ; rdf:predicate rk:servesDisease ;
            rdf:object <{ID}disease/cn1-086> ; prov:wasDerivedFrom <{paper}> ;
            rk:evidenceQuote "the OI Group serves people with osteogenesis imperfecta"@en .
        <{paper}> a rk:SourceDocument ; dct:title "A paper about patient groups"@en ;
            schema:url "https://example.org/paper"^^xsd:anyURI ; dct:publisher "Example Journal" ;
            dct:issued "2020-10-13"^^xsd:date ; rk:asOf "2026-11-24"^^xsd:date .""",
    )
    # quotes keep the language of their source
    assert ask(
        store,
        "?ev rdf:object <https://w3id.org/rarekg/vocab/registration-status/"
        'hosted-by-another-body> ; rk:evidenceQuote "该小组挂靠在基金会下"@zh .',
    )
    # an ORPHA reference makes a disease known only by its code
    assert ask(store, f'<{ID}disease/orpha-558> a rk:RareDisease ; rk:orphaCode "558" .')


def test_same_as_attaches_facts_to_the_seed_organization() -> None:
    store = store_of(load_good())
    seed = f"{ID}org/oi-care"
    # the seed row names it in English already: the file's English name is an alternative name
    assert ask(store, f'<{seed}> skos:altLabel "OI Care"@en ; rk:partnerOf <{ID}org/oi-group> .')
    assert not ask(store, f"<{ID}org/oi-care-more> ?p ?o .")
    assert not ask(store, f"<{seed}> skos:prefLabel ?name .")


def test_loader_is_deterministic_and_mints_one_document_per_url() -> None:
    first = sorted(str(q) for q in load_good())
    assert first == sorted(str(q) for q in load_good())
    store = store_of(load_good())
    news = doc("https://example.org/news")
    titles = list(
        store.query(PREFIXES + f"SELECT ?t WHERE {{ GRAPH <{GRAPH}> {{ <{news}> dct:title ?t }} }}")
    )
    assert len(titles) == 1  # cited by three files, described once
    assert organizations.documents(ORGS / "good") == tuple(
        sorted(
            doc(u).rsplit("/", 1)[-1]
            for u in ("https://example.org/paper", "https://example.org/news")
        )
    )


@pytest.mark.parametrize(
    ("folder", "file", "record", "field", "message"),
    [
        ("missing-quote", "no-quote.toml", 2, "quote", "required"),
        ("missing-source", "no-source.toml", 2, "source", "required"),
        ("bad-disease", "bad-disease.toml", 2, "value", "list 1 has entries 1 to 121"),
        ("bad-status", "bad-status.toml", 2, "value", "is not one of"),
    ],
)
def test_loader_errors_name_file_statement_and_field(
    folder: str, file: str, record: int, field: str, message: str
) -> None:
    with pytest.raises(LoadError) as err:
        list(organizations.load(ORGS / folder, SEEDS))
    assert (err.value.file, err.value.record, err.value.field) == (file, record, field)
    assert message in str(err.value)


def test_loader_errors_on_unknown_source_key_link_and_same_as(tmp_path: Path) -> None:
    good = (ORGS / "good" / "host-foundation.toml").read_text(encoding="utf-8")
    cases = {
        'source = "news"\nquote': ('source = "elsewhere"\nquote', 1, "source"),
        '[[statement]]\nproperty = "name"': (
            '[[statement]]\nproperty = "memberOf"\nvalue = "nobody"\nsource = "news"\n'
            'quote = "member of nobody"\n\n[[statement]]\nproperty = "name"',
            1,
            "value",
        ),
        'class = "Foundation"': ('class = "Foundation"\nsame_as = "not-a-seed"', 0, "same_as"),
        'lang = "zh"': ('lang = "chinese"', 1, "lang"),
    }
    for old, (new, record, field) in cases.items():
        folder = tmp_path / field / str(record)
        folder.mkdir(parents=True)
        (folder / "host-foundation.toml").write_text(good.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(LoadError) as err:
            list(organizations.load(folder, SEEDS))
        assert (err.value.record, err.value.field) == (record, field), str(err.value)


def test_loader_rejects_invalid_toml_and_a_file_named_differently(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text('id = "broken"\n[[statement]\n', encoding="utf-8")
    with pytest.raises(LoadError, match="not valid TOML"):
        list(organizations.load(tmp_path))
    (tmp_path / "broken.toml").unlink()
    good = (ORGS / "good" / "host-foundation.toml").read_text(encoding="utf-8")
    (tmp_path / "other-name.toml").write_text(good, encoding="utf-8")
    with pytest.raises(LoadError, match="differs from the file name"):
        list(organizations.load(tmp_path))


# ---------------------------------------------------------------- the SHACL shapes


def _graph(quads: Iterable[Quad]) -> rdflib.Graph:
    graph = rdflib.Graph()
    data = serialize([q.triple for q in quads], format=RdfFormat.N_TRIPLES)
    graph.parse(data=data, format="nt")
    for name in ("rarekg.ttl", "schemes.ttl"):
        graph.parse(ONTOLOGY_DIR / name, format="turtle")
    return graph


def _violations(graph: rdflib.Graph) -> list[str]:
    shapes = ONTOLOGY_DIR / "shapes-organizations.ttl"
    return [str(f) for f in validate_graph(graph, shapes) if f.severity == "Violation"]


def test_shapes_accept_the_loader_output() -> None:
    graph = _graph([*load_good(), *lists.load(DATA / "lists")])
    assert _violations(graph) == []


def test_shapes_reject_unquoted_statements_unknown_diseases_and_statuses() -> None:
    graph = _graph([*load_good(), *lists.load(DATA / "lists")])
    rk = rdflib.Namespace("https://w3id.org/rarekg/vocab#")
    org = rdflib.URIRef(f"{ID}org/oi-group")
    graph.add((org, rk.location, rdflib.Literal("Shanghai")))  # no evidence node
    graph.add((org, rk.servesDisease, rdflib.URIRef(f"{ID}disease/cn1-999")))
    graph.add(
        (
            org,
            rk.registrationStatus,
            rdflib.URIRef("https://w3id.org/rarekg/vocab/registration-status/other"),
        )
    )
    ev = next(graph.subjects(rdflib.RDF.subject, org))
    graph.remove((ev, rk.evidenceQuote, None))
    found = "\n".join(_violations(graph))
    assert "stated without a source and quote" in found
    assert "resolve to a disease of the graph" in found
    assert "registration-status scheme" in found
    assert "has the quote" in found


# ---------------------------------------------------------------- the curated files


def test_every_curated_file_is_named_by_its_id_and_cites_its_own_sources() -> None:
    folder = DATA_DIR / "organizations"
    files = sorted(folder.glob("*.toml"))
    assert files
    for path in files:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert data["id"] == path.stem
        for st in data["statement"]:
            assert st["source"] in data["sources"], (path.name, st)
            assert 3 <= len(st["quote"]) <= organizations.MAX_QUOTE, (path.name, st)
        for table in data["sources"].values():
            # the two curation rounds so far (issue 7 and issue 18)
            assert table["accessed"] in {"2026-11-24", "2026-12-06"}, (path.name, table)


# ---------------------------------------------------------------- the default graph


def test_every_organization_statement_has_a_source_and_a_quote(store_dir: Path) -> None:
    rows = rows_of(
        store_dir,
        PREFIXES
        + f"""
        SELECT ?s ?p ?o WHERE {{ ?s a rk:Organization . GRAPH <{GRAPH}> {{
            ?s ?p ?o .
            FILTER (?p IN (rk:servesDisease, rk:servesDiseaseText, rk:registrationStatus,
                           rk:activityType, rk:fundingSourceType, rk:memberOf, rk:partnerOf,
                           rk:supportedBy, rk:hostedBy, rk:registeredWith,
                           rk:organizationType, rk:location,
                           schema:foundingDate, schema:url, schema:description,
                           skos:prefLabel, skos:altLabel))
            FILTER NOT EXISTS {{
                ?s rk:hasEvidence ?ev .
                ?ev rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                    prov:wasDerivedFrom ?doc ; rk:evidenceQuote ?quote .
                ?doc a rk:SourceDocument ; schema:url ?url ; dct:title ?title ; rk:asOf ?read .
                FILTER (STRLEN(?quote) >= 3)
            }} }} }}""",
    )
    assert rows == []
    unquoted = rows_of(
        store_dir,
        PREFIXES
        + f"""
        SELECT ?ev WHERE {{ GRAPH <{GRAPH}> {{ ?ev a rk:Evidence .
            FILTER NOT EXISTS {{ ?ev rk:evidenceQuote ?q ; prov:wasDerivedFrom ?d }} }} }}""",
    )
    assert unquoted == []


def test_the_oi_organization_founded_by_patients_in_beijing_serves_list_1_entry_86(
    store_dir: Path,
) -> None:
    rows = rows_of(
        store_dir,
        PREFIXES
        + f"""
        SELECT ?quote ?url WHERE {{
            <{ID}org/beijing-porcelain-doll-rare-disease-care-center> a rk:PatientOrganization ;
                rk:servesDisease <{ID}disease/cn1-086> ; rk:location "Beijing" ;
                schema:foundingDate "2008"^^xsd:gYear ; rk:hasEvidence ?ev .
            ?ev rdf:predicate rk:servesDisease ; rdf:object <{ID}disease/cn1-086> ;
                rk:evidenceQuote ?quote ; prov:wasDerivedFrom ?doc .
            ?doc schema:url ?url .
        }}""",
    )
    assert rows
    assert any("founded by patients" in r["quote"] and "OI" in r["quote"] for r in rows)


def test_default_graph_knows_at_least_80_patient_organizations(store_dir: Path) -> None:
    rows = rows_of(
        store_dir,
        PREFIXES
        + """
        SELECT (COUNT(DISTINCT ?org) AS ?n) WHERE { ?org a rk:PatientOrganization }""",
    )
    assert int(rows[0]["n"]) >= 80


def test_patient_organizations_serve_at_least_40_listed_diseases(store_dir: Path) -> None:
    rows = rows_of(
        store_dir,
        PREFIXES
        + """
        SELECT (COUNT(DISTINCT ?disease) AS ?n) WHERE {
            ?org a rk:PatientOrganization ; rk:servesDisease ?disease .
            ?entry a rk:ListEntry ; rk:entryOf ?disease . }""",
    )
    assert int(rows[0]["n"]) >= 40


def test_void_counts_the_organizations_graph_and_its_sources(store_dir: Path) -> None:
    rows = rows_of(
        store_dir,
        PREFIXES
        + f"""
        SELECT (COUNT(DISTINCT ?doc) AS ?docs) ?issued WHERE {{
            <{GRAPH}> a void:Dataset ; dct:source ?doc ; dct:issued ?issued . }}
        GROUP BY ?issued""",
    )
    urls = {
        t["url"]
        for p in (DATA_DIR / "organizations").glob("*.toml")
        for t in tomllib.loads(p.read_text(encoding="utf-8"))["sources"].values()
    }
    latest = max(
        t["accessed"]
        for p in (DATA_DIR / "organizations").glob("*.toml")
        for t in tomllib.loads(p.read_text(encoding="utf-8"))["sources"].values()
    )
    assert rows == [{"docs": str(len(urls)), "issued": latest}]
