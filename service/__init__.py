"""The rarekg web service: SPARQL 1.1 Protocol endpoint and query form (Flask app factory)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify

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
    app.extensions["rarekg_store"] = StoreHandle(Path(settings["store"]))
    app.extensions["rarekg_pool"] = QueryPool(
        Path(settings["store"]), size=settings["executors"], timeout=settings["query_timeout"],
        max_rows=settings["max_rows"], service_allowlist=settings["service_allowlist"].split(),
    )
    app.extensions["rarekg_writer"] = WriterProcess(Path(settings["store"]),
                                                    timeout=settings["query_timeout"])

    from service import description, form, graphstore, http, sparql

    app.register_blueprint(sparql.bp)
    app.register_blueprint(description.bp)
    app.register_blueprint(graphstore.bp)
    app.register_blueprint(form.bp)
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


def store_handle(app: Flask) -> StoreHandle:
    handle = app.extensions["rarekg_store"]
    assert isinstance(handle, StoreHandle)
    return handle
