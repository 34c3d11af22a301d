"""Source documents (``sources.csv`` tables) and the authorities named as their issuers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from pyoxigraph import Literal, Quad

from kg import iri, tables
from kg.rdf import QuadWriter, date_literal, text
from kg.vocab import DCT, ORG, PROV, RDF, RDFS, RK, SCHEMA, SKOS, XSD
from loaders.table import read_table

GRAPH = "sources"
COLUMNS = tables.SOURCES
TYPES = ("ScholarlyArticle", "NewsArticle", "WebPage", "OfficialNotice", "Dataset")
AUTHORITY_COLUMNS = ("id", "class", "name_zh", "alt_names_zh", "country", "source", "quote")
AUTHORITY_CLASSES = ("GovernmentBody", "RegulatoryAuthority")


def load_sources(paths: Iterable[Path]) -> Iterator[Quad]:
    out = QuadWriter(iri.graph(GRAPH))
    seen: set[str] = set()
    for path in paths:
        for rec in read_table(path, COLUMNS):
            slug = rec.require("id")
            if slug in seen:
                raise rec.error("id", f"{slug!r} is defined twice")
            seen.add(slug)
            doc = rec.convert("id", iri.source, required=True)
            assert doc is not None
            kind = rec.one_of("type", TYPES, required=True)
            out.add(doc, RDF.type, RK.SourceDocument)
            out.add(doc, RDF.type, PROV.Entity)
            out.add(doc, RDF.type, SCHEMA.CreativeWork)
            if kind in ("ScholarlyArticle", "NewsArticle", "WebPage"):
                out.add(doc, RDF.type, SCHEMA[kind])
            elif kind == "Dataset":
                out.add(doc, RDF.type, SCHEMA.Dataset)
            lang = rec.get("language") or None
            title = rec.require("title")
            out.add(doc, DCT.title, text(title, lang))
            out.add(doc, RDFS.label, text(title, lang))
            out.add(doc, SCHEMA.name, text(title, lang))
            for creator in filter(None, (c.strip() for c in rec.get("creator").split(";"))):
                out.add(doc, DCT.creator, text(creator))
            if rec.get("publisher"):
                out.add(doc, DCT.publisher, text(rec.get("publisher")))
            issued = rec.convert("date", date_literal)
            if issued is not None:
                out.add(doc, DCT.issued, issued)
            if rec.get("url"):
                out.add(doc, SCHEMA.url, Literal(rec.get("url"), datatype=XSD.anyURI))
            if lang:
                out.add(doc, SCHEMA.inLanguage, text(lang))
            accessed = rec.convert("accessed", date_literal)
            if accessed is not None:
                out.add(doc, RK.asOf, accessed)
            if rec.get("note"):
                out.add(doc, RDFS.comment, text(rec.get("note"), "en"))
            yield from out.drain()


def load_authorities(path: Path) -> Iterator[Quad]:
    """Government bodies and regulators named as issuers of official documents."""
    out = QuadWriter(iri.graph(GRAPH))
    for rec in read_table(path, AUTHORITY_COLUMNS):
        node = rec.convert("id", iri.organization, required=True)
        assert node is not None
        cls = rec.one_of("class", AUTHORITY_CLASSES, required=True)
        out.add(node, RDF.type, RK.Organization)
        out.add(node, RDF.type, RK[cls or ""])
        out.add(node, RDF.type, SCHEMA.Organization)
        out.add(node, RDF.type, SCHEMA.GovernmentOrganization)
        out.add(node, RDF.type, ORG.Organization)
        name = rec.require("name_zh")
        out.label(node, name, "zh", SKOS.prefLabel, RDFS.label, SCHEMA.name)
        for alt in filter(None, (a.strip() for a in rec.get("alt_names_zh").split(";"))):
            out.add(node, SKOS.altLabel, text(alt, "zh"))
        if rec.get("country"):
            out.add(node, RK.country, text(rec.get("country")))
        src = rec.convert("source", iri.source, required=True)
        assert src is not None
        out.evidence(node, RDFS.label, text(name, "zh"), src, rec.require("quote"), "zh")
        yield from out.drain()
