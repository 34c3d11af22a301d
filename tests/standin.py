"""A stand-in for the ClinicalTrials.gov API v2 and the Orphadata API on loopback: a test double of
the upstream services (never of rarekg's own parts) that replays recorded real responses.

- ``/studies``: the recorded ClinicalTrials.gov search page ``data/ctgov/ctgov_sma_china.json``
  (8 studies of a spinal muscular atrophy search) served as two pages of 4, the first with a
  ``nextPageToken``, for a ``query.cond`` that names spinal muscular atrophy; any other query gets
  the API's answer to a search without matches (``{"totalCount": 0, "studies": []}``).
- ``/version``: the fields of the API's ``Version`` schema (``apiVersion``, ``dataTimestamp``);
  the values are the stand-in's own (no recorded answer exists).
- ``/rd-cross-referencing/orphacodes/33069?lang=en|zh`` and ``/rd-epidemiology/orphacodes/33069``:
  the recorded Orphadata responses of ``data/orphadata/``, byte for byte; other codes get ``404``.
- the EMA's orphan designations JSON report: the recorded sample ``data/ema/``, byte for byte.

Every answer has an ``ETag`` (a digest of the body) and a ``Last-Modified``; a matching
``If-None-Match`` gets ``304``.  Faults are scripted per route (``faults[key]``, consumed in order):
``429`` (with ``Retry-After: 1``), ``503``, ``truncated`` (``Content-Length`` larger than the bytes
sent, then the connection closes) and ``hold`` (no answer: the request waits until ``release`` is
set and the connection closes, so a test can stop the client mid-run).  Each request is logged
with its arrival time.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from kg.build.fetch_sources import EMA_ORPHAN_PATH
from kg.paths import DATA_DIR

TOKEN = "stand-in-page-2"
VERSION = {"apiVersion": "stand-in", "dataTimestamp": "2026-10-05T00:00:00"}
LAST_MODIFIED = "Mon, 05 Oct 2026 00:00:00 GMT"


def ctgov_pages() -> list[bytes]:
    """The recorded search page split into two pages of the API's shape."""
    recorded = json.loads((DATA_DIR / "ctgov" / "ctgov_sma_china.json").read_text("utf-8"))
    studies = recorded["studies"]
    first = {"totalCount": recorded["totalCount"], "studies": studies[:4], "nextPageToken": TOKEN}
    second = {"studies": studies[4:]}
    return [json.dumps(p, ensure_ascii=False).encode("utf-8") for p in (first, second)]


def orphadata_responses() -> dict[str, bytes]:
    folder = DATA_DIR / "orphadata"
    return {
        "/rd-cross-referencing/orphacodes/33069?lang=en":
            (folder / "orphadata-cross-33069-en.json").read_bytes(),
        "/rd-cross-referencing/orphacodes/33069?lang=zh":
            (folder / "orphadata-cross-33069-zh.json").read_bytes(),
        "/rd-epidemiology/orphacodes/33069":
            (folder / "orphadata-epidemiology-33069.json").read_bytes(),
    }


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


@dataclass
class Seen:
    at: float
    key: str
    status: int
    conditional: bool


@dataclass
class StandIn:
    faults: dict[str, list[str]] = field(default_factory=dict)
    log: list[Seen] = field(default_factory=list)
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.pages = ctgov_pages()
        self.orphadata = orphadata_responses()
        self._lock = threading.Lock()

    def route(self, path: str, query: dict[str, list[str]]) -> tuple[str, bytes | None]:
        """The route key of a request and its recorded body (``None``: no recording, 404)."""
        if path == EMA_ORPHAN_PATH:
            return "ema", (DATA_DIR / "ema" / "ema_orphan_designations.json").read_bytes()
        if path.endswith("/version"):
            return "version", json.dumps(VERSION).encode("utf-8")
        if path.endswith("/studies"):
            cond = query.get("query.cond", [""])[0].lower()
            if "spinal muscular atrophy" not in cond:
                return "studies-other", b'{"totalCount": 0, "studies": []}'
            if query.get("pageToken") == [TOKEN]:
                return "page-2", self.pages[1]
            return "page-1", self.pages[0]
        key = path + (f"?lang={query['lang'][0]}" if "lang" in query else "")
        return key, self.orphadata.get(key)

    def next_fault(self, key: str) -> str | None:
        with self._lock:
            queue = self.faults.get(key) or []
            return queue.pop(0) if queue else None

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.log.append(seen)

    def keys(self) -> list[str]:
        return [s.key for s in self.log]


def _handler(state: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            at = time.monotonic()
            parts = urlsplit(self.path)
            key, body = state.route(parts.path, parse_qs(parts.query))
            conditional = "If-None-Match" in self.headers
            fault = state.next_fault(key)
            if fault == "hold":  # never answered: the client is stopped meanwhile
                state.held.set()
                state.release.wait(30)
                self.close_connection = True
                return
            if fault in ("429", "503"):
                state.record(Seen(at, key, int(fault), conditional))
                self.send_response(int(fault))
                if fault == "429":
                    self.send_header("Retry-After", "1")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if body is None:
                state.record(Seen(at, key, 404, conditional))
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            tag = etag(body)
            if self.headers.get("If-None-Match") == tag:
                state.record(Seen(at, key, 304, conditional))
                self.send_response(304)
                self.send_header("ETag", tag)
                self.end_headers()
                return
            state.record(Seen(at, key, 200, conditional))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("ETag", tag)
            self.send_header("Last-Modified", LAST_MODIFIED)
            if fault == "truncated":
                self.send_header("Content-Length", str(len(body) + 1000))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


class Running:
    """The stand-in serving on a free loopback port until ``stop``."""

    def __init__(self, state: StandIn) -> None:
        self.state = state
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.state.release.set()
        self.server.shutdown()
        self.server.server_close()


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
