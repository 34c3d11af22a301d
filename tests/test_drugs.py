"""One drug across jurisdictions (kg.drugs and the reviewed identity table), the NRDL 2025 and EPAR
loaders on small fixtures of their formats, and the committed tables they read."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg import iri
from kg.build.derive_access import derive_access
from kg.drugs import DrugIdentity, Identity, chinese_key, english_key
from kg.errors import LoadError
from kg.paths import DATA_DIR
from kg.records import Skipped
from loaders import epar, fda, nmpa, nrdl
from tests.upstream import UPSTREAM, ask, store_of, values

SRC = iri.source("fixture")
IDENTITY = DATA_DIR / "drugs" / "drug_identity.csv"
RC = "<https://w3id.org/rarekg/vocab/reimbursement-category/"
ELIGLUSTAT = (
    "限经CYP2D6基因型检测为弱代谢型(PMs)、中间代谢型(IMs)或快代谢型(EMs)的Ⅰ型戈谢病(GD1)成年患者。"
)


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Eliglustat Tartrate", "eliglustat"),
        ("eliglustat", "eliglustat"),
        ("Agalsidase Alpha", "agalsidase alfa"),
        ("vestronidase alfa-vjbk", "vestronidase alfa"),
        ("Ravulizumab-cwvz", "ravulizumab"),
        ("Fingolimod HCl", "fingolimod"),
        ("atazanavir (as sulfate)", "atazanavir"),
        ("Sodium phenylbutyrate", "phenylbutyrate"),
        ("sodium chloride", "sodium chloride"),  # nothing else remains: the salt is the substance
        ("dimethyl fumarate", "dimethyl fumarate"),  # an ester, not a salt
        ("Iobenguane I 131", "iobenguane i 131"),
        ("Tezacaftor and Ivacaftor", "ivacaftor + tezacaftor"),
        ("Ofatumumab Injection", "ofatumumab"),
        ("Bleomycin sulphate", "bleomycin"),
        ("riluzole oral film", "riluzole"),
        ("Iloprost inhalation solution", "iloprost"),
        ("Lidocaine patch 5%", "lidocaine"),
        ("Cromolyn sodium 4% ophthalmic solution", "cromolyn"),
        # a liposomal form is its substance (as ``…脂质体`` is in Chinese names)
        ("irinotecan liposome injection", "irinotecan"),
        ("doxorubicin hydrochloride, liposomal", "doxorubicin"),
        ("Cytarabine:daunorubicin liposome injection; daunorubicin and cytarabine (liposome)",
         "cytarabine + daunorubicin"),
        # misprints, strengths, and words about the product rather than the substance
        ("fenfluramine HCI", "fenfluramine"),
        ("Trientine tetrahydrochloride", "trientine"),
        ("cysteamine enteric coated", "cysteamine"),
        ("Somatropin (r-DNA)", "somatropin"),
        ("Immune Globulin Subcutaneous (Human), 20% Liquid", "immune globulin human"),
        ("Tezacaftor and Ivacaftor combination therapy", "ivacaftor + tezacaftor"),
        ("Combination of nivolumab and ipilimumab", "ipilimumab + nivolumab"),
        ("buprenorphine in combination with naloxone", "buprenorphine + naloxone"),
    ],
)
def test_english_names_normalise_to_one_substance(name: str, key: str) -> None:
    assert english_key(name) == key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("酒石酸艾格司他胶囊", "艾格司他"),
        ("诺西那生钠注射液", "诺西那生"),
        ("注射用阿糖苷酶α", "阿糖苷酶α"),
        ("阿加糖酶 α", "阿加糖酶α"),
        ("艾加莫德α注射液（皮下注射）", "艾加莫德α"),
        ("硫酸氢司美替尼胶囊", "司美替尼"),
        ("氯苯唑酸葡胺软胶囊", "氯苯唑酸"),
        ("利司扑兰口服溶液用散", "利司扑兰"),
        ("注射用重组人凝血因子Ⅷ", "重组人凝血因子VIII"),
        # the salt word is the substance: kept
        ("氯化钠", "氯化钠"),
        ("碳酸氢钠片", "碳酸氢钠"),
        ("醋酸锌片", "醋酸锌"),
        ("葡萄糖酸钙注射液", "葡萄糖酸钙"),
        ("富马酸二甲酯肠溶胶囊", "富马酸二甲酯"),
        # a carrier solution is not the substance: premixed infusions and kits
        ("依达拉奉氯化钠注射液", "依达拉奉"),
        ("丁苯酞氯化钠注射液", "丁苯酞"),
        ("盐酸右美托咪定氯化钠注射液", "右美托咪定"),
        ("葡萄糖酸钙氯化钠注射液", "葡萄糖酸钙"),
        ("膦甲酸钠氯化钠", "膦甲酸"),
        ("注射用头孢唑林钠/氯化钠注射液", "头孢唑林"),
        ("注射用头孢他啶/5%葡萄糖注射液", "头孢他啶"),
        ("甲硝唑葡萄糖", "甲硝唑"),
        ("帕米膦酸二钠葡萄糖", "帕米膦酸"),
        # ... but a fluid keeps its sodium chloride
        ("复方氯化钠", "复方氯化钠"),
        ("葡萄糖氯化钠", "葡萄糖氯化钠"),
        ("果糖氯化钠", "果糖氯化钠"),
        ("甘油果糖氯化钠", "甘油果糖氯化钠"),
        ("浓氯化钠", "浓氯化钠"),
        ("氨基葡萄糖", "氨基葡萄糖"),
        ("复方乳酸钠葡萄糖", "复方乳酸钠葡萄糖"),
        ("复方电解质醋酸钠葡萄糖注射液", "复方电解质醋酸钠葡萄糖"),
        ("脂肪乳氨基酸葡萄糖", "脂肪乳氨基酸葡萄糖"),
        ("中长链脂肪乳/氨基酸(16)/葡萄糖(30%)注射液", "中长链脂肪乳/氨基酸(16)/葡萄糖(30%)"),
        ("羟乙基淀粉(200/0.5)氯化钠、羟乙基淀粉(130/0.4)氯化钠",
         "羟乙基淀粉(200/0.5)氯化钠、羟乙基淀粉(130/0.4)氯化钠"),
    ],
)
def test_chinese_generic_names_lose_dosage_form_and_salt_only(name: str, key: str) -> None:
    assert chinese_key(name) == key


def test_identity_table_ties_chinese_names_to_inns_and_never_guesses() -> None:
    ident = DrugIdentity.read(IDENTITY)
    nusinersen = iri.entity("drug", "nusinersen")
    for name in ("诺西那生钠", "诺西那生钠注射液", "Nusinersen", "nusinersen sodium"):
        assert ident.drug(name) == nusinersen
    assert ident.drug("酒石酸艾格司他胶囊") == ident.drug("Eliglustat") == iri.entity(
        "drug", "eliglustat"
    )
    # the reviewed row wins over the reference's INN column (Dinutuximab, without beta)
    assert ident.drug("Dinutuximab", "达妥昔单抗β") == iri.entity("drug", "dinutuximab-beta")
    # a Chinese name the table does not know keeps its own drug: no guess across languages
    unknown = ident.drug("吉卡昔替尼")
    assert unknown.value.startswith(iri.ID_BASE_IRI + "drug/zh-")
    assert ident.drug("盐酸吉卡昔替尼片") == unknown
    # a sourced row ties a Chinese original to its INN, with or without a record abroad
    assert ident.drug("注射用泰它西普") == iri.entity("drug", "telitacicept")
    vemurafenib = iri.entity("drug", "vemurafenib")
    assert ident.drug("维莫非尼片") == ident.drug("Vemurafenib") == vemurafenib
    # reviewed English rows: names no rule can join (a synonym after a comma, INN and USAN)
    deutetrabenazine = ident.drug("氘丁苯那嗪", "Deutetrabenazine")
    assert ident.drug("d6-tetrabenazine, deutetrabenazine") == deutetrabenazine
    assert ident.drug("hydroxycarbamide") == ident.drug("Hydroxyurea") == ident.drug("羟基脲")
    conestat = iri.entity("drug", "conestat-alfa")
    for name in ("recombinant human C1 inhibitor", "C1-esterase inhibitor (recombinant)",
                 "Ruconest (Recombinant human C1-inhibitor)"):
        assert ident.drug(name) == conestat
    assert ident.drug("C1 inhibitor (human)") == ident.drug("C1 esterase inhibitor (human)")
    igg = ident.drug("Immune Globulin (Human)")
    for name in ("human normal immunoglobulin (IVIg)", "human normal immunoglobulin (SCIg)",
                 "Immune globulin intravenous, human"):
        assert ident.drug(name) == igg
    assert ident.drug("ioflupane (123l)") == ident.drug("ioflupane (123I)")


def test_identity_rows_give_reason_and_known_sources() -> None:
    sources = set()
    for table in [DATA_DIR / "sources.csv", *sorted(DATA_DIR.glob("*/sources.csv"))]:
        with table.open(encoding="utf-8", newline="") as f:
            sources |= {r["id"] for r in csv.DictReader(f)}
    rows = DrugIdentity.read(IDENTITY).rows
    assert len(rows) >= 100
    for row in rows:
        assert row.reason and row.lang in ("zh", "en")
        for source in row.source.split("; "):
            assert source in sources, f"{row.name}: unknown source {source}"
    # a reviewed row says so and names both sides it compared
    eliglustat = next(r for r in rows if r.name == "艾格司他")
    assert eliglustat.reason.startswith("reviewed:")
    assert eliglustat.source.split("; ") == [
        "nhsa-nrdl-2025",
        "fda-oopd-orphan-approvals-2022",
        "ema-epar-2023-06",
    ]


def test_contradicting_identity_rows_are_refused() -> None:
    with pytest.raises(ValueError, match="both"):
        DrugIdentity(
            [
                Identity("艾格司他", "zh", "eliglustat", "r", "s"),
                Identity("酒石酸艾格司他", "zh", "miglustat", "r", "s"),
            ]
        )


# --- NRDL ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nrdl_store() -> Store:
    return store_of(
        nrdl.load(UPSTREAM / "nrdl.json", source=SRC, identity=DrugIdentity.read(IDENTITY))
    )


def test_nrdl_negotiated_row_gives_its_reimbursement_status(nrdl_store: Store) -> None:
    assert ask(
        nrdl_store,
        f"""?s a rk:ReimbursementStatus, schema:DrugCost ;
            rk:ofDrug rkid:drug\\/eliglustat ; rk:reimbursementCategory {RC}negotiated> ;
            rk:listNumber "38" ; rk:reimbursementClass "乙"@zh ;
            rk:indicationText "{ELIGLUSTAT}"@zh ;
            rk:paymentStandard "381.00元(84mg/粒(按C23H36N2O4计))"@zh ;
            schema:validFrom "2026-01-01"^^xsd:date ; schema:validThrough "2027-12-31"^^xsd:date ;
            rk:jurisdiction "CN" ; rk:decidedBy rkid:org\\/nhsa ;
            rk:documentNumber "医保发〔2025〕33号" ; dct:date "2025-12-07"^^xsd:date ;
            prov:wasDerivedFrom rkid:source\\/fixture .
        rkid:drug\\/eliglustat rdfs:label "酒石酸艾格司他胶囊"@zh .
        rkid:org\\/nhsa rdfs:label "国家医疗保障局"@zh""",
        "china-nrdl-2025",
    )
    # the list does not link diseases: the linking phase reads rk:indicationText
    assert not ask(nrdl_store, "?s rk:forIndication ?d", "china-nrdl-2025")


def test_nrdl_western_rows_stacked_names_and_repeat_numbers(nrdl_store: Store) -> None:
    # a Western-medicine row is in force from the list's effective date, without a price
    assert ask(
        nrdl_store,
        f"""?s rk:ofDrug ?d ; rk:listNumber "209" ; rk:reimbursementCategory {RC}western-medicine> ;
            rk:indicationText "限成人和儿童酪氨酸血症Ⅰ型(HT-1)。"@zh ;
            schema:validFrom "2026-01-01"^^xsd:date .
        FILTER NOT EXISTS {{ ?s rk:paymentStandard ?p }}""",
        "china-nrdl-2025",
    )
    # four names under number 77 are four statuses; ★(134) is kept as printed
    assert len(values(nrdl_store, 'SELECT ?s WHERE { ?s rk:listNumber "77" }')) == 4
    assert len(values(nrdl_store, 'SELECT ?s WHERE { ?s rk:listNumber "★(134)" }')) == 2
    statuses = values(nrdl_store, "SELECT ?s WHERE { ?s a rk:ReimbursementStatus }")
    assert len(statuses) == 12  # 8 rows, two of them with 4 and 2 names


def test_nrdl_bad_rows_stop_or_are_skipped_naming_record_and_field() -> None:
    with pytest.raises(LoadError) as err:
        list(nrdl.load(UPSTREAM / "nrdl_bad.json", source=SRC))
    assert (err.value.file, err.value.record, err.value.field) == ("nrdl_bad.json", 2, "section")
    skipped = Skipped()
    quads = list(
        nrdl.load(UPSTREAM / "nrdl_bad.json", source=SRC, on_error="skip", skipped=skipped)
    )
    assert [(e.record, e.field) for e in skipped.errors] == [
        (2, "section"),
        (3, "agreement_period"),
        (4, "class"),
    ]
    assert len({q.subject for q in quads if q.object == nrdl.RK.ReimbursementStatus}) == 1


def test_nrdl_agreement_periods_are_read_as_dates() -> None:
    assert nrdl.agreement_period("2025年1月1日至2026年12月31日") == ("2025-01-01", "2026-12-31")
    with pytest.raises(ValueError):
        nrdl.agreement_period("2026年1月1日起")


# --- EPAR ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def epar_store() -> Store:
    return store_of(
        epar.load(UPSTREAM / "epar.csv", source=SRC, identity=DrugIdentity.read(IDENTITY))
    )


def test_epar_authorised_medicine_is_an_eu_marketing_approval(epar_store: Store) -> None:
    assert ask(
        epar_store,
        """rkid:status\\/eu-epar-emea-h-c-004312-marketing-approval a rk:RegulatoryStatus ;
            rk:ofDrug rkid:drug\\/nusinersen ; rk:statusType dt:marketing-approval ;
            rk:jurisdiction "EU" ; rk:decidedBy rkid:org\\/european-commission ;
            dct:date "2017-05-30"^^xsd:date ; rk:orphanMedicine true ;
            rk:publishedStatus "Authorised"@en ; rk:sourceRecord "EMEA/H/C/004312" ;
            rk:indicationText
                "Spinraza is indicated for the treatment of 5q Spinal Muscular Atrophy."@en ;
            schema:url "https://www.ema.europa.eu/en/medicines/human/EPAR/spinraza"^^xsd:anyURI ;
            rdfs:comment "opinion of the EMA (CHMP): 2017-04-21"@en .
        rkid:drug\\/nusinersen rk:inn "nusinersen" ; rk:brandName "Spinraza" """,
        "ema-epar",
    )


def test_epar_withdrawn_and_refused_medicines(epar_store: Store) -> None:
    assert ask(
        epar_store,
        """rkid:status\\/eu-epar-emea-h-c-000041-marketing-approval
               dct:date "1996-10-04"^^xsd:date ; rk:orphanMedicine false .
           rkid:status\\/eu-epar-emea-h-c-000041-withdrawal rk:statusType dt:withdrawal ;
               rk:publishedStatus "Withdrawn"@en .
           FILTER NOT EXISTS { rkid:status\\/eu-epar-emea-h-c-000041-withdrawal dct:date ?d }
           ?r rk:statusType dt:refusal ; rk:ofDrug rkid:drug\\/taliglucerase-alfa ;
              dct:date "2012-10-25"^^xsd:date ; rk:orphanMedicine true .""",
        "ema-epar",
    )
    assert not ask(epar_store, "?s rk:forIndication ?d", "ema-epar")


def test_epar_bad_rows_stop_or_are_skipped_naming_record_and_field() -> None:
    with pytest.raises(LoadError) as err:
        list(epar.load(UPSTREAM / "epar_bad.csv", source=SRC))
    assert (err.value.record, err.value.field) == (2, "status")
    skipped = Skipped()
    list(epar.load(UPSTREAM / "epar_bad.csv", source=SRC, on_error="skip", skipped=skipped))
    assert [(e.record, e.field) for e in skipped.errors] == [
        (2, "status"),
        (3, "authorisation_date"),
        (4, "inn"),
    ]


# --- the committed tables -----------------------------------------------------------------------


def test_committed_access_tables_are_what_derive_tables_produces(shared_dir: Path) -> None:
    for rel, content in derive_access(shared_dir / "data").items():
        committed = (
            (DATA_DIR / rel).read_bytes()
            if isinstance(content, bytes)
            else (DATA_DIR / rel).read_text(encoding="utf-8")
        )
        assert committed == content, f"data/{rel} differs from what derive-tables derives"


@pytest.fixture(scope="module")
def access_store() -> Store:
    ident = DrugIdentity.read(IDENTITY)
    return store_of(
        [
            *nrdl.load(
                DATA_DIR / "nrdl" / "china_nrdl_2025.json.gz",
                source=iri.source("nhsa-nrdl-2025"),
                identity=ident,
            ),
            *epar.load(
                DATA_DIR / "epar" / "epar_human.csv.gz",
                source=iri.source("ema-epar-2023-06"),
                identity=ident,
            ),
            *fda.load(
                DATA_DIR / "fda" / "fda_orphan_approvals.csv",
                source=iri.source("fda-oopd-orphan-approvals-2022"),
                identity=ident,
            ),
            *nmpa.load(
                DATA_DIR / "nmpa" / "china_rare_drug_approvals.json",
                source=iri.source("zebra-china-drug-approvals-1"),
                documents_described=True,
                identity=ident,
            ),
        ]
    )


def test_committed_nrdl_and_epar_counts(access_store: Store) -> None:
    nrdl_statuses = values(
        access_store,
        "SELECT ?s WHERE { GRAPH <https://w3id.org/rarekg/graph/china-nrdl-2025> "
        "{ ?s a rk:ReimbursementStatus } }",
    )
    assert len(nrdl_statuses) == 2477  # 2,411 rows, stacked names counted one by one
    medicines = values(
        access_store,
        "SELECT DISTINCT ?n WHERE { GRAPH <https://w3id.org/rarekg/graph/ema-epar> "
        "{ ?s rk:sourceRecord ?n } }",
    )
    assert len(medicines) == 1722


def test_eliglustat_is_reimbursed_in_china_with_its_restriction(access_store: Store) -> None:
    assert ask(
        access_store,
        f"""?s rk:ofDrug rkid:drug\\/eliglustat ; rk:listNumber "38" ;
            rk:indicationText "{ELIGLUSTAT}"@zh""",
        "china-nrdl-2025",
    )


def test_nusinersen_is_one_drug_across_nmpa_nrdl_fda_and_ema(access_store: Store) -> None:
    rows = access_store.query(
        """PREFIX rk: <https://w3id.org/rarekg/vocab#>
        SELECT DISTINCT ?g WHERE { GRAPH ?g {
          ?s rk:ofDrug <https://w3id.org/rarekg/id/drug/nusinersen> ; rk:jurisdiction ?j } }"""
    )
    graphs = {row[0].value.rsplit("/", 1)[-1] for row in rows}  # type: ignore[index,union-attr]
    assert graphs == {"china-nrdl-2025", "ema-epar", "fda-orphan-approvals", "china-drug-approvals"}
