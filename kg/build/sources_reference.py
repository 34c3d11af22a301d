"""The reference layer in the catalogue: Orphanet (ORPHApackets, RD-CODE, Chinese names), Mondo's
mappings, HPO labels and GARD, each a graph of its own read from the tables in ``data/orphanet``,
``data/mondo``, ``data/hpo`` and ``data/gard``."""

from __future__ import annotations

from pathlib import Path

from kg.build.pipeline import Source
from kg.describe import SourceInfo

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
HPO_LICENCE = "https://hpo.jax.org/app/license"
# The NCATS public domain notice, the repository's LICENSE until it was removed (see sources.csv)
RDAS_LICENCE = (
    "https://github.com/ncats/RDAS/blob/3279b279646de314f3aea2ad6538517364d39157/LICENSE"
)


def reference_sources(data_dir: Path) -> list[Source]:
    from loaders import orphanet, reference

    orpha = data_dir / "orphanet"
    return [
        Source(
            SourceInfo(
                orphanet.GRAPH,
                "Orphanet entities: names, definitions, classification, OMIM references, genes, "
                "prevalence, inheritance and onset (ORPHApackets)",
                (orphanet.PACKETS_SOURCE,),
                "2025-12-09",
                CC_BY,
                title_zh="Orphanet 实体：名称、定义、分类、OMIM 引用、基因、患病率、遗传方式与"
                "起病年龄（ORPHApackets）",
            ),
            lambda: orphanet.load(orpha),
        ),
        Source(
            SourceInfo(
                orphanet.PHENOTYPE_GRAPH,
                "Orphanet HPO annotations with frequency (ORPHApackets)",
                (orphanet.PACKETS_SOURCE,),
                "2025-12-09",
                CC_BY,
                title_zh="Orphanet 的 HPO 注释及其频率（ORPHApackets）",
            ),
            lambda: orphanet.load_phenotypes(orpha),
        ),
        Source(
            SourceInfo(
                orphanet.RD_CODE_GRAPH,
                "Orphanet nomenclature pack 2025 (RD-CODE): code status and ICD-10/ICD-11 codes",
                (orphanet.RD_CODE_SOURCE,),
                "2025-07-09",
                CC_BY,
                title_zh="Orphanet 2025 年命名包（RD-CODE）：编码状态与 ICD-10/ICD-11 编码",
            ),
            lambda: orphanet.load_rd_code(orpha),
        ),
        Source(
            SourceInfo(
                orphanet.ZH_GRAPH,
                "Orphanet Chinese preferred names",
                (orphanet.ZH_SOURCE,),
                "2020-06-01",
                CC_BY,
                title_zh="Orphanet 中文首选名称",
            ),
            lambda: orphanet.load_zh(orpha),
        ),
        Source(
            SourceInfo(
                reference.MONDO_GRAPH,
                "Mondo mappings of ORPHA-mapped MONDO concepts (SSSOM)",
                (reference.MONDO_SOURCE,),
                "2026-08-04",
                CC_BY,
                title_zh="有 ORPHA 对应的 MONDO 概念的 Mondo 映射（SSSOM）",
            ),
            lambda: reference.load_mondo(data_dir / "mondo"),
        ),
        Source(
            SourceInfo(
                reference.HPO_GRAPH,
                "Human Phenotype Ontology term labels",
                (reference.HPO_SOURCE,),
                "2025-01-16",
                HPO_LICENCE,
                title_zh="人类表型本体（HPO）术语名称",
            ),
            lambda: reference.load_hpo(data_dir / "hpo"),
        ),
        Source(
            SourceInfo(
                reference.HPO_ZH_GRAPH,
                "Human Phenotype Ontology official Chinese labels",
                (reference.HPO_ZH_SOURCE,),
                None,
                HPO_LICENCE,
                title_zh="人类表型本体（HPO）官方中文名称",
            ),
            lambda: reference.load_hpo_zh(data_dir / "hpo"),
        ),
        Source(
            SourceInfo(
                reference.GARD_GRAPH,
                "GARD diseases and cross-references (NCATS RDAS)",
                (reference.GARD_SOURCE,),
                None,
                RDAS_LICENCE,
                title_zh="GARD 疾病及其交叉引用（NCATS RDAS）",
            ),
            lambda: reference.load_gard(data_dir / "gard"),
        ),
    ]
