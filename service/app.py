"""The rarekg web service: the Flask app factory. It registers every blueprint and is imported by
none of them (only the composition root, ``kg/server.py``, imports it)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from kg.settings import load_settings
from kg.store.backend import backend_from_settings
from kg.store.executor import QueryPool
from kg.store.writer import WriterProcess
from service import (
    contribute,
    description,
    download,
    failures,
    form,
    gaps,
    graphstore,
    http,
    i18n,
    limits,
    pages,
    review,
    search,
    sparql,
    web,
)
from service.answers import AnswerMemory
from service.lookups import PointLookups
from service.origin import PublicOrigin, public_base_url

BLUEPRINTS = (sparql.bp, description.bp, graphstore.bp, form.bp, search.bp, gaps.bp, pages.bp,
              contribute.bp, review.bp, download.bp)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """A Flask app serving the store named by the ``store`` setting (read-only)."""
    settings = load_settings(config)
    app = Flask(__name__)
    app.config["RAREKG"] = settings
    backend = backend_from_settings(settings)
    app.extensions["rarekg_backend"] = backend
    app.extensions["rarekg_store"] = backend.handle()
    app.extensions["rarekg_pool"] = QueryPool(
        backend, size=settings["executors"], timeout=settings["query_timeout"],
        max_rows=settings["max_rows"], service_allowlist=settings["service_allowlist"].split(),
        max_result_bytes=settings["max_result_bytes"],
        max_query_depth=settings["max_query_depth"],
        max_query_operators=settings["max_query_operators"],
        memory_mb=settings["child_memory_mb"],
        lookup_rows=settings["lookup_rows"], handle=app.extensions["rarekg_store"],
    )
    app.extensions["rarekg_writer"] = WriterProcess(
        backend, timeout=settings["query_timeout"],
        network=bool(settings["load_allowlist"].split()), memory_mb=settings["child_memory_mb"])
    inner = app.wsgi_app
    if not backend.is_remote and int(settings["lookup_rows"]) > 0:
        inner = PointLookups(inner, app)
    memory = int(settings["answer_memory_bytes"])
    if not backend.is_remote and int(settings["cache_bytes"] or 0) > 0 and memory > 0:
        inner = AnswerMemory(inner, Path(backend.store_dir), memory)
    app.wsgi_app = PublicOrigin(inner, public_base_url(settings))  # type: ignore[method-assign]
    limits.install(app, Path(settings["store"]), settings["client_max_queries"],
                   settings["executors"])

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    i18n.install(app)
    web.install(app)
    contribute.install(app)
    http.install(app)

    failures.install(app)
    return app
