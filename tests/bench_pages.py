"""Benchmark: the web pages against ``/health`` on one server, in one run (figures go to
docs/benchmarks.md).

    python -m tests.bench_pages [--store DIR] [--seconds 10] [--clients 4] [--repeat 5]

Serves a built default graph (``--store``; else one is built) with ``rarekg serve`` and measures
requests per second of ``/health`` (which does nothing), of the linked-data pages of the listed
diseases (``/id/disease/...`` as HTML, a different disease each request) with the result cache
(each page asked once before, so the run reads pages the cache holds) and without it
(``Cache-Control: no-cache``, every query of the page run again), and the time of the query form
page showing large results (questions 12 and 22), median of ``--repeat``.  Requests come from
tests/bench_http.py (``wrk`` when installed).  Not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.bench_http import client_name, throughput
from tests.conftest import Server
from tests.examples import example_query

HTML = {"Accept": "text/html", "Accept-Language": "en"}
NO_CACHE = {"Cache-Control": "no-cache"}


def _diseases(url: str) -> list[str]:
    q = ("SELECT ?d WHERE { ?d a <https://w3id.org/rarekg/vocab#RareDisease> ; "
         "<https://w3id.org/rarekg/vocab#hasListEntry> ?e }")
    req = urllib.request.Request(url + "/sparql?" + urllib.parse.urlencode({"query": q}),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        rows = json.loads(r.read())["results"]["bindings"]
    base = "https://w3id.org/rarekg/"  # served at the server's root
    return ["/" + b["d"]["value"].removeprefix(base) for b in rows]


def _seconds(url: str, headers: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=120) as r:
        size = len(r.read())
    return time.perf_counter() - started, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store or Path(tmp) / "store"
        if not args.store:
            subprocess.run([sys.executable, "-m", "kg.cli", "build", "--store", str(store)],
                           check=True, capture_output=True)
        # one address stands for many readers here: no per-client cap on queries at once
        os.environ["RAREKG_CLIENT_MAX_QUERIES"] = "0"
        server = Server(store, Path(tmp) / "server.log")
        server.wait_ready()
        try:
            pages = _diseases(server.url)
            print(f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
                  f"{platform.python_version()}; load average {os.getloadavg()[0]:.1f}")
            print(f"- Date: {time.strftime('%Y-%m-%d %H:%M')} UTC")
            print(f"- Clients: {args.clients} keep-alive connections from {client_name()}, "
                  f"{args.seconds:g} s each; pages: {len(pages)} listed diseases in turn; "
                  "`client_max_queries` 0 (one address stands for many readers)\n")
            print("| requests | requests/s | median latency (ms) | ÷ /health |")
            print("|---|---:|---:|---:|")
            health, median = throughput(server.url, ["/health"], {}, args.clients, args.seconds)
            print(f"| `/health` | {health:.0f} | {median:.1f} | 1.00 |")
            for page in pages:  # every page once, so that the cached run reads the cache
                _seconds(server.url + page, HTML)
            for label, headers in (("disease pages (HTML), result cache", HTML),
                                   ("disease pages (HTML), no cache", {**HTML, **NO_CACHE})):
                rate, median = throughput(server.url, pages, headers, args.clients, args.seconds)
                print(f"| {label} | {rate:.0f} | {median:.1f} | {rate / health:.2f} |")
            print("\n| query form page (HTML) with the results of | result size (bytes) | "
                  "no cache (ms) | result cache (ms) |")
            print("|---|---:|---:|---:|")
            for name in ("q12-provenance-of-facts", "q22-phenotypes-in-both-languages"):
                url = server.url + "/?" + urllib.parse.urlencode({"query": example_query(name)})
                cold = [_seconds(url, {**HTML, **NO_CACHE}) for _ in range(args.repeat)]
                warm = [_seconds(url, HTML) for _ in range(args.repeat)]
                print(f"| {name} | {cold[0][1]:,} | "
                      f"{statistics.median(t for t, _ in cold) * 1000:.0f} | "
                      f"{statistics.median(t for t, _ in warm) * 1000:.0f} |")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
