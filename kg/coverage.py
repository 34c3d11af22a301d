"""What the gaps of the rare-disease ecosystem are counted by: for each kind of data (patient
organizations, drugs approved in China, FDA orphan approvals, trials, reimbursement, EU
authorisations), the graph pattern that ties it to a listed disease, and what its sources cover.

One definition for the two places that count: the build, which precomputes the counts
(``kg/store/analyses.py``), and the gaps dashboard, which shows them (``service/gaps.py``). The
titles, notes and coverage texts are English message ids of the pages' catalogue (``N_`` marks
them; the pages translate them).
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.vocab import CONCEPT_BASE, PREFIXES

RK = PREFIXES["rk"]


def N_(message: str) -> str:
    """Marks ``message`` for the pages' catalogue; it is translated where it is shown."""
    return message


PREAMBLE = """PREFIX rk: <https://w3id.org/rarekg/vocab#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
"""
APPROVAL = f"<{CONCEPT_BASE}decision-type/marketing-approval>"


def not_withdrawn(status: str) -> str:
    """The filter that leaves out ``status`` once withdrawn: an EU authorisation since withdrawn
    is no drug authorised in the EU, in question 2, ``/gaps`` and the disease pages alike."""
    return f'FILTER NOT EXISTS {{ {status} rk:publishedStatus "Withdrawn"@en }}'


def approved_in_china(status: str, drug: str, indication: str) -> str:
    """The pattern of a drug approved in China for an indication: an approval in the China
    reference, or a listing in the NRDL (which lists only drugs approved in China) whose
    restriction names it, as question 3 counts it."""
    return (f"{{ {status} rk:ofDrug {drug} ; rk:jurisdiction \"CN\" ; rk:statusType {APPROVAL} ;\n"
            f"      rk:forIndication {indication} . }}\n"
            f"  UNION\n"
            f"  {{ {status} a rk:ReimbursementStatus ; rk:ofDrug {drug} ;\n"
            f"      rk:jurisdiction \"CN\" ; rk:forIndication {indication} . }}")


@dataclass(frozen=True)
class Measure:
    id: str
    title: str
    title_zh: str
    counted: str  # the variable counted per disease
    column: str  # its column name in the result
    pattern: str  # binds ?disease to the listed disease and ?<counted>
    classes: tuple[str, ...] = ()  # loaded when VoID has entities of one of these classes
    graphs: tuple[str, ...] = ()  # ... or one of these graphs
    note: str = ""
    coverage: str = ""  # which source, as of when, what it does not cover


MEASURES = (
    Measure("organization", "Patient organization", "患者组织", "org", "organizations",
            "?org a rk:PatientOrganization ; rk:servesDisease ?served .\n"
            "  ?served skos:broader* ?disease .",
            classes=(RK + "PatientOrganization",),
            note=N_("known to this graph; an organization serving a subtype counts for its entry")),
    Measure("china-drug", "Drug approved in China", "中国已批准药物", "drug", "drugs_china",
            approved_in_china("?status", "?drug", "?indication")
            + "\n  ?indication skos:broader* ?disease .",
            graphs=("china-drug-approvals", "china-nrdl-2025"),
            note=N_("an approval in the China reference, or a listing in the NRDL 2025 whose "
                    "restriction names the disease (the NRDL lists only drugs approved in China); "
                    "an approval whose record states no indication (the VAT relief lists) counts "
                    "for no disease, and a disease page names such a drug when the US or the EU "
                    "approved it for the disease"),
            coverage=N_("China rare-disease drug approvals reference (VAT relief lists, CDE lists "
                     "and review reports, NMPA news; compiled 2026-10-06): not a register of all "
                     "NMPA approvals.")),
    Measure("fda-orphan", "FDA orphan approval", "FDA孤儿药批准", "drug", "drugs_fda_orphan",
            f"?status rk:ofDrug ?drug ; rk:jurisdiction \"US\" ; rk:statusType {APPROVAL} ;\n"
            "          rk:forIndication ?indication .\n  ?indication skos:broader* ?disease .",
            graphs=("fda-orphan-approvals",),
            coverage=N_("FDA OOPD export of orphan designations and approvals (approvals "
                     "1983-07-20 to 2022-05-20): orphan approvals only, not every FDA approval.")),
    Measure("trial", "Clinical trial", "临床试验", "trial", "trials",
            "?trial a rk:ClinicalTrial ; schema:healthCondition ?condition .\n"
            "  ?condition skos:broader* ?disease .",
            classes=(RK + "ClinicalTrial",),
            coverage=N_("One ClinicalTrials.gov page (spinal muscular atrophy, sites in China); "
                     "trials come from one sample.")),
    Measure("reimbursement", "Reimbursement in China", "医保报销", "drug", "drugs_reimbursed",
            "{ ?reimbursement a rk:ReimbursementStatus ; rk:ofDrug ?drug ;\n"
            "                  rk:forIndication ?indication . }\n"
            "  UNION\n"
            "  { ?reimbursement a rk:ReimbursementStatus ; rk:ofDrug ?drug .\n"
            "    FILTER NOT EXISTS { ?reimbursement rk:indicationText ?restriction }\n"
            f"    ?approval rk:ofDrug ?drug ; rk:jurisdiction \"CN\" ; rk:statusType {APPROVAL} ;\n"
            "              rk:forIndication ?indication . }\n"
            "  ?indication skos:broader* ?disease .",
            classes=(RK + "ReimbursementStatus",),
            note=N_("a listing counts where its restriction is linked to the disease; a listing "
                 "without restriction counts where its drug is approved in China for it"),
            coverage=N_("National Reimbursement Drug List 2025 (医保发〔2025〕33号, in force from "
                     "2026-01-01): Western medicines, negotiated and bidding drugs. Chinese "
                     "patent medicines (中成药), decoction pieces, the commercial insurance "
                     "innovative drug list and provincial lists are not loaded.")),
    Measure("eu-authorisation", "EU marketing authorisation", "欧盟上市许可", "drug",
            "drugs_eu_authorised",
            f"?status rk:ofDrug ?drug ; rk:jurisdiction \"EU\" ; rk:statusType {APPROVAL} ;\n"
            "          rk:forIndication ?indication .\n"
            f"  {not_withdrawn('?status')}\n"
            "  ?indication skos:broader* ?disease .",
            graphs=("ema-epar",),
            note=N_("authorisations not withdrawn, linked by their indication text"),
            coverage=N_("EMA European public assessment reports (EPAR) table exported "
                        "2023-06-12/13: centrally authorised human medicines. Nationally "
                        "authorised medicines and decisions after June 2023 are not included.")),
)


# The coverage table (question 2), computed once per build into the graph analyses
# (kg/store/analyses.py) and read from there by the catalogue's question 2.  Per column: its name
# in the query, the property of the precomputed row, the variable counted, and the pattern that
# binds it for ?disease.  A count for a subtype counts for its listed parent (skos:broader*); zero
# means none known to this graph.
_STATUS = ("rk:ofDrug ?x ; rk:jurisdiction \"{j}\" ; rk:statusType " + APPROVAL +
           " ;\n                   rk:forIndication ?i .")
TABLE = (
    ("organizations", "organizationCount",
     "?x a rk:PatientOrganization ; rk:servesDisease ?i ."),
    ("drugs_china", "chinaApprovedDrugCount", approved_in_china("?s", "?x", "?i")),
    ("fda_orphan_drugs", "fdaOrphanDrugCount", "?s " + _STATUS.format(j="US")),
    ("trials", "trialCount", "?x a rk:ClinicalTrial ; schema:healthCondition ?i ."),
    ("drugs_reimbursed_china", "reimbursedDrugCount",
     "?s a rk:ReimbursementStatus ; rk:ofDrug ?x ; rk:jurisdiction \"CN\" ;\n"
     "                   rk:forIndication ?i ."),
    ("drugs_authorised_eu", "euAuthorisedDrugCount",
     "?s " + _STATUS.format(j="EU") +
     "\n                 " + not_withdrawn("?s")),
)
TABLE_COLUMNS = tuple((column, prop) for column, prop, _ in TABLE)
TABLE_QUERY = (
    PREAMBLE + "SELECT ?e " + " ".join(f"?{column}" for column, _, _ in TABLE) + "\nWHERE {\n"
    "  ?e a rk:ListEntry ; rk:entryOf ?disease .\n"
    + "".join(
        f"  {{\n    SELECT ?disease (COUNT(DISTINCT ?x) AS ?{column}) WHERE {{\n"
        "      ?disease rk:hasListEntry ?anyEntry .\n"
        f"      OPTIONAL {{ {pattern}\n                 ?i skos:broader* ?disease . }}\n"
        "    } GROUP BY ?disease\n  }\n"
        for column, _, pattern in TABLE)
    + "}\n"
)
