"""``/gaps``: for each national list, how many listed diseases have a patient organization, a drug
approved in China, an FDA orphan approval, a trial, reimbursement in China, an EU marketing
authorisation; as server-rendered SVG charts
and a table.  Every number is the row count of a query, and links to that query in the form.

Whether a kind of data is loaded at all is read from the VoID description of the build (graph
``https://w3id.org/rarekg/graph/void``), so an absent source reads "not loaded", never "none".
"""

from __future__ import annotations

import hashlib
import time
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, render_template
from flask_babel import gettext

from kg.coverage import MEASURES, PREAMBLE, Measure
from kg.errors import RarekgError
from kg.vocab import GRAPH_BASE, PREFIXES
from service import charts, i18n, web
from service.queries import select
from service.terms import language_of

bp = Blueprint("gaps", __name__)

RK = PREFIXES["rk"]
VOID_GRAPH = GRAPH_BASE + "void"


def _entries(list_iri: str) -> str:
    return (f"  ?e rk:inList <{list_iri}> ; rk:entryNumber ?entry ; rk:entryOf ?disease ;\n"
            "     rk:printedName ?name_zh, ?name_en .\n"
            "  FILTER (lang(?name_zh) = \"zh\" && lang(?name_en) = \"en\")\n")


def listed_query(list_iri: str, title: str) -> str:
    return (f"{PREAMBLE}# The diseases of the {title}\n"
            "SELECT ?disease ?entry ?name_zh ?name_en\nWHERE {\n"
            f"{_entries(list_iri)}}}\nORDER BY ?entry\n")


def with_query(list_iri: str, title: str, m: Measure) -> str:
    return (f"{PREAMBLE}# Diseases of the {title} with: {m.title.lower()}"
            f"{' (' + m.note + ')' if m.note else ''}\n"
            f"SELECT ?disease ?entry ?name_zh ?name_en ?{m.column}\nWHERE {{\n"
            # counted per disease first, then joined to the list (one pass over the pattern,
            # not one per entry: docs/queries.md §3b)
            f"  {{ SELECT ?disease (COUNT(DISTINCT ?{m.counted}) AS ?{m.column}) WHERE {{\n"
            f"  {m.pattern}\n  }} GROUP BY ?disease }}\n"
            f"{_entries(list_iri)}}}\nORDER BY ?entry\n")


def without_query(list_iri: str, title: str, m: Measure) -> str:
    return (f"{PREAMBLE}# Diseases of the {title} without: {m.title.lower()}"
            f"{' (' + m.note + ')' if m.note else ''}\n"
            f"SELECT ?disease ?entry ?name_zh ?name_en\nWHERE {{\n{_entries(list_iri)}"
            f"  MINUS {{\n    {m.pattern}\n  }}\n}}\nORDER BY ?entry\n")


def form_link(query: str) -> str:
    return "/?" + urlencode({"query": query})


def _void() -> dict[str, Any]:
    """What the VoID description says: graphs, their classes, sources and dates."""
    rows = select(
        "PREFIX void: <http://rdfs.org/ns/void#> PREFIX dct: <http://purl.org/dc/terms/> "
        "PREFIX prov: <http://www.w3.org/ns/prov#> "
        f"SELECT ?g ?title ?issued ?class ?n WHERE {{ GRAPH <{VOID_GRAPH}> {{ ?d void:subset ?g . "
        "OPTIONAL { ?g dct:title ?title } OPTIONAL { ?g dct:issued ?issued } "
        "OPTIONAL { ?g void:classPartition ?cp . ?cp void:class ?class ; void:entities ?n } } }")
    graphs: dict[str, dict[str, Any]] = {}
    for row in rows:
        g = graphs.setdefault(row["g"]["value"], {"iri": row["g"]["value"], "classes": {}})
        if "title" in row:  # one per language (kg/describe.py)
            title = row["title"]["value"]
            g.setdefault("titles", {})[language_of(title, row["title"].get("xml:lang", ""))] = title
        if "issued" in row:
            g["issued"] = row["issued"]["value"]
        if "class" in row:
            g["classes"][row["class"]["value"]] = int(row["n"]["value"])
    sources = select(
        "PREFIX void: <http://rdfs.org/ns/void#> PREFIX prov: <http://www.w3.org/ns/prov#> "
        f"SELECT ?g (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{VOID_GRAPH}> {{ ?d void:subset ?g "
        ". ?g prov:wasDerivedFrom ?s } } GROUP BY ?g")
    for row in sources:
        if row["g"]["value"] in graphs:
            graphs[row["g"]["value"]]["sources"] = int(row["n"]["value"])
    built = select("PREFIX dct: <http://purl.org/dc/terms/> "
                   "PREFIX void: <http://rdfs.org/ns/void#> "
                   f"SELECT ?built WHERE {{ GRAPH <{VOID_GRAPH}> {{ ?d void:subset ?g ; "
                   "dct:created ?built } } LIMIT 1")
    return {"graphs": graphs, "built": built[0]["built"]["value"] if built else ""}


def _loaded(m: Measure, void: dict[str, Any]) -> list[dict[str, Any]]:
    """The graphs that hold this kind of data (empty: not loaded)."""
    found = []
    for g in void["graphs"].values():
        name = g["iri"].removeprefix(GRAPH_BASE)
        if name in m.graphs or any(g["classes"].get(c, 0) > 0 for c in m.classes):
            found.append(g)
    return found


def _organizations(void: dict[str, Any]) -> dict[str, Any]:
    cls = RK + "PatientOrganization"
    graphs = [g for g in void["graphs"].values() if g["classes"].get(cls, 0) > 0]
    sources = select(
        "PREFIX void: <http://rdfs.org/ns/void#> PREFIX prov: <http://www.w3.org/ns/prov#> "
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{VOID_GRAPH}> {{ "
        f"?g void:classPartition/void:class <{cls}> ; prov:wasDerivedFrom ?s }} }}")
    total = select(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?o a <{cls}> }}")
    dates = sorted(g["issued"] for g in graphs if g.get("issued"))
    return {
        "total": int(total[0]["n"]["value"]) if total else 0,
        "sources": int(sources[0]["n"]["value"]) if sources else 0,
        "graphs": [{"name": g["iri"].removeprefix(GRAPH_BASE), "href": "/graph/" +
                    g["iri"].removeprefix(GRAPH_BASE), "titles": g.get("titles", {}),
                    "entities": g["classes"][cls], "sources": g.get("sources", 0),
                    "issued": g.get("issued", "")} for g in graphs],
        "as_of": dates[-1] if dates else "",
        "built": void["built"],
    }


def _lists() -> list[dict[str, str]]:
    rows = select(
        "PREFIX rk: <https://w3id.org/rarekg/vocab#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?list ?zh ?en WHERE { ?list a rk:RareDiseaseList . "
        "OPTIONAL { ?list skos:prefLabel ?zh FILTER (lang(?zh) = \"zh\") } "
        "OPTIONAL { ?list skos:prefLabel ?en FILTER (lang(?en) = \"en\") } } ORDER BY ?list")
    return [{"iri": r["list"]["value"], "zh": r.get("zh", {}).get("value", ""),
             "en": r.get("en", {}).get("value", "") or r["list"]["value"].rsplit("/", 1)[-1]}
            for r in rows]


ANALYSES_GRAPH = GRAPH_BASE + "analyses"


def _precomputed() -> dict[tuple[str, str], tuple[int, int, int]]:
    """The coverage counts the build computed (graph ``analyses``, kg/store/analyses.py):
    ``{(list, measure id): (listed, with, without)}``, only those counted with the same graph
    pattern as the measure here (``dct:identifier``: a digest of it); empty when the graph is
    absent."""
    rows = select(
        f"PREFIX rk: <{RK}> PREFIX dct: <http://purl.org/dc/terms/> "
        "SELECT ?list ?m ?digest ?listed ?with ?without WHERE { "
        f"GRAPH <{ANALYSES_GRAPH}> {{ ?o a rk:CoverageCount ; rk:coverageOf ?list ; "
        "rk:coverageMeasure ?m ; dct:identifier ?digest ; rk:listedCount ?listed ; "
        "rk:withCount ?with ; rk:withoutCount ?without } }")
    digests = {m.id: hashlib.sha256(m.pattern.encode("utf-8")).hexdigest()[:16]
               for m in MEASURES}
    return {(r["list"]["value"], r["m"]["value"]): (int(r["listed"]["value"]),
            int(r["with"]["value"]), int(r["without"]["value"])) for r in rows
            if digests.get(r["m"]["value"]) == r["digest"]["value"]}


def dashboard() -> dict[str, Any]:
    """Every number of the dashboard, with the query that produced it (cached per build)."""
    return web.cached("gaps", _dashboard)


def _dashboard() -> dict[str, Any]:
    started = time.perf_counter()
    void = _void()
    measures: list[dict[str, Any]] = [{"m": m, "graphs": _loaded(m, void)} for m in MEASURES]
    lists = []
    pre = _precomputed()  # read from the build's analyses; computed here when absent
    for lst in _lists():
        title = lst["en"]
        q_all = listed_query(lst["iri"], title)
        known = [v for (list_iri, _), v in pre.items() if list_iri == lst["iri"]]
        total = known[0][0] if known else len(select(q_all))
        cells = []
        for info in measures:
            m = info["m"]
            if not info["graphs"]:
                cells.append({"measure": m, "loaded": False})
                continue
            q_with = with_query(lst["iri"], title, m)
            q_without = without_query(lst["iri"], title, m)
            counted = pre.get((lst["iri"], m.id))
            have, lack = counted[1:] if counted else (len(select(q_with)), len(select(q_without)))
            cells.append({"measure": m, "loaded": True, "with": have, "without": lack,
                          "share": have / total if total else 0.0,
                          "with_href": form_link(q_with), "without_href": form_link(q_without)})
        lists.append({**lst, "total": total, "total_href": form_link(q_all), "cells": cells})
    return {"lists": lists, "measures": measures, "organizations": _organizations(void),
            "seconds": time.perf_counter() - started}


def _localized(lists: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lists with their names and charts in the page's language (the numbers are cached per
    build; the words are chosen per request)."""
    zh = i18n.language() == "zh"
    out = []
    for lst in lists:
        number = lst["iri"].rsplit("/", 1)[-1].removeprefix("cn")
        name = (lst["zh"] if zh else lst["en"]) or lst["en"]
        short = f"第{'一二三四五'[int(number) - 1]}批" if zh and number.isdigit() and \
            0 < int(number) < 6 else (gettext("List %(n)s", n=number) if number.isdigit() else name)
        bars = [charts.Bar(c["measure"].title_zh if zh else c["measure"].title, c.get("with"),
                           lst["total"], c.get("with_href", "")) for c in lst["cells"]]
        chart = charts.coverage_chart(f"chart-{lst['iri'].rsplit('/', 1)[-1]}", name,
                                      lst["total"], bars, of=gettext("of"),
                                      not_loaded=gettext("not loaded"))
        out.append({**lst, "name": name, "short": short, "chart": chart})
    return out


@bp.route("/gaps")
def gaps() -> str | tuple[str, int]:
    try:
        data = dashboard()
    except RarekgError as exc:
        return web.error_page(exc)
    return render_template("gaps.html", title=gettext("Gaps in the rare-disease ecosystem"),
                           **{**data, "lists": _localized(data["lists"])})
