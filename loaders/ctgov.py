"""Clinical trials from ClinicalTrials.gov API v2 JSON: a search page (``{"studies": [...]}``) or a
single study (``{"protocolSection": ...}``).

Each study is an ``rk:ClinicalTrial`` with its NCT number, titles, overall status, phases, study
type, enrollment, start date, conditions (``rk:conditionText``), interventions
(``rk:interventionText``), lead sponsor (``schema:sponsor``) and collaborators (``rk:collaborator``)
as organizations, the countries of its sites and its sites in China (``rk:trialSite``).

Conditions are kept as published; the build's linking phase (``kg/build/link.py``) resolves
them to diseases (``schema:healthCondition``). An intervention is linked
to the drugs whose name, INN or brand it matches exactly (``rk:testsDrug``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from kg import iri
from kg.errors import LoadError
from kg.names import DrugIndex
from kg.rdf import QuadWriter, date_literal, integer, text
from kg.records import ErrorPolicy, Skipped
from kg.vocab import ORG, PROV, RDF, RDFS, RK, SCHEMA
from loaders.upstream import JsonRecord, read_json, records

GRAPH = "ctgov-trials"
CHINA = "China"
P = "protocolSection."


def load(
    path: Path,
    *,
    source: NamedNode,
    graph: str = GRAPH,
    drugs: DrugIndex | None = None,
    on_error: str = "stop",
    skipped: Skipped | None = None,
) -> Iterator[Quad]:
    """Quads of the ClinicalTrials.gov JSON at ``path``; ``source`` is the file's document.  Raises
    ``LoadError`` naming file, record (study, from 1) and field."""
    policy = ErrorPolicy(on_error, skipped)
    data = read_json(path)
    if isinstance(data, dict) and "protocolSection" in data:
        data = {"studies": [data]}
    out = QuadWriter(iri.graph(graph))

    def build(rec: JsonRecord | LoadError) -> None:
        if isinstance(rec, LoadError):
            raise rec
        _study(out, rec, source, drugs)

    yield from policy.emit(out, records(path, data, "studies"), build)


def _organization(out: QuadWriter, rec: JsonRecord, field: str, source: NamedNode) -> NamedNode:
    name = rec.require(field)
    node = iri.organization(rec.convert(field, iri.name_slug, required=True) or "")
    for cls in (RK.Organization, SCHEMA.Organization, ORG.Organization):
        out.add(node, RDF.type, cls)
    out.label(node, name, "en", RDFS.label, SCHEMA.name)
    out.add(node, PROV.wasDerivedFrom, source)
    return node


def _strings(rec: JsonRecord, field: str) -> list[str]:
    values = []
    for i, value in enumerate(rec.items(field)):
        if not isinstance(value, str):
            raise rec.error(f"{field}[{i}]", "is not a string")
        if value.strip():
            values.append(value.strip())
    return values


def _study(
    out: QuadWriter,
    rec: JsonRecord,
    source: NamedNode,
    drugs: DrugIndex | None,
) -> None:
    nct = rec.require(P + "identificationModule.nctId")
    trial = rec.convert(P + "identificationModule.nctId", iri.trial, required=True)
    title = rec.require(P + "identificationModule.briefTitle")
    assert trial is not None
    out.add(trial, RDF.type, RK.ClinicalTrial)
    out.add(trial, RDF.type, SCHEMA.MedicalTrial)
    out.add(trial, RK.trialId, text(nct))
    out.add(trial, SCHEMA.identifier, text(nct))
    out.label(trial, title, "en", RDFS.label, SCHEMA.name)
    out.label(trial, rec.text(P + "identificationModule.officialTitle"), "en", SCHEMA.alternateName)
    out.label(trial, rec.text(P + "identificationModule.acronym"), None, SCHEMA.alternateName)
    out.label(trial, rec.text(P + "statusModule.overallStatus"), None, SCHEMA.status)
    for phase in _strings(rec, P + "designModule.phases"):
        out.add(trial, SCHEMA.phase, text(phase))
    out.label(trial, rec.text(P + "designModule.studyType"), None, RK.studyType)
    count = rec.get(P + "designModule.enrollmentInfo.count")
    if count is not None:
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise rec.error(
                P + "designModule.enrollmentInfo.count",
                f"{count!r} is not a number of participants",
            )
        out.add(trial, RK.enrollment, integer(count))
    start = rec.convert(P + "statusModule.startDateStruct.date", date_literal)
    if start is not None:
        out.add(trial, SCHEMA.startDate, start)

    for condition in _strings(rec, P + "conditionsModule.conditions"):
        out.add(trial, RK.conditionText, text(condition, "en"))

    for item in rec.sub(P + "armsInterventionsModule.interventions"):
        name = item.require("name")
        out.add(trial, RK.interventionText, text(name, "en"))
        for drug in sorted(drugs.match(name) if drugs else (), key=lambda n: n.value):
            out.add(trial, RK.testsDrug, drug)

    if rec.get(P + "sponsorCollaboratorsModule.leadSponsor") is not None:
        sponsor = _organization(out, rec, P + "sponsorCollaboratorsModule.leadSponsor.name", source)
        out.add(trial, SCHEMA.sponsor, sponsor)
    for item in rec.sub(P + "sponsorCollaboratorsModule.collaborators"):
        out.add(trial, RK.collaborator, _organization(out, item, "name", source))

    countries: set[str] = set()
    for site in rec.sub(P + "contactsLocationsModule.locations"):
        country = site.text("country")
        if country:
            countries.add(country)
        if country == CHINA:
            place = ", ".join(v for v in (site.text("facility"), site.text("city")) if v)
            if place:
                out.add(trial, RK.trialSite, text(place))
    for country in sorted(countries):
        out.add(trial, RK.country, text(country))
    out.add(trial, PROV.wasDerivedFrom, source)
