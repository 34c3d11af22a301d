"""``/search?q=``: find diseases, organizations, drugs, trials, policies and lists by any name or
code, from the search index built with the graph (``kg/store/search.py``).  HTML for browsers,
JSON for ``Accept: application/json``.

The index of the build being served is the ``search.sqlite`` file in its directory, so a rebuilt
store swaps in its own index.  A build without one (a store written by SPARQL Update, or a remote
engine) gets an index built once, in memory, from the graph through the bounded query executors.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_babel import gettext

from kg.errors import RarekgError
from kg.store import embedded as stores
from kg.store import search as index
from kg.store import spelling
from service import i18n, queries, terms, web
from service.i18n import N_

bp = Blueprint("search", __name__)

# The kinds of hits (kg.store.search.CLASSES), for the catalogue: shown translated.
KINDS = (N_("Rare disease"), N_("National list"), N_("Patient organization"), N_("Foundation"),
         N_("Hospital"), N_("Regulatory authority"), N_("Government body"),
         N_("Research organization"), N_("Company"), N_("Organization"), N_("Drug"),
         N_("Clinical trial"), N_("Programme"), N_("Policy"))
MAX_LIMIT = 100
DEFAULT_LIMIT = 20


@bp.errorhandler(RarekgError)
def error(exc: RarekgError) -> tuple[str, int] | tuple[Response, int]:
    if web.wants_html():
        return web.error_page(exc)
    return jsonify(exc.to_json()), exc.status


INDEX_MAX_ROWS = 20_000_000  # the index's own queries read every name of the graph


def _select(query: str) -> Iterable[index.Row]:
    for binding in queries.select(query, max_rows=INDEX_MAX_ROWS):
        yield {name: (str(term["value"]), str(term.get("xml:lang", "")))
               for name, term in binding.items() if term["type"] in ("uri", "literal")}


@contextmanager
def connection() -> Iterator[sqlite3.Connection]:
    """The index of the build being served, for one search."""
    store_dir = Path(current_app.config["RAREKG"]["store"])
    path = stores.data_dir(store_dir) / index.INDEX_FILE
    try:
        conn = index.open_index(path)
    except FileNotFoundError:
        pass
    else:
        try:
            yield conn
        finally:
            conn.close()
        return
    memory = web.cached("search-index", _memory_index)  # per build, embedded or remote
    with current_app.extensions["rarekg_web_lock"]:  # one search at a time on the shared copy
        yield memory


def _memory_index() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    index.build_index(_select, conn)
    return conn


def _limit() -> int:
    try:
        return min(max(int(request.args.get("limit", DEFAULT_LIMIT)), 1), MAX_LIMIT)
    except ValueError:
        return DEFAULT_LIMIT


@bp.route("/search")
def search() -> Response | str:
    text = request.args.get("q", "").strip()
    limit = _limit()
    started = time.perf_counter()
    hits: list[index.Hit] = []
    suggestions: list[str] = []
    if text:
        with connection() as conn:
            words = web.cached("search-vocabulary", lambda: spelling.vocabulary(conn))
            hits = index.search(conn, text, limit, words)
            if not hits:
                suggestions = spelling.suggest(index.tokens(index.normalize(text)), words)
    took = round((time.perf_counter() - started) * 1000, 2)
    if not web.wants_html():
        return jsonify({"query": text, "took_ms": took, "results": [
            {**h.to_json(), "href": terms.page_link(h.iri)} for h in hits]})
    shown: list[dict[str, Any]] = [
        {**h.to_json(), "href": terms.page_link(h.iri), "short": terms.compact(h.iri),
         "matched_lang": terms.language_of(h.matched, "")} for h in hits]
    title = gettext("Search")
    return render_template("search.html", title=f"{title}: {text}" if text else title,
                           q=text, hits=shown, took=took, limit=limit, suggestions=suggestions)


@bp.route("/search/suggest")
def suggestions() -> Response:
    """Names for the search box as people type: ``{"query": .., "suggestions": [{label, href,
    kind}]}``, the best few hits."""
    text = request.args.get("q", "").strip()[:200]
    found: list[dict[str, str]] = []
    if len(text) >= 2:
        with connection() as conn:
            words = web.cached("search-vocabulary", lambda: spelling.vocabulary(conn))
            for h in index.search(conn, text, 8, words):
                label = h.label_zh if i18n.language() == "zh" and h.label_zh else \
                    (h.label_en or h.label_zh)
                found.append({"label": label, "matched": h.matched, "kind": h.kind,
                              "href": terms.page_link(h.iri)})
    response = jsonify({"query": text, "suggestions": found})
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
