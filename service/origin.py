"""The service's public URL comes from the ``public_base_url`` setting, never from the request.

A client chooses its ``Host`` header, so a URL built from it (``Location``, the ``schema:url`` of a
published submission, the base IRI of queries and Graph Store documents) would be the client's
choice.  ``PublicOrigin`` wraps the WSGI app and sets the scheme, host and path prefix of every
request from the setting before Flask sees it, so ``request.host_url``, ``request.base_url`` and
``url_for(..., _external=True)`` all give the public URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def public_base_url(settings: Mapping[str, Any]) -> str:
    """The setting, or ``http://<host>:<port>`` of the address the service listens on."""
    configured = settings.get("public_base_url")
    return str(configured) if configured else f"http://{settings['host']}:{settings['port']}"


class PublicOrigin:
    """WSGI middleware: every request is seen as addressed to ``base_url``.  Raises
    ``ValueError`` for a base URL without scheme and host."""

    def __init__(self, app: WSGIApp, base_url: str) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"public_base_url must be an http(s) URL with a host: {base_url!r}")
        self.app = app
        self.scheme = parts.scheme
        self.host = parts.netloc
        self.server_name = parts.hostname
        self.port = str(parts.port or (443 if parts.scheme == "https" else 80))
        self.prefix = parts.path.rstrip("/")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.host
        environ["SERVER_NAME"] = self.server_name
        environ["SERVER_PORT"] = self.port
        if self.prefix:
            environ["SCRIPT_NAME"] = self.prefix
            path = environ.get("PATH_INFO", "")
            if path.startswith(self.prefix + "/"):
                environ["PATH_INFO"] = path[len(self.prefix):]
        return self.app(environ, start_response)
