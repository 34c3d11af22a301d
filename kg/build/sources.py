"""The catalogue of sources of the default graph: which loader reads which table into which graph.

Together with ``kg/cli.py`` this is the composition root: the only modules of ``kg`` that import
``loaders``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from itertools import chain
from pathlib import Path

from pyoxigraph import Quad, Store

from kg import iri
from kg.build.licences import CC_BY, with_terms
from kg.build.pipeline import Source
from kg.build.sources_access import EPAR_FILE, EPAR_SOURCE
from kg.build.sources_reference import reference_sources
from kg.describe import SourceInfo
from kg.drugs import DrugIdentity
from kg.names import DrugIndex
from kg.paths import DATA_DIR, EXAMPLES_DIR, ONTOLOGY_DIR

REVIEW = "orpha_relations.csv"  # reviewed relations of list entries to ORPHA codes
Loads = Callable[[], Iterable[Quad]]


class Links:
    """The drug index that links trial interventions to the drugs of the graph, built on first use
    from the quads of the sources that name drugs (``kg.names``).  Diseases are linked by the
    build's linking phase (``kg/build/link.py``), not here."""

    def __init__(self, drugs: Sequence[Loads]) -> None:
        self._drugs = list(drugs)

    @cached_property
    def drugs(self) -> DrugIndex:
        return DrugIndex.from_quads(chain.from_iterable(load() for load in self._drugs))

    def with_drugs(self, more: Sequence[Loads]) -> Links:
        return Links([*self._drugs, *more])


def default_sources(data_dir: Path = DATA_DIR) -> list[Source]:
    """Every source of the default graph, read from the project's own tables in ``data_dir``."""
    from loaders import aliases, lists, rdffiles, seeds, sources

    source_tables = [data_dir / "sources.csv", *sorted(data_dir.glob("*/sources.csv"))]
    seed_docs = _seed_documents(data_dir / "sources.csv")

    def source_rows() -> Iterable[Quad]:
        yield from sources.load_sources(source_tables)
        yield from sources.load_authorities(data_dir / "authorities.csv")

    return with_terms([
        Source(
            SourceInfo(
                rdffiles.ONTOLOGY_GRAPH, "rarekg vocabulary and concept schemes", licence=CC_BY,
                title_zh="rarekg 词汇表与概念方案",
            ),
            lambda: rdffiles.load(
                [ONTOLOGY_DIR / "rarekg.ttl", ONTOLOGY_DIR / "schemes.ttl"], rdffiles.ONTOLOGY_GRAPH
            ),
        ),
        Source(
            SourceInfo(sources.GRAPH, "Source documents and issuing authorities",
                       title_zh="来源文件与发布机构"),
            source_rows,
        ),
        Source(
            SourceInfo(
                lists.GRAPH,
                "China's national rare disease lists (2018, 2023)",
                ("nhc-2018-10", "nhc-2023-26"),
                "2023-09-18",
                title_zh="中国国家罕见病目录（2018、2023）",
            ),
            lambda: lists.load(data_dir / "lists"),
        ),
        Source(
            SourceInfo(
                aliases.GRAPH,
                "ORPHA links and folk names of the list entries",
                ("zebra-china-aliases-2", "rarekg-orpha-relation-review"),
                "2026-10-05",
                CC_BY,
                title_zh="目录病种的 ORPHA 对应与俗称",
            ),
            lambda: aliases.load(data_dir / "lists", data_dir / "reviews" / REVIEW),
        ),
        Source(
            SourceInfo(
                aliases.MAPPING_GRAPH,
                "Expert mapping of list-1 entries to ORPHA",
                ("timgroup-ccrd-orpha", "rarekg-orpha-relation-review"),
                "2024-11-28",
                title_zh="第一批目录病种与 ORPHA 的专家对照",
            ),
            lambda: aliases.load_mapping(
                data_dir / "lists" / "ccrd_orpha_mapping.csv", data_dir / "reviews" / REVIEW
            ),
        ),
        Source(
            SourceInfo(
                seeds.GRAPH,
                "Organizations, policies and statistics of the seed documents",
                tuple(seed_docs),
                title_zh="种子文献中的组织、政策与统计数据",
            ),
            lambda: seeds.load(data_dir / "seeds", _languages(data_dir / "sources.csv")),
        ),
        *upstream_sources(data_dir, default_links(data_dir)),
        *reference_sources(data_dir),
        Source(
            SourceInfo(
                rdffiles.EXAMPLES_GRAPH,
                "Example questions (SHACL SPARQL executables)",
                licence=CC_BY,
                title_zh="示例问题（SHACL SPARQL 可执行查询）",
            ),
            lambda: rdffiles.load(sorted(EXAMPLES_DIR.glob("*.ttl")), rdffiles.EXAMPLES_GRAPH),
        ),
        _organizations(data_dir),
        _searches(data_dir),
        link_source(data_dir),
    ])


def drug_identity(data_dir: Path = DATA_DIR) -> DrugIdentity:
    """The reviewed drug identity table (``data/drugs/drug_identity.csv``) with the rules of
    ``kg.drugs``: every loader that mints drugs mints them through it."""
    return DrugIdentity.read(data_dir / "drugs" / "drug_identity.csv")


def default_links(data_dir: Path = DATA_DIR) -> Links:
    """Links to the drugs (China approvals, FDA, EMA, EPAR) of the default graph."""
    from loaders import ema, epar, fda, nmpa

    ident = drug_identity(data_dir)
    return Links(
        [
            lambda: nmpa.load(
                data_dir / "nmpa" / NMPA_FILE,
                source=iri.source(NMPA_SOURCE),
                documents_described=True,
                identity=ident,
            ),
            lambda: fda.load(
                data_dir / "fda" / FDA_FILE, source=iri.source(FDA_SOURCE), identity=ident
            ),
            lambda: ema.load(
                data_dir / "ema" / EMA_FILE, source=iri.source(EMA_SOURCE), identity=ident
            ),
            lambda: epar.load(
                data_dir / "epar" / EPAR_FILE, source=iri.source(EPAR_SOURCE), identity=ident
            ),
        ],
    )


def link_source(data_dir: Path = DATA_DIR) -> Source:
    """The linking phase (``kg/build/link.py``): after every source is loaded, each indication and
    trial condition of the store is resolved to diseases with the resolver of ``data_dir``'s
    tables, into the graph ``disease-links``."""
    from kg.build import link
    from kg.resolve import DiseaseResolver

    def after_loading(store: Store) -> Iterable[Quad]:
        return link.link_store(store, DiseaseResolver.from_tables(data_dir))

    return Source(link.link_info(), lambda: iter(()), after_loading)


NMPA_FILE, NMPA_SOURCE = "china_rare_drug_approvals.json", "zebra-china-drug-approvals-1"
HOSPITALS_FILE, HOSPITALS_SOURCE = (
    "china_rare_network_hospitals.json",
    "zebra-china-rare-network-hospitals",
)
FDA_FILE, FDA_SOURCE = "fda_orphan_approvals.csv", "fda-oopd-orphan-approvals-2022"
EMA_FILE, EMA_SOURCE = "ema_orphan_designations.json", "ema-orphan-designations-sample"
CTGOV_FILE, CTGOV_SOURCE = "ctgov_sma_china.json", "ctgov-sma-china-2026"


def _orphadata_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "orphadata").glob("*.json"))


def _ids(path: Path) -> tuple[str, ...]:
    with path.open(encoding="utf-8", newline="") as f:
        return tuple(r["id"] for r in csv.DictReader(f))


def upstream_sources(data_dir: Path, links: Links) -> list[Source]:
    """The sources of the default graph that come in an upstream format (reduced to facts by
    ``rarekg derive-tables``) or from the CCRD annotations: OMIM mapping, HPO phenotypes, Orphadata,
    China drug approvals, network hospitals, FDA and EMA orphan decisions, ClinicalTrials.gov."""
    from kg.build import sources_access
    from loaders import ccrd, ctgov, ema, fda, hospitals, nmpa, orphadata

    ident = drug_identity(data_dir)

    lists_dir = data_dir / "lists"
    orphadata_files = _orphadata_files(data_dir)
    return [
        Source(
            SourceInfo(
                ccrd.OMIM_GRAPH,
                "Expert mapping of list-1 entries to OMIM",
                ("timgroup-ccrd-omim",),
                "2024-11-28",
                title_zh="第一批目录病种与 OMIM 的专家对照",
            ),
            lambda: ccrd.load_omim(lists_dir / "ccrd_omim_mapping.csv"),
        ),
        Source(
            SourceInfo(
                ccrd.HPO_GRAPH,
                "HPO phenotypes of list-1 entries",
                ("timgroup-ccrd-hpo",),
                "2024-11-28",
                title_zh="第一批目录病种的 HPO 表型",
            ),
            lambda: ccrd.load_hpo(lists_dir / "ccrd_hpo.csv"),
        ),
        Source(
            SourceInfo(
                orphadata.GRAPH,
                "Orphadata: names, cross-references and epidemiology",
                tuple(p.stem for p in orphadata_files),
                "2026-06-23",
                CC_BY,
                title_zh="Orphadata：名称、交叉引用与流行病学",
            ),
            lambda: chain.from_iterable(
                orphadata.load(p, source=iri.source(p.stem)) for p in orphadata_files
            ),
        ),
        Source(
            SourceInfo(
                nmpa.GRAPH,
                "Rare-disease drugs in China: approvals, VAT relief and "
                "urgent-need listings, reviews, with every official source",
                (*_ids(data_dir / "nmpa" / "sources.csv"), NMPA_SOURCE),
                "2026-10-06",
                title_zh="中国罕见病药物：上市批准、增值税优惠、临床急需名单与审评，附全部官方来源",
            ),
            lambda: nmpa.load(
                data_dir / "nmpa" / NMPA_FILE,
                source=iri.source(NMPA_SOURCE),
                documents_described=True,
                identity=ident,
            ),
        ),
        Source(
            SourceInfo(
                hospitals.GRAPH,
                "National rare disease diagnosis and treatment "
                "collaboration network: hospitals of the 2019 and 2024 lists",
                _ids(data_dir / "hospitals" / "sources.csv"),
                "2026-10-06",
                title_zh="全国罕见病诊疗协作网：2019 年与 2024 年名单中的医院",
            ),
            lambda: hospitals.load(
                data_dir / "hospitals" / HOSPITALS_FILE,
                source=iri.source(HOSPITALS_SOURCE),
                documents_described=True,
            ),
        ),
        Source(
            SourceInfo(
                fda.GRAPH,
                "FDA orphan drug designations and approvals (OOPD export)",
                (FDA_SOURCE,),
                "2022-11-11",
                title_zh="FDA 孤儿药认定与批准（OOPD 导出）",
            ),
            lambda: fda.load(
                data_dir / "fda" / FDA_FILE, source=iri.source(FDA_SOURCE), identity=ident
            ),
        ),
        Source(
            SourceInfo(ema.GRAPH, "EMA orphan designations (sample)", (EMA_SOURCE,), "2026-10-05",
                       title_zh="EMA 孤儿药认定（样本）"),
            lambda: ema.load(
                data_dir / "ema" / EMA_FILE, source=iri.source(EMA_SOURCE), identity=ident
            ),
        ),
        *sources_access.access_sources(data_dir, ident),
        Source(
            SourceInfo(
                ctgov.GRAPH,
                "Clinical trials from ClinicalTrials.gov",
                (CTGOV_SOURCE,),
                "2026-10-05",
                title_zh="ClinicalTrials.gov 的临床试验",
            ),
            lambda: ctgov.load(
                data_dir / "ctgov" / CTGOV_FILE,
                source=iri.source(CTGOV_SOURCE),
                drugs=links.drugs,
            ),
        ),
    ]


def _seed_documents(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return [r["id"] for r in csv.DictReader(f) if r["note"].startswith("seed document")]


def _languages(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as f:
        return {r["id"]: r["language"] or "en" for r in csv.DictReader(f)}


def _organizations(data_dir: Path) -> Source:
    """Patient organizations curated from public sources (``data/organizations/``), after the check
    that no two records describe one organization unmerged (``kg.build.consistency``)."""
    from kg.build.consistency import checked_load
    from loaders import organizations

    folder = data_dir / "organizations"
    name = "Patient organizations from public sources"
    info = SourceInfo(organizations.GRAPH, name, organizations.documents(folder), "2026-12-06",
                      title_zh="公开来源中的患者组织")
    return Source(info, lambda: checked_load(folder, data_dir / "seeds" / "organizations.csv"))


def _searches(data_dir: Path) -> Source:
    """Documented searches for patient organizations (``data/searches/searches.csv``)."""
    from loaders import searches

    name = "Documented searches for patient organizations"
    info = SourceInfo(searches.GRAPH, name, (), "2026-12-06", title_zh="患者组织的检索记录")
    table, orgs = data_dir / "searches" / "searches.csv", data_dir / "organizations"
    return Source(info, lambda: searches.load(table, orgs))
