"""The reference layer from fixtures in the upstream formats: a few ORPHApackets in a tar.gz made
here, the two RD-CODE workbooks (written here with openpyxl, real rows), Orphanet's Chinese names,
Mondo SSSOM lines, HPO stanzas and Chinese labels, GARD rows. Each is derived into tables as
``rarekg derive-tables`` does and loaded into a real Oxigraph store; the tests check the facts."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import tarfile
from pathlib import Path

import openpyxl
import pytest
from pyoxigraph import Store

from kg.build.derive_orphanet import DeriveError, derive_orphanet
from kg.build.derive_reference import derive_reference
from kg.errors import LoadError
from loaders import orphanet, reference
from tests.upstream import UPSTREAM, ask, store_of, values

FIXTURES = UPSTREAM / "reference"
PACKETS = FIXTURES / "orphapackets"


def _tar(folder: Path, target: Path, extra: dict[str, bytes] | None = None) -> None:
    with tarfile.open(target, "w:gz") as tar:
        files = {f"json/{p.name}": p.read_bytes() for p in sorted(folder.glob("*.json"))}
        for name, data in {**files, **(extra or {})}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _workbooks(folder: Path) -> None:
    rd = openpyxl.Workbook()
    rd.active.title = "Read_me"
    active = rd.create_sheet("List_active_alphabethical_order")
    active.append(["ORPHAcode", "Label", "Type of label", "Classification level"])
    for row in [
        ("ORPHA:666", "Osteogenesis imperfecta", "Main name", "Disorder"),
        ("ORPHA:666", "OI", "Synonym", "Disorder"),
        ("ORPHA:558", "Marfan syndrome", "Main name", "Disorder"),
        ("ORPHA:93446", "Primary bone dysplasia with decreased bone density", "Main name",
         "Group of disorders"),
        ("ORPHA:216796", "Osteogenesis imperfecta type 1", "Main name", "Subtype of disorder"),
        ("ORPHA:158008", "Papular xanthoma", "Main name", "Disorder"),
        ("ORPHA:1381", "Cataract-intellectual disability-anal atresia-urinary defects syndrome",
         "Main name", "Disorder"),
        ("ORPHA:1381", "Karandikar-Maria-Kamble syndrome", "Synonym", "Disorder"),
        ("ORPHA:88632", "Anterior segment developmental anomaly", "Main name",
         "Group of disorders"),
    ]:
        active.append(row)
    rd.create_sheet("List_active_by_ORPHAcode")
    old = rd.create_sheet("List_deprecated_obsoleted")
    old.append(["Inactive ORPHAcode ", "Inactive Label", "Type of label", "Classification level",
                "Status", "Target active ORPHAcode", "Target active label"])
    old.append(("ORPHA:77", "OBSOLETE: Aniridia", "Main name", "Group of disorders", "Obsolete",
                "ORPHA:88632", "Anterior segment developmental anomaly"))
    rd.save(folder / "RD-CODE_List_of_rare_diseases_2025_en.xlsx")
    master = openpyxl.Workbook()
    icd10 = master.active
    icd10.title = "ICD10"
    icd10.append(["ORPHAcode", "PreferredTerm", "Synonyms", "ICDcodes"])
    icd10.append(("666", "Osteogenesis imperfecta", None, "Q78.0"))
    icd10.append(("666", "Osteogenesis imperfecta", "OI", None))
    icd10.append(("558", "Marfan syndrome", None, "Q87.4"))
    icd10.append(("1381", "Cataract-intellectual disability-anal atresia-urinary defects syndrome",
                  None, "Q87.8+"))
    icd11 = master.create_sheet("ICD11")
    icd11.append(["ORPHAcode", "PreferredTerm", "Synonyms", "ICD-11 MMS codes", "ICD-11 URI"])
    icd11.append(("666", "Osteogenesis imperfecta", None, "LD24.K0", "1219932551"))
    icd11.append(("1381", "Cataract-intellectual disability-anal atresia-urinary defects syndrome",
                  None, "LD2F.1Y", "N/A"))
    master.save(folder / "RD-CODE_ORPHAnomenclature_MasterFile_en_2025.xlsx")


def make_reference(root: Path) -> Path:
    """A reference folder laid out as /work/shared/data, from the fixtures."""
    (root / "orphanet").mkdir(parents=True)
    _tar(PACKETS, root / "orphanet" / "orphapacket-json.tar.gz")
    _workbooks(root / "orphanet")
    shutil.copy(FIXTURES / "orphanet_zh_names.json", root / "orphanet")
    for folder in ("mondo", "hpo", "gard"):
        shutil.copytree(FIXTURES / folder, root / folder)
    return root


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ref = make_reference(tmp_path_factory.mktemp("reference"))
    data = tmp_path_factory.mktemp("data")
    for rel, content in {**derive_orphanet(ref), **derive_reference(ref)}.items():
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        (data / rel).write_bytes(content)
    return data


@pytest.fixture(scope="module")
def store(tables: Path) -> Store:
    folder = tables / "orphanet"
    return store_of(
        [
            *orphanet.load(folder),
            *orphanet.load_phenotypes(folder),
            *orphanet.load_rd_code(folder),
            *orphanet.load_zh(folder),
            *reference.load_mondo(tables / "mondo"),
            *reference.load_hpo(tables / "hpo"),
            *reference.load_hpo_zh(tables / "hpo"),
            *reference.load_gard(tables / "gard"),
        ]
    )


def _rows(path: Path) -> list[str]:
    return gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()


def test_name_and_hierarchy_tables_have_the_agreed_columns_and_rows(tables: Path) -> None:
    names = _rows(tables / "orphanet" / "orpha_names.csv.gz")
    assert names[0] == "orpha,lang,kind,name"
    assert "666,en,preferred,Osteogenesis imperfecta" in names
    assert "666,en,synonym,Brittle bone disease" in names
    assert "666,zh,preferred,成骨不全" in names
    assert "77,zh,preferred,弃用：无虹膜" in names  # inactive codes keep their names as given
    # the Chinese endpoint's English fallback is not a Chinese name
    assert not any(r.startswith("280794,") for r in names)
    # a code without a packet takes its names from the RD-CODE list
    assert "1381,en,synonym,Karandikar-Maria-Kamble syndrome" in names
    entities = _rows(tables / "orphanet" / "orpha_entities.csv.gz")
    assert entities[0] == "orpha,type,status"
    assert {"666,Disease,active", "216796,Clinical subtype,active", "93446,Category,active",
            "77,,Obsolete", "1381,,active"} <= set(entities)
    parents = _rows(tables / "orphanet" / "orpha_parents.csv.gz")
    assert parents[0] == "orpha,parent"
    assert {"666,93446", "216796,666"} <= set(parents)
    assert parents[1:] == sorted(parents[1:], key=lambda r: tuple(int(v) for v in r.split(",")))


def test_tables_are_deterministic_bytes(tables: Path, tmp_path: Path) -> None:
    ref = make_reference(tmp_path / "again")
    again = derive_orphanet(ref)
    for rel, content in again.items():
        assert (tables / rel).read_bytes() == content, rel
    assert again["orphanet/orpha_names.csv.gz"][4:8] == b"\0\0\0\0"  # gzip mtime 0


def test_orpha_entity_has_names_codes_parents_and_traits(store: Store) -> None:
    assert ask(
        store,
        """rkid:disease\\/orpha-666 a rk:RareDisease, schema:MedicalCondition, skos:Concept ;
        rk:orphaCode "666" ; skos:exactMatch <http://www.orpha.net/ORDO/Orphanet_666> ;
        skos:prefLabel "Osteogenesis imperfecta"@en ; skos:altLabel "Lobstein disease"@en ;
        rk:disorderType "Disease"@en ; skos:broader rkid:disease\\/orpha-93446 ;
        rk:inheritance "Autosomal recessive"@en ; rk:ageOfOnset "All ages"@en ;
        skos:narrowMatch <https://omim.org/entry/610682> ;
        prov:wasDerivedFrom rkid:source\\/orphanet-orphapackets-2025-12 .
        ?d skos:definition ?def . FILTER (?d = rkid:disease\\/orpha-666 &&
                                          STRSTARTS(?def, "A rare genetic primary bone"))""",
        "orphanet",
    )
    assert ask(store, 'rkid:disease\\/orpha-666 skos:prefLabel "成骨不全"@zh', "orphanet-zh")
    # a classification head the packets name only as a parent is a disease group with its name
    assert ask(
        store,
        """rkid:disease\\/orpha-558 skos:broader rkid:disease\\/orpha-519292 .
        rkid:disease\\/orpha-519292 a rk:RareDisease ;
            skos:prefLabel "Syndromic ectopia lentis"@en .""",
        "orphanet",
    )
    # a subtype walks up to its parent
    assert ask(store, "rkid:disease\\/orpha-216796 skos:broader rkid:disease\\/orpha-666",
               "orphanet")


def test_omim_reference_keeps_its_relation_as_a_mapping_node(store: Store) -> None:
    assert ask(
        store,
        """rkid:disease\\/orpha-216796 skos:exactMatch <https://omim.org/entry/166200> ;
        rk:hasMapping ?m . ?m a rk:Mapping ; rdf:predicate skos:exactMatch ;
        rdf:object <https://omim.org/entry/166200> ; rk:mappingRelation om:E ;
        rk:terminology "OMIM" ; skos:notation "166200" ;
        prov:wasDerivedFrom rkid:source\\/orphanet-orphapackets-2025-12 .""",
        "orphanet",
    )


def test_gene_association_has_gene_hgnc_and_type(store: Store) -> None:
    assert ask(
        store,
        """rkid:disease\\/orpha-216796 rk:associatedGene rkid:gene\\/hgnc-2197 ;
        rk:hasGeneAssociation ?a .
        ?a a rk:GeneAssociation ; rk:gene rkid:gene\\/hgnc-2197 ;
           rk:associationType "Disease-causing germline mutation(s) in"@en .
        rkid:gene\\/hgnc-2197 a rk:Gene ; rdfs:label "COL1A1" ; rk:hgncId "2197" ;
           schema:name "collagen type I alpha 1 chain"@en ;
           skos:exactMatch <https://identifiers.org/hgnc:2197>, <https://omim.org/entry/120150> .
        rkid:gene\\/hgnc-15455 ^rk:gene/rk:associationType
            "Disease-causing germline mutation(s) (loss of function) in"@en .""",
        "orphanet",
    )


def test_prevalence_keeps_type_class_geography_and_cited_pmid(store: Store) -> None:
    assert ask(
        store,
        """rkid:disease\\/orpha-666 rk:hasPrevalence ?p .
        ?p a rk:PrevalenceEstimate ; rk:prevalenceType "Prevalence at birth" ;
           rk:prevalenceClass "1-9 / 100 000" ; rk:geography "France" ;
           rk:prevalenceQualification "Value and class" ; rk:sourceCitation "2785882[PMID]" ;
           dct:source <https://pubmed.ncbi.nlm.nih.gov/2785882/> .
        FILTER NOT EXISTS { ?p sdmx:obsValue ?v }""",
        "orphanet",
    )


def test_phenotype_annotations_keep_frequency_and_excluded_is_not_a_phenotype(
    store: Store,
) -> None:
    g = "orphanet-phenotypes"
    assert ask(
        store,
        """rkid:disease\\/orpha-666 rk:hasPhenotype <http://purl.obolibrary.org/obo/HP_0000248> ;
        rk:hasPhenotypeAnnotation ?a .
        ?a a rk:PhenotypeAnnotation ; rk:phenotype <http://purl.obolibrary.org/obo/HP_0000248> ;
           rk:frequency "Very frequent (99-80%)"@en .""",
        g,
    )
    assert ask(
        store,
        """rkid:disease\\/orpha-158008 rk:hasPhenotypeAnnotation ?a .
        ?a rk:phenotype <http://purl.obolibrary.org/obo/HP_0003077> ;
           rk:frequency "Excluded (0%)"@en .""",
        g,
    )
    assert not ask(
        store,
        "rkid:disease\\/orpha-158008 rk:hasPhenotype <http://purl.obolibrary.org/obo/HP_0003077>",
        g,
    )


def test_rd_code_gives_status_replacement_and_icd_codes_without_a_relation(store: Store) -> None:
    g = "orphanet-rd-code"
    assert ask(
        store,
        """rkid:disease\\/orpha-77 rk:codeStatus "Obsolete" ;
        rk:replacedBy rkid:disease\\/orpha-88632 ; skos:prefLabel "OBSOLETE: Aniridia"@en .
        rkid:disease\\/orpha-666 rk:codeStatus "active" ;
        skos:relatedMatch <http://id.who.int/icd/release/10/Q78.0>,
                          <http://id.who.int/icd/entity/1219932551> ;
        rk:hasMapping ?m . ?m rk:terminology "ICD-10" ; skos:notation "Q78.0" ;
        rdf:predicate skos:relatedMatch .
        FILTER NOT EXISTS { ?m rk:mappingRelation ?r }""",
        g,
    )
    # the dagger of a printed code is kept on the mapping, not in the code
    assert ask(
        store,
        """?m rdf:subject rkid:disease\\/orpha-1381 ; skos:notation "Q87.8" ;
        rdfs:comment "printed in the Master file as Q87.8+"@en .""",
        g,
    )
    # an ICD-11 code the file gives no URI for (N/A) keeps its code on the mapping only
    assert ask(
        store,
        """?m rdf:subject rkid:disease\\/orpha-1381 ; skos:notation "LD2F.1Y" .
        FILTER NOT EXISTS { ?m rdf:object ?o }""",
        g,
    )
    # the English names of packet codes come from the packets, not the list
    assert not ask(store, "rkid:disease\\/orpha-666 skos:prefLabel ?n", g)


def test_mondo_maps_orpha_entities_and_keeps_only_orpha_mapped_concepts(store: Store) -> None:
    mondo = "<http://purl.obolibrary.org/obo/MONDO_0019019>"
    assert ask(
        store,
        f"""rkid:disease\\/orpha-666 skos:exactMatch {mondo} .
        {mondo} rdfs:label "osteogenesis imperfecta"@en ; skos:notation "MONDO:0019019" ;
            skos:exactMatch <http://www.orpha.net/ORDO/Orphanet_666>,
                            <http://id.who.int/icd/entity/1219932551> ;
            skos:relatedMatch <https://identifiers.org/gard:0001017>,
                              <https://identifiers.org/nando:1200873>,
                              <https://identifiers.org/nord:1535> .""",
        "mondo",
    )
    # MONDO:0008146 (OI type 1) has no ORPHA mapping in the fixture: left out
    assert values(store, "SELECT ?n { ?m skos:notation ?n FILTER STRSTARTS(?n, 'MONDO:') }") == [
        "MONDO:0007947", "MONDO:0019019"
    ]


def test_hpo_terms_have_english_and_official_chinese_labels(store: Store) -> None:
    term = "<http://purl.obolibrary.org/obo/HP_0000248>"
    assert ask(store, f'{term} rdfs:label "Brachycephaly"@en ; skos:notation "HP:0000248"', "hpo")
    assert ask(store, f'{term} rdfs:label "短头畸形"@zh', "hpo-zh")
    # an alternative id stands for its term
    assert ask(store, f"<http://purl.obolibrary.org/obo/HP_0002258> dct:isReplacedBy {term}",
               "hpo")
    # obsolete terms are left out
    assert values(store, "SELECT ?t { ?t skos:notation ?n ; rdfs:label ?l FILTER "
                  "(STRSTARTS(?n, 'HP:') && CONTAINS(?l, 'obsolete')) }") == []


def test_gard_cross_references_keep_their_relation(store: Store) -> None:
    gard = "<https://identifiers.org/gard:0001017>"
    assert ask(
        store,
        f"""rkid:disease\\/orpha-666 skos:exactMatch {gard} .
        {gard} rdfs:label "Osteogenesis imperfecta"@en ;
            skos:exactMatch <http://www.orpha.net/ORDO/Orphanet_666>,
                            <https://identifiers.org/umls:C0029434>,
                            <https://identifiers.org/mesh:D010013>,
                            <http://id.who.int/icd/release/10/Q78.0> ;
            skos:narrowMatch <https://omim.org/entry/166200> .""",
        "gard",
    )
    assert ask(
        store,
        "<https://identifiers.org/gard:0016535> skos:broadMatch <https://omim.org/entry/610168>",
        "gard",
    )


def test_bad_packet_stops_the_derivation_naming_file_record_and_field(tmp_path: Path) -> None:
    ref = make_reference(tmp_path / "ref")
    packet = json.loads((PACKETS / "ORPHApacket_558.json").read_text("utf-8"))
    packet["Orphapacket"]["Phenotypes"][0]["Phenotype"]["HPOId"] = "HP:12"
    _tar(PACKETS, ref / "orphanet" / "orphapacket-json.tar.gz",
         {"json/ORPHApacket_558.json": json.dumps(packet).encode()})
    with pytest.raises(DeriveError, match=r"ORPHApacket_558\.json record 558, field "
                       r"Phenotypes\[0\]\.HPOId"):
        derive_orphanet(ref)


def test_bad_table_row_stops_the_load_naming_file_record_and_field(
    tables: Path, tmp_path: Path
) -> None:
    shutil.copytree(tables / "orphanet", tmp_path / "orphanet")
    path = tmp_path / "orphanet" / "orpha_omim.csv.gz"
    rows = _rows(path)
    rows[2] = rows[2].rsplit(",", 1)[0] + ",XYZ"
    path.write_bytes(gzip.compress(("\n".join(rows) + "\n").encode()))
    with pytest.raises(LoadError) as err:
        list(orphanet.load(tmp_path / "orphanet"))
    assert (err.value.file, err.value.record, err.value.field) == ("orpha_omim.csv.gz", 2,
                                                                    "relation")


def test_committed_reference_tables_are_what_derive_tables_derives(shared_dir: Path) -> None:
    from kg.paths import DATA_DIR

    ref = shared_dir / "data"
    derived = {**derive_orphanet(ref), **derive_reference(ref)}
    for rel, content in derived.items():
        assert (DATA_DIR / rel).read_bytes() == content, (
            f"data/{rel} differs from what rarekg derive-tables derives: rerun it"
        )
    folders = {rel.split("/", 1)[0] for rel in derived}
    committed = {str(p.relative_to(DATA_DIR)) for f in folders for p in (DATA_DIR / f).iterdir()}
    assert committed == set(derived)


# --- Mapping fixes (issue 15, item 5) ---------------------------------------------------------


def test_ccrd_numbers_join_list_entries_by_name() -> None:
    from kg.build.ccrd_join import KEPT, MOVED, UNCHECKED, join

    lists = [
        {"list": 1, "no": 68, "name_zh": "马凡综合征"},
        {"list": 1, "no": 119, "name_zh": "X-连锁无丙种球蛋白血症"},
        {"list": 1, "no": 120, "name_zh": "X-连锁肾上腺脑白质营养不良"},
    ]
    compendium = {
        "CCRD:68": {"CNS_NAME": "马方综合征"},
        "CCRD:119": {"CNS_NAME": "肾上腺脑白质营养不良"},
        "CCRD:120": {"CNS_NAME": "X-连锁无丙种球蛋白血症"},
        "CCRD:120.1": {"CNS_NAME": "a subtype is not joined"},
    }
    assert join(lists, compendium) == {68: (68, UNCHECKED), 119: (120, MOVED), 120: (119, MOVED)}
    assert join(lists[:1], {"CCRD:68": {"CNS_NAME": "马凡综合征"}}) == {68: (68, KEPT)}
    with pytest.raises(ValueError, match="two CCRD numbers"):
        join(lists, {"CCRD:119": {"CNS_NAME": "无丙种球蛋白血症"},
                     "CCRD:120": {"CNS_NAME": "X-连锁无丙种球蛋白血症"}})


def test_committed_list_1_mapping_gives_xla_and_x_ald_their_own_codes() -> None:
    from kg.paths import DATA_DIR

    rows = (DATA_DIR / "lists" / "ccrd_orpha_mapping.csv").read_text("utf-8").splitlines()
    assert "119,0,,,47,E,timgroup-ccrd-orpha" in rows  # X-linked agammaglobulinemia
    assert "120,0,,,43,E,timgroup-ccrd-orpha" in rows  # X-linked adrenoleukodystrophy
    hpo = {r.split(",")[0]: r for r in (DATA_DIR / "lists" / "ccrd_hpo.csv").read_text(
        "utf-8").splitlines() if r.startswith(("119,", "120,"))}
    assert "HP:0002720" in hpo["119"]  # IgA deficiency, of the agammaglobulinemia
    assert "HP:0002720" not in hpo["120"]


def test_reviewed_relations_make_1_35_narrower_and_1_98_broader_than_orpha() -> None:
    from kg.paths import DATA_DIR
    from loaders import aliases

    review = DATA_DIR / "reviews" / "orpha_relations.csv"
    store = store_of([*aliases.load(DATA_DIR / "lists", review),
                      *aliases.load_mapping(DATA_DIR / "lists" / "ccrd_orpha_mapping.csv",
                                            review)])
    cn1 = "<https://w3id.org/rarekg/id/disease/cn1-"
    ordo = "<http://www.orpha.net/ORDO/Orphanet_"
    assert ask(store, f"{cn1}035> skos:broadMatch {ordo}79201>", "china-list-aliases")
    assert not ask(store, f"{cn1}035> skos:exactMatch {ordo}79201>", "china-list-aliases")
    assert ask(
        store,
        f"""{cn1}098> skos:narrowMatch {ordo}262> ; rk:hasEvidence ?ev .
        ?ev rdf:predicate skos:narrowMatch ; rdf:object {ordo}262> ;
            prov:wasDerivedFrom rkid:source\\/rarekg-orpha-relation-review .
        FILTER NOT EXISTS {{ {cn1}098> skos:exactMatch {ordo}262> }}""",
        "ccrd-orpha-mapping",
    )
    # the entry keeps its exact link to progressive muscular dystrophy
    assert ask(store, f"{cn1}098> skos:exactMatch {ordo}206644>", "china-list-aliases")


def test_reference_graphs_of_the_fixtures_conform_to_the_shapes(
    store: Store, tables: Path
) -> None:
    import rdflib

    from kg.build.validate import union_graph
    from kg.paths import ONTOLOGY_DIR
    from kg.shapes import validate_graph
    from loaders import rdffiles, sources

    docs = [tables / f / "sources.csv" for f in ("orphanet", "mondo", "hpo", "gard")]
    full = Store()
    full.extend(store.quads_for_pattern(None, None, None, None))
    full.extend(list(sources.load_sources(docs)))
    full.extend(list(rdffiles.load([ONTOLOGY_DIR / "schemes.ttl"], rdffiles.ONTOLOGY_GRAPH)))
    findings = validate_graph(union_graph(full))
    assert [f for f in findings if f.severity == "Violation"] == []
    # and a gene association without its gene is refused
    broken = union_graph(full)
    broken.remove((None, rdflib.URIRef("https://w3id.org/rarekg/vocab#gene"), None))
    assert any(f.severity == "Violation" for f in validate_graph(broken))
