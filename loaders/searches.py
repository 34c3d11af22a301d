"""Documented searches for patient organizations, one row per search (``data/searches/``).

Question 1 lists the national-list diseases with no patient organization known to the graph.  That
answer is only as good as the looking behind it, so every search made for a listed disease is
kept as data: the disease, the exact queries, the collection searched, the date, the outcome, the
organizations recorded from it and the candidates seen and not recorded, each with a reason code.
Each search becomes an ``rk:DiseaseSearch`` (a ``prov:Activity``) in its own named graph, pointing
to the disease (``rk:searchedFor``) and to the organizations it generated (``prov:generated``), so
that a disease page and question 1 can say what was looked for.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from kg import iri
from kg.rdf import QuadWriter, text
from kg.tables import SEARCHES
from kg.vocab import PROV, RDF, RDFS, RK, XSD
from loaders.table import Record, disease_ref, read_table

GRAPH = "searches"
OUTCOMES = ("found", "nothing-found", "candidates-rejected")
OUTCOME_EN = {
    "found": "organizations found",
    "nothing-found": "nothing found",
    "candidates-rejected": "candidates rejected",
}
OUTCOME_ZH = {"found": "找到组织", "nothing-found": "未找到", "candidates-rejected": "候选均未录入"}
REASONS = (
    "not-patient-org",
    "disease-not-stated",
    "no-verbatim-source",
    "same-as-known",
    "defunct",
    "not-an-organization",
)
SEARCH_ID = re.compile(r"^s-(cn[12])-(\d{3})-(\d+)$")
CANDIDATE = re.compile(r"^(?P<name>.+?) \[(?P<reason>[a-z-]+)\]: (?P<detail>.+)$", re.S)
QUERY_SEPARATOR = " | "
CANDIDATE_SEPARATOR = " ;; "


def organization_iris(folder: Path) -> dict[str, NamedNode]:
    """The IRI of every organization file's id (its ``same_as`` seed where it has one)."""
    found: dict[str, NamedNode] = {}
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as f:
            data = tomllib.load(f)
        file_id = str(data.get("id", path.stem))
        found[file_id] = iri.organization(str(data.get("same_as") or file_id))
    return found


def load(path: Path, organizations: Path) -> Iterator[Quad]:
    """Reads ``searches.csv``; ``organizations`` is the folder the ``found`` ids must name."""
    out = QuadWriter(iri.graph(GRAPH))
    known = organization_iris(organizations)
    seen: set[str] = set()
    for rec in read_table(path, SEARCHES):
        search_id = rec.require("id")
        if search_id in seen:
            raise rec.error("id", f"{search_id!r} is used twice")
        seen.add(search_id)
        _search(rec, search_id, known, out)
    yield from out.drain()


def _search(rec: Record, search_id: str, known: dict[str, NamedNode], out: QuadWriter) -> None:
    m = SEARCH_ID.match(search_id)
    if not m:
        raise rec.error("id", f"{search_id!r} is not of the form s-cn1-086-1")
    disease_value = rec.require("disease")
    expected = f"{m.group(1).upper()}:{int(m.group(2))}"
    if disease_value != expected:
        raise rec.error("disease", f"{disease_value!r} does not match the id ({expected})")
    disease = rec.convert("disease", disease_ref, required=True)
    if not isinstance(disease, NamedNode):
        raise rec.error("disease", "must name a list entry (CN1:<n> or CN2:<n>)")
    when = rec.convert("searched_on", date.fromisoformat, required=True)
    assert when is not None
    outcome = rec.one_of("result", OUTCOMES, required=True) or ""
    parts = rec.require("queries").split(QUERY_SEPARATOR.strip())
    queries = [q.strip() for q in parts if q.strip()]
    if not queries:
        raise rec.error("queries", "needs at least one query")
    found = [f.strip() for f in rec.get("found").split(";") if f.strip()]
    if (outcome == "found") != bool(found):
        raise rec.error(
            "found", "names the organizations recorded exactly when the result is 'found'"
        )
    candidates = [c.strip() for c in rec.get("candidates").split(CANDIDATE_SEPARATOR) if c.strip()]
    if outcome == "candidates-rejected" and not candidates:
        raise rec.error("candidates", "a rejected-candidates search lists its candidates")

    node = iri.entity("search", search_id)
    out.add(node, RDF.type, RK.DiseaseSearch)
    out.add(node, RDF.type, PROV.Activity)
    out.add(node, RDFS.label, text(f"Search {search_id} of {when}: {OUTCOME_EN[outcome]}", "en"))
    out.add(node, RDFS.label, text(f"检索 {search_id}（{when}）：{OUTCOME_ZH[outcome]}", "zh"))
    out.add(node, RK.searchedFor, disease)
    out.add(node, PROV.endedAtTime, Literal(when.isoformat(), datatype=XSD.date))
    out.add(node, RK.searchOutcome, iri.concept("search-outcome", outcome))
    out.add(node, RK.searchedCollection, text(rec.require("where"), "en"))
    for query in queries:
        out.add(node, RK.searchQuery, text(query))
    for org in found:
        target = known.get(org)
        if target is None:
            raise rec.error("found", f"{org!r} is not the id of a file in data/organizations/")
        out.add(node, PROV.generated, target)
    for candidate in candidates:
        c = CANDIDATE.match(candidate)
        if not c or c.group("reason") not in REASONS:
            raise rec.error(
                "candidates",
                f"{candidate[:60]!r}: write 'name [reason]: detail' with a reason among "
                + ", ".join(REASONS),
            )
        out.add(node, RK.rejectedCandidate, text(candidate))
    note = rec.get("note")
    if note:
        out.add(node, RDFS.comment, text(note, "en"))
