"""Source documents that upstream files describe themselves (the ``provenance.sources`` blocks of
the China reference files), the policies among them, and the document of a user's own download."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from kg import iri
from kg.rdf import QuadWriter, date_literal, text
from kg.vocab import DCT, PROV, RDF, RDFS, RK, SCHEMA, SKOS, XSD
from loaders.upstream import JsonRecord

# Issuing bodies as the reference files print them, and their ids in data/authorities.csv.
AUTHORITIES = {
    "财政部": "mof",
    "海关总署": "gacc",
    "税务总局": "sta",
    "药监局": "nmpa",
    "国家药品监督管理局": "nmpa",
    "国家药品监督管理局药品审评中心": "cde",
    "国家卫生健康委员会": "nhc",
}
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")


def document_slug(upstream_id: str) -> str:
    """The slug of a document a China reference file cites (``vat_2019`` is ``cn-vat-2019``)."""
    return "cn-" + iri.name_slug(upstream_id)


def _names(printed: str) -> list[str]:
    """The issuing bodies of a printed issuer line (space- or 、-separated, a bracketed remark
    dropped)."""
    separators = r"[\s、,，]+"
    return [n for n in re.split(separators, re.sub(r"\s*\(.*?\)", "", printed)) if n]


def issuers(printed: str) -> list[NamedNode]:
    """The authorities of the graph among the issuers of a document as printed; a name the graph
    does not know stays text only (``dct:creator``)."""
    return [iri.organization(AUTHORITIES[n]) for n in _names(printed) if n in AUTHORITIES]


def describe(
    out: QuadWriter,
    rec: JsonRecord,
    slug: str,
    *,
    kind: str,
    policy: bool,
    dataset: NamedNode,
    document: bool = True,
) -> NamedNode:
    """The document of one entry of a ``provenance.sources`` block (``title``, ``document_no``,
    ``issuer``, ``published``, ``url``, ``retrieved_at``) as an ``rk:SourceDocument`` (unless
    ``document`` is false: a ``sources.csv`` describes it already) and, when ``policy``, as an
    ``rk:Policy`` derived from it.  ``kind``: ``OfficialNotice``, ``WebPage`` or ``NewsArticle``."""
    doc = iri.source(slug)
    title = rec.require("title")
    number = rec.text("document_no")
    printed = rec.text("issuer") or ""
    url = rec.text("url")
    published = rec.convert("published", lambda v: date_literal(_date_part(v)))
    if document:
        _document(out, rec, doc, title, number, printed, url, published, kind, dataset)
    if policy:
        node = iri.policy(slug)
        for cls in (RK.Policy, SCHEMA.Legislation):
            out.add(node, RDF.type, cls)
        out.label(node, title, "zh", SKOS.prefLabel, RDFS.label, SCHEMA.name)
        if number:
            out.add(node, RK.documentNumber, text(number))
            out.add(node, SCHEMA.legislationIdentifier, text(number))
        if published is not None:
            out.add(node, DCT.date, published)
            out.add(node, SCHEMA.legislationDate, published)
        out.add(node, RK.jurisdiction, text("CN"))
        out.add(node, SCHEMA.legislationJurisdiction, text("CN"))
        for org in issuers(printed):
            out.add(node, RK.issuedBy, org)
            out.add(node, SCHEMA.legislationPassedBy, org)
        if url:
            out.add(node, SCHEMA.url, Literal(url, datatype=XSD.anyURI))
        out.add(node, PROV.wasDerivedFrom, doc)
    return doc


def _document(
    out: QuadWriter,
    rec: JsonRecord,
    doc: NamedNode,
    title: str,
    number: str | None,
    printed: str,
    url: str | None,
    published: Literal | None,
    kind: str,
    dataset: NamedNode,
) -> None:
    full_title = f"{title} ({number})" if number and number not in title else title
    for cls in (RK.SourceDocument, PROV.Entity, SCHEMA.CreativeWork):
        out.add(doc, RDF.type, cls)
    if kind in ("WebPage", "NewsArticle"):
        out.add(doc, RDF.type, SCHEMA[kind])
    out.label(doc, full_title, "zh", DCT.title, RDFS.label, SCHEMA.name)
    names = _names(printed)
    for name in names:
        out.add(doc, DCT.creator, text(name))
    if names:
        out.add(doc, DCT.publisher, text(names[0]))
    if published is not None:
        out.add(doc, DCT.issued, published)
    if url:
        out.add(doc, SCHEMA.url, Literal(url, datatype=XSD.anyURI))
    out.add(doc, SCHEMA.inLanguage, text("zh"))
    accessed = rec.convert("retrieved_at", lambda v: date_literal(_date_part(v)))
    if accessed is not None:
        out.add(doc, RK.asOf, accessed)
    out.add(doc, RDFS.comment, text(f"cited by {dataset.value.rsplit('/', 1)[-1]}", "en"))


def _date_part(value: str) -> str:
    match = _DATE.match(value.strip())
    if not match:
        raise ValueError("is not a date (YYYY, YYYY-MM or YYYY-MM-DD, optionally with a time)")
    return match.group(0)


def download(path: Path, slug: str, fmt: str, title: str, graph: NamedNode) -> Iterator[Quad]:
    """The quads of the ``rk:SourceDocument`` ``source/<slug>`` of a user's own download in format
    ``fmt`` (described as ``title``), in the download's graph.  Its date (``rk:asOf``) is the file's
    modification date, the date the copy was made."""
    doc = iri.source(slug)
    out = QuadWriter(graph)
    for cls in (RK.SourceDocument, PROV.Entity, SCHEMA.CreativeWork, SCHEMA.Dataset):
        out.add(doc, RDF.type, cls)
    out.label(doc, f"{path.name} ({title})", "en", DCT.title, RDFS.label, SCHEMA.name)
    modified = datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()
    out.add(doc, RK.asOf, date_literal(modified))
    out.add(doc, SCHEMA.url, Literal(path.resolve().as_uri(), datatype=XSD.anyURI))
    out.add(doc, RDFS.comment, text(f"a user's own download, added with --source {fmt}=PATH", "en"))
    yield from out.drain()
