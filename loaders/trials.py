"""Clinical trials (the project's table derived from ClinicalTrials.gov API v2 records)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from kg import iri
from kg.rdf import QuadWriter, date_literal, integer, text
from kg.vocab import ORG, PROV, RDF, RDFS, RK, SCHEMA
from loaders.table import disease_ref, read_table

GRAPH = "ctgov-trials"
COLUMNS = ("nct_id", "brief_title", "official_title", "overall_status", "phases", "study_type",
           "enrollment", "start_date", "conditions", "diseases", "interventions", "lead_sponsor",
           "countries", "source")


def sponsor_slug(name: str) -> str:
    """A slug for a sponsor known only by its name in a trial record."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug:
        raise ValueError("sponsor name has no letters or digits")
    return slug


def load(path: Path) -> Iterator[Quad]:
    out = QuadWriter(iri.graph(GRAPH))
    for rec in read_table(path, COLUMNS):
        nct = rec.require("nct_id")
        trial = rec.convert("nct_id", iri.trial, required=True)
        src = rec.convert("source", iri.source, required=True)
        assert trial is not None and src is not None
        out.add(trial, RDF.type, RK.ClinicalTrial)
        out.add(trial, RDF.type, SCHEMA.MedicalTrial)
        out.add(trial, RK.trialId, text(nct))
        out.add(trial, SCHEMA.identifier, text(nct))
        title = rec.require("brief_title")
        out.label(trial, title, "en", RDFS.label, SCHEMA.name)
        out.label(trial, rec.get("official_title"), "en", SCHEMA.alternateName)
        out.label(trial, rec.get("overall_status"), None, SCHEMA.status)
        for phase in filter(None, rec.get("phases").split(";")):
            out.add(trial, SCHEMA.phase, text(phase))
        out.label(trial, rec.get("study_type"), None, RK.studyType)
        enrollment = rec.convert("enrollment", integer)
        if enrollment is not None:
            out.add(trial, RK.enrollment, enrollment)
        start = rec.convert("start_date", date_literal)
        if start is not None:
            out.add(trial, SCHEMA.startDate, start)
        for condition in filter(None, rec.get("conditions").split(";")):
            out.add(trial, RK.conditionText, text(condition, "en"))
        for ref in filter(None, rec.get("diseases").split(";")):
            target = rec.convert("diseases", lambda _v, r=ref: disease_ref(r.strip()))
            if not isinstance(target, NamedNode):
                raise rec.error("diseases", f"{ref!r} must name a list entry or ORPHA code")
            out.add(trial, SCHEMA.healthCondition, target)
        for intervention in filter(None, rec.get("interventions").split(";")):
            out.add(trial, RK.interventionText, text(intervention, "en"))
        sponsor_name = rec.get("lead_sponsor")
        if sponsor_name:
            sponsor = iri.organization(rec.convert("lead_sponsor", sponsor_slug) or "")
            out.add(trial, SCHEMA.sponsor, sponsor)
            out.add(sponsor, RDF.type, RK.Organization)
            out.add(sponsor, RDF.type, SCHEMA.Organization)
            out.add(sponsor, RDF.type, ORG.Organization)
            out.add(sponsor, RDFS.label, text(sponsor_name, "en"))
            out.add(sponsor, SCHEMA.name, text(sponsor_name, "en"))
            out.add(sponsor, PROV.wasDerivedFrom, src)
        for country in filter(None, rec.get("countries").split(";")):
            out.add(trial, RK.country, text(country))
        out.add(trial, PROV.wasDerivedFrom, src)
        yield from out.drain()
