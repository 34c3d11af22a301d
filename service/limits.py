"""Fair shares of the query executors and bodies of bounded size.

Each client address may run only a few queries at once, each request has one deadline that covers
its wait for an executor and the query itself, and bodies past ``max_query_bytes`` (``/sparql``)
or ``max_graph_bytes`` (Graph Store) are refused with 413 before they are read.

Slots are lock files (``fcntl.flock``) in one folder beside the store, so the limit holds across
all worker processes of a server, and a slot is freed by the kernel when its holder dies.  Within
one worker a client may also never hold every executor, so another client always finds one free
there.  Past its share a client gets ``429`` with ``Retry-After``.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g, request

from kg.errors import RateLimited, RequestTooLarge

KEY = "rarekg_client_slots"
FOLDER = ".client-slots"


class ClientSlots:
    """At most ``limit`` queries at once per client address across the server, and at most
    ``per_worker`` in this worker process (0: no limit)."""

    def __init__(self, folder: Path, limit: int, per_worker: int) -> None:
        self.limit = limit
        self.per_worker = per_worker
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.folder = folder
        except OSError:  # a read-only store folder: the limit then holds per worker process
            self.folder = Path(tempfile.mkdtemp(prefix="rarekg-slots-"))
        self._lock = threading.Lock()
        self._active: dict[str, int] = {}

    @contextmanager
    def hold(self, client: str) -> Iterator[None]:
        """One slot for ``client`` while the block runs.  Raises ``RateLimited``."""
        if self.limit <= 0:
            yield
            return
        with self._lock:
            if self.per_worker and self._active.get(client, 0) >= self.per_worker:
                raise self._refused()
            self._active[client] = self._active.get(client, 0) + 1
        handle = None
        try:
            handle = self._take(client)
            yield
        finally:
            if handle is not None:
                os.close(handle)
            with self._lock:
                self._active[client] -= 1
                if not self._active[client]:
                    del self._active[client]

    def _take(self, client: str) -> int:
        name = hashlib.sha256(client.encode("utf-8")).hexdigest()[:24]
        for slot in range(self.limit):
            handle = os.open(self.folder / f"{name}.{slot}", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return handle
            except BlockingIOError:
                os.close(handle)
        raise self._refused()

    def _refused(self) -> RateLimited:
        return RateLimited(
            f"this client already runs {self.limit} queries at once; send the next one when one "
            "of them has answered (setting client_max_queries)", retry_after=1)


def install(app: Flask, store_dir: Path, limit: int, executors: int) -> None:
    app.extensions[KEY] = ClientSlots(store_dir / FOLDER, limit, max(executors - 1, 1))

    @app.before_request
    def start_clock() -> None:
        g.deadline = time.monotonic() + float(app.config["RAREKG"]["query_timeout"])
        limit_body()


BODY_LIMITS = (("/sparql", "max_query_bytes"), ("/rdf-graph", "max_graph_bytes"))


def limit_body() -> None:
    """Refuse a body past its limit with 413 before any of it is read: on the declared length,
    and (for a chunked body, whose length is not declared) while it is read."""
    for prefix, setting in BODY_LIMITS:
        if request.path.startswith(prefix):
            limit = int(current_app.config["RAREKG"][setting])
            request.max_content_length = limit
            length = request.content_length
            if length is not None and length > limit:
                raise RequestTooLarge(f"the request body has {length} bytes; at most {limit} "
                                      f"are accepted here (setting {setting})")


def slots() -> ClientSlots:
    found = current_app.extensions[KEY]
    assert isinstance(found, ClientSlots)
    return found


def deadline() -> float:
    """When the current request must have its answer (``time.monotonic()`` clock)."""
    return float(g.get("deadline") or time.monotonic() + current_app.config["RAREKG"]
                 ["query_timeout"])
