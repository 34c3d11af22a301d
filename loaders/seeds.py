"""Organizations, policies, programmes and statistics stated in the seed documents, each fact
with its source document and the quote that states it (``data/seeds/``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from kg import iri
from kg.rdf import QuadWriter, Term, date_literal, decimal, integer, text
from kg.vocab import DCT, ORG, PROV, QB, RDF, RDFS, RK, SCHEMA, SDMX_MEASURE, SKOS, XSD
from loaders.table import Record, disease_ref, read_table

GRAPH = "seed-documents"
ORG_COLUMNS = ("id", "class", "org_type", "name_en", "name_zh", "country", "source", "quote")
POLICY_COLUMNS = (
    "id",
    "class",
    "name_en",
    "name_zh",
    "document_no",
    "jurisdiction",
    "date",
    "source",
    "quote",
)
STATEMENT_COLUMNS = ("subject", "property", "value", "source", "quote")
OBSERVATION_COLUMNS = (
    "id",
    "dataset",
    "subject",
    "category",
    "measure_en",
    "value",
    "unit",
    "denominator",
    "qualifier",
    "as_of",
    "source",
    "quote",
)

ORG_CLASSES: dict[str, tuple[NamedNode, ...]] = {
    "PatientOrganization": (RK.PatientOrganization, RK.Organization, SCHEMA.NGO, ORG.Organization),
    "Foundation": (RK.Organization, RK.Foundation, SCHEMA.NGO, ORG.Organization),
    "Company": (
        RK.Organization,
        RK.Company,
        SCHEMA.Organization,
        SCHEMA.Corporation,
        ORG.Organization,
    ),
    "RegulatoryAuthority": (
        RK.Organization,
        RK.RegulatoryAuthority,
        SCHEMA.Organization,
        SCHEMA.GovernmentOrganization,
        ORG.Organization,
    ),
    "GovernmentBody": (
        RK.Organization,
        RK.GovernmentBody,
        SCHEMA.Organization,
        SCHEMA.GovernmentOrganization,
        ORG.Organization,
    ),
    "ResearchOrganization": (
        RK.Organization,
        RK.ResearchOrganization,
        SCHEMA.Organization,
        ORG.Organization,
    ),
    "Hospital": (
        RK.Organization,
        RK.Hospital,
        SCHEMA.Organization,
        SCHEMA.Hospital,
        ORG.Organization,
    ),
    "Organization": (RK.Organization, SCHEMA.Organization, ORG.Organization),
}
POLICY_CLASSES: dict[str, tuple[NamedNode, ...]] = {
    "Policy": (RK.Policy, SCHEMA.Legislation),
    "Programme": (RK.Programme, SCHEMA.Project),
}
ORG_TYPES = ("disease-specific", "umbrella", "alliance", "fund-hosted-by-foundation")
CONCEPT_PROPERTIES = {
    "registrationStatus": (
        RK.registrationStatus,
        "registration-status",
        (
            "civil-affairs-social-group",
            "civil-affairs-social-service-institution",
            "civil-affairs-foundation",
            "business-registration",
            "hosted-by-another-body",
            "unregistered",
            "unknown",
        ),
    ),
    "activity": (
        RK.activityType,
        "activity-type",
        (
            "awareness",
            "patient-support",
            "consulting",
            "meetups",
            "financial-aid",
            "registry",
            "trial-participation",
            "drug-development",
            "research-sponsorship",
            "policy-advocacy",
            "professional-training",
            "newborn-screening",
        ),
    ),
    "fundingSource": (
        RK.fundingSourceType,
        "funding-source",
        (
            "government",
            "public-donations",
            "corporate",
            "foundation-grants",
            "founders-income",
            "none",
        ),
    ),
}
LINK_PROPERTIES = {
    "memberOf": RK.memberOf,
    "partnerOf": RK.partnerOf,
    "supportedBy": RK.supportedBy,
    "launchedBy": RK.launchedBy,
    "issuedBy": RK.issuedBy,
}
DISEASE_PROPERTIES = {
    "servesDisease": (RK.servesDisease, RK.servesDiseaseText),
    "appliesToDisease": (RK.appliesToDisease, RK.appliesToDiseaseText),
}
OTHER_PROPERTIES = ("foundingDate", "location", "website", "date", "description")
CATEGORIES = (
    "characteristic",
    "challenge",
    "support-received",
    "recommendation",
    "programme-output",
    "population",
)
NOTICES = ("nhc-2018-10-notice", "nhc-2023-26-notice")


def load(directory: Path, languages: dict[str, str] | None = None) -> Iterator[Quad]:
    """Reads the four tables of ``directory``.

    ``languages`` maps source ids to the language of their quotes (default English)."""
    langs = languages or {}
    out = QuadWriter(iri.graph(GRAPH))
    subjects: dict[str, NamedNode] = {n: iri.policy(n) for n in NOTICES}
    organizations: set[str] = set()

    def source(rec: Record) -> tuple[NamedNode, str | None]:
        node = rec.convert("source", iri.source, required=True)
        assert node is not None
        return node, langs.get(rec.get("source"), "en")

    for rec in read_table(directory / "organizations.csv", ORG_COLUMNS):
        slug = rec.require("id")
        if slug in subjects:
            raise rec.error("id", f"{slug!r} is defined twice")
        node = rec.convert("id", iri.organization, required=True)
        assert node is not None
        subjects[slug] = node
        organizations.add(slug)
        cls = rec.one_of("class", tuple(ORG_CLASSES), required=True)
        for c in ORG_CLASSES[cls or ""]:
            out.add(node, RDF.type, c)
        org_type = rec.one_of("org_type", ORG_TYPES)
        if org_type:
            if cls != "PatientOrganization":
                raise rec.error("org_type", "only patient organizations have an org_type")
            out.add(node, RK.organizationType, iri.concept("organization-type", org_type))
        src, lang = source(rec)
        _names(rec, out, node, src, lang)
        if rec.get("country"):
            out.add(node, RK.country, text(rec.get("country")))
        yield from out.drain()

    for rec in read_table(directory / "policies.csv", POLICY_COLUMNS):
        slug = rec.require("id")
        if slug in subjects:
            raise rec.error("id", f"{slug!r} is defined twice")
        node = rec.convert("id", iri.policy, required=True)
        assert node is not None
        subjects[slug] = node
        cls = rec.one_of("class", tuple(POLICY_CLASSES), required=True)
        for c in POLICY_CLASSES[cls or ""]:
            out.add(node, RDF.type, c)
        src, lang = source(rec)
        _names(rec, out, node, src, lang)
        if rec.get("document_no"):
            out.add(node, RK.documentNumber, text(rec.get("document_no")))
            out.add(node, SCHEMA.legislationIdentifier, text(rec.get("document_no")))
        if rec.get("jurisdiction"):
            out.add(node, RK.jurisdiction, text(rec.get("jurisdiction")))
            out.add(node, SCHEMA.legislationJurisdiction, text(rec.get("jurisdiction")))
        date = rec.convert("date", date_literal)
        if date is not None:
            out.add(node, DCT.date, date)
        yield from out.drain()

    for rec in read_table(directory / "statements.csv", STATEMENT_COLUMNS):
        subject = subjects.get(rec.require("subject"))
        if subject is None:
            raise rec.error(
                "subject", f"{rec.get('subject')!r} is not an organization or policy id"
            )
        prop_name = rec.one_of(
            "property",
            (*CONCEPT_PROPERTIES, *LINK_PROPERTIES, *DISEASE_PROPERTIES, *OTHER_PROPERTIES),
            required=True,
        )
        assert prop_name is not None
        prop, obj = _statement(rec, prop_name, subjects, out)
        src, lang = source(rec)
        out.evidence(subject, prop, obj, src, rec.require("quote"), lang)
        yield from out.drain()

    datasets: set[str] = set()
    for rec in read_table(directory / "observations.csv", OBSERVATION_COLUMNS):
        node = rec.convert("id", iri.observation, required=True)
        ds_slug = rec.require("dataset")
        dataset = rec.convert("dataset", iri.dataset, required=True)
        assert node is not None and dataset is not None
        src, lang = source(rec)
        if ds_slug not in datasets:
            datasets.add(ds_slug)
            out.add(dataset, RDF.type, QB.DataSet)
            out.add(dataset, RDFS.label, text(ds_slug.replace("-", " "), "en"))
            out.add(dataset, PROV.wasDerivedFrom, src)
        for c in (RK.SurveyObservation, QB.Observation):
            out.add(node, RDF.type, c)
        out.add(node, QB.dataSet, dataset)
        measure = rec.require("measure_en")
        out.add(node, RK.measure, text(measure, "en"))
        out.add(node, RDFS.label, text(measure, "en"))
        category = rec.one_of("category", CATEGORIES, required=True)
        out.add(node, RK.observationCategory, iri.concept("observation-category", category or ""))
        unit = rec.one_of("unit", ("fraction", "count"), required=True)
        value = rec.convert("value", decimal, required=True)
        assert value is not None
        if unit == "fraction" and not 0 <= float(value.value) <= 1:
            raise rec.error("value", f"{value.value} is a fraction outside [0, 1]")
        out.add(node, SDMX_MEASURE.obsValue, value)
        denominator = rec.convert("denominator", integer)
        if denominator is not None:
            out.add(node, RK.denominator, denominator)
        elif unit == "fraction":
            raise rec.error("denominator", "a fraction needs its denominator")
        qualifier = rec.one_of("qualifier", ("more-than", "about"))
        if qualifier:
            out.add(node, RK.qualifier, text(qualifier))
        as_of = rec.convert("as_of", date_literal)
        if as_of is not None:
            out.add(node, RK.asOf, as_of)
        if rec.get("subject"):
            about = subjects.get(rec.get("subject"))
            if about is None:
                raise rec.error(
                    "subject", f"{rec.get('subject')!r} is not an organization or policy id"
                )
            out.add(node, RK.surveyItem, about)
        out.add(node, PROV.wasDerivedFrom, src)
        out.add(node, RK.evidenceQuote, text(rec.require("quote"), lang))
        yield from out.drain()


def _names(rec: Record, out: QuadWriter, node: NamedNode, src: NamedNode, lang: str | None) -> None:
    name_en, name_zh = rec.get("name_en"), rec.get("name_zh")
    if not (name_en or name_zh):
        raise rec.error("name_en", "needs an English or a Chinese name")
    quote = rec.require("quote")
    for value, tag in ((name_en, "en"), (name_zh, "zh")):
        if value:
            out.add(node, SKOS.prefLabel, text(value, tag))
            out.add(node, SCHEMA.name, text(value, tag))
            out.evidence(node, RDFS.label, text(value, tag), src, quote, lang)


def _statement(
    rec: Record, name: str, subjects: dict[str, NamedNode], out: QuadWriter
) -> tuple[NamedNode, Term]:
    value = rec.require("value")
    if name in CONCEPT_PROPERTIES:
        prop, scheme, allowed = CONCEPT_PROPERTIES[name]
        rec.one_of("value", allowed, required=True)
        return prop, iri.concept(scheme, value)
    if name in LINK_PROPERTIES:
        target = subjects.get(value)
        if target is None:
            raise rec.error("value", f"{value!r} is not an organization or policy id")
        return LINK_PROPERTIES[name], target
    if name in DISEASE_PROPERTIES:
        linked, as_text = DISEASE_PROPERTIES[name]
        ref = rec.convert("value", disease_ref, required=True)
        if isinstance(ref, NamedNode):
            if value.startswith("ORPHA:"):
                code = value.removeprefix("ORPHA:")
                out.add(ref, RDF.type, RK.RareDisease)
                out.add(ref, RDF.type, SCHEMA.MedicalCondition)
                out.add(ref, RK.orphaCode, text(code))
                out.add(ref, RDFS.label, text(value, "en"))
                out.add(ref, RDFS.comment, text("Known to this graph only by its ORPHA code", "en"))
                out.add(ref, PROV.wasDerivedFrom, rec.convert("source", iri.source) or ref)
            return linked, ref
        assert ref is not None
        return as_text, text(ref, "en")
    if name == "foundingDate":
        return SCHEMA.foundingDate, rec.convert("value", date_literal, required=True) or text(value)
    if name == "date":
        return DCT.date, rec.convert("value", date_literal, required=True) or text(value)
    if name == "location":
        return RK.location, text(value)
    if name == "website":
        if not value.startswith(("http://", "https://")):
            raise rec.error("value", f"{value!r} is not an http(s) URL")
        return SCHEMA.url, Literal(value, datatype=XSD.anyURI)
    return SCHEMA.description, text(value, "en")
