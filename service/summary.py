"""What a disease page says at a glance: where the disease is listed, its codes, and how many
patient organizations, drugs approved in China, the US and the EU, reimbursed drugs, trials, genes,
prevalence figures, phenotypes and documented searches the graph knows for it, each number a link
to the query that lists them.

A fact about a narrower disease counts for the disease it is linked under (``skos:broader*``), as
in the catalogue's questions. Every count is "known to this graph": zero means none recorded here.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask_babel import lazy_gettext as _l

from kg.coverage import APPROVAL, not_withdrawn
from kg.vocab import PREFIXES
from service import terms
from service.queries import select

RK = PREFIXES["rk"]
PREAMBLE = (
    "PREFIX rk: <https://w3id.org/rarekg/vocab#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "PREFIX schema: <http://schema.org/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)


@dataclass(frozen=True)
class Count:
    id: str
    label: object  # a lazy translation
    variable: str
    pattern: str  # binds ?x for the disease $d
    shown_when_zero: bool = True


# ?i: the disease itself, a narrower disease, or the same disease as another source names it
# (both exact matches of one ORPHA concept, with their subtypes, as question 18 walks them).
# A subquery, so the few diseases are found first and then joined (58 s to well under 1 s for
# the phenotypes of osteogenesis imperfecta on the default graph).
SAME = ("{ SELECT DISTINCT ?i WHERE { { ?i skos:broader* $d } UNION { $d skos:exactMatch ?same . "
        "FILTER (isIRI(?same)) ?o skos:exactMatch ?same . ?i skos:broader* ?o } } }")
# ?i: the disease itself or a narrower disease, found first.  The constants a status must have
# (jurisdiction, decision type, class) are compared in a FILTER on variables the join has bound:
# as constants in the triple patterns they made the engine start from every status of a
# jurisdiction (docs/queries.md §7: 25 ms against 0.9 ms for one disease).
DOWN = "{ SELECT DISTINCT ?i WHERE { ?i skos:broader* $d } }"


def _approved(jurisdiction: str) -> str:
    return (f"{DOWN} ?s rk:forIndication ?i ; rk:ofDrug ?x ; rk:jurisdiction ?j ; "
            f"rk:statusType ?t . FILTER (?j = \"{jurisdiction}\" && ?t = {APPROVAL})")


# Approved in China: an approval in the China reference, or a listing in the NRDL (which lists
# only drugs approved in China) whose restriction names the disease (kg/coverage.py, question 3).
APPROVED_CN = (f"{DOWN} ?s rk:forIndication ?i ; rk:ofDrug ?x ; rk:jurisdiction ?j ; a ?c . "
               f"OPTIONAL {{ ?s rk:statusType ?t }} FILTER (?j = \"CN\" && "
               f"(?c = rk:ReimbursementStatus || (BOUND(?t) && ?t = {APPROVAL})))")

# Approved in the US or the EU for the disease, not known to be approved in China for it, and
# approved in China by a record that states no indication at all (the VAT relief lists name
# approved drugs only: sapropterin, approved in the US and the EU for phenylketonuria).  Not
# counted as approved in China for the disease; shown (when there is one) so that a zero for
# China is not read as "not in China at all".
ELSEWHERE_AND_CN_UNSTATED = (
    f"{DOWN} ?s rk:forIndication ?i ; rk:ofDrug ?x ; rk:jurisdiction ?j ; rk:statusType ?t . "
    f"FILTER ((?j = \"US\" || ?j = \"EU\") && ?t = {APPROVAL}) {not_withdrawn('?s')} "
    "?cn rk:ofDrug ?x ; rk:jurisdiction ?cj ; rk:statusType ?ct . "
    f"FILTER (?cj = \"CN\" && ?ct = {APPROVAL} && "
    "NOT EXISTS { ?cn rk:indicationText ?stated } && "
    # and not already counted as approved in China for the disease (an approval or NRDL listing)
    "NOT EXISTS { ?own rk:ofDrug ?x ; rk:jurisdiction \"CN\" ; rk:forIndication ?oi . "
    "?oi skos:broader* $d })")

COUNTS: tuple[Count, ...] = (
    Count("organizations", _l("Patient organizations"), "x",
          f"{DOWN} ?x rk:servesDisease ?i ; a ?c . FILTER (?c = rk:PatientOrganization)"),
    Count("drugs-cn", _l("Drugs approved in China"), "x", APPROVED_CN),
    Count("drugs-cn-unstated", _l("Drugs approved for it in the US or EU, and in China for an "
                                  "indication not stated"), "x", ELSEWHERE_AND_CN_UNSTATED,
          shown_when_zero=False),
    Count("drugs-us", _l("Drugs approved in the US"), "x", _approved("US")),
    Count("drugs-eu", _l("Drugs authorised in the EU"), "x",
          f"{_approved('EU')} {not_withdrawn('?s')}"),
    Count("reimbursed", _l("Reimbursed drugs (China)"), "x",
          f"{DOWN} ?s rk:forIndication ?i ; rk:ofDrug ?x ; a ?c . "
          "FILTER (?c = rk:ReimbursementStatus)"),
    Count("trials", _l("Clinical trials"), "x",
          f"{DOWN} ?x schema:healthCondition ?i ; a ?c . FILTER (?c = rk:ClinicalTrial)"),
    Count("genes", _l("Genes"), "x", f"{SAME} ?i rk:hasGeneAssociation ?a . ?a rk:gene ?x ."),
    Count("prevalence", _l("Prevalence figures"), "x", f"{SAME} ?i rk:hasPrevalence ?x ."),
    Count("phenotypes", _l("Phenotypes"), "x", f"{SAME} ?i rk:hasPhenotype ?x ."),
    Count("searches", _l("Documented searches for patient organizations"), "x",
          "?x rk:searchedFor $d ."),
)


MAX_SAME = 500  # more diseases than this: the subquery itself, not a list of them


def _query(count: Count, node: str, *, listing: bool, same: str | None = None) -> str:
    """The count (or, ``listing``, the list) of ``count`` for the disease ``node``; ``same``: the
    diseases of ``SAME`` already found, as a ``VALUES`` block to use instead of the subquery."""
    pattern = count.pattern
    if same is not None:
        pattern = pattern.replace(SAME, same)
    pattern = pattern.replace("$d", node)
    if listing:
        return (f"{PREAMBLE}SELECT DISTINCT ?{count.variable} ?label WHERE {{ {pattern} "
                f"OPTIONAL {{ ?{count.variable} rdfs:label|skos:prefLabel ?label }} }} "
                f"ORDER BY ?{count.variable}")
    return f"SELECT (COUNT(DISTINCT ?{count.variable}) AS ?n) WHERE {{ {pattern} }}"


def is_disease(iri: str) -> bool:
    node = f"<{terms.check_iri(iri)}>"
    return bool(select(f"SELECT ?t WHERE {{ {node} a <{RK}RareDisease> }} LIMIT 1"))


def summary(iri: str) -> dict[str, object]:
    """The disease's list entries, codes and counts (each with the query behind it)."""
    node = f"<{terms.check_iri(iri)}>"
    entries = select(
        f"SELECT ?list ?n ?zh ?en WHERE {{ ?e <{RK}entryOf> {node} ; <{RK}inList> ?list ; "
        f"<{RK}entryNumber> ?n . OPTIONAL {{ ?list <{PREFIXES['skos']}prefLabel> ?zh "
        "FILTER (lang(?zh) = 'zh') } "
        f"OPTIONAL {{ ?list <{PREFIXES['skos']}prefLabel> ?en FILTER (lang(?en) = 'en') }} }} "
        "ORDER BY ?list ?n")
    # Two plain queries rather than a UNION with BIND: the same on every engine.
    orpha = select(f"SELECT DISTINCT ?c WHERE {{ {node} <{RK}orphaCode> ?c }}")
    matches = select(f"SELECT DISTINCT ?m WHERE {{ {node} <{PREFIXES['skos']}exactMatch> ?m . "
                     "FILTER (isIRI(?m)) } ORDER BY ?m LIMIT 30")
    codes = [{"code": {"value": "ORPHA:" + r["c"]["value"]}} for r in orpha] + [
        {"code": {"value": r["m"]["value"]}} for r in matches]
    # The engine joins the few diseases of SAME to every phenotype (gene, prevalence) of the graph
    # when they come from a subquery (60-75 ms a count), and looks each up when they are listed
    # (under a millisecond): so they are found once and listed.
    found = select(f"{PREAMBLE}{SAME[1:-1].replace('$d', node)} LIMIT {MAX_SAME + 1}")
    same = None
    if len(found) <= MAX_SAME and all(r["i"]["type"] == "uri" for r in found):
        same = "VALUES ?i { " + " ".join(f"<{terms.check_iri(r['i']['value'])}>"
                                        for r in found) + " }"
    counts = []
    for count in COUNTS:
        rows = select(_query(count, node, listing=False, same=same))
        n = int(rows[0]["n"]["value"]) if rows else 0
        if n or count.shown_when_zero:
            counts.append({"id": count.id, "label": str(count.label), "n": n,
                           "href": "/?" + urlencode({"query": _query(count, node, listing=True)})})
    return {
        "entries": [{"list": r["list"]["value"], "number": int(r["n"]["value"]),
                     "zh": r.get("zh", {}).get("value", ""), "en": r.get("en", {}).get("value", "")}
                    for r in entries],
        "codes": _codes(codes),
        "counts": counts,
    }


def _codes(rows: list[dict[str, dict[str, str]]]) -> list[dict[str, str]]:
    """Each code once, with a link where it is an IRI (ORPHA:666 is both a code and an IRI)."""
    found: dict[str, dict[str, str]] = {}
    for row in rows:
        value = row["code"]["value"]
        if value.startswith("http"):
            found[terms.compact(value)] = {"text": terms.compact(value),
                                           "href": terms.page_link(value)}
        else:
            found.setdefault(value, {"text": value, "href": ""})
    return list(found.values())
