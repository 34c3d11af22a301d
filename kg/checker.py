"""Checking a small graph (a submission with the context it points to) against the SHACL shapes of
``ontology/``, in a spawned process of its own that runs at a lower CPU priority: a flood of
submissions waits on this process and never takes the processor from the query executors."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from multiprocessing.connection import Connection
from typing import Any

from kg.errors import QueryTimeout, StoreUnavailable
from kg.validate import Finding

_CTX = multiprocessing.get_context("spawn")
NICENESS = 10


def _checker_main(conn: Connection, niceness: int) -> None:
    import rdflib

    from kg.validate import validate_graph

    with contextlib.suppress(OSError):
        os.nice(niceness)
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        graph = rdflib.Graph()
        try:
            graph.parse(data=data.decode("utf-8"), format="nt")
            findings = validate_graph(graph)
        except Exception as exc:  # reported to the caller, which names it; the process lives on
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
            continue
        conn.send(("ok", [(f.severity, f.focus, f.path, f.message, f.value) for f in findings]))


class ShapeChecker:
    """Validates N-Triples documents one at a time in a spawned low-priority process, started on
    first use.  ``check`` raises ``QueryTimeout`` past ``timeout`` seconds (the process is killed
    and the next call starts a new one) and ``StoreUnavailable`` if the process fails."""

    def __init__(self, timeout: float, niceness: int = NICENESS) -> None:
        self.timeout = timeout
        self.niceness = niceness
        self._lock = threading.Lock()
        self._process: Any = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        if self._conn is not None and self._process is not None and self._process.is_alive():
            return self._conn
        self._stop()
        conn, child = _CTX.Pipe()
        self._process = _CTX.Process(target=_checker_main, args=(child, self.niceness),
                                     daemon=True, name="rarekg-checker")
        self._process.start()
        child.close()
        self._conn = conn
        return conn

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    def check(self, ntriples: bytes) -> list[Finding]:
        """The SHACL findings on the graph, violations first."""
        with self._lock:
            conn = self._start()
            try:
                conn.send_bytes(ntriples)
                if not conn.poll(self.timeout):
                    self._stop()
                    raise QueryTimeout(
                        f"checking the submission took longer than {self.timeout:g} s")
                message = conn.recv()
            except (EOFError, OSError):
                self._stop()
                raise StoreUnavailable("the SHACL checker process failed") from None
        if message[0] == "error":
            raise StoreUnavailable(f"the SHACL shapes could not be applied: {message[1]}")
        return [Finding(*row) for row in message[1]]

    def close(self) -> None:
        with self._lock:
            self._stop()
