"""``/sparql``: the SPARQL 1.1 Protocol for queries (GET, POST form, POST direct)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from kg.errors import BadRequest, Forbidden, NotAcceptable, UnsupportedMediaType
from kg.query import CHARSET, FORMAT_NAMES, Result, negotiate, run_query
from service import store_handle

bp = Blueprint("sparql", __name__)

DEFAULTS = {"results": "application/sparql-results+json", "graph": "text/turtle"}
FORMAT_PARAMS = ("format", "output", "results")


def _query_and_dataset() -> tuple[str, list[str], list[str]]:
    """The query string and dataset parameters of a protocol request."""
    if request.method == "GET":
        if "update" in request.args:
            raise BadRequest("updates must be sent with POST")
        params = request.args
        query = params.get("query")
    else:
        ctype = (request.mimetype or "").lower()
        if ctype == "application/x-www-form-urlencoded":
            params = request.form
            if "update" in params:
                raise Forbidden("this endpoint is read-only: SPARQL Update is not enabled")
            query = params.get("query")
        elif ctype == "application/sparql-query":
            params = request.args
            query = request.get_data(as_text=True)
        elif ctype == "application/sparql-update":
            raise Forbidden("this endpoint is read-only: SPARQL Update is not enabled")
        else:
            raise UnsupportedMediaType(
                f"POST body must be application/x-www-form-urlencoded or application/sparql-query, "
                f"not {ctype or 'none'}"
            )
    if not query:
        raise BadRequest("missing 'query' parameter")
    if len(params.getlist("query")) > 1:
        raise BadRequest("more than one 'query' parameter")
    return query, params.getlist("default-graph-uri"), params.getlist("named-graph-uri")


def _media_type(result: Result) -> str:
    for name in FORMAT_PARAMS:
        value = request.values.get(name)
        if value:
            value = value.lower()
            if "/" in value:
                if value in result.media_types():
                    return value
            elif value in FORMAT_NAMES[result.kind]:
                return FORMAT_NAMES[result.kind][value]
            raise NotAcceptable(f"format {value!r} is not available for this query's result")
    chosen = negotiate(request.headers.get("Accept", ""), list(result.media_types()),
                       DEFAULTS[result.kind])
    if chosen is None:
        raise NotAcceptable(
            f"none of the requested types is available; this result is offered as "
            f"{', '.join(sorted(result.media_types()))}"
        )
    return chosen


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    query, default_graphs, named_graphs = _query_and_dataset()
    store, version = store_handle(current_app).get()
    result = run_query(store, query, default_graph_uris=default_graphs,
                       named_graph_uris=named_graphs)
    media_type = _media_type(result)
    body = result.serialize(media_type)
    content_type = media_type + ("; charset=utf-8" if media_type in CHARSET else "")
    response = Response(body, content_type=content_type)
    response.headers["Vary"] = "Accept"
    response.headers["X-Rarekg-Version"] = version
    return response
