"""The rarekg web service: SPARQL 1.1 Protocol endpoint and query form (Flask app factory)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify

from kg.backend import RemoteHandle, backend_from_settings
from kg.errors import RarekgError
from kg.executor import QueryPool
from kg.settings import load_settings
from kg.store import StoreHandle
from kg.writer import WriterProcess


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

    from service import contribute, description, form, graphstore, http, sparql, web

    app.register_blueprint(sparql.bp)
    app.register_blueprint(description.bp)
    app.register_blueprint(graphstore.bp)
    app.register_blueprint(form.bp)
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


def writer_process(app: Flask) -> WriterProcess:
    """The process that applies this server process's writes (started on the first write)."""
    process = app.extensions["rarekg_writer"]
    assert isinstance(process, WriterProcess)
    return process


def store_handle(app: Flask) -> StoreHandle | RemoteHandle:
    """This process's handle on the store: ``get()`` gives ``(store, version)``, where the store
    is the embedded Oxigraph store or a ``RemoteStore`` with the same query interface."""
    handle = app.extensions["rarekg_store"]
    assert isinstance(handle, StoreHandle | RemoteHandle)
    return handle
