"""The access sources of the default graph: China's National Reimbursement Drug List 2025 and the
EMA's EPAR table (EU marketing authorisations), each in its own named graph, their drugs minted
through the drug identity of the catalogue (``kg.drugs``)."""

from __future__ import annotations

from pathlib import Path

from kg import iri
from kg.build.pipeline import Source
from kg.describe import SourceInfo
from kg.drugs import DrugIdentity

NRDL_FILE, NRDL_SOURCE = "china_nrdl_2025.json.gz", "nhsa-nrdl-2025"
EPAR_FILE, EPAR_SOURCE = "epar_human.csv.gz", "ema-epar-2023-06"


def access_sources(data_dir: Path, identity: DrugIdentity) -> list[Source]:
    """The NRDL and EPAR sources read from ``data_dir``."""
    from loaders import epar, nrdl

    return [
        Source(
            SourceInfo(
                nrdl.GRAPH,
                "China's National Reimbursement Drug List 2025, Western medicines "
                "(医保发〔2025〕33号)",
                (NRDL_SOURCE,),
                "2025-12-07",
                title_zh="国家医保药品目录（2025 年），西药部分（医保发〔2025〕33号）",
            ),
            lambda: nrdl.load(
                data_dir / "nrdl" / NRDL_FILE, source=iri.source(NRDL_SOURCE), identity=identity
            ),
        ),
        Source(
            SourceInfo(
                epar.GRAPH,
                "EU marketing authorisations: EMA European public assessment reports (human)",
                (EPAR_SOURCE,),
                "2023-06-12",
                title_zh="欧盟上市许可：EMA 欧洲公共评估报告（人用药）",
            ),
            lambda: epar.load(
                data_dir / "epar" / EPAR_FILE, source=iri.source(EPAR_SOURCE), identity=identity
            ),
        ),
    ]
