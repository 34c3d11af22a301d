"""The web pages of the service: resource pages, search and the gap dashboard next to the query
form, with what every page shares (the search box, HTML errors, a strict content security policy:
the pages run only the service's own scripts)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, jsonify, render_template, request

from kg.errors import Busy, RarekgError, RateLimited
from service import terms
from service.state import store_handle

T = TypeVar("T")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
NAV = (("/", "Query"), ("/search", "Search"), ("/gaps", "Gaps"))


def wants_html() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) != \
        "application/json"


def error_page(exc: RarekgError) -> tuple[str, int]:
    return render_template("error.html", error=exc, title=f"Error {exc.status}"), exc.status


def error_response(exc: RarekgError) -> tuple[Response, int]:
    """JSON for the API, an HTML page for the pages; ``Retry-After`` on 429 and 503 busy."""
    if request.path.startswith("/api/"):
        response = jsonify(exc.to_json())
    else:
        html, _ = error_page(exc)
        response = Response(html, content_type="text/html; charset=utf-8")
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Busy):
        response.headers["Retry-After"] = "2"
    return response, exc.status


def cached(name: str, build: Callable[[], T]) -> T:
    """``build()``, computed once per app and per build being served (a new build recomputes it;
    the value for the previous build is dropped)."""
    cache: dict[str, tuple[str, Any]] = current_app.extensions["rarekg_web_cache"]
    version = store_handle(current_app).get()[1]  # the embedded build's or the remote's version
    found = cache.get(name)
    if found is not None and found[0] == version:
        value: T = found[1]
        return value
    with current_app.extensions["rarekg_web_lock"]:
        found = cache.get(name)
        if found is not None and found[0] == version:
            return found[1]  # type: ignore[no-any-return]
        value = build()
        cache[name] = (version, value)
        return value


def install(app: Flask) -> None:
    """Install the pages' template helpers, caches and headers on ``app``."""
    app.extensions["rarekg_web_cache"] = {}
    app.extensions["rarekg_web_lock"] = threading.RLock()

    @app.context_processor
    def shared() -> dict[str, Any]:
        return {"nav": NAV, "page_link": terms.page_link, "compact": terms.compact,
                "search_text": request.args.get("q", "") if request.path == "/search" else ""}

    @app.route("/favicon.ico")
    def favicon() -> Response:
        return Response(status=204, headers={"Cache-Control": "public, max-age=86400"})

    @app.after_request
    def security_headers(response: Response) -> Response:
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CSP)
            response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
