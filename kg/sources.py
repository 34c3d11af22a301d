"""The catalogue of sources of the default graph: which loader reads which table into which graph.

Together with ``kg/cli.py`` this is the composition root: the only modules of ``kg`` that import
``loaders``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import Quad

from kg.build import Source
from kg.describe import SourceInfo
from kg.paths import DATA_DIR, EXAMPLES_DIR, ONTOLOGY_DIR

CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def default_sources(data_dir: Path = DATA_DIR) -> list[Source]:
    """Every source of the default graph, read from the project's own tables in ``data_dir``."""
    from loaders import aliases, drugs, lists, rdffiles, seeds, sources, trials

    source_tables = [data_dir / "sources.csv", *sorted(data_dir.glob("*/sources.csv"))]
    seed_docs = _seed_documents(data_dir / "sources.csv")

    def source_rows() -> Iterable[Quad]:
        yield from sources.load_sources(source_tables)
        yield from sources.load_authorities(data_dir / "authorities.csv")

    return [
        Source(SourceInfo(rdffiles.ONTOLOGY_GRAPH, "rarekg vocabulary and concept schemes",
                          licence=CC_BY),
               lambda: rdffiles.load([ONTOLOGY_DIR / "rarekg.ttl", ONTOLOGY_DIR / "schemes.ttl"],
                                     rdffiles.ONTOLOGY_GRAPH)),
        Source(SourceInfo(sources.GRAPH, "Source documents and issuing authorities"), source_rows),
        Source(SourceInfo(lists.GRAPH, "China's national rare disease lists (2018, 2023)",
                          ("nhc-2018-10", "nhc-2023-26"), "2023-09-18"),
               lambda: lists.load(data_dir / "lists")),
        Source(SourceInfo(aliases.GRAPH, "ORPHA links and folk names of the list entries",
                          ("zebra-china-aliases-2",), "2026-10-05", CC_BY),
               lambda: aliases.load(data_dir / "lists")),
        Source(SourceInfo(aliases.MAPPING_GRAPH, "Expert mapping of list-1 entries to ORPHA",
                          ("timgroup-ccrd-orpha",), "2024-11-28"),
               lambda: aliases.load_mapping(data_dir / "lists" / "ccrd_orpha_mapping.csv")),
        Source(SourceInfo(seeds.GRAPH, "Organizations, policies and statistics of the seed "
                          "documents", tuple(seed_docs)),
               lambda: seeds.load(data_dir / "seeds", _languages(data_dir / "sources.csv"))),
        Source(SourceInfo(drugs.GRAPH, "Rare-disease drugs approved in China",
                          ("zebra-china-drug-approvals-1",), "2026-10-06"),
               lambda: drugs.load(data_dir / "drugs" / "china_drug_approvals.csv")),
        Source(SourceInfo(trials.GRAPH, "Clinical trials from ClinicalTrials.gov",
                          ("ctgov-sma-china-2026",), "2026-10-05"),
               lambda: trials.load(data_dir / "trials" / "ctgov_trials.csv")),
        Source(SourceInfo(rdffiles.EXAMPLES_GRAPH, "Example questions (SHACL SPARQL executables)",
                          licence=CC_BY),
               lambda: rdffiles.load(sorted(EXAMPLES_DIR.glob("*.ttl")),
                                     rdffiles.EXAMPLES_GRAPH)),
        _organizations(data_dir),
    ]


def _seed_documents(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return [r["id"] for r in csv.DictReader(f) if r["note"].startswith("seed document")]


def _languages(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as f:
        return {r["id"]: r["language"] or "en" for r in csv.DictReader(f)}


def _organizations(data_dir: Path) -> Source:
    """Patient organizations curated from public sources (``data/organizations/``)."""
    from loaders import organizations

    folder = data_dir / "organizations"
    return Source(SourceInfo(organizations.GRAPH, "Patient organizations from public sources",
                             organizations.documents(folder), "2026-11-24"),
                  lambda: organizations.load(folder, data_dir / "seeds" / "organizations.csv"))
