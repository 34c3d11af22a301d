"""The rarekg web service: the Flask app factory. It registers every blueprint and is imported by
none of them (only the composition root, ``kg/server.py``, imports it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify

from kg.errors import RarekgError
from kg.settings import load_settings
from kg.store.backend import backend_from_settings
from kg.store.executor import QueryPool
from kg.store.writer import WriterProcess
from service import (
    contribute,
    description,
    download,
    form,
    gaps,
    graphstore,
    http,
    i18n,
    pages,
    review,
    search,
    sparql,
    web,
)

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
    )
    app.extensions["rarekg_writer"] = WriterProcess(backend, timeout=settings["query_timeout"])

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    i18n.install(app)
    web.install(app)
    contribute.install(app)
    http.install(app)

    @app.errorhandler(RarekgError)
    def rarekg_error(exc: RarekgError) -> tuple[Response, int]:
        response = jsonify(exc.to_json())
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="rarekg"'
        return response, exc.status

    return app
