"""Fair shares of the query executors and bodies of bounded size.

Each client address may run only a few queries at once (past that: 429), each request has one
deadline that covers its wait for an executor and the query itself, and bodies past
``max_query_bytes`` (``/sparql``) or ``max_graph_bytes`` (Graph Store) are refused with 413
before they are read.

Slots are lock files (``fcntl.flock``) in one temporary folder per store, so the limit holds across
all worker processes of a server, and a slot is freed by the kernel when its holder dies.  Within
one worker a client never holds every executor: its further queries wait their turn, so another
client always finds one free there.
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

from kg.errors import QueryTimeout, RateLimited, RequestTooLarge

KEY = "rarekg_client_slots"


class ClientSlots:
    """At most ``limit`` queries at once per client address across the server (0: no limit); in
    this worker process a client runs at most ``per_worker`` at once, its further queries waiting
    for their turn (so that another client always finds an executor free here)."""

    def __init__(self, folder: Path, limit: int, per_worker: int) -> None:
        self.limit = limit
        self.per_worker = per_worker
        self.folder = folder
        self._ready = False
        self._turns = threading.Condition()
        self._active: dict[str, int] = {}

    @contextmanager
    def hold(self, client: str, deadline: float) -> Iterator[None]:
        """One slot for ``client`` while the block runs.  Raises ``RateLimited`` past the
        client's share and ``QueryTimeout`` when its turn does not come by ``deadline``."""
        handle = self._take(client) if self.limit > 0 else None
        try:
            with self._turns:
                while self.per_worker and self._active.get(client, 0) >= self.per_worker:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise QueryTimeout("this client's earlier queries kept every executor it "
                                           "may use busy past the time limit (setting "
                                           "query_timeout)")
                    self._turns.wait(remaining)
                self._active[client] = self._active.get(client, 0) + 1
            try:
                yield
            finally:
                with self._turns:
                    self._active[client] -= 1
                    if not self._active[client]:
                        del self._active[client]
                    self._turns.notify_all()
        finally:
            if handle is not None:
                os.close(handle)

    def _folder(self) -> Path:
        if not self._ready:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError:  # no shared folder: the limit then holds per worker process
                self.folder = Path(tempfile.mkdtemp(prefix="rarekg-slots-"))
            self._ready = True
        return self.folder

    def _take(self, client: str) -> int:
        name = hashlib.sha256(client.encode("utf-8")).hexdigest()[:24]
        folder = self._folder()
        for slot in range(self.limit):
            handle = os.open(folder / f"{name}.{slot}", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return handle
            except BlockingIOError:
                os.close(handle)
        raise RateLimited(
            f"this client already runs {self.limit} queries at once (setting "
            "client_max_queries); send the next one when one has answered", retry_after=1)


def install(app: Flask, store_dir: Path, limit: int, executors: int) -> None:
    # one folder per store for every worker of a server, outside the store (which may be remote)
    key = hashlib.sha256(str(store_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"rarekg-client-slots-{key}"
    app.extensions[KEY] = ClientSlots(folder, limit, max(executors - 1, 1))

    @app.before_request
    def start_clock() -> None:
        g.deadline = time.monotonic() + float(app.config["RAREKG"]["query_timeout"])
        limit_body()


BODY_LIMITS = (("/sparql", "max_query_bytes"), ("/rdf-graph", "max_graph_bytes"))


def body() -> bytes:
    """The request body, refused with 413 past its limit (a chunked body has no declared length:
    it is read up to one byte past the limit)."""
    data = request.get_data()
    for prefix, setting in BODY_LIMITS:
        limit = int(current_app.config["RAREKG"][setting])
        if request.path.startswith(prefix) and len(data) > limit:
            raise RequestTooLarge(f"the request body has more than {limit} bytes; no more are "
                                  f"accepted here (setting {setting})")
    return data


def limit_body() -> None:
    """Refuse a body past its limit with 413 before any of it is read: on the declared length,
    and (for a chunked body, whose length is not declared) while it is read."""
    for prefix, setting in BODY_LIMITS:
        if request.path.startswith(prefix):
            limit = int(current_app.config["RAREKG"][setting])
            request.max_content_length = limit + 1  # a chunked body is cut just past it
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
