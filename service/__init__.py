"""The rarekg web service: SPARQL 1.1 Protocol endpoint and query form (Flask app factory)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request

from kg.errors import RarekgError
from kg.settings import load_settings
from kg.store import StoreHandle


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """A Flask app serving the store named by the ``store`` setting (read-only)."""
    settings = load_settings(config)
    app = Flask(__name__)
    app.config["RAREKG"] = settings
    app.extensions["rarekg_store"] = StoreHandle(Path(settings["store"]))

    from service import form, sparql

    app.register_blueprint(sparql.bp)
    app.register_blueprint(form.bp)

    @app.errorhandler(RarekgError)
    def rarekg_error(exc: RarekgError) -> tuple[Response, int]:
        return jsonify(exc.to_json()), exc.status

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.path.startswith("/sparql"):
            response.headers.setdefault("Access-Control-Allow-Origin", "*")
        return response

    return app


def store_handle(app: Flask) -> StoreHandle:
    handle = app.extensions["rarekg_store"]
    assert isinstance(handle, StoreHandle)
    return handle
