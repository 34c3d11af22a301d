"""Resource pages: every IRI the graph mints is answered at the same path on the service
(``https://w3id.org/rarekg/id/disease/cn1-086`` at ``/id/disease/cn1-086``; the base is the setting
``base_iri``), as HTML for browsers and Turtle, N-Triples, JSON-LD or RDF/XML by content negotiation
(``Accept``, or ``?format=``).  ``/page?iri=`` shows any IRI, minted or not."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext

from kg.errors import BadRequest, NotAcceptable, NotFound, RarekgError
from kg.store.cache import CachedAnswer, ResultCache, cache_key
from kg.store.query import negotiate
from kg.vocab import GRAPH_BASE
from service import i18n, queries, resource, summary, terms, web
from service.state import store_handle

bp = Blueprint("pages", __name__)

HTML = "text/html"
RDF_TYPES = {
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF/XML",
}
FORMATS = {
    "html": HTML, "ttl": "text/turtle", "turtle": "text/turtle", "nt": "application/n-triples",
    "ntriples": "application/n-triples", "n-triples": "application/n-triples",
    "jsonld": "application/ld+json", "json-ld": "application/ld+json",
    "rdf": "application/rdf+xml", "xml": "application/rdf+xml", "rdfxml": "application/rdf+xml",
}
FORMAT_LINKS = (("ttl", "Turtle"), ("nt", "N-Triples"), ("jsonld", "JSON-LD"), ("rdf", "RDF/XML"))
ONTOLOGY_GRAPH = GRAPH_BASE + "ontology"


@bp.errorhandler(RarekgError)
def html_error(exc: RarekgError) -> tuple[str, int] | tuple[Response, int]:
    fmt = request.args.get("format", "").lower()
    html = FORMATS.get(fmt, "") == HTML if fmt else \
        negotiate(request.headers.get("Accept", ""), [HTML, *RDF_TYPES], HTML) == HTML
    if not html:
        return Response(str(exc) + "\n", content_type="text/plain; charset=utf-8"), exc.status
    return web.error_page(exc)


def _media_type() -> str:
    fmt = request.args.get("format", "").lower()
    if fmt:
        if fmt not in FORMATS:
            raise NotAcceptable("format must be one of " + ", ".join(sorted(FORMATS)))
        return FORMATS[fmt]
    media = negotiate(request.headers.get("Accept", ""), [HTML, *RDF_TYPES], HTML)
    if media is None:
        raise NotAcceptable("this page is available as " + ", ".join([HTML, *RDF_TYPES]))
    return media


def _rdf(query: str, media: str) -> Response:
    body = queries.construct(query, media)
    charset = "; charset=utf-8" if media in ("text/turtle", "application/n-triples") else ""
    response = Response(body, content_type=media + charset)
    response.headers["Vary"] = "Accept"
    return response


NONCE_MARK = "\x00rarekg-style-nonce\x00"  # the stored page's place for each response's nonce


def _cached_page(iri: str) -> tuple[ResultCache, str, str] | None:
    """(cache, version, key) of the HTML page of ``iri`` in the result cache, or None where pages
    are not cached: no cache (a remote engine), a store without versioned builds, ``Cache-Control:
    no-cache``.  The key is the resource, the page's path and query, its language and the setting
    ``base_iri`` (which decides which IRIs link to pages of their own): nothing else of the request
    or the settings is shown on a resource page."""
    cache = queries.result_cache()
    if cache is None or "no-cache" in request.headers.get("Cache-Control", ""):
        return None
    version = store_handle(current_app).get()[1]
    if version.startswith(("dir-", "none")):
        return None
    key = cache_key(f"page <{iri}> {request.full_path} <{terms.base_iri()}>", accept=HTML,
                    format_names=(i18n.language(),))
    return cache, version, key


def _page_response(html: str, cached: str) -> Response:
    response = Response(html, content_type="text/html; charset=utf-8", headers={"Vary": "Accept"})
    if cached:
        response.headers["X-Cache"] = cached
    return response


def show(iri: str, extra: dict[str, Any] | None = None) -> Response | tuple[str, int] | str:
    media = _media_type()
    page = _cached_page(iri) if media == HTML and not extra else None
    if page is not None:
        found = page[0].get(page[1], page[2])
        if found is not None:  # the same build and language: the page as it was rendered
            queries.CACHE_HITS.inc()
            html = found.body.decode("utf-8").replace(NONCE_MARK, web.style_nonce())
            return _page_response(html, "hit")
    if not resource.known(iri):
        minted = iri.startswith(terms.base_iri())
        raise NotFound(f"<{iri}> is not in this graph" if minted
                       else f"this graph says nothing about <{iri}>")
    if media != HTML:
        query = resource.describe_query(iri)
        if iri == terms.base_iri() + "vocab":
            query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"
        elif iri.startswith(GRAPH_BASE):  # a named graph as RDF is its data
            query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"
        return _rdf(query, media)
    data = resource.describe(iri)
    lang = i18n.language()
    title = data["label"].get(lang) or data["label"].get("zh") or data["label"].get("en") or \
        terms.compact(iri)
    extra = dict(extra or {})
    if summary.is_disease(iri):
        extra["summary"] = summary.summary(iri)
    if iri.startswith(terms.base_iri() + "id/org/"):
        extra["suggest_href"] = "/contribute?" + urlencode({"target": iri, "lang": lang})
    links = [{"label": label, "href": request.path + "?" + urlencode(
        {"iri": iri, "format": fmt} if request.path == "/page" else {"format": fmt})}
        for fmt, label in FORMAT_LINKS]
    html = render_template("page.html", r=data, title=title, formats=links, **extra)
    if page is not None:
        queries.CACHE_MISSES.inc()
        stored = html.replace(web.style_nonce(), NONCE_MARK).encode("utf-8")
        page[0].put(page[1], page[2], CachedAnswer(HTML, stored, 0))
    return _page_response(html, "miss" if page is not None else "")


@bp.route("/id/<path:rest>")
def minted(rest: str) -> Response | tuple[str, int] | str:
    return show(terms.check_iri(terms.base_iri() + "id/" + rest))


@bp.route("/graph/<path:rest>")
def graph(rest: str) -> Response | tuple[str, int] | str:
    return show(terms.check_iri(terms.base_iri() + "graph/" + rest))


@bp.route("/vocab/<path:rest>")
def concept(rest: str) -> Response | tuple[str, int] | str:
    return show(terms.check_iri(terms.base_iri() + "vocab/" + rest))


@bp.route("/vocab")
def vocab() -> Response | tuple[str, int] | str:
    """The vocabulary as a table people can read (term, labels, definition, domain and range);
    RDF clients get the ontology graph."""
    iri = terms.base_iri() + "vocab"
    if _media_type() != HTML:
        return show(iri)
    namespace = iri + "#"
    rows = queries.select(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        f"SELECT ?t ?type ?label ?comment ?domain ?range WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ "
        f"?t a ?type . FILTER (STRSTARTS(STR(?t), \"{namespace}\")) "
        "OPTIONAL { ?t rdfs:label ?label } OPTIONAL { ?t rdfs:comment ?comment } "
        "OPTIONAL { ?t rdfs:domain ?domain } OPTIONAL { ?t rdfs:range ?range } } } ORDER BY ?t")
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        t = row["t"]["value"]
        term = found.setdefault(t, {"name": t[len(namespace):], "types": set(), "label": {},
                                    "comment": {}, "domain": set(), "range": set(),
                                    "href": "/page?" + urlencode({"iri": t})})
        term["types"].add(terms.compact(row["type"]["value"]))
        for name in ("label", "comment"):
            if name in row:
                text = row[name]["value"]
                term[name][terms.language_of(text, row[name].get("xml:lang", ""))] = text
        for name in ("domain", "range"):
            if name in row and row[name]["type"] == "uri":
                term[name].add(terms.compact(row[name]["value"]))
    vocab_terms = sorted(found.values(), key=lambda t: (t["name"][:1].islower(), t["name"]))
    classes = [t for t in vocab_terms if t["name"][:1].isupper()]
    properties = [t for t in vocab_terms if not t["name"][:1].isupper()]
    links = [{"label": label, "href": f"/vocab?format={fmt}"} for fmt, label in FORMAT_LINKS]
    html = render_template("vocab.html", title=gettext("Vocabulary"), classes=classes,
                           properties=properties, namespace=namespace, formats=links)
    return Response(html, content_type="text/html; charset=utf-8", headers={"Vary": "Accept"})


@bp.route("/page")
def page() -> Response | tuple[str, int] | str:
    iri = request.args.get("iri", "").strip()
    if not iri:
        raise BadRequest("give the IRI to show: /page?iri=<IRI>")
    return show(terms.check_iri(iri))
