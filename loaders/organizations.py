"""Patient organizations (and the bodies they are linked to) curated from public sources: one TOML
file per organization in ``data/organizations/``, every statement with its source and a verbatim
quote.

A file holds the organization's ``id``, ``class`` and ``country``, optionally ``same_as`` (the id of
an organization that ``data/seeds/organizations.csv`` already defines: the statements then attach
to that IRI), a list of ``[[statement]]`` tables (``property``, ``value``, ``lang`` for names,
``source``, ``quote``) and the ``[sources.<key>]`` tables the statements cite (``url``, ``title``,
``publisher``, ``date``, ``accessed``, ``language``, ``type``).  See
``data/organizations/README.md``.

A source document is minted from its URL (``source/web-<sha1(url)[:12]>``), so that two files citing
the same page cite the same document.
"""

from __future__ import annotations

import csv
import hashlib
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from kg import iri
from kg.errors import LoadError
from kg.rdf import QuadWriter, Term, date_literal, text
from kg.vocab import DCT, PROV, RDF, RDFS, RK, SCHEMA, SKOS, XSD
from loaders.seeds import CONCEPT_PROPERTIES, DISEASE_PROPERTIES, ORG_CLASSES, ORG_TYPES
from loaders.table import disease_ref

GRAPH = "organizations"
TOP_KEYS = {"id", "class", "country", "same_as", "statement", "sources"}
STATEMENT_KEYS = {"property", "value", "lang", "source", "quote"}
SOURCE_KEYS = {"url", "title", "publisher", "date", "accessed", "language", "type"}
SOURCE_TYPES = ("WebPage", "NewsArticle", "ScholarlyArticle", "OfficialNotice", "Dataset")
LINK_PROPERTIES = {
    "memberOf": RK.memberOf,
    "partnerOf": RK.partnerOf,
    "supportedBy": RK.supportedBy,
    "hostedBy": RK.hostedBy,
}
NAME_PROPERTIES = ("name", "altName")
TEXT_PROPERTIES = ("location", "description", "registrationAuthority")
PROPERTIES = (
    *NAME_PROPERTIES,
    "organizationType",
    *CONCEPT_PROPERTIES,
    "servesDisease",
    *LINK_PROPERTIES,
    "sameAs",
    "foundingDate",
    "registrationDate",
    "website",
    *TEXT_PROPERTIES,
)
COUNTRY = re.compile(r"^([A-Z]{2}|INT)$")
LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
MAX_QUOTE = 300


def source_node(url: str) -> NamedNode:
    """The source document of a web page or paper, from its URL."""
    return iri.source("web-" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:12])


def seed_names(path: Path | None) -> dict[str, set[str]]:
    """The organization ids of ``data/seeds/organizations.csv`` (targets of ``same_as`` and links),
    each with the languages its seed row already names it in."""
    if path is None or not path.exists():
        return {}
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return {
                row["id"]: {
                    lang for lang in ("en", "zh") if (row.get(f"name_{lang}") or "").strip()
                }
                for row in csv.DictReader(f)
                if row.get("id")
            }
    except (OSError, KeyError) as exc:
        raise LoadError(path.name, 0, "id", f"cannot read the seed organizations: {exc}") from None


class _File:
    """One organization file; ``error`` names the file, the record and the field."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data

    def error(self, record: int | str, field: str | None, message: str) -> LoadError:
        return LoadError(self.path.name, record, field, message)


def _read(path: Path) -> _File:
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except OSError as exc:
        raise LoadError(path.name, 0, None, f"cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LoadError(path.name, 0, None, f"is not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise LoadError(path.name, 0, None, f"is not UTF-8: {exc.reason}") from None
    return _File(path, data)


def _string(
    file: _File, table: dict[str, Any], key: str, record: int | str, required: bool = False
) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise file.error(record, key, f"must be a string, not {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise file.error(record, key, "is required but empty")
    return value


def load(directory: Path, seeds: Path | None = None) -> Iterator[Quad]:
    """Reads every ``*.toml`` of ``directory`` (``README.md`` and other files are ignored).

    ``seeds`` is ``data/seeds/organizations.csv``, whose ids ``same_as`` and link statements may
    name.
    Raises ``LoadError`` naming file, record (0 for the file's own keys, the 1-based statement
    number, or ``sources.<key>``) and field.
    """
    paths = sorted(directory.glob("*.toml"))
    files = [_read(p) for p in paths]
    known = seed_names(seeds)
    ids: dict[str, Path] = {}
    targets: dict[str, NamedNode] = {slug: iri.organization(slug) for slug in known}
    for file in files:
        slug = _string(file, file.data, "id", 0, required=True)
        if slug in ids:
            raise file.error(0, "id", f"{slug!r} is also the id of {ids[slug].name}")
        if slug in known:
            raise file.error(
                0,
                "id",
                f"{slug!r} is a seed organization: give the file its own id and set same_as to it",
            )
        if file.path.stem != slug:
            raise file.error(0, "id", f"{slug!r} differs from the file name {file.path.stem!r}")
        same_as = _string(file, file.data, "same_as", 0)
        if same_as and same_as not in known:
            raise file.error(0, "same_as", f"{same_as!r} is not an id of the seed organizations")
        try:
            targets[slug] = iri.organization(same_as or slug)
        except ValueError as exc:
            raise file.error(0, "id", str(exc)) from None
        ids[slug] = file.path
    documents: dict[str, tuple[str, ...]] = {}
    for file in files:
        named = known.get(_string(file, file.data, "same_as", 0), set())
        yield from _load_file(file, targets, documents, named)


def _load_file(
    file: _File,
    targets: dict[str, NamedNode],
    documents: dict[str, tuple[str, ...]],
    named: set[str],
) -> Iterator[Quad]:
    """``named``: the languages the seed table already names a ``same_as`` organization in (its
    names there stay the preferred ones; the file's become alternative names)."""
    out = QuadWriter(iri.graph(GRAPH))
    data = file.data
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise file.error(
            0, unknown[0], f"is not a key of an organization file ({', '.join(sorted(TOP_KEYS))})"
        )
    node = targets[_string(file, data, "id", 0, required=True)]
    same_as = bool(_string(file, data, "same_as", 0))
    cls = _string(file, data, "class", 0, required=not same_as)
    if cls:
        if cls not in ORG_CLASSES:
            raise file.error(0, "class", f"{cls!r} is not one of {', '.join(ORG_CLASSES)}")
        for c in ORG_CLASSES[cls]:
            out.add(node, RDF.type, c)
    country = _string(file, data, "country", 0)
    if country:
        if not COUNTRY.match(country):
            raise file.error(0, "country", f"{country!r} is not an ISO 3166-1 alpha-2 code or INT")
        out.add(node, RK.country, text(country))

    sources = _sources(file, out, documents)
    statements = data.get("statement", [])
    if not isinstance(statements, list) or not statements:
        raise file.error(
            0, "statement", "needs at least one [[statement]] (the organization's name)"
        )
    names: set[str] = set(named)
    has_name = False
    founding: set[str] = set()
    for number, st in enumerate(statements, start=1):
        if not isinstance(st, dict):
            raise file.error(number, None, "is not a table")
        extra = sorted(set(st) - STATEMENT_KEYS)
        if extra:
            raise file.error(
                number,
                extra[0],
                f"is not a key of a statement ({', '.join(sorted(STATEMENT_KEYS))})",
            )
        prop_name = _string(file, st, "property", number, required=True)
        if prop_name not in PROPERTIES:
            raise file.error(
                number, "property", f"{prop_name!r} is not one of {', '.join(PROPERTIES)}"
            )
        key = _string(file, st, "source", number, required=True)
        if key not in sources:
            raise file.error(
                number, "source", f"{key!r} is not a [sources.<key>] table of this file"
            )
        quote = _string(file, st, "quote", number, required=True)
        if len(quote) < 3:
            raise file.error(number, "quote", "is too short to state anything")
        if len(quote) > MAX_QUOTE:
            raise file.error(
                number,
                "quote",
                f"has {len(quote)} characters; shorten it to at most "
                f"{MAX_QUOTE} (no changes inside the span)",
            )
        src, lang = sources[key]
        value = _string(file, st, "value", number, required=True)
        prop, obj = _statement(file, number, prop_name, value, st, targets, out, src)
        if prop_name == "name":
            has_name = True
            lang_of_name = obj.language if isinstance(obj, Literal) else None
            if lang_of_name in names:
                prop = SKOS.altLabel
            names.add(lang_of_name or "")
        if prop_name in NAME_PROPERTIES:
            out.add(node, RDFS.label, obj)
            out.add(node, SCHEMA.name if prop == SKOS.prefLabel else SCHEMA.alternateName, obj)
        if prop_name == "foundingDate":
            founding.add(value)
            if len(founding) > 1:
                raise file.error(
                    number,
                    "value",
                    f"a second founding date ({', '.join(sorted(founding))}); "
                    "keep the one the best source states",
                )
        out.evidence(node, prop, obj, src, quote, lang)
    if not has_name:
        raise file.error(0, "statement", 'needs a statement with property "name"')
    yield from out.drain()


def _sources(
    file: _File, out: QuadWriter, documents: dict[str, tuple[str, ...]]
) -> dict[str, tuple[NamedNode, str | None]]:
    tables = file.data.get("sources", {})
    if not isinstance(tables, dict) or not tables:
        raise file.error(0, "sources", "needs at least one [sources.<key>] table")
    found: dict[str, tuple[NamedNode, str | None]] = {}
    for key, table in tables.items():
        record = f"sources.{key}"
        if not isinstance(table, dict):
            raise file.error(record, None, "is not a table")
        extra = sorted(set(table) - SOURCE_KEYS)
        if extra:
            raise file.error(
                record, extra[0], f"is not a key of a source ({', '.join(sorted(SOURCE_KEYS))})"
            )
        url = _string(file, table, "url", record, required=True)
        if not url.startswith(("http://", "https://")):
            raise file.error(record, "url", f"{url!r} is not an http(s) URL")
        title = _string(file, table, "title", record, required=True)
        publisher = _string(file, table, "publisher", record)
        date = _string(file, table, "date", record)
        accessed = _string(file, table, "accessed", record, required=True)
        lang = _string(file, table, "language", record) or "en"
        kind = _string(file, table, "type", record) or "WebPage"
        if kind not in SOURCE_TYPES:
            raise file.error(record, "type", f"{kind!r} is not one of {', '.join(SOURCE_TYPES)}")
        doc = source_node(url)
        found[key] = (doc, lang)
        described = (title, publisher, date, accessed, lang, kind)
        if url in documents:
            if documents[url] != described:
                raise file.error(
                    record,
                    "url",
                    "this URL is described differently in another file "
                    f"(title, publisher, date, accessed, language, type: {documents[url]})",
                )
            continue
        documents[url] = described
        for field, value, fn in (
            ("date", date, date_literal),
            ("accessed", accessed, date_literal),
        ):
            if value:
                try:
                    fn(value)
                except ValueError as exc:
                    raise file.error(record, field, str(exc)) from None
        out.add(doc, RDF.type, RK.SourceDocument)
        out.add(doc, RDF.type, PROV.Entity)
        out.add(doc, RDF.type, SCHEMA.CreativeWork)
        if kind in ("ScholarlyArticle", "NewsArticle", "WebPage", "Dataset"):
            out.add(doc, RDF.type, SCHEMA[kind])
        out.add(doc, DCT.title, text(title, lang))
        out.add(doc, RDFS.label, text(title, lang))
        out.add(doc, SCHEMA.url, Literal(url, datatype=XSD.anyURI))
        out.add(doc, SCHEMA.inLanguage, text(lang))
        if publisher:
            out.add(doc, DCT.publisher, text(publisher))
        if date:
            out.add(doc, DCT.issued, date_literal(date))
        out.add(doc, RK.asOf, date_literal(accessed))
    return found


def _statement(
    file: _File,
    number: int,
    name: str,
    value: str,
    st: dict[str, Any],
    targets: dict[str, NamedNode],
    out: QuadWriter,
    src: NamedNode,
) -> tuple[NamedNode, Term]:
    if name in NAME_PROPERTIES:
        lang = _string(file, st, "lang", number, required=True)
        if not LANG.match(lang):
            raise file.error(
                number, "lang", f"{lang!r} is not a language tag (en, zh, ja, fr, ...)"
            )
        return (SKOS.prefLabel if name == "name" else SKOS.altLabel), text(value, lang)
    if st.get("lang"):
        raise file.error(number, "lang", "only names take a language")
    if name == "organizationType":
        if value not in ORG_TYPES:
            raise file.error(number, "value", f"{value!r} is not one of {', '.join(ORG_TYPES)}")
        return RK.organizationType, iri.concept("organization-type", value)
    if name in CONCEPT_PROPERTIES:
        prop, scheme, allowed = CONCEPT_PROPERTIES[name]
        if value not in allowed:
            raise file.error(number, "value", f"{value!r} is not one of {', '.join(allowed)}")
        return prop, iri.concept(scheme, value)
    if name in LINK_PROPERTIES or name == "sameAs":
        # sameAs: a source saying this record and another are one organization; the build's
        # consistency check (kg/build/consistency.py) requires the two merged or declared distinct
        target = targets.get(value)
        if target is None:
            raise file.error(
                number,
                "value",
                f"{value!r} is not the id of an organization file or of a seed organization",
            )
        return LINK_PROPERTIES.get(name, SKOS.exactMatch), target
    if name == "servesDisease":
        linked, as_text = DISEASE_PROPERTIES["servesDisease"]
        try:
            ref = disease_ref(value)
        except ValueError as exc:
            raise file.error(number, "value", f"{value!r}: {exc}") from None
        if isinstance(ref, str):
            return as_text, text(ref, "en")
        if value.startswith("ORPHA:"):
            code = value.removeprefix("ORPHA:")
            out.add(ref, RDF.type, RK.RareDisease)
            out.add(ref, RDF.type, SCHEMA.MedicalCondition)
            out.add(ref, RK.orphaCode, text(code))
            out.add(ref, RDFS.label, text(value, "en"))
            out.add(ref, RDFS.comment, text("Known to this graph only by its ORPHA code", "en"))
            out.add(ref, PROV.wasDerivedFrom, src)
        return linked, ref
    if name in ("foundingDate", "registrationDate"):
        try:
            date = date_literal(value)
        except ValueError as exc:
            raise file.error(number, "value", str(exc)) from None
        return (SCHEMA.foundingDate if name == "foundingDate" else RK.registrationDate), date
    if name == "website":
        if not value.startswith(("http://", "https://")):
            raise file.error(number, "value", f"{value!r} is not an http(s) URL")
        return SCHEMA.url, Literal(value, datatype=XSD.anyURI)
    if name == "location":
        return RK.location, text(value)
    if name == "registrationAuthority":
        return RK.registeredWith, text(value)
    return SCHEMA.description, text(value, "en")


def documents(directory: Path) -> tuple[str, ...]:
    """The slugs of the source documents the files of ``directory`` cite (for the VoID description);
    files that do not parse are left to ``load`` to report."""
    slugs: set[str] = set()
    for path in sorted(directory.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        tables = data.get("sources", {})
        for table in tables.values() if isinstance(tables, dict) else ():
            url = table.get("url") if isinstance(table, dict) else None
            if isinstance(url, str) and url.strip():
                slugs.add(source_node(url.strip()).value.rsplit("/", 1)[-1])
    return tuple(sorted(slugs))
