"""The SPARQL 1.1 Graph Store HTTP Protocol: graphs read and written as whole documents.

- direct identification: the graph IRI is the request URL, ``/rdf-graphs/<name>``;
- indirect identification: ``/rdf-graph-store?graph=<IRI>`` or ``/rdf-graph-store?default``;
  ``POST /rdf-graph-store`` without either creates a new graph under ``/rdf-graphs/`` and answers
  ``201`` with its IRI in ``Location``.

``GET`` / ``HEAD`` are anonymous; ``PUT``, ``POST`` and ``DELETE`` need the update token
(``authorize_write``) and go through the copy-on-write writer.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, current_app, request, url_for
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Triple, serialize

from kg.errors import (
    BadRequest,
    Forbidden,
    NotAcceptable,
    NotFound,
    ResultTooLarge,
    UnsupportedMediaType,
)
from kg.store import writer
from kg.store.query import negotiate
from kg.store.union import UNION_GRAPH
from kg.vocab import PREFIXES
from service import download, limits
from service.sparql import authorize_write
from service.state import store_handle, writer_process

bp = Blueprint("graphstore", __name__)

DIRECT = "/rdf-graphs"
INDIRECT = "/rdf-graph-store"
METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]
# What a graph is sent as (first: the default) and what a request body may be.
OUTPUT_TYPES = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
INPUT_TYPES = {
    **OUTPUT_TYPES,
    "application/x-turtle": RdfFormat.TURTLE,
    "text/n3": RdfFormat.N3,
}
TEXT_TYPES = {"text/turtle", "application/n-triples"}


@bp.route(DIRECT + "/<path:name>", methods=METHODS)
def direct(name: str) -> Response:
    """A graph identified by the request URL itself."""
    return _graph_request(NamedNode(request.base_url))


@bp.route(INDIRECT, methods=METHODS)
def indirect() -> Response:
    """A graph identified by ``?graph=<IRI>`` or ``?default``; ``POST`` without either makes a new
    graph."""
    names = request.args.getlist("graph")
    default = "default" in request.args
    if len(names) > 1 or (names and default):
        raise BadRequest("name one graph: either one 'graph' parameter or 'default'")
    if default:
        return _graph_request(DefaultGraph())
    if names:
        try:
            graph = NamedNode(names[0])
        except ValueError as exc:
            raise BadRequest(f"the graph parameter is not an absolute IRI: {exc}") from None
        return _graph_request(graph)
    if request.method == "POST":
        return _create()
    if request.method in ("GET", "HEAD") and (media := download.wants_dataset()):
        return download.dataset_response(media)
    raise BadRequest(f"name a graph: {INDIRECT}?graph=<IRI> or {INDIRECT}?default")


def _graph_request(graph: NamedNode | DefaultGraph) -> Response:
    if request.method in ("GET", "HEAD"):
        return _get(graph)
    authorize_write()
    if request.method == "DELETE":
        store, _ = store_handle(current_app).get()
        if not writer.graph_exists(store, graph) or not _write("delete", graph):
            raise NotFound(f"no graph {_name(graph)} in the store")
        return Response(status=204)
    created = _write("put" if request.method == "PUT" else "post", graph, _payloads(),
                     _base(graph))
    return Response(status=201 if created else 204)


def _create() -> Response:
    """``POST`` to the graph store: the triples go into a new graph, named by the service."""
    authorize_write()
    iri = url_for("graphstore.direct", name=uuid.uuid4().hex, _external=True)
    graph = NamedNode(iri)
    _write("post", graph, _payloads(), iri)
    response = Response(status=201)
    response.headers["Location"] = iri
    return response


def _write(kind: str, graph: NamedNode | DefaultGraph,
           payloads: list[writer.Payload] | None = None, base_iri: str | None = None) -> bool:
    """Apply a write; its documents are parsed in the writer process, under its time and memory
    limits, not in this worker."""
    if isinstance(graph, NamedNode) and graph == UNION_GRAPH:
        raise Forbidden("the union default graph is kept by the service; write to another graph")
    documents = tuple((data, fmt.media_type) for data, fmt in payloads or ())
    change = writer.Write(kind, graph=graph, payloads=documents, base_iri=base_iri)
    return writer_process(current_app).run(change)


def _get(graph: NamedNode | DefaultGraph) -> Response:
    media = negotiate(request.headers.get("Accept", ""), list(OUTPUT_TYPES), "text/turtle")
    if media is None:
        raise NotAcceptable("a graph is available as " + ", ".join(OUTPUT_TYPES))
    store, version = store_handle(current_app).get()
    if not writer.graph_exists(store, graph):
        raise NotFound(f"no graph {_name(graph)} in the store")
    limit = current_app.config["RAREKG"]["max_rows"]
    triples: list[Triple] = []
    for quad in store.quads_for_pattern(None, None, None, graph):
        triples.append(Triple(quad.subject, quad.predicate, quad.object))
        if len(triples) > limit:
            raise ResultTooLarge(
                f"the graph has more than {limit} triples (setting max_rows); "
                "query it with SPARQL instead"
            )
    fmt = OUTPUT_TYPES[media]
    kwargs = {"prefixes": PREFIXES} if fmt == RdfFormat.TURTLE else {}
    body = serialize(triples, format=fmt, **kwargs)  # type: ignore[arg-type]
    content_type = media + ("; charset=utf-8" if media in TEXT_TYPES else "")
    response = Response(body, content_type=content_type)
    response.headers["Vary"] = "Accept, Accept-Encoding"
    response.headers["X-Rarekg-Version"] = version
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _payloads() -> list[writer.Payload]:
    """The RDF documents of the request body: the body itself, or each part of a
    ``multipart/form-data`` body.  Raises ``UnsupportedMediaType``."""
    if request.mimetype == "multipart/form-data":
        if request.form:
            raise BadRequest(
                "each part of a multipart body must be a file with its own Content-Type"
            )
        parts = [
            (f.read(), _format(f.mimetype, f.mimetype_params))
            for _, f in request.files.items(multi=True)
        ]
        if not parts:
            raise BadRequest("the multipart body holds no files")
        return parts
    return [(limits.body(), _format(request.mimetype, request.mimetype_params))]


def _format(mimetype: str, params: dict[str, str]) -> RdfFormat:
    fmt = INPUT_TYPES.get((mimetype or "").lower())
    if fmt is None:
        raise UnsupportedMediaType(
            f"a graph must be sent as one of {', '.join(INPUT_TYPES)}, not {mimetype or 'none'}"
        )
    charset = params.get("charset", "utf-8").strip().lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"RDF documents must be UTF-8, not {charset}")
    return fmt


def _base(graph: NamedNode | DefaultGraph) -> str:
    """Relative IRIs in a document resolve against the graph's IRI (the request URL for the
    default graph)."""
    return graph.value if isinstance(graph, NamedNode) else request.base_url


def _name(graph: NamedNode | DefaultGraph) -> str:
    return str(graph) if isinstance(graph, NamedNode) else "default graph"
