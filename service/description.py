"""The SPARQL 1.1 Service Description of ``/sparql`` and the dataset description (VoID)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, request
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QuerySolutions,
    RdfFormat,
    Triple,
    serialize,
)
from werkzeug.wrappers import Response as BaseResponse

from kg.errors import NotAcceptable
from kg.store.query import negotiate
from kg.vocab import PREFIXES, QUERY_PREFIXES, RDF, VOID
from service import download, web
from service.state import store_handle

bp = Blueprint("description", __name__)

SD = "http://www.w3.org/ns/sparql-service-description#"
SH = "http://www.w3.org/ns/shacl#"
XSD_ANY_URI = NamedNode("http://www.w3.org/2001/XMLSchema#anyURI")
FORMATS_W3C = "http://www.w3.org/ns/formats/"
GRAPH_TYPES = {
    "text/turtle": RdfFormat.TURTLE,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/n-triples": RdfFormat.N_TRIPLES,
}
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


def _sd(name: str) -> NamedNode:
    return NamedNode(SD + name)


def _graph_response(triples: list[Triple], cache_seconds: int = 300) -> Response:
    media = negotiate(request.headers.get("Accept", ""), list(GRAPH_TYPES), "text/turtle")
    if media is None:
        raise NotAcceptable("available as " + ", ".join(GRAPH_TYPES))
    fmt = GRAPH_TYPES[media]
    kwargs = {"prefixes": {**PREFIXES, "sd": SD}} if fmt == RdfFormat.TURTLE else {}
    body = serialize(triples, format=fmt, **kwargs)  # type: ignore[arg-type]
    response = Response(
        body,
        content_type=media
        + ("; charset=utf-8" if media.startswith("text") or "n-triples" in media else ""),
    )
    response.headers["Vary"] = "Accept, Accept-Encoding"
    response.headers["Cache-Control"] = f"public, max-age={cache_seconds}"
    return response


def service_description() -> Response:
    """``sd:Service`` for the endpoint: languages, result formats, features, default dataset."""
    endpoint = NamedNode(request.base_url)
    service = BlankNode("service")
    dataset = BlankNode("dataset")
    default_graph = BlankNode("defaultGraph")
    settings = current_app.config["RAREKG"]
    t = [
        Triple(service, RDF.type, _sd("Service")),
        Triple(service, _sd("endpoint"), endpoint),
        Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        Triple(service, _sd("defaultDataset"), dataset),
        Triple(dataset, RDF.type, _sd("Dataset")),
        Triple(dataset, _sd("defaultGraph"), default_graph),
        Triple(default_graph, RDF.type, _sd("Graph")),
        Triple(
            dataset,
            NamedNode("http://purl.org/dc/terms/description"),
            Literal(
                "The default graph is the union of all named graphs of rarekg; each named "
                "graph holds one source (see /.well-known/void).",
                language="en",
            ),
        ),
    ]
    if settings["service_allowlist"].split():
        t.append(Triple(service, _sd("feature"), _sd("BasicFederatedQuery")))
    if settings["update_token"]:
        t.append(Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Update")))
    for name in RESULT_FORMATS:
        t.append(Triple(service, _sd("resultFormat"), NamedNode(FORMATS_W3C + name)))
    # The prefixes a query may use without declaring them, as SHACL prefix declarations.
    for prefix, namespace in sorted(QUERY_PREFIXES.items()):
        node = BlankNode(f"prefix-{prefix}")
        t += [
            Triple(service, NamedNode(SH + "declare"), node),
            Triple(node, NamedNode(SH + "prefix"), Literal(prefix)),
            Triple(node, NamedNode(SH + "namespace"), Literal(namespace, datatype=XSD_ANY_URI)),
        ]
    store, _ = store_handle(current_app).get()
    graphs = store.query(
        "SELECT DISTINCT ?g WHERE { GRAPH <https://w3id.org/rarekg/graph/void> "
        "{ ?d <http://rdfs.org/ns/void#subset> ?g } } ORDER BY ?g"
    )
    assert isinstance(graphs, QuerySolutions)
    for row in graphs:
        named = BlankNode()
        t += [
            Triple(dataset, _sd("namedGraph"), named),
            Triple(named, _sd("name"), row["g"]),
            Triple(named, RDF.type, _sd("NamedGraph")),
        ]
    return _graph_response(t)


@bp.route("/.well-known/void")
def void() -> BaseResponse:
    """The VoID description written by the build (graph ``graph/void``)."""
    store, _version = store_handle(current_app).get()
    triples = [
        Triple(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(
            None, None, None, NamedNode("https://w3id.org/rarekg/graph/void")
        )
    ]
    if web.wants_page():
        return redirect("/id/dataset/rarekg", code=303)
    dataset = NamedNode("https://w3id.org/rarekg/id/dataset/rarekg")
    triples.append(Triple(dataset, VOID.sparqlEndpoint, NamedNode(request.host_url + "sparql")))
    for graph, href in download.dump_links(request.host_url):
        triples.append(Triple(NamedNode(graph) if graph else dataset, VOID.dataDump,
                              NamedNode(href)))
    return _graph_response(triples)


@bp.route("/.well-known/sparql-examples")
def sparql_examples() -> Response:
    """The catalogue of example questions (``sh:SPARQLExecutable``), graph ``graph/examples``."""
    store, _ = store_handle(current_app).get()
    triples = [
        Triple(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(
            None, None, None, NamedNode("https://w3id.org/rarekg/graph/examples")
        )
    ]
    return _graph_response(triples)
