"""The licence of each source graph of the default graph, for its VoID description.

One table: for each graph, the licence of the copy rarekg loads (an IRI, ``dct:license``) and, in
words, whose data it is and under which terms (``dct:rights``), as the shared folder's
``SOURCES.md`` records them for each reference file.  Where the copy states no licence, there is
no ``dct:license``, and the rights say so.  The catalogue (``kg/build/sources.py``) passes
its sources through :func:`with_terms`; a graph missing from the table gets no licence, and
``tests/test_licences.py`` names it (a build never fails for want of a licence).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from kg.build.pipeline import Source

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
MIT = "https://opensource.org/license/mit"
APACHE = "https://www.apache.org/licenses/LICENSE-2.0"
US_GOVERNMENT_WORK = "https://www.usa.gov/government-works"
HPO_LICENCE = "https://hpo.jax.org/app/license"

_OWN = "rarekg's own work (CC BY 4.0)"
_ZEBRA = "taken from zwbao/zebra-mod (MIT, © 2026 zwbao)"
_TIMGROUP = "from xiaohaomao/timgroup_disease_diagnosis (Apache-2.0)"
_DOCUMENTS = "the documents keep their own terms (the note column of data/sources.csv)"

TERMS: dict[str, tuple[str | None, str]] = {
    "ontology": (CC_BY, f"{_OWN}: vocabulary, concept schemes and shapes"),
    "examples": (CC_BY, f"{_OWN}: the example questions"),
    "sources": (CC_BY, f"{_OWN}: the catalogue of the documents the graph cites; {_DOCUMENTS}"),
    "seed-documents": (CC_BY, f"{_OWN}: facts read from the seed documents, each with its "
                              f"document and quote; {_DOCUMENTS}: some CC BY, some state none"),
    "organizations": (CC_BY, f"{_OWN}: facts read from public pages, each with its address and a "
                             "verbatim quote; the pages keep their own terms"),
    "searches": (CC_BY, f"{_OWN}: the curators' documented searches for patient organizations, "
                        "each with where and what was searched and what was found"),
    "disease-links": (CC_BY, f"{_OWN}: links made by rarekg from records to the listed "
                             "diseases, each with its method, matched text and confidence; the "
                             "linked records keep their sources' terms"),
    "china-lists": (MIT, "The lists are official publications of the National Health Commission "
                         "and others (国卫医发〔2018〕10号, 国卫医政发〔2023〕26号); the table is "
                         f"{_ZEBRA}"),
    "china-list-aliases": (CC_BY, "ORPHA codes and names from Orphanet's Orphadata (CC BY 4.0); "
                                  f"the links and folk names are {_ZEBRA}"),
    "ccrd-orpha-mapping": (APACHE, f"Expert mapping {_TIMGROUP}; the ORPHA codes refer to "
                                   "Orphanet"),
    "ccrd-omim-mapping": (APACHE, f"Expert mapping {_TIMGROUP}; the OMIM numbers refer to OMIM"),
    "ccrd-hpo": (APACHE, f"HPO annotations {_TIMGROUP}; the HPO terms are under the HPO licence, "
                         f"{HPO_LICENCE}"),
    "orphadata": (CC_BY, "Orphadata: Free access data from Orphanet. © INSERM 1999. Available on "
                         "https://www.orphadata.com (CC BY 4.0; responses kept in zwbao/zebra-mod, "
                         "MIT)"),
    "china-drug-approvals": (MIT, "Compiled from official publications of the MOF, STA, GACC, "
                                  f"NMPA and CDE; the compilation is {_ZEBRA}"),
    "china-rare-disease-network": (MIT, "The hospital lists are official publications of the "
                                        f"National Health Commission; the table is {_ZEBRA}"),
    "fda-orphan-approvals": (US_GOVERNMENT_WORK, "An export of the US FDA Office of Orphan "
                             "Products Development database, a US government work; kept in "
                             "jhylin/Portfolio-projects, which states no licence"),
    "ema-orphan-designations": (MIT, "A sample of European Medicines Agency orphan designation "
                                     "records kept in zwbao/zebra-mod (MIT); EMA's own reuse terms "
                                     "apply to the records and were not checked"),
    "china-nrdl-2025": (MIT, "The reimbursement list is an official publication of the National "
                             "Healthcare Security Administration (医保发〔2025〕33号); the table "
                             f"is transcribed from its PDF and {_ZEBRA}"),
    "ema-epar": (None, "An export of the European Medicines Agency's European public assessment "
                       "reports, kept in Pritamghara/hacathhon-medical-website, which states no "
                       "licence (so no dct:license is given); EMA's reuse terms were not checked"),
    "ctgov-trials": (MIT, "A ClinicalTrials.gov API v2 response kept in zwbao/zebra-mod (MIT); "
                          "ClinicalTrials.gov's own terms apply to the records and were not "
                          "checked"),
    "orphanet": (CC_BY, "Orphanet's ORPHApackets (Orphanet/orphapacket, DEC 2025): every packet "
                        "carries \"Orphanet (c) 2025\"; the repository states no licence, and "
                        "Orphanet publishes its data under CC BY 4.0"),
    "orphanet-phenotypes": (CC_BY, "HPO annotations of Orphanet's ORPHApackets (Orphanet (c) "
                                   "2025, CC BY 4.0 as Orphanet states for its data); the HPO "
                                   f"terms are under the HPO licence, {HPO_LICENCE}"),
    "orphanet-rd-code": (CC_BY, "Orphanet nomenclature pack RD-CODE 2025 (ICD-10 and ICD-11 "
                                "codes): CC BY 4.0, as its licence file states"),
    "orphanet-zh": (CC_BY, "Orphanet's Chinese preferred names (Orphadata API, CC BY 4.0), "
                           f"{_ZEBRA}"),
    "mondo": (CC_BY, "Mondo Disease Ontology SSSOM mappings: CC BY 4.0, as its LICENSE states"),
    "hpo": (None, f"Human Phenotype Ontology, release 2025-01-16: the HPO licence, {HPO_LICENCE} "
                  "(no licence IRI of its own)"),
    "hpo-zh": (None, "Official Chinese labels of the Human Phenotype Ontology (HPO translation "
                     f"project): the HPO licence, {HPO_LICENCE}"),
    "gard": (US_GOVERNMENT_WORK, "GARD tables of NCATS RDAS: a United States Government Work, "
                                 "public domain (its notice asks to cite the authors)"),
}
DOWNLOAD_RIGHTS = "Your own download: the terms of the site it came from apply"


def with_terms(sources: Sequence[Source]) -> list[Source]:
    """The sources with the licence and rights of their graphs (own downloads, ``download-…``, get
    only their rights; a graph the table does not know is left as it is)."""
    out = []
    for source in sources:
        name = source.info.name
        if name.startswith("download-"):
            info = replace(source.info, rights=DOWNLOAD_RIGHTS)
        elif name in TERMS:
            licence, rights = TERMS[name]
            info = replace(source.info, licence=licence, rights=rights)
        else:
            info = source.info
        out.append(replace(source, info=info))  # keeps the source's phase after loading
    return out
