"""A grammar-aware fuzzer of federated queries and loads, and a loopback listener that counts the
connections it receives.

``service_spellings`` writes ``SERVICE`` every way the SPARQL grammar (and Oxigraph's scannerless
reading of it) allows: keyword case, ``SILENT``, what separates the keyword from its endpoint
(nothing, white space, comments), the endpoint as a full IRI, a relative IRI under ``BASE``, a
prefixed name (``SERVICE:x``, ``SERVICEe:x``), the token before the keyword (``.``, ``}``, a
language tag, a number), and the pattern it sits in (group, ``OPTIONAL``, ``UNION``, ``MINUS``,
``GRAPH``, a subquery, ``EXISTS`` / ``NOT EXISTS``).  ``load_spellings`` does the same for
``LOAD``.
"""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Iterator

CASES = ("SERVICE", "service", "SeRvIcE")
SILENT = ("", "SILENT", "silent")
GAPS = (" ", "", "\n\t", "#c\n", " # SERVICE <x>\n ")
BEFORE = ("", "?a ?b ?c .", '?a ?b "x"@en.', "?a ?b 1.", "{}")
PLACES = (
    "{0}",
    "OPTIONAL {{ {0} }}",
    "{{ ?a ?b ?c }} UNION {{ {0} }}",
    "MINUS {{ {0} }}",
    "GRAPH ?g {{ {0} }}",
    "{{ SELECT * WHERE {{ {0} }} }}",
    "FILTER EXISTS {{ {0} }}",
    "FILTER NOT EXISTS {{ {0} }}",
)


def _targets(url: str) -> list[tuple[str, str]]:
    """(prologue, endpoint as written) pairs that all name ``url`` (which ends with ``/``)."""
    return [
        ("", f"<{url}sparql>"),
        (f"BASE <{url}>", "<sparql>"),
        (f"BASE <{url}a/>", "<../sparql>"),
        (f"PREFIX : <{url}>", ":sparql"),
        (f"PREFIX e: <{url}>", "e:sparql"),
    ]


def service_spellings(url: str) -> Iterator[str]:
    """Queries that call the SPARQL endpoint ``url`` (ending with ``/``) with ``SERVICE``."""
    for case, silent, gap, (prologue, target), before, place in itertools.product(
        CASES, SILENT, GAPS, _targets(url), BEFORE, PLACES
    ):
        call = f"{case}{gap}{silent}{gap if silent else ''}{target} {{ ?s ?p ?o }}"
        yield f"{prologue}\nSELECT * WHERE {{ {before} {place.format(call)} }}"


def load_spellings(url: str) -> Iterator[str]:
    """Updates that read ``url`` (ending with ``/``) with ``LOAD``."""
    for case, silent, gap, (prologue, target) in itertools.product(
        ("LOAD", "load", "LoAd"), SILENT, GAPS, _targets(url)
    ):
        target = target.replace("sparql", "data.ttl")
        yield f"{prologue}\n{case}{gap}{silent}{gap if silent else ''}{target}"


class Listener:
    """A loopback TCP server that counts connections and answers each with an empty SPARQL
    result (so that an engine that reached it would carry on)."""

    BODY = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.sock = socket.socket()
        self.sock.bind((host, 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.url = f"http://{host}:{self.sock.getsockname()[1]}/"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results"
                                 b"+json\r\nConnection: close\r\nContent-Length: "
                                 + str(len(self.BODY)).encode() + b"\r\n\r\n" + self.BODY)
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()
