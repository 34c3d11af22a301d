"""Which store the service and the build use: the embedded Oxigraph store (default) or a
remote SPARQL engine.  A ``Backend`` is plain data, so it can be handed to executor processes."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import RarekgError, StoreUnavailable
from kg.store import embedded as stores
from kg.store.remote import RemoteStore

VERSION_TTL = 5.0
VERSION_QUERY = (
    "SELECT ?built WHERE { GRAPH <https://w3id.org/rarekg/graph/void> { "
    "<https://w3id.org/rarekg/id/dataset/rarekg> <http://purl.org/dc/terms/created> ?built } }"
)


@dataclass(frozen=True)
class Backend:
    store_dir: str
    remote_query: str | None = None
    remote_update: str | None = None
    remote_store: str | None = None
    remote_user: str | None = None
    remote_password: str | None = None
    remote_auth: str = "digest"
    timeout: float | None = None

    @property
    def is_remote(self) -> bool:
        return bool(self.remote_query)

    def remote(self) -> RemoteStore:
        if not self.remote_query:
            raise RarekgError("no remote SPARQL engine is configured (setting remote_query)")
        return RemoteStore(
            self.remote_query,
            self.remote_update,
            self.remote_store,
            self.remote_user,
            self.remote_password,
            timeout=self.timeout,
            auth=self.remote_auth,
        )

    def handle(self) -> Any:
        """A handle whose ``get()`` gives ``(store, version)`` for this process."""
        if self.is_remote:
            return RemoteHandle(self.remote())
        return stores.StoreHandle(Path(self.store_dir))


def backend_from_settings(settings: Mapping[str, Any]) -> Backend:
    return Backend(
        store_dir=str(settings["store"]),
        remote_query=settings.get("remote_query") or None,
        remote_update=settings.get("remote_update") or None,
        remote_store=settings.get("remote_store") or None,
        remote_user=settings.get("remote_user") or None,
        remote_password=settings.get("remote_password") or None,
        remote_auth=settings.get("remote_auth") or "digest",
        timeout=settings.get("query_timeout"),
    )


class RemoteHandle:
    """The remote store and the version of the graph it holds (its VoID build date), looked up at
    most every few seconds."""

    def __init__(self, remote: RemoteStore) -> None:
        self.remote = remote
        self.store_dir = None
        self._lock = threading.Lock()
        self._version = "none"
        self._checked = 0.0

    def get(self) -> tuple[RemoteStore, str]:
        with self._lock:
            if time.monotonic() - self._checked > VERSION_TTL:
                try:
                    rows = list(self.remote.query(VERSION_QUERY))  # type: ignore[arg-type]
                except StoreUnavailable:
                    raise
                self._version = ("remote-" + rows[0]["built"].value) if rows else "remote-none"
                self._checked = time.monotonic()
            return self.remote, self._version
