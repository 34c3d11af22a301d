"""``/sparql``: the SPARQL 1.1 Protocol for queries and (with a token) updates."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from kg.errors import BadRequest, Forbidden, Unauthorized, UnsupportedMediaType
from kg.store import writer
from kg.store.executor import QueryAnswer, QueryRequest
from kg.store.query import CHARSET
from kg.store.sparql_tokens import check_complexity
from service import limits
from service.guard import bearer_ok
from service.queries import run
from service.state import writer_process

bp = Blueprint("sparql", __name__)

FORMAT_PARAMS = ("format", "output", "results")
FORM = "application/x-www-form-urlencoded"
BOM = "\ufeff".encode()
RESULT_TYPES = ("application/sparql-results+json", "application/sparql-results+xml",
                "text/csv", "text/tab-separated-values", "text/turtle", "application/n-triples",
                "application/ld+json", "application/rdf+xml")


def _text(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the {what} is not UTF-8: {exc.reason} at byte {exc.start}") from None


def _check_charset() -> None:
    """The protocol's bodies are UTF-8: another declared charset is refused (415)."""
    charset = request.mimetype_params.get("charset", "utf-8").strip().lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"the request body must be UTF-8, not {charset}")


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise BadRequest(f"more than one {name!r} parameter")
    return values[0] if values else None


def authorize_write() -> None:
    """Writes need the update token as a Bearer credential.  Raises ``Forbidden`` when writes are
    switched off and ``Unauthorized`` for a missing or wrong token."""
    token = current_app.config["RAREKG"]["update_token"]
    if not token:
        raise Forbidden("this service is read-only: writes are not enabled (setting update_token)")
    if not bearer_ok():
        raise Unauthorized(
            "writes (SPARQL Update, Graph Store) need 'Authorization: Bearer <token>'"
        )


def _query_request(query: str, params: dict[str, list[str]]) -> Response:
    req = QueryRequest(
        query=query,
        default_graph_uris=tuple(params.get("default-graph-uri", [])),
        named_graph_uris=tuple(params.get("named-graph-uri", [])),
        accept=request.headers.get("Accept", ""),
        format_names=tuple(v for name in FORMAT_PARAMS for v in params.get(name, []) if v),
        base_iri=request.base_url,
    )
    answer, cached = run(req)  # the result cache (kg/store/cache.py), else the executors
    body = answer.body
    if answer.media_type == "text/csv" and params.get("bom", [""])[-1] in ("1", "true"):
        body = BOM + body  # spreadsheets read UTF-8 CSV as UTF-8 only after a byte-order mark
    response = Response(body, content_type=content_type(answer.media_type))
    for name, value in answer_headers(answer, cached):
        response.headers[name] = value
    return response


def content_type(media_type: str) -> str:
    return media_type + ("; charset=utf-8" if media_type in CHARSET else "")


def answer_headers(answer: QueryAnswer, cached: str) -> list[tuple[str, str]]:
    """The headers of a query's answer besides its type: ``cached`` is ``hit``, ``miss`` or
    ``""`` (``service/queries.py``)."""
    headers = [("Vary", "Accept, Accept-Encoding"), ("X-Rarekg-Version", answer.version),
               ("X-Rarekg-Rows", str(answer.rows))]
    if cached:
        headers.append(("X-Cache", cached))
    return headers


def _wants_page(params: dict[str, list[str]]) -> bool:
    """A browser opening /sparql (HTML preferred to every result format, no format asked for)
    gets the query form with the query instead of raw results."""
    if any(params.get(name) for name in FORMAT_PARAMS):
        return False
    accept = request.accept_mimetypes
    return "text/html" in accept.values() and accept.best_match(
        ["text/html", *RESULT_TYPES]) == "text/html" and accept["text/html"] > accept[
        "application/sparql-results+xml"]


def _update(update: str, params: dict[str, list[str]]) -> Response:
    authorize_write()
    settings = current_app.config["RAREKG"]
    writer.check_load(update, settings["load_allowlist"].split(), request.base_url)
    check_complexity(update, settings["max_query_depth"], settings["max_query_operators"])
    update = writer.add_using(
        update, params.get("using-graph-uri", []), params.get("using-named-graph-uri", [])
    )
    writer_process(current_app).run(
        writer.Write("update", update=update, base_iri=request.base_url)
    )
    return Response(status=204)


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> BaseResponse:
    if request.method in ("GET", "HEAD"):
        params = request.args.to_dict(flat=False)
        if _wants_page(params):
            shown = (params.get("query") or [""])[0]
            return redirect("/?" + urlencode({"query": shown}) if shown else "/", code=303)
        if "update" in params:
            raise BadRequest("updates must be sent with POST")
        query = _single(params.get("query", []), "query")
        if query is None:
            from service.description import service_description

            return service_description()
        return _query_request(query, params)
    ctype = (request.mimetype or "").lower()
    params = request.args.to_dict(flat=False)
    if ctype in (FORM, "application/sparql-query", "application/sparql-update"):
        _check_charset()
    if ctype == FORM:
        body = _text(limits.body(), "request body")
        from urllib.parse import parse_qs

        form = parse_qs(body, keep_blank_values=True)
        for name, values in form.items():
            params.setdefault(name, []).extend(values)
        query = _single(params.get("query", []), "query")
        update = _single(params.get("update", []), "update")
        if query is not None and update is not None:
            raise BadRequest("a request has either 'query' or 'update', not both")
        if update is not None:
            return _update(update, params)
        if query is None:
            raise BadRequest("missing 'query' or 'update' parameter")
        return _query_request(query, params)
    if ctype == "application/sparql-query":
        return _query_request(_text(limits.body(), "query"), params)
    if ctype == "application/sparql-update":
        return _update(_text(limits.body(), "update"), params)
    raise UnsupportedMediaType(
        "POST body must be application/x-www-form-urlencoded, application/sparql-query or "
        f"application/sparql-update, not {ctype or 'none'}"
    )
