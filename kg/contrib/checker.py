"""Checking a small graph (a submission with the context it points to) against the SHACL shapes of
``ontology/``, in a spawned process of its own that runs at a lower CPU priority: a flood of
submissions waits on this process and never takes the processor from the query executors."""

from __future__ import annotations

import contextlib
import os
from multiprocessing.connection import Connection

from kg.errors import StoreUnavailable
from kg.shapes import Finding
from kg.store.child import ChildProcess

NICENESS = 10


def _checker_main(conn: Connection, niceness: int) -> None:
    import rdflib

    from kg.shapes import validate_graph

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


class ShapeChecker(ChildProcess):
    """Validates N-Triples documents one at a time in a spawned low-priority process, started on
    first use.  ``check`` raises ``QueryTimeout`` past ``timeout`` seconds (the process is killed
    and the next call starts a new one) and ``StoreUnavailable`` if the process fails."""

    def __init__(self, timeout: float, niceness: int = NICENESS) -> None:
        super().__init__(_checker_main, (niceness,), "rarekg-checker", timeout)

    def check(self, ntriples: bytes) -> list[Finding]:
        """The SHACL findings on the graph, violations first."""
        message = self.call(lambda conn: conn.send_bytes(ntriples),
                            f"checking the submission took longer than {self.timeout:g} s",
                            "the SHACL checker process failed")
        if message[0] == "error":
            raise StoreUnavailable(f"the SHACL shapes could not be applied: {message[1]}")
        return [Finding(*row) for row in message[1]]
