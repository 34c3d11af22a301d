"""Finished answers of repeated read queries, kept in each worker process's memory and sent before
Flask runs.

The result cache (``kg/store/cache.py``) spares a repeated query the engine, but the request still
goes through Flask: routing, the before- and after-request hooks, content negotiation, headers and
compression cost a small answer more than the engine did.  ``AnswerMemory`` wraps the WSGI app and
keeps the *finished* HTTP answer (status, headers, the body as sent, compressed when the client
accepted that) of every ``GET /sparql`` that the result cache gave or stored (an answer with an
``X-Cache`` header).  The same request again is answered from this memory with the same bytes and
headers, ``X-Cache: hit``, and counted in ``/metrics`` as a hit like the others.

The key is the dataset version (read from the store directory on every request, so every write and
rebuild empties the memory) and everything of the request that decides the answer's bytes: the
query string (query, dataset and format parameters), ``Accept`` and ``Accept-Encoding``.  The
service's public origin is fixed by a setting (``service/origin.py``), never taken from the request.
Requests that must reach the app go there: other methods and paths, ``Cache-Control: no-cache``,
conditional requests (``If-None-Match``, answered with 304 by the app), a ``lang`` parameter (it may
set a cookie); and answers that are never kept: anything but 200, HTML (each page has its own
nonce), answers that set a cookie, answers without a length, and answers past an eighth of the
bound.  The memory is bounded in bytes, counting each entry's key, headers and a fixed overhead
with its body, so that many tiny answers cannot hold more than the bound (setting
``answer_memory_bytes`` per worker; least recently used first out; 0 switches it off).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from kg.store.embedded import version as store_version
from service.http import LATENCY, REQUESTS
from service.queries import CACHE_HITS

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Headers = list[tuple[str, str]]
Key = tuple[str, str, str]


ENTRY_OVERHEAD = 400  # bytes of Python objects per entry besides its strings (tuples, dict slot)


def _cost(key: Key, entry: tuple[str, Headers, bytes]) -> int:
    """What an entry holds in memory: its body, its key, its status and headers, and the objects
    around them (so that many tiny answers cannot hold more than the bound)."""
    status, headers, body = entry
    return (len(body) + sum(map(len, key)) + len(status)
            + sum(len(name) + len(value) + 64 for name, value in headers) + ENTRY_OVERHEAD)


class AnswerMemory:
    """WSGI middleware: finished answers of ``GET /sparql`` by ``(version, query string, Accept,
    Accept-Encoding)``, holding at most ``max_bytes`` (bodies, keys and headers; 0: off)."""

    def __init__(self, app: WSGIApp, store_dir: Path, max_bytes: int) -> None:
        self.app = app
        self.store_dir = Path(store_dir)
        self.max_bytes = max_bytes
        self.max_entry = max_bytes // 8
        # what a hit counts in /metrics, as the app counts an answer of /sparql from the cache
        self._requests = REQUESTS.labels("GET", "/sparql", "200")
        self._latency = LATENCY.labels("/sparql")
        self._lock = threading.Lock()
        self._version = ""
        self._entries: OrderedDict[Key, tuple[str, Headers, bytes]] = OrderedDict()
        self._bytes = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not self._eligible(environ):
            return self.app(environ, start_response)
        started = time.perf_counter()
        version = store_version(self.store_dir)
        if version.startswith(("dir-", "none")):  # no versioned builds: nothing is cached
            return self.app(environ, start_response)
        key = (environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT", ""),
               environ.get("HTTP_ACCEPT_ENCODING", ""))
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._bytes = 0
                self._version = version
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
        if found is not None:
            status, headers, body = found
            start_response(status, headers)
            self._requests.inc()
            self._latency.observe(time.perf_counter() - started)
            CACHE_HITS.inc()
            return [body]
        return self._answer_and_keep(environ, start_response, version, key)

    @staticmethod
    def _eligible(environ: dict[str, Any]) -> bool:
        return (environ.get("REQUEST_METHOD") == "GET"
                and environ.get("PATH_INFO") == "/sparql"
                and "HTTP_IF_NONE_MATCH" not in environ
                and "no-cache" not in environ.get("HTTP_CACHE_CONTROL", "")
                and "&lang=" not in "&" + environ.get("QUERY_STRING", ""))

    def _answer_and_keep(self, environ: dict[str, Any], start_response: Callable[..., Any],
                         version: str, key: Key) -> Any:
        seen: list[tuple[str, Headers]] = []

        def remember_start(status: str, headers: Headers, exc_info: Any = None) -> Any:
            seen.append((status, list(headers)))
            return start_response(status, headers, exc_info) if exc_info else start_response(
                status, headers)

        result = self.app(environ, remember_start)
        if not seen or not self._keepable(*seen[-1], version):
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        self._keep(key, version, *seen[-1], body)  # its length was checked in _keepable
        return [body]

    def _keepable(self, status: str, headers: Headers, version: str) -> bool:
        if not status.startswith("200 "):
            return False
        names = {name.lower(): value for name, value in headers}
        length = names.get("content-length", "")
        return (names.get("x-cache") in ("hit", "miss")
                and names.get("x-rarekg-version") == version
                and "set-cookie" not in names
                and not names.get("content-type", "").startswith("text/html")
                and length.isdigit() and int(length) <= self.max_entry)

    def _keep(self, key: Key, version: str, status: str, headers: Headers, body: bytes) -> None:
        kept = [(name, "hit" if name.lower() == "x-cache" else value) for name, value in headers]
        with self._lock:
            if version != self._version:
                return
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= _cost(key, old)
            entry = (status, kept, body)
            self._entries[key] = entry
            self._bytes += _cost(key, entry)
            while self._bytes > self.max_bytes and self._entries:
                dropped_key, dropped = self._entries.popitem(last=False)
                self._bytes -= _cost(dropped_key, dropped)

    def stored_bytes(self) -> int:
        with self._lock:
            return self._bytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
