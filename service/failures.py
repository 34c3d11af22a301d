"""One error shape for every failure, including those Flask and Werkzeug answer by themselves.

``RarekgError`` answers with its own status and kind.  Werkzeug's own errors (405 for a method a
route does not take, 413 past a body limit, 404, 400 for a body that cannot be read) would be HTML
pages; here they become the same JSON (HTML only for the pages a browser asked for), with the
headers they carry (``Allow``).  An unexpected exception answers 500 in the same shape, naming
nothing of the server (the traceback goes to the log).
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

from kg.errors import RarekgError, RateLimited

API_PATHS = ("/sparql", "/rdf-graph", "/api/", "/.well-known/", "/health", "/metrics")


class HttpFailure(RarekgError):
    """An error Werkzeug raised, in the one family."""

    def __init__(self, message: str, status: int, kind: str) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind


def _kind(exc: HTTPException) -> str:
    return (exc.name or "error").lower().replace(" ", "-")


def json_error(exc: RarekgError) -> tuple[Response, int]:
    """The JSON answer of an error, with the headers it carries."""
    response = jsonify(exc.to_json())
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="rarekg"'
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response, exc.status


def _wants_page() -> bool:
    if request.path.startswith(API_PATHS):
        return False
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "text/html"


def install(app: Flask) -> None:
    @app.errorhandler(RarekgError)
    def rarekg_error(exc: RarekgError) -> tuple[Response, int]:
        return json_error(exc)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response | HTTPException | tuple[Response, int]:
        if exc.code is None or exc.code < 400 or _wants_page():
            return exc
        response, status = json_error(HttpFailure(exc.description or exc.name, exc.code,
                                                  _kind(exc)))
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, status

    @app.errorhandler(InternalServerError)
    def internal_error(exc: InternalServerError) -> Response | tuple[Response, int]:
        failure = HttpFailure("the service failed on this request; the failure is logged",
                              500, "internal-error")
        if _wants_page():
            from service.web import error_page

            html, status = error_page(failure)
            return Response(html, status=status, content_type="text/html; charset=utf-8")
        return json_error(failure)
