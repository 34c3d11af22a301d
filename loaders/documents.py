"""Source documents that upstream files describe themselves (the ``provenance.sources`` blocks of
the China reference files), the policies among them, the document of a user's own download, and
the document of a file ``rarekg fetch`` downloaded, from the provenance record beside it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from kg import iri
from kg.rdf import QuadWriter, date_literal, integer, text
from kg.vocab import DCT, PAV, PROV, RDF, RDFS, RK, SCHEMA, SKOS, XSD
from loaders.upstream import JsonRecord, read_json

PROV_SUFFIX = ".prov.json"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

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


def fetched(path: Path, slug: str, fmt: str, title: str, graph: NamedNode) -> Iterator[Quad]:
    """The quads of the ``rk:SourceDocument`` ``source/<slug>`` of a file ``rarekg fetch``
    downloaded in format ``fmt`` (described as ``title``), from its provenance record
    ``<file>.prov.json``: the request URL (``schema:url``; ``prov:wasDerivedFrom`` and
    ``pav:retrievedFrom`` the upstream resource), the retrieval time (``pav:retrievedOn``,
    ``prov:generatedAtTime``; its date ``rk:asOf``), the byte count and SHA-256 of the file.

    Raises ``LoadError`` naming the record file and field when the record is malformed, or when
    the file is no longer the one it describes (another SHA-256)."""
    import hashlib

    record_path = path.with_name(path.name + PROV_SUFFIX)
    rec = JsonRecord(record_path.name, 1, read_json(record_path))
    url = rec.convert("url", NamedNode, required=True)
    retrieved = rec.convert(
        "retrieved", lambda v: Literal(_utc(v), datatype=XSD.dateTime), required=True
    )
    digest = rec.require("sha256")
    if not _SHA256.match(digest):
        raise rec.error("sha256", f"{digest!r} is not a SHA-256 in hexadecimal")
    if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
        raise rec.error("sha256", f"does not match {path.name}: the file changed after its fetch")
    size = rec.convert("bytes", int, required=True)
    status = rec.convert("status", int, required=True)
    assert url is not None and retrieved is not None
    doc = iri.source(slug)
    out = QuadWriter(graph)
    for cls in (RK.SourceDocument, PROV.Entity, SCHEMA.CreativeWork, SCHEMA.Dataset):
        out.add(doc, RDF.type, cls)
    about = ", ".join(
        v for v in (rec.text("disease"), rec.text("page") and f"page {rec.text('page')}") if v
    )
    label = f"{path.name} ({title}{', ' + about if about else ''})"
    out.label(doc, label, "en", DCT.title, RDFS.label, SCHEMA.name)
    out.add(doc, SCHEMA.url, Literal(url.value, datatype=XSD.anyURI))
    out.add(doc, PROV.wasDerivedFrom, url)
    out.add(doc, PAV.retrievedFrom, url)
    out.add(doc, PAV.retrievedOn, retrieved)
    out.add(doc, PROV.generatedAtTime, retrieved)
    out.add(doc, RK.asOf, date_literal(retrieved.value[:10]))
    out.add(doc, SCHEMA.sha256, text(digest))
    out.add(doc, SCHEMA.contentSize, integer(size or 0))
    content_type = rec.text("content_type")
    if content_type:
        out.add(doc, SCHEMA.encodingFormat, text(content_type))
    named = (("ETag", rec.text("etag")), ("Last-Modified", rec.text("last_modified")))
    validators = "; ".join(f"{name} {value}" for name, value in named if value)
    out.add(
        doc,
        RDFS.comment,
        text(
            f"fetched with rarekg fetch {fmt}: HTTP {status}"
            + (f"; {validators}" if validators else "")
            + f"; provenance record {record_path.name}",
            "en",
        ),
    )
    yield from out.drain()


def _utc(value: str) -> str:
    """An ISO 8601 UTC time as ``xsd:dateTime`` prints it (``2026-12-06T04:50:00Z``)."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("has no time zone")
    return parsed.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
