"""The web pages of the service: resource pages, search and the gap dashboard next to the query
form, with what every page shares (the search box, HTML errors, a strict content security policy:
the pages run only the service's own scripts)."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import gettext

from kg.errors import Busy, RarekgError, RateLimited
from service import i18n, terms
from service.i18n import N_
from service.state import store_handle

T = TypeVar("T")

# The query editor (CodeMirror) writes its own stylesheet into the page: a <style> element allowed
# by a nonce fresh for every response (no inline style of the markup is allowed).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; "
       "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
       "form-action 'self'")


def style_nonce() -> str:
    """This response's nonce for the editor's stylesheet."""
    if "rarekg_style_nonce" not in g:
        g.rarekg_style_nonce = secrets.token_urlsafe(16)
    return str(g.rarekg_style_nonce)
NAV = (("/", N_("Query")), ("/search", N_("Search")), ("/gaps", N_("Gaps")),
       ("/vocab", N_("Vocabulary")), ("/contribute", N_("Contribute")))


def pick(labels: Mapping[str, str]) -> str:
    """A label in the page's language: the data's own label in it, else the English label
    translated by the catalogue where it has one, else any label."""
    lang = i18n.language()
    if labels.get(lang):
        return labels[lang]
    english = labels.get("en", "")
    if english:
        return gettext(english) if lang != "en" else english
    return labels.get("zh", "") or labels.get("short", "")


def wants_page() -> bool:
    """Whether the client prefers an HTML page to RDF (a browser following a link)."""
    accept = request.accept_mimetypes
    return "text/html" in accept.values() and accept["text/html"] > max(
        accept["text/turtle"], accept["application/ld+json"], accept["application/rdf+xml"],
        accept["application/n-triples"])


def wants_html() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) != \
        "application/json"


def error_page(exc: RarekgError) -> tuple[str, int]:
    title = gettext("Error %(status)s", status=exc.status)
    return render_template("error.html", error=i18n.translate(str(exc)), title=title), exc.status


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
        return {"nav": NAV, "page_link": terms.page_link, "compact": terms.compact, "pick": pick,
                "style_nonce": style_nonce,
                "search_text": request.args.get("q", "") if request.path == "/search" else ""}

    @app.route("/favicon.ico")
    def favicon() -> Response:
        return Response(status=204, headers={"Cache-Control": "public, max-age=86400"})

    @app.after_request
    def security_headers(response: Response) -> Response:
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CSP.format(nonce=style_nonce()))
            response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
